//! Prometheus text exposition (format 0.0.4) of the witness's counters, written by
//! hand: a few atomics, no registry.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

/// The add-checkpoint statuses counted separately; anything else counts as `other`.
const STATUSES: [u16; 9] = [200, 400, 403, 404, 409, 413, 422, 500, 503];

/// The witness's counters. Cheap to update from any thread.
#[derive(Debug, Default)]
pub struct Metrics {
    add_checkpoint: [AtomicU64; STATUSES.len()],
    add_checkpoint_other: AtomicU64,
    cosignatures_push: AtomicU64,
    cosignatures_pull: AtomicU64,
    forks_detected: AtomicU64,
    forks_not_kept: AtomicU64,
    bad_proofs_push: AtomicU64,
    bad_proofs_pull: AtomicU64,
    pull_ok: AtomicU64,
    pull_error: AtomicU64,
}

/// A per-origin gauge sample taken at scrape time.
#[derive(Debug, Clone)]
pub struct OriginSample {
    /// The log's origin.
    pub origin: String,
    /// Latest cosigned size, if any.
    pub size: Option<u64>,
    /// Timestamp of the latest cosignature (Unix seconds), if any.
    pub cosigned_at: Option<u64>,
}

impl Metrics {
    /// Counts one add-checkpoint answer with `status`.
    pub fn count_add_checkpoint(&self, status: u16) {
        match STATUSES.iter().position(|s| *s == status) {
            Some(i) => self.add_checkpoint[i].fetch_add(1, Ordering::Relaxed),
            None => self.add_checkpoint_other.fetch_add(1, Ordering::Relaxed),
        };
    }

