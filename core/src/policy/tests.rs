//! Policy tests: the tlog-proof vector's policy and checkpoint, the draft's rules one by
//! one, quorum arithmetic over nested groups, and mangling of a signed checkpoint.

use super::*;
use crate::cosignature;
use crate::merkle::empty_root;
use crate::note::test_vectors::{load, str_field};
use crate::note::{KeyName, Signature, SignerKey};

const LOG_SKEY: &str =
    "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";
const W1: &str = "example.com/witness+10a1c019+BGSEitir7W6FmBs7OHWyUrh2frtLAvcDrKOx5xu9ao5Q";
const W2: &str = "Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk";

fn e2e() -> (String, String) {
    let file = load("proof/tlog-proof.json");
    let e2e = &file["end_to_end_DERIVED"];
    let proof = str_field(e2e, "proof_text");
    let checkpoint = proof[proof.find("\n\n").unwrap() + 2..].to_owned();
    (str_field(e2e, "policy_text").to_owned(), checkpoint)
}

fn log_key() -> SignerKey {
    SignerKey::parse(LOG_SKEY).unwrap()
}

fn cosigner(name: &str, seed: u8) -> SignerKey {
    SignerKey::from_seed(
        KeyName::new(name).unwrap(),
        KeyType::CosignatureV1,
        [seed; 32],
    )
    .unwrap()
}

/// A size-0 checkpoint for the log, signed by it and cosigned by `witnesses` at time 7.
fn checkpoint_note(witnesses: &[&SignerKey]) -> Note {
    let text = Checkpoint::new("localhost.localdev/sumdb", 0, empty_root())
        .unwrap()
        .to_text();
    let mut note = Note::sign(text.clone(), [&log_key()]).unwrap();
    let lines = witnesses
        .iter()
        .map(|w| cosignature::sign(w, &text, UnixSeconds(7)).unwrap());
    note.add_signatures(lines.collect::<Vec<_>>()).unwrap();
    note
}

fn line_error(text: &str) -> PolicyLineError {
    match Policy::parse(text.as_bytes()) {
        Err(PolicyError::Line { problem, .. }) => problem,
        other => panic!("{text:?}: expected a line error, got {other:?}"),
    }
}

#[test]
fn vector_policy_parses_round_trips_and_verifies() {
    let (text, checkpoint) = e2e();
    let policy = Policy::parse(text.as_bytes()).unwrap();
    assert_eq!(policy.to_string(), text);
    assert_eq!(policy.logs().len(), 1);
    let names: Vec<&str> = policy.witnesses().iter().map(|w| w.name()).collect();
    assert_eq!(names, ["W1", "W2"]);
    let verified = policy.verify_checkpoint(checkpoint.as_bytes()).unwrap();
    assert_eq!(verified.checkpoint().size(), 8);
    assert_eq!(
        verified.log_key().name().as_str(),
        "localhost.localdev/sumdb"
    );
    assert_eq!(verified.note().to_text(), checkpoint);
    let cosigned: Vec<(&str, u64)> = verified
        .cosignatures()
        .iter()
        .map(|c| (c.witness(), c.timestamp().0))
        .collect();
    assert_eq!(cosigned, [("W1", 1_700_000_000), ("W2", 1_700_000_001)]);
    assert_eq!(verified.cosignatures()[1].key().to_vkey(), W2);
}

#[test]
fn quorum_not_met_without_cosignatures() {
    let (text, checkpoint) = e2e();
    let policy = Policy::parse(text.as_bytes()).unwrap();
    let log_only: String = checkpoint
        .lines()
        .take(5)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        policy.verify_checkpoint(log_only.as_bytes()),
        Err(PolicyError::QuorumNotMet { cosigned: 0 })
    );
    // Dropping only Wit1's line leaves one of the two required.
    let one: String = checkpoint
        .lines()
        .take(6)
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        policy.verify_checkpoint(one.as_bytes()),
        Err(PolicyError::QuorumNotMet { cosigned: 1 })
    );
}

#[test]
fn simple_constructor() {
    let (_, checkpoint) = e2e();
    let log = log_key().verifier();
    let witnesses = vec![
        VerifierKey::parse(W1).unwrap(),
        VerifierKey::parse(W2).unwrap(),
    ];
    for k in 0..=2 {
        let policy = Policy::new(log.clone(), witnesses.clone(), k).unwrap();
        policy.verify_checkpoint(checkpoint.as_bytes()).unwrap();
        assert_eq!(
            Policy::parse(policy.to_string().as_bytes()).unwrap(),
            policy
        );
    }
    assert_eq!(
        Policy::new(log.clone(), witnesses.clone(), 3),
        Err(PolicyError::Invalid(PolicyLineError::InvalidThreshold {
            threshold: "3".into(),
            members: 2,
        }))
    );
    let none = Policy::new(log.clone(), vec![], 0).unwrap();
    assert_eq!(none.to_string(), format!("log {log}\nquorum none\n"));
    let log_only = checkpoint_note(&[]);
    none.verify_checkpoint(log_only.to_text().as_bytes())
        .unwrap();
    assert!(matches!(
        Policy::new(log.clone(), vec![log.clone()], 1),
        Err(PolicyError::Invalid(PolicyLineError::WrongKeyType { .. }))
    ));
}

