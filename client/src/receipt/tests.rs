use super::*;
use docket_core::dsse::SigningKey;
use docket_core::note::{KeyName, KeyType, SignerKey};
use docket_core::statement::Statement;

const ORIGIN: &str = "test.example/docket";

fn log_key() -> SignerKey {
    SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyType::Ed25519, [9; 32]).unwrap()
}

fn witness_key() -> SignerKey {
    SignerKey::from_seed(
        KeyName::new("witness.test").unwrap(),
        KeyType::CosignatureV1,
        [10; 32],
    )
    .unwrap()
}

fn envelope() -> Envelope {
    let statement =
        Statement::from_json(br#"{"type":"withdrawal","org":"Acme AI","submission":3}"#).unwrap();
    Envelope::sign(&statement, &SigningKey::from_seed(&[1; 32])).unwrap()
}

/// A receipt for `envelope` at index 1 of a two-leaf tree, its checkpoint signed by the
/// log and cosigned by one witness.
fn receipt_json(envelope: &Envelope) -> String {
    let entry = Entry {
        logged_at: UnixMillis(1_780_401_600_250),
        envelope: envelope.clone(),
    }
    .encode()
    .unwrap();
    let other = merkle::leaf_hash(b"entry zero");
    let leaf = merkle::leaf_hash(&entry);
    let root = merkle::node_hash(&other, &leaf);
    let text = Checkpoint::new(ORIGIN, 2, root).unwrap().to_text();
    let mut note = Note::sign(text.clone(), [&log_key()]).unwrap();
    let cosig =
        docket_core::cosignature::sign(&witness_key(), &text, UnixSeconds(1_780_401_601)).unwrap();
    note.add_signatures(vec![cosig]).unwrap();
    let note = note.to_text();
    let proof = TlogProof::new(None, 1, vec![other], note.clone())
        .unwrap()
        .to_text();
    serde_json::json!({
        "index": 1,
        "logged_at": 1_780_401_600_250u64,
        "leaf_hash": leaf.to_hex(),
        "checkpoint": note,
        "proof": proof,
        "entry": BASE64.encode(&entry),
        "statement_digest": "ignored",
    })
    .to_string()
}

fn trust(quorum: usize) -> Policy {
    policy(
        &log_key().verifier().to_vkey(),
        &[witness_key().verifier().to_vkey()],
        Some(quorum),
    )
    .unwrap()
}

#[test]
fn a_good_receipt_verifies_with_and_without_the_log_key() {
    let envelope = envelope();
    let receipt = Receipt::parse(receipt_json(&envelope).as_bytes()).unwrap();
    let check = receipt.verify(Some(&envelope), None).unwrap();
    assert_eq!(
        check,
        ReceiptCheck {
            index: 1,
            logged_at: UnixMillis(1_780_401_600_250),
            tree_size: 2,
            leaf_from_entry: true,
            signature_verified: false,
            cosignatures: vec![],
        }
    );
    let check = receipt.verify(Some(&envelope), Some(&trust(1))).unwrap();
    assert!(check.signature_verified);
    assert_eq!(
        check.cosignatures,
        vec![("witness.test".to_string(), UnixSeconds(1_780_401_601))]
    );
}

#[test]
fn a_receipt_without_entry_bytes_is_checked_against_the_envelope_sent() {
    let envelope = envelope();
    let mut value: serde_json::Value = serde_json::from_str(&receipt_json(&envelope)).unwrap();
    value.as_object_mut().unwrap().remove("entry");
    let receipt = Receipt::parse(value.to_string().as_bytes()).unwrap();
    // With the envelope sent, the leaf is rebuilt from it, not read from `leaf_hash`.
    let check = receipt.verify(Some(&envelope), None).unwrap();
    assert!(check.leaf_from_entry);
    // A saved receipt checked without the envelope falls back to `leaf_hash`.
    let check = receipt.verify(None, None).unwrap();
    assert!(!check.leaf_from_entry);
}

#[test]
fn a_server_that_omits_the_entry_cannot_pass_off_another_entrys_receipt() {
    // The server answers a post of `sent` with a genuine, internally consistent receipt
    // for ANOTHER entry (its leaf hash, proof and checkpoint), leaving `entry` out.
    let sent = envelope();
    let other_statement =
        Statement::from_json(br#"{"type":"withdrawal","org":"Acme AI","submission":4}"#).unwrap();
    let other = Envelope::sign(&other_statement, &SigningKey::from_seed(&[1; 32])).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&receipt_json(&other)).unwrap();
    value.as_object_mut().unwrap().remove("entry");
    let receipt = Receipt::parse(value.to_string().as_bytes()).unwrap();
    assert!(matches!(
        receipt.verify(Some(&sent), Some(&trust(1))),
        Err(ReceiptError::LeafHashMismatch { .. })
    ));
    // Lying about `leaf_hash` to match the sent envelope does not help: the proof does
    // not lead from that leaf to the checkpoint's root.
    let sent_leaf = merkle::leaf_hash(
        &Entry {
            logged_at: UnixMillis(1_780_401_600_250),
            envelope: sent.clone(),
        }
        .encode()
        .unwrap(),
    );
    value["leaf_hash"] = serde_json::json!(sent_leaf.to_hex());
    let receipt = Receipt::parse(value.to_string().as_bytes()).unwrap();
    assert!(receipt.verify(Some(&sent), Some(&trust(1))).is_err());
    assert!(receipt.verify(Some(&sent), None).is_err());
}

#[test]
fn every_kind_of_tampering_is_caught() {
    let envelope = envelope();
    let good: serde_json::Value = serde_json::from_str(&receipt_json(&envelope)).unwrap();
    let tampered = |field: &str, value: serde_json::Value| {
        let mut v = good.clone();
        v[field] = value;
        Receipt::parse(v.to_string().as_bytes()).unwrap()
    };
    let receipt = tampered("leaf_hash", serde_json::json!(Hash([1; 32]).to_hex()));
    assert!(matches!(
        receipt.verify(None, None),
        Err(ReceiptError::LeafHashMismatch { .. })
    ));
    let receipt = tampered("logged_at", serde_json::json!(1));
    assert!(matches!(
        receipt.verify(None, None),
        Err(ReceiptError::LoggedAtMismatch { .. })
    ));
    let receipt = tampered("index", serde_json::json!(0));
    assert_eq!(
        receipt.verify(None, None),
        Err(ReceiptError::IndexMismatch {
            receipt: 0,
            proof: 1
        })
    );
    let receipt = tampered("checkpoint", serde_json::json!("other"));
    assert_eq!(
        receipt.verify(None, None),
        Err(ReceiptError::CheckpointMismatch)
    );
    // Another envelope than the one sent.
    let other = Envelope::sign_payload(
        br#"{"type":"withdrawal","org":"Acme AI","submission":4}"#.to_vec(),
        &SigningKey::from_seed(&[1; 32]),
    );
    let receipt = Receipt::parse(good.to_string().as_bytes()).unwrap();
    assert_eq!(
        receipt.verify(Some(&other), None),
        Err(ReceiptError::EnvelopeMismatch)
    );
    // A proof hash changed: the root no longer matches.
    let proof = good["proof"].as_str().unwrap();
    let first_hash = proof.lines().nth(2).unwrap();
    let bad_proof = proof.replacen(first_hash, &Hash([2; 32]).to_base64(), 1);
    let receipt = tampered("proof", serde_json::json!(bad_proof));
    assert_eq!(
        receipt.verify(None, None),
        Err(ReceiptError::Inclusion(MerkleError::RootMismatch))
    );
    assert!(matches!(
        receipt.verify(None, Some(&trust(1))),
        Err(ReceiptError::Proof(ProofError::Inclusion(
            MerkleError::RootMismatch
        )))
    ));
}

#[test]
fn the_policy_demands_the_log_key_and_quorum() {
    let envelope = envelope();
    let receipt = Receipt::parse(receipt_json(&envelope).as_bytes()).unwrap();
    let wrong_log =
        SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyType::Ed25519, [8; 32]).unwrap();
    let policy = policy(&wrong_log.verifier().to_vkey(), &[], None).unwrap();
    assert!(matches!(
        receipt.verify(None, Some(&policy)),
        Err(ReceiptError::Proof(_))
    ));
    let other_witness = SignerKey::from_seed(
        KeyName::new("other.test").unwrap(),
        KeyType::CosignatureV1,
        [11; 32],
    )
    .unwrap();
    let two = policy_with(&[witness_key(), other_witness]);
    assert!(matches!(
        receipt.verify(None, Some(&two)),
        Err(ReceiptError::Proof(_))
    ));
}

