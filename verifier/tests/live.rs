//! Every verb against the REAL log server (docket-log-server) cosigned by two REAL
//! witnesses (docket-witness), all started in-process on loopback port 0 with temp data
//! directories, and the verifier speaking plain HTTP to them (no test fetcher).
//!
//! The lifecycle: the cast is registered, then three submissions (one decided on time,
//! one withdrawn, one pending), a disclosure of the decided one's findings and its
//! reveal; every statement is signed here with docket-core. The log's clock and the
//! witnesses' are the system's, so a decision and the checkpoint witnessing it often
//! share a second: the case of issue 5.

// Test helpers unwrap: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::Duration;

use docket_core::dsse::{Envelope, SigningKey};
use docket_core::merkle::Hash;
use docket_core::statement::{Salt, commitment};
use docket_log_server::config::{Config, WitnessSetting};
use docket_log_server::server::{Server, StartOptions};
use docket_verifier::Env;
use docket_verifier::output::Rendered;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use common::{Keys, decision, participant, submission, withdrawal};

const ORIGIN: &str = "live.example/docket";
const ADVISORY: &[u8] = b"Advisory: sandbox escape through tool calls.\n";
const SALT: [u8; 16] = [0x3c; 16];

/// A log server and two witnesses on loopback, plus a work directory.
struct Live {
    rt: tokio::runtime::Runtime,
    server: Option<Server>,
    witnesses: Vec<docket_witness::Server>,
    log_vkey: String,
    witness_vkeys: Vec<String>,
    witness_urls: Vec<String>,
    operator: SigningKey,
    http: reqwest::blocking::Client,
    _data: Vec<tempfile::TempDir>,
    work: tempfile::TempDir,
}

impl Live {
    fn start() -> Live {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let log_dir = tempfile::tempdir().unwrap();
        let mut config = Config::defaults(log_dir.path());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.origin = ORIGIN.to_string();
        config.batch_delay = Duration::from_millis(2);
        docket_log_server::keys::create_log_key(&config.log_key, &config.origin).unwrap();
        docket_log_server::keys::create_operator_key(&config.operator_key).unwrap();
        let log_vkey = std::fs::read_to_string(docket_log_server::keys::vkey_path(&config.log_key))
            .unwrap()
            .trim()
            .to_string();
        let mut data = vec![];
        let (mut witnesses, mut witness_vkeys, mut witness_urls) = (vec![], vec![], vec![]);
        for name in ["witness-one.test", "witness-two.test"] {
            let dir = tempfile::tempdir().unwrap();
            let vkey = docket_witness::keys::init(dir.path(), name).unwrap();
            let raw = docket_witness::config::RawConfig {
                data_dir: Some(dir.path().to_owned()),
                listen: Some("127.0.0.1:0".into()),
                logs: vec![docket_witness::config::RawLog {
                    vkey: log_vkey.clone(),
                    ..Default::default()
                }],
                ..Default::default()
            };
            let witness_config = raw.resolve().unwrap();
            let server = rt.block_on(async {
                let listener = tokio::net::TcpListener::bind(witness_config.listen)
                    .await
                    .unwrap();
                docket_witness::start(witness_config, listener).unwrap()
            });
            let url = format!("http://{}", server.local_addr);
            config.witnesses.push(WitnessSetting {
                url: url.clone(),
                vkey: vkey.trim().to_string(),
            });
            witnesses.push(server);
            witness_vkeys.push(vkey.trim().to_string());
            witness_urls.push(url);
            data.push(dir);
        }
        let operator = SigningKey::from_hex(
            std::fs::read_to_string(&config.operator_key)
                .unwrap()
                .trim(),
        )
        .unwrap();
        let server = rt
            .block_on(Server::start(config, StartOptions::default()))
            .unwrap();
        data.push(log_dir);
        Live {
            rt,
            server: Some(server),
            witnesses,
            log_vkey,
            witness_vkeys,
            witness_urls,
            operator,
            http: docket_common::https::plain_blocking_client(),
            _data: data,
            work: tempfile::tempdir().unwrap(),
        }
    }

    fn url(&self) -> String {
        self.server.as_ref().unwrap().url()
    }

    /// Signs `statement` with `key`, logs it, checks the receipt is witnessed by both
    /// witnesses, saves the envelope and receipt in the work dir as `<index>.*`.
    fn log(&self, statement: Value, key: &SigningKey) -> (u64, Value) {
        let body = Envelope::sign_payload(serde_json::to_vec(&statement).unwrap(), key).to_json();
        let response = self
            .http
            .post(format!("{}/v1/statements", self.url()))
            .body(body.clone())
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let receipt: Value = response.json().unwrap();
        assert_eq!(status, 201, "{statement} → {receipt}");
        let index = receipt["index"].as_u64().unwrap();
        let checkpoint = receipt["checkpoint"].as_str().unwrap();
        for vkey in &self.witness_vkeys {
            let name = vkey.split('+').next().unwrap();
            assert!(
                checkpoint.contains(&format!("— {name} ")),
                "receipt {index} lacks {name}'s cosignature: {checkpoint}"
            );
        }
        std::fs::write(self.path(&format!("{index}.envelope.json")), &body).unwrap();
        std::fs::write(
            self.path(&format!("{index}.receipt.json")),
            serde_json::to_vec_pretty(&receipt).unwrap(),
        )
        .unwrap();
        (index, receipt)
    }