#[test]
fn nested_groups_count_distinct_witnesses() {
    let xs: Vec<SignerKey> = (1..=3)
        .map(|i| cosigner(&format!("x{i}.example"), i))
        .collect();
    let ys: Vec<SignerKey> = (1..=3)
        .map(|i| cosigner(&format!("y{i}.example"), 10 + i))
        .collect();
    let mut text = format!("# two organisations\nlog {}\n\n", log_key().verifier());
    for (i, key) in xs.iter().enumerate() {
        text.push_str(&format!("witness X{} {}\n", i + 1, key.verifier()));
    }
    text.push_str("group X-witnesses 2 X1 X2 X3\n");
    for (i, key) in ys.iter().enumerate() {
        text.push_str(&format!(
            "\twitness  Y{}\t{}  https://y.example/\n",
            i + 1,
            key.verifier()
        ));
    }
    text.push_str("group Y-witnesses any Y1 Y2 Y3\ngroup X-and-Y all X-witnesses Y-witnesses\n  quorum X-and-Y");
    let policy = Policy::parse(text.as_bytes()).unwrap();
    assert_eq!(policy.witnesses()[3].url(), Some("https://y.example/"));
    let cases: [(&[&SignerKey], bool); 6] = [
        (&[&xs[0], &xs[1], &ys[0]], true),
        (&[&xs[0], &xs[2], &ys[2]], true),
        (&[&xs[0], &ys[0], &ys[1]], false),
        (&[&xs[0], &xs[1], &xs[2]], false),
        (&[&xs[0], &xs[0], &ys[0]], false),
        (&[&ys[2], &xs[2], &xs[1], &ys[1]], true),
    ];
    for (signers, ok) in cases {
        let note = checkpoint_note(signers);
        // add_signatures replaces a key's earlier line, so a repeat must be appended by hand.
        let mut bytes = note.to_text();
        if signers[0].name() == signers[1].name() {
            bytes.push_str(&note.signatures()[1].to_line());
        }
        let result = policy.verify_checkpoint(bytes.as_bytes());
        assert_eq!(result.is_ok(), ok, "{signers:?}: {result:?}");
    }
}

#[test]
fn verification_failures() {
    let wit = cosigner("w.example", 1);
    let policy = Policy::new(log_key().verifier(), vec![wit.verifier()], 1).unwrap();
    let good = checkpoint_note(&[&wit]);
    policy.verify_checkpoint(good.to_text().as_bytes()).unwrap();

    // Unknown lines are ignored.
    let stranger = cosigner("stranger.example", 2);
    let mut extra = good.clone();
    extra
        .add_signatures([cosignature::sign(&stranger, good.text(), UnixSeconds(9)).unwrap()])
        .unwrap();
    let verified = policy
        .verify_checkpoint(extra.to_text().as_bytes())
        .unwrap();
    assert_eq!(verified.cosignatures().len(), 1);

    // A known witness's bad line poisons the checkpoint.
    let mut bad = good.clone();
    let forged = cosignature::sign(&wit, good.text(), UnixSeconds(8)).unwrap();
    let mut bytes = forged.signature().to_vec();
    bytes[20] ^= 1;
    bad.add_signatures([Signature::new(forged.name().clone(), forged.key_id(), bytes).unwrap()])
        .unwrap();
    assert!(matches!(
        policy.verify_checkpoint(bad.to_text().as_bytes()),
        Err(PolicyError::Note(NoteError::InvalidSignature { .. }))
    ));

    // Only the witness signed: the log's signature is missing.
    let text = good.text().to_owned();
    let witness_only = Note::new(text.clone(), vec![good.signatures()[1].clone()]).unwrap();
    assert_eq!(
        policy.verify_checkpoint(witness_only.to_text().as_bytes()),
        Err(PolicyError::MissingLogSignature {
            origin: "localhost.localdev/sumdb".into()
        })
    );
    let stranger_only = Note::new(text, vec![extra.signatures()[2].clone()]).unwrap();
    assert!(matches!(
        policy.verify_checkpoint(stranger_only.to_text().as_bytes()),
        Err(PolicyError::MissingLogSignature { .. })
    ));

    // Another origin is unknown, whoever signed it.
    let other = Checkpoint::new("example.com/other", 0, empty_root()).unwrap();
    let other_log = SignerKey::from_seed(
        KeyName::new("example.com/other").unwrap(),
        KeyType::Ed25519,
        [3; 32],
    )
    .unwrap();
    let note = Note::sign(other.to_text(), [&other_log]).unwrap();
    assert_eq!(
        policy.verify_checkpoint(note.to_text().as_bytes()),
        Err(PolicyError::UnknownLog {
            origin: "example.com/other".into()
        })
    );
    let note = Note::sign(other.to_text(), [&log_key()]).unwrap();
    assert!(matches!(
        policy.verify_checkpoint(note.to_text().as_bytes()),
        Err(PolicyError::UnknownLog { .. })
    ));
    assert!(matches!(
        policy.verify_checkpoint(b"not a note"),
        Err(PolicyError::Note(NoteError::Malformed { .. }))
    ));
    let not_checkpoint = Note::sign("hello\n", [&log_key()]).unwrap();
    assert!(matches!(
        policy.verify_checkpoint(not_checkpoint.to_text().as_bytes()),
        Err(PolicyError::Checkpoint(_))
    ));
}

