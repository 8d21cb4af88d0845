//! Pull mode (docs/architecture.md "Witness": "it can also pull"): for each log with a URL, poll
//! its tlog-tiles `<url>/checkpoint`, fetch the tiles needed for a consistency proof
//! from the size the witness last cosigned, compute the proof with docket-core, and put
//! the result through exactly the same add-checkpoint path as a pushed request. So pull
//! mode cannot cosign anything push mode would refuse, and a fork seen while pulling is
//! recorded the same way.
//!
//! The fetched tiles are untrusted bytes: nothing is computed from them but the proof,
//! and the proof is checked against the witness's stored root and the new checkpoint's
//! verified root before anything is cosigned (see `TileHashReader`'s docs).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use docket_core::checkpoint::Checkpoint;
use docket_core::merkle::{self, Hash};
use docket_core::note::Note;
use docket_core::tiles::{FULL_WIDTH, Tile, TileHashReader, tiles_for};
use tokio::sync::watch;

use crate::config::LogConfig;
use crate::forks::Channel;
use crate::service::{AddError, Witness};

/// Largest checkpoint body read from a log (a checkpoint with 100 signatures is a
/// few kilobytes; ML-DSA lines are ~3.3 KB each).
const MAX_CHECKPOINT_BYTES: usize = 1 << 20;

/// Largest tile response (a full tile is 8192 bytes).
const MAX_TILE_BYTES: usize = 32 * FULL_WIDTH as usize;

/// What a single poll did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// The witness cosigned the log's checkpoint of this size.
    Cosigned {
        /// The tree size cosigned.
        size: u64,
    },
    /// The log served a checkpoint smaller than the one already cosigned (a stale
    /// mirror or cache, or a rollback); nothing was done.
    Behind {
        /// The size the log served.
        served: u64,
        /// The size the witness holds.
        stored: u64,
    },
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// An HTTP request failed or returned a non-200 status.
    #[error("fetching {url}: {reason}")]
    Fetch {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// The served checkpoint does not parse.
    #[error("the log's checkpoint does not parse: {0}")]
    BadCheckpoint(String),
    /// The served checkpoint is for another origin.
    #[error("the log's checkpoint has origin {got:?}, expected {expected:?}")]
    WrongOrigin {
        /// Configured origin.
        expected: String,
        /// Origin in the checkpoint.
        got: String,
    },
    /// The tiles do not give a consistency proof (missing or wrong-length tiles).
    #[error("computing the consistency proof from tiles: {0}")]
    Tiles(String),
    /// The witness refused the checkpoint (a fork is recorded as evidence).
    #[error("witness refused the checkpoint: {0}")]
    Refused(#[from] AddError),
}

/// Starts one polling task per log that has a URL. Each stops when `stop` turns true.
pub fn spawn_pollers(
    witness: Arc<Witness>,
    fetch_timeout: Duration,
    tls: &docket_common::https::TlsOptions,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let client = http_client(fetch_timeout, tls)?;
    let mut tasks = Vec::new();
    for log in witness.logs().iter().filter(|l| l.url.is_some()).cloned() {
        let witness = witness.clone();
        let client = client.clone();
        let mut stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(log.poll_interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                let result = poll_once(&witness, &client, &log).await;
                witness.metrics().count_poll(result.is_ok());
                match result {
                    Ok(PollOutcome::Cosigned { size }) => {
                        tracing::debug!(origin = %log.origin, size, "pulled and cosigned");
                    }
                    Ok(PollOutcome::Behind { served, stored }) => {
                        tracing::warn!(origin = %log.origin, served, stored,
                            "log serves a checkpoint older than the one cosigned");
                    }
                    Err(error) => {
                        tracing::warn!(origin = %log.origin, %error, "poll failed");
                    }
                }
            }
        }));
    }
    Ok(tasks)
}

