//! `verifier audit`: replay the whole log from its tiles ([`crate::replay`]): every leaf
//! hash, every tile, the root, every DSSE signature and every rule (authorisation, roles
//! over time, references, one decision per submission, never-decreasing `logged_at`),
//! then summarise the reviews (by status, late, overdue). A rule violation is reported
//! with its entry index and rule, and makes the exit code 1; a late decision is a fact
//! of the record, not a violation.
//!
//! Resumable: at save points proven to be a prefix of the target checkpoint, and at the
//! end, the replay state is written to a cursor file; the next run continues from it
//! (its saved state is trusted as the user's own file, like the state file).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use docket_core::review::{ReviewStatus, submission_review};
use docket_core::statement::StatementKind;
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::Ctx;
use crate::error::{VerifierError, VerifyError};
use crate::output::{CheckpointSummary, Outcome, duration_text, millis_utc};
use crate::replay::{ReplayObserver, Replayed, Replayer, ReplayerSnapshot, Violation, replay_to};
use crate::state::write_atomically;
use crate::verbs::checkpoint::latest_anchor;
use crate::witnessed::status_time;

/// The cursor file's format name.
const CURSOR_FORMAT: &str = "docket-audit-cursor/v1";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cursor {
    format: String,
    replayer: ReplayerSnapshot,
    by_type: BTreeMap<String, u64>,
    violations: Vec<Violation>,
}

/// A decision logged after its deadline.
#[derive(Debug, Clone, Serialize)]
struct Late {
    submission: u64,
    decision: u64,
    took_ms: u64,
    took: String,
}

/// A submission whose window passed without a decision.
#[derive(Debug, Clone, Serialize)]
struct Overdue {
    submission: u64,
    deadline: String,
}

#[derive(Serialize)]
struct Summary {
    checkpoint: CheckpointSummary,
    entries: u64,
    resumed_from: Option<u64>,
    by_type: BTreeMap<String, u64>,
    submissions: BTreeMap<&'static str, u64>,
    late: Vec<Late>,
    overdue: Vec<Overdue>,
    violations: Vec<Violation>,
    as_of: String,
    cursor: String,
}

struct Tally<'a> {
    path: &'a Path,
    by_type: BTreeMap<String, u64>,
    violations: Vec<Violation>,
    bar: Option<indicatif::ProgressBar>,
}

impl ReplayObserver for Tally<'_> {
    fn entry(&mut self, replayed: &Replayed) {
        let kind = replayed
            .statement
            .as_ref()
            .map_or("rejected".to_string(), |s| s.kind().to_string());
        *self.by_type.entry(kind).or_default() += 1;
        self.violations.extend(replayed.violations.iter().cloned());
    }

    fn progress(&mut self, replayed: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(replayed);
        }
    }

    fn save_point(&mut self, replayer: &Replayer) -> Result<(), VerifierError> {
        let cursor = Cursor {
            format: CURSOR_FORMAT.to_string(),
            replayer: replayer.snapshot(),
            by_type: self.by_type.clone(),
            violations: self.violations.clone(),
        };
        write_atomically(
            self.path,
            &serde_json::to_vec(&cursor).expect("cursors serialise"),
        )
    }
}

/// The default cursor file: beside the state file, one per origin.
fn default_cursor(state_path: &Path, origin: &str) -> PathBuf {
    let tag = hex::encode(&Sha256::digest(origin.as_bytes())[..8]);
    state_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("audit-{tag}.json"))
}

