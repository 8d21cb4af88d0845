//! The real `docket` binary against a real, in-process log server (with two witnesses).
//!
//! `full_review_lifecycle`: the operator registers a developer, a reviewer, a coordinator
//! and the clearinghouse (each key made by `docket keygen`); the developer submits
//! (status `pending`, 30-day clock); the reviewer determines and decides (`decided_on_time`);
//! the coordinator discloses (salt saved) and reveals; the clearinghouse remediates; the
//! developer releases; the status lists every entry; every receipt verifies, offline too,
//! against the log key and both witnesses. Other tests: sealed submissions, air-gapped
//! signing, statements from JSON files, an overdue review (the log's clock moved on).
//! The error paths are in `errors.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestLog;
use docket_core::entry::Entry;
use docket_core::merkle;
use docket_core::note::VerifierKey;
use docket_core::policy::Policy;
use docket_core::proof::TlogProof;
use serde_json::Value;

fn index_of(run_json: &Value) -> u64 {
    run_json["index"].as_u64().expect("an index")
}

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
    index_of(&out)
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn full_review_lifecycle() {
    let log = TestLog::start();

    // Keys and registration.
    let keygen = log.docket(&["keygen", "--key", "acme.key"]);
    let text = keygen.ok();
    assert!(
        text.contains("Wrote acme.key (private key, mode 0600) and acme.pub"),
        "{text}"
    );
    let public = std::fs::read_to_string(log.path("acme.pub")).unwrap();
    assert!(text.contains(&format!("public key {}", public.trim())));
    #[cfg(unix)]
    assert_eq!(mode(&log.path("acme.key")), 0o600);
    let operator = log.operator_key();
    let added = log.docket(&[
        "--key",
        operator.to_str().unwrap(),
        "--org",
        "operator",
        "participant",
        "add",
        "--member-org",
        "Acme AI",
        "--role",
        "developer",
        "--public-key-file",
        "acme.pub",
    ]);
    assert!(
        added.ok().starts_with("Logged participant #1 at "),
        "{}",
        added.stdout
    );
    log.enrol("nsa.key", "NSA", "reviewer");
    log.enrol("oncd.key", "ONCD", "coordinator");
    log.enrol("treasury.key", "Treasury", "clearinghouse");

    // Submission: the human report names the receipt and the deadline.
    std::fs::write(log.path("model.bin"), b"model weights").unwrap();
    let submitted = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "submit",
        "--model",
        "acme-1",
        "--model-version",
        "2026.06",
        "--artifact",
        "model.bin",
        "--planned-release",
        "2026-07-15",
    ]);
    let text = submitted.ok();
    assert!(text.starts_with("Logged submission #5 at "), "{text}");
    assert!(
        text.contains("; receipt saved to receipts/5.tlog-proof; review deadline "),
        "{text}"
    );
    assert!(
        text.contains("Receipt checked: the entry is in the checkpoint of size 6"),
        "{text}"
    );

    let status = log.docket(&["status", "5"]);
    let text = status.ok();
    assert!(
        text.starts_with("Submission #5 by Acme AI: acme-1 2026.06 (sha256 "),
        "{text}"
    );
    // The clock is as of the checkpoint, which may be published in the very millisecond
    // the submission was logged (a full 30 days left) or a little later.
    assert!(
        text.contains("Status: pending, 29 days 23 hours left on the clock")
            || text.contains("Status: pending, 30 days left on the clock"),
        "{text}"
    );
    assert!(text.contains(", planned release 2026-07-15"), "{text}");

    // Reviewer: determination and decision.
    std::fs::write(log.path("report.pdf"), b"full report").unwrap();
    log.docket(&[
        "--key",
        "nsa.key",
        "--org",
        "NSA",
        "determine",
        "--submission",
        "5",
        "--covered",
        "--benchmark",
        "cyber-frontier",
        "--benchmark-version",
        "1.0",
        "--score",
        "87.5",
    ])
    .ok();
    let decided = log.docket_trusting(&[
        "--key",
        "nsa.key",
        "--org",
        "NSA",
        "decide",
        "--submission",
        "5",
        "--outcome",
        "cleared_with_conditions",
        "--high",
        "1",
        "--medium",
        "2",
        "--low",
        "3",
        "--report",
        "report.pdf",
        "--summary",
        "Two mitigations required.",
    ]);
    let text = decided.ok();
    assert!(text.starts_with("Logged decision #7 at "), "{text}");
    assert!(text.contains("Receipt verified: the entry is in the log's signed checkpoint of size 8, cosigned by 2 witnesses"), "{text}");
    assert!(
        text.contains("Submission #5 is now decided on time"),
        "{text}"
    );

    // Coordinator: disclosure (salt saved next to the receipt), then reveal.
    std::fs::write(log.path("advisory.txt"), b"CVE-like advisory text").unwrap();
    let disclosed = log
        .docket(&[
            "--key",
            "oncd.key",
            "--org",
            "ONCD",
            "--json",
            "disclose",
            "--submission",
            "5",
            "--sector",
            "energy",
            "--sector",
            "finance",
            "--recipients",
            "40",
            "--advisory",
            "advisory.txt",
        ])
        .json();
    let disclosure = index_of(&disclosed);
    assert_eq!(
        disclosed["salt_file"],
        format!("receipts/{disclosure}.salt")
    );
    #[cfg(unix)]
    assert_eq!(
        mode(&log.path(&format!("receipts/{disclosure}.salt"))),
        0o600
    );
    assert!(
        std::fs::read_dir(log.path("receipts")).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("pending-")),
        "the pending salt was moved"
    );
    let revealed = log.docket(&[
        "--key",
        "oncd.key",
        "--org",
        "ONCD",
        "reveal",
        "--disclosure",
        &disclosure.to_string(),
        "--advisory",
        "advisory.txt",
    ]);
    assert!(
        revealed.ok().starts_with("Logged reveal #9 "),
        "{}",
        revealed.stdout
    );

    // Clearinghouse and release.
    log.docket(&[
        "--key",
        "treasury.key",
        "--org",
        "Treasury",
        "remediate",
        "--disclosure",
        "8",
        "--status",
        "deployed",
        "--sector",
        "finance",
    ])
    .ok();
    let released = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "release",
        "--submission",
        "5",
    ]);
    assert!(
        released.ok().starts_with("Logged release #11 "),
        "{}",
        released.stdout
    );

    // The full record.
    let text = log.docket(&["status", "5"]).ok().to_string();
    for expected in [
        "Status: decided on time: decision #7 logged ",
        "  #6 determination by NSA at ",
        ": covered (cyber-frontier 1.0, score 87.5)",
        "  #7 decision by NSA at ",
        ": cleared_with_conditions; findings 0 critical, 1 high, 2 medium, 3 low; \"Two mitigations required.\"",
        "  #8 disclosure by ONCD at ",
        ": shared with energy, finance (40 recipients); commitment ",
        "  #9 reveal by ONCD at ",
        "  #10 remediation by Treasury at ",
        ": disclosure #8: deployed (finance)",
        "  #11 release by Acme AI at ",
        "As of the log's checkpoint of size 12 ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let status = log.docket(&["status", "5", "--json"]).json();
    assert_eq!(status["status"], "decided_on_time");
    assert_eq!(status["decision"], 7);

    // Every receipt: both files, and the proof verifies with docket-core under the
    // log key and both witnesses.
    let policy = Policy::new(
        VerifierKey::parse(&log.vkey).unwrap(),
        log.witness_vkeys
            .iter()
            .map(|v| VerifierKey::parse(v).unwrap())
            .collect(),
        2,
    )
    .unwrap();
    for index in 1..=11u64 {
        let json: Value = serde_json::from_slice(
            &std::fs::read(log.path(&format!("receipts/{index}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(json["index"], index);
        let proof_text = std::fs::read(log.path(&format!("receipts/{index}.tlog-proof"))).unwrap();
        let proof = TlogProof::parse(&proof_text).unwrap();
        let entry = base64_decode(json["entry"].as_str().unwrap());
        Entry::decode(&entry).unwrap();
        proof.verify(&policy, &merkle::leaf_hash(&entry)).unwrap();
    }
    let checked = log.docket_trusting(&["receipt", "7"]);
    assert!(
        checked.ok().contains("Receipt verified"),
        "{}",
        checked.stdout
    );
    let checked = log.docket(&["--json", "receipt", "receipts/5.json"]).json();
    assert_eq!(checked["index"], 5);
    assert_eq!(checked["log_signature_verified"], false);
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn sealed_submission_is_opened_by_its_release() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    std::fs::write(log.path("secret-model.bin"), b"secret weights").unwrap();
    let sealed = log
        .docket(&[
            "--key",
            "acme.key",
            "--org",
            "Acme AI",
            "--json",
            "submit",
            "--model",
            "acme-2",
            "--model-version",
            "1",
            "--artifact",
            "secret-model.bin",
            "--sealed",
        ])
        .json();
    let index = index_of(&sealed);
    assert_eq!(sealed["salt_file"], format!("receipts/{index}.salt"));
    let status = log.docket(&["status", &index.to_string()]).ok().to_string();
    assert!(status.contains(": sealed (commitment "), "{status}");
    assert!(!status.contains("acme-2"), "{status}");

    // A release without the opening is refused with a hint.
    let plain = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "release",
        "--submission",
        &index.to_string(),
    ]);
    assert_eq!(plain.code, 1);
    assert!(
        plain.stderr.contains("commitment_not_opened"),
        "{}",
        plain.stderr
    );
    assert!(
        plain.stderr.contains("hint: the submission is sealed"),
        "{}",
        plain.stderr
    );

    let opened = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "release",
        "--submission",
        &index.to_string(),
        "--model",
        "acme-2",
        "--model-version",
        "1",
        "--artifact",
        "secret-model.bin",
    ]);
    assert!(
        opened.ok().starts_with("Logged release #"),
        "{}",
        opened.stdout
    );
    let status = log.docket(&["status", &index.to_string()]).ok().to_string();
    assert!(
        status.contains("released, opening the seal: acme-2 1 (sha256 "),
        "{status}"
    );
}

