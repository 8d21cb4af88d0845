//! `verifier deadline <submission>`: proof that no decision was logged by a submission's
//! deadline (docs/architecture.md "Review clock": a missed-deadline proof). Every entry up to the
//! anchored checkpoint is read and the root rebuilt; if witnesses still saw that
//! checkpoint after the deadline (its k-th latest cosignature, so fewer than k lying
//! witnesses cannot fake it), the absence of an on-time decision among its entries is
//! proven. Otherwise the decision found is reported. Entries that break a rule count for
//! nothing; one that claims to be about the submission is reported and the exit code is
//! 1 (docs/formats.md §5.2).

use docket_core::review::{QuorumKind, ReviewWindow, witnessed_bounds};
use docket_core::statement::{LogIndex, StatementKind};
use docket_core::time::UnixMillis;
use serde::Serialize;

use crate::Ctx;
use crate::describe::EntrySummary;
use crate::error::{VerifierError, VerifyError};
use crate::output::{CheckpointSummary, Outcome, millis_utc};
use crate::replay::{ReplayObserver, Replayed, Replayer, Violation, replay_to};
use crate::verbs::checkpoint::latest_anchor;
use crate::witnessed::{self, quorum_kind, quorum_times};

#[derive(Serialize)]
struct Report {
    submission: u64,
    submitted_at: String,
    deadline: u64,
    deadline_utc: String,
    /// The deadline counted from the last witnessed time the submission could have been
    /// logged (first witnessed checkpoint with it + the window), if known.
    witnessed_deadline_utc: Option<String>,
    entries_read: u64,
    checkpoint_witnessed_at: String,
    /// Whether a decision was logged by the deadline.
    decided_by_deadline: bool,
    /// Whether the witnesses' times alone prove the claim (not just the log's clock).
    witnessed_basis: bool,
    /// Whether the policy's quorum is a majority (needed for `witnessed_basis`).
    quorum_majority: bool,
    /// Entries about this submission that break a rule: they count for nothing.
    violations: Vec<Violation>,
    decision: Option<EntrySummary>,
    checkpoint: CheckpointSummary,
}

struct Watch {
    submission: u64,
    decision: Option<Replayed>,
    violations: Vec<Violation>,
}

impl ReplayObserver for Watch {
    fn entry(&mut self, replayed: &Replayed) {
        if !replayed.violations.is_empty()
            && (replayed.index == self.submission
                || replayed.claimed_reference() == Some(self.submission))
        {
            self.violations.extend(replayed.violations.iter().cloned());
        }
        if self.decision.is_none()
            && let Some(docket_core::statement::Statement::Decision(d)) = &replayed.statement
            && d.submission.0 == self.submission
        {
            self.decision = Some(replayed.clone());
        }
    }
}

