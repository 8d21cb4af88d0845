//! Receipts: what a write is answered with once its entry is durable and covered by a
//! published checkpoint (DESIGN.md, "Files and command lines").
//!
//! JSON fields: `index`, `logged_at` (Unix ms), `leaf_hash` (hex), `checkpoint` (the
//! signed note with its cosignatures), `proof` (the c2sp.org/tlog-proof@v1 text for the
//! entry, digest §8), `entry` (base64 of the exact leaf bytes, so the leaf hash can be
//! recomputed offline), `statement_digest` (hex) and `statement` (the decoded statement).
//!
//! Inclusion proofs for a batch are built from the hashes the sequencer already has:
//! the new nodes of the batch and the old frontier (every left sibling on the path of a
//! new leaf that lies wholly in the old tree is a frontier node). Anything else (proofs
//! for entries deduplicated against older ones) falls back to the store.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::merkle::{self, Hash, HashReader, NodeId};
use docket_core::proof::TlogProof;
use docket_core::time::UnixMillis;
use serde::Serialize;

use crate::apply::{self, Outcome, Submission};
use crate::http::error::{ApiError, code};
use crate::published::PublishedCheckpoint;
use crate::store::{LogStore, NewEntry, StoreError};

/// A receipt for one logged statement.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Receipt {
    /// The entry's log index.
    pub index: u64,
    /// The log's time for the entry.
    pub logged_at: UnixMillis,
    /// RFC 6962 leaf hash of the entry, hex.
    pub leaf_hash: Hash,
    /// The checkpoint the proof is against: signed note with cosignatures.
    pub checkpoint: String,
    /// c2sp.org/tlog-proof@v1 text: index, inclusion proof, checkpoint.
    pub proof: String,
    /// The entry bytes (the leaf), base64.
    pub entry: String,
    /// SHA-256 of the statement payload, hex (the dedup key).
    pub statement_digest: Hash,
    /// The statement, decoded.
    pub statement: serde_json::Value,
    /// Whether this request logged the entry (201) or found it already logged (200).
    #[serde(skip)]
    pub created: bool,
}

/// Formats a c2sp.org/tlog-proof@v1 (no `extra` line).
pub fn format_tlog_proof(index: u64, proof: &[Hash], checkpoint_note: &str) -> String {
    TlogProof::new(None, index, proof.to_vec(), checkpoint_note.to_string())
        .expect("an inclusion proof in a tree of < 2^64 leaves has at most 64 hashes")
        .to_text()
}

/// A [`HashReader`] over the hashes a batch produced plus the frontier before it,
/// falling back to the store for anything else.
pub struct BatchHashes<'a> {
    store: &'a LogStore,
    known: HashMap<NodeId, Hash>,
}

impl<'a> BatchHashes<'a> {
    /// A reader over `old_frontier`'s nodes and the batch's `new_nodes`.
    pub fn new(
        store: &'a LogStore,
        old_frontier: &[(NodeId, Hash)],
        new_nodes: &[(NodeId, Hash)],
    ) -> BatchHashes<'a> {
        let known = old_frontier.iter().chain(new_nodes).copied().collect();
        BatchHashes { store, known }
    }
}

impl HashReader for BatchHashes<'_> {
    type Error = StoreError;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        let missing: Vec<NodeId> = nodes
            .iter()
            .filter(|node| !self.known.contains_key(node))
            .copied()
            .collect();
        let fetched: HashMap<NodeId, Hash> = if missing.is_empty() {
            HashMap::new()
        } else {
            missing
                .iter()
                .copied()
                .zip(self.store.read_hashes(&missing)?)
                .collect()
        };
        Ok(nodes
            .iter()
            .map(|node| {
                self.known
                    .get(node)
                    .or_else(|| fetched.get(node))
                    .copied()
                    .expect("every node is known or was just fetched")
            })
            .collect())
    }
}

/// Builds the receipt for an accepted (new or existing) entry against `checkpoint`.
pub fn build<R: HashReader<Error = StoreError>>(
    store: &LogStore,
    reader: &R,
    checkpoint: &PublishedCheckpoint,
    outcome: &Outcome,
    submission: &Submission,
    new_entries: &[NewEntry],
) -> Result<Receipt, ApiError> {
    let (index, created, known) = match outcome {
        Outcome::New { index, logged_at } => {
            // The batch's own entries are in memory: no read, no decode.
            let first = new_entries.first().map_or(u64::MAX, |e| e.index);
            let entry = index
                .checked_sub(first)
                .and_then(|offset| new_entries.get(offset as usize))
                .filter(|e| e.index == *index);
            (*index, true, entry.map(|e| (e.bytes.clone(), *logged_at)))
        }
        Outcome::Existing { index } => (*index, false, None),
        Outcome::Rejected(err) => return Err(err.clone()),
    };
    let (entry, logged_at) = match known {
        Some(known) => known,
        None => {
            let entry = store
                .entry(index)?
                .ok_or_else(|| ApiError::new(code::INTERNAL, "logged entry is missing"))?;
            let logged_at = apply::entry_logged_at(&entry)?;
            (entry, logged_at)
        }
    };
    let leaf_hash = merkle::leaf_hash(&entry);
    let proof = merkle::inclusion_proof(index, checkpoint.size, reader).map_err(|err| {
        tracing::error!(error = %err, index, size = checkpoint.size, "inclusion proof failed");
        ApiError::new(code::INTERNAL, "inclusion proof failed")
    })?;
    Ok(Receipt {
        index,
        logged_at,
        leaf_hash,
        checkpoint: checkpoint.note.clone(),
        proof: format_tlog_proof(index, &proof, &checkpoint.note),
        entry: BASE64.encode(&entry),
        statement_digest: submission.digest,
        statement: submission.statement_json(),
        created,
    })
}
