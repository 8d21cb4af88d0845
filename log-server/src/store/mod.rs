//! The log's durable state in RocksDB: entries, the tree's perfect-subtree hashes, the
//! statement-digest index (dedup), the domain indexes the read API and the rules need,
//! and every published checkpoint.
//!
//! # Layout
//!
//! One database, default column family, keys told apart by a one-byte prefix. Numbers are
//! big-endian so that key order is numeric order and tiles and bundles are range scans.
//!
//! | key | value |
//! |---|---|
//! | `m` | tree state: size u64 ‖ last `logged_at` (Unix ms) u64 |
//! | `e` idx u64 | entry bytes (the leaf) |
//! | `h` level u8 idx u64 | 32-byte hash of the perfect subtree [`NodeId`] |
//! | `d` digest 32 | idx u64 of the entry holding that statement (dedup) |
//! | `c` seq u64 | published checkpoint (see [`checkpoints`]) |
//! | `w` size u64 seq u64 | empty: witnessed checkpoints by size (bracketing) |
//! | `i`, `k`, `l` ... | domain indexes (see [`domain`]) |
//!
//! # Guarantees
//!
//! * [`LogStore::commit`] writes one `WriteBatch` with `sync = true`: when it returns `Ok`
//!   every part of the batch (entries, hashes, indexes, tree state) is on disk, and after
//!   a crash either all of it or none of it is there.
//! * The tree state `m` is written in the same batch as the entries, so a restart resumes
//!   exactly at the last synced batch.
//! * There is one writer, the sequencer; readers may run concurrently from any thread
//!   (RocksDB gives each read a consistent view of one key; readers never look past the
//!   published checkpoint's size, whose data was committed before it was published).
//! * Nothing here holds memory proportional to the log: the block cache is bounded.

pub mod checkpoints;
pub mod domain;

use std::ops::Range;
use std::path::Path;

use docket_core::merkle::{self, Hash, HashReader, NodeId};
use docket_core::time::UnixMillis;
use rocksdb::{
    BlockBasedOptions, Cache, DB, Direction, IteratorMode, Options, ReadOptions, WriteBatch,
    WriteOptions,
};

/// A stored key and its value, as a scan yields them.
pub(crate) type KeyValue = (Box<[u8]>, Box<[u8]>);

/// Block cache size: bounded, so memory stays flat however large the log grows.
const BLOCK_CACHE_BYTES: usize = 256 << 20;

pub(crate) const TREE_STATE_KEY: &[u8] = b"m";
const ENTRY_PREFIX: u8 = b'e';
const HASH_PREFIX: u8 = b'h';
const DIGEST_PREFIX: u8 = b'd';

/// A storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// RocksDB reported an error (I/O, corruption, lock held by another process...).
    #[error("rocksdb: {0}")]
    Rocks(#[from] rocksdb::Error),
    /// A value that must exist is missing: the database does not match its tree state.
    #[error("missing {what} in the database")]
    Missing {
        /// What was looked for.
        what: String,
    },
    /// A stored value has the wrong shape.
    #[error("corrupt {what} in the database")]
    Corrupt {
        /// What was read.
        what: String,
    },
    /// The blocking task running the operation panicked or was cancelled.
    #[error("storage task failed: {0}")]
    Task(String),
}

/// Size and clock of the committed tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TreeState {
    /// Number of entries committed.
    pub size: u64,
    /// `logged_at` of the last entry (0 for an empty log); the next is never smaller.
    pub last_logged_at: UnixMillis,
}

/// One new entry of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// Its log index.
    pub index: u64,
    /// The entry bytes, as hashed into the leaf.
    pub bytes: Vec<u8>,
    /// SHA-256 of the statement it carries (its dedup key).
    pub statement_digest: Hash,
}

/// Everything one sequencing batch adds, written atomically by [`LogStore::commit`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Commit {
    /// New entries, consecutive indexes starting at the old size.
    pub entries: Vec<NewEntry>,
    /// Every perfect-subtree hash the new leaves completed.
    pub nodes: Vec<(NodeId, Hash)>,
    /// Domain index keys and values (see [`domain`]).
    pub index_puts: Vec<(Vec<u8>, Vec<u8>)>,
    /// The tree state after the batch.
    pub state: TreeState,
}

