//! The write path end to end over loopback HTTP: every statement type is logged and its
//! receipt verifies with docket-core against the log's vkey and both witnesses;
//! resubmission returns the existing receipt; concurrent writes get consecutive indexes
//! and never-decreasing `logged_at`; the JSON read API agrees with the receipts.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::merkle::{self, Hash};
use docket_core::proof::TlogProof;
use serde_json::{Value, json};

/// Checks a receipt as an outsider would: the entry bytes hash to `leaf_hash`, and the
/// tlog-proof verifies under the policy (log key + 2 of 2 witnesses).
fn verify_receipt(log: &TestLog, receipt: &Value) -> u64 {
    let entry = BASE64.decode(receipt["entry"].as_str().unwrap()).unwrap();
    let leaf = merkle::leaf_hash(&entry);
    assert_eq!(receipt["leaf_hash"].as_str().unwrap(), leaf.to_hex());
    let proof = TlogProof::parse(receipt["proof"].as_str().unwrap().as_bytes()).unwrap();
    let verified = proof.verify(&log.policy(), &leaf).unwrap();
    assert_eq!(verified.checkpoint().cosignatures().len(), 2);
    assert_eq!(
        proof.unverified_checkpoint(),
        receipt["checkpoint"].as_str().unwrap()
    );
    let index = receipt["index"].as_u64().unwrap();
    assert_eq!(verified.index(), index);
    index
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_type_is_logged_with_a_verifiable_receipt() {
    let log = start().await;
    // Genesis is entry 0, logged at start-up and signed by the operator.
    let (status, genesis) = log.get_json("/v1/entries/0").await;
    assert_eq!(status, 200);
    assert_eq!(genesis["statement"]["type"], "genesis");
    assert_eq!(genesis["statement"]["origin"], ORIGIN);
    assert_eq!(genesis["statement"]["review_window_secs"], 2_592_000);
    assert_eq!(
        genesis["statement"]["operator_key"],
        log.operator.public_key().to_hex()
    );

    let cast = cast(&log).await;
    let sub = log
        .log(submission("acme", "frontier-1"), &cast.developer)
        .await;
    let sub_index = verify_receipt(&log, &sub);
    assert_eq!(sub["statement"]["type"], "submission");
    assert_eq!(sub["statement_digest"].as_str().unwrap().len(), 64);

    let receipts = [
        log.log(determination("nsa", sub_index), &cast.reviewer)
            .await,
        log.log(decision("nsa", sub_index), &cast.reviewer).await,
    ];
    let salt = hex::encode([9u8; 16]);
    let advisory = Hash([5u8; 32]);
    let commitment = docket_core::statement::commitment(
        &docket_core::statement::Salt::new(vec![9u8; 16]).unwrap(),
        &advisory,
    );
    let disclosure = log
        .log(
            json!({"type":"disclosure","org":"oncd","submission":sub_index,
                   "sectors":["banking","energy"],"recipients":12,"commitment":commitment.to_hex()}),
            &cast.coordinator,
        )
        .await;
    let disclosure_index = verify_receipt(&log, &disclosure);
    let more = [
        log.log(
            json!({"type":"remediation","org":"treasury","disclosure":disclosure_index,"status":"deployed"}),
            &cast.clearinghouse,
        )
        .await,
        log.log(
            json!({"type":"reveal","org":"oncd","disclosure":disclosure_index,"salt":salt,
                   "advisory_sha256":advisory.to_hex()}),
            &cast.coordinator,
        )
        .await,
        log.log(json!({"type":"release","org":"acme","submission":sub_index}), &cast.developer)
            .await,
    ];
    for receipt in receipts.iter().chain(&more) {
        verify_receipt(&log, receipt);
    }
    // Withdrawal of another submission; revocation of a key.
    let sub2 = log
        .log(submission("acme", "frontier-2"), &cast.developer)
        .await;
    let sub2_index = verify_receipt(&log, &sub2);
    let withdrawal = log
        .log(
            json!({"type":"withdrawal","org":"acme","submission":sub2_index,"reason":"retrained"}),
            &cast.developer,
        )
        .await;
    verify_receipt(&log, &withdrawal);
    let revoke = log
        .log(
            participant("revoke", "globex", "developer", &cast.other_developer),
            &log.operator,
        )
        .await;
    verify_receipt(&log, &revoke);

    // The review status ties it together.
    let (status, view) = log.get_json(&format!("/v1/submissions/{sub_index}")).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "decided_on_time");
    let kinds: Vec<&str> = view["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "determination",
            "decision",
            "disclosure",
            "remediation",
            "reveal",
            "release"
        ]
    );
    assert!(
        view["evidence"][0]["first_witnessed_with"]["cosignatures"]
            .as_u64()
            .unwrap()
            >= 2
    );
    let (_, view2) = log.get_json(&format!("/v1/submissions/{sub2_index}")).await;
    assert_eq!(view2["status"], "withdrawn");

    // Participants over time: genesis operator, five registrations, one revocation.
    let (_, participants) = log.get_json("/v1/participants").await;
    let events = participants["participants"].as_array().unwrap();
    assert_eq!(events.len(), 7);
    assert_eq!(events[0]["role"], "operator");
    assert_eq!(events[6]["action"], "revoke");
    server_shutdown(log).await;
}

