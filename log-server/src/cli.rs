//! The command line (DESIGN.md, "Files and command lines"):
//!
//! ```text
//! log-server init  [--config FILE] [--data-dir DIR] [--origin NAME] [--review-window 30d] [--operator-org NAME]
//! log-server serve [--config FILE] [--data-dir DIR] [--listen ADDR] [--witness URL=VKEY]...
//! ```
//!
//! `serve` does `init` first when the data directory is empty. Logs go to stderr
//! (`RUST_LOG` filters them, default `info`); the vkey is printed on stdout.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};

use crate::config::{Config, Overrides, RawConfig};
use crate::server::{self, Server, StartOptions};

/// Docket log server.
#[derive(Debug, Parser)]
#[command(name = "log-server", version, about = "Docket transparency log server")]
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
    /// A witness as URL=VKEY (repeatable; replaces the config file's list).
    #[arg(long = "witness")]
    pub witnesses: Vec<String>,
    /// The clock is right although it is more than `sequencer.max_clock_jump` ahead of
    /// the last logged_at and checkpoint time (the log was down that long): do not
    /// refuse writes for that at start-up. Jumps while running are still refused.
    #[arg(long)]
    pub accept_clock_jump: bool,
}

fn resolve(
    common: &CommonArgs,
    listen: Option<String>,
    witnesses: Vec<String>,
    accept_clock_jump: bool,
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
                let config = resolve(&args.common, None, Vec::new(), false)?;
                let report = server::init(&config).await?;
                if let Some(genesis) = &report.genesis {
                    eprintln!("logged genesis as entry {}", genesis.index);
                }
                println!("{}", report.vkey);
                Ok(())
            }
            Command::Serve(args) => {
                let config = resolve(
                    &args.common,
                    args.listen.clone(),
                    args.witnesses.clone(),
                    args.accept_clock_jump,
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
