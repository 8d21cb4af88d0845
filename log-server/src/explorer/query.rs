//! Reading the explorer's indexes: the submissions table with filters and paging, the
//! overview's counts and lists, and search. Every answer is cut at a published size
//! (steps at or past it are dropped) and every status is computed by docket-core's
//! review clock from the record's inputs, as of the published checkpoint's time.
//!
//! Costs: a table page reads at most [`SCAN_BUDGET`] index keys; the overview reads the
//! counters (one seek), the submissions of the last review window (the only ones that
//! can be pending) and a few recent keys. Nothing scans the log.

use docket_core::merkle::Hash;
use docket_core::review::{ReviewStatus, ReviewWindow};
use docket_core::time::UnixMillis;
use rocksdb::{Direction, IteratorMode, ReadOptions};
use serde::Serialize;

use super::index::{
    self, AGENCY, ARTIFACT, CLOSED, Counters, DATE, DECISIONS, DISCLOSURES, MODEL, ORG, RECORD,
    SubmissionRecord, decode, key, status_byte, trailing_index,
};
use crate::store::{KeyValue, LogStore, StoreError};

/// Submission indexes from a driving index, with the record when the index holds it.
type Candidates<'a> =
    Box<dyn Iterator<Item = Result<(u64, Option<SubmissionRecord>), StoreError>> + 'a>;

/// Most index keys one table page reads before answering with what it found and a
/// cursor to continue from.
pub const SCAN_BUDGET: usize = 20_000;

/// Most submissions the overview reads to count pending reviews (those of the last
/// review window); past it the pending count is marked as a lower bound.
pub const PENDING_SCAN_CAP: usize = 100_000;

/// What a page is cut at: the published size and time, and the log's window.
#[derive(Debug, Clone, Copy)]
pub struct Cut {
    /// Published tree size: nothing at or past it exists.
    pub size: u64,
    /// The published checkpoint's time: statuses are as of then.
    pub as_of: UnixMillis,
    /// The review window from genesis (`None` before genesis).
    pub window: Option<ReviewWindow>,
}

/// Table filters; all optional, combined with "and".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Review status.
    pub status: Option<ReviewStatus>,
    /// Developer organisation (case-insensitive, exact).
    pub org: Option<String>,
    /// Reviewing agency (case-insensitive, exact).
    pub agency: Option<String>,
    /// Submitted at or after.
    pub from: Option<UnixMillis>,
    /// Submitted at or before.
    pub to: Option<UnixMillis>,
}

/// Paging: continue after a submission index, newest or oldest first.
#[derive(Debug, Clone, Copy)]
pub struct Paging {
    /// The cursor: the last index of the previous page.
    pub after: Option<u64>,
    /// Newest first (the default order).
    pub newest_first: bool,
    /// Rows wanted.
    pub limit: usize,
}

/// One row of the submissions table.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The record, cut at the published size.
    #[serde(flatten)]
    pub record: SubmissionRecord,
    /// Status as of the cut.
    pub status: ReviewStatus,
    /// The deadline.
    pub deadline: UnixMillis,
    /// Milliseconds from submission to the decision, withdrawal or the cut's time.
    pub elapsed_ms: u64,
    /// Milliseconds left before the deadline (negative once passed), for open reviews.
    pub remaining_ms: Option<i64>,
}

/// A page of rows.
#[derive(Debug, Clone, Serialize)]
pub struct RowPage {
    /// The rows.
    pub rows: Vec<Row>,
    /// The `after` of the next page, if there may be one.
    pub next: Option<u64>,
    /// Whether the scan budget ran out before the page filled.
    pub partial: bool,
}

/// Builds a row from a stored record (`None` when not in the cut).
pub fn row(record: &SubmissionRecord, cut: &Cut) -> Option<Row> {
    if record.index >= cut.size {
        return None;
    }
    let window = cut.window?;
    let record = record.cut(cut.size);
    let review = record.review(window, cut.as_of);
    let end = review
        .decision
        .map(|e| e.logged_at)
        .or(review.withdrawal.map(|e| e.logged_at))
        .unwrap_or(cut.as_of);
    let open = matches!(review.status, ReviewStatus::Pending | ReviewStatus::Overdue);
    Some(Row {
        status: review.status,
        deadline: review.deadline,
        elapsed_ms: end.0.saturating_sub(record.logged_at.0),
        remaining_ms: open.then(|| review.deadline.0 as i64 - cut.as_of.0 as i64),
        record,
    })
}

