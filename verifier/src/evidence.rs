//! The review bundle (`verifier review --out FILE`): everything needed to re-check a
//! submission's record offline against a trust policy, and its verification.
//!
//! ```text
//! {"format": "docket-review-bundle/v1",
//!  "origin": ORIGIN, "submission": INDEX,
//!  "checkpoints": [NOTE, ...],          signed notes; [0] is the anchor, the others are
//!                                       witnessed checkpoints bracketing entries
//!  "consistency": [{"checkpoint": I, "proof": [B64, ...]}],   checkpoints[I] → [0]
//!  "entries": [{"index": N, "entry": B64, "proof": [B64, ...]}],
//!                                       genesis, the signers' registrations (and any
//!                                       revocation before the submission) of the record
//!                                       and of rule-breaking entries after it, the
//!                                       submission; inclusion proofs against [0]
//!  "tail": {"from": INDEX+1, "prefix": [B64, ...], "entries": [B64, ...]}}
//!                                       every entry after the submission up to the
//!                                       anchor's size, and the hashes of the perfect
//!                                       subtrees before it (merkle::range_nodes(0..from))
//! ```
//!
//! The tail is what proves absence: with the prefix hashes it rebuilds the anchor's root,
//! so no decision, withdrawal or disclosure about the submission can be left out. What
//! the bundle cannot prove offline is that a signer's key was not revoked before the
//! submission by an entry it omits; `verifier audit` checks that online.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::merkle::{self, Frontier, Hash, HashReader, NodeId};
use docket_core::policy::{Policy, VerifiedCheckpoint};
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize};

use crate::error::VerifyError;
use crate::record::{self, ReviewRecord};
use crate::replay::{Replayer, Violation};
use crate::witnessed::{quorum_kind, status_time, witnessed};

/// The format name in every review bundle.
pub const REVIEW_BUNDLE_FORMAT: &str = "docket-review-bundle/v1";

/// A review bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBundle {
    /// Always [`REVIEW_BUNDLE_FORMAT`].
    pub format: String,
    /// The log's origin.
    pub origin: String,
    /// The submission's index.
    pub submission: u64,
    /// Signed checkpoint notes; the first is the anchor.
    pub checkpoints: Vec<String>,
    /// Consistency proofs from each other checkpoint to the anchor.
    pub consistency: Vec<BundledConsistency>,
    /// Entries before the submission that the record needs, and the submission.
    pub entries: Vec<BundledEntry>,
    /// Every entry after the submission.
    pub tail: Tail,
}

/// A consistency proof from `checkpoints[checkpoint]` to the anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledConsistency {
    /// Which checkpoint.
    pub checkpoint: usize,
    /// The proof hashes, base64.
    pub proof: Vec<String>,
}

/// An entry with its inclusion proof against the anchor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledEntry {
    /// The entry's index.
    pub index: u64,
    /// The entry's bytes, base64.
    pub entry: String,
    /// The inclusion proof, base64 hashes, leaf's sibling first.
    pub proof: Vec<String>,
}

/// The entries `from..anchor size` and the subtree hashes before them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tail {
    /// The first entry's index (the submission's + 1).
    pub from: u64,
    /// Hashes of `merkle::range_nodes(0..from)`, base64.
    pub prefix: Vec<String>,
    /// The entries, base64.
    pub entries: Vec<String>,
}

/// What a verified review bundle proves.
#[derive(Debug, Clone)]
pub struct VerifiedReview {
    /// The anchor checkpoint.
    pub anchor: VerifiedCheckpoint,
    /// The record.
    pub record: ReviewRecord,
    /// Entries in the bundle that break the rules (seen without the whole log).
    pub violations: Vec<Violation>,
    /// Those of `violations` that touch the record: the submission itself, or an entry
    /// whose statement (read without trusting it) is about the submission or one of its
    /// disclosures, or cannot be read at all. They count for nothing, and the report must
    /// say so.
    pub touching: Vec<Violation>,
}

/// Base64 of hashes.
pub fn hashes_b64(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(Hash::to_base64).collect()
}

fn bad(what: impl Into<String>) -> VerifyError {
    VerifyError::Bundle { what: what.into() }
}

fn hashes(texts: &[String], what: &str) -> Result<Vec<Hash>, VerifyError> {
    texts
        .iter()
        .map(|t| Hash::from_base64(t).map_err(|e| bad(format!("{what}: {e}"))))
        .collect()
}

fn bytes(text: &str, what: &str) -> Result<Vec<u8>, VerifyError> {
    BASE64
        .decode(text)
        .map_err(|e| bad(format!("{what} is not base64: {e}")))
}

