//! `docket-verifier`: the command-line verifier for people who trust nobody
//! (docs/architecture.md "Verifier"). Trust comes from a policy (the log's key, witness keys and a
//! quorum); every proof is computed here from tlog-tiles, every signature checked here,
//! and the log's JSON helpers are used only as hints.
//!
//! Modules: [`cli`] (flags), [`trust`] (policy), [`fetch`] (HTTP and in-memory files),
//! [`log`] (verified checkpoints, tiles, bundles, inclusion proofs), [`fork`]
//! (consistency and fork evidence), [`crosscheck`] (each witness's own checkpoint against
//! the log's: split views), [`state`] (remembered checkpoints), [`replay`] and
//! [`view`] (replaying the log through the rules), [`evidence`] (the review bundle),
//! [`output`] (text and JSON), [`error`] (exit codes), and one module per verb in
//! [`verbs`].
//!
//! HTTPS uses rustls with the system's CAs plus `--ca-file` (`docket_common::https`);
//! TLS protects nothing the verifier relies on, since every byte is checked against
//! signed checkpoints. Out of scope: writing to the log (that is the `docket` client).

pub mod cli;
pub mod crosscheck;
pub mod describe;
pub mod error;
pub mod evidence;
pub mod fetch;
pub mod fork;
pub mod log;
pub mod output;
pub mod record;
pub mod replay;
pub mod state;
pub mod trust;
pub mod verbs;
pub mod view;
pub mod witnessed;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use docket_core::time::UnixMillis;

use crate::cli::{Cli, Command};
use crate::error::VerifierError;
use crate::fetch::{Fetcher, HttpFetcher};
use crate::log::LogClient;
use crate::output::{Outcome, Rendered, render};
use crate::trust::Trust;

/// What a run needs from outside the command line.
#[derive(Clone)]
pub struct Env {
    /// Serve the log from here instead of HTTP (tests, mirrors).
    pub fetcher: Option<Arc<dyn Fetcher>>,
    /// The current time (review statuses depend on it).
    pub now: UnixMillis,
    /// Whether a progress bar may be drawn on standard error.
    pub progress: bool,
}

impl Env {
    /// The real environment: HTTP, the system clock, progress bars allowed.
    pub fn system() -> Env {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| UnixMillis(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)))
            .unwrap_or_default();
        Env {
            fetcher: None,
            now,
            progress: true,
        }
    }
}

/// Everything a verb needs: trust, files, time.
pub struct Ctx<'a> {
    /// The trust policy and log location.
    pub trust: &'a Trust,
    /// Where the log's files come from, if a log URL (or a test fetcher) is known.
    pub fetcher: Option<&'a dyn Fetcher>,
    /// The state file.
    pub state_path: &'a Path,
    /// The current time.
    pub now: UnixMillis,
    /// Whether to draw progress bars.
    pub progress: bool,
}

impl Ctx<'_> {
    /// A client for the log, or a usage error when no log URL was given.
    pub fn client(&self) -> Result<LogClient<'_>, VerifierError> {
        let fetcher = self.fetcher.ok_or_else(|| {
            VerifierError::Usage(
                "no log URL: give --log URL (or a policy whose log line has a URL)".into(),
            )
        })?;
        Ok(LogClient::new(fetcher, self.trust))
    }
}

/// Runs a parsed command line in `env` and returns what to print and the exit code.
pub fn run_with(cli: &Cli, env: &Env) -> Rendered {
    if let Command::Manual(manual) = &cli.command {
        return manual_page(manual);
    }
    let result = execute(cli, env);
    let mut rendered = render(cli.command.verb(), &result, cli.json);
    if let Some(warning) = unwitnessed_warning(cli) {
        rendered.stderr = format!("{warning}\n{}", rendered.stderr);
    }
    rendered
}

/// The warning every run with a policy that needs no witness prints first (stderr), so
/// no output of such a run can be mistaken for a witnessed result.
fn unwitnessed_warning(cli: &Cli) -> Option<&'static str> {
    let trust = cli.trust.settings().resolve().ok()?;
    (!docket_common::policy_file::is_witnessed(&trust.policy))
        .then_some(docket_common::policy_file::NO_WITNESS_WARNING)
}

/// `verifier completions SHELL` and `verifier man`.
fn manual_page(manual: &docket_common::manual::ManualCommand) -> Rendered {
    let mut out = Vec::new();
    match manual.run(<Cli as clap::CommandFactory>::command(), &mut out) {
        Ok(()) => Rendered {
            code: error::EXIT_VERIFIED,
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::new(),
        },
        Err(err) => Rendered {
            code: error::EXIT_USAGE_OR_IO,
            stdout: String::new(),
            stderr: format!("writing: {err}\n"),
        },
    }
}

/// Parses `args` (the program name first) and runs them; a parse error or `--help` is
/// rendered as clap renders it, with exit code 2 (0 for help and version).
pub fn run_args<I, T>(args: I, env: &Env) -> Rendered
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser as _;
    match Cli::try_parse_from(args) {
        Ok(cli) => run_with(&cli, env),
        Err(error) => {
            let text = error.render().to_string();
            let code = if error.use_stderr() {
                error::EXIT_USAGE_OR_IO
            } else {
                error::EXIT_VERIFIED
            };
            Rendered {
                code,
                stdout: if error.use_stderr() {
                    String::new()
                } else {
                    text.clone()
                },
                stderr: if error.use_stderr() {
                    text
                } else {
                    String::new()
                },
            }
        }
    }
}

fn execute(cli: &Cli, env: &Env) -> Result<Outcome, VerifierError> {
    let trust = cli.trust.settings().resolve()?;
    let http;
    let fetcher: Option<&dyn Fetcher> = match (&env.fetcher, &trust.log_url) {
        (Some(fetcher), _) => Some(fetcher.as_ref()),
        (None, Some(url)) => {
            http = HttpFetcher::with_tls(url, &trust.tls)?;
            Some(&http)
        }
        (None, None) => None,
    };
    let state_path: PathBuf = cli.state.clone().unwrap_or_else(state::default_state_path);
    let ctx = Ctx {
        trust: &trust,
        fetcher,
        state_path: &state_path,
        now: env.now,
        progress: env.progress && !cli.json,
    };
    match &cli.command {
        Command::Checkpoint { file } => verbs::checkpoint::run(&ctx, file.as_deref()),
        Command::Inclusion {
            index,
            entry,
            digest,
        } => verbs::inclusion::run(&ctx, *index, entry.as_deref(), digest.as_deref()),
        Command::Consistency { old, new } => verbs::consistency::run(&ctx, old, new.as_deref()),
        Command::Bundle { file, entry } => verbs::bundle::run(&ctx, file, entry.as_deref()),
        Command::Audit {
            cursor,
            restart,
            no_progress,
        } => verbs::audit::run(
            &ctx,
            cursor.as_deref(),
            *restart,
            ctx.progress && !no_progress,
        ),
        Command::Review {
            submission,
            out,
            bundle,
        } => verbs::review::run(&ctx, *submission, out.as_deref(), bundle.as_deref()),
        Command::Deadline { submission } => verbs::deadline::run(&ctx, *submission),
        Command::Reveal {
            disclosure,
            advisory,
            salt,
        } => verbs::reveal::run(&ctx, *disclosure, advisory, salt.as_deref()),
        Command::Manual(_) => Err(VerifierError::Usage(
            "completions and man pages are printed before any trust is read".into(),
        )),
    }
}
