//! DSSE envelopes (github.com/secure-systems-lab/dsse, "Envelope" and "Protocol") as
//! Docket uses them: one statement, one Ed25519 signature (docs/architecture.md "Statements").
//!
//! ```text
//! {"payloadType":"application/vnd.docket.statement.v1+json",
//!  "payload":"<base64 of the statement JSON>",
//!  "signatures":[{"keyid":"<hex SHA-256 of the public key>","sig":"<base64, 64 bytes>"}]}
//! ```
//!
//! The signature covers the PAE encoding, `"DSSEv1" SP len(type) SP type SP len(payload)
//! SP payload`, lengths in ASCII decimal, the payload as raw bytes. Base64 is standard
//! (RFC 4648 §4) with padding, decoded strictly (no missing padding, no stray bits).
//! Docket envelopes carry exactly one signature: DSSE allows several, but a statement has
//! one signer whose registration decides whether it is accepted. Unknown or duplicate
//! keys are rejected. Pure: keys are arguments, nothing is read from disk.

mod keys;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use crate::merkle::Hash;
use crate::statement::strict_json;
use crate::statement::{Statement, StatementError, statement_digest};

pub use keys::{KEY_SIZE, KeyError, KeyId, PublicKey, SIGNATURE_SIZE, SigningKey};

/// The payload type of every Docket statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.docket.statement.v1+json";

/// A DSSE envelope as parsed: payload decoded, signature checked for shape only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// `payloadType`; always [`PAYLOAD_TYPE`] once parsed.
    pub payload_type: String,
    /// The payload bytes (the statement JSON, exactly as signed).
    pub payload: Vec<u8>,
    /// The signatures; exactly one once parsed.
    pub signatures: Vec<EnvelopeSignature>,
}

/// One entry of `signatures`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeSignature {
    /// The signer's key id.
    pub keyid: KeyId,
    /// The Ed25519 signature over the PAE encoding.
    pub sig: [u8; SIGNATURE_SIZE],
}

/// A statement whose envelope was verified against its signer's public key. Only
/// [`Envelope::verify`] makes one, so holding it proves the check was done.
#[derive(Clone, Debug, PartialEq)]
pub struct VerifiedStatement {
    statement: Statement,
    envelope: Envelope,
    public_key: PublicKey,
}

/// Why an envelope was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DsseError {
    /// Not JSON of the envelope's shape (syntax, wrong type, unknown, duplicate or missing
    /// key).
    #[error("malformed envelope JSON: {message}")]
    Json {
        /// serde_json's description.
        message: String,
    },
    /// `payloadType` is not Docket's.
    #[error("payloadType {found:?} is not {PAYLOAD_TYPE:?}")]
    WrongPayloadType {
        /// The type found.
        found: String,
    },
    /// Not exactly one signature.
    #[error("{found} signatures, Docket envelopes carry exactly one")]
    SignatureCount {
        /// How many there were.
        found: usize,
    },
    /// A field is not strict standard padded base64.
    #[error("`{field}` is not standard padded base64")]
    BadBase64 {
        /// `payload` or `signatures[0].sig`.
        field: &'static str,
    },
    /// `signatures[0].keyid` is not 64 lowercase hex characters.
    #[error("`signatures[0].keyid`: {0}")]
    BadKeyId(KeyError),
    /// The signature is not 64 bytes.
    #[error("`signatures[0].sig` is {found} bytes, expected {SIGNATURE_SIZE}")]
    WrongSignatureLength {
        /// Bytes found.
        found: usize,
    },
    /// The key offered for verification is not the one the envelope names.
    #[error("envelope keyid {keyid} does not match the key {expected}")]
    KeyIdMismatch {
        /// The keyid in the envelope.
        keyid: KeyId,
        /// The keyid of the key offered.
        expected: KeyId,
    },
    /// The signature does not verify.
    #[error("signature by {keyid} does not verify")]
    BadSignature {
        /// The signer's keyid.
        keyid: KeyId,
    },
    /// The signature verifies but the payload is not a valid statement.
    #[error("payload: {0}")]
    Statement(StatementError),
}

