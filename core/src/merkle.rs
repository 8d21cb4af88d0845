//! RFC 6962 / RFC 9162 §2.1 Merkle tree math: hashing, tree hashes over stored
//! hashes, inclusion and consistency proofs (generation and verification), and the
//! frontier a log appends to. Pure: no disk, network or clock.
//!
//! # Nodes and ranges
//!
//! Every hash the log stores is the root of a *perfect* subtree, named by a [`NodeId`]:
//! level `l`, index `i` covers the leaves `[i·2^l, (i+1)·2^l)`. Level 0 nodes are leaf
//! hashes. A tree of size `n` is the fold, from the right, of the perfect subtrees that
//! make up `n` in binary (RFC 9162 §2.1.1 splits at the largest power of two below `n`,
//! which yields exactly that decomposition).
//!
//! Proofs are built in two steps so that storage can be slow or remote: a planner turns
//! (index, size) into leaf ranges, each range into the [`NodeId`]s that cover it, and a
//! [`HashReader`] is asked for all of them in one call. The server backs the reader with
//! RocksDB, the verifier with tiles it fetched and authenticated.

use std::fmt;
use std::ops::Range;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};

/// Size of a SHA-256 hash in bytes.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash: a leaf hash, a node hash or a tree root.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Hash(pub [u8; HASH_SIZE]);

/// What was wrong with a proof, a tree size or an encoded hash.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MerkleError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not in a tree of size {size}")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// A consistency proof was asked between sizes in the wrong order.
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizesOutOfOrder {
        /// The old (first) tree size.
        old: u64,
        /// The new (second) tree size.
        new: u64,
    },
    /// A consistency proof from the empty tree carries no information (RFC 9162 §2.1.4
    /// defines proofs for `0 < m <= n` only).
    #[error("a consistency proof from the empty tree is meaningless")]
    EmptyOldTree,
    /// The proof has the wrong number of hashes for the sizes given.
    #[error("proof has {got} hashes, expected {expected}")]
    WrongProofLength {
        /// The number of hashes the sizes call for.
        expected: usize,
        /// The number of hashes given.
        got: usize,
    },
    /// The proof's hashes do not lead to the expected root(s).
    #[error("proof does not verify against the root")]
    RootMismatch,
    /// A hash was not 32 bytes long.
    #[error("hash is {len} bytes, expected 32")]
    WrongHashLength {
        /// The length found.
        len: usize,
    },
    /// A hash was not valid base64 or hex.
    #[error("hash is not valid {encoding}")]
    BadHashEncoding {
        /// `"base64"` or `"hex"`.
        encoding: &'static str,
    },
}

impl Hash {
    /// Wraps exactly 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Result<Hash, MerkleError> {
        let array: [u8; HASH_SIZE] = bytes
            .try_into()
            .map_err(|_| MerkleError::WrongHashLength { len: bytes.len() })?;
        Ok(Hash(array))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; HASH_SIZE] {
        &self.0
    }

    /// Lowercase hex, as used in Docket's JSON.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses lowercase or uppercase hex of exactly 32 bytes.
    pub fn from_hex(text: &str) -> Result<Hash, MerkleError> {
        let bytes =
            hex::decode(text).map_err(|_| MerkleError::BadHashEncoding { encoding: "hex" })?;
        Hash::from_slice(&bytes)
    }

    /// Standard padded base64 (RFC 4648 §4), as in checkpoints and proofs.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.0)
    }

    /// Parses standard padded base64 of exactly 32 bytes; anything else is rejected.
    pub fn from_base64(text: &str) -> Result<Hash, MerkleError> {
        let bytes = BASE64
            .decode(text)
            .map_err(|_| MerkleError::BadHashEncoding { encoding: "base64" })?;
        Hash::from_slice(&bytes)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl serde::Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Hash, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(serde::de::Error::custom("hash must be lowercase hex"));
        }
        Hash::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// RFC 6962 §2.1 leaf hash: SHA-256(0x00 || entry).
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(entry);
    Hash(hasher.finalize().into())
}

