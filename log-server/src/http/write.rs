//! `POST /v1/statements`: the write path's HTTP side. Checks in DESIGN.md's order:
//! size (413), JSON and envelope shape (400), signature (403) here, on the async worker
//! (a bounded body and one Ed25519 check: cheaper than a trip through the blocking pool);
//! then the sequencer checks the signer's registration, role and organisation (403),
//! references (422) and conflicts (409) against the log, and answers with a receipt: 201
//! for a new entry, 200 for a statement already logged.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::{ApiError, code};
use crate::apply;

/// The handler.
pub async fn post_statement(
    State(app): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match write(&app, body).await {
        Ok(receipt) => {
            let status = if receipt.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (status, Json(receipt)).into_response()
        }
        Err(err) => err.into_response(),
    }
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
    let submission = apply::verify_submission(&app.store, &body).map_err(reject)?;
    // Rejections inside the sequencer are counted there.
    app.sequencer.submit(submission).await
}
