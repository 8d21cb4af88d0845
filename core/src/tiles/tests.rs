//! Unit tests for coordinates, planners, the tile hash reader and entry bundles; paths are
//! in `tests/paths.rs`, vector files and proof comparisons in `core/tests/tiles_vectors.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proptest::prelude::*;

use super::*;
use crate::merkle::{self, Hash, HashReader, leaf_hash};

mod paths;

/// A tile the test knows is valid.
fn tile(level: u8, index: u64, width: u16) -> Tile {
    Tile::new(level, index, width).expect("valid test tile")
}

#[test]
fn coordinates_are_validated() {
    assert_eq!(
        Tile::new(0, 0, 0),
        Err(TileError::WidthOutOfRange { width: 0 })
    );
    assert_eq!(
        Tile::new(0, 0, 257),
        Err(TileError::WidthOutOfRange { width: 257 })
    );
    assert_eq!(
        Tile::new(64, 0, 1),
        Err(TileError::LevelOutOfRange { level: 64 })
    );
    assert_eq!(
        Bundle::new(0, 0),
        Err(TileError::WidthOutOfRange { width: 0 })
    );
    // The largest tiles that fit below 2^64 leaves.
    assert!(Tile::new(7, 0, 255).is_ok());
    assert!(Tile::new(7, 0, 256).is_err());
    assert!(Tile::new(0, (1 << 56) - 1, 255).is_ok());
    assert!(Tile::new(0, (1 << 56) - 1, 256).is_err());
    assert!(Bundle::new(u64::MAX, 1).is_err());
}

#[test]
fn tile_nodes_and_tree_membership() {
    let t = tile(1, 3, 5);
    let nodes = t.nodes();
    assert_eq!(nodes.len(), 5);
    assert_eq!(
        nodes[0],
        merkle::NodeId {
            level: 8,
            index: 768
        }
    );
    assert_eq!(
        nodes[4],
        merkle::NodeId {
            level: 8,
            index: 772
        }
    );
    assert_eq!(t.bundle(), None);

    let size = 70_000;
    assert_eq!(Tile::for_tree_size(0, 273, size), Some(tile(0, 273, 112)));
    assert_eq!(Tile::for_tree_size(0, 272, size), Some(tile(0, 272, 256)));
    assert_eq!(Tile::for_tree_size(0, 274, size), None);
    assert_eq!(Tile::for_tree_size(2, 0, size), Some(tile(2, 0, 1)));
    assert_eq!(Tile::for_tree_size(3, 0, size), None);
    assert_eq!(Tile::for_tree_size(63, 0, u64::MAX), None);
    assert_eq!(Tile::for_tree_size(7, 0, u64::MAX), Some(tile(7, 0, 255)));
    assert_eq!(Tile::for_tree_size(0, u64::MAX, u64::MAX), None);
    assert!(tile(0, 273, 100).is_in_tree(size));
    assert!(tile(0, 273, 112).is_in_tree(size));
    assert!(!tile(0, 273, 113).is_in_tree(size));
    assert!(!tile(0, 273, 256).is_in_tree(size));
    assert!(!tile(3, 0, 1).is_in_tree(size));
    assert_eq!(
        Bundle::for_tree_size(273, size).map(|b| b.entries()),
        Some(69_888..70_000)
    );
    assert!(Bundle::new(273, 112).expect("valid").is_in_tree(size));
    assert!(!Bundle::new(274, 1).expect("valid").is_in_tree(size));
}

#[test]
fn planners_edge_cases() {
    assert!(tree_tiles(0).is_empty());
    assert_eq!(new_tiles(5, 5), Ok(vec![]));
    assert_eq!(
        new_tiles(6, 5),
        Err(TileError::SizesOutOfOrder { old: 6, new: 5 })
    );
    assert_eq!(new_tiles(0, 1), Ok(vec![tile(0, 0, 1)]));
    // Growing within one partial tile rewrites only it; completing it adds the level above.
    assert_eq!(new_tiles(10, 20), Ok(vec![tile(0, 0, 20)]));
    assert_eq!(
        new_tiles(200, 256),
        Ok(vec![tile(0, 0, 256), tile(1, 0, 1)])
    );
    assert_eq!(
        new_tiles(255, 513),
        Ok(vec![
            tile(0, 0, 256),
            tile(0, 1, 256),
            tile(0, 2, 1),
            tile(1, 0, 2)
        ])
    );
    // The largest tree: one more leaf only touches the last level-0 tile.
    assert_eq!(
        new_tiles(u64::MAX - 1, u64::MAX),
        Ok(vec![tile(0, (1 << 56) - 1, 255)])
    );
    // Crossing 255·2^56 leaves completes level 7's first 255 hashes.
    let top = new_tiles((255 << 56) - 1, 255 << 56).expect("ordered");
    assert_eq!(top.last(), Some(&tile(7, 0, 255)));

    let not_in = merkle::NodeId { level: 3, index: 2 };
    assert_eq!(
        tile_for_node(23, not_in),
        Err(TileError::NodeNotInTree {
            node: not_in,
            size: 23
        })
    );
    assert_eq!(tile_for_node(24, not_in), Ok(tile(0, 0, 24)));
    let huge = merkle::NodeId {
        level: 200,
        index: 0,
    };
    assert!(tile_for_node(u64::MAX, huge).is_err());
    let edge = merkle::NodeId {
        level: 63,
        index: 1,
    };
    assert!(tile_for_node(u64::MAX, edge).is_err());
    // Level 9 nodes live in tile level 1, covering 2 of its hashes.
    assert_eq!(
        tile_for_node(
            70_000,
            merkle::NodeId {
                level: 9,
                index: 135
            }
        ),
        Ok(tile(1, 1, 17))
    );
    let past = merkle::NodeId {
        level: 9,
        index: 136,
    };
    assert_eq!(
        tile_for_node(70_000, past),
        Err(TileError::NodeNotInTree {
            node: past,
            size: 70_000
        })
    );
}

