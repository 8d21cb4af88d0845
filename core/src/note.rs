//! c2sp.org/signed-note (v1.0.0): notes, signature lines, key names, key IDs, verifier
//! keys (`vkey`) and the x/mod signer-key text (`skey`). Pure: no I/O, clock or RNG;
//! signing keys come from a 32-byte seed the caller supplies.
//!
//! ```text
//! <text: one or more lines, each ending in \n>          ← exactly what is signed
//! \n                                                     ← one empty line
//! — <key name> <base64(key ID[4] || signature)>\n        ← 1..=100 signature lines
//! ```
//!
//! The note is split at its **last** `\n\n`, so the text may itself hold empty lines.
//! The whole note is UTF-8 with no control character but `\n`; `—` is U+2014 followed
//! by one space. Signature types 0x01 (Ed25519 over the text) and 0x04 (cosignature/v1,
//! see [`crate::cosignature`]) verify; vkeys of types 0x02, 0x05 and 0x06 parse (their
//! key-ID rules are checked) but their signature lines are treated as unknown.
//!
//! Verification follows signed-note §"Verifying" as Go's x/mod does: lines whose
//! (name, key ID) is not a configured key are ignored but kept as unverified; a
//! configured key whose line fails rejects the whole note; each key counts once; a note
//! with no verified signature is rejected.
//!
//! One deliberate leniency: a signature line whose base64 is correct except for non-zero
//! padding bits (Go's decoder accepts those) still parses, keeps its exact text so it is
//! re-emitted byte for byte, and can never verify. That way a configured key's corrupted
//! line is an invalid signature (tlog-witness 403), not a malformed note (400), matching
//! litewitness; an unknown key's line is carried along as Go would.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD as BASE64};

use crate::time::UnixSeconds;

mod keys;
mod name;

pub use keys::{SignerKey, VerifierKey};
pub use name::{KeyId, KeyName, KeyType};

#[cfg(test)]
pub(crate) mod test_vectors;
#[cfg(test)]
mod tests;

/// The most signature lines a note may carry. The spec only requires accepting 16;
/// this is Go x/mod's cap (its `Open` rejects more as malformed), so notes we accept
/// and notes Go accepts are the same.
pub const MAX_SIGNATURE_LINES: usize = 100;

/// What starts every signature line: U+2014 EM DASH and one space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Fewest decoded bytes in a signature line: a 4-byte key ID and at least one byte of
/// signature (x/mod's rule).
const MIN_SIGNATURE_LINE_BYTES: usize = 5;

