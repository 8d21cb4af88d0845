//! Unit tests for the Merkle math; vector and property tests live in `core/tests/`.

use super::*;

/// A reader over an in-memory list of leaf hashes that computes any perfect subtree.
struct Leaves(Vec<Hash>);

impl HashReader for Leaves {
    type Error = std::convert::Infallible;
    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        Ok(nodes
            .iter()
            .map(|n| {
                let r = n.leaves();
                let mut level: Vec<Hash> = self.0[r.start as usize..r.end as usize].to_vec();
                while level.len() > 1 {
                    level = level.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
                }
                level[0]
            })
            .collect())
    }
}

#[test]
fn proofs_verify_for_small_trees() {
    let leaves: Vec<Hash> = (0..40u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    for size in 1..=40u64 {
        let reader = Leaves(leaves[..size as usize].to_vec());
        let root = tree_root(size, &reader).unwrap();
        let mut frontier = Frontier::new();
        for leaf in &leaves[..size as usize] {
            frontier.append(*leaf);
        }
        assert_eq!(frontier.root(), root);
        for index in 0..size {
            let proof = inclusion_proof(index, size, &reader).unwrap();
            verify_inclusion(index, size, &leaves[index as usize], &proof, &root).unwrap();
        }
        for old in 1..=size {
            let old_root = tree_root(old, &reader).unwrap();
            let proof = consistency_proof(old, size, &reader).unwrap();
            verify_consistency(old, size, &old_root, &root, &proof).unwrap();
        }
    }
}