#[test]
fn signed_checkpoint_mangling_fails_verification() {
    // Log signature only, every byte value at every position.
    let policy = Policy::new(log_key().verifier(), vec![], 0).unwrap();
    let bytes = checkpoint_note(&[]).to_text().into_bytes();
    policy.verify_checkpoint(&bytes).unwrap();
    for i in 0..bytes.len() {
        for value in 0..=255u8 {
            if value != bytes[i] {
                let mut mangled = bytes.clone();
                mangled[i] = value;
                assert!(
                    policy.verify_checkpoint(&mangled).is_err(),
                    "byte {i} -> {value:#04x}"
                );
            }
        }
    }
    for cut in 0..bytes.len() {
        assert!(
            policy.verify_checkpoint(&bytes[..cut]).is_err(),
            "prefix {cut}"
        );
    }
    // With the vector's two cosignatures: a sample of changes at every position.
    let (text, checkpoint) = e2e();
    let policy = Policy::parse(text.as_bytes()).unwrap();
    let bytes = checkpoint.into_bytes();
    for i in 0..bytes.len() {
        for value in [
            bytes[i] ^ 0x01,
            bytes[i] ^ 0x20,
            bytes[i] ^ 0x80,
            b'\n',
            b' ',
            b'+',
            b'0',
            b'=',
        ] {
            if value != bytes[i] {
                let mut mangled = bytes.clone();
                mangled[i] = value;
                assert!(
                    policy.verify_checkpoint(&mangled).is_err(),
                    "byte {i} -> {value:#04x}"
                );
            }
        }
    }
}

