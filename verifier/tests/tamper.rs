//! Tampering: one flipped bit in a tile, an entry bundle, the checkpoint, a cosignature
//! or a bundle file makes every verb that reads it fail (exit 1) with a message naming
//! what did not verify. Each case starts from a fresh copy of the scenario log.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
mod scenario;

use common::*;

/// The verbs that read the log, as (name, args).
fn online_verbs(ix: &scenario::Indexes, advisory: &str) -> Vec<Vec<String>> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        s(&["inclusion", "--index", "8"]),
        s(&["consistency", "4"]),
        s(&["audit", "--restart"]),
        s(&["review", &ix.on_time.to_string()]),
        s(&["deadline", &ix.overdue.to_string()]),
        s(&["reveal", &ix.disclosure.to_string(), "--advisory", advisory]),
    ]
}

fn run(log: &TestLog, verb: &[String]) -> docket_verifier::output::Rendered {
    let refs: Vec<&str> = verb.iter().map(String::as_str).collect();
    log.run(&refs)
}

fn advisory(log: &TestLog) -> String {
    let path = log.path("advisory.txt");
    std::fs::write(&path, scenario::ADVISORY).unwrap();
    path
}

#[test]
fn untampered_scenario_passes_every_verb() {
    let (log, ix) = scenario::build();
    for verb in online_verbs(&ix, &advisory(&log)) {
        let out = run(&log, &verb);
        assert_eq!(out.code, 0, "{verb:?}: {out:?}");
    }
}

#[test]
fn tampered_hash_tile_fails_every_verb_that_reads_it() {
    let (log, ix) = scenario::build();
    let advisory = advisory(&log);
    // Hash of entry 9: inside a sibling subtree of every proof used below.
    log.tamper("tile/0/000.p/14", 32 * 9 + 5);
    for verb in online_verbs(&ix, &advisory) {
        if verb[0] == "reveal" {
            continue; // reads entry bundles only
        }
        let out = run(&log, &verb);
        assert_eq!(out.code, 1, "{verb:?}: {out:?}");
        assert!(out.stderr.contains("tile"), "{verb:?}: {}", out.stderr);
    }
    let out = run(&log, &["audit".into(), "--restart".into()]);
    assert!(
        out.stderr.contains("tile tile/0/000.p/14 differs"),
        "{}",
        out.stderr
    );
}

