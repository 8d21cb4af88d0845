//! What can go wrong in a verifier run, and the one function that maps it to an exit code,
//! from the table every Docket program shares (`docket_common::exit`,
//! docs/conventions.md): 0 everything verified, 1 a check failed, 2 usage or local file
//! error, 3 the log or a witness could not be fetched (run it again), 4 fork detected,
//! 5 TLS (the server's certificate was refused).
//!
//! The split matters to scripts: a 1 is evidence against the log (or against a file the
//! user holds); a 2 or 3 says nothing about the log, only that the check could not be
//! run; a 4 carries two signed checkpoints that cannot both be honest.

use std::path::PathBuf;

use docket_core::entry::EntryError;
use docket_core::merkle::MerkleError;
use docket_core::policy::PolicyError;
use docket_core::proof::ProofError;
use docket_core::tiles::TileError;

use crate::fetch::FetchError;
use crate::fork::ForkEvidence;

/// Exit code: everything verified.
pub const EXIT_VERIFIED: u8 = docket_common::exit::OK;
/// Exit code: a check failed (a signature, proof, hash or rule did not verify).
pub const EXIT_CHECK_FAILED: u8 = docket_common::exit::FAILED;
/// Exit code: bad usage, or a local file could not be read; nothing was judged.
pub const EXIT_USAGE_OR_IO: u8 = docket_common::exit::USAGE;
/// Exit code: the log or a witness could not be fetched; nothing was judged, run again.
pub const EXIT_UNAVAILABLE: u8 = docket_common::exit::UNAVAILABLE;
/// Exit code: the log forked (two signed checkpoints that are not consistent).
pub const EXIT_FORK: u8 = docket_common::exit::FORK;
/// Exit code: the TLS handshake failed (certificate not trusted, expired, misnamed).
pub const EXIT_TLS: u8 = docket_common::exit::TLS;

/// Why a verb stopped.
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The command line or a flag's value is wrong.
    #[error("usage: {0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// Something could not be fetched from the log or a witness.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// Something did not verify.
    #[error("verification failed: {0}")]
    Verification(#[from] VerifyError),
    /// The log forked: here are both checkpoints.
    #[error("FORK DETECTED: {0}")]
    Fork(Box<ForkEvidence>),
}

impl VerifierError {
    /// A stable snake_case name for `--json` output.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifierError::Usage(_) => "usage",
            VerifierError::Io { .. } => "io",
            VerifierError::Fetch(_) => "fetch",
            VerifierError::Verification(_) => "verification_failed",
            VerifierError::Fork(_) => "fork",
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, error: impl std::fmt::Display) -> VerifierError {
        VerifierError::Io {
            path: path.into(),
            message: error.to_string(),
        }
    }
}

