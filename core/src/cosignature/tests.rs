//! cosignature/v1 tests: every vector in `cosignature/cosignatures.json`, plus the
//! refusals (zero or too-large timestamps, wrong key types, tampering).

use super::*;
use crate::note::test_vectors::{array_field, load, str_field, u64_field};
use crate::note::{KeyId, Note, NoteError};

fn line_with(b64: &str) -> Signature {
    Signature::parse_line(&format!("— witness.example {b64}")).unwrap()
}

fn witness(seed: u8) -> SignerKey {
    let name = KeyName::new("example.com/witness").unwrap();
    SignerKey::from_seed(name, KeyType::CosignatureV1, [seed; 32]).unwrap()
}

const BODY: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn cosignatures_json_vectors() {
    let file = load("cosignature/cosignatures.json");
    let vectors = array_field(&file, "vectors");
    assert_eq!(vectors.len(), 6);

    // C2SP example: decode only (the witness key is not published).
    let example = &vectors[0];
    let line = Signature::parse_line(str_field(example, "line")).unwrap();
    let decoded = &example["decoded"];
    assert_eq!(line.key_id().to_string(), str_field(decoded, "key_id_hex"));
    assert_eq!(
        unverified_timestamp(&line).unwrap(),
        UnixSeconds(u64_field(decoded, "timestamp"))
    );
    assert_eq!(
        hex::encode(&line.signature()[8..]),
        str_field(decoded, "ed25519_signature_hex")
    );
    let message = signed_message(
        str_field(example, "cosigned_checkpoint_body"),
        UnixSeconds(u64_field(decoded, "timestamp")),
    );
    assert_eq!(message, str_field(example, "signed_message").as_bytes());

    // formats TestCoSigV1Timestamp, and a 68-byte plain signature that is too short.
    let stamped = line_with(str_field(&vectors[1], "signature_b64"));
    assert_eq!(
        unverified_timestamp(&stamped),
        Ok(UnixSeconds(u64_field(&vectors[1]["expect"], "timestamp")))
    );
    let short = line_with(str_field(&vectors[2], "signature_b64"));
    assert_eq!(
        unverified_timestamp(&short),
        Err(CosignatureError::WrongLength { len: 64 })
    );

    // sigsum's exact message for a large timestamp.
    let sigsum = &vectors[3];
    assert_eq!(
        signed_message(
            str_field(sigsum, "checkpoint_body"),
            UnixSeconds(u64_field(sigsum, "timestamp"))
        ),
        str_field(sigsum, "signed_message").as_bytes()
    );

    // Derived lines: signing must reproduce them byte for byte, and they must verify.
    let derived = array_field(&vectors[4], "derived");
    assert_eq!(derived.len(), 6);
    for case in derived {
        let name = KeyName::new(str_field(case, "cosigner_name")).unwrap();
        let seed: [u8; 32] = hex::decode(str_field(case, "cosigner_seed_hex"))
            .unwrap()
            .try_into()
            .unwrap();
        let key = SignerKey::from_seed(name.clone(), KeyType::CosignatureV1, seed).unwrap();
        let plain = SignerKey::from_seed(name, KeyType::Ed25519, seed).unwrap();
        assert_eq!(key.verifier().to_vkey(), str_field(case, "cosigner_vkey"));
        assert_eq!(
            plain.verifier().to_vkey(),
            str_field(case, "plain_ed25519_vkey_of_same_key")
        );
        let body = str_field(case, "checkpoint_body");
        let timestamp = UnixSeconds(u64_field(case, "timestamp"));
        assert_eq!(
            signed_message(body, timestamp),
            str_field(case, "signed_message").as_bytes()
        );
        let signature = sign(&key, body, timestamp).unwrap();
        assert_eq!(signature.to_string(), str_field(case, "expected_line"));
        let parsed = Signature::parse_line(str_field(case, "expected_line")).unwrap();
        assert_eq!(verify(&key.verifier(), body, &parsed), Ok(timestamp));
        // The same key as a plain note key: a different key ID, so never a match.
        assert_eq!(
            verify(&plain.verifier(), body, &parsed),
            Err(CosignatureError::WrongKeyType {
                key_type: KeyType::Ed25519
            })
        );
        assert_ne!(plain.key_id(), parsed.key_id());
    }

    // ML-DSA-44 subtree/v1 message layouts.
    let cases = array_field(&vectors[5], "cases");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let message = subtree_v1_message(
            &KeyName::new(str_field(case, "cosigner_name")).unwrap(),
            UnixSeconds(u64_field(case, "timestamp")),
            str_field(case, "log_origin"),
            u64_field(case, "start"),
            u64_field(case, "end"),
            &Hash::from_base64(str_field(case, "hash_b64")).unwrap(),
        )
        .unwrap();
        assert_eq!(hex::encode(message), str_field(case, "message_hex"));
    }
}

