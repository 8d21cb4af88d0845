//! Every `RuleViolation`, triggered through a real log.

use super::*;

#[test]
fn genesis_rules() {
    let genesis = genesis_json(ORIGIN, &operator());
    let empty = Log {
        view: MemoryLogView::new(),
        now: UnixMillis(5),
    };
    assert_eq!(
        empty.violation(&operator(), &genesis_json("other.example/log", &operator())),
        RuleViolation::OriginMismatch {
            expected: ORIGIN.into(),
            found: "other.example/log".into()
        }
    );
    assert_eq!(
        empty.violation(&key(9), &genesis),
        RuleViolation::GenesisNotSelfSigned {
            signer: key(9).keyid(),
            operator: operator().keyid()
        }
    );
    assert_eq!(
        empty.violation(&operator(), &submission_json("operator")),
        RuleViolation::FirstEntryNotGenesis {
            kind: StatementKind::Submission
        }
    );
    // `check` on its own reports the same for an already verified statement.
    let verified = Envelope::sign_payload(submission_json("x").into_bytes(), &developer())
        .verify(&developer().public_key())
        .unwrap();
    assert_eq!(
        check(
            &MemoryLogView::new(),
            &verified,
            LogIndex(0),
            UnixMillis(0),
            ORIGIN
        ),
        Err(RuleError::Violation(RuleViolation::FirstEntryNotGenesis {
            kind: StatementKind::Submission
        }))
    );

    let log = Log::new();
    let next = LogIndex(log.view.len());
    assert_eq!(
        log.violation(&operator(), &genesis),
        RuleViolation::GenesisNotFirst { index: next }
    );
    assert_eq!(
        log.violation(&key(9), &genesis_json(ORIGIN, &key(9))),
        RuleViolation::GenesisNotFirst { index: next }
    );
    let registration = log.view.participant(&operator().keyid()).unwrap().unwrap();
    assert_eq!(registration.role, Role::Operator);
    assert_eq!(registration.registered_at, LogIndex(0));
}

#[test]
fn signer_must_be_registered_and_not_revoked() {
    let mut log = Log::new();
    assert_eq!(
        log.violation(&key(9), &submission_json("Acme")),
        RuleViolation::SignerNotRegistered {
            keyid: key(9).keyid()
        }
    );
    let before = log.add(&developer(), &submission_json("Acme")).unwrap();
    let revocation = log
        .add(
            &operator(),
            &participant_json("revoke", "Acme", "developer", &developer()),
        )
        .unwrap();
    assert_eq!(
        log.violation(&developer(), &submission_json("Acme")),
        RuleViolation::SignerRevoked {
            keyid: developer().keyid(),
            revoked_at: LogIndex(revocation)
        }
    );
    // What the key signed before its revocation stands, and the organisation acts through
    // a new key.
    assert_eq!(
        log.view
            .entry_info(LogIndex(before))
            .unwrap()
            .unwrap()
            .signer,
        developer().keyid()
    );
    log.add(
        &operator(),
        &participant_json("register", "Acme", "developer", &key(10)),
    )
    .unwrap();
    log.add(&key(10), &release_json("Acme", before)).unwrap();
}

#[test]
fn only_the_designated_role_signs_each_type() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    let signers = [
        (Role::Operator, operator(), "operator"),
        (Role::Developer, developer(), "Acme"),
        (Role::Reviewer, reviewer(), "NSA"),
        (Role::Coordinator, coordinator(), "ONCD"),
        (Role::Clearinghouse, clearinghouse(), "Treasury"),
    ];
    for (role, signer, org_name) in &signers {
        let statements = [
            (
                StatementKind::Participant,
                participant_json("register", "New", "reviewer", &key(20))
                    .replace(r#""org":"operator""#, &format!(r#""org":"{org_name}""#)),
            ),
            (StatementKind::Submission, submission_json(org_name)),
            (
                StatementKind::Determination,
                determination_json(submission).replace("NSA", org_name),
            ),
            (StatementKind::Decision, decision_json(org_name, submission)),
            (
                StatementKind::Disclosure,
                disclosure_json(org_name, submission),
            ),
            (
                StatementKind::Remediation,
                remediation_json(disclosure).replace("Treasury", org_name),
            ),
            (
                StatementKind::Reveal,
                reveal_json(org_name, disclosure, SALT),
            ),
            (StatementKind::Release, release_json(org_name, submission)),
            (
                StatementKind::Withdrawal,
                withdrawal_json(org_name, submission),
            ),
        ];
        for (kind, json) in statements {
            let envelope = Envelope::sign_payload(json.into_bytes(), signer);
            let result = accept(
                &log.view,
                &envelope,
                LogIndex(log.view.len()),
                log.now,
                ORIGIN,
            );
            if kind.signer_role() == *role {
                assert!(result.is_ok(), "{role} signing {kind}: {result:?}");
            } else {
                assert_eq!(
                    result.map(|_| ()),
                    Err(RuleError::Violation(RuleViolation::RoleNotAllowed {
                        role: *role,
                        kind
                    })),
                    "{role} signing {kind}"
                );
            }
        }
    }
}

