//! Attacks and mistakes against the log server's daemon side: a forward clock jump
//! (which would freeze every later `logged_at`), slowloris connections, a witness that
//! accepts a connection and never answers, and key files others can read.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::*;
use docket_core::dsse::SigningKey;
use docket_core::note::{KeyName, KeyType, SignerKey};
use docket_core::time::UnixMillis;
use docket_daemon::serve::ServeLimits;
use docket_log_server::config::{Config, WitnessSetting};
use docket_log_server::server::{Server, StartOptions};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const HOUR_MS: u64 = 3_600_000;
/// "Answered at all": far above every timeout in these tests.
const GENEROUS: Duration = Duration::from_secs(30);

/// A wall clock and a monotonic clock the test moves by hand.
#[derive(Clone)]
struct Clocks {
    wall_ms: Arc<AtomicU64>,
    mono_ms: Arc<AtomicU64>,
}

impl Clocks {
    fn new() -> Clocks {
        Clocks {
            wall_ms: Arc::new(AtomicU64::new(1_800_000_000_000)),
            mono_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn options(&self) -> StartOptions {
        let wall = self.wall_ms.clone();
        let mono = self.mono_ms.clone();
        StartOptions {
            cosigners: Some(Vec::new()),
            clock: Some(Arc::new(move || UnixMillis(wall.load(Ordering::SeqCst)))),
            monotonic: Some(Arc::new(move || {
                Duration::from_millis(mono.load(Ordering::SeqCst))
            })),
        }
    }

    fn wall(&self) -> u64 {
        self.wall_ms.load(Ordering::SeqCst)
    }

    fn set_wall(&self, ms: u64) {
        self.wall_ms.store(ms, Ordering::SeqCst);
    }

    fn pass(&self, ms: u64) {
        self.wall_ms.fetch_add(ms, Ordering::SeqCst);
        self.mono_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

async fn post(http: &reqwest::Client, server: &Server, body: Vec<u8>) -> (u16, serde_json::Value) {
    let response = http
        .post(format!("{}/v1/statements", server.url()))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The operator registering participant key `n`: a write any test log accepts.
fn register(operator: &SigningKey, n: u8) -> Vec<u8> {
    sign(
        &participant("register", "acme", "developer", &key(n)),
        operator,
    )
}

/// A test config with keys in `dir`, clock jumps allowed up to a minute, and the
/// operator's key.
fn config_for(dir: &std::path::Path) -> (Config, SigningKey) {
    let mut config = test_config(dir);
    config.max_clock_jump = Duration::from_secs(60);
    prepare_keys(&config);
    let operator = operator_key(&config);
    (config, operator)
}

#[tokio::test(flavor = "current_thread")]
async fn a_forward_clock_jump_is_refused_not_frozen_in() {
    let dir = tempfile::tempdir().unwrap();
    let (config, operator) = config_for(dir.path());
    let clocks = Clocks::new();
    let http = docket_common::https::plain_client();
    let server = Server::start(config.clone(), clocks.options())
        .await
        .unwrap();
    let (status, receipt) = post(&http, &server, register(&operator, 1)).await;
    assert_eq!(status, 201, "{receipt}");
    let before = clocks.wall();
    assert_eq!(receipt["logged_at"], before);

    // The clock jumps two hours ahead in no time: refused, nothing logged.
    clocks.set_wall(before + 2 * HOUR_MS);
    let size = server.published.latest().size;
    let (status, answer) = post(&http, &server, register(&operator, 2)).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "clock_jump");
    assert_eq!(server.published.latest().size, size);
    let metrics = docket_common::https::plain_client()
        .get(format!("{}/metrics", server.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("docket_rejected_writes_total{reason=\"clock_jump\"} 1\n"),
        "{metrics}"
    );

    // The clock is put right: logging resumes at the right time, not frozen ahead.
    clocks.set_wall(before + 1_000);
    let (status, receipt) = post(&http, &server, register(&operator, 2)).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["logged_at"], before + 1_000);

    // A day passing (both clocks move) is not a jump.
    clocks.pass(24 * HOUR_MS);
    let (status, receipt) = post(&http, &server, register(&operator, 3)).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["logged_at"], before + 1_000 + 24 * HOUR_MS);
    server.shutdown().await;

    // Restarted with the clock two hours past everything stored: the same refusal,
    // since the time the log was down cannot be told from a jump...
    clocks.set_wall(clocks.wall() + 2 * HOUR_MS);
    let server = Server::start(config.clone(), clocks.options())
        .await
        .unwrap();
    let (status, answer) = post(&http, &server, register(&operator, 4)).await;
    assert_eq!(status, 503, "{answer}");
    server.shutdown().await;
    // ...until the operator, having checked the clock, says so.
    let mut trusted = config.clone();
    trusted.accept_clock_jump = true;
    let server = Server::start(trusted, clocks.options()).await.unwrap();
    let (status, receipt) = post(&http, &server, register(&operator, 4)).await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["logged_at"], clocks.wall());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowloris_cannot_stop_a_normal_request_and_a_hanging_witness_cannot_hold_writes() {
    // A "witness" that accepts connections and never answers.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_url = format!("http://{}", hang.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut sockets = Vec::new();
        // Bounded: the log opens one connection per checkpoint at most.
        while sockets.len() < 64 {
            match hang.accept().await {
                Ok((socket, _)) => sockets.push(socket),
                Err(_) => break,
            }
        }
        sockets
    });
    let witness_key = SignerKey::from_seed(
        KeyName::new("hanging-witness.test").unwrap(),
        KeyType::CosignatureV1,
        [9; 32],
    )
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let (mut config, operator) = config_for(dir.path());
    config.max_clock_jump = Duration::from_secs(3600);
    config.witness_timeout = Duration::from_millis(300);
    config.witnesses = vec![WitnessSetting {
        url: hang_url,
        vkey: witness_key.verifier().to_vkey(),
    }];
    config.serve = ServeLimits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(300),
        max_connections: 4,
    };
    let server = tokio::time::timeout(GENEROUS, Server::start(config, StartOptions::default()))
        .await
        .expect("start-up is not held by a hanging witness")
        .unwrap();
    let http = docket_common::https::plain_builder()
        .timeout(GENEROUS)
        .build()
        .unwrap();