#[test]
fn syntax_rules() {
    let log = log_key().verifier().to_vkey();
    let w1 = W1;
    let w2 = W2;
    let w1_renamed = VerifierKey::new(
        KeyName::new("other").unwrap(),
        KeyType::CosignatureV1,
        VerifierKey::parse(W1).unwrap().public_key().to_vec(),
    )
    .unwrap();
    let cases: Vec<(String, PolicyLineError)> = vec![
        (
            format!("lgo {log}\n"),
            PolicyLineError::UnknownKeyword {
                keyword: "lgo".into(),
            },
        ),
        (
            "log\n".into(),
            PolicyLineError::WrongFieldCount { keyword: "log" },
        ),
        (
            format!("log {log} url extra\n"),
            PolicyLineError::WrongFieldCount { keyword: "log" },
        ),
        (
            format!("witness {w1}\n"),
            PolicyLineError::WrongFieldCount { keyword: "witness" },
        ),
        (
            format!("witness a {w1}\ngroup g any\n"),
            PolicyLineError::WrongFieldCount { keyword: "group" },
        ),
        (
            "quorum\n".into(),
            PolicyLineError::WrongFieldCount { keyword: "quorum" },
        ),
        (
            format!("log {log}\r\n"),
            PolicyLineError::ForbiddenByte { byte: b'\r' },
        ),
        (
            "# \u{7f}\n".into(),
            PolicyLineError::ForbiddenByte { byte: 0x7f },
        ),
        (
            format!("witness a {w1}\nwitness a {w2}\n"),
            PolicyLineError::DuplicateName { name: "a".into() },
        ),
        (
            format!("witness none {w1}\n"),
            PolicyLineError::DuplicateName {
                name: "none".into(),
            },
        ),
        (
            format!("witness a {w1}\ngroup a any a\n"),
            PolicyLineError::DuplicateName { name: "a".into() },
        ),
        (
            "quorum b\n".into(),
            PolicyLineError::UndefinedName { name: "b".into() },
        ),
        (
            format!("witness a {w1}\ngroup g any a b\n"),
            PolicyLineError::UndefinedName { name: "b".into() },
        ),
        (
            format!("witness a {w1}\ngroup g any none\n"),
            PolicyLineError::UndefinedName {
                name: "none".into(),
            },
        ),
        (
            format!("witness a {w1}\ngroup g all a a\n"),
            PolicyLineError::DuplicateMember { name: "a".into() },
        ),
        (
            format!("witness a {w1}\nwitness b {w2}\ngroup g any a\ngroup h any a b\n"),
            PolicyLineError::DuplicateMember { name: "a".into() },
        ),
        (
            format!("witness a {w1}\ngroup g 0 a\n"),
            PolicyLineError::InvalidThreshold {
                threshold: "0".into(),
                members: 1,
            },
        ),
        (
            format!("witness a {w1}\ngroup g 2 a\n"),
            PolicyLineError::InvalidThreshold {
                threshold: "2".into(),
                members: 1,
            },
        ),
        (
            format!("witness a {w1}\nwitness b {w2}\ngroup g 01 a b\n"),
            PolicyLineError::InvalidThreshold {
                threshold: "01".into(),
                members: 2,
            },
        ),
        (
            "quorum none\nquorum none\n".into(),
            PolicyLineError::DuplicateQuorum,
        ),
        (
            format!("log {w1}\n"),
            PolicyLineError::WrongKeyType {
                expected: KeyType::Ed25519,
                got: KeyType::CosignatureV1,
            },
        ),
        (
            format!("witness a {log}\n"),
            PolicyLineError::WrongKeyType {
                expected: KeyType::CosignatureV1,
                got: KeyType::Ed25519,
            },
        ),
        (
            // The same public key under another name is still a duplicate.
            format!("witness a {w1}\nwitness b {w1_renamed}\n"),
            PolicyLineError::DuplicateKey {
                name: "other".into(),
            },
        ),
    ];
    for (text, want) in cases {
        assert_eq!(line_error(&text), want, "{text:?}");
    }
    assert!(matches!(
        line_error(&format!("log {log}x\n")),
        PolicyLineError::VerifierKey(_)
    ));
    assert_eq!(
        Policy::parse(b"quorum \xff\n"),
        Err(PolicyError::Line {
            line: 1,
            problem: PolicyLineError::NotUtf8
        })
    );
    assert_eq!(
        Policy::parse(format!("log {log}\n").as_bytes()),
        Err(PolicyError::MissingQuorum)
    );
    // Comments may hold any non-control byte; line numbers count every line.
    let ok = Policy::parse(b"# caf\xc3\xa9 \xff\n\n   # indented\nquorum none\n").unwrap();
    assert!(ok.logs().is_empty());
    assert_eq!(
        Policy::parse(b"quorum none\n\n\nbad\n"),
        Err(PolicyError::Line {
            line: 4,
            problem: PolicyLineError::UnknownKeyword {
                keyword: "bad".into()
            }
        })
    );
}

#[test]
fn log_and_witness_may_not_share_a_key() {
    let wit = cosigner("w.example", 1);
    let same_key = VerifierKey::new(
        KeyName::new("localhost.localdev/sumdb").unwrap(),
        KeyType::Ed25519,
        wit.verifier().public_key().to_vec(),
    )
    .unwrap();
    let text = format!("log {same_key}\nwitness w {}\nquorum w\n", wit.verifier());
    assert_eq!(
        line_error(&text),
        PolicyLineError::DuplicateKey {
            name: "w.example".into()
        }
    );
}

/// Majority quorums: k-of-n intersects exactly when 2k > n; `quorum none` needs no
/// cosignature and intersects nothing; nested groups are judged by their own arithmetic.
#[test]
fn quorum_intersection() {
    let keys: Vec<VerifierKey> = (0..4)
        .map(|i| cosigner(&format!("w{i}"), 40 + i).verifier())
        .collect();
    let log = log_key().verifier();
    for (n, k, majority) in [
        (1, 1, true),
        (2, 2, true),
        (2, 1, false),
        (3, 2, true),
        (3, 1, false),
        (4, 2, false),
        (4, 3, true),
    ] {
        let policy = Policy::new(log.clone(), keys[..n].to_vec(), k).unwrap();
        assert!(policy.needs_cosignature(), "{n} {k}");
        assert_eq!(policy.quorums_intersect(), majority, "{k} of {n}");
    }
    let none = Policy::new(log.clone(), keys.clone(), 0).unwrap();
    assert!(!none.needs_cosignature());
    assert!(!none.quorums_intersect());
    let text = format!(
        "log {}\nwitness a {}\nwitness b {}\nwitness c {}\nwitness d {}\ngroup g1 any a b\ngroup g2 any c d\ngroup top all g1 g2\nquorum top\n",
        log, keys[0], keys[1], keys[2], keys[3]
    );
    // {a, c} and {b, d} each meet "one of a/b and one of c/d": not a majority.
    assert!(!Policy::parse(text.as_bytes()).unwrap().quorums_intersect());
}
