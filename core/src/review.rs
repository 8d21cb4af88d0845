//! The review clock (DESIGN.md "Review clock"): the window from genesis, a submission's
//! deadline and status at a given time, and the witnessed bounds that back time claims
//! without trusting the log's clock. docs/formats.md ("Review statuses") is the reference
//! for independent verifiers. Pure: `now` is an argument.
//!
//! Statuses, for a submission logged at `s` with window `w` (deadline `s + w`), looking
//! only at entries logged at or before `now`:
//!
//! ```text
//! withdrawn         a withdrawal exists and no decision precedes it in the log
//! decided_on_time   a decision logged at or before the deadline (exactly s + w is on time)
//! decided_late      a decision logged after the deadline (s + w + 1 ms is late)
//! overdue           no decision and now > deadline
//! pending           no decision and now <= deadline
//! ```
//!
//! A decision logged before a withdrawal keeps its `decided_*` status; the rules refuse a
//! decision after a withdrawal, so "withdrawn" means the review ended without one.

use crate::rules::LogView;
use crate::statement::{LogIndex, StatementKind};
use crate::time::{UnixMillis, UnixSeconds};

/// Milliseconds a whole-second cosignature timestamp may hide: a witness that wrote `t`
/// signed somewhere in `[t, t + 1 s)`.
const LAST_MILLI_OF_SECOND: u64 = 999;

/// The review window, from the genesis statement's `review_window_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewWindow {
    secs: u64,
}

impl ReviewWindow {
    /// DESIGN.md's 30 days, 2,592,000 seconds.
    pub const THIRTY_DAYS: ReviewWindow = ReviewWindow { secs: 2_592_000 };

    /// A window of `secs` seconds.
    pub fn from_secs(secs: u64) -> ReviewWindow {
        ReviewWindow { secs }
    }

    /// The window in seconds.
    pub fn secs(&self) -> u64 {
        self.secs
    }

    /// The last instant that is on time for a submission logged at `submitted`.
    pub fn deadline(&self, submitted: UnixMillis) -> UnixMillis {
        submitted.saturating_add_secs(self.secs)
    }
}

/// Where and when an entry was logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The entry's index.
    pub index: LogIndex,
    /// The log's timestamp.
    pub logged_at: UnixMillis,
}

/// A submission's review status (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Inside the window, no decision yet.
    Pending,
    /// Decided at or before the deadline.
    DecidedOnTime,
    /// Decided after the deadline.
    DecidedLate,
    /// The window passed with no decision.
    Overdue,
    /// Withdrawn before any decision.
    Withdrawn,
}

impl ReviewStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::DecidedOnTime => "decided_on_time",
            ReviewStatus::DecidedLate => "decided_late",
            ReviewStatus::Overdue => "overdue",
            ReviewStatus::Withdrawn => "withdrawn",
        }
    }
}

/// A submission's review as of some `now`, by the log's timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Review {
    /// The submission entry.
    pub submission: Event,
    /// Its deadline: `submission.logged_at` + the window.
    pub deadline: UnixMillis,
    /// Its decision, if logged by `now`.
    pub decision: Option<Event>,
    /// Its withdrawal, if logged by `now`.
    pub withdrawal: Option<Event>,
    /// The status.
    pub status: ReviewStatus,
}

/// The review of `submission` as of `now`, given its decision and withdrawal entries if
/// any. Entries logged after `now` are ignored (the status then was as if they did not
/// exist yet).
pub fn review(
    window: ReviewWindow,
    submission: Event,
    decision: Option<Event>,
    withdrawal: Option<Event>,
    now: UnixMillis,
) -> Review {
    let decision = decision.filter(|event| event.logged_at <= now);
    let withdrawal = withdrawal.filter(|event| event.logged_at <= now);
    let deadline = window.deadline(submission.logged_at);
    let status = match (decision, withdrawal) {
        (Some(decided), Some(withdrawn)) if withdrawn.index < decided.index => {
            ReviewStatus::Withdrawn
        }
        (None, Some(_)) => ReviewStatus::Withdrawn,
        (Some(decided), _) if decided.logged_at <= deadline => ReviewStatus::DecidedOnTime,
        (Some(_), _) => ReviewStatus::DecidedLate,
        (None, None) if now <= deadline => ReviewStatus::Pending,
        (None, None) => ReviewStatus::Overdue,
    };
    Review {
        submission,
        deadline,
        decision,
        withdrawal,
        status,
    }
}

