//! The witness itself: turns an add-checkpoint body into a cosignature or a refusal,
//! with the c2sp.org/tlog-witness decision table from `docket_core::witness` and the
//! durable compare-and-swap of [`crate::store`].
//!
//! The order of one request (each step only after the previous succeeded):
//! 1. parse the body (400), find the origin (404), verify the log's signature (403);
//! 2. load the stored state and run the pure decision (400, 409, 422);
//! 3. on a provable contradiction (same size, other root), keep both signed
//!    checkpoints, verified signature lines only, as fork evidence (bounded per log);
//! 4. cosign the witness's own encoding of the checkpoint text, at
//!    `max(now, last timestamp, 1)`;
//! 5. compare-and-swap the stored state (synced); if another request moved it since
//!    step 2, answer 409 with its size and discard the cosignature;
//! 6. only then return the cosignature line.
//!
//! Blocking (signature checks, disk): async callers use `spawn_blocking`.

use std::collections::HashMap;
use std::sync::Arc;

use docket_core::cosignature::{self, MAX_TIMESTAMP};
use docket_core::note::Note;
use docket_core::time::UnixSeconds;
use docket_core::witness::{
    self as tlog_witness, AddCheckpointRequest, KnownLog, Rejection, TreeState,
};
use docket_daemon::clock::{ClockJump, JumpGuard, Monotonic, system_monotonic};

use crate::config::{Config, LogConfig};
use crate::forks::{
    self, Channel, EvidenceCheckpoint, ForkEvidence, ForkKind, MAX_FORKS_PER_ORIGIN,
};
use crate::keys::WitnessKey;
use crate::metrics::{Metrics, OriginSample};
use crate::store::{CasOutcome, OriginState, RecordOutcome, StoreError, WitnessStore};

/// Why an add-checkpoint request got no cosignature.
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// The tlog-witness decision refused it (400, 403, 404, 409, 413, 422).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// The store failed; nothing was cosigned (500).
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// Signing or re-encoding failed, which only a bug can cause (500).
    #[error("internal: {0}")]
    Internal(String),
    /// The system clock jumped ahead further than allowed; nothing was cosigned (503).
    #[error(transparent)]
    ClockJump(#[from] ClockJump),
}

impl AddError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            AddError::Rejected(rejection) => rejection.http_status(),
            AddError::Store(_) | AddError::Internal(_) => 500,
            AddError::ClockJump(_) => 503,
        }
    }

    /// For a 409: the witness's size, which the body carries.
    pub fn conflict_size(&self) -> Option<u64> {
        match self {
            AddError::Rejected(rejection) => rejection.conflict_size(),
            _ => None,
        }
    }

    /// The one-line message a client sees. Internal details stay in the logs.
    pub fn client_message(&self) -> String {
        match self {
            AddError::Rejected(rejection) => rejection.to_string(),
            AddError::Store(_) => "storage error; try again later".to_owned(),
            AddError::Internal(_) => "internal error".to_owned(),
            AddError::ClockJump(_) => {
                "the witness's clock needs its operator's attention; try again later".to_owned()
            }
        }
    }
}

/// Where the witness reads the time, so tests can fix it.
pub type Clock = Arc<dyn Fn() -> UnixSeconds + Send + Sync>;

/// The system clock, in Unix seconds.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        UnixSeconds(now)
    })
}

/// The shared witness: configuration, key, store, counters.
pub struct Witness {
    key: WitnessKey,
    logs: Vec<LogConfig>,
    by_origin: HashMap<String, usize>,
    by_origin_hash: HashMap<String, usize>,
    store: Arc<dyn WitnessStore>,
    metrics: Metrics,
    clock: Clock,
    guard: JumpGuard,
    max_body_bytes: usize,
}

impl Witness {
    /// A witness over `store`, reading time from `clock`, elapsed time from the
    /// process's monotonic clock.
    pub fn new(config: Config, store: Arc<dyn WitnessStore>, clock: Clock) -> Witness {
        Witness::with_clocks(config, store, clock, system_monotonic())
    }

    /// A witness over `store`, reading time from `clock` and elapsed time (for the
    /// clock-jump guard) from `monotonic`. The guard has no anchor until
    /// [`Witness::anchor_clock`] or the first cosignature.
    pub fn with_clocks(
        config: Config,
        store: Arc<dyn WitnessStore>,
        clock: Clock,
        monotonic: Monotonic,
    ) -> Witness {
        let by_origin = config
            .logs
            .iter()
            .enumerate()
            .map(|(i, log)| (log.origin.clone(), i))
            .collect();
        let by_origin_hash = config
            .logs
            .iter()
            .enumerate()
            .map(|(i, log)| (tlog_witness::monitoring_origin_hash(&log.origin), i))
            .collect();
        Witness {
            key: config.key,
            logs: config.logs,
            by_origin,
            by_origin_hash,
            store,
            metrics: Metrics::default(),
            clock,
            guard: JumpGuard::new(config.max_clock_jump, monotonic),
            max_body_bytes: config.max_body_bytes,
        }
    }

