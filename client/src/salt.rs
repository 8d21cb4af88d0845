//! Commitments and their salt files (docs/architecture.md "Statements": a commitment is
//! SHA-256(salt || SHA-256(document)), salt at least 16 random bytes).
//!
//! A disclosure commits to its advisory and a sealed submission to its model artifact;
//! the salt stays on the signer's disk until a `reveal` or `release` opens the commitment,
//! so losing it makes the commitment unopenable. A salt file holds the salt in lowercase
//! hex and a newline, mode 0600 (it is a secret until revealed), and is never overwritten.
//! The client writes it *before* posting the statement, so a crash or a network failure
//! after the log accepted the statement cannot lose it.
//!
//! Also here: SHA-256 of a document read from disk, streamed so model artifacts of any
//! size work.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use docket_core::merkle::Hash;
use docket_core::statement::{MIN_SALT_LEN, Salt, commitment};
use sha2::{Digest as _, Sha256};

use crate::keys::{KeyFileError, write_new};

/// Bytes of salt the client draws: twice docs/architecture.md's minimum, so a guessed advisory or
/// model digest can never be confirmed by brute force over salts.
pub const SALT_LEN: usize = 32;

/// Why a salt or document file could not be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaltFileError {
    /// The file could not be read or written.
    #[error("{what} {path}: {reason}")]
    Io {
        /// `"salt file"` or `"document"`.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// The salt file would be overwritten.
    #[error("salt file {path} already exists; refusing to overwrite a salt")]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// The salt file does not hold lowercase hex of at least [`MIN_SALT_LEN`] bytes.
    #[error(
        "salt file {path} does not hold a salt (lowercase hex of at least {MIN_SALT_LEN} bytes)"
    )]
    Malformed {
        /// The path.
        path: PathBuf,
    },
    /// The system's random source failed.
    #[error("cannot draw random bytes for a salt: {reason}")]
    Random {
        /// The error.
        reason: String,
    },
}

/// A fresh random salt of [`SALT_LEN`] bytes.
pub fn fresh_salt() -> Result<Salt, SaltFileError> {
    let mut bytes = vec![0u8; SALT_LEN];
    getrandom::fill(&mut bytes).map_err(|err| SaltFileError::Random {
        reason: err.to_string(),
    })?;
    Ok(Salt::new(bytes).expect("SALT_LEN is above the minimum"))
}

/// Writes a new salt file (hex and a newline, mode 0600, never overwriting, synced).
pub fn write_salt_file(path: &Path, salt: &Salt) -> Result<(), SaltFileError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|err| io("salt file", path, err))?;
    }
    write_new(path, &format!("{}\n", hex::encode(salt.as_bytes())), 0o600).map_err(
        |err| match err {
            KeyFileError::Exists { path } => SaltFileError::Exists { path },
            other => SaltFileError::Io {
                what: "salt file",
                path: path.to_path_buf(),
                reason: other.to_string(),
            },
        },
    )
}

/// Reads a salt file.
pub fn read_salt_file(path: &Path) -> Result<Salt, SaltFileError> {
    let text = std::fs::read_to_string(path).map_err(|err| io("salt file", path, err))?;
    let text = text.trim();
    let malformed = || SaltFileError::Malformed {
        path: path.to_path_buf(),
    };
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(malformed());
    }
    let bytes = hex::decode(text).map_err(|_| malformed())?;
    Salt::new(bytes).map_err(|_| malformed())
}

/// SHA-256 of a file's bytes, streamed.
pub fn sha256_file(path: &Path) -> Result<Hash, SaltFileError> {
    let mut file = std::fs::File::open(path).map_err(|err| io("document", path, err))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|err| io("document", path, err))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(Hash(hasher.finalize().into()))
}

/// The commitment to a document whose SHA-256 is `digest` (re-exported for callers).
pub fn commit(salt: &Salt, digest: &Hash) -> Hash {
    commitment(salt, digest)
}

fn io(what: &'static str, path: &Path, err: std::io::Error) -> SaltFileError {
    SaltFileError::Io {
        what,
        path: path.to_path_buf(),
        reason: err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_files_round_trip_with_mode_0600_and_are_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/9.salt");
        let salt = Salt::new((0u8..16).collect()).unwrap();
        write_salt_file(&path, &salt).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "000102030405060708090a0b0c0d0e0f\n"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(read_salt_file(&path).unwrap(), salt);
        assert_eq!(
            write_salt_file(&path, &fresh_salt().unwrap()),
            Err(SaltFileError::Exists { path: path.clone() })
        );
        assert_eq!(read_salt_file(&path).unwrap(), salt);
    }

    #[test]
    fn short_or_uppercase_salts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (i, text) in ["00".repeat(15), "AB".repeat(16), "zz".to_string()]
            .iter()
            .enumerate()
        {
            let path = dir.path().join(format!("{i}.salt"));
            std::fs::write(&path, text).unwrap();
            assert_eq!(
                read_salt_file(&path),
                Err(SaltFileError::Malformed { path })
            );
        }
    }

    #[test]
    fn fresh_salts_are_long_and_distinct() {
        let a = fresh_salt().unwrap();
        assert_eq!(a.as_bytes().len(), SALT_LEN);
        assert_ne!(a, fresh_salt().unwrap());
    }

    #[test]
    fn commitment_is_sha256_of_salt_then_document_digest() {
        let dir = tempfile::tempdir().unwrap();
        let advisory = dir.path().join("advisory.txt");
        std::fs::write(&advisory, b"abc").unwrap();
        let digest = sha256_file(&advisory).unwrap();
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            digest.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let salt = Salt::new(vec![0x11; 16]).unwrap();
        let mut preimage = vec![0x11; 16];
        preimage.extend_from_slice(digest.as_bytes());
        let expected: [u8; 32] = Sha256::digest(&preimage).into();
        assert_eq!(commit(&salt, &digest), Hash(expected));
    }

    #[test]
    fn a_missing_document_names_its_path() {
        let path = PathBuf::from("/nonexistent/model.bin");
        assert!(matches!(
            sha256_file(&path),
            Err(SaltFileError::Io { what: "document", path: p, .. }) if p == path
        ));
    }
}