#[test]
fn statement_org_must_be_the_signers() {
    let log = Log::new();
    assert_eq!(
        log.violation(&developer(), &submission_json("Beta")),
        RuleViolation::OrgMismatch {
            registered: org("Acme"),
            statement: org("Beta")
        }
    );
}

#[test]
fn developer_statements_only_by_the_submitting_org() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let not_submitter = RuleViolation::NotSubmitter {
        submission: LogIndex(submission),
        submitter: org("Acme"),
        org: org("Beta"),
    };
    assert_eq!(
        log.violation(&other_developer(), &release_json("Beta", submission)),
        not_submitter
    );
    assert_eq!(
        log.violation(&other_developer(), &withdrawal_json("Beta", submission)),
        not_submitter
    );
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    assert_eq!(
        log.violation(&other_coordinator(), &reveal_json("CISA", disclosure, SALT)),
        RuleViolation::NotDiscloser {
            disclosure: LogIndex(disclosure),
            discloser: org("ONCD"),
            org: org("CISA")
        }
    );
    // Another coordinator may disclose about the same submission.
    log.add(&other_coordinator(), &disclosure_json("CISA", submission))
        .unwrap();
}

#[test]
fn references_must_exist_earlier_with_the_right_type() {
    let mut log = Log::new();
    let next = log.view.len();
    for target in [999, next, next + 1] {
        assert_eq!(
            log.violation(&reviewer(), &decision_json("NSA", target)),
            RuleViolation::MissingReference {
                index: LogIndex(target)
            }
        );
    }
    assert_eq!(
        log.violation(&reviewer(), &decision_json("NSA", 2)),
        RuleViolation::WrongReferenceType {
            index: LogIndex(2),
            expected: StatementKind::Submission,
            found: StatementKind::Participant,
        }
    );
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    assert_eq!(
        log.violation(&clearinghouse(), &remediation_json(submission)),
        RuleViolation::WrongReferenceType {
            index: LogIndex(submission),
            expected: StatementKind::Disclosure,
            found: StatementKind::Submission,
        }
    );
    assert_eq!(
        log.violation(&coordinator(), &reveal_json("ONCD", submission, SALT)),
        RuleViolation::WrongReferenceType {
            index: LogIndex(submission),
            expected: StatementKind::Disclosure,
            found: StatementKind::Submission,
        }
    );
}

#[test]
fn one_decision_release_and_reveal() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let decision = log
        .add(&reviewer(), &decision_json("NSA", submission))
        .unwrap();
    assert_eq!(
        log.violation(&reviewer(), &decision_json("NSA", submission)),
        RuleViolation::DecisionExists {
            submission: LogIndex(submission),
            decision: LogIndex(decision)
        }
    );
    let release = log
        .add(&developer(), &release_json("Acme", submission))
        .unwrap();
    assert_eq!(
        log.violation(&developer(), &release_json("Acme", submission)),
        RuleViolation::ReleaseExists {
            submission: LogIndex(submission),
            release: LogIndex(release)
        }
    );
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    let reveal = log
        .add(&coordinator(), &reveal_json("ONCD", disclosure, SALT))
        .unwrap();
    assert_eq!(
        log.violation(&coordinator(), &reveal_json("ONCD", disclosure, SALT)),
        RuleViolation::RevealExists {
            disclosure: LogIndex(disclosure),
            reveal: LogIndex(reveal)
        }
    );
}

#[test]
fn withdrawal_closes_review_but_not_disclosure_or_release() {
    let mut log = Log::new();
    let submission = log.add(&developer(), &submission_json("Acme")).unwrap();
    let withdrawal = log
        .add(&developer(), &withdrawal_json("Acme", submission))
        .unwrap();
    let withdrawn = RuleViolation::SubmissionWithdrawn {
        submission: LogIndex(submission),
        withdrawal: LogIndex(withdrawal),
    };
    assert_eq!(
        log.violation(&reviewer(), &decision_json("NSA", submission)),
        withdrawn
    );
    assert_eq!(
        log.violation(&reviewer(), &determination_json(submission)),
        withdrawn
    );
    assert_eq!(
        log.violation(&developer(), &withdrawal_json("Acme", submission)),
        withdrawn
    );
    log.add(&coordinator(), &disclosure_json("ONCD", submission))
        .unwrap();
    log.add(&developer(), &release_json("Acme", submission))
        .unwrap();

    // A decision logged before the withdrawal stands, and the withdrawal is allowed.
    let decided = log.add(&developer(), &submission_json("Acme")).unwrap();
    log.add(&reviewer(), &decision_json("NSA", decided))
        .unwrap();
    log.add(&developer(), &withdrawal_json("Acme", decided))
        .unwrap();
}

