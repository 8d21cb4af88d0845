use docket_core::merkle::{self, Frontier, Hash};
use docket_core::time::UnixMillis;

use super::*;

/// Appends `count` entries `"entry <i>"` in one commit, as the sequencer would.
fn append(store: &LogStore, frontier: &mut Frontier, count: u64) {
    let state = store.tree_state().unwrap();
    let mut commit = Commit {
        state,
        ..Commit::default()
    };
    for i in state.size..state.size + count {
        let bytes = format!("entry {i}").into_bytes();
        commit
            .nodes
            .extend(frontier.append(merkle::leaf_hash(&bytes)));
        commit.entries.push(NewEntry {
            index: i,
            statement_digest: digest(i),
            bytes,
        });
    }
    commit.state = TreeState {
        size: state.size + count,
        last_logged_at: UnixMillis(1000 + state.size + count),
    };
    store.commit(&commit).unwrap();
}

/// A distinct stand-in statement digest per index.
fn digest(i: u64) -> Hash {
    merkle::node_hash(&Hash::default(), &merkle::leaf_hash(&i.to_be_bytes()))
}

/// The RFC 6962 root of entries 0..size, computed in memory.
fn expected_root(size: u64) -> Hash {
    let mut frontier = Frontier::new();
    for i in 0..size {
        frontier.append(merkle::leaf_hash(format!("entry {i}").as_bytes()));
    }
    frontier.root()
}

#[test]
fn commits_are_durable_and_readable_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let mut frontier = Frontier::new();
    {
        let store = LogStore::open(dir.path()).unwrap();
        assert_eq!(store.tree_state().unwrap(), TreeState::default());
        append(&store, &mut frontier, 300);
        append(&store, &mut frontier, 1);
    }
    let store = LogStore::open(dir.path()).unwrap();
    let state = store.tree_state().unwrap();
    assert_eq!(state.size, 301);
    assert_eq!(state.last_logged_at, UnixMillis(1301));
    assert_eq!(Frontier::load(301, &store).unwrap(), frontier);
    for size in [1, 2, 255, 256, 257, 300, 301] {
        assert_eq!(
            store.root(size).unwrap(),
            expected_root(size),
            "size {size}"
        );
    }
    assert_eq!(store.entry(7).unwrap().unwrap(), b"entry 7");
    assert_eq!(store.entry(301).unwrap(), None);
    let entries = store.entries(256..259).unwrap();
    assert_eq!(
        entries,
        vec![
            b"entry 256".to_vec(),
            b"entry 257".to_vec(),
            b"entry 258".to_vec()
        ]
    );
    assert!(matches!(
        store.entries(300..302),
        Err(StoreError::Missing { .. })
    ));
    // Level 8 holds the root of the first 256 leaves: tile 1/0 has one hash.
    let level8 = store.level_hashes(8, 0..1).unwrap();
    assert_eq!(level8[0], store.root(256).unwrap());
    assert_eq!(store.level_hashes(0, 0..256).unwrap().len(), 256);
    assert_eq!(store.index_of_statement(&digest(5)).unwrap(), Some(5));
    assert_eq!(store.index_of_statement(&digest(300)).unwrap(), Some(300));
    assert_eq!(store.index_of_statement(&digest(301)).unwrap(), None);
}

#[test]
fn proofs_from_the_store_verify() {
    let dir = tempfile::tempdir().unwrap();
    let store = LogStore::open(dir.path()).unwrap();
    let mut frontier = Frontier::new();
    append(&store, &mut frontier, 70);
    for size in [1u64, 2, 3, 17, 64, 70] {
        let root = store.root(size).unwrap();
        for index in 0..size {
            let proof = store.inclusion_proof(index, size).unwrap();
            let leaf = merkle::leaf_hash(format!("entry {index}").as_bytes());
            merkle::verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
        }
        for old in 1..=size {
            let proof = store.consistency_proof(old, size).unwrap();
            merkle::verify_consistency(old, size, &store.root(old).unwrap(), &root, &proof)
                .unwrap();
        }
    }
    assert!(matches!(
        store.inclusion_proof(70, 70),
        Err(ProofError::Invalid(_))
    ));
}

#[test]
fn checkpoint_history_and_witnessed_brackets() {
    let dir = tempfile::tempdir().unwrap();
    let store = LogStore::open(dir.path()).unwrap();
    assert_eq!(store.latest_checkpoint().unwrap(), None);
    // (size, cosignatures): an unwitnessed checkpoint at 5 must not be a bracket.
    for (size, cosignatures) in [(1, 2), (3, 2), (5, 0), (5, 2), (8, 2), (8, 2)] {
        store
            .append_checkpoint(
                size,
                UnixMillis(size * 10),
                cosignatures,
                &format!("note {size}\n"),
            )
            .unwrap();
    }
    let latest = store.latest_checkpoint().unwrap().unwrap();
    assert_eq!((latest.seq, latest.size), (5, 8));
    let all = store.checkpoints(0, 100).unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(store.checkpoints(4, 1).unwrap()[0].seq, 4);
    // Entry 4: last witnessed without it is size 3; first with it is the witnessed 5.
    let (before, after) = store.witnessed_brackets(4).unwrap();
    assert_eq!(before.unwrap().size, 3);
    let after = after.unwrap();
    assert_eq!((after.seq, after.size), (3, 5));
    // Entry 5: the last witnessed checkpoint without it is the latest of size 5.
    let (before, after) = store.witnessed_brackets(5).unwrap();
    assert_eq!(before.unwrap().seq, 3);
    assert_eq!(after.unwrap().seq, 4);
    // Entry 0 has nothing before it; entry 8 nothing after.
    assert_eq!(store.witnessed_brackets(0).unwrap().0, None);
    assert_eq!(store.witnessed_brackets(8).unwrap().1, None);
}
