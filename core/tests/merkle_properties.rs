//! Property and exhaustive tests of `docket_core::merkle`: every proof of every tree up to
//! 600 leaves (across two tile boundaries, 256 and 512), random trees up to 100,000 leaves, mutated
//! proofs rejected, and a differential check of roots and audit paths against `rs_merkle`.

mod merkle_support;

use docket_core::merkle::{
    Frontier, Hash, consistency_proof, consistency_proof_len, inclusion_proof, inclusion_proof_len,
    node_hash, tree_root, verify_consistency, verify_inclusion,
};
use merkle_support::{MemoryTree, Reference, leaf_hashes};
use proptest::prelude::*;

/// A tree over `leaves`, with the roots of every prefix (index = size).
struct Fixture {
    tree: MemoryTree,
    roots: Vec<Hash>,
}

impl Fixture {
    fn new(leaves: &[Hash]) -> Fixture {
        let tree = MemoryTree::new(leaves);
        let mut frontier = Frontier::new();
        let mut roots = vec![frontier.root()];
        for leaf in leaves {
            frontier.append(*leaf);
            roots.push(frontier.root());
        }
        Fixture { tree, roots }
    }

    fn root(&self, size: u64) -> Hash {
        self.roots[size as usize]
    }
}

/// A deterministic "random" hash that is not in any test tree.
fn stranger(seed: u64) -> Hash {
    node_hash(&Hash([0xa5; 32]), &Hash([seed as u8; 32]))
}

/// Checks the inclusion proof of `index` in the tree of `size` verifies, and that every
/// mutation of it is rejected: each hash with a bit flipped, each hash dropped, an extra
/// hash before or after, a wrong index, a wrong size (with that size's true root), a
/// wrong leaf and a wrong root. `fx` must hold at least `size + 1` leaves.
fn check_inclusion(fx: &Fixture, index: u64, size: u64, proof: &[Hash], salt: u64) {
    let leaf = fx.tree.leaf(index);
    let root = fx.root(size);
    verify_inclusion(index, size, &leaf, proof, &root).expect("the true proof verifies");
    assert_eq!(proof.len(), inclusion_proof_len(index, size));
    let rejects = |i: u64, n: u64, l: &Hash, p: &[Hash], r: &Hash, what: &str| {
        assert!(
            verify_inclusion(i, n, l, p, r).is_err(),
            "{what} accepted: index {index} size {size}"
        );
    };
    for k in 0..proof.len() {
        let mut bad = proof.to_vec();
        let bit = (salt as usize + 37 * k) % 256;
        bad[k].0[bit / 8] ^= 1 << (bit % 8);
        rejects(index, size, &leaf, &bad, &root, "flipped bit");
        let mut short = proof.to_vec();
        short.remove(k);
        rejects(index, size, &leaf, &short, &root, "dropped hash");
    }
    let mut long = proof.to_vec();
    long.push(stranger(salt));
    rejects(index, size, &leaf, &long, &root, "extra hash after");
    long.pop();
    long.insert(0, stranger(salt));
    rejects(index, size, &leaf, &long, &root, "extra hash before");
    for other in [
        index ^ 1,
        index + 1,
        index.wrapping_sub(1),
        index ^ (1 << (salt % 8)),
    ] {
        if other != index && other < size + 1 {
            rejects(other, size, &leaf, proof, &root, "wrong index");
            if other < size {
                rejects(
                    index,
                    size,
                    &fx.tree.leaf(other),
                    proof,
                    &root,
                    "wrong leaf",
                );
            }
        }
    }
    for n in [size - 1, size + 1] {
        if n > 0 {
            rejects(index, n, &leaf, proof, &fx.root(n), "wrong size");
        }
    }
    rejects(index, size, &leaf, proof, &fx.root(size - 1), "wrong root");
}