fn iterate(
    store: &LogStore,
    lower: Vec<u8>,
    upper: Vec<u8>,
    reverse: bool,
) -> impl Iterator<Item = Result<KeyValue, StoreError>> + '_ {
    let mut options = ReadOptions::default();
    let mode_key = if reverse {
        upper.clone()
    } else {
        lower.clone()
    };
    options.set_iterate_lower_bound(lower);
    options.set_iterate_upper_bound(upper);
    let direction = if reverse {
        Direction::Reverse
    } else {
        Direction::Forward
    };
    // Reverse starts at the last key below the upper bound (seek-for-prev).
    store
        .db()
        .iterator_opt(IteratorMode::From(&mode_key, direction), options)
        .map(|item| item.map_err(StoreError::from))
}

/// The first submission index logged at or after `at` (or `size`).
fn first_index_from(store: &LogStore, at: UnixMillis, size: u64) -> Result<u64, StoreError> {
    let lower = key(DATE, &[&at.0.to_be_bytes()]);
    let upper = key(DATE, &[&u64::MAX.to_be_bytes(), &u64::MAX.to_be_bytes()]);
    match iterate(store, lower, upper, false).next() {
        Some(item) => Ok(trailing_index(&item?.0)?.min(size)),
        None => Ok(size),
    }
}

/// The submission records whose index is in `lo..hi`, in order, read from the index.
fn record_scan(
    store: &LogStore,
    lo: u64,
    hi: u64,
    reverse: bool,
) -> impl Iterator<Item = Result<(u64, SubmissionRecord), StoreError>> + '_ {
    iterate(
        store,
        key(RECORD, &[&lo.to_be_bytes()]),
        key(RECORD, &[&hi.to_be_bytes()]),
        reverse,
    )
    .map(|item| {
        let (k, v) = item?;
        Ok((trailing_index(&k)?, decode(&v, "submission record")?))
    })
}

/// The submissions table: filtered, paged, cut at `cut`.
pub fn submissions(
    store: &LogStore,
    cut: &Cut,
    filter: &Filter,
    paging: Paging,
) -> Result<RowPage, StoreError> {
    let empty = RowPage {
        rows: Vec::new(),
        next: None,
        partial: false,
    };
    let Some(window) = cut.window else {
        return Ok(empty);
    };
    let mut lo = match filter.from {
        Some(from) => first_index_from(store, from, cut.size)?,
        None => 0,
    };
    let mut hi = match filter.to {
        Some(to) => first_index_from(store, UnixMillis(to.0.saturating_add(1)), cut.size)?,
        None => cut.size,
    };
    // Open reviews split at the deadline boundary; a one-second margin keeps the
    // boundary an optimisation only: each row's status still comes from core.
    let boundary = UnixMillis(
        cut.as_of
            .0
            .saturating_sub(window.secs().saturating_mul(1000)),
    );
    match filter.status {
        Some(ReviewStatus::Pending) => {
            lo = lo.max(first_index_from(
                store,
                UnixMillis(boundary.0.saturating_sub(1000)),
                cut.size,
            )?)
        }
        Some(ReviewStatus::Overdue) => {
            hi = hi.min(first_index_from(
                store,
                UnixMillis(boundary.0.saturating_add(1000)),
                cut.size,
            )?)
        }
        _ => {}
    }
    if let Some(after) = paging.after {
        if paging.newest_first {
            hi = hi.min(after);
        } else {
            lo = lo.max(after.saturating_add(1));
        }
    }
    if lo >= hi {
        return Ok(empty);
    }
    // The driving index: the most selective one the filter names.
    let driver: Option<Vec<u8>> = if let Some(org) = &filter.org {
        Some(key(ORG, &[org.to_lowercase().as_bytes(), &[0]]))
    } else if let Some(agency) = &filter.agency {
        Some(key(AGENCY, &[agency.to_lowercase().as_bytes(), &[0]]))
    } else {
        match filter.status {
            Some(
                status @ (ReviewStatus::DecidedOnTime
                | ReviewStatus::DecidedLate
                | ReviewStatus::Withdrawn),
            ) => Some(key(CLOSED, &[&[status_byte(status)]])),
            _ => None,
        }
    };
    let limit = paging.limit.max(1);
    let mut rows = Vec::new();
    let mut last = None;
    let mut exhausted = true;
    let candidates: Candidates<'_> = match driver {
        Some(prefix) => {
            let mut lower = prefix.clone();
            lower.extend_from_slice(&lo.to_be_bytes());
            let mut upper = prefix;
            upper.extend_from_slice(&hi.to_be_bytes());
            Box::new(
                iterate(store, lower, upper, paging.newest_first)
                    .map(|item| Ok((trailing_index(&item?.0)?, None))),
            )
        }
        None => Box::new(
            record_scan(store, lo, hi, paging.newest_first)
                .map(|item| item.map(|(i, r)| (i, Some(r)))),
        ),
    };
    for (scanned, item) in candidates.enumerate() {
        if rows.len() >= limit || scanned >= SCAN_BUDGET {
            exhausted = false;
            break;
        }
        let (index, record) = item?;
        last = Some(index);
        let record = match record {
            Some(record) => record,
            None => match index::record(store, index)? {
                Some(record) => record,
                None => continue,
            },
        };
        let Some(row) = row(&record, cut) else {
            continue;
        };
        if matches(&row, filter) {
            rows.push(row);
        }
    }
    let partial = !exhausted && rows.len() < limit;
    Ok(RowPage {
        next: if exhausted { None } else { last },
        rows,
        partial,
    })
}

