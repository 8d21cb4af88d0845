use super::*;

const WINDOW: ReviewWindow = ReviewWindow::THIRTY_DAYS;
const SUBMITTED: UnixMillis = UnixMillis(1_780_000_000_000);
const THIRTY_DAYS_MS: u64 = 30 * 24 * 3600 * 1000;

fn at(index: u64, logged_at: u64) -> Event {
    Event {
        index: LogIndex(index),
        logged_at: UnixMillis(logged_at),
    }
}

fn status(decision: Option<Event>, withdrawal: Option<Event>, now: u64) -> ReviewStatus {
    review(
        WINDOW,
        at(10, SUBMITTED.0),
        decision,
        withdrawal,
        UnixMillis(now),
    )
    .status
}

#[test]
fn deadline_edges() {
    let deadline = SUBMITTED.0 + THIRTY_DAYS_MS;
    assert_eq!(WINDOW.deadline(SUBMITTED), UnixMillis(deadline));
    let far = deadline + 10 * THIRTY_DAYS_MS;
    assert_eq!(
        status(Some(at(11, deadline)), None, far),
        ReviewStatus::DecidedOnTime
    );
    assert_eq!(
        status(Some(at(11, deadline + 1)), None, far),
        ReviewStatus::DecidedLate
    );
    assert_eq!(
        status(Some(at(11, SUBMITTED.0)), None, far),
        ReviewStatus::DecidedOnTime
    );
    assert_eq!(status(None, None, SUBMITTED.0), ReviewStatus::Pending);
    assert_eq!(status(None, None, deadline), ReviewStatus::Pending);
    assert_eq!(status(None, None, deadline + 1), ReviewStatus::Overdue);
}

#[test]
fn withdrawal_before_and_after_a_decision() {
    let deadline = SUBMITTED.0 + THIRTY_DAYS_MS;
    let now = deadline + THIRTY_DAYS_MS;
    assert_eq!(
        status(None, Some(at(11, SUBMITTED.0 + 5)), now),
        ReviewStatus::Withdrawn
    );
    // Withdrawn after the deadline passed without a decision: still withdrawn, and the
    // report shows the deadline and the withdrawal's time.
    let late = review(
        WINDOW,
        at(10, SUBMITTED.0),
        None,
        Some(at(11, deadline + 5)),
        UnixMillis(now),
    );
    assert_eq!(late.status, ReviewStatus::Withdrawn);
    assert!(late.withdrawal.unwrap().logged_at > late.deadline);
    // A decision before the withdrawal keeps its status, on time or late.
    assert_eq!(
        status(Some(at(11, deadline)), Some(at(12, deadline + 1)), now),
        ReviewStatus::DecidedOnTime
    );
    assert_eq!(
        status(Some(at(11, deadline + 1)), Some(at(12, deadline + 2)), now),
        ReviewStatus::DecidedLate
    );
    // Order is by index: a withdrawal earlier in the log wins even at the same time.
    assert_eq!(
        status(
            Some(at(12, SUBMITTED.0 + 9)),
            Some(at(11, SUBMITTED.0 + 9)),
            now
        ),
        ReviewStatus::Withdrawn
    );
}

#[test]
fn events_after_now_are_not_yet_known() {
    let decided = at(11, SUBMITTED.0 + 1_000);
    assert_eq!(
        status(Some(decided), None, SUBMITTED.0 + 999),
        ReviewStatus::Pending
    );
    assert_eq!(
        status(Some(decided), None, SUBMITTED.0 + 1_000),
        ReviewStatus::DecidedOnTime
    );
    let withdrawn = at(11, SUBMITTED.0 + 1_000);
    assert_eq!(
        status(None, Some(withdrawn), SUBMITTED.0 + 999),
        ReviewStatus::Pending
    );
}

