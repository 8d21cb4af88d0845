//! Statement builders: command-line values → a checked [`Statement`] (docs/architecture.md
//! "Statements"; exact JSON in docs/formats.md §2). Pure: no files, network, clock or
//! randomness; the commands hash files and draw salts, then call these.
//!
//! Every builder ends by encoding the statement with docket-core's
//! [`Statement::to_json`], which re-parses it with the log's own strict parser, so
//! nothing the log would refuse as malformed leaves the client. A field problem is
//! reported under the flag that supplied the value (`--sector: repeats "energy"`), not
//! the JSON field name, because that is what the user typed.

#[cfg(test)]
mod tests;

use docket_core::dsse::PublicKey;
use docket_core::merkle::Hash;
use docket_core::statement::{
    Action, Benchmark, Decision, Determination, Disclosure, FieldProblem, Findings, LogIndex,
    Member, Model, Opening, Org, Outcome, Participant, Release, Remediation, RemediationStatus,
    Reveal, Role, Salt, Sealed, Statement, StatementError, StatementKind, Submission,
    SubmissionContent, Withdrawal,
};
use docket_core::time::Date;

/// Why values do not make a valid statement.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// A flag's value is not acceptable.
    #[error("{flag}: {problem}")]
    Flag {
        /// The flag, e.g. `--planned-release`.
        flag: &'static str,
        /// What is wrong with its value.
        problem: FieldProblem,
    },
    /// A statement read from a JSON file is not valid.
    #[error("statement file: {0}")]
    File(StatementError),
    /// `--org` names another organisation than the statement file's `org`.
    #[error("--org {flag:?} does not match the statement's org {file:?}")]
    OrgMismatch {
        /// The `--org` value.
        flag: String,
        /// The file's `org`.
        file: String,
    },
    /// Genesis is written by the log itself.
    #[error(
        "genesis statements are written by the log server itself (`log-server init`), \
         not by participants"
    )]
    Genesis,
    /// The statement could not be encoded (a value outside what docket-core checks by
    /// flag; reported with the JSON field's name).
    #[error("statement: {0}")]
    Statement(StatementError),
}

/// A model as given on the command line: name, version and the artifact's SHA-256.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFlags {
    /// `--model`.
    pub name: String,
    /// `--model-version`.
    pub version: String,
    /// From `--artifact FILE` or `--sha256 HEX`.
    pub sha256: Hash,
}

/// What a submission carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubmissionFlags {
    /// The model in the clear.
    Model(ModelFlags),
    /// `--sealed`: only SHA-256(salt || sha256) is logged; the model stays secret until
    /// the release.
    Sealed {
        /// The model, never written into the statement.
        model: ModelFlags,
        /// The salt, kept in a salt file.
        salt: Salt,
    },
}

/// Checks an organisation name (`--org`).
pub fn org(name: &str) -> Result<Org, BuildError> {
    Org::new(name).map_err(|problem| BuildError::Flag {
        flag: "--org",
        problem,
    })
}

/// Parses a SHA-256 digest given as 64 hex characters (either case, as `sha256sum`
/// prints lowercase and some tools print uppercase).
pub fn sha256_flag(flag: &'static str, text: &str) -> Result<Hash, BuildError> {
    let bytes = hex::decode(text.trim()).map_err(|_| BuildError::Flag {
        flag,
        problem: FieldProblem::NotLowercaseHex,
    })?;
    Hash::from_slice(&bytes).map_err(|_| BuildError::Flag {
        flag,
        problem: FieldProblem::WrongLength {
            expected: 32,
            found: bytes.len(),
        },
    })
}

/// Parses a role name (`--role`).
pub fn role(text: &str) -> Result<Role, BuildError> {
    Role::from_name(text).ok_or_else(|| not_one_of("--role", text, Role::NAMES))
}

/// Parses an outcome name (`--outcome`).
pub fn outcome(text: &str) -> Result<Outcome, BuildError> {
    Outcome::from_name(text).ok_or_else(|| not_one_of("--outcome", text, Outcome::NAMES))
}

