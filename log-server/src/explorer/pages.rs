//! The explorer's HTML pages and Atom feeds, rendered with minijinja from templates
//! compiled into the binary (`log-server/templates/`). Auto-escaping is on for every
//! `.html` and `.xml` template, so statement text (model names, notes, reasons) is
//! always printed as text, never as markup. Each function here reads the indexes (never
//! the log) at a [`Cut`] and returns the page.

use std::sync::OnceLock;

use docket_core::cosignature;
use docket_core::note::Note;
use docket_core::review::ReviewStatus;
use docket_core::rules::LogView;
use docket_core::time::{UnixMillis, UnixSeconds};
use minijinja::{Environment, Value as Jinja, context};
use serde::Serialize;
use serde_json::{Value, json};

use super::query::{self, Cut, Row, RowPage};
use super::words;
use crate::apply;
use crate::http::error::{ApiError, code};
use crate::published::PublishedCheckpoint;
use crate::store::{LogStore, StoreError};

/// Rows the overview lists in each of its tables.
pub const OVERVIEW_ROWS: usize = 10;
/// Rows per page of the HTML table by default.
pub const TABLE_ROWS: usize = 50;
/// Entries per Atom feed.
pub const FEED_ENTRIES: usize = 50;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    (
        "overview.html",
        include_str!("../../templates/overview.html"),
    ),
    (
        "submissions.html",
        include_str!("../../templates/submissions.html"),
    ),
    ("search.html", include_str!("../../templates/search.html")),
    (
        "submission.html",
        include_str!("../../templates/submission.html"),
    ),
    ("entry.html", include_str!("../../templates/entry.html")),
    (
        "verify_widget.html",
        include_str!("../../templates/verify_widget.html"),
    ),
    (
        "participants.html",
        include_str!("../../templates/participants.html"),
    ),
    (
        "witnesses.html",
        include_str!("../../templates/witnesses.html"),
    ),
    ("verify.html", include_str!("../../templates/verify.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
];

/// The stylesheet, served at `/explorer/explorer.css`.
pub const CSS: &str = include_str!("../../templates/explorer.css");

/// The in-browser verifier, served at `/explorer/verify.js`.
pub const VERIFY_JS: &str = include_str!("../../templates/verify.js");

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Escape HTML in both page and feed templates (XML needs the same escapes).
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // Feeds are XML: escape its five special characters (HTML escaping would also
        // rewrite `/` in every URL).
        env.set_formatter(|out, state, value| {
            if state.name().ends_with(".xml") && !value.is_safe() {
                let text = value.to_string();
                let escaped = text
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&apos;");
                std::fmt::Write::write_str(out, &escaped).map_err(minijinja::Error::from)
            } else {
                minijinja::escape_formatter(out, state, value)
            }
        });
        for (name, source) in TEMPLATES {
            // The templates are compiled in and covered by tests: a syntax error is a
            // build defect, reported at the first render.
            if let Err(err) = env.add_template(name, source) {
                tracing::error!(template = name, error = %err, "template does not parse");
            }
        }
        env
    })
}

/// Renders a template; a failure is an internal error (the templates are ours).
pub fn render(name: &str, ctx: Jinja) -> Result<String, ApiError> {
    environment()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|err| {
            tracing::error!(template = name, error = %err, "template failed");
            ApiError::new(code::INTERNAL, "page could not be rendered")
        })
}

/// What every page's footer states about the checkpoint it was cut at.
#[derive(Debug, Clone, Serialize)]
pub struct AsOf {
    seq: u64,
    size: u64,
    published: String,
    root: String,
    origin: String,
}

impl AsOf {
    /// From the published checkpoint.
    pub fn new(latest: &PublishedCheckpoint) -> AsOf {
        AsOf {
            seq: latest.seq,
            size: latest.size,
            published: words::time(latest.published_at),
            root: latest.root.to_base64(),
            origin: latest.note.lines().next().unwrap_or("").to_string(),
        }
    }
}