/// RFC 6962 §2.1 interior node hash: SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left.0);
    hasher.update(right.0);
    Hash(hasher.finalize().into())
}

/// RFC 6962 §2.1 root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// The root of a perfect subtree: level `level`, covering leaves
/// `[index·2^level, (index+1)·2^level)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NodeId {
    /// Height above the leaves (0 = a leaf hash).
    pub level: u8,
    /// Position among the nodes of that level, from the left.
    pub index: u64,
}

impl NodeId {
    /// The leaves this node covers.
    pub fn leaves(&self) -> Range<u64> {
        let start = self.index << self.level;
        start..start + (1u64 << self.level)
    }
}

/// Storage of the tree's perfect-subtree hashes: the only contact the Merkle math has
/// with storage.
///
/// Contract: `read_hashes` returns exactly one hash per requested node, in request order,
/// or an error. Every node requested lies inside a tree the reader has (callers never ask
/// beyond the size they are working on). Requests are not necessarily sorted.
pub trait HashReader {
    /// Why a read failed (I/O, missing data, an unauthenticated tile...).
    type Error;

    /// Returns the hashes of `nodes`, in the same order.
    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error>;
}

/// A proof or root could not be computed: the request was invalid or storage failed.
#[derive(Debug, thiserror::Error)]
pub enum TreeError<E> {
    /// The sizes or index were invalid.
    #[error(transparent)]
    Merkle(#[from] MerkleError),
    /// The hash reader failed.
    #[error("reading tree hashes: {0}")]
    Read(E),
}

/// The perfect subtrees that make up the leaf range `range`, left to right.
///
/// `range` must be a range that occurs in the RFC 9162 recursion (its start a multiple
/// of a power of two at least as large as its length), which includes `0..n` for every
/// `n` and every range a proof planner returns; then the fold from the right of these
/// nodes is `MTH(D[range])`.
pub fn range_nodes(range: Range<u64>) -> Vec<NodeId> {
    let mut nodes = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let remaining = range.end - start;
        // The largest aligned perfect subtree that starts here and fits.
        let mut level = remaining.ilog2();
        if start != 0 {
            level = level.min(start.trailing_zeros());
        }
        nodes.push(NodeId {
            level: level as u8,
            index: start >> level,
        });
        start += 1u64 << level;
    }
    nodes
}

/// Folds the hashes of consecutive perfect subtrees from the right: H(s1, H(s2, s3...)).
/// Returns `None` for an empty list.
pub fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(
        rest.iter()
            .rev()
            .fold(*last, |acc, left| node_hash(left, &acc)),
    )
}

/// The leaf ranges whose hashes form the RFC 9162 §2.1.3.1 inclusion proof of `index`
/// in a tree of `size`, bottom-up (the leaf's sibling first), as RFC 6962's PATH.
pub fn inclusion_proof_ranges(index: u64, size: u64) -> Result<Vec<Range<u64>>, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let mut top_down = Vec::new();
    let (mut start, mut end) = (0u64, size);
    while end - start > 1 {
        let split = start + largest_power_of_two_below(end - start);
        if index < split {
            top_down.push(split..end);
            end = split;
        } else {
            top_down.push(start..split);
            start = split;
        }
    }
    top_down.reverse();
    Ok(top_down)
}

/// The leaf ranges whose hashes form the RFC 9162 §2.1.4.1 consistency proof from `old`
/// to `new`, in RFC 6962 PROOF order. Empty when `old == new`.
pub fn consistency_proof_ranges(old: u64, new: u64) -> Result<Vec<Range<u64>>, MerkleError> {
    if old > new {
        return Err(MerkleError::SizesOutOfOrder { old, new });
    }
    if old == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    let mut top_down = Vec::new();
    let (mut start, mut end) = (0u64, new);
    let mut is_original_tree = true;
    while old != end {
        let split = start + largest_power_of_two_below(end - start);
        if old <= split {
            top_down.push(split..end);
            end = split;
        } else {
            top_down.push(start..split);
            start = split;
            is_original_tree = false;
        }
    }
    if !is_original_tree {
        top_down.push(start..end);
    }
    top_down.reverse();
    Ok(top_down)
}

