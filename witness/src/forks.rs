//! Fork evidence: two checkpoints, both validly signed by a log, that cannot both be
//! true (c2sp.org/tlog-witness: "the witness MAY log requests that fail the
//! consistency checks, as evidence of misbehaviour. It MUST NOT cosign them").
//!
//! Only a contradiction that proves itself is recorded: a checkpoint of the size the
//! witness cosigned with another root, both signed by the log's key. A larger
//! checkpoint with a consistency proof that fails is refused (422) and not recorded:
//! the proof is whoever sent it, and a wrong proof for a genuine checkpoint is cheap to
//! make and proves nothing about the log.
//!
//! A record holds the checkpoint the witness had cosigned and the contradicting one,
//! each as a signed note carrying only signature lines the witness verified, so a
//! third party can check both log signatures without trusting the witness, and nobody
//! can make the witness store bytes it did not check. Records are served as JSON at
//! `GET /forks` and as raw notes at `GET /forks/<id>/cosigned` and
//! `GET /forks/<id>/presented`. At most [`MAX_FORKS_PER_ORIGIN`] are kept per log:
//! one record already proves the fork; more only cost disk.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Most fork records kept per origin. Only the log's key can make new ones (each needs
/// another validly signed root for a size the witness cosigned), so this bounds what a
/// log, or a thief of its key, can make the witness store.
pub const MAX_FORKS_PER_ORIGIN: usize = 16;

/// How the presented checkpoint contradicts the cosigned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForkKind {
    /// Same tree size, different root: two different trees of one size, a fork beyond
    /// doubt.
    SameSizeDifferentRoot,
}

/// How the contradicting checkpoint reached the witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// `POST /add-checkpoint`.
    AddCheckpoint,
    /// The witness polled the log itself.
    Pull,
}

/// One signed checkpoint kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceCheckpoint {
    /// Tree size.
    pub size: u64,
    /// Root hash, base64 as in the checkpoint.
    pub root: String,
    /// The signed note: the witness's encoding of the checkpoint text, a blank line,
    /// and only the signature lines the witness verified.
    pub note: String,
}

/// A recorded fork.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkEvidence {
    /// The record's id: [`evidence_id`] of the presented checkpoint text.
    pub id: String,
    /// The log's origin.
    pub origin: String,
    /// How the two checkpoints contradict each other.
    pub kind: ForkKind,
    /// How the presented checkpoint arrived.
    pub channel: Channel,
    /// When the witness saw it (Unix seconds).
    pub detected_at: u64,
    /// The checkpoint the witness had cosigned (with its log signature and the
    /// witness's cosignature).
    pub cosigned: EvidenceCheckpoint,
    /// The contradicting checkpoint, with the log signature(s) the witness verified.
    pub presented: EvidenceCheckpoint,
}

/// The id of the evidence for a presented checkpoint: lowercase hex SHA-256 of the
/// witness's own encoding of its text (origin, size, root, extension lines), without
/// any signature line. Extra or different signature lines on the same checkpoint give
/// the same id, so the same fork is recorded once however it is dressed up.
pub fn evidence_id(presented_checkpoint_text: &str) -> String {
    hex::encode(Sha256::digest(presented_checkpoint_text.as_bytes()))
}

/// Whether `id` has the shape of an evidence id (64 lowercase hex digits), checked
/// before it is used to look anything up.
pub fn is_evidence_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
