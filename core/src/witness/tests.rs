//! tlog-witness tests: both add-checkpoint scenarios replayed step by step through
//! parse + [`decide`] with state carried between steps (statuses, 409 bodies, and the
//! cosignature each 200 would carry at time 1700000000), the spec examples, sigsum's
//! status sequence, and the wire-format rules.

use super::*;
use crate::cosignature;
use crate::note::test_vectors::{array_field, load, str_field, u64_field};
use crate::note::{KeyName, KeyType, SignerKey};
use crate::time::UnixSeconds;

const VECTOR_TIME: UnixSeconds = UnixSeconds(1_700_000_000);

/// Replays a scenario file; returns the final state.
fn replay(path: &str) -> Option<TreeState> {
    let file = load(path);
    let log = &file["log"];
    let origin = str_field(log, "origin");
    let keys = [VerifierKey::parse(str_field(log, "vkey")).unwrap()];
    let witness = &file["witness"];
    let seed: [u8; 32] = hex::decode(str_field(witness, "ed25519_seed_hex"))
        .unwrap()
        .try_into()
        .unwrap();
    let name = KeyName::new(str_field(witness, "name")).unwrap();
    let witness_key = SignerKey::from_seed(name, KeyType::CosignatureV1, seed).unwrap();
    assert_eq!(
        witness_key.verifier().to_vkey(),
        str_field(witness, "cosigner_vkey")
    );

    let mut state: Option<TreeState> = None;
    for step in array_field(&file, "steps") {
        let at = format!("{path} step {}: {}", step["step"], str_field(step, "desc"));
        let body = str_field(step, "request_body").as_bytes();
        let status = u64_field(step, "expect_status");
        let result = decide_body(body, |o| {
            (o == origin).then_some(KnownLog { keys: &keys, state })
        });
        match result {
            Ok(accepted) => {
                assert_eq!(status, 200, "{at}: accepted");
                let request = AddCheckpointRequest::parse(body).unwrap();
                assert_eq!(request.to_text().as_bytes(), body, "{at}: round trip");
                assert_eq!(accepted.note(), request.note());
                let line =
                    cosignature::sign(&witness_key, accepted.note().text(), VECTOR_TIME).unwrap();
                let expected = str_field(step, "expected_cosignature_if_timestamp_1700000000");
                assert_eq!(line.to_string(), expected, "{at}");
                let response = format_cosignatures(std::slice::from_ref(&line));
                assert_eq!(
                    parse_cosignatures(response.as_bytes()).unwrap(),
                    std::slice::from_ref(&line)
                );
                assert_eq!(
                    cosignature::verify(&witness_key.verifier(), accepted.note().text(), &line),
                    Ok(VECTOR_TIME)
                );
                state = Some(accepted.state());
            }
            Err(rejection) => {
                assert_eq!(
                    u64::from(rejection.http_status()),
                    status,
                    "{at}: {rejection}"
                );
                if status == 409 {
                    let size = rejection.conflict_size().unwrap();
                    assert_eq!(
                        format_size_body(size),
                        str_field(step, "expect_body"),
                        "{at}"
                    );
                    assert_eq!(SIZE_CONTENT_TYPE, str_field(step, "expect_content_type"));
                    assert_eq!(parse_size_body(format_size_body(size).as_bytes()), Ok(size));
                } else {
                    assert_eq!(rejection.conflict_size(), None);
                }
            }
        }
    }
    state
}

#[test]
fn litewitness_scenario() {
    // Step 2's log signature has a corrupted last base64 character (non-zero padding
    // bits): our note parser keeps such a line, and since it names the trusted key it
    // fails verification, so we answer 403 as litewitness does rather than 400.
    // Step 3 (unknown origin): C2SP main says 404; litewitness answered 403. We follow main.
    let state = replay("witness/add-checkpoint-litewitness.json").unwrap();
    let file = load("witness/add-checkpoint-litewitness.json");
    let want = &file["final_state"];
    assert_eq!(state.size, u64_field(want, "size"));
    assert_eq!(state.root.to_hex(), str_field(want, "root_hex"));
}

