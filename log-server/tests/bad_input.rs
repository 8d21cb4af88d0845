//! The bad-input table: each malformed, unauthorised, dangling or conflicting write and
//! each malformed or out-of-range read gets its status and error code, and the tree
//! size never changes. Steps: start a log, register the standard cast, log one
//! submission with a decision, then run every case and check size, status and code.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::dsse::Envelope;
use serde_json::{Value, json};

/// One write case: body, expected status and code.
struct WriteCase {
    name: &'static str,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

fn envelope_json(payload_type: &str, payload: &str, signatures: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"payloadType": payload_type, "payload": payload, "signatures": signatures}),
    )
    .unwrap()
}

/// The same statement with an `issued_at`, so it is not a resubmission.
fn reissued(mut statement: Value) -> Value {
    statement["issued_at"] = json!("2026-06-01T00:00:00Z");
    statement
}

const PT: &str = "application/vnd.docket.statement.v1+json";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_writes_are_refused_with_their_code_and_change_nothing() {
    let log = start().await;
    let cast = cast(&log).await;
    let sub = log.log(submission("acme", "base"), &cast.developer).await;
    let sub_index = sub["index"].as_u64().unwrap();
    log.log(decision("nsa", sub_index), &cast.reviewer).await;
    let revoked = key(40);
    log.register("acme", "developer", &revoked).await;
    log.log(
        participant("revoke", "acme", "developer", &revoked),
        &log.operator,
    )
    .await;
    let participant_index = sub_index - 1; // the last registration before the submission

    let good = Envelope::sign_payload(
        serde_json::to_vec(&submission("acme", "never")).unwrap(),
        &cast.developer,
    );
    let good_payload = BASE64.encode(&good.payload);
    let keyid = cast.developer.public_key().keyid().to_hex();
    let good_sig = BASE64.encode(good.signatures[0].sig);
    let mut flipped = good.clone();
    flipped.signatures[0].sig[0] ^= 1;
    let mut altered = good.clone();
    altered.payload = serde_json::to_vec(&submission("acme", "altered")).unwrap();
    let stranger = key(99);
    let raw = |payload: &[u8], key: &docket_core::dsse::SigningKey| {
        Envelope::sign_payload(payload.to_vec(), key).to_json()
    };

    let cases = vec![
        WriteCase { name: "not json", body: b"{".to_vec(), status: 400, code: "malformed_envelope" },
        WriteCase { name: "empty body", body: Vec::new(), status: 400, code: "malformed_envelope" },
        WriteCase { name: "json array", body: b"[]".to_vec(), status: 400, code: "malformed_envelope" },
        WriteCase {
            name: "payload is a number",
            body: serde_json::to_vec(&json!({"payloadType": PT, "payload": 5, "signatures": []})).unwrap(),
            status: 400,
            code: "malformed_envelope",
        },
        WriteCase {
            name: "unknown envelope field",
            body: serde_json::to_vec(&json!({"payloadType": PT, "payload": good_payload, "signatures": [{"keyid": keyid, "sig": good_sig}], "extra": 1})).unwrap(),
            status: 400,
            code: "malformed_envelope",
        },
        WriteCase {
            name: "missing signatures",
            body: serde_json::to_vec(&json!({"payloadType": PT, "payload": good_payload})).unwrap(),
            status: 400,
            code: "malformed_envelope",
        },
        WriteCase {
            name: "wrong payload type",
            body: envelope_json("application/json", &good_payload, json!([{"keyid": keyid, "sig": good_sig}])),
            status: 400,
            code: "wrong_payload_type",
        },
        WriteCase {
            name: "bad base64 payload",
            body: envelope_json(PT, "not base64!", json!([{"keyid": keyid, "sig": good_sig}])),
            status: 400,
            code: "bad_base64",
        },
        WriteCase {
            name: "bad base64 signature",
            body: envelope_json(PT, &good_payload, json!([{"keyid": keyid, "sig": "@@@@"}])),
            status: 400,
            code: "bad_base64",
        },
        WriteCase {
            name: "two signatures",
            body: envelope_json(PT, &good_payload, json!([{"keyid": keyid, "sig": good_sig}, {"keyid": keyid, "sig": good_sig}])),
            status: 400,
            code: "signature_count",
        },
        WriteCase {
            name: "no signature",
            body: envelope_json(PT, &good_payload, json!([])),
            status: 400,
            code: "signature_count",
        },
        WriteCase {
            name: "keyid not hex",
            body: envelope_json(PT, &good_payload, json!([{"keyid": "zz", "sig": good_sig}])),
            status: 400,
            code: "bad_keyid",
        },
        WriteCase {
            name: "short signature",
            body: envelope_json(PT, &good_payload, json!([{"keyid": keyid, "sig": BASE64.encode([1u8; 63])}])),
            status: 400,
            code: "wrong_signature_length",
        },
        WriteCase {
            name: "oversize body",
            body: vec![b' '; 70 * 1024],
            status: 413,
            code: "too_large",
        },
        WriteCase { name: "flipped signature", body: flipped.to_json(), status: 403, code: "bad_signature" },
        WriteCase { name: "payload altered after signing", body: altered.to_json(), status: 403, code: "bad_signature" },
        WriteCase {
            name: "unknown key",
            body: sign(&submission("acme", "stranger"), &stranger),
            status: 403,
            code: "signer_not_registered",
        },
        WriteCase {
            name: "revoked key",
            body: sign(&submission("acme", "revoked"), &revoked),
            status: 403,
            code: "signer_revoked",
        },
        WriteCase {
            name: "developer signs a decision",
            body: sign(&decision("acme", sub_index), &cast.developer),
            status: 403,
            code: "role_not_allowed",
        },
        WriteCase {
            name: "reviewer signs a submission",
            body: sign(&submission("nsa", "x"), &cast.reviewer),
            status: 403,
            code: "role_not_allowed",
        },
        WriteCase {
            name: "developer registers a participant",
            body: sign(&participant("register", "acme", "developer", &key(41)), &cast.developer),
            status: 403,
            code: "role_not_allowed",
        },
        WriteCase {
            name: "org is not the signer's",
            body: sign(&submission("globex", "y"), &cast.developer),
            status: 403,
            code: "org_mismatch",
        },
        WriteCase {
            name: "withdraw another organisation's submission",
            body: sign(&json!({"type": "withdrawal", "org": "globex", "submission": sub_index}), &cast.other_developer),
            status: 403,
            code: "not_submitter",
        },
        WriteCase {
            name: "decision for a missing entry",
            body: sign(&decision("nsa", 99_999), &cast.reviewer),
            status: 422,
            code: "missing_reference",
        },
        WriteCase {
            name: "determination of a participant entry",
            body: sign(&determination("nsa", participant_index), &cast.reviewer),
            status: 422,
            code: "wrong_reference_type",
        },
        WriteCase {
            name: "remediation of a submission",
            body: sign(&json!({"type": "remediation", "org": "treasury", "disclosure": sub_index, "status": "available"}), &cast.clearinghouse),
            status: 422,
            code: "wrong_reference_type",
        },
        WriteCase {
            name: "second decision",
            body: sign(&json!({"type": "decision", "org": "nsa", "submission": sub_index, "outcome": "declined", "findings": {"critical": 0, "high": 0, "medium": 0, "low": 0}}), &cast.reviewer),
            status: 409,
            code: "decision_exists",
        },
        WriteCase {
            name: "register a registered key",
            body: sign(&reissued(participant("register", "acme", "developer", &cast.developer)), &log.operator),
            status: 409,
            code: "key_already_registered",
        },
        WriteCase {
            name: "second genesis",
            body: sign(&json!({"type": "genesis", "org": "operator", "origin": ORIGIN, "review_window_secs": 10, "operator_key": key(42).public_key().to_hex()}), &key(42)),
            status: 409,
            code: "genesis_not_first",
        },
        WriteCase {
            name: "revoke an unknown key",
            body: sign(&participant("revoke", "acme", "developer", &key(43)), &log.operator),
            status: 422,
            code: "unknown_key",
        },
        WriteCase {
            name: "signed payload is not JSON",
            body: raw(b"not json", &cast.developer),
            status: 400,
            code: "malformed_statement",
        },
        WriteCase {
            name: "unknown statement type",
            body: raw(br#"{"type":"memo","org":"acme"}"#, &cast.developer),
            status: 400,
            code: "malformed_statement",
        },
        WriteCase {
            name: "statement missing a field",
            body: raw(br#"{"type":"submission","org":"acme"}"#, &cast.developer),
            status: 400,
            code: "malformed_statement",
        },
        WriteCase {
            name: "statement with a duplicate key",
            body: raw(br#"{"type":"withdrawal","org":"acme","org":"acme","submission":1}"#, &cast.developer),
            status: 400,
            code: "malformed_statement",
        },
        WriteCase {
            name: "statement with a wrong JSON type",
            body: raw(br#"{"type":"withdrawal","org":"acme","submission":"1"}"#, &cast.developer),
            status: 400,
            code: "malformed_statement",
        },
    ];
    assert!(cases.len() >= 30);
    let size = log.size();
    let rejected_before = log.server.metrics.rejected("bad_signature");
    for case in cases {
        let (status, body) = log.post(case.body).await;
        assert_eq!(status, case.status, "{}: {body}", case.name);
        assert_eq!(body["error"]["code"], case.code, "{}: {body}", case.name);
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{}",
            case.name
        );
        assert_eq!(log.size(), size, "{} changed the tree", case.name);
        assert_eq!(
            log.server.store.tree_state().unwrap().size,
            size,
            "{} wrote",
            case.name
        );
    }
    assert_eq!(
        log.server.metrics.rejected("bad_signature"),
        rejected_before + 2
    );
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_reads_are_refused_with_their_code() {
    let log = start().await;
    let size = log.size();
    let cases: &[(&str, u16, &str)] = &[
        ("/tile/0/abc", 400, "bad_request"),
        ("/tile/0/000.p/0", 400, "bad_request"),
        ("/tile/0/000.p/256", 400, "bad_request"),
        ("/tile/0/000.p/01", 400, "bad_request"),
        ("/tile/64/000", 400, "bad_request"),
        ("/tile/0/x000/001", 400, "bad_request"),
        ("/tile/0/1", 400, "bad_request"),
        ("/tile/entries/000.p/x", 400, "bad_request"),
        ("/tile/0/999", 404, "not_found"),
        ("/tile/0/000", 404, "not_found"),
        ("/tile/0/000.p/200", 404, "not_found"),
        ("/tile/1/000.p/1", 404, "not_found"),
        ("/tile/entries/001", 404, "not_found"),
        ("/v1/entries/99999", 404, "not_found"),
        ("/v1/entries/abc", 400, "bad_request"),
        ("/v1/proofs/inclusion?index=5&size=1", 400, "bad_request"),
        ("/v1/proofs/inclusion?index=0&size=999", 404, "not_found"),
        ("/v1/proofs/inclusion?size=1", 400, "bad_request"),
        ("/v1/proofs/consistency?old=0&new=1", 400, "bad_request"),
        ("/v1/proofs/consistency?old=2&new=1", 400, "bad_request"),
        ("/v1/submissions/0", 404, "not_found"),
        ("/nowhere", 404, "not_found"),
    ];
    for (path, status, code) in cases {
        let (got, body) = log.get_json(path).await;
        assert_eq!(got, *status, "{path}: {body}");
        assert_eq!(body["error"]["code"], *code, "{path}: {body}");
    }
    assert_eq!(log.size(), size);
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.queue_capacity = 2;
    config.batch_max_entries = 1;
    config.witness_timeout = std::time::Duration::from_secs(5);
    let log = start_with(dir, config).await;
    let cast = cast(&log).await;
    log.witnesses[0]
        .delay_ms
        .store(400, std::sync::atomic::Ordering::Relaxed);
    let size = log.size();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let http = log.http.clone();
        let url = format!("{}/v1/statements", log.url());
        let body = sign(&submission("acme", &format!("q{i}")), &cast.developer);
        tasks.push(tokio::spawn(async move {
            let r = http.post(url).body(body).send().await.unwrap();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), retry, r.json::<Value>().await.unwrap())
        }));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let mut overloaded = 0;
    let mut created = 0;
    for task in tasks {
        let (status, retry, body) = task.await.unwrap();
        match status {
            201 => created += 1,
            503 => {
                overloaded += 1;
                assert_eq!(body["error"]["code"], "overloaded");
                assert_eq!(retry.as_deref(), Some("1"));
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(overloaded >= 1, "no 503");
    assert_eq!(log.size(), size + created);
    log.server.shutdown().await;
}