/// Runs the verb.
pub fn run(
    ctx: &Ctx<'_>,
    cursor: Option<&Path>,
    restart: bool,
    progress: bool,
) -> Result<Outcome, VerifierError> {
    let client = ctx.client()?;
    let path = cursor.map_or_else(
        || default_cursor(ctx.state_path, &ctx.trust.origin),
        Path::to_path_buf,
    );
    let anchor = latest_anchor(ctx, &client)?.checkpoint;
    let size = anchor.checkpoint().size();
    let (mut replayer, by_type, violations) = match std::fs::read(&path) {
        Ok(bytes) if !restart => {
            let cursor: Cursor = serde_json::from_slice(&bytes)
                .map_err(|e| VerifierError::io(&path, format!("not an audit cursor: {e}")))?;
            let replayer = Replayer::from_snapshot(cursor.replayer)
                .filter(|_| cursor.format == CURSOR_FORMAT)
                .ok_or_else(|| {
                    VerifierError::io(&path, "the audit cursor is damaged; rerun with --restart")
                })?;
            if replayer.origin() != ctx.trust.origin {
                return Err(VerifierError::io(
                    &path,
                    "the audit cursor is for another log",
                ));
            }
            (replayer, cursor.by_type, cursor.violations)
        }
        Ok(_) => (
            Replayer::new(&ctx.trust.origin, true),
            BTreeMap::new(),
            Vec::new(),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (
            Replayer::new(&ctx.trust.origin, true),
            BTreeMap::new(),
            Vec::new(),
        ),
        Err(e) => return Err(VerifierError::io(&path, e)),
    };
    let resumed_from = (replayer.size() > 0).then_some(replayer.size());
    if replayer.size() > size {
        return Err(VerifyError::Claim {
            what: format!(
                "the audit cursor has {} entries but the log's verified checkpoint only {size}: the log shrank",
                replayer.size()
            ),
        }
        .into());
    }
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(size),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "auditing {bar:40} {pos}/{len} entries ({per_sec}, {eta} left)",
        ) {
            bar.set_style(style);
        }
        bar.set_position(replayer.size());
        bar
    });
    let mut tally = Tally {
        path: &path,
        by_type,
        violations,
        bar,
    };
    replay_to(&client, &mut replayer, &anchor, &mut tally)?;
    if let Some(bar) = &tally.bar {
        bar.finish_and_clear();
    }
    let as_of = status_time(
        &ctx.trust.policy,
        &anchor,
        replayer.last_logged_at(),
        ctx.now,
    );
    let summary = summarise(&replayer, &anchor, tally, resumed_from, as_of.time, &path);
    let human = human(&summary);
    Ok(Outcome::new(summary.violations.is_empty(), human, &summary))
}

fn summarise(
    replayer: &Replayer,
    anchor: &docket_core::policy::VerifiedCheckpoint,
    tally: Tally<'_>,
    resumed_from: Option<u64>,
    as_of: UnixMillis,
    path: &Path,
) -> Summary {
    let view = replayer.view();
    let mut submissions: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut late, mut overdue) = (Vec::new(), Vec::new());
    for info in view
        .entries()
        .filter(|i| i.kind == StatementKind::Submission)
    {
        let Ok(Some(review)) = submission_review(view, info.index, as_of) else {
            continue;
        };
        *submissions.entry(review.status.as_str()).or_default() += 1;
        match (review.status, review.decision) {
            (ReviewStatus::DecidedLate, Some(decision)) => {
                let took = decision.logged_at.0.saturating_sub(info.logged_at.0);
                late.push(Late {
                    submission: info.index.0,
                    decision: decision.index.0,
                    took_ms: took,
                    took: duration_text(took),
                });
            }
            (ReviewStatus::Overdue, _) => overdue.push(Overdue {
                submission: info.index.0,
                deadline: millis_utc(review.deadline),
            }),
            _ => {}
        }
    }
    Summary {
        checkpoint: CheckpointSummary::of(anchor),
        entries: replayer.size(),
        resumed_from,
        by_type: tally.by_type,
        submissions,
        late,
        overdue,
        violations: tally.violations,
        as_of: millis_utc(as_of),
        cursor: path.display().to_string(),
    }
}

fn human(s: &Summary) -> String {
    let mut t = if s.violations.is_empty() {
        format!(
            "Audit passed: all {} entries, every tile and the root match the signed checkpoint, and every signature and rule checks out.\n",
            s.entries
        )
    } else {
        format!(
            "AUDIT FAILED: {} rule violation(s) in {} entries (hashes, tiles and root all match the signed checkpoint).\n",
            s.violations.len(),
            s.entries
        )
    };
    if let Some(from) = s.resumed_from {
        t.push_str(&format!(
            "  (resumed from entry {from} using {})\n",
            s.cursor
        ));
    }
    t.push_str("Checkpoint:\n");
    t.push_str(&s.checkpoint.human());
    let types: Vec<String> = s.by_type.iter().map(|(k, v)| format!("{k} {v}")).collect();
    t.push_str(&format!("Entries by type: {}\n", types.join(", ")));
    let statuses: Vec<String> = s
        .submissions
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    t.push_str(&format!(
        "Submissions as of {}: {}\n",
        s.as_of,
        if statuses.is_empty() {
            "none".to_string()
        } else {
            statuses.join(", ")
        }
    ));
    for l in &s.late {
        t.push_str(&format!(
            "  LATE: submission #{} decided by #{} after {}\n",
            l.submission, l.decision, l.took
        ));
    }
    for o in &s.overdue {
        t.push_str(&format!(
            "  OVERDUE: submission #{} has no decision; its deadline was {}\n",
            o.submission, o.deadline
        ));
    }
    for v in &s.violations {
        t.push_str(&format!(
            "  VIOLATION at entry {} [{}]: {}\n",
            v.index, v.rule, v.message
        ));
    }
    t
}
