//! Statements: the JSON objects participants sign (docs/architecture.md "Statements"; the exact
//! JSON of every type is in docs/formats.md). Pure: parsing, checking and encoding only.
//!
//! ```text
//! {"type":"decision","org":"NSA","submission":3,"outcome":"cleared",
//!  "findings":{"critical":0,"high":0,"medium":1,"low":4},"issued_at":"2026-06-20T12:00:00Z"}
//! ```
//!
//! Parsing is strict, because these bytes are signed and audited: unknown, duplicate or
//! missing keys, wrong JSON types, `null` for an optional field and every shape violation
//! (empty org, bad date, short salt, sealed and model together, negative count...) are
//! rejected, and the error names the field. Signed JSON is never parsed through
//! `serde_json::Value` or a map, which would silently keep one of two duplicate keys.
//! Checks that need the log (who signed, what an index refers to) live in `rules`.

mod fields;
pub(crate) mod strict_json;
#[cfg(test)]
mod tests;
mod types;
mod wire;

use std::fmt;

use sha2::{Digest, Sha256};

use crate::dsse::KeyError;
use crate::merkle::Hash;
use crate::time::{TimeError, UnixMillis};

pub use fields::{Action, LogIndex, MIN_SALT_LEN, Org, Outcome, RemediationStatus, Role, Salt};
pub use types::{
    Benchmark, Decision, Determination, Disclosure, Findings, Genesis, Member, Model, Opening,
    Participant, Release, Remediation, Reveal, Sealed, Submission, SubmissionContent, Withdrawal,
};

/// A statement of any type. JSON: an object whose `type` names the variant, followed by
/// the variant's fields.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Statement {
    /// `genesis`: entry 0.
    Genesis(Genesis),
    /// `participant`: register or revoke a key.
    Participant(Participant),
    /// `submission`: a model put up for review.
    Submission(Submission),
    /// `determination`: covered or not.
    Determination(Determination),
    /// `decision`: the review's outcome.
    Decision(Decision),
    /// `disclosure`: vulnerabilities shared with sectors.
    Disclosure(Disclosure),
    /// `remediation`: state of fixes for a disclosure.
    Remediation(Remediation),
    /// `reveal`: opens a disclosure's commitment.
    Reveal(Reveal),
    /// `release`: the model is public.
    Release(Release),
    /// `withdrawal`: the submission leaves review.
    Withdrawal(Withdrawal),
}

/// The type of a statement, as named in its `type` field.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// `genesis`
    Genesis,
    /// `participant`
    Participant,
    /// `submission`
    Submission,
    /// `determination`
    Determination,
    /// `decision`
    Decision,
    /// `disclosure`
    Disclosure,
    /// `remediation`
    Remediation,
    /// `reveal`
    Reveal,
    /// `release`
    Release,
    /// `withdrawal`
    Withdrawal,
}

