//! From a statement command's flags to a [`Prepared`] statement: the file work (hashing
//! artifacts, advisories and reports, reading public keys and salts, drawing and saving
//! fresh salts) around the pure builders in [`crate::build`].
//!
//! A fresh salt is saved before anything is signed or posted (see [`crate::salt`]): to
//! `--salt-file` when given, else to `<receipt-dir>/pending-<commitment prefix>.salt`,
//! which [`super::post`] renames to `<receipt-dir>/<index>.salt` once the log has
//! answered. The pending name is derived from the commitment, so `docket post` of an
//! envelope made by `docket sign` finds it too.

use std::path::{Path, PathBuf};

use docket_core::dsse::PublicKey;
use docket_core::merkle::Hash;
use docket_core::statement::{Action, Findings, Salt, Statement, SubmissionContent};

use super::Context;
use crate::build::{self, ModelFlags, SubmissionFlags};
use crate::cli::{DigestArgs, ParticipantArgs, ParticipantCommand, StatementCommand};
use crate::error::ClientError;
use crate::salt::{self, read_salt_file, sha256_file, write_salt_file};

/// A statement ready to sign, and the salt file it depends on, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The statement.
    pub statement: Statement,
    /// A salt file this command wrote (to be removed if the log refuses the statement,
    /// since its commitment was then never logged).
    pub new_salt_file: Option<PathBuf>,
}

/// Builds the statement a command describes.
pub fn prepare(ctx: &Context<'_>, command: &StatementCommand) -> Result<Prepared, ClientError> {
    let plain = |statement| {
        Ok(Prepared {
            statement,
            new_salt_file: None,
        })
    };
    match command {
        StatementCommand::Submit(args) => {
            let sha256 = required_digest(&args.digest, "submit")?;
            let model = ModelFlags {
                name: args.model.clone(),
                version: args.model_version.clone(),
                sha256,
            };
            if !args.sealed {
                return plain(build::submission(
                    ctx.org()?,
                    &SubmissionFlags::Model(model),
                    args.planned_release.as_deref(),
                )?);
            }
            let salt = existing_or_fresh_salt(args.salt_file.as_deref())?;
            let statement = build::submission(
                ctx.org()?,
                &SubmissionFlags::Sealed {
                    model,
                    salt: salt.clone(),
                },
                args.planned_release.as_deref(),
            )?;
            with_salt(ctx, statement, &salt, args.salt_file.as_deref())
        }
        StatementCommand::Determine(args) => plain(build::determination(
            ctx.org()?,
            args.submission,
            args.covered && !args.not_covered,
            &args.benchmark,
            &args.benchmark_version,
            args.score,
        )?),
        StatementCommand::Decide(args) => {
            let report = match (&args.report, &args.report_sha256) {
                (Some(path), _) => Some(sha256_file(path)?),
                (None, Some(hex)) => Some(build::sha256_flag("--report-sha256", hex)?),
                (None, None) => None,
            };
            let findings = Findings {
                critical: args.critical,
                high: args.high,
                medium: args.medium,
                low: args.low,
            };
            plain(build::decision(
                ctx.org()?,
                args.submission,
                build::outcome(&args.outcome)?,
                findings,
                report,
                args.summary.as_deref(),
            )?)
        }
        StatementCommand::Disclose(args) => {
            let advisory =
                document_digest(args.advisory.as_deref(), args.advisory_sha256.as_deref())?;
            let salt = existing_or_fresh_salt(args.salt_file.as_deref())?;
            let statement = build::disclosure(
                ctx.org()?,
                args.submission,
                &args.sectors,
                args.recipients,
                salt::commit(&salt, &advisory),
            )?;
            with_salt(ctx, statement, &salt, args.salt_file.as_deref())
        }
        StatementCommand::Remediate(args) => plain(build::remediation(
            ctx.org()?,
            args.disclosure,
            build::remediation_status(&args.status)?,
            &args.sectors,
        )?),
        StatementCommand::Reveal(args) => {
            let advisory =
                document_digest(args.advisory.as_deref(), args.advisory_sha256.as_deref())?;
            let salt_path = args
                .salt_file
                .clone()
                .unwrap_or_else(|| salt_path(ctx, args.disclosure));
            let salt = read_salt_file(&salt_path)?;
            plain(build::reveal(ctx.org()?, args.disclosure, salt, advisory)?)
        }
        StatementCommand::Release(args) => {
            let has_digest = args.digest.artifact.is_some() || args.digest.sha256.is_some();
            let opening = match (&args.model, &args.model_version) {
                (Some(name), Some(version)) => {
                    let sha256 = required_digest(&args.digest, "release of a sealed submission")?;
                    let salt_path = args
                        .salt_file
                        .clone()
                        .unwrap_or_else(|| salt_path(ctx, args.submission));
                    let model = ModelFlags {
                        name: name.clone(),
                        version: version.clone(),
                        sha256,
                    };
                    Some((model, read_salt_file(&salt_path)?))
                }
                _ if has_digest => {
                    return Err(ClientError::Usage(
                        "--artifact/--sha256 open a sealed submission: give --model and \
                         --model-version too (or none of them for a submission in the clear)"
                            .into(),
                    ));
                }
                _ => None,
            };
            let opening = opening.as_ref().map(|(model, salt)| (model, salt.clone()));
            plain(build::release(ctx.org()?, args.submission, opening)?)
        }
        StatementCommand::Withdraw(args) => plain(build::withdrawal(
            ctx.org()?,
            args.submission,
            args.reason.as_deref(),
        )?),
        StatementCommand::Participant(ParticipantCommand::Add(args)) => {
            plain(participant(ctx, Action::Register, args)?)
        }
        StatementCommand::Participant(ParticipantCommand::Revoke(args)) => {
            plain(participant(ctx, Action::Revoke, args)?)
        }
        StatementCommand::File(args) => {
            let bytes = std::fs::read(&args.path)
                .map_err(|err| ClientError::file("statement file", &args.path, err))?;
            plain(build::from_json(&bytes, ctx.globals.org.as_deref())?)
        }
    }
}

