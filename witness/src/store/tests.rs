//! Conformance test run against both stores, plus RocksDB reopen.

use std::sync::Arc;

use super::*;
use crate::forks::{Channel, EvidenceCheckpoint, ForkKind};

fn state(origin: &str, size: u64, root_byte: u8) -> OriginState {
    OriginState {
        origin: origin.to_owned(),
        size,
        root: Hash([root_byte; 32]),
        note: format!("{origin}\n{size}\nroot\n\n— sig AAAA\n"),
        cosigned_at: UnixSeconds(1_700_000_000 + size),
    }
}

fn evidence(origin: &str, presented: &str) -> ForkEvidence {
    ForkEvidence {
        id: crate::forks::evidence_id(presented),
        origin: origin.to_owned(),
        kind: ForkKind::SameSizeDifferentRoot,
        channel: Channel::AddCheckpoint,
        detected_at: 1_700_000_000,
        cosigned: EvidenceCheckpoint {
            size: 5,
            root: "a".into(),
            note: "cosigned".into(),
        },
        presented: EvidenceCheckpoint {
            size: 5,
            root: "b".into(),
            note: presented.into(),
        },
    }
}

fn conformance(store: Arc<dyn WitnessStore>) {
    assert_eq!(store.load("a").unwrap(), None);

    // First write expects nothing stored.
    let s1 = state("a", 1, 1);
    assert_eq!(
        store.compare_and_swap(Some(s1.tree_head()), &s1).unwrap(),
        CasOutcome::Conflict(None)
    );
    assert_eq!(
        store.compare_and_swap(None, &s1).unwrap(),
        CasOutcome::Swapped
    );
    assert_eq!(store.load("a").unwrap(), Some(s1.clone()));
    assert_eq!(store.load("b").unwrap(), None);

    // A stale expectation conflicts and writes nothing.
    let s3 = state("a", 3, 3);
    assert_eq!(
        store.compare_and_swap(None, &s3).unwrap(),
        CasOutcome::Conflict(Some(s1.tree_head()))
    );
    // Same size, other root is a different tree head.
    let other = TreeHead {
        size: 1,
        root: Hash([9; 32]),
    };
    assert_eq!(
        store.compare_and_swap(Some(other), &s3).unwrap(),
        CasOutcome::Conflict(Some(s1.tree_head()))
    );
    assert_eq!(store.load("a").unwrap(), Some(s1.clone()));
    assert_eq!(
        store.compare_and_swap(Some(s1.tree_head()), &s3).unwrap(),
        CasOutcome::Swapped
    );
    assert_eq!(store.load("a").unwrap(), Some(s3.clone()));

    // Racing swaps from one state: exactly one wins.
    let winners: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16u64)
            .map(|i| {
                let store = store.clone();
                let expected = s3.tree_head();
                scope.spawn(move || {
                    let new = state("a", 4 + i, 4 + i as u8);
                    matches!(
                        store.compare_and_swap(Some(expected), &new).unwrap(),
                        CasOutcome::Swapped
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap() as usize)
            .sum()
    });
    assert_eq!(winners, 1);
    let after = store.load("a").unwrap().unwrap();
    assert!(after.size >= 4 && after.size < 20);
    assert_eq!(after, state("a", after.size, after.size as u8));

    // Fork evidence: deduplicated by id, listed per origin in id order, at most
    // `max_per_origin` per origin, other origins unaffected by a full one.
    let e1 = evidence("a", "presented one");
    let e2 = evidence("b", "presented two");
    assert_eq!(store.record_fork(&e1, 3).unwrap(), RecordOutcome::Recorded);
    assert_eq!(store.record_fork(&e1, 3).unwrap(), RecordOutcome::Duplicate);
    assert_eq!(store.record_fork(&e2, 3).unwrap(), RecordOutcome::Recorded);
    assert_eq!(store.forks("a", 10).unwrap(), vec![e1.clone()]);
    assert_eq!(store.forks("b", 10).unwrap(), vec![e2.clone()]);
    assert_eq!(store.forks("c", 10).unwrap(), vec![]);
    let more: Vec<_> = (0..5)
        .map(|i| evidence("a", &format!("more {i}")))
        .collect();
    let outcomes: Vec<_> = more
        .iter()
        .map(|e| store.record_fork(e, 3).unwrap())
        .collect();
    use RecordOutcome::{Full, Recorded};
    assert_eq!(outcomes, [Recorded, Recorded, Full, Full, Full]);
    let mut want = vec![e1, more[0].clone(), more[1].clone()];
    want.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(store.forks("a", 10).unwrap(), want);
    assert_eq!(store.forks("a", 2).unwrap(), want[..2]);
    assert_eq!(store.forks("b", 10).unwrap(), vec![e2]);
}

#[test]
fn memory_store_conformance() {
    conformance(Arc::new(MemoryStore::new()));
}

#[test]
fn rocks_store_conformance_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = Arc::new(RocksStore::open(&path).unwrap());
    conformance(store.clone());
    let before = store.load("a").unwrap();
    let forks = store.forks("a", 10).unwrap();
    drop(store);
    let reopened = RocksStore::open(&path).unwrap();
    assert_eq!(reopened.load("a").unwrap(), before);
    assert_eq!(reopened.forks("a", 10).unwrap(), forks);
}

#[test]
fn corrupt_state_is_an_error() {
    assert!(matches!(
        decode_state("a", &[]),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        decode_state("a", &[2; 60]),
        Err(StoreError::Corrupt { .. })
    ));
    assert!(matches!(
        decode_state("a", &[1; 20]),
        Err(StoreError::Corrupt { .. })
    ));
    let s = state("a", 7, 7);
    assert_eq!(decode_state("a", &encode_state(&s)).unwrap(), s);
}