    fn path(&self, name: &str) -> String {
        self.work.path().join(name).display().to_string()
    }

    /// `verifier <verb> --log URL --log-key … --witness-key … --state FILE`.
    fn args(&self, verb: &[&str], online: bool) -> Vec<String> {
        let mut args = vec!["verifier".to_string()];
        args.extend(verb.iter().map(|s| s.to_string()));
        if online {
            args.extend(["--log".to_string(), self.url()]);
        }
        args.extend([
            "--log-key".to_string(),
            self.log_vkey.clone(),
            "--state".to_string(),
            self.path("state.json"),
        ]);
        for w in &self.witness_vkeys {
            args.extend(["--witness-key".to_string(), w.clone()]);
        }
        args
    }

    fn run(&self, verb: &[&str]) -> Rendered {
        run(self.args(verb, true))
    }

    /// Runs with `--json`; asserts exit 0 and returns the report.
    fn ok_json(&self, verb: &[&str]) -> Value {
        let mut verb = verb.to_vec();
        verb.push("--json");
        ok_json(self.args(&verb, true))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let server = self.server.take();
        let witnesses = std::mem::take(&mut self.witnesses);
        self.rt.block_on(async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            for w in witnesses {
                w.shutdown().await;
            }
        });
    }
}

/// Runs the verifier over real HTTP with the system clock and no progress bar.
fn run(args: Vec<String>) -> Rendered {
    let env = Env {
        progress: false,
        ..Env::system()
    };
    docket_verifier::run_args(args, &env)
}

fn ok_json(args: Vec<String>) -> Value {
    let out = run(args.clone());
    assert_eq!(out.code, 0, "{args:?}: {out:?}");
    let json: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"));
    assert_eq!(json["verified"], true, "{json}");
    json["report"].clone()
}

/// The indexes of the lifecycle.
struct Lifecycle {
    decided: u64,
    decision: u64,
    withdrawn: u64,
    pending: u64,
    disclosure: u64,
    first_receipt: Value,
}

fn lifecycle(live: &Live) -> Lifecycle {
    let k = Keys::new();
    let (_, first_receipt) = live.log(
        participant("acme", "developer", &k.developer),
        &live.operator,
    );
    live.log(participant("nsa", "reviewer", &k.reviewer), &live.operator);
    live.log(
        participant("oncd", "coordinator", &k.coordinator),
        &live.operator,
    );
    let (decided, _) = live.log(submission("alpha"), &k.developer);
    let (withdrawn, _) = live.log(submission("beta"), &k.developer);
    let (decision, _) = live.log(decision(decided), &k.reviewer);
    live.log(withdrawal(withdrawn), &k.developer);
    let advisory_sha = Hash(Sha256::digest(ADVISORY).into());
    let salt = Salt::new(SALT.to_vec()).unwrap();
    let (disclosure, _) = live.log(
        json!({"type":"disclosure","org":"oncd","submission":decided,"sectors":["energy"],
               "recipients":3,"commitment":commitment(&salt, &advisory_sha).to_hex()}),
        &k.coordinator,
    );
    live.log(
        json!({"type":"reveal","org":"oncd","disclosure":disclosure,"salt":hex::encode(SALT),
               "advisory_sha256":advisory_sha.to_hex()}),
        &k.coordinator,
    );
    let (pending, _) = live.log(submission("gamma"), &k.developer);
    std::fs::write(live.path("advisory.txt"), ADVISORY).unwrap();
    Lifecycle {
        decided,
        decision,
        withdrawn,
        pending,
        disclosure,
        first_receipt,
    }
}

