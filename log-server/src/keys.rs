//! The log's keys on disk (docs/architecture.md, "Files and command lines"):
//!
//! * `log.skey`: the checkpoint signing key as x/mod signer-key text
//!   (`PRIVATE+KEY+<origin>+<keyid>+base64(0x01 || seed)`), mode 0600; `log.vkey` beside
//!   it, the c2sp.org/signed-note verifier key (`<origin>+<keyid>+base64(0x01 || pk)`).
//! * `operator.key`: the operator's Ed25519 seed in lowercase hex, mode 0600;
//!   `operator.pub`: its public key in hex. The operator signs genesis and participant
//!   statements (DSSE), like any participant.
//!
//! Seeds come from the OS (`getrandom`). Files are created with `create_new`, so an
//! existing key is never overwritten; secret files get mode 0600 at creation, before a
//! byte of the secret is written.

use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use docket_core::note::{KeyName, KeyType, SignerKey, VerifierKey};

/// A key file could not be created, read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// An I/O error on a key file.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        reason: String,
    },
    /// A key file's content is not a valid key.
    #[error("{path}: not a valid key: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The OS random source failed.
    #[error("random source failed: {0}")]
    Random(String),
    /// A private key file is readable by group or others.
    #[error(transparent)]
    Mode(#[from] docket_daemon::keyfile::KeyFileModeError),
}

/// The operator's Ed25519 key pair.
#[derive(Clone)]
pub struct OperatorKey {
    /// The signing key.
    pub signing: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for OperatorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OperatorKey")
            .field(
                "public",
                &hex::encode(self.signing.verifying_key().to_bytes()),
            )
            .finish()
    }
}

impl OperatorKey {
    /// The public key bytes.
    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }
}

/// A fresh 32-byte seed from the OS random source.
pub fn random_seed() -> Result<[u8; 32], KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| KeyError::Random(err.to_string()))?;
    Ok(seed)
}

fn io_error(path: &Path, err: std::io::Error) -> KeyError {
    KeyError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    }
}

/// Writes `contents` to a new file (never overwriting), mode 0600 if `secret`.
fn write_new(path: &Path, contents: &str, secret: bool) -> Result<(), KeyError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = options.open(path).map_err(|err| io_error(path, err))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|err| io_error(path, err))
}

fn read_text(path: &Path) -> Result<String, KeyError> {
    std::fs::read_to_string(path)
        .map(|text| text.trim_end().to_string())
        .map_err(|err| io_error(path, err))
}

/// The `.vkey` path beside a `.skey` (or any) key path.
pub fn vkey_path(skey: &Path) -> PathBuf {
    skey.with_extension("vkey")
}

/// The `.pub` path beside an operator key path.
pub fn pub_path(key: &Path) -> PathBuf {
    key.with_extension("pub")
}

/// Creates the log key pair at `skey` (and its `.vkey`) for `origin`, unless the skey
/// already exists. Returns whether it was created.
pub fn create_log_key(skey: &Path, origin: &str) -> Result<bool, KeyError> {
    if skey.exists() {
        return Ok(false);
    }
    let name = KeyName::new(origin).map_err(|err| KeyError::Invalid {
        path: skey.to_path_buf(),
        reason: err.to_string(),
    })?;
    let key = SignerKey::from_seed(name, KeyType::Ed25519, random_seed()?).map_err(|err| {
        KeyError::Invalid {
            path: skey.to_path_buf(),
            reason: err.to_string(),
        }
    })?;
    write_new(skey, &format!("{}\n", key.to_skey()), true)?;
    write_new(
        &vkey_path(skey),
        &format!("{}\n", key.verifier().to_vkey()),
        false,
    )?;
    Ok(true)
}

/// Loads the log's signing key; it must be an Ed25519 (0x01) note key in a file only
/// its owner can read.
pub fn load_log_key(skey: &Path) -> Result<SignerKey, KeyError> {
    docket_daemon::keyfile::check_private_mode(skey)?;
    let text = read_text(skey)?;
    let key = SignerKey::parse(&text).map_err(|err| KeyError::Invalid {
        path: skey.to_path_buf(),
        reason: err.to_string(),
    })?;
    if key.key_type() != KeyType::Ed25519 {
        return Err(KeyError::Invalid {
            path: skey.to_path_buf(),
            reason: "the log key must be an Ed25519 (type 0x01) note key".into(),
        });
    }
    Ok(key)
}

