//! Parsing a statement in two steps, so every error names its field.
//!
//! Step one is serde into the structs below: typed structs with `deny_unknown_fields`
//! and no maps or `serde_json::Value`, so unknown, duplicate and missing keys and wrong
//! JSON types are rejected by serde (its message names the key or the position), and
//! every struct must be written as a JSON object (see `strict_json`). Leaves
//! are kept raw (`String`, `serde_json::Number`). Step two converts each leaf into its
//! checked type and reports a failure as `InvalidField { field, problem }`.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Number;

use crate::dsse::PublicKey;
use crate::merkle::Hash;
use crate::time::{Date, UnixMillis};

use super::fields::{Action, LogIndex, Org, Outcome, RemediationStatus, Role, Salt, check_label};
use super::strict_json::{self, object, optional_object, present};
use super::types::{
    Benchmark, Decision, Determination, Disclosure, Findings, Genesis, Member, Model, Opening,
    Participant, Release, Remediation, Reveal, Sealed, Submission, SubmissionContent, Withdrawal,
};
use super::{FieldProblem, Statement, StatementError, StatementKind};

/// Parses a payload: first its `type`, then the whole object as that type.
pub(super) fn parse(payload: &[u8]) -> Result<Statement, StatementError> {
    let tag: Tag<'_> = json(payload)?;
    let kind = StatementKind::from_name(&tag.kind).ok_or_else(|| StatementError::UnknownType {
        found: tag.kind.to_string(),
    })?;
    Ok(match kind {
        StatementKind::Genesis => Statement::Genesis(json::<GenesisWire>(payload)?.check()?),
        StatementKind::Participant => {
            Statement::Participant(json::<ParticipantWire>(payload)?.check()?)
        }
        StatementKind::Submission => {
            Statement::Submission(json::<SubmissionWire>(payload)?.check()?)
        }
        StatementKind::Determination => {
            Statement::Determination(json::<DeterminationWire>(payload)?.check()?)
        }
        StatementKind::Decision => Statement::Decision(json::<DecisionWire>(payload)?.check()?),
        StatementKind::Disclosure => {
            Statement::Disclosure(json::<DisclosureWire>(payload)?.check()?)
        }
        StatementKind::Remediation => {
            Statement::Remediation(json::<RemediationWire>(payload)?.check()?)
        }
        StatementKind::Reveal => Statement::Reveal(json::<RevealWire>(payload)?.check()?),
        StatementKind::Release => Statement::Release(json::<ReleaseWire>(payload)?.check()?),
        StatementKind::Withdrawal => {
            Statement::Withdrawal(json::<WithdrawalWire>(payload)?.check()?)
        }
    })
}

fn json<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<T, StatementError> {
    strict_json::from_slice(payload).map_err(|e| StatementError::Json {
        message: e.to_string(),
    })
}

