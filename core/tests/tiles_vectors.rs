//! Every file under `testdata/vectors/tiles/` run against `docket_core::tiles`, and
//! proofs computed through `TileHashReader` compared with a full in-memory tree at sizes
//! that cross tile boundaries.

mod merkle_support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use docket_core::merkle::{
    self, Frontier, Hash, HashReader, NodeId, consistency_proof, inclusion_proof, leaf_hash,
    tree_root, verify_consistency, verify_inclusion,
};
use docket_core::tiles::{
    Bundle, Tile, TileError, TileHashReader, TilePath, decode_entry_bundle, decode_tile,
    encode_entry_bundle, encode_tile, format_tile_index, new_tiles, parse_tile_index,
    parse_tile_path, tiles_for, tree_tiles,
};
use merkle_support::{MemoryTree, hex_hash, hex_hashes, leaf_hashes, load_json};
use serde_json::Value;
use sha2::{Digest, Sha256};

#[test]
fn tile_index_encoding() {
    let v = load_json("tiles/tile-paths.json");
    let enc = &v["index_encoding"];
    let cases: Vec<&Value> = enc["literal"]
        .as_array()
        .unwrap()
        .iter()
        .chain(enc["derived"].as_array().unwrap())
        .collect();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let n = case["N"].as_u64().unwrap();
        let text = case["path_element"].as_str().unwrap();
        assert_eq!(format_tile_index(n), text);
        assert_eq!(parse_tile_index(text), Ok(n));
    }
}

#[test]
fn tile_paths_both_ways() {
    let v = load_json("tiles/tile-paths.json");
    let cases = v["tile_paths_derived"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for case in cases {
        let path = case["path"].as_str().unwrap();
        let n = case["N"].as_u64().unwrap();
        let w = u16::try_from(case["W"].as_u64().unwrap()).unwrap();
        let expected = if case["entries"] == true {
            TilePath::Entries(Bundle::new(n, w).unwrap())
        } else {
            let level = u8::try_from(case["L"].as_u64().unwrap()).unwrap();
            TilePath::Hashes(Tile::new(level, n, w).unwrap())
        };
        assert_eq!(expected.path(), path);
        assert_eq!(parse_tile_path(path), Ok(expected));
    }
}

/// x/mod's sumdb paths carry the tile height (`tile/H/L/N`) and call entry tiles `data`;
/// a C2SP log must not accept (or emit) those shapes.
#[test]
fn go_sumdb_paths_are_rejected() {
    let v = load_json("tiles/tile-paths.json");
    let cases = v["go_sumdb_tile_paths_literal"]["vectors"]
        .as_array()
        .unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let path = case["path"].as_str().unwrap();
        assert!(parse_tile_path(path).is_err(), "{path} must not parse");
    }
    assert_eq!(
        parse_tile_path("tile/4/0/001"),
        Err(TileError::BadIndexGroup { group: "0".into() })
    );
    assert_eq!(
        parse_tile_path("tile/1/data/x003/x057/500"),
        Err(TileError::BadIndexGroup {
            group: "data".into()
        })
    );
}

/// (full tiles, partial width) per level, as `tree_tiles` reports them.
fn shape(size: u64) -> BTreeMap<u8, (u64, Option<Tile>)> {
    let mut levels: BTreeMap<u8, (u64, Option<Tile>)> = BTreeMap::new();
    for tile in tree_tiles(size) {
        let entry = levels.entry(tile.level()).or_default();
        if tile.is_full() {
            assert!(entry.1.is_none(), "full tiles come before the partial one");
            assert_eq!(tile.index(), entry.0, "full tiles are numbered from 0");
            entry.0 += 1;
        } else {
            assert!(
                entry.1.replace(tile).is_none(),
                "one partial tile per level"
            );
        }
    }
    levels
}

