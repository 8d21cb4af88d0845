//! Shared by the explorer tests: a log on a clock the test moves.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use docket_core::time::UnixMillis;
use docket_log_server::cosign::Cosigner;
use docket_log_server::server::{Server, StartOptions};

use serde_json::{Value, json};

use super::common::*;

/// 2026-06-02T00:00:00Z.
pub const T0: u64 = 1_780_358_400_000;
pub const WINDOW_SECS: u64 = 100;

pub struct Clocked {
    pub log: TestLog,
    pub now: Arc<AtomicU64>,
}

impl Clocked {
    pub fn advance(&self, secs: u64) {
        self.now.fetch_add(secs * 1000, Ordering::SeqCst);
        sync_witness_clocks(&self.log.witnesses, &self.now);
    }
}

/// A monotonic clock that advances with the test's wall clock.
fn monotonic_for(now: &Arc<AtomicU64>) -> docket_daemon::clock::Monotonic {
    let now = now.clone();
    Arc::new(move || Duration::from_millis(now.load(Ordering::SeqCst).saturating_sub(T0)))
}

/// Dates the fake witnesses' cosignatures on the test's clock: the log drops
/// cosignatures dated far from its own clock.
fn sync_witness_clocks(
    witnesses: &[Arc<docket_log_server::testkit::FakeWitness>],
    now: &Arc<AtomicU64>,
) {
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let test = (now.load(Ordering::SeqCst) / 1000) as i64;
    for witness in witnesses {
        witness.set_clock_offset(test - real);
    }
}

pub async fn start_clocked() -> Clocked {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.review_window = Duration::from_secs(WINDOW_SECS);
    let vkey = prepare_keys(&config);
    let witnesses = fake_witnesses(&vkey);
    restart_clocked(dir, witnesses, Arc::new(AtomicU64::new(T0))).await
}

/// Starts (or restarts) the log in `dir` on the clock `now`, with `witnesses`.
pub async fn restart_clocked(
    dir: tempfile::TempDir,
    witnesses: Vec<Arc<docket_log_server::testkit::FakeWitness>>,
    now: Arc<AtomicU64>,
) -> Clocked {
    let mut config = test_config(dir.path());
    config.review_window = Duration::from_secs(WINDOW_SECS);
    let cosigners = witnesses
        .iter()
        .map(|w| w.clone() as Arc<dyn Cosigner>)
        .collect();
    sync_witness_clocks(&witnesses, &now);
    let clock_now = now.clone();
    let server = Server::start(
        config.clone(),
        StartOptions {
            cosigners: Some(cosigners),
            clock: Some(Arc::new(move || {
                UnixMillis(clock_now.load(Ordering::SeqCst))
            })),
            // Moving `now` models time passing, not a clock jump.
            monotonic: Some(monotonic_for(&now)),
        },
    )
    .await
    .unwrap();
    Clocked {
        log: TestLog {
            server,
            dir,
            operator: operator_key(&config),
            witnesses,
            http: docket_common::https::plain_client(),
        },
        now,
    }
}

/// A receipt's index.
pub fn index_of(receipt: &Value) -> u64 {
    receipt["index"].as_u64().expect("receipt index")
}

/// Five submissions, one of each status, plus refused statements that must not count.
pub struct Scenario {
    pub on_time: u64,
    pub late: u64,
    pub overdue: u64,
    pub withdrawn: u64,
    pub pending: u64,
}

/// Plays it; `name` prefixes the model names (hostile text in the pages test).
pub async fn scenario_named(c: &Clocked, name: &str) -> Scenario {
    let log = &c.log;
    let cast = cast(log).await;
    let on_time = index_of(
        &log.log(submission("acme", &format!("{name}Alpha")), &cast.developer)
            .await,
    );
    let late = index_of(
        &log.log(submission("acme", &format!("{name}Beta")), &cast.developer)
            .await,
    );
    let overdue = index_of(
        &log.log(
            submission("globex", &format!("{name}Gamma")),
            &cast.other_developer,
        )
        .await,
    );
    let withdrawn = index_of(
        &log.log(submission("acme", &format!("{name}Delta")), &cast.developer)
            .await,
    );
    c.advance(10);
    log.log(determination("nsa", on_time), &cast.reviewer).await;
    log.log(decision("nsa", on_time), &cast.reviewer).await;
    log.log(
        json!({"type":"withdrawal","org":"acme","submission":withdrawn,"reason":"<b>x</b>"}),
        &cast.developer,
    )
    .await;
    // Refused: a second decision, and a decision on a withdrawn submission. Each is
    // answered with an error and must change no count and no row.
    let (status, _) = log
        .post(sign(&decision("nsa", on_time), &cast.reviewer))
        .await;
    assert_ne!(status, 201);
    let (status, _) = log
        .post(sign(&decision("nsa", withdrawn), &cast.reviewer))
        .await;
    assert_ne!(status, 201);
    c.advance(WINDOW_SECS + 50);
    log.log(decision("nsa", late), &cast.reviewer).await;
    log.log(
        json!({"type":"disclosure","org":"oncd","submission":late,"sectors":["energy","water"],
               "recipients":3,"commitment":hex::encode([9u8;32])}),
        &cast.coordinator,
    )
    .await;
    let pending = index_of(
        &log.log(
            submission("globex", &format!("{name}Epsilon")),
            &cast.other_developer,
        )
        .await,
    );
    Scenario {
        on_time,
        late,
        overdue,
        withdrawn,
        pending,
    }
}

/// The scenario with plain names.
pub async fn scenario(c: &Clocked) -> Scenario {
    scenario_named(c, "").await
}