/// Why a payload is not a valid statement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatementError {
    /// Not JSON, or not a JSON object of the statement's shape: a syntax error, a wrong JSON
    /// type, or an unknown, duplicate or missing key (serde_json's message names the key or
    /// the line and column).
    #[error("malformed statement JSON: {message}")]
    Json {
        /// serde_json's description.
        message: String,
    },
    /// `type` is not one of the ten statement types.
    #[error("unknown statement type {found:?}")]
    UnknownType {
        /// The `type` found.
        found: String,
    },
    /// A field has the right JSON type but a value the statement may not carry.
    #[error("field `{field}`: {problem}")]
    InvalidField {
        /// The field's path, e.g. `org`, `member.public_key`, `sectors[]` (an element).
        field: &'static str,
        /// What is wrong with it.
        problem: FieldProblem,
    },
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    /// An empty string or list (omit an optional field instead).
    #[error("must not be empty")]
    Empty,
    /// A name contains a control character (newline, tab, NUL...).
    #[error("must not contain control characters")]
    ControlCharacter,
    /// A name starts or ends with whitespace.
    #[error("must not start or end with whitespace")]
    SurroundingWhitespace,
    /// Not one of the names the field allows.
    #[error("{found:?} is not one of {allowed:?}")]
    NotOneOf {
        /// The value found.
        found: String,
        /// The names allowed.
        allowed: &'static [&'static str],
    },
    /// Not lowercase hex.
    #[error("must be lowercase hex")]
    NotLowercaseHex,
    /// A digest of the wrong length.
    #[error("{found} bytes, expected {expected}")]
    WrongLength {
        /// Bytes required.
        expected: usize,
        /// Bytes found.
        found: usize,
    },
    /// Too few bytes (a salt).
    #[error("{found} bytes, at least {min} required")]
    TooShort {
        /// The fewest bytes allowed.
        min: usize,
        /// Bytes found.
        found: usize,
    },
    /// A count or index is a fraction or in exponent form.
    #[error("must be an integer")]
    NotAnInteger,
    /// A count or index is negative.
    #[error("must not be negative")]
    Negative,
    /// A count that must be positive is 0.
    #[error("must not be 0")]
    Zero,
    /// A number that is not finite.
    #[error("must be a finite number")]
    NotFinite,
    /// Not an RFC 3339 timestamp Docket accepts.
    #[error("not an RFC 3339 timestamp: {0}")]
    BadTime(TimeError),
    /// Not a `YYYY-MM-DD` calendar date.
    #[error("not a YYYY-MM-DD date: {0}")]
    BadDate(TimeError),
    /// Not a usable Ed25519 public key.
    #[error("not a usable public key: {0}")]
    BadKey(KeyError),
    /// A list repeats a value.
    #[error("repeats {value:?}")]
    Duplicate {
        /// The repeated value.
        value: String,
    },
    /// This field and `other` may not both appear (a sealed submission with a model).
    #[error("may not appear together with `{other}`")]
    ExclusiveWith {
        /// The other field.
        other: &'static str,
    },
    /// Neither this field nor `other` appears, and one must.
    #[error("either this or `{other}` is required")]
    MissingEither {
        /// The other field.
        other: &'static str,
    },
    /// This field appears without `other`, which it needs.
    #[error("requires `{other}` as well")]
    RequiresAlso {
        /// The field that must accompany it.
        other: &'static str,
    },
}

impl Statement {
    /// Parses and checks a payload (see the module doc for what is rejected).
    pub fn from_json(payload: &[u8]) -> Result<Statement, StatementError> {
        wire::parse(payload)
    }

    /// Compact JSON: `type` first, then the fields in docs/architecture.md's order, absent optional
    /// fields omitted. Fails if a value could not be parsed back (e.g. a hand-built
    /// statement with an empty origin), so what this returns always parses.
    pub fn to_json(&self) -> Result<Vec<u8>, StatementError> {
        let bytes = serde_json::to_vec(self).map_err(|e| StatementError::Json {
            message: e.to_string(),
        })?;
        Statement::from_json(&bytes)?;
        Ok(bytes)
    }

    /// The statement's type.
    pub fn kind(&self) -> StatementKind {
        match self {
            Statement::Genesis(_) => StatementKind::Genesis,
            Statement::Participant(_) => StatementKind::Participant,
            Statement::Submission(_) => StatementKind::Submission,
            Statement::Determination(_) => StatementKind::Determination,
            Statement::Decision(_) => StatementKind::Decision,
            Statement::Disclosure(_) => StatementKind::Disclosure,
            Statement::Remediation(_) => StatementKind::Remediation,
            Statement::Reveal(_) => StatementKind::Reveal,
            Statement::Release(_) => StatementKind::Release,
            Statement::Withdrawal(_) => StatementKind::Withdrawal,
        }
    }

    /// The signer's organisation, as the statement claims it.
    pub fn org(&self) -> &Org {
        match self {
            Statement::Genesis(s) => &s.org,
            Statement::Participant(s) => &s.org,
            Statement::Submission(s) => &s.org,
            Statement::Determination(s) => &s.org,
            Statement::Decision(s) => &s.org,
            Statement::Disclosure(s) => &s.org,
            Statement::Remediation(s) => &s.org,
            Statement::Reveal(s) => &s.org,
            Statement::Release(s) => &s.org,
            Statement::Withdrawal(s) => &s.org,
        }
    }

