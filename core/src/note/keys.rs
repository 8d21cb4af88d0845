//! Verifier keys (`<name>+<keyid>+<base64(type || key)>`, signed-note §"Verifier keys")
//! and signer keys in the x/mod text form `PRIVATE+KEY+<name>+<keyid>+<base64(type ||
//! seed)>` (not part of C2SP, but what Go's tooling reads and writes).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::Signer as _;
use sha2::{Digest, Sha256};

use super::{KeyId, KeyName, KeyType, NoteError, Signature};

/// Length of an Ed25519 public key, and of the seed a signing key is made from.
const ED25519_KEY_LEN: usize = 32;

/// Length of an ML-DSA-44 public key (FIPS 204).
const ML_DSA_44_KEY_LEN: usize = 1312;

/// The prefix of an x/mod signer-key text.
const SKEY_PREFIX: &str = "PRIVATE+KEY+";

/// A public key that can check note signatures: name, key ID, type and key bytes. The
/// key ID always matches the key (it is recomputed on parse).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct VerifierKey {
    name: KeyName,
    key_id: KeyId,
    key_type: KeyType,
    public_key: Vec<u8>,
}

impl VerifierKey {
    /// A key from its parts; computes the key ID with the rule of its type and checks
    /// the key's length (and, for Ed25519 types, that it is a curve point).
    pub fn new(
        name: KeyName,
        key_type: KeyType,
        public_key: Vec<u8>,
    ) -> Result<VerifierKey, NoteError> {
        let wrong_length = NoteError::WrongKeyLength {
            key_type,
            len: public_key.len(),
        };
        let key_id = match key_type {
            KeyType::Ed25519 | KeyType::CosignatureV1 => {
                let bytes: &[u8; ED25519_KEY_LEN] =
                    public_key.as_slice().try_into().map_err(|_| wrong_length)?;
                ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| {
                    NoteError::MalformedVerifierKey {
                        what: "not an Ed25519 public key",
                    }
                })?;
                KeyId::standard(&name, key_type.byte(), &public_key)
            }
            KeyType::MlDsa44 => {
                if public_key.len() != ML_DSA_44_KEY_LEN {
                    return Err(wrong_length);
                }
                KeyId::standard(&name, key_type.byte(), &public_key)
            }
            // ECDSA keys (DER SPKI): the name is not hashed into the ID.
            KeyType::Ecdsa => {
                if public_key.is_empty() {
                    return Err(wrong_length);
                }
                let digest = Sha256::digest(&public_key);
                KeyId(u32::from_be_bytes([
                    digest[0], digest[1], digest[2], digest[3],
                ]))
            }
            // RFC 6962 keys (DER SPKI): the ID hashes the CT LogID, SHA-256(SPKI).
            KeyType::Rfc6962 => {
                if public_key.is_empty() {
                    return Err(wrong_length);
                }
                KeyId::standard(&name, key_type.byte(), &Sha256::digest(&public_key))
            }
        };
        Ok(VerifierKey {
            name,
            key_id,
            key_type,
            public_key,
        })
    }

    /// Parses a vkey. It is split on its first two `+` only (base64 holds `+` too); the
    /// key ID must be 8 lowercase hex digits and must recompute.
    pub fn parse(text: &str) -> Result<VerifierKey, NoteError> {
        let fields = KeyFields::parse(text, |what| NoteError::MalformedVerifierKey { what })?;
        let key = VerifierKey::new(fields.name, fields.key_type, fields.key)?;
        check_key_id(fields.stated, key.key_id)?;
        Ok(key)
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The signature type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The public key bytes (without the type byte).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The vkey text.
    pub fn to_vkey(&self) -> String {
        self.to_string()
    }

    /// Strict Ed25519 verification of `signature` (64 bytes) over `message`; false for
    /// keys of other types. Strict: no small-order keys or non-canonical encodings, so
    /// a signature has one valid form.
    pub(crate) fn verify_ed25519(&self, message: &[u8], signature: &[u8]) -> bool {
        if !matches!(self.key_type, KeyType::Ed25519 | KeyType::CosignatureV1) {
            return false;
        }
        let Ok(key_bytes) = <&[u8; ED25519_KEY_LEN]>::try_from(self.public_key.as_slice()) else {
            return false;
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
            return false;
        };
        match ed25519_dalek::VerifyingKey::from_bytes(key_bytes) {
            Ok(key) => key.verify_strict(message, &signature).is_ok(),
            Err(_) => false,
        }
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bytes = Vec::with_capacity(1 + self.public_key.len());
        bytes.push(self.key_type.byte());
        bytes.extend_from_slice(&self.public_key);
        write!(f, "{}+{}+{}", self.name, self.key_id, BASE64.encode(bytes))
    }
}

impl FromStr for VerifierKey {
    type Err = NoteError;
    fn from_str(s: &str) -> Result<VerifierKey, NoteError> {
        VerifierKey::parse(s)
    }
}