/// Creates the operator key pair at `path` (and its `.pub`), unless it exists. Returns
/// whether it was created.
pub fn create_operator_key(path: &Path) -> Result<bool, KeyError> {
    if path.exists() {
        return Ok(false);
    }
    let seed = random_seed()?;
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    write_new(path, &format!("{}\n", hex::encode(seed)), true)?;
    write_new(
        &pub_path(path),
        &format!("{}\n", hex::encode(signing.verifying_key().to_bytes())),
        false,
    )?;
    Ok(true)
}

/// Loads the operator's key from its hex seed file, which only its owner may read.
pub fn load_operator_key(path: &Path) -> Result<OperatorKey, KeyError> {
    docket_daemon::keyfile::check_private_mode(path)?;
    let text = read_text(path)?;
    let seed: [u8; 32] = hex::decode(&text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| KeyError::Invalid {
            path: path.to_path_buf(),
            reason: "expected 64 hex digits (a 32-byte Ed25519 seed)".into(),
        })?;
    Ok(OperatorKey {
        signing: ed25519_dalek::SigningKey::from_bytes(&seed),
    })
}

/// Parses a witness's cosigner vkey (type 0x04); `key` names the setting in errors.
pub fn parse_witness_vkey(text: &str) -> Result<VerifierKey, String> {
    let key = VerifierKey::parse(text).map_err(|err| err.to_string())?;
    if key.key_type() != KeyType::CosignatureV1 {
        return Err(format!(
            "witness key {text:?} must be a cosignature/v1 (type 0x04) key"
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_with_private_modes_and_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let skey = dir.path().join("log.skey");
        assert!(create_log_key(&skey, "example.org/log").unwrap());
        assert!(!create_log_key(&skey, "example.org/log").unwrap());
        let key = load_log_key(&skey).unwrap();
        assert_eq!(key.name().as_str(), "example.org/log");
        let vkey = read_text(&vkey_path(&skey)).unwrap();
        assert_eq!(vkey, key.verifier().to_vkey());

        let op = dir.path().join("operator.key");
        assert!(create_operator_key(&op).unwrap());
        let loaded = load_operator_key(&op).unwrap();
        assert_eq!(
            read_text(&pub_path(&op)).unwrap(),
            hex::encode(loaded.public_key())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            for secret in [&skey, &op] {
                let mode = std::fs::metadata(secret).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{secret:?}");
            }
        }
    }

    #[test]
    fn bad_key_files_are_rejected_with_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let op = dir.path().join("operator.key");
        write_new(&op, "not hex\n", true).unwrap();
        match load_operator_key(&op) {
            Err(KeyError::Invalid { path, .. }) => assert_eq!(path, op),
            other => panic!("{other:?}"),
        }
        let skey = dir.path().join("log.skey");
        write_new(&skey, "PRIVATE+KEY+x+00000000+AAAA\n", true).unwrap();
        assert!(matches!(load_log_key(&skey), Err(KeyError::Invalid { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn key_files_others_can_read_are_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let skey = dir.path().join("log.skey");
        let op = dir.path().join("operator.key");
        create_log_key(&skey, "example.org/log").unwrap();
        create_operator_key(&op).unwrap();
        for mode in [0o644, 0o640, 0o604] {
            for path in [&skey, &op] {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            for (path, error) in [
                (&skey, load_log_key(&skey).unwrap_err()),
                (&op, load_operator_key(&op).unwrap_err()),
            ] {
                assert!(matches!(error, KeyError::Mode(_)), "{error:?}");
                let message = error.to_string();
                assert!(
                    message.contains(&format!("chmod 600 {}", path.display())),
                    "{message}"
                );
            }
        }
        for path in [&skey, &op] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        load_log_key(&skey).unwrap();
        load_operator_key(&op).unwrap();
    }
}
