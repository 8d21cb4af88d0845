//! Service-level tests over the memory store, with a controllable clock: timestamps,
//! the lost-race path, and which refusals count as fork evidence.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use docket_core::checkpoint::Checkpoint;
use docket_core::merkle::{self, Hash};
use docket_core::note::{KeyName, KeyType, Note, SignerKey};

use super::*;
use crate::config::LogConfig;
use crate::store::{MemoryStore, TreeHead};

const ORIGIN: &str = "example.com/unit-log";

fn log_key() -> SignerKey {
    SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyType::Ed25519, [1; 32]).unwrap()
}

fn witness_key() -> WitnessKey {
    let signer = SignerKey::from_seed(
        KeyName::new("example.com/unit-witness").unwrap(),
        KeyType::CosignatureV1,
        [2; 32],
    )
    .unwrap();
    WitnessKey::new(signer).unwrap()
}

fn leaves(n: u64, tag: &str) -> Vec<Hash> {
    (0..n)
        .map(|i| merkle::leaf_hash(format!("{tag}{i}").as_bytes()))
        .collect()
}

/// Root of a small tree, straight from the RFC 6962 definition.
fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => merkle::empty_root(),
        1 => leaves[0],
        n => {
            // The largest power of two below n.
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            merkle::node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

fn note(leaves: &[Hash]) -> String {
    let text = Checkpoint::new(ORIGIN, leaves.len() as u64, root(leaves))
        .unwrap()
        .to_text();
    Note::sign(text, [&log_key()]).unwrap().to_text()
}

fn body(old: u64, note: &str) -> Vec<u8> {
    format!("old {old}\n\n{note}").into_bytes()
}

fn witness(store: Arc<dyn WitnessStore>, clock: Clock) -> Witness {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: "unused".into(),
        key: witness_key(),
        max_body_bytes: 1 << 16,
        fetch_timeout: std::time::Duration::from_secs(1),
        logs: vec![LogConfig {
            origin: ORIGIN.into(),
            verifiers: vec![log_key().verifier()],
            url: None,
            poll_interval: std::time::Duration::from_secs(1),
        }],
    };
    Witness::new(config, store, clock)
}

fn timestamp_of(w: &Witness, line: &str, checkpoint_note: &str) -> u64 {
    let text = Note::parse(checkpoint_note.as_bytes())
        .unwrap()
        .text()
        .to_owned();
    let sigs = tlog_witness::parse_cosignatures(line.as_bytes()).unwrap();
    cosignature::verify(&w.key.verifier(), &text, &sigs[0])
        .unwrap()
        .0
}