#[test]
fn litewitness_roots_are_trees_of_the_given_leaf_hashes() {
    let file = load("witness/add-checkpoint-litewitness.json");
    let log = &file["log"];
    let leaves: Vec<Hash> = array_field(log, "leaf_hashes_b64")
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect();
    let reader = Leaves(leaves);
    for (size, root) in log["roots_b64"].as_object().unwrap() {
        let size: u64 = size.parse().unwrap();
        assert_eq!(
            merkle::tree_root(size, &reader).unwrap().to_base64(),
            root.as_str().unwrap()
        );
    }
}

#[test]
fn derived_scenario() {
    // Step 9 (same size, different root): 422 on C2SP main (#280); v1.0.0 said 409.
    let state = replay("witness/add-checkpoint-derived.json").unwrap();
    assert_eq!(state.size, 8);
}

#[test]
fn derived_scenario_fork_evidence() {
    let file = load("witness/add-checkpoint-derived.json");
    let keys = [VerifierKey::parse(str_field(&file["log"], "vkey")).unwrap()];
    let steps = array_field(&file, "steps");
    let body = |n: usize| str_field(&steps[n - 1], "request_body").as_bytes();
    let at_5 = TreeState {
        size: 5,
        root: Hash::from_base64("Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=").unwrap(),
    };
    let known = Some(KnownLog {
        keys: &keys,
        state: Some(at_5),
    });
    let fork = decide(&AddCheckpointRequest::parse(body(9)).unwrap(), known).unwrap_err();
    let Rejection::SameSizeDifferentRoot(evidence) = &fork else {
        panic!("{fork:?}");
    };
    assert_eq!(evidence.stored, at_5);
    assert_eq!(evidence.checkpoint.size(), 5);
    assert_ne!(evidence.checkpoint.root(), &at_5.root);
    assert_eq!(
        evidence.note.to_text().as_bytes(),
        &body(9)[7..],
        "the signed note, verbatim"
    );
    // A genuinely signed larger checkpoint with a proof that fails: 422, and not
    // evidence, since the proof is the sender's and proves nothing about the log.
    let bad_proof = decide(&AddCheckpointRequest::parse(body(10)).unwrap(), known).unwrap_err();
    assert_eq!(bad_proof.fork_evidence(), None);
    assert_eq!(bad_proof.http_status(), 422);
    assert!(matches!(
        bad_proof,
        Rejection::InconsistentProof {
            error: MerkleError::RootMismatch,
        }
    ));
    // Unsigned or unknown-origin conflicts are not evidence.
    let unsigned = decide(&AddCheckpointRequest::parse(body(11)).unwrap(), known).unwrap_err();
    assert_eq!(unsigned.fork_evidence(), None);
    assert!(matches!(
        unsigned,
        Rejection::Signature(NoteError::NoVerifiedSignature)
    ));
    assert!(matches!(
        decide(&AddCheckpointRequest::parse(body(13)).unwrap(), known),
        Err(Rejection::Signature(NoteError::InvalidSignature { .. }))
    ));
}

#[test]
fn spec_examples_parse() {
    let file = load("witness/spec-examples.json");
    let examples = &file["spec_examples"];
    let text = str_field(examples, "add_checkpoint_request_example");
    let request = AddCheckpointRequest::parse(text.as_bytes()).unwrap();
    let parsed = &examples["add_checkpoint_request_parsed"];
    assert_eq!(request.old_size(), u64_field(parsed, "old_size"));
    assert_eq!(
        request.consistency_proof().len() as u64,
        u64_field(parsed, "proof_count")
    );
    assert_eq!(
        request.checkpoint().origin(),
        str_field(parsed, "checkpoint_origin")
    );
    assert_eq!(
        request.checkpoint().size(),
        u64_field(parsed, "checkpoint_size")
    );
    assert_eq!(
        request.note().signatures().len() as u64,
        u64_field(parsed, "signature_lines")
    );
    assert_eq!(request.to_text(), text);

    let response = str_field(examples, "add_checkpoint_response_example");
    let lines = parse_cosignatures(response.as_bytes()).unwrap();
    assert_eq!(lines.len(), 3);
    // Cosignature/v1-shaped (76 bytes with the key ID), but the bytes are illustrative:
    // the first line's timestamp field has its top bit set, which no real line may.
    for line in &lines {
        assert_eq!(line.signature().len(), 72, "cosignature/v1 shape");
    }
    assert!(matches!(
        cosignature::unverified_timestamp(&lines[0]),
        Err(cosignature::CosignatureError::TimestampTooLarge { .. })
    ));
    assert_eq!(format_cosignatures(&lines), response);
    // The sign-subtree example elides its signature ("[...]") and we do not implement
    // the optional sign-subtree endpoint: nothing to parse there.

    let sigsum_line = &file["sigsum_witness_test"]["success_line_regex"];
    assert!(
        sigsum_line.as_str().unwrap().ends_with("{102}==$"),
        "104-char cosignature lines"
    );
}

