//! An entry that breaks a rule counts for nothing anywhere (docs/formats.md §5.2): not in
//! the audit's summary, not in `review`, not in `deadline`; every verb whose answer it
//! touches says so and exits 1; and replay goes on after it as if it were not there.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use common::*;
use serde_json::Value;

const HOUR: u64 = 3_600_000;

fn rules(json: &Value, key: &str) -> Vec<(u64, String)> {
    json["report"][key]
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

/// Issue 10, item 11, as reported: `logged_at` goes backwards at a decision, so the
/// decision claims a time inside the window although the log had already passed the
/// deadline. `audit` reported `logged_at_decreased` but summarised the review as decided
/// on time; `deadline` said it WAS decided by its deadline. The decision counts for
/// nothing: the review is overdue, and each verb names the violation and exits 1.
#[test]
fn a_backdated_decision_is_not_decided_on_time() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let s = log.append(submission("alpha"), &k.developer, T0 + HOUR);
    log.publish((T0 + 2 * HOUR) / 1000);
    log.append(submission("beta"), &k.developer, T0 + 3 * DAY);
    let backdated = log.append(decision(s), &k.reviewer, T0 + 5 * HOUR);
    log.publish((T0 + 3 * DAY + HOUR) / 1000);

    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        rules(&json, "violations"),
        [(backdated, "logged_at_decreased".to_string())]
    );
    let report = &json["report"];
    assert!(report["submissions"]["decided_on_time"].is_null(), "{json}");
    assert_eq!(report["submissions"]["overdue"], 1, "{json}");
    assert_eq!(report["overdue"][0]["submission"], s);
    assert_eq!(report["by_type"]["rejected"], 1);
    assert!(report["by_type"]["decision"].is_null(), "{json}");

    let out = log.run(&["review", &s.to_string()]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!out.stdout.contains("DECIDED ON TIME"), "{}", out.stdout);
    assert!(out.stdout.contains("OVERDUE"), "{}", out.stdout);
    assert!(out.stdout.starts_with("RULE VIOLATIONS"), "{}", out.stdout);
    assert!(
        out.stdout.contains(&format!(
            "RULE VIOLATION at entry {backdated} [logged_at_decreased]"
        )),
        "{}",
        out.stdout
    );
    let (code, json) = log.json(&["review", &s.to_string()]);
    assert_eq!(code, 1);
    assert!(json["report"]["record"]["decision"].is_null(), "{json}");
    assert_eq!(
        rules(&json, "violations_in_record"),
        [(backdated, "logged_at_decreased".to_string())]
    );

    // The offline re-check of the bundle says the same.
    let file = log.path("review.json");
    assert_eq!(log.run(&["review", &s.to_string(), "--out", &file]).code, 1);
    let again = log.run(&["review", "--bundle", &file]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(again.stdout.contains("OVERDUE"), "{}", again.stdout);

    let (code, json) = log.json(&["deadline", &s.to_string()]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["report"]["decided_by_deadline"], false, "{json}");
    assert!(json["report"]["decision"].is_null(), "{json}");
    assert_eq!(
        rules(&json, "violations"),
        [(backdated, "logged_at_decreased".to_string())]
    );
    let text = log.run(&["deadline", &s.to_string()]).stdout;
    assert!(text.contains("counts for nothing"), "{text}");
}

/// Replay continues after a rule-breaking entry as if it were absent: its time does not
/// raise the bar for the next entries, the key it registers is not registered, and a
/// statement it would have made impossible (a second decision) is accepted.
#[test]
fn replay_goes_on_as_if_the_rejected_entry_were_absent() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let s = log.append(submission("alpha"), &k.developer, T0 + HOUR);
    // A stranger's decision, dated a year ahead: rejected (unregistered signer).
    let rogue = log.append(decision(s), &k.stranger, T0 + 365 * DAY);
    // A registration by a key nobody registered: rejected, so its member is not a key.
    let fake_registration = log.append(
        participant("evil", "reviewer", &k.stranger),
        &k.developer,
        T0 + 2 * HOUR,
    );
    // The stranger, not registered by the rejected entry, cannot decide.
    let unregistered = log.append(decision(s), &k.stranger, T0 + 3 * HOUR);
    // The real reviewer decides, on time, after the rejected decisions.
    let real = log.append(decision(s), &k.reviewer, T0 + 4 * HOUR);
    log.publish((T0 + 5 * HOUR) / 1000);
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        rules(&json, "violations"),
        [
            (rogue, "signer_not_registered".to_string()),
            (fake_registration, "role_not_allowed".to_string()),
            (unregistered, "signer_not_registered".to_string()),
        ],
        "the later entries are judged against the accepted ones only"
    );
    assert_eq!(
        json["report"]["submissions"]["decided_on_time"], 1,
        "{json}"
    );
    // The review names the rejected entries that claim to be about it, and exits 1.
    let (code, json) = log.json(&["review", &s.to_string()]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["report"]["record"]["decision"]["entry"]["index"], real);
    assert_eq!(json["report"]["record"]["status"], "decided_on_time");
    let touching: Vec<u64> = rules(&json, "violations_in_record")
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    assert_eq!(touching, [rogue, unregistered], "{json}");
}

/// When two rules fail, the first in docs/formats.md §5's order is the one reported, and
/// only one is: a decision that is both backdated and signed by an unregistered stranger
/// is reported as `signer_not_registered` (authentication comes before time).
#[test]
fn one_code_per_entry_the_first_in_order() {
    let mut log = TestLog::with_cast();
    let k = Keys::new();
    let s = log.append(submission("alpha"), &k.developer, T0 + DAY);
    let both = log.append(decision(s), &k.stranger, T0 + HOUR);
    let time_only = log.append(decision(s), &k.reviewer, T0 + HOUR);
    log.publish((T0 + 2 * DAY) / 1000);
    let (code, json) = log.json(&["audit"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        rules(&json, "violations"),
        [
            (both, "signer_not_registered".to_string()),
            (time_only, "logged_at_decreased".to_string()),
        ]
    );
}