/// An Ed25519 signing key with its note name: type 0x01 signs notes (a log's
/// checkpoints), type 0x04 makes cosignature/v1 lines (a witness). `Debug` hides the
/// seed, and there is no `Display`: the secret is written only by [`SignerKey::to_skey`].
#[derive(Clone)]
pub struct SignerKey {
    name: KeyName,
    key_id: KeyId,
    key_type: KeyType,
    signing_key: ed25519_dalek::SigningKey,
}

impl SignerKey {
    /// The key for an Ed25519 `seed` (RFC 8032 secret key) under `name`, of type
    /// [`KeyType::Ed25519`] or [`KeyType::CosignatureV1`].
    pub fn from_seed(
        name: KeyName,
        key_type: KeyType,
        seed: [u8; 32],
    ) -> Result<SignerKey, NoteError> {
        if !matches!(key_type, KeyType::Ed25519 | KeyType::CosignatureV1) {
            return Err(NoteError::CannotSign { key_type });
        }
        let signing_key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let public_key = signing_key.verifying_key().to_bytes();
        let key_id = KeyId::standard(&name, key_type.byte(), &public_key);
        Ok(SignerKey {
            name,
            key_id,
            key_type,
            signing_key,
        })
    }

    /// Parses `PRIVATE+KEY+<name>+<keyid>+<base64(type || seed)>`; the key ID must be
    /// the one the public key gives.
    pub fn parse(text: &str) -> Result<SignerKey, NoteError> {
        let malformed = |what| NoteError::MalformedSignerKey { what };
        let rest = text
            .strip_prefix(SKEY_PREFIX)
            .ok_or(malformed("does not start with PRIVATE+KEY+"))?;
        let fields = KeyFields::parse(rest, malformed)?;
        let seed: [u8; 32] = fields
            .key
            .try_into()
            .map_err(|_| malformed("seed is not 32 bytes"))?;
        let key = SignerKey::from_seed(fields.name, fields.key_type, seed)?;
        check_key_id(fields.stated, key.key_id)?;
        Ok(key)
    }

    /// The x/mod signer-key text. It holds the secret seed: store it like one.
    pub fn to_skey(&self) -> String {
        let mut bytes = Vec::with_capacity(1 + ED25519_KEY_LEN);
        bytes.push(self.key_type.byte());
        bytes.extend_from_slice(self.signing_key.as_bytes());
        format!(
            "{SKEY_PREFIX}{}+{}+{}",
            self.name,
            self.key_id,
            BASE64.encode(bytes)
        )
    }

    /// The matching public key.
    pub fn verifier(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            key_type: self.key_type,
            public_key: self.signing_key.verifying_key().to_bytes().to_vec(),
        }
    }

    /// The key name.
    pub fn name(&self) -> &KeyName {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The signature type: [`KeyType::Ed25519`] or [`KeyType::CosignatureV1`].
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// An Ed25519 (0x01) signature line over a note text.
    pub(crate) fn sign_note_text(&self, text: &str) -> Result<Signature, NoteError> {
        if self.key_type != KeyType::Ed25519 {
            return Err(NoteError::CannotSign {
                key_type: self.key_type,
            });
        }
        let signature = self.sign_bytes(text.as_bytes());
        Signature::new(self.name.clone(), self.key_id, signature.to_vec())
    }

    /// A raw Ed25519 signature (RFC 8032, deterministic) over `message`.
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.signing_key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("key_id", &self.key_id)
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

/// Exactly 8 lowercase hex digits (the only form we write, so the only form we read).
/// The `<name>+<keyid>+<base64(type || key)>` tail that vkeys and skeys share.
struct KeyFields {
    name: KeyName,
    stated: KeyId,
    key_type: KeyType,
    key: Vec<u8>,
}

impl KeyFields {
    /// Splits on the first two `+` only (base64 holds `+` too); `malformed` names the
    /// error variant of the key kind being parsed.
    fn parse(
        text: &str,
        malformed: impl Fn(&'static str) -> NoteError,
    ) -> Result<KeyFields, NoteError> {
        let (name, rest) = text
            .split_once('+')
            .ok_or_else(|| malformed("no '+' after the key name"))?;
        let (key_id, encoded) = rest
            .split_once('+')
            .ok_or_else(|| malformed("no '+' after the key ID"))?;
        let name = KeyName::new(name)?;
        let stated = parse_key_id(key_id)
            .ok_or_else(|| malformed("key ID is not 8 lowercase hex digits"))?;
        let mut bytes = BASE64
            .decode(encoded)
            .map_err(|_| malformed("key is not standard padded base64"))?;
        if bytes.is_empty() {
            return Err(malformed("empty key"));
        }
        let type_byte = bytes.remove(0);
        let key_type =
            KeyType::from_byte(type_byte).ok_or(NoteError::UnsupportedKeyType { type_byte })?;
        Ok(KeyFields {
            name,
            stated,
            key_type,
            key: bytes,
        })
    }
}

/// A key text's stated key ID must be the one its key computes.
fn check_key_id(stated: KeyId, computed: KeyId) -> Result<(), NoteError> {
    if stated != computed {
        return Err(NoteError::KeyIdMismatch { stated, computed });
    }
    Ok(())
}

fn parse_key_id(text: &str) -> Option<KeyId> {
    if text.len() != 8 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    u32::from_str_radix(text, 16).ok().map(KeyId)
}
