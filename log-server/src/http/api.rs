//! JSON helpers under `/v1/`, `/healthz` and `/metrics` (the explorer's pages are in
//! [`super::pages`]). Every answer
//! is bounded by the published checkpoint: nothing past its size is shown.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use docket_core::merkle::Hash;
use serde::{Deserialize, Serialize};

use super::error::{ApiError, code};
use super::{AppState, blocking};
use crate::apply;
use crate::receipt::format_tlog_proof;
use crate::store::checkpoints::CheckpointRecord;

type ApiResult = Result<Response, ApiError>;

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(code::BAD_REQUEST, message)
}

fn path_index(path: Result<Path<u64>, PathRejection>) -> Result<u64, ApiError> {
    path.map(|Path(index)| index)
        .map_err(|err| bad(format!("bad index: {}", err.body_text())))
}

/// The entry index a path names and the latest checkpoint, when that checkpoint
/// covers the entry (404 otherwise: nothing past the published size is served).
fn published_entry(
    app: &AppState,
    index: Result<Path<u64>, PathRejection>,
) -> Result<(u64, std::sync::Arc<crate::published::PublishedCheckpoint>), ApiError> {
    let index = path_index(index)?;
    let latest = app.published.latest();
    if index >= latest.size {
        return Err(ApiError::new(
            code::NOT_FOUND,
            format!(
                "entry {index} is not in the published tree of size {}",
                latest.size
            ),
        ));
    }
    Ok((index, latest))
}

/// The tree size a proof request asks for, the published size by default: proofs never
/// reach past what is published (404).
fn published_size_or(app: &AppState, asked: Option<u64>) -> Result<u64, ApiError> {
    let published = app.published.latest().size;
    let size = asked.unwrap_or(published);
    if size > published {
        return Err(ApiError::new(
            code::NOT_FOUND,
            format!("size {size} is beyond the published size {published}"),
        ));
    }
    Ok(size)
}

fn hashes_b64(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(Hash::to_base64).collect()
}

/// A checkpoint in JSON.
#[derive(Debug, Serialize)]
pub struct CheckpointJson {
    /// Publication sequence number.
    pub seq: u64,
    /// Tree size.
    pub size: u64,
    /// When the log published it (Unix ms).
    pub published_at: u64,
    /// Number of witness cosignatures.
    pub cosignatures: u32,
    /// The signed note.
    pub note: String,
}

impl From<CheckpointRecord> for CheckpointJson {
    fn from(record: CheckpointRecord) -> CheckpointJson {
        CheckpointJson {
            seq: record.seq,
            size: record.size,
            published_at: record.published_at.0,
            cosignatures: record.cosignatures,
            note: record.note,
        }
    }
}