/// The review of entry `submission` as of `now`, read from a view: `None` if the log has
/// no genesis yet, or the entry does not exist or is not a submission.
pub fn submission_review<V: LogView>(
    view: &V,
    submission: LogIndex,
    now: UnixMillis,
) -> Result<Option<Review>, V::Error> {
    let Some(genesis) = view.genesis()? else {
        return Ok(None);
    };
    let Some(info) = view.entry_info(submission)? else {
        return Ok(None);
    };
    if info.kind != StatementKind::Submission {
        return Ok(None);
    }
    let event = |kind| -> Result<Option<Event>, V::Error> {
        let Some(index) = view.first_link(kind, submission)? else {
            return Ok(None);
        };
        Ok(view.entry_info(index)?.map(|entry| Event {
            index,
            logged_at: entry.logged_at,
        }))
    };
    let decision = event(StatementKind::Decision)?;
    let withdrawal = event(StatementKind::Withdrawal)?;
    let submitted = Event {
        index: submission,
        logged_at: info.logged_at,
    };
    Ok(Some(review(
        ReviewWindow::from_secs(genesis.review_window_secs),
        submitted,
        decision,
        withdrawal,
        now,
    )))
}

/// A checkpoint a verifier accepted under its witness policy, with the cosignature time
/// it relies on (for a quorum of k, the k-th earliest cosignature is a safe choice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WitnessedCheckpoint {
    /// The checkpoint's tree size.
    pub size: u64,
    /// The cosignature/v1 timestamp relied on.
    pub time: UnixSeconds,
}

/// The witnessed checkpoints that bracket an entry: the latest that does not contain it
/// (size <= index) and the earliest that does (size > index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WitnessedBounds {
    /// The latest-cosigned checkpoint without the entry.
    pub without: Option<WitnessedCheckpoint>,
    /// The earliest-cosigned checkpoint with the entry.
    pub with: Option<WitnessedCheckpoint>,
}

impl WitnessedBounds {
    /// Witnesses saw a log without the entry at this instant or later: the entry was not
    /// in the witnessed log before it. A timestamp `t` counts from `t` exactly.
    pub fn not_before(&self) -> Option<UnixMillis> {
        self.without.map(|checkpoint| checkpoint.time.to_millis())
    }

    /// Witnesses saw a log with the entry by this instant. A timestamp `t` counts up to
    /// its last millisecond, `t + 999 ms`, since it was rounded down.
    pub fn not_after(&self) -> Option<UnixMillis> {
        self.with.map(|checkpoint| {
            UnixMillis(
                checkpoint
                    .time
                    .to_millis()
                    .0
                    .saturating_add(LAST_MILLI_OF_SECOND),
            )
        })
    }
}

/// The bracketing checkpoints of the entry at `index` among `checkpoints` (in any order).
/// For a decision that does not exist, pass the log's tree size as `index`: `without` is
/// then the latest witnessed checkpoint, all of whose entries the caller checked.
pub fn witnessed_bounds(index: LogIndex, checkpoints: &[WitnessedCheckpoint]) -> WitnessedBounds {
    let without = checkpoints
        .iter()
        .filter(|checkpoint| checkpoint.size <= index.0)
        .max_by_key(|checkpoint| checkpoint.time)
        .copied();
    let with = checkpoints
        .iter()
        .filter(|checkpoint| checkpoint.size > index.0)
        .min_by_key(|checkpoint| checkpoint.time)
        .copied();
    WitnessedBounds { without, with }
}

/// What a review's status rests on, for a report to state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Witness cosignature times alone prove the status's claim about the deadline, even
    /// if the log's clock lied.
    Witnessed,
    /// Only the log's `logged_at` supports it (the witnessed bounds are too loose, or the
    /// status is `pending`, which rests on `now` and `logged_at`).
    LoggedAt,
    /// Only the order of entries in the log matters (`withdrawn`), which the Merkle tree
    /// fixes.
    LogOrder,
}

/// Which bound `review` relies on, given the witnessed bounds of its submission and of
/// its decision (for `overdue`, of the log's end: see [`witnessed_bounds`]):
///
/// - `decided_on_time` is witnessed when the decision was witnessed by the earliest the
///   deadline can be: `decision.not_after <= submission.not_before + window`;
/// - `decided_late` and `overdue` are witnessed when witnesses saw no decision after the
///   latest the deadline can be: `decision.not_before > submission.not_after + window`.
pub fn basis(
    review: &Review,
    window: ReviewWindow,
    submission: &WitnessedBounds,
    decision: &WitnessedBounds,
) -> Basis {
    let witnessed = match review.status {
        ReviewStatus::Pending => return Basis::LoggedAt,
        ReviewStatus::Withdrawn => return Basis::LogOrder,
        ReviewStatus::DecidedOnTime => match (submission.not_before(), decision.not_after()) {
            (Some(start), Some(decided)) => decided <= window.deadline(start),
            _ => false,
        },
        ReviewStatus::DecidedLate | ReviewStatus::Overdue => {
            match (submission.not_after(), decision.not_before()) {
                (Some(start), Some(undecided)) => undecided > window.deadline(start),
                _ => false,
            }
        }
    };
    if witnessed {
        Basis::Witnessed
    } else {
        Basis::LoggedAt
    }
}

#[cfg(test)]
mod tests;
