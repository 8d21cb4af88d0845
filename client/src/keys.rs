//! Participant key files (docs/architecture.md "Files and command lines"): an Ed25519 key is kept
//! as two text files,
//!
//! ```text
//! acme.key   <64 lowercase hex: the 32-byte seed>\n      mode 0600, secret
//! acme.pub   <64 lowercase hex: the 32-byte public key>\n  mode 0644, give it out
//! ```
//!
//! the same layout as the log server's `operator.key` / `operator.pub`. Key files are
//! created with their final mode (never world-readable for an instant) and never
//! overwritten. Loading refuses a secret key file that group or others can read, as ssh
//! does, because a leaked participant key lets anyone sign in that organisation's name.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use docket_core::dsse::{KEY_SIZE, KeyError, PublicKey, SigningKey};

/// Why a key file could not be made or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyFileError {
    /// The file could not be read or written.
    #[error("key file {path}: {reason}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// `keygen` would overwrite an existing file.
    #[error("{path} already exists; refusing to overwrite a key (pick another --key path)")]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// The private key path ends in `.pub`, which would collide with the public key.
    #[error("{path}: a private key file must not end in .pub (use e.g. acme.key)")]
    PrivateKeyNamedPub {
        /// The path given.
        path: PathBuf,
    },
    /// The file does not hold a key in the expected form.
    #[error("key file {path}: {problem} (expected 64 lowercase hex characters)")]
    Malformed {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        problem: KeyError,
    },
    /// The secret key file can be read by group or others.
    #[error(
        "key file {path} has mode {mode:04o}: a private key must be readable only by you \
         (run `chmod 600 {path}`)"
    )]
    TooOpen {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The system's random source failed.
    #[error("cannot draw random bytes for a new key: {reason}")]
    Random {
        /// The error.
        reason: String,
    },
}

/// The public key file beside a private key file: `acme.key` → `acme.pub`.
pub fn pub_path(key: &Path) -> PathBuf {
    key.with_extension("pub")
}

/// A fresh 32-byte seed from the operating system's random source.
pub fn random_seed() -> Result<[u8; KEY_SIZE], KeyFileError> {
    let mut seed = [0u8; KEY_SIZE];
    getrandom::fill(&mut seed).map_err(|err| KeyFileError::Random {
        reason: err.to_string(),
    })?;
    Ok(seed)
}

/// Writes a new key pair for `seed`: `path` (seed hex, 0600) and [`pub_path`] (public key
/// hex, 0644). Fails without writing anything if either file exists.
pub fn write_key_pair(path: &Path, seed: &[u8; KEY_SIZE]) -> Result<SigningKey, KeyFileError> {
    let public_path = pub_path(path);
    if public_path == path {
        return Err(KeyFileError::PrivateKeyNamedPub {
            path: path.to_path_buf(),
        });
    }
    for existing in [path, public_path.as_path()] {
        if existing.exists() {
            return Err(KeyFileError::Exists {
                path: existing.to_path_buf(),
            });
        }
    }
    let key = SigningKey::from_seed(seed);
    write_new(path, &format!("{}\n", hex::encode(seed)), 0o600)?;
    write_new(
        &public_path,
        &format!("{}\n", key.public_key().to_hex()),
        0o644,
    )?;
    Ok(key)
}

/// Loads a private key file (seed hex; surrounding whitespace ignored), refusing one that
/// group or others can read.
pub fn load_signing_key(path: &Path) -> Result<SigningKey, KeyFileError> {
    check_private_mode(path)?;
    let text = read(path)?;
    SigningKey::from_hex(text.trim()).map_err(|problem| KeyFileError::Malformed {
        path: path.to_path_buf(),
        problem,
    })
}

/// Loads a public key file (`.pub`, hex; surrounding whitespace ignored).
pub fn load_public_key(path: &Path) -> Result<PublicKey, KeyFileError> {
    let text = read(path)?;
    PublicKey::from_hex(text.trim()).map_err(|problem| KeyFileError::Malformed {
        path: path.to_path_buf(),
        problem,
    })
}

