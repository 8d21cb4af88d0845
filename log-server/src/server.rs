//! Start-up and shutdown: create what is missing (data directory, keys, genesis), open
//! the store, refuse to start when the log key has signed more than the database holds
//! ([`crate::signed_state`]), start the sequencer, bind, serve; on shutdown stop accepting, let
//! in-flight writes get their receipts, drain the queue and close the store (every
//! write was already synced).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use docket_core::merkle::empty_root;
use docket_core::note::SignerKey;
use docket_core::rules::LogView as _;
use docket_core::time::UnixMillis;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::cosign::{Cosigner, HttpWitness};
use crate::http::{self, AppState, Limits};
use crate::keys::{self, KeyError, OperatorKey};
use crate::metrics::Metrics;
use crate::published::{self, Published, PublishedCheckpoint};
use crate::receipt::Receipt;
use crate::receipt_policy::ReceiptPolicy;
use crate::sequencer::{
    Clock, PublishError, Sequencer, SequencerParts, SequencerSettings, system_clock,
};
use crate::signed_state;
use crate::store::{LogStore, StoreError};

/// Start-up failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A key file problem.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The database could not be opened or read.
    #[error("database: {0}")]
    Store(#[from] StoreError),
    /// Creating the data directory or binding the socket failed.
    #[error("{what}: {reason}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        reason: String,
    },
    /// A witness setting could not be used.
    #[error("witness {url}: {reason}")]
    Witness {
        /// The witness URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The genesis entry could not be logged.
    #[error("genesis: {0}")]
    Genesis(String),
    /// The existing log does not match the configuration.
    #[error("{0}")]
    Mismatch(String),
    /// The log key has signed more (or something else) than the database holds.
    #[error("{0}")]
    Refused(String),
    /// The signed-state file could not be read or written.
    #[error("signed-state file: {0}")]
    SignedState(#[from] signed_state::SignedStateError),
    /// The `[receipts]` settings do not fit the configured witnesses.
    #[error("receipt policy: {0}")]
    ReceiptPolicy(String),
    /// The sequencer could not publish at start.
    #[error("sequencer: {0}")]
    Publish(#[from] PublishError),
}

/// Test and embedding hooks; `Default` is what `log-server serve` uses.
#[derive(Default)]
pub struct StartOptions {
    /// Cosigners to use instead of HTTP clients for `config.witnesses`.
    pub cosigners: Option<Vec<Arc<dyn Cosigner>>>,
    /// A clock instead of the system clock.
    pub clock: Option<Clock>,
    /// A monotonic clock for the clock-jump guard instead of the process's own.
    pub monotonic: Option<docket_daemon::clock::Monotonic>,
}

/// What `init` created.
#[derive(Debug, Clone, PartialEq)]
pub struct InitReport {
    /// Whether the log key was created now.
    pub created_log_key: bool,
    /// Whether the operator key was created now.
    pub created_operator_key: bool,
    /// The genesis receipt, if genesis was logged now.
    pub genesis: Option<Receipt>,
    /// The log's vkey.
    pub vkey: String,
}

/// A running server.
pub struct Server {
    /// The address it listens on (with the real port when 0 was asked).
    pub addr: SocketAddr,
    /// `"https"` when it terminates TLS, else `"http"`.
    pub scheme: &'static str,
    /// The log's verifier key.
    pub vkey: String,
    /// The store (for tests and tools that append directly).
    pub store: Arc<LogStore>,
    /// The published checkpoint.
    pub published: Published,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// The submit handle.
    pub sequencer: crate::sequencer::SequencerHandle,
    stop: Option<oneshot::Sender<()>>,
    serving: tokio::task::JoinHandle<()>,
    sequencer_task: Option<Sequencer>,
}

fn io_error(what: impl Into<String>, err: impl std::fmt::Display) -> ServerError {
    ServerError::Io {
        what: what.into(),
        reason: err.to_string(),
    }
}

/// Creates the data directory and the keys if missing. Returns (log key created,
/// operator key created).
fn ensure_keys(config: &Config) -> Result<(bool, bool), ServerError> {
    create_dir(&config.data_dir)?;
    for path in [&config.log_key, &config.operator_key] {
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
    }
    let log = keys::create_log_key(&config.log_key, &config.origin)?;
    let operator = keys::create_operator_key(&config.operator_key)?;
    Ok((log, operator))
}

fn create_dir(path: &Path) -> Result<(), ServerError> {
    if path.as_os_str().is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(path)
        .map_err(|err| io_error(format!("creating {}", path.display()), err))
}

fn witnesses(config: &Config) -> Result<Vec<Arc<dyn Cosigner>>, ServerError> {
    // Connect and total timeouts, so a witness that hangs (or accepts and never
    // answers) costs the sequencer at most `witness_timeout`, which the sequencer also
    // enforces around each whole round trip.
    let tls = docket_common::https::TlsOptions::with_ca_file(config.public.ca_file.clone());
    let client = docket_common::https::async_builder(&tls)
        .map_err(|err| io_error("setting up HTTPS", err))?
        .connect_timeout(config.witness_timeout)
        .timeout(config.witness_timeout)
        .build()
        .map_err(|err| io_error("building the HTTP client", err))?;
    config
        .witnesses
        .iter()
        .map(|w| {
            let key = keys::parse_witness_vkey(&w.vkey).map_err(|reason| ServerError::Witness {
                url: w.url.clone(),
                reason,
            })?;
            Ok(Arc::new(HttpWitness::new(&w.url, key, client.clone())) as Arc<dyn Cosigner>)
        })
        .collect()
}

struct Opened {
    store: Arc<LogStore>,
    log_key: SignerKey,
    operator: OperatorKey,
    published: published::Publisher,
    reader: Published,
}

/// The receipt policy from the config, over the cosigners' keys.
fn receipt_policy(
    config: &Config,
    cosigners: &[Arc<dyn Cosigner>],
) -> Result<ReceiptPolicy, ServerError> {
    let keys: Vec<_> = cosigners.iter().map(|c| c.key().clone()).collect();
    ReceiptPolicy::new(
        &keys,
        config.receipt_witnesses.as_deref(),
        config.receipt_quorum,
    )
    .map_err(ServerError::ReceiptPolicy)
}

/// Opens the store, loads the keys and the latest checkpoint, and compares the
/// database with what the key has signed (see [`crate::signed_state`]).
async fn open(config: &Config, policy: &ReceiptPolicy) -> Result<Opened, ServerError> {
    let log_key = keys::load_log_key(&config.log_key)?;
    let operator = keys::load_operator_key(&config.operator_key)?;
    let path = config.db_path();
    let state_path = signed_state::path_for(&config.log_key);
    let origin = log_key.name().as_str().to_string();
    let (store, latest, genesis) = tokio::task::spawn_blocking(move || {
        let store = LogStore::open(&path)?;
        let latest = store.latest_checkpoint()?;
        let root = match &latest {
            Some(record) => Some(store.root(record.size)?),
            None => None,
        };
        match signed_state::load(&state_path, &origin)? {
            Some(recorded) => {
                let db_size = store.tree_state()?.size;
                signed_state::check(
                    &recorded,
                    db_size,
                    |size| store.root(size).map_err(|err| err.to_string()),
                    &state_path,
                )
                .map_err(ServerError::Refused)?;
            }
            // A log from before the file existed: what the database last published is
            // the best record of what the key signed.
            None => {
                if let (Some(record), Some(root)) = (&latest, root) {
                    let recorded = signed_state::SignedState {
                        size: record.size,
                        root,
                    };
                    signed_state::store(&state_path, &origin, &recorded)?;
                }
            }
        }
        let genesis = store.view().genesis()?;
        Ok::<_, ServerError>((store, latest.zip(root), genesis))
    })
    .await
    .map_err(|err| io_error("opening the database", err))??;
    if let Some(genesis) = genesis
        && genesis.origin != log_key.name().as_str()
    {
        return Err(ServerError::Mismatch(format!(
            "the log's genesis origin is {:?} but the log key {} is named {:?}",
            genesis.origin,
            config.log_key.display(),
            log_key.name().as_str()
        )));
    }
    let initial = match latest {
        Some((record, root)) => {
            let is_final = policy.is_met(&record.note);
            PublishedCheckpoint::from_record(record, root, is_final)
        }
        None => PublishedCheckpoint {
            seq: 0,
            size: 0,
            root: empty_root(),
            published_at: UnixMillis(0),
            cosignatures: 0,
            note: String::new(),
            is_final: false,
        },
    };
    let (published, reader) = published::channel(initial);
    Ok(Opened {
        store: Arc::new(store),
        log_key,
        operator,
        published,
        reader,
    })
}

/// The clock-jump guard for `logged_at`, anchored (unless the operator said
/// `--accept-clock-jump`) to the latest time the log stored: the last `logged_at` or
/// the latest checkpoint's publication time, whichever is later. Heartbeats publish a
/// checkpoint every `heartbeat`, so an idle log does not look like a jump after a
/// restart; only the time the server was down does.
fn clock_guard(
    config: &Config,
    opened: &Opened,
    monotonic: docket_daemon::clock::Monotonic,
) -> Result<Arc<docket_daemon::clock::JumpGuard>, ServerError> {
    let guard = docket_daemon::clock::JumpGuard::new(config.max_clock_jump, monotonic);
    if config.accept_clock_jump {
        tracing::warn!(
            "--accept-clock-jump: the clock is not checked against the stored times at start-up"
        );
    } else {
        let last_logged_at = opened.store.tree_state()?.last_logged_at;
        let published_at = opened.reader.latest().published_at;
        let last = last_logged_at.max(published_at).0;
        // A new log has no time on record: nothing to compare the clock with.
        if last > 0 {
            guard.anchor(last);
        }
    }
    Ok(Arc::new(guard))
}

fn settings(config: &Config) -> SequencerSettings {
    SequencerSettings {
        batch_max_entries: config.batch_max_entries,
        batch_delay: config.batch_delay,
        queue_capacity: config.queue_capacity,
        heartbeat: config.heartbeat,
        witness_timeout: config.witness_timeout,
        witness_retry: config.witness_retry,
        cosignature_max_skew: config.cosignature_max_skew,
    }
}

/// Logs the genesis entry if the log is empty (through the sequencer, like any entry).
async fn ensure_genesis(
    config: &Config,
    opened_size: u64,
    operator: &OperatorKey,
    sequencer: &crate::sequencer::SequencerHandle,
    clock: &Clock,
) -> Result<Option<Receipt>, ServerError> {
    if opened_size > 0 {
        return Ok(None);
    }
    let submission = crate::apply::genesis_submission(config, operator, clock())
        .map_err(ServerError::Genesis)?;
    let receipt = sequencer
        .submit(submission)
        .await
        .map_err(|err| ServerError::Genesis(format!("{}: {}", err.code, err.message)))?;
    tracing::info!(index = receipt.index, "genesis entry logged");
    Ok(Some(receipt))
}

/// `log-server init`: creates the data directory, keys and genesis entry if missing.
pub async fn init(config: &Config) -> Result<InitReport, ServerError> {
    let (created_log_key, created_operator_key) = ensure_keys(config)?;
    let policy = receipt_policy(config, &witnesses(config)?)?;
    let opened = open(config, &policy).await?;
    let vkey = opened.log_key.verifier().to_vkey();
    let clock = system_clock();
    let size = opened.store.tree_state()?.size;
    let clock_guard = clock_guard(config, &opened, docket_daemon::clock::system_monotonic())?;
    let sequencer = Sequencer::start(SequencerParts {
        store: opened.store.clone(),
        log_key: opened.log_key,
        cosigners: Vec::new(),
        receipt_policy: policy,
        signed_state: Some(signed_state::path_for(&config.log_key)),
        publisher: opened.published,
        metrics: Arc::new(Metrics::default()),
        clock: clock.clone(),
        clock_guard,
        settings: settings(config),
    })
    .await?;
    let genesis = ensure_genesis(config, size, &opened.operator, &sequencer.handle, &clock).await;
    sequencer.shutdown().await;
    Ok(InitReport {
        created_log_key,
        created_operator_key,
        genesis: genesis?,
        vkey,
    })
}

impl Server {
    /// Creates what is missing, then starts serving on `config.listen`.
    pub async fn start(config: Config, options: StartOptions) -> Result<Server, ServerError> {
        ensure_keys(&config)?;
        let cosigners = match options.cosigners {
            Some(cosigners) => cosigners,
            None => witnesses(&config)?,
        };
        let policy = receipt_policy(&config, &cosigners)?;
        let opened = open(&config, &policy).await?;
        // The explorer's indexes for a log created before they existed (a no-op after).
        let store = opened.store.clone();
        tokio::task::spawn_blocking(move || crate::explorer::index::backfill(&store))
            .await
            .map_err(|err| crate::store::StoreError::Task(err.to_string()))??;
        let vkey = opened.log_key.verifier().to_vkey();
        let clock = options.clock.unwrap_or_else(system_clock);
        let metrics = Arc::new(Metrics::default());
        let size = opened.store.tree_state()?.size;
        let monotonic = options
            .monotonic
            .unwrap_or_else(docket_daemon::clock::system_monotonic);
        let clock_guard = clock_guard(&config, &opened, monotonic)?;
        let sequencer = Sequencer::start(SequencerParts {
            store: opened.store.clone(),
            log_key: opened.log_key,
            cosigners,
            receipt_policy: policy,
            signed_state: Some(signed_state::path_for(&config.log_key)),
            publisher: opened.published,
            metrics: metrics.clone(),
            clock: clock.clone(),
            clock_guard,
            settings: settings(&config),
        })
        .await?;
        ensure_genesis(&config, size, &opened.operator, &sequencer.handle, &clock).await?;
        let policy = crate::policy::policy_text(&vkey, &config)
            .map_err(|err| io_error("the trust policy", err))?;
        let crate::listen::Bound {
            listener,
            addr,
            scheme,
        } = crate::listen::bind(&config).await?;
        let state = AppState {
            store: opened.store.clone(),
            published: opened.reader.clone(),
            sequencer: sequencer.handle.clone(),
            metrics: metrics.clone(),
            limits: Limits {
                max_body_bytes: config.max_body_bytes,
                max_page: config.max_page,
            },
            tile_cache: Arc::default(),
            policy: policy.into(),
        };
        let app = http::router(state);
        let (stop, stopped) = oneshot::channel::<()>();
        let limits = config.serve;
        let serving = tokio::spawn(docket_daemon::serve::serve(
            listener,
            app,
            limits,
            async move {
                let _ = stopped.await;
            },
        ));
        tracing::info!(%addr, vkey = %vkey, "log server listening");
        Ok(Server {
            addr,
            scheme,
            vkey,
            store: opened.store,
            published: opened.reader,
            metrics,
            sequencer: sequencer.handle.clone(),
            stop: Some(stop),
            serving,
            sequencer_task: Some(sequencer),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// Graceful shutdown: stop accepting, finish in-flight requests (their writes get
    /// receipts), drain and stop the sequencer. Every write was synced when it was
    /// committed, so nothing more needs flushing.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(err) = (&mut self.serving).await {
            tracing::error!(error = %err, "HTTP task failed");
        }
        if let Some(sequencer) = self.sequencer_task.take() {
            sequencer.shutdown().await;
        }
    }
}
