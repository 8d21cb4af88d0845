//! c2sp.org/tlog-witness (`main`, see the digest §6 and gotchas §15): the wire formats
//! of `POST <submission prefix>/add-checkpoint` and the pure decision a witness makes on
//! a request. Pure: the caller looks up its configuration and stored state, and after
//! [`decide`] accepts, stores the new state atomically (compare-and-swap against the
//! state it passed in) before cosigning with [`crate::cosignature::sign`].
//!
//! ```text
//! request:  old <N>\n                      canonical decimal, 0 if the client has no state
//!           <base64 hash>\n × 0..=63       consistency proof from N to the new size
//!           \n                             split at the FIRST empty line
//!           <signed checkpoint note>
//! 200:      — <witness name> <base64>\n × 1..   cosignature lines
//! 409:      <stored size>\n                Content-Type: text/x.tlog.size
//! ```
//!
//! [`decide`] applies the checks in the order litewitness and the vectors use; every
//! check happens before any state changes:
//!
//! | check | status |
//! | --- | --- |
//! | body malformed (or over [`MAX_ADD_CHECKPOINT_BODY`]: 413) | 400 |
//! | origin not configured (`main`; litewitness answered 403) | 404 |
//! | no trusted log signature, or a trusted key's line fails | 403 |
//! | `old` > checkpoint size | 400 |
//! | `old` ≠ stored size (0 if none) | 409 + stored size |
//! | size 0 but root ≠ SHA-256("") | 422 |
//! | `old` 0 with a non-empty proof | 422 |
//! | `old` = size, root ≠ stored root (`main`, #280; v1.0.0 said 409) | 422, fork evidence |
//! | the proof does not verify from (old, stored root) | 422 (not evidence: the proof is the sender's) |
//!
//! `old 0` is handled here and never given to [`merkle::verify_consistency`], which
//! rejects proofs from the empty tree: the empty tree is consistent with every tree.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::checkpoint::{Checkpoint, CheckpointError, parse_canonical_u64};
use crate::merkle::{self, Hash, MerkleError};
use crate::note::{MAX_SIGNATURE_LINES, Note, NoteError, Signature, VerifierKey};

/// The add-checkpoint endpoint, relative to the witness's submission prefix.
pub const ADD_CHECKPOINT_PATH: &str = "add-checkpoint";

/// Most consistency-proof lines in a request (tlog-witness; enough for 2^62 leaves).
pub const MAX_CONSISTENCY_PROOF_LINES: usize = 63;

/// Largest add-checkpoint body we read: 63 proof lines (~2.8 kB) plus a checkpoint with
/// [`MAX_SIGNATURE_LINES`] signature lines, even ML-DSA-44 ones (~3.3 kB each).
pub const MAX_ADD_CHECKPOINT_BODY: usize = 512 * 1024;

/// Content type of every 409 body.
pub const SIZE_CONTENT_TYPE: &str = "text/x.tlog.size";

/// What was wrong with an add-checkpoint request or response body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The body is larger than [`MAX_ADD_CHECKPOINT_BODY`].
    #[error("body of {len} bytes is over the limit")]
    TooLarge {
        /// The body's length.
        len: usize,
    },
    /// The body breaks the syntax.
    #[error("malformed body: {what}")]
    Malformed {
        /// Which rule was broken.
        what: &'static str,
    },
    /// A consistency-proof line is not base64 of 32 bytes.
    #[error("consistency proof hash {position}: {error}")]
    BadProofHash {
        /// 0-based position in the proof.
        position: usize,
        /// What was wrong with it.
        error: MerkleError,
    },
    /// More than [`MAX_CONSISTENCY_PROOF_LINES`] proof lines.
    #[error("{count} consistency proof lines, more than 63")]
    TooManyProofLines {
        /// How many lines there were.
        count: usize,
    },
    /// The checkpoint note (or a response line) is not a valid signed note.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The note's text is not a checkpoint.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// A parsed add-checkpoint request.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AddCheckpointRequest {
    old_size: u64,
    consistency_proof: Vec<Hash>,
    note: Note,
    checkpoint: Checkpoint,
}

