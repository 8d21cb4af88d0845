//! End to end, with the real binaries: a log server pushing to two witnesses, and a
//! third witness pulling the log over tlog-tiles by itself.
//!
//! Steps and expectations:
//! 1. `log-server init`, three `witness init`; witnesses A and B serve in push mode,
//!    witness C in pull mode (polling every 200 ms); the log serves with A and B.
//! 2. Within a few seconds of start-up the log's `/checkpoint` carries both A's and B's
//!    cosignatures (the genesis checkpoint gets witnessed without waiting for a write).
//! 3. The operator registers three participants with the `docket` client: every receipt
//!    (`.tlog-proof`) verifies under a policy requiring the log, A and B.
//! 4. Witness C's monitoring checkpoint (`GET /<hex sha256(origin)>/checkpoint`) reaches
//!    the log's size and verifies under a policy requiring the log and C.

use std::path::Path;
use std::time::{Duration, Instant};

use docket_core::note::VerifierKey;
use docket_core::policy::Policy;
use docket_core::proof::TlogProof;
use docket_core::witness::monitoring_origin_hash;
use docket_tests::{Daemon, binary, http_get, run};

const ORIGIN: &str = "localhost/docket-e2e";

fn read_vkey(path: &Path) -> VerifierKey {
    let text = std::fs::read_to_string(path).expect("vkey file");
    VerifierKey::parse(text.trim()).expect("valid vkey")
}

fn init_witness(dir: &Path, name: &str) -> VerifierKey {
    let data = dir.join(name);
    let out = run(
        &binary("witness"),
        &[
            "init",
            "--data-dir",
            data.to_str().expect("UTF-8 path"),
            "--name",
            &format!("localhost/{name}"),
        ],
        dir,
    )
    .expect("witness init runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    read_vkey(&data.join("witness.vkey"))
}

/// Polls `check` every 100 ms for up to 20 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn push_witnesses_cosign_every_receipt_and_a_pull_witness_follows() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let log_dir = dir.join("log");
    let log_dir_text = log_dir.to_str().expect("UTF-8 path");
    let out = run(
        &binary("log-server"),
        &["init", "--data-dir", log_dir_text, "--origin", ORIGIN],
        dir,
    )
    .expect("log-server init runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log_key = read_vkey(&log_dir.join("log.vkey"));
    let log_vkey = log_key.to_vkey();

    let key_a = init_witness(dir, "witness-a");
    let key_b = init_witness(dir, "witness-b");
    let key_c = init_witness(dir, "witness-c");
    let start_push_witness = |name: &str| {
        let data = dir.join(name);
        Daemon::start(
            &binary("witness"),
            &[
                "serve",
                "--data-dir",
                data.to_str().expect("UTF-8 path"),
                "--listen",
                "127.0.0.1:0",
                "--log",
                &log_vkey,
            ],
        )
        .expect("witness starts")
    };
    let witness_a = start_push_witness("witness-a");
    let witness_b = start_push_witness("witness-b");

    let log = Daemon::start(
        &binary("log-server"),
        &[
            "serve",
            "--data-dir",
            log_dir_text,
            "--listen",
            "127.0.0.1:0",
            "--witness",
            &format!("{}={}", witness_a.url, key_a.to_vkey()),
            "--witness",
            &format!("{}={}", witness_b.url, key_b.to_vkey()),
        ],
    )
    .expect("log server starts");

    // Witness C pulls: it needs the log's URL, known only now.
    let config = dir.join("witness-c.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\ndata_dir = \"{}\"\npoll_interval = \"200ms\"\n\n\
             [[log]]\nvkey = \"{log_vkey}\"\nurl = \"{}\"\n",
            dir.join("witness-c").display(),
            log.url
        ),
    )
    .expect("write witness C config");
    let witness_c = Daemon::start(
        &binary("witness"),
        &["serve", "--config", config.to_str().expect("UTF-8 path")],
    )
    .expect("witness C starts");

    let both = Policy::new(log_key.clone(), vec![key_a, key_b], 2).expect("policy");
    eventually("the genesis checkpoint to be cosigned by A and B", || {
        let (status, body) = log.get("/checkpoint").expect("GET /checkpoint");
        status == 200 && both.verify_checkpoint(&body).is_ok()
    });

    // Every receipt carries both cosignatures.
    let docket = binary("docket");
    let operator_key = log_dir.join("operator.key");
    for (index, (org, role)) in [
        ("Acme AI", "developer"),
        ("NSA AI Security Center", "reviewer"),
        ("ONCD", "coordinator"),
    ]
    .into_iter()
    .enumerate()
    {
        let member_key = dir.join(format!("member{index}.key"));
        let out = run(
            &docket,
            &["keygen", "--key", member_key.to_str().expect("UTF-8 path")],
            dir,
        )
        .expect("keygen runs");
        assert_eq!(out.code, 0, "{}", out.stderr);
        let public = dir.join(format!("member{index}.pub"));
        let out = run(
            &docket,
            &[
                "--log",
                &log.url,
                "--key",
                operator_key.to_str().expect("UTF-8 path"),
                "--org",
                "operator",
                "--receipt-dir",
                "receipts",
                "participant",
                "add",
                "--member-org",
                org,
                "--role",
                role,
                "--public-key-file",
                public.to_str().expect("UTF-8 path"),
            ],
            dir,
        )
        .expect("docket runs");
        assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
        let entry_index = index as u64 + 1;
        let proof_text = std::fs::read(dir.join(format!("receipts/{entry_index}.tlog-proof")))
            .expect("receipt saved");
        let proof = TlogProof::parse(&proof_text).expect("receipt parses");
        let receipt: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("receipts/{entry_index}.json"))).expect("json"),
        )
        .expect("receipt JSON");
        let leaf =
            docket_core::merkle::Hash::from_hex(receipt["leaf_hash"].as_str().expect("leaf_hash"))
                .expect("hex leaf hash");
        let verified = proof
            .verify(&both, &leaf)
            .expect("receipt verifies with both witnesses' cosignatures");
        assert_eq!(verified.index(), entry_index);
    }

    // The pull witness catches up by itself and serves its cosigned checkpoint.
    let only_c = Policy::new(log_key, vec![key_c], 1).expect("policy");
    let path = format!("/{}/checkpoint", monitoring_origin_hash(ORIGIN));
    eventually("witness C to cosign the log's latest size", || {
        let Ok((200, body)) = witness_c.get(&path) else {
            return false;
        };
        only_c
            .verify_checkpoint(&body)
            .is_ok_and(|verified| verified.checkpoint().size() == 4)
    });
    let (_, checkpoint) = http_get(&format!("{}/checkpoint", log.url)).expect("checkpoint");
    assert!(both.verify_checkpoint(&checkpoint).is_ok());
}