/// Parses a remediation status (`--status`).
pub fn remediation_status(text: &str) -> Result<RemediationStatus, BuildError> {
    RemediationStatus::from_name(text)
        .ok_or_else(|| not_one_of("--status", text, RemediationStatus::NAMES))
}

/// Parses a `YYYY-MM-DD` date (`--planned-release`).
pub fn date(text: &str) -> Result<Date, BuildError> {
    Date::parse(text).map_err(|err| BuildError::Flag {
        flag: "--planned-release",
        problem: FieldProblem::BadDate(err),
    })
}

/// `participant add|revoke`: registers or revokes `member_org`'s key for `role`.
pub fn participant(
    org_name: &str,
    action: Action,
    member_org: &str,
    role: Role,
    public_key: PublicKey,
) -> Result<Statement, BuildError> {
    let member_org = Org::new(member_org).map_err(|problem| BuildError::Flag {
        flag: "--member-org",
        problem,
    })?;
    checked(Statement::Participant(Participant {
        org: org(org_name)?,
        action,
        member: Member {
            org: member_org,
            role,
            public_key,
        },
        issued_at: None,
    }))
}

/// `submit`: a model in the clear, or sealed.
pub fn submission(
    org_name: &str,
    content: &SubmissionFlags,
    planned_release: Option<&str>,
) -> Result<Statement, BuildError> {
    let content = match content {
        SubmissionFlags::Model(model) => SubmissionContent::Model(model_of(model)),
        SubmissionFlags::Sealed { model, salt } => {
            // Check the name and version now: they are not in a sealed statement, but
            // the release will need them exactly as given.
            checked_model(model)?;
            SubmissionContent::Sealed(Sealed {
                commitment: docket_core::statement::commitment(salt, &model.sha256),
            })
        }
    };
    checked(Statement::Submission(Submission {
        org: org(org_name)?,
        content,
        planned_release: planned_release.map(date).transpose()?,
        issued_at: None,
    }))
}

/// `determine`: whether a submission is a covered model, by which benchmark.
pub fn determination(
    org_name: &str,
    submission: u64,
    covered: bool,
    benchmark: &str,
    benchmark_version: &str,
    score: f64,
) -> Result<Statement, BuildError> {
    if !score.is_finite() {
        return Err(BuildError::Flag {
            flag: "--score",
            problem: FieldProblem::NotFinite,
        });
    }
    checked(Statement::Determination(Determination {
        org: org(org_name)?,
        submission: LogIndex(submission),
        covered,
        benchmark: Benchmark {
            name: benchmark.to_string(),
            version: benchmark_version.to_string(),
            score,
        },
        issued_at: None,
    }))
}

/// `decide`: the review's outcome.
pub fn decision(
    org_name: &str,
    submission: u64,
    outcome: Outcome,
    findings: Findings,
    report_sha256: Option<Hash>,
    summary: Option<&str>,
) -> Result<Statement, BuildError> {
    checked(Statement::Decision(Decision {
        org: org(org_name)?,
        submission: LogIndex(submission),
        outcome,
        findings,
        report_sha256,
        summary: summary.map(str::to_string),
        issued_at: None,
    }))
}

/// `disclose`: vulnerabilities shared with sectors, committed to by `commitment`.
pub fn disclosure(
    org_name: &str,
    submission: u64,
    sectors: &[String],
    recipients: u64,
    commitment: Hash,
) -> Result<Statement, BuildError> {
    checked(Statement::Disclosure(Disclosure {
        org: org(org_name)?,
        submission: LogIndex(submission),
        sectors: sectors.to_vec(),
        recipients,
        commitment,
        issued_at: None,
    }))
}

/// `remediate`: the state of fixes for a disclosure (all its sectors when none given).
pub fn remediation(
    org_name: &str,
    disclosure: u64,
    status: RemediationStatus,
    sectors: &[String],
) -> Result<Statement, BuildError> {
    checked(Statement::Remediation(Remediation {
        org: org(org_name)?,
        disclosure: LogIndex(disclosure),
        status,
        sectors: (!sectors.is_empty()).then(|| sectors.to_vec()),
        issued_at: None,
    }))
}

