//! `verifier consistency OLD [NEW]`: prove two checkpoints of the log are consistent
//! (the older tree is a prefix of the newer, RFC 9162 §2.1.4), each given as a checkpoint
//! file or a tree size found in the log's published history; NEW defaults to the latest
//! checkpoint, which is then anchored like `verifier checkpoint`. The proof is computed
//! from tiles; a provable conflict is reported as a fork.

use std::path::Path;

use docket_core::merkle::Hash;
use docket_core::policy::VerifiedCheckpoint;
use serde::Serialize;

use crate::Ctx;
use crate::error::{VerifierError, VerifyError};
use crate::fork::prove_consistency;
use crate::log::LogClient;
use crate::output::{CheckpointSummary, Outcome};
use crate::verbs::checkpoint::latest_anchor;

#[derive(Serialize)]
struct Report {
    old: CheckpointSummary,
    new: CheckpointSummary,
    consistency_proof: Vec<String>,
}

/// Runs the verb.
pub fn run(ctx: &Ctx<'_>, old: &str, new: Option<&str>) -> Result<Outcome, VerifierError> {
    let client = ctx.client()?;
    let mut history = None;
    let old = resolve(&client, old, &mut history)?;
    let new = match new {
        Some(new) => resolve(&client, new, &mut history)?,
        None => latest_anchor(ctx, &client)?.checkpoint,
    };
    if old.checkpoint().origin() != new.checkpoint().origin() {
        return Err(VerifierError::Usage(
            "the two checkpoints are of different logs".into(),
        ));
    }
    let proof = prove_consistency(&client, &old, &new)?;
    let report = Report {
        old: CheckpointSummary::of(&old),
        new: CheckpointSummary::of(&new),
        consistency_proof: proof.iter().map(Hash::to_base64).collect(),
    };
    let human = format!(
        "Consistent: the log of {} entries is an exact prefix of the log of {} entries (the consistency proof, computed from the log's tiles, links both signed roots).\nOlder checkpoint:\n{}Newer checkpoint:\n{}",
        report.old.size,
        report.new.size,
        report.old.human(),
        report.new.human()
    );
    Ok(Outcome::new(true, human, &report))
}

/// A checkpoint from a file, or of the given tree size from the log's history.
fn resolve(
    client: &LogClient<'_>,
    what: &str,
    history: &mut Option<Vec<VerifiedCheckpoint>>,
) -> Result<VerifiedCheckpoint, VerifierError> {
    let path = Path::new(what);
    if path.exists() || what.parse::<u64>().is_err() {
        let note = std::fs::read(path).map_err(|e| VerifierError::io(path, e))?;
        return Ok(client.verify_note(&note, &path.display().to_string())?);
    }
    let size: u64 = what.parse().expect("checked above");
    if history.is_none() {
        *history = Some(client.witnessed_history()?);
    }
    history
        .as_ref()
        .expect("filled above")
        .iter()
        .rev()
        .find(|c| c.checkpoint().size() == size)
        .cloned()
        .ok_or_else(|| {
            VerifyError::NotFound {
                what: format!(
                    "the log's history has no checkpoint of size {size} that satisfies the trust policy"
                ),
            }
            .into()
        })
}