impl DsseError {
    /// The HTTP status docs/architecture.md "Log server" asks for: 403 for a signature that does not
    /// verify, 400 for everything malformed.
    pub fn http_status(&self) -> u16 {
        match self {
            DsseError::KeyIdMismatch { .. } | DsseError::BadSignature { .. } => 403,
            _ => 400,
        }
    }

    /// A stable snake_case code for the JSON error body.
    pub fn code(&self) -> &'static str {
        match self {
            DsseError::Json { .. } => "malformed_envelope",
            DsseError::WrongPayloadType { .. } => "wrong_payload_type",
            DsseError::SignatureCount { .. } => "signature_count",
            DsseError::BadBase64 { .. } => "bad_base64",
            DsseError::BadKeyId(_) => "bad_keyid",
            DsseError::WrongSignatureLength { .. } => "wrong_signature_length",
            DsseError::KeyIdMismatch { .. } => "keyid_mismatch",
            DsseError::BadSignature { .. } => "bad_signature",
            DsseError::Statement(_) => "malformed_statement",
        }
    }
}

/// DSSE's pre-authentication encoding: `"DSSEv1" SP len(type) SP type SP len(payload)
/// SP payload`, lengths in ASCII decimal without leading zeros.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + payload.len() + 32);
    out.extend_from_slice(
        format!(
            "DSSEv1 {} {payload_type} {} ",
            payload_type.len(),
            payload.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(payload);
    out
}

impl Envelope {
    /// Encodes `statement` (see [`Statement::to_json`]) and signs it.
    pub fn sign(statement: &Statement, key: &SigningKey) -> Result<Envelope, StatementError> {
        Ok(Envelope::sign_payload(statement.to_json()?, key))
    }

    /// Signs arbitrary payload bytes under Docket's payload type (tests and tools that
    /// need a payload [`Envelope::sign`] would refuse to write).
    pub fn sign_payload(payload: Vec<u8>, key: &SigningKey) -> Envelope {
        let sig = key.sign(&pae(PAYLOAD_TYPE, &payload));
        Envelope {
            payload_type: PAYLOAD_TYPE.to_string(),
            payload,
            signatures: vec![EnvelopeSignature {
                keyid: key.keyid(),
                sig,
            }],
        }
    }

    /// Parses an envelope strictly (see the module doc); the signature is not verified.
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, DsseError> {
        let wire: EnvelopeWire = strict_json::from_slice(bytes).map_err(|e| DsseError::Json {
            message: e.to_string(),
        })?;
        Envelope::from_wire(wire)
    }

    /// Checks the fields of a parsed envelope object (also used by `entry`).
    pub(crate) fn from_wire(wire: EnvelopeWire) -> Result<Envelope, DsseError> {
        if wire.payload_type != PAYLOAD_TYPE {
            return Err(DsseError::WrongPayloadType {
                found: wire.payload_type,
            });
        }
        let payload = BASE64
            .decode(&wire.payload)
            .map_err(|_| DsseError::BadBase64 { field: "payload" })?;
        let [SignatureObject(signature)] = wire.signatures.as_slice() else {
            return Err(DsseError::SignatureCount {
                found: wire.signatures.len(),
            });
        };
        let keyid = KeyId::from_hex(&signature.keyid).map_err(DsseError::BadKeyId)?;
        let sig = BASE64
            .decode(&signature.sig)
            .map_err(|_| DsseError::BadBase64 {
                field: "signatures[0].sig",
            })?;
        let sig: [u8; SIGNATURE_SIZE] = sig
            .as_slice()
            .try_into()
            .map_err(|_| DsseError::WrongSignatureLength { found: sig.len() })?;
        Ok(Envelope {
            payload_type: wire.payload_type,
            payload,
            signatures: vec![EnvelopeSignature { keyid, sig }],
        })
    }

    /// The canonical compact encoding the log stores in entries: keys in the order
    /// `payloadType`, `payload`, `signatures` (each `keyid`, `sig`), no whitespace.
    pub fn to_json(&self) -> Vec<u8> {
        let signatures: Vec<SignatureOut> = self
            .signatures
            .iter()
            .map(|s| SignatureOut {
                keyid: s.keyid.to_hex(),
                sig: BASE64.encode(s.sig),
            })
            .collect();
        let out = EnvelopeOut {
            payload_type: &self.payload_type,
            payload: BASE64.encode(&self.payload),
            signatures,
        };
        serde_json::to_vec(&out).expect("a struct of strings always serialises")
    }

    /// The keyid of the one signature.
    pub fn keyid(&self) -> Result<&KeyId, DsseError> {
        self.check_shape().map(|signature| &signature.keyid)
    }

    /// Parses the payload without checking the signature (to find a genesis statement's
    /// own key, or to show a rejected entry). Never act on the result.
    pub fn unverified_statement(&self) -> Result<Statement, StatementError> {
        Statement::from_json(&self.payload)
    }

    /// Verifies the envelope against `public_key`: Docket's payload type, exactly one
    /// signature, keyid equal to the key's, an Ed25519 signature over PAE that verifies
    /// (strictly), and a payload that is a valid statement.
    pub fn verify(&self, public_key: &PublicKey) -> Result<VerifiedStatement, DsseError> {
        let signature = self.check_shape()?;
        let expected = public_key.keyid();
        if signature.keyid != expected {
            return Err(DsseError::KeyIdMismatch {
                keyid: signature.keyid,
                expected,
            });
        }
        if !public_key.verify(&pae(&self.payload_type, &self.payload), &signature.sig) {
            return Err(DsseError::BadSignature {
                keyid: signature.keyid,
            });
        }
        let statement = Statement::from_json(&self.payload).map_err(DsseError::Statement)?;
        Ok(VerifiedStatement {
            statement,
            envelope: self.clone(),
            public_key: *public_key,
        })
    }

    fn check_shape(&self) -> Result<&EnvelopeSignature, DsseError> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(DsseError::WrongPayloadType {
                found: self.payload_type.clone(),
            });
        }
        match self.signatures.as_slice() {
            [signature] => Ok(signature),
            _ => Err(DsseError::SignatureCount {
                found: self.signatures.len(),
            }),
        }
    }
}

