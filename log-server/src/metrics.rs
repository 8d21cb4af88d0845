//! The log's metrics, rendered by hand in the Prometheus text exposition format
//! (version 0.0.4) at `/metrics`. Counters and histograms are atomics, so recording costs
//! a few relaxed adds and never blocks the write path; labelled counters (rejections by
//! error code, failures by witness) use a small mutex-guarded map whose keys come from a
//! fixed set (error codes, configured witnesses), so it cannot grow with the log.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds (seconds) of the latency histograms' buckets.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Upper bounds of the batch-size histogram's buckets.
const BATCH_BUCKETS: [f64; 12] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0,
];

/// A cumulative histogram with fixed buckets.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    counts: Vec<AtomicU64>,
    /// Sum of observations in millionths (µs for latencies), to keep it an integer.
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: bounds.iter().map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }

    /// Records one observation.
    pub fn observe(&self, value: f64) {
        if let Some(slot) = self.bounds.iter().position(|bound| value <= *bound) {
            self.counts[slot].fetch_add(1, Ordering::Relaxed);
        }
        self.sum_micros
            .fetch_add((value * 1e6) as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a duration in seconds.
    pub fn observe_duration(&self, duration: Duration) {
        self.observe(duration.as_secs_f64());
    }

    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// Every metric the server exports.
#[derive(Debug)]
pub struct Metrics {
    /// Entries appended since start.
    pub entries_appended: AtomicU64,
    /// Current published tree size.
    pub tree_size: AtomicU64,
    /// Checkpoints published since start (batches and heartbeats).
    pub checkpoints_published: AtomicU64,
    /// Requests waiting in the sequencer queue.
    pub queue_depth: AtomicU64,
    /// Write requests that entered the sequencer queue since start.
    pub queued: AtomicU64,
    /// Entries per sequenced batch.
    pub batch_size: Histogram,
    /// Time from the start of a batch to its synced write and signed checkpoint.
    pub sequencing_seconds: Histogram,
    /// Time spent collecting cosignatures for one checkpoint.
    pub cosigning_seconds: Histogram,
    /// Time from a write request's arrival in the queue to its receipt.
    pub receipt_seconds: Histogram,
    /// 1 once a witness reported a tree larger than the log's: signing stopped.
    pub halted: AtomicU64,
    /// Write answers whose checkpoint did not (yet) meet the receipt policy.
    pub receipts_not_final: AtomicU64,
    /// Writes of statements already logged, answered from the store without queueing.
    pub replays_answered: AtomicU64,
    witness_failures: Mutex<BTreeMap<String, u64>>,
    cosignature_bad_time: Mutex<BTreeMap<String, u64>>,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics {
            entries_appended: AtomicU64::new(0),
            tree_size: AtomicU64::new(0),
            checkpoints_published: AtomicU64::new(0),
            queue_depth: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            batch_size: Histogram::new(&BATCH_BUCKETS),
            sequencing_seconds: Histogram::new(&LATENCY_BUCKETS),
            cosigning_seconds: Histogram::new(&LATENCY_BUCKETS),
            receipt_seconds: Histogram::new(&LATENCY_BUCKETS),
            halted: AtomicU64::new(0),
            receipts_not_final: AtomicU64::new(0),
            replays_answered: AtomicU64::new(0),
            witness_failures: Mutex::new(BTreeMap::new()),
            cosignature_bad_time: Mutex::new(BTreeMap::new()),
            rejected: Mutex::new(BTreeMap::new()),
        }
    }
}

impl Metrics {
    /// Counts a write rejected with error code `code`.
    pub fn reject(&self, code: &'static str) {
        let mut map = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(code).or_insert(0) += 1;
    }

    /// Counts a failed cosigning round trip to witness `name`.
    pub fn witness_failure(&self, name: &str) {
        let mut map = self
            .witness_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(name) {
            *count += 1;
        } else {
            map.insert(name.to_string(), 1);
        }
    }

    /// Counts a cosignature from witness `name` dropped because of its time.
    pub fn cosignature_bad_time(&self, name: &str) {
        let mut map = self
            .cosignature_bad_time
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(count) = map.get_mut(name) {
            *count += 1;
        } else {
            map.insert(name.to_string(), 1);
        }
    }

    /// Cosignatures from witness `name` dropped because of their time, so far.
    pub fn cosignatures_bad_time(&self, name: &str) -> u64 {
        let map = self
            .cosignature_bad_time
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.get(name).copied().unwrap_or(0)
    }

    /// Writes with rejection code `code` so far.
    pub fn rejected(&self, code: &str) -> u64 {
        let map = self.rejected.lock().unwrap_or_else(|e| e.into_inner());
        map.get(code).copied().unwrap_or(0)
    }

    /// Failed round trips to witness `name` so far.
    pub fn witness_failures(&self, name: &str) -> u64 {
        let map = self
            .witness_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        map.get(name).copied().unwrap_or(0)
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        let gauge = |out: &mut String, name: &str, kind: &str, help: &str, value: u64| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(out, "{name} {value}");
        };
        gauge(
            &mut out,
            "docket_entries_appended_total",
            "counter",
            "Entries appended to the log since the server started.",
            self.entries_appended.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_tree_size",
            "gauge",
            "Tree size of the latest published checkpoint.",
            self.tree_size.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_checkpoints_published_total",
            "counter",
            "Checkpoints signed and published since the server started.",
            self.checkpoints_published.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_queue_depth",
            "gauge",
            "Write requests waiting for the sequencer.",
            self.queue_depth.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_signing_halted",
            "gauge",
            "1 when a witness reported a tree larger than the log's and signing stopped.",
            self.halted.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_receipts_not_final_total",
            "counter",
            "Write answers whose checkpoint did not meet the receipt policy (not final).",
            self.receipts_not_final.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_replays_answered_total",
            "counter",
            "Writes of statements already logged, answered from the store without queueing.",
            self.replays_answered.load(Ordering::Relaxed),
        );
        gauge(
            &mut out,
            "docket_queued_writes_total",
            "counter",
            "Write requests that entered the sequencer queue since the server started.",
            self.queued.load(Ordering::Relaxed),
        );
        self.batch_size.render(
            &mut out,
            "docket_batch_entries",
            "Entries per sequenced batch.",
        );
        self.sequencing_seconds.render(
            &mut out,
            "docket_sequencing_seconds",
            "Time to check, write (synced) and sign one batch.",
        );
        self.cosigning_seconds.render(
            &mut out,
            "docket_cosigning_seconds",
            "Time to collect witness cosignatures for one checkpoint.",
        );
        self.receipt_seconds.render(
            &mut out,
            "docket_receipt_seconds",
            "Time from a write entering the queue to its receipt.",
        );
        let _ = writeln!(
            out,
            "# HELP docket_witness_failures_total Failed cosigning round trips, by witness."
        );
        let _ = writeln!(out, "# TYPE docket_witness_failures_total counter");
        for (name, count) in self
            .witness_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "docket_witness_failures_total{{witness=\"{}\"}} {count}",
                escape_label(name)
            );
        }
        let _ = writeln!(
            out,
            "# HELP docket_cosignatures_bad_time_total Cosignatures not counted because their \
             time was too far from the log's clock, by witness."
        );
        let _ = writeln!(out, "# TYPE docket_cosignatures_bad_time_total counter");
        for (name, count) in self
            .cosignature_bad_time
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "docket_cosignatures_bad_time_total{{witness=\"{}\"}} {count}",
                escape_label(name)
            );
        }
        let _ = writeln!(
            out,
            "# HELP docket_rejected_writes_total Write requests rejected, by error code."
        );
        let _ = writeln!(out, "# TYPE docket_rejected_writes_total counter");
        for (code, count) in self
            .rejected
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "docket_rejected_writes_total{{reason=\"{code}\"}} {count}"
            );
        }
        out
    }
}

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
    fn renders_counters_histograms_and_labels() {
        let metrics = Metrics::default();
        metrics.entries_appended.fetch_add(3, Ordering::Relaxed);
        metrics.batch_size.observe(3.0);
        metrics.batch_size.observe(300.0);
        metrics.sequencing_seconds.observe(0.002);
        metrics.reject("bad_signature");
        metrics.reject("bad_signature");
        metrics.witness_failure("w\"1");
        let text = metrics.render();
        assert!(text.contains("docket_entries_appended_total 3\n"), "{text}");
        assert!(
            text.contains("docket_batch_entries_bucket{le=\"2\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("docket_batch_entries_bucket{le=\"4\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("docket_batch_entries_bucket{le=\"512\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("docket_batch_entries_bucket{le=\"+Inf\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("docket_batch_entries_count 2\n"), "{text}");
        assert!(
            text.contains("docket_sequencing_seconds_bucket{le=\"0.0025\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("docket_rejected_writes_total{reason=\"bad_signature\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("docket_witness_failures_total{witness=\"w\\\"1\"} 1\n"),
            "{text}"
        );
        assert_eq!(metrics.rejected("bad_signature"), 2);
        assert_eq!(metrics.witness_failures("w\"1"), 1);
    }
}