impl AddCheckpointRequest {
    /// A request from its parts (what a log sends); the note's text must be a checkpoint.
    pub fn new(
        old_size: u64,
        consistency_proof: Vec<Hash>,
        note: Note,
    ) -> Result<AddCheckpointRequest, WireError> {
        if consistency_proof.len() > MAX_CONSISTENCY_PROOF_LINES {
            return Err(WireError::TooManyProofLines {
                count: consistency_proof.len(),
            });
        }
        let checkpoint = Checkpoint::parse(note.text())?;
        Ok(AddCheckpointRequest {
            old_size,
            consistency_proof,
            note,
            checkpoint,
        })
    }

    /// Parses a request body, split at its first empty line.
    pub fn parse(body: &[u8]) -> Result<AddCheckpointRequest, WireError> {
        let malformed = |what| WireError::Malformed { what };
        if body.len() > MAX_ADD_CHECKPOINT_BODY {
            return Err(WireError::TooLarge { len: body.len() });
        }
        let text = std::str::from_utf8(body).map_err(|_| malformed("not UTF-8"))?;
        let split = text
            .find("\n\n")
            .ok_or(malformed("no empty line after the consistency proof"))?;
        let mut control = text[..split].split('\n');
        let old_size = control
            .next()
            .and_then(|line| line.strip_prefix("old "))
            .and_then(parse_canonical_u64)
            .ok_or(malformed("first line is not 'old <canonical decimal>'"))?;
        let lines: Vec<&str> = control.collect();
        if lines.len() > MAX_CONSISTENCY_PROOF_LINES {
            return Err(WireError::TooManyProofLines { count: lines.len() });
        }
        let consistency_proof = lines
            .iter()
            .enumerate()
            .map(|(position, line)| {
                Hash::from_base64(line).map_err(|error| WireError::BadProofHash { position, error })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let note = Note::parse(&body[split + 2..])?;
        AddCheckpointRequest::new(old_size, consistency_proof, note)
    }

    /// The size of the client's previous checkpoint (0 if none).
    pub fn old_size(&self) -> u64 {
        self.old_size
    }

    /// The consistency proof from `old_size` to the checkpoint's size.
    pub fn consistency_proof(&self) -> &[Hash] {
        &self.consistency_proof
    }

    /// The signed checkpoint note, as received.
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The checkpoint (the note's text), not yet verified.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The request body.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for AddCheckpointRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "old {}", self.old_size)?;
        for hash in &self.consistency_proof {
            writeln!(f, "{}", hash.to_base64())?;
        }
        writeln!(f)?;
        write!(f, "{}", self.note)
    }
}

/// The 409 body: the witness's stored size and `\n` (send with [`SIZE_CONTENT_TYPE`]).
pub fn format_size_body(size: u64) -> String {
    format!("{size}\n")
}

/// Parses a 409 body: one canonical decimal and `\n`, nothing else.
pub fn parse_size_body(body: &[u8]) -> Result<u64, WireError> {
    std::str::from_utf8(body)
        .ok()
        .and_then(|text| text.strip_suffix('\n'))
        .and_then(parse_canonical_u64)
        .ok_or(WireError::Malformed {
            what: "409 body is not '<canonical decimal>\\n'",
        })
}

/// The 200 body: one cosignature line per signature.
pub fn format_cosignatures(signatures: &[Signature]) -> String {
    signatures.iter().map(Signature::to_line).collect()
}

/// Parses a 200 body: one or more signature lines, each ending in `\n`. The lines are
/// not verified; append the trusted ones to the checkpoint after
/// [`crate::cosignature::verify`].
pub fn parse_cosignatures(body: &[u8]) -> Result<Vec<Signature>, WireError> {
    let malformed = |what| WireError::Malformed { what };
    let text = std::str::from_utf8(body).map_err(|_| malformed("not UTF-8"))?;
    let lines = text
        .strip_suffix('\n')
        .ok_or(malformed("200 body is empty or lacks its final newline"))?;
    let count = lines.split('\n').count();
    if count > MAX_SIGNATURE_LINES {
        return Err(WireError::Note(NoteError::TooManySignatures { count }));
    }
    lines
        .split('\n')
        .map(|line| Signature::parse_line(line).map_err(WireError::Note))
        .collect()
}

/// The origin hash of monitoring URLs, `<prefix>/<hash>/checkpoint`: lowercase hex of
/// SHA-256(origin). Not transparency-dev's log ID, which hashes `"o:" || origin`.
pub fn monitoring_origin_hash(origin: &str) -> String {
    hex::encode(Sha256::digest(origin.as_bytes()))
}

/// The size and root of the latest checkpoint a witness cosigned for an origin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TreeState {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
}

impl TreeState {
    /// The state of an origin never cosigned: size 0, the empty tree's root.
    pub fn empty() -> TreeState {
        TreeState {
            size: 0,
            root: merkle::empty_root(),
        }
    }
}

/// What the witness knows about a configured origin, as the caller looked it up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct KnownLog<'a> {
    /// The log's trusted keys (looked up by origin; their names need not be the origin).
    pub keys: &'a [VerifierKey],
    /// The latest cosigned state, `None` if never cosigned (treated as size 0).
    pub state: Option<TreeState>,
}