    /// Anchors the clock-jump guard to the latest cosignature timestamp stored for any
    /// configured log, as of now: until the next cosignature, the clock may run at most
    /// `max_clock_jump` ahead of it plus the time elapsed since. Called at start-up
    /// unless the operator said `--accept-clock-jump`.
    pub fn anchor_clock(&self) -> Result<(), StoreError> {
        let mut latest = None;
        for log in &self.logs {
            if let Some(state) = self.store.load(&log.origin)? {
                latest = latest.max(Some(state.cosigned_at.0));
            }
        }
        if let Some(latest) = latest {
            self.guard.anchor(latest.saturating_mul(1000));
        }
        Ok(())
    }

    /// The witness's cosignature vkey.
    pub fn vkey(&self) -> String {
        self.key.verifier().to_vkey()
    }

    /// The configured logs.
    pub fn logs(&self) -> &[LogConfig] {
        &self.logs
    }

    /// How many logs are configured.
    pub fn log_count(&self) -> usize {
        self.logs.len()
    }

    /// The add-checkpoint body limit.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The size this witness last cosigned for `origin` (0 if none).
    pub fn stored_size(&self, origin: &str) -> Result<u64, StoreError> {
        Ok(self.store.load(origin)?.map_or(0, |s| s.size))
    }

    /// The latest cosigned checkpoint (log signatures and the witness's cosignature)
    /// for the origin whose lowercase hex SHA-256 is `hash`; `None` if unknown or never
    /// cosigned.
    pub fn checkpoint_by_origin_hash(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let Some(&index) = self.by_origin_hash.get(hash) else {
            return Ok(None);
        };
        Ok(self.store.load(&self.logs[index].origin)?.map(|s| s.note))
    }

    /// Every recorded fork of the configured logs: at most [`MAX_FORKS_PER_ORIGIN`]
    /// per log, so this never loads more than that many records per log.
    pub fn forks(&self) -> Result<Vec<ForkEvidence>, StoreError> {
        let mut out = Vec::new();
        for log in &self.logs {
            out.extend(self.store.forks(&log.origin, MAX_FORKS_PER_ORIGIN)?);
        }
        Ok(out)
    }

    /// The fork record with this id, if any.
    pub fn fork(&self, id: &str) -> Result<Option<ForkEvidence>, StoreError> {
        Ok(self.forks()?.into_iter().find(|e| e.id == id))
    }

    /// The Prometheus text for `/metrics`.
    pub fn render_metrics(&self) -> Result<String, StoreError> {
        let forks = self.forks()?.len();
        let mut samples = Vec::with_capacity(self.logs.len());
        for log in &self.logs {
            let state = self.store.load(&log.origin)?;
            samples.push(OriginSample {
                origin: log.origin.clone(),
                size: state.as_ref().map(|s| s.size),
                cosigned_at: state.as_ref().map(|s| s.cosigned_at.0),
            });
        }
        Ok(self.metrics.render(forks, self.guard.refusals(), &samples))
    }

    fn now(&self) -> UnixSeconds {
        (self.clock)()
    }

