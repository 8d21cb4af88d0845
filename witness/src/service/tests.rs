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
        serve: docket_daemon::serve::ServeLimits::default(),
        max_clock_jump: std::time::Duration::from_secs(3600),
        accept_clock_jump: false,
        tls: None,
        client_tls: Default::default(),
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
    fn record_fork(
        &self,
        evidence: &ForkEvidence,
        max_per_origin: usize,
    ) -> Result<RecordOutcome, StoreError> {
        self.inner.record_fork(evidence, max_per_origin)
    }
    fn forks(&self, origin: &str, limit: usize) -> Result<Vec<ForkEvidence>, StoreError> {
        self.inner.forks(origin, limit)
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

/// Hashes of a small tree's perfect subtrees, computed from its leaves.
struct SmallTree<'a>(&'a [Hash]);

impl merkle::HashReader for SmallTree<'_> {
    type Error = std::convert::Infallible;
    fn read_hashes(&self, nodes: &[merkle::NodeId]) -> Result<Vec<Hash>, Self::Error> {
        Ok(nodes
            .iter()
            .map(|n| {
                let start = (n.index << n.level) as usize;
                root(&self.0[start..start + (1usize << n.level)])
            })
            .collect())
    }
}

/// `note` with a signature line from a key nobody configured appended: the witness
/// ignores such lines when verifying, so they must not reach its records either.
fn with_junk_line(note: &str, i: u32) -> String {
    use base64::Engine as _;
    let mut sig = i.to_be_bytes().to_vec();
    sig.extend_from_slice(&[i as u8; 64]);
    let line = base64::engine::general_purpose::STANDARD.encode(sig);
    format!("{note}— junk.example/{i} {line}\n")
}

