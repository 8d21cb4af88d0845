//! A remote log seen through a [`Fetcher`] and judged by a [`Trust`] policy: verified
//! checkpoints, tiles, entry bundles, and inclusion proofs the verifier computes itself
//! from tiles (c2sp.org/tlog-tiles, RFC 9162 §2.1.3). Every answer is either checked
//! against a checkpoint that satisfied the policy, or labelled a hint.
//!
//! Plan, fetch, compute: the Merkle planners say which nodes a proof needs, the tiles
//! holding them are fetched, and the proof is computed from them through
//! [`TileHashReader`]; only a proof that leads to the signed root is believed.

use std::collections::HashMap;

use docket_core::merkle::{self, Hash, HashReader as _, NodeId};
use docket_core::policy::VerifiedCheckpoint;
use docket_core::tiles::{Bundle, FULL_WIDTH, Tile, TileHashReader, tiles_for};

use crate::error::{VerifierError, VerifyError};
use crate::fetch::{FetchError, Fetcher};
use crate::trust::Trust;

/// Most pages of checkpoint history read (each up to the server's page size): a bound so
/// a hostile server cannot keep the verifier paging forever.
const MAX_HISTORY_PAGES: usize = 10_000;

/// A log to verify: where its files come from and the policy its checkpoints must meet.
pub struct LogClient<'a> {
    fetcher: &'a dyn Fetcher,
    trust: &'a Trust,
}

/// An entry proven to be in a verified checkpoint.
#[derive(Debug, Clone)]
pub struct ProvenEntry {
    /// The entry's index.
    pub index: u64,
    /// The entry's bytes (the Merkle leaf).
    pub bytes: Vec<u8>,
    /// Its RFC 6962 leaf hash.
    pub leaf_hash: Hash,
    /// The inclusion proof the verifier computed from tiles, leaf's sibling first.
    pub proof: Vec<Hash>,
}