#[test]
fn timestamps_are_never_zero_and_never_go_back() {
    let now = Arc::new(AtomicU64::new(0));
    let clock_now = now.clone();
    let w = witness(
        Arc::new(MemoryStore::new()),
        Arc::new(move || UnixSeconds(clock_now.load(Ordering::SeqCst))),
    );
    let l = leaves(4, "a");
    let n0 = note(&l[..0]);
    let line = w
        .add_checkpoint(&body(0, &n0), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(
        timestamp_of(&w, &line, &n0),
        1,
        "a zero clock still gives 1"
    );

    now.store(1_000, Ordering::SeqCst);
    let n2 = note(&l[..2]);
    let line = w
        .add_checkpoint(&body(0, &n2), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(timestamp_of(&w, &line, &n2), 1_000);

    now.store(500, Ordering::SeqCst); // the clock steps back
    let line = w
        .add_checkpoint(&body(2, &n2), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(timestamp_of(&w, &line, &n2), 1_000);
    let stored = w.store.load(ORIGIN).unwrap().unwrap();
    assert_eq!(stored.cosigned_at, UnixSeconds(1_000));
}

/// A store whose state changes between the witness's read and its write, as when
/// another request wins the race.
struct RacingStore {
    inner: MemoryStore,
    interloper: Mutex<Option<OriginState>>,
}

impl WitnessStore for RacingStore {
    fn load(&self, origin: &str) -> Result<Option<OriginState>, StoreError> {
        let current = self.inner.load(origin)?;
        if let Some(state) = self.interloper.lock().unwrap().take() {
            let expected = current.as_ref().map(OriginState::tree_head);
            assert_eq!(
                self.inner.compare_and_swap(expected, &state)?,
                CasOutcome::Swapped
            );
        }
        Ok(current)
    }
    fn compare_and_swap(
        &self,
        expected: Option<TreeHead>,
        new: &OriginState,
    ) -> Result<CasOutcome, StoreError> {
        self.inner.compare_and_swap(expected, new)
    }
    fn record_fork(&self, evidence: &ForkEvidence) -> Result<bool, StoreError> {
        self.inner.record_fork(evidence)
    }
    fn forks(&self) -> Result<Vec<ForkEvidence>, StoreError> {
        self.inner.forks()
    }
}

#[test]
fn losing_the_race_is_a_409_with_the_winners_size() {
    let l = leaves(7, "a");
    let winner = OriginState {
        origin: ORIGIN.into(),
        size: 7,
        root: root(&l),
        note: note(&l),
        cosigned_at: UnixSeconds(5),
    };
    let store = Arc::new(RacingStore {
        inner: MemoryStore::new(),
        interloper: Mutex::new(Some(winner.clone())),
    });
    let w = witness(store.clone(), system_clock());
    let error = w
        .add_checkpoint(&body(0, &note(&l[..3])), Channel::AddCheckpoint)
        .unwrap_err();
    assert_eq!(error.status(), 409);
    assert_eq!(error.conflict_size(), Some(7));
    assert_eq!(store.load(ORIGIN).unwrap(), Some(winner));
}

#[test]
fn only_contradictions_are_evidence() {
    let w = witness(Arc::new(MemoryStore::new()), system_clock());
    let l = leaves(6, "a");
    w.add_checkpoint(&body(0, &note(&l[..3])), Channel::AddCheckpoint)
        .unwrap();
    // The cosigned tree again with a (wrong) non-empty proof: refused, not evidence.
    let same = format!("old 3\n{}\n\n{}", Hash([7; 32]).to_base64(), note(&l[..3]));
    let error = w
        .add_checkpoint(same.as_bytes(), Channel::AddCheckpoint)
        .unwrap_err();
    assert_eq!(error.status(), 422);
    assert!(w.forks().unwrap().is_empty());
    // Other refusals are not evidence either.
    assert_eq!(
        w.add_checkpoint(&body(2, &note(&l[..6])), Channel::AddCheckpoint)
            .unwrap_err()
            .status(),
        409
    );
    assert!(w.forks().unwrap().is_empty());
    // Same size, another root: evidence, with both notes.
    let fork = leaves(3, "b");
    let error = w
        .add_checkpoint(&body(3, &note(&fork)), Channel::Pull)
        .unwrap_err();
    assert_eq!(error.status(), 422);
    let forks = w.forks().unwrap();
    assert_eq!(forks.len(), 1);
    assert_eq!(forks[0].kind, ForkKind::SameSizeDifferentRoot);
    assert_eq!(forks[0].channel, Channel::Pull);
    assert_eq!(forks[0].presented.note, note(&fork));
    assert_eq!(
        forks[0].cosigned.note,
        w.store.load(ORIGIN).unwrap().unwrap().note
    );
}

#[test]
fn unknown_origin_touches_nothing() {
    let w = witness(Arc::new(MemoryStore::new()), system_clock());
    let other = SignerKey::from_seed(
        KeyName::new("example.com/other").unwrap(),
        KeyType::Ed25519,
        [3; 32],
    )
    .unwrap();
    let text = Checkpoint::new("example.com/other", 0, merkle::empty_root())
        .unwrap()
        .to_text();
    let n = Note::sign(text, [&other]).unwrap().to_text();
    let error = w
        .add_checkpoint(&body(0, &n), Channel::AddCheckpoint)
        .unwrap_err();
    assert_eq!(error.status(), 404);
    assert_eq!(w.store.load("example.com/other").unwrap(), None);
}
