//! Pull mode against a small tlog-tiles server built in the test from docket-core: the
//! witness polls `/checkpoint`, fetches tiles, builds the consistency proof itself,
//! cosigns, and serves the result at `/<hex SHA-256(origin)>/checkpoint`. The log grows
//! across tile boundaries (256 and 65,536 need level-1 and level-2 tiles); then the
//! server switches to a forked history, and the witness records evidence (a same-size
//! fork) or only refuses (a larger tree its tiles cannot prove consistent), and never
//! cosigns it.

// Helpers below the tests unwrap too: in a test, a panic with its location is the report.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get as get_route;
use common::*;
use docket_core::merkle::NodeId;
use docket_core::note::Note;
use docket_core::tiles::{TilePath, encode_tile, parse_tile_path};
use serde_json::Value;

type Shared = Arc<Mutex<TestLog>>;

async fn checkpoint(State(log): State<Shared>) -> (StatusCode, String) {
    let log = log.lock().unwrap();
    (StatusCode::OK, log.checkpoint(log.size()))
}

async fn tile(State(log): State<Shared>, Path(path): Path<String>) -> (StatusCode, Vec<u8>) {
    let log = log.lock().unwrap();
    let Ok(TilePath::Hashes(tile)) = parse_tile_path(&format!("tile/{path}")) else {
        return (StatusCode::NOT_FOUND, Vec::new());
    };
    if !tile.is_in_tree(log.size()) {
        return (StatusCode::NOT_FOUND, Vec::new());
    }
    let hashes: Vec<_> = tile
        .nodes()
        .into_iter()
        .map(|node: NodeId| log.node_hash(node))
        .collect();
    (StatusCode::OK, encode_tile(&hashes))
}

async fn serve_log(log: Shared) -> String {
    let app = axum::Router::new()
        .route("/checkpoint", get_route(checkpoint))
        .route("/tile/{*path}", get_route(tile))
        .with_state(log);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Waits until the witness serves a checkpoint of `size` for the log.
async fn wait_for_size(client: &reqwest::Client, w: &InProcess, log: &TestLog, size: u64) {
    let hash = docket_core::witness::monitoring_origin_hash(&log.origin);
    for _ in 0..300 {
        let reply = get(client, &w.url, &format!("/{hash}/checkpoint")).await;
        if reply.status == 200 && reply.body.starts_with(&format!("{}\n{size}\n", log.origin)) {
            let note = Note::parse(reply.body.as_bytes()).unwrap();
            let verified = note.verify(&[log.verifier(), w.vkey.clone()]).unwrap();
            assert_eq!(verified.verified().len(), 2);
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("witness never reached size {size}");
}

async fn wait_for_forks(client: &reqwest::Client, w: &InProcess, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let forks: Value = serde_json::from_str(&get(client, &w.url, "/forks").await.body).unwrap();
        if forks.as_array().unwrap().len() >= n {
            return forks.as_array().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no fork evidence recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_mode_follows_a_tiled_log_and_catches_a_fork() {
    let mut log = TestLog::new("example.com/tiled-log", 9);
    log.append(5, "main");
    let shared: Shared = Arc::new(Mutex::new(log.clone()));
    let url = serve_log(shared.clone()).await;
    let w = start_in_process(
        vec![LogSpec {
            vkey: log.vkey(),
            url: Some(url),
            poll_interval: Some("50ms".into()),
            ..LogSpec::default()
        }],
        None,
    )
    .await;
    let client = docket_common::https::plain_client();
    wait_for_size(&client, &w, &log, 5).await;

    // Grow across the first tile boundary and then past a level-1 tile.
    for grow in [300usize, 70_000 - 305] {
        log.append(grow, "main");
        *shared.lock().unwrap() = log.clone();
        wait_for_size(&client, &w, &log, log.size()).await;
    }

    // A push from a client that lags is told the size pull mode reached.
    let reply = add_checkpoint(&client, &w.url, &log.body(5, 70_000)).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body, "70000\n");

    // The log now shows a different history of the size the witness cosigned: two
    // signed roots for one size, recorded as evidence.
    let mut forked = log.truncated(69_990);
    forked.append(10, "evil");
    *shared.lock().unwrap() = forked.clone();
    let forks = wait_for_forks(&client, &w, 1).await;
    assert_eq!(forks[0]["channel"], "pull");
    assert_eq!(forks[0]["kind"], "same_size_different_root");
    assert_eq!(forks[0]["cosigned"]["size"], 70_000);
    assert_eq!(forks[0]["presented"]["size"], 70_000);
    assert_eq!(forks[0]["presented"]["note"], forked.checkpoint(70_000));
    // Then a larger tree on that branch: its tiles give no valid proof from what the
    // witness cosigned. Refused and counted, but not evidence: unsigned tiles prove
    // nothing to a third party.
    forked.append(10, "evil");
    *shared.lock().unwrap() = forked.clone();
    let mut refused = false;
    for _ in 0..300 {
        let metrics = get(&client, &w.url, "/metrics").await.body;
        if !metrics.contains("witness_bad_consistency_proofs_total{channel=\"pull\"} 0\n") {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(refused, "the witness never refused the larger forked tree");
    // Still on the main branch.
    wait_for_size(&client, &w, &log, 70_000).await;
    let metrics = get(&client, &w.url, "/metrics").await.body;
    assert!(metrics.contains("witness_forks_recorded 1\n"), "{metrics}");
    assert!(!metrics.contains("witness_cosignatures_total{channel=\"pull\"} 0\n"));

    // The honest log comes back and grows: pulling resumes.
    log.append(10, "main");
    *shared.lock().unwrap() = log.clone();
    wait_for_size(&client, &w, &log, 70_010).await;
    w.server.shutdown().await;
}
