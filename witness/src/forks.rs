//! Fork evidence: two checkpoints, both validly signed by a log, that cannot both be
//! true (c2sp.org/tlog-witness: "the witness MAY log requests that fail the
//! consistency checks, as evidence of misbehaviour. It MUST NOT cosign them").
//!
//! A record holds the checkpoint the witness had cosigned and the contradicting one
//! the log (or a client on its behalf) presented, each as the full signed note, so a
//! third party can check both log signatures without trusting the witness. Records are
//! served as JSON at `GET /forks` and as raw notes at `GET /forks/<id>/cosigned` and
//! `GET /forks/<id>/presented`.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How the presented checkpoint contradicts the cosigned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForkKind {
    /// Same tree size, different root: two different trees of one size, a fork beyond
    /// doubt.
    SameSizeDifferentRoot,
    /// A larger tree whose consistency proof from the cosigned tree does not verify.
    /// In pull mode the witness built the proof itself from tiles authenticated by the
    /// presented root, so this is a fork; in push mode the proof came from the client
    /// and may just be wrong (see docs/witness.md).
    InconsistentProof,
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
    /// The complete signed note (text, blank line, signature lines).
    pub note: String,
}

/// A recorded fork.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkEvidence {
    /// Lowercase hex SHA-256 of the presented note: the record's id.
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
    /// The `old` size of the request (equal to `cosigned.size`).
    pub old_size: u64,
    /// The consistency proof that failed, base64 hashes (empty for same-size forks).
    pub proof: Vec<String>,
}

/// The id of the evidence for a presented note: lowercase hex SHA-256 of its bytes.
pub fn evidence_id(presented_note: &str) -> String {
    hex::encode(Sha256::digest(presented_note.as_bytes()))
}

/// Whether `id` has the shape of an evidence id (64 lowercase hex digits), checked
/// before it is used to look anything up.
pub fn is_evidence_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
