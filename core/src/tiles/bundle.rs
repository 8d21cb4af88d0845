//! Entry bundles (digest §7.3): the bytes of `tile/entries/<N>[.p/<W>]`.
//!
//! ```text
//! len_0 (u16 big-endian) ‖ entry_0 ‖ len_1 ‖ entry_1 ‖ … ‖ len_{W-1} ‖ entry_{W-1}
//! ```
//!
//! No header and no count: the number of entries is the bundle's width, from its path.

use super::{Bundle, FULL_WIDTH, TileError};

/// The largest entry a bundle can hold: its length must fit the `u16` prefix
/// (c2sp.org/tlog-tiles; the spec leaves larger entries as a TODO).
pub const MAX_ENTRY_SIZE: usize = 65_535;

/// Length of an entry's size prefix.
const PREFIX_LEN: usize = 2;

/// Encodes 1..=256 entries, each at most [`MAX_ENTRY_SIZE`] bytes, as an entry bundle.
pub fn encode_entry_bundle<E: AsRef<[u8]>>(entries: &[E]) -> Result<Vec<u8>, TileError> {
    if entries.is_empty() {
        return Err(TileError::EmptyBundle);
    }
    if entries.len() > usize::from(FULL_WIDTH) {
        return Err(TileError::TooManyEntries {
            count: entries.len(),
        });
    }
    let total: usize = entries.iter().map(|e| PREFIX_LEN + e.as_ref().len()).sum();
    let mut out = Vec::with_capacity(total);
    for (index, entry) in entries.iter().enumerate() {
        let entry = entry.as_ref();
        if entry.len() > MAX_ENTRY_SIZE {
            return Err(TileError::EntryTooLarge {
                index,
                len: entry.len(),
            });
        }
        let len = u16::try_from(entry.len()).expect("checked against MAX_ENTRY_SIZE");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(entry);
    }
    Ok(out)
}

/// Decodes an entry bundle of unknown width: 1..=256 entries filling `bytes` exactly.
/// Prefer [`Bundle::decode`] when the bundle's path is known, which also checks the count.
pub fn decode_entry_bundle(bytes: &[u8]) -> Result<Vec<&[u8]>, TileError> {
    if bytes.is_empty() {
        return Err(TileError::EmptyBundle);
    }
    let mut entries = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        if entries.len() == usize::from(FULL_WIDTH) {
            return Err(TileError::TooManyEntries {
                count: entries.len() + 1,
            });
        }
        let (entry, after) = split_entry(rest, entries.len())?;
        entries.push(entry);
        rest = after;
    }
    Ok(entries)
}

impl Bundle {
    /// Decodes this bundle's bytes: exactly `width` entries and nothing after them.
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Result<Vec<&'a [u8]>, TileError> {
        let mut entries = Vec::with_capacity(usize::from(self.width()));
        let mut rest = bytes;
        while entries.len() < usize::from(self.width()) {
            if rest.is_empty() {
                return Err(TileError::WrongEntryCount {
                    expected: self.width(),
                    got: entries.len(),
                });
            }
            let (entry, after) = split_entry(rest, entries.len())?;
            entries.push(entry);
            rest = after;
        }
        if !rest.is_empty() {
            return Err(TileError::TrailingBytes { count: rest.len() });
        }
        Ok(entries)
    }
}

/// Splits one length-prefixed entry (number `position`) off the front of `bytes`.
fn split_entry(bytes: &[u8], position: usize) -> Result<(&[u8], &[u8]), TileError> {
    let truncated = TileError::TruncatedBundle { entry: position };
    let (prefix, rest) = bytes
        .split_at_checked(PREFIX_LEN)
        .ok_or(truncated.clone())?;
    let len = usize::from(u16::from_be_bytes([prefix[0], prefix[1]]));
    rest.split_at_checked(len).ok_or(truncated)
}
