//! `verifier audit`: a clean log passes, planted rule violations are each found with
//! their entry and rule (a late decision is reported as late, not as a violation), a
//! 600-entry log (two tile boundaries, a level-1 tile) is checked tile by tile and
//! resumes from its cursor, and a fork between two `checkpoint` calls is caught.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
mod scenario;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

fn violations(json: &Value) -> BTreeSet<(u64, String)> {
    json["report"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["index"].as_u64().unwrap(),
                v["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn clean_log_passes_with_review_summary() {
    let (log, ix) = scenario::build();
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 0, "{json}");
    let report = &json["report"];
    assert_eq!(report["entries"], 14);
    assert!(violations(&json).is_empty());
    assert_eq!(report["late"][0]["submission"], ix.late);
    assert_eq!(report["overdue"][0]["submission"], ix.overdue);
    assert_eq!(report["submissions"]["pending"], 1);
    assert_eq!(report["submissions"]["withdrawn"], 1);
    assert_eq!(report["submissions"]["decided_on_time"], 1);
    assert_eq!(report["by_type"]["submission"], 5);
    let text = log.run(&["audit", "--restart"]).stdout;
    assert!(text.starts_with("Audit passed"), "{text}");
    assert!(
        text.contains("LATE: submission #5 decided by #11 after 1 day 23 hours"),
        "{text}"
    );
}

#[test]
fn planted_violations_are_each_found() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let s = log.append(submission("alpha"), &k.developer, T0 + 10);
    // An unauthorised signer: a key nobody registered.
    let unauthorised = log.append(submission("rogue"), &k.stranger, T0 + 20);
    // A role that may not sign this type: a reviewer submitting.
    let wrong_role = log.append(
        serde_json::json!({"type":"submission","org":"nsa","model":{"name":"x","version":"1","sha256":hex::encode([1u8;32])}}),
        &k.reviewer,
        T0 + 25,
    );
    // A dangling reference.
    let dangling = log.append(decision(999), &k.reviewer, T0 + 30);
    let first = log.append(decision(s), &k.reviewer, T0 + 40);
    // A second decision for the same submission.
    let second = log.append(decision(s), &k.reviewer, T0 + 50);
    // logged_at going backwards: before the last accepted entry's (the rejected second
    // decision's T0 + 50 counts for nothing, so T0 + 45 would not be).
    let backwards = log.append(submission("beta"), &k.developer, T0 + 35);
    // A late decision: not a violation.
    let late_sub = log.append(submission("gamma"), &k.developer, T0 + 60);
    let late = log.append(decision(late_sub), &k.reviewer, T0 + 60 + 2 * DAY);
    log.publish((T0 + 3 * DAY) / 1000);
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 1, "{json}");
    let expected: BTreeSet<(u64, String)> = [
        (unauthorised, "signer_not_registered"),
        (wrong_role, "role_not_allowed"),
        (dangling, "missing_reference"),
        (second, "decision_exists"),
        (backwards, "logged_at_decreased"),
    ]
    .into_iter()
    .map(|(i, r)| (i, r.to_string()))
    .collect();
    assert_eq!(violations(&json), expected, "{json}");
    let report = &json["report"];
    assert_eq!(report["late"][0]["submission"], late_sub);
    assert_eq!(report["late"][0]["decision"], late);
    let _ = first;
    let text = log.run(&["audit", "--restart"]);
    assert_eq!(text.code, 1);
    assert!(
        text.stdout
            .contains(&format!("VIOLATION at entry {second} [decision_exists]")),
        "{}",
        text.stdout
    );
}

/// Genesis, a developer, then submissions up to `size` entries.
fn big_log(size: u64) -> TestLog {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    while (log.entries.len() as u64) < size {
        let n = log.entries.len() as u64;
        log.append(submission(&format!("model-{n}")), &k.developer, T0 + n);
    }
    log
}

