//! Tile and entry-bundle coordinates and their tlog-tiles paths (digest §7.2).
//!
//! ```text
//! tile/<L>/<N>[.p/<W>]        L: 0..=63, decimal, no leading zeros
//! tile/entries/<N>[.p/<W>]    W: 1..=255, decimal, no leading zeros; absent when full
//! N: 1234067 → x001/x234/067  3-digit zero-padded groups, x on all but the last
//! ```
//!
//! Parsing is strict: only the one canonical spelling of a coordinate is accepted, so
//! `parse(p).path() == p` for every accepted `p`.

use std::fmt;
use std::ops::Range;

use super::{FULL_WIDTH, MAX_TILE_LEVEL, TILE_HEIGHT, TileError};
use crate::checkpoint::parse_canonical_u64;
use crate::merkle::NodeId;

/// A hash tile: tile level `level`, index `index`, holding `width` hashes (256 = full).
///
/// Every `Tile` value is valid: width in 1..=256, level at most 63, and small enough to
/// fit in a tree of fewer than 2^64 leaves.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

/// An entry bundle: entries `[256·index, 256·index + width)` (width 256 = full).
///
/// Every `Bundle` value is valid: width in 1..=256, last entry index below 2^64 − 1.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Bundle {
    index: u64,
    width: u16,
}

/// What a tlog-tiles request path names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TilePath {
    /// `tile/<L>/<N>[.p/<W>]`: Merkle hashes.
    Hashes(Tile),
    /// `tile/entries/<N>[.p/<W>]`: an entry bundle.
    Entries(Bundle),
}

impl Tile {
    /// A tile coordinate; rejects widths outside 1..=256, levels above 63 and tiles no
    /// tree of fewer than 2^64 leaves can hold.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Tile, TileError> {
        check_width(width)?;
        if level > MAX_TILE_LEVEL {
            return Err(TileError::LevelOutOfRange {
                level: level.into(),
            });
        }
        let beyond = TileError::BeyondMaxTreeSize {
            level,
            index,
            width,
        };
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        if shift >= 64 {
            return Err(beyond);
        }
        // The tile exists in a tree of size n iff (N·256 + W)·256^L ≤ n ≤ 2^64 − 1.
        let end = (u128::from(index) * u128::from(FULL_WIDTH) + u128::from(width)) << shift;
        if end > u128::from(u64::MAX) {
            return Err(beyond);
        }
        Ok(Tile {
            level,
            index,
            width,
        })
    }

    /// Tile (`level`, `index`) as the tree of `size` leaves has it: full, or the partial
    /// rightmost tile of its level. `None` if that tree has no such tile.
    pub fn for_tree_size(level: u8, index: u64, size: u64) -> Option<Tile> {
        let shift = u32::from(level) * u32::from(TILE_HEIGHT);
        // Stored hashes at tree level 8·L: one per complete 256^L-leaf block.
        let count = size.checked_shr(shift).unwrap_or(0);
        let start = u128::from(index) * u128::from(FULL_WIDTH);
        let available = u128::from(count).checked_sub(start)?;
        if available == 0 {
            return None;
        }
        let width = available.min(u128::from(FULL_WIDTH));
        Some(Tile {
            level,
            index,
            width: u16::try_from(width).expect("at most 256"),
        })
    }

    /// The tile level (tree level `8 × level`).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The index within the level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of hashes held, 1..=256.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether this is a full (256-hash) tile, served without a `.p/` suffix.
    pub fn is_full(&self) -> bool {
        self.width == FULL_WIDTH
    }

    /// Whether every hash of this tile exists in the tree of `size` leaves, so a log of
    /// that size can serve it (a partial tile of an older, smaller checkpoint included).
    pub fn is_in_tree(&self, size: u64) -> bool {
        Tile::for_tree_size(self.level, self.index, size).is_some_and(|t| self.width <= t.width)
    }

    /// The stored Merkle nodes this tile holds, in order: `NodeId { level: 8·L, index:
    /// N·256 + i }` for `i` in `0..W`.
    pub fn nodes(&self) -> Vec<NodeId> {
        let level = self.level * TILE_HEIGHT;
        let first = self.index * u64::from(FULL_WIDTH);
        (0..u64::from(self.width))
            .map(|i| NodeId {
                level,
                index: first + i,
            })
            .collect()
    }

    /// The entry bundle that goes with a level-0 tile (same index and width); `None`
    /// above level 0.
    pub fn bundle(&self) -> Option<Bundle> {
        (self.level == 0).then_some(Bundle {
            index: self.index,
            width: self.width,
        })
    }

    /// The request path, `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tile/{}/", self.level)?;
        write_index_width(f, self.index, self.width)
    }
}

impl Bundle {
    /// A bundle coordinate; rejects widths outside 1..=256 and bundles reaching past
    /// entry 2^64 − 2 (the last index of the largest possible tree).
    pub fn new(index: u64, width: u16) -> Result<Bundle, TileError> {
        Tile::new(0, index, width).map(|t| Bundle {
            index: t.index,
            width: t.width,
        })
    }

    /// Bundle `index` as the tree of `size` leaves has it; `None` if there is none.
    pub fn for_tree_size(index: u64, size: u64) -> Option<Bundle> {
        Tile::for_tree_size(0, index, size).and_then(|t| t.bundle())
    }

    /// The index.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The number of entries held, 1..=256.
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether this is a full (256-entry) bundle.
    pub fn is_full(&self) -> bool {
        self.width == FULL_WIDTH
    }

    /// Whether all of this bundle's entries exist in the tree of `size` leaves.
    pub fn is_in_tree(&self, size: u64) -> bool {
        self.tile().is_in_tree(size)
    }

