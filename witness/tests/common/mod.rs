//! Shared test helpers: a log we control (key, leaves, signed checkpoints, proofs),
//! a witness started in-process on a loopback port 0, the real `witness` binary, and
//! small HTTP helpers. Each test gets its own data directory; nothing is shared.

#![allow(dead_code)]
// each test binary uses a different subset
// Test support: a panic with its location is the right failure report here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use docket_core::checkpoint::Checkpoint;
use docket_core::merkle::{self, Hash, HashReader, NodeId};
use docket_core::note::{KeyName, KeyType, Note, SignerKey, VerifierKey};
use docket_core::time::UnixSeconds;
use docket_witness::config::{RawConfig, RawLog};
use docket_witness::keys;

/// The witness seed the vectors use (torchwood's test key).
pub const VECTOR_WITNESS_SEED: &str =
    "31ffc2116ecbe003acaa800ab70757bd7d53206e3febef6a6d0796d95530b34f";
/// The witness name the vectors use.
pub const VECTOR_WITNESS_NAME: &str = "example.com/witness";

/// Reads a vector file from testdata/vectors/.
pub fn vector(path: &str) -> serde_json::Value {
    let full = format!("{}/../testdata/vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// A log under test control.
#[derive(Clone)]
pub struct TestLog {
    pub origin: String,
    key: Arc<SignerKey>,
    pub leaves: Vec<Hash>,
}

/// Hashes of perfect subtrees computed from leaf hashes in memory.
struct LeafReader<'a>(&'a [Hash]);

impl LeafReader<'_> {
    fn node(&self, node: NodeId) -> Hash {
        if node.level == 0 {
            return self.0[node.index as usize];
        }
        let left = self.node(NodeId {
            level: node.level - 1,
            index: node.index * 2,
        });
        let right = self.node(NodeId {
            level: node.level - 1,
            index: node.index * 2 + 1,
        });
        merkle::node_hash(&left, &right)
    }
}

impl HashReader for LeafReader<'_> {
    type Error = std::convert::Infallible;
    fn read_hashes(&self, nodes: &[NodeId]) -> Result<Vec<Hash>, Self::Error> {
        Ok(nodes.iter().map(|n| self.node(*n)).collect())
    }
}

impl TestLog {
    /// A log named `origin` whose Ed25519 key comes from a seed of `seed_byte`s.
    pub fn new(origin: &str, seed_byte: u8) -> TestLog {
        let key = SignerKey::from_seed(
            KeyName::new(origin).unwrap(),
            KeyType::Ed25519,
            [seed_byte; 32],
        )
        .unwrap();
        TestLog {
            origin: origin.to_owned(),
            key: Arc::new(key),
            leaves: Vec::new(),
        }
    }

    /// The log's vkey text.
    pub fn vkey(&self) -> String {
        self.key.verifier().to_vkey()
    }

    /// The log's verifier key.
    pub fn verifier(&self) -> VerifierKey {
        self.key.verifier()
    }

    /// Appends `n` entries whose content is tagged with `tag` (different tags give
    /// different trees: how a test makes a fork).
    pub fn append(&mut self, n: usize, tag: &str) {
        for _ in 0..n {
            let entry = format!("{tag} entry {}", self.leaves.len());
            self.leaves.push(merkle::leaf_hash(entry.as_bytes()));
        }
    }

    /// The same log truncated to `size` leaves.
    pub fn truncated(&self, size: u64) -> TestLog {
        let mut log = self.clone();
        log.leaves.truncate(size as usize);
        log
    }

    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The root at `size`.
    pub fn root(&self, size: u64) -> Hash {
        merkle::tree_root(size, &LeafReader(&self.leaves)).unwrap()
    }

    /// Hashes of the perfect subtree `node`.
    pub fn node_hash(&self, node: NodeId) -> Hash {
        LeafReader(&self.leaves).node(node)
    }

    /// The signed checkpoint note at `size`.
    pub fn checkpoint(&self, size: u64) -> String {
        let text = Checkpoint::new(self.origin.clone(), size, self.root(size))
            .unwrap()
            .to_text();
        Note::sign(text, [self.key.as_ref()]).unwrap().to_text()
    }

    /// The consistency proof from `old` to `new` (empty when old is 0 or old == new).
    pub fn proof(&self, old: u64, new: u64) -> Vec<Hash> {
        if old == 0 || old == new {
            return Vec::new();
        }
        merkle::consistency_proof(old, new, &LeafReader(&self.leaves)).unwrap()
    }

    /// A valid add-checkpoint body from `old` to `new`.
    pub fn body(&self, old: u64, new: u64) -> String {
        body(old, &self.proof(old, new), &self.checkpoint(new))
    }
}

