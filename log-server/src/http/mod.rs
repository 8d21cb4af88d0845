//! The HTTP API (axum 0.8). Handlers only extract (with an explicit body limit on the
//! write route), call a function that takes bytes or numbers, and map the result;
//! RocksDB is reached only through [`blocking`], never on an async worker.
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/statements` | log a DSSE-signed statement; 201/200 with a receipt, 202 when not final |
//! | `GET /v1/receipts/{index}` | an entry's receipt: 200 final, 202 not final yet |
//! | `GET /checkpoint`, `/tile/...` | c2sp.org/tlog-tiles |
//! | `GET /policy` | the log's c2sp.org/tlog-policy (key, witnesses, quorum) |
//! | `GET /v1/entries/{index}` | entry, decoded statement, inclusion proof |
//! | `GET /v1/proofs/inclusion?index=&size=` | inclusion proof |
//! | `GET /v1/proofs/consistency?old=&new=` | consistency proof |
//! | `GET /v1/checkpoints?from=&limit=` | checkpoint history |
//! | `GET /v1/checkpoints/brackets/{index}` | witnessed checkpoints bracketing an entry |
//! | `GET /v1/submissions/{index}` | a submission's review status and evidence |
//! | `GET /v1/submissions?status=&org=&agency=&from=&to=&after=&order=&limit=` | the submissions table (JSON; `/submissions.csv` as CSV) |
//! | `GET /v1/participants` | participants and their roles over time |
//! | `GET /healthz`, `/metrics` | liveness, Prometheus metrics |

pub mod api;
pub mod cors;
pub mod error;
pub mod explorer;
pub mod pages;
pub mod tiles;
pub mod write;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::metrics::Metrics;
use crate::published::Published;
use crate::sequencer::SequencerHandle;
use crate::store::LogStore;
use error::{ApiError, code};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store (read only here; the sequencer writes).
    pub store: Arc<LogStore>,
    /// The latest published checkpoint.
    pub published: Published,
    /// The write queue.
    pub sequencer: SequencerHandle,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Request limits.
    pub limits: Limits,
    /// Served tiles and bundles (immutable, so cacheable).
    pub tile_cache: Arc<tiles::TileCache>,
    /// The log's trust policy text (c2sp.org/tlog-policy), served at `GET /policy`.
    pub policy: Arc<str>,
}

/// Request limits from the config.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest write body.
    pub max_body_bytes: usize,
    /// Most items per list response.
    pub max_page: usize,
}

/// Runs a blocking closure off the async workers; a panic becomes an internal error.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|err| {
        tracing::error!(error = %err, "blocking task failed");
        ApiError::new(code::INTERNAL, "internal error")
    })
}

/// The router with every route.
pub fn router(state: AppState) -> Router {
    // The handler turns axum's body-limit rejection into our JSON 413.
    let body_limit = state.limits.max_body_bytes;
    Router::new()
        .route(
            "/v1/statements",
            post(write::post_statement).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/checkpoint", get(tiles::checkpoint))
        .route("/policy", get(policy))
        .route("/tile/{*path}", get(tiles::tile))
        .route("/v1/entries/{index}", get(api::entry))
        .route("/v1/receipts/{index}", get(api::receipt))
        .route("/v1/proofs/inclusion", get(api::inclusion))
        .route("/v1/proofs/consistency", get(api::consistency))
        .route("/v1/checkpoints", get(api::checkpoints))
        .route("/v1/checkpoints/latest", get(api::latest_checkpoint))
        .route("/v1/checkpoints/brackets/{index}", get(api::brackets))
        .route("/v1/submissions/{index}", get(api::submission))
        // The explorer (see `explorer`).
        .route("/v1/submissions", get(explorer::submissions_json))
        .route("/submissions.csv", get(explorer::submissions_csv))
        .route("/v1/overview", get(pages::overview_json))
        .route("/submissions", get(pages::submissions))
        .route("/search", get(pages::search))
        .route("/submission/{index}", get(pages::submission))
        .route("/entry/{index}", get(pages::entry))
        .route("/participants", get(pages::participants))
        .route("/witnesses", get(pages::witnesses))
        .route("/verify", get(pages::verify))
        .route("/explorer/explorer.css", get(pages::css))
        .route("/explorer/verify.js", get(pages::verify_js))
        .route("/feeds/{name}", get(pages::feed))
        .route("/v1/participants", get(api::participants))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(api::metrics))
        .route("/", get(pages::overview))
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn(cors::allow_reads))
        .with_state(state)
}

/// `GET /policy`: the trust policy text.
async fn policy(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, tiles::MUTABLE),
        ],
        state.policy.to_string(),
    )
        .into_response()
}
