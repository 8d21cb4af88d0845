//! c2sp.org/tlog-proof@v1: an offline proof that an entry is in a log, as text (a
//! `.tlog-proof` file), and its verification against a [`Policy`]. Pure: no I/O.
//!
//! ```text
//! c2sp.org/tlog-proof@v1\n
//! [extra <base64 opaque data>\n]      optional, NOT authenticated
//! index <leaf index, canonical decimal>\n
//! <base64 hash>\n × 0..=64            inclusion proof, leaf's sibling first
//! \n
//! <checkpoint note, verbatim: log signature and witness cosignatures>
//! ```
//!
//! Parsing keeps the checkpoint note as text; [`TlogProof::verify`] parses and checks
//! it (signed-note, tlog-checkpoint, the policy's quorum), then the inclusion proof of
//! a leaf hash the caller computed from data it already has (tlog-proof step 1).

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::checkpoint::parse_canonical_u64;
use crate::merkle::{self, Hash, MerkleError};
use crate::policy::{Policy, PolicyError, VerifiedCheckpoint};

/// The first line of a tlog-proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Most hashes an inclusion proof can have: one per level of a tree of up to 2^64
/// leaves.
pub const MAX_INCLUSION_PROOF_HASHES: usize = 64;

/// What was wrong with a tlog-proof, or why it does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The proof text breaks the tlog-proof syntax.
    #[error("malformed tlog-proof: {what}")]
    Malformed {
        /// Which rule was broken.
        what: &'static str,
    },
    /// An inclusion-proof line is not base64 of 32 bytes.
    #[error("tlog-proof hash {position}: {error}")]
    BadHash {
        /// 0-based position in the proof.
        position: usize,
        /// What was wrong with it.
        error: MerkleError,
    },
    /// More than [`MAX_INCLUSION_PROOF_HASHES`] hashes.
    #[error("tlog-proof has more than {max} hashes", max = MAX_INCLUSION_PROOF_HASHES)]
    TooManyHashes,
    /// The checkpoint does not satisfy the policy.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The inclusion proof does not lead from the leaf to the checkpoint's root.
    #[error("inclusion proof: {0}")]
    Inclusion(#[from] MerkleError),
}

/// A parsed tlog-proof. The checkpoint is kept verbatim and is not yet trusted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    inclusion_proof: Vec<Hash>,
    checkpoint: String,
}

impl TlogProof {
    /// A proof from its parts; `checkpoint` is the signed checkpoint note text.
    pub fn new(
        extra: Option<Vec<u8>>,
        index: u64,
        inclusion_proof: Vec<Hash>,
        checkpoint: String,
    ) -> Result<TlogProof, ProofError> {
        if inclusion_proof.len() > MAX_INCLUSION_PROOF_HASHES {
            return Err(ProofError::TooManyHashes);
        }
        if checkpoint.is_empty() {
            return Err(ProofError::Malformed {
                what: "empty checkpoint",
            });
        }
        Ok(TlogProof {
            extra,
            index,
            inclusion_proof,
            checkpoint,
        })
    }

    /// Parses a tlog-proof strictly: exact header, canonical numbers, strict base64.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, ProofError> {
        let malformed = |what| ProofError::Malformed { what };
        let text = std::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
        let mut rest = text;
        let mut next_line = || -> Option<&str> {
            let (line, after) = rest.split_once('\n')?;
            rest = after;
            Some(line)
        };
        if next_line() != Some(TLOG_PROOF_HEADER) {
            return Err(malformed("first line is not c2sp.org/tlog-proof@v1"));
        }
        let mut line = next_line().ok_or(malformed("no index line"))?;
        let extra = match line.strip_prefix("extra ") {
            Some(encoded) => {
                let extra = BASE64
                    .decode(encoded)
                    .map_err(|_| malformed("extra is not standard padded base64"))?;
                line = next_line().ok_or(malformed("no index line"))?;
                Some(extra)
            }
            None => None,
        };
        let index = line
            .strip_prefix("index ")
            .ok_or(malformed("no index line"))?;
        let index =
            parse_canonical_u64(index).ok_or(malformed("index is not a canonical decimal"))?;
        let mut inclusion_proof = Vec::new();
        loop {
            let line = next_line().ok_or(malformed("no empty line before the checkpoint"))?;
            if line.is_empty() {
                break;
            }
            if inclusion_proof.len() == MAX_INCLUSION_PROOF_HASHES {
                return Err(ProofError::TooManyHashes);
            }
            let hash = Hash::from_base64(line).map_err(|error| ProofError::BadHash {
                position: inclusion_proof.len(),
                error,
            })?;
            inclusion_proof.push(hash);
        }
        TlogProof::new(extra, index, inclusion_proof, rest.to_owned())
    }

    /// The unauthenticated extra data, if any. Never trust it implicitly.
    pub fn unverified_extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }

    /// The leaf index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The inclusion proof, leaf's sibling first.
    pub fn inclusion_proof(&self) -> &[Hash] {
        &self.inclusion_proof
    }

    /// The checkpoint note text, unverified.
    pub fn unverified_checkpoint(&self) -> &str {
        &self.checkpoint
    }

    /// The proof's text.
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// Verifies the proof for `leaf_hash` (which the caller computed from the entry it
    /// holds): the checkpoint must satisfy `policy`, and the inclusion proof must lead
    /// from the leaf at [`TlogProof::index`] to the checkpoint's root.
    pub fn verify(
        &self,
        policy: &Policy,
        leaf_hash: &Hash,
    ) -> Result<VerifiedInclusion, ProofError> {
        let checkpoint = policy.verify_checkpoint(self.checkpoint.as_bytes())?;
        merkle::verify_inclusion(
            self.index,
            checkpoint.checkpoint().size(),
            leaf_hash,
            &self.inclusion_proof,
            checkpoint.checkpoint().root(),
        )?;
        Ok(VerifiedInclusion {
            checkpoint,
            index: self.index,
            leaf_hash: *leaf_hash,
        })
    }
}

impl fmt::Display for TlogProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{TLOG_PROOF_HEADER}")?;
        if let Some(extra) = &self.extra {
            writeln!(f, "extra {}", BASE64.encode(extra))?;
        }
        writeln!(f, "index {}", self.index)?;
        for hash in &self.inclusion_proof {
            writeln!(f, "{}", hash.to_base64())?;
        }
        writeln!(f)?;
        f.write_str(&self.checkpoint)
    }
}

/// A leaf proven to be in a checkpoint that satisfied a policy: the only way to get one
/// is [`TlogProof::verify`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedInclusion {
    checkpoint: VerifiedCheckpoint,
    index: u64,
    leaf_hash: Hash,
}

impl VerifiedInclusion {
    /// The verified checkpoint (with its witness cosignature times).
    pub fn checkpoint(&self) -> &VerifiedCheckpoint {
        &self.checkpoint
    }

    /// The leaf's index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The leaf hash that was proven.
    pub fn leaf_hash(&self) -> &Hash {
        &self.leaf_hash
    }
}

#[cfg(test)]
mod tests;
