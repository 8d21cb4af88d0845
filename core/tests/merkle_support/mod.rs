//! Shared helpers for the Merkle and tile integration tests: a vector-file loader and an
//! in-memory tree that stores every perfect-subtree hash.

#![allow(dead_code)] // Each test binary uses a different subset.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docket_core::merkle::{Hash, HashReader, NodeId, leaf_hash, node_hash};
use docket_core::tiles::{Tile, encode_tile, tree_tiles};

/// `testdata/vectors/` in the workspace.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata/vectors")
}

/// Reads and parses a JSON vector file, given relative to `testdata/vectors/`.
pub fn load_json(relative: &str) -> serde_json::Value {
    let path = vectors_dir().join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// Every `.json` file under `relative` (recursively), as paths relative to `vectors/`.
pub fn json_files_under(relative: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("vector directory exists") {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = vectors_dir();
    let mut found = Vec::new();
    walk(&root.join(relative), &mut found);
    let mut names: Vec<String> = found
        .iter()
        .map(|p| {
            p.strip_prefix(&root)
                .expect("under vectors/")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Lowercase hex of exactly 32 bytes.
pub fn hex_hash(value: &serde_json::Value) -> Hash {
    Hash::from_hex(value.as_str().expect("hex string")).expect("32-byte hex hash")
}

/// A list of hex hashes.
pub fn hex_hashes(value: &serde_json::Value) -> Vec<Hash> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(hex_hash)
        .collect()
}

/// Deterministic distinct test entries.
pub fn entries(count: u64, seed: u64) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| format!("entry {seed}/{i}").into_bytes())
        .collect()
}

/// Leaf hashes of [`entries`].
pub fn leaf_hashes(count: u64, seed: u64) -> Vec<Hash> {
    entries(count, seed).iter().map(|e| leaf_hash(e)).collect()
}

/// A full in-memory tree: `levels[l][i]` is the hash of `NodeId { level: l, index: i }`
/// for every perfect subtree of the leaves. Built independently of `merkle::Frontier`.
pub struct MemoryTree {
    pub levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    pub fn new(leaves: &[Hash]) -> MemoryTree {
        let mut levels = vec![leaves.to_vec()];
        loop {
            let below = levels.last().expect("level 0 exists");
            if below.len() < 2 {
                break;
            }
            let next: Vec<Hash> = below
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            levels.push(next);
        }
        MemoryTree { levels }
    }

    pub fn size(&self) -> u64 {
        self.levels[0].len() as u64
    }

    pub fn leaf(&self, index: u64) -> Hash {
        self.levels[0][index as usize]
    }

    /// The bytes of every tile of the tree of `size` leaves (`size` ≤ the tree's size).
    pub fn tiles(&self, size: u64) -> BTreeMap<Tile, Vec<u8>> {
        tree_tiles(size)
            .into_iter()
            .map(|tile| {
                let hashes = self
                    .read_hashes(&tile.nodes())
                    .expect("tile inside the tree");
                (tile, encode_tile(&hashes))
            })
            .collect()
    }
}

/// Asked for a node the tree does not hold.
#[derive(Debug, PartialEq)]
pub struct NoSuchNode(pub NodeId);

impl HashReader for MemoryTree {
    type Error = NoSuchNode;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, NoSuchNode> {
        nodes
            .iter()
            .map(|n| {
                self.levels
                    .get(usize::from(n.level))
                    .and_then(|l| l.get(usize::try_from(n.index).ok()?))
                    .copied()
                    .ok_or(NoSuchNode(*n))
            })
            .collect()
    }
}

/// RFC 6962 §2.1 MTH straight from the definition (recursive split at the largest power
/// of two below n), memoised by range: an independent reference for roots and proofs.
pub struct Reference<'a> {
    leaves: &'a [Hash],
    memo: std::collections::HashMap<(u64, u64), Hash>,
}

impl<'a> Reference<'a> {
    pub fn new(leaves: &'a [Hash]) -> Reference<'a> {
        Reference {
            leaves,
            memo: Default::default(),
        }
    }

    /// MTH(D[start:end]), `start < end`.
    pub fn mth(&mut self, start: u64, end: u64) -> Hash {
        if end - start == 1 {
            return self.leaves[start as usize];
        }
        if let Some(h) = self.memo.get(&(start, end)) {
            return *h;
        }
        let k = split(end - start);
        let left = self.mth(start, start + k);
        let right = self.mth(start + k, end);
        let h = node_hash(&left, &right);
        self.memo.insert((start, end), h);
        h
    }

    /// RFC 6962 §2.1.1 PATH(m, D[start:end]).
    pub fn path(&mut self, m: u64, start: u64, end: u64) -> Vec<Hash> {
        let n = end - start;
        if n == 1 {
            return vec![];
        }
        let k = split(n);
        if m < k {
            let mut p = self.path(m, start, start + k);
            p.push(self.mth(start + k, end));
            p
        } else {
            let mut p = self.path(m - k, start + k, end);
            p.push(self.mth(start, start + k));
            p
        }
    }

    /// RFC 6962 §2.1.2 PROOF(m, D[0:n]) via SUBPROOF.
    pub fn proof(&mut self, m: u64, n: u64) -> Vec<Hash> {
        self.subproof(m, 0, n, true)
    }

    fn subproof(&mut self, m: u64, start: u64, end: u64, original: bool) -> Vec<Hash> {
        let n = end - start;
        if m == n {
            return if original {
                vec![]
            } else {
                vec![self.mth(start, end)]
            };
        }
        let k = split(n);
        if m <= k {
            let mut p = self.subproof(m, start, start + k, original);
            p.push(self.mth(start + k, end));
            p
        } else {
            let mut p = self.subproof(m - k, start + k, end, false);
            p.push(self.mth(start, start + k));
            p
        }
    }
}

/// The largest power of two strictly below `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    1 << (n - 1).ilog2()
}
