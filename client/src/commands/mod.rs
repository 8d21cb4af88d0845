//! The commands: each turns parsed flags into a [`Report`] or a [`ClientError`].
//!
//! | command | module |
//! |---|---|
//! | `keygen` | [`keygen`] |
//! | `submit`, `determine`, ..., `participant`, `file` | [`prepare`] builds, [`post`] signs and posts |
//! | `sign <statement>` | [`prepare`], then [`post::sign_only`] |
//! | `post ENVELOPE` | [`post::post_file`] |
//! | `status INDEX` | [`status`] |
//! | `receipt INDEX|FILE` | [`check`] |

pub mod check;
pub mod keygen;
pub mod post;
pub mod prepare;
pub mod status;

use docket_core::dsse::SigningKey;
use docket_core::policy::Policy;

use crate::cli::{Cli, Command, Globals};
use crate::error::ClientError;
use crate::http::LogClient;
use crate::output::Report;

/// The global flags, with helpers that turn them into what commands need.
pub struct Context<'a> {
    /// The flags.
    pub globals: &'a Globals,
}

impl Context<'_> {
    /// The signing key from `--key`.
    pub fn signing_key(&self) -> Result<SigningKey, ClientError> {
        let path = self.globals.key.as_ref().ok_or_else(|| {
            ClientError::Usage(
                "--key FILE is required to sign (make a key with `docket keygen --key FILE`, \
                 or set DOCKET_KEY)"
                    .into(),
            )
        })?;
        Ok(crate::keys::load_signing_key(path)?)
    }

    /// The organisation from `--org`.
    pub fn org(&self) -> Result<&str, ClientError> {
        self.globals.org.as_deref().ok_or_else(|| {
            ClientError::Usage(
                "--org NAME is required: your organisation exactly as the operator registered \
                 it (or set DOCKET_ORG)"
                    .into(),
            )
        })
    }

    /// A client for `--log` (with `--ca-file`'s CAs trusted besides the system's).
    pub fn client(&self) -> Result<LogClient, ClientError> {
        LogClient::with_tls(
            &self.globals.log,
            &docket_common::https::TlsOptions::with_ca_file(self.globals.ca_file.clone()),
        )
    }

    /// The trust policy from `--policy FILE`, or from `--log-key` and friends, if either
    /// was given. A policy that needs no witness is allowed, but said out loud (on
    /// stderr) every time: its receipts prove nothing against a split view.
    pub fn trust(&self) -> Result<Option<Policy>, ClientError> {
        let policy = match (&self.globals.policy, &self.globals.log_key) {
            (Some(path), _) => {
                docket_common::policy_file::read(path).map_err(ClientError::Usage)?
            }
            (None, Some(vkey)) => {
                crate::receipt::policy(vkey, &self.globals.witness_key, self.globals.quorum)?
            }
            (None, None) => return Ok(None),
        };
        if !docket_common::policy_file::is_witnessed(&policy) && !self.globals.json {
            eprintln!("{}", docket_common::policy_file::NO_WITNESS_WARNING);
        }
        Ok(Some(policy))
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Report, ClientError> {
    let ctx = Context {
        globals: &cli.globals,
    };
    match cli.command {
        Command::Keygen => keygen::run(&ctx),
        Command::Statement(command) => {
            let prepared = prepare::prepare(&ctx, &command)?;
            post::sign_and_post(&ctx, prepared)
        }
        Command::Sign(args) => {
            let prepared = prepare::prepare(&ctx, &args.statement)?;
            post::sign_only(&ctx, prepared, args.out.as_deref())
        }
        Command::Post(args) => post::post_file(&ctx, &args.envelope),
        Command::Status(args) => status::run(&ctx, args.submission),
        Command::Receipt(args) => check::run(&ctx, &args.receipt),
        Command::Manual(manual) => {
            let mut out = Vec::new();
            manual
                .run(<Cli as clap::CommandFactory>::command(), &mut out)
                .map_err(|err| ClientError::Usage(format!("writing: {err}")))?;
            let text = String::from_utf8_lossy(&out);
            Ok(Report {
                human: vec![text.trim_end_matches('\n').to_string()],
                json: serde_json::Value::String(text.into_owned()),
            })
        }
    }
}
