//! The tlog-tiles read API at sizes that cross tile boundaries (1, 255, 256, 257 and
//! 65,537), read by an independent reader that knows only the C2SP specs: it verifies
//! the checkpoint's Ed25519 signature by hand, downloads every hash tile and entry
//! bundle over HTTP, checks bundles against level-0 tiles and each level against the
//! one below, and rebuilds exactly the checkpoint's root. Entries past the first few
//! are appended through the sequencer API (verified statements, no HTTP) to keep the
//! large case fast.

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use common::*;
use docket_core::dsse::Envelope;
use docket_core::merkle::{self, Hash};
use docket_log_server::apply::Submission;
use ed25519_dalek::Verifier as _;
use sha2::{Digest, Sha256};

/// Appends `count` submissions signed by `developer` through the sequencer.
async fn append(
    log: &TestLog,
    developer: &docket_core::dsse::SigningKey,
    start: usize,
    count: usize,
) {
    let public = developer.public_key();
    let mut pending = Vec::new();
    for i in start..start + count {
        let payload = serde_json::to_vec(&submission("acme", &format!("bulk-{i}"))).unwrap();
        let verified = Envelope::sign_payload(payload, developer)
            .verify(&public)
            .unwrap();
        let handle = log.server.sequencer.clone();
        pending.push(tokio::spawn(async move {
            handle.submit(Submission::new(verified)).await
        }));
        if pending.len() == 4096 {
            for task in pending.drain(..) {
                assert!(task.await.unwrap().unwrap().created);
            }
        }
    }
    for task in pending {
        assert!(task.await.unwrap().unwrap().created);
    }
}