fn matches(row: &Row, filter: &Filter) -> bool {
    let lower = |s: &str| s.to_lowercase();
    filter.status.is_none_or(|s| s == row.status)
        && filter
            .org
            .as_ref()
            .is_none_or(|o| lower(o) == lower(&row.record.org))
        && filter.agency.as_ref().is_none_or(|a| {
            row.record
                .agencies
                .iter()
                .any(|have| lower(have) == lower(a))
        })
        && filter.from.is_none_or(|f| row.record.logged_at >= f)
        && filter.to.is_none_or(|t| row.record.logged_at <= t)
}

/// Counts of submissions by status at a cut.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct StatusCounts {
    /// All submissions.
    pub submissions: u64,
    /// Pending.
    pub pending: u64,
    /// Decided on time.
    pub decided_on_time: u64,
    /// Decided late.
    pub decided_late: u64,
    /// Overdue.
    pub overdue: u64,
    /// Withdrawn.
    pub withdrawn: u64,
    /// True when the pending scan hit its cap (pending is then a lower bound).
    pub pending_truncated: bool,
}

/// The overview's data.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// Counts by status.
    pub counts: StatusCounts,
    /// Most recent decisions, newest first.
    pub recent_decisions: Vec<Row>,
    /// Open reviews closest to their deadline, soonest first.
    pub closest_deadlines: Vec<Row>,
}

/// Counts, recent decisions and the closest deadlines, cut at `cut`.
pub fn overview(store: &LogStore, cut: &Cut, n: usize) -> Result<Overview, StoreError> {
    let counters: Counters = index::counters_at(store, cut.size)?;
    let mut counts = StatusCounts {
        submissions: counters.submissions,
        decided_on_time: counters.decided_on_time,
        decided_late: counters.decided_late,
        withdrawn: counters.withdrawn,
        ..StatusCounts::default()
    };
    let mut closest_deadlines = Vec::new();
    if let Some(window) = cut.window {
        let boundary = cut
            .as_of
            .0
            .saturating_sub(window.secs().saturating_mul(1000));
        let lo = first_index_from(store, UnixMillis(boundary.saturating_sub(1000)), cut.size)?;
        for (scanned, item) in record_scan(store, lo, cut.size, false).enumerate() {
            if scanned >= PENDING_SCAN_CAP {
                counts.pending_truncated = true;
                break;
            }
            let (_, record) = item?;
            if let Some(row) = row(&record, cut)
                && row.status == ReviewStatus::Pending
            {
                counts.pending += 1;
                if closest_deadlines.len() < n {
                    closest_deadlines.push(row);
                }
            }
        }
    }
    counts.overdue = counters.open().saturating_sub(counts.pending);
    let recent_decisions = recent(store, cut, DECISIONS, n)?;
    Ok(Overview {
        counts,
        recent_decisions,
        closest_deadlines,
    })
}