#[test]
fn monitoring_origin_hashes() {
    let file = load("witness/spec-examples.json");
    for vector in array_field(&file["monitoring_origin_hash_DERIVED"], "vectors") {
        let hash = monitoring_origin_hash(str_field(vector, "origin"));
        assert_eq!(hash, str_field(vector, "sha256_hex"));
        assert_eq!(
            format!("/{hash}/checkpoint"),
            str_field(vector, "monitoring_path_suffix")
        );
    }
    // transparency-dev's log ID hashes "o:" || origin: a different value, on purpose.
    for vector in array_field(&file["do_not_confuse_log_ID"], "vectors") {
        let origin = str_field(vector, "origin");
        let log_id = str_field(vector, "formats_log_ID");
        assert_ne!(monitoring_origin_hash(origin), log_id);
        assert_eq!(hex::encode(Sha256::digest(format!("o:{origin}"))), log_id);
    }
}

/// A hash reader over leaf hashes (recomputes every subtree).
struct Leaves(Vec<Hash>);

impl merkle::HashReader for Leaves {
    type Error = std::convert::Infallible;
    fn read_hashes(&self, nodes: &[merkle::NodeId]) -> Result<Vec<Hash>, Self::Error> {
        Ok(nodes
            .iter()
            .map(|node| {
                let range = node.leaves();
                let mut level = self.0[range.start as usize..range.end as usize].to_vec();
                while level.len() > 1 {
                    level = level
                        .chunks(2)
                        .map(|p| merkle::node_hash(&p[0], &p[1]))
                        .collect();
                }
                level[0]
            })
            .collect())
    }
}

/// A small log: signs checkpoints of `leaf_hash(i)` trees and builds requests.
struct TestLog {
    key: SignerKey,
    leaves: Leaves,
}

impl TestLog {
    fn new() -> TestLog {
        let name = KeyName::new("example.com/test-log").unwrap();
        TestLog {
            key: SignerKey::from_seed(name, KeyType::Ed25519, [21; 32]).unwrap(),
            leaves: Leaves((0..16u8).map(|i| merkle::leaf_hash(&[i])).collect()),
        }
    }

    fn request(&self, old: u64, new: u64) -> String {
        let root = merkle::tree_root(new, &self.leaves).unwrap();
        let checkpoint = Checkpoint::new(self.key.name().as_str(), new, root).unwrap();
        let note = Note::sign(checkpoint.to_text(), [&self.key]).unwrap();
        let proof = if old == 0 || old >= new {
            Vec::new()
        } else {
            merkle::consistency_proof(old, new, &self.leaves).unwrap()
        };
        AddCheckpointRequest::new(old, proof, note)
            .unwrap()
            .to_text()
    }
}

#[test]
fn sigsum_status_sequence() {
    let file = load("witness/spec-examples.json");
    let log = TestLog::new();
    let keys = [log.key.verifier()];
    let mut state = None;
    for step in array_field(&file["sigsum_witness_test"], "sequence") {
        let (old, new) = (u64_field(step, "old"), u64_field(step, "new"));
        let body = log.request(old, new);
        let result = decide_body(body.as_bytes(), |_| Some(KnownLog { keys: &keys, state }));
        let status = match &result {
            Ok(accepted) => {
                state = Some(accepted.state());
                200
            }
            Err(rejection) => {
                if let Some(size) = rejection.conflict_size() {
                    assert_eq!(format_size_body(size), str_field(step, "body"));
                }
                rejection.http_status()
            }
        };
        assert_eq!(
            u64::from(status),
            u64_field(step, "status"),
            "{old} -> {new}"
        );
    }
}