/// c2sp.org/tlog-tiles index path: 3-digit groups, `x` before all but the last.
fn index_path(mut n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    n /= 1000;
    while n > 0 {
        groups.push(format!("x{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

fn tile_path(level: Option<u8>, index: u64, width: u64) -> String {
    let head = match level {
        Some(level) => format!("tile/{level}/{}", index_path(index)),
        None => format!("tile/entries/{}", index_path(index)),
    };
    if width == 256 {
        head
    } else {
        format!("{head}.p/{width}")
    }
}

/// Verifies the checkpoint note's Ed25519 line with the vkey, by the signed-note spec.
fn verify_checkpoint(note: &str, vkey: &str) -> (String, u64, Hash) {
    let mut parts = vkey.splitn(3, '+');
    let name = parts.next().unwrap();
    let id = u32::from_str_radix(parts.next().unwrap(), 16).unwrap();
    let key = BASE64.decode(parts.next().unwrap()).unwrap();
    assert_eq!(key[0], 0x01);
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0a, 0x01]);
    h.update(&key[1..]);
    assert_eq!(
        u32::from_be_bytes(h.finalize()[..4].try_into().unwrap()),
        id
    );
    let split = note.rfind("\n\n").unwrap();
    let text = &note[..split + 1];
    let prefix = format!("\u{2014} {name} ");
    let line = note[split + 2..]
        .lines()
        .find(|l| l.starts_with(&prefix))
        .expect("log signature line");
    let sig = BASE64.decode(&line[prefix.len()..]).unwrap();
    assert_eq!(u32::from_be_bytes(sig[..4].try_into().unwrap()), id);
    let public = ed25519_dalek::VerifyingKey::from_bytes(&key[1..].try_into().unwrap()).unwrap();
    public
        .verify(
            text.as_bytes(),
            &ed25519_dalek::Signature::from_slice(&sig[4..]).unwrap(),
        )
        .unwrap();
    let lines: Vec<&str> = text.lines().collect();
    (
        lines[0].to_string(),
        lines[1].parse().unwrap(),
        Hash::from_base64(lines[2]).unwrap(),
    )
}

/// The perfect-subtree hash of 2^k leaves starting at `start`, from tiles.
fn subtree(tiles: &HashMap<(u8, u64), Vec<Hash>>, k: u32, start: u64) -> Hash {
    let level = (k / 8) as u8;
    let count = 1usize << (k % 8);
    let position = start >> (8 * u32::from(level));
    let tile = &tiles[&(level, position / 256)];
    let offset = (position % 256) as usize;
    let mut hashes = tile[offset..offset + count].to_vec();
    while hashes.len() > 1 {
        hashes = hashes
            .chunks(2)
            .map(|p| merkle::node_hash(&p[0], &p[1]))
            .collect();
    }
    hashes[0]
}

/// Reads the whole log as an outsider and checks it rebuilds the checkpoint's root.
async fn independent_read(log: &TestLog) -> u64 {
    let (status, headers, body) = log.get("/checkpoint").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    let note = String::from_utf8(body).unwrap();
    let (origin, size, root) = verify_checkpoint(&note, &log.server.vkey);
    assert_eq!(origin, ORIGIN);
    let mut tiles: HashMap<(u8, u64), Vec<Hash>> = HashMap::new();
    for level in 0u8..8 {
        let count = size >> (8 * u32::from(level));
        if count == 0 {
            break;
        }
        for index in 0..count.div_ceil(256) {
            let width = (count - index * 256).min(256);
            let path = tile_path(Some(level), index, width);
            let (status, headers, body) = log.get(&format!("/{path}")).await;
            assert_eq!(status, 200, "{path}");
            assert_eq!(headers["content-type"], "application/octet-stream");
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
            assert_eq!(body.len() as u64, 32 * width, "{path}");
            let hashes: Vec<Hash> = body
                .chunks(32)
                .map(|c| Hash::from_slice(c).unwrap())
                .collect();
            if level == 0 {
                let bundle_path = tile_path(None, index, width);
                let (status, headers, bundle) = log.get(&format!("/{bundle_path}")).await;
                assert_eq!(status, 200, "{bundle_path}");
                assert_eq!(
                    headers["cache-control"],
                    "public, max-age=31536000, immutable"
                );
                let mut rest = &bundle[..];
                for hash in &hashes {
                    let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                    assert_eq!(merkle::leaf_hash(&rest[2..2 + len]), *hash);
                    rest = &rest[2 + len..];
                }
                assert!(rest.is_empty(), "{bundle_path} has trailing bytes");
            } else {
                // Each hash at level L is the root of the full tile below.
                for (i, hash) in hashes.iter().enumerate() {
                    let below = &tiles[&(level - 1, index * 256 + i as u64)];
                    assert_eq!(below.len(), 256);
                    let mut layer = below.clone();
                    while layer.len() > 1 {
                        layer = layer
                            .chunks(2)
                            .map(|p| merkle::node_hash(&p[0], &p[1]))
                            .collect();
                    }
                    assert_eq!(layer[0], *hash, "tile {level}/{index} hash {i}");
                }
            }
            tiles.insert((level, index), hashes);
        }
    }
    // The root: perfect subtrees of `size` in binary, largest first, folded from the right.
    let mut subtrees = Vec::new();
    let mut start = 0u64;
    for k in (0..64u32).rev() {
        if size & (1 << k) != 0 {
            subtrees.push(subtree(&tiles, k, start));
            start += 1 << k;
        }
    }
    assert_eq!(merkle::fold_right(&subtrees).unwrap(), root);
    // Nothing beyond the size is served.
    let next = size >> 8;
    let (status, _, _) = log
        .get(&format!("/{}", tile_path(Some(0), next + 1, 1)))
        .await;
    assert_eq!(status, 404);
    size
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiles_rebuild_the_root_across_tile_boundaries() {
    let log = start().await;
    assert_eq!(independent_read(&log).await, 1);
    let developer = key(1);
    log.register("acme", "developer", &developer).await; // size 2
    let mut next = 0;
    for target in [255u64, 256, 257] {
        let count = (target - log.size()) as usize;
        append(&log, &developer, next, count).await;
        next += count;
        assert_eq!(log.size(), target);
        assert_eq!(independent_read(&log).await, target);
    }
    // A partial tile of an older checkpoint stays readable once the tile is full.
    let (status, _, old) = log.get("/tile/0/000.p/255").await;
    assert_eq!(status, 200);
    let (_, _, full) = log.get("/tile/0/000").await;
    assert_eq!(old[..], full[..255 * 32]);
    let count = (65_537 - log.size()) as usize;
    append(&log, &developer, next, count).await;
    assert_eq!(log.size(), 65_537);
    assert_eq!(independent_read(&log).await, 65_537);
    log.server.shutdown().await;
}