/// A request that passed every check: store [`Accepted::state`] atomically, then
/// cosign [`Accepted::note`]'s text. Only [`decide`] makes one.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Accepted {
    note: Note,
    checkpoint: Checkpoint,
}

impl Accepted {
    /// The new state to record for the origin.
    pub fn state(&self) -> TreeState {
        TreeState {
            size: self.checkpoint.size(),
            root: *self.checkpoint.root(),
        }
    }

    /// The checkpoint's origin.
    pub fn origin(&self) -> &str {
        self.checkpoint.origin()
    }

    /// The accepted checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The signed checkpoint note as received (keep it to serve and as evidence).
    pub fn note(&self) -> &Note {
        &self.note
    }
}

/// What a witness keeps when a validly signed checkpoint has the size of the one it
/// cosigned but another root: together with its own stored note, proof that the log
/// signed two different trees of one size (a fork, or a leaked key). It MUST NOT be
/// cosigned.
///
/// A larger checkpoint whose consistency proof fails is not evidence: the proof comes
/// from whoever sent the request, and a wrong proof for a genuine checkpoint proves
/// nothing about the log (c2sp.org/tlog-witness answers it with 422 and nothing more).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ForkEvidence {
    /// The witness's stored state the request conflicts with.
    pub stored: TreeState,
    /// The conflicting checkpoint note as received. Only its signature lines from the
    /// log's keys were verified; keep only those (see [`Note::verify`]).
    pub note: Note,
    /// Its checkpoint.
    pub checkpoint: Checkpoint,
}

/// Why a witness refuses an add-checkpoint request; [`Rejection::http_status`] gives
/// the status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// The body is malformed (400) or too large (413).
    #[error("malformed request: {0}")]
    Malformed(WireError),
    /// The checkpoint's origin is not configured (404).
    #[error("unknown log origin {origin:?}")]
    UnknownOrigin {
        /// The origin.
        origin: String,
    },
    /// No trusted log signature, or a trusted key's line does not verify (403).
    #[error("checkpoint signature: {0}")]
    Signature(NoteError),
    /// `old` is larger than the checkpoint's size (400).
    #[error("old size {old} is larger than the checkpoint size {size}")]
    OldSizeTooLarge {
        /// The request's old size.
        old: u64,
        /// The checkpoint's size.
        size: u64,
    },
    /// `old` is not the witness's stored size (409, body [`format_size_body`]).
    #[error("old size {old} is not the witness's size {stored}")]
    OldSizeMismatch {
        /// The request's old size.
        old: u64,
        /// The witness's stored size, which the 409 body carries.
        stored: u64,
    },
    /// A size-0 checkpoint whose root is not SHA-256("") (422).
    #[error("size-0 checkpoint has root {root}, not the empty tree's")]
    EmptyTreeRoot {
        /// The root given.
        root: Hash,
    },
    /// `old 0` came with a non-empty proof (422).
    #[error("old size 0 needs an empty proof, got {len} hashes")]
    ProofFromEmptyTree {
        /// The proof's length.
        len: usize,
    },
    /// Same size as the stored checkpoint, different root: a fork (422).
    #[error("checkpoint of size {} has a root other than the cosigned one", .0.stored.size)]
    SameSizeDifferentRoot(Box<ForkEvidence>),
    /// The consistency proof from the stored checkpoint does not verify (422). Not
    /// evidence of a fork: the proof is the sender's, not the log's signed word.
    #[error("consistency proof: {error}")]
    InconsistentProof {
        /// Why it failed.
        error: MerkleError,
    },
}

