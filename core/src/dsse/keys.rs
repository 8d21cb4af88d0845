//! Participant keys: Ed25519 public keys, their key ids, and signing keys made from
//! 32-byte seeds (docs/architecture.md "Statements", "Files and command lines").
//!
//! A key id is the lowercase hex SHA-256 of the 32-byte public key. Public keys are
//! checked on construction: the bytes must decode to a curve point that is not of small
//! order, so a registered key can never verify a forged signature (RFC 8032 §5.1.7 and
//! ed25519-dalek's `verify_strict`).

use std::fmt;

use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// Size of an Ed25519 public key or seed in bytes (RFC 8032 §5.1.5).
pub const KEY_SIZE: usize = 32;
/// Size of an Ed25519 signature in bytes (RFC 8032 §5.1.6).
pub const SIGNATURE_SIZE: usize = 64;

/// Why bytes or text are not a usable key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is not lowercase hex.
    #[error("not lowercase hex")]
    NotLowercaseHex,
    /// The key has the wrong number of bytes.
    #[error("{found} bytes, expected {expected}")]
    WrongLength {
        /// The length required.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// The bytes are not the encoding of an Ed25519 curve point.
    #[error("not an Ed25519 public key")]
    NotAPoint,
    /// The point has small order: any signature would verify under it.
    #[error("a weak (small-order) Ed25519 public key")]
    WeakKey,
}

/// An Ed25519 public key, checked to be a usable curve point. JSON: lowercase hex.
///
/// It holds the decompressed point, not just the 32 bytes: decompression costs about as
/// much as a tenth of a verification, and a registered key verifies many statements.
/// Equality, hashing and order are those of the 32 bytes.
#[derive(Clone, Copy)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

/// A key id: SHA-256 of the 32-byte public key. JSON and text: lowercase hex (64 chars).
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct KeyId(pub Hash);

/// An Ed25519 signing key made from a 32-byte seed (the participant's key file holds the
/// seed in hex). Its `Debug` shows only the key id.
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl PublicKey {
    /// Checks and wraps 32 bytes.
    pub fn from_bytes(bytes: &[u8; KEY_SIZE]) -> Result<PublicKey, KeyError> {
        let key =
            ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| KeyError::NotAPoint)?;
        if key.is_weak() {
            return Err(KeyError::WeakKey);
        }
        Ok(PublicKey(key))
    }

    /// Parses lowercase hex of exactly 32 bytes (the `.pub` file, JSON fields).
    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        PublicKey::from_bytes(&decode_key_hex(text)?)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; KEY_SIZE] {
        self.0.as_bytes()
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.as_bytes())
    }

    /// The key id: SHA-256 of the 32 bytes.
    pub fn keyid(&self) -> KeyId {
        KeyId(Hash(Sha256::digest(self.as_bytes()).into()))
    }

    /// Checks an Ed25519 signature with RFC 8032's strict rules (canonical `S`, no
    /// small-order components), so one message has one valid signature per key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8; SIGNATURE_SIZE]) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0.verify_strict(message, &signature).is_ok()
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &PublicKey) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PublicKey {}

impl std::hash::Hash for PublicKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &PublicKey) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PublicKey {
    fn cmp(&self, other: &PublicKey) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl serde::Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<PublicKey, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        PublicKey::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

impl KeyId {
    /// Parses lowercase hex of exactly 32 bytes.
    pub fn from_hex(text: &str) -> Result<KeyId, KeyError> {
        let bytes = decode_lowercase_hex(text)?;
        Hash::from_slice(&bytes)
            .map(KeyId)
            .map_err(|_| KeyError::WrongLength {
                expected: KEY_SIZE,
                found: bytes.len(),
            })
    }

    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        self.0.to_hex()
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.to_hex())
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl SigningKey {
    /// The key for a 32-byte seed (RFC 8032 §5.1.5 private key).
    pub fn from_seed(seed: &[u8; KEY_SIZE]) -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// Parses the seed as lowercase hex of exactly 32 bytes (the key file's content,
    /// without its trailing newline).
    pub fn from_hex(text: &str) -> Result<SigningKey, KeyError> {
        Ok(SigningKey::from_seed(&decode_key_hex(text)?))
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        // A key derived from a seed is a valid point, and clamping keeps it out of the
        // small-order subgroup.
        PublicKey(self.0.verifying_key())
    }

    /// The key id of the public key.
    pub fn keyid(&self) -> KeyId {
        self.public_key().keyid()
    }

    /// An Ed25519 signature over `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; SIGNATURE_SIZE] {
        self.0.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey(keyid {})", self.keyid())
    }
}

/// Exactly 32 bytes of lowercase hex: a public key or a seed.
fn decode_key_hex(text: &str) -> Result<[u8; KEY_SIZE], KeyError> {
    let bytes = decode_lowercase_hex(text)?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyError::WrongLength {
            expected: KEY_SIZE,
            found: bytes.len(),
        })
}

/// Hex with no uppercase letters: one spelling per value.
fn decode_lowercase_hex(text: &str) -> Result<Vec<u8>, KeyError> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(KeyError::NotLowercaseHex);
    }
    hex::decode(text).map_err(|_| KeyError::NotLowercaseHex)
}