#[test]
fn air_gapped_signing_then_posting_and_retries_are_idempotent() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    log.enrol("oncd.key", "ONCD", "coordinator");
    let submission = submit(&log, "m1").to_string();

    // Offline: sign only (stdout is the envelope).
    let signed = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "sign",
        "withdraw",
        "--submission",
        &submission,
        "--reason",
        "Launch postponed.",
    ]);
    let envelope: Value = serde_json::from_str(signed.ok()).unwrap();
    assert_eq!(
        envelope["payloadType"],
        "application/vnd.docket.statement.v1+json"
    );
    std::fs::write(log.path("withdrawal.json"), signed.stdout.as_bytes()).unwrap();

    // Online, without the key.
    let posted = log.docket(&["post", "withdrawal.json"]);
    assert!(
        posted.ok().starts_with("Logged withdrawal #"),
        "{}",
        posted.stdout
    );
    assert!(
        posted
            .stdout
            .contains(&format!("Submission #{submission} is now withdrawn")),
        "{}",
        posted.stdout
    );
    let again = log.docket(&["--json", "post", "withdrawal.json"]).json();
    assert_eq!(again["created"], false);
    let again = log.docket(&["post", "withdrawal.json"]);
    assert!(
        again.ok().starts_with("Already logged: withdrawal #"),
        "{}",
        again.stdout
    );

    // A disclosure signed offline: `post` files its salt under the new index.
    std::fs::write(log.path("advisory.txt"), b"advisory").unwrap();
    let signed = log.docket(&[
        "--key",
        "oncd.key",
        "--org",
        "ONCD",
        "sign",
        "--out",
        "disclosure.json",
        "disclose",
        "--submission",
        &submission,
        "--sector",
        "water",
        "--recipients",
        "3",
        "--advisory",
        "advisory.txt",
    ]);
    let text = signed.ok();
    assert!(
        text.contains("envelope written to disclosure.json"),
        "{text}"
    );
    assert!(
        text.contains("Post it with: docket post disclosure.json"),
        "{text}"
    );
    let posted = log.docket(&["--json", "post", "disclosure.json"]).json();
    let index = index_of(&posted);
    assert_eq!(posted["salt_file"], format!("receipts/{index}.salt"));
    let revealed = log.docket(&[
        "--key",
        "oncd.key",
        "--org",
        "ONCD",
        "reveal",
        "--disclosure",
        &index.to_string(),
        "--advisory",
        "advisory.txt",
    ]);
    revealed.ok();
}

