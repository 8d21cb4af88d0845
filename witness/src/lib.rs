//! `docket-witness`: an independent c2sp.org/tlog-witness server for any log that
//! speaks the C2SP specs (docs/architecture.md "Witness").
//!
//! In scope: `POST /add-checkpoint` exactly as c2sp.org/tlog-witness (main) specifies,
//! durable per-origin state with compare-and-swap in RocksDB, fork evidence, pull mode
//! (poll a tlog-tiles log, build the consistency proof from its tiles, cosign), the
//! monitoring path `GET /<hex SHA-256(origin)>/checkpoint`, `/healthz`, `/metrics`.
//! Out of scope: the optional `sign-subtree` endpoint and ML-DSA-44 cosignatures (the
//! witness signs Ed25519 `cosignature/v1`, type 0x04, which today's ecosystem speaks).
//!
//! The decisions (parsing, signature checks, the decision table) are
//! `docket_core::witness`; this crate adds storage, keys, HTTP and the clock.
//!
//! `main.rs` only parses the command line and calls [`run`].

pub mod cli;
pub mod config;
pub mod forks;
pub mod http;
pub mod keys;
pub mod metrics;
pub mod pull;
pub mod service;
pub mod store;

use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::{Cli, Command, InitArgs, ServeArgs};
use crate::config::{Config, RawConfig};
use crate::service::Witness;
use crate::store::RocksStore;

/// Runs a parsed command line to completion. `Ok` means exit code 0.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Init(args) => init(&args),
        Command::Serve(args) => {
            init_tracing();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            runtime.block_on(serve(args))
        }
        Command::Manual(manual) => {
            let mut out = Vec::new();
            manual.run(<Cli as clap::CommandFactory>::command(), &mut out)?;
            std::io::Write::write_all(&mut std::io::stdout(), &out)?;
            Ok(())
        }
    }
}

fn init(args: &InitArgs) -> anyhow::Result<()> {
    let vkey = keys::init(&args.data_dir, &args.name)?;
    println!("{vkey}");
    Ok(())
}

/// `witness serve`: resolve the settings (making the key first if the data directory
/// has none), open the store, start pollers and serve until Ctrl-C or SIGTERM.
pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let raw = match &args.config {
        Some(path) => RawConfig::from_file(path)?,
        None => RawConfig::default(),
    }
    .with_flags(&args);
    let key_file = raw.key_file();
    if !key_file.exists() && raw.key_file.is_none() {
        let vkey = keys::init(&raw.data_dir(), config::DEFAULT_NAME)?;
        tracing::info!(%vkey, path = %key_file.display(), "made a new witness key");
    }
    let config = raw.resolve()?;
    // Loaded before binding, so a bad certificate stops the start-up with its reason.
    let tls = match &config.tls {
        Some(files) => Some(docket_common::listener::CertReloader::load(files.clone())?),
        None => None,
    };
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    if let Some(reloader) = &tls {
        docket_common::listener::reload_on_sighup(reloader.clone())
            .context("listening for SIGHUP")?;
    }
    let listener = docket_common::listener::Listener::new(tcp, tls)?;
    let scheme = listener.scheme();
    let server = start(config, listener)?;
    // Scripts and the end-to-end harness read this line to learn the bound port.
    println!("{}", server.witness.vkey());
    eprintln!("listening on {scheme}://{}", server.local_addr);
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// A running witness: HTTP server and pollers. Dropping it does not stop them; call
/// [`Server::shutdown`].
pub struct Server {
    /// The address actually bound (useful with port 0).
    pub local_addr: std::net::SocketAddr,
    /// The shared witness.
    pub witness: Arc<Witness>,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Server {
    /// Stops serving and polling, and waits for in-flight work.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Opens the store under `config.data_dir`, then serves on `listener` and starts a
/// poller per log with a URL. Call inside a tokio runtime.
pub fn start(
    config: Config,
    listener: impl Into<docket_common::listener::Listener>,
) -> anyhow::Result<Server> {
    start_with_clock(config, listener, service::system_clock())
}

/// [`start`] with the time read from `clock` (tests fix it).
pub fn start_with_clock(
    config: Config,
    listener: impl Into<docket_common::listener::Listener>,
    clock: service::Clock,
) -> anyhow::Result<Server> {
    let listener = listener.into();
    let db_path = config.data_dir.join("db");
    let store = RocksStore::open(&db_path)
        .with_context(|| format!("opening the database at {}", db_path.display()))?;
    let local_addr =
        axum::serve::Listener::local_addr(&listener).context("reading the bound address")?;
    let fetch_timeout = config.fetch_timeout;
    let limits = config.serve;
    let accept_clock_jump = config.accept_clock_jump;
    let client_tls = config.client_tls.clone();
    let witness = Arc::new(Witness::new(config, Arc::new(store), clock));
    if accept_clock_jump {
        tracing::warn!(
            "--accept-clock-jump: the clock is not checked against the stored cosignature times at start-up"
        );
    } else {
        witness
            .anchor_clock()
            .context("reading the stored cosignature times")?;
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    let app = http::router(witness.clone());
    let mut http_stop = stopped.clone();
    tasks.push(tokio::spawn(async move {
        let graceful = async move {
            let _ = http_stop.wait_for(|s| *s).await;
        };
        docket_daemon::serve::serve(listener, app, limits, graceful).await;
    }));
    tasks.extend(pull::spawn_pollers(
        witness.clone(),
        fetch_timeout,
        &client_tls,
        stopped,
    )?);
    tracing::info!(
        addr = %local_addr,
        vkey = %witness.vkey(),
        logs = witness.log_count(),
        "witness serving"
    );
    Ok(Server {
        local_addr,
        witness,
        stop,
        tasks,
    })
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