impl VerifiedStatement {
    /// The statement.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// The verified envelope (what the log stores in the entry).
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// The payload bytes exactly as signed.
    pub fn payload(&self) -> &[u8] {
        &self.envelope.payload
    }

    /// The signer's public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The signer's keyid.
    pub fn keyid(&self) -> KeyId {
        self.public_key.keyid()
    }

    /// The statement digest (SHA-256 of the payload bytes), for spotting resubmissions.
    pub fn digest(&self) -> Hash {
        statement_digest(&self.envelope.payload)
    }

    /// The envelope, consuming the proof.
    pub fn into_envelope(self) -> Envelope {
        self.envelope
    }
}

/// The envelope object as serde reads it, before its fields are checked.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvelopeWire {
    #[serde(rename = "payloadType")]
    payload_type: String,
    payload: String,
    signatures: Vec<SignatureObject>,
}

/// A `signatures` element, read as a JSON object only.
struct SignatureObject(SignatureWire);

impl<'de> serde::Deserialize<'de> for SignatureObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        strict_json::object(deserializer).map(SignatureObject)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SignatureWire {
    keyid: String,
    sig: String,
}

#[derive(serde::Serialize)]
struct EnvelopeOut<'a> {
    #[serde(rename = "payloadType")]
    payload_type: &'a str,
    payload: String,
    signatures: Vec<SignatureOut>,
}

#[derive(serde::Serialize)]
struct SignatureOut {
    keyid: String,
    sig: String,
}
