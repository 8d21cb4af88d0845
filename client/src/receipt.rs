//! Receipts (docs/architecture.md "Files and command lines"): what the log answers a write with,
//! checked locally with docket-core and saved as two files in the receipt directory:
//!
//! ```text
//! <dir>/<index>.json        the receipt JSON exactly as the log sent it
//! <dir>/<index>.tlog-proof  its `proof` field: c2sp.org/tlog-proof@v1 text
//! ```
//!
//! Checks, in order: the `proof` text parses and names the receipt's index and checkpoint;
//! the leaf hash is recomputed from the `entry` bytes (base64 of the exact leaf) when the
//! receipt carries them, and the entry must hold the envelope that was sent; when it
//! does not, the leaf is rebuilt from the envelope that was sent and the receipt's
//! `logged_at` (never taken from the server's `leaf_hash`, which could name another
//! entry); the inclusion proof must lead from the leaf to the checkpoint's root. The
//! client saves a receipt only after these checks pass. With a log key
//! (`--log-key`, and optionally witness keys and a quorum) the checkpoint's signature and
//! cosignatures are checked too, through docket-core's [`Policy`]; without one the root is
//! read from the checkpoint unauthenticated, which proves consistency of the answer but
//! not that the log's key signed it. The verifier (`verifier bundle`) is the tool for
//! trusting nobody; this check catches a broken or lying server at the moment of writing.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::checkpoint::Checkpoint;
use docket_core::dsse::Envelope;
use docket_core::entry::Entry;
use docket_core::merkle::{self, Hash, MerkleError};
use docket_core::note::{Note, VerifierKey};
use docket_core::policy::Policy;
use docket_core::proof::{ProofError, TlogProof};
use docket_core::time::{UnixMillis, UnixSeconds};

use crate::error::ClientError;

/// The receipt fields the client uses. Other fields (`statement`, `statement_digest`)
/// are kept in the saved file but not needed for the checks.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Receipt {
    /// The entry's index.
    pub index: u64,
    /// The log's time for the entry (Unix ms).
    pub logged_at: UnixMillis,
    /// RFC 6962 leaf hash, hex.
    pub leaf_hash: Hash,
    /// The signed checkpoint note, with cosignatures.
    pub checkpoint: String,
    /// c2sp.org/tlog-proof@v1 text.
    pub proof: String,
    /// The entry bytes, base64 (absent in receipts from servers that do not send them).
    #[serde(default)]
    pub entry: Option<String>,
}

/// Why a receipt does not check out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReceiptError {
    /// Not receipt JSON.
    #[error("receipt is not valid receipt JSON: {message}")]
    Json {
        /// serde_json's message.
        message: String,
    },
    /// The proof text is malformed, or does not verify under the policy.
    #[error("receipt proof: {0}")]
    Proof(ProofError),
    /// The proof names another index than the receipt.
    #[error("receipt is for index {receipt} but its proof is for index {proof}")]
    IndexMismatch {
        /// `index`.
        receipt: u64,
        /// The proof's `index` line.
        proof: u64,
    },
    /// The proof's checkpoint is not the receipt's `checkpoint`.
    #[error("the proof's checkpoint differs from the receipt's checkpoint")]
    CheckpointMismatch,
    /// `entry` is not base64 of a valid entry.
    #[error("receipt entry: {message}")]
    Entry {
        /// What is wrong.
        message: String,
    },
    /// The leaf hash of `entry` is not `leaf_hash`.
    #[error("leaf hash of the entry is {computed}, the receipt says {claimed}")]
    LeafHashMismatch {
        /// SHA-256(0x00 || entry).
        computed: Hash,
        /// `leaf_hash`.
        claimed: Hash,
    },
    /// The entry's `logged_at` is not the receipt's.
    #[error("the entry says logged_at {entry}, the receipt says {receipt}")]
    LoggedAtMismatch {
        /// The entry's.
        entry: u64,
        /// The receipt's.
        receipt: u64,
    },
    /// The logged envelope is not the one that was sent.
    #[error("the logged entry does not hold the envelope that was sent")]
    EnvelopeMismatch,
    /// The checkpoint text is not a checkpoint (checked without a log key).
    #[error("receipt checkpoint: {message}")]
    Checkpoint {
        /// What is wrong.
        message: String,
    },
    /// The inclusion proof does not lead to the checkpoint's root.
    #[error("inclusion proof: {0}")]
    Inclusion(MerkleError),
}

