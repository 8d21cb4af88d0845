//! Nobody can fill the write queue with statements that cannot be logged
//! (docs/threat-model.md, "Write path"): a flood of self-signed genesis statements (each
//! from a fresh key, so each passes `authenticate`) and of replays of a logged envelope
//! is answered before the queue (409 `genesis_not_first`; 200 with the existing
//! receipt), nothing enters the queue, the log is unchanged, and a real write still gets
//! through a queue of capacity 2.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesis_and_replay_floods_never_reach_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.queue_capacity = 2;
    config.heartbeat = Duration::from_secs(3600);
    let log = start_with(dir, config).await;
    let developer = key(1);
    log.register("acme", "developer", &developer).await;
    let logged = sign(&submission("acme", "m1"), &developer);
    let (status, original) = log.post(logged.clone()).await;
    assert_eq!(status, 201, "{original}");

    let queued = log.server.metrics.queued.load(Ordering::Relaxed);
    let size = log.size();
    let seq = log.server.published.latest().seq;
    let root = log.server.published.latest().root;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200u32 {
        let http = log.http.clone();
        let url = format!("{}/v1/statements", log.url());
        // A genesis statement signed by the fresh key it names: `authenticate` accepts it.
        let attacker = docket_core::dsse::SigningKey::from_seed(&{
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_be_bytes());
            seed[31] = 0xaa;
            seed
        });
        let genesis = sign(
            &json!({"type": "genesis", "org": "operator", "origin": ORIGIN,
                    "review_window_secs": 10, "operator_key": attacker.public_key().to_hex()}),
            &attacker,
        );
        let replay = logged.clone();
        tasks.spawn(async move {
            let mut answers = Vec::new();
            for body in [genesis, replay] {
                let r = http.post(&url).body(body).send().await.unwrap();
                let status = r.status().as_u16();
                answers.push((status, r.json::<serde_json::Value>().await.unwrap()));
            }
            answers
        });
    }
    let mut genesis_refused = 0;
    let mut replays = 0;
    while let Some(answers) = tasks.join_next().await {
        let answers = answers.unwrap();
        let (status, body) = &answers[0];
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "genesis_not_first", "{body}");
        genesis_refused += 1;
        let (status, body) = &answers[1];
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["index"], original["index"]);
        assert_eq!(body["leaf_hash"], original["leaf_hash"]);
        assert_eq!(body["final"], true);
        assert_eq!(body["created"], false);
        replays += 1;
    }
    assert_eq!((genesis_refused, replays), (200, 200));
    let metrics = &log.server.metrics;
    assert_eq!(
        metrics.queued.load(Ordering::Relaxed),
        queued,
        "nothing was queued"
    );
    assert_eq!(metrics.rejected("genesis_not_first"), 200);
    assert_eq!(metrics.replays_answered.load(Ordering::Relaxed), 200);
    assert_eq!(metrics.rejected("overloaded"), 0);
    // The log is unchanged: same size, root and checkpoint.
    assert_eq!(log.size(), size);
    assert_eq!(log.server.published.latest().seq, seq);
    assert_eq!(log.server.published.latest().root, root);
    assert_eq!(log.server.store.tree_state().unwrap().size, size);
    // A genesis re-signed by the real operator key is refused before the queue too.
    let (status, body) = log
        .post(sign(
            &json!({"type": "genesis", "org": "operator", "origin": ORIGIN,
                    "review_window_secs": 10, "operator_key": log.operator.public_key().to_hex()}),
            &log.operator,
        ))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(metrics.queued.load(Ordering::Relaxed), queued);
    // A real write still goes through.
    log.log(submission("acme", "m2"), &developer).await;
    assert_eq!(metrics.queued.load(Ordering::Relaxed), queued + 1);
    assert_eq!(log.size(), size + 1);
    log.server.shutdown().await;
}