#[test]
fn commitments_must_open() {
    let mut log = Log::new();
    let sealed = log.add(&developer(), &sealed_submission_json()).unwrap();
    let plain = log.add(&developer(), &submission_json("Acme")).unwrap();
    assert_eq!(
        log.violation(&developer(), &release_json("Acme", sealed)),
        RuleViolation::CommitmentNotOpened {
            submission: LogIndex(sealed)
        }
    );
    assert_eq!(
        log.violation(&developer(), &opening_release_json(sealed, WRONG_SALT)),
        RuleViolation::OpeningMismatch {
            index: LogIndex(sealed)
        }
    );
    assert_eq!(
        log.violation(&developer(), &opening_release_json(plain, SALT)),
        RuleViolation::NotSealed {
            submission: LogIndex(plain)
        }
    );
    let disclosure = log
        .add(&coordinator(), &disclosure_json("ONCD", plain))
        .unwrap();
    assert_eq!(
        log.violation(&coordinator(), &reveal_json("ONCD", disclosure, WRONG_SALT)),
        RuleViolation::OpeningMismatch {
            index: LogIndex(disclosure)
        }
    );
    log.add(&developer(), &opening_release_json(sealed, SALT))
        .unwrap();
    log.add(&coordinator(), &reveal_json("ONCD", disclosure, SALT))
        .unwrap();
}

#[test]
fn registration_rules() {
    let mut log = Log::new();
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("register", "Acme", "developer", &developer())
        ),
        RuleViolation::KeyAlreadyRegistered {
            keyid: developer().keyid(),
            registered_at: LogIndex(1)
        }
    );
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("revoke", "Acme", "developer", &key(30))
        ),
        RuleViolation::UnknownKey {
            keyid: key(30).keyid()
        }
    );
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("revoke", "Acme", "reviewer", &developer())
        ),
        RuleViolation::RevocationMismatch {
            keyid: developer().keyid()
        }
    );
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("revoke", "Beta", "developer", &developer())
        ),
        RuleViolation::RevocationMismatch {
            keyid: developer().keyid()
        }
    );
    let revocation = log
        .add(
            &operator(),
            &participant_json("revoke", "Acme", "developer", &developer()),
        )
        .unwrap();
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("revoke", "Acme", "developer", &developer())
        ),
        RuleViolation::KeyAlreadyRevoked {
            keyid: developer().keyid(),
            revoked_at: LogIndex(revocation)
        }
    );
    // A revoked key stays revoked: registering it again is refused.
    assert_eq!(
        log.violation(
            &operator(),
            &participant_json("register", "Acme", "developer", &developer())
        ),
        RuleViolation::KeyAlreadyRegistered {
            keyid: developer().keyid(),
            registered_at: LogIndex(1)
        }
    );
    // An operator may register a second operator key, which may then sign.
    log.add(
        &operator(),
        &participant_json("register", "operator", "operator", &key(31)),
    )
    .unwrap();
    log.add(
        &key(31),
        &participant_json("register", "Gamma", "developer", &key(32)),
    )
    .unwrap();
}

#[test]
fn logged_at_never_decreases() {
    let mut log = Log::new();
    let previous = UnixMillis(log.now.0 - 1_000);
    log.now = UnixMillis(previous.0 - 1);
    assert_eq!(
        log.violation(&developer(), &submission_json("Acme")),
        RuleViolation::LoggedAtDecreased {
            previous,
            logged_at: log.now
        }
    );
    log.now = previous;
    log.add(&developer(), &submission_json("Acme")).unwrap();
}

#[test]
fn bad_envelopes_are_envelope_errors() {
    let log = Log::new();
    let mut envelope = Envelope::sign_payload(submission_json("Acme").into_bytes(), &developer());
    envelope.payload.push(b' ');
    assert_eq!(
        accept(
            &log.view,
            &envelope,
            LogIndex(log.view.len()),
            log.now,
            ORIGIN
        )
        .map(|_| ()),
        Err(RuleError::Envelope(DsseError::BadSignature {
            keyid: developer().keyid()
        }))
    );
    let garbage = Envelope::sign_payload(b"{}".to_vec(), &key(40));
    assert!(matches!(
        authenticate(&log.view, &garbage),
        Err(RuleError::Envelope(DsseError::Statement(_)))
    ));
}
