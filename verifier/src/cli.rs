//! The command line: `verifier <verb> [--policy FILE | --log URL --log-key VKEY|FILE
//! [--witness-key VKEY|FILE]... [--quorum K]] [--ca-file FILE] [--json] [--state FILE]`
//! (docs/journalists.md). Parsing only; [`crate::run_with`] does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::trust::TrustSettings;

/// Checks a Docket transparency log without trusting its operator.
#[derive(Debug, Parser)]
#[command(
    name = "verifier",
    version,
    about = "Checks a Docket transparency log without trusting its operator",
    after_help = docket_common::exit::HELP
)]
pub struct Cli {
    /// Trust policy and log location.
    #[command(flatten)]
    pub trust: TrustArgs,
    /// Print one JSON object instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The state file remembering the last verified checkpoint per log (default:
    /// $XDG_STATE_HOME/docket-verifier/state.json).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "DOCKET_VERIFIER_STATE"
    )]
    pub state: Option<PathBuf>,
    /// What to check.
    #[command(subcommand)]
    pub command: Command,
}

/// `--policy FILE`, or the simple flags.
#[derive(Debug, Clone, Args)]
pub struct TrustArgs {
    /// A c2sp.org/tlog-policy file: log vkey and URL, witness vkeys, groups and quorum.
    #[arg(long, global = true, value_name = "FILE", env = "DOCKET_POLICY")]
    pub policy: Option<PathBuf>,
    /// The log's URL (its tlog-tiles prefix), e.g. http://127.0.0.1:8080.
    #[arg(long, global = true, value_name = "URL", env = "DOCKET_LOG")]
    pub log: Option<String>,
    /// The log's public key: a vkey (name+hash+base64) or a file holding one.
    #[arg(long, global = true, value_name = "VKEY|FILE", env = "DOCKET_LOG_KEY")]
    pub log_key: Option<String>,
    /// A trusted witness's public key (a vkey or a file holding one); repeat for each.
    #[arg(long = "witness-key", global = true, value_name = "VKEY|FILE")]
    pub witness_keys: Vec<String>,
    /// How many of the witnesses must cosign (default: all of them).
    #[arg(long, global = true, value_name = "K")]
    pub quorum: Option<usize>,
    /// Extra CA certificates (PEM) to trust for https:// URLs, e.g. a private
    /// deployment's CA; the system's CAs (SSL_CERT_FILE, SSL_CERT_DIR) are always used.
    #[arg(long, global = true, value_name = "FILE", env = "DOCKET_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

impl TrustArgs {
    /// The settings these flags give.
    pub fn settings(&self) -> TrustSettings {
        TrustSettings {
            policy: self.policy.clone(),
            log_url: self.log.clone(),
            log_key: self.log_key.clone(),
            witness_keys: self.witness_keys.clone(),
            quorum: self.quorum,
            ca_file: self.ca_file.clone(),
        }
    }
}

/// The verbs.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Fetch the latest checkpoint (or read one from a file), verify the log's signature
    /// and the witness quorum, and check it is consistent with the one remembered.
    Checkpoint {
        /// Verify this checkpoint file instead of fetching the latest.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Prove an entry is in the log: by index, by entry file, or by statement digest.
    Inclusion {
        /// The entry's index.
        #[arg(long, value_name = "N")]
        index: Option<u64>,
        /// A file holding the entry (as logged) or the signed statement (DSSE envelope JSON).
        #[arg(long, value_name = "FILE")]
        entry: Option<PathBuf>,
        /// The statement digest (hex SHA-256 of the signed payload).
        #[arg(long, value_name = "HEX")]
        digest: Option<String>,
    },
    /// Prove two checkpoints are consistent: each a checkpoint file or a tree size.
    Consistency {
        /// The older checkpoint: a file, or a tree size from the log's history.
        old: String,
        /// The newer checkpoint: a file or a tree size (default: the latest).
        new: Option<String>,
    },
    /// Verify a receipt, tlog-proof or review bundle offline and show what it says.
    Bundle {
        /// The file: a receipt (JSON), a review bundle (JSON) or a c2sp.org/tlog-proof.
        file: PathBuf,
        /// For a bare tlog-proof: the entry it proves.
        #[arg(long, value_name = "FILE")]
        entry: Option<PathBuf>,
    },
    /// Replay the whole log: every hash, tile, signature and rule.
    Audit {
        /// The cursor file to resume from and save to (default: next to the state file).
        #[arg(long, value_name = "FILE")]
        cursor: Option<PathBuf>,
        /// Ignore a saved cursor and start from entry 0.
        #[arg(long)]
        restart: bool,
        /// Do not draw a progress bar.
        #[arg(long)]
        no_progress: bool,
    },
    /// A submission's whole record, with proof.
    Review {
        /// The submission's index.
        submission: Option<u64>,
        /// Write a self-contained bundle that proves the record offline.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Re-check a review bundle offline instead.
        #[arg(long, value_name = "FILE", conflicts_with = "out")]
        bundle: Option<PathBuf>,
    },
    /// Prove that no decision was logged by a submission's deadline (or show the decision).
    Deadline {
        /// The submission's index.
        submission: u64,
    },
    /// Check that an advisory document opens a disclosure's commitment.
    Reveal {
        /// The disclosure's index.
        disclosure: u64,
        /// The advisory document.
        #[arg(long, value_name = "FILE")]
        advisory: PathBuf,
        /// The salt (hex), if the reveal is not logged yet.
        #[arg(long, value_name = "HEX")]
        salt: Option<String>,
    },
    /// Shell completions and the man page, generated from these flags.
    #[command(flatten)]
    Manual(docket_common::manual::ManualCommand),
}

impl Command {
    /// The verb's name.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Checkpoint { .. } => "checkpoint",
            Command::Inclusion { .. } => "inclusion",
            Command::Consistency { .. } => "consistency",
            Command::Bundle { .. } => "bundle",
            Command::Audit { .. } => "audit",
            Command::Review { .. } => "review",
            Command::Deadline { .. } => "deadline",
            Command::Reveal { .. } => "reveal",
            Command::Manual(docket_common::manual::ManualCommand::Completions { .. }) => {
                "completions"
            }
            Command::Manual(docket_common::manual::ManualCommand::Man) => "man",
        }
    }
}
