//! c2sp.org/tlog-cosignature: Ed25519 `cosignature/v1` lines (signature type 0x04), the
//! statement a witness adds to a checkpoint: "as of this time, the largest consistent
//! tree I have seen for this origin has this root". Pure: the time is an argument.
//!
//! ```text
//! signature line bytes:  key ID (4) || timestamp (u64 big-endian, ≤ 2^63-1) || Ed25519 (64)
//! signed message:        cosignature/v1\n
//!                        time <timestamp, canonical decimal>\n
//!                        <the checkpoint text, every line with its \n>
//! ```
//!
//! The key ID is computed with type byte 0x04, so a key's cosignature lines and its
//! plain note lines never match the same vkey. The message does not name the cosigner:
//! cosigners that make different statements need different keys. Also here: the
//! ML-DSA-44 `subtree/v1` message layout (type 0x06), message bytes only — we neither
//! sign nor verify ML-DSA.

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::merkle::Hash;
use crate::note::{KeyName, KeyType, Signature, SignerKey, VerifierKey};
use crate::time::UnixSeconds;

/// The first line of the cosignature/v1 signed message.
pub const COSIGNATURE_V1_HEADER: &str = "cosignature/v1\n";

/// The largest timestamp a cosignature/v1 may carry (2^63 - 1, so it fits a signed
/// 64-bit integer everywhere).
pub const MAX_TIMESTAMP: UnixSeconds = UnixSeconds(i64::MAX as u64);

/// The 12-byte label that starts an ML-DSA-44 `subtree/v1` message.
pub const SUBTREE_V1_LABEL: &[u8; 12] = b"subtree/v1\n\0";

/// Bytes after the key ID in a cosignature/v1 line: timestamp and Ed25519 signature.
const COSIGNATURE_V1_LEN: usize = 8 + 64;

/// Longest cosigner name or origin in a `subtree/v1` message (a u8 length prefix).
const SUBTREE_FIELD_MAX: usize = 255;

/// What was wrong with a cosignature or with a request to make one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CosignatureError {
    /// The key is not a cosignature/v1 (0x04) key.
    #[error("a {key_type} key cannot make or check cosignature/v1 lines")]
    WrongKeyType {
        /// The key's type.
        key_type: KeyType,
    },
    /// A witness must never return a zero timestamp (tlog-witness).
    #[error("cosignature timestamp is zero")]
    ZeroTimestamp,
    /// The timestamp is above 2^63 - 1.
    #[error("cosignature timestamp {} is above 2^63-1", timestamp.0)]
    TimestampTooLarge {
        /// The timestamp found or asked for.
        timestamp: UnixSeconds,
    },
    /// The text to cosign is not a checkpoint; a witness key signs nothing else.
    #[error("cosigned text is not a checkpoint: {0}")]
    NotACheckpoint(#[from] CheckpointError),
    /// The line's key name or key ID is not the key's.
    #[error("signature line is not from this key")]
    KeyMismatch,
    /// The line does not hold 8 + 64 bytes after the key ID.
    #[error("cosignature/v1 holds {len} bytes after the key ID, expected 72")]
    WrongLength {
        /// The length found.
        len: usize,
    },
    /// The line's base64 is not canonical, so it cannot be a valid signature.
    #[error("signature line base64 is not canonical")]
    NonCanonicalEncoding,
    /// The Ed25519 signature does not verify over the message.
    #[error("cosignature does not verify")]
    InvalidSignature,
    /// A `subtree/v1` field is empty or longer than 255 bytes.
    #[error("subtree/v1 {field} is {len} bytes, must be 1..=255")]
    FieldLength {
        /// `"cosigner name"` or `"origin"`.
        field: &'static str,
        /// The length given.
        len: usize,
    },
    /// A `subtree/v1` signature over a range not starting at 0 must have timestamp 0.
    #[error("subtree/v1 timestamp must be 0 when start is not 0")]
    SubtreeTimestamp,
}

/// The exact bytes a cosignature/v1 signs: header, time line, then the checkpoint text.
pub fn signed_message(checkpoint_text: &str, timestamp: UnixSeconds) -> Vec<u8> {
    format!(
        "{COSIGNATURE_V1_HEADER}time {}\n{checkpoint_text}",
        timestamp.0
    )
    .into_bytes()
}