impl Rejection {
    /// The HTTP status tlog-witness (`main`) assigns.
    pub fn http_status(&self) -> u16 {
        match self {
            Rejection::Malformed(WireError::TooLarge { .. }) => 413,
            Rejection::Malformed(_) | Rejection::OldSizeTooLarge { .. } => 400,
            Rejection::UnknownOrigin { .. } => 404,
            Rejection::Signature(_) => 403,
            Rejection::OldSizeMismatch { .. } => 409,
            Rejection::EmptyTreeRoot { .. }
            | Rejection::ProofFromEmptyTree { .. }
            | Rejection::SameSizeDifferentRoot(_)
            | Rejection::InconsistentProof { .. } => 422,
        }
    }

    /// For a 409: the stored size the body must carry.
    pub fn conflict_size(&self) -> Option<u64> {
        match self {
            Rejection::OldSizeMismatch { stored, .. } => Some(*stored),
            _ => None,
        }
    }

    /// The evidence to keep, when a validly signed checkpoint contradicts the
    /// witness's state beyond doubt (same size, other root).
    pub fn fork_evidence(&self) -> Option<&ForkEvidence> {
        match self {
            Rejection::SameSizeDifferentRoot(evidence) => Some(evidence),
            _ => None,
        }
    }
}

/// Parses a request body and decides it; `lookup` maps the checkpoint's origin to the
/// witness's configuration and state (`None` if the origin is unknown).
pub fn decide_body<'k>(
    body: &[u8],
    lookup: impl FnOnce(&str) -> Option<KnownLog<'k>>,
) -> Result<Accepted, Rejection> {
    let request = AddCheckpointRequest::parse(body).map_err(Rejection::Malformed)?;
    let log = lookup(request.checkpoint().origin());
    decide(&request, log)
}

/// Decides a parsed request against the origin's configuration and stored state
/// (`log` is `None` when the origin is not configured), in the module's table order.
pub fn decide(
    request: &AddCheckpointRequest,
    log: Option<KnownLog<'_>>,
) -> Result<Accepted, Rejection> {
    let checkpoint = &request.checkpoint;
    let Some(log) = log else {
        return Err(Rejection::UnknownOrigin {
            origin: checkpoint.origin().to_owned(),
        });
    };
    request
        .note
        .verify(log.keys)
        .map_err(Rejection::Signature)?;
    let old = request.old_size;
    let size = checkpoint.size();
    let root = *checkpoint.root();
    if old > size {
        return Err(Rejection::OldSizeTooLarge { old, size });
    }
    // The old root always comes from the witness's storage, never from the client.
    let stored = log.state.unwrap_or_else(TreeState::empty);
    if old != stored.size {
        return Err(Rejection::OldSizeMismatch {
            old,
            stored: stored.size,
        });
    }
    if size == 0 && root != merkle::empty_root() {
        return Err(Rejection::EmptyTreeRoot { root });
    }
    if old == 0 {
        // The empty tree is a prefix of every tree: nothing to verify.
        if !request.consistency_proof.is_empty() {
            return Err(Rejection::ProofFromEmptyTree {
                len: request.consistency_proof.len(),
            });
        }
    } else {
        if old == size && root != stored.root {
            return Err(Rejection::SameSizeDifferentRoot(Box::new(ForkEvidence {
                stored,
                note: request.note.clone(),
                checkpoint: checkpoint.clone(),
            })));
        }
        merkle::verify_consistency(old, size, &stored.root, &root, &request.consistency_proof)
            .map_err(|error| Rejection::InconsistentProof { error })?;
    }
    Ok(Accepted {
        note: request.note.clone(),
        checkpoint: checkpoint.clone(),
    })
}

#[cfg(test)]
mod tests;
