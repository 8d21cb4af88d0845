//! Shared helpers for the log server's integration tests: a log started in-process on a
//! free loopback port with a temp data dir and in-process witnesses, participant keys,
//! statement signing and a small HTTP client.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use docket_core::dsse::{Envelope, SigningKey};
use docket_core::note::VerifierKey;
use docket_core::policy::Policy;
use docket_log_server::config::Config;
use docket_log_server::cosign::Cosigner;
use docket_log_server::keys;
use docket_log_server::server::{Server, StartOptions};
use docket_log_server::testkit::FakeWitness;
use serde_json::{Value, json};

/// Origin used by the tests.
pub const ORIGIN: &str = "test.example/docket";

/// A running test log.
pub struct TestLog {
    /// The server.
    pub server: Server,
    /// Its data dir (kept alive for the test).
    pub dir: tempfile::TempDir,
    /// The operator's participant key.
    pub operator: SigningKey,
    /// The in-process witnesses.
    pub witnesses: Vec<Arc<FakeWitness>>,
    /// A client.
    pub http: reqwest::Client,
}

/// The test config for `dir`: loopback port 0, short batch delay.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut config = Config::defaults(dir);
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.origin = ORIGIN.to_string();
    config.batch_delay = Duration::from_millis(2);
    config
}

/// Creates the keys in `dir` and returns the log's vkey.
pub fn prepare_keys(config: &Config) -> String {
    std::fs::create_dir_all(&config.data_dir).unwrap();
    keys::create_log_key(&config.log_key, &config.origin).unwrap();
    keys::create_operator_key(&config.operator_key).unwrap();
    std::fs::read_to_string(keys::vkey_path(&config.log_key))
        .unwrap()
        .trim()
        .to_string()
}

/// Two fake witnesses trusting `log_vkey`.
pub fn fake_witnesses(log_vkey: &str) -> Vec<Arc<FakeWitness>> {
    vec![
        Arc::new(FakeWitness::new("witness-a.test", 11, log_vkey)),
        Arc::new(FakeWitness::new("witness-b.test", 12, log_vkey)),
    ]
}

/// Starts a log with two in-process witnesses.
pub async fn start() -> TestLog {
    let dir = tempfile::tempdir().unwrap();
    let config = test_config(dir.path());
    start_with(dir, config).await
}

/// Starts a log in `dir` with `config` and two in-process witnesses.
pub async fn start_with(dir: tempfile::TempDir, config: Config) -> TestLog {
    let vkey = prepare_keys(&config);
    let witnesses = fake_witnesses(&vkey);
    restart_with(dir, config, witnesses).await
}

/// Starts (or restarts) a log with the given witnesses.
pub async fn restart_with(
    dir: tempfile::TempDir,
    config: Config,
    witnesses: Vec<Arc<FakeWitness>>,
) -> TestLog {
    let cosigners: Vec<Arc<dyn Cosigner>> = witnesses
        .iter()
        .map(|w| w.clone() as Arc<dyn Cosigner>)
        .collect();
    let server = Server::start(
        config.clone(),
        StartOptions {
            cosigners: Some(cosigners),
            ..StartOptions::default()
        },
    )
    .await
    .unwrap();
    let operator = operator_key(&config);
    TestLog {
        server,
        dir,
        operator,
        witnesses,
        http: docket_common::https::plain_client(),
    }
}

/// The operator's key from its file.
pub fn operator_key(config: &Config) -> SigningKey {
    let text = std::fs::read_to_string(&config.operator_key).unwrap();
    SigningKey::from_hex(text.trim()).unwrap()
}

/// A participant key from a one-byte seed.
pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

/// Signs a JSON statement (written exactly as given) into an envelope body.
pub fn sign(statement: &Value, key: &SigningKey) -> Vec<u8> {
    Envelope::sign_payload(serde_json::to_vec(statement).unwrap(), key).to_json()
}

