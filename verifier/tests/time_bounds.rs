//! Time bounds against a lying witness (docs/threat-model.md, "Time bounds"): a
//! cosignature dated after a deadline, in the future, or before the previous checkpoint's
//! moves no bound when fewer than k of the quorum lie; a policy without witnesses is
//! never called witnessed and an offline bundle says nothing about the time after its
//! checkpoints; and the log's bracket hints cannot choose which checkpoints bound a time.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
mod scenario;

use common::*;
use docket_core::time::UnixMillis;
use serde_json::{Value, json};

const HOUR: u64 = 3_600_000;

fn utc(millis: u64) -> String {
    UnixMillis(millis).to_rfc3339().unwrap()
}

/// A submission at T0 + 1 h (deadline T0 + 1 h + 1 day), witnessed at T0 + 2 h.
fn one_submission() -> (TestLog, u64) {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let s = log.append(submission("alpha"), &k.developer, T0 + HOUR);
    log.publish((T0 + 2 * HOUR) / 1000);
    (log, s)
}

/// One witness of two dates its cosignature of the latest checkpoint five days on, after
/// the deadline; the honest one cosigned at T0 + 3 h. Using the liar's time (the k-th
/// earliest of a 2-of-2 quorum) made `review` say OVERDUE on a witnessed basis and
/// `deadline` prove a missed deadline that had not passed.
#[test]
fn a_witness_dating_after_the_deadline_cannot_make_a_review_overdue() {
    let (mut log, s) = one_submission();
    log.publish_with(&[(T0 + 3 * HOUR) / 1000, (T0 + 5 * DAY) / 1000]);
    log.now = T0 + 10 * DAY;
    let (code, json) = log.json(&["review", &s.to_string()]);
    assert_eq!(code, 0, "{json}");
    let record = &json["report"]["record"];
    assert_eq!(record["status"], "pending", "{json}");
    assert_eq!(record["as_of"], utc(T0 + 3 * HOUR), "{json}");
    assert_eq!(record["as_of_source"], "witnessed", "{json}");
    let out = log.run(&["deadline", &s.to_string()]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("has not passed"), "{}", out.stderr);
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["report"]["submissions"]["pending"], 1, "{json}");
    assert!(json["report"]["overdue"].as_array().unwrap().is_empty());
}

/// A cosignature dated in the future (beyond the verifier's clock and its five-minute
/// allowance) counts for no time at all: the quorum's times are not met, and "as of" is
/// never later than the verifier's clock.
#[test]
fn a_cosignature_in_the_future_is_ignored() {
    let (mut log, s) = one_submission();
    log.publish_with(&[(T0 + 3 * HOUR) / 1000, (T0 + 30 * DAY) / 1000]);
    log.now = T0 + 3 * HOUR + 60_000;
    let (code, json) = log.json(&["review", &s.to_string()]);
    assert_eq!(code, 0, "{json}");
    let record = &json["report"]["record"];
    assert_eq!(record["status"], "pending", "{json}");
    assert_ne!(record["as_of_source"], "witnessed", "{json}");
    let out = log.run(&["deadline", &s.to_string()]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("dated in the future"), "{}", out.stderr);
    // Within the allowance it counts, but "as of" never passes the verifier's clock.
    log.publish_with(&[(T0 + 4 * HOUR + 120_000) / 1000; 2]);
    log.now = T0 + 4 * HOUR;
    let (_, json) = log.json(&["review", &s.to_string()]);
    let record = &json["report"]["record"];
    assert_eq!(record["as_of"], utc(T0 + 4 * HOUR), "{json}");
    assert_eq!(record["as_of_source"], "now", "{json}");
    let bounds = &record["submission_bounds"];
    assert_eq!(bounds["first_with"][1], utc(T0 + 2 * HOUR), "{json}");
}

