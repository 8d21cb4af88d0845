//! Every file under `testdata/vectors/merkle/` run against `docket_core::merkle`:
//! the RFC 6962 8-leaf tree, hasher known answers, real CT (argon2020) proofs, and all
//! transparency-dev probes. Caveats from `testdata/vectors/README.md` are handled where
//! they apply and commented.

mod merkle_support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::merkle::{
    self, Frontier, Hash, MerkleError, consistency_proof, empty_root, inclusion_proof,
    inclusion_proof_len, leaf_hash, node_hash, tree_root, verify_consistency, verify_inclusion,
};
use merkle_support::{MemoryTree, hex_hash, hex_hashes, json_files_under, load_json};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[test]
fn rfc6962_8_leaves() {
    let v = load_json("merkle/rfc6962-8-leaves.json");
    let leaves: Vec<Vec<u8>> = v["leaves_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| hex::decode(l.as_str().unwrap()).unwrap())
        .collect();
    let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(hashes, hex_hashes(&v["leaf_hashes"]));

    let tree = MemoryTree::new(&hashes);
    let by_level = v["node_hashes_by_level"].as_array().unwrap();
    assert_eq!(by_level.len(), tree.levels.len());
    for (level, expected) in by_level.iter().enumerate() {
        assert_eq!(tree.levels[level], hex_hashes(expected), "level {level}");
    }

    let roots = v["roots_by_size"].as_object().unwrap();
    assert_eq!(roots.len(), 9);
    let root_at = |size: u64| hex_hash(&roots[&size.to_string()]);
    let mut frontier = Frontier::new();
    for size in 0..=8u64 {
        assert_eq!(frontier.root(), root_at(size), "frontier root at {size}");
        assert_eq!(
            tree_root(size, &tree).unwrap(),
            root_at(size),
            "tree_root {size}"
        );
        if size < 8 {
            frontier.append(hashes[size as usize]);
        }
    }

    let literal = v["inclusion_proofs_literal"].as_array().unwrap();
    let derived = v["inclusion_proofs_all_derived"].as_array().unwrap();
    assert_eq!((literal.len(), derived.len()), (5, 36));
    for case in literal.iter().chain(derived) {
        let index = case["leaf_index"].as_u64().unwrap();
        let size = case["tree_size"].as_u64().unwrap();
        let proof = hex_hashes(&case["proof"]);
        assert_eq!(
            inclusion_proof(index, size, &tree).unwrap(),
            proof,
            "{case}"
        );
        let leaf = hashes[index as usize];
        if let Some(given) = case.get("leaf_hash") {
            assert_eq!(hex_hash(given), leaf);
            assert_eq!(hex_hash(&case["root"]), root_at(size));
        }
        verify_inclusion(index, size, &leaf, &proof, &root_at(size)).unwrap();
    }

    let literal = v["consistency_proofs_literal"].as_array().unwrap();
    let derived = v["consistency_proofs_all_derived"].as_array().unwrap();
    assert_eq!((literal.len(), derived.len()), (5, 36));
    for case in literal.iter().chain(derived) {
        let old = case["size1"].as_u64().unwrap();
        let new = case["size2"].as_u64().unwrap();
        let proof = hex_hashes(&case["proof"]);
        assert_eq!(consistency_proof(old, new, &tree).unwrap(), proof, "{case}");
        if let Some(root1) = case.get("root1") {
            assert_eq!(hex_hash(root1), root_at(old));
            assert_eq!(hex_hash(&case["root2"]), root_at(new));
        }
        verify_consistency(old, new, &root_at(old), &root_at(new), &proof).unwrap();
    }
}

#[test]
fn hasher_known_answers() {
    let v = load_json("merkle/hasher.json");
    let vectors = v["vectors"].as_array().unwrap();
    let mut checked = 0;
    for case in vectors {
        if let Some(root) = case.get("root_hex") {
            assert_eq!(empty_root(), hex_hash(root));
            checked += 1;
        } else if let Some(expected) = case.get("node_hash_hex") {
            // The vector hashes 4-byte "children", which `node_hash(&Hash, &Hash)` cannot
            // take. Check the construction SHA-256(0x01 || left || right) on the raw bytes,
            // then that `node_hash` is that construction on 32-byte children.
            let left = hex::decode(case["left_hex"].as_str().unwrap()).unwrap();
            let right = hex::decode(case["right_hex"].as_str().unwrap()).unwrap();
            let raw = |l: &[u8], r: &[u8]| -> [u8; 32] {
                Sha256::new()
                    .chain_update([0x01])
                    .chain_update(l)
                    .chain_update(r)
                    .finalize()
                    .into()
            };
            assert_eq!(Hash(raw(&left, &right)), hex_hash(expected));
            let (a, b) = (leaf_hash(&left), leaf_hash(&right));
            assert_eq!(node_hash(&a, &b), Hash(raw(&a.0, &b.0)));
            checked += 1;
        } else {
            let leaf = hex::decode(case["leaf_hex"].as_str().unwrap()).unwrap();
            assert_eq!(leaf_hash(&leaf), hex_hash(&case["leaf_hash_hex"]), "{case}");
            if let Some(b64) = case.get("leaf_hash_b64") {
                assert_eq!(
                    Hash::from_base64(b64.as_str().unwrap()).unwrap(),
                    leaf_hash(&leaf)
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 5);
    // The empty leaf's hash is not the empty tree's root.
    assert_ne!(leaf_hash(b""), empty_root());
}

#[test]
fn ct_argon2020_large_tree() {
    let v = load_json("merkle/ct-argon2020-large-tree.json");
    let b64 = |x: &Value| Hash::from_base64(x.as_str().unwrap()).unwrap();
    let size = v["tree_size"].as_u64().unwrap();
    let root = b64(&v["root"]);

    let inc = &v["inclusion"];
    let index = inc["leaf_index"].as_u64().unwrap();
    let input = BASE64
        .decode(inc["leaf_input_b64"].as_str().unwrap())
        .unwrap();
    let leaf = leaf_hash(&input);
    assert_eq!(leaf, b64(&inc["leaf_hash"]));
    let proof: Vec<Hash> = inc["proof"].as_array().unwrap().iter().map(b64).collect();
    assert_eq!(inclusion_proof_len(index, size), 30);
    verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
    assert_rejects_mutations_inclusion(index, size, &leaf, &proof, &root);

    let con = &v["consistency"];
    let old = con["size1"].as_u64().unwrap();
    assert_eq!(con["size2"].as_u64().unwrap(), size);
    assert_eq!(b64(&con["root2"]), root);
    let old_root = b64(&con["root1"]);
    let proof: Vec<Hash> = con["proof"].as_array().unwrap().iter().map(b64).collect();
    assert_eq!(merkle::consistency_proof_len(old, size), 30);
    verify_consistency(old, size, &old_root, &root, &proof).unwrap();
    for i in 0..proof.len() {
        let mut bad = proof.clone();
        bad[i].0[i % 32] ^= 0x80;
        assert!(verify_consistency(old, size, &old_root, &root, &bad).is_err());
    }
    assert!(verify_consistency(old, size, &root, &old_root, &proof).is_err());
    assert!(verify_consistency(old, size, &old_root, &root, &proof[1..]).is_err());
}

fn assert_rejects_mutations_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) {
    for i in 0..proof.len() {
        let mut bad = proof.to_vec();
        bad[i].0[31 - i % 32] ^= 1;
        assert_eq!(
            verify_inclusion(index, size, leaf, &bad, root),
            Err(MerkleError::RootMismatch)
        );
    }
    assert!(verify_inclusion(index + 1, size, leaf, proof, root).is_err());
    assert!(verify_inclusion(index, size, leaf, &proof[..proof.len() - 1], root).is_err());
}

/// What a probe byte string decodes to: a 32-byte hash, or the reason we cannot take it.
fn probe_hash(value: &Value) -> Option<Hash> {
    let bytes = BASE64.decode(value.as_str()?).ok()?;
    Hash::from_slice(&bytes).ok()
}

/// A probe's proof: `null` means empty; `None` if any element is not a 32-byte hash.
fn probe_proof(value: &Value) -> Option<Vec<Hash>> {
    match value {
        Value::Null => Some(vec![]),
        Value::Array(items) => items.iter().map(probe_hash).collect(),
        _ => panic!("proof is neither null nor an array"),
    }
}

/// Runs one inclusion or consistency probe; `Err` means our verifier rejected it.
fn run_probe(kind: &str, p: &Value) -> Result<(), String> {
    let u = |k: &str| p[k].as_u64().unwrap_or_else(|| panic!("{k} is a u64"));
    match kind {
        "inclusion" => {
            // Caveat 3: empty or wrong-length hashes are rejected before verifying.
            let (Some(leaf), Some(root), Some(proof)) = (
                probe_hash(&p["leafHash"]),
                probe_hash(&p["root"]),
                probe_proof(&p["proof"]),
            ) else {
                return Err("length-rejected".into());
            };
            verify_inclusion(u("leafIdx"), u("treeSize"), &leaf, &proof, &root)
                .map_err(|e| e.to_string())
        }
        "consistency" => {
            // Caveat 1: roots that are not 32 bytes ("don't care") cannot be a `Hash`.
            let (Some(root1), Some(root2), Some(proof)) = (
                probe_hash(&p["root1"]),
                probe_hash(&p["root2"]),
                probe_proof(&p["proof"]),
            ) else {
                return Err("length-rejected".into());
            };
            verify_consistency(u("size1"), u("size2"), &root1, &root2, &proof)
                .map_err(|e| e.to_string())
        }
        "subtreeinclusion" => {
            // No sign-subtree here, but a valid subtree [start, end) is an ordinary tree of
            // end − start leaves, so leaf i of it is leaf i − start of that tree. An invalid
            // range (empty, reversed, unaligned, overflowing) is an error.
            let (start, end, index) = (u("start"), u("end"), u("leafIdx"));
            let aligned = start < end
                && end
                    .checked_sub(start)
                    .and_then(|len| len.checked_next_power_of_two())
                    .is_some_and(|pow| start % pow == 0);
            if !aligned || !(start..end).contains(&index) {
                return Err("invalid subtree or leaf outside it".into());
            }
            let (Some(leaf), Some(root), Some(proof)) = (
                probe_hash(&p["leafHash"]),
                probe_hash(&p["root"]),
                probe_proof(&p["proof"]),
            ) else {
                return Err("length-rejected".into());
            };
            verify_inclusion(index - start, end - start, &leaf, &proof, &root)
                .map_err(|e| e.to_string())
        }
        other => unreachable!("not a verifiable probe kind: {other}"),
    }
}

/// Every transparency-dev probe file is read. Inclusion and consistency probes must give
/// the expected outcome, except where README caveat 1 forces a length rejection. Subtree
/// inclusion probes are checked through the equivalence above. Subtree consistency probes
/// with start = 0 and end > 0 are plain consistency proofs from size `end` and are checked;
/// the rest (start > 0, or empty subtrees) need the plants-draft subtree algorithm behind
/// `sign-subtree`, which Docket does not implement, so they are only parsed.
#[test]
fn transparency_dev_probes() {
    let files = json_files_under("merkle/transparency-dev-probes");
    assert_eq!(files.len(), 518, "probe files found");
    let mut checked = 0;
    let mut parse_only = 0;
    let mut unexpected = Vec::new();
    for file in &files {
        let probe = load_json(file);
        let kind = file.split('/').nth(2).unwrap();
        let want_err = probe["wantErr"].as_bool().unwrap();
        assert!(probe["desc"].is_string(), "{file}");
        let result = match kind {
            "subtreeconsistency" => {
                for key in ["start", "end", "size"] {
                    assert!(probe[key].is_u64(), "{file}: {key}");
                }
                if probe["start"] != 0 || probe["end"] == 0 {
                    parse_only += 1;
                    continue;
                }
                let proof = probe_proof(&probe["proof"]);
                match (
                    probe_hash(&probe["root1"]),
                    probe_hash(&probe["root2"]),
                    proof,
                ) {
                    (Some(r1), Some(r2), Some(proof)) => {
                        let u = |k: &str| probe[k].as_u64().unwrap();
                        verify_consistency(u("end"), u("size"), &r1, &r2, &proof)
                            .map_err(|e| e.to_string())
                    }
                    _ => Err("length-rejected".into()),
                }
            }
            _ => run_probe(kind, &probe),
        };
        checked += 1;
        if result.is_err() != want_err {
            unexpected.push(format!("{file}: {result:?}"));
        }
    }
    // Caveat 1: this probe (and its subtree twin, start 0, end 1) accepts equal sizes
    // 1 = 1 with equal 12-byte "roots". Our verifier is typed on 32-byte hashes, so it is
    // length-rejected (the judgement call the README allows). Nothing else may disagree.
    let caveat = |dir: &str| {
        format!(
            "merkle/transparency-dev-probes/{dir}/additional/\
             sizes-are-equal-one-and-proof-is-empty.json: Err(\"length-rejected\")"
        )
    };
    assert_eq!(
        unexpected,
        vec![caveat("consistency"), caveat("subtreeconsistency")]
    );
    assert_eq!(checked + parse_only, files.len());
    assert_eq!(parse_only, 27);
}

/// Caveat 2: transparency-dev rejects every consistency proof from size 0, even 0 → 0.
/// Docket follows the digest's §2.3 instead: equal sizes need an empty proof and equal
/// roots, checked before the size-0 rule, so 0 → 0 with the same root is accepted, while
/// 0 → n (n > 0) is `EmptyOldTree`. (The probe for 0 → 0 uses 12-byte roots, so it is
/// length-rejected above either way.) The witness's `old 0` rule lives elsewhere.
#[test]
fn consistency_from_size_zero() {
    let e = empty_root();
    assert_eq!(verify_consistency(0, 0, &e, &e, &[]), Ok(()));
    assert_eq!(
        verify_consistency(0, 0, &e, &leaf_hash(b""), &[]),
        Err(MerkleError::RootMismatch)
    );
    assert!(verify_consistency(0, 0, &e, &e, &[e]).is_err());
    assert_eq!(
        verify_consistency(0, 1, &e, &leaf_hash(b""), &[]),
        Err(MerkleError::EmptyOldTree)
    );
    assert_eq!(
        merkle::consistency_proof_ranges(0, 5),
        Err(MerkleError::EmptyOldTree)
    );
}
