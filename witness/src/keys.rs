//! The witness's key files (docs/architecture.md "Files and command lines"): `witness.skey` holds
//! the x/mod signer-key text with type byte 0x04 (cosignature/v1), mode 0600;
//! `witness.vkey` beside it holds the public vkey that logs and verifiers configure.
//! The seed comes from the operating system's random source.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use docket_core::note::{KeyName, KeyType, SignerKey, VerifierKey};

/// Private key file name in the data directory.
pub const SKEY_FILE: &str = "witness.skey";
/// Public key file name in the data directory.
pub const VKEY_FILE: &str = "witness.vkey";

/// What went wrong with the key files.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `init` found a key already there; it never overwrites one.
    #[error("{path} already exists; not overwriting a witness key")]
    AlreadyExists {
        /// The existing key file.
        path: PathBuf,
    },
    /// The name is not a valid key name (no spaces, no `+`).
    #[error("witness name {name:?}: {reason}")]
    BadName {
        /// The name given.
        name: String,
        /// Why.
        reason: String,
    },
    /// The key file does not hold a usable skey.
    #[error("{path}: {reason}")]
    BadKey {
        /// The key file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(String),
    /// The private key file is readable by group or others.
    #[error(transparent)]
    Mode(#[from] docket_daemon::keyfile::KeyFileModeError),
}

/// The witness's signing key (cosignature/v1, type 0x04).
#[derive(Debug)]
pub struct WitnessKey {
    signer: SignerKey,
}

impl WitnessKey {
    /// Wraps a signer key; it must be of type 0x04.
    pub fn new(signer: SignerKey) -> Result<WitnessKey, String> {
        if signer.key_type() != KeyType::CosignatureV1 {
            return Err(format!(
                "a witness key must be a cosignature/v1 key (type 0x04), not {}",
                signer.key_type()
            ));
        }
        Ok(WitnessKey { signer })
    }

    /// The signing key.
    pub fn signer(&self) -> &SignerKey {
        &self.signer
    }

    /// The public key.
    pub fn verifier(&self) -> VerifierKey {
        self.signer.verifier()
    }
}

/// Makes a fresh key named `name` in `dir` (created if missing): writes `witness.skey`
/// (0600) and `witness.vkey`, and returns the vkey text. Refuses to overwrite.
pub fn init(dir: &Path, name: &str) -> Result<String, KeyError> {
    let key_name = KeyName::new(name).map_err(|e| KeyError::BadName {
        name: name.to_owned(),
        reason: e.to_string(),
    })?;
    std::fs::create_dir_all(dir).map_err(|source| KeyError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let skey_path = dir.join(SKEY_FILE);
    if skey_path.exists() {
        return Err(KeyError::AlreadyExists { path: skey_path });
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
    let signer = SignerKey::from_seed(key_name, KeyType::CosignatureV1, seed)
        .expect("an Ed25519 seed always makes a cosignature/v1 key");
    let vkey = signer.verifier().to_vkey();
    write_secret(&skey_path, &format!("{}\n", signer.to_skey()))?;
    let vkey_path = dir.join(VKEY_FILE);
    std::fs::write(&vkey_path, format!("{vkey}\n")).map_err(|source| KeyError::Io {
        path: vkey_path,
        source,
    })?;
    Ok(vkey)
}

/// Loads the skey at `path`, refusing a file that group or others can read.
pub fn load_key(path: &Path) -> Result<WitnessKey, KeyError> {
    docket_daemon::keyfile::check_private_mode(path)?;
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.to_owned(),
        source,
    })?;
    let bad = |reason: String| KeyError::BadKey {
        path: path.to_owned(),
        reason,
    };
    let signer = SignerKey::parse(text.trim_end()).map_err(|e| bad(e.to_string()))?;
    WitnessKey::new(signer).map_err(bad)
}

/// Writes a new file readable by its owner only. Created with mode 0600 from the
/// start, so the secret is never briefly world-readable.
fn write_secret(path: &Path, contents: &str) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(contents.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_writes_private_key_0600_and_matching_vkey() {
        let dir = tempfile::tempdir().unwrap();
        let vkey = init(dir.path(), "example.com/w1").unwrap();
        let parsed = VerifierKey::parse(&vkey).unwrap();
        assert_eq!(parsed.key_type(), KeyType::CosignatureV1);
        assert_eq!(parsed.name().as_str(), "example.com/w1");
        let vkey_file = std::fs::read_to_string(dir.path().join(VKEY_FILE)).unwrap();
        assert_eq!(vkey_file, format!("{vkey}\n"));
        let key = load_key(&dir.path().join(SKEY_FILE)).unwrap();
        assert_eq!(key.verifier(), parsed);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(SKEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(matches!(
            init(dir.path(), "example.com/w1"),
            Err(KeyError::AlreadyExists { .. })
        ));
    }

    #[test]
    fn rejects_bad_names_and_log_keys() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            init(dir.path(), "has space"),
            Err(KeyError::BadName { .. })
        ));
        // A type 0x01 (log) key is not a witness key.
        let path = dir.path().join("log.skey");
        write_secret(
            &path,
            "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk\n",
        )
        .unwrap();
        assert!(matches!(load_key(&path), Err(KeyError::BadKey { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_key_readable_by_others_is_refused_with_the_fix() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), "example.com/w1").unwrap();
        let path = dir.path().join(SKEY_FILE);
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = load_key(&path).unwrap_err();
            assert!(matches!(error, KeyError::Mode(_)), "{error:?}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("chmod 600 {}", path.display())),
                "{message}"
            );
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        load_key(&path).unwrap();
    }
}