/// Three witnesses, 2 of 3 (a majority). The liar dates its cosignature of the
/// checkpoint holding a late decision before the previous checkpoint's, to make the
/// decision look witnessed on time: the upper bound is the 2nd earliest time, an honest
/// one, so the decision stays late and its first witnessed time is the honest witness's.
#[test]
fn a_cosignature_before_the_previous_one_moves_no_bound() {
    let mut log = TestLog::empty();
    log.add_witness();
    let operator = log.keys.operator.clone();
    log.append(
        json!({"type":"genesis","org":"operator","origin":ORIGIN,"review_window_secs":WINDOW_SECS,
               "operator_key":operator.public_key().to_hex()}),
        &operator,
        T0,
    );
    let k = Keys::new();
    for (org, role, key) in [
        ("acme", "developer", &k.developer),
        ("nsa", "reviewer", &k.reviewer),
    ] {
        log.append(participant(org, role, key), &operator, T0 + 1);
    }
    let s = log.append(submission("alpha"), &k.developer, T0 + HOUR);
    let t = |millis: u64| millis / 1000;
    log.publish_with(&[t(T0 + 2 * HOUR); 3]);
    let d = log.append(decision(s), &k.reviewer, T0 + 2 * DAY);
    let honest = T0 + 2 * DAY + HOUR;
    log.publish_with(&[t(honest), t(honest + 60_000), t(T0)]);
    let out = log.run_args(log.args(&["review", &s.to_string(), "--json", "--quorum", "2"]));
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(out.code, 0, "{json}");
    let record = &json["report"]["record"];
    assert_eq!(record["status"], "decided_late", "{json}");
    assert_eq!(record["decision"]["entry"]["index"], d);
    assert_eq!(
        record["decision"]["bounds"]["first_with"][1],
        utc(honest),
        "{json}"
    );
    assert_eq!(record["quorum"], "majority");
}

/// A witnessed missed-deadline claim needs a majority quorum: with 1 of 2, a log can show
/// one witness a stale tree long after the other saw the decision, so the same record
/// rests only on `logged_at`, and says why.
#[test]
fn a_quorum_that_is_not_a_majority_witnesses_no_missed_deadline() {
    let (log, ix) = scenario::build();
    let mut args = log.args(&["review", &ix.overdue.to_string(), "--quorum", "1"]);
    let out = log.run_args(args.clone());
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("OVERDUE"), "{}", out.stdout);
    assert!(out.stdout.contains("not a majority"), "{}", out.stdout);
    args.push("--json".into());
    let json: Value = serde_json::from_str(&log.run_args(args).stdout).unwrap();
    assert_eq!(json["report"]["record"]["basis"], "logged_at", "{json}");
    let (_, json) = log.json(&["review", &ix.overdue.to_string()]);
    assert_eq!(json["report"]["record"]["basis"], "witnessed", "{json}");
}

/// Trust flags with the log key only: a policy that needs no cosignature.
fn unwitnessed_args(log: &TestLog, verb: &[&str]) -> Vec<String> {
    let mut args = vec!["verifier".to_string()];
    args.extend(verb.iter().map(|s| s.to_string()));
    args.extend([
        "--log-key".to_string(),
        log.log_vkey(),
        "--state".to_string(),
        log.path("unwitnessed-state.json"),
    ]);
    args
}

/// Issue 10: with no witness key the verifier required no cosignature and still printed
/// "cosigned by a quorum". It must say plainly that nothing is witnessed.
#[test]
fn no_witness_keys_is_never_called_witnessed() {
    let (log, ix) = scenario::build();
    for verb in [
        vec!["checkpoint"],
        vec!["inclusion", "--index", "2"],
        vec!["review", "5"],
    ] {
        let out = log.run_args(unwitnessed_args(&log, &verb));
        assert_eq!(out.code, 0, "{verb:?}: {out:?}");
        assert!(
            out.stdout.contains("NOT WITNESSED"),
            "{verb:?}: {}",
            out.stdout
        );
        assert!(
            !out.stdout.contains("cosigned by a quorum"),
            "{verb:?}: {}",
            out.stdout
        );
    }
    let mut args = unwitnessed_args(&log, &["checkpoint", "--json"]);
    let json: Value = serde_json::from_str(&log.run_args(args.clone()).stdout).unwrap();
    assert_eq!(json["report"]["witnessed"], false, "{json}");
    args = unwitnessed_args(&log, &["review", &ix.on_time.to_string(), "--json"]);
    let json: Value = serde_json::from_str(&log.run_args(args).stdout).unwrap();
    assert_eq!(json["report"]["record"]["basis"], "logged_at", "{json}");
    assert_eq!(json["report"]["record"]["quorum"], "none", "{json}");
    let out = log.run_args(unwitnessed_args(
        &log,
        &["deadline", &ix.overdue.to_string()],
    ));
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("NOT WITNESSED"), "{}", out.stderr);
}