/// What a successful check established.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptCheck {
    /// The entry's index.
    pub index: u64,
    /// The log's time for it.
    pub logged_at: UnixMillis,
    /// The size of the checkpoint the inclusion proof is against.
    pub tree_size: u64,
    /// Whether the leaf hash was recomputed (from the entry bytes, or from the envelope
    /// that was sent) rather than taken from `leaf_hash` (only when checking a saved
    /// receipt without entry bytes and without the envelope).
    pub leaf_from_entry: bool,
    /// Whether the checkpoint's log signature (and the policy's quorum) was verified.
    pub signature_verified: bool,
    /// Verified witness cosignatures: witness name and timestamp.
    pub cosignatures: Vec<(String, UnixSeconds)>,
}

/// The trust policy from `--log-key`, `--witness-key` (each a vkey or a file holding
/// one) and `--quorum` (default: every witness key given must have cosigned).
pub fn policy(
    log_key: &str,
    witness_keys: &[String],
    quorum: Option<usize>,
) -> Result<Policy, ClientError> {
    let log = vkey_or_file("--log-key", log_key)?;
    let witnesses = witness_keys
        .iter()
        .map(|vkey| vkey_or_file("--witness-key", vkey))
        .collect::<Result<Vec<_>, _>>()?;
    let k = quorum.unwrap_or(witnesses.len());
    Policy::new(log, witnesses, k).map_err(|err| ClientError::Usage(format!("trust policy: {err}")))
}

/// A vkey given inline (`name+hash+base64`) or as a file holding one (e.g. the log
/// server's `log.vkey`), read the same way in every program.
fn vkey_or_file(flag: &str, value: &str) -> Result<VerifierKey, ClientError> {
    docket_common::args::vkey_or_file(flag, value).map_err(ClientError::Usage)
}

impl Receipt {
    /// Parses receipt JSON.
    pub fn parse(bytes: &[u8]) -> Result<Receipt, ReceiptError> {
        serde_json::from_slice(bytes).map_err(|err| ReceiptError::Json {
            message: err.to_string(),
        })
    }

    /// Checks the receipt (see the module doc). `sent` is the envelope that was posted,
    /// when known; `trust` the policy to verify the checkpoint with, when given.
    pub fn verify(
        &self,
        sent: Option<&Envelope>,
        trust: Option<&Policy>,
    ) -> Result<ReceiptCheck, ReceiptError> {
        let proof = TlogProof::parse(self.proof.as_bytes()).map_err(ReceiptError::Proof)?;
        if proof.index() != self.index {
            return Err(ReceiptError::IndexMismatch {
                receipt: self.index,
                proof: proof.index(),
            });
        }
        if proof.unverified_checkpoint() != self.checkpoint {
            return Err(ReceiptError::CheckpointMismatch);
        }
        let (leaf, leaf_from_entry) = match (&self.entry, sent) {
            (Some(encoded), _) => (self.leaf_from_entry(encoded, sent)?, true),
            (None, Some(sent)) => (self.leaf_from_sent(sent)?, true),
            (None, None) => (self.leaf_hash, false),
        };
        let (tree_size, signature_verified, cosignatures) = match trust {
            Some(policy) => {
                let verified = proof.verify(policy, &leaf).map_err(ReceiptError::Proof)?;
                let checkpoint = verified.checkpoint();
                let cosignatures = checkpoint
                    .cosignatures()
                    .iter()
                    .map(|c| (c.witness().to_string(), c.timestamp()))
                    .collect();
                (checkpoint.checkpoint().size(), true, cosignatures)
            }
            None => {
                let checkpoint = unverified_checkpoint(&self.checkpoint)?;
                merkle::verify_inclusion(
                    self.index,
                    checkpoint.size(),
                    &leaf,
                    proof.inclusion_proof(),
                    checkpoint.root(),
                )
                .map_err(ReceiptError::Inclusion)?;
                (checkpoint.size(), false, Vec::new())
            }
        };
        Ok(ReceiptCheck {
            index: self.index,
            logged_at: self.logged_at,
            tree_size,
            leaf_from_entry,
            signature_verified,
            cosignatures,
        })
    }

