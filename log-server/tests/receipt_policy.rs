//! Receipts only with witnesses (docs/threat-model.md, "Write path"; docs/operations.md,
//! "Receipt policy"): while the witnesses are down a write is durable and has its
//! index, but is answered 202 "not final" without a proof; once they are back the final
//! receipt comes from `GET /v1/receipts/<index>` and verifies under the witness policy.
//! A witness whose cosignatures are dated 48 hours ahead is logged, counted and not
//! counted toward the policy.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::merkle;
use docket_core::note::Note;
use docket_core::proof::TlogProof;
use serde_json::Value;

fn check_final(log: &TestLog, receipt: &Value) {
    assert_eq!(receipt["final"], true, "{receipt}");
    let proof = TlogProof::parse(receipt["proof"].as_str().unwrap().as_bytes()).unwrap();
    let entry = BASE64.decode(receipt["entry"].as_str().unwrap()).unwrap();
    proof
        .verify(&log.policy(), &merkle::leaf_hash(&entry))
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn witnesses_down_gives_a_non_final_answer_then_the_final_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.heartbeat = Duration::from_secs(3600);
    config.witness_retry = Duration::from_millis(50);
    let log = start_with(dir, config).await;
    let developer = key(1);
    let receipt = log.register("acme", "developer", &developer).await;
    check_final(&log, &receipt);

    for witness in &log.witnesses {
        witness.fail.store(true, Ordering::Relaxed);
    }
    let body = sign(&submission("acme", "m1"), &developer);
    let (status, pending) = log.post(body.clone()).await;
    assert_eq!(status, 202, "{pending}");
    assert_eq!(pending["final"], false);
    assert_eq!(pending["created"], true);
    assert!(
        pending.get("proof").is_none(),
        "no proof to hold: {pending}"
    );
    assert!(pending.get("checkpoint").is_none(), "{pending}");
    assert!(
        pending["pending"]
            .as_str()
            .unwrap()
            .contains("no checkpoint covering it"),
        "{pending}"
    );
    let index = pending["index"].as_u64().unwrap();
    assert_eq!(pending["receipt_path"], format!("/v1/receipts/{index}"));
    // Durable and indexed: the entry is in the published (uncosigned) tree.
    assert!(log.size() > index);
    let (status, again) = log.get_json(&format!("/v1/receipts/{index}")).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["final"], false);
    assert!(
        log.server
            .metrics
            .receipts_not_final
            .load(Ordering::Relaxed)
            >= 1
    );
    // The same statement again while witnesses are down: still not final, same index.
    let (status, again) = log.post(body.clone()).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["index"], index);

    // The witnesses return: the log retries by itself, and the final receipt appears.
    for witness in &log.witnesses {
        witness.fail.store(false, Ordering::Relaxed);
    }
    let published = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let latest = log.server.published.latest();
            if latest.is_final {
                return latest;
            }
            log.server.published.wait_for_newer(latest.seq).await;
        }
    })
    .await
    .expect("a cosigned checkpoint once the witnesses are back");
    assert!(published.size > index);
    let (status, receipt) = log.get_json(&format!("/v1/receipts/{index}")).await;
    assert_eq!(status, 200, "{receipt}");
    check_final(&log, &receipt);
    assert_eq!(receipt["entry"], pending["entry"]);
    assert_eq!(receipt["leaf_hash"], pending["leaf_hash"]);
    // Re-posting now answers with the final receipt too.
    let (status, receipt) = log.post(body).await;
    assert_eq!(status, 200, "{receipt}");
    check_final(&log, &receipt);
    // Unknown entries are 404.
    let (status, _) = log.get_json("/v1/receipts/99999").await;
    assert_eq!(status, 404);
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_48_hours_ahead_is_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.heartbeat = Duration::from_secs(3600);
    let log = start_with(dir, config).await;
    let developer = key(1);
    log.register("acme", "developer", &developer).await;

    let liar = &log.witnesses[0];
    liar.set_clock_offset(48 * 3600);
    let (status, answer) = log.post(sign(&submission("acme", "m1"), &developer)).await;
    assert_eq!(status, 202, "default policy needs every witness: {answer}");
    assert_eq!(answer["final"], false);
    assert!(log.server.metrics.cosignatures_bad_time("witness-a.test") >= 1);
    let latest = log.server.published.latest();
    assert!(!latest.is_final);
    assert_eq!(latest.cosignatures, 1);
    let note = Note::parse(latest.note.as_bytes()).unwrap();
    assert!(
        note.signatures()
            .iter()
            .all(|line| line.name().as_str() != "witness-a.test"),
        "the future-dated line is not in the published note"
    );
    let (_, _, metrics) = log.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains(&format!(
            "docket_cosignatures_bad_time_total{{witness=\"{}\"}}",
            "witness-a.test"
        )),
        "{metrics}"
    );
    // A witness dated 48 hours behind is not counted either.
    liar.set_clock_offset(-48 * 3600);
    let (status, _) = log.post(sign(&submission("acme", "m2"), &developer)).await;
    assert_eq!(status, 202);
    // Back to the right time: final again.
    liar.set_clock_offset(0);
    let receipt = log.log(submission("acme", "m3"), &developer).await;
    check_final(&log, &receipt);
    log.server.shutdown().await;
}
