//! `docket status INDEX`: a submission's review as the log reports it
//! (`GET /v1/submissions/{index}`): the status, time left on the clock, the decision, the
//! disclosures and everything else linked to the submission.
//!
//! This is the log's own account, for convenience; the verifier's `review` recomputes it
//! from the tiles without trusting the log.

use docket_core::time::UnixMillis;
use serde_json::Value;

use super::Context;
use crate::error::ClientError;
use crate::output::{Report, duration_text, time_text};

/// The status view's fields the client reads (the server sends more: `evidence`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct StatusView {
    /// The submission entry.
    pub submission: LinkedEntry,
    /// `pending`, `decided_on_time`, `decided_late`, `overdue` or `withdrawn`.
    pub status: String,
    /// The review window.
    pub review_window_secs: u64,
    /// The deadline: the submission's `logged_at` plus the window.
    pub deadline: UnixMillis,
    /// The time of the checkpoint the status is computed at.
    pub as_of: UnixMillis,
    /// That checkpoint's size.
    pub as_of_size: u64,
    /// The decision's index, if any.
    pub decision: Option<u64>,
    /// Every linked entry, in log order.
    pub entries: Vec<LinkedEntry>,
}

/// An entry linked to the submission.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct LinkedEntry {
    /// Its index.
    pub index: u64,
    /// Its type.
    pub kind: String,
    /// The log's time for it.
    pub logged_at: UnixMillis,
    /// The decoded statement (for display only).
    pub statement: Value,
}

/// Fetches and describes the review of submission `index`.
pub fn run(ctx: &Context<'_>, index: u64) -> Result<Report, ClientError> {
    let client = ctx.client()?;
    let body = client.get_json(&format!("/v1/submissions/{index}"))?;
    let mut json: Value = serde_json::from_slice(&body)
        .map_err(|err| ClientError::BadAnswer(format!("status is not JSON: {err}")))?;
    let view: StatusView = serde_json::from_value(json.clone())
        .map_err(|err| ClientError::BadAnswer(format!("status view: {err}")))?;
    if let Some(object) = json.as_object_mut() {
        object.insert(
            "time_left_ms".into(),
            view.deadline.0.saturating_sub(view.as_of.0).into(),
        );
    }
    Ok(Report {
        human: describe(&view),
        json,
    })
}

/// The review in lines of text.
pub fn describe(view: &StatusView) -> Vec<String> {
    let s = &view.submission;
    let mut lines = vec![format!(
        "Submission #{} by {}: {}",
        s.index,
        text(&s.statement["org"]),
        entry_summary(s)
    )];
    lines.push(format!(
        "Logged {}; review window {}; deadline {}",
        time_text(s.logged_at),
        duration_text(view.review_window_secs.saturating_mul(1000)),
        time_text(view.deadline)
    ));
    let decision = view.entries.iter().find(|e| Some(e.index) == view.decision);
    let status = match (view.status.as_str(), decision) {
        ("decided_on_time", Some(d)) => format!(
            "decided on time: decision #{} logged {} before the deadline",
            d.index,
            duration_text(view.deadline.0.saturating_sub(d.logged_at.0))
        ),
        ("decided_late", Some(d)) => format!(
            "decided LATE: decision #{} logged {} after the deadline",
            d.index,
            duration_text(d.logged_at.0.saturating_sub(view.deadline.0))
        ),
        _ => view.status_sentence(),
    };
    lines.push(format!("Status: {status}"));
    if view.entries.is_empty() {
        lines.push("No determination, decision, disclosure or release yet.".into());
    }
    for entry in &view.entries {
        lines.push(format!(
            "  #{} {} by {} at {}: {}",
            entry.index,
            entry.kind,
            text(&entry.statement["org"]),
            time_text(entry.logged_at),
            entry_summary(entry)
        ));
    }
    lines.push(format!(
        "As of the log's checkpoint of size {} ({})",
        view.as_of_size,
        time_text(view.as_of)
    ));
    lines
}