/// Standard base64 that tolerates non-zero padding bits, as Go's decoder does; only used
/// to read signature lines, whose canonical form is checked before they can verify.
const BASE64_TRAILING_BITS: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// What was wrong with a note, a key or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The note's bytes break the signed-note syntax.
    #[error("malformed note: {what}")]
    Malformed {
        /// Which rule was broken.
        what: &'static str,
    },
    /// A signature line breaks the signature-line syntax.
    #[error("malformed signature line: {what}")]
    MalformedSignature {
        /// Which rule was broken.
        what: &'static str,
    },
    /// More signature lines than [`MAX_SIGNATURE_LINES`].
    #[error("note has {count} signature lines, more than {max}", max = MAX_SIGNATURE_LINES)]
    TooManySignatures {
        /// How many lines there were (or would have been).
        count: usize,
    },
    /// A key name is empty, or holds whitespace, a control character or `+`.
    #[error("invalid key name {name:?}: {what}")]
    InvalidKeyName {
        /// The rejected name.
        name: String,
        /// Which rule was broken.
        what: &'static str,
    },
    /// A verifier key text (`name+keyid+base64`) is malformed.
    #[error("malformed verifier key: {what}")]
    MalformedVerifierKey {
        /// Which rule was broken.
        what: &'static str,
    },
    /// A signer key text (`PRIVATE+KEY+name+keyid+base64`) is malformed.
    #[error("malformed signer key: {what}")]
    MalformedSignerKey {
        /// Which rule was broken.
        what: &'static str,
    },
    /// The key ID written in a key text is not the one its name and key give.
    #[error("stated key ID {stated} does not match the key (computed {computed})")]
    KeyIdMismatch {
        /// The key ID in the text.
        stated: KeyId,
        /// The key ID recomputed from name, type and key.
        computed: KeyId,
    },
    /// The signature type byte is reserved or unknown.
    #[error("unsupported signature type 0x{type_byte:02x}")]
    UnsupportedKeyType {
        /// The type byte found.
        type_byte: u8,
    },
    /// The public key has the wrong length for its type.
    #[error("{key_type} public key is {len} bytes")]
    WrongKeyLength {
        /// The key's type.
        key_type: KeyType,
        /// The length found.
        len: usize,
    },
    /// This kind of key cannot make this kind of signature (e.g. a cosignature/v1 key
    /// asked to sign a plain note, or an ECDSA key asked to sign at all).
    #[error("a {key_type} key cannot make this signature")]
    CannotSign {
        /// The key's type.
        key_type: KeyType,
    },
    /// A configured key's signature line does not verify: the note is rejected
    /// (signed-note §"Verifying"; tlog-witness answers 403).
    #[error("signature by {name}+{key_id} does not verify")]
    InvalidSignature {
        /// The key name on the line.
        name: KeyName,
        /// The key ID on the line.
        key_id: KeyId,
    },
    /// No line was signed by a configured key, so nothing vouches for the text.
    #[error("no signature from a known key")]
    NoVerifiedSignature,
}

/// One signature line: key name, key ID and the signature bytes after the key ID.
///
/// The base64 text is kept as received so a note is re-emitted byte for byte, even for
/// a line whose encoding is not canonical (such a line never verifies).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Signature {
    name: KeyName,
    key_id: KeyId,
    signature: Vec<u8>,
    encoded: String,
}

impl Signature {
    /// A signature line for `signature` (the bytes after the key ID; not empty).
    pub fn new(name: KeyName, key_id: KeyId, signature: Vec<u8>) -> Result<Signature, NoteError> {
        if signature.is_empty() {
            return Err(NoteError::MalformedSignature {
                what: "empty signature",
            });
        }
        let mut bytes = Vec::with_capacity(4 + signature.len());
        bytes.extend_from_slice(&key_id.0.to_be_bytes());
        bytes.extend_from_slice(&signature);
        Ok(Signature {
            name,
            key_id,
            signature,
            encoded: BASE64.encode(bytes),
        })
    }

    /// Parses one line, `— <name> <base64>`, without its final `\n`.
    pub fn parse_line(line: &str) -> Result<Signature, NoteError> {
        let malformed = |what| NoteError::MalformedSignature { what };
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(malformed("does not start with an em dash and a space"))?;
        let (name, encoded) = rest
            .split_once(' ')
            .ok_or(malformed("no space between key name and signature"))?;
        let name = KeyName::new(name).map_err(|_| malformed("invalid key name"))?;
        let bytes = BASE64_TRAILING_BITS
            .decode(encoded)
            .map_err(|_| malformed("signature is not standard padded base64"))?;
        if bytes.len() < MIN_SIGNATURE_LINE_BYTES {
            return Err(malformed("fewer than 5 signature bytes"));
        }
        let key_id = KeyId(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]));
        Ok(Signature {
            name,
            key_id,
            signature: bytes[4..].to_vec(),
            encoded: encoded.to_owned(),
        })
    }

    /// The key name on the line.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID (the first 4 decoded bytes).
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The signature bytes after the key ID.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Whether the base64 text is the canonical encoding of its bytes.
    pub fn is_canonical(&self) -> bool {
        let mut bytes = Vec::with_capacity(4 + self.signature.len());
        bytes.extend_from_slice(&self.key_id.0.to_be_bytes());
        bytes.extend_from_slice(&self.signature);
        BASE64.encode(bytes) == self.encoded
    }

    /// The line with its final newline: `— <name> <base64>\n`.
    pub fn to_line(&self) -> String {
        format!("{self}\n")
    }
}