/// Runs the verb.
pub fn run(ctx: &Ctx<'_>, submission: u64) -> Result<Outcome, VerifierError> {
    let client = ctx.client()?;
    let anchor = latest_anchor(ctx, &client)?.checkpoint;
    let size = anchor.checkpoint().size();
    let mut replayer = Replayer::new(&ctx.trust.origin, false);
    let mut watch = Watch {
        submission,
        decision: None,
        violations: Vec::new(),
    };
    replay_to(&client, &mut replayer, &anchor, &mut watch)?;
    let view = replayer.view();
    let info = view
        .entry(submission)
        .filter(|i| i.kind == StatementKind::Submission)
        .ok_or_else(|| VerifyError::NotFound {
            what: format!("entry {submission} is not an accepted submission"),
        })?;
    let window = ReviewWindow::from_secs(view.genesis_info().map_or(0, |g| g.review_window_secs));
    let deadline = window.deadline(info.logged_at);
    let quorum = quorum_kind(&ctx.trust.policy);
    let Some(anchor_times) = quorum_times(&ctx.trust.policy, &anchor, ctx.now) else {
        return Err(VerifyError::Claim {
            what: if quorum == QuorumKind::None {
                "NOT WITNESSED: the trust policy requires no witness cosignature (quorum 0), so no checkpoint time can prove a deadline passed".into()
            } else {
                format!(
                    "the latest checkpoint's cosignatures that are not dated in the future (more than {} s after this computer's clock) do not meet the quorum, so no time can be relied on",
                    witnessed::FUTURE_ALLOWANCE_SECS
                )
            },
        }
        .into());
    };
    // The lower bound: an honest witness saw the tree (without an on-time decision) at or
    // after this instant; never later than this computer's clock.
    let anchor_time = anchor_times.seen_at.to_millis().min(ctx.now);
    let brackets = witnessed::brackets(&client, &anchor, &[submission], ctx.now)?;
    let checkpoints: Vec<_> = brackets.into_iter().map(|(c, _)| c).collect();
    let bounds = witnessed_bounds(
        LogIndex(submission),
        &witnessed::witnessed(&ctx.trust.policy, &checkpoints, ctx.now),
    );
    let witnessed_deadline = bounds.not_after().map(|t| window.deadline(t));
    let decision = watch.decision.as_ref().and_then(|d| {
        let entry = d.entry.as_ref()?;
        Some((
            entry.logged_at,
            EntrySummary::of(d.index, docket_core::merkle::leaf_hash(&d.bytes), entry),
        ))
    });
    let decided_by_deadline = decision.as_ref().is_some_and(|(at, _)| *at <= deadline);
    let past = anchor_time > deadline;
    if !decided_by_deadline && !past {
        return Err(VerifyError::Claim {
            what: format!(
                "no decision yet, but the deadline ({}) has not passed by the latest witnessed checkpoint ({}): nothing to prove yet",
                millis_utc(deadline),
                millis_utc(anchor_time)
            ),
        }
        .into());
    }
    let witnessed_basis = match witnessed_deadline {
        Some(w) if !decided_by_deadline && quorum == QuorumKind::Majority => anchor_time > w,
        _ => false,
    };
    let report = Report {
        submission,
        submitted_at: millis_utc(info.logged_at),
        deadline: deadline.0,
        deadline_utc: millis_utc(deadline),
        witnessed_deadline_utc: witnessed_deadline.map(millis_utc),
        entries_read: size,
        checkpoint_witnessed_at: millis_utc(anchor_time),
        decided_by_deadline,
        witnessed_basis,
        quorum_majority: quorum == QuorumKind::Majority,
        violations: watch.violations,
        decision: decision.map(|(_, s)| s),
        checkpoint: CheckpointSummary::of(&anchor),
    };
    Ok(Outcome::new(
        report.violations.is_empty(),
        human(&report, deadline),
        &report,
    ))
}

fn human(r: &Report, deadline: UnixMillis) -> String {
    let mut t = String::new();
    if r.decided_by_deadline {
        let d = r.decision.as_ref().expect("decided implies a decision");
        t.push_str(&format!(
            "Submission #{} WAS decided by its deadline {}: decision #{} logged at {}.\n  {}\n",
            r.submission, r.deadline_utc, d.index, d.logged_at_utc, d.description
        ));
    } else {
        t.push_str(&format!(
            "No decision by {}: submission #{} (logged {}) had no decision logged by its deadline.\n",
            millis_utc(deadline),
            r.submission,
            r.submitted_at
        ));
        t.push_str(&format!(
            "  Proof: all {} entries of a checkpoint that witnesses still saw at {} (after the deadline) were read and rebuild its signed root; none is an on-time decision.\n",
            r.entries_read, r.checkpoint_witnessed_at
        ));
        t.push_str(if r.witnessed_basis {
            "  This holds by witness times alone, even if the log's clock lied.\n"
        } else if !r.quorum_majority {
            "  This relies on the log's clock (logged_at): the trust policy's quorum is not a majority of its witnesses, so witness times cannot prove an absence.\n"
        } else {
            "  This relies on the log's clock (logged_at) for when the submission was made.\n"
        });
        if let Some(d) = &r.decision {
            t.push_str(&format!(
                "  A LATE decision was logged later: #{} at {}: {}\n",
                d.index, d.logged_at_utc, d.description
            ));
        }
    }
    for v in &r.violations {
        t.push_str(&format!(
            "  RULE VIOLATION at entry {} [{}]: {} (this entry counts for nothing)\n",
            v.index, v.rule, v.message
        ));
    }
    t.push_str("Checkpoint:\n");
    t.push_str(&r.checkpoint.human());
    t
}
