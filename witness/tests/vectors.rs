//! The witness vectors of testdata/vectors/witness/ replayed over HTTP, every status
//! and body checked: in-process with a fixed clock (so each 200 body must equal the
//! vector's cosignature byte for byte) and against the real binary (real clock, so each
//! 200 line must verify under the witness key).
//!
//! Steps and statuses: see the vector files (`add-checkpoint-derived.json`: 200, 422,
//! 422, 200, 400, 409 "3\n", 200, 200, 422, 422, 403, 403, 403, 404, 200;
//! `add-checkpoint-litewitness.json`: 200, 403, 404, 422, 422, 200, 409 "3\n", 200,
//! 409 "5\n").

// Helpers below the tests unwrap too: in a test, a panic with its location is the report.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use docket_core::note::Note;
use serde_json::Value;

const FIXED_TIME: u64 = 1_700_000_000;

fn steps(file: &Value) -> &Vec<Value> {
    file["steps"].as_array().unwrap()
}

/// Checks one step's reply. `exact`: the clock is fixed, so the 200 body must be the
/// vector's cosignature line.
fn check_step(step: &Value, reply: &Reply, witness: &docket_core::note::VerifierKey, exact: bool) {
    let n = &step["step"];
    let want = step["expect_status"].as_u64().unwrap() as u16;
    assert_eq!(
        reply.status, want,
        "step {n}: {} -> {reply:?}",
        step["desc"]
    );
    match want {
        200 => {
            assert_eq!(reply.content_type, "text/plain; charset=utf-8", "step {n}");
            let body = step["request_body"].as_str().unwrap();
            let note = &body[body.find("\n\n").unwrap() + 2..];
            let ts = check_cosignature(witness, note, &reply.body);
            if exact {
                assert_eq!(ts.0, FIXED_TIME);
                let line = step["expected_cosignature_if_timestamp_1700000000"]
                    .as_str()
                    .unwrap();
                assert_eq!(reply.body, format!("{line}\n"), "step {n}");
            }
        }
        409 => {
            assert_eq!(reply.content_type, "text/x.tlog.size", "step {n}");
            assert_eq!(
                reply.body,
                step["expect_body"].as_str().unwrap(),
                "step {n}"
            );
        }
        _ => {
            // A clear one-line message, never a cosignature.
            assert_eq!(reply.content_type, "text/plain; charset=utf-8", "step {n}");
            assert!(
                reply.body.ends_with('\n') && reply.body.len() > 1,
                "step {n}"
            );
            assert!(
                !reply.body.contains('\u{2014}'),
                "step {n}: {:?}",
                reply.body
            );
        }
    }
}

async fn replay_in_process(file: &str) -> (InProcess, Value) {
    let v = vector(file);
    let w = start_in_process(
        vec![LogSpec::push(v["log"]["vkey"].as_str().unwrap().to_owned())],
        Some(FIXED_TIME),
    )
    .await;
    assert_eq!(
        w.vkey.to_vkey(),
        v["witness"]["cosigner_vkey"].as_str().unwrap()
    );
    let client = docket_common::https::plain_client();
    for step in steps(&v) {
        let body = step["request_body"].as_str().unwrap();
        let reply = add_checkpoint(&client, &w.url, body).await;
        check_step(step, &reply, &w.vkey, true);
    }
    (w, v)
}

#[tokio::test]
async fn derived_scenario_in_process() {
    let (w, v) = replay_in_process("witness/add-checkpoint-derived.json").await;
    let client = docket_common::https::plain_client();
    // The monitoring path serves the last cosigned checkpoint (step 15, size 8) with
    // the log's signature and the witness's cosignature.
    let origin = v["log"]["origin"].as_str().unwrap();
    let hash = docket_core::witness::monitoring_origin_hash(origin);
    let reply = get(&client, &w.url, &format!("/{hash}/checkpoint")).await;
    assert_eq!(reply.status, 200);
    let note = Note::parse(reply.body.as_bytes()).unwrap();
    let log_key =
        docket_core::note::VerifierKey::parse(v["log"]["vkey"].as_str().unwrap()).unwrap();
    let verified = note.verify(&[log_key, w.vkey.clone()]).unwrap();
    assert_eq!(verified.verified().len(), 2);
    assert!(verified.unverified().is_empty());
    assert!(note.text().starts_with("localhost.localdev/sumdb\n8\n"));
    let last = steps(&v).last().unwrap();
    assert_eq!(
        note.signatures()[1].to_line().trim_end(),
        last["expected_cosignature_if_timestamp_1700000000"]
            .as_str()
            .unwrap()
    );
    // Step 9 (same size, other root) left evidence; step 10 (a bad proof 5 -> 8 for a
    // genuine checkpoint) is refused but proves nothing, so it is not recorded.
    let forks: Value = serde_json::from_str(&get(&client, &w.url, "/forks").await.body).unwrap();
    let forks = forks.as_array().unwrap();
    assert_eq!(forks.len(), 1, "{forks:?}");
    assert_eq!(forks[0]["kind"], "same_size_different_root");
    let metrics = get(&client, &w.url, "/metrics").await.body;
    assert!(metrics.contains("witness_forks_recorded 1\n"), "{metrics}");
    assert!(
        metrics.contains("witness_bad_consistency_proofs_total{channel=\"add_checkpoint\"} 1\n"),
        "{metrics}"
    );
    assert!(metrics.contains("witness_add_checkpoint_requests_total{status=\"200\"} 5\n"));
    assert!(metrics.contains("witness_add_checkpoint_requests_total{status=\"422\"} 4\n"));
    assert!(metrics.contains("witness_add_checkpoint_requests_total{status=\"403\"} 3\n"));
    assert!(metrics.contains(&format!(
        "witness_cosigned_tree_size{{origin=\"{origin}\"}} 8\n"
    )));
    w.server.shutdown().await;
}

