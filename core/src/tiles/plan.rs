//! Tile planners (digest §7.3–7.4): the tiles of a tree, the tiles a growing log writes,
//! and the tiles a client must fetch to compute a set of Merkle nodes. Pure arithmetic.

use super::{FULL_WIDTH, TILE_HEIGHT, Tile, TileError};
use crate::merkle::NodeId;

/// Every tile of the tree of `size` leaves, by level then index: at each tile level `L`
/// with `c = size >> 8L > 0` stored hashes, `c / 256` full tiles and, when `c % 256 != 0`,
/// one partial tile of width `c % 256`. Partial tiles are never hashed into the level
/// above. Size 0 has no tiles. The list has about `size / 255` tiles.
///
/// The entry bundles of the tree are the level-0 tiles' [`Tile::bundle`]s.
pub fn tree_tiles(size: u64) -> Vec<Tile> {
    level_tiles(0, size)
}

/// The tiles that appear or change when a log grows from `old` to `new` leaves: at each
/// level, every tile that became full (including the old partial one) and the new
/// partial tile. This is what the log writes with the checkpoint for `new` (x/mod's
/// `NewTiles`); it equals `tree_tiles(new)` minus `tree_tiles(old)`.
///
/// The entry bundles to write are the level-0 tiles' [`Tile::bundle`]s.
pub fn new_tiles(old: u64, new: u64) -> Result<Vec<Tile>, TileError> {
    if old > new {
        return Err(TileError::SizesOutOfOrder { old, new });
    }
    Ok(level_tiles(old, new))
}

/// The tile a client needs to compute `node` in the tree of `size` leaves: tile level
/// `⌊l/8⌋`, at the width that tree has. Nodes with `l % 8 != 0` are rebuilt by hashing
/// the 2^(l % 8) hashes they cover inside that tile.
pub fn tile_for_node(size: u64, node: NodeId) -> Result<Tile, TileError> {
    if !node_in_tree(node, size) {
        return Err(TileError::NodeNotInTree { node, size });
    }
    let (tile, _) = locate(node);
    Ok(Tile::for_tree_size(tile.0, tile.1, size).expect("a node in the tree lies in a tile"))
}

/// The distinct tiles needed to compute `nodes` in the tree of `size` leaves, sorted by
/// level then index. Feed it the nodes of a proof plan, e.g.
/// `merkle::nodes_for_ranges(&merkle::inclusion_proof_ranges(index, size)?)`, or
/// `merkle::range_nodes(0..size)` for the root.
pub fn tiles_for(size: u64, nodes: &[NodeId]) -> Result<Vec<Tile>, TileError> {
    let mut tiles = nodes
        .iter()
        .map(|node| tile_for_node(size, *node))
        .collect::<Result<Vec<_>, _>>()?;
    tiles.sort_unstable();
    tiles.dedup();
    Ok(tiles)
}

/// Whether the perfect subtree `node` is complete in the tree of `size` leaves.
fn node_in_tree(node: NodeId, size: u64) -> bool {
    // Computed in u128: a `NodeId` is plain data and may name a node past 2^64 leaves.
    node.level < 64 && (u128::from(node.index) + 1) << node.level <= u128::from(size)
}

/// Where `node` lives: (tile level, tile index) and the range of positions it covers in
/// that tile. `node` must satisfy [`node_in_tree`] for some size.
pub(super) fn locate(node: NodeId) -> ((u8, u64), std::ops::Range<usize>) {
    let tile_level = node.level / TILE_HEIGHT;
    let rest = u32::from(node.level % TILE_HEIGHT);
    // The stored hashes (tree level 8·L) under the node: [index·2^rest, (index+1)·2^rest).
    let first = node.index << rest;
    let full = u64::from(FULL_WIDTH);
    let start = usize::try_from(first % full).expect("below 256");
    ((tile_level, first / full), start..start + (1usize << rest))
}

/// The tiles of the tree of `new` leaves that the tree of `old` leaves lacks.
fn level_tiles(old: u64, new: u64) -> Vec<Tile> {
    let full = u64::from(FULL_WIDTH);
    let mut tiles = Vec::new();
    let mut level: u8 = 0;
    loop {
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        let new_count = new.checked_shr(shift).unwrap_or(0);
        if new_count == 0 {
            break;
        }
        let old_count = old.checked_shr(shift).unwrap_or(0);
        if old_count != new_count {
            // Tiles before old_count / 256 were already full; every later one is new.
            for index in old_count / full..new_count.div_ceil(full) {
                tiles.push(
                    Tile::for_tree_size(level, index, new).expect("index is below the count"),
                );
            }
        }
        level += 1;
    }
    tiles
}
