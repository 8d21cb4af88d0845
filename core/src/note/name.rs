//! Key names, key IDs and signature types (signed-note §"Format", §"Signature types").

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::NoteError;

/// A signed-note key name: non-empty UTF-8 with no whitespace, no control character
/// and no `+` (signed-note §"Format").
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KeyName(String);

impl KeyName {
    /// Validates a key name.
    pub fn new(name: impl Into<String>) -> Result<KeyName, NoteError> {
        let name = name.into();
        let what = if name.is_empty() {
            "empty"
        } else if name.contains('+') {
            "contains '+'"
        } else if name.chars().any(char::is_whitespace) {
            "contains whitespace"
        } else if name.chars().any(char::is_control) {
            "contains a control character"
        } else {
            return Ok(KeyName(name));
        };
        Err(NoteError::InvalidKeyName { name, what })
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for KeyName {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<KeyName, NoteError> {
        KeyName::new(s)
    }
}

impl AsRef<str> for KeyName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A 4-byte key ID, big-endian; written as 8 lowercase hex digits in key texts.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct KeyId(pub u32);

impl KeyId {
    /// The standard rule: the first 4 bytes of SHA-256(name || 0x0A || type || key).
    pub fn standard(name: &KeyName, type_byte: u8, key: &[u8]) -> KeyId {
        let mut hasher = Sha256::new();
        hasher.update(name.as_str().as_bytes());
        hasher.update([b'\n', type_byte]);
        hasher.update(key);
        let digest = hasher.finalize();
        KeyId(u32::from_be_bytes([
            digest[0], digest[1], digest[2], digest[3],
        ]))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:08x}", self.0)
    }
}

/// A signature type from the signed-note registry (signed-note §"Signature types").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum KeyType {
    /// 0x01: Ed25519 over the note text. Logs sign checkpoints with it.
    Ed25519,
    /// 0x02: ECDSA (transparency-dev witness style); key ID = the first 4 bytes of SHA-256(SPKI).
    Ecdsa,
    /// 0x04: Ed25519 timestamped checkpoint cosignature (c2sp.org/tlog-cosignature).
    CosignatureV1,
    /// 0x05: RFC 6962 TreeHeadSignature (static-ct-api); key ID over SHA-256(SPKI).
    Rfc6962,
    /// 0x06: ML-DSA-44 timestamped (sub)tree cosignature.
    MlDsa44,
}

impl KeyType {
    /// The type byte that prefixes the key in a vkey.
    pub const fn byte(self) -> u8 {
        match self {
            KeyType::Ed25519 => 0x01,
            KeyType::Ecdsa => 0x02,
            KeyType::CosignatureV1 => 0x04,
            KeyType::Rfc6962 => 0x05,
            KeyType::MlDsa44 => 0x06,
        }
    }

    /// The type for a byte; `None` for reserved (0x03, 0xfa–0xfe), private (0xff) and
    /// unassigned bytes.
    pub const fn from_byte(byte: u8) -> Option<KeyType> {
        match byte {
            0x01 => Some(KeyType::Ed25519),
            0x02 => Some(KeyType::Ecdsa),
            0x04 => Some(KeyType::CosignatureV1),
            0x05 => Some(KeyType::Rfc6962),
            0x06 => Some(KeyType::MlDsa44),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            KeyType::Ed25519 => "Ed25519",
            KeyType::Ecdsa => "ECDSA",
            KeyType::CosignatureV1 => "cosignature/v1",
            KeyType::Rfc6962 => "RFC 6962 tree head",
            KeyType::MlDsa44 => "ML-DSA-44",
        };
        write!(f, "{name} (0x{:02x})", self.byte())
    }
}