#[test]
fn review_from_a_view() {
    use crate::dsse::{Envelope, SigningKey};
    use crate::rules::MemoryLogView;
    let operator = SigningKey::from_seed(&[1; 32]);
    let developer = SigningKey::from_seed(&[2; 32]);
    let reviewer = SigningKey::from_seed(&[3; 32]);
    let mut view = MemoryLogView::new();
    let mut add = |key: &SigningKey, json: String, logged_at: u64| {
        view.append(
            &Envelope::sign_payload(json.into_bytes(), key),
            UnixMillis(logged_at),
            "o",
        )
        .unwrap();
    };
    add(
        &operator,
        format!(
            r#"{{"type":"genesis","org":"op","origin":"o","review_window_secs":60,"operator_key":"{}"}}"#,
            operator.public_key()
        ),
        0,
    );
    add(
        &operator,
        format!(
            r#"{{"type":"participant","org":"op","action":"register","member":{{"org":"Acme","role":"developer","public_key":"{}"}}}}"#,
            developer.public_key()
        ),
        1,
    );
    add(
        &operator,
        format!(
            r#"{{"type":"participant","org":"op","action":"register","member":{{"org":"NSA","role":"reviewer","public_key":"{}"}}}}"#,
            reviewer.public_key()
        ),
        2,
    );
    add(
        &developer,
        format!(
            r#"{{"type":"submission","org":"Acme","sealed":{{"commitment":"{}"}}}}"#,
            "ab".repeat(32)
        ),
        1_000,
    );
    add(&reviewer, r#"{"type":"decision","org":"NSA","submission":3,"outcome":"declined","findings":{"critical":0,"high":0,"medium":0,"low":0}}"#.to_string(), 61_001);

    let review = submission_review(&view, LogIndex(3), UnixMillis(100_000))
        .unwrap()
        .unwrap();
    assert_eq!(review.deadline, UnixMillis(61_000));
    assert_eq!(review.decision, Some(at(4, 61_001)));
    assert_eq!(review.status, ReviewStatus::DecidedLate);
    let earlier = submission_review(&view, LogIndex(3), UnixMillis(61_000))
        .unwrap()
        .unwrap();
    assert_eq!(earlier.status, ReviewStatus::Pending);
    assert_eq!(
        submission_review(&view, LogIndex(2), UnixMillis(0)).unwrap(),
        None
    );
    assert_eq!(
        submission_review(&view, LogIndex(9), UnixMillis(0)).unwrap(),
        None
    );
    assert_eq!(
        submission_review(&MemoryLogView::new(), LogIndex(3), UnixMillis(0)).unwrap(),
        None
    );
}

fn checkpoint(size: u64, secs: u64) -> WitnessedCheckpoint {
    spread(size, secs, secs)
}

/// A checkpoint whose quorum cosigned between `earliest` and `latest`.
fn spread(size: u64, earliest: u64, latest: u64) -> WitnessedCheckpoint {
    WitnessedCheckpoint {
        size,
        cosigned_by: UnixSeconds(earliest),
        seen_at: UnixSeconds(latest),
    }
}

#[test]
fn bracketing_checkpoints() {
    let checkpoints = [
        checkpoint(5, 100),
        checkpoint(10, 200),
        checkpoint(10, 250),
        checkpoint(20, 300),
    ];
    let bounds = witnessed_bounds(LogIndex(10), &checkpoints);
    assert_eq!(bounds.without, Some(checkpoint(10, 250)));
    assert_eq!(bounds.with, Some(checkpoint(20, 300)));
    assert_eq!(bounds.not_before(), Some(UnixMillis(250_000)));
    assert_eq!(bounds.not_after(), Some(UnixMillis(300_999)));
    let bounds = witnessed_bounds(LogIndex(9), &checkpoints);
    assert_eq!(
        (bounds.without, bounds.with),
        (Some(checkpoint(5, 100)), Some(checkpoint(10, 200)))
    );
    let bounds = witnessed_bounds(LogIndex(3), &checkpoints);
    assert_eq!(
        (bounds.without, bounds.with),
        (None, Some(checkpoint(5, 100)))
    );
    let bounds = witnessed_bounds(LogIndex(20), &checkpoints);
    assert_eq!(
        (bounds.without, bounds.with),
        (Some(checkpoint(20, 300)), None)
    );
    assert_eq!(
        witnessed_bounds(LogIndex(0), &[]),
        WitnessedBounds::default()
    );
}

#[test]
fn which_bound_a_status_relies_on() {
    let window = ReviewWindow::from_secs(100);
    let submitted = at(1, 1_000_500);
    // Witnesses: submission between 1,000 s and 1,001 s; window 100 s.
    let submission = WitnessedBounds {
        without: Some(checkpoint(1, 1_000)),
        with: Some(checkpoint(2, 1_001)),
    };
    let decided = |logged_at: u64, without: u64, with: u64| {
        let decision = WitnessedBounds {
            without: Some(checkpoint(2, without)),
            with: Some(checkpoint(3, with)),
        };
        let review = review(
            window,
            submitted,
            Some(at(2, logged_at)),
            None,
            UnixMillis(u64::MAX),
        );
        (
            review.status,
            basis(
                &review,
                window,
                QuorumKind::Majority,
                &submission,
                &decision,
            ),
        )
    };
    // On time: witnessed by 1,100 s + 999 ms > earliest deadline 1,100 s, so only logged_at.
    assert_eq!(
        decided(1_100_000, 1_050, 1_100),
        (ReviewStatus::DecidedOnTime, Basis::LoggedAt)
    );
    assert_eq!(
        decided(1_099_000, 1_050, 1_099),
        (ReviewStatus::DecidedOnTime, Basis::Witnessed)
    );
    // Late: not witnessed at 1,101 s; latest deadline is 1,101.999 s.
    assert_eq!(
        decided(1_102_000, 1_101, 1_103),
        (ReviewStatus::DecidedLate, Basis::LoggedAt)
    );
    assert_eq!(
        decided(1_102_000, 1_102, 1_103),
        (ReviewStatus::DecidedLate, Basis::Witnessed)
    );
    // Missing bounds fall back to logged_at.
    let review_late = review(
        window,
        submitted,
        Some(at(2, 2_000_000)),
        None,
        UnixMillis(u64::MAX),
    );
    assert_eq!(
        basis(
            &review_late,
            window,
            QuorumKind::Majority,
            &WitnessedBounds::default(),
            &submission
        ),
        Basis::LoggedAt
    );

    // Overdue: the latest witnessed checkpoint (no decision in it) is past the deadline.
    let overdue = review(window, submitted, None, None, UnixMillis(2_000_000));
    assert_eq!(overdue.status, ReviewStatus::Overdue);
    let end = witnessed_bounds(LogIndex(2), &[checkpoint(1, 1_000), checkpoint(2, 1_500)]);
    assert_eq!(
        basis(&overdue, window, QuorumKind::Majority, &submission, &end),
        Basis::Witnessed
    );
    let end = witnessed_bounds(LogIndex(2), &[checkpoint(1, 1_000), checkpoint(2, 1_050)]);
    assert_eq!(
        basis(&overdue, window, QuorumKind::Majority, &submission, &end),
        Basis::LoggedAt
    );

    let pending = review(window, submitted, None, None, UnixMillis(1_000_600));
    assert_eq!(
        basis(&pending, window, QuorumKind::Majority, &submission, &end),
        Basis::LoggedAt
    );
    let withdrawn = review(
        window,
        submitted,
        None,
        Some(at(2, 1_000_700)),
        UnixMillis(1_000_800),
    );
    assert_eq!(
        basis(&withdrawn, window, QuorumKind::Majority, &submission, &end),
        Basis::LogOrder
    );
}

/// A lying witness in a quorum of two dates its cosignatures as it likes: the upper bound
/// uses the earlier (honest) time, the lower bound the later (honest) one, so the liar
/// moves neither, and a stale view shown to a quorum that is not a majority proves nothing.
#[test]
fn a_lying_witness_moves_no_bound() {
    let window = ReviewWindow::from_secs(100);
    let submitted = at(1, 1_000_500);
    let submission = WitnessedBounds {
        without: Some(checkpoint(1, 1_000)),
        with: Some(checkpoint(2, 1_001)),
    };
    // The anchor (no decision) was cosigned by the honest witness at 1,050 s and by the
    // liar "at" 5,000 s, after the deadline (1,101.999 s at the latest). In a quorum of
    // two, the 2nd earliest time (the upper bound) is the liar's, which only loosens it,
    // and the 2nd latest (the lower bound) is the honest one.
    let end = witnessed_bounds(
        LogIndex(2),
        &[checkpoint(1, 1_000), spread(2, 5_000, 1_050)],
    );
    assert_eq!(end.not_before(), Some(UnixMillis(1_050_000)));
    let overdue = review(window, submitted, None, None, UnixMillis(2_000_000));
    assert_eq!(
        basis(&overdue, window, QuorumKind::Majority, &submission, &end),
        Basis::LoggedAt
    );
    // Had the lower bound used the liar's time, the missed deadline would look witnessed.
    let fooled = witnessed_bounds(
        LogIndex(2),
        &[checkpoint(1, 1_000), spread(2, 1_050, 5_000)],
    );
    assert_eq!(
        basis(&overdue, window, QuorumKind::Majority, &submission, &fooled),
        Basis::Witnessed
    );
    // A liar dating a checkpoint *with* the entry before the one without it cannot pull
    // the upper bound earlier than the honest witness's time either.
    let bounds = witnessed_bounds(
        LogIndex(1),
        &[spread(2, 1_001, 1_001), checkpoint(1, 1_000)],
    );
    assert_eq!(bounds.not_after(), Some(UnixMillis(1_001_999)));
    // Witnessed bounds that do prove a missed deadline still need a majority policy, and
    // a policy without witnesses proves nothing.
    let past = witnessed_bounds(LogIndex(2), &[checkpoint(1, 1_000), checkpoint(2, 1_500)]);
    assert_eq!(
        basis(&overdue, window, QuorumKind::Majority, &submission, &past),
        Basis::Witnessed
    );
    for quorum in [QuorumKind::Disjoint, QuorumKind::None] {
        assert_eq!(
            basis(&overdue, window, quorum, &submission, &past),
            Basis::LoggedAt
        );
    }
}

#[test]
fn status_names() {
    let names: Vec<&str> = [
        ReviewStatus::Pending,
        ReviewStatus::DecidedOnTime,
        ReviewStatus::DecidedLate,
        ReviewStatus::Overdue,
        ReviewStatus::Withdrawn,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    assert_eq!(
        names,
        [
            "pending",
            "decided_on_time",
            "decided_late",
            "overdue",
            "withdrawn"
        ]
    );
    assert_eq!(
        serde_json::to_string(&ReviewStatus::DecidedOnTime).unwrap(),
        "\"decided_on_time\""
    );
}
