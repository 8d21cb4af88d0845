//! A log built by hand with docket-core (entries signed with DSSE, tiles from a
//! `Frontier`, checkpoints signed and cosigned) and served from memory, so tests can
//! plant rule violations, fork the history and tamper with any byte.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::checkpoint::Checkpoint;
use docket_core::cosignature;
use docket_core::dsse::{Envelope, SigningKey};
use docket_core::entry::Entry;
use docket_core::merkle::{self, Frontier, Hash, HashReader, NodeId};
use docket_core::note::{KeyName, KeyType, Note, SignerKey};
use docket_core::proof::TlogProof;
use docket_core::tiles::{self, Tile, TileHashReader};
use docket_core::time::{UnixMillis, UnixSeconds};
use docket_verifier::Env;
use docket_verifier::fetch::MemoryFetcher;
use docket_verifier::output::Rendered;
use serde_json::{Value, json};

/// The test log's origin.
pub const ORIGIN: &str = "test.example/docket";
/// The first entry's time: 2026-06-01T00:00:00Z.
pub const T0: u64 = 1_780_272_000_000;
/// One day in milliseconds.
pub const DAY: u64 = 86_400_000;
/// The review window in tests: one day.
pub const WINDOW_SECS: u64 = 86_400;

/// Every stored node hash of a log, for tiles and proofs.
#[derive(Default, Clone)]
pub struct Nodes(pub HashMap<NodeId, Hash>);

impl HashReader for Nodes {
    type Error = NodeId;

    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, NodeId> {
        nodes
            .iter()
            .map(|n| self.0.get(n).copied().ok_or(*n))
            .collect()
    }
}

/// The cast of participants.
pub struct Keys {
    pub operator: SigningKey,
    pub developer: SigningKey,
    pub reviewer: SigningKey,
    pub coordinator: SigningKey,
    pub stranger: SigningKey,
}

impl Keys {
    pub fn new() -> Keys {
        Keys {
            operator: SigningKey::from_seed(&[1; 32]),
            developer: SigningKey::from_seed(&[2; 32]),
            reviewer: SigningKey::from_seed(&[3; 32]),
            coordinator: SigningKey::from_seed(&[4; 32]),
            stranger: SigningKey::from_seed(&[5; 32]),
        }
    }
}

/// A log under construction, published into a [`MemoryFetcher`].
pub struct TestLog {
    pub keys: Keys,
    pub log_key: SignerKey,
    pub witnesses: Vec<SignerKey>,
    pub entries: Vec<Vec<u8>>,
    pub frontier: Frontier,
    pub nodes: Nodes,
    pub fetcher: Arc<MemoryFetcher>,
    pub history: Vec<String>,
    pub dir: tempfile::TempDir,
    pub now: u64,
}

impl TestLog {
    /// An empty log (no genesis yet).
    pub fn empty() -> TestLog {
        TestLog {
            keys: Keys::new(),
            log_key: SignerKey::from_seed(KeyName::new(ORIGIN).unwrap(), KeyType::Ed25519, [9; 32])
                .unwrap(),
            witnesses: vec![
                SignerKey::from_seed(
                    KeyName::new("witness-a.test").unwrap(),
                    KeyType::CosignatureV1,
                    [11; 32],
                )
                .unwrap(),
                SignerKey::from_seed(
                    KeyName::new("witness-b.test").unwrap(),
                    KeyType::CosignatureV1,
                    [12; 32],
                )
                .unwrap(),
            ],
            entries: Vec::new(),
            frontier: Frontier::new(),
            nodes: Nodes::default(),
            fetcher: Arc::new(MemoryFetcher::new()),
            history: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
            now: T0 + 100 * DAY,
        }
    }

    /// A log with genesis and the cast registered (entries 0..=4), published.
    pub fn with_cast() -> TestLog {
        let mut log = TestLog::empty();
        let operator = log.keys.operator.clone();
        log.append(
            json!({"type":"genesis","org":"operator","origin":ORIGIN,"review_window_secs":WINDOW_SECS,
                   "operator_key":operator.public_key().to_hex()}),
            &operator,
            T0,
        );
        for (org, role, key) in [
            ("acme", "developer", log.keys.developer.clone()),
            ("nsa", "reviewer", log.keys.reviewer.clone()),
            ("oncd", "coordinator", log.keys.coordinator.clone()),
        ] {
            log.append(participant(org, role, &key), &operator, T0 + 1);
        }
        log.publish(T0 / 1000 + 10);
        log
    }

    /// Appends a statement signed by `key`, logged at `logged_at`; returns its index.
    pub fn append(&mut self, statement: Value, key: &SigningKey, logged_at: u64) -> u64 {
        let envelope = Envelope::sign_payload(serde_json::to_vec(&statement).unwrap(), key);
        let bytes = Entry {
            logged_at: UnixMillis(logged_at),
            envelope,
        }
        .encode()
        .unwrap();
        self.append_bytes(bytes)
    }

    /// Appends raw entry bytes.
    pub fn append_bytes(&mut self, bytes: Vec<u8>) -> u64 {
        let index = self.entries.len() as u64;
        for (node, hash) in self.frontier.append(merkle::leaf_hash(&bytes)) {
            self.nodes.0.insert(node, hash);
        }
        self.entries.push(bytes);
        index
    }

    /// Signs a checkpoint for the current size, cosigned by both witnesses at
    /// `witness_time` (seconds), and serves it with every tile and bundle.
    pub fn publish(&mut self, witness_time: u64) -> String {
        let times = vec![witness_time; self.witnesses.len()];
        self.publish_with(&times)
    }

