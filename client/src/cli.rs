//! The command line (clap derive): global flags, one subcommand per statement type, and
//! the key, receipt and status commands. Help text is written for someone who has never
//! used Docket; `--help` shows examples. Flag names and defaults are the contract in
//! docs/architecture.md "Files and command lines" and docs/developers.md, docs/agencies.md.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand};
use docket_core::statement::{Outcome, RemediationStatus, Role};

use crate::http::DEFAULT_LOG_URL;

const ABOUT: &str = "Sign statements for the Docket transparency log, post them, keep the receipts";

const LONG_ABOUT: &str = "\
Docket is a public, append-only log of the US federal cybersecurity review of frontier AI
models. `docket` is the participants' tool: AI developers submit models and release them,
reviewing agencies log determinations and decisions, the disclosure coordinator logs
disclosures and reveals, the operator registers everyone's keys.

Every statement is signed with your Ed25519 key (make one with `docket keygen`) and posted
to the log, which answers with a receipt: a proof that your statement is in the log, at a
time the log cannot later change. Receipts are saved as <index>.json and <index>.tlog-proof
in the receipt directory.";

const EXAMPLES: &str = "\
Examples:
  docket keygen --key acme.key
  docket --key acme.key --org 'Acme AI' submit --model acme-1 --model-version 2026.06 \\
      --artifact model.safetensors --planned-release 2026-07-15
  docket status 12
  docket --key nsa.key --org NSA decide --submission 12 --outcome cleared
  docket --key nsa.key --org NSA sign --out decision.json decide --submission 12 --outcome cleared
  docket post decision.json

Environment: DOCKET_LOG, DOCKET_KEY, DOCKET_ORG, DOCKET_RECEIPT_DIR, DOCKET_LOG_KEY,
DOCKET_POLICY, DOCKET_CA_FILE stand in for the flags of the same name; HTTPS_PROXY,
HTTP_PROXY and NO_PROXY are honoured.

Exit codes: 0 done; 1 the log refused the statement (its error code is shown) or a receipt
did not verify; 2 bad flags or a local problem (file, key); 3 the log is unreachable, busy
or failed (run the same command again: a retry is safe); 4 the log forked; 5 TLS: the
server's certificate is not trusted (fix --ca-file, do not retry).";

/// `docket`: the participant's command line.
#[derive(Debug, Parser)]
#[command(
    name = "docket",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub globals: Globals,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes (they may appear before or after the subcommand).
