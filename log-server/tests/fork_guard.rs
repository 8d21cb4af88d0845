//! The operator's own software must not fork the log (docs/threat-model.md, "Write
//! path"): with `log.skey` intact, a database restored from an older copy, or an empty
//! one, makes start-up refuse with a message that says what happened and what to do,
//! before anything is written or signed; and a witness reporting a tree larger than the
//! log's stops signing for good.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use docket_log_server::config::{Config, WitnessSetting};
use docket_log_server::cosign::Cosigner;
use docket_log_server::server::{Server, ServerError, StartOptions};
use docket_log_server::store::LogStore;
use docket_log_server::testkit::{FakeWitness, spawn_http_witness};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

async fn start_result(
    config: &Config,
    witnesses: &[Arc<FakeWitness>],
) -> Result<Server, ServerError> {
    let cosigners: Vec<Arc<dyn Cosigner>> = witnesses
        .iter()
        .map(|w| w.clone() as Arc<dyn Cosigner>)
        .collect();
    Server::start(
        config.clone(),
        StartOptions {
            cosigners: Some(cosigners),
            clock: None,
            monotonic: None,
        },
    )
    .await
}

fn stored_size(config: &Config) -> u64 {
    LogStore::open(&config.db_path())
        .unwrap()
        .tree_state()
        .unwrap()
        .size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restored_from_an_older_copy_is_refused() {
    let log = start().await;
    let cast = cast(&log).await;
    let (dir, witnesses) = log.stop().await;
    let config = test_config(dir.path());
    let backup = dir.path().join("backup-db");
    copy_dir(&config.db_path(), &backup);
    let old_size = stored_size(&config);

    // The log goes on after the backup.
    let log = restart_with(dir, config.clone(), witnesses).await;
    for i in 0..3 {
        log.log(
            submission("acme", &format!("after-backup-{i}")),
            &cast.developer,
        )
        .await;
    }
    let signed = log.size();
    assert!(signed > old_size);
    let (dir, witnesses) = log.stop().await;

    // The operator restores the older backup under the same key.
    std::fs::remove_dir_all(config.db_path()).unwrap();
    copy_dir(&backup, &config.db_path());
    let refused = start_result(&config, &witnesses)
        .await
        .err()
        .expect("start-up must refuse");
    let message = refused.to_string();
    assert!(matches!(refused, ServerError::Refused(_)), "{message}");
    assert!(
        message.contains(&format!("signed a checkpoint of size {signed}")),
        "{message}"
    );
    assert!(
        message.contains(&format!("holds only {old_size} entries")),
        "{message}"
    );
    assert!(message.contains("older backup"), "{message}");
    assert!(message.contains("Restore the database"), "{message}");
    // Nothing was written or signed: the restored database is as it was, and the
    // witnesses never saw a checkpoint for the old size again.
    assert_eq!(stored_size(&config), old_size);
    for witness in &witnesses {
        assert_eq!(witness.size(), signed);
    }
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_database_with_the_old_key_is_refused() {
    let log = start().await;
    cast(&log).await;
    let signed = log.size();
    let (dir, witnesses) = log.stop().await;
    let config = test_config(dir.path());
    std::fs::remove_dir_all(config.db_path()).unwrap();

    let refused = start_result(&config, &witnesses)
        .await
        .err()
        .expect("start-up must refuse");
    let message = refused.to_string();
    assert!(
        message.contains(&format!("signed a checkpoint of size {signed}")),
        "{message}"
    );
    assert!(message.contains("holds only 0 entries"), "{message}");
    // No new genesis was logged.
    assert_eq!(stored_size(&config), 0);
    // `init` refuses the same way.
    let refused = docket_log_server::server::init(&config).await.err();
    assert!(
        matches!(refused, Some(ServerError::Refused(_))),
        "{refused:?}"
    );
    assert_eq!(stored_size(&config), 0);
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_of_another_tree_under_the_same_key_is_refused() {
    let log = start().await;
    cast(&log).await;
    let (dir, witnesses) = log.stop().await;
    let config = test_config(dir.path());
    // Another log's database (same origin, different entries) copied in.
    let other_dir = tempfile::tempdir().unwrap();
    // Its own operator key, so its genesis (and so its tree) differs.
    let other_config = test_config(other_dir.path());
    let other = start_with(other_dir, other_config.clone()).await;
    cast(&other).await;
    cast_more(&other).await;
    let (other_dir, _) = other.stop().await;
    std::fs::remove_dir_all(config.db_path()).unwrap();
    copy_dir(&other_config.db_path(), &config.db_path());
    let refused = start_result(&config, &witnesses).await.err();
    let message = refused.map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("different log"), "{message}");
    drop((dir, other_dir));
}

/// One more entry, so the other log is larger than the first.
async fn cast_more(log: &TestLog) {
    log.register("extra", "developer", &key(77)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_witness_ahead_of_the_log_stops_signing() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.heartbeat = Duration::from_secs(3600);
    let log_vkey = prepare_keys(&config);
    let witness = spawn_http_witness("http-witness-a.test", 21, &log_vkey)
        .await
        .unwrap();
    config.witnesses = vec![WitnessSetting {
        url: witness.url.clone(),
        vkey: witness.vkey.clone(),
    }];
    let server = Server::start(config.clone(), StartOptions::default())
        .await
        .unwrap();
    let http = docket_common::https::plain_client();
    let operator = operator_key(&config);
    let post = |body: Vec<u8>| {
        let http = http.clone();
        let url = format!("{}/v1/statements", server.url());
        async move {
            let r = http.post(url).body(body).send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = post(sign(
        &participant("register", "acme", "developer", &key(1)),
        &operator,
    ))
    .await;
    assert_eq!(status, 201, "{body}");
    let before = server.published.latest();

    // The witness has cosigned a larger tree under this key (another instance, or a
    // database that lost entries): it answers 409 with its larger size.
    witness.set_state(Some(docket_core::witness::TreeState {
        size: before.size + 100,
        root: before.root,
    }));
    let (status, body) = post(sign(&submission("acme", "m1"), &key(1))).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "log_halted", "{body}");
    assert_eq!(
        server
            .metrics
            .halted
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    // Halted for good: later writes are refused without being stored, nothing new is
    // published.
    let stored = server.store.tree_state().unwrap().size;
    let (status, body) = post(sign(&submission("acme", "m2"), &key(1))).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "log_halted");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("beyond"),
        "{body}"
    );
    assert_eq!(server.store.tree_state().unwrap().size, stored);
    assert_eq!(server.published.latest().seq, before.seq);
    let metrics = docket_common::https::plain_client()
        .get(format!("{}/metrics", server.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("docket_signing_halted 1\n"), "{metrics}");
    server.shutdown().await;
}
