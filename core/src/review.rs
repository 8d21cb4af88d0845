//! The review clock: the window from genesis, a submission's
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
    /// The regime's 30 days, 2,592,000 seconds.
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

/// A checkpoint a verifier accepted under its witness policy, with the two cosignature
/// times it stands for. A dishonest witness may date its cosignature as it likes; with a
/// k-of-n quorum, fewer than k liars cannot move either time (docs/threat-model.md, "Time
/// bounds"):
///
/// - `cosigned_by`, the k-th *earliest* time: at least one honest witness had cosigned by
///   then, so the checkpoint's entries existed by then (an upper bound);
/// - `seen_at`, the k-th *latest* time: at least one honest witness cosigned it at or
///   after then, so the log was still showing this tree then (a lower bound).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WitnessedCheckpoint {
    /// The checkpoint's tree size.
    pub size: u64,
    /// The k-th earliest cosignature/v1 timestamp: the upper-bound time.
    pub cosigned_by: UnixSeconds,
    /// The k-th latest cosignature/v1 timestamp: the lower-bound time.
    pub seen_at: UnixSeconds,
}

/// The witnessed checkpoints that bracket an entry: the latest that does not contain it
/// (size <= index) and the earliest that does (size > index).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WitnessedBounds {
    /// The checkpoint without the entry seen latest (largest `seen_at`).
    pub without: Option<WitnessedCheckpoint>,
    /// The checkpoint with the entry cosigned earliest (smallest `cosigned_by`).
    pub with: Option<WitnessedCheckpoint>,
}

impl WitnessedBounds {
    /// An honest witness saw a log without the entry at this instant or later: the entry
    /// was not in the witnessed log before it. A timestamp `t` counts from `t` exactly.
    pub fn not_before(&self) -> Option<UnixMillis> {
        self.without
            .map(|checkpoint| checkpoint.seen_at.to_millis())
    }

    /// An honest witness saw a log with the entry by this instant. A timestamp `t` counts
    /// up to its last millisecond, `t + 999 ms`, since it was rounded down.
    pub fn not_after(&self) -> Option<UnixMillis> {
        self.with.map(|checkpoint| {
            UnixMillis(
                checkpoint
                    .cosigned_by
                    .to_millis()
                    .0
                    .saturating_add(LAST_MILLI_OF_SECOND),
            )
        })
    }
}

/// The bracketing checkpoints of the entry at `index` among `checkpoints` (in any order):
/// the tightest each side, found here from the whole list, never taken from the log's
/// word. For a decision that does not exist, pass the log's tree size as `index`:
/// `without` is then the witnessed checkpoint seen latest, all of whose entries the
/// caller checked.
pub fn witnessed_bounds(index: LogIndex, checkpoints: &[WitnessedCheckpoint]) -> WitnessedBounds {
    let without = checkpoints
        .iter()
        .filter(|checkpoint| checkpoint.size <= index.0)
        .max_by_key(|checkpoint| (checkpoint.seen_at, checkpoint.size))
        .copied();
    let with = checkpoints
        .iter()
        .filter(|checkpoint| checkpoint.size > index.0)
        .min_by_key(|checkpoint| (checkpoint.cosigned_by, checkpoint.size))
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

/// What the witness policy guarantees about its quorums, which decides whether witness
/// times may prove a status at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuorumKind {
    /// The policy needs no cosignature: nothing is witnessed.
    None,
    /// Two quorums may share no witness: a log can show a stale tree to one quorum after
    /// showing a newer one to another, so "the entry was not yet in the log at `t`" (every
    /// lower bound) is not witnessed.
    Disjoint,
    /// Any two quorums share a witness (a majority): an honest shared witness never
    /// cosigns a smaller tree after a larger one, so lower bounds hold too.
    Majority,
}

/// Which bound `review` relies on, given the witnessed bounds of its submission and of
/// its decision (for `overdue`, of the log's end: see [`witnessed_bounds`]):
///
/// - `decided_on_time` is witnessed when the decision was witnessed by the earliest the
///   deadline can be: `decision.not_after <= submission.not_before + window`;
/// - `decided_late` and `overdue` are witnessed when witnesses saw no decision after the
///   latest the deadline can be: `decision.not_before > submission.not_after + window`
///   (the missed-deadline proof).
///
/// Each rests on a lower bound (`not_before`), which only a [`QuorumKind::Majority`]
/// policy makes hold against a log showing different witnesses different trees; under
/// any other policy the basis is `logged_at`.
pub fn basis(
    review: &Review,
    window: ReviewWindow,
    quorum: QuorumKind,
    submission: &WitnessedBounds,
    decision: &WitnessedBounds,
) -> Basis {
    let witnessed = match review.status {
        ReviewStatus::Pending => return Basis::LoggedAt,
        ReviewStatus::Withdrawn => return Basis::LogOrder,
        _ if quorum != QuorumKind::Majority => false,
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