#[test]
fn large_log_checks_every_tile_and_resumes() {
    let mut log = big_log(300);
    log.publish(T0 / 1000 + 1000);
    let cursor = log.path("cursor.json");
    let (code, json) = log.json(&["audit", "--cursor", &cursor]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["entries"], 300);
    let k = Keys::new();
    while log.entries.len() < 600 {
        let n = log.entries.len() as u64;
        log.append(submission(&format!("model-{n}")), &k.developer, T0 + n);
    }
    log.publish(T0 / 1000 + 2000);
    let before = log.fetcher.requests().len();
    let (code, json) = log.json(&["audit", "--cursor", &cursor]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["resumed_from"], 300);
    assert_eq!(json["report"]["entries"], 600);
    assert_eq!(json["report"]["by_type"]["submission"], 596);
    let requests = &log.fetcher.requests()[before..];
    assert!(
        !requests.iter().any(|p| p == "tile/entries/000"),
        "resumed audit re-read bundle 0: {requests:?}"
    );
    // Every tile of the 600-entry tree is compared: tamper each in turn.
    for (path, at) in [
        ("tile/0/001", 40),
        ("tile/0/002.p/88", 0),
        ("tile/1/000.p/2", 33),
    ] {
        let original = log.fetcher.get(path).unwrap();
        log.tamper(path, at);
        let out = log.run(&["audit", "--restart", "--cursor", &log.path("c2.json")]);
        assert_eq!(out.code, 1, "{path}: {out:?}");
        assert!(out.stderr.contains(path), "{path}: {}", out.stderr);
        log.fetcher.insert(path, original);
    }
    let original = log.fetcher.get("tile/entries/001").unwrap();
    log.tamper("tile/entries/001", 300);
    let out = log.run(&["audit", "--restart", "--cursor", &log.path("c3.json")]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("entry bundle tile/entries/001"),
        "{}",
        out.stderr
    );
    log.fetcher.insert("tile/entries/001", original);
    assert_eq!(
        log.run(&["audit", "--restart", "--cursor", &log.path("c4.json")])
            .code,
        0
    );
}

#[test]
fn fork_between_two_checkpoint_calls_is_caught() {
    let (log, _) = scenario::build();
    assert_eq!(log.run(&["checkpoint"]).code, 0);
    // Another history: the same first eight entries, then different ones, larger.
    let mut other = TestLog::with_cast();
    for bytes in &log.entries[4..8] {
        other.append_bytes(bytes.clone());
    }
    let k = Keys::new();
    for n in 0..8 {
        other.append(submission(&format!("fork-{n}")), &k.developer, T0 + DAY + n);
    }
    other.publish((T0 + 4 * DAY) / 1000);
    let args = log.args(&["checkpoint", "--json"]);
    let out = docket_verifier::run_args(
        args,
        &docket_verifier::Env {
            fetcher: Some(other.fetcher.clone()),
            now: docket_core::time::UnixMillis(T0 + 5 * DAY),
            progress: false,
        },
    );
    assert_eq!(out.code, 4, "{out:?}");
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let fork = &json["error"]["fork"];
    assert_eq!(fork["first"], log.history.last().unwrap().as_str());
    assert_eq!(fork["second"], other.history.last().unwrap().as_str());
    // Same size, different root: also a fork.
    let mut same = TestLog::with_cast();
    for bytes in &log.entries[4..13] {
        same.append_bytes(bytes.clone());
    }
    same.append(submission("other"), &k.developer, T0 + 3 * DAY);
    same.publish((T0 + 3 * DAY) / 1000 + 7);
    let out = docket_verifier::run_args(
        log.args(&["inclusion", "--index", "2"]),
        &docket_verifier::Env {
            fetcher: Some(same.fetcher.clone()),
            now: docket_core::time::UnixMillis(T0 + 5 * DAY),
            progress: false,
        },
    );
    assert_eq!(out.code, 4, "{out:?}");
    assert!(out.stderr.contains("FORK DETECTED"), "{}", out.stderr);
    assert!(out.stderr.contains("different roots"), "{}", out.stderr);
}