#[derive(Debug, Clone, Args)]
pub struct Globals {
    /// The log's base URL.
    #[arg(long, global = true, env = "DOCKET_LOG", value_name = "URL", default_value = DEFAULT_LOG_URL)]
    pub log: String,
    /// Your private key file (hex seed, mode 0600), made by `docket keygen`.
    #[arg(long, global = true, env = "DOCKET_KEY", value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Your organisation, exactly as the operator registered it (e.g. "Acme AI").
    #[arg(long, global = true, env = "DOCKET_ORG", value_name = "NAME")]
    pub org: Option<String>,
    /// Print machine-readable JSON instead of sentences.
    #[arg(long, global = true)]
    pub json: bool,
    /// Where receipts (<index>.json, <index>.tlog-proof) and salts (<index>.salt) are kept.
    #[arg(
        long,
        global = true,
        env = "DOCKET_RECEIPT_DIR",
        value_name = "DIR",
        default_value = "receipts"
    )]
    pub receipt_dir: PathBuf,
    /// The log's public key (a vkey, or a file holding it such as log.vkey): receipts are
    /// then checked against the log's signature, not only for internal consistency.
    #[arg(long, global = true, env = "DOCKET_LOG_KEY", value_name = "VKEY|FILE")]
    pub log_key: Option<String>,
    /// A witness's public key (a vkey or a file holding it) whose cosignature receipts
    /// must carry; repeatable.
    #[arg(long, global = true, value_name = "VKEY|FILE", requires = "log_key")]
    pub witness_key: Vec<String>,
    /// How many of the --witness-key witnesses must have cosigned (default: all).
    #[arg(long, global = true, value_name = "K", requires = "log_key")]
    pub quorum: Option<usize>,
    /// When the log answers that a write's receipt is not final yet (its witnesses have
    /// not cosigned), how long to keep asking for the final receipt, with backoff.
    #[arg(
        long,
        global = true,
        env = "DOCKET_RECEIPT_WAIT",
        value_name = "SECONDS",
        default_value_t = 60
    )]
    pub receipt_wait: u64,
    /// The log's c2sp.org/tlog-policy file (log key, witness keys, quorum): receipts are
    /// checked against it. Instead of --log-key, --witness-key and --quorum.
    #[arg(
        long,
        global = true,
        env = "DOCKET_POLICY",
        value_name = "FILE",
        conflicts_with_all = ["log_key", "witness_key", "quorum"]
    )]
    pub policy: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust for https:// URLs, e.g. a private
    /// deployment's CA; the system's CAs (SSL_CERT_FILE, SSL_CERT_DIR) are always used.
    #[arg(long, global = true, env = "DOCKET_CA_FILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a new Ed25519 key pair: FILE (secret, mode 0600) and FILE.pub (public).
    #[command(after_long_help = "Example:\n  docket keygen --key acme.key\n\n\
        Writes acme.key and acme.pub and prints the public key and its keyid. Give acme.pub\n\
        to the log operator to be registered; never share acme.key.")]
    Keygen,
    /// Statements: build from flags, sign with --key, post to --log, save the receipt.
    #[command(flatten)]
    Statement(StatementCommand),
    /// Sign a statement without posting it (for air-gapped signers); post it later with
    /// `docket post`.
    #[command(
        after_long_help = "Example (offline machine, then online machine):\n  \
        docket --key nsa.key --org NSA sign --out decision.json decide --submission 12 --outcome cleared\n  \
        docket post decision.json"
    )]
    Sign(SignArgs),
    /// Post an envelope made by `docket sign` and save its receipt (no key needed).
    #[command(after_long_help = "Example:\n  docket post decision.json")]
    Post(PostArgs),
    /// Show a submission's review: status, days left on the clock, decision, disclosures.
    #[command(after_long_help = "Example:\n  docket status 12\n  docket status 12 --json")]
    Status(StatusArgs),
    /// Check a saved receipt again, offline (by index in --receipt-dir, or by path).
    #[command(after_long_help = "Example:\n  docket receipt 12\n  \
        docket --log-key \"$(cat log.vkey)\" receipt receipts/12.json")]
    Receipt(ReceiptArgs),
    /// Shell completions and the man page, generated from these flags.
    #[command(flatten)]
    Manual(docket_common::manual::ManualCommand),
}

