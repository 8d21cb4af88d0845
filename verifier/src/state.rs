//! The verifier's local memory: per log origin, the largest checkpoint it verified, so
//! every later checkpoint can be proven consistent with it (a fork is then caught even if
//! the log shows each user a different, self-consistent history).
//!
//! A JSON file, written to a temporary file and renamed into place so a crash never
//! leaves half a state. The remembered note is re-verified against the policy when read:
//! the file is the user's own, but an unverified note is never trusted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docket_core::policy::VerifiedCheckpoint;
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize};

use crate::error::VerifierError;

/// The state file's format name, so an unrelated JSON file is not taken for one.
const FORMAT: &str = "docket-verifier-state/v1";

/// One remembered checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remembered {
    /// The signed note, verbatim.
    pub note: String,
    /// Its tree size (also in the note; kept for people reading the file).
    pub size: u64,
    /// When the verifier remembered it.
    pub remembered_at: UnixMillis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    format: String,
    logs: BTreeMap<String, Remembered>,
}

/// The state file, loaded.
#[derive(Debug, Clone)]
pub struct State {
    path: PathBuf,
    logs: BTreeMap<String, Remembered>,
}

impl State {
    /// Loads the state at `path`; a missing file is an empty state.
    pub fn load(path: &Path) -> Result<State, VerifierError> {
        let logs = match std::fs::read(path) {
            Ok(bytes) => {
                let file: StateFile = serde_json::from_slice(&bytes).map_err(|e| {
                    VerifierError::io(path, format!("not a verifier state file: {e}"))
                })?;
                if file.format != FORMAT {
                    return Err(VerifierError::io(
                        path,
                        format!("state format {:?} is not {FORMAT:?}", file.format),
                    ));
                }
                file.logs
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(VerifierError::io(path, e)),
        };
        Ok(State {
            path: path.to_path_buf(),
            logs,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The checkpoint remembered for `origin`, unverified.
    pub fn remembered(&self, origin: &str) -> Option<&Remembered> {
        self.logs.get(origin)
    }

    /// Remembers `checkpoint` for its origin and writes the file.
    pub fn remember(
        &mut self,
        checkpoint: &VerifiedCheckpoint,
        now: UnixMillis,
    ) -> Result<(), VerifierError> {
        self.logs.insert(
            checkpoint.checkpoint().origin().to_string(),
            Remembered {
                note: checkpoint.note().to_text(),
                size: checkpoint.checkpoint().size(),
                remembered_at: now,
            },
        );
        self.save()
    }

    fn save(&self) -> Result<(), VerifierError> {
        let file = StateFile {
            format: FORMAT.to_string(),
            logs: self.logs.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&file).expect("the state serialises");
        write_atomically(&self.path, &bytes)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// creating the directory if needed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), VerifierError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| VerifierError::io(dir, e))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| VerifierError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| VerifierError::io(path, e))
}

/// The default state file: `$XDG_STATE_HOME/docket-verifier/state.json`, else
/// `$HOME/.local/state/docket-verifier/state.json`, else `./docket-verifier-state.json`.
pub fn default_state_path() -> PathBuf {
    let dir = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local/state"))
        });
    match dir {
        Some(dir) => dir.join("docket-verifier").join("state.json"),
        None => PathBuf::from("docket-verifier-state.json"),
    }
}
