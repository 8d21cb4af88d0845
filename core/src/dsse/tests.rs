use super::*;

const WITHDRAWAL: &[u8] = br#"{"type":"withdrawal","org":"Acme AI","submission":3}"#;

fn key() -> SigningKey {
    SigningKey::from_seed(&[3; 32])
}

#[test]
fn pae_known_answers() {
    // The example in DSSE's protocol.md.
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    );
    // Docket's payload type is 40 bytes long; the payload is copied raw, not escaped.
    assert_eq!(
        pae(PAYLOAD_TYPE, b"{\"a\":1}\n"),
        b"DSSEv1 40 application/vnd.docket.statement.v1+json 8 {\"a\":1}\n"
    );
    assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
}

#[test]
fn ed25519_matches_rfc8032_test_1() {
    // RFC 8032 §7.1, TEST 1 (empty message).
    let seed: [u8; 32] =
        hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
            .unwrap()
            .try_into()
            .unwrap();
    let key = SigningKey::from_seed(&seed);
    assert_eq!(
        key.public_key().to_hex(),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    assert_eq!(
        hex::encode(key.sign(b"")),
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
         5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    );
    // keyid = SHA-256 of the 32 public key bytes (computed independently, Python hashlib).
    assert_eq!(
        key.keyid().to_hex(),
        "21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9"
    );
}

#[test]
fn sign_encode_parse_verify() {
    let envelope = Envelope::sign_payload(WITHDRAWAL.to_vec(), &key());
    let json = envelope.to_json();
    let text = String::from_utf8(json.clone()).unwrap();
    let expected_prefix = format!(
        r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{}","signatures":[{{"keyid":"{}","sig":""#,
        BASE64.encode(WITHDRAWAL),
        key().keyid()
    );
    assert!(text.starts_with(&expected_prefix), "{text}");
    assert!(text.ends_with(r#""}]}"#), "{text}");

    let parsed = Envelope::from_json(&json).unwrap();
    assert_eq!(parsed, envelope);
    assert_eq!(parsed.to_json(), json, "canonical encoding round-trips");
    assert_eq!(parsed.keyid().unwrap(), &key().keyid());

    let verified = parsed.verify(&key().public_key()).unwrap();
    assert_eq!(verified.statement().kind().as_str(), "withdrawal");
    assert_eq!(verified.payload(), WITHDRAWAL);
    assert_eq!(verified.keyid(), key().keyid());
    assert_eq!(verified.public_key(), &key().public_key());
    assert_eq!(verified.digest(), statement_digest(WITHDRAWAL));
    assert_eq!(verified.envelope(), &envelope);
    assert_eq!(verified.into_envelope(), envelope);
}

#[test]
fn sign_checks_the_statement() {
    let statement = Statement::from_json(WITHDRAWAL).unwrap();
    let envelope = Envelope::sign(&statement, &key()).unwrap();
    assert_eq!(envelope.payload, WITHDRAWAL);
}

#[test]
fn whitespace_in_received_envelope_is_normalised() {
    let envelope = Envelope::sign_payload(WITHDRAWAL.to_vec(), &key());
    let canonical = String::from_utf8(envelope.to_json()).unwrap();
    let spaced = canonical.replace(":", " : ").replace(",", " ,\n ");
    let parsed = Envelope::from_json(spaced.as_bytes()).unwrap();
    assert_eq!(parsed.to_json(), canonical.as_bytes());
}

#[test]
fn every_one_byte_change_and_truncation_is_rejected() {
    let public_key = key().public_key();
    let json = Envelope::sign_payload(WITHDRAWAL.to_vec(), &key()).to_json();
    let accepts = |bytes: &[u8]| {
        Envelope::from_json(bytes)
            .ok()
            .and_then(|e| e.verify(&public_key).ok())
            .is_some()
    };
    assert!(accepts(&json));
    for i in 0..json.len() {
        for flip in [0x01, 0x20, 0x80] {
            let mut mangled = json.clone();
            mangled[i] ^= flip;
            assert!(!accepts(&mangled), "byte {i} ^ {flip:#x} accepted");
        }
        assert!(!accepts(&json[..i]), "prefix of {i} bytes accepted");
    }
}

#[test]
fn tampering_is_rejected_with_precise_errors() {
    let signer = key();
    let other = SigningKey::from_seed(&[4; 32]);
    let good = Envelope::sign_payload(WITHDRAWAL.to_vec(), &signer);

    let mut payload = good.clone();
    payload.payload = br#"{"type":"withdrawal","org":"Acme AI","submission":4}"#.to_vec();
    assert_eq!(
        payload.verify(&signer.public_key()),
        Err(DsseError::BadSignature {
            keyid: signer.keyid()
        })
    );

    let mut sig = good.clone();
    sig.signatures[0].sig[10] ^= 1;
    assert_eq!(
        sig.verify(&signer.public_key()),
        Err(DsseError::BadSignature {
            keyid: signer.keyid()
        })
    );

    assert_eq!(
        good.verify(&other.public_key()),
        Err(DsseError::KeyIdMismatch {
            keyid: signer.keyid(),
            expected: other.keyid()
        })
    );

    let mut relabelled = good.clone();
    relabelled.signatures[0].keyid = other.keyid();
    assert_eq!(
        relabelled.verify(&other.public_key()),
        Err(DsseError::BadSignature {
            keyid: other.keyid()
        })
    );

    let mut typed = good.clone();
    typed.payload_type = "application/vnd.in-toto+json".into();
    assert_eq!(
        typed.verify(&signer.public_key()),
        Err(DsseError::WrongPayloadType {
            found: "application/vnd.in-toto+json".into()
        })
    );

    let mut two = good.clone();
    two.signatures.push(two.signatures[0].clone());
    assert_eq!(
        two.verify(&signer.public_key()),
        Err(DsseError::SignatureCount { found: 2 })
    );
    let mut none = good.clone();
    none.signatures.clear();
    assert_eq!(none.keyid(), Err(DsseError::SignatureCount { found: 0 }));

    let bad_statement = Envelope::sign_payload(br#"{"type":"withdrawal"}"#.to_vec(), &signer);
    let error = bad_statement.verify(&signer.public_key()).unwrap_err();
    assert!(
        matches!(error, DsseError::Statement(StatementError::Json { .. })),
        "{error:?}"
    );
    assert_eq!(error.http_status(), 400);
    assert_eq!(
        DsseError::BadSignature {
            keyid: signer.keyid()
        }
        .http_status(),
        403
    );
}

#[test]
fn malformed_envelopes_are_rejected() {
    let good = Envelope::sign_payload(WITHDRAWAL.to_vec(), &key());
    let payload = BASE64.encode(WITHDRAWAL);
    let keyid = key().keyid().to_hex();
    let sig = BASE64.encode(good.signatures[0].sig);
    let envelope = |payload_type: &str, payload: &str, signatures: &str| {
        format!(
            r#"{{"payloadType":"{payload_type}","payload":"{payload}","signatures":{signatures}}}"#
        )
    };
    let one = |keyid: &str, sig: &str| format!(r#"[{{"keyid":"{keyid}","sig":"{sig}"}}]"#);
    let unpadded = payload.trim_end_matches('=');
    assert_ne!(unpadded, payload, "the test payload needs padding");
    let sig_no_pad = sig.trim_end_matches('=');
    let short_sig = BASE64.encode([0u8; 63]);
    let cases: Vec<(String, DsseError)> = vec![
        (
            envelope("application/json", &payload, &one(&keyid, &sig)),
            DsseError::WrongPayloadType {
                found: "application/json".into(),
            },
        ),
        (
            envelope(PAYLOAD_TYPE, unpadded, &one(&keyid, &sig)),
            DsseError::BadBase64 { field: "payload" },
        ),
        (
            envelope(
                PAYLOAD_TYPE,
                &payload,
                &one(&keyid, &sig.replace('+', "-").replace('/', "_")),
            ),
            DsseError::BadBase64 {
                field: "signatures[0].sig",
            },
        ),
        (
            envelope(PAYLOAD_TYPE, &payload, "[]"),
            DsseError::SignatureCount { found: 0 },
        ),
        (
            envelope(
                PAYLOAD_TYPE,
                &payload,
                &format!(
                    "[{0},{0}]",
                    &one(&keyid, &sig)[1..one(&keyid, &sig).len() - 1]
                ),
            ),
            DsseError::SignatureCount { found: 2 },
        ),
        (
            envelope(PAYLOAD_TYPE, &payload, &one(&keyid.to_uppercase(), &sig)),
            DsseError::BadKeyId(KeyError::NotLowercaseHex),
        ),
        (
            envelope(PAYLOAD_TYPE, &payload, &one(&keyid[..62], &sig)),
            DsseError::BadKeyId(KeyError::WrongLength {
                expected: 32,
                found: 31,
            }),
        ),
        (
            envelope(PAYLOAD_TYPE, &payload, &one(&keyid, sig_no_pad)),
            DsseError::BadBase64 {
                field: "signatures[0].sig",
            },
        ),
        (
            envelope(PAYLOAD_TYPE, &payload, &one(&keyid, &short_sig)),
            DsseError::WrongSignatureLength { found: 63 },
        ),
    ];
    for (text, error) in cases {
        assert_eq!(Envelope::from_json(text.as_bytes()), Err(error), "{text}");
    }
    // The URL-safe alphabet case above proves something only if the signature has a
    // character outside it.
    assert!(sig.contains('+') || sig.contains('/'), "{sig}");

    let structural = [
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{payload}","signatures":{},"extra":1}}"#,
            one(&keyid, &sig)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payloadType":"{PAYLOAD_TYPE}","payload":"{payload}","signatures":{}}}"#,
            one(&keyid, &sig)
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{payload}","signatures":[{{"keyid":"{keyid}","keyid":"{keyid}","sig":"{sig}"}}]}}"#
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{payload}","signatures":[{{"keyid":"{keyid}","sig":"{sig}","cert":""}}]}}"#
        ),
        format!(
            r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{payload}","signatures":[["{keyid}","{sig}"]]}}"#
        ),
        format!(r#"["{PAYLOAD_TYPE}","{payload}",{}]"#, one(&keyid, &sig)),
        format!(r#"{{"payloadType":"{PAYLOAD_TYPE}","payload":"{payload}"}}"#),
    ];
    for text in structural {
        assert!(
            matches!(
                Envelope::from_json(text.as_bytes()),
                Err(DsseError::Json { .. })
            ),
            "{text}"
        );
    }
}

#[test]
fn keys_parse_strictly() {
    let public_key = key().public_key();
    assert_eq!(
        PublicKey::from_hex(&public_key.to_hex()).unwrap(),
        public_key
    );
    assert_eq!(
        PublicKey::from_hex(&public_key.to_hex().to_uppercase()),
        Err(KeyError::NotLowercaseHex)
    );
    assert_eq!(PublicKey::from_hex("zz"), Err(KeyError::NotLowercaseHex));
    // y = 2 is not the y-coordinate of any point on edwards25519.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert_eq!(
        PublicKey::from_bytes(&not_a_point),
        Err(KeyError::NotAPoint)
    );
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(PublicKey::from_bytes(&identity), Err(KeyError::WeakKey));
    assert_eq!(
        KeyId::from_hex(&public_key.keyid().to_hex()).unwrap(),
        public_key.keyid()
    );
    let seed_hex = hex::encode([3u8; 32]);
    assert_eq!(
        SigningKey::from_hex(&seed_hex).unwrap().public_key(),
        public_key
    );
    assert_eq!(
        SigningKey::from_hex(&seed_hex[2..]).unwrap_err(),
        KeyError::WrongLength {
            expected: 32,
            found: 31
        }
    );
    assert!(
        !format!("{:?}", key()).contains(&seed_hex[..8]),
        "Debug must not show the seed"
    );
    let json = serde_json::to_string(&public_key).unwrap();
    assert_eq!(
        serde_json::from_str::<PublicKey>(&json).unwrap(),
        public_key
    );
}

#[test]
fn public_keys_compare_hash_and_order_by_their_bytes() {
    let keys: Vec<PublicKey> = (1..=8u8)
        .map(|seed| SigningKey::from_seed(&[seed; 32]).public_key())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    let mut by_bytes = keys.clone();
    by_bytes.sort_by_key(|key| *key.as_bytes());
    assert_eq!(sorted, by_bytes);
    // A key parsed from its bytes is the same key as the one derived from the seed, in a
    // set as much as by `==` (the cached point plays no part).
    let parsed = PublicKey::from_bytes(keys[0].as_bytes()).unwrap();
    let set: std::collections::HashSet<PublicKey> = keys.iter().copied().chain([parsed]).collect();
    assert_eq!(set.len(), keys.len());
    assert_eq!(parsed.cmp(&keys[0]), std::cmp::Ordering::Equal);
    assert_ne!(keys[0], keys[1]);
    // The cached point verifies what the key signed, and nothing else.
    let message = b"cached point";
    let signature = SigningKey::from_seed(&[1; 32]).sign(message);
    assert!(parsed.verify(message, &signature));
    assert!(!keys[1].verify(message, &signature));
    assert!(!parsed.verify(b"another message", &signature));
}