/// As [`check_inclusion`] for the consistency proof from `old` to `new`: flipped bits,
/// dropped and extra hashes, wrong old or new size (with their true roots), swapped or
/// wrong roots.
fn check_consistency(fx: &Fixture, old: u64, new: u64, proof: &[Hash], salt: u64) {
    let (r1, r2) = (fx.root(old), fx.root(new));
    verify_consistency(old, new, &r1, &r2, proof).expect("the true proof verifies");
    if old < new {
        assert_eq!(proof.len(), consistency_proof_len(old, new));
    }
    let rejects = |m: u64, n: u64, a: &Hash, b: &Hash, p: &[Hash], what: &str| {
        assert!(
            verify_consistency(m, n, a, b, p).is_err(),
            "{what} accepted: {old} -> {new}"
        );
    };
    for k in 0..proof.len() {
        let mut bad = proof.to_vec();
        let bit = (salt as usize + 37 * k) % 256;
        bad[k].0[bit / 8] ^= 1 << (bit % 8);
        rejects(old, new, &r1, &r2, &bad, "flipped bit");
        let mut short = proof.to_vec();
        short.remove(k);
        rejects(old, new, &r1, &r2, &short, "dropped hash");
    }
    let mut long = proof.to_vec();
    long.push(stranger(salt));
    rejects(old, new, &r1, &r2, &long, "extra hash after");
    long.pop();
    long.insert(0, stranger(salt));
    rejects(old, new, &r1, &r2, &long, "extra hash before");
    for m in [old - 1, old + 1] {
        if m != old && m <= new + 1 {
            rejects(m, new, &fx.root(m), &r2, proof, "wrong old size");
        }
    }
    for n in [new - 1, new + 1] {
        rejects(old, n, &r1, &fx.root(n), proof, "wrong new size");
    }
    if r1 != r2 {
        rejects(old, new, &r2, &r1, proof, "swapped roots");
    }
    rejects(old, new, &fx.root(old - 1), &r2, proof, "wrong old root");
    rejects(old, new, &r1, &fx.root(new - 1), proof, "wrong new root");
}

/// Every tree size up to 600 (so every proof that crosses the tile boundaries at 256
/// and 512 leaves), every inclusion and consistency proof: equal to the RFC 6962
/// PATH/PROOF recursions, verified, and every mutation rejected.
#[test]
fn every_proof_up_to_600() {
    const MAX: u64 = 600;
    let leaves = leaf_hashes(MAX + 2, 1);
    let fx = Fixture::new(&leaves);
    let mut reference = Reference::new(&leaves);
    let mut frontier = Frontier::new();
    for size in 1..=MAX {
        frontier.append(leaves[size as usize - 1]);
        assert_eq!(Frontier::load(size, &fx.tree).unwrap(), frontier);
        assert_eq!(tree_root(size, &fx.tree).unwrap(), fx.root(size));
        assert_eq!(reference.mth(0, size), fx.root(size));
        for index in 0..size {
            let proof = inclusion_proof(index, size, &fx.tree).unwrap();
            assert_eq!(
                proof,
                reference.path(index, 0, size),
                "PATH({index}, {size})"
            );
            check_inclusion(&fx, index, size, &proof, index + size);
        }
        for old in 1..=size {
            let proof = consistency_proof(old, size, &fx.tree).unwrap();
            assert_eq!(proof, reference.proof(old, size), "PROOF({old}, {size})");
            check_consistency(&fx, old, size, &proof, old + size);
        }
    }
}

/// Tree sizes for the random tests: mostly small, a few up to 100,000 leaves.
fn tree_size() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 1u64..=2_000, 1 => 2_000u64..=100_000]
}

