//! The largest checkpoint the log key has signed, kept in a small file next to the key
//! (`log.skey` -> `log.state`), outside the database.
//!
//! Why: a database restored from an older backup (or lost) under a surviving key would
//! otherwise make the log sign a different tree for sizes it already signed, a fork
//! made by the operator's own software. The file is written (temp file, fsync, rename,
//! fsync of the directory) after a checkpoint is signed and before it leaves the
//! sequencer (witnesses, readers, receipts), so whatever anyone has seen signed is
//! recorded, and a restore of the database alone cannot roll it back. Start-up compares
//! it with the database ([`check`]) and refuses to run when the key has signed more, or
//! something else, than the database holds.
//!
//! Trust assumption (docs/threat-model.md, "Write path"): the file is kept with the key
//! (same directory, same backups). If both the file and the database are lost, the
//! witnesses are the second line: a witness that reports (409) a size larger than the
//! log's stops the log from signing.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use docket_core::merkle::Hash;

const HEADER: &str = "docket signed-state v1";

/// The largest checkpoint signed with the log key: its size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedState {
    /// Tree size of the checkpoint.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
}

/// The state file could not be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum SignedStateError {
    /// An I/O error on the file or its directory.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        reason: String,
    },
    /// The file exists but is not a signed-state file.
    #[error("{path}: not a valid signed-state file: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Where the state file for the key at `log_key` lives: same directory, `.state`.
pub fn path_for(log_key: &Path) -> PathBuf {
    log_key.with_extension("state")
}

fn io(path: &Path, err: impl std::fmt::Display) -> SignedStateError {
    SignedStateError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    }
}

fn invalid(path: &Path, reason: &str) -> SignedStateError {
    SignedStateError::Invalid {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// The recorded state for `origin`, or `None` if the file does not exist.
pub fn load(path: &Path, origin: &str) -> Result<Option<SignedState>, SignedStateError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io(path, err)),
    };
    let lines: Vec<&str> = text.lines().collect();
    let [header, file_origin, size, root] = lines.as_slice() else {
        return Err(invalid(path, "expected 4 lines"));
    };
    if *header != HEADER {
        return Err(invalid(path, "unknown header line"));
    }
    if *file_origin != origin {
        return Err(invalid(
            path,
            &format!("it is for origin {file_origin:?}, the log key is {origin:?}"),
        ));
    }
    let size = size
        .parse::<u64>()
        .map_err(|_| invalid(path, "size is not a decimal number"))?;
    let root = Hash::from_hex(root).map_err(|_| invalid(path, "root is not 64 hex digits"))?;
    Ok(Some(SignedState { size, root }))
}

/// Replaces the file atomically and durably: temp file, fsync, rename, fsync of the
/// directory (so the rename itself survives a power cut).
pub fn store(path: &Path, origin: &str, state: &SignedState) -> Result<(), SignedStateError> {
    let text = format!(
        "{HEADER}\n{origin}\n{}\n{}\n",
        state.size,
        state.root.to_hex()
    );
    let temp = path.with_extension("state.tmp");
    let mut file = std::fs::File::create(&temp).map_err(|err| io(&temp, err))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|err| io(&temp, err))?;
    drop(file);
    std::fs::rename(&temp, path).map_err(|err| io(path, err))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    std::fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|err| io(dir, err))
}

/// Compares the recorded state with the database: `db_size` committed entries and
/// `root_at(size)` for a size within them. `Err` is the operator's message.
pub fn check(
    recorded: &SignedState,
    db_size: u64,
    root_at: impl FnOnce(u64) -> Result<Hash, String>,
    state_path: &Path,
) -> Result<(), String> {
    if recorded.size > db_size {
        return Err(format!(
            "refusing to start: the log key has signed a checkpoint of size {} (root {}, \
             recorded in {}), but the database holds only {db_size} entries. The database \
             is empty or was restored from an older backup; signing now would sign a \
             different tree for sizes already signed (a fork that every witness and \
             verifier would catch). Restore the database from a backup holding at least \
             {} entries (the newest you have). If no such backup exists, the log under this \
             key cannot continue: start a new log with a new key and origin, and tell its \
             users and witnesses. See docs/operations.md, \"Start-up refusal\".",
            recorded.size,
            recorded.root.to_hex(),
            state_path.display(),
            recorded.size
        ));
    }
    let root = root_at(recorded.size)?;
    if root != recorded.root {
        return Err(format!(
            "refusing to start: the log key has signed size {} with root {} (recorded in \
             {}), but the database's tree at that size has root {}. The database belongs \
             to a different log, or was rebuilt; signing would fork the log. Restore the \
             database that goes with this key. See docs/operations.md, \"Start-up \
             refusal\".",
            recorded.size,
            recorded.root.to_hex(),
            state_path.display(),
            root.to_hex()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_rejects_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(&dir.path().join("log.skey"));
        assert_eq!(path.file_name().unwrap(), "log.state");
        assert_eq!(load(&path, "o").unwrap(), None);
        let state = SignedState {
            size: 7,
            root: Hash([3; 32]),
        };
        store(&path, "o", &state).unwrap();
        assert_eq!(load(&path, "o").unwrap(), Some(state));
        assert!(matches!(
            load(&path, "other"),
            Err(SignedStateError::Invalid { .. })
        ));
        std::fs::write(&path, "junk\n").unwrap();
        assert!(matches!(
            load(&path, "o"),
            Err(SignedStateError::Invalid { .. })
        ));
    }

    #[test]
    fn check_refuses_a_shorter_or_different_database() {
        let state = SignedState {
            size: 5,
            root: Hash([1; 32]),
        };
        let p = Path::new("log.state");
        assert!(check(&state, 5, |_| Ok(Hash([1; 32])), p).is_ok());
        assert!(check(&state, 9, |_| Ok(Hash([1; 32])), p).is_ok());
        let short = check(&state, 3, |_| Ok(Hash([1; 32])), p).unwrap_err();
        assert!(short.contains("holds only 3 entries"), "{short}");
        let other = check(&state, 9, |_| Ok(Hash([2; 32])), p).unwrap_err();
        assert!(other.contains("different log"), "{other}");
    }
}