    /// The log indexes of the entries held.
    pub fn entries(&self) -> Range<u64> {
        let start = self.index * u64::from(FULL_WIDTH);
        start..start + u64::from(self.width)
    }

    /// The level-0 tile holding these entries' leaf hashes.
    pub fn tile(&self) -> Tile {
        Tile {
            level: 0,
            index: self.index,
            width: self.width,
        }
    }

    /// The request path, `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Bundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tile/entries/")?;
        write_index_width(f, self.index, self.width)
    }
}

impl TilePath {
    /// The request path.
    pub fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for TilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TilePath::Hashes(tile) => tile.fmt(f),
            TilePath::Entries(bundle) => bundle.fmt(f),
        }
    }
}

/// Parses a request path (relative to the log prefix, no leading `/`) such as
/// `tile/0/x001/234.p/7` or `tile/entries/000`. Only the canonical spelling is accepted.
pub fn parse_tile_path(path: &str) -> Result<TilePath, TileError> {
    let rest = path
        .strip_prefix("tile/")
        .ok_or_else(|| TileError::NotTilePath { path: path.into() })?;
    let parsed = if let Some(rest) = rest.strip_prefix("entries/") {
        let (index, width) = parse_index_width(rest)?;
        TilePath::Entries(Bundle::new(index, width)?)
    } else {
        let (level_text, rest) = rest
            .split_once('/')
            .ok_or_else(|| TileError::BadLevel { text: rest.into() })?;
        let level = parse_canonical_u64(level_text).ok_or_else(|| TileError::BadLevel {
            text: level_text.into(),
        })?;
        let level = u8::try_from(level)
            .ok()
            .filter(|l| *l <= MAX_TILE_LEVEL)
            .ok_or(TileError::LevelOutOfRange { level })?;
        let (index, width) = parse_index_width(rest)?;
        TilePath::Hashes(Tile::new(level, index, width)?)
    };
    debug_assert_eq!(parsed.path(), path, "parsing accepts canonical paths only");
    Ok(parsed)
}

/// Formats a tile index as 3-digit groups: 0 → `000`, 1234067 → `x001/x234/067`.
pub fn format_tile_index(index: u64) -> String {
    let digits = index.to_string();
    let padded = format!("{}{digits}", "0".repeat((3 - digits.len() % 3) % 3));
    let groups: Vec<&str> = padded
        .as_bytes()
        .chunks(3)
        .map(|g| std::str::from_utf8(g).expect("ASCII digits"))
        .collect();
    let (last, rest) = groups.split_last().expect("at least one digit");
    let mut out = String::with_capacity(padded.len() * 5 / 3);
    for group in rest {
        out.push('x');
        out.push_str(group);
        out.push('/');
    }
    out.push_str(last);
    out
}

/// Parses the canonical 3-digit-group form of a tile index (see [`format_tile_index`]).
pub fn parse_tile_index(text: &str) -> Result<u64, TileError> {
    let groups: Vec<&str> = text.split('/').collect();
    let (last, rest) = groups.split_last().expect("split yields at least one item");
    let mut value: u64 = 0;
    let digits_of = |group: &str, prefixed: bool| -> Result<u64, TileError> {
        let digits = if prefixed {
            group.strip_prefix('x')
        } else {
            Some(group)
        };
        match digits {
            Some(d) if d.len() == 3 && d.bytes().all(|b| b.is_ascii_digit()) => {
                Ok(d.bytes().fold(0, |acc, b| acc * 10 + u64::from(b - b'0')))
            }
            _ => Err(TileError::BadIndexGroup {
                group: group.into(),
            }),
        }
    };
    for (position, group) in rest.iter().enumerate() {
        let digits = digits_of(group, true)?;
        if position == 0 && digits == 0 {
            return Err(TileError::NonCanonicalIndex { text: text.into() });
        }
        value = value
            .checked_mul(1000)
            .and_then(|v| v.checked_add(digits))
            .ok_or_else(|| TileError::IndexOverflow { text: text.into() })?;
    }
    let digits = digits_of(last, false)?;
    value
        .checked_mul(1000)
        .and_then(|v| v.checked_add(digits))
        .ok_or_else(|| TileError::IndexOverflow { text: text.into() })
}

/// Writes `<N>` and, for a partial width, `.p/<W>`.
fn write_index_width(f: &mut fmt::Formatter<'_>, index: u64, width: u16) -> fmt::Result {
    f.write_str(&format_tile_index(index))?;
    if width != FULL_WIDTH {
        write!(f, ".p/{width}")?;
    }
    Ok(())
}

/// Splits `<N>[.p/<W>]` into an index and a width (256 when there is no suffix).
fn parse_index_width(text: &str) -> Result<(u64, u16), TileError> {
    let Some((index_text, width_text)) = text.split_once(".p/") else {
        return Ok((parse_tile_index(text)?, FULL_WIDTH));
    };
    let index = parse_tile_index(index_text)?;
    let width = parse_canonical_u64(width_text).ok_or_else(|| TileError::BadWidth {
        text: width_text.into(),
    })?;
    match u16::try_from(width) {
        Ok(w) if (1..FULL_WIDTH).contains(&w) => Ok((index, w)),
        _ => Err(TileError::BadPartialWidth { width }),
    }
}

/// Rejects widths outside 1..=256.
fn check_width(width: u16) -> Result<(), TileError> {
    if width == 0 || width > FULL_WIDTH {
        return Err(TileError::WidthOutOfRange {
            width: width.into(),
        });
    }
    Ok(())
}
