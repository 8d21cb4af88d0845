//! End to end, with the real binaries: the demo plays the whole review lifecycle through
//! the `docket` client against a log server with two witnesses, then the verifier checks
//! it from outside; a second run restarts every process and must lose nothing and log
//! nothing twice.
//!
//! Steps and expectations:
//! 1. `docket-demo --exit` on free loopback ports, 5-second review window → exit 0, 19
//!    entries (genesis, 5 registrations, 4 submissions, 9 review events).
//! 2. `verifier checkpoint` → 0: log signature and both witnesses' cosignatures.
//! 3. `verifier audit` → 0, with one review on time, one late, one overdue, one withdrawn.
//! 4. `verifier review` on the on-time (6), late (7), overdue (8) and withdrawn (9)
//!    submissions → 0, each with its status.
//! 5. `verifier deadline 8` → 0, "No decision by".
//! 6. `verifier bundle` on a saved receipt, offline → 0.
//! 7. Second `docket-demo --exit`: every process restarted, every statement "already
//!    logged", tree size unchanged, and `verifier checkpoint` (same state file) proves
//!    the new checkpoint consistent with the remembered one.

use std::path::Path;

use docket_tests::{Daemon, Output, binary, free_port_base, run, start_demo};

/// Starts the demo and waits until it has played its scenario and says it is running.
fn demo(dir: &Path, port: u16) -> Daemon {
    start_demo(&dir.join("demo"), port).expect("demo plays its scenario")
}

fn verifier(dir: &Path, args: &[&str]) -> Output {
    let mut full = vec![
        "--policy",
        "demo/docket.policy",
        "--state",
        "verifier-state.json",
    ];
    full.extend_from_slice(args);
    run(&binary("verifier"), &full, dir).expect("verifier runs")
}

fn assert_verified(out: &Output, what: &str) {
    assert_eq!(
        out.code, 0,
        "verifier {what} failed:\n{}\n{}",
        out.stdout, out.stderr
    );
}

#[test]
fn demo_lifecycle_verifies_and_resumes_after_restart() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let port = free_port_base();

    let mut first = demo(dir, port);
    let first_output = first.output();
    assert!(first_output.contains("#18"), "{first_output}");
    assert!(!first_output.contains("already logged"), "{first_output}");

    let checkpoint = verifier(dir, &["checkpoint"]);
    assert_verified(&checkpoint, "checkpoint");
    assert!(
        checkpoint.stdout.contains("tree size:  19"),
        "{}",
        checkpoint.stdout
    );

    let audit = verifier(dir, &["audit", "--no-progress"]);
    assert_verified(&audit, "audit");
    for status in [
        "decided_on_time 1",
        "decided_late 1",
        "overdue 1",
        "withdrawn 1",
    ] {
        assert!(
            audit.stdout.contains(status),
            "audit lacks {status}:\n{}",
            audit.stdout
        );
    }

    let on_time = verifier(dir, &["review", "6"]);
    assert_verified(&on_time, "review 6");
    assert!(on_time.stdout.contains("ON TIME"), "{}", on_time.stdout);
    let late = verifier(dir, &["review", "7"]);
    assert_verified(&late, "review 7");
    assert!(late.stdout.contains("DECIDED LATE"), "{}", late.stdout);
    let overdue = verifier(dir, &["review", "8"]);
    assert_verified(&overdue, "review 8");
    assert!(overdue.stdout.contains("OVERDUE"), "{}", overdue.stdout);
    let withdrawn = verifier(dir, &["review", "9"]);
    assert_verified(&withdrawn, "review 9");
    assert!(
        withdrawn.stdout.contains("WITHDRAWN"),
        "{}",
        withdrawn.stdout
    );

    let deadline = verifier(dir, &["deadline", "8"]);
    assert_verified(&deadline, "deadline 8");
    assert!(
        deadline.stdout.contains("No decision by"),
        "{}",
        deadline.stdout
    );

    let bundle = verifier(dir, &["bundle", "demo/receipts/11.json"]);
    assert_verified(&bundle, "bundle");

    // Stop everything (as Ctrl-C does) and start again: nothing is lost, nothing is
    // logged twice.
    first.terminate();
    let second = demo(dir, port);
    let second_output = second.output();
    assert_eq!(
        second_output.matches("already logged").count(),
        18,
        "{second_output}"
    );
    let again = verifier(dir, &["checkpoint"]);
    assert_verified(&again, "checkpoint after restart");
    assert!(again.stdout.contains("tree size:  19"), "{}", again.stdout);
}