/// The set of tiles `new_tiles` names is exactly what `tree_tiles` gains, for every pair
/// of sizes up to 700 (crossing two level-0 boundaries and the first level-1 tile).
#[test]
fn new_tiles_is_the_difference() {
    let sets: Vec<BTreeSet<Tile>> = (0..=700)
        .map(|s| tree_tiles(s).into_iter().collect())
        .collect();
    for new in 0..=700u64 {
        for old in 0..=new {
            let written: BTreeSet<Tile> =
                new_tiles(old, new).expect("ordered").into_iter().collect();
            assert_eq!(
                written,
                &sets[new as usize] - &sets[old as usize],
                "{old}->{new}"
            );
        }
    }
}

/// Every tile of the tree over `leaves`, computing each stored node from the leaves.
fn tiles_of(leaves: &[Hash]) -> HashMap<Tile, Vec<u8>> {
    let node = |n: &merkle::NodeId| {
        let r = n.leaves();
        let mut level = leaves[r.start as usize..r.end as usize].to_vec();
        while level.len() > 1 {
            level = level
                .chunks(2)
                .map(|p| merkle::node_hash(&p[0], &p[1]))
                .collect();
        }
        level[0]
    };
    tree_tiles(leaves.len() as u64)
        .into_iter()
        .map(|t| {
            let hashes: Vec<Hash> = t.nodes().iter().map(node).collect();
            (t, encode_tile(&hashes))
        })
        .collect()
}