impl<'a> LogClient<'a> {
    /// A client for the log of `trust` behind `fetcher`.
    pub fn new(fetcher: &'a dyn Fetcher, trust: &'a Trust) -> LogClient<'a> {
        LogClient { fetcher, trust }
    }

    /// The trust policy in use.
    pub fn trust(&self) -> &Trust {
        self.trust
    }

    /// The fetcher in use.
    pub fn fetcher(&self) -> &dyn Fetcher {
        self.fetcher
    }

    /// Verifies checkpoint note bytes against the policy; `from` names their source.
    pub fn verify_note(&self, note: &[u8], from: &str) -> Result<VerifiedCheckpoint, VerifyError> {
        self.trust
            .policy
            .verify_checkpoint(note)
            .map_err(|error| VerifyError::Checkpoint {
                from: from.to_string(),
                error,
            })
    }

    /// Fetches `/checkpoint` and verifies it against the policy.
    pub fn latest_checkpoint(&self) -> Result<VerifiedCheckpoint, VerifierError> {
        let note = self.fetcher.fetch("checkpoint")?;
        Ok(self.verify_note(&note, &self.fetcher.url("checkpoint"))?)
    }

    /// Fetches the tiles needed to compute `nodes` in the tree of `size` leaves. A
    /// partial tile the server no longer has is replaced by the full tile (tlog-tiles
    /// lets clients fall back to it).
    pub fn fetch_tiles(
        &self,
        size: u64,
        nodes: &[NodeId],
    ) -> Result<HashMap<Tile, Vec<u8>>, VerifierError> {
        let needed = tiles_for(size, nodes).map_err(|error| {
            VerifierError::Usage(format!("tree size {size} lacks a node it needs: {error}"))
        })?;
        let mut tiles = HashMap::with_capacity(needed.len());
        for tile in needed {
            let (tile, bytes) = self.fetch_tile(tile)?;
            tiles.insert(tile, bytes);
        }
        Ok(tiles)
    }

    /// Fetches one tile, falling back to the full tile when a partial one is gone.
    pub fn fetch_tile(&self, tile: Tile) -> Result<(Tile, Vec<u8>), VerifierError> {
        match self.fetcher.fetch(&tile.path()) {
            Ok(bytes) => Ok((tile, bytes)),
            Err(FetchError::NotFound { .. }) if !tile.is_full() => {
                let full = Tile::new(tile.level(), tile.index(), FULL_WIDTH)
                    .expect("a partial tile's full version is a valid tile");
                Ok((full, self.fetcher.fetch(&full.path())?))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The entries of entry bundle `index` as the tree of `size` leaves has them, with the
    /// path they were read from. Falls back to the full bundle as for tiles.
    pub fn fetch_bundle(
        &self,
        index: u64,
        size: u64,
    ) -> Result<(String, Vec<Vec<u8>>), VerifierError> {
        let bundle = Bundle::for_tree_size(index, size).ok_or_else(|| {
            VerifierError::Usage(format!(
                "the tree of size {size} has no entry bundle {index}"
            ))
        })?;
        let (read, bytes) = match self.fetcher.fetch(&bundle.path()) {
            Ok(bytes) => (bundle, bytes),
            Err(FetchError::NotFound { .. }) if !bundle.is_full() => {
                let full = Bundle::new(index, FULL_WIDTH)
                    .expect("a partial bundle's full version is a valid bundle");
                (full, self.fetcher.fetch(&full.path())?)
            }
            Err(error) => return Err(error.into()),
        };
        let path = read.path();
        let entries = read
            .decode(&bytes)
            .map_err(|error| VerifyError::BundleMalformed {
                path: path.clone(),
                error,
            })?;
        let keep = usize::from(bundle.width());
        Ok((
            path,
            entries.into_iter().take(keep).map(<[u8]>::to_vec).collect(),
        ))
    }

    /// Fetches entry `index` and proves it is in `checkpoint`, computing the inclusion
    /// proof from tiles.
    pub fn proven_entry(
        &self,
        index: u64,
        checkpoint: &VerifiedCheckpoint,
    ) -> Result<ProvenEntry, VerifierError> {
        let size = checkpoint.checkpoint().size();
        if index >= size {
            return Err(VerifyError::NotFound {
                what: format!("entry {index} is not in the verified checkpoint of size {size}"),
            }
            .into());
        }
        let (path, entries) = self.fetch_bundle(index / u64::from(FULL_WIDTH), size)?;
        let position = usize::try_from(index % u64::from(FULL_WIDTH)).expect("below 256");
        let bytes = entries
            .get(position)
            .cloned()
            .expect("a bundle for this tree size holds the entry");
        let leaf_hash = merkle::leaf_hash(&bytes);
        let proof = self.prove_inclusion(
            index,
            checkpoint,
            &leaf_hash,
            &format!("entry bundle {path}"),
        )?;
        Ok(ProvenEntry {
            index,
            bytes,
            leaf_hash,
            proof,
        })
    }

    /// Computes the inclusion proof of leaf `index` in `checkpoint` from tiles and checks
    /// it leads from `leaf_hash` to the signed root. On failure, says whether the tiles
    /// or the leaf (from `leaf_source`) are to blame.
    pub fn prove_inclusion(
        &self,
        index: u64,
        checkpoint: &VerifiedCheckpoint,
        leaf_hash: &Hash,
        leaf_source: &str,
    ) -> Result<Vec<Hash>, VerifierError> {
        let size = checkpoint.checkpoint().size();
        let root = checkpoint.checkpoint().root();
        let ranges = merkle::inclusion_proof_ranges(index, size)
            .map_err(|error| VerifyError::Inclusion { index, size, error })?;
        let leaf_node = NodeId { level: 0, index };
        let mut nodes = merkle::nodes_for_ranges(&ranges);
        nodes.push(leaf_node);
        let tiles = self.fetch_tiles(size, &nodes)?;
        let reader = TileHashReader::new(size, &tiles);
        let proof =
            merkle::range_hashes(&ranges, &reader).map_err(|error| tile_error(&tiles, error))?;
        if merkle::verify_inclusion(index, size, leaf_hash, &proof, root).is_ok() {
            return Ok(proof);
        }
        // Which side lied? If the tiles' own leaf hash verifies, the tiles are genuine and
        // the entry is not the logged one.
        let tile_leaf = reader
            .read_hashes(&[leaf_node])
            .map_err(|error| tile_error(&tiles, merkle::TreeError::Read(error)))?[0];
        if merkle::verify_inclusion(index, size, &tile_leaf, &proof, root).is_ok() {
            return Err(VerifyError::BundleEntryMismatch {
                index,
                path: leaf_source.to_string(),
                found: leaf_hash.to_hex(),
                expected: tile_leaf.to_hex(),
            }
            .into());
        }
        Err(VerifyError::TilesDoNotMatchRoot {
            size,
            tiles: tile_list(&tiles),
        }
        .into())
    }

    /// Every checkpoint in the log's published history (`/v1/checkpoints`, a hint) that
    /// satisfies the policy, oldest first. Checkpoints that fail the policy (too few
    /// cosignatures, say) are skipped: they are not evidence. Callers must still prove
    /// each consistent with a checkpoint they trust before relying on it.
    pub fn witnessed_history(&self) -> Result<Vec<VerifiedCheckpoint>, VerifierError> {
        let mut out = Vec::new();
        let mut from = 0u64;
        for _ in 0..MAX_HISTORY_PAGES {
            let path = format!("v1/checkpoints?from={from}");
            let page: serde_json::Value = serde_json::from_slice(&self.fetcher.fetch(&path)?)
                .map_err(|e| FetchError::Transport {
                    url: self.fetcher.url(&path),
                    message: format!("not JSON: {e}"),
                })?;
            let items = page["checkpoints"].as_array().cloned().unwrap_or_default();
            for item in &items {
                if let Some(note) = item["note"].as_str()
                    && let Ok(verified) = self.trust.policy.verify_checkpoint(note.as_bytes())
                {
                    out.push(verified);
                }
            }
            match page["next"].as_u64() {
                Some(next) if next > from && !items.is_empty() => from = next,
                _ => break,
            }
        }
        Ok(out)
    }
}

/// A tile read error as the verification failure it is (a tile of the wrong length).
pub fn tile_error(
    tiles: &HashMap<Tile, Vec<u8>>,
    error: merkle::TreeError<docket_core::tiles::TileError>,
) -> VerifierError {
    match error {
        merkle::TreeError::Read(error) => {
            let path = match &error {
                docket_core::tiles::TileError::WrongTileLength { tile, .. }
                | docket_core::tiles::TileError::MissingTile { tile } => tile.path(),
                _ => tile_list(tiles),
            };
            VerifyError::TileMalformed { path, error }.into()
        }
        merkle::TreeError::Merkle(error) => VerifierError::Usage(error.to_string()),
    }
}

/// The paths of `tiles`, sorted, for messages.
pub fn tile_list(tiles: &HashMap<Tile, Vec<u8>>) -> String {
    let mut paths: Vec<String> = tiles.keys().map(Tile::path).collect();
    paths.sort();
    paths.join(", ")
}
