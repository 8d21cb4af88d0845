//! Checkpoint tests: every vector in `checkpoint/checkpoints.json`, canonical encoding
//! (a one-byte change or truncation is rejected or is a different checkpoint).

use super::*;
use crate::merkle::empty_root;
use crate::note::Note;
use crate::note::test_vectors::{array_field, load, str_field};

const EXAMPLE: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

#[test]
fn checkpoints_json_vectors() {
    let file = load("checkpoint/checkpoints.json");
    let vectors = array_field(&file, "vectors");
    assert_eq!(vectors.len(), 23);
    for vector in vectors {
        let desc = str_field(vector, "desc");
        let body = str_field(vector, "body");
        let expect = &vector["expect"];
        let result = Checkpoint::parse(body);
        if let Some(pinned) = vector["pinned_origin"].as_str() {
            // Structurally valid; only a caller pinned to another origin rejects it
            // (Policy::verify_checkpoint does so by looking the origin up).
            let checkpoint = result.unwrap();
            assert_ne!(checkpoint.origin(), pinned, "{desc}");
            assert_eq!(expect["ok"], false);
            continue;
        }
        // Where transparency-dev/formats is lenient (`lenient_library_result`: short
        // roots, trailing blank lines) we follow the strict C2SP result in `expect`.
        if expect["ok"] == false {
            assert!(result.is_err(), "{desc}: accepted {result:?}");
            continue;
        }
        let checkpoint = result.unwrap_or_else(|e| panic!("{desc}: {e}"));
        assert_eq!(checkpoint.to_text(), body, "{desc}: round trip");
        assert_eq!(
            checkpoint.size(),
            expect["size"].as_u64().unwrap(),
            "{desc}"
        );
        if let Some(origin) = expect["origin"].as_str() {
            assert_eq!(checkpoint.origin(), origin, "{desc}");
        }
        if let Some(root) = expect["root_hex"].as_str() {
            assert_eq!(checkpoint.root().to_hex(), root, "{desc}");
        }
        if let Some(extensions) = expect["extensions"].as_array() {
            let want: Vec<&str> = extensions.iter().map(|e| e.as_str().unwrap()).collect();
            assert_eq!(checkpoint.extensions(), want, "{desc}");
        }
        if let Some(count) = expect["extension_count"].as_u64() {
            assert_eq!(checkpoint.extensions().len() as u64, count, "{desc}");
        }
        if let Some(signed) = vector["signed_note"].as_str() {
            // The spec does not publish the log key: parse only.
            let note = Note::parse(signed.as_bytes()).unwrap();
            assert_eq!(note.text(), body);
            assert_eq!(note.signatures()[0].key_id().to_string(), "033de0ae");
        }
    }
}

#[test]
fn one_byte_changes_and_truncations_are_rejected_or_differ() {
    let with_extension = format!("{EXAMPLE}ext line\n");
    for body in [EXAMPLE, with_extension.as_str()] {
        let original = Checkpoint::parse(body).unwrap();
        let bytes = body.as_bytes();
        let check = |candidate: &[u8], what: &str| {
            let Ok(text) = std::str::from_utf8(candidate) else {
                return;
            };
            if let Ok(parsed) = Checkpoint::parse(text) {
                assert_ne!(
                    parsed, original,
                    "{what}: another encoding of the same checkpoint"
                );
                assert_eq!(parsed.to_text(), text, "{what}: not canonical");
            }
        };
        for i in 0..bytes.len() {
            for value in 0..=255u8 {
                if value != bytes[i] {
                    let mut mangled = bytes.to_vec();
                    mangled[i] = value;
                    check(&mangled, &format!("byte {i} -> {value:#04x}"));
                }
            }
        }
        for cut in 0..bytes.len() {
            check(&bytes[..cut], &format!("prefix {cut}"));
        }
    }
    // Without extension lines, no proper prefix is a checkpoint at all.
    for cut in 0..EXAMPLE.len() {
        assert!(Checkpoint::parse(&EXAMPLE[..cut]).is_err(), "prefix {cut}");
    }
}

#[test]
fn construction_validates() {
    let root = empty_root();
    assert_eq!(
        Checkpoint::new("", 0, root),
        Err(CheckpointError::EmptyOrigin)
    );
    assert_eq!(
        Checkpoint::new("a\nb", 0, root),
        Err(CheckpointError::ControlCharacter { line: 1 })
    );
    let checkpoint = Checkpoint::new("example.com/log", 0, root).unwrap();
    assert_eq!(
        checkpoint.to_text(),
        "example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    );
    assert_eq!(
        checkpoint.clone().with_extensions(vec![String::new()]),
        Err(CheckpointError::EmptyExtensionLine { line: 4 })
    );
    assert_eq!(
        checkpoint
            .clone()
            .with_extensions(vec!["ok".into(), "x\ty".into()]),
        Err(CheckpointError::ControlCharacter { line: 5 })
    );
    let extended = checkpoint.with_extensions(vec!["ext".into()]).unwrap();
    assert_eq!(Checkpoint::parse(&extended.to_text()).unwrap(), extended);
}

#[test]
fn strict_numbers_and_lines() {
    let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    for size in [
        "",
        "00",
        "01",
        "+1",
        "-0",
        " 1",
        "1 ",
        "18446744073709551616",
        "1e3",
        "٣",
    ] {
        let body = format!("log\n{size}\n{root}\n");
        assert_eq!(
            Checkpoint::parse(&body),
            Err(CheckpointError::InvalidSize),
            "{size:?}"
        );
    }
    let max = format!("log\n18446744073709551615\n{root}\n");
    assert_eq!(Checkpoint::parse(&max).unwrap().size(), u64::MAX);
    assert_eq!(parse_canonical_u64("0"), Some(0));
    assert_eq!(
        Checkpoint::parse(&format!("log\n1\n{root}")),
        Err(CheckpointError::MissingFinalNewline)
    );
    assert_eq!(
        Checkpoint::parse(&format!("log\n1\n{root}\n\n")),
        Err(CheckpointError::EmptyExtensionLine { line: 4 })
    );
    assert_eq!(
        Checkpoint::parse("log\n1\n"),
        Err(CheckpointError::TooFewLines { lines: 2 })
    );
}