proptest! {
    // A 100,000-leaf tree costs ~0.2 s to build twice; keep the case count modest.
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn random_trees(size in tree_size(), seed in any::<u64>(),
                    picks in proptest::collection::vec(any::<u64>(), 8)) {
        let leaves = leaf_hashes(size + 1, seed);
        let fx = Fixture::new(&leaves);
        let mut reference = Reference::new(&leaves);
        prop_assert_eq!(tree_root(size, &fx.tree).unwrap(), fx.root(size));
        let mut indexes: Vec<u64> = picks.iter().map(|p| p % size).collect();
        indexes.extend([0, size - 1]);
        for (k, &index) in indexes.iter().enumerate() {
            let proof = inclusion_proof(index, size, &fx.tree).unwrap();
            prop_assert_eq!(&proof, &reference.path(index, 0, size));
            check_inclusion(&fx, index, size, &proof, seed ^ k as u64);

            let old = 1 + index;
            let proof = consistency_proof(old, size, &fx.tree).unwrap();
            prop_assert_eq!(&proof, &reference.proof(old, size));
            check_consistency(&fx, old, size, &proof, seed ^ k as u64);
        }
    }
}

/// rs_merkle's hasher made RFC 6962: interior nodes get the 0x01 prefix and a lone node
/// is promoted unchanged (which is how RFC 6962's unbalanced right edge looks when the
/// tree is built level by level). Leaves are hashed by the caller.
#[derive(Clone)]
struct Rfc6962;

impl rs_merkle::Hasher for Rfc6962 {
    type Hash = [u8; 32];

    fn hash(data: &[u8]) -> [u8; 32] {
        use sha2::Digest as _;
        sha2::Sha256::digest(data).into()
    }

    fn concat_and_hash(left: &[u8; 32], right: Option<&[u8; 32]>) -> [u8; 32] {
        match right {
            Some(right) => node_hash(&Hash(*left), &Hash(*right)).0,
            None => *left,
        }
    }
}

/// Same roots as rs_merkle for every size 1..2000, and rs_merkle accepts docket-core's
/// single-leaf audit paths. rs_merkle lists proof hashes per layer from the leaves up,
/// skipping layers where the node has no sibling, which is RFC 6962's PATH order, so no
/// mapping is needed: the hashes are compared as they are.
#[test]
fn differential_rs_merkle() {
    const MAX: usize = 2000;
    let leaves = leaf_hashes(MAX as u64, 9);
    let raw: Vec<[u8; 32]> = leaves.iter().map(|h| h.0).collect();
    let fx = Fixture::new(&leaves);
    for size in 1..=MAX {
        let theirs = rs_merkle::MerkleTree::<Rfc6962>::from_leaves(&raw[..size]);
        let root = fx.root(size as u64);
        assert_eq!(theirs.root(), Some(root.0), "root of {size}");
        let indexes: Vec<usize> = if size <= 64 {
            (0..size).collect()
        } else {
            vec![
                0,
                1,
                size / 3,
                size / 2,
                7919 % size,
                (size * 5) / 7,
                size - 2,
                size - 1,
            ]
        };
        for index in indexes {
            let ours = inclusion_proof(index as u64, size as u64, &fx.tree).unwrap();
            let their_proof = theirs.proof(&[index]);
            let their_hashes: Vec<Hash> = their_proof
                .proof_hashes()
                .iter()
                .map(|h| Hash(*h))
                .collect();
            assert_eq!(their_hashes, ours, "path of {index} in {size}");
            let ours_as_theirs =
                rs_merkle::MerkleProof::<Rfc6962>::new(ours.iter().map(|h| h.0).collect());
            assert!(
                ours_as_theirs.verify(root.0, &[index], &[raw[index]], size),
                "rs_merkle rejects our path of {index} in {size}"
            );
            if let Some(first) = ours.first() {
                let mut bad: Vec<[u8; 32]> = ours.iter().map(|h| h.0).collect();
                bad[0][0] ^= 1;
                assert_ne!(Hash(bad[0]), *first);
                let bad = rs_merkle::MerkleProof::<Rfc6962>::new(bad);
                assert!(!bad.verify(root.0, &[index], &[raw[index]], size));
            }
        }
    }
}