    /// The signer's `issued_at`, if given (informational: the signer's own clock).
    pub fn issued_at(&self) -> Option<UnixMillis> {
        match self {
            Statement::Genesis(s) => s.issued_at,
            Statement::Participant(s) => s.issued_at,
            Statement::Submission(s) => s.issued_at,
            Statement::Determination(s) => s.issued_at,
            Statement::Decision(s) => s.issued_at,
            Statement::Disclosure(s) => s.issued_at,
            Statement::Remediation(s) => s.issued_at,
            Statement::Reveal(s) => s.issued_at,
            Statement::Release(s) => s.issued_at,
            Statement::Withdrawal(s) => s.issued_at,
        }
    }

    /// The earlier entry this statement is about and the type that entry must have:
    /// `submission` for determination, decision, disclosure, release and withdrawal;
    /// `disclosure` for remediation and reveal; none for the others.
    pub fn reference(&self) -> Option<(LogIndex, StatementKind)> {
        match self {
            Statement::Genesis(_) | Statement::Participant(_) | Statement::Submission(_) => None,
            Statement::Determination(s) => Some((s.submission, StatementKind::Submission)),
            Statement::Decision(s) => Some((s.submission, StatementKind::Submission)),
            Statement::Disclosure(s) => Some((s.submission, StatementKind::Submission)),
            Statement::Release(s) => Some((s.submission, StatementKind::Submission)),
            Statement::Withdrawal(s) => Some((s.submission, StatementKind::Submission)),
            Statement::Remediation(s) => Some((s.disclosure, StatementKind::Disclosure)),
            Statement::Reveal(s) => Some((s.disclosure, StatementKind::Disclosure)),
        }
    }
}

impl StatementKind {
    /// Every type, in docs/architecture.md's order.
    pub const ALL: [StatementKind; 10] = [
        StatementKind::Genesis,
        StatementKind::Participant,
        StatementKind::Submission,
        StatementKind::Determination,
        StatementKind::Decision,
        StatementKind::Disclosure,
        StatementKind::Remediation,
        StatementKind::Reveal,
        StatementKind::Release,
        StatementKind::Withdrawal,
    ];

    /// The `type` name.
    pub fn as_str(self) -> &'static str {
        match self {
            StatementKind::Genesis => "genesis",
            StatementKind::Participant => "participant",
            StatementKind::Submission => "submission",
            StatementKind::Determination => "determination",
            StatementKind::Decision => "decision",
            StatementKind::Disclosure => "disclosure",
            StatementKind::Remediation => "remediation",
            StatementKind::Reveal => "reveal",
            StatementKind::Release => "release",
            StatementKind::Withdrawal => "withdrawal",
        }
    }

    /// The type with this exact `type` name.
    pub fn from_name(name: &str) -> Option<StatementKind> {
        StatementKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }

    /// The one role whose keys may sign this type (docs/architecture.md "Statements").
    pub fn signer_role(self) -> Role {
        match self {
            StatementKind::Genesis | StatementKind::Participant => Role::Operator,
            StatementKind::Submission | StatementKind::Release | StatementKind::Withdrawal => {
                Role::Developer
            }
            StatementKind::Determination | StatementKind::Decision => Role::Reviewer,
            StatementKind::Disclosure | StatementKind::Reveal => Role::Coordinator,
            StatementKind::Remediation => Role::Clearinghouse,
        }
    }
}

impl fmt::Display for StatementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The statement digest used to spot resubmissions: SHA-256 of the payload bytes exactly
/// as signed (not of a re-encoding). Written as lowercase hex.
pub fn statement_digest(payload: &[u8]) -> Hash {
    Hash(Sha256::digest(payload).into())
}

/// A commitment: SHA-256(salt || digest), `digest` being the 32 raw bytes of the
/// document's SHA-256 (the advisory's for a disclosure, the model artifact's for a
/// sealed submission).
pub fn commitment(salt: &Salt, digest: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(digest.as_bytes());
    Hash(hasher.finalize().into())
}
