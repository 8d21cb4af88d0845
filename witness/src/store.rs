//! The witness's durable state (c2sp.org/tlog-witness §"add-checkpoint": "atomically
//! record the new checkpoint, persist it, then answer"): per origin, the latest
//! checkpoint it cosigned, and the fork evidence it has collected.
//!
//! [`WitnessStore`] is the boundary; [`RocksStore`] is the real store and
//! [`MemoryStore`] the test double. Both run the same conformance test.
//!
//! RocksDB layout (default column family, one DB under `<data dir>/db`):
//!
//! ```text
//! 's' ‖ SHA-256(origin)                      → state record (see `encode_state`)
//! 'F' ‖ SHA-256(origin) ‖ evidence id (hex)   → fork evidence, JSON (see `crate::forks`)
//! ```
//!
//! Fork records are keyed under their origin so that counting them (the cap per
//! origin) and listing them read at most the cap's worth of records per origin.
//! Versions before the cap keyed records `'f' ‖ id` and also kept unverified
//! "inconsistent proof" records; those keys are never read.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use docket_core::merkle::Hash;
use docket_core::time::UnixSeconds;
use sha2::{Digest, Sha256};

use crate::forks::ForkEvidence;

/// What the witness holds for one origin: the latest checkpoint it cosigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginState {
    /// The origin line of the checkpoint.
    pub origin: String,
    /// The tree size of the latest cosigned checkpoint.
    pub size: u64,
    /// Its root hash.
    pub root: Hash,
    /// The checkpoint as the witness serves it: the witness's own encoding of the
    /// checkpoint text, the log signature line(s) it verified, then its own
    /// cosignature line(s).
    pub note: String,
    /// The timestamp of the witness's cosignature on `note`.
    pub cosigned_at: UnixSeconds,
}

/// The part of a stored state a compare-and-swap compares: the tree it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    /// Tree size.
    pub size: u64,
    /// Root hash at that size.
    pub root: Hash,
}

impl OriginState {
    /// The (size, root) this state names.
    pub fn tree_head(&self) -> TreeHead {
        TreeHead {
            size: self.size,
            root: self.root,
        }
    }
}

/// The result of [`WitnessStore::compare_and_swap`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CasOutcome {
    /// The new state is stored and durable.
    Swapped,
    /// The stored state was not the expected one; nothing was written. Carries what is
    /// stored now (`None`: nothing).
    Conflict(Option<TreeHead>),
}

/// A storage failure. Fatal for the request at hand; nothing is cosigned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB failed.
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// A stored record could not be decoded (corruption or a newer format).
    #[error("corrupt {what} record: {detail}")]
    Corrupt {
        /// Which kind of record.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A lock was poisoned by a panic in another thread.
    #[error("store lock poisoned")]
    Poisoned,
}

/// The witness's durable state.
///
/// Guarantees, for every implementation:
/// - `compare_and_swap` is atomic per origin: the comparison and the write happen with
///   no other `compare_and_swap` for that origin in between, so of two racing updates
///   from the same state exactly one wins. Different origins do not wait for each other.
/// - A successful `compare_and_swap` or `record_fork` is durable (synced) on return.
/// - All methods may be called concurrently from many threads. They block (disk I/O):
///   async callers run them on a blocking thread.
pub trait WitnessStore: Send + Sync + 'static {
    /// The latest cosigned state for `origin`, if any.
    fn load(&self, origin: &str) -> Result<Option<OriginState>, StoreError>;

    /// Stores `new` for `new.origin` if what is stored is still `expected` (`None`:
    /// nothing stored yet).
    fn compare_and_swap(
        &self,
        expected: Option<TreeHead>,
        new: &OriginState,
    ) -> Result<CasOutcome, StoreError>;

    /// Records fork evidence unless a record with its id exists for its origin, or
    /// `max_per_origin` records are already held for that origin. Atomic per origin.
    fn record_fork(
        &self,
        evidence: &ForkEvidence,
        max_per_origin: usize,
    ) -> Result<RecordOutcome, StoreError>;

    /// The fork evidence recorded for `origin`, ordered by id, at most `limit` records.
    fn forks(&self, origin: &str, limit: usize) -> Result<Vec<ForkEvidence>, StoreError>;
}

/// The result of [`WitnessStore::record_fork`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Stored, durable.
    Recorded,
    /// The same evidence (same id) was already recorded; nothing written.
    Duplicate,
    /// The origin already holds the maximum number of records; nothing written.
    Full,
}

