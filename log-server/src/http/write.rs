//! `POST /v1/statements`: the write path's HTTP side. Checks in docs/formats.md's order:
//! size (413), JSON and envelope shape (400), signature (403) here, on the async worker
//! (a bounded body and one Ed25519 check: cheaper than a trip through the blocking pool);
//! then the sequencer checks the signer's registration, role and organisation (403),
//! references (422) and conflicts (409) against the log, and answers with a receipt: 201
//! for a new entry, 200 for a statement already logged, 202 when the entry is logged but
//! its receipt is not final yet (the checkpoint lacks the witnesses the receipt policy
//! asks for; see [`crate::receipt`]).
//!
//! Nothing that cannot be logged reaches the queue (docs/threat-model.md, "Write path"):
//! a genesis statement to a log that has one is refused here (409 `genesis_not_first`)
//! before its signature is even checked, and a statement already in the log (a replayed
//! envelope) is answered from the store with its existing receipt (200, or 202 if not
//! final) without being queued. Without this, anyone could fill the queue with
//! self-signed genesis statements (`authenticate` accepts a genesis signed by the key it
//! names) or copies of any logged envelope, and crowd out real writes.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use docket_core::dsse::Envelope;
use docket_core::rules::{LogView as _, RuleViolation};
use docket_core::statement::{LogIndex, Statement};

use super::error::{ApiError, code};
use super::{AppState, blocking};
use crate::apply;
use crate::receipt::Receipt;

/// The handler.
pub async fn post_statement(
    State(app): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match write(&app, body).await {
        Ok(receipt) => receipt_response(receipt),
        Err(err) => err.into_response(),
    }
}

/// A receipt's HTTP answer: 202 when not final, else 201 (new entry) or 200.
pub fn receipt_response(receipt: Receipt) -> Response {
    let status = if !receipt.is_final {
        StatusCode::ACCEPTED
    } else if receipt.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, Json(receipt)).into_response()
}

/// Refuses a genesis statement when the log already has its genesis, from the
/// envelope's unverified payload: refusing needs no signature check.
fn refuse_second_genesis(app: &AppState, body: &[u8]) -> Result<(), ApiError> {
    let Ok(envelope) = Envelope::from_json(body) else {
        return Ok(()); // verify_submission gives the precise error
    };
    if !matches!(envelope.unverified_statement(), Ok(Statement::Genesis(_))) {
        return Ok(());
    }
    if app.store.view().genesis()?.is_some() {
        let violation = RuleViolation::GenesisNotFirst {
            index: LogIndex(app.store.tree_state()?.size),
        };
        return Err(ApiError::new(violation.code(), violation.to_string()));
    }
    Ok(())
}

/// The existing receipt for a statement already logged and published, built without
/// the sequencer; `None` when it is not logged (or not yet published: then the
/// sequencer answers once it is).
async fn existing_receipt(
    app: &AppState,
    submission: &apply::Submission,
) -> Result<Option<Receipt>, ApiError> {
    let store = app.store.clone();
    let digest = submission.digest;
    let published = app.published.latest();
    blocking(move || {
        let Some(index) = store.index_of_statement(&digest)? else {
            return Ok(None);
        };
        if index >= published.size {
            return Ok(None);
        }
        crate::receipt::for_index(&store, &published, index)
    })
    .await?
}

async fn write(
    app: &AppState,
    body: Result<Bytes, BytesRejection>,
) -> Result<crate::receipt::Receipt, ApiError> {
    let reject = |err: ApiError| {
        app.metrics.reject(err.code);
        err
    };
    let body = body.map_err(|rejection| {
        let err = if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                code::TOO_LARGE,
                format!("request body exceeds {} bytes", app.limits.max_body_bytes),
            )
        } else {
            ApiError::new(code::MALFORMED_ENVELOPE, rejection.body_text())
        };
        reject(err)
    })?;
    if body.len() > app.limits.max_body_bytes {
        return Err(reject(ApiError::new(
            code::TOO_LARGE,
            format!("request body exceeds {} bytes", app.limits.max_body_bytes),
        )));
    }
    // On the async worker, not `spawn_blocking`: the work is one signature check (~60 µs
    // of CPU) and one point read of a hot registration, and handing each request to the
    // blocking pool and back cost more in thread switches than the check itself
    // (loadgen: ~20% more statements/s on 2 cores).
    refuse_second_genesis(app, &body).map_err(reject)?;
    let submission = apply::verify_submission(&app.store, &body).map_err(reject)?;
    if let Some(receipt) = existing_receipt(app, &submission).await? {
        app.metrics
            .replays_answered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok(receipt);
    }
    // Rejections inside the sequencer are counted there.
    app.sequencer.submit(submission).await
}