/// Cosigns a checkpoint text at `timestamp` with a 0x04 key, giving the line to return
/// or append. The text must parse as a checkpoint, and the timestamp must be in
/// 1..=2^63-1 (tlog-witness forbids 0 in responses).
pub fn sign(
    key: &SignerKey,
    checkpoint_text: &str,
    timestamp: UnixSeconds,
) -> Result<Signature, CosignatureError> {
    if key.key_type() != KeyType::CosignatureV1 {
        return Err(CosignatureError::WrongKeyType {
            key_type: key.key_type(),
        });
    }
    if timestamp.0 == 0 {
        return Err(CosignatureError::ZeroTimestamp);
    }
    if timestamp > MAX_TIMESTAMP {
        return Err(CosignatureError::TimestampTooLarge { timestamp });
    }
    Checkpoint::parse(checkpoint_text)?;
    let ed25519 = key.sign_bytes(&signed_message(checkpoint_text, timestamp));
    let mut bytes = Vec::with_capacity(COSIGNATURE_V1_LEN);
    bytes.extend_from_slice(&timestamp.0.to_be_bytes());
    bytes.extend_from_slice(&ed25519);
    Ok(Signature::new(key.name().clone(), key.key_id(), bytes)
        .expect("a cosignature is 72 bytes, never empty"))
}

/// Verifies a cosignature/v1 line from `key` over a checkpoint text and returns its
/// timestamp. A zero timestamp is accepted here (only witness responses forbid it);
/// whether a time is plausible is the caller's policy.
pub fn verify(
    key: &VerifierKey,
    checkpoint_text: &str,
    signature: &Signature,
) -> Result<UnixSeconds, CosignatureError> {
    if key.key_type() != KeyType::CosignatureV1 {
        return Err(CosignatureError::WrongKeyType {
            key_type: key.key_type(),
        });
    }
    if signature.name() != key.name() || signature.key_id() != key.key_id() {
        return Err(CosignatureError::KeyMismatch);
    }
    if !signature.is_canonical() {
        return Err(CosignatureError::NonCanonicalEncoding);
    }
    let timestamp = unverified_timestamp(signature)?;
    let message = signed_message(checkpoint_text, timestamp);
    if !key.verify_ed25519(&message, &signature.signature()[8..]) {
        return Err(CosignatureError::InvalidSignature);
    }
    Ok(timestamp)
}

/// The timestamp a cosignature/v1 line claims, without checking the signature.
pub fn unverified_timestamp(signature: &Signature) -> Result<UnixSeconds, CosignatureError> {
    let bytes = signature.signature();
    if bytes.len() != COSIGNATURE_V1_LEN {
        return Err(CosignatureError::WrongLength { len: bytes.len() });
    }
    let mut be = [0u8; 8];
    be.copy_from_slice(&bytes[..8]);
    let timestamp = UnixSeconds(u64::from_be_bytes(be));
    if timestamp > MAX_TIMESTAMP {
        return Err(CosignatureError::TimestampTooLarge { timestamp });
    }
    Ok(timestamp)
}

/// The ML-DSA-44 (type 0x06) `subtree/v1` signed message: label, u8-length-prefixed
/// cosigner name, u64 timestamp, u8-length-prefixed origin, u64 start, u64 end (exclusive)
/// and the subtree hash; integers big-endian. A checkpoint cosignature has start 0 and
/// end = tree size; a subtree with start ≠ 0 must have timestamp 0.
pub fn subtree_v1_message(
    cosigner: &KeyName,
    timestamp: UnixSeconds,
    origin: &str,
    start: u64,
    end: u64,
    hash: &Hash,
) -> Result<Vec<u8>, CosignatureError> {
    let name = cosigner.as_str().as_bytes();
    for (field, bytes) in [("cosigner name", name), ("origin", origin.as_bytes())] {
        if bytes.is_empty() || bytes.len() > SUBTREE_FIELD_MAX {
            return Err(CosignatureError::FieldLength {
                field,
                len: bytes.len(),
            });
        }
    }
    if start != 0 && timestamp.0 != 0 {
        return Err(CosignatureError::SubtreeTimestamp);
    }
    let mut message = Vec::with_capacity(12 + 1 + name.len() + 8 + 1 + origin.len() + 16 + 32);
    message.extend_from_slice(SUBTREE_V1_LABEL);
    // Lengths fit in a u8: checked against SUBTREE_FIELD_MAX above.
    message.push(name.len() as u8);
    message.extend_from_slice(name);
    message.extend_from_slice(&timestamp.0.to_be_bytes());
    message.push(origin.len() as u8);
    message.extend_from_slice(origin.as_bytes());
    message.extend_from_slice(&start.to_be_bytes());
    message.extend_from_slice(&end.to_be_bytes());
    message.extend_from_slice(hash.as_bytes());
    Ok(message)
}

#[cfg(test)]
mod tests;
