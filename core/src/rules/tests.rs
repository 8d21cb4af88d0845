mod violations;

use std::convert::Infallible;

use super::*;
use crate::dsse::SigningKey;
use crate::statement::{Salt, commitment};

const ORIGIN: &str = "docket.example/log";
const MODEL_SHA: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const ADVISORY_SHA: &str = "2222222222222222222222222222222222222222222222222222222222222222";
const SALT: &str = "000102030405060708090a0b0c0d0e0f";
const WRONG_SALT: &str = "ff0102030405060708090a0b0c0d0e0f";

fn key(n: u8) -> SigningKey {
    SigningKey::from_seed(&[n; 32])
}

fn operator() -> SigningKey {
    key(1)
}
fn developer() -> SigningKey {
    key(2)
}
fn reviewer() -> SigningKey {
    key(3)
}
fn coordinator() -> SigningKey {
    key(4)
}
fn clearinghouse() -> SigningKey {
    key(5)
}
/// A second developer organisation.
fn other_developer() -> SigningKey {
    key(6)
}
/// A second coordinator organisation.
fn other_coordinator() -> SigningKey {
    key(7)
}

fn sealed_commitment() -> String {
    let salt = Salt::new(hex::decode(SALT).unwrap()).unwrap();
    commitment(&salt, &Hash::from_hex(MODEL_SHA).unwrap()).to_hex()
}

fn advisory_commitment() -> String {
    let salt = Salt::new(hex::decode(SALT).unwrap()).unwrap();
    commitment(&salt, &Hash::from_hex(ADVISORY_SHA).unwrap()).to_hex()
}

fn genesis_json(origin: &str, operator_key: &SigningKey) -> String {
    format!(
        r#"{{"type":"genesis","org":"operator","origin":"{origin}","review_window_secs":2592000,"operator_key":"{}"}}"#,
        operator_key.public_key()
    )
}

fn participant_json(action: &str, org: &str, role: &str, member: &SigningKey) -> String {
    format!(
        r#"{{"type":"participant","org":"operator","action":"{action}","member":{{"org":"{org}","role":"{role}","public_key":"{}"}}}}"#,
        member.public_key()
    )
}

fn submission_json(org: &str) -> String {
    format!(
        r#"{{"type":"submission","org":"{org}","model":{{"name":"acme-1","version":"1","sha256":"{MODEL_SHA}"}}}}"#
    )
}

fn sealed_submission_json() -> String {
    format!(
        r#"{{"type":"submission","org":"Acme","sealed":{{"commitment":"{}"}}}}"#,
        sealed_commitment()
    )
}

fn determination_json(submission: u64) -> String {
    format!(
        r#"{{"type":"determination","org":"NSA","submission":{submission},"covered":true,"benchmark":{{"name":"b","version":"1","score":0.5}}}}"#
    )
}

fn decision_json(org: &str, submission: u64) -> String {
    format!(
        r#"{{"type":"decision","org":"{org}","submission":{submission},"outcome":"cleared","findings":{{"critical":0,"high":0,"medium":0,"low":0}}}}"#
    )
}

fn disclosure_json(org: &str, submission: u64) -> String {
    format!(
        r#"{{"type":"disclosure","org":"{org}","submission":{submission},"sectors":["energy"],"recipients":3,"commitment":"{}"}}"#,
        advisory_commitment()
    )
}

fn remediation_json(disclosure: u64) -> String {
    format!(
        r#"{{"type":"remediation","org":"Treasury","disclosure":{disclosure},"status":"available"}}"#
    )
}

fn reveal_json(org: &str, disclosure: u64, salt: &str) -> String {
    format!(
        r#"{{"type":"reveal","org":"{org}","disclosure":{disclosure},"salt":"{salt}","advisory_sha256":"{ADVISORY_SHA}"}}"#
    )
}

