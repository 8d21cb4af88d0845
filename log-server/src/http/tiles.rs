//! The c2sp.org/tlog-tiles read API at the root (digest §7): `/checkpoint`,
//! `/tile/<L>/<N>[.p/<W>]` and `/tile/entries/<N>[.p/<W>]`.
//!
//! Only what the published checkpoint implies is served: a tile or bundle beyond its
//! size is 404, even if the sequencer already committed more. Full and partial tiles are
//! immutable (a partial tile of width W never changes, a wider one has another path), so
//! both get a year-long `immutable` cache header; the checkpoint is mutable and cached
//! for at most a couple of seconds. A malformed path is 400.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use docket_core::tiles::{self, TILE_HEIGHT, TilePath};

use super::error::{ApiError, code};
use super::{AppState, blocking};

/// Cache header of tiles and bundles: immutable once served (tlog-tiles §"Tiles").
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache header of the checkpoint: it changes with every batch.
pub const MUTABLE: &str = "public, max-age=2";
/// Content type of tiles and bundles.
pub const OCTET_STREAM: &str = "application/octet-stream";
/// Content type of the checkpoint.
pub const TEXT_UTF8: &str = "text/plain; charset=utf-8";

/// Bytes of tiles and bundles kept in memory: they are immutable once served, so a hit
/// skips the blocking task and the RocksDB scan. Bounded, so memory stays flat.
pub const TILE_CACHE_BYTES: usize = 64 << 20;

/// A bounded cache of served tiles and bundles, keyed by their canonical path. When full
/// it is emptied (simple, and the hot tiles, the newest ones, come back at once).
#[derive(Debug, Default)]
pub struct TileCache {
    inner: Mutex<(HashMap<String, Bytes>, usize)>,
}

impl TileCache {
    fn get(&self, path: &str) -> Option<Bytes> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.0.get(path).cloned()
    }

    fn put(&self, path: String, bytes: Bytes) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.1 + bytes.len() > TILE_CACHE_BYTES {
            inner.0.clear();
            inner.1 = 0;
        }
        inner.1 += bytes.len();
        inner.0.insert(path, bytes);
    }
}

/// `GET /checkpoint`: the latest published checkpoint note.
pub async fn checkpoint(State(app): State<AppState>) -> Response {
    let latest = app.published.latest();
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(TEXT_UTF8)),
            (header::CACHE_CONTROL, HeaderValue::from_static(MUTABLE)),
        ],
        latest.note.clone(),
    )
        .into_response()
}

/// `GET /tile/{*path}`: a hash tile or an entry bundle.
pub async fn tile(State(app): State<AppState>, Path(rest): Path<String>) -> Response {
    match tile_bytes(&app, &rest).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM)),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

/// The bytes of the tile or bundle at `tile/<rest>`, if the published tree has it.
pub async fn tile_bytes(app: &AppState, rest: &str) -> Result<Bytes, ApiError> {
    let path = format!("tile/{rest}");
    let parsed = tiles::parse_tile_path(&path)
        .map_err(|err| ApiError::new(code::BAD_REQUEST, err.to_string()))?;
    // The path is canonical (the parser accepts one spelling per tile), so it is the key.
    if let Some(bytes) = app.tile_cache.get(&path) {
        return Ok(bytes);
    }
    let bytes = Bytes::from(read_tile(app, parsed, &path).await?);
    app.tile_cache.put(path, bytes.clone());
    Ok(bytes)
}

async fn read_tile(app: &AppState, parsed: TilePath, path: &str) -> Result<Vec<u8>, ApiError> {
    let size = app.published.latest().size;
    let store = app.store.clone();
    match parsed {
        TilePath::Hashes(tile) => {
            if !tile.is_in_tree(size) {
                return Err(not_yet(path, size));
            }
            let level = tile.level() * TILE_HEIGHT;
            let first = tile.index() * u64::from(tiles::FULL_WIDTH);
            let range = first..first + u64::from(tile.width());
            let hashes = blocking(move || store.level_hashes(level, range)).await??;
            Ok(tiles::encode_tile(&hashes))
        }
        TilePath::Entries(bundle) => {
            if !bundle.is_in_tree(size) {
                return Err(not_yet(path, size));
            }
            let range = bundle.entries();
            let entries = blocking(move || store.entries(range)).await??;
            tiles::encode_entry_bundle(&entries).map_err(|err| {
                tracing::error!(error = %err, "stored entry does not fit a bundle");
                ApiError::new(code::INTERNAL, "entry bundle could not be encoded")
            })
        }
    }
}

fn not_yet(path: &str, size: u64) -> ApiError {
    ApiError::new(
        code::NOT_FOUND,
        format!("{path} is not in the published tree of size {size}"),
    )
}
