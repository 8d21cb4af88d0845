//! `verifier checkpoint`: fetch (or read) a checkpoint, verify the log signature and the
//! witness quorum, prove it consistent with the checkpoint remembered for its origin,
//! and remember the larger of the two (docs/architecture.md "Verifier"; c2sp.org/tlog-checkpoint,
//! RFC 9162 §2.1.4). Every online verb anchors itself through [`anchor`], so a fork is
//! caught whichever verb meets it first. This verb also asks each witness with a URL in
//! the policy for its own latest checkpoint and proves it consistent with the log's
//! ([`crate::crosscheck`]), which catches a log showing witnesses and users different
//! histories.

use std::path::Path;

use docket_core::policy::VerifiedCheckpoint;
use serde::Serialize;

use crate::Ctx;
use crate::crosscheck::{WitnessView, check_witnesses};
use crate::error::VerifierError;
use crate::fork::prove_consistency;
use crate::log::LogClient;
use crate::output::{CheckpointSummary, Outcome, millis_utc};
use crate::state::State;

/// A checkpoint the verifier now relies on, and how it relates to what it remembered.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The verified checkpoint.
    pub checkpoint: VerifiedCheckpoint,
    /// What it was checked against.
    pub history: AnchorHistory,
}

/// What the state file said about this log, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorHistory {
    /// The size of the checkpoint remembered before this run, if any.
    pub remembered_size: Option<u64>,
    /// When that one was remembered (RFC 3339).
    pub remembered_at: Option<String>,
    /// Whether this checkpoint is now the remembered one.
    pub remembered_now: bool,
    /// The state file.
    pub state_file: String,
}

impl AnchorHistory {
    /// One line for people.
    pub fn human(&self) -> String {
        match (self.remembered_size, &self.remembered_at) {
            (Some(size), Some(at)) => format!(
                "  Consistent with the checkpoint of size {size} this verifier remembered on {at}{}.\n",
                if self.remembered_now {
                    "; this one is remembered from now on"
                } else {
                    " (kept: it is larger)"
                }
            ),
            _ => format!(
                "  First checkpoint seen for this log; remembered in {}.\n",
                self.state_file
            ),
        }
    }
}

/// Proves `candidate` consistent with the checkpoint remembered for its origin (if any)
/// and remembers it when it is at least as large.
pub fn anchor(
    ctx: &Ctx<'_>,
    client: &LogClient<'_>,
    candidate: VerifiedCheckpoint,
) -> Result<Anchor, VerifierError> {
    let mut state = State::load(ctx.state_path)?;
    let origin = candidate.checkpoint().origin().to_string();
    let mut history = AnchorHistory {
        remembered_size: None,
        remembered_at: None,
        remembered_now: true,
        state_file: ctx.state_path.display().to_string(),
    };
    if let Some(remembered) = state.remembered(&origin).cloned() {
        let old = client
            .verify_note(remembered.note.as_bytes(), "the state file")
            .map_err(|e| {
                VerifierError::io(
                    ctx.state_path,
                    format!("the remembered checkpoint no longer satisfies the policy ({e}); remove the entry for {origin:?} if the policy changed on purpose"),
                )
            })?;
        prove_consistency(client, &old, &candidate)?;
        history.remembered_size = Some(old.checkpoint().size());
        history.remembered_at = Some(millis_utc(remembered.remembered_at));
        history.remembered_now = candidate.checkpoint().size() >= old.checkpoint().size();
    }
    if history.remembered_now {
        state.remember(&candidate, ctx.now)?;
    }
    Ok(Anchor {
        checkpoint: candidate,
        history,
    })
}

/// Fetches the latest checkpoint, verifies it and anchors it.
pub fn latest_anchor(ctx: &Ctx<'_>, client: &LogClient<'_>) -> Result<Anchor, VerifierError> {
    let checkpoint = client.latest_checkpoint()?;
    anchor(ctx, client, checkpoint)
}

#[derive(Serialize)]
struct Report {
    checkpoint: CheckpointSummary,
    /// False when the policy needs no cosignature: nothing is witnessed.
    witnessed: bool,
    history: AnchorHistory,
    witnesses: Vec<WitnessView>,
}

/// Runs the verb: the checkpoint from `file`, or the log's latest.
pub fn run(ctx: &Ctx<'_>, file: Option<&Path>) -> Result<Outcome, VerifierError> {
    let client = ctx.client()?;
    let anchor = match file {
        Some(path) => {
            let note = std::fs::read(path).map_err(|e| VerifierError::io(path, e))?;
            let checkpoint = client.verify_note(&note, &path.display().to_string())?;
            anchor(ctx, &client, checkpoint)?
        }
        None => latest_anchor(ctx, &client)?,
    };
    let witnesses = check_witnesses(&client, &anchor.checkpoint)?;
    let report = Report {
        checkpoint: CheckpointSummary::of(&anchor.checkpoint),
        witnessed: ctx.trust.policy.needs_cosignature(),
        history: anchor.history.clone(),
        witnesses,
    };
    let mut human = format!(
        "Checkpoint verified: {}.\n{}{}",
        crate::witnessed::cosigned_text(&ctx.trust.policy),
        report.checkpoint.human(),
        report.history.human()
    );
    for view in &report.witnesses {
        human.push_str(&view.human());
    }
    Ok(Outcome::new(true, human, &report))
}
