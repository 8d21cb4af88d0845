//! c2sp.org/tlog-tiles (digest §7): tile and entry-bundle coordinates and paths, which
//! tiles a tree of a given size has, which tiles a log writes as it grows, which tiles a
//! client needs for a set of Merkle nodes, a [`merkle::HashReader`] over fetched tiles,
//! and the entry-bundle byte format. Pure: no disk, network or clock.
//!
//! # Tiles
//!
//! A tile is a run of up to 256 consecutive stored hashes at one *tile level*; tile
//! level `L` holds the perfect-subtree hashes at tree level `8·L`:
//!
//! ```text
//! tile (L, N, W)  holds  NodeId { level: 8·L, index: N·256 + i }  for i in 0..W
//! bytes:          hash_0 ‖ hash_1 ‖ … ‖ hash_{W-1}      (32·W bytes, no framing)
//! path:           tile/<L>/<N>          when W = 256 (a full tile)
//!                 tile/<L>/<N>.p/<W>    when 1 ≤ W ≤ 255 (the rightmost, partial tile)
//! ```
//!
//! `N` is written in 3-digit zero-padded groups, most significant first, every group but
//! the last prefixed with `x`: 1234067 → `x001/x234/067`. Tree levels between multiples
//! of 8 are never stored; they are rebuilt by hashing inside one tile.
//!
//! # Entry bundles
//!
//! `tile/entries/<N>[.p/<W>]` holds entries `[256·N, 256·N + W)`, each as a big-endian
//! `u16` length followed by the bytes. Entry `i` of a bundle hashes (RFC 6962 leaf hash)
//! to hash `i` of level-0 tile `N`.
//!
//! Out of scope: HTTP (status codes, caching headers, gzip), fetching and storing tiles,
//! and authenticating them, which is done by checking the root or proof computed from
//! them against a verified checkpoint (see [`TileHashReader`]).
//!
//! [`merkle::HashReader`]: crate::merkle::HashReader

mod bundle;
mod path;
mod plan;
mod reader;

pub use bundle::{MAX_ENTRY_SIZE, decode_entry_bundle, encode_entry_bundle};
pub use path::{Bundle, Tile, TilePath, format_tile_index, parse_tile_index, parse_tile_path};
pub use plan::{new_tiles, tile_for_node, tiles_for, tree_tiles};
pub use reader::{TileHashReader, TileReader, decode_tile, encode_tile};

use crate::merkle::NodeId;

/// Tree levels per tile level: a tile is a perfect subtree of height 8 (tlog-tiles fixes
/// the height, so unlike Go's sumdb it is not part of the path).
pub const TILE_HEIGHT: u8 = 8;

/// Hashes in a full tile, and entries in a full entry bundle (2^[`TILE_HEIGHT`]).
pub const FULL_WIDTH: u16 = 256;

/// The largest tile level a path may name (tlog-tiles: `L` is 0–63). Only levels 0–7 can
/// hold anything in a tree of fewer than 2^64 leaves.
pub const MAX_TILE_LEVEL: u8 = 63;

/// What was wrong with a tile or bundle coordinate, a request path, tile bytes, or an
/// entry bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// A tile or bundle width outside 1..=256.
    #[error("tile width {width} is not in 1..=256")]
    WidthOutOfRange {
        /// The width given.
        width: u64,
    },
    /// A tile level above [`MAX_TILE_LEVEL`].
    #[error("tile level {level} is above 63")]
    LevelOutOfRange {
        /// The level given.
        level: u64,
    },
    /// The tile or bundle would reach past leaf 2^64 − 1, so no tree can hold it.
    #[error("tile level {level} index {index} width {width} lies beyond any tree of < 2^64 leaves")]
    BeyondMaxTreeSize {
        /// The tile level (0 for an entry bundle).
        level: u8,
        /// The tile or bundle index.
        index: u64,
        /// The width.
        width: u16,
    },
    /// The path does not start with `tile/`.
    #[error("{path:?} is not a tile path (no \"tile/\" prefix)")]
    NotTilePath {
        /// The path given.
        path: String,
    },
    /// The level segment is not a decimal number without leading zeros.
    #[error("tile level {text:?} is not a decimal number without leading zeros")]
    BadLevel {
        /// The level segment.
        text: String,
    },
    /// A group of the index is not `xDDD` (all but the last) or `DDD` (the last).
    #[error("tile index group {group:?} is not three digits, x-prefixed unless last")]
    BadIndexGroup {
        /// The offending group (possibly empty).
        group: String,
    },
    /// The index has a leading all-zero group (`x000/…`), so it is not canonical.
    #[error("tile index {text:?} has a leading zero group")]
    NonCanonicalIndex {
        /// The index segments.
        text: String,
    },
    /// The index does not fit in a `u64`.
    #[error("tile index {text:?} does not fit in 64 bits")]
    IndexOverflow {
        /// The index segments.
        text: String,
    },
    /// The `.p/` width is not a decimal number without leading zeros (this also catches
    /// trailing junk after the path).
    #[error("partial width {text:?} is not a decimal number without leading zeros")]
    BadWidth {
        /// Everything after `.p/`.
        text: String,
    },
    /// The `.p/` width is 0 or at least 256: a full tile never carries the suffix.
    #[error("partial width {width} is not in 1..=255 (full tiles have no .p/ suffix)")]
    BadPartialWidth {
        /// The width given.
        width: u64,
    },
    /// A consistency-style request from a larger size to a smaller one.
    #[error("old tree size {old} is larger than new tree size {new}")]
    SizesOutOfOrder {
        /// The old size.
        old: u64,
        /// The new size.
        new: u64,
    },
    /// A Merkle node that the tree of this size does not (yet) contain.
    #[error("node {node:?} is not in a tree of size {size}")]
    NodeNotInTree {
        /// The node asked for.
        node: NodeId,
        /// The tree size.
        size: u64,
    },
    /// A tile needed for the computation is not in the tile map.
    #[error("tile {tile} is missing")]
    MissingTile {
        /// The tile that was needed.
        tile: Tile,
    },
    /// Tile bytes are not exactly 32 × width long.
    #[error("tile {tile} is {len} bytes, expected {}", 32 * usize::from(tile.width()))]
    WrongTileLength {
        /// The tile.
        tile: Tile,
        /// The length found.
        len: usize,
    },
    /// An entry bundle with no entries (empty tiles are never served).
    #[error("entry bundle has no entries")]
    EmptyBundle,
    /// An entry bundle with more than 256 entries.
    #[error("entry bundle has {count} entries, at most 256 allowed")]
    TooManyEntries {
        /// The number of entries (for decoding: the first one over the limit).
        count: usize,
    },
    /// An entry longer than [`MAX_ENTRY_SIZE`] cannot be framed with a `u16` length.
    #[error("entry {index} is {len} bytes, at most 65535 allowed")]
    EntryTooLarge {
        /// Its position in the bundle.
        index: usize,
        /// Its length.
        len: usize,
    },
    /// The bundle ends inside an entry's length prefix or body.
    #[error("entry bundle is truncated inside entry {entry}")]
    TruncatedBundle {
        /// The position of the cut entry.
        entry: usize,
    },
    /// The bundle holds fewer entries than its width says.
    #[error("entry bundle has {got} entries, expected {expected}")]
    WrongEntryCount {
        /// The bundle's width.
        expected: u16,
        /// The entries found.
        got: usize,
    },
    /// Bytes follow the last entry a bundle of this width holds.
    #[error("entry bundle has {count} bytes after its last entry")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

#[cfg(test)]
mod tests;
