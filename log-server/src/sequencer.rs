//! The sequencer: the one task that writes the log (docs/operations.md).
//!
//! Requests arrive on a bounded queue ([`SequencerHandle::submit`] fails at once when it
//! is full, and the API answers 503 with Retry-After). The loop takes the first request,
//! gathers more until the batch is full or the batch delay has passed, then:
//!
//! 1. in a blocking task: dedups, applies the rules against the store plus the batch so
//!    far, assigns consecutive indexes and a never-decreasing `logged_at`, appends the
//!    leaves to the [`Frontier`] and commits entries, hashes, indexes and tree state in
//!    ONE synced RocksDB write ([`crate::apply`]); rejected requests are answered now;
//! 2. signs one checkpoint for the new size, records it in the signed-state file next
//!    to the key ([`crate::signed_state`], fsynced) and asks every witness to cosign
//!    it, in parallel, each within the timeout (failures are counted, not fatal);
//! 3. keeps one cosignature per configured witness key, each verified again and dated
//!    within `cosignature_max_skew` of the log's clock (others are logged, counted and
//!    dropped), stores the checkpoint with them (synced) and publishes it;
//! 4. answers every request with its receipt, built from the batch's hashes in memory:
//!    final when the checkpoint meets the receipt policy ([`ReceiptPolicy`]), otherwise
//!    "not yet final" (no proof) and the client fetches the final one later.
//!
//! A witness that reports (409) a tree larger than the log's proves that this key signed
//! more than this database holds (a restored or replaced database, or a second
//! instance): the sequencer stops signing for good and answers writes with
//! `log_halted` (503) until the operator intervenes (docs/operations.md).
//!
//! Nothing is answered before it is durable and covered by a published checkpoint. Only
//! the frontier (O(log n) hashes) and the current batch live in memory. When idle for
//! the heartbeat interval, the log re-signs and re-witnesses its checkpoint; it also does
//! so at once on start when the latest checkpoint lacks cosignatures (a fresh `init`, or
//! a restart after a witness outage). On shutdown the queue is closed and drained.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docket_core::checkpoint::Checkpoint;
use docket_core::merkle::{Frontier, Hash};
use docket_core::note::{Note, SignerKey};
use docket_core::time::UnixMillis;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

use crate::apply::{self, Outcome, Submission};
use crate::cosign::{CosignError, CosignRequest, Cosigner};
use crate::http::error::{ApiError, code};
use crate::metrics::Metrics;
use crate::published::{PublishedCheckpoint, Publisher};
use crate::receipt::{self, Receipt};
use crate::receipt_policy::ReceiptPolicy;
use crate::signed_state::{self, SignedState};
use crate::store::{LogStore, StoreError, TreeState};

/// Why a checkpoint could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The signed-state file could not be written: nothing is published unrecorded.
    #[error("recording the signed checkpoint: {0}")]
    SignedState(String),
    /// Signing stopped for good (a witness is ahead of the log).
    #[error("signing halted: {0}")]
    Halted(String),
}

/// A clock giving the log's time (`logged_at`, publication times).
pub type Clock = Arc<dyn Fn() -> UnixMillis + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        UnixMillis(now.as_millis() as u64)
    })
}

/// The answer to a write: a receipt (new or existing entry) or an error.
pub type WriteResult = Result<Receipt, ApiError>;

/// A write waiting to be sequenced.
pub struct WriteRequest {
    /// The verified statement.
    pub submission: Submission,
    /// When it entered the queue (for the receipt-latency metric).
    pub arrived: Instant,
    /// Where the answer goes.
    pub reply: oneshot::Sender<WriteResult>,
}

/// Sequencer tuning (from [`crate::config::Config`]).
#[derive(Debug, Clone)]
pub struct SequencerSettings {
    /// Most entries per batch.
    pub batch_max_entries: usize,
    /// Longest wait for more requests after the first.
    pub batch_delay: Duration,
    /// Queue capacity.
    pub queue_capacity: usize,
    /// Idle interval before re-signing and re-witnessing.
    pub heartbeat: Duration,
    /// Per-witness time limit.
    pub witness_timeout: Duration,
    /// Interval between witnessing attempts while the latest checkpoint is not final.
    pub witness_retry: Duration,
    /// Largest accepted distance between a cosignature's time and the log's clock.
    pub cosignature_max_skew: Duration,
}

