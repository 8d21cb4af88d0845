//! The explorer's HTML pages, feeds and static files (see [`crate::explorer::pages`]).
//! Pages answer HTML errors with the same status codes as the JSON API.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::error::{ApiError, code};
use super::explorer::{TableQuery, cut_at, table};
use super::{AppState, blocking};
use crate::explorer::pages::{self, Feed, FormValues};
use crate::explorer::query;

/// Pages load nothing from another host, and run no inline script: a second line of
/// defence behind the templates' escaping.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        )],
        Html(body),
    )
        .into_response()
}

/// An error as an HTML page.
fn page_error(app: &AppState, err: ApiError) -> Response {
    let latest = app.published.latest();
    let title = match err.status() {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::BAD_REQUEST => "Bad request",
        _ => "Something went wrong",
    };
    match pages::error(&latest, title, &err.message) {
        Ok(body) => html(err.status(), body),
        Err(err) => err.into_response(),
    }
}

fn finish(app: &AppState, result: Result<String, ApiError>) -> Response {
    match result {
        Ok(body) => html(StatusCode::OK, body),
        Err(err) => page_error(app, err),
    }
}

/// The base URL readers used, from the Host header (for feeds and instructions only;
/// a forged Host only changes the reader's own page, and is escaped there).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// `GET /`: the overview.
pub async fn overview(State(app): State<AppState>) -> Response {
    let latest = app.published.latest();
    let store = app.store.clone();
    let result = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        let now = crate::sequencer::system_clock()();
        pages::overview(&store, &cut, &latest, now)
    })
    .await
    .and_then(|r| r);
    finish(&app, result)
}

/// `GET /v1/overview`: the overview's counts and lists as JSON.
pub async fn overview_json(State(app): State<AppState>) -> Result<Response, ApiError> {
    let latest = app.published.latest();
    let store = app.store.clone();
    let data = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        Ok::<_, ApiError>((query::overview(&store, &cut, pages::OVERVIEW_ROWS)?, cut))
    })
    .await??;
    Ok(axum::Json(serde_json::json!({
        "as_of": data.1.as_of,
        "size": data.1.size,
        "counts": data.0.counts,
        "recent_decisions": data.0.recent_decisions,
        "closest_deadlines": data.0.closest_deadlines,
    }))
    .into_response())
}

/// `GET /submissions`: the table, with the filter form.
pub async fn submissions(
    State(app): State<AppState>,
    query: Result<Query<TableQuery>, QueryRejection>,
) -> Response {
    let Query(query) = match query {
        Ok(q) => q,
        Err(err) => return page_error(&app, ApiError::new(code::BAD_REQUEST, err.body_text())),
    };
    let form = FormValues {
        status: query.status.clone().unwrap_or_default(),
        org: query.org.clone().unwrap_or_default(),
        agency: query.agency.clone().unwrap_or_default(),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        order: query.order.clone().unwrap_or_else(|| "newest".into()),
    };
    let result = match table(&app, &query, pages::TABLE_ROWS).await {
        Ok((page, _)) => {
            pages::submissions(&app.published.latest(), &page, &form, query.after.is_some())
        }
        Err(err) => Err(err),
    };
    finish(&app, result)
}

/// `?q=`
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// Longest search query accepted.
const MAX_QUERY: usize = 200;

/// `GET /search?q=`.
pub async fn search(
    State(app): State<AppState>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Response {
    let q = match query {
        Ok(Query(q)) => q.q.unwrap_or_default(),
        Err(err) => return page_error(&app, ApiError::new(code::BAD_REQUEST, err.body_text())),
    };
    if q.len() > MAX_QUERY {
        return page_error(
            &app,
            ApiError::new(
                code::BAD_REQUEST,
                format!("a search is at most {MAX_QUERY} bytes"),
            ),
        );
    }
    let latest = app.published.latest();
    let store = app.store.clone();
    let result = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        pages::search(&store, &cut, &latest, &q)
    })
    .await
    .and_then(|r| r);
    finish(&app, result)
}

fn index_of(path: Result<Path<u64>, PathRejection>) -> Result<u64, ApiError> {
    path.map(|Path(i)| i)
        .map_err(|err| ApiError::new(code::BAD_REQUEST, format!("bad index: {}", err.body_text())))
}

/// `GET /submission/{index}`.
pub async fn submission(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> Response {
    let index = match index_of(index) {
        Ok(i) => i,
        Err(err) => return page_error(&app, err),
    };
    let latest = app.published.latest();
    let store = app.store.clone();
    let result = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        pages::submission(&store, &cut, &latest, index)
    })
    .await
    .and_then(|r| r);
    finish(&app, result)
}

/// `GET /entry/{index}`: the entry's permanent page.
pub async fn entry(
    State(app): State<AppState>,
    index: Result<Path<u64>, PathRejection>,
) -> Response {
    let index = match index_of(index) {
        Ok(i) => i,
        Err(err) => return page_error(&app, err),
    };
    let latest = app.published.latest();
    let store = app.store.clone();
    let result = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        pages::entry(&store, &cut, &latest, index)
    })
    .await
    .and_then(|r| r);
    finish(&app, result)
}

/// `?from=`
#[derive(Debug, Deserialize)]
pub struct FromQuery {
    from: Option<u64>,
}

/// `GET /participants?from=`.
pub async fn participants(
    State(app): State<AppState>,
    query: Result<Query<FromQuery>, QueryRejection>,
) -> Response {
    let from = match query {
        Ok(Query(q)) => q.from.unwrap_or(0),
        Err(err) => return page_error(&app, ApiError::new(code::BAD_REQUEST, err.body_text())),
    };
    let latest = app.published.latest();
    let store = app.store.clone();
    let limit = app.limits.max_page;
    let result = blocking(move || pages::participants(&store, &latest, from, limit))
        .await
        .and_then(|r| r);
    finish(&app, result)
}

/// `GET /witnesses`.
pub async fn witnesses(State(app): State<AppState>) -> Response {
    let latest = app.published.latest();
    finish(&app, pages::witnesses(&latest))
}

/// `GET /verify`: how to verify without this server.
pub async fn verify(State(app): State<AppState>, headers: HeaderMap) -> Response {
    let latest = app.published.latest();
    finish(&app, pages::verify(&latest, &base_url(&headers)))
}

/// `GET /explorer/explorer.css`.
pub async fn css() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/css; charset=utf-8"),
        )],
        pages::CSS,
    )
        .into_response()
}

/// `GET /explorer/verify.js`: the in-browser verifier.
pub async fn verify_js() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        pages::VERIFY_JS,
    )
        .into_response()
}

/// `GET /feeds/{name}`: `decisions.atom`, `overdue.atom` or `disclosures.atom`.
pub async fn feed(
    State(app): State<AppState>,
    headers: HeaderMap,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    let which = match name.as_ref().map(|Path(n)| n.as_str()) {
        Ok("decisions.atom") => Feed::Decisions,
        Ok("overdue.atom") => Feed::Overdue,
        Ok("disclosures.atom") => Feed::Disclosures,
        _ => return ApiError::new(code::NOT_FOUND, "no such feed").into_response(),
    };
    let latest = app.published.latest();
    let store = app.store.clone();
    let base = base_url(&headers);
    let result = blocking(move || {
        let cut = cut_at(&store, &latest)?;
        pages::feed(&store, &cut, &latest, which, &base)
    })
    .await
    .and_then(|r| r);
    match result {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            )],
            body,
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}
