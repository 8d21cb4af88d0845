//! The explorer's indexes against the real write path (`plan_batch` and synced commits),
//! without HTTP: what a batch writes, what a refused statement leaves (nothing), the cut
//! at a published size, and the backfill of a log that predates the indexes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use docket_core::dsse::{Envelope, SigningKey};
use docket_core::merkle::Frontier;
use docket_core::review::{ReviewStatus, ReviewWindow};
use docket_core::statement::Statement;
use docket_core::time::UnixMillis;
use rocksdb::{IteratorMode, WriteBatch};
use serde_json::{Value, json};

use super::index::{backfill, counters_at};
use super::query::{self, Cut, Filter, Paging};
use crate::apply::{Outcome, Submission, plan_batch};
use crate::store::{LogStore, TreeState};

const ORIGIN: &str = "unit.example/docket";
const T0: u64 = 1_780_358_400_000;
const WINDOW: u64 = 100;

struct Log {
    _dir: tempfile::TempDir,
    store: LogStore,
    frontier: Frontier,
    state: TreeState,
}

fn signed(value: Value, key: &SigningKey) -> Submission {
    let statement = Statement::from_json(&serde_json::to_vec(&value).unwrap()).unwrap();
    let envelope = Envelope::sign(&statement, key).unwrap();
    Submission::new(envelope.verify(&key.public_key()).unwrap())
}

fn op() -> SigningKey {
    SigningKey::from_seed(&[1; 32])
}
fn dev() -> SigningKey {
    SigningKey::from_seed(&[2; 32])
}
fn rev() -> SigningKey {
    SigningKey::from_seed(&[3; 32])
}

impl Log {
    fn new() -> Log {
        let dir = tempfile::tempdir().unwrap();
        let store = LogStore::open(dir.path()).unwrap();
        let mut log = Log {
            _dir: dir,
            store,
            frontier: Frontier::new(),
            state: TreeState::default(),
        };
        let mut setup = vec![signed(
            json!({"type":"genesis","org":"operator","origin":ORIGIN,"review_window_secs":WINDOW,
                   "operator_key": op().public_key().to_hex()}),
            &op(),
        )];
        for (org, role, key) in [("acme", "developer", dev()), ("nsa", "reviewer", rev())] {
            setup.push(signed(
                json!({"type":"participant","org":"operator","action":"register",
                       "member":{"org":org,"role":role,"public_key":key.public_key().to_hex()}}),
                &op(),
            ));
        }
        log.batch(T0, setup);
        log
    }

    fn batch(&mut self, at: u64, items: Vec<Submission>) -> Vec<Outcome> {
        let plan = plan_batch(
            &self.store,
            ORIGIN,
            &mut self.frontier,
            self.state,
            UnixMillis(at),
            &items,
        )
        .unwrap();
        self.store.commit(&plan.commit).unwrap();
        self.state = plan.commit.state;
        plan.outcomes
    }

    fn cut(&self, size: u64, at: u64) -> Cut {
        Cut {
            size,
            as_of: UnixMillis(at),
            window: Some(ReviewWindow::from_secs(WINDOW)),
        }
    }
}

fn submission(name: &str) -> Submission {
    signed(
        json!({"type":"submission","org":"acme","model":{"name":name,"version":"1",
               "sha256":hex::encode([7u8;32])}}),
        &dev(),
    )
}

fn decision(sub: u64) -> Submission {
    decision_with(sub, "cleared")
}

fn decision_with(sub: u64, outcome: &str) -> Submission {
    signed(
        json!({"type":"decision","org":"nsa","submission":sub,"outcome":outcome,
               "findings":{"critical":0,"high":0,"medium":0,"low":0}}),
        &rev(),
    )
}

fn statuses(store: &LogStore, cut: &Cut) -> Vec<(u64, ReviewStatus)> {
    let paging = Paging {
        after: None,
        newest_first: false,
        limit: 100,
    };
    query::submissions(store, cut, &Filter::default(), paging)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| (r.record.index, r.status))
        .collect()
}

