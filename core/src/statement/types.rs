//! The body of each statement type, field for field as in docs/architecture.md "Statements".
//! Serialisation writes the fields in the order declared here (after `type`), omitting
//! absent optional fields; parsing lives in `wire.rs`.

use crate::dsse::PublicKey;
use crate::merkle::Hash;
use crate::time::{Date, UnixMillis};

use super::fields::{Action, LogIndex, Org, Outcome, RemediationStatus, Role, Salt};

/// `genesis` (entry 0, signed by the operator): the log's origin, review window and
/// operator key.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Genesis {
    /// The operator's organisation.
    pub org: Org,
    /// The log's origin (the first line of its checkpoints).
    pub origin: String,
    /// The review window in seconds (30 days = 2,592,000); never 0.
    pub review_window_secs: u64,
    /// The operator's participant key, registered by this entry with role `operator`.
    pub operator_key: PublicKey,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// `participant` (signed by an operator): registers or revokes a member's key.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Participant {
    /// The operator's organisation.
    pub org: Org,
    /// Register or revoke.
    pub action: Action,
    /// The key, its organisation and its role.
    pub member: Member,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// The subject of a `participant` statement.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// The member's organisation.
    pub org: Org,
    /// The member's role.
    pub role: Role,
    /// The member's Ed25519 key.
    pub public_key: PublicKey,
}

/// `submission` (signed by a developer): a model put up for review.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Submission {
    /// The developer's organisation.
    pub org: Org,
    /// The model in the clear, or a commitment to it.
    #[serde(flatten)]
    pub content: SubmissionContent,
    /// The planned public release date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned_release: Option<Date>,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// What a submission names: exactly one of `model` and `sealed`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionContent {
    /// `"model": {...}`: the model in the clear.
    Model(Model),
    /// `"sealed": {"commitment": ...}`: opened later by a `release`.
    Sealed(Sealed),
}

/// A model artifact: name, version and the SHA-256 of the artifact.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Model {
    /// The model's name.
    pub name: String,
    /// The model's version.
    pub version: String,
    /// SHA-256 of the model artifact.
    pub sha256: Hash,
}

/// A sealed submission's commitment: SHA-256(salt || model.sha256).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Sealed {
    /// The commitment.
    pub commitment: Hash,
}

/// `determination` (signed by a reviewer): whether a submission is a covered model.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Determination {
    /// The reviewer's organisation.
    pub org: Org,
    /// The `submission` entry this is about.
    pub submission: LogIndex,
    /// Whether the model is a covered frontier model.
    pub covered: bool,
    /// The benchmark that decided it.
    pub benchmark: Benchmark,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// The benchmark behind a determination.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Benchmark {
    /// The benchmark's name.
    pub name: String,
    /// The benchmark's version.
    pub version: String,
    /// The model's score (any finite JSON number).
    pub score: f64,
}

/// `decision` (signed by a reviewer): the review's outcome; at most one per submission.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Decision {
    /// The reviewer's organisation.
    pub org: Org,
    /// The `submission` entry decided.
    pub submission: LogIndex,
    /// The outcome.
    pub outcome: Outcome,
    /// Findings counted by severity.
    pub findings: Findings,
    /// SHA-256 of the full report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_sha256: Option<Hash>,
    /// A short public summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// Findings counted by severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Findings {
    /// Critical findings.
    pub critical: u64,
    /// High-severity findings.
    pub high: u64,
    /// Medium-severity findings.
    pub medium: u64,
    /// Low-severity findings.
    pub low: u64,
}

/// `disclosure` (signed by a coordinator): vulnerabilities shared with sectors.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Disclosure {
    /// The coordinator's organisation.
    pub org: Org,
    /// The `submission` entry whose findings were shared.
    pub submission: LogIndex,
    /// The sectors informed: at least one, no duplicates.
    pub sectors: Vec<String>,
    /// How many recipients were informed: at least one.
    pub recipients: u64,
    /// SHA-256(salt || SHA-256(advisory)), opened later by a `reveal`.
    pub commitment: Hash,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// `remediation` (signed by the clearinghouse): the state of fixes for a disclosure.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Remediation {
    /// The clearinghouse's organisation.
    pub org: Org,
    /// The `disclosure` entry this is about.
    pub disclosure: LogIndex,
    /// The remediation status.
    pub status: RemediationStatus,
    /// The sectors the status applies to (all of the disclosure's when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sectors: Option<Vec<String>>,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// `reveal` (signed by a coordinator): opens a disclosure's commitment.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reveal {
    /// The coordinator's organisation.
    pub org: Org,
    /// The `disclosure` entry opened.
    pub disclosure: LogIndex,
    /// The commitment's salt.
    pub salt: Salt,
    /// SHA-256 of the advisory.
    pub advisory_sha256: Hash,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// `release` (signed by the submitting developer): the model is now public.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Release {
    /// The developer's organisation.
    pub org: Org,
    /// The `submission` entry released.
    pub submission: LogIndex,
    /// For a sealed submission, the model and salt that open its commitment.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub opening: Option<Opening>,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}

/// The opening of a sealed submission: `"model": {...}, "salt": HEX` together.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Opening {
    /// The model committed to.
    pub model: Model,
    /// The commitment's salt.
    pub salt: Salt,
}

/// `withdrawal` (signed by the submitting developer): the submission leaves review.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Withdrawal {
    /// The developer's organisation.
    pub org: Org,
    /// The `submission` entry withdrawn.
    pub submission: LogIndex,
    /// Why, in the developer's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signer's clock (informational).
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "crate::time::rfc3339_option"
    )]
    pub issued_at: Option<UnixMillis>,
}