/// Writes `— <name> <base64>`, without a newline.
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{SIGNATURE_PREFIX}{} {}", self.name, self.encoded)
    }
}

/// A parsed signed note: its text and its signature lines, in order. Parsing checks the
/// syntax only; [`Note::verify`] says who signed it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Note {
    text: String,
    signatures: Vec<Signature>,
}

impl Note {
    /// Parses a note strictly (see the module docs for the rules).
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        let malformed = |what| NoteError::Malformed { what };
        let note = std::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
        check_characters(note)?;
        let split = note
            .rfind("\n\n")
            .ok_or(malformed("no empty line before the signatures"))?;
        let text = &note[..split + 1];
        let block = &note[split + 2..];
        let block = block.strip_suffix('\n').ok_or(malformed(
            "signature block is empty or lacks its final newline",
        ))?;
        let count = block.split('\n').count();
        if count > MAX_SIGNATURE_LINES {
            return Err(NoteError::TooManySignatures { count });
        }
        let signatures = block
            .split('\n')
            .map(Signature::parse_line)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// A note from a text and at least one signature line. The text must be non-empty,
    /// end with `\n` and hold no control character but `\n`.
    pub fn new(text: impl Into<String>, signatures: Vec<Signature>) -> Result<Note, NoteError> {
        let text = text.into();
        check_text(&text)?;
        if signatures.is_empty() {
            return Err(NoteError::Malformed {
                what: "a note needs at least one signature",
            });
        }
        if signatures.len() > MAX_SIGNATURE_LINES {
            return Err(NoteError::TooManySignatures {
                count: signatures.len(),
            });
        }
        Ok(Note { text, signatures })
    }

    /// Signs `text` with each Ed25519 (0x01) signer, in order. Cosignatures need a
    /// timestamp: make them with [`crate::cosignature::sign`] and [`Note::add_signatures`].
    pub fn sign<'k>(
        text: impl Into<String>,
        signers: impl IntoIterator<Item = &'k SignerKey>,
    ) -> Result<Note, NoteError> {
        let text = text.into();
        check_text(&text)?;
        let signatures = signers
            .into_iter()
            .map(|signer| signer.sign_note_text(&text))
            .collect::<Result<Vec<_>, _>>()?;
        Note::new(text, signatures)
    }

    /// The signed text, ending in `\n`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }

    /// Adds signature lines as x/mod's `Sign` does: the existing lines first, minus any
    /// from a key (name and key ID) that a new line replaces, then the new lines. On
    /// error the note is unchanged.
    pub fn add_signatures(
        &mut self,
        new: impl IntoIterator<Item = Signature>,
    ) -> Result<(), NoteError> {
        let new: Vec<Signature> = new.into_iter().collect();
        let mut merged: Vec<Signature> = self
            .signatures
            .iter()
            .filter(|old| {
                !new.iter()
                    .any(|n| n.name == old.name && n.key_id == old.key_id)
            })
            .cloned()
            .collect();
        merged.extend(new);
        if merged.len() > MAX_SIGNATURE_LINES {
            return Err(NoteError::TooManySignatures {
                count: merged.len(),
            });
        }
        self.signatures = merged;
        Ok(())
    }

    /// Signs this note's text with more Ed25519 signers (see [`Note::add_signatures`]).
    pub fn sign_with<'k>(
        &mut self,
        signers: impl IntoIterator<Item = &'k SignerKey>,
    ) -> Result<(), NoteError> {
        let new = signers
            .into_iter()
            .map(|signer| signer.sign_note_text(&self.text))
            .collect::<Result<Vec<_>, _>>()?;
        self.add_signatures(new)
    }

    /// Verifies the note against the configured `keys` (signed-note §"Verifying").
    ///
    /// A line is *known* when a key of a verifiable type (0x01 or 0x04) has its name and
    /// key ID. Every known line must verify, else [`NoteError::InvalidSignature`]; other
    /// lines are kept as unverified (identical lines once). Each key counts once. With
    /// no verified line the result is [`NoteError::NoVerifiedSignature`].
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<NoteVerification, NoteError> {
        let mut verified: Vec<VerifiedSignature> = Vec::new();
        let mut unverified: Vec<Signature> = Vec::new();
        for signature in &self.signatures {
            let key = keys.iter().find(|key| {
                key.name() == &signature.name
                    && key.key_id() == signature.key_id
                    && matches!(key.key_type(), KeyType::Ed25519 | KeyType::CosignatureV1)
            });
            let Some(key) = key else {
                if !unverified.contains(signature) {
                    unverified.push(signature.clone());
                }
                continue;
            };
            let Some(timestamp) = check_signature(key, &self.text, signature) else {
                return Err(NoteError::InvalidSignature {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                });
            };
            if !verified.iter().any(|v| v.key == *key) {
                verified.push(VerifiedSignature {
                    key: key.clone(),
                    signature: signature.clone(),
                    timestamp,
                });
            }
        }
        if verified.is_empty() {
            return Err(NoteError::NoVerifiedSignature);
        }
        Ok(NoteVerification {
            verified,
            unverified,
        })
    }

    /// The note's exact bytes: text, empty line, signature lines.
    pub fn to_text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for signature in &self.signatures {
            writeln!(f, "{signature}")?;
        }
        Ok(())
    }
}