/// The RocksDB-backed log store. Cheap to share behind an `Arc`.
pub struct LogStore {
    db: DB,
}

impl std::fmt::Debug for LogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogStore")
            .field("path", &self.db.path())
            .finish()
    }
}

pub(crate) fn u64_key(prefix: u8, n: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = prefix;
    key[1..].copy_from_slice(&n.to_be_bytes());
    key
}

fn hash_key(node: NodeId) -> [u8; 10] {
    let mut key = [0u8; 10];
    key[0] = HASH_PREFIX;
    key[1] = node.level;
    key[2..].copy_from_slice(&node.index.to_be_bytes());
    key
}

fn digest_key(digest: &Hash) -> [u8; 33] {
    let mut key = [0u8; 33];
    key[0] = DIGEST_PREFIX;
    key[1..].copy_from_slice(digest.as_bytes());
    key
}

pub(crate) fn read_u64(bytes: &[u8], what: &str) -> Result<u64, StoreError> {
    let array: [u8; 8] = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt {
            what: what.to_string(),
        })?;
    Ok(u64::from_be_bytes(array))
}

impl LogStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<LogStore, StoreError> {
        let mut options = Options::default();
        options.create_if_missing(true);
        options.set_compression_type(rocksdb::DBCompressionType::None);
        let mut table = BlockBasedOptions::default();
        let cache = Cache::new_lru_cache(BLOCK_CACHE_BYTES);
        table.set_block_cache(&cache);
        // Dedup lookups are point reads of random digests, mostly misses: a bloom
        // filter answers those without touching data blocks.
        table.set_bloom_filter(10.0, false);
        options.set_block_based_table_factory(&table);
        options.increase_parallelism(2);
        let db = DB::open(&options, path)?;
        Ok(LogStore { db })
    }

    pub(crate) fn db(&self) -> &DB {
        &self.db
    }

    /// Up to `limit` keys and values from `start` (inclusive) to `end` (exclusive), in
    /// key order: the one shape of every bounded index scan.
    pub(crate) fn scan(
        &self,
        start: &[u8],
        end: Vec<u8>,
        limit: usize,
    ) -> Result<Vec<KeyValue>, StoreError> {
        let mut options = ReadOptions::default();
        options.set_iterate_upper_bound(end);
        self.db
            .iterator_opt(IteratorMode::From(start, Direction::Forward), options)
            .take(limit)
            .map(|item| item.map_err(StoreError::from))
            .collect()
    }

    /// The committed tree size and last `logged_at` (zero for a new database).
    pub fn tree_state(&self) -> Result<TreeState, StoreError> {
        match self.db.get(TREE_STATE_KEY)? {
            None => Ok(TreeState::default()),
            Some(value) if value.len() == 16 => Ok(TreeState {
                size: read_u64(&value, "tree state")?,
                last_logged_at: UnixMillis(read_u64(&value[8..], "tree state")?),
            }),
            Some(_) => Err(StoreError::Corrupt {
                what: "tree state".into(),
            }),
        }
    }

    /// Writes a batch atomically and durably (one synced RocksDB write).
    pub fn commit(&self, commit: &Commit) -> Result<(), StoreError> {
        let mut batch = WriteBatch::default();
        for entry in &commit.entries {
            batch.put(u64_key(ENTRY_PREFIX, entry.index), &entry.bytes);
            batch.put(
                digest_key(&entry.statement_digest),
                entry.index.to_be_bytes(),
            );
        }
        for (node, hash) in &commit.nodes {
            batch.put(hash_key(*node), hash.as_bytes());
        }
        for (key, value) in &commit.index_puts {
            batch.put(key, value);
        }
        let mut state = [0u8; 16];
        state[..8].copy_from_slice(&commit.state.size.to_be_bytes());
        state[8..].copy_from_slice(&commit.state.last_logged_at.0.to_be_bytes());
        batch.put(TREE_STATE_KEY, state);
        self.write_synced(batch)
    }

    pub(crate) fn write_synced(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let mut options = WriteOptions::default();
        options.set_sync(true);
        self.db.write_opt(batch, &options)?;
        Ok(())
    }

    /// The bytes of entry `index`, if committed.
    pub fn entry(&self, index: u64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.db.get(u64_key(ENTRY_PREFIX, index))?)
    }

    /// The entries `range` (all must exist), in order: one range scan.
    pub fn entries(&self, range: Range<u64>) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::with_capacity((range.end - range.start) as usize);
        let mut options = ReadOptions::default();
        options.set_iterate_upper_bound(u64_key(ENTRY_PREFIX, range.end).to_vec());
        let start = u64_key(ENTRY_PREFIX, range.start);
        for item in self
            .db
            .iterator_opt(IteratorMode::From(&start, Direction::Forward), options)
        {
            let (_, value) = item?;
            out.push(value.into_vec());
        }
        if out.len() as u64 != range.end - range.start {
            return Err(StoreError::Missing {
                what: format!("entries {}..{}", range.start, range.end),
            });
        }
        Ok(out)
    }

    /// The stored hashes at tree level `level` with indexes `range`, in order: one range
    /// scan (a tlog-tiles tile at tile level L is tree level 8·L).
    pub fn level_hashes(&self, level: u8, range: Range<u64>) -> Result<Vec<Hash>, StoreError> {
        let mut out = Vec::with_capacity((range.end - range.start) as usize);
        let mut options = ReadOptions::default();
        options.set_iterate_upper_bound(
            hash_key(NodeId {
                level,
                index: range.end,
            })
            .to_vec(),
        );
        let start = hash_key(NodeId {
            level,
            index: range.start,
        });
        for item in self
            .db
            .iterator_opt(IteratorMode::From(&start, Direction::Forward), options)
        {
            let (_, value) = item?;
            out.push(Hash::from_slice(&value).map_err(|_| StoreError::Corrupt {
                what: format!("hash at level {level}"),
            })?);
        }
        if out.len() as u64 != range.end - range.start {
            return Err(StoreError::Missing {
                what: format!("hashes at level {level}, {}..{}", range.start, range.end),
            });
        }
        Ok(out)
    }

    /// The index of the entry holding the statement with this digest, if logged.
    pub fn index_of_statement(&self, digest: &Hash) -> Result<Option<u64>, StoreError> {
        match self.db.get_pinned(digest_key(digest))? {
            None => Ok(None),
            Some(value) => Ok(Some(read_u64(&value, "digest index")?)),
        }
    }

    /// The tree root at `size` (which must not exceed the committed size).
    pub fn root(&self, size: u64) -> Result<Hash, StoreError> {
        merkle::tree_root(size, self).map_err(tree_error)
    }

    /// Inclusion proof of `index` in the tree of `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        merkle::inclusion_proof(index, size, self).map_err(ProofError::from_tree)
    }

    /// Consistency proof from `old` to `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        merkle::consistency_proof(old, new, self).map_err(ProofError::from_tree)
    }
}