/// The statement commands, shared by `docket <cmd>` (sign and post) and
/// `docket sign <cmd>` (sign only).
#[derive(Debug, Subcommand)]
pub enum StatementCommand {
    /// Developer: submit a model for review (starts the review clock).
    #[command(after_long_help = "Examples:\n  \
        docket --key acme.key --org 'Acme AI' submit --model acme-1 --model-version 2026.06 \\\n      \
        --artifact model.safetensors --planned-release 2026-07-15\n  \
        docket --key acme.key --org 'Acme AI' submit --model acme-2 --model-version 1 \\\n      \
        --artifact model.safetensors --sealed\n\n\
        --sealed logs only a commitment, SHA-256(salt || SHA-256(artifact)); the salt is saved\n\
        as <receipt-dir>/<index>.salt and the release opens it.")]
    Submit(SubmitArgs),
    /// Reviewer: say whether a submission is a covered frontier model.
    #[command(
        after_long_help = "Example:\n  docket --key nist.key --org NIST determine --submission 12 \\\n      \
        --covered --benchmark cyber-frontier --benchmark-version 1.0 --score 87.5"
    )]
    Determine(DetermineArgs),
    /// Reviewer: log the review's decision (at most one per submission).
    #[command(
        after_long_help = "Example:\n  docket --key nsa.key --org NSA decide --submission 12 \\\n      \
        --outcome findings_reported --critical 1 --high 2 --report report.pdf \\\n      \
        --summary 'Two exploitable paths.'"
    )]
    Decide(DecideArgs),
    /// Coordinator: log that vulnerabilities were shared with sectors, committing to the
    /// advisory (its salt is saved for `reveal`).
    #[command(
        after_long_help = "Example:\n  docket --key oncd.key --org ONCD disclose --submission 12 \\\n      \
        --sector energy --sector finance --recipients 40 --advisory advisory.txt\n\n\
        The salt is saved as <receipt-dir>/<index>.salt; keep it until the reveal."
    )]
    Disclose(DiscloseArgs),
    /// Clearinghouse: log the state of fixes for a disclosure.
    #[command(
        after_long_help = "Example:\n  docket --key treasury.key --org Treasury remediate \\\n      \
        --disclosure 16 --status deployed --sector finance"
    )]
    Remediate(RemediateArgs),
    /// Coordinator: open a disclosure's commitment (publish the advisory's digest).
    #[command(
        after_long_help = "Example:\n  docket --key oncd.key --org ONCD reveal --disclosure 16 --advisory advisory.txt\n\n\
        The salt is read from <receipt-dir>/<disclosure>.salt unless --salt-file is given."
    )]
    Reveal(RevealArgs),
    /// Developer: log that the model is now public (opening a sealed submission).
    #[command(
        after_long_help = "Examples:\n  docket --key acme.key --org 'Acme AI' release --submission 12\n  \
        docket --key acme.key --org 'Acme AI' release --submission 13 \\\n      \
        --model acme-2 --model-version 1 --artifact model.safetensors"
    )]
    Release(ReleaseArgs),
    /// Developer: withdraw a submission from review.
    #[command(
        after_long_help = "Example:\n  docket --key acme.key --org 'Acme AI' withdraw --submission 12 --reason 'Launch postponed.'"
    )]
    Withdraw(WithdrawArgs),
    /// Operator: register or revoke a participant's key.
    #[command(subcommand)]
    Participant(ParticipantCommand),
    /// Any statement written as a JSON file (docs/formats.md §2).
    #[command(after_long_help = "Example:\n  docket --key acme.key file withdrawal.json")]
    File(FileArgs),
}

/// `participant add|revoke`.
#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Register a key for an organisation and role.
    #[command(
        after_long_help = "Example:\n  docket --key operator.key --org operator participant add \\\n      \
        --member-org 'Acme AI' --role developer --public-key-file acme.pub"
    )]
    Add(ParticipantArgs),
    /// Revoke a key (statements it signed before stay valid).
    #[command(
        after_long_help = "Example:\n  docket --key operator.key --org operator participant revoke \\\n      \
        --member-org 'Acme AI' --role developer --public-key-file acme.pub"
    )]
    Revoke(ParticipantArgs),
}

/// The model artifact's digest: from a file or given.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub struct DigestArgs {
    /// The model artifact; its SHA-256 is computed (the file never leaves your machine).
    #[arg(long, value_name = "FILE")]
    pub artifact: Option<PathBuf>,
    /// The artifact's SHA-256 in hex, instead of --artifact.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
}

/// `submit`.
#[derive(Debug, Clone, Args)]
pub struct SubmitArgs {
    /// The model's name.
    #[arg(long, value_name = "NAME")]
    pub model: String,
    /// The model's version.
    #[arg(long, value_name = "VERSION")]
    pub model_version: String,
    /// The artifact (one of --artifact, --sha256 is required).
    #[command(flatten)]
    pub digest: DigestArgs,
    /// The planned public release date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub planned_release: Option<String>,
    /// Log only a salted commitment to the model; open it at release.
    #[arg(long)]
    pub sealed: bool,
    /// With --sealed: the salt file to use (read if it exists, written if not); default a
    /// new salt saved as <receipt-dir>/<index>.salt.
    #[arg(long, value_name = "FILE", requires = "sealed")]
    pub salt_file: Option<PathBuf>,
}

