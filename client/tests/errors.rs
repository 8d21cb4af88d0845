//! The error paths of the real `docket` binary, against a real in-process log server
//! and against a port nobody listens on: refusals show the server's code, message and a
//! hint and exit 1 (a second decision, an unregistered key, the wrong organisation, a
//! missing reference, the wrong role, a tampered envelope; a refused disclosure leaves no
//! salt behind); local problems exit 2 (missing flags, bad values, an existing key file,
//! a key file others can read); an unreachable log exits 3 and keeps a fresh salt.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestLog, docket_in};
use serde_json::Value;

fn submit(log: &TestLog, model: &str) -> u64 {
    std::fs::write(log.path(&format!("{model}.bin")), model.as_bytes()).unwrap();
    let out = log
        .docket(&[
            "--key",
            "acme.key",
            "--org",
            "Acme AI",
            "--json",
            "submit",
            "--model",
            model,
            "--model-version",
            "1.0",
            "--artifact",
            &format!("{model}.bin"),
        ])
        .json();
    out["index"].as_u64().expect("an index")
}

#[test]
fn refusals_show_the_server_code_and_exit_1() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    log.enrol("nsa.key", "NSA", "reviewer");
    let submission = submit(&log, "m1").to_string();
    let decide = |outcome: &str| {
        log.docket(&[
            "--key",
            "nsa.key",
            "--org",
            "NSA",
            "decide",
            "--submission",
            &submission,
            "--outcome",
            outcome,
        ])
    };
    decide("cleared").ok();
    let second = decide("declined");
    assert_eq!(second.code, 1, "{second:?}");
    assert!(
        second
            .stderr
            .starts_with("error: the log refused it (409 decision_exists): "),
        "{}",
        second.stderr
    );
    assert!(
        second
            .stderr
            .contains("hint: a submission has at most one decision"),
        "{}",
        second.stderr
    );

    // The same refusal as JSON, on stdout.
    let json = log.docket(&[
        "--json",
        "--key",
        "nsa.key",
        "--org",
        "NSA",
        "decide",
        "--submission",
        &submission,
        "--outcome",
        "declined",
    ]);
    assert_eq!(json.code, 1);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["error"]["code"], "decision_exists");
    assert_eq!(value["error"]["status"], 409);

    // A key the operator never registered.
    log.docket(&["keygen", "--key", "stranger.key"]).ok();
    let stranger = log.docket(&[
        "--key",
        "stranger.key",
        "--org",
        "Acme AI",
        "withdraw",
        "--submission",
        &submission,
    ]);
    assert_eq!(stranger.code, 1);
    assert!(
        stranger.stderr.contains("(403 signer_not_registered)"),
        "{}",
        stranger.stderr
    );
    assert!(
        stranger.stderr.contains("hint: your key is not registered"),
        "{}",
        stranger.stderr
    );

    // The wrong organisation, a reference to a missing entry, the wrong role.
    let cases: [(&[&str], &str); 3] = [
        (
            &[
                "--key",
                "acme.key",
                "--org",
                "Globex",
                "withdraw",
                "--submission",
                &submission,
            ],
            "(403 org_mismatch)",
        ),
        (
            &[
                "--key",
                "acme.key",
                "--org",
                "Acme AI",
                "withdraw",
                "--submission",
                "999",
            ],
            "(422 missing_reference)",
        ),
        (
            &[
                "--key",
                "acme.key",
                "--org",
                "Acme AI",
                "decide",
                "--submission",
                &submission,
                "--outcome",
                "cleared",
            ],
            "(403 role_not_allowed)",
        ),
    ];
    for (args, code) in cases {
        let run = log.docket(args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(run.stderr.contains(code), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("hint: "), "{args:?}: {}", run.stderr);
    }

    // A disclosure the log refuses leaves no salt behind.
    log.enrol("oncd.key", "ONCD", "coordinator");
    std::fs::write(log.path("advisory.txt"), b"advisory").unwrap();
    let refused = log.docket(&[
        "--key",
        "oncd.key",
        "--org",
        "ONCD",
        "disclose",
        "--submission",
        "999",
        "--sector",
        "energy",
        "--recipients",
        "1",
        "--advisory",
        "advisory.txt",
    ]);
    assert_eq!(refused.code, 1, "{refused:?}");
    let leftovers: Vec<_> = std::fs::read_dir(log.path("receipts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".salt"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A tampered envelope: the signature no longer verifies.
    log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "sign",
        "--out",
        "w.json",
        "withdraw",
        "--submission",
        &submission,
    ])
    .ok();
    let mut envelope: Value =
        serde_json::from_slice(&std::fs::read(log.path("w.json")).unwrap()).unwrap();
    let other = r#"{"type":"withdrawal","org":"Acme AI","submission":1}"#;
    envelope["payload"] = Value::String(base64_encode(other.as_bytes()));
    std::fs::write(log.path("bad.json"), envelope.to_string()).unwrap();
    let tampered = log.docket(&["post", "bad.json"]);
    assert_eq!(tampered.code, 1, "{tampered:?}");
    assert!(
        tampered.stderr.contains("(403 bad_signature)"),
        "{}",
        tampered.stderr
    );
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn local_problems_exit_2_and_an_unreachable_log_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let run = |env: &[(&str, &str)], args: &[&str]| docket_in(dir.path(), env, args);
    run(&[], &["keygen", "--key", "acme.key"]).ok();

    let no_org = run(&[], &["--key", "acme.key", "withdraw", "--submission", "1"]);
    assert_eq!(no_org.code, 2);
    assert!(
        no_org.stderr.contains("--org NAME is required"),
        "{}",
        no_org.stderr
    );

    let no_key = run(&[], &["--org", "Acme AI", "withdraw", "--submission", "1"]);
    assert_eq!(no_key.code, 2);
    assert!(
        no_key.stderr.contains("--key FILE is required"),
        "{}",
        no_key.stderr
    );

    let bad_flag = run(
        &[],
        &["decide", "--submission", "1", "--outcome", "approved"],
    );
    assert_eq!(bad_flag.code, 2);

    let bad_date = run(
        &[],
        &[
            "--key",
            "acme.key",
            "--org",
            "Acme AI",
            "submit",
            "--model",
            "m",
            "--model-version",
            "1",
            "--sha256",
            &"ab".repeat(32),
            "--planned-release",
            "2026-13-01",
        ],
    );
    assert_eq!(bad_date.code, 2);
    assert!(
        bad_date
            .stderr
            .contains("--planned-release: not a YYYY-MM-DD date"),
        "{}",
        bad_date.stderr
    );

    let again = run(&[], &["keygen", "--key", "acme.key"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(
            dir.path().join("acme.key"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let open = run(
            &[],
            &[
                "--key",
                "acme.key",
                "--org",
                "A",
                "withdraw",
                "--submission",
                "1",
            ],
        );
        assert_eq!(open.code, 2);
        assert!(open.stderr.contains("chmod 600"), "{}", open.stderr);
        std::fs::set_permissions(
            dir.path().join("acme.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }

    // Nobody listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let down = run(
        &[("DOCKET_LOG", &url)],
        &[
            "--key",
            "acme.key",
            "--org",
            "Acme AI",
            "withdraw",
            "--submission",
            "1",
        ],
    );
    assert_eq!(down.code, 3, "{down:?}");
    assert!(
        down.stderr
            .contains(&format!("cannot reach the log at {url}/v1/statements")),
        "{}",
        down.stderr
    );
    assert_eq!(run(&[("DOCKET_LOG", &url)], &["status", "1"]).code, 3);

    // An unreachable log keeps a fresh salt and says how to retry.
    std::fs::write(dir.path().join("advisory.txt"), b"advisory").unwrap();
    let kept = run(
        &[("DOCKET_LOG", &url)],
        &[
            "--key",
            "acme.key",
            "--org",
            "ONCD",
            "disclose",
            "--submission",
            "1",
            "--sector",
            "energy",
            "--recipients",
            "1",
            "--advisory",
            "advisory.txt",
        ],
    );
    assert_eq!(kept.code, 3);
    assert!(
        kept.stderr
            .contains("note: the salt is kept in receipts/pending-"),
        "{}",
        kept.stderr
    );

    let help = run(&[], &["--help"]);
    assert!(
        help.ok().contains("Exit codes: 0 done; 1 the log refused"),
        "{}",
        help.stdout
    );
}