#[test]
fn tiles_for_tree_sizes() {
    let v = load_json("tiles/tile-paths.json");
    let sets = &v["tiles_for_tree_size"];

    // The spec's two examples, transcribed from their text.
    let literal = sets["literal"].as_array().unwrap();
    assert_eq!(literal.len(), 2);
    let t = |l, n, w| Tile::new(l, n, w).unwrap();
    let expected: HashMap<u64, BTreeMap<u8, (u64, Option<Tile>)>> = HashMap::from([
        (
            70000,
            BTreeMap::from([
                (0, (273, Some(t(0, 273, 112)))),
                (1, (1, Some(t(1, 1, 17)))),
                (2, (0, Some(t(2, 0, 1)))),
            ]),
        ),
        (
            256,
            BTreeMap::from([(0, (1, None)), (1, (0, Some(t(1, 0, 1))))]),
        ),
    ]);
    for case in literal {
        let size = case["tree_size"].as_u64().unwrap();
        let text = case["text"].as_str().unwrap();
        let levels = shape(size);
        assert_eq!(levels, expected[&size], "{text}");
        for partial in levels.values().filter_map(|(_, p)| *p) {
            let width = partial.width();
            assert!(text.contains(&format!("width {width}")), "{text}");
        }
    }

    let derived = sets["derived"].as_array().unwrap();
    assert_eq!(derived.len(), 11);
    let mut sizes = Vec::new();
    for case in derived {
        let size = case["tree_size"].as_u64().unwrap();
        sizes.push(size);
        let levels = shape(size);
        let want = case["levels"].as_object().unwrap();
        assert_eq!(levels.len(), want.len(), "levels of {size}");
        for (level, w) in want {
            let (full, partial) = levels[&level.parse::<u8>().unwrap()];
            assert_eq!(full, w["full_tiles"].as_u64().unwrap(), "{size} L{level}");
            match &w["partial"] {
                Value::Null => assert_eq!(partial, None, "{size} L{level}"),
                p => {
                    let tile = partial.unwrap();
                    assert_eq!(tile.index(), p["index"].as_u64().unwrap());
                    assert_eq!(u64::from(tile.width()), p["width"].as_u64().unwrap());
                    assert_eq!(tile.path(), p["path"].as_str().unwrap());
                }
            }
        }
        // Bundles are the level-0 tiles' twins.
        let bundles: Vec<Bundle> = tree_tiles(size).iter().filter_map(Tile::bundle).collect();
        let eb = &case["entry_bundles"];
        let full = bundles.iter().filter(|b| b.is_full()).count() as u64;
        assert_eq!(full, eb["full_bundles"].as_u64().unwrap());
        let partial: Vec<&Bundle> = bundles.iter().filter(|b| !b.is_full()).collect();
        match &eb["partial"] {
            Value::Null => assert!(partial.is_empty()),
            p => {
                assert_eq!(partial.len(), 1);
                assert_eq!(partial[0].path(), p["path"].as_str().unwrap());
                assert_eq!(u64::from(partial[0].width()), p["width"].as_u64().unwrap());
            }
        }
        if let Some(paths) = case["all_paths"].as_array() {
            let ours: Vec<String> = tree_tiles(size).iter().map(Tile::path).collect();
            let theirs: Vec<&str> = paths.iter().map(|p| p.as_str().unwrap()).collect();
            assert_eq!(ours, theirs);
        }
    }
    // What a log writes when it grows between the listed sizes: exactly the new set
    // minus the old set.
    for (i, &old) in sizes.iter().enumerate() {
        for &new in &sizes[i..] {
            let before: BTreeSet<Tile> = tree_tiles(old).into_iter().collect();
            let after: BTreeSet<Tile> = tree_tiles(new).into_iter().collect();
            let written: BTreeSet<Tile> = new_tiles(old, new).unwrap().into_iter().collect();
            assert_eq!(written, &after - &before, "{old} -> {new}");
        }
    }
}

/// A hash store filled only from what `Frontier::append` reports, like the log's.
struct AppendedNodes(HashMap<NodeId, Hash>);

impl HashReader for AppendedNodes {
    type Error = NodeId;
    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, NodeId> {
        nodes
            .iter()
            .map(|n| self.0.get(n).copied().ok_or(*n))
            .collect()
    }
}