/// `determine`.
#[derive(Debug, Clone, Args)]
pub struct DetermineArgs {
    /// The submission's log index.
    #[arg(long, value_name = "INDEX")]
    pub submission: u64,
    /// The model is a covered frontier model.
    #[arg(
        long,
        conflicts_with = "not_covered",
        required_unless_present = "not_covered"
    )]
    pub covered: bool,
    /// The model is not covered.
    #[arg(long)]
    pub not_covered: bool,
    /// The benchmark's name.
    #[arg(long, value_name = "NAME")]
    pub benchmark: String,
    /// The benchmark's version.
    #[arg(long, value_name = "VERSION")]
    pub benchmark_version: String,
    /// The model's score on it.
    #[arg(long, value_name = "NUMBER", allow_negative_numbers = true)]
    pub score: f64,
}

/// `decide`.
#[derive(Debug, Clone, Args)]
pub struct DecideArgs {
    /// The submission's log index.
    #[arg(long, value_name = "INDEX")]
    pub submission: u64,
    /// The outcome.
    #[arg(long, value_parser = PossibleValuesParser::new(Outcome::NAMES))]
    pub outcome: String,
    /// Critical findings.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub critical: u64,
    /// High-severity findings.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub high: u64,
    /// Medium-severity findings.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub medium: u64,
    /// Low-severity findings.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub low: u64,
    /// The full report; only its SHA-256 is logged.
    #[arg(long, value_name = "FILE", conflicts_with = "report_sha256")]
    pub report: Option<PathBuf>,
    /// The full report's SHA-256 in hex, instead of --report.
    #[arg(long, value_name = "HEX")]
    pub report_sha256: Option<String>,
    /// A short public summary.
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
}

/// `disclose`.
#[derive(Debug, Clone, Args)]
pub struct DiscloseArgs {
    /// The submission whose findings were shared.
    #[arg(long, value_name = "INDEX")]
    pub submission: u64,
    /// A sector informed; repeat for each.
    #[arg(long = "sector", value_name = "NAME", required = true)]
    pub sectors: Vec<String>,
    /// How many recipients were informed.
    #[arg(long, value_name = "N")]
    pub recipients: u64,
    /// The advisory shared; only a salted commitment to its SHA-256 is logged.
    #[arg(long, value_name = "FILE", required_unless_present = "advisory_sha256")]
    pub advisory: Option<PathBuf>,
    /// The advisory's SHA-256 in hex, instead of --advisory.
    #[arg(long, value_name = "HEX", conflicts_with = "advisory")]
    pub advisory_sha256: Option<String>,
    /// The salt file to use (read if it exists, written if not); default a new salt saved
    /// as <receipt-dir>/<index>.salt.
    #[arg(long, value_name = "FILE")]
    pub salt_file: Option<PathBuf>,
}

/// `remediate`.
#[derive(Debug, Clone, Args)]
pub struct RemediateArgs {
    /// The disclosure's log index.
    #[arg(long, value_name = "INDEX")]
    pub disclosure: u64,
    /// The state of the fixes.
    #[arg(long, value_parser = PossibleValuesParser::new(RemediationStatus::NAMES))]
    pub status: String,
    /// A sector the status applies to; repeat for each (default: all the disclosure's).
    #[arg(long = "sector", value_name = "NAME")]
    pub sectors: Vec<String>,
}

/// `reveal`.
#[derive(Debug, Clone, Args)]
pub struct RevealArgs {
    /// The disclosure's log index.
    #[arg(long, value_name = "INDEX")]
    pub disclosure: u64,
    /// The advisory that was disclosed.
    #[arg(long, value_name = "FILE", required_unless_present = "advisory_sha256")]
    pub advisory: Option<PathBuf>,
    /// The advisory's SHA-256 in hex, instead of --advisory.
    #[arg(long, value_name = "HEX", conflicts_with = "advisory")]
    pub advisory_sha256: Option<String>,
    /// The disclosure's salt file (default <receipt-dir>/<disclosure>.salt).
    #[arg(long, value_name = "FILE")]
    pub salt_file: Option<PathBuf>,
}

/// `release`.
#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    /// The submission's log index.
    #[arg(long, value_name = "INDEX")]
    pub submission: u64,
    /// Sealed submissions: the model's name, exactly as when submitting.
    #[arg(long, value_name = "NAME", requires = "model_version")]
    pub model: Option<String>,
    /// Sealed submissions: the model's version.
    #[arg(long, value_name = "VERSION", requires = "model")]
    pub model_version: Option<String>,
    /// Sealed submissions: the artifact (or --sha256).
    #[command(flatten)]
    pub digest: DigestArgs,
    /// Sealed submissions: the salt file (default <receipt-dir>/<submission>.salt).
    #[arg(long, value_name = "FILE", requires = "model")]
    pub salt_file: Option<PathBuf>,
}