/// Verifies a review bundle offline: every checkpoint against `policy`, every
/// consistency and inclusion proof, the tail against the anchor's root, every entry
/// through the rules; then builds the record as of the anchor ([`status_time`]: its
/// lower-bound witnessed time, or its last `logged_at` if later or if the policy needs no
/// witness, never later than `now`: a bundle proves nothing about the time after its
/// anchor).
pub fn verify(
    bundle: &ReviewBundle,
    policy: &Policy,
    now: UnixMillis,
) -> Result<VerifiedReview, VerifyError> {
    if bundle.format != REVIEW_BUNDLE_FORMAT {
        return Err(bad(format!(
            "format {:?} is not {REVIEW_BUNDLE_FORMAT:?}",
            bundle.format
        )));
    }
    let checkpoints = bundle
        .checkpoints
        .iter()
        .enumerate()
        .map(|(i, note)| {
            policy
                .verify_checkpoint(note.as_bytes())
                .map_err(|error| VerifyError::Checkpoint {
                    from: format!("the review bundle (checkpoint {i})"),
                    error,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let anchor = checkpoints
        .first()
        .ok_or_else(|| bad("has no checkpoint"))?
        .clone();
    let (size, root) = (anchor.checkpoint().size(), *anchor.checkpoint().root());
    if anchor.checkpoint().origin() != bundle.origin {
        return Err(bad("origin differs from its anchor checkpoint's"));
    }
    for (i, checkpoint) in checkpoints.iter().enumerate().skip(1) {
        let proof = bundle
            .consistency
            .iter()
            .find(|c| c.checkpoint == i)
            .ok_or_else(|| bad(format!("lacks a consistency proof for checkpoint {i}")))?;
        let old = checkpoint.checkpoint();
        merkle::verify_consistency(
            old.size(),
            size,
            old.root(),
            &root,
            &hashes(&proof.proof, "consistency proof")?,
        )
        .map_err(|error| VerifyError::Consistency {
            old: old.size(),
            new: size,
            error,
        })?;
    }
    let mut entries: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    for bundled in &bundle.entries {
        let data = bytes(&bundled.entry, &format!("entry {}", bundled.index))?;
        let proof = hashes(&bundled.proof, "inclusion proof")?;
        merkle::verify_inclusion(
            bundled.index,
            size,
            &merkle::leaf_hash(&data),
            &proof,
            &root,
        )
        .map_err(|error| VerifyError::Inclusion {
            index: bundled.index,
            size,
            error,
        })?;
        entries.insert(bundled.index, data);
    }
    let tail = &bundle.tail;
    if tail.from != bundle.submission + 1 || tail.from + tail.entries.len() as u64 != size {
        return Err(bad(format!(
            "tail must hold entries {}..{size}, it holds {}..{}",
            bundle.submission + 1,
            tail.from,
            tail.from + tail.entries.len() as u64
        )));
    }
    let prefix_nodes = merkle::range_nodes(0..tail.from);
    let prefix_hashes = hashes(&tail.prefix, "tail prefix")?;
    if prefix_nodes.len() != prefix_hashes.len() {
        return Err(bad(format!(
            "tail prefix has {} hashes, the tree of size {} needs {}",
            prefix_hashes.len(),
            tail.from,
            prefix_nodes.len()
        )));
    }
    let prefix = PrefixNodes(prefix_nodes.into_iter().zip(prefix_hashes).collect());
    let mut frontier = Frontier::load(tail.from, &prefix)
        .map_err(|()| bad("tail prefix has the wrong number of hashes"))?;
    for (offset, text) in tail.entries.iter().enumerate() {
        let data = bytes(text, &format!("tail entry {}", tail.from + offset as u64))?;
        frontier.append(merkle::leaf_hash(&data));
        entries.insert(tail.from + offset as u64, data);
    }
    if frontier.root() != root {
        return Err(VerifyError::EntriesDoNotMatchRoot {
            size,
            hint: " (the review bundle's tail)".into(),
        });
    }
    let mut replayer = Replayer::new(&bundle.origin, false);
    let mut judged = Vec::new();
    for (&index, data) in &entries {
        let replayed = replayer.judge(index, data);
        if !replayed.violations.is_empty() {
            judged.push(replayed);
        }
    }
    // The judged entries include the anchor's last one (the tail, or the submission
    // itself when it is last), so every entry in the anchor's tree counts.
    let as_of = status_time(policy, &anchor, replayer.last_logged_at(), now);
    let record = record::build(
        replayer.view(),
        &entries,
        bundle.submission,
        &witnessed(policy, &checkpoints, now),
        quorum_kind(policy),
        as_of,
    )?;
    let mut subjects = vec![bundle.submission];
    subjects.extend(record.disclosures.iter().map(|d| d.entry.index));
    let touches = |r: &crate::replay::Replayed| {
        r.index == bundle.submission
            || match r.claimed_reference() {
                Some(subject) => subjects.contains(&subject),
                None => r
                    .entry
                    .as_ref()
                    .is_none_or(|e| e.envelope.unverified_statement().is_err()),
            }
    };
    let touching = judged
        .iter()
        .filter(|r| touches(r))
        .flat_map(|r| r.violations.iter().cloned())
        .collect();
    Ok(VerifiedReview {
        anchor,
        record,
        violations: judged.into_iter().flat_map(|r| r.violations).collect(),
        touching,
    })
}

/// Subtree hashes given in a bundle, read by node id.
struct PrefixNodes(Vec<(NodeId, Hash)>);

impl HashReader for PrefixNodes {
    type Error = ();

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, ()> {
        nodes
            .iter()
            .map(|id| {
                self.0
                    .iter()
                    .find(|(n, _)| n == id)
                    .map(|(_, h)| *h)
                    .ok_or(())
            })
            .collect()
    }
}
