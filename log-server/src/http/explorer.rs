//! The explorer's routes: the JSON and CSV submissions table (`/v1/submissions`,
//! `/submissions.csv`), and the HTML pages and Atom feeds of [`crate::explorer::pages`].
//! Every handler reads the published checkpoint once and cuts every answer at it.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use docket_core::review::{ReviewStatus, ReviewWindow};
use docket_core::rules::LogView;
use docket_core::time::{Date, UnixMillis};
use serde::Deserialize;

use super::error::{ApiError, code};
use super::{AppState, blocking};
use crate::explorer::query::{self, Cut, Filter, Paging, RowPage};
use crate::published::PublishedCheckpoint;
use crate::store::LogStore;

/// The table's query string: filters, cursor, order and page size.
#[derive(Debug, Default, Deserialize)]
pub struct TableQuery {
    /// `pending`, `decided_on_time`, `decided_late`, `overdue` or `withdrawn`.
    pub status: Option<String>,
    /// Developer organisation.
    pub org: Option<String>,
    /// Reviewing agency.
    pub agency: Option<String>,
    /// Submitted on or after: `YYYY-MM-DD` or RFC 3339.
    pub from: Option<String>,
    /// Submitted on or before: `YYYY-MM-DD` (the whole day) or RFC 3339.
    pub to: Option<String>,
    /// Cursor: the last submission index of the previous page.
    pub after: Option<u64>,
    /// `newest` (default) or `oldest`.
    pub order: Option<String>,
    /// Rows per page.
    pub limit: Option<usize>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(code::BAD_REQUEST, message)
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Parses a status name.
pub fn parse_status(name: &str) -> Result<ReviewStatus, ApiError> {
    [
        ReviewStatus::Pending,
        ReviewStatus::DecidedOnTime,
        ReviewStatus::DecidedLate,
        ReviewStatus::Overdue,
        ReviewStatus::Withdrawn,
    ]
    .into_iter()
    .find(|s| s.as_str() == name)
    .ok_or_else(|| {
        bad(format!(
            "unknown status {name:?}: use pending, decided_on_time, decided_late, overdue or withdrawn"
        ))
    })
}

/// Parses `YYYY-MM-DD` (start of the day, or its last millisecond for `end_of_day`)
/// or an RFC 3339 time.
pub fn parse_time(text: &str, end_of_day: bool) -> Result<UnixMillis, ApiError> {
    if let Ok(date) = Date::parse(text) {
        let start = UnixMillis::parse_rfc3339(&format!("{date}T00:00:00Z"))
            .map_err(|err| bad(format!("date {text:?}: {err}")))?;
        return Ok(if end_of_day {
            UnixMillis(start.0 + 86_399_999)
        } else {
            start
        });
    }
    UnixMillis::parse_rfc3339(text).map_err(|err| {
        bad(format!(
            "{text:?} is neither YYYY-MM-DD nor RFC 3339: {err}"
        ))
    })
}

impl TableQuery {
    /// The filter and paging it asks for (page size clamped to `max_page`).
    pub fn parse(
        &self,
        max_page: usize,
        default_page: usize,
    ) -> Result<(Filter, Paging), ApiError> {
        let filter = Filter {
            status: non_empty(&self.status).map(parse_status).transpose()?,
            org: non_empty(&self.org).map(str::to_string),
            agency: non_empty(&self.agency).map(str::to_string),
            from: non_empty(&self.from)
                .map(|t| parse_time(t, false))
                .transpose()?,
            to: non_empty(&self.to)
                .map(|t| parse_time(t, true))
                .transpose()?,
        };
        let newest_first = match non_empty(&self.order) {
            None | Some("newest") => true,
            Some("oldest") => false,
            Some(other) => return Err(bad(format!("order {other:?}: use newest or oldest"))),
        };
        let paging = Paging {
            after: self.after,
            newest_first,
            limit: self.limit.unwrap_or(default_page).clamp(1, max_page.max(1)),
        };
        Ok((filter, paging))
    }
}

/// The cut for a published checkpoint: its size and time, and the log's window.
pub fn cut_at(store: &LogStore, latest: &PublishedCheckpoint) -> Result<Cut, ApiError> {
    let window = if latest.size == 0 {
        None
    } else {
        store
            .view()
            .genesis()?
            .map(|g| ReviewWindow::from_secs(g.review_window_secs))
    };
    Ok(Cut {
        size: latest.size,
        as_of: latest.published_at,
        window,
    })
}

/// Runs the table query for `query` at the latest checkpoint.
pub async fn table(
    app: &AppState,
    query: &TableQuery,
    default_page: usize,
) -> Result<(RowPage, Cut), ApiError> {
    let (filter, paging) = query.parse(app.limits.max_page, default_page)?;
    let latest = app.published.latest();
    let store = app.store.clone();
    blocking(move || {
        let cut = cut_at(&store, &latest)?;
        let page = query::submissions(&store, &cut, &filter, paging)?;
        Ok::<_, ApiError>((page, cut))
    })
    .await?
}

/// `GET /v1/submissions?status=&org=&agency=&from=&to=&after=&order=&limit=`: the
/// submissions table as JSON; `next` is the `after` of the following page.
pub async fn submissions_json(
    State(app): State<AppState>,
    query: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let (page, cut) = table(&app, &query, app.limits.max_page).await?;
    Ok(axum::Json(serde_json::json!({
        "as_of": cut.as_of,
        "size": cut.size,
        "submissions": page.rows,
        "next": page.next,
        "partial": page.partial,
    }))
    .into_response())
}

/// `GET /submissions.csv?...`: the same table as CSV (RFC 4180).
pub async fn submissions_csv(
    State(app): State<AppState>,
    query: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|err| bad(err.body_text()))?;
    let (page, _) = table(&app, &query, app.limits.max_page).await?;
    let mut out = String::from(
        "index,organisation,model,version,artifact_sha256,submitted,deadline,status,decision_index,decision_outcome,decided_at,agencies,disclosures,released_at,withdrawn_at\r\n",
    );
    for row in &page.rows {
        let r = &row.record;
        let model = r.model_name();
        let time = |t: UnixMillis| t.to_rfc3339().unwrap_or_default();
        let fields = [
            r.index.to_string(),
            r.org.clone(),
            model.map(|m| m.name.clone()).unwrap_or_default(),
            model.map(|m| m.version.clone()).unwrap_or_default(),
            model.map(|m| m.sha256.to_hex()).unwrap_or_default(),
            time(r.logged_at),
            time(row.deadline),
            row.status.as_str().to_string(),
            r.decision
                .as_ref()
                .map(|d| d.step.index.to_string())
                .unwrap_or_default(),
            r.decision
                .as_ref()
                .map(|d| d.outcome.clone())
                .unwrap_or_default(),
            r.decision
                .as_ref()
                .map(|d| time(d.step.logged_at))
                .unwrap_or_default(),
            r.agencies.join("; "),
            r.disclosure_count.to_string(),
            r.release
                .as_ref()
                .map(|(s, _)| time(s.logged_at))
                .unwrap_or_default(),
            r.withdrawal
                .as_ref()
                .map(|s| time(s.logged_at))
                .unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Some(next) = page.next
        && let Ok(value) = HeaderValue::from_str(&next.to_string())
    {
        response.headers_mut().insert("x-next-after", value);
    }
    Ok(response)
}

/// One CSV field: quoted when it holds a comma, quote or line break; a leading `=`,
/// `+`, `-` or `@` gets a `'` so spreadsheets do not run a statement's text as a
/// formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}