/// Issue 10: an offline bundle checked much later reported `overdue` for time its
/// checkpoints do not cover (without witnesses, "as of" fell back to the verifier's
/// clock). It is now as of the log's last `logged_at` in the bundle's tree.
#[test]
fn an_offline_bundle_checked_later_is_not_overdue_for_time_it_does_not_cover() {
    let (log, ix) = scenario::build();
    let bundle = log.path("pending.json");
    let out = log.run_args(unwitnessed_args(
        &log,
        &["review", &ix.pending.to_string(), "--out", &bundle],
    ));
    assert_eq!(out.code, 0, "{out:?}");
    for (witnessed, args) in [
        (
            false,
            unwitnessed_args(&log, &["review", "--bundle", &bundle, "--json"]),
        ),
        (true, log.args(&["review", "--bundle", &bundle, "--json"])),
    ] {
        let out = docket_verifier::run_args(
            args,
            &docket_verifier::Env {
                fetcher: None,
                now: UnixMillis(T0 + 365 * DAY),
                progress: false,
            },
        );
        assert_eq!(out.code, 0, "{out:?}");
        let json: Value = serde_json::from_str(&out.stdout).unwrap();
        let record = &json["report"]["record"];
        assert_eq!(record["status"], "pending", "witnessed {witnessed}: {json}");
        let source = if witnessed {
            "witnessed"
        } else {
            "last_logged_at"
        };
        assert_eq!(record["as_of_source"], source, "{json}");
    }
}

/// Issue 10: the log's `/v1/checkpoints/brackets` answer chose the checkpoints `review`
/// used, so an operator could leave out the tightest one. A log that serves hints
/// naming looser checkpoints changes nothing: the verifier reads the history itself.
#[test]
fn bracket_hints_that_omit_the_tightest_checkpoint_change_nothing() {
    let (log, ix) = scenario::build();
    let (_, honest) = log.json(&["review", &ix.late.to_string()]);
    let record = &honest["report"]["record"];
    assert_eq!(record["submission_bounds"]["last_without"][0], 4);
    assert_eq!(record["submission_bounds"]["first_with"][0], 8);
    // Hints naming the genesis-era and the final checkpoints, skipping the tight ones.
    let loose = |index: u64| {
        json!({"index": index,
               "last_without": {"seq": 0, "size": 4, "published_at": 0, "cosignatures": 2,
                                "note": log.history[0]},
               "first_with": {"seq": 3, "size": 14, "published_at": 0, "cosignatures": 2,
                              "note": log.history[3]}})
    };
    for index in 0..=14 {
        log.fetcher.insert(
            format!("v1/checkpoints/brackets/{index}"),
            serde_json::to_vec(&loose(index)).unwrap(),
        );
    }
    let (code, lied) = log.json(&["review", &ix.late.to_string()]);
    assert_eq!(code, 0, "{lied}");
    assert_eq!(
        lied["report"]["record"]["submission_bounds"], record["submission_bounds"],
        "{lied}"
    );
    assert_eq!(
        lied["report"]["record"]["decision"]["bounds"], record["decision"]["bounds"],
        "{lied}"
    );
    assert_eq!(lied["report"]["record"]["basis"], record["basis"]);
}