/// Per-origin locks, created on first use, so that different origins never wait for
/// each other beyond the map lookup.
#[derive(Default)]
struct OriginLocks {
    map: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl OriginLocks {
    fn lock_for(&self, origin: &str) -> Result<Arc<Mutex<()>>, StoreError> {
        let mut map = self.map.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(map.entry(origin.to_owned()).or_default().clone())
    }
}

fn lock(mutex: &Mutex<()>) -> Result<MutexGuard<'_, ()>, StoreError> {
    mutex.lock().map_err(|_| StoreError::Poisoned)
}

/// The RocksDB-backed store.
pub struct RocksStore {
    db: rocksdb::DB,
    locks: OriginLocks,
}

const STATE_PREFIX: u8 = b's';
const FORK_PREFIX: u8 = b'F';
/// Version byte leading every state record, so a future format can be told apart.
const STATE_RECORD_VERSION: u8 = 1;

impl RocksStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<RocksStore, StoreError> {
        let mut options = rocksdb::Options::default();
        options.create_if_missing(true);
        let db = rocksdb::DB::open(&options, path)?;
        Ok(RocksStore {
            db,
            locks: OriginLocks::default(),
        })
    }

    fn synced() -> rocksdb::WriteOptions {
        let mut options = rocksdb::WriteOptions::default();
        // The cosignature must not leave before the state is on disk (tlog-witness).
        options.set_sync(true);
        options
    }

    fn read_state(&self, origin: &str) -> Result<Option<OriginState>, StoreError> {
        match self.db.get(state_key(origin))? {
            None => Ok(None),
            Some(bytes) => decode_state(origin, &bytes).map(Some),
        }
    }
}

impl WitnessStore for RocksStore {
    fn load(&self, origin: &str) -> Result<Option<OriginState>, StoreError> {
        self.read_state(origin)
    }

    fn compare_and_swap(
        &self,
        expected: Option<TreeHead>,
        new: &OriginState,
    ) -> Result<CasOutcome, StoreError> {
        let origin_lock = self.locks.lock_for(&new.origin)?;
        let _guard = lock(&origin_lock)?;
        let current = self.read_state(&new.origin)?.map(|s| s.tree_head());
        if current != expected {
            return Ok(CasOutcome::Conflict(current));
        }
        self.db
            .put_opt(state_key(&new.origin), encode_state(new), &Self::synced())?;
        Ok(CasOutcome::Swapped)
    }

    fn record_fork(
        &self,
        evidence: &ForkEvidence,
        max_per_origin: usize,
    ) -> Result<RecordOutcome, StoreError> {
        let key = fork_key(&evidence.origin, &evidence.id);
        let origin_lock = self.locks.lock_for(&evidence.origin)?;
        let _guard = lock(&origin_lock)?;
        if self.db.get(&key)?.is_some() {
            return Ok(RecordOutcome::Duplicate);
        }
        // Under the origin's lock, so two racing records cannot both pass the count.
        if self.fork_values(&evidence.origin, max_per_origin)?.len() >= max_per_origin {
            return Ok(RecordOutcome::Full);
        }
        let value = serde_json::to_vec(evidence).map_err(|e| StoreError::Corrupt {
            what: "fork evidence",
            detail: e.to_string(),
        })?;
        self.db.put_opt(key, value, &Self::synced())?;
        Ok(RecordOutcome::Recorded)
    }

    fn forks(&self, origin: &str, limit: usize) -> Result<Vec<ForkEvidence>, StoreError> {
        self.fork_values(origin, limit)?
            .iter()
            .map(|value| {
                serde_json::from_slice(value).map_err(|e| StoreError::Corrupt {
                    what: "fork evidence",
                    detail: e.to_string(),
                })
            })
            .collect()
    }
}

impl RocksStore {
    /// The raw fork records of `origin`, at most `limit` of them.
    fn fork_values(&self, origin: &str, limit: usize) -> Result<Vec<Box<[u8]>>, StoreError> {
        let prefix = fork_prefix(origin);
        let mode = rocksdb::IteratorMode::From(&prefix, rocksdb::Direction::Forward);
        let mut out = Vec::new();
        for item in self.db.iterator(mode) {
            if out.len() >= limit {
                break;
            }
            let (key, value) = item?;
            if !key.starts_with(&prefix) {
                break;
            }
            out.push(value);
        }
        Ok(out)
    }
}

