//! The witness's HTTP API (axum). Handlers only extract (with an explicit body limit),
//! call [`Witness`], and map the result; the status table is [`AddError::status`].
//!
//! | route | what |
//! |---|---|
//! | `POST /add-checkpoint` | c2sp.org/tlog-witness add-checkpoint |
//! | `GET /<hex SHA-256(origin)>/checkpoint` | tlog-witness monitoring: latest cosigned checkpoint |
//! | `GET /forks` | fork evidence, JSON |
//! | `GET /forks/<id>/cosigned`, `GET /forks/<id>/presented` | the two signed notes |
//! | `GET /healthz` | liveness: `ok` |
//! | `GET /metrics` | Prometheus text |

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use docket_core::witness::{self as tlog_witness, SIZE_CONTENT_TYPE};

use crate::forks::{Channel, is_evidence_id};
use crate::service::{AddError, Witness};

/// `Content-Type` of cosignature lines, notes and error messages.
const TEXT: &str = "text/plain; charset=utf-8";

/// The router over a shared [`Witness`].
pub fn router(witness: Arc<Witness>) -> Router {
    let limit = witness.max_body_bytes();
    Router::new()
        .route(
            "/add-checkpoint",
            post(add_checkpoint).layer(DefaultBodyLimit::max(limit)),
        )
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/forks", get(forks))
        .route("/forks/{id}/{which}", get(fork_note))
        .route("/{origin_hash}/checkpoint", get(monitoring_checkpoint))
        .with_state(witness)
}

async fn add_checkpoint(
    State(witness): State<Arc<Witness>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let response = text(
                rejection.status(),
                TEXT,
                format!(
                    "request body rejected: {} (limit {} bytes)\n",
                    rejection.body_text(),
                    witness.max_body_bytes()
                ),
            );
            witness
                .metrics()
                .count_add_checkpoint(response.status().as_u16());
            return response;
        }
    };
    let worker = witness.clone();
    // Verification, signing and the synced write block: keep them off the runtime.
    let result =
        tokio::task::spawn_blocking(move || worker.add_checkpoint(&body, Channel::AddCheckpoint))
            .await;
    let response = match result {
        Ok(Ok(lines)) => text(StatusCode::OK, TEXT, lines),
        Ok(Err(error)) => add_error_response(&error),
        Err(join) => {
            tracing::error!(error = %join, "add-checkpoint worker panicked");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                TEXT,
                "internal error\n".into(),
            )
        }
    };
    witness
        .metrics()
        .count_add_checkpoint(response.status().as_u16());
    response
}

/// Maps an add-checkpoint failure to its response. A 409 carries exactly the stored
/// size and a newline; other errors a one-line message for the client.
fn add_error_response(error: &AddError) -> Response {
    let status = StatusCode::from_u16(error.status()).expect("AddError statuses are valid");
    if let AddError::Store(_) | AddError::Internal(_) = error {
        tracing::error!(%error, "add-checkpoint failed");
    }
    match error.conflict_size() {
        Some(size) => text(
            status,
            SIZE_CONTENT_TYPE,
            tlog_witness::format_size_body(size),
        ),
        None => text(status, TEXT, format!("{}\n", error.client_message())),
    }
}

async fn healthz() -> Response {
    text(StatusCode::OK, TEXT, "ok\n".into())
}

async fn metrics(State(witness): State<Arc<Witness>>) -> Response {
    match tokio::task::spawn_blocking(move || witness.render_metrics()).await {
        Ok(Ok(body)) => text(StatusCode::OK, "text/plain; version=0.0.4", body),
        Ok(Err(error)) => {
            tracing::error!(%error, "rendering metrics");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                TEXT,
                "store error\n".into(),
            )
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT,
            "internal error\n".into(),
        ),
    }
}

async fn forks(State(witness): State<Arc<Witness>>) -> Response {
    match tokio::task::spawn_blocking(move || witness.forks()).await {
        Ok(Ok(list)) => match serde_json::to_string_pretty(&list) {
            Ok(json) => text(StatusCode::OK, "application/json", json),
            Err(_) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                TEXT,
                "internal error\n".into(),
            ),
        },
        Ok(Err(error)) => {
            tracing::error!(%error, "listing forks");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                TEXT,
                "store error\n".into(),
            )
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT,
            "internal error\n".into(),
        ),
    }
}

async fn fork_note(
    State(witness): State<Arc<Witness>>,
    Path((id, which)): Path<(String, String)>,
) -> Response {
    if !is_evidence_id(&id) || !matches!(which.as_str(), "cosigned" | "presented") {
        return text(StatusCode::NOT_FOUND, TEXT, "not found\n".into());
    }
    match tokio::task::spawn_blocking(move || witness.fork(&id)).await {
        Ok(Ok(found)) => match found {
            Some(evidence) => {
                let note = if which == "cosigned" {
                    evidence.cosigned.note
                } else {
                    evidence.presented.note
                };
                text(StatusCode::OK, TEXT, note)
            }
            None => text(
                StatusCode::NOT_FOUND,
                TEXT,
                "no such fork evidence\n".into(),
            ),
        },
        _ => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT,
            "store error\n".into(),
        ),
    }
}

async fn monitoring_checkpoint(
    State(witness): State<Arc<Witness>>,
    Path(origin_hash): Path<String>,
) -> Response {
    match tokio::task::spawn_blocking(move || witness.checkpoint_by_origin_hash(&origin_hash)).await
    {
        Ok(Ok(Some(note))) => {
            let mut response = text(StatusCode::OK, TEXT, note);
            // The checkpoint is mutable; the spec lets it lag, but not by much.
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=10"),
            );
            response
        }
        Ok(Ok(None)) => text(
            StatusCode::NOT_FOUND,
            TEXT,
            "no checkpoint cosigned for this origin\n".into(),
        ),
        _ => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            TEXT,
            "store error\n".into(),
        ),
    }
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}
