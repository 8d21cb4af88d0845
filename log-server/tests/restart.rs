//! Restart and resume: a graceful restart keeps every entry and receipt; a batch
//! committed but never published (a crash between the synced write and the checkpoint)
//! is published on the next start; and the real binary killed with SIGKILL in the
//! middle of a write storm comes back with every entry it had answered with a receipt,
//! at the same index.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::dsse::Envelope;
use docket_core::merkle::{self, Frontier, Hash};
use docket_core::time::UnixMillis;
use docket_log_server::apply::{self, Submission};
use docket_log_server::store::LogStore;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_restart_resumes_where_it_stopped() {
    let log = start().await;
    let cast = cast(&log).await;
    let mut receipts = Vec::new();
    for i in 0..20 {
        receipts.push(
            log.log(submission("acme", &format!("r{i}")), &cast.developer)
                .await,
        );
    }
    let old = log.server.published.latest();
    let (dir, witnesses) = log.stop().await;

    let config = test_config(dir.path());
    let log = restart_with(dir, config, witnesses).await;
    assert_eq!(log.size(), old.size);
    assert_eq!(log.server.published.latest().root, old.root);
    for receipt in &receipts {
        let index = receipt["index"].as_u64().unwrap();
        let (status, entry) = log.get_json(&format!("/v1/entries/{index}")).await;
        assert_eq!(status, 200);
        assert_eq!(entry["leaf_hash"], receipt["leaf_hash"]);
        assert_eq!(entry["entry"], receipt["entry"]);
    }
    // Resubmission after restart is still deduplicated.
    let (status, again) = log
        .post(sign(&submission("acme", "r3"), &cast.developer))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["index"], receipts[3]["index"]);
    // New writes continue the same tree: the old root is a prefix.
    let receipt = log.log(submission("acme", "after"), &cast.developer).await;
    assert_eq!(receipt["index"].as_u64().unwrap(), old.size);
    let new = log.server.published.latest();
    let proof = log
        .server
        .store
        .consistency_proof(old.size, new.size)
        .unwrap();
    merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &proof).unwrap();
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_but_unpublished_batch_is_published_on_start() {
    let log = start().await;
    let cast = cast(&log).await;
    let (dir, witnesses) = log.stop().await;
    let config = test_config(dir.path());
    // Commit one batch the way the sequencer does, then "crash" before the checkpoint.
    let committed = {
        let store = LogStore::open(&config.db_path()).unwrap();
        let state = store.tree_state().unwrap();
        let mut frontier = Frontier::load(state.size, &store).unwrap();
        let payload = serde_json::to_vec(&submission("acme", "orphan")).unwrap();
        let verified = Envelope::sign_payload(payload, &cast.developer)
            .verify(&cast.developer.public_key())
            .unwrap();
        let plan = apply::plan_batch(
            &store,
            ORIGIN,
            &mut frontier,
            state,
            UnixMillis(1),
            &[Submission::new(verified)],
        )
        .unwrap();
        store.commit(&plan.commit).unwrap();
        assert!(store.latest_checkpoint().unwrap().unwrap().size < state.size + 1);
        (state.size + 1, frontier.root())
    };
    let log = restart_with(dir, config, witnesses).await;
    let latest = log.server.published.latest();
    assert_eq!((latest.size, latest.root), committed);
    assert_eq!(latest.cosignatures, 2);
    let (status, entry) = log
        .get_json(&format!("/v1/entries/{}", committed.0 - 1))
        .await;
    assert_eq!(status, 200);
    assert_eq!(entry["statement"]["model"]["name"], "orphan");
    log.server.shutdown().await;
}

/// Starts the real binary on a free port; returns the child and its base URL.
fn spawn_binary(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_log-server"))
        .args(["serve", "--data-dir"])
        .arg(dir)
        .args(["--listen", "127.0.0.1:0", "--origin", ORIGIN])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_loses_no_answered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (mut child, url) = spawn_binary(&data);
    let http = docket_common::https::plain_client();
    let operator = operator_key(&docket_log_server::config::Config::defaults(&data));
    let developer = key(1);
    let body = sign(
        &participant("register", "acme", "developer", &developer),
        &operator,
    );
    let r = http
        .post(format!("{url}/v1/statements"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);

    // A write storm; kill -9 once some receipts have come back and more are in flight.
    let answered_count = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..2000 {
        let http = http.clone();
        let url = url.clone();
        let count = answered_count.clone();
        let body = sign(&submission("acme", &format!("storm-{i}")), &developer);
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}/v1/statements"))
                .body(body)
                .send()
                .await
                .ok()?;
            if r.status().as_u16() != 201 {
                return None;
            }
            let receipt = r.json::<Value>().await.ok()?;
            count.fetch_add(1, Ordering::Relaxed);
            Some(receipt)
        }));
    }
    while answered_count.load(Ordering::Relaxed) < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    child.kill().unwrap();
    let mut answered = Vec::new();
    for task in tasks {
        if let Some(receipt) = task.await.unwrap() {
            answered.push(receipt);
        }
    }
    child.wait().unwrap();
    assert!(
        answered.len() >= 100 && answered.len() < 2000,
        "{} answered",
        answered.len()
    );

    let (mut child, url) = spawn_binary(&data);
    for receipt in &answered {
        let index = receipt["index"].as_u64().unwrap();
        let r = http
            .get(format!("{url}/v1/entries/{index}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        let entry: Value = r.json().await.unwrap();
        assert_eq!(
            entry["leaf_hash"], receipt["leaf_hash"],
            "entry {index} moved or was lost"
        );
        let bytes = BASE64.decode(entry["entry"].as_str().unwrap()).unwrap();
        assert_eq!(
            merkle::leaf_hash(&bytes),
            Hash::from_hex(receipt["leaf_hash"].as_str().unwrap()).unwrap()
        );
    }
    // The log still takes writes after the crash.
    let body = sign(&submission("acme", "after-crash"), &developer);
    let r = http
        .post(format!("{url}/v1/statements"))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    child.kill().unwrap();
    child.wait().unwrap();
}
