//! The logged entry: the bytes the log hashes into its Merkle tree and serves in
//! c2sp.org/tlog-tiles entry bundles (docs/architecture.md "Statements", last paragraphs).
//!
//! ```text
//! {"v":1,"logged_at":1780401600250,"envelope":{"payloadType":"...","payload":"...",
//!  "signatures":[{"keyid":"...","sig":"..."}]}}
//! ```
//!
//! One line of compact JSON, keys in exactly this order, no whitespace: `v` is the format
//! version (1), `logged_at` the log's clock in Unix milliseconds (never decreasing along
//! the log), `envelope` the DSSE envelope in its canonical encoding
//! ([`Envelope::to_json`]). The encoding is deterministic and decoding accepts only it,
//! so an entry has exactly one byte string. The Merkle leaf is
//! `merkle::leaf_hash(bytes)` = SHA-256(0x00 || bytes) (RFC 6962 §2.1). Entries are at most
//! [`MAX_ENTRY_SIZE`] bytes, the most a tlog-tiles bundle's uint16 length prefix can say.
//! Pure: no I/O.

use serde::Deserialize;

use crate::dsse::{DsseError, Envelope, EnvelopeWire};
use crate::statement::strict_json;
use crate::time::UnixMillis;

/// The largest entry: c2sp.org/tlog-tiles prefixes each entry in a bundle with a
/// big-endian uint16 length.
pub const MAX_ENTRY_SIZE: usize = 65_535;

/// The entry format version this code writes and reads.
pub const ENTRY_VERSION: u64 = 1;

/// A logged entry: the log's timestamp and the envelope it accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When the log sequenced the statement (the log's clock).
    pub logged_at: UnixMillis,
    /// The signed statement, as verified.
    pub envelope: Envelope,
}

/// Why bytes are not a valid entry, or an entry cannot be encoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EntryError {
    /// More than [`MAX_ENTRY_SIZE`] bytes.
    #[error("entry is {size} bytes, at most {MAX_ENTRY_SIZE} allowed")]
    TooLarge {
        /// The size of the (encoded) entry.
        size: usize,
    },
    /// Not JSON of the entry's shape (syntax, wrong type, unknown, duplicate or missing
    /// key).
    #[error("malformed entry JSON: {message}")]
    Json {
        /// serde_json's description.
        message: String,
    },
    /// `v` is not a version this code reads.
    #[error("entry format version {found} is not supported")]
    UnsupportedVersion {
        /// The version found.
        found: u64,
    },
    /// The envelope's fields are malformed.
    #[error("entry envelope: {0}")]
    Envelope(DsseError),
    /// Valid JSON with valid fields, but not the one canonical encoding (whitespace, key
    /// order, escapes, number spelling).
    #[error("entry is not in canonical form")]
    NotCanonical,
}

impl EntryError {
    /// A stable snake_case code (413 for `TooLarge` when the log refuses a statement).
    pub fn code(&self) -> &'static str {
        match self {
            EntryError::TooLarge { .. } => "entry_too_large",
            EntryError::Json { .. } => "malformed_entry",
            EntryError::UnsupportedVersion { .. } => "unsupported_entry_version",
            EntryError::Envelope(_) => "malformed_entry_envelope",
            EntryError::NotCanonical => "entry_not_canonical",
        }
    }
}

impl Entry {
    /// The canonical bytes (see the module doc), or `TooLarge`.
    pub fn encode(&self) -> Result<Vec<u8>, EntryError> {
        let envelope = self.envelope.to_json();
        let mut out = Vec::with_capacity(envelope.len() + 48);
        out.extend_from_slice(
            format!(
                "{{\"v\":{ENTRY_VERSION},\"logged_at\":{},\"envelope\":",
                self.logged_at.0
            )
            .as_bytes(),
        );
        out.extend_from_slice(&envelope);
        out.push(b'}');
        if out.len() > MAX_ENTRY_SIZE {
            return Err(EntryError::TooLarge { size: out.len() });
        }
        Ok(out)
    }