/// `withdraw`.
#[derive(Debug, Clone, Args)]
pub struct WithdrawArgs {
    /// The submission's log index.
    #[arg(long, value_name = "INDEX")]
    pub submission: u64,
    /// Why, in your words (public).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

/// `participant add|revoke`.
#[derive(Debug, Clone, Args)]
pub struct ParticipantArgs {
    /// The member's organisation, as its statements will write it.
    #[arg(long, value_name = "NAME")]
    pub member_org: String,
    /// The member's role.
    #[arg(long, value_parser = PossibleValuesParser::new(Role::NAMES))]
    pub role: String,
    /// The member's public key file (.pub).
    #[arg(long, value_name = "FILE", required_unless_present = "public_key")]
    pub public_key_file: Option<PathBuf>,
    /// The member's public key in hex, instead of --public-key-file.
    #[arg(long, value_name = "HEX", conflicts_with = "public_key_file")]
    pub public_key: Option<String>,
}

/// `file`.
#[derive(Debug, Clone, Args)]
pub struct FileArgs {
    /// The statement JSON file.
    #[arg(value_name = "STATEMENT.json")]
    pub path: PathBuf,
}

/// `sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Write the envelope here (default: standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The statement to sign.
    #[command(subcommand)]
    pub statement: StatementCommand,
}

/// `post`.
#[derive(Debug, Clone, Args)]
pub struct PostArgs {
    /// The envelope file (DSSE JSON), e.g. from `docket sign`.
    #[arg(value_name = "ENVELOPE.json")]
    pub envelope: PathBuf,
}

/// `status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// The submission's log index.
    #[arg(value_name = "INDEX")]
    pub submission: u64,
}

/// `receipt`.
#[derive(Debug, Clone, Args)]
pub struct ReceiptArgs {
    /// A log index (looked up in --receipt-dir) or a receipt file path.
    #[arg(value_name = "INDEX|FILE")]
    pub receipt: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn globals_go_anywhere_and_statement_commands_nest_under_sign() {
        let cli = Cli::try_parse_from([
            "docket",
            "sign",
            "--out",
            "e.json",
            "decide",
            "--submission",
            "3",
            "--outcome",
            "cleared",
            "--key",
            "k.key",
            "--org",
            "NSA",
        ])
        .unwrap();
        assert_eq!(cli.globals.key, Some(PathBuf::from("k.key")));
        assert_eq!(cli.globals.org.as_deref(), Some("NSA"));
        let Command::Sign(sign) = cli.command else {
            panic!("not sign")
        };
        assert_eq!(sign.out, Some(PathBuf::from("e.json")));
        assert!(matches!(sign.statement, StatementCommand::Decide(ref d) if d.submission == 3));
    }

    #[test]
    fn usage_errors_are_caught_by_the_parser() {
        let bad: &[&[&str]] = &[
            &[
                "docket",
                "decide",
                "--submission",
                "3",
                "--outcome",
                "approved",
            ],
            &[
                "docket",
                "determine",
                "--submission",
                "3",
                "--covered",
                "--not-covered",
                "--benchmark",
                "b",
                "--benchmark-version",
                "1",
                "--score",
                "1",
            ],
            &[
                "docket",
                "submit",
                "--model",
                "m",
                "--model-version",
                "1",
                "--artifact",
                "a",
                "--sha256",
                "00",
            ],
            &[
                "docket",
                "submit",
                "--model",
                "m",
                "--model-version",
                "1",
                "--sha256",
                "00",
                "--salt-file",
                "s",
            ],
            &[
                "docket",
                "disclose",
                "--submission",
                "3",
                "--recipients",
                "1",
                "--advisory",
                "a",
            ],
            &["docket", "status"],
            &["docket", "--quorum", "1", "status", "3"],
        ];
        for args in bad {
            let err = Cli::try_parse_from(*args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }
}