#[test]
fn signing_refuses_bad_timestamps_keys_and_texts() {
    let key = witness(3);
    assert_eq!(
        sign(&key, BODY, UnixSeconds(0)),
        Err(CosignatureError::ZeroTimestamp)
    );
    let too_large = UnixSeconds(MAX_TIMESTAMP.0 + 1);
    assert_eq!(
        sign(&key, BODY, too_large),
        Err(CosignatureError::TimestampTooLarge {
            timestamp: too_large
        })
    );
    assert!(sign(&key, BODY, MAX_TIMESTAMP).is_ok());
    assert!(matches!(
        sign(&key, "not a checkpoint\n", UnixSeconds(1)),
        Err(CosignatureError::NotACheckpoint(_))
    ));
    let plain = SignerKey::from_seed(key.name().clone(), KeyType::Ed25519, [3; 32]).unwrap();
    assert_eq!(
        sign(&plain, BODY, UnixSeconds(1)),
        Err(CosignatureError::WrongKeyType {
            key_type: KeyType::Ed25519
        })
    );
}

#[test]
fn verification_refuses_tampering() {
    let key = witness(4);
    let verifier = key.verifier();
    let good = sign(&key, BODY, UnixSeconds(1_700_000_000)).unwrap();
    assert_eq!(
        verify(&verifier, BODY, &good),
        Ok(UnixSeconds(1_700_000_000))
    );
    let other_body = BODY.replace("20852163", "20852164");
    assert_eq!(
        verify(&verifier, &other_body, &good),
        Err(CosignatureError::InvalidSignature)
    );
    let mut bytes = good.signature().to_vec();
    bytes[7] ^= 1;
    let retimed = Signature::new(good.name().clone(), good.key_id(), bytes.clone()).unwrap();
    assert_eq!(
        verify(&verifier, BODY, &retimed),
        Err(CosignatureError::InvalidSignature)
    );
    bytes[0] = 0x80;
    let huge = Signature::new(good.name().clone(), good.key_id(), bytes).unwrap();
    assert!(matches!(
        verify(&verifier, BODY, &huge),
        Err(CosignatureError::TimestampTooLarge { .. })
    ));
    let renamed = Signature::new(
        KeyName::new("other").unwrap(),
        good.key_id(),
        good.signature().to_vec(),
    )
    .unwrap();
    assert_eq!(
        verify(&verifier, BODY, &renamed),
        Err(CosignatureError::KeyMismatch)
    );
    let rekeyed = Signature::new(
        good.name().clone(),
        KeyId(good.key_id().0 ^ 1),
        good.signature().to_vec(),
    )
    .unwrap();
    assert_eq!(
        verify(&verifier, BODY, &rekeyed),
        Err(CosignatureError::KeyMismatch)
    );
}

#[test]
fn notes_verify_cosignatures_with_their_timestamp() {
    let log = SignerKey::from_seed(
        KeyName::new("example.com/behind-the-sofa").unwrap(),
        KeyType::Ed25519,
        [5; 32],
    )
    .unwrap();
    let wit = witness(6);
    let mut note = Note::sign(BODY, [&log]).unwrap();
    note.add_signatures([sign(&wit, BODY, UnixSeconds(42)).unwrap()])
        .unwrap();
    let verification = note.verify(&[log.verifier(), wit.verifier()]).unwrap();
    let stamps: Vec<Option<UnixSeconds>> = verification
        .verified()
        .iter()
        .map(|v| v.timestamp())
        .collect();
    assert_eq!(stamps, [None, Some(UnixSeconds(42))]);
    // A plain Ed25519 line is never taken as a cosignature and vice versa: with the
    // other type's vkey, the key IDs differ and the lines are unknown.
    let plain_witness = VerifierKey::new(
        wit.name().clone(),
        KeyType::Ed25519,
        wit.verifier().public_key().to_vec(),
    )
    .unwrap();
    let verification = note.verify(&[log.verifier(), plain_witness]).unwrap();
    assert_eq!(verification.verified().len(), 1);
    assert_eq!(verification.unverified().len(), 1);
    let only_witness = note.verify(&[wit.verifier()]).unwrap();
    assert_eq!(
        only_witness.verified()[0].timestamp(),
        Some(UnixSeconds(42))
    );
    assert_eq!(note.verify(&[]), Err(NoteError::NoVerifiedSignature));
}

#[test]
fn subtree_message_rules() {
    let name = KeyName::new("w").unwrap();
    let hash = crate::merkle::empty_root();
    assert_eq!(
        subtree_v1_message(&name, UnixSeconds(1), "log", 8, 13, &hash),
        Err(CosignatureError::SubtreeTimestamp)
    );
    let long = "x".repeat(256);
    assert_eq!(
        subtree_v1_message(&name, UnixSeconds(0), &long, 0, 1, &hash),
        Err(CosignatureError::FieldLength {
            field: "origin",
            len: 256
        })
    );
    assert!(subtree_v1_message(&name, UnixSeconds(0), &long[..255], 0, 1, &hash).is_ok());
}