/// What did not verify. Every message names the thing that failed (a tile, an entry
/// bundle, a checkpoint, a proof, a file) so the reader knows what to distrust.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyError {
    /// A checkpoint's signatures do not satisfy the trust policy.
    #[error("checkpoint from {from} does not satisfy the trust policy: {error}")]
    Checkpoint {
        /// Where it came from (a URL, a file, a bundle).
        from: String,
        /// What the policy check said.
        error: PolicyError,
    },
    /// A tile has the wrong length or cannot be used.
    #[error("tile {path} is malformed: {error}")]
    TileMalformed {
        /// The tile's path.
        path: String,
        /// What was wrong.
        error: TileError,
    },
    /// The tiles do not hash to the checkpoint's root.
    #[error(
        "the tiles fetched for tree size {size} do not hash to the signed checkpoint's root: a tile was altered ({tiles})"
    )]
    TilesDoNotMatchRoot {
        /// The tree size.
        size: u64,
        /// The tiles used.
        tiles: String,
    },
    /// A tile's bytes differ from the hashes computed from the entries.
    #[error(
        "tile {path} differs from the hashes of the log's entries (first difference at hash {position})"
    )]
    TileMismatch {
        /// The tile's path.
        path: String,
        /// The first differing hash.
        position: usize,
    },
    /// An entry bundle cannot be decoded.
    #[error("entry bundle {path} is malformed: {error}")]
    BundleMalformed {
        /// The bundle's path.
        path: String,
        /// What was wrong.
        error: TileError,
    },
    /// An entry from an entry bundle does not hash to what the authenticated tiles say.
    #[error(
        "entry {index} from {path} does not match the log: it hashes to {found}, the signed tree says {expected}"
    )]
    BundleEntryMismatch {
        /// The entry's index.
        index: u64,
        /// Where the entry came from (an entry bundle's path, a file).
        path: String,
        /// The leaf hash of the entry (hex).
        found: String,
        /// The leaf hash the verified tiles hold (hex).
        expected: String,
    },
    /// The entries read do not rebuild the checkpoint's root.
    #[error(
        "the entries read from the entry bundles do not rebuild the root of the signed checkpoint of size {size}: an entry bundle was altered{hint}"
    )]
    EntriesDoNotMatchRoot {
        /// The tree size.
        size: u64,
        /// Which bundle first disagreed with its tile, if known.
        hint: String,
    },
    /// An inclusion proof does not verify.
    #[error(
        "inclusion proof of entry {index} in the checkpoint of size {size} does not verify: {error}"
    )]
    Inclusion {
        /// The entry's index.
        index: u64,
        /// The tree size.
        size: u64,
        /// What the proof check said.
        error: MerkleError,
    },
    /// A consistency proof does not verify (and it is not a proven fork: the tiles are
    /// to blame).
    #[error(
        "consistency proof from tree size {old} to {new} does not verify against the signed roots: a tile was altered ({error})"
    )]
    Consistency {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
        /// What the proof check said.
        error: MerkleError,
    },
    /// An entry's bytes are not a valid entry.
    #[error("entry {index} is not a valid entry: {error}")]
    Entry {
        /// The entry's index.
        index: u64,
        /// What was wrong.
        error: EntryError,
    },
    /// A tlog-proof did not verify.
    #[error("tlog-proof: {0}")]
    Proof(ProofError),
    /// A bundle or receipt file is inconsistent or does not verify.
    #[error("bundle {what}")]
    Bundle {
        /// What is wrong with it.
        what: String,
    },
    /// The entry is of another type than the verb needs.
    #[error("entry {index} is a {found}, not a {expected}")]
    WrongEntryType {
        /// The entry's index.
        index: u64,
        /// The type needed.
        expected: &'static str,
        /// The type found.
        found: String,
    },
    /// No entry matched what was asked.
    #[error("{what}")]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// The checkpoint is older than one remembered for this log, and no proof links them.
    #[error("{what}")]
    Claim {
        /// The claim that could not be made.
        what: String,
    },
    /// A commitment is not opened by the given document and salt.
    #[error("{what}")]
    Commitment {
        /// What did not match.
        what: String,
    },
}

impl From<ProofError> for VerifyError {
    fn from(error: ProofError) -> Self {
        VerifyError::Proof(error)
    }
}

/// The exit code for a run's result: the only place codes are chosen. A run that
/// finished but found problems (an audit with violations, a report that says a check
/// failed) returns `Ok` with `verified: false`.
pub fn exit_code(result: &Result<bool, &VerifierError>) -> u8 {
    match result {
        Ok(true) => EXIT_VERIFIED,
        Ok(false) => EXIT_CHECK_FAILED,
        Err(VerifierError::Verification(_)) => EXIT_CHECK_FAILED,
        Err(VerifierError::Fork(_)) => EXIT_FORK,
        Err(VerifierError::Fetch(FetchError::Tls { .. })) => EXIT_TLS,
        Err(VerifierError::Fetch(_)) => EXIT_UNAVAILABLE,
        Err(VerifierError::Usage(_) | VerifierError::Io { .. }) => EXIT_USAGE_OR_IO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_per_class() {
        let usage = VerifierError::Usage("x".into());
        let io = VerifierError::io("/nope", "missing");
        let fetch = VerifierError::Fetch(FetchError::NotFound {
            url: "http://x/checkpoint".into(),
        });
        let check = VerifierError::Verification(VerifyError::NotFound { what: "x".into() });
        assert_eq!(exit_code(&Ok(true)), 0);
        assert_eq!(exit_code(&Ok(false)), 1);
        assert_eq!(exit_code(&Err(&check)), 1);
        assert_eq!(exit_code(&Err(&usage)), 2);
        assert_eq!(exit_code(&Err(&io)), 2);
        assert_eq!(exit_code(&Err(&fetch)), 3);
        let tls = VerifierError::Fetch(FetchError::Tls {
            url: "https://x/checkpoint".into(),
            message: "TLS error".into(),
        });
        assert_eq!(exit_code(&Err(&tls)), 5);
    }
}
