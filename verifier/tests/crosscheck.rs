//! `verifier checkpoint` asks each witness with a URL in the policy for its own latest
//! checkpoint (`GET <url>/<hex sha256(origin)>/checkpoint`) and proves it consistent with
//! the log's: a consistent view passes and is reported, a witness that has nothing or
//! cannot be reached proves nothing and does not fail, a note the witness did not sign
//! fails, and a witness that cosigned a different history (a split view) is a fork.
//!
//! The log is the hand-built one served from memory; the witness's monitoring endpoint is
//! a tiny HTTP server on loopback that serves whatever note the test sets.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use common::*;
use docket_verifier::crosscheck::monitoring_path;
use serde_json::Value;

type Served = Arc<Mutex<Option<String>>>;

/// A monitoring endpoint serving `served` for the test origin's hash only.
struct MonitoringServer {
    rt: tokio::runtime::Runtime,
    url: String,
    served: Served,
}

impl MonitoringServer {
    fn start() -> MonitoringServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let served: Served = Arc::default();
        let expected = monitoring_path(ORIGIN);
        let app = axum::Router::new()
            .route(
                "/{hash}/checkpoint",
                axum::routing::get(
                    move |State(served): State<Served>, Path(hash): Path<String>| {
                        let expected = expected.clone();
                        async move {
                            let note = served.lock().unwrap().clone();
                            match note {
                                Some(note) if expected == format!("{hash}/checkpoint") => {
                                    (StatusCode::OK, note)
                                }
                                _ => (StatusCode::NOT_FOUND, "no checkpoint\n".to_string()),
                            }
                        }
                    },
                ),
            )
            .with_state(served.clone());
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        MonitoringServer { rt, url, served }
    }

    fn serve(&self, note: Option<String>) {
        *self.served.lock().unwrap() = note;
    }
}

/// A policy: the log, witness-a at `url_a` (if any), witness-b without a URL, both needed.
fn policy(log: &TestLog, url_a: Option<&str>) -> String {
    let [a, b] = [&log.witnesses[0], &log.witnesses[1]].map(|w| w.verifier().to_vkey());
    let path = log.path("policy");
    std::fs::write(
        &path,
        format!(
            "log {}\nwitness witness-a.test {a} {}\nwitness witness-b.test {b}\ngroup both all witness-a.test witness-b.test\nquorum both\n",
            log.log_vkey(),
            url_a.unwrap_or(""),
        ),
    )
    .unwrap();
    path
}

fn checkpoint(log: &TestLog, policy: &str) -> (u8, Value) {
    let out = log.run_args(
        [
            "verifier",
            "checkpoint",
            "--json",
            "--policy",
            policy,
            "--state",
            &log.path("state.json"),
        ]
        .map(String::from)
        .to_vec(),
    );
    let json =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"));
    (out.code, json)
}

#[test]
fn consistent_missing_and_unreachable_witness_views() {
    let mut log = TestLog::with_cast();
    let first = log.history[0].clone();
    let k = Keys::new();
    log.append(submission("alpha"), &k.developer, T0 + 100);
    log.publish(T0 / 1000 + 200);
    let witness = MonitoringServer::start();
    let policy_file = policy(&log, Some(&witness.url));

    // The witness last cosigned the older checkpoint: consistent, and its size shown.
    witness.serve(Some(first));
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 0, "{json}");
    let views = json["report"]["witnesses"].as_array().unwrap();
    assert_eq!(views.len(), 1, "only witness-a has a URL: {json}");
    assert_eq!(views[0]["witness"], "witness-a.test");
    assert_eq!(views[0]["outcome"], "consistent");
    assert_eq!(views[0]["size"], 4);
    assert!(
        views[0]["url"]
            .as_str()
            .unwrap()
            .ends_with(&monitoring_path(ORIGIN))
    );

    // The same checkpoint the log serves: consistent too.
    witness.serve(log.history.last().cloned());
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["witnesses"][0]["size"], 5);

    // Nothing cosigned yet: reported, not failed.
    witness.serve(None);
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["witnesses"][0]["outcome"], "no_checkpoint");

    // Unreachable (nothing listens on the discard port): reported, not failed.
    let policy_file = policy(&log, Some("http://127.0.0.1:9"));
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["witnesses"][0]["outcome"], "unreachable");
    let text = log
        .run_args(
            [
                "verifier",
                "checkpoint",
                "--policy",
                &policy_file,
                "--state",
                &log.path("state.json"),
            ]
            .map(String::from)
            .to_vec(),
        )
        .stdout;
    assert!(text.contains("Witness witness-a.test ("), "{text}");
    assert!(text.contains("not checked"), "{text}");
    drop(witness.rt);
}

#[test]
fn split_view_is_a_fork_and_a_forged_view_fails() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    // The history the witnesses were shown: entry 4 is a different submission.
    let mut other = TestLog::with_cast();
    other.append(submission("shown-to-witnesses"), &k.developer, T0 + 50);
    let split = other.publish(T0 / 1000 + 60);
    log.append(submission("alpha"), &k.developer, T0 + 100);
    log.append(submission("beta"), &k.developer, T0 + 101);
    log.publish(T0 / 1000 + 200);
    let witness = MonitoringServer::start();
    let policy_file = policy(&log, Some(&witness.url));

    witness.serve(Some(split.clone()));
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 4, "a split view is a fork: {json}");
    let evidence = &json["error"]["fork"];
    let reason = evidence["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("split view: witness witness-a.test"),
        "{json}"
    );
    assert_eq!(evidence["second"], split.as_str(), "{json}");

    // A note without the witness's own cosignature is refused, not trusted.
    let unsigned: String = split
        .lines()
        .filter(|l| !l.starts_with("— witness-a.test "))
        .map(|l| format!("{l}\n"))
        .collect();
    witness.serve(Some(unsigned));
    let (code, json) = checkpoint(&log, &policy_file);
    assert_eq!(code, 1, "{json}");
    drop(witness.rt);
}