/// The submissions behind the latest `n` decisions or disclosures (`sub` is
/// `DECISIONS` or `DISCLOSURES`), newest first, with the step's entry index.
fn recent_steps(
    store: &LogStore,
    cut: &Cut,
    sub: u8,
    n: usize,
) -> Result<Vec<(u64, Row)>, StoreError> {
    let mut out = Vec::new();
    let lower = key(sub, &[]);
    let upper = key(sub, &[&cut.size.to_be_bytes()]);
    for item in iterate(store, lower, upper, true).take(n) {
        let (k, v) = item?;
        let step = trailing_index(&k)?;
        let subject = crate::store::read_u64(&v, "explorer step")?;
        if let Some(record) = index::record(store, subject)?
            && let Some(row) = row(&record, cut)
        {
            out.push((step, row));
        }
    }
    Ok(out)
}

fn recent(store: &LogStore, cut: &Cut, sub: u8, n: usize) -> Result<Vec<Row>, StoreError> {
    Ok(recent_steps(store, cut, sub, n)?
        .into_iter()
        .map(|(_, row)| row)
        .collect())
}

/// The latest `n` disclosures: (disclosure entry, its submission's row), newest first.
pub fn recent_disclosures(
    store: &LogStore,
    cut: &Cut,
    n: usize,
) -> Result<Vec<(u64, Row)>, StoreError> {
    recent_steps(store, cut, DISCLOSURES, n)
}

/// The latest `n` decisions: (decision entry, its submission's row), newest first.
pub fn recent_decisions(
    store: &LogStore,
    cut: &Cut,
    n: usize,
) -> Result<Vec<(u64, Row)>, StoreError> {
    recent_steps(store, cut, DECISIONS, n)
}

/// What a search found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SearchResult {
    /// An entry index, when the query was a number inside the published tree.
    pub entry: Option<u64>,
    /// The entry holding a statement with that digest.
    pub statement: Option<u64>,
    /// Submissions matching by model name, organisation or artifact digest.
    pub submissions: Vec<Row>,
}

/// Most submissions a search lists.
pub const SEARCH_LIMIT: usize = 50;

/// Searches by entry index, statement digest, artifact digest, model name prefix or
/// organisation prefix (names case-insensitive).
pub fn search(store: &LogStore, cut: &Cut, query: &str) -> Result<SearchResult, StoreError> {
    let query = query.trim();
    let mut result = SearchResult::default();
    if query.is_empty() {
        return Ok(result);
    }
    if let Ok(index) = query.parse::<u64>() {
        if index < cut.size {
            result.entry = Some(index);
        }
        return Ok(result);
    }
    let mut indexes: Vec<u64> = Vec::new();
    if let Ok(digest) = Hash::from_hex(&query.to_lowercase()) {
        result.statement = store
            .index_of_statement(&digest)?
            .filter(|index| *index < cut.size);
        let prefix = key(ARTIFACT, &[digest.as_bytes()]);
        indexes.extend(prefix_indexes(store, prefix, SEARCH_LIMIT)?);
    } else {
        let lower = query.to_lowercase();
        for sub in [MODEL, ORG] {
            let prefix = key(sub, &[lower.as_bytes()]);
            indexes.extend(prefix_indexes(store, prefix, SEARCH_LIMIT)?);
        }
    }
    indexes.sort_unstable();
    indexes.dedup();
    for index in indexes.into_iter().rev() {
        if result.submissions.len() >= SEARCH_LIMIT {
            break;
        }
        if let Some(record) = index::record(store, index)?
            && let Some(row) = row(&record, cut)
        {
            result.submissions.push(row);
        }
    }
    Ok(result)
}

/// Indexes under keys starting with `prefix` (at most `limit`).
fn prefix_indexes(store: &LogStore, prefix: Vec<u8>, limit: usize) -> Result<Vec<u64>, StoreError> {
    let mut upper = prefix.clone();
    upper.push(0xff);
    iterate(store, prefix, upper, false)
        .take(limit)
        .map(|item| trailing_index(&item?.0))
        .collect()
}