#[test]
fn tile_hash_reader_errors() {
    let leaves: Vec<Hash> = (0..300u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut tiles = tiles_of(&leaves);
    let reader = TileHashReader::new(300, &tiles);
    assert_eq!(reader.size(), 300);
    let node = merkle::NodeId {
        level: 2,
        index: 74,
    };
    assert_eq!(
        reader.read_hashes(&[node]).map(|h| h.len()),
        Ok(1),
        "node 296..300 is in tile/0/001.p/44"
    );
    let beyond = merkle::NodeId {
        level: 2,
        index: 75,
    };
    assert_eq!(
        reader.read_hashes(&[beyond]),
        Err(TileError::NodeNotInTree {
            node: beyond,
            size: 300
        })
    );

    let partial = tile(0, 1, 44);
    let mut short = tiles[&partial].clone();
    short.pop();
    tiles.insert(partial, short);
    let reader = TileHashReader::new(300, &tiles);
    assert_eq!(
        reader.read_hashes(&[node]),
        Err(TileError::WrongTileLength {
            tile: partial,
            len: 44 * 32 - 1
        })
    );
    tiles.remove(&partial);
    let reader = TileHashReader::new(300, &tiles);
    assert_eq!(
        reader.read_hashes(&[node]),
        Err(TileError::MissingTile { tile: partial })
    );
    // A full tile of the wrong length is rejected when used as a fallback too.
    tiles.insert(tile(0, 1, 256), vec![0; 44 * 32]);
    let reader = TileHashReader::new(300, &tiles);
    assert_eq!(
        reader.read_hashes(&[node]),
        Err(TileError::WrongTileLength {
            tile: tile(0, 1, 256),
            len: 44 * 32
        })
    );
    // Works the same over a BTreeMap.
    let sorted: BTreeMap<Tile, Vec<u8>> = tiles_of(&leaves).into_iter().collect();
    let reader = TileHashReader::new(300, &sorted);
    assert_eq!(
        merkle::tree_root(300, &reader).expect("all tiles present"),
        merkle::tree_root(300, &TileHashReader::new(300, &tiles_of(&leaves))).expect("present")
    );
}

#[test]
fn tile_bytes() {
    let hashes: Vec<Hash> = (0..3u8).map(|i| leaf_hash(&[i])).collect();
    let t = tile(0, 0, 3);
    let bytes = encode_tile(&hashes);
    assert_eq!(bytes.len(), 96);
    assert_eq!(decode_tile(&t, &bytes), Ok(hashes));
    assert_eq!(
        decode_tile(&t, &bytes[..95]),
        Err(TileError::WrongTileLength { tile: t, len: 95 })
    );
    assert_eq!(
        decode_tile(&tile(0, 0, 2), &bytes),
        Err(TileError::WrongTileLength {
            tile: tile(0, 0, 2),
            len: 96
        })
    );
}

#[test]
fn entry_bundle_encoding() {
    let empty: [&[u8]; 0] = [];
    assert_eq!(encode_entry_bundle(&empty), Err(TileError::EmptyBundle));
    assert_eq!(encode_entry_bundle(&[b"" as &[u8]]), Ok(vec![0, 0]));
    assert_eq!(
        encode_entry_bundle(&[b"ab" as &[u8], b"c"]),
        Ok(vec![0, 2, b'a', b'b', 0, 1, b'c'])
    );
    let max = vec![7u8; MAX_ENTRY_SIZE];
    let bytes = encode_entry_bundle(&[&max]).expect("65,535 bytes fit");
    assert_eq!(&bytes[..2], &[0xff, 0xff]);
    assert_eq!(decode_entry_bundle(&bytes), Ok(vec![&max[..]]));
    let too_big = vec![7u8; MAX_ENTRY_SIZE + 1];
    assert_eq!(
        encode_entry_bundle(&[&b"x"[..], &too_big]),
        Err(TileError::EntryTooLarge {
            index: 1,
            len: 65_536
        })
    );
    let many = vec![b"e".to_vec(); 257];
    assert_eq!(
        encode_entry_bundle(&many),
        Err(TileError::TooManyEntries { count: 257 })
    );
    let full = encode_entry_bundle(&many[..256]).expect("256 entries fit");
    assert_eq!(decode_entry_bundle(&full).map(|e| e.len()), Ok(256));
}

#[test]
fn entry_bundle_decoding_errors() {
    assert_eq!(decode_entry_bundle(&[]), Err(TileError::EmptyBundle));
    assert_eq!(
        decode_entry_bundle(&[0]),
        Err(TileError::TruncatedBundle { entry: 0 })
    );
    assert_eq!(
        decode_entry_bundle(&[0, 2, 1]),
        Err(TileError::TruncatedBundle { entry: 0 })
    );
    assert_eq!(
        decode_entry_bundle(&[0, 1, 1, 0]),
        Err(TileError::TruncatedBundle { entry: 1 })
    );
    let mut over = encode_entry_bundle(&vec![b"e".to_vec(); 256]).expect("fits");
    over.extend_from_slice(&[0, 0]);
    assert_eq!(
        decode_entry_bundle(&over),
        Err(TileError::TooManyEntries { count: 257 })
    );

    let two = encode_entry_bundle(&[b"ab" as &[u8], b""]).expect("fits");
    let bundle = |w| Bundle::new(0, w).expect("valid");
    assert_eq!(bundle(2).decode(&two), Ok(vec![&b"ab"[..], b""]));
    assert_eq!(
        bundle(3).decode(&two),
        Err(TileError::WrongEntryCount {
            expected: 3,
            got: 2
        })
    );
    assert_eq!(
        bundle(1).decode(&two),
        Err(TileError::TrailingBytes { count: 2 })
    );
    assert_eq!(
        bundle(2).decode(&two[..5]),
        Err(TileError::TruncatedBundle { entry: 1 })
    );
    assert_eq!(
        bundle(1).decode(&[]),
        Err(TileError::WrongEntryCount {
            expected: 1,
            got: 0
        })
    );
}

// Bundles and planners do more work per case: fewer cases.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn bundles_round_trip(entries in proptest::collection::vec(
        proptest::collection::vec(any::<u8>(), 0..300), 1..=256)) {
        let bytes = encode_entry_bundle(&entries).expect("within limits");
        let decoded = decode_entry_bundle(&bytes).expect("round trip");
        prop_assert_eq!(&decoded, &entries);
        let width = u16::try_from(entries.len()).expect("at most 256");
        prop_assert_eq!(Bundle::new(0, width).expect("valid").decode(&bytes), Ok(decoded));
        // Strict prefixes fail to decode as this bundle (a sample of cut points).
        for cut in (0..bytes.len()).step_by(1 + bytes.len() / 300) {
            prop_assert!(Bundle::new(0, width).expect("valid").decode(&bytes[..cut]).is_err());
        }
    }

    /// The planned tiles cover every node of the tree's root and proofs, and each node's
    /// tile is one of the tree's own tiles.
    #[test]
    fn planned_tiles_are_tree_tiles(size in 1u64..200_000, pick in any::<u64>()) {
        let all: BTreeSet<Tile> = tree_tiles(size).into_iter().collect();
        let index = pick % size;
        let old = 1 + pick % size;
        let mut nodes = merkle::range_nodes(0..size);
        nodes.extend(merkle::nodes_for_ranges(
            &merkle::inclusion_proof_ranges(index, size).expect("index < size")));
        nodes.extend(merkle::nodes_for_ranges(
            &merkle::consistency_proof_ranges(old, size).expect("0 < old <= size")));
        let planned = tiles_for(size, &nodes).expect("nodes in tree");
        for t in &planned {
            prop_assert!(all.contains(t), "{} not a tile of {}", t, size);
        }
        prop_assert!(planned.windows(2).all(|w| w[0] < w[1]));
    }
}