fn release_json(org: &str, submission: u64) -> String {
    format!(r#"{{"type":"release","org":"{org}","submission":{submission}}}"#)
}

fn opening_release_json(submission: u64, salt: &str) -> String {
    format!(
        r#"{{"type":"release","org":"Acme","submission":{submission},"model":{{"name":"acme-1","version":"1","sha256":"{MODEL_SHA}"}},"salt":"{salt}"}}"#
    )
}

fn withdrawal_json(org: &str, submission: u64) -> String {
    format!(r#"{{"type":"withdrawal","org":"{org}","submission":{submission}}}"#)
}

/// A log in memory with a clock that advances one second per entry.
struct Log {
    view: MemoryLogView,
    now: UnixMillis,
}

impl Log {
    /// Genesis and one registered key per role (plus a second developer and coordinator
    /// organisation): entries 0 to 6.
    fn new() -> Log {
        let mut log = Log {
            view: MemoryLogView::new(),
            now: UnixMillis(1_780_000_000_000),
        };
        log.add(&operator(), &genesis_json(ORIGIN, &operator()))
            .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "Acme", "developer", &developer()),
        )
        .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "NSA", "reviewer", &reviewer()),
        )
        .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "ONCD", "coordinator", &coordinator()),
        )
        .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "Treasury", "clearinghouse", &clearinghouse()),
        )
        .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "Beta", "developer", &other_developer()),
        )
        .unwrap();
        log.add(
            &operator(),
            &participant_json("register", "CISA", "coordinator", &other_coordinator()),
        )
        .unwrap();
        log
    }

    fn add(&mut self, signer: &SigningKey, json: &str) -> Result<u64, RuleError<Infallible>> {
        let envelope = Envelope::sign_payload(json.as_bytes().to_vec(), signer);
        let index = self.view.len();
        self.view.append(&envelope, self.now, ORIGIN)?;
        self.now = UnixMillis(self.now.0 + 1_000);
        Ok(index)
    }

    /// The violation `json` signed by `signer` causes as the next entry; the log is
    /// unchanged.
    fn violation(&self, signer: &SigningKey, json: &str) -> RuleViolation {
        let envelope = Envelope::sign_payload(json.as_bytes().to_vec(), signer);
        let before = self.view.clone();
        let mut copy = self.view.clone();
        let result = copy.append(&envelope, self.now, ORIGIN);
        assert_eq!(self.view, before);
        match result {
            Err(RuleError::Violation(violation)) => violation,
            other => panic!("{json}: expected a violation, got {other:?}"),
        }
    }
}

fn org(name: &str) -> Org {
    Org::new(name).unwrap()
}

#[test]
fn happy_lifecycle() {
    let mut log = Log::new();
    assert_eq!(log.view.participants().count(), 7);
    assert_eq!(
        log.view.genesis().unwrap(),
        Some(GenesisInfo {
            origin: ORIGIN.into(),
            review_window_secs: 2_592_000,
            operator_org: org("operator"),
        })
    );
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let determination = log
        .add(&reviewer(), &determination_json(submission))
        .unwrap();
    let decision = log
        .add(&reviewer(), &decision_json("NSA", submission))
        .unwrap();
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    let remediation = log
        .add(&clearinghouse(), &remediation_json(disclosure))
        .unwrap();
    let remediation_2 = log
        .add(&clearinghouse(), &remediation_json(disclosure))
        .unwrap();
    let reveal = log
        .add(&coordinator(), &reveal_json("ONCD", disclosure, SALT))
        .unwrap();
    let release = log
        .add(&developer(), &release_json("Acme", submission))
        .unwrap();

    let sealed = log.add(&developer(), &sealed_submission_json()).unwrap();
    let sealed_release = log
        .add(&developer(), &opening_release_json(sealed, SALT))
        .unwrap();
    let withdrawn = log.add(&developer(), &submission_json("Acme")).unwrap();
    let withdrawal = log
        .add(&developer(), &withdrawal_json("Acme", withdrawn))
        .unwrap();

    let link = |kind, subject| {
        log.view
            .first_link(kind, LogIndex(subject))
            .unwrap()
            .map(|i| i.0)
    };
    assert_eq!(link(StatementKind::Decision, submission), Some(decision));
    assert_eq!(link(StatementKind::Release, submission), Some(release));
    assert_eq!(link(StatementKind::Reveal, disclosure), Some(reveal));
    assert_eq!(link(StatementKind::Release, sealed), Some(sealed_release));
    assert_eq!(link(StatementKind::Withdrawal, withdrawn), Some(withdrawal));
    assert_eq!(link(StatementKind::Decision, withdrawn), None);
    assert_eq!(
        log.view
            .links(StatementKind::Determination, LogIndex(submission)),
        &[LogIndex(determination)]
    );
    assert_eq!(
        log.view
            .links(StatementKind::Remediation, LogIndex(disclosure)),
        &[LogIndex(remediation), LogIndex(remediation_2)]
    );

    let info = log.view.entry_info(LogIndex(sealed)).unwrap().unwrap();
    assert_eq!(info.kind, StatementKind::Submission);
    assert_eq!(info.org, org("Acme"));
    assert_eq!(info.signer, developer().keyid());
    assert_eq!(
        info.commitment.map(|c| c.to_hex()),
        Some(sealed_commitment())
    );
    let info = log.view.entry_info(LogIndex(reveal)).unwrap().unwrap();
    assert_eq!(info.reference, Some(LogIndex(disclosure)));
    assert_eq!(log.view.len(), withdrawal + 1);
    assert_eq!(log.view.entry_info(LogIndex(withdrawal + 1)).unwrap(), None);
}

