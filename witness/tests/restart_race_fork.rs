//! Durability, concurrency and forks.
//!
//! - restart: the real binary cosigns 0 -> 5, is killed with SIGKILL right after the
//!   200, restarts on the same data dir; `old 0` then gets 409 "5\n" and 5 -> 9 works.
//! - race: many concurrent requests for one origin from the same old size; exactly
//!   one 200 per size step, the rest 409 with the winner's size; the stored checkpoint
//!   is always one the witness cosigned.
//! - fork: a log signs two different trees of the same size; the witness cosigns the
//!   first, answers 422 to the second, keeps both signed notes as evidence (GET /forks,
//!   /forks/<id>/cosigned, /forks/<id>/presented, metrics) and never cosigns on top of
//!   the other branch.

// Helpers below the tests unwrap too: in a test, a panic with its location is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use docket_core::note::{Note, VerifierKey};
use serde_json::Value;

#[tokio::test]
async fn state_survives_kill_9() {
    let mut log = TestLog::new("example.com/restart-log", 3);
    log.append(9, "main");
    let dir = tempfile::tempdir().unwrap();
    let witness_key = write_witness_key(dir.path(), "example.com/w", VECTOR_WITNESS_SEED);
    let args = vec![format!("--log={}", log.vkey())];
    let client = docket_common::https::plain_client();

    let mut binary = Binary::spawn(dir.path(), &args).await;
    let reply = add_checkpoint(&client, &binary.url, &log.body(0, 5)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    binary.kill_9();

    let binary = Binary::spawn(dir.path(), &args).await;
    let reply = add_checkpoint(&client, &binary.url, &log.body(0, 5)).await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.content_type, "text/x.tlog.size");
    assert_eq!(reply.body, "5\n");
    let reply = add_checkpoint(&client, &binary.url, &log.body(5, 9)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    check_cosignature(&witness_key, &log.checkpoint(9), &reply.body);
    let hash = docket_core::witness::monitoring_origin_hash(&log.origin);
    let served = get(&client, &binary.url, &format!("/{hash}/checkpoint")).await;
    assert!(served.body.starts_with("example.com/restart-log\n9\n"));
}

/// The stored checkpoint verifies under the log key and the witness key.
async fn served_size(client: &reqwest::Client, w: &InProcess, log: &TestLog) -> u64 {
    let hash = docket_core::witness::monitoring_origin_hash(&log.origin);
    let reply = get(client, &w.url, &format!("/{hash}/checkpoint")).await;
    assert_eq!(reply.status, 200);
    let note = Note::parse(reply.body.as_bytes()).unwrap();
    let verified = note.verify(&[log.verifier(), w.vkey.clone()]).unwrap();
    assert_eq!(verified.verified().len(), 2, "log and witness signatures");
    let size: u64 = note.text().lines().nth(1).unwrap().parse().unwrap();
    assert_eq!(
        note.text(),
        log.checkpoint(size)
            .split("\n\n")
            .next()
            .unwrap()
            .to_owned()
            + "\n"
    );
    size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_requests_one_winner_per_step() {
    let mut log = TestLog::new("example.com/race-log", 4);
    log.append(200, "main");
    let w = start_in_process(vec![LogSpec::push(log.vkey())], None).await;
    let client = docket_common::https::plain_client();
    let mut current = 0u64;
    for round in 0..6 {
        // 16 requests from the current size to 16 different larger sizes, at once.
        let targets: Vec<u64> = (1..=16).map(|k| current + k + round).collect();
        let replies = futures_join(&client, &w.url, &log, current, &targets).await;
        let winners: Vec<u64> = targets
            .iter()
            .zip(&replies)
            .filter(|(_, r)| r.status == 200)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {replies:?}");
        let winner = winners[0];
        for (target, reply) in targets.iter().zip(&replies) {
            if *target != winner {
                assert_eq!(reply.status, 409, "{reply:?}");
                assert_eq!(reply.body, format!("{winner}\n"));
            } else {
                check_cosignature(&w.vkey, &log.checkpoint(winner), &reply.body);
            }
        }
        assert_eq!(served_size(&client, &w, &log).await, winner);
        current = winner;
    }
    w.server.shutdown().await;
}

async fn futures_join(
    client: &reqwest::Client,
    base: &str,
    log: &TestLog,
    old: u64,
    targets: &[u64],
) -> Vec<Reply> {
    let handles: Vec<_> = targets
        .iter()
        .map(|&t| {
            let client = client.clone();
            let base = base.to_owned();
            let body = log.body(old, t);
            tokio::spawn(async move { add_checkpoint(&client, &base, &body).await })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn fork_is_refused_and_recorded() {
    let mut main = TestLog::new("example.com/forking-log", 5);
    main.append(6, "main");
    // Same first 4 entries, then a different history, same key.
    let mut other = main.truncated(4);
    other.append(2, "evil");
    assert_ne!(main.root(6), other.root(6));

    let w = start_in_process(vec![LogSpec::push(main.vkey())], None).await;
    let client = docket_common::https::plain_client();
    assert_eq!(
        add_checkpoint(&client, &w.url, &main.body(0, 4))
            .await
            .status,
        200
    );
    assert_eq!(
        add_checkpoint(&client, &w.url, &main.body(4, 6))
            .await
            .status,
        200
    );

    // Same size, other root: 422, evidence kept.
    let reply = add_checkpoint(&client, &w.url, &body(6, &[], &other.checkpoint(6))).await;
    assert_eq!(reply.status, 422, "{reply:?}");
    // The other branch grown further, with a proof from its own size 6: 422 too, but
    // not evidence (a failing proof is the sender's word, not the log's).
    other.append(4, "evil");
    let reply = add_checkpoint(&client, &w.url, &other.body(6, 10)).await;
    assert_eq!(reply.status, 422, "{reply:?}");
    // Asking again records nothing new.
    let reply = add_checkpoint(&client, &w.url, &body(6, &[], &other.checkpoint(6))).await;
    assert_eq!(reply.status, 422);

    let forks: Value = serde_json::from_str(&get(&client, &w.url, "/forks").await.body).unwrap();
    let forks = forks.as_array().unwrap();
    assert_eq!(forks.len(), 1, "{forks:#?}");
    let same = forks
        .iter()
        .find(|f| f["kind"] == "same_size_different_root")
        .unwrap();
    assert_eq!(same["origin"], "example.com/forking-log");
    assert_eq!(same["channel"], "add_checkpoint");
    assert_eq!(same["cosigned"]["size"], 6);
    assert_eq!(same["presented"]["size"], 6);
    assert_eq!(same["presented"]["note"], other.checkpoint(6));

    // Both notes are served raw, and both verify under the log's key: that is the
    // evidence a third party can check without trusting the witness.
    let id = same["id"].as_str().unwrap();
    let cosigned = get(&client, &w.url, &format!("/forks/{id}/cosigned")).await;
    let presented = get(&client, &w.url, &format!("/forks/{id}/presented")).await;
    assert_eq!(cosigned.status, 200);
    assert_eq!(presented.status, 200);
    let keys: Vec<VerifierKey> = vec![main.verifier(), w.vkey.clone()];
    let a = Note::parse(cosigned.body.as_bytes()).unwrap();
    let b = Note::parse(presented.body.as_bytes()).unwrap();
    assert_eq!(
        a.verify(&keys).unwrap().verified().len(),
        2,
        "log + witness"
    );
    assert_eq!(b.verify(&keys).unwrap().verified().len(), 1, "log only");
    assert_ne!(a.text(), b.text());
    assert_eq!(
        get(&client, &w.url, &format!("/forks/{id}/other"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&client, &w.url, "/forks/nothex/cosigned").await.status,
        404
    );

    let metrics = get(&client, &w.url, "/metrics").await.body;
    assert!(metrics.contains("witness_forks_recorded 1\n"), "{metrics}");
    assert!(
        metrics.contains("witness_forks_detected_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("witness_bad_consistency_proofs_total{channel=\"add_checkpoint\"} 1\n"),
        "{metrics}"
    );

    // The witness stays on the branch it cosigned: the main log keeps growing fine,
    // the other branch never gets a cosignature.
    main.append(4, "main");
    assert_eq!(
        add_checkpoint(&client, &w.url, &main.body(6, 10))
            .await
            .status,
        200
    );
    let reply = add_checkpoint(&client, &w.url, &body(10, &[], &other.checkpoint(10))).await;
    assert_eq!(reply.status, 422);
    assert_eq!(served_size(&client, &w, &main).await, 10);
    w.server.shutdown().await;
}

#[tokio::test]
async fn bounded_and_malformed_bodies() {
    let mut log = TestLog::new("example.com/limits-log", 6);
    log.append(3, "main");
    let w = start_in_process(vec![LogSpec::push(log.vkey())], None).await;
    let client = docket_common::https::plain_client();
    let huge = "x".repeat(docket_witness::config::DEFAULT_MAX_BODY_BYTES + 1);
    let reply = add_checkpoint(&client, &w.url, &huge).await;
    assert_eq!(reply.status, 413);
    assert!(reply.body.contains("limit"), "{reply:?}");
    for bad in [
        "",
        "old 0\n",
        "old 01\n\n",
        "old x\n\nfoo\n",
        "new 0\n\n",
        "old 0\nnot-base64\n\nexample.com/limits-log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— a AAAA\n",
    ] {
        let reply = add_checkpoint(&client, &w.url, bad).await;
        assert_eq!(reply.status, 400, "{bad:?}: {reply:?}");
        assert!(reply.body.starts_with("malformed request"), "{reply:?}");
    }
    // The good request still works afterwards.
    assert_eq!(
        add_checkpoint(&client, &w.url, &log.body(0, 3))
            .await
            .status,
        200
    );
    assert_eq!(get(&client, &w.url, "/healthz").await.body, "ok\n");
    w.server.shutdown().await;
}