#[tokio::test]
async fn litewitness_scenario_in_process() {
    let (w, v) = replay_in_process("witness/add-checkpoint-litewitness.json").await;
    let client = docket_common::https::plain_client();
    let origin = v["log"]["origin"].as_str().unwrap();
    let hash = docket_core::witness::monitoring_origin_hash(origin);
    let reply = get(&client, &w.url, &format!("/{hash}/checkpoint")).await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.starts_with(&format!("{origin}\n5\n")));
    w.server.shutdown().await;
}

#[tokio::test]
async fn derived_and_litewitness_against_the_binary() {
    for file in [
        "witness/add-checkpoint-derived.json",
        "witness/add-checkpoint-litewitness.json",
    ] {
        let v = vector(file);
        let dir = tempfile::tempdir().unwrap();
        let vkey = write_witness_key(dir.path(), VECTOR_WITNESS_NAME, VECTOR_WITNESS_SEED);
        let log = format!("--log={}", v["log"]["vkey"].as_str().unwrap());
        let binary = Binary::spawn(dir.path(), &[log]).await;
        let client = docket_common::https::plain_client();
        for step in steps(&v) {
            let body = step["request_body"].as_str().unwrap();
            let reply = add_checkpoint(&client, &binary.url, body).await;
            check_step(step, &reply, &vkey, false);
        }
    }
}

#[tokio::test]
async fn spec_examples() {
    let v = vector("witness/spec-examples.json");
    let examples = &v["spec_examples"];
    // The spec's request example names a log this witness does not know: 404.
    let log = TestLog::new("example.com/some-log", 7);
    let w = start_in_process(
        vec![
            LogSpec::push(log.vkey()),
            // Logs with the vectors' origins, to check their monitoring paths.
            LogSpec::push(TestLog::new("example.com/behind-the-sofa", 8).vkey()),
        ],
        None,
    )
    .await;
    let client = docket_common::https::plain_client();
    let request = examples["add_checkpoint_request_example"].as_str().unwrap();
    let reply = add_checkpoint(&client, &w.url, request).await;
    assert_eq!(
        reply.status, 403,
        "known origin, but only unknown keys signed: {reply:?}"
    );
    let w2 = start_in_process(vec![LogSpec::push(log.vkey())], None).await;
    assert_eq!(add_checkpoint(&client, &w2.url, request).await.status, 404);
    w2.server.shutdown().await;

    // The spec's response example shape: lines of `— <name> <104 base64 chars>`.
    let shape = |line: &str| {
        let rest = line.strip_prefix("\u{2014} ").unwrap();
        let (_, b64) = rest.split_once(' ').unwrap();
        b64.len() == 104 && b64.ends_with("==")
    };
    for line in examples["add_checkpoint_response_example"]
        .as_str()
        .unwrap()
        .lines()
    {
        assert!(shape(line), "{line}");
    }

    // sigsum's witness test sequence, statuses and bodies, with our own log.
    let mut log = log;
    log.append(5, "sigsum");
    for step in v["sigsum_witness_test"]["sequence"].as_array().unwrap() {
        let (old, new) = (step["old"].as_u64().unwrap(), step["new"].as_u64().unwrap());
        let reply = add_checkpoint(&client, &w.url, &log.body(old, new)).await;
        assert_eq!(
            reply.status as u64,
            step["status"].as_u64().unwrap(),
            "{step}"
        );
        if reply.status == 200 {
            assert!(shape(reply.body.trim_end()), "{:?}", reply.body);
            check_cosignature(&w.vkey, &log.checkpoint(new), &reply.body);
        } else {
            assert_eq!(reply.body, step["body"].as_str().unwrap());
            assert_eq!(reply.content_type, step["content_type"].as_str().unwrap());
        }
    }

    // Monitoring paths: hex SHA-256(origin); 404 until something is cosigned.
    for item in v["monitoring_origin_hash_DERIVED"]["vectors"]
        .as_array()
        .unwrap()
    {
        let origin = item["origin"].as_str().unwrap();
        assert_eq!(
            docket_core::witness::monitoring_origin_hash(origin),
            item["sha256_hex"].as_str().unwrap()
        );
        let path = item["monitoring_path_suffix"].as_str().unwrap();
        let reply = get(&client, &w.url, path).await;
        assert_eq!(
            reply.status, 404,
            "{origin}: never cosigned or not configured"
        );
    }
    let sofa = TestLog::new("example.com/behind-the-sofa", 8);
    assert_eq!(
        add_checkpoint(&client, &w.url, &sofa.body(0, 0))
            .await
            .status,
        200
    );
    let reply = get(
        &client,
        &w.url,
        "/5fd2dc0beb4ce54da5050cf6d5c75248b023abad441c3cecde3976fbe9da4fe4/checkpoint",
    )
    .await;
    assert_eq!(reply.status, 200);
    assert!(reply.body.starts_with("example.com/behind-the-sofa\n0\n"));
    // The formats log.ID is not a monitoring path.
    for item in v["do_not_confuse_log_ID"]["vectors"].as_array().unwrap() {
        let id = item["formats_log_ID"].as_str().unwrap();
        assert_eq!(
            get(&client, &w.url, &format!("/{id}/checkpoint"))
                .await
                .status,
            404
        );
    }
    w.server.shutdown().await;
}