#[test]
fn every_old_size_and_new_size_up_to_16() {
    let log = TestLog::new();
    let keys = [log.key.verifier()];
    for stored in 0..=16u64 {
        let state = Some(TreeState {
            size: stored,
            root: merkle::tree_root(stored, &log.leaves).unwrap(),
        });
        for new in 0..=16u64 {
            for old in 0..=new {
                let body = log.request(old, new);
                let result =
                    decide_body(body.as_bytes(), |_| Some(KnownLog { keys: &keys, state }));
                let expected = if old != stored { 409 } else { 200 };
                let got = result.as_ref().map_or_else(Rejection::http_status, |_| 200);
                assert_eq!(got, expected, "stored {stored}, {old} -> {new}: {result:?}");
            }
        }
    }
}

#[test]
fn request_wire_rules() {
    let log = TestLog::new();
    let good = log.request(3, 7);
    AddCheckpointRequest::parse(good.as_bytes()).unwrap();
    let note_start = good.find("\n\n").unwrap() + 2;
    let note = &good[note_start..];
    let hash = merkle::empty_root().to_base64();
    let malformed = |body: &str| match AddCheckpointRequest::parse(body.as_bytes()) {
        Err(error) => Rejection::Malformed(error).http_status(),
        Ok(_) => 200,
    };
    for bad in [
        format!("old 03\n\n{note}"),
        format!("old -3\n\n{note}"),
        format!("old 3 \n\n{note}"),
        format!("Old 3\n\n{note}"),
        format!("old 3\n{}\n\n{note}", &hash[..43]),
        format!("old 3\n{hash}x\n\n{note}"),
        format!("old 3\n{hash}"),
        "old 3\n\nnot a note\n".to_owned(),
        format!(
            "old 3\n\nnot a checkpoint\n\n{}",
            note.lines().last().unwrap()
        ),
    ] {
        assert_eq!(malformed(&bad), 400, "{bad:?}");
    }
    let lines: String = std::iter::repeat_n(format!("{hash}\n"), 63).collect();
    assert!(AddCheckpointRequest::parse(format!("old 3\n{lines}\n{note}").as_bytes()).is_ok());
    assert_eq!(
        AddCheckpointRequest::parse(format!("old 3\n{lines}{hash}\n\n{note}").as_bytes()),
        Err(WireError::TooManyProofLines { count: 64 })
    );
    let huge = vec![b'a'; MAX_ADD_CHECKPOINT_BODY + 1];
    let too_large = AddCheckpointRequest::parse(&huge).unwrap_err();
    assert_eq!(Rejection::Malformed(too_large).http_status(), 413);
    assert!(
        AddCheckpointRequest::new(
            0,
            vec![merkle::empty_root(); 64],
            Note::parse(note.as_bytes()).unwrap()
        )
        .is_err()
    );
    // Not the witness's origin: 404, before any signature check.
    let unknown = decide_body(good.as_bytes(), |_| None).unwrap_err();
    assert_eq!(unknown.http_status(), 404);
}

#[test]
fn response_wire_rules() {
    assert_eq!(parse_size_body(b"0\n"), Ok(0));
    assert_eq!(parse_size_body(b"18446744073709551615\n"), Ok(u64::MAX));
    for bad in [
        &b""[..],
        b"3",
        b"03\n",
        b"3\n\n",
        b" 3\n",
        b"3\r\n",
        b"+3\n",
    ] {
        assert!(parse_size_body(bad).is_err(), "{bad:?}");
    }
    let witness =
        SignerKey::from_seed(KeyName::new("w").unwrap(), KeyType::CosignatureV1, [2; 32]).unwrap();
    let body = TestLog::new().request(0, 1);
    let request = AddCheckpointRequest::parse(body.as_bytes()).unwrap();
    let line = cosignature::sign(&witness, request.note().text(), UnixSeconds(1)).unwrap();
    let response = format_cosignatures(&[line.clone(), line.clone()]);
    assert_eq!(
        parse_cosignatures(response.as_bytes()).unwrap(),
        [line.clone(), line.clone()]
    );
    for bad in [
        "",
        "\n",
        &response[..response.len() - 1],
        &format!("{response}\n"),
        "hello\n",
    ] {
        assert!(parse_cosignatures(bad.as_bytes()).is_err(), "{bad:?}");
    }
    // The log's side: merge the verified lines into its copy of the checkpoint.
    let mut note = request.note().clone();
    let lines = parse_cosignatures(response.as_bytes()).unwrap();
    for line in &lines {
        cosignature::verify(&witness.verifier(), note.text(), line).unwrap();
    }
    note.add_signatures(lines).unwrap();
    assert_eq!(note.signatures().len(), 3);
}