/// The outcome of [`Note::verify`]: which configured keys signed, and the other lines.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct NoteVerification {
    verified: Vec<VerifiedSignature>,
    unverified: Vec<Signature>,
}

impl NoteVerification {
    /// One entry per configured key that signed, in order of first appearance.
    pub fn verified(&self) -> &[VerifiedSignature] {
        &self.verified
    }

    /// Lines from keys that are not configured, identical lines once.
    pub fn unverified(&self) -> &[Signature] {
        &self.unverified
    }
}

/// A signature line that verified under a configured key.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedSignature {
    key: VerifierKey,
    signature: Signature,
    timestamp: Option<UnixSeconds>,
}

impl VerifiedSignature {
    /// The key that verified it.
    pub fn key(&self) -> &VerifierKey {
        &self.key
    }

    /// The line itself (the first one, if the key signed several times).
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The cosignature/v1 timestamp, for a 0x04 key; `None` for a plain Ed25519 key.
    pub fn timestamp(&self) -> Option<UnixSeconds> {
        self.timestamp
    }
}

/// Checks one line against the key it names. `Some(timestamp)` when it verifies (the
/// timestamp only for cosignatures), `None` when it does not.
fn check_signature(
    key: &VerifierKey,
    text: &str,
    signature: &Signature,
) -> Option<Option<UnixSeconds>> {
    match key.key_type() {
        KeyType::Ed25519 => {
            if !signature.is_canonical() {
                return None;
            }
            key.verify_ed25519(text.as_bytes(), &signature.signature)
                .then_some(None)
        }
        KeyType::CosignatureV1 => crate::cosignature::verify(key, text, signature)
            .ok()
            .map(Some),
        // Not reached: `verify` only matches lines against the two types above.
        KeyType::Ecdsa | KeyType::Rfc6962 | KeyType::MlDsa44 => None,
    }
}

/// The whole note may hold no control character below U+0020 but `\n`.
fn check_characters(text: &str) -> Result<(), NoteError> {
    if text.bytes().any(|b| b < 0x20 && b != b'\n') {
        return Err(NoteError::Malformed {
            what: "control character other than newline",
        });
    }
    Ok(())
}

/// A note text: non-empty, ends in `\n`, allowed characters only.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed {
            what: "text is empty or does not end with a newline",
        });
    }
    check_characters(text)
}
