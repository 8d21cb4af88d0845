//! c2sp.org/tlog-checkpoint (v1.0.0): the text of a checkpoint note. Pure: parsing
//! and formatting only; who signed it is [`crate::note`]'s and [`crate::policy`]'s job.
//!
//! ```text
//! <origin>\n                 non-empty, no control characters
//! <tree size>\n              canonical ASCII decimal u64 ("0" for the empty tree)
//! <base64(root hash)>\n      standard padded base64 of exactly 32 bytes
//! [<extension line>\n]*      opaque, each non-empty (Docket's log writes none)
//! ```
//!
//! Parsing is strict, so each checkpoint has exactly one text: `to_text(parse(x)) == x`.
//! Unlike transparency-dev/formats we reject roots that are not 32 bytes and empty
//! trailing lines.

use std::fmt;

use crate::merkle::{Hash, MerkleError};

/// What was wrong with a checkpoint text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// The text does not end with `\n` (every line, the last too, ends with one).
    #[error("checkpoint text does not end with a newline")]
    MissingFinalNewline,
    /// Fewer than the three mandatory lines.
    #[error("checkpoint has {lines} lines, needs at least 3")]
    TooFewLines {
        /// How many lines there were.
        lines: usize,
    },
    /// The origin line is empty.
    #[error("checkpoint origin is empty")]
    EmptyOrigin,
    /// A line holds a control character (CR, tab, ...).
    #[error("checkpoint line {line} holds a control character")]
    ControlCharacter {
        /// 1-based line number.
        line: usize,
    },
    /// The size is not canonical decimal (no sign, no leading zero) or overflows u64.
    #[error("checkpoint tree size is not a canonical decimal u64")]
    InvalidSize,
    /// The root is not standard base64 of 32 bytes.
    #[error("checkpoint root hash: {0}")]
    InvalidRoot(MerkleError),
    /// An extension line is empty (tlog-checkpoint: extension lines MUST be non-empty).
    #[error("checkpoint extension line {line} is empty")]
    EmptyExtensionLine {
        /// 1-based line number.
        line: usize,
    },
}

/// A checkpoint: origin, tree size, root hash and extension lines, all validated.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: Hash,
    extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(
        origin: impl Into<String>,
        size: u64,
        root: Hash,
    ) -> Result<Checkpoint, CheckpointError> {
        let origin = origin.into();
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        if has_control(&origin) {
            return Err(CheckpointError::ControlCharacter { line: 1 });
        }
        Ok(Checkpoint {
            origin,
            size,
            root,
            extensions: Vec::new(),
        })
    }

    /// The same checkpoint with these extension lines (each non-empty, no control
    /// characters). The tlog-checkpoint spec does not recommend them.
    pub fn with_extensions(
        mut self,
        extensions: Vec<String>,
    ) -> Result<Checkpoint, CheckpointError> {
        for (i, extension) in extensions.iter().enumerate() {
            check_extension(extension, i + 4)?;
        }
        self.extensions = extensions;
        Ok(self)
    }

    /// Parses a checkpoint text (a note's text, final `\n` included).
    pub fn parse(text: &str) -> Result<Checkpoint, CheckpointError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::MissingFinalNewline)?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else {
            return Err(CheckpointError::TooFewLines { lines: lines.len() });
        };
        for (i, line) in [origin, size, root].into_iter().enumerate() {
            if has_control(line) {
                return Err(CheckpointError::ControlCharacter { line: i + 1 });
            }
        }
        let size = parse_canonical_u64(size).ok_or(CheckpointError::InvalidSize)?;
        let root = Hash::from_base64(root).map_err(CheckpointError::InvalidRoot)?;
        let checkpoint = Checkpoint::new(*origin, size, root)?;
        checkpoint.with_extensions(extensions.iter().map(|e| (*e).to_owned()).collect())
    }

    /// The log's origin line (without its `\n`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 6962 root hash at that size.
    pub fn root(&self) -> &Hash {
        &self.root
    }

    /// The extension lines, without their `\n`.
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }

    /// The checkpoint text: what the log signs and witnesses cosign.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin)?;
        writeln!(f, "{}", self.size)?;
        writeln!(f, "{}", self.root.to_base64())?;
        for extension in &self.extensions {
            writeln!(f, "{extension}")?;
        }
        Ok(())
    }
}

/// Canonical ASCII decimal as the C2SP formats write numbers: digits only, no sign, no
/// leading zero (zero is `0`), within u64. The one parser for every C2SP number: tree
/// sizes here, tlog-tiles path elements, tlog-proof indexes, witness and policy fields.
pub(crate) fn parse_canonical_u64(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return None;
    }
    text.parse().ok()
}

/// Control characters below U+0020, which signed notes forbid (all but `\n`, and a
/// line holds no `\n`).
fn has_control(line: &str) -> bool {
    line.bytes().any(|b| b < 0x20)
}

fn check_extension(extension: &str, line: usize) -> Result<(), CheckpointError> {
    if extension.is_empty() {
        return Err(CheckpointError::EmptyExtensionLine { line });
    }
    if has_control(extension) {
        return Err(CheckpointError::ControlCharacter { line });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
