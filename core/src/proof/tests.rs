//! tlog-proof tests: every vector in `proof/tlog-proof.json` (formats marshal and error
//! cases, the C2SP example's structure, the end-to-end proof and its negatives).

use super::*;
use crate::note::test_vectors::{array_field, load, str_field, u64_field};

fn hashes(vector: &serde_json::Value) -> Vec<Hash> {
    array_field(vector, "hashes_b64")
        .iter()
        .map(|h| Hash::from_base64(h.as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn formats_marshal_vectors() {
    let file = load("proof/tlog-proof.json");
    let vectors = array_field(&file["formats_marshal"], "vectors");
    assert_eq!(vectors.len(), 3);
    for vector in vectors {
        let extra = vector["extra_b64"]
            .as_str()
            .map(|e| BASE64.decode(e).unwrap());
        let proof = TlogProof::new(
            extra,
            u64_field(vector, "index"),
            hashes(vector),
            str_field(vector, "checkpoint").to_owned(),
        )
        .unwrap();
        let text = str_field(vector, "text");
        assert_eq!(proof.to_text(), text);
        assert_eq!(TlogProof::parse(text.as_bytes()).unwrap(), proof);
    }
}

#[test]
fn formats_unmarshal_error_vectors() {
    let file = load("proof/tlog-proof.json");
    let vectors = array_field(&file["formats_unmarshal_errors"], "vectors");
    assert_eq!(vectors.len(), 7);
    for vector in vectors {
        let text = str_field(vector, "text");
        assert!(
            TlogProof::parse(text.as_bytes()).is_err(),
            "{}",
            str_field(vector, "desc")
        );
    }
}

#[test]
fn c2sp_example_structure() {
    let file = load("proof/tlog-proof.json");
    let text = str_field(&file["c2sp_example_structure_only"], "text");
    // The vector's README calls its extra value invalid base64, but it is 52
    // characters of canonical base64 (39 bytes), so it parses.
    let proof = TlogProof::parse(text.as_bytes()).unwrap();
    let extra = proof.unverified_extra().unwrap();
    assert_eq!(extra.len(), 39);
    assert!(extra.starts_with(b"age-v1.2.1-darwin-arm64.tar.gz"));
    assert_eq!(proof.index(), 73894);
    assert_eq!(proof.inclusion_proof().len(), 5);
    // The checkpoint is kept verbatim; its signatures are elided with "[...]", so it
    // is not a note at all (verification would reject it).
    assert!(
        proof
            .unverified_checkpoint()
            .starts_with("example.com/fancylog\n109482\n")
    );
    assert!(crate::note::Note::parse(proof.unverified_checkpoint().as_bytes()).is_err());
    assert_eq!(proof.to_text(), text);
}

#[test]
fn end_to_end_proof_verifies_offline() {
    let file = load("proof/tlog-proof.json");
    let e2e = &file["end_to_end_DERIVED"];
    let policy = Policy::parse(str_field(e2e, "policy_text").as_bytes()).unwrap();
    let leaf = hex::decode(str_field(e2e, "leaf_hex")).unwrap();
    let leaf_hash = merkle::leaf_hash(&leaf);
    assert_eq!(leaf_hash.to_hex(), str_field(e2e, "leaf_hash_hex"));
    for key in ["proof_text", "proof_text_with_extra"] {
        let text = str_field(e2e, key);
        let proof = TlogProof::parse(text.as_bytes()).unwrap();
        assert_eq!(proof.to_text(), text);
        let verified = proof.verify(&policy, &leaf_hash).unwrap();
        assert_eq!(verified.index(), 5);
        assert_eq!(verified.leaf_hash(), &leaf_hash);
        assert_eq!(verified.checkpoint().checkpoint().size(), 8);
        let times: Vec<u64> = verified
            .checkpoint()
            .cosignatures()
            .iter()
            .map(|c| c.timestamp().0)
            .collect();
        let stamps = &e2e["cosignature_timestamps"];
        assert_eq!(
            times,
            [
                u64_field(stamps, "example.com/witness"),
                u64_field(stamps, "Wit1")
            ]
        );
    }
    let with_extra = TlogProof::parse(str_field(e2e, "proof_text_with_extra").as_bytes()).unwrap();
    assert_eq!(
        with_extra.unverified_extra(),
        Some(str_field(e2e, "extra_plain").as_bytes())
    );

    let negatives = array_field(e2e, "negative");
    assert_eq!(negatives.len(), 3);
    for negative in negatives {
        let desc = str_field(negative, "desc");
        let proof = TlogProof::parse(str_field(negative, "proof_text").as_bytes()).unwrap();
        let leaf_hash = match negative["leaf_hex"].as_str() {
            Some(leaf) => merkle::leaf_hash(&hex::decode(leaf).unwrap()),
            None => leaf_hash,
        };
        let error = proof.verify(&policy, &leaf_hash).unwrap_err();
        match error {
            ProofError::Inclusion(MerkleError::RootMismatch) => assert!(!desc.contains("policy")),
            ProofError::Policy(PolicyError::QuorumNotMet { cosigned: 0 }) => {
                assert!(desc.contains("policy"))
            }
            other => panic!("{desc}: unexpected {other}"),
        }
    }
}

#[test]
fn proof_mangling_fails() {
    let file = load("proof/tlog-proof.json");
    let e2e = &file["end_to_end_DERIVED"];
    let policy = Policy::parse(str_field(e2e, "policy_text").as_bytes()).unwrap();
    let leaf_hash = merkle::leaf_hash(&hex::decode(str_field(e2e, "leaf_hex")).unwrap());
    let bytes = str_field(e2e, "proof_text").as_bytes().to_vec();
    let accepts = |candidate: &[u8]| {
        TlogProof::parse(candidate)
            .and_then(|p| p.verify(&policy, &leaf_hash))
            .is_ok()
    };
    assert!(accepts(&bytes));
    for i in 0..bytes.len() {
        for value in [
            bytes[i] ^ 0x01,
            bytes[i] ^ 0x20,
            bytes[i] ^ 0x80,
            b'\n',
            b' ',
            b'0',
            b'=',
        ] {
            if value != bytes[i] {
                let mut mangled = bytes.clone();
                mangled[i] = value;
                assert!(!accepts(&mangled), "byte {i} -> {value:#04x}");
            }
        }
    }
    for cut in 0..bytes.len() {
        assert!(!accepts(&bytes[..cut]), "prefix {cut}");
    }
}

#[test]
fn strict_syntax() {
    let hash = merkle::empty_root().to_base64();
    let checkpoint = "c\n";
    for bad in [
        format!("{TLOG_PROOF_HEADER}\nindex 01\n\n{checkpoint}"),
        format!("{TLOG_PROOF_HEADER}\nindex +1\n\n{checkpoint}"),
        format!("{TLOG_PROOF_HEADER}\nindex 1\n{hash}\n"),
        format!("{TLOG_PROOF_HEADER}\nindex 1\n\n"),
        format!("{TLOG_PROOF_HEADER}\nextra\nindex 1\n\n{checkpoint}"),
        format!("{TLOG_PROOF_HEADER}\nindex 1\nextra AA==\n\n{checkpoint}"),
        format!("{TLOG_PROOF_HEADER} \nindex 1\n\n{checkpoint}"),
        format!("{TLOG_PROOF_HEADER}\r\nindex 1\n\n{checkpoint}"),
        format!(
            "{TLOG_PROOF_HEADER}\nindex 1\n{}\n\n{checkpoint}",
            hash.trim_end_matches('=')
        ),
    ] {
        assert!(TlogProof::parse(bad.as_bytes()).is_err(), "{bad:?}");
    }
    let max: String = std::iter::repeat_n(format!("{hash}\n"), 64).collect();
    let ok = format!("{TLOG_PROOF_HEADER}\nindex 1\n{max}\n{checkpoint}");
    assert_eq!(
        TlogProof::parse(ok.as_bytes())
            .unwrap()
            .inclusion_proof()
            .len(),
        64
    );
    let over = format!("{TLOG_PROOF_HEADER}\nindex 1\n{max}{hash}\n\n{checkpoint}");
    assert_eq!(
        TlogProof::parse(over.as_bytes()),
        Err(ProofError::TooManyHashes)
    );
    let empty_extra = format!("{TLOG_PROOF_HEADER}\nextra \nindex 1\n\n{checkpoint}");
    let parsed = TlogProof::parse(empty_extra.as_bytes()).unwrap();
    assert_eq!(parsed.unverified_extra(), Some(&[][..]));
    assert_eq!(parsed.to_text(), empty_extra);
}