fn read(path: &Path) -> Result<String, KeyFileError> {
    std::fs::read_to_string(path).map_err(|err| KeyFileError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })
}

/// The check both daemons make too (`docket_daemon::keyfile`), in this crate's error.
fn check_private_mode(path: &Path) -> Result<(), KeyFileError> {
    use docket_daemon::keyfile::{KeyFileModeError, check_private_mode};
    check_private_mode(path).map_err(|err| match err {
        KeyFileModeError::Io { path, reason } => KeyFileError::Io { path, reason },
        KeyFileModeError::TooOpen { path, mode } => KeyFileError::TooOpen { path, mode },
    })
}

/// Creates `path` (never overwriting) with `mode` set at creation, then syncs it.
pub(crate) fn write_new(path: &Path, contents: &str, mode: u32) -> Result<(), KeyFileError> {
    let io = |err: std::io::Error| KeyFileError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            KeyFileError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            io(err)
        }
    })?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn key_pair_files_have_the_documented_format_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.key");
        let key = write_key_pair(&path, &[1; 32]).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{}\n", "01".repeat(32))
        );
        // The public key of seed 01×32 from docs/formats.md §4.1.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("acme.pub")).unwrap(),
            "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c\n"
        );
        assert_eq!(
            key.keyid().to_hex(),
            "34750f98bd59fcfc946da45aaabe933be154a4b5094e1c4abf42866505f3c97e"
        );
        #[cfg(unix)]
        {
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir.path().join("acme.pub")), 0o644);
        }
        let loaded = load_signing_key(&path).unwrap();
        assert_eq!(loaded.public_key(), key.public_key());
        assert_eq!(load_public_key(&pub_path(&path)).unwrap(), key.public_key());
    }

    #[test]
    fn keygen_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.key");
        write_key_pair(&path, &[1; 32]).unwrap();
        assert_eq!(
            write_key_pair(&path, &[2; 32]).unwrap_err(),
            KeyFileError::Exists { path: path.clone() }
        );
        // A stray .pub alone also blocks, and nothing is written.
        let other = dir.path().join("other.key");
        std::fs::write(pub_path(&other), "x").unwrap();
        assert!(matches!(
            write_key_pair(&other, &[3; 32]),
            Err(KeyFileError::Exists { .. })
        ));
        assert!(!other.exists());
        let named_pub = dir.path().join("acme2.pub");
        assert_eq!(
            write_key_pair(&named_pub, &[4; 32]).unwrap_err(),
            KeyFileError::PrivateKeyNamedPub { path: named_pub }
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap().trim(),
            "01".repeat(32)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_readable_private_key_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("acme.key");
        write_key_pair(&path, &[1; 32]).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(
            load_signing_key(&path).unwrap_err(),
            KeyFileError::TooOpen {
                path: path.clone(),
                mode: 0o644
            }
        );
    }

    #[test]
    fn malformed_key_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, KeyError); 3] = [
            (
                "0101",
                KeyError::WrongLength {
                    expected: 32,
                    found: 2,
                },
            ),
            (&"AB".repeat(32), KeyError::NotLowercaseHex),
            ("not hex at all", KeyError::NotLowercaseHex),
        ];
        for (i, (text, problem)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("k{i}.key"));
            write_new(&path, text, 0o600).unwrap();
            assert_eq!(
                load_signing_key(&path).unwrap_err(),
                KeyFileError::Malformed {
                    path: path.clone(),
                    problem: problem.clone()
                }
            );
            assert_eq!(
                load_public_key(&path).unwrap_err(),
                KeyFileError::Malformed { path, problem }
            );
        }
        let missing = dir.path().join("missing.key");
        assert!(matches!(
            load_signing_key(&missing),
            Err(KeyFileError::Io { .. })
        ));
    }

    #[test]
    fn random_seeds_differ() {
        assert_ne!(random_seed().unwrap(), random_seed().unwrap());
    }
}
