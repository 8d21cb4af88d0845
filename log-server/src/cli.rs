//! The command line (docs/architecture.md, "Files and command lines"):
//!
//! ```text
//! log-server init  [--config FILE] [--data-dir DIR] [--origin NAME] [--review-window 30d] [--operator-org NAME]
//! log-server serve [--config FILE] [--data-dir DIR] [--listen ADDR] [--witness URL=VKEY]...
//!                  [--public-url URL] [--quorum K] [--tls-cert FILE --tls-key FILE] [--ca-file FILE]
//! log-server policy [the same flags]        print the trust policy served at GET /policy
//! log-server completions SHELL | man
//! ```
//!
//! `serve` does `init` first when the data directory is empty. Logs go to stderr
//! (`RUST_LOG` filters them, default `info`); the vkey is printed on stdout.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides, RawConfig, RawPublic};
use crate::server::{self, Server, StartOptions};

/// Docket log server.
#[derive(Debug, Parser)]
#[command(
    name = "log-server",
    version,
    about = "Docket transparency log server",
    after_help = docket_common::exit::HELP
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory, the keys and the genesis entry.
    Init(InitArgs),
    /// Serve the log (creating what is missing first).
    Serve(ServeArgs),
    /// Print the log's trust policy (c2sp.org/tlog-policy: its key and URL, the
    /// witnesses, the quorum), exactly as `GET /policy` serves it.
    Policy(ServeArgs),
    /// Shell completions and the man page, generated from these flags.
    #[command(flatten)]
    Manual(docket_common::manual::ManualCommand),
}

/// Flags shared by both subcommands.
#[derive(Debug, Args, Clone, Default)]
pub struct CommonArgs {
    /// TOML config file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory (default ./docket-data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Log origin, used when the log is created (default localhost/docket).
    #[arg(long)]
    pub origin: Option<String>,
    /// Review window written into genesis, e.g. 30d, 90s (default 30d).
    #[arg(long)]
    pub review_window: Option<String>,
    /// The operator's organisation (default operator).
    #[arg(long)]
    pub operator_org: Option<String>,
}

/// `init` flags.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `serve` flags.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Shared flags.
    #[command(flatten)]
    pub common: CommonArgs,
    /// Listen address (default 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<String>,
    /// A witness as URL=VKEY (repeatable; replaces the config file's list). The old
    /// order VKEY=URL still works, with a warning.
    #[arg(long = "witness", value_name = "URL=VKEY")]
    pub witnesses: Vec<String>,
    /// The clock is right although it is more than `sequencer.max_clock_jump` ahead of
    /// the last logged_at and checkpoint time (the log was down that long): do not
    /// refuse writes for that at start-up. Jumps while running are still refused.
    #[arg(long)]
    pub accept_clock_jump: bool,
    /// The URL the public reads the log at, written into the published trust policy
    /// (TOML `public.url`).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// How many witnesses the published policy requires (default: all; TOML
    /// `public.quorum`).
    #[arg(long, value_name = "K")]
    pub quorum: Option<usize>,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key. SIGHUP reloads
    /// both files.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) for --tls-cert.
    #[arg(long, value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Extra CA certificates (PEM) trusted when pushing to https:// witnesses.
    #[arg(long, value_name = "FILE", env = "DOCKET_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

impl ServeArgs {
    fn public(&self) -> RawPublic {
        RawPublic {
            url: self.public_url.clone(),
            quorum: self.quorum,
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            ca_file: self.ca_file.clone(),
        }
    }
}

fn resolve(
    common: &CommonArgs,
    listen: Option<String>,
    witnesses: Vec<String>,
    accept_clock_jump: bool,
    public: RawPublic,
) -> anyhow::Result<Config> {
    let raw = match &common.config {
        Some(path) => RawConfig::load(path)?,
        None => RawConfig::default(),
    };
    let config = Config::resolve(
        raw,
        Overrides {
            data_dir: common.data_dir.clone(),
            listen,
            origin: common.origin.clone(),
            review_window: common.review_window.clone(),
            operator_org: common.operator_org.clone(),
            witnesses,
            accept_clock_jump,
            public,
        },
    )?;
    Ok(config)
}

/// Runs a parsed command line to completion.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Init(args) => {
                let config = resolve(&args.common, None, Vec::new(), false, RawPublic::default())?;
                let report = server::init(&config).await?;
                if let Some(genesis) = &report.genesis {
                    eprintln!("logged genesis as entry {}", genesis.index);
                }
                println!("{}", report.vkey);
                Ok(())
            }
            Command::Policy(args) => {
                let config = resolve(
                    &args.common,
                    args.listen.clone(),
                    args.witnesses.clone(),
                    args.accept_clock_jump,
                    args.public(),
                )?;
                let vkey = crate::keys::load_log_key(&config.log_key)?
                    .verifier()
                    .to_vkey();
                let text = crate::policy::policy_text(&vkey, &config)
                    .map_err(|err| anyhow::anyhow!(err))?;
                print!("{text}");
                Ok(())
            }
            Command::Manual(manual) => {
                let mut out = Vec::new();
                manual.run(<Cli as clap::CommandFactory>::command(), &mut out)?;
                std::io::Write::write_all(&mut std::io::stdout(), &out)?;
                Ok(())
            }
            Command::Serve(args) => {
                let config = resolve(
                    &args.common,
                    args.listen.clone(),
                    args.witnesses.clone(),
                    args.accept_clock_jump,
                    args.public(),
                )?;
                let server = Server::start(config, StartOptions::default()).await?;
                println!("{}", server.vkey);
                eprintln!("listening on {}", server.url());
                shutdown_signal().await;
                tracing::info!("shutting down: draining the write queue");
                server.shutdown().await;
                Ok(())
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