#[test]
fn tiles_600_entries() {
    let v = load_json("tiles/tiles-600-entries.json");
    let size = v["tree_size"].as_u64().unwrap();
    assert_eq!(size, 600);
    let entries: Vec<Vec<u8>> = (0..size)
        .map(|i| format!("leaf {i}").into_bytes())
        .collect();

    let mut frontier = Frontier::new();
    let mut store = AppendedNodes(HashMap::new());
    for entry in &entries {
        store.0.extend(frontier.append(leaf_hash(entry)));
    }
    let root = frontier.root();
    assert_eq!(root, hex_hash(&v["root_hex"]));
    assert_eq!(
        v["checkpoint_body_for_origin_example.com/test"]
            .as_str()
            .unwrap(),
        format!("example.com/test\n{size}\n{}\n", root.to_base64())
    );

    // Produce every tile and entry bundle of the log, as the log server would.
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut tiles: BTreeMap<Tile, Vec<u8>> = BTreeMap::new();
    for tile in tree_tiles(size) {
        let bytes = encode_tile(&store.read_hashes(&tile.nodes()).unwrap());
        if let Some(bundle) = tile.bundle() {
            let range = bundle.entries();
            let bundle_bytes =
                encode_entry_bundle(&entries[range.start as usize..range.end as usize]).unwrap();
            files.insert(bundle.path(), bundle_bytes);
        }
        files.insert(tile.path(), bytes.clone());
        tiles.insert(tile, bytes);
    }
    let want = v["files"].as_object().unwrap();
    assert_eq!(
        files.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "exactly these files (no level-2 tile at 600)"
    );
    for (path, w) in want {
        let bytes = &files[path];
        assert!(matches!(parse_tile_path(path), Ok(p) if p.path() == *path));
        assert_eq!(bytes.len() as u64, w["bytes"].as_u64().unwrap(), "{path}");
        if let Some(digest) = w.get("sha256_of_file") {
            assert_eq!(
                hex::encode(Sha256::digest(bytes)),
                digest.as_str().unwrap(),
                "{path}"
            );
        }
        if let Some(full) = w.get("hex") {
            assert_eq!(hex::encode(bytes), full.as_str().unwrap(), "{path}");
        }
        if let Some(first) = w.get("first_hash") {
            assert_eq!(hex::encode(&bytes[..32]), first.as_str().unwrap());
            let last = w["last_hash"].as_str().unwrap();
            assert_eq!(hex::encode(&bytes[bytes.len() - 32..]), last);
        }
        if let Some(prefix) = w.get("first_32_bytes_hex") {
            assert_eq!(hex::encode(&bytes[..32]), prefix.as_str().unwrap());
        }
        // Every bundle decodes back to its entries, which hash to its level-0 tile.
        if let Ok(TilePath::Entries(bundle)) = parse_tile_path(path) {
            let decoded = bundle.decode(bytes).unwrap();
            let r = bundle.entries();
            assert_eq!(decoded, entries[r.start as usize..r.end as usize]);
            let hashes: Vec<Hash> = decoded.iter().map(|e| leaf_hash(e)).collect();
            assert_eq!(
                decode_tile(&bundle.tile(), &tiles[&bundle.tile()]).unwrap(),
                hashes
            );
        }
    }

    // The root from tiles: 600 = 512 + 64 + 16 + 8 needs only the two partial tiles.
    let reader = TileHashReader::new(size, &tiles);
    assert_eq!(tree_root(size, &reader).unwrap(), root);
    let needed = tiles_for(size, &merkle::range_nodes(0..size)).unwrap();
    let paths: Vec<String> = needed.iter().map(Tile::path).collect();
    assert_eq!(paths, ["tile/0/002.p/88", "tile/1/000.p/2"]);

    let proof = inclusion_proof(300, size, &reader).unwrap();
    assert_eq!(proof, hex_hashes(&v["inclusion_proof_index_300"]));
    verify_inclusion(300, size, &leaf_hash(&entries[300]), &proof, &root).unwrap();

    let old_root = tree_root(256, &reader).unwrap();
    assert_eq!(old_root, hex_hash(&v["root_at_256_hex"]));
    let proof = consistency_proof(256, size, &reader).unwrap();
    assert_eq!(proof, hex_hashes(&v["consistency_proof_256_to_600"]));
    verify_consistency(256, size, &old_root, &root, &proof).unwrap();
}