/// An in-memory store for tests. "Durable" means: kept for the life of the value.
#[derive(Default)]
pub struct MemoryStore {
    states: Mutex<HashMap<String, OriginState>>,
    forks: Mutex<BTreeMap<(String, String), ForkEvidence>>,
    locks: OriginLocks,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl WitnessStore for MemoryStore {
    fn load(&self, origin: &str) -> Result<Option<OriginState>, StoreError> {
        let states = self.states.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(states.get(origin).cloned())
    }

    fn compare_and_swap(
        &self,
        expected: Option<TreeHead>,
        new: &OriginState,
    ) -> Result<CasOutcome, StoreError> {
        let origin_lock = self.locks.lock_for(&new.origin)?;
        let _guard = lock(&origin_lock)?;
        let current = self.load(&new.origin)?.map(|s| s.tree_head());
        if current != expected {
            return Ok(CasOutcome::Conflict(current));
        }
        let mut states = self.states.lock().map_err(|_| StoreError::Poisoned)?;
        states.insert(new.origin.clone(), new.clone());
        Ok(CasOutcome::Swapped)
    }

    fn record_fork(
        &self,
        evidence: &ForkEvidence,
        max_per_origin: usize,
    ) -> Result<RecordOutcome, StoreError> {
        let mut forks = self.forks.lock().map_err(|_| StoreError::Poisoned)?;
        let key = (evidence.origin.clone(), evidence.id.clone());
        if forks.contains_key(&key) {
            return Ok(RecordOutcome::Duplicate);
        }
        let held = forks.keys().filter(|(o, _)| *o == evidence.origin).count();
        if held >= max_per_origin {
            return Ok(RecordOutcome::Full);
        }
        forks.insert(key, evidence.clone());
        Ok(RecordOutcome::Recorded)
    }

    fn forks(&self, origin: &str, limit: usize) -> Result<Vec<ForkEvidence>, StoreError> {
        let forks = self.forks.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(forks
            .iter()
            .filter(|((o, _), _)| o == origin)
            .map(|(_, e)| e.clone())
            .take(limit)
            .collect())
    }
}

fn state_key(origin: &str) -> Vec<u8> {
    let mut key = vec![STATE_PREFIX];
    key.extend_from_slice(&Sha256::digest(origin.as_bytes()));
    key
}

fn fork_prefix(origin: &str) -> Vec<u8> {
    let mut key = vec![FORK_PREFIX];
    key.extend_from_slice(&Sha256::digest(origin.as_bytes()));
    key
}

fn fork_key(origin: &str, id: &str) -> Vec<u8> {
    let mut key = fork_prefix(origin);
    key.extend_from_slice(id.as_bytes());
    key
}

/// `version(1) ‖ size u64 BE ‖ root(32) ‖ cosigned_at u64 BE ‖ note (UTF-8)`. The origin
/// is not stored: the key is its hash, and the note's first line repeats it.
fn encode_state(state: &OriginState) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + 8 + 32 + 8 + state.note.len());
    out.push(STATE_RECORD_VERSION);
    out.extend_from_slice(&state.size.to_be_bytes());
    out.extend_from_slice(state.root.as_bytes());
    out.extend_from_slice(&state.cosigned_at.0.to_be_bytes());
    out.extend_from_slice(state.note.as_bytes());
    out
}

fn decode_state(origin: &str, bytes: &[u8]) -> Result<OriginState, StoreError> {
    let corrupt = |detail: &str| StoreError::Corrupt {
        what: "state",
        detail: detail.to_owned(),
    };
    let (&version, rest) = bytes.split_first().ok_or_else(|| corrupt("empty"))?;
    if version != STATE_RECORD_VERSION {
        return Err(corrupt(&format!("unknown version {version}")));
    }
    if rest.len() < 48 {
        return Err(corrupt("too short"));
    }
    let (size, rest) = rest.split_at(8);
    let (root, rest) = rest.split_at(32);
    let (cosigned_at, note) = rest.split_at(8);
    let note = std::str::from_utf8(note).map_err(|_| corrupt("note is not UTF-8"))?;
    let root = Hash::from_slice(root).map_err(|e| corrupt(&e.to_string()))?;
    Ok(OriginState {
        origin: origin.to_owned(),
        size: u64::from_be_bytes(size.try_into().expect("split_at(8) gives 8 bytes")),
        root,
        note: note.to_owned(),
        cosigned_at: UnixSeconds(u64::from_be_bytes(
            cosigned_at.try_into().expect("split_at(8) gives 8 bytes"),
        )),
    })
}

#[cfg(test)]
mod tests;