#[test]
fn statements_from_json_files() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    let submission = submit(&log, "m1");
    std::fs::write(
        log.path("withdrawal.json"),
        format!(r#"{{"type":"withdrawal","org":"Acme AI","submission":{submission}}}"#),
    )
    .unwrap();
    let wrong_org = log.docket(&[
        "--key",
        "acme.key",
        "--org",
        "Globex",
        "file",
        "withdrawal.json",
    ]);
    assert_eq!(wrong_org.code, 2);
    assert!(
        wrong_org
            .stderr
            .contains("does not match the statement's org"),
        "{}",
        wrong_org.stderr
    );
    let filed = log.docket(&["--key", "acme.key", "file", "withdrawal.json"]);
    assert!(
        filed.ok().starts_with("Logged withdrawal #"),
        "{}",
        filed.stdout
    );
    std::fs::write(
        log.path("bad.json"),
        r#"{"type":"withdrawal","org":"Acme AI"}"#,
    )
    .unwrap();
    let bad = log.docket(&["--key", "acme.key", "file", "bad.json"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("statement file: malformed statement JSON"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_review_without_a_decision_becomes_overdue() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    log.enrol("nsa.key", "NSA", "reviewer");
    let late = submit(&log, "late").to_string();
    log.advance_clock(std::time::Duration::from_secs(31 * 86_400));
    // Any write publishes a checkpoint at the log's (advanced) time.
    submit(&log, "later");
    let text = log.docket(&["status", &late]).ok().to_string();
    assert!(text.contains("Status: overdue: the deadline "), "{text}");
    assert!(text.contains(" passed 1 day "), "{text}");
    let decided = log.docket(&[
        "--key",
        "nsa.key",
        "--org",
        "NSA",
        "decide",
        "--submission",
        &late,
        "--outcome",
        "cleared",
    ]);
    assert!(
        decided
            .ok()
            .contains(&format!("Submission #{late} is now decided late")),
        "{}",
        decided.stdout
    );
    let text = log.docket(&["status", &late]).ok().to_string();
    assert!(text.contains("Status: decided LATE: decision #"), "{text}");
}