async fn server_shutdown(log: TestLog) {
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resubmission_returns_the_existing_receipt_and_logs_nothing() {
    let log = start().await;
    let cast = cast(&log).await;
    let body = sign(&submission("acme", "dup"), &cast.developer);
    let (first_status, first) = log.post(body.clone()).await;
    assert_eq!(first_status, 201);
    let size = log.size();
    let (second_status, second) = log.post(body.clone()).await;
    assert_eq!(second_status, 200, "{second}");
    assert_eq!(second["index"], first["index"]);
    assert_eq!(second["leaf_hash"], first["leaf_hash"]);
    assert_eq!(second["logged_at"], first["logged_at"]);
    assert_eq!(log.size(), size);
    verify_receipt(&log, &second);
    // Duplicates inside one batch: one entry, all answered with it.
    let body = sign(&submission("acme", "dup-batch"), &cast.developer);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = log.http.clone();
        let url = format!("{}/v1/statements", log.url());
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }));
    }
    let mut created = 0;
    let mut indexes = std::collections::BTreeSet::new();
    for task in tasks {
        let (status, receipt) = task.await.unwrap();
        assert!(status == 200 || status == 201);
        created += usize::from(status == 201);
        indexes.insert(receipt["index"].as_u64().unwrap());
    }
    assert_eq!(created, 1);
    assert_eq!(indexes.len(), 1);
    assert_eq!(log.size(), size + 1);
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_get_consecutive_indexes_and_monotonic_times() {
    let log = start().await;
    let cast = cast(&log).await;
    let before = log.size();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let http = log.http.clone();
        let url = format!("{}/v1/statements", log.url());
        let body = sign(&submission("acme", &format!("model-{i}")), &cast.developer);
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 201);
            r.json::<Value>().await.unwrap()
        }));
    }
    let mut receipts = Vec::new();
    for task in tasks {
        receipts.push(task.await.unwrap());
    }
    receipts.sort_by_key(|r| r["index"].as_u64().unwrap());
    for (i, receipt) in receipts.iter().enumerate() {
        assert_eq!(receipt["index"].as_u64().unwrap(), before + i as u64);
        verify_receipt(&log, receipt);
    }
    for pair in receipts.windows(2) {
        assert!(pair[0]["logged_at"].as_u64() <= pair[1]["logged_at"].as_u64());
    }
    assert_eq!(log.size(), before + 300);
    // The checkpoint history holds every published checkpoint, each cosigned.
    let (_, history) = log.get_json("/v1/checkpoints?limit=1000").await;
    let checkpoints = history["checkpoints"].as_array().unwrap();
    assert!(checkpoints.len() >= 2);
    let sizes: Vec<u64> = checkpoints
        .iter()
        .map(|c| c["size"].as_u64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*sizes.last().unwrap(), log.size());
    // Proof helpers agree with the tree.
    let (status, inclusion) = log
        .get_json(&format!(
            "/v1/proofs/inclusion?index={before}&size={}",
            log.size()
        ))
        .await;
    assert_eq!(status, 200);
    let proof: Vec<Hash> = inclusion["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    let root = log.server.published.latest().root;
    let leaf = Hash::from_hex(inclusion["leaf_hash"].as_str().unwrap()).unwrap();
    merkle::verify_inclusion(before, log.size(), &leaf, &proof, &root).unwrap();
    let old_root = log.server.store.root(before).unwrap();
    let (status, consistency) = log
        .get_json(&format!(
            "/v1/proofs/consistency?old={before}&new={}",
            log.size()
        ))
        .await;
    assert_eq!(status, 200);
    let proof: Vec<Hash> = consistency["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    merkle::verify_consistency(before, log.size(), &old_root, &root, &proof).unwrap();
    // Brackets for the first of them: witnessed before without it, and with it.
    let (_, brackets) = log
        .get_json(&format!("/v1/checkpoints/brackets/{before}"))
        .await;
    assert!(brackets["last_without"]["size"].as_u64().unwrap() <= before);
    assert!(brackets["first_with"]["size"].as_u64().unwrap() > before);
    // Metrics saw it.
    let (_, _, metrics) = log.get("/metrics").await;
    let metrics = String::from_utf8(metrics).unwrap();
    assert!(
        metrics.contains(&format!("docket_tree_size {}", log.size())),
        "{metrics}"
    );
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_witness_is_counted_not_fatal() {
    // A receipt policy of 1 of the 2 witnesses: one failing witness still gives final
    // receipts (with the default, all witnesses, the answer would be 202 not final).
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.receipt_quorum = Some(1);
    let log = start_with(dir, config).await;
    let cast = cast(&log).await;
    log.witnesses[1]
        .fail
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let receipt = log
        .log(submission("acme", "one-witness"), &cast.developer)
        .await;
    let entry = BASE64.decode(receipt["entry"].as_str().unwrap()).unwrap();
    let proof = TlogProof::parse(receipt["proof"].as_str().unwrap().as_bytes()).unwrap();
    // 2-of-2 fails, 1-of-2 holds.
    assert!(
        proof
            .verify(&log.policy(), &merkle::leaf_hash(&entry))
            .is_err()
    );
    let log_key = docket_core::note::VerifierKey::parse(&log.server.vkey).unwrap();
    let witnesses = log
        .witnesses
        .iter()
        .map(|w| docket_core::note::VerifierKey::parse(&w.vkey()).unwrap())
        .collect();
    let one = docket_core::policy::Policy::new(log_key, witnesses, 1).unwrap();
    proof.verify(&one, &merkle::leaf_hash(&entry)).unwrap();
    assert!(log.server.metrics.witness_failures("witness-b.test") >= 1);
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_status_runs_on_the_published_checkpoint_clock() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.review_window = std::time::Duration::from_secs(1);
    let log = start_with(dir, config).await;
    let cast = cast(&log).await;
    let sub = log
        .log(submission("acme", "frontier-1"), &cast.developer)
        .await;
    let sub_index = verify_receipt(&log, &sub);
    let path = format!("/v1/submissions/{sub_index}");

    let (status, view) = log.get_json(&path).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["status"], "pending");
    assert_eq!(view["review_window_secs"], 1);
    assert_eq!(view["decision"], Value::Null);
    let logged_at = view["submission"]["logged_at"].as_u64().unwrap();
    assert_eq!(view["deadline"].as_u64().unwrap(), logged_at + 1000);

    // The clock is the published checkpoint's: past the deadline, a new checkpoint
    // (here, for another entry) makes the submission overdue.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    log.log(submission("acme", "frontier-2"), &cast.developer)
        .await;
    let (_, view) = log.get_json(&path).await;
    assert_eq!(view["status"], "overdue", "{view}");
    assert!(view["as_of"].as_u64().unwrap() > view["deadline"].as_u64().unwrap());

    let decided = log.log(decision("nsa", sub_index), &cast.reviewer).await;
    let decision_index = verify_receipt(&log, &decided);
    let (_, view) = log.get_json(&path).await;
    assert_eq!(view["status"], "decided_late", "{view}");
    assert_eq!(view["decision"], decision_index);
    assert_eq!(view["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(view["evidence"][1]["index"], decision_index);
    server_shutdown(log).await;
}