#[test]
fn tampered_entry_bundle_fails_every_verb_that_reads_it() {
    let (log, ix) = scenario::build();
    let advisory = advisory(&log);
    // A byte inside entry 8's envelope (past its length prefix and JSON header).
    let bundle = log.fetcher.get("tile/entries/000.p/14").unwrap();
    let start: usize = log.entries[..8].iter().map(|e| e.len() + 2).sum();
    assert!(bundle.len() > start + 60);
    log.tamper("tile/entries/000.p/14", start + 60);
    for verb in online_verbs(&ix, &advisory) {
        if verb[0] == "consistency" {
            continue; // reads hash tiles only
        }
        let out = run(&log, &verb);
        assert_eq!(out.code, 1, "{verb:?}: {out:?}");
        assert!(
            out.stderr.contains("entry bundle"),
            "{verb:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn tampered_checkpoint_or_cosignature_fails_every_verb() {
    for (what, locate) in [
        ("the root line", 0usize),
        ("witness-b's cosignature", 1),
        ("the log's signature", 2),
    ] {
        let (log, ix) = scenario::build();
        let advisory = advisory(&log);
        let note = log.fetcher.get("checkpoint").unwrap();
        let text = String::from_utf8(note.clone()).unwrap();
        let at = match locate {
            0 => text.find('\n').unwrap() + 4,
            1 => text.rfind("witness-b.test ").unwrap() + "witness-b.test ".len() + 20,
            _ => text.find(&format!("\u{2014} {ORIGIN} ")).unwrap() + ORIGIN.len() + 20,
        };
        log.tamper("checkpoint", at);
        let mut verbs = online_verbs(&ix, &advisory);
        verbs.push(vec!["checkpoint".into()]);
        for verb in verbs {
            let out = run(&log, &verb);
            assert_eq!(out.code, 1, "{what}: {verb:?}: {out:?}");
            assert!(
                out.stderr.contains(
                    "checkpoint from memory:/checkpoint does not satisfy the trust policy"
                ),
                "{what}: {verb:?}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn tampered_bundle_files_fail() {
    let (log, ix) = scenario::build();
    // A receipt: flip a bit in the entry, the proof, or the checkpoint it carries.
    let receipt = serde_json::to_string(&log.receipt(ix.decision_on_time)).unwrap();
    let path = log.path("receipt.json");
    for (field, expect) in [
        ("\"entry\":\"", "tlog-proof"),
        (
            "\"proof\":\"c2sp.org/tlog-proof@v1\\nindex 8\\n",
            "tlog-proof",
        ),
    ] {
        let at = receipt.find(field).unwrap() + field.len() + 3;
        let mut bytes = receipt.clone().into_bytes();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        std::fs::write(&path, &bytes).unwrap();
        let out = log.run(&["bundle", &path]);
        assert_eq!(out.code, 1, "{field}: {out:?}");
        assert!(out.stderr.contains(expect), "{field}: {}", out.stderr);
    }
    // A review bundle: flip a bit in each of its parts.
    let review = log.path("review.json");
    assert_eq!(
        log.run(&["review", &ix.on_time.to_string(), "--out", &review])
            .code,
        0
    );
    let original = std::fs::read_to_string(&review).unwrap();
    let value: serde_json::Value = serde_json::from_str(&original).unwrap();
    let tail_entry = value["tail"]["entries"][2].as_str().unwrap().to_string();
    let entry = value["entries"][1]["entry"].as_str().unwrap().to_string();
    let proof = value["entries"][1]["proof"][0]
        .as_str()
        .unwrap()
        .to_string();
    let prefix = value["tail"]["prefix"][0].as_str().unwrap().to_string();
    for (part, needle, expect) in [
        (
            "tail entry",
            tail_entry.as_str(),
            "the review bundle's tail",
        ),
        ("entry", entry.as_str(), "inclusion proof of entry"),
        (
            "inclusion proof",
            proof.as_str(),
            "inclusion proof of entry",
        ),
        ("tail prefix", prefix.as_str(), "the review bundle's tail"),
    ] {
        let mut chars: Vec<char> = needle.chars().collect();
        chars[6] = if chars[6] == 'A' { 'B' } else { 'A' };
        let changed: String = chars.into_iter().collect();
        let at = original.rfind(needle).unwrap();
        let tampered = format!(
            "{}{changed}{}",
            &original[..at],
            &original[at + needle.len()..]
        );
        std::fs::write(&review, tampered).unwrap();
        let out = log.run(&["bundle", &review]);
        assert_eq!(out.code, 1, "{part}: {out:?}");
        assert!(out.stderr.contains(expect), "{part}: {}", out.stderr);
        assert_eq!(log.run(&["review", "--bundle", &review]).code, 1, "{part}");
    }
    let cosig = value["checkpoints"][0].as_str().unwrap();
    let at = cosig.rfind("witness-a.test ").unwrap() + 30;
    let mut changed: Vec<char> = cosig.chars().collect();
    changed[at] = if changed[at] == 'A' { 'B' } else { 'A' };
    let changed: String = changed.into_iter().collect();
    std::fs::write(
        &review,
        original.replacen(
            &cosig.replace('\n', "\\n"),
            &changed.replace('\n', "\\n"),
            1,
        ),
    )
    .unwrap();
    let out = log.run(&["bundle", &review]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("checkpoint from the review bundle (checkpoint 0)"),
        "{}",
        out.stderr
    );
}