/// The first pass: only `type` (other keys are skipped, a repeated `type` is rejected).
#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    kind: std::borrow::Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenesisWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    origin: String,
    review_window_secs: Number,
    operator_key: String,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl GenesisWire {
    fn check(self) -> Result<Genesis, StatementError> {
        let review_window_secs = count("review_window_secs", &self.review_window_secs)?;
        if review_window_secs == 0 {
            return Err(invalid("review_window_secs", FieldProblem::Zero));
        }
        Ok(Genesis {
            org: org("org", self.org)?,
            origin: label("origin", self.origin)?,
            review_window_secs,
            operator_key: public_key("operator_key", &self.operator_key)?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParticipantWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    action: String,
    #[serde(deserialize_with = "object")]
    member: MemberWire,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberWire {
    org: String,
    role: String,
    public_key: String,
}

impl ParticipantWire {
    fn check(self) -> Result<Participant, StatementError> {
        Ok(Participant {
            org: org("org", self.org)?,
            action: named("action", &self.action, Action::from_name, Action::NAMES)?,
            member: Member {
                org: org("member.org", self.member.org)?,
                role: named(
                    "member.role",
                    &self.member.role,
                    Role::from_name,
                    Role::NAMES,
                )?,
                public_key: public_key("member.public_key", &self.member.public_key)?,
            },
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    #[serde(default, deserialize_with = "optional_object")]
    model: Option<ModelWire>,
    #[serde(default, deserialize_with = "optional_object")]
    sealed: Option<SealedWire>,
    #[serde(default, deserialize_with = "present")]
    planned_release: Option<String>,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelWire {
    name: String,
    version: String,
    sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SealedWire {
    commitment: String,
}

impl ModelWire {
    fn check(self) -> Result<Model, StatementError> {
        Ok(Model {
            name: label("model.name", self.name)?,
            version: label("model.version", self.version)?,
            sha256: hash("model.sha256", &self.sha256)?,
        })
    }
}

impl SubmissionWire {
    fn check(self) -> Result<Submission, StatementError> {
        let org = org("org", self.org)?;
        let content = match (self.model, self.sealed) {
            (Some(model), None) => SubmissionContent::Model(model.check()?),
            (None, Some(sealed)) => SubmissionContent::Sealed(Sealed {
                commitment: hash("sealed.commitment", &sealed.commitment)?,
            }),
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "model",
                    FieldProblem::ExclusiveWith { other: "sealed" },
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "model",
                    FieldProblem::MissingEither { other: "sealed" },
                ));
            }
        };
        let planned_release = match self.planned_release {
            Some(text) => Some(
                Date::parse(&text)
                    .map_err(|e| invalid("planned_release", FieldProblem::BadDate(e)))?,
            ),
            None => None,
        };
        Ok(Submission {
            org,
            content,
            planned_release,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeterminationWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    submission: Number,
    covered: bool,
    #[serde(deserialize_with = "object")]
    benchmark: BenchmarkWire,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BenchmarkWire {
    name: String,
    version: String,
    score: Number,
}

impl DeterminationWire {
    fn check(self) -> Result<Determination, StatementError> {
        // Without serde_json's arbitrary_precision every Number has an f64 value, and JSON
        // cannot write NaN or infinity; the check keeps that assumption explicit.
        let score = self
            .benchmark
            .score
            .as_f64()
            .filter(|score| score.is_finite())
            .ok_or(invalid("benchmark.score", FieldProblem::NotFinite))?;
        Ok(Determination {
            org: org("org", self.org)?,
            submission: index("submission", &self.submission)?,
            covered: self.covered,
            benchmark: Benchmark {
                name: label("benchmark.name", self.benchmark.name)?,
                version: label("benchmark.version", self.benchmark.version)?,
                score,
            },
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    submission: Number,
    outcome: String,
    #[serde(deserialize_with = "object")]
    findings: FindingsWire,
    #[serde(default, deserialize_with = "present")]
    report_sha256: Option<String>,
    #[serde(default, deserialize_with = "present")]
    summary: Option<String>,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FindingsWire {
    critical: Number,
    high: Number,
    medium: Number,
    low: Number,
}

impl DecisionWire {
    fn check(self) -> Result<Decision, StatementError> {
        Ok(Decision {
            org: org("org", self.org)?,
            submission: index("submission", &self.submission)?,
            outcome: named("outcome", &self.outcome, Outcome::from_name, Outcome::NAMES)?,
            findings: Findings {
                critical: count("findings.critical", &self.findings.critical)?,
                high: count("findings.high", &self.findings.high)?,
                medium: count("findings.medium", &self.findings.medium)?,
                low: count("findings.low", &self.findings.low)?,
            },
            report_sha256: self
                .report_sha256
                .map(|text| hash("report_sha256", &text))
                .transpose()?,
            summary: self
                .summary
                .map(|text| free_text("summary", text))
                .transpose()?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    submission: Number,
    sectors: Vec<String>,
    recipients: Number,
    commitment: String,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl DisclosureWire {
    fn check(self) -> Result<Disclosure, StatementError> {
        let recipients = count("recipients", &self.recipients)?;
        if recipients == 0 {
            return Err(invalid("recipients", FieldProblem::Zero));
        }
        Ok(Disclosure {
            org: org("org", self.org)?,
            submission: index("submission", &self.submission)?,
            sectors: sectors(self.sectors)?,
            recipients,
            commitment: hash("commitment", &self.commitment)?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediationWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    disclosure: Number,
    status: String,
    #[serde(default, deserialize_with = "present")]
    sectors: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl RemediationWire {
    fn check(self) -> Result<Remediation, StatementError> {
        Ok(Remediation {
            org: org("org", self.org)?,
            disclosure: index("disclosure", &self.disclosure)?,
            status: named(
                "status",
                &self.status,
                RemediationStatus::from_name,
                RemediationStatus::NAMES,
            )?,
            sectors: self.sectors.map(sectors).transpose()?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevealWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    disclosure: Number,
    salt: String,
    advisory_sha256: String,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl RevealWire {
    fn check(self) -> Result<Reveal, StatementError> {
        Ok(Reveal {
            org: org("org", self.org)?,
            disclosure: index("disclosure", &self.disclosure)?,
            salt: salt("salt", &self.salt)?,
            advisory_sha256: hash("advisory_sha256", &self.advisory_sha256)?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReleaseWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    submission: Number,
    #[serde(default, deserialize_with = "optional_object")]
    model: Option<ModelWire>,
    #[serde(default, deserialize_with = "present")]
    salt: Option<String>,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl ReleaseWire {
    fn check(self) -> Result<Release, StatementError> {
        let org = org("org", self.org)?;
        let submission = index("submission", &self.submission)?;
        let opening = match (self.model, self.salt) {
            (Some(model), Some(text)) => Some(Opening {
                model: model.check()?,
                salt: salt("salt", &text)?,
            }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    "model",
                    FieldProblem::RequiresAlso { other: "salt" },
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "salt",
                    FieldProblem::RequiresAlso { other: "model" },
                ));
            }
        };
        Ok(Release {
            org,
            submission,
            opening,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WithdrawalWire {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    org: String,
    submission: Number,
    #[serde(default, deserialize_with = "present")]
    reason: Option<String>,
    #[serde(default, deserialize_with = "present")]
    issued_at: Option<String>,
}

impl WithdrawalWire {
    fn check(self) -> Result<Withdrawal, StatementError> {
        Ok(Withdrawal {
            org: org("org", self.org)?,
            submission: index("submission", &self.submission)?,
            reason: self
                .reason
                .map(|text| free_text("reason", text))
                .transpose()?,
            issued_at: issued_at(self.issued_at)?,
        })
    }
}

fn invalid(field: &'static str, problem: FieldProblem) -> StatementError {
    StatementError::InvalidField { field, problem }
}

fn org(field: &'static str, text: String) -> Result<Org, StatementError> {
    Org::new(text).map_err(|problem| invalid(field, problem))
}

fn label(field: &'static str, text: String) -> Result<String, StatementError> {
    check_label(&text).map_err(|problem| invalid(field, problem))?;
    Ok(text)
}

/// Free text (summary, reason): anything but empty (omit the field instead).
fn free_text(field: &'static str, text: String) -> Result<String, StatementError> {
    if text.is_empty() {
        return Err(invalid(field, FieldProblem::Empty));
    }
    Ok(text)
}

fn named<T>(
    field: &'static str,
    text: &str,
    from_name: fn(&str) -> Option<T>,
    allowed: &'static [&'static str],
) -> Result<T, StatementError> {
    from_name(text).ok_or_else(|| {
        invalid(
            field,
            FieldProblem::NotOneOf {
                found: text.to_string(),
                allowed,
            },
        )
    })
}

/// A non-negative JSON integer.
fn count(field: &'static str, number: &Number) -> Result<u64, StatementError> {
    if let Some(value) = number.as_u64() {
        return Ok(value);
    }
    if number.is_i64() {
        return Err(invalid(field, FieldProblem::Negative));
    }
    Err(invalid(field, FieldProblem::NotAnInteger))
}

fn index(field: &'static str, number: &Number) -> Result<LogIndex, StatementError> {
    count(field, number).map(LogIndex)
}

fn lowercase_hex(field: &'static str, text: &str) -> Result<Vec<u8>, StatementError> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(invalid(field, FieldProblem::NotLowercaseHex));
    }
    hex::decode(text).map_err(|_| invalid(field, FieldProblem::NotLowercaseHex))
}

fn hash(field: &'static str, text: &str) -> Result<Hash, StatementError> {
    let bytes = lowercase_hex(field, text)?;
    Hash::from_slice(&bytes).map_err(|_| {
        invalid(
            field,
            FieldProblem::WrongLength {
                expected: 32,
                found: bytes.len(),
            },
        )
    })
}

fn public_key(field: &'static str, text: &str) -> Result<PublicKey, StatementError> {
    PublicKey::from_hex(text).map_err(|e| invalid(field, FieldProblem::BadKey(e)))
}

fn salt(field: &'static str, text: &str) -> Result<Salt, StatementError> {
    Salt::new(lowercase_hex(field, text)?).map_err(|problem| invalid(field, problem))
}

fn issued_at(text: Option<String>) -> Result<Option<UnixMillis>, StatementError> {
    text.map(|text| {
        UnixMillis::parse_rfc3339(&text).map_err(|e| invalid("issued_at", FieldProblem::BadTime(e)))
    })
    .transpose()
}

/// A list of sectors: at least one, each a label, none repeated.
fn sectors(list: Vec<String>) -> Result<Vec<String>, StatementError> {
    if list.is_empty() {
        return Err(invalid("sectors", FieldProblem::Empty));
    }
    for (i, sector) in list.iter().enumerate() {
        check_label(sector).map_err(|problem| invalid("sectors[]", problem))?;
        if list[..i].contains(sector) {
            return Err(invalid(
                "sectors[]",
                FieldProblem::Duplicate {
                    value: sector.clone(),
                },
            ));
        }
    }
    Ok(list)
}
