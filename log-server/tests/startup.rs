//! Start-up witnessing: a log created by `init` (no witnesses, so its genesis checkpoint
//! has no cosignatures) gets its checkpoint cosigned as soon as `serve` starts with
//! witnesses, long before the first heartbeat.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use docket_log_server::server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_witnesses_the_init_checkpoint_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    // The heartbeat alone would take this long: the test must not depend on it.
    config.heartbeat = Duration::from_secs(3600);
    let vkey = prepare_keys(&config);
    let report = server::init(&config).await.unwrap();
    assert_eq!(report.genesis.unwrap().index, 0);

    let log = restart_with(dir, config, fake_witnesses(&vkey)).await;
    let witnessed = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            let latest = log.server.published.latest();
            if latest.cosignatures >= 2 {
                return latest;
            }
            log.server.published.wait_for_newer(latest.seq).await;
        }
    })
    .await
    .expect("a cosigned checkpoint within 2 s of start");
    assert_eq!(witnessed.size, 1);
    for witness in &log.witnesses {
        assert_eq!(witness.size(), 1);
    }
    // What readers are served verifies under the policy: log key and both witnesses.
    let (status, _, note) = log.get("/checkpoint").await;
    assert_eq!(status, 200);
    let verified = log.policy().verify_checkpoint(&note).unwrap();
    assert_eq!(verified.checkpoint().size(), 1);
    log.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fully_witnessed_checkpoint_is_not_republished_on_restart() {
    let log = start().await;
    let before = log.server.published.latest();
    assert_eq!(before.cosignatures, 2);
    let (dir, witnesses) = log.stop().await;
    let mut config = test_config(dir.path());
    config.heartbeat = Duration::from_secs(3600);
    let log = restart_with(dir, config, witnesses).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(log.server.published.latest().seq, before.seq);
    log.server.shutdown().await;
}