#[test]
fn every_verb_against_the_real_log_and_witnesses() {
    let live = Live::start();
    let ix = lifecycle(&live);
    let size = ix.pending + 1;

    // checkpoint: signature and both cosignatures; remembered, then re-checked.
    let report = live.ok_json(&["checkpoint"]);
    assert_eq!(report["checkpoint"]["size"], size, "{report}");
    assert_eq!(
        report["checkpoint"]["cosignatures"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    live.ok_json(&["checkpoint"]);
    let old = live.path("old-checkpoint");
    std::fs::write(&old, ix.first_receipt["checkpoint"].as_str().unwrap()).unwrap();
    live.ok_json(&["checkpoint", "--file", &old]);

    // checkpoint with a policy naming the witnesses' URLs: each witness's own latest
    // cosigned checkpoint is fetched and proven consistent with the log's.
    let names: Vec<&str> = live
        .witness_vkeys
        .iter()
        .map(|v| v.split('+').next().unwrap())
        .collect();
    let mut policy = format!("log {} {}\n", live.log_vkey, live.url());
    for ((name, vkey), url) in names
        .iter()
        .zip(&live.witness_vkeys)
        .zip(&live.witness_urls)
    {
        policy.push_str(&format!("witness {name} {vkey} {url}\n"));
    }
    policy.push_str(&format!(
        "group both all {}\nquorum both\n",
        names.join(" ")
    ));
    let policy_file = live.path("policy");
    std::fs::write(&policy_file, policy).unwrap();
    let report = ok_json(
        [
            "verifier",
            "checkpoint",
            "--json",
            "--policy",
            &policy_file,
            "--state",
            &live.path("state.json"),
        ]
        .map(String::from)
        .to_vec(),
    );
    let views = report["witnesses"].as_array().unwrap();
    assert_eq!(views.len(), 2, "{report}");
    for view in views {
        assert_eq!(view["outcome"], "consistent", "{report}");
        assert_eq!(view["size"], size, "{report}");
    }

    // inclusion: by index, by the signed envelope, by digest.
    let report = live.ok_json(&["inclusion", "--index", &ix.decision.to_string()]);
    assert_eq!(report["entry"]["index"], ix.decision, "{report}");
    let envelope = live.path(&format!("{}.envelope.json", ix.decision));
    let report = live.ok_json(&["inclusion", "--entry", &envelope]);
    assert_eq!(report["entry"]["index"], ix.decision, "{report}");
    let receipt: Value = serde_json::from_slice(
        &std::fs::read(live.path(&format!("{}.receipt.json", ix.decision))).unwrap(),
    )
    .unwrap();
    let digest = receipt["statement_digest"].as_str().unwrap();
    let report = live.ok_json(&["inclusion", "--digest", digest]);
    assert_eq!(report["entry"]["index"], ix.decision, "{report}");

    // consistency: from the first receipt's checkpoint file, and between sizes.
    live.ok_json(&["consistency", &old]);
    live.ok_json(&["consistency", "2", &size.to_string()]);

    // bundle: a real receipt, offline (no --log at all).
    let receipt_file = live.path(&format!("{}.receipt.json", ix.withdrawn));
    let report = ok_json(live.args(&["bundle", &receipt_file, "--json"], false));
    assert_eq!(report["kind"], "receipt", "{report}");
    assert_eq!(report["entry"]["index"], ix.withdrawn, "{report}");

    // audit: the whole log, every tile and rule.
    let report = live.ok_json(&["audit", "--no-progress"]);
    assert_eq!(report["entries"], size, "{report}");
    assert!(
        report["violations"].as_array().unwrap().is_empty(),
        "{report}"
    );
    assert_eq!(report["submissions"]["decided_on_time"], 1, "{report}");
    assert_eq!(report["submissions"]["withdrawn"], 1, "{report}");
    assert_eq!(report["submissions"]["pending"], 1, "{report}");

    // review: each status; the decided one written to a bundle and re-checked offline.
    for (submission, status) in [
        (ix.decided, "decided_on_time"),
        (ix.withdrawn, "withdrawn"),
        (ix.pending, "pending"),
    ] {
        let report = live.ok_json(&["review", &submission.to_string()]);
        assert_eq!(report["record"]["status"], status, "{report}");
    }
    let review_file = live.path("review.json");
    let report = live.ok_json(&["review", &ix.decided.to_string(), "--out", &review_file]);
    assert_eq!(report["bundle_written"], review_file.as_str());
    assert_eq!(report["record"]["decision"]["entry"]["index"], ix.decision);
    assert_eq!(report["record"]["decision"]["on_time"], true);
    let disclosure = &report["record"]["disclosures"][0];
    assert_eq!(disclosure["entry"]["index"], ix.disclosure, "{report}");
    assert_eq!(disclosure["reveal"][1], true, "the reveal opens: {report}");
    let text = live.run(&["review", &ix.decided.to_string()]).stdout;
    assert!(text.contains("DECIDED ON TIME"), "{text}");
    assert!(!text.contains("PENDING"), "issue 5: {text}");
    let offline = ok_json(live.args(&["review", "--bundle", &review_file, "--json"], false));
    assert_eq!(offline["offline"], true);
    assert_eq!(offline["record"]["status"], "decided_on_time", "{offline}");
    assert_eq!(offline["record"]["as_of"], report["record"]["as_of"]);

    // deadline: the decided submission was decided by its deadline.
    let report = live.ok_json(&["deadline", &ix.decided.to_string()]);
    assert_eq!(report["decided_by_deadline"], true, "{report}");
    assert_eq!(report["decision"]["index"], ix.decision);

    // reveal: the advisory opens the logged commitment.
    let advisory = live.path("advisory.txt");
    live.ok_json(&[
        "reveal",
        &ix.disclosure.to_string(),
        "--advisory",
        &advisory,
    ]);
    let wrong = live.path("wrong.txt");
    std::fs::write(&wrong, b"another advisory").unwrap();
    let out = live.run(&["reveal", &ix.disclosure.to_string(), "--advisory", &wrong]);
    assert_eq!(out.code, 1, "{out:?}");
}