/// Where the salt of entry `index` is kept: `<receipt-dir>/<index>.salt`.
pub fn salt_path(ctx: &Context<'_>, index: u64) -> PathBuf {
    ctx.globals.receipt_dir.join(format!("{index}.salt"))
}

/// Where a fresh salt waits for its entry's index: named by the commitment's first 16 hex
/// digits, so the command that posts the statement can find it.
pub fn pending_salt_path(receipt_dir: &Path, commitment: &Hash) -> PathBuf {
    receipt_dir.join(format!("pending-{}.salt", &commitment.to_hex()[..16]))
}

/// The commitment a statement makes, if it makes one (a disclosure, a sealed submission).
pub fn commitment_of(statement: &Statement) -> Option<Hash> {
    match statement {
        Statement::Disclosure(d) => Some(d.commitment),
        Statement::Submission(s) => match &s.content {
            SubmissionContent::Sealed(sealed) => Some(sealed.commitment),
            SubmissionContent::Model(_) => None,
        },
        _ => None,
    }
}

fn participant(
    ctx: &Context<'_>,
    action: Action,
    args: &ParticipantArgs,
) -> Result<Statement, ClientError> {
    let public_key = match (&args.public_key_file, &args.public_key) {
        (Some(path), _) => crate::keys::load_public_key(path)?,
        (None, Some(hex)) => PublicKey::from_hex(hex.trim())
            .map_err(|err| ClientError::Usage(format!("--public-key: {err}")))?,
        (None, None) => {
            return Err(ClientError::Usage(
                "give the member's key with --public-key-file FILE.pub or --public-key HEX".into(),
            ));
        }
    };
    Ok(build::participant(
        ctx.org()?,
        action,
        &args.member_org,
        build::role(&args.role)?,
        public_key,
    )?)
}

fn required_digest(digest: &DigestArgs, what: &str) -> Result<Hash, ClientError> {
    match (&digest.artifact, &digest.sha256) {
        (Some(path), _) => Ok(sha256_file(path)?),
        (None, Some(hex)) => Ok(build::sha256_flag("--sha256", hex)?),
        (None, None) => Err(ClientError::Usage(format!(
            "{what} needs the model artifact: --artifact FILE (hashed locally) or --sha256 HEX"
        ))),
    }
}

fn document_digest(file: Option<&Path>, hex: Option<&str>) -> Result<Hash, ClientError> {
    match (file, hex) {
        (Some(path), _) => Ok(sha256_file(path)?),
        (None, Some(hex)) => Ok(build::sha256_flag("--advisory-sha256", hex)?),
        (None, None) => Err(ClientError::Usage(
            "give the advisory with --advisory FILE or --advisory-sha256 HEX".into(),
        )),
    }
}

/// The salt in `explicit` if that file exists (a retry of the same statement), else a
/// fresh one.
fn existing_or_fresh_salt(explicit: Option<&Path>) -> Result<Salt, ClientError> {
    match explicit {
        Some(path) if path.exists() => Ok(read_salt_file(path)?),
        _ => Ok(salt::fresh_salt()?),
    }
}

/// Saves the salt of a statement that commits (unless it came from an existing file).
fn with_salt(
    ctx: &Context<'_>,
    statement: Statement,
    salt: &Salt,
    explicit: Option<&Path>,
) -> Result<Prepared, ClientError> {
    let path = match explicit {
        Some(path) if path.exists() => {
            return Ok(Prepared {
                statement,
                new_salt_file: None,
            });
        }
        Some(path) => path.to_path_buf(),
        None => {
            let commitment =
                commitment_of(&statement).expect("a statement made with a salt commits");
            pending_salt_path(&ctx.globals.receipt_dir, &commitment)
        }
    };
    write_salt_file(&path, salt)?;
    Ok(Prepared {
        statement,
        new_salt_file: Some(path),
    })
}
