//! Receipts: what a write is answered with once its entry is durable and covered by a
//! published checkpoint (docs/developers.md, "Receipts").
//!
//! JSON fields: `index`, `logged_at` (Unix ms), `leaf_hash` (hex), `final`, `checkpoint`
//! (the signed note with its cosignatures), `proof` (the c2sp.org/tlog-proof@v1 text for
//! the entry), `entry` (base64 of the exact leaf bytes, so the leaf hash can be
//! recomputed offline), `statement_digest` (hex), `statement` (the decoded statement) and
//! `receipt_path` (where the final receipt can be fetched).
//!
//! A receipt is final only when its checkpoint meets the receipt policy
//! ([`crate::receipt_policy`]). Otherwise `final` is false, `checkpoint` and `proof` are
//! left out (so nobody holds a proof that `verifier bundle` would refuse), `pending`
//! says why, and the HTTP status is 202.
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
    /// Whether the checkpoint meets the receipt policy. When false, `checkpoint` and
    /// `proof` are empty (left out of the JSON) and `pending` says why.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Why the receipt is not final yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// Where to fetch the (final) receipt later: `/v1/receipts/<index>`.
    pub receipt_path: String,
    /// The checkpoint the proof is against: signed note with cosignatures.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub checkpoint: String,
    /// c2sp.org/tlog-proof@v1 text: index, inclusion proof, checkpoint.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub proof: String,
    /// The entry bytes (the leaf), base64.
    pub entry: String,
    /// SHA-256 of the statement payload, hex (the dedup key).
    pub statement_digest: Hash,
    /// The statement, decoded.
    pub statement: serde_json::Value,
    /// Whether this request logged the entry (201) or found it already logged (200).
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
    assemble(
        reader,
        checkpoint,
        Parts {
            index,
            logged_at,
            entry,
            statement_digest: submission.digest,
            statement: submission.statement_json(),
            created,
        },
    )
}

/// The receipt for stored entry `index` against `checkpoint` (`GET /v1/receipts/<index>`);
/// `None` when the log has no such entry.
pub fn for_index(
    store: &LogStore,
    checkpoint: &PublishedCheckpoint,
    index: u64,
) -> Result<Option<Receipt>, ApiError> {
    let Some(entry) = store.entry(index)? else {
        return Ok(None);
    };
    let view = apply::describe_entry(index, &entry)?;
    assemble(
        store,
        checkpoint,
        Parts {
            index,
            logged_at: view.logged_at,
            entry,
            statement_digest: view.statement_digest,
            statement: view.statement,
            created: false,
        },
    )
    .map(Some)
}

/// What a receipt says about its entry.
struct Parts {
    index: u64,
    logged_at: UnixMillis,
    entry: Vec<u8>,
    statement_digest: Hash,
    statement: serde_json::Value,
    created: bool,
}

fn assemble<R: HashReader<Error = StoreError>>(
    reader: &R,
    checkpoint: &PublishedCheckpoint,
    parts: Parts,
) -> Result<Receipt, ApiError> {
    let index = parts.index;
    let leaf_hash = merkle::leaf_hash(&parts.entry);
    // Final only against a checkpoint that meets the policy and covers the entry.
    let is_final = checkpoint.is_final && index < checkpoint.size;
    let (note, proof, pending) = if is_final {
        let proof = merkle::inclusion_proof(index, checkpoint.size, reader).map_err(|err| {
            tracing::error!(error = %err, index, size = checkpoint.size, "inclusion proof failed");
            ApiError::new(code::INTERNAL, "inclusion proof failed")
        })?;
        (
            checkpoint.note.clone(),
            format_tlog_proof(index, &proof, &checkpoint.note),
            None,
        )
    } else {
        (
            String::new(),
            String::new(),
            Some(format!(
                "the entry is logged at index {index} and stored durably, but no checkpoint \
                 covering it has the witness cosignatures the log's receipt policy requires \
                 yet; fetch the final receipt from /v1/receipts/{index} later"
            )),
        )
    };
    Ok(Receipt {
        index,
        logged_at: parts.logged_at,
        leaf_hash,
        is_final,
        pending,
        receipt_path: format!("/v1/receipts/{index}"),
        checkpoint: note,
        proof,
        entry: BASE64.encode(&parts.entry),
        statement_digest: parts.statement_digest,
        statement: parts.statement,
        created: parts.created,
    })
}
