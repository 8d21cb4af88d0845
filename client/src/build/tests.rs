use super::*;
use docket_core::dsse::SigningKey;

const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

fn json(statement: &Statement) -> String {
    String::from_utf8(statement.to_json().unwrap()).unwrap()
}

fn hash_a() -> Hash {
    Hash([0xaa; 32])
}

fn salt16() -> Salt {
    Salt::new((0u8..16).collect()).unwrap()
}

fn model() -> ModelFlags {
    ModelFlags {
        name: "acme-1".into(),
        version: "2026.06".into(),
        sha256: hash_a(),
    }
}

fn flag_error(flag: &'static str, problem: FieldProblem) -> BuildError {
    BuildError::Flag { flag, problem }
}

#[test]
fn participant_add_and_revoke() {
    let key = SigningKey::from_seed(&[1; 32]).public_key();
    let add = participant(
        "operator",
        Action::Register,
        "Acme AI",
        Role::Developer,
        key,
    )
    .unwrap();
    assert_eq!(
        json(&add),
        r#"{"type":"participant","org":"operator","action":"register","member":{"org":"Acme AI","role":"developer","public_key":"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"}}"#
    );
    let revoke = participant("operator", Action::Revoke, "NSA", Role::Reviewer, key).unwrap();
    assert!(json(&revoke).contains(r#""action":"revoke","member":{"org":"NSA","role":"reviewer""#));
    assert_eq!(
        participant("operator", Action::Register, " Acme", Role::Developer, key),
        Err(flag_error(
            "--member-org",
            FieldProblem::SurroundingWhitespace
        ))
    );
    assert_eq!(
        participant("", Action::Register, "Acme", Role::Developer, key),
        Err(flag_error("--org", FieldProblem::Empty))
    );
}

#[test]
fn submission_in_the_clear() {
    let s = submission(
        "Acme AI",
        &SubmissionFlags::Model(model()),
        Some("2026-07-15"),
    )
    .unwrap();
    assert_eq!(
        json(&s),
        format!(
            r#"{{"type":"submission","org":"Acme AI","model":{{"name":"acme-1","version":"2026.06","sha256":"{HASH_A}"}},"planned_release":"2026-07-15"}}"#
        )
    );
    let no_date = submission("Acme AI", &SubmissionFlags::Model(model()), None).unwrap();
    assert!(!json(&no_date).contains("planned_release"));
}

#[test]
fn sealed_submission_logs_only_the_commitment() {
    let s = submission(
        "Acme AI",
        &SubmissionFlags::Sealed {
            model: model(),
            salt: salt16(),
        },
        None,
    )
    .unwrap();
    let expected = docket_core::statement::commitment(&salt16(), &hash_a());
    assert_eq!(
        json(&s),
        format!(
            r#"{{"type":"submission","org":"Acme AI","sealed":{{"commitment":"{}"}}}}"#,
            expected.to_hex()
        )
    );
    assert!(!json(&s).contains("acme-1"));
    // The model's labels are still checked, since the release must repeat them.
    let bad = ModelFlags {
        name: "acme\n1".into(),
        ..model()
    };
    assert_eq!(
        submission(
            "Acme AI",
            &SubmissionFlags::Sealed {
                model: bad,
                salt: salt16()
            },
            None
        ),
        Err(flag_error("--model", FieldProblem::ControlCharacter))
    );
}

#[test]
fn submission_flag_errors_name_the_flag() {
    let empty_version = ModelFlags {
        version: String::new(),
        ..model()
    };
    assert_eq!(
        submission("Acme AI", &SubmissionFlags::Model(empty_version), None),
        Err(flag_error("--model-version", FieldProblem::Empty))
    );
    let err = submission(
        "Acme AI",
        &SubmissionFlags::Model(model()),
        Some("2026-02-29"),
    )
    .unwrap_err();
    assert!(matches!(
        err,
        BuildError::Flag {
            flag: "--planned-release",
            problem: FieldProblem::BadDate(_)
        }
    ));
    assert_eq!(
        err.to_string(),
        "--planned-release: not a YYYY-MM-DD date: day is out of range"
    );
}

#[test]
fn determination_exact_json_and_score_checks() {
    let d = determination("NIST", 3, true, "cyber-frontier", "1.0", 87.5).unwrap();
    assert_eq!(
        json(&d),
        r#"{"type":"determination","org":"NIST","submission":3,"covered":true,"benchmark":{"name":"cyber-frontier","version":"1.0","score":87.5}}"#
    );
    let not_covered = determination("NIST", 3, false, "b", "2", 0.0).unwrap();
    assert!(json(&not_covered).contains(r#""covered":false"#));
    for score in [f64::NAN, f64::INFINITY] {
        assert_eq!(
            determination("NIST", 3, true, "b", "1", score),
            Err(flag_error("--score", FieldProblem::NotFinite))
        );
    }
    assert_eq!(
        determination("NIST", 3, true, "", "1", 1.0),
        Err(flag_error("--benchmark", FieldProblem::Empty))
    );
    assert_eq!(
        determination("NIST", 3, true, "b", "1\t", 1.0),
        Err(flag_error(
            "--benchmark-version",
            FieldProblem::ControlCharacter
        ))
    );
}

#[test]
fn decision_exact_json_with_and_without_optional_fields() {
    let findings = Findings {
        critical: 1,
        high: 2,
        medium: 0,
        low: 7,
    };
    let d = decision(
        "NSA",
        3,
        outcome("findings_reported").unwrap(),
        findings,
        Some(hash_a()),
        Some("Two exploitable paths."),
    )
    .unwrap();
    assert_eq!(
        json(&d),
        format!(
            r#"{{"type":"decision","org":"NSA","submission":3,"outcome":"findings_reported","findings":{{"critical":1,"high":2,"medium":0,"low":7}},"report_sha256":"{HASH_A}","summary":"Two exploitable paths."}}"#
        )
    );
    let plain = decision("NSA", 3, Outcome::Cleared, Findings::default(), None, None).unwrap();
    assert_eq!(
        json(&plain),
        r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":{"critical":0,"high":0,"medium":0,"low":0}}"#
    );
    assert_eq!(
        decision(
            "NSA",
            3,
            Outcome::Cleared,
            Findings::default(),
            None,
            Some("")
        ),
        Err(flag_error("--summary", FieldProblem::Empty))
    );
}

#[test]
fn names_outside_the_allowed_sets_are_refused() {
    assert_eq!(
        outcome("approved"),
        Err(flag_error(
            "--outcome",
            FieldProblem::NotOneOf {
                found: "approved".into(),
                allowed: Outcome::NAMES
            }
        ))
    );
    assert_eq!(
        role("admin").unwrap_err().to_string(),
        format!("--role: \"admin\" is not one of {:?}", Role::NAMES)
    );
    assert_eq!(role("coordinator"), Ok(Role::Coordinator));
    assert_eq!(
        remediation_status("deployed"),
        Ok(RemediationStatus::Deployed)
    );
    assert!(remediation_status("fixed").is_err());
}

#[test]
fn disclosure_exact_json_and_sector_checks() {
    let sectors = vec!["energy".to_string(), "finance".to_string()];
    let d = disclosure("ONCD", 3, &sectors, 12, hash_a()).unwrap();
    assert_eq!(
        json(&d),
        format!(
            r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":["energy","finance"],"recipients":12,"commitment":"{HASH_A}"}}"#
        )
    );
    assert_eq!(
        disclosure("ONCD", 3, &[], 12, hash_a()),
        Err(flag_error("--sector", FieldProblem::Empty))
    );
    let twice = vec!["energy".to_string(), "energy".to_string()];
    assert_eq!(
        disclosure("ONCD", 3, &twice, 12, hash_a()),
        Err(flag_error(
            "--sector",
            FieldProblem::Duplicate {
                value: "energy".into()
            }
        ))
    );
    assert_eq!(
        disclosure("ONCD", 3, &sectors, 0, hash_a()),
        Err(flag_error("--recipients", FieldProblem::Zero))
    );
}

#[test]
fn remediation_exact_json() {
    let all = remediation("Treasury", 9, RemediationStatus::NoneNeeded, &[]).unwrap();
    assert_eq!(
        json(&all),
        r#"{"type":"remediation","org":"Treasury","disclosure":9,"status":"none_needed"}"#
    );
    let some = remediation(
        "Treasury",
        9,
        RemediationStatus::Deployed,
        &["finance".into()],
    )
    .unwrap();
    assert_eq!(
        json(&some),
        r#"{"type":"remediation","org":"Treasury","disclosure":9,"status":"deployed","sectors":["finance"]}"#
    );
}

#[test]
fn reveal_exact_json() {
    let r = reveal("ONCD", 9, salt16(), hash_a()).unwrap();
    assert_eq!(
        json(&r),
        format!(
            r#"{{"type":"reveal","org":"ONCD","disclosure":9,"salt":"000102030405060708090a0b0c0d0e0f","advisory_sha256":"{HASH_A}"}}"#
        )
    );
}

#[test]
fn release_plain_and_with_opening() {
    let plain = release("Acme AI", 3, None).unwrap();
    assert_eq!(
        json(&plain),
        r#"{"type":"release","org":"Acme AI","submission":3}"#
    );
    let model = model();
    let opened = release("Acme AI", 4, Some((&model, salt16()))).unwrap();
    assert_eq!(
        json(&opened),
        format!(
            r#"{{"type":"release","org":"Acme AI","submission":4,"model":{{"name":"acme-1","version":"2026.06","sha256":"{HASH_A}"}},"salt":"000102030405060708090a0b0c0d0e0f"}}"#
        )
    );
}

#[test]
fn withdrawal_exact_json() {
    assert_eq!(
        json(&withdrawal("Acme AI", 3, Some("Delayed launch.")).unwrap()),
        r#"{"type":"withdrawal","org":"Acme AI","submission":3,"reason":"Delayed launch."}"#
    );
    assert_eq!(
        json(&withdrawal("Acme AI", 3, None).unwrap()),
        r#"{"type":"withdrawal","org":"Acme AI","submission":3}"#
    );
    assert_eq!(
        withdrawal("Acme AI", 3, Some("")),
        Err(flag_error("--reason", FieldProblem::Empty))
    );
}

#[test]
fn sha256_flag_accepts_hex_of_32_bytes_only() {
    assert_eq!(sha256_flag("--sha256", HASH_A), Ok(hash_a()));
    assert_eq!(
        sha256_flag("--sha256", &HASH_A.to_uppercase()),
        Ok(hash_a())
    );
    assert_eq!(
        sha256_flag("--sha256", "abcd"),
        Err(flag_error(
            "--sha256",
            FieldProblem::WrongLength {
                expected: 32,
                found: 2
            }
        ))
    );
    assert_eq!(
        sha256_flag("--report-sha256", "xyz"),
        Err(flag_error("--report-sha256", FieldProblem::NotLowercaseHex))
    );
}

#[test]
fn json_files_are_parsed_strictly_and_checked_against_org() {
    let text = br#"{"type":"withdrawal","org":"Acme AI","submission":3}"#;
    let statement = from_json(text, None).unwrap();
    assert_eq!(json(&statement).as_bytes(), text);
    assert_eq!(from_json(text, Some("Acme AI")), Ok(statement));
    assert_eq!(
        from_json(text, Some("Globex")),
        Err(BuildError::OrgMismatch {
            flag: "Globex".into(),
            file: "Acme AI".into()
        })
    );
    let duplicate = br#"{"type":"withdrawal","org":"Acme AI","org":"Globex","submission":3}"#;
    assert!(matches!(
        from_json(duplicate, None),
        Err(BuildError::File(_))
    ));
    let key = SigningKey::from_seed(&[7; 32]).public_key().to_hex();
    let genesis = format!(
        r#"{{"type":"genesis","org":"operator","origin":"x","review_window_secs":60,"operator_key":"{key}"}}"#
    );
    assert_eq!(
        from_json(genesis.as_bytes(), None),
        Err(BuildError::Genesis)
    );
}