fn policy_with(witnesses: &[SignerKey]) -> Policy {
    let vkeys: Vec<String> = witnesses.iter().map(|w| w.verifier().to_vkey()).collect();
    policy(&log_key().verifier().to_vkey(), &vkeys, None).unwrap()
}

#[test]
fn keys_may_be_given_in_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.vkey");
    std::fs::write(&path, format!("{}\n", log_key().verifier().to_vkey())).unwrap();
    let from_file = policy(path.to_str().unwrap(), &[], None).unwrap();
    assert_eq!(
        from_file,
        policy(&log_key().verifier().to_vkey(), &[], None).unwrap()
    );
}

#[test]
fn bad_trust_flags_are_usage_errors() {
    assert!(matches!(
        policy("not a vkey", &[], None),
        Err(ClientError::Usage(_))
    ));
    assert!(matches!(
        policy(&log_key().verifier().to_vkey(), &[], Some(1)),
        Err(ClientError::Usage(_))
    ));
}

#[test]
fn receipts_are_saved_as_json_and_tlog_proof_and_load_back() {
    let dir = tempfile::tempdir().unwrap();
    let raw = receipt_json(&envelope());
    let receipt = Receipt::parse(raw.as_bytes()).unwrap();
    let saved = save(&dir.path().join("receipts"), &receipt, raw.as_bytes()).unwrap();
    assert_eq!(saved.json, dir.path().join("receipts/1.json"));
    assert_eq!(std::fs::read_to_string(&saved.json).unwrap(), raw);
    let proof = std::fs::read_to_string(&saved.proof).unwrap();
    assert!(proof.starts_with("c2sp.org/tlog-proof@v1\nindex 1\n"));
    assert_eq!(proof, receipt.proof);
    let (path, loaded, bytes) = load(&dir.path().join("receipts"), "1").unwrap();
    assert_eq!(
        (path, loaded, bytes),
        (
            saved.json.clone(),
            receipt.clone(),
            raw.clone().into_bytes()
        )
    );
    let (_, by_path, _) = load(dir.path(), saved.json.to_str().unwrap()).unwrap();
    assert_eq!(by_path, receipt);
    assert!(matches!(
        load(dir.path(), "7"),
        Err(ClientError::File { .. })
    ));
}