/// A proof request was invalid, or storage failed while serving it.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The index or sizes were not valid for a proof.
    #[error(transparent)]
    Invalid(#[from] merkle::MerkleError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ProofError {
    fn from_tree(err: merkle::TreeError<StoreError>) -> ProofError {
        match err {
            merkle::TreeError::Merkle(err) => ProofError::Invalid(err),
            merkle::TreeError::Read(err) => ProofError::Store(err),
        }
    }
}

fn tree_error(err: merkle::TreeError<StoreError>) -> StoreError {
    match err {
        merkle::TreeError::Merkle(err) => StoreError::Corrupt {
            what: format!("tree request: {err}"),
        },
        merkle::TreeError::Read(err) => err,
    }
}

impl HashReader for LogStore {
    type Error = StoreError;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, StoreError> {
        let keys: Vec<[u8; 10]> = nodes.iter().map(|node| hash_key(*node)).collect();
        self.db
            .multi_get(keys.iter())
            .into_iter()
            .zip(nodes)
            .map(|(value, node)| match value? {
                Some(bytes) => Hash::from_slice(&bytes).map_err(|_| StoreError::Corrupt {
                    what: format!("hash {node:?}"),
                }),
                None => Err(StoreError::Missing {
                    what: format!("hash {node:?}"),
                }),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