/// Every node a set of ranges needs, in order, ready for one [`HashReader`] call.
pub fn nodes_for_ranges(ranges: &[Range<u64>]) -> Vec<NodeId> {
    ranges.iter().flat_map(|r| range_nodes(r.clone())).collect()
}

/// Reads the hashes of `ranges` with one reader call and folds each range to its hash.
pub fn range_hashes<R: HashReader>(
    ranges: &[Range<u64>],
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    let per_range: Vec<Vec<NodeId>> = ranges.iter().map(|r| range_nodes(r.clone())).collect();
    let all: Vec<NodeId> = per_range.iter().flatten().copied().collect();
    let hashes = reader.read_hashes(&all).map_err(TreeError::Read)?;
    if hashes.len() != all.len() {
        // A reader that breaks its contract is a bug in that reader, not bad input.
        panic!(
            "HashReader returned {} hashes for {} nodes",
            hashes.len(),
            all.len()
        );
    }
    let mut out = Vec::with_capacity(ranges.len());
    let mut offset = 0;
    for nodes in &per_range {
        let slice = &hashes[offset..offset + nodes.len()];
        offset += nodes.len();
        out.push(fold_right(slice).unwrap_or_else(empty_root));
    }
    Ok(out)
}

/// RFC 9162 §2.1.1 tree hash of the first `size` leaves.
pub fn tree_root<R: HashReader>(size: u64, reader: &R) -> Result<Hash, TreeError<R::Error>> {
    if size == 0 {
        return Ok(empty_root());
    }
    let hashes = range_hashes(std::slice::from_ref(&(0..size)), reader)?;
    Ok(hashes[0])
}

/// RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof<R: HashReader>(
    index: u64,
    size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    range_hashes(&inclusion_proof_ranges(index, size)?, reader)
}

