use super::*;
use crate::dsse::SigningKey;
use crate::time::TimeError;

const HASH_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SALT: &str = "000102030405060708090a0b0c0d0e0f";

fn key_hex() -> String {
    SigningKey::from_seed(&[7; 32]).public_key().to_hex()
}

/// One canonical example of every statement type, each with every optional field once.
fn examples() -> Vec<String> {
    let key = key_hex();
    vec![
        format!(
            r#"{{"type":"genesis","org":"operator","origin":"docket.example/log","review_window_secs":2592000,"operator_key":"{key}"}}"#
        ),
        format!(
            r#"{{"type":"participant","org":"operator","action":"register","member":{{"org":"Acme AI","role":"developer","public_key":"{key}"}},"issued_at":"2026-06-02T12:00:00Z"}}"#
        ),
        format!(
            r#"{{"type":"participant","org":"operator","action":"revoke","member":{{"org":"NSA","role":"reviewer","public_key":"{key}"}}}}"#
        ),
        format!(
            r#"{{"type":"submission","org":"Acme AI","model":{{"name":"acme-1","version":"2026.06","sha256":"{HASH_A}"}},"planned_release":"2026-07-15","issued_at":"2026-06-02T12:00:00.250Z"}}"#
        ),
        format!(r#"{{"type":"submission","org":"Acme AI","sealed":{{"commitment":"{HASH_A}"}}}}"#),
        r#"{"type":"determination","org":"NIST","submission":3,"covered":true,"benchmark":{"name":"cyber-frontier","version":"1.0","score":87.5}}"#.to_string(),
        format!(
            r#"{{"type":"decision","org":"NSA","submission":3,"outcome":"findings_reported","findings":{{"critical":1,"high":2,"medium":0,"low":7}},"report_sha256":"{HASH_A}","summary":"Two exploitable paths."}}"#
        ),
        r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":{"critical":0,"high":0,"medium":0,"low":0}}"#.to_string(),
        format!(
            r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":["energy","finance"],"recipients":12,"commitment":"{HASH_A}"}}"#
        ),
        r#"{"type":"remediation","org":"Treasury AI Clearinghouse","disclosure":9,"status":"deployed","sectors":["finance"]}"#.to_string(),
        r#"{"type":"remediation","org":"Treasury AI Clearinghouse","disclosure":9,"status":"none_needed"}"#.to_string(),
        format!(r#"{{"type":"reveal","org":"ONCD","disclosure":9,"salt":"{SALT}","advisory_sha256":"{HASH_A}"}}"#),
        r#"{"type":"release","org":"Acme AI","submission":3}"#.to_string(),
        format!(
            r#"{{"type":"release","org":"Acme AI","submission":4,"model":{{"name":"acme-1","version":"2026.06","sha256":"{HASH_A}"}},"salt":"{SALT}"}}"#
        ),
        r#"{"type":"withdrawal","org":"Acme AI","submission":3,"reason":"Delayed launch."}"#.to_string(),
        r#"{"type":"withdrawal","org":"Acme AI","submission":3}"#.to_string(),
    ]
}

#[test]
fn every_type_round_trips_byte_for_byte() {
    let mut kinds = std::collections::BTreeSet::new();
    for text in examples() {
        let statement =
            Statement::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(
            String::from_utf8(statement.to_json().unwrap()).unwrap(),
            text
        );
        assert_eq!(
            statement.kind().as_str(),
            text[9..].split('"').next().unwrap()
        );
        assert_eq!(
            StatementKind::from_name(statement.kind().as_str()),
            Some(statement.kind())
        );
        kinds.insert(statement.kind());
    }
    assert_eq!(
        kinds.len(),
        StatementKind::ALL.len(),
        "every type has an example"
    );
}

#[test]
fn parsed_fields_have_their_values() {
    let examples = examples();
    let Statement::Submission(submission) = Statement::from_json(examples[3].as_bytes()).unwrap()
    else {
        panic!("not a submission")
    };
    assert_eq!(submission.org.as_str(), "Acme AI");
    assert_eq!(
        submission.planned_release,
        Some(crate::time::Date::new(2026, 7, 15).unwrap())
    );
    assert_eq!(submission.issued_at, Some(UnixMillis(1_780_401_600_250)));
    let SubmissionContent::Model(model) = &submission.content else {
        panic!("not a model")
    };
    assert_eq!(model.sha256.to_hex(), HASH_A);

    let decision = Statement::from_json(examples[6].as_bytes()).unwrap();
    assert_eq!(
        decision.reference(),
        Some((LogIndex(3), StatementKind::Submission))
    );
    let Statement::Decision(decision) = decision else {
        panic!("not a decision")
    };
    assert_eq!(decision.outcome, Outcome::FindingsReported);
    assert_eq!(
        decision.findings,
        Findings {
            critical: 1,
            high: 2,
            medium: 0,
            low: 7
        }
    );

    let reveal = Statement::from_json(examples[11].as_bytes()).unwrap();
    assert_eq!(
        reveal.reference(),
        Some((LogIndex(9), StatementKind::Disclosure))
    );
    assert_eq!(reveal.org().as_str(), "ONCD");
    assert_eq!(reveal.issued_at(), None);
}

#[test]
fn whitespace_and_key_order_are_accepted_but_not_reproduced() {
    let text = r#" { "submission" : 3 , "org" : "Acme AI" , "type" : "withdrawal" } "#;
    let statement = Statement::from_json(text.as_bytes()).unwrap();
    assert_eq!(
        statement.to_json().unwrap(),
        br#"{"type":"withdrawal","org":"Acme AI","submission":3}"#
    );
    // Dedup is by the bytes as signed, so the two encodings have different digests.
    assert_ne!(
        statement_digest(text.as_bytes()),
        statement_digest(&statement.to_json().unwrap())
    );
}

fn field_error(text: &str) -> (&'static str, FieldProblem) {
    match Statement::from_json(text.as_bytes()) {
        Err(StatementError::InvalidField { field, problem }) => (field, problem),
        other => panic!("{text}: expected an invalid field, got {other:?}"),
    }
}

#[test]
fn shape_violations_name_the_field() {
    let key = key_hex();
    let weak_key = format!("01{}", "00".repeat(31)); // the identity point: small order
    let cases: Vec<(String, &str, FieldProblem)> = vec![
        (r#"{"type":"withdrawal","org":"","submission":3}"#.into(), "org", FieldProblem::Empty),
        (r#"{"type":"withdrawal","org":" Acme","submission":3}"#.into(), "org", FieldProblem::SurroundingWhitespace),
        (r#"{"type":"withdrawal","org":"Ac\nme","submission":3}"#.into(), "org", FieldProblem::ControlCharacter),
        (r#"{"type":"withdrawal","org":"Acme","submission":-1}"#.into(), "submission", FieldProblem::Negative),
        (r#"{"type":"withdrawal","org":"Acme","submission":1.5}"#.into(), "submission", FieldProblem::NotAnInteger),
        (r#"{"type":"withdrawal","org":"Acme","submission":3.0}"#.into(), "submission", FieldProblem::NotAnInteger),
        (r#"{"type":"withdrawal","org":"Acme","submission":1e2}"#.into(), "submission", FieldProblem::NotAnInteger),
        (r#"{"type":"withdrawal","org":"Acme","submission":3,"reason":""}"#.into(), "reason", FieldProblem::Empty),
        (
            r#"{"type":"withdrawal","org":"Acme","submission":3,"issued_at":"2026-06-02 12:00:00Z"}"#.into(),
            "issued_at",
            FieldProblem::BadTime(TimeError::Syntax { position: 10, expected: "'T'" }),
        ),
        (
            format!(r#"{{"type":"genesis","org":"op","origin":"log","review_window_secs":0,"operator_key":"{key}"}}"#),
            "review_window_secs",
            FieldProblem::Zero,
        ),
        (
            format!(r#"{{"type":"genesis","org":"op","origin":"","review_window_secs":5,"operator_key":"{key}"}}"#),
            "origin",
            FieldProblem::Empty,
        ),
        (
            r#"{"type":"genesis","org":"op","origin":"log","review_window_secs":5,"operator_key":"abcd"}"#.into(),
            "operator_key",
            FieldProblem::BadKey(KeyError::WrongLength { expected: 32, found: 2 }),
        ),
        (
            format!(r#"{{"type":"genesis","org":"op","origin":"log","review_window_secs":5,"operator_key":"{weak_key}"}}"#),
            "operator_key",
            FieldProblem::BadKey(KeyError::WeakKey),
        ),
        (
            format!(r#"{{"type":"genesis","org":"op","origin":"log","review_window_secs":5,"operator_key":"{}"}}"#, key.to_uppercase()),
            "operator_key",
            FieldProblem::BadKey(KeyError::NotLowercaseHex),
        ),
        (
            format!(r#"{{"type":"participant","org":"op","action":"suspend","member":{{"org":"NSA","role":"reviewer","public_key":"{key}"}}}}"#),
            "action",
            FieldProblem::NotOneOf { found: "suspend".into(), allowed: Action::NAMES },
        ),
        (
            format!(r#"{{"type":"participant","org":"op","action":"register","member":{{"org":"NSA","role":"Reviewer","public_key":"{key}"}}}}"#),
            "member.role",
            FieldProblem::NotOneOf { found: "Reviewer".into(), allowed: Role::NAMES },
        ),
        (
            format!(r#"{{"type":"participant","org":"op","action":"register","member":{{"org":"","role":"reviewer","public_key":"{key}"}}}}"#),
            "member.org",
            FieldProblem::Empty,
        ),
        (
            format!(r#"{{"type":"submission","org":"Acme","model":{{"name":"m","version":"1","sha256":"{HASH_A}"}},"planned_release":"2026-7-15"}}"#),
            "planned_release",
            FieldProblem::BadDate(TimeError::Syntax { position: 6, expected: "a 2-digit month" }),
        ),
        (
            format!(r#"{{"type":"submission","org":"Acme","model":{{"name":"m","version":"1","sha256":"{HASH_A}"}},"planned_release":"2026-02-30"}}"#),
            "planned_release",
            FieldProblem::BadDate(TimeError::OutOfRange { component: "day" }),
        ),
        (
            format!(r#"{{"type":"submission","org":"Acme","model":{{"name":"m","version":"1","sha256":"{HASH_A}"}},"sealed":{{"commitment":"{HASH_A}"}}}}"#),
            "model",
            FieldProblem::ExclusiveWith { other: "sealed" },
        ),
        (r#"{"type":"submission","org":"Acme"}"#.into(), "model", FieldProblem::MissingEither { other: "sealed" }),
        (
            r#"{"type":"submission","org":"Acme","model":{"name":"m","version":"1","sha256":"abcd"}}"#.into(),
            "model.sha256",
            FieldProblem::WrongLength { expected: 32, found: 2 },
        ),
        (
            format!(r#"{{"type":"submission","org":"Acme","model":{{"name":"m","version":"1","sha256":"{}"}}}}"#, HASH_A.to_uppercase()),
            "model.sha256",
            FieldProblem::NotLowercaseHex,
        ),
        (
            format!(r#"{{"type":"submission","org":"Acme","model":{{"name":"","version":"1","sha256":"{HASH_A}"}}}}"#),
            "model.name",
            FieldProblem::Empty,
        ),
        (
            r#"{"type":"submission","org":"Acme","sealed":{"commitment":"xyz"}}"#.into(),
            "sealed.commitment",
            FieldProblem::NotLowercaseHex,
        ),
        (
            r#"{"type":"determination","org":"NIST","submission":3,"covered":true,"benchmark":{"name":"b","version":"","score":1}}"#.into(),
            "benchmark.version",
            FieldProblem::Empty,
        ),
        (
            r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":{"critical":0,"high":-2,"medium":0,"low":0}}"#.into(),
            "findings.high",
            FieldProblem::Negative,
        ),
        (
            r#"{"type":"decision","org":"NSA","submission":3,"outcome":"approved","findings":{"critical":0,"high":0,"medium":0,"low":0}}"#.into(),
            "outcome",
            FieldProblem::NotOneOf { found: "approved".into(), allowed: Outcome::NAMES },
        ),
        (
            r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":{"critical":0,"high":0,"medium":0,"low":0},"report_sha256":""}"#.into(),
            "report_sha256",
            FieldProblem::WrongLength { expected: 32, found: 0 },
        ),
        (
            format!(r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":[],"recipients":1,"commitment":"{HASH_A}"}}"#),
            "sectors",
            FieldProblem::Empty,
        ),
        (
            format!(r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":["energy",""],"recipients":1,"commitment":"{HASH_A}"}}"#),
            "sectors[]",
            FieldProblem::Empty,
        ),
        (
            format!(r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":["energy","energy"],"recipients":1,"commitment":"{HASH_A}"}}"#),
            "sectors[]",
            FieldProblem::Duplicate { value: "energy".into() },
        ),
        (
            format!(r#"{{"type":"disclosure","org":"ONCD","submission":3,"sectors":["energy"],"recipients":0,"commitment":"{HASH_A}"}}"#),
            "recipients",
            FieldProblem::Zero,
        ),
        (
            r#"{"type":"remediation","org":"T","disclosure":9,"status":"patched"}"#.into(),
            "status",
            FieldProblem::NotOneOf { found: "patched".into(), allowed: RemediationStatus::NAMES },
        ),
        (r#"{"type":"remediation","org":"T","disclosure":9,"status":"deployed","sectors":[]}"#.into(), "sectors", FieldProblem::Empty),
        (
            format!(r#"{{"type":"reveal","org":"ONCD","disclosure":9,"salt":"000102030405060708090a0b0c0d0e","advisory_sha256":"{HASH_A}"}}"#),
            "salt",
            FieldProblem::TooShort { min: 16, found: 15 },
        ),
        (
            format!(r#"{{"type":"reveal","org":"ONCD","disclosure":9,"salt":"0g","advisory_sha256":"{HASH_A}"}}"#),
            "salt",
            FieldProblem::NotLowercaseHex,
        ),
        (
            format!(r#"{{"type":"release","org":"Acme","submission":4,"salt":"{SALT}"}}"#),
            "salt",
            FieldProblem::RequiresAlso { other: "model" },
        ),
        (
            format!(r#"{{"type":"release","org":"Acme","submission":4,"model":{{"name":"m","version":"1","sha256":"{HASH_A}"}}}}"#),
            "model",
            FieldProblem::RequiresAlso { other: "salt" },
        ),
    ];
    for (text, field, problem) in cases {
        assert_eq!(field_error(&text), (field, problem), "{text}");
    }
}

fn json_error(text: &str) -> String {
    match Statement::from_json(text.as_bytes()) {
        Err(StatementError::Json { message }) => message,
        other => panic!("{text}: expected a JSON error, got {other:?}"),
    }
}

#[test]
fn duplicate_keys_are_rejected_at_every_level() {
    let key = key_hex();
    let cases = [
        (r#"{"type":"withdrawal","org":"Acme","org":"Other","submission":3}"#.to_string(), "duplicate field `org`"),
        (r#"{"type":"withdrawal","type":"withdrawal","org":"Acme","submission":3}"#.to_string(), "duplicate field `type`"),
        (r#"{"type":"withdrawal","org":"Acme","submission":3,"submission":4}"#.to_string(), "duplicate field `submission`"),
        (
            format!(r#"{{"type":"participant","org":"op","action":"register","member":{{"org":"NSA","role":"reviewer","role":"operator","public_key":"{key}"}}}}"#),
            "duplicate field `role`",
        ),
        (
            r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":{"critical":0,"high":0,"medium":0,"low":0,"low":5}}"#.to_string(),
            "duplicate field `low`",
        ),
    ];
    for (text, expected) in cases {
        let message = json_error(&text);
        assert!(message.contains(expected), "{text}: {message}");
    }
}

#[test]
fn structural_errors_are_rejected() {
    let cases = [
        (
            r#"{"type":"withdrawal","org":"Acme","submission":3,"extra":1}"#,
            "unknown field `extra`",
        ),
        (
            r#"{"type":"release","org":"Acme","submission":3,"model":{"name":"m","version":"1","sha256":"00","size":5},"salt":"00"}"#,
            "unknown field `size`",
        ),
        (
            r#"{"type":"withdrawal","submission":3}"#,
            "missing field `org`",
        ),
        (r#"{"org":"Acme","submission":3}"#, "missing field `type`"),
        (
            r#"{"type":"withdrawal","org":"Acme","submission":"3"}"#,
            "invalid type: string \"3\"",
        ),
        (
            r#"{"type":"determination","org":"N","submission":3,"covered":"yes","benchmark":{"name":"b","version":"1","score":1}}"#,
            "invalid type: string \"yes\"",
        ),
        (
            r#"{"type":"withdrawal","org":"Acme","submission":3,"reason":null}"#,
            "invalid type: null",
        ),
        (
            r#"{"type":"withdrawal","org":"Acme","submission":3,"issued_at":null}"#,
            "invalid type: null",
        ),
        (r#"{"type":7}"#, "invalid type: integer `7`"),
        (r#"["withdrawal"]"#, "invalid type: sequence"),
        (
            r#"["withdrawal","Acme",3,"reason","2026-06-02T12:00:00Z"]"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"participant","org":"op","action":"register","member":["NSA","reviewer","00"]}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"submission","org":"Acme","model":["m","1","00"]}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"submission","org":"Acme","sealed":["00"]}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"determination","org":"N","submission":3,"covered":true,"benchmark":["b","1",1]}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"decision","org":"NSA","submission":3,"outcome":"cleared","findings":[0,0,0,0]}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"release","org":"Acme","submission":3,"model":["m","1","00"],"salt":"00"}"#,
            "invalid type: sequence",
        ),
        (
            r#"{"type":"withdrawal","org":"Acme","submission":3} {}"#,
            "trailing characters",
        ),
        (r#"{"type":"withdrawal","org":"Acme","submission":3"#, "EOF"),
        ("", "EOF"),
    ];
    for (text, expected) in cases {
        let message = json_error(text);
        assert!(message.contains(expected), "{text}: {message}");
    }
    assert_eq!(
        Statement::from_json(br#"{"type":"approval","org":"Acme"}"#),
        Err(StatementError::UnknownType {
            found: "approval".into()
        })
    );
    assert!(matches!(
        Statement::from_json(b"{\"type\":\"withdrawal\",\"org\":\"Acme\xff\",\"submission\":3}"),
        Err(StatementError::Json { .. })
    ));
}

#[test]
fn to_json_refuses_what_would_not_parse() {
    let statement = Statement::Genesis(Genesis {
        org: Org::new("operator").unwrap(),
        origin: String::new(),
        review_window_secs: 60,
        operator_key: SigningKey::from_seed(&[7; 32]).public_key(),
        issued_at: None,
    });
    assert_eq!(
        statement.to_json(),
        Err(StatementError::InvalidField {
            field: "origin",
            problem: FieldProblem::Empty
        })
    );
}

#[test]
fn signer_roles_follow_the_design_table() {
    let expected = [
        ("genesis", Role::Operator),
        ("participant", Role::Operator),
        ("submission", Role::Developer),
        ("determination", Role::Reviewer),
        ("decision", Role::Reviewer),
        ("disclosure", Role::Coordinator),
        ("remediation", Role::Clearinghouse),
        ("reveal", Role::Coordinator),
        ("release", Role::Developer),
        ("withdrawal", Role::Developer),
    ];
    for (name, role) in expected {
        assert_eq!(
            StatementKind::from_name(name).unwrap().signer_role(),
            role,
            "{name}"
        );
    }
}

#[test]
fn digest_and_commitment_known_answers() {
    // SHA-256("abc"), FIPS 180-2 appendix B.1.
    assert_eq!(
        statement_digest(b"abc").to_hex(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // SHA-256 of bytes 0x00..=0x0f followed by 32 bytes of 0xaa, computed independently
    // (Python hashlib).
    let salt = Salt::new((0u8..16).collect()).unwrap();
    let digest = Hash([0xaa; 32]);
    assert_eq!(
        commitment(&salt, &digest).to_hex(),
        "6077846d8877b28e237b0d80b8a219870f3e32812923dabe07e32e195dd9e9ed"
    );
}