/// `reveal`: opens a disclosure's commitment.
pub fn reveal(
    org_name: &str,
    disclosure: u64,
    salt: Salt,
    advisory_sha256: Hash,
) -> Result<Statement, BuildError> {
    checked(Statement::Reveal(Reveal {
        org: org(org_name)?,
        disclosure: LogIndex(disclosure),
        salt,
        advisory_sha256,
        issued_at: None,
    }))
}

/// `release`: the model is public; for a sealed submission, with the opening.
pub fn release(
    org_name: &str,
    submission: u64,
    opening: Option<(&ModelFlags, Salt)>,
) -> Result<Statement, BuildError> {
    let opening = match opening {
        Some((model, salt)) => Some(Opening {
            model: checked_model(model)?,
            salt,
        }),
        None => None,
    };
    checked(Statement::Release(Release {
        org: org(org_name)?,
        submission: LogIndex(submission),
        opening,
        issued_at: None,
    }))
}

/// `withdraw`: the submission leaves review.
pub fn withdrawal(
    org_name: &str,
    submission: u64,
    reason: Option<&str>,
) -> Result<Statement, BuildError> {
    checked(Statement::Withdrawal(Withdrawal {
        org: org(org_name)?,
        submission: LogIndex(submission),
        reason: reason.map(str::to_string),
        issued_at: None,
    }))
}

/// `file`: a statement written as JSON (any type but genesis), parsed with the log's
/// strict parser. If `org_flag` is given it must equal the statement's `org`.
pub fn from_json(bytes: &[u8], org_flag: Option<&str>) -> Result<Statement, BuildError> {
    let statement = Statement::from_json(bytes).map_err(BuildError::File)?;
    if statement.kind() == StatementKind::Genesis {
        return Err(BuildError::Genesis);
    }
    if let Some(flag) = org_flag
        && flag != statement.org().as_str()
    {
        return Err(BuildError::OrgMismatch {
            flag: flag.to_string(),
            file: statement.org().as_str().to_string(),
        });
    }
    Ok(statement)
}

fn model_of(model: &ModelFlags) -> Model {
    Model {
        name: model.name.clone(),
        version: model.version.clone(),
        sha256: model.sha256,
    }
}

/// The model, checked as it would be inside a statement (labels for name and version).
fn checked_model(model: &ModelFlags) -> Result<Model, BuildError> {
    let probe = Statement::Submission(Submission {
        org: Org::new("probe").expect("a valid label"),
        content: SubmissionContent::Model(model_of(model)),
        planned_release: None,
        issued_at: None,
    });
    checked(probe)?;
    Ok(model_of(model))
}

/// Encodes (and so re-parses) the statement, naming a failing field by its flag.
fn checked(statement: Statement) -> Result<Statement, BuildError> {
    match statement.to_json() {
        Ok(_) => Ok(statement),
        Err(StatementError::InvalidField { field, problem }) => match flag_of(field) {
            Some(flag) => Err(BuildError::Flag { flag, problem }),
            None => Err(BuildError::Statement(StatementError::InvalidField {
                field,
                problem,
            })),
        },
        Err(other) => Err(BuildError::Statement(other)),
    }
}

/// The flag that supplies a statement field.
fn flag_of(field: &str) -> Option<&'static str> {
    Some(match field {
        "org" => "--org",
        "member.org" => "--member-org",
        "model.name" => "--model",
        "model.version" => "--model-version",
        "planned_release" => "--planned-release",
        "benchmark.name" => "--benchmark",
        "benchmark.version" => "--benchmark-version",
        "benchmark.score" => "--score",
        "sectors" | "sectors[]" => "--sector",
        "recipients" => "--recipients",
        "summary" => "--summary",
        "reason" => "--reason",
        _ => return None,
    })
}

fn not_one_of(flag: &'static str, found: &str, allowed: &'static [&'static str]) -> BuildError {
    BuildError::Flag {
        flag,
        problem: FieldProblem::NotOneOf {
            found: found.to_string(),
            allowed,
        },
    }
}
