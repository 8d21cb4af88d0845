//! What `docket` keeps as a receipt (docs/developers.md, "Receipts"): only a final
//! receipt tied to the envelope it sent, checked before it is saved. With the witnesses
//! down the log answers "not final": nothing is saved and the command says to run it
//! again; run again once they are back, it fetches and saves the final receipt, which
//! `docket receipt` accepts with the witness keys. A server that leaves out `entry` and
//! answers with another entry's genuine receipt is caught and nothing is saved.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::atomic::Ordering;

use common::{TestLog, docket_in};
use serde_json::Value;

fn submit_args(model: &str) -> Vec<String> {
    [
        "--key",
        "acme.key",
        "--org",
        "Acme AI",
        "--json",
        "submit",
        "--model",
        model,
        "--model-version",
        "1.0",
        "--artifact",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("{model}.bin")])
    .collect()
}

fn saved_receipts(log: &TestLog) -> Vec<String> {
    match std::fs::read_dir(log.path("receipts")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".json") || name.ends_with(".tlog-proof"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn a_non_final_answer_is_not_saved_and_the_final_receipt_is_fetched_later() {
    let log = TestLog::start_with(|config| {
        config.witness_retry = std::time::Duration::from_millis(50);
    });
    log.enrol("acme.key", "Acme AI", "developer");
    std::fs::write(log.path("m1.bin"), b"m1").unwrap();
    let before = saved_receipts(&log);
    for witness in &log.witnesses {
        witness.fail.store(true, Ordering::Relaxed);
    }
    let args = submit_args("m1");
    let mut waiting: Vec<&str> = vec!["--receipt-wait", "0"];
    waiting.extend(args.iter().map(String::as_str));
    let run = log.docket_trusting(&waiting);
    assert_eq!(run.code, 3, "{run:?}");
    // --json: the error is JSON on standard output.
    let error: Value = serde_json::from_str(&run.stdout).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("not final"), "{message}");
    assert!(message.contains("Run the same command again"), "{message}");
    assert_eq!(error["error"]["exit_code"], 3);
    assert_eq!(saved_receipts(&log), before, "nothing saved");

    // The witnesses return; the same command fetches the final receipt (waiting with
    // backoff if the log has not re-witnessed yet).
    for witness in &log.witnesses {
        witness.fail.store(false, Ordering::Relaxed);
    }
    let mut again: Vec<&str> = vec!["--receipt-wait", "60"];
    again.extend(args.iter().map(String::as_str));
    let out = log.docket_trusting(&again).json();
    assert_eq!(out["created"], false, "the first attempt logged it: {out}");
    assert_eq!(
        out["witness_cosignatures"].as_array().unwrap().len(),
        2,
        "{out}"
    );
    let index = out["index"].as_u64().unwrap();
    let check = log.docket_trusting(&["receipt", &index.to_string()]);
    check.ok();
}

/// Serves `answer` (status 201, JSON) to every POST, 404 to anything else; handles at
/// most `max` connections.
fn lying_server(answer: Vec<u8>, max: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the declared body.
            let header_end = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                request.extend_from_slice(&buf[..n]);
                if let Some(pos) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                    break Some(pos + 4);
                }
            };
            let Some(header_end) = header_end else {
                continue;
            };
            let head = String::from_utf8_lossy(&request[..header_end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            while request.len() < header_end + length {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            let (status, body) = if head.starts_with("post ") {
                ("201 Created", answer.clone())
            } else {
                ("404 Not Found", b"{}".to_vec())
            };
            let _ = stream.write_all(
                format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            let _ = stream.write_all(&body);
        }
    });
    url
}

#[test]
fn a_server_that_omits_entry_cannot_hand_over_another_entrys_receipt() {
    let log = TestLog::start();
    log.enrol("acme.key", "Acme AI", "developer");
    // A genuine, final, cosigned receipt, but for entry 1 (the registration).
    let genuine: Value = docket_common::https::plain_blocking_client()
        .get(format!("{}/v1/receipts/1", log.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(genuine["final"], true, "{genuine}");
    let mut lie = genuine.clone();
    lie.as_object_mut().unwrap().remove("entry");
    let url = lying_server(serde_json::to_vec(&lie).unwrap(), 8);

    std::fs::write(log.path("m2.bin"), b"m2").unwrap();
    let before = saved_receipts(&log);
    let mut args = vec!["--log-key".to_string(), log.vkey.clone()];
    for w in &log.witness_vkeys {
        args.push("--witness-key".into());
        args.push(w.clone());
    }
    args.extend(submit_args("m2"));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = docket_in(log.work.path(), &[("DOCKET_LOG", &url)], &args);
    // A receipt that does not verify is a failed check (1), not a retry.
    assert_eq!(run.code, 1, "{run:?}");
    let error: Value = serde_json::from_str(&run.stdout).unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("leaf hash"), "{message}");
    assert_eq!(saved_receipts(&log), before, "nothing saved");
}