/// Everything the sequencer needs.
pub struct SequencerParts {
    /// The store.
    pub store: Arc<LogStore>,
    /// The log's checkpoint key (its name is the origin).
    pub log_key: SignerKey,
    /// Witnesses.
    pub cosigners: Vec<Arc<dyn Cosigner>>,
    /// Which cosignatures make a receipt final.
    pub receipt_policy: ReceiptPolicy,
    /// The signed-state file (see [`crate::signed_state`]); `None` only in tools that
    /// never sign.
    pub signed_state: Option<PathBuf>,
    /// Publishes checkpoints to readers.
    pub publisher: Publisher,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Clock.
    pub clock: Clock,
    /// Refuses `logged_at` values from a clock that jumped ahead (see
    /// `docket_daemon::clock`).
    pub clock_guard: Arc<docket_daemon::clock::JumpGuard>,
    /// Tuning.
    pub settings: SequencerSettings,
}

/// The submit side of the queue.
#[derive(Clone, Debug)]
pub struct SequencerHandle {
    tx: mpsc::Sender<WriteRequest>,
    metrics: Arc<Metrics>,
}

impl SequencerHandle {
    /// Queues a verified statement and waits for its receipt. Fails at once with
    /// `overloaded` when the queue is full.
    pub async fn submit(&self, submission: Submission) -> WriteResult {
        let (reply, answer) = oneshot::channel();
        let request = WriteRequest {
            submission,
            arrived: Instant::now(),
            reply,
        };
        match self.tx.try_send(request) {
            Ok(()) => {
                self.metrics
                    .queued
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                return Err(ApiError::new(
                    code::OVERLOADED,
                    "write queue is full, retry later",
                ));
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                return Err(ApiError::new(
                    code::SHUTTING_DOWN,
                    "the log is shutting down",
                ));
            }
        }
        self.metrics.queue_depth.store(
            (self.tx.max_capacity() - self.tx.capacity()) as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        answer
            .await
            .unwrap_or_else(|_| Err(ApiError::new(code::INTERNAL, "the sequencer stopped")))
    }
}

/// A running sequencer: its handle, and how to stop it.
pub struct Sequencer {
    /// Submit side.
    pub handle: SequencerHandle,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sequencer {
    /// Publishes a checkpoint for the committed tree if the latest one does not cover it
    /// (first start, or a crash between commit and publication), then starts the loop.
    pub async fn start(parts: SequencerParts) -> Result<Sequencer, PublishError> {
        let store = parts.store.clone();
        let (state, frontier) = blocking(move || {
            let state = store.tree_state()?;
            let frontier = Frontier::load(state.size, store.as_ref())?;
            Ok::<_, StoreError>((state, frontier))
        })
        .await??;
        let (tx, rx) = mpsc::channel(parts.settings.queue_capacity);
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let handle = SequencerHandle {
            tx,
            metrics: parts.metrics.clone(),
        };
        let mut task = Task {
            parts,
            state,
            frontier,
            rx,
            last_publish: Instant::now(),
            halted: None,
            recorded: None,
        };
        let latest = task.parts.publisher.latest();
        if latest.size != state.size || latest.note.is_empty() {
            task.publish().await?;
        }
        // `init` signs genesis with no witnesses, and a restart may follow a witness
        // outage: witness the current checkpoint now rather than at the first heartbeat.
        // In the loop, so slow witnesses do not hold up start-up (writes queue meanwhile).
        let cosigned = task.parts.publisher.latest().cosignatures;
        let witness_now =
            usize::try_from(cosigned).is_ok_and(|cosigned| cosigned < task.parts.cosigners.len());
        let task = tokio::spawn(task.run(shutdown_rx, witness_now));
        Ok(Sequencer {
            handle,
            shutdown: Some(shutdown_tx),
            task,
        })
    }

    /// Closes the queue, sequences what is in it, and waits for the loop to end.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Err(err) = (&mut self.task).await {
            tracing::error!(error = %err, "sequencer task failed");
        }
    }
}