    /// Counts one cosignature issued in answer to `POST /add-checkpoint`.
    pub fn count_cosignature_push(&self) {
        self.cosignatures_push.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one cosignature made in pull mode.
    pub fn count_cosignature_pull(&self) {
        self.cosignatures_pull.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one newly recorded piece of fork evidence.
    pub fn count_fork(&self) {
        self.forks_detected.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one fork seen but not recorded because the origin's records are full.
    pub fn count_fork_not_kept(&self) {
        self.forks_not_kept.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one consistency proof that did not verify (refused with 422).
    pub fn count_bad_proof(&self, channel: crate::forks::Channel) {
        match channel {
            crate::forks::Channel::AddCheckpoint => &self.bad_proofs_push,
            crate::forks::Channel::Pull => &self.bad_proofs_pull,
        }
        .fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one pull-mode poll, successful or not.
    pub fn count_poll(&self, ok: bool) {
        if ok {
            self.pull_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.pull_error.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Renders everything as Prometheus text. `forks_recorded` is the number of
    /// evidence records in the store (it survives restarts; `forks_detected` does not).
    /// `clock_jump_refusals` counts cosignatures refused because the clock jumped.
    pub fn render(
        &self,
        forks_recorded: usize,
        clock_jump_refusals: u64,
        origins: &[OriginSample],
    ) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        header(
            &mut out,
            "witness_add_checkpoint_requests_total",
            "counter",
            "add-checkpoint requests by response status",
        );
        for (status, count) in STATUSES.iter().zip(&self.add_checkpoint) {
            let _ = writeln!(
                out,
                "witness_add_checkpoint_requests_total{{status=\"{status}\"}} {}",
                get(count)
            );
        }
        let _ = writeln!(
            out,
            "witness_add_checkpoint_requests_total{{status=\"other\"}} {}",
            get(&self.add_checkpoint_other)
        );
        header(
            &mut out,
            "witness_cosignatures_total",
            "counter",
            "cosignatures issued, by how the checkpoint arrived",
        );
        let _ = writeln!(
            out,
            "witness_cosignatures_total{{channel=\"add_checkpoint\"}} {}",
            get(&self.cosignatures_push)
        );
        let _ = writeln!(
            out,
            "witness_cosignatures_total{{channel=\"pull\"}} {}",
            get(&self.cosignatures_pull)
        );
        header(
            &mut out,
            "witness_forks_detected_total",
            "counter",
            "new fork evidence records since start",
        );
        let _ = writeln!(
            out,
            "witness_forks_detected_total {}",
            get(&self.forks_detected)
        );
        header(
            &mut out,
            "witness_forks_not_kept_total",
            "counter",
            "forks seen since start but not recorded: the log's records were full",
        );
        let _ = writeln!(
            out,
            "witness_forks_not_kept_total {}",
            get(&self.forks_not_kept)
        );
        header(
            &mut out,
            "witness_bad_consistency_proofs_total",
            "counter",
            "consistency proofs that did not verify (422, not fork evidence), by channel",
        );
        let _ = writeln!(
            out,
            "witness_bad_consistency_proofs_total{{channel=\"add_checkpoint\"}} {}",
            get(&self.bad_proofs_push)
        );
        let _ = writeln!(
            out,
            "witness_bad_consistency_proofs_total{{channel=\"pull\"}} {}",
            get(&self.bad_proofs_pull)
        );
        header(
            &mut out,
            "witness_forks_recorded",
            "gauge",
            "fork evidence records held (GET /forks)",
        );
        let _ = writeln!(out, "witness_forks_recorded {forks_recorded}");
        header(
            &mut out,
            "witness_clock_jump_refusals_total",
            "counter",
            "cosignatures refused since start: the clock ran ahead of the last cosignature by more than max_clock_jump",
        );
        let _ = writeln!(
            out,
            "witness_clock_jump_refusals_total {clock_jump_refusals}"
        );
        header(
            &mut out,
            "witness_pull_polls_total",
            "counter",
            "pull-mode polls of a log, by result",
        );
        let _ = writeln!(
            out,
            "witness_pull_polls_total{{result=\"ok\"}} {}",
            get(&self.pull_ok)
        );
        let _ = writeln!(
            out,
            "witness_pull_polls_total{{result=\"error\"}} {}",
            get(&self.pull_error)
        );
        header(
            &mut out,
            "witness_cosigned_tree_size",
            "gauge",
            "tree size of the latest cosigned checkpoint per log",
        );
        for sample in origins {
            if let Some(size) = sample.size {
                let _ = writeln!(
                    out,
                    "witness_cosigned_tree_size{{origin=\"{}\"}} {size}",
                    escape_label(&sample.origin)
                );
            }
        }
        header(
            &mut out,
            "witness_cosigned_timestamp_seconds",
            "gauge",
            "timestamp of the latest cosignature per log",
        );
        for sample in origins {
            if let Some(at) = sample.cosigned_at {
                let _ = writeln!(
                    out,
                    "witness_cosigned_timestamp_seconds{{origin=\"{}\"}} {at}",
                    escape_label(&sample.origin)
                );
            }
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Prometheus label values escape backslash, double quote and newline.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_escapes_labels() {
        let m = Metrics::default();
        m.count_add_checkpoint(200);
        m.count_add_checkpoint(200);
        m.count_add_checkpoint(409);
        m.count_add_checkpoint(418);
        m.count_fork();
        m.count_poll(false);
        let text = m.render(
            3,
            0,
            &[OriginSample {
                origin: "a\"b".into(),
                size: Some(7),
                cosigned_at: None,
            }],
        );
        assert!(text.contains("witness_add_checkpoint_requests_total{status=\"200\"} 2\n"));
        assert!(text.contains("witness_add_checkpoint_requests_total{status=\"409\"} 1\n"));
        assert!(text.contains("witness_add_checkpoint_requests_total{status=\"other\"} 1\n"));
        assert!(text.contains("witness_forks_detected_total 1\n"));
        assert!(text.contains("witness_forks_recorded 3\n"));
        assert!(text.contains("witness_pull_polls_total{result=\"error\"} 1\n"));
        assert!(text.contains("witness_cosigned_tree_size{origin=\"a\\\"b\"} 7\n"));
        assert!(!text.contains("witness_cosigned_timestamp_seconds{"));
    }
}