    /// Decodes an entry, accepting only its canonical encoding. The envelope's signature
    /// is not verified here (that needs the signer's key: see `rules::authenticate`).
    pub fn decode(bytes: &[u8]) -> Result<Entry, EntryError> {
        if bytes.len() > MAX_ENTRY_SIZE {
            return Err(EntryError::TooLarge { size: bytes.len() });
        }
        let wire: EntryWire = strict_json::from_slice(bytes).map_err(|e| EntryError::Json {
            message: e.to_string(),
        })?;
        if wire.v != ENTRY_VERSION {
            return Err(EntryError::UnsupportedVersion { found: wire.v });
        }
        let entry = Entry {
            logged_at: UnixMillis(wire.logged_at),
            envelope: Envelope::from_wire(wire.envelope).map_err(EntryError::Envelope)?,
        };
        if entry.encode()? != bytes {
            return Err(EntryError::NotCanonical);
        }
        Ok(entry)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryWire {
    v: u64,
    logged_at: u64,
    #[serde(deserialize_with = "strict_json::object")]
    envelope: EnvelopeWire,
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as BASE64;

    use super::*;
    use crate::dsse::SigningKey;
    use crate::merkle::leaf_hash;

    const WITHDRAWAL: &[u8] = br#"{"type":"withdrawal","org":"Acme AI","submission":3}"#;

    fn entry(payload: &[u8]) -> Entry {
        Entry {
            logged_at: UnixMillis(1_780_401_600_250),
            envelope: Envelope::sign_payload(payload.to_vec(), &SigningKey::from_seed(&[3; 32])),
        }
    }

    #[test]
    fn encoding_is_exact_and_round_trips() {
        let entry = entry(WITHDRAWAL);
        let bytes = entry.encode().unwrap();
        let envelope = String::from_utf8(entry.envelope.to_json()).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            format!(r#"{{"v":1,"logged_at":1780401600250,"envelope":{envelope}}}"#)
        );
        assert_eq!(Entry::decode(&bytes).unwrap(), entry);
        // The leaf is SHA-256(0x00 || entry bytes).
        let mut prefixed = vec![0u8];
        prefixed.extend_from_slice(&bytes);
        assert_eq!(
            leaf_hash(&bytes),
            crate::statement::statement_digest(&prefixed)
        );
    }

    /// The worked example of docs/formats.md, computed independently with Python's
    /// `cryptography` and `hashlib` from the seed 0x01 x 32.
    #[test]
    fn worked_example_matches_an_independent_implementation() {
        const ENTRY: &str = concat!(
            r#"{"v":1,"logged_at":1780401600250,"envelope":{"payloadType":"#,
            r#""application/vnd.docket.statement.v1+json","payload":"#,
            r#""eyJ0eXBlIjoid2l0aGRyYXdhbCIsIm9yZyI6IkFjbWUgQUkiLCJzdWJtaXNzaW9uIjozfQ==","#,
            r#""signatures":[{"keyid":"#,
            r#""34750f98bd59fcfc946da45aaabe933be154a4b5094e1c4abf42866505f3c97e","sig":"#,
            r#""bDZM537854u/o72panxiu98kJWwIR9Lu7nR3A4Ypf74EO8JrG8MemkTBk3NRqYS/00VxStHg9ieAss1l/b6RCw=="}]}}"#,
        );
        let key = SigningKey::from_seed(&[1; 32]);
        assert_eq!(
            key.public_key().to_hex(),
            "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
        );
        let entry = Entry {
            logged_at: UnixMillis(1_780_401_600_250),
            envelope: Envelope::sign_payload(WITHDRAWAL.to_vec(), &key),
        };
        let bytes = entry.encode().unwrap();
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), ENTRY);
        assert_eq!(
            leaf_hash(&bytes).to_hex(),
            "ecc906dfa750d7e69ce3420038b9207cc8ecda7c626a129c7770e487096d49e3"
        );
        let decoded = Entry::decode(ENTRY.as_bytes()).unwrap();
        let verified = decoded.envelope.verify(&key.public_key()).unwrap();
        assert_eq!(
            verified.digest().to_hex(),
            "4217e3c73fbeb0ef8c185483df3a50655dbf764ed0daf418c64ce3fb24c9c14b"
        );
    }