/// Runs a blocking closure (RocksDB, batch hashing) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|err| StoreError::Task(err.to_string()))
}

struct Task {
    parts: SequencerParts,
    state: TreeState,
    frontier: Frontier,
    rx: mpsc::Receiver<WriteRequest>,
    last_publish: Instant,
    /// Set when a witness reported a larger tree: no more signing.
    halted: Option<String>,
    /// What the signed-state file holds, once written by this task.
    recorded: Option<SignedState>,
}

impl Task {
    async fn run(mut self, mut shutdown: oneshot::Receiver<()>, witness_now: bool) {
        let settings = self.parts.settings.clone();
        if witness_now && let Err(err) = self.publish().await {
            tracing::error!(error = %err, "start-up checkpoint failed");
        }
        let mut draining = false;
        loop {
            let first = if draining {
                match self.rx.recv().await {
                    Some(request) => request,
                    None => break,
                }
            } else {
                // While receipts wait for witnesses, ask again sooner than the heartbeat.
                let interval = if self.halted.is_none()
                    && !self.parts.cosigners.is_empty()
                    && !self.parts.publisher.latest().is_final
                {
                    settings.witness_retry.min(settings.heartbeat)
                } else {
                    settings.heartbeat
                };
                let heartbeat_at = tokio::time::Instant::from_std(self.last_publish + interval);
                tokio::select! {
                    request = self.rx.recv() => match request {
                        Some(request) => request,
                        None => break,
                    },
                    _ = tokio::time::sleep_until(heartbeat_at) => {
                        if let Err(err) = self.publish().await {
                            tracing::error!(error = %err, "heartbeat checkpoint failed");
                            self.last_publish = Instant::now();
                        }
                        continue;
                    }
                    _ = &mut shutdown, if !draining => {
                        // Stop taking new writes; sequence what is already queued.
                        self.rx.close();
                        draining = true;
                        continue;
                    }
                }
            };
            let mut batch = vec![first];
            let deadline = tokio::time::Instant::now() + settings.batch_delay;
            while batch.len() < settings.batch_max_entries {
                match self.rx.try_recv() {
                    Ok(request) => {
                        batch.push(request);
                        continue;
                    }
                    Err(mpsc::error::TryRecvError::Disconnected) => break,
                    Err(mpsc::error::TryRecvError::Empty) => {}
                }
                match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                    Ok(Some(request)) => batch.push(request),
                    Ok(None) | Err(_) => break,
                }
            }
            self.parts
                .metrics
                .queue_depth
                .store(self.rx.len() as u64, std::sync::atomic::Ordering::Relaxed);
            self.sequence(batch).await;
        }
        tracing::info!(size = self.state.size, "sequencer stopped");
    }

    /// Sequences one batch and answers every request in it.
    async fn sequence(&mut self, batch: Vec<WriteRequest>) {
        if let Some(reason) = &self.halted {
            // Nothing is committed: entries that can never be covered by a checkpoint
            // must not be promised.
            for request in batch {
                let _ = request.reply.send(Err(ApiError::new(
                    code::LOG_HALTED,
                    format!("the log has stopped signing: {reason}"),
                )));
            }
            return;
        }
        let started = Instant::now();
        let (submissions, waiters): (
            Vec<Submission>,
            Vec<(Instant, oneshot::Sender<WriteResult>)>,
        ) = batch
            .into_iter()
            .map(|r| (r.submission, (r.arrived, r.reply)))
            .unzip();
        let store = self.parts.store.clone();
        let frontier = self.frontier.clone();
        let state = self.state;
        let now = (self.parts.clock)();
        // logged_at is max(now, last): a jumped clock would freeze it for good.
        if let Err(jump) = self.parts.clock_guard.check(now.0) {
            tracing::error!(%jump, "not logging: clock jump");
            for (_, reply) in waiters {
                self.parts.metrics.reject(code::CLOCK_JUMP);
                let _ = reply.send(Err(ApiError::new(
                    code::CLOCK_JUMP,
                    "the log's clock jumped ahead and needs its operator; nothing was logged, retry later",
                )));
            }
            return;
        }
        let origin = self.parts.log_key.name().as_str().to_string();
        let planned = blocking(move || {
            let mut frontier = frontier;
            let plan = apply::plan_batch(&store, &origin, &mut frontier, state, now, &submissions)?;
            if !plan.commit.entries.is_empty() {
                store.commit(&plan.commit)?;
            }
            Ok::<_, StoreError>((plan, frontier, submissions))
        })
        .await
        .and_then(|r| r);
        let (plan, frontier, submissions) = match planned {
            Ok(planned) => planned,
            Err(err) => {
                tracing::error!(error = %err, "batch failed; nothing was answered with a receipt");
                for (_, reply) in waiters {
                    let _ = reply.send(Err(ApiError::new(code::INTERNAL, "storage error")));
                }
                self.reload().await;
                return;
            }
        };
        let appended = plan.commit.entries.len();
        self.frontier = frontier;
        self.state = plan.commit.state;
        self.parts.clock_guard.anchor(self.state.last_logged_at.0);
        let metrics = self.parts.metrics.clone();
        // Rejections are answered now: they changed nothing.
        let mut pending = Vec::new();
        for ((outcome, submission), (arrived, reply)) in
            plan.outcomes.into_iter().zip(submissions).zip(waiters)
        {
            match outcome {
                Outcome::Rejected(err) => {
                    metrics.reject(err.code);
                    let _ = reply.send(Err(err));
                }
                other => pending.push((other, submission, arrived, reply)),
            }
        }
        if appended > 0 {
            metrics.batch_size.observe(appended as f64);
            metrics
                .entries_appended
                .fetch_add(appended as u64, std::sync::atomic::Ordering::Relaxed);
        }
        let published = if appended > 0 {
            match self.publish_timed(started).await {
                Ok(published) => published,
                Err(err) => {
                    tracing::error!(error = %err, "publishing failed after commit");
                    let code = match err {
                        PublishError::Halted(_) => code::LOG_HALTED,
                        _ => code::INTERNAL,
                    };
                    for (_, _, _, reply) in pending {
                        let _ = reply.send(Err(ApiError::new(
                            code,
                            "the entry is stored but no checkpoint covers it: the log \
                             could not publish one",
                        )));
                    }
                    return;
                }
            }
        } else {
            self.parts.publisher.latest()
        };
        // Receipts: proofs from the batch's hashes (in memory) and the store.
        let store = self.parts.store.clone();
        let new_nodes = plan.commit.nodes;
        let new_entries = plan.commit.entries;
        let old_frontier = plan.old_frontier;
        let results = blocking(move || {
            let reader = receipt::BatchHashes::new(&store, &old_frontier, &new_nodes);
            pending
                .into_iter()
                .map(|(outcome, submission, arrived, reply)| {
                    let result = receipt::build(
                        &store,
                        &reader,
                        &published,
                        &outcome,
                        &submission,
                        &new_entries,
                    );
                    (result, arrived, reply)
                })
                .collect::<Vec<_>>()
        })
        .await;
        match results {
            Ok(results) => {
                for (result, arrived, reply) in results {
                    match &result {
                        Ok(receipt) if receipt.is_final => {
                            metrics.receipt_seconds.observe_duration(arrived.elapsed());
                        }
                        Ok(_) => {
                            metrics
                                .receipts_not_final
                                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Err(_) => {}
                    }
                    let _ = reply.send(result);
                }
            }
            Err(err) => tracing::error!(error = %err, "building receipts failed"),
        }
    }

    async fn publish_timed(
        &mut self,
        started: Instant,
    ) -> Result<Arc<PublishedCheckpoint>, PublishError> {
        let signed = self.sign().await?;
        self.parts
            .metrics
            .sequencing_seconds
            .observe_duration(started.elapsed());
        self.cosign_and_store(signed).await
    }

    /// Signs, cosigns, stores and publishes a checkpoint for the current tree.
    async fn publish(&mut self) -> Result<Arc<PublishedCheckpoint>, PublishError> {
        let signed = self.sign().await?;
        self.cosign_and_store(signed).await
    }

    /// Signs a checkpoint for the current tree and records it in the signed-state file
    /// (fsynced) before it goes anywhere.
    async fn sign(&mut self) -> Result<(Note, Hash), PublishError> {
        if let Some(reason) = &self.halted {
            return Err(PublishError::Halted(reason.clone()));
        }
        let root = self.frontier.root();
        let checkpoint = Checkpoint::new(self.parts.log_key.name().as_str(), self.state.size, root)
            .map_err(|err| StoreError::Corrupt {
                what: format!("checkpoint: {err}"),
            })?;
        let note = Note::sign(checkpoint.to_text(), [&self.parts.log_key]).map_err(|err| {
            StoreError::Corrupt {
                what: format!("signing checkpoint: {err}"),
            }
        })?;
        let signed = SignedState {
            size: self.state.size,
            root,
        };
        if let Some(path) = self.parts.signed_state.clone()
            && self.recorded != Some(signed)
        {
            let origin = self.parts.log_key.name().as_str().to_string();
            blocking(move || signed_state::store(&path, &origin, &signed))
                .await?
                .map_err(|err| PublishError::SignedState(err.to_string()))?;
            self.recorded = Some(signed);
        }
        Ok((note, root))
    }

    async fn cosign_and_store(
        &mut self,
        (mut note, root): (Note, Hash),
    ) -> Result<Arc<PublishedCheckpoint>, PublishError> {
        let started = Instant::now();
        let (cosignatures, ahead) = self.cosign(&note).await;
        if let Some(reason) = ahead {
            tracing::error!(
                %reason,
                "a witness has cosigned a larger tree than this log holds: this key signed \
                 more than the database has (restored or replaced database, or a second \
                 instance). Signing stopped; see docs/operations.md, \"Start-up refusal\""
            );
            self.parts
                .metrics
                .halted
                .store(1, std::sync::atomic::Ordering::Relaxed);
            self.halted = Some(reason.clone());
            return Err(PublishError::Halted(reason));
        }
        if let Err(err) = note.add_signatures(cosignatures) {
            tracing::error!(error = %err, "could not merge cosignatures");
        }
        // Counted from the merged note, not from what the witness clients returned.
        let keys: Vec<docket_core::note::VerifierKey> = self
            .parts
            .cosigners
            .iter()
            .map(|c| c.key().clone())
            .collect();
        let count = crate::receipt_policy::count_cosigned(&keys, &note) as u32;
        let is_final =
            self.parts.receipt_policy.cosigned(&note) >= self.parts.receipt_policy.quorum();
        if !self.parts.cosigners.is_empty() {
            self.parts
                .metrics
                .cosigning_seconds
                .observe_duration(started.elapsed());
        }
        let store = self.parts.store.clone();
        let size = self.state.size;
        // Recorded, and trusted as a lower bound at the next start-up: never beyond
        // what the clock-jump guard accepts.
        let published_at = UnixMillis(self.parts.clock_guard.clamp((self.parts.clock)().0));
        let text = note.to_text();
        let record =
            blocking(move || store.append_checkpoint(size, published_at, count, &text)).await??;
        let published = PublishedCheckpoint::from_record(record, root, is_final);
        self.parts.publisher.publish(published);
        self.last_publish = Instant::now();
        let metrics = &self.parts.metrics;
        metrics
            .checkpoints_published
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics
            .tree_size
            .store(size, std::sync::atomic::Ordering::Relaxed);
        Ok(self.parts.publisher.latest())
    }

    /// Asks every cosigner in parallel, each within the timeout; returns at most one
    /// verified, plausibly dated line per cosigner, and the reason to halt if a witness
    /// reported a larger tree than the log's.
    async fn cosign(&self, note: &Note) -> (Vec<docket_core::note::Signature>, Option<String>) {
        if self.parts.cosigners.is_empty() {
            return (Vec::new(), None);
        }
        let request = Arc::new(CosignRequest {
            note: note.clone(),
            size: self.state.size,
            proofs: self.parts.store.clone(),
        });
        let timeout = self.parts.settings.witness_timeout;
        let mut set = JoinSet::new();
        for (position, cosigner) in self.parts.cosigners.iter().enumerate() {
            let cosigner = cosigner.clone();
            let request = request.clone();
            set.spawn(async move {
                let result = tokio::time::timeout(timeout, cosigner.cosign(&request))
                    .await
                    .unwrap_or(Err(crate::cosign::CosignError::Timeout));
                (position, result)
            });
        }
        let mut results: Vec<(usize, docket_core::note::Signature)> = Vec::new();
        let mut ahead = None;
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((position, Ok(lines))) => {
                    if let Some(line) = self.accept_line(position, note, lines) {
                        results.push((position, line));
                    }
                }
                Ok((position, Err(err @ CosignError::WitnessAhead { .. }))) => {
                    let name = self.parts.cosigners[position].name();
                    self.parts.metrics.witness_failure(name);
                    ahead = Some(format!("witness {name}: {err}"));
                }
                Ok((position, Err(err))) => {
                    let name = self.parts.cosigners[position].name();
                    tracing::warn!(witness = name, error = %err, size = self.state.size, "witness did not cosign");
                    self.parts.metrics.witness_failure(name);
                }
                Err(err) => tracing::error!(error = %err, "cosigning task failed"),
            }
        }
        // Configured order, so the published note does not depend on who answered first.
        results.sort_by_key(|(position, _)| *position);
        (results.into_iter().map(|(_, line)| line).collect(), ahead)
    }

    /// The first of `lines` that verifies under cosigner `position`'s key and is dated
    /// within the allowed skew of the log's clock; a bad time is logged and counted.
    fn accept_line(
        &self,
        position: usize,
        note: &Note,
        lines: Vec<docket_core::note::Signature>,
    ) -> Option<docket_core::note::Signature> {
        let cosigner = &self.parts.cosigners[position];
        let now_secs = (self.parts.clock)().0 / 1000;
        let skew = self.parts.settings.cosignature_max_skew.as_secs();
        let mut bad_time = None;
        for line in lines {
            let Ok(time) = docket_core::cosignature::verify(cosigner.key(), note.text(), &line)
            else {
                continue;
            };
            if time.0.abs_diff(now_secs) > skew {
                bad_time = Some(time.0);
                continue;
            }
            return Some(line);
        }
        if let Some(time) = bad_time {
            tracing::warn!(
                witness = cosigner.name(),
                cosignature_time = time,
                log_time = now_secs,
                max_skew_secs = skew,
                "cosignature dated too far from the log's clock: not counted"
            );
            self.parts.metrics.cosignature_bad_time(cosigner.name());
        } else {
            self.parts.metrics.witness_failure(cosigner.name());
        }
        None
    }

    /// After a failed batch: re-read the committed state, which is what survived.
    async fn reload(&mut self) {
        let store = self.parts.store.clone();
        let loaded = blocking(move || {
            let state = store.tree_state()?;
            let frontier = Frontier::load(state.size, store.as_ref())?;
            Ok::<_, StoreError>((state, frontier))
        })
        .await
        .and_then(|r| r);
        match loaded {
            Ok((state, frontier)) => {
                self.state = state;
                self.frontier = frontier;
                if self.parts.publisher.latest().size != state.size
                    && let Err(err) = self.publish().await
                {
                    tracing::error!(error = %err, "could not publish after reload");
                }
            }
            Err(err) => tracing::error!(error = %err, "could not reload the tree state"),
        }
    }
}