    /// The leaf of the entry the log should have made from `sent` at `logged_at`; the
    /// server's `leaf_hash` must agree (else it describes another entry).
    fn leaf_from_sent(&self, sent: &Envelope) -> Result<Hash, ReceiptError> {
        let bytes = Entry {
            logged_at: self.logged_at,
            envelope: sent.clone(),
        }
        .encode()
        .map_err(|err| ReceiptError::Entry {
            message: format!("the sent envelope does not make an entry: {err}"),
        })?;
        let computed = merkle::leaf_hash(&bytes);
        if computed != self.leaf_hash {
            return Err(ReceiptError::LeafHashMismatch {
                computed,
                claimed: self.leaf_hash,
            });
        }
        Ok(computed)
    }

    fn leaf_from_entry(
        &self,
        encoded: &str,
        sent: Option<&Envelope>,
    ) -> Result<Hash, ReceiptError> {
        let bytes = BASE64.decode(encoded).map_err(|_| ReceiptError::Entry {
            message: "not standard padded base64".into(),
        })?;
        let entry = Entry::decode(&bytes).map_err(|err| ReceiptError::Entry {
            message: err.to_string(),
        })?;
        let computed = merkle::leaf_hash(&bytes);
        if computed != self.leaf_hash {
            return Err(ReceiptError::LeafHashMismatch {
                computed,
                claimed: self.leaf_hash,
            });
        }
        if entry.logged_at != self.logged_at {
            return Err(ReceiptError::LoggedAtMismatch {
                entry: entry.logged_at.0,
                receipt: self.logged_at.0,
            });
        }
        if let Some(sent) = sent
            && entry.envelope != *sent
        {
            return Err(ReceiptError::EnvelopeMismatch);
        }
        Ok(computed)
    }
}

/// The checkpoint body of a note, without checking any signature.
fn unverified_checkpoint(note: &str) -> Result<Checkpoint, ReceiptError> {
    let note = Note::parse(note.as_bytes()).map_err(|err| ReceiptError::Checkpoint {
        message: err.to_string(),
    })?;
    Checkpoint::parse(note.text()).map_err(|err| ReceiptError::Checkpoint {
        message: err.to_string(),
    })
}

/// Where a receipt was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedReceipt {
    /// `<dir>/<index>.json`.
    pub json: PathBuf,
    /// `<dir>/<index>.tlog-proof`.
    pub proof: PathBuf,
}

/// The receipt JSON path for an index.
pub fn json_path(dir: &Path, index: u64) -> PathBuf {
    dir.join(format!("{index}.json"))
}

/// Saves a checked receipt: the JSON exactly as received and the proof text. Each file is
/// written to a temporary name and renamed, so a crash never leaves half a receipt.
pub fn save(dir: &Path, receipt: &Receipt, raw: &[u8]) -> Result<SavedReceipt, ClientError> {
    std::fs::create_dir_all(dir).map_err(|err| ClientError::file("receipt directory", dir, err))?;
    let saved = SavedReceipt {
        json: json_path(dir, receipt.index),
        proof: dir.join(format!("{}.tlog-proof", receipt.index)),
    };
    write_replace(&saved.json, raw)?;
    write_replace(&saved.proof, receipt.proof.as_bytes())?;
    Ok(saved)
}

/// Reads a saved receipt by index (in `dir`) or by path.
pub fn load(dir: &Path, which: &str) -> Result<(PathBuf, Receipt, Vec<u8>), ClientError> {
    let path = match which.parse::<u64>() {
        Ok(index) => json_path(dir, index),
        Err(_) => PathBuf::from(which),
    };
    let raw = std::fs::read(&path).map_err(|err| ClientError::file("receipt", &path, err))?;
    let receipt = Receipt::parse(&raw).map_err(|err| ClientError::file("receipt", &path, err))?;
    Ok((path, receipt, raw))
}

fn write_replace(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(|err| ClientError::file("receipt", &tmp, err))?;
    std::fs::rename(&tmp, path).map_err(|err| ClientError::file("receipt", path, err))
}

#[cfg(test)]
mod tests;
