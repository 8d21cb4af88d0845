//! One witness must not strip the others' cosignatures (docs/threat-model.md, "Write
//! path"): a witness that answers with 100 valid cosignature lines (the same checkpoint
//! at 100 timestamps: together with the log's and the other witness's lines, more than
//! a note may hold) gets one line in the note, the other witness's line stays, and the
//! count comes from the merged note. A witness answering 1,000 lines (more than a
//! response may hold) or more than the size cap is a failed witness, not a reason to
//! drop the others.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::merkle;
use docket_core::note::{Note, VerifierKey};
use docket_core::policy::Policy;
use docket_core::proof::TlogProof;
use docket_log_server::config::WitnessSetting;
use docket_log_server::server::{Server, StartOptions};
use docket_log_server::testkit::spawn_http_witness;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_witness_cannot_strip_the_other_cosignatures() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.heartbeat = Duration::from_secs(3600);
    let log_vkey = prepare_keys(&config);
    let flooder = spawn_http_witness("flooding-witness.test", 31, &log_vkey)
        .await
        .unwrap();
    let honest = spawn_http_witness("honest-witness.test", 32, &log_vkey)
        .await
        .unwrap();
    config.witnesses = [&flooder, &honest]
        .iter()
        .map(|w| WitnessSetting {
            url: w.url.clone(),
            vkey: w.vkey.clone(),
        })
        .collect();
    let server = Server::start(config.clone(), StartOptions::default())
        .await
        .unwrap();
    let policy = Policy::new(
        VerifierKey::parse(&server.vkey).unwrap(),
        vec![
            VerifierKey::parse(&flooder.vkey).unwrap(),
            VerifierKey::parse(&honest.vkey).unwrap(),
        ],
        2,
    )
    .unwrap();
    let http = docket_common::https::plain_client();
    let post = |body: Vec<u8>| {
        let http = http.clone();
        let url = format!("{}/v1/statements", server.url());
        async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let operator = operator_key(&config);
    let developer = key(1);

    // 100 valid lines in one answer: all kept, they would push the note past 100 lines
    // and the merge would drop every cosignature.
    flooder.set_extra_lines(99);
    let (status, receipt) = post(sign(
        &participant("register", "acme", "developer", &developer),
        &operator,
    ))
    .await;
    assert_eq!(status, 201, "{receipt}");
    let note = Note::parse(receipt["checkpoint"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(note.signatures().len(), 3, "log + one line per witness");
    for name in ["flooding-witness.test", "honest-witness.test"] {
        assert_eq!(
            note.signatures()
                .iter()
                .filter(|s| s.name().as_str() == name)
                .count(),
            1,
            "{name}"
        );
    }
    let proof = TlogProof::parse(receipt["proof"].as_str().unwrap().as_bytes()).unwrap();
    let entry = BASE64.decode(receipt["entry"].as_str().unwrap()).unwrap();
    proof.verify(&policy, &merkle::leaf_hash(&entry)).unwrap();
    assert_eq!(server.published.latest().cosignatures, 2);

    // 1,000 lines (~130 kB, under the cap but over the line limit of a response) and
    // 5,000 lines (~650 kB, over the cap): that witness failed; the honest witness's
    // cosignature is still there and counted.
    for (extra, model) in [(999, "m1"), (4999, "m2")] {
        flooder.set_extra_lines(extra);
        let failures = server.metrics.witness_failures("flooding-witness.test");
        let (status, answer) = post(sign(&submission("acme", model), &developer)).await;
        assert_eq!(status, 202, "not final without the flooder: {answer}");
        assert!(server.metrics.witness_failures("flooding-witness.test") > failures);
        let latest = server.published.latest();
        assert_eq!(latest.cosignatures, 1);
        let note = Note::parse(latest.note.as_bytes()).unwrap();
        assert!(
            note.signatures()
                .iter()
                .any(|s| s.name().as_str() == "honest-witness.test")
        );
    }
    server.shutdown().await;
}
