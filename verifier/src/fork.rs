//! Consistency between two verified checkpoints of one log (RFC 9162 §2.1.4), computed
//! from tiles, and fork evidence when they are not consistent.
//!
//! A failed consistency proof is not by itself a fork: the tiles may have been altered on
//! the way. A fork is claimed only when the tiles are shown genuine for the larger
//! checkpoint (its root and the proof from the prefix both verify) and the prefix they
//! commit to differs from the smaller checkpoint's root, or when two checkpoints of the
//! same size have different roots. Then both signed notes are the evidence.

use std::fmt;

use docket_core::merkle::{self, Hash};
use docket_core::policy::VerifiedCheckpoint;
use docket_core::tiles::TileHashReader;
use serde::Serialize;

use crate::error::{VerifierError, VerifyError};
use crate::log::{LogClient, tile_error, tile_list};

/// Two signed checkpoints of one origin that cannot both describe one append-only log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForkEvidence {
    /// The log's origin.
    pub origin: String,
    /// Why they conflict.
    pub reason: String,
    /// The first checkpoint (e.g. the remembered one), as signed.
    pub first: String,
    /// The second checkpoint (e.g. the one just fetched), as signed.
    pub second: String,
}

impl fmt::Display for ForkEvidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "log {:?}: {}", self.origin, self.reason)?;
        writeln!(f, "--- first checkpoint ---\n{}", self.first)?;
        write!(f, "--- second checkpoint ---\n{}", self.second)
    }
}

/// Proves `old` and `new` (verified, same origin, any order of sizes) are consistent,
/// computing the proof from the tiles of the larger tree. Returns the proof (from the
/// smaller to the larger size; empty for equal sizes or an empty smaller tree).
///
/// Errors: [`VerifierError::Fork`] with both notes when they provably conflict,
/// [`VerifyError::TilesDoNotMatchRoot`] or [`VerifyError::Consistency`] when the tiles
/// are to blame, a fetch error when the larger tree's tiles cannot be read.
pub fn prove_consistency(
    client: &LogClient<'_>,
    first: &VerifiedCheckpoint,
    second: &VerifiedCheckpoint,
) -> Result<Vec<Hash>, VerifierError> {
    let fork = |reason: String| {
        VerifierError::Fork(Box::new(ForkEvidence {
            origin: first.checkpoint().origin().to_string(),
            reason,
            first: first.note().to_text(),
            second: second.note().to_text(),
        }))
    };
    let (small, large) = if first.checkpoint().size() <= second.checkpoint().size() {
        (first.checkpoint(), second.checkpoint())
    } else {
        (second.checkpoint(), first.checkpoint())
    };
    let (old, new) = (small.size(), large.size());
    if old == new {
        if small.root() != large.root() {
            return Err(fork(format!(
                "two signed checkpoints of tree size {old} have different roots"
            )));
        }
        return Ok(Vec::new());
    }
    if old == 0 {
        return Ok(Vec::new());
    }
    let ranges = merkle::consistency_proof_ranges(old, new)
        .map_err(|error| VerifyError::Consistency { old, new, error })?;
    let mut nodes = merkle::nodes_for_ranges(&ranges);
    nodes.extend(merkle::range_nodes(0..new));
    nodes.extend(merkle::range_nodes(0..old));
    let tiles = client.fetch_tiles(new, &nodes)?;
    let reader = TileHashReader::new(new, &tiles);
    let proof =
        merkle::range_hashes(&ranges, &reader).map_err(|error| tile_error(&tiles, error))?;
    if merkle::verify_consistency(old, new, small.root(), large.root(), &proof).is_ok() {
        return Ok(proof);
    }
    let tiles_root = merkle::tree_root(new, &reader).map_err(|error| tile_error(&tiles, error))?;
    if tiles_root != *large.root() {
        return Err(VerifyError::TilesDoNotMatchRoot {
            size: new,
            tiles: tile_list(&tiles),
        }
        .into());
    }
    let prefix_root = merkle::tree_root(old, &reader).map_err(|error| tile_error(&tiles, error))?;
    let prefix_proven =
        merkle::verify_consistency(old, new, &prefix_root, large.root(), &proof).is_ok();
    if prefix_proven && prefix_root != *small.root() {
        return Err(fork(format!(
            "the signed tree of size {new} begins with a tree of size {old} whose root is {}, but the log also signed root {} for size {old}",
            prefix_root.to_base64(),
            small.root().to_base64()
        )));
    }
    Err(VerifyError::Consistency {
        old,
        new,
        error: merkle::MerkleError::RootMismatch,
    }
    .into())
}
