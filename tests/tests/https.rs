//! Every client path over HTTPS, with the real binaries and a CA made at test time:
//!
//! 1. A push witness and a pull witness serve HTTPS; the log serves HTTPS and pushes to
//!    the push witness over HTTPS (`--ca-file`); the pull witness polls the log over
//!    HTTPS (`--log URL=VKEY`, the new order).
//! 2. The log publishes its trust policy at `GET /policy`; `log-server policy` prints the
//!    same text (two places, compared).
//! 3. `docket --ca-file` submits (registers a participant) and fetches a review status;
//!    `docket --policy` checks the receipt; `verifier --policy --ca-file` runs
//!    checkpoint (with the witness cross-check over HTTPS), inclusion and audit.
//!    `SSL_CERT_FILE` alone works too.
//! 4. Attacks: without the CA, with another CA, with an expired certificate and with a
//!    certificate for another name (the last two swapped in with SIGHUP), every client
//!    refuses with exit 5 and says what is wrong; nothing is retried as "busy".

use std::path::Path;
use std::time::{Duration, Instant};

use docket_core::policy::Policy;
use docket_core::witness::monitoring_origin_hash;
use docket_tests::ca::{Leaf, TestCa};
use docket_tests::{Daemon, Output, binary, run};

const ORIGIN: &str = "localhost/docket-https";