#[test]
fn junk_proof_flood_against_a_witness_that_is_behind_records_nothing() {
    let w = witness(Arc::new(MemoryStore::new()), system_clock());
    let l = leaves(40, "a");
    w.add_checkpoint(&body(0, &note(&l[..3])), Channel::AddCheckpoint)
        .unwrap();
    // The log moved on to 40; the witness is at 3. Anyone holding the log's genuine
    // checkpoint can send it with a junk proof, dressed in ever new junk lines.
    let genuine = note(&l);
    for i in 0..200u32 {
        let proof: String = (0..(1 + i % 6))
            .map(|j| format!("{}\n", Hash([(i + j) as u8; 32]).to_base64()))
            .collect();
        let request = format!("old 3\n{proof}\n{}", with_junk_line(&genuine, i));
        let error = w
            .add_checkpoint(request.as_bytes(), Channel::AddCheckpoint)
            .unwrap_err();
        assert_eq!(error.status(), 422, "{error}");
    }
    assert!(w.forks().unwrap().is_empty());
    let metrics = w.render_metrics().unwrap();
    assert!(metrics.contains("witness_forks_recorded 0\n"), "{metrics}");
    assert!(
        metrics.contains("witness_bad_consistency_proofs_total{channel=\"add_checkpoint\"} 200\n"),
        "{metrics}"
    );
    // The witness is not stuck: the genuine checkpoint with the right proof passes.
    let proof = merkle::consistency_proof(3, 40, &SmallTree(&l)).unwrap();
    let request = format!(
        "old 3\n{}\n{genuine}",
        proof
            .iter()
            .map(|h| format!("{}\n", h.to_base64()))
            .collect::<String>()
    );
    w.add_checkpoint(request.as_bytes(), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(w.stored_size(ORIGIN).unwrap(), 40);
}

#[test]
fn a_real_fork_is_recorded_once_with_verified_lines_only_and_bounded() {
    let w = witness(Arc::new(MemoryStore::new()), system_clock());
    let l = leaves(5, "a");
    w.add_checkpoint(&body(0, &note(&l)), Channel::AddCheckpoint)
        .unwrap();
    // The same fork sent many times, each time with other junk lines: one record,
    // holding only the log's verified signature.
    let fork = note(&leaves(5, "b"));
    for i in 0..20u32 {
        let error = w
            .add_checkpoint(&body(5, &with_junk_line(&fork, i)), Channel::AddCheckpoint)
            .unwrap_err();
        assert_eq!(error.status(), 422);
    }
    let forks = w.forks().unwrap();
    assert_eq!(forks.len(), 1);
    assert_eq!(forks[0].presented.note, fork, "verified lines only");
    assert!(!forks[0].presented.note.contains("junk"));
    // A log (or a thief of its key) signing ever more roots for size 5 fills the
    // records up to the cap, and no further.
    let extra = forks::MAX_FORKS_PER_ORIGIN + 4;
    for i in 0..extra {
        let other = note(&leaves(5, &format!("c{i}")));
        assert_eq!(
            w.add_checkpoint(&body(5, &other), Channel::AddCheckpoint)
                .unwrap_err()
                .status(),
            422
        );
    }
    assert_eq!(w.forks().unwrap().len(), forks::MAX_FORKS_PER_ORIGIN);
    let metrics = w.render_metrics().unwrap();
    assert!(
        metrics.contains(&format!(
            "witness_forks_recorded {}\n",
            forks::MAX_FORKS_PER_ORIGIN
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("witness_forks_not_kept_total 5\n"),
        "{metrics}"
    );
}

/// A wall clock and a monotonic clock the test moves by hand (seconds, milliseconds).
fn hand_clocks() -> (Arc<AtomicU64>, Arc<AtomicU64>, Clock, Monotonic) {
    let wall = Arc::new(AtomicU64::new(1_800_000_000));
    let mono = Arc::new(AtomicU64::new(0));
    let (w, m) = (wall.clone(), mono.clone());
    let clock: Clock = Arc::new(move || UnixSeconds(w.load(Ordering::SeqCst)));
    let monotonic: Monotonic =
        Arc::new(move || std::time::Duration::from_millis(m.load(Ordering::SeqCst)));
    (wall, mono, clock, monotonic)
}

fn witness_with(store: Arc<dyn WitnessStore>, clock: Clock, monotonic: Monotonic) -> Witness {
    let w = witness(Arc::new(MemoryStore::new()), clock.clone());
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: "unused".into(),
        key: witness_key(),
        max_body_bytes: 1 << 16,
        fetch_timeout: std::time::Duration::from_secs(1),
        serve: docket_daemon::serve::ServeLimits::default(),
        max_clock_jump: std::time::Duration::from_secs(60),
        accept_clock_jump: false,
        tls: None,
        client_tls: Default::default(),
        logs: w.logs.clone(),
    };
    Witness::with_clocks(config, store, clock, monotonic)
}

#[test]
fn a_forward_clock_jump_is_refused_not_frozen_into_every_later_timestamp() {
    let (wall, mono, clock, monotonic) = hand_clocks();
    let store: Arc<dyn WitnessStore> = Arc::new(MemoryStore::new());
    let w = witness_with(store.clone(), clock.clone(), monotonic.clone());
    // Each request re-presents the one-entry tree (a heartbeat): no proof needed.
    let l = leaves(1, "a");
    let n1 = note(&l);
    let line = w
        .add_checkpoint(&body(0, &n1), Channel::AddCheckpoint)
        .unwrap();
    let start = wall.load(Ordering::SeqCst);
    assert_eq!(timestamp_of(&w, &line, &n1), start);

    // Two hours ahead in no time: 503, nothing cosigned, nothing stored.
    wall.store(start + 7_200, Ordering::SeqCst);
    let error = w
        .add_checkpoint(&body(1, &n1), Channel::AddCheckpoint)
        .unwrap_err();
    assert_eq!(error.status(), 503, "{error}");
    assert!(matches!(error, AddError::ClockJump(_)));
    assert_eq!(w.stored_size(ORIGIN).unwrap(), 1);
    let metrics = w.render_metrics().unwrap();
    assert!(
        metrics.contains("witness_clock_jump_refusals_total 1\n"),
        "{metrics}"
    );

    // Put right: cosigning resumes at the true time, not frozen two hours ahead.
    wall.store(start + 5, Ordering::SeqCst);
    let line = w
        .add_checkpoint(&body(1, &n1), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(timestamp_of(&w, &line, &n1), start + 5);

    // A day of idle time (both clocks move) is not a jump.
    wall.fetch_add(86_400, Ordering::SeqCst);
    mono.fetch_add(86_400_000, Ordering::SeqCst);
    let line = w
        .add_checkpoint(&body(1, &n1), Channel::AddCheckpoint)
        .unwrap();
    assert_eq!(timestamp_of(&w, &line, &n1), start + 5 + 86_400);

    // A restart finds the clock two hours past the stored cosignature: anchored to it,
    // the new process refuses too; without the anchor (--accept-clock-jump) it cosigns.
    wall.fetch_add(7_200, Ordering::SeqCst);
    let (_, _, _, fresh_monotonic) = hand_clocks();
    let restarted = witness_with(store.clone(), clock.clone(), fresh_monotonic.clone());
    restarted.anchor_clock().unwrap();
    assert_eq!(
        restarted
            .add_checkpoint(&body(1, &n1), Channel::AddCheckpoint)
            .unwrap_err()
            .status(),
        503
    );
    let trusted = witness_with(store, clock, fresh_monotonic);
    trusted
        .add_checkpoint(&body(1, &n1), Channel::AddCheckpoint)
        .unwrap();
}
