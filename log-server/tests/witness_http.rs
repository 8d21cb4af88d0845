//! The real HTTP tlog-witness client against tiny in-test witnesses built on
//! `docket_core::witness`: receipts carry both witnesses' cosignatures; a witness whose
//! state is stale (it knows an older size than the client thinks) answers 409 and the
//! client resends from its size with a fresh consistency proof; a witness that is down
//! is counted as a failure and the log keeps going (its receipts not final); the
//! heartbeat re-witnesses an idle log.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::merkle;
use docket_core::note::VerifierKey;
use docket_core::policy::Policy;
use docket_core::proof::TlogProof;
use docket_log_server::config::WitnessSetting;
use docket_log_server::server::{Server, StartOptions};
use docket_log_server::testkit::spawn_http_witness;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_witnesses_cosign_and_recover_from_409() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    let log_vkey = prepare_keys(&config);
    let a = spawn_http_witness("http-witness-a.test", 21, &log_vkey)
        .await
        .unwrap();
    let b = spawn_http_witness("http-witness-b.test", 22, &log_vkey)
        .await
        .unwrap();
    config.witnesses = vec![
        WitnessSetting {
            url: a.url.clone(),
            vkey: a.vkey.clone(),
        },
        WitnessSetting {
            url: b.url.clone(),
            vkey: b.vkey.clone(),
        },
    ];
    config.heartbeat = Duration::from_millis(300);
    let server = Server::start(config.clone(), StartOptions::default())
        .await
        .unwrap();
    let http = docket_common::https::plain_client();
    let operator = operator_key(&config);
    let policy = Policy::new(
        VerifierKey::parse(&server.vkey).unwrap(),
        vec![
            VerifierKey::parse(&a.vkey).unwrap(),
            VerifierKey::parse(&b.vkey).unwrap(),
        ],
        2,
    )
    .unwrap();
    let post = |body: Vec<u8>| {
        let http = http.clone();
        let url = format!("{}/v1/statements", server.url());
        async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let check = |receipt: &Value| {
        let entry = BASE64.decode(receipt["entry"].as_str().unwrap()).unwrap();
        let proof = TlogProof::parse(receipt["proof"].as_str().unwrap().as_bytes()).unwrap();
        proof.verify(&policy, &merkle::leaf_hash(&entry)).unwrap();
    };
    let developer = key(1);
    let (status, receipt) = post(sign(
        &participant("register", "acme", "developer", &developer),
        &operator,
    ))
    .await;
    assert_eq!(status, 201, "{receipt}");
    check(&receipt);
    assert_eq!(a.size(), server.published.latest().size);

    // Witness A forgets everything: the client's `old` is now stale, A answers 409 with
    // size 0, and the client resends from 0.
    a.set_state(None);
    let (status, receipt) = post(sign(&submission("acme", "m1"), &developer)).await;
    assert_eq!(status, 201);
    check(&receipt);
    // Witness B is rolled back to an older checkpoint it really cosigned: 409 with that
    // size, and the resend carries a consistency proof from it.
    let old = server.published.latest();
    let (status, _) = post(sign(&submission("acme", "m2"), &developer)).await;
    assert_eq!(status, 201);
    b.set_state(Some(docket_core::witness::TreeState {
        size: old.size,
        root: old.root,
    }));
    let (status, receipt) = post(sign(&submission("acme", "m3"), &developer)).await;
    assert_eq!(status, 201);
    check(&receipt);
    assert_eq!(b.size(), server.published.latest().size);

    // The heartbeat re-signs and re-witnesses an idle log.
    let seq = server.published.latest().seq;
    let next = tokio::time::timeout(Duration::from_secs(5), server.published.wait_for_newer(seq))
        .await
        .expect("heartbeat checkpoint");
    assert_eq!(next.size, server.published.latest().size);
    assert_eq!(next.cosignatures, 2);
    policy.verify_checkpoint(next.note.as_bytes()).unwrap();

    // A witness that is down: the write is logged, but with the default receipt policy
    // (every witness) the answer is 202 "not final", without a proof to hold, and the
    // failure is counted.
    drop(a);
    let (status, receipt) = post(sign(&submission("acme", "m4"), &developer)).await;
    assert_eq!(status, 202, "{receipt}");
    assert_eq!(receipt["final"], false);
    assert!(receipt.get("proof").is_none(), "{receipt}");
    assert!(server.metrics.witness_failures("http-witness-a.test") >= 1);
    server.shutdown().await;
}