/// The HTTP client used for polling: HTTPS with the system's CAs plus `tls`'s CA file.
pub fn http_client(
    timeout: Duration,
    tls: &docket_common::https::TlsOptions,
) -> anyhow::Result<reqwest::Client> {
    Ok(docket_common::https::async_builder(tls)?
        .timeout(timeout)
        .user_agent(concat!("docket-witness/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// Polls `log` once: fetch its checkpoint, prove consistency from tiles, cosign.
pub async fn poll_once(
    witness: &Arc<Witness>,
    client: &reqwest::Client,
    log: &LogConfig,
) -> Result<PollOutcome, PollError> {
    let url = log
        .url
        .as_deref()
        .expect("pollers only run for logs with a URL");
    let note_bytes = fetch(client, &format!("{url}/checkpoint"), MAX_CHECKPOINT_BYTES).await?;
    let note = Note::parse(&note_bytes).map_err(|e| PollError::BadCheckpoint(e.to_string()))?;
    let checkpoint =
        Checkpoint::parse(note.text()).map_err(|e| PollError::BadCheckpoint(e.to_string()))?;
    if checkpoint.origin() != log.origin {
        return Err(PollError::WrongOrigin {
            expected: log.origin.clone(),
            got: checkpoint.origin().to_owned(),
        });
    }
    // A push may move the stored size between our read and our submission; the
    // add-checkpoint path then answers 409 with the new size, and one retry from that
    // size settles it.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let stored = witness
            .stored_size(&log.origin)
            .map_err(|e| PollError::Refused(e.into()))?;
        if checkpoint.size() < stored {
            return Ok(PollOutcome::Behind {
                served: checkpoint.size(),
                stored,
            });
        }
        let proof = if stored == 0 || stored == checkpoint.size() {
            Vec::new()
        } else {
            consistency_proof_from_tiles(client, url, stored, checkpoint.size()).await?
        };
        let body = add_checkpoint_body(stored, &proof, &note_bytes);
        let worker = witness.clone();
        let result =
            tokio::task::spawn_blocking(move || worker.add_checkpoint(&body, Channel::Pull))
                .await
                .map_err(|e| PollError::Tiles(format!("worker failed: {e}")))?;
        match result {
            Ok(_) => {
                witness.metrics().count_cosignature_pull();
                return Ok(PollOutcome::Cosigned {
                    size: checkpoint.size(),
                });
            }
            Err(error) if error.conflict_size().is_some() && attempts < 2 => continue,
            Err(error) => return Err(PollError::Refused(error)),
        }
    }
}

/// The add-checkpoint request body: `old N`, the proof lines, an empty line, the note.
pub fn add_checkpoint_body(old: u64, proof: &[Hash], note: &[u8]) -> Vec<u8> {
    let mut body = format!("old {old}\n").into_bytes();
    for hash in proof {
        body.extend_from_slice(hash.to_base64().as_bytes());
        body.push(b'\n');
    }
    body.push(b'\n');
    body.extend_from_slice(note);
    body
}

/// Fetches the tiles a consistency proof from `old` to `new` needs and computes it.
/// The tiles are not trusted: the caller verifies the proof.
pub async fn consistency_proof_from_tiles(
    client: &reqwest::Client,
    url: &str,
    old: u64,
    new: u64,
) -> Result<Vec<Hash>, PollError> {
    let ranges =
        merkle::consistency_proof_ranges(old, new).map_err(|e| PollError::Tiles(e.to_string()))?;
    let nodes = merkle::nodes_for_ranges(&ranges);
    let needed = tiles_for(new, &nodes).map_err(|e| PollError::Tiles(e.to_string()))?;
    let mut tiles: HashMap<Tile, Vec<u8>> = HashMap::new();
    for tile in needed {
        let (tile, bytes) = fetch_tile(client, url, tile).await?;
        tiles.insert(tile, bytes);
    }
    let reader = TileHashReader::new(new, &tiles);
    merkle::consistency_proof(old, new, &reader).map_err(|e| PollError::Tiles(e.to_string()))
}

/// Fetches a tile; a partial tile that is gone (the log may delete partial tiles once
/// the full tile exists) is replaced by the full tile, which the reader accepts.
async fn fetch_tile(
    client: &reqwest::Client,
    url: &str,
    tile: Tile,
) -> Result<(Tile, Vec<u8>), PollError> {
    match fetch(client, &format!("{url}/{}", tile.path()), MAX_TILE_BYTES).await {
        Ok(bytes) => Ok((tile, bytes)),
        Err(first) if !tile.is_full() => {
            let full = Tile::new(tile.level(), tile.index(), FULL_WIDTH)
                .map_err(|e| PollError::Tiles(e.to_string()))?;
            match fetch(client, &format!("{url}/{}", full.path()), MAX_TILE_BYTES).await {
                Ok(bytes) => Ok((full, bytes)),
                Err(_) => Err(first),
            }
        }
        Err(error) => Err(error),
    }
}

async fn fetch(client: &reqwest::Client, url: &str, limit: usize) -> Result<Vec<u8>, PollError> {
    let fail = |reason: String| PollError::Fetch {
        url: url.to_owned(),
        reason,
    };
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| fail(docket_common::https::describe(&e).message))?;
    if response.status() != reqwest::StatusCode::OK {
        return Err(fail(format!("status {}", response.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(e.to_string()))? {
        if body.len() + chunk.len() > limit {
            return Err(fail(format!("response larger than {limit} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