    /// Handles one add-checkpoint body (from `POST /add-checkpoint` or from pull mode)
    /// and returns the 200 body: the witness's cosignature line. See the module docs
    /// for the steps; the cosignature is returned only once the new state is durable.
    pub fn add_checkpoint(&self, body: &[u8], channel: Channel) -> Result<String, AddError> {
        let request = AddCheckpointRequest::parse(body).map_err(Rejection::Malformed)?;
        let origin = request.checkpoint().origin();
        let log = self.by_origin.get(origin).map(|&i| &self.logs[i]);
        let stored = match log {
            Some(_) => self.store.load(origin)?,
            None => None,
        };
        let known = log.map(|log| KnownLog {
            keys: &log.verifiers,
            state: stored.as_ref().map(|s| TreeState {
                size: s.size,
                root: s.root,
            }),
        });
        let accepted = match tlog_witness::decide(&request, known) {
            Ok(accepted) => accepted,
            Err(rejection) => {
                if let (Some(evidence), Some(stored), Some(log)) =
                    (rejection.fork_evidence(), &stored, log)
                {
                    self.keep_evidence(evidence, stored, log, channel)?;
                }
                if let Rejection::InconsistentProof { error } = &rejection {
                    self.metrics.count_bad_proof(channel);
                    if channel == Channel::Pull {
                        // The proof was computed from the log's own (unsigned) tiles:
                        // either a mirror serves wrong tiles or the log no longer
                        // extends what was cosigned. Not provable from signed data
                        // alone, so not recorded; loud, so an operator looks.
                        tracing::warn!(
                            origin,
                            size = request.checkpoint().size(),
                            stored = request.old_size(),
                            %error,
                            "the log's tiles do not prove its checkpoint consistent with the one this witness cosigned; not cosigning"
                        );
                    }
                }
                return Err(rejection.into());
            }
        };
        let log = log.expect("decide accepts only configured origins");
        // Never 0 (tlog-witness), never below the last cosignature for this log (so a
        // clock stepping back cannot make a newer tree look older), at most 2^63 - 1.
        let last = stored.as_ref().map_or(UnixSeconds(0), |s| s.cosigned_at);
        let now = self.now();
        // A forward jump would be permanent (timestamps never go back): refuse to
        // cosign from a clock that ran ahead of the last cosignature plus the time
        // elapsed since by more than the operator allowed.
        if let Err(jump) = self.guard.check(now.0.saturating_mul(1000)) {
            tracing::error!(origin, %jump, "not cosigning: clock jump");
            return Err(jump.into());
        }
        let timestamp = now.max(last).max(UnixSeconds(1)).min(MAX_TIMESTAMP);
        // Sign the witness's own encoding of what it parsed, not the client's bytes.
        let text = accepted.checkpoint().to_text();
        let cosignature = cosignature::sign(self.key.signer(), &text, timestamp)
            .map_err(|e| AddError::Internal(format!("cosigning: {e}")))?;
        // What the monitoring path serves: the log signatures that verified, then ours.
        let verification = accepted
            .note()
            .verify(&log.verifiers)
            .map_err(|e| AddError::Internal(format!("re-verifying an accepted note: {e}")))?;
        let mut lines: Vec<_> = verification
            .verified()
            .iter()
            .map(|v| v.signature().clone())
            .collect();
        lines.push(cosignature.clone());
        let served = Note::new(text, lines)
            .map_err(|e| AddError::Internal(format!("building the served note: {e}")))?;
        let new_state = OriginState {
            origin: origin.to_owned(),
            size: accepted.state().size,
            root: accepted.state().root,
            note: served.to_text(),
            cosigned_at: timestamp,
        };
        let expected = stored.as_ref().map(OriginState::tree_head);
        match self.store.compare_and_swap(expected, &new_state)? {
            CasOutcome::Swapped => {
                self.guard.anchor(timestamp.0.saturating_mul(1000));
                if channel == Channel::AddCheckpoint {
                    self.metrics.count_cosignature_push();
                }
                tracing::info!(
                    origin,
                    size = new_state.size,
                    old = request.old_size(),
                    timestamp = timestamp.0,
                    ?channel,
                    "cosigned"
                );
                Ok(tlog_witness::format_cosignatures(&[cosignature]))
            }
            // Another request for this origin moved the state after we read it: this
            // one lost the race, and its cosignature is dropped unseen.
            CasOutcome::Conflict(current) => Err(Rejection::OldSizeMismatch {
                old: request.old_size(),
                stored: current.map_or(0, |c| c.size),
            }
            .into()),
        }
    }

    /// Records fork evidence (both signed checkpoints, with only the signature lines
    /// that verified), logs it as an error and counts it. Only a same-size,
    /// other-root contradiction reaches here (see `Rejection::fork_evidence`); a
    /// request whose tree is the one already cosigned contradicts nothing.
    fn keep_evidence(
        &self,
        evidence: &tlog_witness::ForkEvidence,
        stored: &OriginState,
        log: &LogConfig,
        channel: Channel,
    ) -> Result<(), StoreError> {
        let presented = &evidence.checkpoint;
        if presented.size() != stored.size || *presented.root() == stored.root {
            return Ok(());
        }
        let text = presented.to_text();
        // Keep only what was checked: junk lines from other keys must neither be
        // stored nor change the record's id.
        let verified = match evidence.note.verify(&log.verifiers) {
            Ok(verification) => verification
                .verified()
                .iter()
                .map(|v| v.signature().clone())
                .collect::<Vec<_>>(),
            Err(error) => {
                tracing::error!(%error, "fork evidence no longer verifies; not recorded");
                return Ok(());
            }
        };
        let presented_note = match Note::new(text.clone(), verified) {
            Ok(note) => note.to_text(),
            Err(error) => {
                tracing::error!(%error, "could not re-encode fork evidence; not recorded");
                return Ok(());
            }
        };
        let record = ForkEvidence {
            id: forks::evidence_id(&text),
            origin: stored.origin.clone(),
            kind: ForkKind::SameSizeDifferentRoot,
            channel,
            detected_at: self.now().0,
            cosigned: EvidenceCheckpoint {
                size: stored.size,
                root: stored.root.to_base64(),
                note: stored.note.clone(),
            },
            presented: EvidenceCheckpoint {
                size: presented.size(),
                root: presented.root().to_base64(),
                note: presented_note,
            },
        };
        match self.store.record_fork(&record, MAX_FORKS_PER_ORIGIN)? {
            RecordOutcome::Recorded => {
                self.metrics.count_fork();
                tracing::error!(
                    origin = %record.origin,
                    id = %record.id,
                    kind = ?record.kind,
                    size = record.cosigned.size,
                    cosigned_root = %record.cosigned.root,
                    presented_root = %record.presented.root,
                    ?channel,
                    "FORK EVIDENCE: the log signed two different trees of one size; see GET /forks"
                );
            }
            RecordOutcome::Duplicate => {}
            RecordOutcome::Full => {
                self.metrics.count_fork_not_kept();
                tracing::error!(
                    origin = %record.origin,
                    id = %record.id,
                    max = MAX_FORKS_PER_ORIGIN,
                    "another fork of this log, not recorded: the witness already holds the most records it keeps per log"
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