fn text(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
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

/// A blocking HTTPS GET trusting `ca`.
fn get(ca: &Path, url: &str) -> Option<(u16, Vec<u8>)> {
    let options = docket_common::https::TlsOptions::with_ca_file(Some(ca.to_path_buf()));
    let client = docket_common::https::blocking_builder(&options)
        .ok()?
        .timeout(Duration::from_secs(10))
        .build()
        .ok()?;
    let response = client.get(url).send().ok()?;
    let status = response.status().as_u16();
    Some((status, response.bytes().ok()?.to_vec()))
}

fn init_witness(dir: &Path, name: &str) -> String {
    let data = dir.join(name);
    let out = run(
        &binary("witness"),
        &[
            "init",
            "--data-dir",
            text(&data),
            "--name",
            &format!("localhost/{name}"),
        ],
        dir,
    )
    .expect("witness init runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    std::fs::read_to_string(data.join("witness.vkey"))
        .expect("witness vkey")
        .trim()
        .to_string()
}

fn sighup(daemon: &Daemon) {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &daemon.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

fn assert_tls_refusal(out: &Output, what: &str, expected: &str) {
    assert_eq!(out.code, 5, "{what}: {out:?}");
    let all = format!("{}{}", out.stdout, out.stderr);
    assert!(all.contains("TLS error"), "{what}: {all}");
    assert!(
        all.contains(expected),
        "{what}: expected {expected:?} in {all}"
    );
    assert!(all.contains("--ca-file"), "{what}: {all}");
}

#[test]
fn every_client_path_works_over_https_and_bad_certificates_are_refused() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let ca = TestCa::new(dir, "docket").expect("CA");
    let other_ca = TestCa::new(dir, "other").expect("other CA");
    let (cert, key) = ca.leaf(dir, "server", Leaf::Good).expect("leaf");
    let ca_file = text(&ca.cert_file).to_string();

    let log_dir = dir.join("log");
    let out = run(
        &binary("log-server"),
        &["init", "--data-dir", text(&log_dir), "--origin", ORIGIN],
        dir,
    )
    .expect("log-server init runs");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let log_vkey = std::fs::read_to_string(log_dir.join("log.vkey"))
        .expect("log vkey")
        .trim()
        .to_string();

    // 1. The push witness serves HTTPS; the log pushes to it over HTTPS.
    let push_vkey = init_witness(dir, "push");
    let push = Daemon::start(
        &binary("witness"),
        &[
            "serve",
            "--data-dir",
            text(&dir.join("push")),
            "--listen",
            "127.0.0.1:0",
            "--log",
            &log_vkey,
            "--tls-cert",
            text(&cert),
            "--tls-key",
            text(&key),
        ],
    )
    .expect("push witness starts");
    assert!(push.url.starts_with("https://"), "{}", push.url);

    // Certificates the log's SIGHUP test swaps in; the log reads whatever the files hold.
    let log_cert = dir.join("log.pem");
    let log_key = dir.join("log-tls.key");
    std::fs::copy(&cert, &log_cert).expect("copy cert");
    std::fs::copy(&key, &log_key).expect("copy key");
    let log = Daemon::start(
        &binary("log-server"),
        &[
            "serve",
            "--data-dir",
            text(&log_dir),
            "--listen",
            "127.0.0.1:0",
            "--witness",
            &format!("{}={push_vkey}", push.url),
            "--tls-cert",
            text(&log_cert),
            "--tls-key",
            text(&log_key),
            "--ca-file",
            &ca_file,
        ],
    )
    .expect("log server starts");
    assert!(log.url.starts_with("https://"), "{}", log.url);

    // The pull witness polls the log over HTTPS, given as URL=VKEY.
    let pull_vkey = init_witness(dir, "pull");
    // The config file only shortens the poll interval (no flag sets it).
    let pull_config = dir.join("pull.toml");
    std::fs::write(&pull_config, "poll_interval = \"200ms\"\n").expect("write config");
    let pull = Daemon::start(
        &binary("witness"),
        &[
            "serve",
            "--config",
            text(&pull_config),
            "--data-dir",
            text(&dir.join("pull")),
            "--listen",
            "127.0.0.1:0",
            "--log",
            &format!("{}={log_vkey}", log.url),
            "--ca-file",
            &ca_file,
            "--tls-cert",
            text(&cert),
            "--tls-key",
            text(&key),
        ],
    )
    .expect("pull witness starts");
    assert!(!pull.output().contains("deprecated"), "{}", pull.output());

    // 2. One trust file, from two places: the log's /policy and `log-server policy`.
    let policy_file = dir.join("policy.txt");
    let policy_url = format!("{}/policy", log.url);
    let (status, served) = get(&ca.cert_file, &policy_url).expect("GET /policy over HTTPS");
    assert_eq!(status, 200);
    let printed = run(
        &binary("log-server"),
        &[
            "policy",
            "--data-dir",
            text(&log_dir),
            "--witness",
            &format!("{}={push_vkey}", push.url),
        ],
        dir,
    )
    .expect("log-server policy runs");
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(
        printed.stdout.as_bytes(),
        served.as_slice(),
        "two places, one policy"
    );
    // The served policy names no URL for the log (no --public-url): give it with --log.
    std::fs::write(&policy_file, &served).expect("write policy");
    let policy = Policy::parse(&served).expect("the served policy parses");
    assert!(policy.requires_cosignatures());
    eventually("the genesis checkpoint to be cosigned over HTTPS", || {
        get(&ca.cert_file, &format!("{}/checkpoint", log.url))
            .is_some_and(|(s, body)| s == 200 && policy.verify_checkpoint(&body).is_ok())
    });

    // 3. docket: submit (register a participant) and read, over HTTPS.
    let docket = binary("docket");
    let operator_key = log_dir.join("operator.key");
    let out = run(&docket, &["keygen", "--key", "acme.key"], dir).expect("keygen");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let common = [
        "--log",
        log.url.as_str(),
        "--ca-file",
        ca_file.as_str(),
        "--receipt-dir",
        "receipts",
    ];
    let mut args: Vec<&str> = common.to_vec();
    args.extend([
        "--key",
        text(&operator_key),
        "--org",
        "operator",
        "--policy",
        text(&policy_file),
        "participant",
        "add",
        "--member-org",
        "Acme AI",
        "--role",
        "developer",
        "--public-key-file",
        "acme.pub",
    ]);
    let out = run(&docket, &args, dir).expect("docket runs");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("cosigned by 1 witness"),
        "{}",
        out.stdout
    );
    let digest = "ab".repeat(32);
    let mut args: Vec<&str> = common.to_vec();
    args.extend([
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "submit",
        "--model",
        "acme-1",
        "--model-version",
        "1",
        "--sha256",
        &digest,
    ]);
    let out = run(&docket, &args, dir).expect("docket submit runs");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let mut args: Vec<&str> = common.to_vec();
    args.extend(["status", "2"]);
    let out = run(&docket, &args, dir).expect("docket status runs");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let out = run(
        &docket,
        &[
            "--policy",
            text(&policy_file),
            "--receipt-dir",
            "receipts",
            "receipt",
            "2",
        ],
        dir,
    )
    .expect("docket receipt runs");
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("Receipt verified"), "{}", out.stdout);

    // A policy that needs no witness is accepted, but nothing is called witnessed.
    let unwitnessed = dir.join("none.policy");
    std::fs::write(&unwitnessed, format!("log {log_vkey}\nquorum none\n")).expect("write");
    let out = run(
        &docket,
        &[
            "--policy",
            text(&unwitnessed),
            "--receipt-dir",
            "receipts",
            "receipt",
            "2",
        ],
        dir,
    )
    .expect("docket receipt runs");
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("NOT witnessed"), "{}", out.stdout);
    assert!(!out.stdout.contains("cosigned by"), "{}", out.stdout);
    assert!(
        out.stderr.contains("nothing checked here is witnessed"),
        "{}",
        out.stderr
    );

    // The verifier's verbs over HTTPS, the policy file as the only trust input.
    let verifier = binary("verifier");
    let state = dir.join("state.json");
    let verify = |extra: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(&verifier);
        command
            .args(["--policy", text(&policy_file), "--log", &log.url, "--state"])
            .arg(&state)
            .args(extra)
            .current_dir(dir)
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR")
            .env_remove("DOCKET_CA_FILE");
        for (name, value) in env {
            command.env(name, value);
        }
        let out = command.output().expect("verifier runs");
        Output {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    for verb in [
        vec!["--ca-file", ca_file.as_str(), "checkpoint"],
        vec!["--ca-file", ca_file.as_str(), "inclusion", "--index", "1"],
        vec!["--ca-file", ca_file.as_str(), "audit", "--no-progress"],
    ] {
        let out = verify(&verb, &[]);
        assert_eq!(out.code, 0, "{verb:?}: {out:?}");
    }
    let mut command = std::process::Command::new(&verifier);
    let out = command
        .args([
            "--policy",
            text(&unwitnessed),
            "--log",
            &log.url,
            "--ca-file",
            &ca_file,
        ])
        .arg("--state")
        .arg(dir.join("state-none.json"))
        .arg("checkpoint")
        .output()
        .expect("verifier runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("nothing checked here is witnessed"),
        "{stderr}"
    );
    // SSL_CERT_FILE, as other tools read it, is enough on its own.
    let out = verify(&["checkpoint"], &[("SSL_CERT_FILE", ca_file.as_str())]);
    assert_eq!(out.code, 0, "SSL_CERT_FILE: {out:?}");

    // The pull witness followed the log over HTTPS.
    let only_pull = Policy::new(
        docket_core::note::VerifierKey::parse(&log_vkey).expect("vkey"),
        vec![docket_core::note::VerifierKey::parse(&pull_vkey).expect("vkey")],
        1,
    )
    .expect("policy");
    let path = format!("{}/{}/checkpoint", pull.url, monitoring_origin_hash(ORIGIN));
    eventually(
        "the pull witness to cosign the log's size over HTTPS",
        || {
            get(&ca.cert_file, &path).is_some_and(|(s, body)| {
                s == 200
                    && only_pull
                        .verify_checkpoint(&body)
                        .is_ok_and(|v| v.checkpoint().size() >= 3)
            })
        },
    );

    // 4. Attacks. No CA given: the system store does not know the test CA.
    let out = verify(&["checkpoint"], &[]);
    assert_tls_refusal(&out, "verifier without the CA", "does not trust");
    let mut args: Vec<&str> = vec!["--log", log.url.as_str(), "status", "2"];
    args.extend(["--receipt-dir", "receipts"]);
    let out = run(&docket, &args, dir).expect("docket runs");
    assert_tls_refusal(&out, "docket without the CA", "does not trust");
    // Another CA is no better.
    let other = text(&other_ca.cert_file).to_string();
    let out = verify(&["--ca-file", other.as_str(), "checkpoint"], &[]);
    assert_tls_refusal(&out, "verifier with another CA", "does not trust");

    // An expired certificate, swapped in with SIGHUP.
    let (expired, expired_key) = ca.leaf(dir, "expired", Leaf::Expired).expect("leaf");
    std::fs::copy(&expired, &log_cert).expect("swap cert");
    std::fs::copy(&expired_key, &log_key).expect("swap key");
    sighup(&log);
    eventually("the log to serve the expired certificate", || {
        verify(&["--ca-file", ca_file.as_str(), "checkpoint"], &[]).code == 5
    });
    let out = verify(&["--ca-file", ca_file.as_str(), "checkpoint"], &[]);
    assert_tls_refusal(&out, "verifier, expired certificate", "expired");
    let mut args: Vec<&str> = common.to_vec();
    args.extend(["status", "2"]);
    let out = run(&docket, &args, dir).expect("docket runs");
    assert_tls_refusal(&out, "docket, expired certificate", "expired");

    // A certificate for another name.
    let (misnamed, misnamed_key) = ca.leaf(dir, "misnamed", Leaf::OtherName).expect("leaf");
    std::fs::copy(&misnamed, &log_cert).expect("swap cert");
    std::fs::copy(&misnamed_key, &log_key).expect("swap key");
    sighup(&log);
    eventually("the log to serve the misnamed certificate", || {
        let out = verify(&["--ca-file", ca_file.as_str(), "checkpoint"], &[]);
        out.code == 5 && out.stderr.contains("another host name")
    });

    // A reload that fails (a key that does not match) keeps the last good certificate.
    std::fs::copy(&cert, &log_cert).expect("restore cert");
    std::fs::copy(&key, &log_key).expect("restore key");
    sighup(&log);
    eventually("the log to serve the good certificate again", || {
        verify(&["--ca-file", ca_file.as_str(), "checkpoint"], &[]).code == 0
    });
    std::fs::copy(&expired_key, &log_key).expect("mismatched key");
    sighup(&log);
    // The log is still up and still serving the good certificate after the bad reload.
    eventually("the failed reload to be logged", || {
        log.output().contains("TLS reload failed")
    });
    let out = verify(&["--ca-file", ca_file.as_str(), "checkpoint"], &[]);
    assert_eq!(out.code, 0, "{out:?}");
}
