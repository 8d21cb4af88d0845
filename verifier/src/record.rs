//! A submission's record as `verifier review` reports it, built from a replayed rules
//! index and the related entries' bytes (docs/architecture.md "Review clock"; docs/formats.md §6):
//! times by the log's clock and by witnessed bounds, the status and what it rests on,
//! the decision and how long it took, disclosures and whether they preceded release,
//! reveals checked against their commitments, release and withdrawal.
//!
//! The online review and the offline re-check of a review bundle both call [`build`], so
//! they cannot disagree.

use std::collections::BTreeMap;

use docket_core::entry::Entry;
use docket_core::merkle;
use docket_core::review::{
    self, Basis, Event, QuorumKind, ReviewStatus, ReviewWindow, WitnessedBounds,
    WitnessedCheckpoint,
};
use docket_core::statement::{LogIndex, Statement, StatementKind, commitment};
use serde::Serialize;

use crate::describe::EntrySummary;
use crate::error::VerifyError;
use crate::output::{days_text, duration_text, millis_utc, seconds_utc};
use crate::view::ReplayView;
use crate::witnessed::{AsOf, AsOfSource};

/// A submission's whole record.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    /// The submission entry.
    pub submission: EntrySummary,
    /// Its witnessed time bounds.
    pub submission_bounds: Bounds,
    /// The review window in seconds (from genesis).
    pub window_secs: u64,
    /// The deadline by the log's clock (Unix ms) and in RFC 3339.
    pub deadline: u64,
    /// The deadline, RFC 3339.
    pub deadline_utc: String,
    /// The status as of `as_of`.
    pub status: ReviewStatus,
    /// What the status rests on.
    pub basis: Basis,
    /// The instant the status is computed for ([`crate::witnessed::status_time`]).
    pub as_of: String,
    /// Where `as_of` comes from: witnesses, the log's last `logged_at`, or the verifier's
    /// clock.
    pub as_of_source: AsOfSource,
    /// Whether the policy's quorum is a majority (needed for a witnessed basis).
    pub quorum: &'static str,
    /// Coverage determinations.
    pub determinations: Vec<EntrySummary>,
    /// The decision, if any.
    pub decision: Option<DecisionRecord>,
    /// Disclosures of the findings.
    pub disclosures: Vec<DisclosureRecord>,
    /// The release, if any.
    pub release: Option<EntrySummary>,
    /// The withdrawal, if any.
    pub withdrawal: Option<EntrySummary>,
}

/// Witnessed bounds of an entry's time, as reports show them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bounds {
    /// The last witnessed checkpoint without the entry: its size and cosignature time.
    pub last_without: Option<(u64, String)>,
    /// The first witnessed checkpoint with it.
    pub first_with: Option<(u64, String)>,
}

impl Bounds {
    fn of(bounds: &WitnessedBounds) -> Bounds {
        Bounds {
            last_without: bounds.without.map(|c| (c.size, seconds_utc(c.seen_at))),
            first_with: bounds.with.map(|c| (c.size, seconds_utc(c.cosigned_by))),
        }
    }

    fn human(&self) -> String {
        let without = match &self.last_without {
            Some((size, time)) => {
                format!("not yet in the log witnesses still saw at {time} (size {size})")
            }
            None => "no witnessed checkpoint before it".to_string(),
        };
        let with = match &self.first_with {
            Some((size, time)) => format!("in the log a quorum cosigned by {time} (size {size})"),
            None => "no witnessed checkpoint with it yet".to_string(),
        };
        format!("    witnesses: {without}; {with}\n")
    }
}

/// The decision and its timing.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionRecord {
    /// The decision entry.
    pub entry: EntrySummary,
    /// Milliseconds from submission to decision (log clock).
    pub took_ms: u64,
    /// Whether it was logged by the deadline.
    pub on_time: bool,
    /// Its witnessed bounds.
    pub bounds: Bounds,
}

/// A disclosure and what followed it.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureRecord {
    /// The disclosure entry.
    pub entry: EntrySummary,
    /// Whether it was logged before the release (`None` if not released yet).
    pub before_release: Option<bool>,
    /// The reveal, and whether it opens the disclosure's commitment.
    pub reveal: Option<(EntrySummary, bool)>,
    /// Remediation reports.
    pub remediations: Vec<EntrySummary>,
}