    // Three times as many slowloris connections as the server admits.
    let mut attackers = Vec::new();
    for i in 0..12 {
        let addr = server.addr;
        attackers.push(tokio::spawn(async move {
            let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let head = format!("GET /checkpoint HTTP/1.1\r\nHost: x\r\nX-Slow-{i}: ");
            let _ = stream.write_all(head.as_bytes()).await;
            for _ in 0..400 {
                if stream.write_all(b"a").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut probe = [0u8; 256];
                if let Ok(Ok(0) | Err(_)) =
                    tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
                {
                    return;
                }
            }
            panic!("a slowloris connection was never closed");
        }));
    }
    let response = http
        .get(format!("{}/checkpoint", server.url()))
        .send()
        .await
        .expect("a normal read is answered during the attack");
    assert_eq!(response.status(), 200);
    // A write is answered although the only witness hangs: the sequencer gives up on
    // it after witness_timeout.
    let (status, receipt) = post(&http, &server, register(&operator, 1)).await;
    assert!(status == 201 || status == 202, "{status} {receipt}");
    for attacker in attackers {
        attacker.await.unwrap();
    }
    server.shutdown().await;
    held.abort();
}

#[cfg(unix)]
#[tokio::test(flavor = "current_thread")]
async fn start_refuses_key_files_others_can_read() {
    use std::os::unix::fs::PermissionsExt as _;
    for which in ["log", "operator"] {
        let dir = tempfile::tempdir().unwrap();
        let (config, _) = config_for(dir.path());
        let path = if which == "log" {
            config.log_key.clone()
        } else {
            config.operator_key.clone()
        };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = match Server::start(config, StartOptions::default()).await {
            Ok(_) => panic!("started with a {which} key readable by others"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains(&format!("chmod 600 {}", path.display())),
            "{error}"
        );
    }
}