#[test]
fn two_decisions_in_one_batch_count_once() {
    let mut log = Log::new();
    log.batch(T0, vec![submission("a")]);
    let outcomes = log.batch(T0 + 1000, vec![decision(3), decision_with(3, "declined")]);
    assert!(matches!(outcomes[0], Outcome::New { .. }));
    assert!(matches!(outcomes[1], Outcome::Rejected(_)));
    let counters = counters_at(&log.store, log.state.size).unwrap();
    assert_eq!(counters.submissions, 1);
    assert_eq!(counters.decided_on_time, 1);
    let cut = log.cut(log.state.size, T0 + 1000);
    assert_eq!(
        statuses(&log.store, &cut),
        vec![(3, ReviewStatus::DecidedOnTime)]
    );
}

#[test]
fn a_cut_before_a_decision_does_not_see_it() {
    let mut log = Log::new();
    log.batch(T0, vec![submission("a")]);
    let before = log.state.size;
    log.batch(T0 + (WINDOW + 5) * 1000, vec![decision(3)]);
    // Published at the earlier size, after the deadline: overdue, not decided late.
    let cut = log.cut(before, T0 + (WINDOW + 5) * 1000);
    assert_eq!(statuses(&log.store, &cut), vec![(3, ReviewStatus::Overdue)]);
    let data = query::overview(&log.store, &cut, 10).unwrap();
    assert_eq!(data.counts.overdue, 1);
    assert_eq!(data.counts.decided_late, 0);
    assert!(data.recent_decisions.is_empty());
    // At the later size: decided late.
    let cut = log.cut(log.state.size, T0 + (WINDOW + 5) * 1000);
    assert_eq!(
        statuses(&log.store, &cut),
        vec![(3, ReviewStatus::DecidedLate)]
    );
    let data = query::overview(&log.store, &cut, 10).unwrap();
    assert_eq!((data.counts.overdue, data.counts.decided_late), (0, 1));
}

#[test]
fn pending_and_overdue_split_at_the_deadline_by_core_rules() {
    let mut log = Log::new();
    log.batch(T0, vec![submission("a")]);
    let size = log.state.size;
    // Exactly at the deadline a review is still pending (core: now <= deadline).
    let at_deadline = log.cut(size, T0 + WINDOW * 1000);
    assert_eq!(
        statuses(&log.store, &at_deadline),
        vec![(3, ReviewStatus::Pending)]
    );
    let counts = query::overview(&log.store, &at_deadline, 10)
        .unwrap()
        .counts;
    assert_eq!((counts.pending, counts.overdue), (1, 0));
    let after = log.cut(size, T0 + WINDOW * 1000 + 1);
    assert_eq!(
        statuses(&log.store, &after),
        vec![(3, ReviewStatus::Overdue)]
    );
    let counts = query::overview(&log.store, &after, 10).unwrap().counts;
    assert_eq!((counts.pending, counts.overdue), (0, 1));
}

#[test]
fn backfill_rebuilds_the_indexes_of_an_older_log() {
    let mut log = Log::new();
    log.batch(T0, vec![submission("a"), submission("b"), submission("c")]);
    log.batch(T0 + 5000, vec![decision(3)]);
    log.batch(T0 + (WINDOW + 10) * 1000, vec![decision(4)]);
    let cut = log.cut(log.state.size, T0 + (WINDOW + 10) * 1000);
    let want = statuses(&log.store, &cut);
    assert_eq!(
        want,
        vec![
            (3, ReviewStatus::DecidedOnTime),
            (4, ReviewStatus::DecidedLate),
            (5, ReviewStatus::Overdue)
        ]
    );
    // An "old" database: the same log without any explorer key.
    let dir = tempfile::tempdir().unwrap();
    let old = LogStore::open(dir.path()).unwrap();
    let mut copy = WriteBatch::default();
    for item in log.store.db().iterator(IteratorMode::Start) {
        let (k, v) = item.unwrap();
        if k[0] != b'x' {
            copy.put(k, v);
        }
    }
    old.write_synced(copy).unwrap();
    assert_eq!(statuses(&old, &cut), vec![]);
    assert_eq!(backfill(&old).unwrap(), log.state.size);
    assert_eq!(statuses(&old, &cut), want);
    let counts = query::overview(&old, &cut, 10).unwrap().counts;
    assert_eq!(
        (
            counts.submissions,
            counts.decided_on_time,
            counts.decided_late,
            counts.overdue
        ),
        (3, 1, 1, 1)
    );
    // Once done, never again.
    assert_eq!(backfill(&old).unwrap(), 0);
    // A log indexed from the start needs none.
    assert_eq!(backfill(&log.store).unwrap(), 0);
}