#[test]
fn a_batch_sees_its_own_effects() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let mut batch = OverlayLogView::new(&log.view);
    let mut index = log.view.len();
    let mut add =
        |batch: &mut OverlayLogView<'_, MemoryLogView>, signer: &SigningKey, json: &str| {
            let envelope = Envelope::sign_payload(json.as_bytes().to_vec(), signer);
            let result = accept(batch, &envelope, LogIndex(index), log.now, ORIGIN);
            if let Ok((_, effects)) = &result {
                batch.apply(effects).unwrap();
                index += 1;
            }
            result.map(|_| ())
        };
    add(&mut batch, &reviewer(), &decision_json("NSA", submission)).unwrap();
    assert_eq!(
        add(&mut batch, &reviewer(), &decision_json("NSA", submission)),
        Err(RuleError::Violation(RuleViolation::DecisionExists {
            submission: LogIndex(submission),
            decision: LogIndex(submission + 1),
        }))
    );
    add(
        &mut batch,
        &operator(),
        &participant_json("revoke", "Acme", "developer", &developer()),
    )
    .unwrap();
    assert_eq!(
        add(&mut batch, &developer(), &release_json("Acme", submission)),
        Err(RuleError::Violation(RuleViolation::SignerRevoked {
            keyid: developer().keyid(),
            revoked_at: LogIndex(submission + 2),
        }))
    );
    let effects = batch.into_effects();
    let mut sequential = log.view.clone();
    sequential.apply(&effects);
    assert_eq!(sequential.len(), submission + 3);
    assert_eq!(
        sequential
            .first_link(StatementKind::Decision, LogIndex(submission))
            .unwrap(),
        Some(LogIndex(submission + 1))
    );
    assert!(
        sequential
            .participant(&developer().keyid())
            .unwrap()
            .unwrap()
            .revoked_at
            .is_some()
    );
}

#[test]
fn status_classes_and_codes() {
    let keyid = key(1).keyid();
    let cases = [
        (
            RuleViolation::SignerNotRegistered { keyid },
            403,
            "signer_not_registered",
        ),
        (
            RuleViolation::RoleNotAllowed {
                role: Role::Developer,
                kind: StatementKind::Decision,
            },
            403,
            "role_not_allowed",
        ),
        (
            RuleViolation::MissingReference { index: LogIndex(3) },
            422,
            "missing_reference",
        ),
        (
            RuleViolation::OpeningMismatch { index: LogIndex(3) },
            422,
            "opening_mismatch",
        ),
        (
            RuleViolation::DecisionExists {
                submission: LogIndex(3),
                decision: LogIndex(4),
            },
            409,
            "decision_exists",
        ),
        (
            RuleViolation::KeyAlreadyRegistered {
                keyid,
                registered_at: LogIndex(1),
            },
            409,
            "key_already_registered",
        ),
    ];
    for (violation, status, code) in cases {
        assert_eq!(
            (violation.http_status(), violation.code()),
            (status, code),
            "{violation}"
        );
    }
}

/// docs/formats.md §5 step 9: a key may revoke itself, and the last operator key may be
/// revoked, which freezes the registry for good; a remediation may name sectors its
/// disclosure did not.
#[test]
fn self_revocation_freezes_the_registry_and_remediation_sectors_are_free() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    let remediation = format!(
        r#"{{"type":"remediation","org":"Treasury","disclosure":{disclosure},"status":"deployed","sectors":["water"]}}"#
    );
    log.add(&clearinghouse(), &remediation).unwrap();
    log.add(
        &operator(),
        &participant_json("revoke", "operator", "operator", &operator()),
    )
    .unwrap();
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("register", "Gamma", "developer", &key(40))
        )
        .code(),
        "signer_revoked"
    );
    // Other participants' keys stay valid.
    log.add(&developer(), &submission_json("Acme")).unwrap();
}
