//! Test harness: a real log server (docket-log-server, in-process, on a free loopback
//! port, temp data dir, two in-process witnesses, an adjustable clock) and a runner for
//! the real `docket` binary in a temp working directory.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use docket_core::time::UnixMillis;
use docket_log_server::config::Config;
use docket_log_server::cosign::Cosigner;
use docket_log_server::keys;
use docket_log_server::server::{Server, StartOptions};
use docket_log_server::testkit::FakeWitness;
use serde_json::Value;

/// The test log's origin.
pub const ORIGIN: &str = "test.example/docket";

/// A running log plus a working directory for `docket`.
pub struct TestLog {
    rt: tokio::runtime::Runtime,
    server: Option<Server>,
    /// The log's data dir (holds `operator.key`).
    pub data: tempfile::TempDir,
    /// `docket`'s working directory (keys, receipts, documents).
    pub work: tempfile::TempDir,
    /// Milliseconds added to the log's clock.
    offset: Arc<AtomicU64>,
    /// The log's vkey.
    pub vkey: String,
    /// The witnesses' vkeys.
    pub witness_vkeys: Vec<String>,
    /// The in-process witnesses (to make them fail).
    pub witnesses: Vec<Arc<FakeWitness>>,
    /// The log's URL.
    pub url: String,
}

/// What a `docket` run printed and returned.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts exit 0 and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }

    /// Asserts exit 0 and parses stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl TestLog {
    /// Starts a log with a 30-day window.
    pub fn start() -> TestLog {
        TestLog::start_with(|_| {})
    }

    /// Starts a log after `adjust` changed its test config (e.g. a short review window).
    pub fn start_with(adjust: impl FnOnce(&mut Config)) -> TestLog {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let mut config = Config::defaults(data.path());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.origin = ORIGIN.to_string();
        config.batch_delay = Duration::from_millis(2);
        adjust(&mut config);
        keys::create_log_key(&config.log_key, &config.origin).unwrap();
        keys::create_operator_key(&config.operator_key).unwrap();
        let vkey = std::fs::read_to_string(keys::vkey_path(&config.log_key))
            .unwrap()
            .trim()
            .to_string();
        let witnesses: Vec<Arc<FakeWitness>> = vec![
            Arc::new(FakeWitness::new("witness-a.test", 11, &vkey)),
            Arc::new(FakeWitness::new("witness-b.test", 12, &vkey)),
        ];
        let witness_vkeys = witnesses.iter().map(|w| w.vkey()).collect();
        let cosigners: Vec<Arc<dyn Cosigner>> = witnesses
            .iter()
            .map(|w| w.clone() as Arc<dyn Cosigner>)
            .collect();
        let offset = Arc::new(AtomicU64::new(0));
        let clock_offset = offset.clone();
        let clock = Arc::new(move || {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64;
            UnixMillis(now + clock_offset.load(Ordering::SeqCst))
        });
        let monotonic_offset = offset.clone();
        let started = std::time::Instant::now();
        let monotonic: docket_daemon::clock::Monotonic = Arc::new(move || {
            started.elapsed()
                + std::time::Duration::from_millis(monotonic_offset.load(Ordering::SeqCst))
        });
        let server = rt
            .block_on(Server::start(
                config,
                StartOptions {
                    cosigners: Some(cosigners),
                    clock: Some(clock),
                    // Advancing the offset models time passing, not a clock jump: the
                    // monotonic clock advances with it.
                    monotonic: Some(monotonic),
                },
            ))
            .unwrap();
        let url = server.url();
        TestLog {
            rt,
            server: Some(server),
            data,
            work,
            offset,
            vkey,
            witness_vkeys,
            witnesses,
            url,
        }
    }

    /// Moves the log's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        let total = self
            .offset
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst)
            + by.as_millis() as u64;
        // The witnesses' clocks move with the log's: the log drops cosignatures dated
        // far from its own clock.
        for witness in &self.witnesses {
            witness.set_clock_offset((total / 1000) as i64);
        }
    }

    /// The operator's key file.
    pub fn operator_key(&self) -> PathBuf {
        self.data.path().join("operator.key")
    }

    /// A path in the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    /// Runs `docket` with `args` against this log (DOCKET_LOG set, other DOCKET_*
    /// variables cleared), in the working directory.
    pub fn docket(&self, args: &[&str]) -> Run {
        docket_in(self.work.path(), &[("DOCKET_LOG", &self.url)], args)
    }

    /// Runs `docket` with the trust flags (log key and both witnesses) added.
    pub fn docket_trusting(&self, args: &[&str]) -> Run {
        let mut all = vec!["--log-key", &self.vkey];
        for w in &self.witness_vkeys {
            all.push("--witness-key");
            all.push(w);
        }
        all.extend_from_slice(args);
        self.docket(&all)
    }

    /// Makes a key with `docket keygen` and registers it with `docket participant add`.
    pub fn enrol(&self, key_file: &str, org: &str, role: &str) {
        self.docket(&["keygen", "--key", key_file]).ok();
        let public = key_file.replace(".key", ".pub");
        self.docket(&[
            "--key",
            self.operator_key().to_str().unwrap(),
            "--org",
            "operator",
            "participant",
            "add",
            "--member-org",
            org,
            "--role",
            role,
            "--public-key-file",
            &public,
        ])
        .ok();
    }
}

impl Drop for TestLog {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.rt.block_on(server.shutdown());
        }
    }
}

/// Runs the `docket` binary in `dir` with only the given DOCKET_* variables.
pub fn docket_in(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_docket"));
    command.current_dir(dir).args(args);
    for var in [
        "DOCKET_LOG",
        "DOCKET_KEY",
        "DOCKET_ORG",
        "DOCKET_RECEIPT_DIR",
        "DOCKET_LOG_KEY",
        "DOCKET_RECEIPT_WAIT",
    ] {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    Run::from(command.output().unwrap())
}