#[test]
fn rfc6962_8_leaves_entry_bundle() {
    let v = load_json("tiles/tiles-600-entries.json");
    let case = &v["rfc6962_8_leaves_entry_bundle"];
    let leaves: Vec<Vec<u8>> = load_json("merkle/rfc6962-8-leaves.json")["leaves_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| hex::decode(l.as_str().unwrap()).unwrap())
        .collect();
    assert!(
        leaves[0].is_empty(),
        "the first entry is empty: prefix 0000"
    );

    let bundle = Bundle::for_tree_size(0, 8).unwrap();
    assert_eq!(bundle.path(), case["path"].as_str().unwrap());
    let bytes = encode_entry_bundle(&leaves).unwrap();
    assert_eq!(hex::encode(&bytes), case["hex"].as_str().unwrap());
    assert_eq!(bundle.decode(&bytes).unwrap(), leaves);
    assert_eq!(decode_entry_bundle(&bytes).unwrap(), leaves);

    let tile = bundle.tile();
    assert_eq!(tile.path(), case["level0_tile_path"].as_str().unwrap());
    let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
    assert_eq!(
        hex::encode(encode_tile(&hashes)),
        case["level0_tile_hex"].as_str().unwrap()
    );
}

/// Sizes around tile boundaries: proofs through `TileHashReader` over exactly the planned
/// tiles equal proofs from the full tree.
#[test]
fn tile_proofs_match_full_tree() {
    let leaves = leaf_hashes(70_000, 7);
    let tree = MemoryTree::new(&leaves);
    for size in [
        1u64, 2, 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, 70_000,
    ] {
        let all_tiles = tree.tiles(size);
        let full_reader = TileHashReader::new(size, &all_tiles);
        let root = tree_root(size, &tree).unwrap();
        assert_eq!(tree_root(size, &full_reader).unwrap(), root, "root {size}");

        let mut indexes: Vec<u64> = vec![0, 1, 255, 256, 257, size / 2, size - 2, size - 1];
        indexes.retain(|i| *i < size);
        for index in indexes {
            let expected = inclusion_proof(index, size, &tree).unwrap();
            let nodes =
                merkle::nodes_for_ranges(&merkle::inclusion_proof_ranges(index, size).unwrap());
            let planned = only(&all_tiles, &tiles_for(size, &nodes).unwrap());
            let reader = TileHashReader::new(size, &planned);
            assert_eq!(
                inclusion_proof(index, size, &reader).unwrap(),
                expected,
                "{index}/{size}"
            );
            verify_inclusion(index, size, &tree.leaf(index), &expected, &root).unwrap();
        }

        let mut olds: Vec<u64> = vec![1, 2, 255, 256, 257, 65_536, size / 3, size - 1, size];
        olds.retain(|o| (1..=size).contains(o));
        for old in olds {
            let expected = consistency_proof(old, size, &tree).unwrap();
            let ranges = merkle::consistency_proof_ranges(old, size).unwrap();
            let planned = only(
                &all_tiles,
                &tiles_for(size, &merkle::nodes_for_ranges(&ranges)).unwrap(),
            );
            let reader = TileHashReader::new(size, &planned);
            assert_eq!(
                consistency_proof(old, size, &reader).unwrap(),
                expected,
                "{old}->{size}"
            );
            let old_root = tree_root(old, &full_reader).unwrap();
            verify_consistency(old, size, &old_root, &root, &expected).unwrap();
        }
    }
}

/// The subset of `all` named by `wanted`; every wanted tile must be there.
fn only(all: &BTreeMap<Tile, Vec<u8>>, wanted: &[Tile]) -> BTreeMap<Tile, Vec<u8>> {
    wanted.iter().map(|t| (*t, all[t].clone())).collect()
}

/// A reader for a smaller tree can use the full tile when the partial one is missing;
/// a tampered tile gives a root that does not match the checkpoint's.
#[test]
fn tile_reader_fallback_and_tampering() {
    let leaves = leaf_hashes(1024, 3);
    let tree = MemoryTree::new(&leaves);
    let big = tree.tiles(1024);
    // Size 300 wants tile/0/001.p/44 and tile/1/000.p/1; give it only full tiles where
    // possible.
    let mut tiles: BTreeMap<Tile, Vec<u8>> = big
        .iter()
        .filter(|(t, _)| t.level() == 0)
        .map(|(t, b)| (*t, b.clone()))
        .collect();
    let reader = TileHashReader::new(300, &tiles);
    let missing = Tile::new(1, 0, 1).unwrap();
    assert!(matches!(
        tree_root(300, &reader),
        Err(merkle::TreeError::Read(TileError::MissingTile { tile })) if tile == missing
    ));
    tiles.insert(missing, encode_tile(&[tree.levels[8][0]]));
    let reader = TileHashReader::new(300, &tiles);
    let root = tree_root(300, &tree).unwrap();
    assert_eq!(tree_root(300, &reader).unwrap(), root);

    let victim = Tile::new(0, 1, 256).unwrap();
    tiles.get_mut(&victim).unwrap()[40] ^= 1;
    let reader = TileHashReader::new(300, &tiles);
    assert_ne!(tree_root(300, &reader).unwrap(), root);
}