    /// As [`TestLog::publish`], each witness cosigning at its own time (seconds), in the
    /// order of `self.witnesses`: a lying witness dates its cosignature as it likes.
    pub fn publish_with(&mut self, times: &[u64]) -> String {
        let size = self.entries.len() as u64;
        let text = Checkpoint::new(ORIGIN, size, self.frontier.root())
            .unwrap()
            .to_text();
        let mut note = Note::sign(text.clone(), [&self.log_key]).unwrap();
        let lines: Vec<_> = self
            .witnesses
            .iter()
            .zip(times)
            .map(|(w, time)| cosignature::sign(w, &text, UnixSeconds(*time)).unwrap())
            .collect();
        note.add_signatures(lines).unwrap();
        let note = note.to_text();
        for tile in tiles::tree_tiles(size) {
            let hashes = self.nodes.read_hashes(&tile.nodes()).unwrap();
            self.fetcher
                .insert(tile.path(), tiles::encode_tile(&hashes));
            let bundle = tile.bundle();
            if let Some(bundle) = bundle {
                let range = bundle.entries();
                let entries = &self.entries[range.start as usize..range.end as usize];
                self.fetcher
                    .insert(bundle.path(), tiles::encode_entry_bundle(entries).unwrap());
            }
        }
        self.fetcher.insert("checkpoint", note.clone().into_bytes());
        self.history.push(note.clone());
        let items: Vec<Value> = self
            .history
            .iter()
            .enumerate()
            .map(|(seq, n)| json!({"seq": seq, "note": n}))
            .collect();
        self.fetcher.insert(
            "v1/checkpoints?from=0",
            serde_json::to_vec(&json!({"checkpoints": items, "next": null})).unwrap(),
        );
        note
    }

    /// The tile map of the current tree.
    pub fn tile_map(&self) -> HashMap<Tile, Vec<u8>> {
        tiles::tree_tiles(self.entries.len() as u64)
            .into_iter()
            .map(|t| (t, self.fetcher.get(&t.path()).unwrap()))
            .collect()
    }

    /// A receipt for entry `index` against the latest published checkpoint.
    pub fn receipt(&self, index: u64) -> Value {
        let note = self.history.last().unwrap().clone();
        let size = self.entries.len() as u64;
        let map = self.tile_map();
        let proof = merkle::inclusion_proof(index, size, &TileHashReader::new(size, &map)).unwrap();
        let entry = &self.entries[index as usize];
        let decoded = Entry::decode(entry).unwrap();
        json!({
            "index": index,
            "logged_at": decoded.logged_at.0,
            "leaf_hash": merkle::leaf_hash(entry).to_hex(),
            "checkpoint": note,
            "proof": TlogProof::new(None, index, proof, note.clone()).unwrap().to_text(),
            "entry": BASE64.encode(entry),
        })
    }

    /// The log's vkey.
    pub fn log_vkey(&self) -> String {
        self.log_key.verifier().to_vkey()
    }

    /// A third witness, for policies of k of three.
    pub fn add_witness(&mut self) {
        self.witnesses.push(
            SignerKey::from_seed(
                KeyName::new("witness-c.test").unwrap(),
                KeyType::CosignatureV1,
                [13; 32],
            )
            .unwrap(),
        );
    }

    /// Trust flags for both witnesses, quorum 2, and a state file in the temp dir.
    pub fn args(&self, verb: &[&str]) -> Vec<String> {
        let mut args = vec!["verifier".to_string()];
        args.extend(verb.iter().map(|s| s.to_string()));
        args.extend([
            "--log-key".to_string(),
            self.log_vkey(),
            "--state".to_string(),
            self.path("state.json"),
        ]);
        for w in &self.witnesses {
            args.extend(["--witness-key".to_string(), w.verifier().to_vkey()]);
        }
        args
    }

    /// A path in the test's temp dir.
    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// Runs the verifier with `verb` against this log.
    pub fn run(&self, verb: &[&str]) -> Rendered {
        self.run_args(self.args(verb))
    }

    /// Runs the verifier with full args.
    pub fn run_args(&self, args: Vec<String>) -> Rendered {
        docket_verifier::run_args(
            args,
            &Env {
                fetcher: Some(self.fetcher.clone()),
                now: UnixMillis(self.now),
                progress: false,
            },
        )
    }

    /// Runs with `--json` and parses the output.
    pub fn json(&self, verb: &[&str]) -> (u8, Value) {
        let mut v: Vec<&str> = verb.to_vec();
        v.push("--json");
        let out = self.run(&v);
        let value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"));
        (out.code, value)
    }

    /// Flips one bit of the file at `path` at byte `at`.
    pub fn tamper(&self, path: &str, at: usize) {
        let mut bytes = self
            .fetcher
            .get(path)
            .unwrap_or_else(|| panic!("no {path}"));
        bytes[at] ^= 0x01;
        self.fetcher.insert(path, bytes);
    }
}

/// A participant registration by the operator.
pub fn participant(org: &str, role: &str, key: &SigningKey) -> Value {
    json!({"type":"participant","org":"operator","action":"register",
           "member":{"org":org,"role":role,"public_key":key.public_key().to_hex()}})
}

/// A submission by acme.
pub fn submission(name: &str) -> Value {
    json!({"type":"submission","org":"acme",
           "model":{"name":name,"version":"1.0","sha256":hex::encode([7u8; 32])}})
}

/// A decision by nsa.
pub fn decision(submission: u64) -> Value {
    json!({"type":"decision","org":"nsa","submission":submission,"outcome":"cleared",
           "findings":{"critical":0,"high":1,"medium":2,"low":3}})
}

/// A withdrawal by acme.
pub fn withdrawal(submission: u64) -> Value {
    json!({"type":"withdrawal","org":"acme","submission":submission})
}