/// One line about an entry's statement, by type.
fn entry_summary(entry: &LinkedEntry) -> String {
    let st = &entry.statement;
    match entry.kind.as_str() {
        "submission" => {
            let mut line = if st["sealed"].is_object() {
                format!("sealed (commitment {})", short(&st["sealed"]["commitment"]))
            } else {
                format!(
                    "{} {} (sha256 {})",
                    text(&st["model"]["name"]),
                    text(&st["model"]["version"]),
                    short(&st["model"]["sha256"])
                )
            };
            if let Some(date) = st["planned_release"].as_str() {
                line.push_str(&format!(", planned release {date}"));
            }
            line
        }
        "determination" => format!(
            "{} ({} {}, score {})",
            if st["covered"].as_bool() == Some(true) {
                "covered"
            } else {
                "not covered"
            },
            text(&st["benchmark"]["name"]),
            text(&st["benchmark"]["version"]),
            st["benchmark"]["score"]
        ),
        "decision" => {
            let f = &st["findings"];
            let mut line = format!(
                "{}; findings {} critical, {} high, {} medium, {} low",
                text(&st["outcome"]),
                f["critical"],
                f["high"],
                f["medium"],
                f["low"]
            );
            if let Some(summary) = st["summary"].as_str() {
                line.push_str(&format!("; \"{summary}\""));
            }
            line
        }
        "disclosure" => format!(
            "shared with {} ({} recipients); commitment {}",
            list(&st["sectors"]),
            st["recipients"],
            short(&st["commitment"])
        ),
        "reveal" => format!(
            "opens disclosure #{}: advisory sha256 {}",
            st["disclosure"],
            text(&st["advisory_sha256"])
        ),
        "remediation" => {
            let mut line = format!("disclosure #{}: {}", st["disclosure"], text(&st["status"]));
            if st["sectors"].is_array() {
                line.push_str(&format!(" ({})", list(&st["sectors"])));
            }
            line
        }
        "release" => {
            if st["model"].is_object() {
                format!(
                    "released, opening the seal: {} {} (sha256 {})",
                    text(&st["model"]["name"]),
                    text(&st["model"]["version"]),
                    short(&st["model"]["sha256"])
                )
            } else {
                "the model is public".to_string()
            }
        }
        "withdrawal" => match st["reason"].as_str() {
            Some(reason) => format!("withdrawn: \"{reason}\""),
            None => "withdrawn".to_string(),
        },
        _ => st.to_string(),
    }
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string)
}

/// The first 16 hex digits of a digest, enough to recognise it.
fn short(value: &Value) -> String {
    let full = text(value);
    match full.get(..16) {
        Some(prefix) => format!("{prefix}…"),
        None => full,
    }
}

fn list(value: &Value) -> String {
    value
        .as_array()
        .map(|items| items.iter().map(text).collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(status: &str, entries: Value, decision: Option<u64>, as_of: u64) -> StatusView {
        serde_json::from_value(json!({
            "submission": {"index": 3, "kind": "submission", "logged_at": 1_780_401_600_000u64,
                "statement": {"type": "submission", "org": "Acme AI",
                    "model": {"name": "acme-1", "version": "2026.06", "sha256": "ab".repeat(32)},
                    "planned_release": "2026-07-15"}},
            "status": status,
            "review_window_secs": 2_592_000,
            "deadline": 1_780_401_600_000u64 + 2_592_000_000,
            "as_of": as_of,
            "as_of_size": 9,
            "decision": decision,
            "entries": entries,
            "evidence": [],
        }))
        .unwrap()
    }

    #[test]
    fn a_pending_review_shows_the_time_left() {
        let lines = describe(&view(
            "pending",
            json!([]),
            None,
            1_780_401_600_000 + 3_600_000,
        ));
        assert_eq!(
            lines[0],
            "Submission #3 by Acme AI: acme-1 2026.06 (sha256 abababababababab…), planned release 2026-07-15"
        );
        assert_eq!(
            lines[1],
            "Logged 2026-06-02T12:00:00Z; review window 30 days; deadline 2026-07-02T12:00:00Z"
        );
        assert_eq!(
            lines[2],
            "Status: pending, 29 days 23 hours left on the clock (deadline 2026-07-02T12:00:00Z)"
        );
        assert_eq!(
            lines.last().unwrap(),
            "As of the log's checkpoint of size 9 (2026-06-02T13:00:00Z)"
        );
    }

    #[test]
    fn a_decided_review_lists_its_entries() {
        let entries = json!([
            {"index": 4, "kind": "decision", "logged_at": 1_780_401_600_000u64 + 86_400_000,
             "statement": {"type": "decision", "org": "NSA", "submission": 3,
                "outcome": "cleared", "findings": {"critical": 0, "high": 1, "medium": 2, "low": 3}}},
            {"index": 5, "kind": "disclosure", "logged_at": 1_780_401_600_000u64 + 90_000_000,
             "statement": {"type": "disclosure", "org": "ONCD", "submission": 3,
                "sectors": ["energy", "finance"], "recipients": 40, "commitment": "cd".repeat(32)}},
        ]);
        let lines = describe(&view(
            "decided_on_time",
            entries,
            Some(4),
            1_780_401_600_000 + 100_000_000,
        ));
        assert_eq!(
            lines[2],
            "Status: decided on time: decision #4 logged 29 days before the deadline"
        );
        assert_eq!(
            lines[3],
            "  #4 decision by NSA at 2026-06-03T12:00:00Z: cleared; findings 0 critical, 1 high, 2 medium, 3 low"
        );
        assert_eq!(
            lines[4],
            "  #5 disclosure by ONCD at 2026-06-03T13:00:00Z: shared with energy, finance (40 recipients); commitment cdcdcdcdcdcdcdcd…"
        );
    }

    #[test]
    fn an_overdue_review_says_how_long_ago_the_deadline_passed() {
        let lines = describe(&view(
            "overdue",
            json!([]),
            None,
            1_780_401_600_000 + 2_592_000_000 + 2 * 86_400_000,
        ));
        assert_eq!(
            lines[2],
            "Status: overdue: the deadline 2026-07-02T12:00:00Z passed 2 days ago with no decision"
        );
    }
}
