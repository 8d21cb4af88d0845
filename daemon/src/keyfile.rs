//! Private key files must be readable by their owner only, as ssh insists: a key that
//! group or others can read may already have leaked, and a leaked log or witness key
//! lets its thief sign checkpoints or cosignatures in the operator's name.
//!
//! Used by the log server (`log.skey`, `operator.key`), the witness (`witness.skey`)
//! and the participants' client.

use std::path::{Path, PathBuf};

/// Why a private key file may not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileModeError {
    /// The file's metadata could not be read.
    #[error("key file {path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        reason: String,
    },
    /// Group or others may read (or write) the file.
    #[error(
        "key file {path} has mode {mode:04o}: a private key must be readable only by its \
         owner (run `chmod 600 {path}`)"
    )]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

/// Checks that `path` grants nothing to group or others (mode `0600` or stricter).
/// Symlinks are followed: the mode that matters is the key's own. On systems without
/// Unix permissions nothing is checked.
#[cfg(unix)]
pub fn check_private_mode(path: &Path) -> Result<(), KeyFileModeError> {
    use std::os::unix::fs::PermissionsExt as _;
    let metadata = std::fs::metadata(path).map_err(|err| KeyFileModeError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyFileModeError::TooOpen {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

/// Checks that `path` grants nothing to group or others; nothing to check here.
#[cfg(not(unix))]
pub fn check_private_mode(_path: &Path) -> Result<(), KeyFileModeError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn only_owner_only_modes_pass() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("k");
        std::fs::write(&path, "secret").expect("write");
        for (mode, ok) in [
            (0o600, true),
            (0o400, true),
            (0o700, true),
            (0o640, false),
            (0o604, false),
            (0o644, false),
            (0o620, false),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            let result = check_private_mode(&path);
            assert_eq!(result.is_ok(), ok, "{mode:o}: {result:?}");
            if let Err(error) = result {
                assert!(error.to_string().contains("chmod 600"), "{error}");
            }
        }
        assert!(matches!(
            check_private_mode(&dir.path().join("missing")),
            Err(KeyFileModeError::Io { .. })
        ));
    }
}