/// A signature line of the checkpoint: who, and (for a cosignature) when it says.
#[derive(Debug, Clone, Serialize)]
pub struct Signer {
    name: String,
    kind: &'static str,
    time: String,
}

/// The signature lines of a served note (not verified here: the verifier and the
/// in-browser check do that against the trust policy).
pub fn signers(note: &str) -> Vec<Signer> {
    let Ok(parsed) = Note::parse(note.as_bytes()) else {
        return Vec::new();
    };
    parsed
        .signatures()
        .iter()
        .map(|sig| match cosignature::unverified_timestamp(sig) {
            Ok(UnixSeconds(secs)) => Signer {
                name: sig.name().as_str().to_string(),
                kind: "witness cosignature",
                time: words::time(UnixMillis(secs.saturating_mul(1000))),
            },
            Err(_) => Signer {
                name: sig.name().as_str().to_string(),
                kind: "log signature",
                time: String::new(),
            },
        })
        .collect()
}

/// A table row for templates.
fn row_view(row: &Row) -> Value {
    let r = &row.record;
    let model = r
        .model_name()
        .map(|m| json!({"name": m.name, "version": m.version, "sha256": m.sha256.to_hex()}));
    let time_note = match (row.status, row.remaining_ms) {
        (ReviewStatus::Pending, Some(left)) => {
            format!("{} left", words::duration(left.max(0) as u64))
        }
        (ReviewStatus::Overdue, Some(left)) => {
            format!("{} past the deadline", words::duration(left.unsigned_abs()))
        }
        (ReviewStatus::Withdrawn, _) => {
            format!("withdrawn after {}", words::duration(row.elapsed_ms))
        }
        _ => format!("decided after {}", words::duration(row.elapsed_ms)),
    };
    json!({
        "index": r.index,
        "org": r.org,
        "model": model,
        "sealed": r.sealed.map(|h| h.to_hex()),
        "planned_release": r.planned_release,
        "agencies": r.agencies,
        "submitted": words::time(r.logged_at),
        "deadline": words::time(row.deadline),
        "status": row.status.as_str(),
        "time_note": time_note,
        "decision": r.decision.as_ref().map(|d| json!({
            "index": d.step.index, "outcome": d.outcome.replace('_', " "), "at": words::time(d.step.logged_at),
        })),
        "disclosures": r.disclosure_count,
        "release": r.release.as_ref().map(|(s, _)| json!({"index": s.index, "at": words::time(s.logged_at)})),
    })
}

fn rows_view(rows: &[Row]) -> Vec<Value> {
    rows.iter().map(row_view).collect()
}

/// `/`: the overview.
pub fn overview(
    store: &LogStore,
    cut: &Cut,
    latest: &PublishedCheckpoint,
    now: UnixMillis,
) -> Result<String, ApiError> {
    let data = query::overview(store, cut, OVERVIEW_ROWS)?;
    let witnesses: Vec<Signer> = signers(&latest.note)
        .into_iter()
        .filter(|s| s.kind == "witness cosignature")
        .collect();
    let age = now.0.saturating_sub(latest.published_at.0);
    render(
        "overview.html",
        context! {
            title => "Overview",
            nav => "overview",
            as_of => AsOf::new(latest),
            freshness => format!("{} ago", words::duration(age)),
            witnesses => witnesses,
            counts => data.counts,
            recent => rows_view(&data.recent_decisions),
            closest => rows_view(&data.closest_deadlines),
        },
    )
}

/// The filter form's values, echoed back.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FormValues {
    /// Status name or "".
    pub status: String,
    /// Organisation or "".
    pub org: String,
    /// Agency or "".
    pub agency: String,
    /// From date or "".
    pub from: String,
    /// To date or "".
    pub to: String,
    /// "newest" or "oldest".
    pub order: String,
}