/// Every entry index the record of `submission` involves, in log order.
pub fn related_indexes(view: &ReplayView, submission: u64) -> Vec<u64> {
    let mut out = vec![submission];
    for kind in [
        StatementKind::Determination,
        StatementKind::Decision,
        StatementKind::Disclosure,
        StatementKind::Release,
        StatementKind::Withdrawal,
    ] {
        out.extend_from_slice(view.links(kind, submission));
    }
    for disclosure in view.links(StatementKind::Disclosure, submission).to_vec() {
        out.extend_from_slice(view.links(StatementKind::Reveal, disclosure));
        out.extend_from_slice(view.links(StatementKind::Remediation, disclosure));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Builds the record of `submission` from the rules index of the log up to the anchor,
/// the related entries' bytes, and the witnessed checkpoints (all consistent with the
/// anchor) under a policy whose quorums are `quorum`, as of `as_of`.
pub fn build(
    view: &ReplayView,
    entries: &BTreeMap<u64, Vec<u8>>,
    submission: u64,
    witnessed: &[WitnessedCheckpoint],
    quorum: QuorumKind,
    as_of: AsOf,
) -> Result<ReviewRecord, VerifyError> {
    let genesis = view.genesis_info().ok_or_else(|| VerifyError::NotFound {
        what: "the log has no valid genesis entry".into(),
    })?;
    let info = view
        .entry(submission)
        .ok_or_else(|| VerifyError::NotFound {
            what: format!("entry {submission} is not an accepted entry of the log"),
        })?;
    if info.kind != StatementKind::Submission {
        return Err(VerifyError::WrongEntryType {
            index: submission,
            expected: "submission",
            found: info.kind.to_string(),
        });
    }
    let window = ReviewWindow::from_secs(genesis.review_window_secs);
    let summary = |index: u64| -> Result<(EntrySummary, Entry), VerifyError> {
        let bytes = entries.get(&index).ok_or_else(|| VerifyError::NotFound {
            what: format!("entry {index} of the record is missing"),
        })?;
        let entry = Entry::decode(bytes).map_err(|error| VerifyError::Entry { index, error })?;
        Ok((
            EntrySummary::of(index, merkle::leaf_hash(bytes), &entry),
            entry,
        ))
    };
    let first = |kind| view.links(kind, submission).first().copied();
    let event = |index: u64| {
        view.entry(index).map(|i| Event {
            index: LogIndex(index),
            logged_at: i.logged_at,
        })
    };
    let decision_index = first(StatementKind::Decision);
    let review = review::review(
        window,
        Event {
            index: LogIndex(submission),
            logged_at: info.logged_at,
        },
        decision_index.and_then(event),
        first(StatementKind::Withdrawal).and_then(event),
        as_of.time,
    );
    let submission_bounds = review::witnessed_bounds(LogIndex(submission), witnessed);
    // For a decision that does not exist, the bound is the end of the replayed log.
    let end = witnessed.iter().map(|c| c.size).max().unwrap_or(0);
    let decision_bounds =
        review::witnessed_bounds(LogIndex(decision_index.unwrap_or(end)), witnessed);
    let basis = review::basis(
        &review,
        window,
        quorum,
        &submission_bounds,
        &decision_bounds,
    );
    let release = first(StatementKind::Release).map(summary).transpose()?;
    let mut disclosures = Vec::new();
    for &index in view.links(StatementKind::Disclosure, submission) {
        let (entry, parsed) = summary(index)?;
        let reveal = match view.links(StatementKind::Reveal, index).first() {
            Some(&r) => {
                let (reveal_entry, _) = summary(r)?;
                let opens = match (&entry.statement, &reveal_entry.statement) {
                    (Some(Statement::Disclosure(d)), Some(Statement::Reveal(v))) => {
                        commitment(&v.salt, &v.advisory_sha256) == d.commitment
                    }
                    _ => false,
                };
                Some((reveal_entry, opens))
            }
            None => None,
        };
        let remediations = view
            .links(StatementKind::Remediation, index)
            .iter()
            .map(|&i| summary(i).map(|(s, _)| s))
            .collect::<Result<Vec<_>, _>>()?;
        disclosures.push(DisclosureRecord {
            before_release: release
                .as_ref()
                .map(|(r, _)| (parsed.logged_at.0, index) < (r.logged_at, r.index)),
            entry,
            reveal,
            remediations,
        });
    }
    let decision = match decision_index {
        Some(index) => {
            let (entry, parsed) = summary(index)?;
            Some(DecisionRecord {
                took_ms: parsed.logged_at.0.saturating_sub(info.logged_at.0),
                on_time: parsed.logged_at <= review.deadline,
                bounds: Bounds::of(&decision_bounds),
                entry,
            })
        }
        None => None,
    };
    Ok(ReviewRecord {
        submission: summary(submission)?.0,
        submission_bounds: Bounds::of(&submission_bounds),
        window_secs: window.secs(),
        deadline: review.deadline.0,
        deadline_utc: millis_utc(review.deadline),
        status: review.status,
        basis,
        as_of: millis_utc(as_of.time),
        as_of_source: as_of.source,
        quorum: match quorum {
            QuorumKind::None => "none",
            QuorumKind::Disjoint => "not_majority",
            QuorumKind::Majority => "majority",
        },
        determinations: view
            .links(StatementKind::Determination, submission)
            .iter()
            .map(|&i| summary(i).map(|(s, _)| s))
            .collect::<Result<Vec<_>, _>>()?,
        decision,
        disclosures,
        release: release.map(|(s, _)| s),
        withdrawal: first(StatementKind::Withdrawal)
            .map(|i| summary(i).map(|(s, _)| s))
            .transpose()?,
    })
}

impl ReviewRecord {
    /// The record for people.
    pub fn human(&self) -> String {
        let mut t = format!(
            "Submission #{}: {}\n  Submitted (logged) at {}\n{}",
            self.submission.index,
            self.submission.description,
            self.submission.logged_at_utc,
            self.submission_bounds.human()
        );
        t.push_str(&format!(
            "  Review window: {}; deadline {}\n  Status as of {} ({}): {}\n  This rests on: {}\n",
            days_text(self.window_secs),
            self.deadline_utc,
            self.as_of,
            as_of_text(self.as_of_source),
            status_text(self.status),
            basis_text(self.basis)
        ));
        match self.quorum {
            "none" => t.push_str(
                "  NOT WITNESSED: the trust policy requires no witness cosignature (quorum 0), so no time here is witnessed; every time is the log's own word.\n",
            ),
            "not_majority" => t.push_str(
                "  The trust policy's quorum is not a majority of its witnesses, so witness times cannot prove when an entry was NOT yet logged; no status here rests on them.\n",
            ),
            _ => {}
        }
        for d in &self.determinations {
            t.push_str(&format!(
                "  Determination #{} at {}: {}\n",
                d.index, d.logged_at_utc, d.description
            ));
        }
        match &self.decision {
            Some(d) => t.push_str(&format!(
                "  Decision #{} at {}: {}\n    took {} — {}\n{}",
                d.entry.index,
                d.entry.logged_at_utc,
                d.entry.description,
                duration_text(d.took_ms),
                if d.on_time {
                    "ON TIME"
                } else {
                    "LATE (after the deadline)"
                },
                d.bounds.human()
            )),
            None => t.push_str("  Decision: none in the log\n"),
        }
        for d in &self.disclosures {
            t.push_str(&format!(
                "  Disclosure #{} at {}: {}\n    {}\n",
                d.entry.index,
                d.entry.logged_at_utc,
                d.entry.description,
                match d.before_release {
                    Some(true) => "made before the model's release",
                    Some(false) => "made AFTER the model's release",
                    None => "the model is not released yet",
                }
            ));
            match &d.reveal {
                Some((r, true)) => t.push_str(&format!(
                    "    Reveal #{} at {}: opens the commitment (advisory SHA-256 {})\n",
                    r.index,
                    r.logged_at_utc,
                    reveal_digest(r)
                )),
                Some((r, false)) => t.push_str(&format!(
                    "    Reveal #{}: DOES NOT open the commitment\n",
                    r.index
                )),
                None => t.push_str("    Not revealed yet\n"),
            }
            for r in &d.remediations {
                t.push_str(&format!(
                    "    Remediation #{} at {}: {}\n",
                    r.index, r.logged_at_utc, r.description
                ));
            }
        }
        match &self.release {
            Some(r) => t.push_str(&format!(
                "  Released: #{} at {}\n",
                r.index, r.logged_at_utc
            )),
            None => t.push_str("  Released: not yet\n"),
        }
        if let Some(w) = &self.withdrawal {
            t.push_str(&format!(
                "  Withdrawn: #{} at {}: {}\n",
                w.index, w.logged_at_utc, w.description
            ));
        }
        t
    }
}

fn reveal_digest(entry: &EntrySummary) -> String {
    match &entry.statement {
        Some(Statement::Reveal(r)) => r.advisory_sha256.to_hex(),
        _ => String::new(),
    }
}

/// A status in words.
pub fn status_text(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Pending => "PENDING (no decision yet, deadline not passed)",
        ReviewStatus::DecidedOnTime => "DECIDED ON TIME",
        ReviewStatus::DecidedLate => "DECIDED LATE",
        ReviewStatus::Overdue => "OVERDUE (deadline passed, no decision)",
        ReviewStatus::Withdrawn => "WITHDRAWN before a decision",
    }
}

/// Where "as of" comes from, in words.
pub fn as_of_text(source: AsOfSource) -> &'static str {
    match source {
        AsOfSource::Witnessed => "when witnesses last saw the checkpoint",
        AsOfSource::LastLoggedAt => {
            "the log's last logged_at in the checkpoint; nothing is proven about later times"
        }
        AsOfSource::Now => "the verifier's clock, earlier than the log's or witnesses' times",
    }
}

/// A basis in words.
pub fn basis_text(basis: Basis) -> &'static str {
    match basis {
        Basis::Witnessed => "witness cosignature times (holds even if the log's clock lied)",
        Basis::LoggedAt => {
            "the log's own clock (logged_at); witness times are not tight enough to confirm it"
        }
        Basis::LogOrder => "the order of entries in the log",
    }
}