/// `GET /v1/receipts/{index}`: the receipt for a published entry against the latest
/// checkpoint: 200 and final when that checkpoint meets the receipt policy, 202 and
/// not final (no proof) otherwise; 404 past the published size. Clients poll it after
/// a 202 write answer.
pub async fn receipt(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> ApiResult {
    let (index, latest) = published_entry(&app, index)?;
    let store = app.store.clone();
    let receipt = blocking(move || crate::receipt::for_index(&store, &latest, index)).await??;
    let receipt =
        receipt.ok_or_else(|| ApiError::new(code::INTERNAL, "published entry is missing"))?;
    Ok(super::write::receipt_response(receipt))
}

/// `GET /v1/entries/{index}`: the raw entry, its decoded statement and an inclusion
/// proof against the latest checkpoint.
pub async fn entry(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> ApiResult {
    let (index, latest) = published_entry(&app, index)?;
    let store = app.store.clone();
    let size = latest.size;
    let (bytes, proof) = blocking(move || {
        let bytes = store.entry(index)?;
        let proof = store.inclusion_proof(index, size);
        Ok::<_, crate::store::StoreError>((bytes, proof))
    })
    .await??;
    let bytes = bytes.ok_or_else(|| ApiError::new(code::INTERNAL, "published entry is missing"))?;
    let proof = proof.map_err(|err| {
        tracing::error!(error = %err, "inclusion proof failed");
        ApiError::new(code::INTERNAL, "inclusion proof failed")
    })?;
    let view = apply::describe_entry(index, &bytes)?;
    Ok(Json(serde_json::json!({
        "index": index,
        "logged_at": view.logged_at,
        "leaf_hash": view.leaf_hash,
        "entry": view.entry_b64,
        "statement_digest": view.statement_digest,
        "signer_keyid": view.signer_keyid,
        "statement": view.statement,
        "size": size,
        "inclusion_proof": hashes_b64(&proof),
        "checkpoint": latest.note,
        "proof": format_tlog_proof(index, &proof, &latest.note),
    }))
    .into_response())
}

/// `?index=&size=`
#[derive(Debug, Deserialize)]
pub struct InclusionQuery {
    index: u64,
    size: Option<u64>,
}

/// `GET /v1/proofs/inclusion?index=I[&size=N]`: N defaults to the published size.
pub async fn inclusion(
    State(app): State<AppState>,
    query: Result<Query<InclusionQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let size = published_size_or(&app, query.size)?;
    if query.index >= size {
        return Err(bad(format!(
            "index {} is not in a tree of size {size}",
            query.index
        )));
    }
    let store = app.store.clone();
    let index = query.index;
    let (proof, leaf) = blocking(move || {
        let proof = store.inclusion_proof(index, size);
        let leaf = store.entry(index);
        (proof, leaf)
    })
    .await?;
    let proof = proof.map_err(|err| ApiError::new(code::INTERNAL, err.to_string()))?;
    let leaf = leaf?.map(|bytes| docket_core::merkle::leaf_hash(&bytes));
    Ok(Json(serde_json::json!({
        "index": index,
        "size": size,
        "leaf_hash": leaf,
        "proof": hashes_b64(&proof),
    }))
    .into_response())
}

/// `?old=&new=`
#[derive(Debug, Deserialize)]
pub struct ConsistencyQuery {
    old: u64,
    new: Option<u64>,
}

/// `GET /v1/proofs/consistency?old=M[&new=N]`: N defaults to the published size.
pub async fn consistency(
    State(app): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let new = published_size_or(&app, query.new)?;
    if query.old == 0 || query.old > new {
        return Err(bad(format!(
            "a consistency proof needs 0 < old <= new (old {}, new {new})",
            query.old
        )));
    }
    let store = app.store.clone();
    let old = query.old;
    let proof = blocking(move || store.consistency_proof(old, new))
        .await?
        .map_err(|err| ApiError::new(code::INTERNAL, err.to_string()))?;
    Ok(Json(serde_json::json!({
        "old": old,
        "new": new,
        "proof": hashes_b64(&proof),
    }))
    .into_response())
}

/// `?from=&limit=`
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    from: Option<u64>,
    limit: Option<usize>,
}

/// `GET /v1/checkpoints?from=SEQ&limit=N`: published checkpoints in order, with their
/// cosignatures; `next` is the `from` of the following page, if any.
pub async fn checkpoints(
    State(app): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let from = query.from.unwrap_or(0);
    let limit = query
        .limit
        .unwrap_or(app.limits.max_page)
        .clamp(1, app.limits.max_page);
    let store = app.store.clone();
    let latest_seq = app.published.latest().seq;
    let records = blocking(move || store.checkpoints(from, limit + 1)).await??;
    let mut records: Vec<CheckpointRecord> = records
        .into_iter()
        .filter(|r| r.seq <= latest_seq)
        .collect();
    let next = if records.len() > limit {
        records.truncate(limit);
        records.last().map(|r| r.seq + 1)
    } else {
        None
    };
    let items: Vec<CheckpointJson> = records.into_iter().map(CheckpointJson::from).collect();
    Ok(Json(serde_json::json!({ "checkpoints": items, "next": next })).into_response())
}

/// `GET /v1/checkpoints/latest`.
pub async fn latest_checkpoint(State(app): State<AppState>) -> ApiResult {
    let latest = app.published.latest();
    Ok(Json(serde_json::json!({
        "seq": latest.seq,
        "size": latest.size,
        "root": latest.root.to_base64(),
        "published_at": latest.published_at.0,
        "cosignatures": latest.cosignatures,
        "note": latest.note,
    }))
    .into_response())
}

/// `GET /v1/checkpoints/brackets/{index}`: the last witnessed checkpoint without entry
/// `index` and the first with it (either may be null).
pub async fn brackets(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> ApiResult {
    let index = path_index(index)?;
    let store = app.store.clone();
    let (before, after) = blocking(move || store.witnessed_brackets(index)).await??;
    let latest_seq = app.published.latest().seq;
    let after = after.filter(|r| r.seq <= latest_seq);
    Ok(Json(serde_json::json!({
        "index": index,
        "last_without": before.map(CheckpointJson::from),
        "first_with": after.map(CheckpointJson::from),
    }))
    .into_response())
}

/// `GET /v1/submissions/{index}`: the submission's review status, its linked entries
/// and the evidence (bracketing witnessed checkpoints).
pub async fn submission(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> ApiResult {
    let index = path_index(index)?;
    let latest = app.published.latest();
    let store = app.store.clone();
    let view = blocking(move || apply::submission_status(&store, index, &latest)).await??;
    Ok(Json(view).into_response())
}

/// `GET /v1/participants?from=&limit=`: every key registration and revocation, in log
/// order.
pub async fn participants(
    State(app): State<AppState>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let from = query.from.unwrap_or(0);
    let limit = query
        .limit
        .unwrap_or(app.limits.max_page)
        .clamp(1, app.limits.max_page);
    let store = app.store.clone();
    let size = app.published.latest().size;
    let view = blocking(move || apply::participants(&store, size, from, limit)).await??;
    Ok(Json(view).into_response())
}

/// `GET /healthz`: 200 with the published size while the sequencer is alive.
pub async fn healthz(State(app): State<AppState>) -> ApiResult {
    let latest = app.published.latest();
    Ok(Json(serde_json::json!({
        "status": "ok",
        "size": latest.size,
        "checkpoint_age_ms": crate::sequencer::system_clock()().0.saturating_sub(latest.published_at.0),
    }))
    .into_response())
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// Anything else: JSON 404.
pub async fn not_found() -> ApiError {
    ApiError::new(code::NOT_FOUND, "no such route")
}
