//! Tile bytes and a [`HashReader`] over fetched tiles (digest §7.3–7.4).

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

use super::plan::locate;
use super::{FULL_WIDTH, Tile, TileError, tile_for_node};
use crate::merkle::{HASH_SIZE, Hash, HashReader, NodeId, node_hash};

/// A source of tile bytes by coordinate, e.g. the tiles a client fetched.
///
/// Implemented for `HashMap<Tile, V>` and `BTreeMap<Tile, V>` with `V: AsRef<[u8]>`
/// (`Vec<u8>`, `bytes::Bytes`, ...).
pub trait TileReader {
    /// The bytes stored for exactly this tile (level, index and width), if any.
    fn read_tile(&self, tile: &Tile) -> Option<&[u8]>;
}

impl<V: AsRef<[u8]>, S: BuildHasher> TileReader for HashMap<Tile, V, S> {
    fn read_tile(&self, tile: &Tile) -> Option<&[u8]> {
        self.get(tile).map(AsRef::as_ref)
    }
}

impl<V: AsRef<[u8]>> TileReader for BTreeMap<Tile, V> {
    fn read_tile(&self, tile: &Tile) -> Option<&[u8]> {
        self.get(tile).map(AsRef::as_ref)
    }
}

/// Concatenates hashes into tile bytes (`32 × len` bytes). The caller passes exactly the
/// tile's width of hashes, read from storage with [`Tile::nodes`].
pub fn encode_tile(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.0).collect()
}

/// Splits tile bytes into its hashes, checking the length is exactly `32 × width`.
pub fn decode_tile(tile: &Tile, bytes: &[u8]) -> Result<Vec<Hash>, TileError> {
    check_len(tile, bytes)?;
    Ok(bytes
        .chunks_exact(HASH_SIZE)
        .map(|c| Hash(c.try_into().expect("chunks_exact yields 32 bytes")))
        .collect())
}

/// A [`HashReader`] for the tree of `size` leaves, backed by tiles: each requested node
/// is read from, or rebuilt by hashing inside, the tile that holds it at that size
/// ([`super::tile_for_node`]). If a partial tile is missing but the full tile with the
/// same level and index is present, the full tile's first hashes are used (tlog-tiles
/// lets clients fetch the full tile as a fallback).
///
/// **This reader does not authenticate anything.** Tiles are untrusted bytes from the
/// network; the reader only checks their length. A root, inclusion proof or consistency
/// proof computed through it means nothing until it is checked against a checkpoint
/// whose signatures were verified: compare [`crate::merkle::tree_root`] with the
/// checkpoint's root, or pass the proof to [`crate::merkle::verify_inclusion`] /
/// [`crate::merkle::verify_consistency`] with the checkpoint's root. A tampered tile then
/// yields a root or proof that fails that check (SHA-256 collision resistance). Only after
/// that check may the fetched tiles be trusted or cached.
///
/// Errors: [`TileError::NodeNotInTree`] for a node the tree of `size` lacks,
/// [`TileError::MissingTile`] and [`TileError::WrongTileLength`].
#[derive(Debug)]
pub struct TileHashReader<'a, T: ?Sized> {
    size: u64,
    tiles: &'a T,
}

impl<'a, T: TileReader + ?Sized> TileHashReader<'a, T> {
    /// A reader for the tree of `size` leaves over `tiles`.
    pub fn new(size: u64, tiles: &'a T) -> TileHashReader<'a, T> {
        TileHashReader { size, tiles }
    }

    /// The tree size this reader computes for.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The hashes of `tile` (its bytes at that width, or the full tile's prefix).
    fn tile_bytes(&self, tile: &Tile) -> Result<&'a [u8], TileError> {
        if let Some(bytes) = self.tiles.read_tile(tile) {
            check_len(tile, bytes)?;
            return Ok(bytes);
        }
        if !tile.is_full() {
            let full = Tile::new(tile.level(), tile.index(), FULL_WIDTH).ok();
            if let Some((full, bytes)) = full.and_then(|f| Some((f, self.tiles.read_tile(&f)?))) {
                check_len(&full, bytes)?;
                return Ok(&bytes[..usize::from(tile.width()) * HASH_SIZE]);
            }
        }
        Err(TileError::MissingTile { tile: *tile })
    }
}

impl<T: TileReader + ?Sized> HashReader for TileHashReader<'_, T> {
    type Error = TileError;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, TileError> {
        nodes
            .iter()
            .map(|node| {
                let tile = tile_for_node(self.size, *node)?;
                let (_, positions) = locate(*node);
                let bytes = self.tile_bytes(&tile)?;
                let covered = &bytes[positions.start * HASH_SIZE..positions.end * HASH_SIZE];
                Ok(perfect_subtree_hash(covered))
            })
            .collect()
    }
}

/// The root of the perfect subtree whose leaves are the 2^k hashes in `bytes`.
fn perfect_subtree_hash(bytes: &[u8]) -> Hash {
    let mut level: Vec<Hash> = bytes
        .chunks_exact(HASH_SIZE)
        .map(|c| Hash(c.try_into().expect("chunks_exact yields 32 bytes")))
        .collect();
    debug_assert!(level.len().is_power_of_two());
    while level.len() > 1 {
        level = level
            .chunks_exact(2)
            .map(|pair| node_hash(&pair[0], &pair[1]))
            .collect();
    }
    level[0]
}

/// Checks tile bytes are exactly `32 × width` long.
fn check_len(tile: &Tile, bytes: &[u8]) -> Result<(), TileError> {
    if bytes.len() != usize::from(tile.width()) * HASH_SIZE {
        return Err(TileError::WrongTileLength {
            tile: *tile,
            len: bytes.len(),
        });
    }
    Ok(())
}
