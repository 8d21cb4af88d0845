//! Every verb against a hand-built log: success paths, review statuses, deadline both
//! ways, the review bundle round trip, and exit codes for bad usage.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
mod scenario;

use common::*;

#[test]
fn checkpoint_verifies_remembers_and_checks_growth() {
    let (mut log, _) = scenario::build();
    let first = log.run(&["checkpoint"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first.stdout.contains("tree size:  14 entries"),
        "{}",
        first.stdout
    );
    assert!(first.stdout.contains("First checkpoint seen"));
    assert!(first.stdout.contains("witnessed:  by witness-a.test"));
    let k = Keys::new();
    log.append(submission("zeta"), &k.developer, T0 + 4 * DAY);
    log.publish((T0 + 4 * DAY) / 1000 + 5);
    let (code, json) = log.json(&["checkpoint"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["history"]["remembered_size"], 14);
    assert_eq!(json["report"]["checkpoint"]["size"], 15);
    let state = std::fs::read_to_string(log.path("state.json")).unwrap();
    assert!(state.contains("\"size\": 15"), "{state}");
}

#[test]
fn checkpoint_from_file_and_older_checkpoint_is_proven_not_remembered() {
    let (log, _) = scenario::build();
    assert_eq!(log.run(&["checkpoint"]).code, 0);
    let old = log.path("old.checkpoint");
    std::fs::write(&old, &log.history[1]).unwrap();
    let (code, json) = log.json(&["checkpoint", "--file", &old]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["checkpoint"]["size"], 8);
    assert_eq!(json["report"]["history"]["remembered_now"], false);
}

#[test]
fn inclusion_by_index_digest_and_entry_file() {
    let (log, ix) = scenario::build();
    let (code, json) = log.json(&["inclusion", "--index", &ix.decision_on_time.to_string()]);
    assert_eq!(code, 0, "{json}");
    let entry = &json["report"]["entry"];
    assert_eq!(entry["kind"], "decision");
    assert_eq!(entry["index"], ix.decision_on_time);
    let digest = entry["statement_digest"].as_str().unwrap().to_string();
    let (code, json) = log.json(&["inclusion", "--digest", &digest]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["entry"]["index"], ix.decision_on_time);
    let file = log.path("entry.bin");
    std::fs::write(&file, &log.entries[ix.disclosure as usize]).unwrap();
    let out = log.run(&["inclusion", "--entry", &file]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("oncd shared the findings of submission #4"),
        "{}",
        out.stdout
    );
    // An entry that is not in the log.
    let mut other = log.entries[ix.disclosure as usize].clone();
    let at = other.len() - 10;
    other[at] ^= 1;
    std::fs::write(&file, &other).unwrap();
    assert_ne!(
        log.run(&["inclusion", "--entry", &file]).code,
        0,
        "not in the log"
    );
    assert_eq!(log.run(&["inclusion", "--index", "99"]).code, 1);
}

#[test]
fn consistency_between_sizes_and_files() {
    let (log, _) = scenario::build();
    let (code, json) = log.json(&["consistency", "4", "11"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["old"]["size"], 4);
    assert_eq!(json["report"]["new"]["size"], 11);
    let file = log.path("cp8");
    std::fs::write(&file, &log.history[1]).unwrap();
    let out = log.run(&["consistency", &file]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("log of 8 entries is an exact prefix of the log of 14 entries")
    );
    assert_eq!(
        log.run(&["consistency", "5"]).code,
        1,
        "no checkpoint of size 5"
    );
}

#[test]
fn bundle_verifies_a_receipt_offline() {
    let (log, ix) = scenario::build();
    let receipt = log.path("receipt.json");
    std::fs::write(
        &receipt,
        serde_json::to_vec(&log.receipt(ix.decision_late)).unwrap(),
    )
    .unwrap();
    // No log URL and no fetcher: fully offline.
    let mut args = log.args(&["bundle", &receipt]);
    args.push("--json".into());
    let out = docket_verifier::run_args(args, &docket_verifier::Env::system());
    assert_eq!(out.code, 0, "{out:?}");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["report"]["entry"]["kind"], "decision");
    assert_eq!(
        json["report"]["checkpoint"]["cosignatures"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A bare tlog-proof with the entry beside it.
    let value = log.receipt(ix.reveal);
    let proof = log.path("entry.tlog-proof");
    std::fs::write(&proof, value["proof"].as_str().unwrap()).unwrap();
    let entry = log.path("entry.bin");
    std::fs::write(&entry, &log.entries[ix.reveal as usize]).unwrap();
    let out = log.run(&["bundle", &proof, "--entry", &entry]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("revealed the advisory of disclosure #10")
    );
    assert_eq!(
        log.run(&["bundle", &proof]).code,
        2,
        "a bare proof needs --entry"
    );
}

#[test]
fn review_reports_every_status() {
    let (log, ix) = scenario::build();
    for (submission, status) in [
        (ix.on_time, "decided_on_time"),
        (ix.late, "decided_late"),
        (ix.overdue, "overdue"),
        (ix.withdrawn, "withdrawn"),
        (ix.pending, "pending"),
    ] {
        let (code, json) = log.json(&["review", &submission.to_string()]);
        assert_eq!(code, 0, "{json}");
        assert_eq!(
            json["report"]["record"]["status"], status,
            "submission {submission}"
        );
    }
    let out = log.run(&["review", &ix.on_time.to_string()]);
    let text = &out.stdout;
    assert!(text.contains("DECIDED ON TIME"), "{text}");
    assert!(text.contains("took 4 hours — ON TIME"), "{text}");
    assert!(text.contains("made before the model's release") || text.contains("not released yet"));
    assert!(text.contains("opens the commitment"), "{text}");
    assert!(
        text.contains("witnesses: not yet in the log witnesses still saw at"),
        "{text}"
    );
    let out = log.run(&["review", &ix.late.to_string()]);
    assert!(
        out.stdout.contains("LATE (after the deadline)"),
        "{}",
        out.stdout
    );
    let (code, json) = log.json(&["review", &ix.on_time.to_string()]);
    assert_eq!(code, 0);
    let record = &json["report"]["record"];
    assert_eq!(record["submission_bounds"]["last_without"][0], 4);
    assert_eq!(record["submission_bounds"]["first_with"][0], 8);
    assert_eq!(record["basis"], "witnessed");
    assert_eq!(
        log.run(&["review", &ix.decision_on_time.to_string()]).code,
        1,
        "not a submission"
    );
}

#[test]
fn review_bundle_round_trip_offline() {
    let (log, ix) = scenario::build();
    let out_file = log.path("review.json");
    let (code, json) = log.json(&["review", &ix.overdue.to_string(), "--out", &out_file]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["bundle_written"], out_file.as_str());
    let mut args = log.args(&["bundle", &out_file, "--json"]);
    args.push("--log".into());
    args.push("http://127.0.0.1:9".into()); // never contacted
    let offline = docket_verifier::run_args(args, &docket_verifier::Env::system());
    assert_eq!(offline.code, 0, "{offline:?}");
    let offline: serde_json::Value = serde_json::from_str(&offline.stdout).unwrap();
    assert_eq!(offline["report"]["record"]["status"], "overdue");
    assert_eq!(offline["report"]["offline"], true);
    assert_eq!(
        offline["report"]["record"]["deadline"],
        json["report"]["record"]["deadline"]
    );
    let again = log.run(&["review", "--bundle", &out_file]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("OVERDUE"), "{}", again.stdout);
}

#[test]
fn deadline_both_ways() {
    let (log, ix) = scenario::build();
    let (code, json) = log.json(&["deadline", &ix.overdue.to_string()]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["decided_by_deadline"], false);
    assert_eq!(json["report"]["entries_read"], 14);
    assert_eq!(json["report"]["witnessed_basis"], true);
    let out = log.run(&["deadline", &ix.late.to_string()]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.starts_with("No decision by"), "{}", out.stdout);
    assert!(
        out.stdout.contains("A LATE decision was logged later: #11"),
        "{}",
        out.stdout
    );
    let (code, json) = log.json(&["deadline", &ix.on_time.to_string()]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["decided_by_deadline"], true);
    assert_eq!(json["report"]["decision"]["index"], ix.decision_on_time);
    // The pending submission's deadline has not passed by the latest witnessed time.
    let out = log.run(&["deadline", &ix.pending.to_string()]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("has not passed"), "{}", out.stderr);
}

#[test]
fn reveal_checks_the_advisory() {
    let (log, ix) = scenario::build();
    let advisory = log.path("advisory.txt");
    std::fs::write(&advisory, scenario::ADVISORY).unwrap();
    let out = log.run(&[
        "reveal",
        &ix.disclosure.to_string(),
        "--advisory",
        &advisory,
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("opens the commitment of disclosure #10")
    );
    std::fs::write(&advisory, b"a different advisory\n").unwrap();
    let out = log.run(&[
        "reveal",
        &ix.disclosure.to_string(),
        "--advisory",
        &advisory,
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("does NOT open the commitment"),
        "{}",
        out.stderr
    );
}

#[test]
fn usage_errors_exit_2() {
    let (log, _) = scenario::build();
    let out =
        docket_verifier::run_args(["verifier", "checkpoint"], &docket_verifier::Env::system());
    assert_eq!(out.code, 2, "no policy: {out:?}");
    assert_eq!(log.run(&["inclusion"]).code, 2);
    assert_eq!(log.run(&["no-such-verb"]).code, 2);
    let out = log.run(&["checkpoint", "--quorum", "3"]);
    assert_eq!(out.code, 2, "{out:?}");
    let mut args = log.args(&["checkpoint", "--json"]);
    args.extend(["--log".into(), "http://127.0.0.1:1".into()]);
    let out = docket_verifier::run_args(args, &docket_verifier::Env::system());
    assert_eq!(out.code, 3, "unreachable log: {out:?}");
    assert!(out.stdout.contains("\"kind\": \"fetch\""), "{}", out.stdout);
}

/// Issue 5: a decision logged at `S.520` in the tree of a checkpoint cosigned at whole
/// second `S` was ignored (the status was computed as of `S.000`), so `review` said
/// PENDING above "Decision #… ON TIME". Every entry in the anchor's tree must count.
#[test]
fn decision_in_the_cosignature_second_counts() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let second = T0 / 1000 + 3_600;
    let s = log.append(submission("alpha"), &k.developer, T0 + 60_000);
    log.publish(T0 / 1000 + 120);
    let d = log.append(decision(s), &k.reviewer, second * 1000 + 520);
    log.publish(second);
    let (code, json) = log.json(&["review", &s.to_string()]);
    assert_eq!(code, 0, "{json}");
    let record = &json["report"]["record"];
    assert_eq!(record["status"], "decided_on_time", "{json}");
    assert_eq!(record["decision"]["entry"]["index"], d);
    assert_eq!(record["as_of"], "2026-06-01T01:00:00.520Z", "{json}");
    let text = log.run(&["review", &s.to_string()]).stdout;
    assert!(
        text.contains("Status as of 2026-06-01T01:00:00.520Z (")
            && text.contains("): DECIDED ON TIME"),
        "{text}"
    );
    assert!(!text.contains("PENDING"), "{text}");
    // The offline re-check of the bundle and the audit summary agree.
    let out_file = log.path("review.json");
    assert_eq!(
        log.run(&["review", &s.to_string(), "--out", &out_file])
            .code,
        0
    );
    let again = log.run(&["review", "--bundle", &out_file]);
    assert!(again.stdout.contains("DECIDED ON TIME"), "{}", again.stdout);
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(
        json["report"]["submissions"]["decided_on_time"], 1,
        "{json}"
    );
    assert_eq!(json["report"]["as_of"], "2026-06-01T01:00:00.520Z");
}