impl TestLog {
    /// The base URL.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The trust policy: the log's key and both witnesses, quorum 2.
    pub fn policy(&self) -> Policy {
        let log = VerifierKey::parse(&self.server.vkey).unwrap();
        let witnesses = self
            .witnesses
            .iter()
            .map(|w| VerifierKey::parse(&w.vkey()).unwrap())
            .collect::<Vec<_>>();
        let k = witnesses.len();
        Policy::new(log, witnesses, k).unwrap()
    }

    /// POSTs a body to /v1/statements; returns the status and JSON body.
    pub async fn post(&self, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/v1/statements", self.url()))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let json = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, json)
    }

    /// POSTs a signed statement and asserts it was logged (201); returns the receipt.
    pub async fn log(&self, statement: Value, key: &SigningKey) -> Value {
        let (status, body) = self.post(sign(&statement, key)).await;
        assert_eq!(status, 201, "{statement} -> {body}");
        body
    }

    /// GETs a path; returns the status and body bytes.
    pub async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
        let response = self
            .http
            .get(format!("{}{path}", self.url()))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.unwrap().to_vec())
    }

    /// GETs a JSON path.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.get(path).await;
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    /// Shuts the server down; returns what a restart needs: the data dir and witnesses.
    pub async fn stop(self) -> (tempfile::TempDir, Vec<Arc<FakeWitness>>) {
        let TestLog {
            server,
            dir,
            witnesses,
            ..
        } = self;
        server.shutdown().await;
        (dir, witnesses)
    }

    /// The published tree size.
    pub fn size(&self) -> u64 {
        self.server.published.latest().size
    }

    /// The operator's organisation.
    pub fn operator_org(&self) -> &'static str {
        "operator"
    }

    /// Registers `key` for `org` and `role` (signed by the operator).
    pub async fn register(&self, org: &str, role: &str, key: &SigningKey) -> Value {
        self.log(participant("register", org, role, key), &self.operator)
            .await
    }
}

/// A participant statement by the operator.
pub fn participant(action: &str, org: &str, role: &str, key: &SigningKey) -> Value {
    json!({
        "type": "participant",
        "org": "operator",
        "action": action,
        "member": {"org": org, "role": role, "public_key": key.public_key().to_hex()},
    })
}

/// A submission statement.
pub fn submission(org: &str, name: &str) -> Value {
    json!({
        "type": "submission",
        "org": org,
        "model": {"name": name, "version": "1.0", "sha256": hex::encode([7u8; 32])},
        "planned_release": "2026-09-01",
    })
}

/// A decision statement.
pub fn decision(org: &str, submission: u64) -> Value {
    json!({
        "type": "decision",
        "org": org,
        "submission": submission,
        "outcome": "cleared",
        "findings": {"critical": 0, "high": 1, "medium": 2, "low": 3},
    })
}

/// A determination statement.
pub fn determination(org: &str, submission: u64) -> Value {
    json!({
        "type": "determination",
        "org": org,
        "submission": submission,
        "covered": true,
        "benchmark": {"name": "cyber-uplift", "version": "2", "score": 0.71},
    })
}

/// The standard cast: developer, reviewer, coordinator, clearinghouse keys, registered.
pub struct Cast {
    /// Developer (org "acme").
    pub developer: SigningKey,
    /// Another developer (org "globex").
    pub other_developer: SigningKey,
    /// Reviewer (org "nsa").
    pub reviewer: SigningKey,
    /// Coordinator (org "oncd").
    pub coordinator: SigningKey,
    /// Clearinghouse (org "treasury").
    pub clearinghouse: SigningKey,
}

/// Registers the standard cast.
pub async fn cast(log: &TestLog) -> Cast {
    let cast = Cast {
        developer: key(1),
        other_developer: key(2),
        reviewer: key(3),
        coordinator: key(4),
        clearinghouse: key(5),
    };
    log.register("acme", "developer", &cast.developer).await;
    log.register("globex", "developer", &cast.other_developer)
        .await;
    log.register("nsa", "reviewer", &cast.reviewer).await;
    log.register("oncd", "coordinator", &cast.coordinator).await;
    log.register("treasury", "clearinghouse", &cast.clearinghouse)
        .await;
    cast
}