impl FormValues {
    /// The query string for these values with another order and cursor.
    pub fn query(&self, order: &str, after: Option<u64>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("status", &self.status),
            ("org", &self.org),
            ("agency", &self.agency),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect();
        pairs.push(("order", order.to_string()));
        if let Some(after) = after {
            pairs.push(("after", after.to_string()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", percent(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn percent(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `/submissions`: the table.
pub fn submissions(
    latest: &PublishedCheckpoint,
    page: &RowPage,
    form: &FormValues,
    paged: bool,
) -> Result<String, ApiError> {
    let statuses = [
        ("", "any"),
        ("pending", "pending"),
        ("decided_on_time", "decided on time"),
        ("decided_late", "decided late"),
        ("overdue", "overdue"),
        ("withdrawn", "withdrawn"),
    ];
    let order = if form.order == "oldest" {
        "oldest"
    } else {
        "newest"
    };
    render(
        "submissions.html",
        context! {
            title => "Submissions",
            nav => "submissions",
            as_of => AsOf::new(latest),
            statuses => statuses,
            filter => form,
            rows => rows_view(&page.rows),
            partial => page.partial,
            query => form.query(order, None),
            query_newest => form.query("newest", None),
            query_oldest => form.query("oldest", None),
            next_link => page.next.map(|n| form.query(order, Some(n))),
            first_link => paged.then(|| form.query(order, None)),
        },
    )
}

/// `/search?q=`.
pub fn search(
    store: &LogStore,
    cut: &Cut,
    latest: &PublishedCheckpoint,
    q: &str,
) -> Result<String, ApiError> {
    let found = query::search(store, cut, q)?;
    render(
        "search.html",
        context! {
            title => "Search",
            nav => "search",
            as_of => AsOf::new(latest),
            q => q,
            entry => found.entry,
            statement => found.statement,
            rows => rows_view(&found.submissions),
        },
    )
}

fn witnessed(
    store: &LogStore,
    index: u64,
    latest: &PublishedCheckpoint,
) -> Result<Option<String>, StoreError> {
    let (before, after) = store.witnessed_brackets(index)?;
    let after = after.filter(|r| r.seq <= latest.seq);
    let first = |note: &str| {
        signers(note)
            .into_iter()
            .filter(|s| s.kind == "witness cosignature")
            .map(|s| s.time)
            .min()
    };
    let not_before = before.and_then(|r| first(&r.note).or(Some(words::time(r.published_at))));
    let not_after = after.and_then(|r| first(&r.note).or(Some(words::time(r.published_at))));
    Ok(match (not_before, not_after) {
        (None, None) => None,
        (b, a) => Some(format!(
            "Witnesses saw the log without this entry at {} and with it by {}.",
            b.unwrap_or_else(|| "no recorded time".into()),
            a.unwrap_or_else(|| "no checkpoint yet".into())
        )),
    })
}

/// `/submission/{index}`.
pub fn submission(
    store: &LogStore,
    cut: &Cut,
    latest: &PublishedCheckpoint,
    index: u64,
) -> Result<String, ApiError> {
    let record = super::index::record(store, index)?
        .filter(|r| r.index < cut.size)
        .ok_or_else(|| {
            ApiError::new(
                code::NOT_FOUND,
                format!("entry {index} is not a published submission"),
            )
        })?;
    let row = query::row(&record, cut).ok_or_else(|| {
        ApiError::new(
            code::NOT_FOUND,
            format!("entry {index} is not a published submission"),
        )
    })?;
    let mut steps = vec![(index, "submission".to_string())];
    for (linked, kind) in store.links(index, cut.size, query::SCAN_BUDGET)? {
        steps.push((linked, kind.as_str().to_string()));
        if kind == docket_core::statement::StatementKind::Disclosure {
            for (sub, sub_kind) in store.links(linked, cut.size, query::SCAN_BUDGET)? {
                steps.push((sub, sub_kind.as_str().to_string()));
            }
        }
    }
    steps.sort_by_key(|(i, _)| *i);
    let mut timeline = Vec::new();
    for (step, kind) in steps {
        let bytes = store
            .entry(step)?
            .ok_or_else(|| ApiError::new(code::INTERNAL, "linked entry missing"))?;
        let view = apply::describe_entry(step, &bytes)?;
        timeline.push(json!({
            "index": step,
            "kind": kind,
            "logged_at": words::time(view.logged_at),
            "words": words::statement(&view.statement),
            "witnessed": witnessed(store, step, latest)?,
        }));
    }
    let window = cut
        .window
        .map(|w| words::duration(w.secs() * 1000))
        .unwrap_or_default();
    render(
        "submission.html",
        context! {
            title => format!("Submission #{index}"),
            nav => "submissions",
            as_of => AsOf::new(latest),
            row => row_view(&row),
            window => window,
            verify_indexes => timeline.iter().filter_map(|s| s["index"].as_u64()).collect::<Vec<u64>>(),
            verify_entry => "",
            timeline => timeline,
        },
    )
}

/// `/entry/{index}`.
pub fn entry(
    store: &LogStore,
    cut: &Cut,
    latest: &PublishedCheckpoint,
    index: u64,
) -> Result<String, ApiError> {
    if index >= cut.size {
        return Err(ApiError::new(
            code::NOT_FOUND,
            format!(
                "entry {index} is not in the published tree of size {}",
                cut.size
            ),
        ));
    }
    let bytes = store
        .entry(index)?
        .ok_or_else(|| ApiError::new(code::INTERNAL, "published entry is missing"))?;
    let view = apply::describe_entry(index, &bytes)?;
    let domain = store.view();
    let info = domain.entry_info(docket_core::statement::LogIndex(index))?;
    let signer = match &info {
        Some(info) => domain
            .participant(&info.signer)?
            .map(|r| json!({"org": r.org.as_str(), "role": r.role.as_str()})),
        None => None,
    };
    let refers_to = info.as_ref().and_then(|i| i.reference).map(|r| r.0);
    let kind = info.as_ref().map(|i| i.kind.as_str()).unwrap_or("entry");
    let submission = match (kind, refers_to) {
        ("submission", _) => Some(index),
        ("remediation" | "reveal", Some(d)) => domain
            .entry_info(docket_core::statement::LogIndex(d))?
            .and_then(|i| i.reference)
            .map(|r| r.0),
        (_, r) => r,
    };
    let referred_by: Vec<Value> = store
        .links(index, cut.size, query::SCAN_BUDGET)?
        .into_iter()
        .map(|(i, k)| json!({"index": i, "kind": k.as_str()}))
        .collect();
    render(
        "entry.html",
        context! {
            title => format!("Entry #{index}"),
            nav => "entry",
            as_of => AsOf::new(latest),
            index => index,
            kind => kind,
            words => words::statement(&view.statement),
            logged_at => words::time(view.logged_at),
            witnessed => witnessed(store, index, latest)?,
            signer => signer,
            signer_keyid => view.signer_keyid,
            statement_digest => view.statement_digest.to_hex(),
            leaf_hash => view.leaf_hash.to_hex(),
            submission => submission,
            refers_to => refers_to,
            referred_by => referred_by,
            statement_json => serde_json::to_string_pretty(&view.statement).unwrap_or_default(),
            verify_entry => view.entry_b64.clone(),
            entry_b64 => view.entry_b64,
            verify_indexes => vec![index],
        },
    )
}

/// `/participants?from=`.
pub fn participants(
    store: &LogStore,
    latest: &PublishedCheckpoint,
    from: u64,
    limit: usize,
) -> Result<String, ApiError> {
    let data = apply::participants(store, latest.size, from, limit)?;
    let list: Vec<Value> = data["participants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut p| {
            if let Some(ms) = p["logged_at"].as_u64() {
                p["logged_at"] = Value::String(words::time(UnixMillis(ms)));
            }
            p
        })
        .collect();
    render(
        "participants.html",
        context! {
            title => "Participants",
            nav => "participants",
            as_of => AsOf::new(latest),
            participants => list,
            next => data["next"].as_u64(),
        },
    )
}

/// `/witnesses`.
pub fn witnesses(latest: &PublishedCheckpoint) -> Result<String, ApiError> {
    render(
        "witnesses.html",
        context! {
            title => "Witnesses",
            nav => "witnesses",
            as_of => AsOf::new(latest),
            signers => signers(&latest.note),
            note => latest.note.clone(),
        },
    )
}

/// `/verify`.
pub fn verify(latest: &PublishedCheckpoint, base_url: &str) -> Result<String, ApiError> {
    render(
        "verify.html",
        context! {
            title => "Verify independently",
            nav => "verify",
            as_of => AsOf::new(latest),
            base_url => base_url,
        },
    )
}

/// An error page.
pub fn error(latest: &PublishedCheckpoint, title: &str, message: &str) -> Result<String, ApiError> {
    render(
        "error.html",
        context! {
            title => title,
            nav => "",
            as_of => AsOf::new(latest),
            message => message,
        },
    )
}

/// Which Atom feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// New decisions.
    Decisions,
    /// Reviews past their deadline without a decision.
    Overdue,
    /// New disclosures.
    Disclosures,
}

/// An Atom feed.
pub fn feed(
    store: &LogStore,
    cut: &Cut,
    latest: &PublishedCheckpoint,
    feed: Feed,
    base_url: &str,
) -> Result<String, ApiError> {
    let describe = |row: &Row| {
        let r = &row.record;
        let model = r
            .model_name()
            .map(|m| format!("{} {}", m.name, m.version))
            .unwrap_or_else(|| "a sealed model".into());
        (model, r.org.clone())
    };
    let mut entries = Vec::new();
    let (title, path) = match feed {
        Feed::Decisions => {
            for (step, row) in query::recent_decisions(store, cut, FEED_ENTRIES)? {
                let (model, org) = describe(&row);
                let decided = row.record.decision.as_ref();
                entries.push(json!({
                    "title": format!("{org}: {model} {}", row.status.as_str().replace('_', " ")),
                    "path": format!("/entry/{step}"),
                    "tag": "decision",
                    "updated": decided.map(|d| words::time(d.step.logged_at)).unwrap_or_default(),
                    "summary": format!("Submission #{} decided: {}.", row.record.index,
                        decided.map(|d| d.outcome.replace('_', " ")).unwrap_or_default()),
                }));
            }
            ("New decisions", "/feeds/decisions.atom")
        }
        Feed::Disclosures => {
            for (step, row) in query::recent_disclosures(store, cut, FEED_ENTRIES)? {
                let (model, org) = describe(&row);
                let d = row.record.disclosures.iter().find(|d| d.step.index == step);
                entries.push(json!({
                    "title": format!("Disclosure about {org}'s {model}"),
                    "path": format!("/entry/{step}"),
                    "tag": "disclosure",
                    "updated": d.map(|d| words::time(d.step.logged_at)).unwrap_or_else(|| words::time(latest.published_at)),
                    "summary": format!("Findings from submission #{} shared with: {}.", row.record.index,
                        d.map(|d| d.sectors.join(", ")).unwrap_or_default()),
                }));
            }
            ("New disclosures", "/feeds/disclosures.atom")
        }
        Feed::Overdue => {
            let filter = query::Filter {
                status: Some(ReviewStatus::Overdue),
                ..query::Filter::default()
            };
            let paging = query::Paging {
                after: None,
                newest_first: true,
                limit: FEED_ENTRIES,
            };
            for row in query::submissions(store, cut, &filter, paging)?.rows {
                let (model, org) = describe(&row);
                entries.push(json!({
                    "title": format!("Overdue: {org}'s {model}"),
                    "path": format!("/submission/{}", row.record.index),
                    "tag": "overdue",
                    "updated": words::time(row.deadline),
                    "summary": format!("The review of submission #{} passed its deadline {} without a decision.",
                        row.record.index, words::time(row.deadline)),
                }));
            }
            ("Overdue reviews", "/feeds/overdue.atom")
        }
    };
    render(
        "feed.xml",
        context! {
            feed_title => format!("Docket: {title}"),
            base_url => base_url,
            self_path => path,
            updated => words::time(latest.published_at),
            origin => AsOf::new(latest).origin,
            entries => entries,
        },
    )
}