/// RFC 9162 §2.1.4.1 consistency proof from the tree of `old` leaves to that of `new`.
pub fn consistency_proof<R: HashReader>(
    old: u64,
    new: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError<R::Error>> {
    range_hashes(&consistency_proof_ranges(old, new)?, reader)
}

/// RFC 9162 §2.1.3.2: checks that `leaf` is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), MerkleError> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if computed != *root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The root that an inclusion proof leads to, after checking its length.
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, MerkleError> {
    if index >= size {
        return Err(MerkleError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    let mut node = index;
    let mut last = size - 1;
    let mut hash = *leaf;
    for sibling in proof {
        if node % 2 == 1 || node == last {
            hash = node_hash(sibling, &hash);
            // On the right border with no sibling at these levels: climb past them.
            if node.is_multiple_of(2) {
                while node.is_multiple_of(2) && node != 0 {
                    node >>= 1;
                    last >>= 1;
                }
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    debug_assert_eq!(last, 0, "length check guarantees the walk reaches the root");
    Ok(hash)
}

/// The exact length of an inclusion proof: the bits where `index` and `size - 1` differ,
/// plus the levels above them where `index` is on the right border.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    debug_assert!(index < size);
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = (index >> inner).count_ones();
    (inner + border) as usize
}

/// RFC 9162 §2.1.4.2: checks that the tree of `old` leaves with `old_root` is a prefix
/// of the tree of `new` leaves with `new_root`.
///
/// A proof from size 0 is rejected ([`MerkleError::EmptyOldTree`]); a witness treats
/// `old 0` separately, as c2sp.org/tlog-witness says.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), MerkleError> {
    if old > new {
        return Err(MerkleError::SizesOutOfOrder { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(MerkleError::WrongProofLength {
                expected: 0,
                got: proof.len(),
            });
        }
        if old_root != new_root {
            return Err(MerkleError::RootMismatch);
        }
        return Ok(());
    }
    if old == 0 {
        return Err(MerkleError::EmptyOldTree);
    }
    let expected = consistency_proof_len(old, new);
    if proof.len() != expected {
        return Err(MerkleError::WrongProofLength {
            expected,
            got: proof.len(),
        });
    }
    // When `old` is a power of two its root is not sent: the verifier prepends it.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);

    let mut node = old - 1;
    let mut last = new - 1;
    while node % 2 == 1 {
        node >>= 1;
        last >>= 1;
    }
    let mut old_hash = path[0];
    let mut new_hash = path[0];
    for sibling in &path[1..] {
        if last == 0 {
            return Err(MerkleError::RootMismatch);
        }
        if node % 2 == 1 || node == last {
            old_hash = node_hash(sibling, &old_hash);
            new_hash = node_hash(sibling, &new_hash);
            if node.is_multiple_of(2) {
                while node.is_multiple_of(2) && node != 0 {
                    node >>= 1;
                    last >>= 1;
                }
            }
        } else {
            new_hash = node_hash(&new_hash, sibling);
        }
        node >>= 1;
        last >>= 1;
    }
    if last != 0 || old_hash != *old_root || new_hash != *new_root {
        return Err(MerkleError::RootMismatch);
    }
    Ok(())
}

/// The exact length of a consistency proof from `old` to `new` (`0 < old < new`).
pub fn consistency_proof_len(old: u64, new: u64) -> usize {
    debug_assert!(0 < old && old < new);
    // Mirrors RFC 9162 §2.1.4.2: strip the common right-border levels of old - 1, then
    // one hash per remaining level plus the border levels, minus the implied old root.
    let low = (old - 1).trailing_ones();
    let node = (old - 1) >> low;
    let last = (new - 1) >> low;
    let inner = 64 - (node ^ last).leading_zeros();
    let border = (node >> inner).count_ones();
    let start_hash = usize::from(!old.is_power_of_two());
    (inner + border) as usize + start_hash
}

/// The largest power of two strictly below `n` (`n >= 2`): RFC 9162's split point `k`.
fn largest_power_of_two_below(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (n - 1).ilog2()
}

/// The right edge of a tree: the roots of the perfect subtrees that make up `size`,
/// largest first. Appending a leaf needs only these, so a log keeps O(log n) hashes in
/// memory however long it grows.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<(NodeId, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// Rebuilds the frontier of a tree of `size` leaves from storage.
    pub fn load<R: HashReader>(size: u64, reader: &R) -> Result<Frontier, R::Error> {
        let ids = range_nodes(0..size);
        let hashes = reader.read_hashes(&ids)?;
        // As in `range_hashes`: a short answer would silently yield a wrong frontier (and
        // wrong signed roots), and it is a bug in that reader, not bad input.
        assert_eq!(
            hashes.len(),
            ids.len(),
            "HashReader returned the wrong number of hashes"
        );
        Ok(Frontier {
            size,
            nodes: ids.into_iter().zip(hashes).collect(),
        })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The tree hash (RFC 9162 §2.1.1).
    pub fn root(&self) -> Hash {
        let hashes: Vec<Hash> = self.nodes.iter().map(|(_, h)| *h).collect();
        fold_right(&hashes).unwrap_or_else(empty_root)
    }

    /// The perfect subtree roots, largest first.
    pub fn nodes(&self) -> &[(NodeId, Hash)] {
        &self.nodes
    }

    /// Appends a leaf hash and returns every node it completes: the leaf itself (level
    /// 0) and each parent that became perfect. These are what storage must add.
    pub fn append(&mut self, leaf: Hash) -> Vec<(NodeId, Hash)> {
        let mut created = Vec::with_capacity(2);
        let mut node = (
            NodeId {
                level: 0,
                index: self.size,
            },
            leaf,
        );
        created.push(node);
        while let Some(&(left_id, left_hash)) = self.nodes.last() {
            if left_id.level != node.0.level {
                break;
            }
            self.nodes.pop();
            node = (
                NodeId {
                    level: left_id.level + 1,
                    index: left_id.index >> 1,
                },
                node_hash(&left_hash, &node.1),
            );
            created.push(node);
        }
        self.nodes.push(node);
        self.size += 1;
        created
    }
}

#[cfg(test)]
mod tests;