    #[test]
    fn only_the_canonical_encoding_decodes() {
        let bytes = String::from_utf8(entry(WITHDRAWAL).encode().unwrap()).unwrap();
        let envelope = String::from_utf8(entry(WITHDRAWAL).envelope.to_json()).unwrap();
        let not_canonical = [
            format!("{bytes}\n"),
            bytes.replacen(r#""v":1,"#, r#""v" : 1,"#, 1),
            format!(r#"{{"logged_at":1780401600250,"v":1,"envelope":{envelope}}}"#),
            bytes.replacen(r#""payloadType":"#, r#""payloadType": "#, 1),
            bytes.replacen("application/vnd", "application\\/vnd", 1),
        ];
        for text in &not_canonical {
            assert_eq!(
                Entry::decode(text.as_bytes()),
                Err(EntryError::NotCanonical),
                "{text}"
            );
        }
        let cases = [
            (
                bytes.replacen(r#""v":1"#, r#""v":2"#, 1),
                EntryError::UnsupportedVersion { found: 2 },
            ),
            (
                bytes.replacen(r#""payloadType":"application"#, r#""payloadType":"text"#, 1),
                EntryError::Envelope(DsseError::WrongPayloadType {
                    found: "text/vnd.docket.statement.v1+json".into(),
                }),
            ),
        ];
        for (text, error) in cases {
            assert_eq!(Entry::decode(text.as_bytes()), Err(error), "{text}");
        }
        let malformed = [
            bytes.replacen(r#""v":1"#, r#""v":1.0"#, 1),
            bytes.replacen(r#""v":1"#, r#""v":-1"#, 1),
            bytes.replacen(
                r#""logged_at":1780401600250"#,
                r#""logged_at":"1780401600250""#,
                1,
            ),
            bytes.replacen(r#""v":1,"#, r#""v":1,"v":1,"#, 1),
            bytes.replacen(r#""v":1,"#, r#""v":1,"extra":0,"#, 1),
            format!(r#"[1,1780401600250,{envelope}]"#),
            format!(
                r#"{{"v":1,"logged_at":1780401600250,"envelope":["{}","{}",[]]}}"#,
                crate::dsse::PAYLOAD_TYPE,
                BASE64.encode(WITHDRAWAL)
            ),
            String::new(),
        ];
        for text in malformed {
            assert!(
                matches!(Entry::decode(text.as_bytes()), Err(EntryError::Json { .. })),
                "{text}"
            );
        }
    }

    #[test]
    fn size_limit_is_exactly_65535_bytes() {
        // An entry is (fixed JSON) + (digits of logged_at) + base64(payload), and base64
        // grows in steps of 4, so pick the logged_at width that makes 65,535 reachable.
        let fixed = entry(b"").encode().unwrap().len() - 13;
        let digits = (1..=19)
            .find(|d| (MAX_ENTRY_SIZE - fixed - d).is_multiple_of(4))
            .unwrap();
        let payload_len = (MAX_ENTRY_SIZE - fixed - digits) / 4 * 3;
        let mut exact = entry(&vec![b'x'; payload_len]);
        exact.logged_at = UnixMillis(10u64.pow(digits as u32 - 1));
        let bytes = exact.encode().unwrap();
        assert_eq!(bytes.len(), MAX_ENTRY_SIZE);
        assert_eq!(Entry::decode(&bytes).unwrap(), exact);

        let mut wider = exact.clone();
        wider.logged_at = UnixMillis(exact.logged_at.0 * 10);
        assert_eq!(
            wider.encode(),
            Err(EntryError::TooLarge {
                size: MAX_ENTRY_SIZE + 1
            })
        );
        let mut longer = bytes.clone();
        longer.push(b' ');
        assert_eq!(
            Entry::decode(&longer),
            Err(EntryError::TooLarge {
                size: MAX_ENTRY_SIZE + 1
            })
        );
    }
}
