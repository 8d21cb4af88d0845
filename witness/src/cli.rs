//! The `witness` command line (docs/architecture.md "Files and command lines"): one enum of
//! subcommands, parsed by clap. `main.rs` parses, calls [`crate::run`], and exits.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// An independent c2sp.org/tlog-witness: cosigns a log's checkpoints after checking
/// they are consistent with what it cosigned before, and never cosigns a fork.
#[derive(Debug, Parser)]
#[command(name = "witness", version, after_help = docket_common::exit::HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make the witness's Ed25519 key (DIR/witness.skey, mode 0600) and print its
    /// cosignature vkey (type 0x04), also written to DIR/witness.vkey.
    Init(InitArgs),
    /// Serve POST /add-checkpoint and the read endpoints; poll logs that have a URL.
    Serve(ServeArgs),
    /// Shell completions and the man page, generated from these flags.
    #[command(flatten)]
    Manual(docket_common::manual::ManualCommand),
}

/// `witness init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory for the key files (created if missing).
    #[arg(long, default_value = crate::config::DEFAULT_DATA_DIR)]
    pub data_dir: PathBuf,
    /// The witness's name, a schema-less URL such as `witness.example.org/w1`: it is
    /// the key name in every cosignature line.
    #[arg(long, default_value = crate::config::DEFAULT_NAME)]
    pub name: String,
}

/// `witness serve`. Flags override the config file.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// TOML config file (see docs/witness.md).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory (key and database). Default `./witness-data`.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Listen address. Default `127.0.0.1:8081`.
    #[arg(long)]
    pub listen: Option<String>,
    /// A log to witness: `URL=VKEY` (URL: its tlog-tiles prefix, polled in pull mode),
    /// or a bare `VKEY` (push only). The origin is the vkey's name. Repeatable; adds to
    /// the config file. The old order `VKEY=URL` still works, with a warning.
    #[arg(long = "log", value_name = "[URL=]VKEY")]
    pub logs: Vec<String>,
    /// The clock is right although it is more than `max_clock_jump` ahead of the last
    /// stored cosignature (the witness was down that long): do not refuse to cosign
    /// for that at start-up. Jumps while running are still refused.
    #[arg(long)]
    pub accept_clock_jump: bool,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. Send SIGHUP to
    /// reload both files after renewing them.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) for --tls-cert.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Extra CA certificates (PEM) trusted when polling https:// logs.
    #[arg(long, value_name = "FILE", env = "DOCKET_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}