/// An add-checkpoint body from its parts.
pub fn body(old: u64, proof: &[Hash], note: &str) -> String {
    let mut out = format!("old {old}\n");
    for hash in proof {
        out.push_str(&hash.to_base64());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(note);
    out
}

/// Writes the witness key for `seed_hex` under `name` into `dir`, as `witness init`
/// would, and returns its vkey.
pub fn write_witness_key(dir: &Path, name: &str, seed_hex: &str) -> VerifierKey {
    let seed: [u8; 32] = hex::decode(seed_hex).unwrap().try_into().unwrap();
    let key =
        SignerKey::from_seed(KeyName::new(name).unwrap(), KeyType::CosignatureV1, seed).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(keys::SKEY_FILE);
    std::fs::write(&path, format!("{}\n", key.to_skey())).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    key.verifier()
}

/// A log to configure: vkey, optional URL, optional origin override.
#[derive(Clone, Default)]
pub struct LogSpec {
    pub vkey: String,
    pub url: Option<String>,
    pub origin: Option<String>,
    pub poll_interval: Option<String>,
}

impl LogSpec {
    pub fn push(vkey: String) -> LogSpec {
        LogSpec {
            vkey,
            ..LogSpec::default()
        }
    }
}

/// A witness running in this process.
pub struct InProcess {
    pub server: docket_witness::Server,
    pub url: String,
    pub vkey: VerifierKey,
    pub dir: tempfile::TempDir,
}

/// Starts a witness in-process on 127.0.0.1:0 with the vector witness key. `clock`:
/// a fixed Unix time, or `None` for the system clock.
pub async fn start_in_process(logs: Vec<LogSpec>, clock: Option<u64>) -> InProcess {
    let dir = tempfile::tempdir().unwrap();
    let vkey = write_witness_key(dir.path(), VECTOR_WITNESS_NAME, VECTOR_WITNESS_SEED);
    let raw = RawConfig {
        data_dir: Some(dir.path().to_owned()),
        listen: Some("127.0.0.1:0".into()),
        logs: logs
            .into_iter()
            .map(|l| RawLog {
                origin: l.origin,
                vkey: l.vkey,
                url: l.url,
                poll_interval: l.poll_interval,
                ..RawLog::default()
            })
            .collect(),
        ..RawConfig::default()
    };
    let config = raw.resolve().unwrap();
    let listener = tokio::net::TcpListener::bind(config.listen).await.unwrap();
    let clock: docket_witness::service::Clock = match clock {
        Some(t) => Arc::new(move || UnixSeconds(t)),
        None => docket_witness::service::system_clock(),
    };
    let server = docket_witness::start_with_clock(config, listener, clock).unwrap();
    let url = format!("http://{}", server.local_addr);
    InProcess {
        server,
        url,
        vkey,
        dir,
    }
}

/// The real `witness` binary, killed on drop.
pub struct Binary {
    child: Child,
    pub url: String,
    pub data_dir: PathBuf,
}

impl Binary {
    /// Starts `witness serve` on a free loopback port and waits for /healthz.
    pub async fn spawn(data_dir: &Path, extra_args: &[String]) -> Binary {
        let port = free_port();
        let mut args = vec![
            "serve".to_owned(),
            "--data-dir".to_owned(),
            data_dir.display().to_string(),
            "--listen".to_owned(),
            format!("127.0.0.1:{port}"),
        ];
        args.extend_from_slice(extra_args);
        let mut binary = Binary::spawn_with(&args, port).await;
        binary.data_dir = data_dir.to_owned();
        binary
    }

    /// Runs the binary with exactly `args`, expecting it to listen on `port`.
    pub async fn spawn_with(args: &[String], port: u16) -> Binary {
        let child = Command::new(env!("CARGO_BIN_EXE_witness"))
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawning the witness binary");
        let url = format!("http://127.0.0.1:{port}");
        let mut binary = Binary {
            child,
            url,
            data_dir: PathBuf::new(),
        };
        binary.wait_ready().await;
        binary
    }

    async fn wait_ready(&mut self) {
        let client = docket_common::https::plain_client();
        for _ in 0..200 {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("witness exited early with {status}");
            }
            if let Ok(r) = client.get(format!("{}/healthz", self.url)).send().await
                && r.status() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("witness did not become ready");
    }

    /// SIGKILL, no chance to flush anything.
    pub fn kill_9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A response reduced to what the tests check.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

/// POSTs an add-checkpoint body.
pub async fn add_checkpoint(client: &reqwest::Client, base: &str, body: &str) -> Reply {
    let response = client
        .post(format!("{base}/add-checkpoint"))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    reply(response).await
}

/// GETs a path.
pub async fn get(client: &reqwest::Client, base: &str, path: &str) -> Reply {
    reply(client.get(format!("{base}{path}")).send().await.unwrap()).await
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.text().await.unwrap();
    Reply {
        status,
        content_type,
        body,
    }
}

/// Checks that a 200 body is exactly one cosignature/v1 line by `witness` over the
/// checkpoint in `note`, and returns its timestamp.
pub fn check_cosignature(witness: &VerifierKey, note: &str, body: &str) -> UnixSeconds {
    let parsed = Note::parse(note.as_bytes()).unwrap();
    let lines = docket_core::witness::parse_cosignatures(body.as_bytes()).unwrap();
    assert_eq!(lines.len(), 1, "one cosignature line: {body:?}");
    let ts = docket_core::cosignature::verify(witness, parsed.text(), &lines[0]).unwrap();
    assert_ne!(ts, UnixSeconds(0));
    ts
}
