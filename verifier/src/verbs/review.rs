//! `verifier review <submission>`: the submission's whole record, proven. The log is
//! replayed from its entry bundles (root rebuilt, every signature and rule checked), the
//! record's entries are proven against the anchored checkpoint, the witnessed checkpoints
//! bracketing the submission and decision are found and proven consistent, and all of it
//! is packed into a review bundle ([`crate::evidence`]) which is then verified offline to
//! produce the report, so `review` and `review --bundle` (or `bundle`) say the same.

use std::collections::BTreeSet;
use std::path::Path;

use docket_core::merkle::{self, HashReader as _};
use docket_core::statement::StatementKind;
use docket_core::tiles::TileHashReader;
use serde::Serialize;

use crate::Ctx;
use crate::error::{VerifierError, VerifyError};
use crate::evidence::{
    self, BundledConsistency, BundledEntry, REVIEW_BUNDLE_FORMAT, ReviewBundle, Tail,
    VerifiedReview, hashes_b64,
};
use crate::log::tile_error;
use crate::output::{CheckpointSummary, Outcome};
use crate::record::{self, ReviewRecord};
use crate::replay::{ReplayObserver, Replayed, Replayer, Violation, replay_to};
use crate::state::write_atomically;
use crate::verbs::checkpoint::latest_anchor;
use crate::witnessed;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

#[derive(Serialize)]
struct Report {
    record: ReviewRecord,
    checkpoint: CheckpointSummary,
    violations_in_record: Vec<Violation>,
    violations_in_log: usize,
    bundle_written: Option<String>,
    offline: bool,
}

/// Collects the entries after the submission, counts rule violations, and notes who
/// signed the rule-breaking entries after the submission.
struct Collect {
    submission: u64,
    tail: Vec<Vec<u8>>,
    violations: usize,
    rejected_signers: Vec<docket_core::dsse::KeyId>,
}

impl ReplayObserver for Collect {
    fn entry(&mut self, replayed: &Replayed) {
        self.violations += replayed.violations.len();
        if replayed.index > self.submission {
            self.tail.push(replayed.bytes.clone());
            if !replayed.violations.is_empty()
                && let Some(Ok(keyid)) = replayed.entry.as_ref().map(|e| e.envelope.keyid())
                && !self.rejected_signers.contains(keyid)
            {
                self.rejected_signers.push(*keyid);
            }
        }
    }
}

/// Runs the verb: online for `submission`, or offline for a review bundle file.
pub fn run(
    ctx: &Ctx<'_>,
    submission: Option<u64>,
    out: Option<&Path>,
    bundle: Option<&Path>,
) -> Result<Outcome, VerifierError> {
    if let Some(path) = bundle {
        let bundle = read_bundle(path)?;
        if submission.is_some_and(|s| s != bundle.submission) {
            return Err(VerifierError::Usage(format!(
                "the bundle is about submission {}, not {}",
                bundle.submission,
                submission.unwrap_or_default()
            )));
        }
        let verified = evidence::verify(&bundle, &ctx.trust.policy, ctx.now)?;
        return Ok(outcome(verified, None, None, true));
    }
    let submission = submission.ok_or_else(|| {
        VerifierError::Usage("give the submission's index, or --bundle FILE".into())
    })?;
    let (bundle, violations_in_log) = build_bundle(ctx, submission)?;
    let verified = evidence::verify(&bundle, &ctx.trust.policy, ctx.now)?;
    let written = match out {
        Some(path) => {
            let text = serde_json::to_vec_pretty(&bundle).expect("bundles serialise");
            write_atomically(path, &text)?;
            Some(path.display().to_string())
        }
        None => None,
    };
    Ok(outcome(verified, Some(violations_in_log), written, false))
}

/// Reads a review bundle file.
pub fn read_bundle(path: &Path) -> Result<ReviewBundle, VerifierError> {
    let bytes = std::fs::read(path).map_err(|e| VerifierError::io(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        VerifyError::Bundle {
            what: format!("{} is not a review bundle: {e}", path.display()),
        }
        .into()
    })
}

/// The report for a verified review.
pub fn outcome(
    verified: VerifiedReview,
    violations_in_log: Option<usize>,
    written: Option<String>,
    offline: bool,
) -> Outcome {
    let report = Report {
        checkpoint: CheckpointSummary::of(&verified.anchor),
        violations_in_record: verified.touching.clone(),
        record: verified.record,
        violations_in_log: violations_in_log.unwrap_or(0),
        bundle_written: written,
        offline,
    };
    let mut human = String::new();
    if !report.violations_in_record.is_empty() {
        human.push_str(&format!(
            "RULE VIOLATIONS: {} entr{} about submission #{} break the log's rules (listed at the end); they count for nothing in the record below.\n",
            report.violations_in_record.len(),
            if report.violations_in_record.len() == 1 { "y" } else { "ies" },
            report.record.submission.index
        ));
    }
    human.push_str(&format!(
        "Verified record of submission #{} ({}):\n",
        report.record.submission.index,
        if offline {
            "checked offline from a review bundle"
        } else {
            "the whole log was replayed and checked"
        }
    ));
    human.push_str(&report.record.human());
    human.push_str("Everything above is proven against this checkpoint:\n");
    human.push_str(&report.checkpoint.human());
    for v in &report.violations_in_record {
        human.push_str(&format!(
            "  RULE VIOLATION at entry {} [{}]: {} (it counts for nothing in this record)\n",
            v.index, v.rule, v.message
        ));
    }
    if report.violations_in_log > 0 {
        human.push_str(&format!(
            "  Warning: {} entries of the log break its rules; run `verifier audit`.\n",
            report.violations_in_log
        ));
    }
    if let Some(path) = &report.bundle_written {
        human.push_str(&format!(
            "  Proof bundle written to {path}; anyone can re-check it offline with `verifier bundle {path}`.\n"
        ));
    }
    let ok = report.violations_in_record.is_empty();
    Outcome::new(ok, human, &report)
}

/// Replays the log and builds the review bundle for `submission`; also returns how many
/// rule violations the whole log has.
fn build_bundle(ctx: &Ctx<'_>, submission: u64) -> Result<(ReviewBundle, usize), VerifierError> {
    let client = ctx.client()?;
    let anchor = latest_anchor(ctx, &client)?.checkpoint;
    let size = anchor.checkpoint().size();
    if submission >= size {
        return Err(VerifyError::NotFound {
            what: format!("entry {submission} is not in the log of {size} entries"),
        }
        .into());
    }
    let mut replayer = Replayer::new(&ctx.trust.origin, false);
    let mut collect = Collect {
        submission,
        tail: Vec::new(),
        violations: 0,
        rejected_signers: Vec::new(),
    };
    replay_to(&client, &mut replayer, &anchor, &mut collect)?;
    let view = replayer.view();
    match view.entry(submission) {
        Some(info) if info.kind == StatementKind::Submission => {}
        Some(info) => {
            return Err(VerifyError::WrongEntryType {
                index: submission,
                expected: "submission",
                found: info.kind.to_string(),
            }
            .into());
        }
        None => {
            return Err(VerifyError::NotFound {
                what: format!(
                    "entry {submission} was rejected by the log's rules; run `verifier audit`"
                ),
            }
            .into());
        }
    }
    // Entries before the submission that the record needs: genesis, and each signer's
    // registration and any revocation before the submission.
    let related = record::related_indexes(view, submission);
    let mut before: BTreeSet<u64> = BTreeSet::from([0, submission]);
    // The signers of rule-breaking entries after it too, so the offline check judges
    // them as the full replay did (and reports the same rule).
    let signers = related
        .iter()
        .filter_map(|index| view.entry(*index).map(|i| i.signer))
        .chain(collect.rejected_signers.iter().copied());
    for signer in signers {
        let Some(registration) = view.registration(&signer) else {
            continue;
        };
        before.insert(registration.registered_at.0);
        if let Some(revoked) = registration.revoked_at.filter(|r| r.0 < submission) {
            before.insert(revoked.0);
        }
    }
    let mut entries = Vec::new();
    for index in before.into_iter().filter(|i| *i <= submission) {
        let proven = client.proven_entry(index, &anchor)?;
        entries.push(BundledEntry {
            index,
            entry: BASE64.encode(&proven.bytes),
            proof: hashes_b64(&proven.proof),
        });
    }
    let from = submission + 1;
    let prefix_nodes = merkle::range_nodes(0..from);
    let tiles = client.fetch_tiles(size, &prefix_nodes)?;
    let prefix = TileHashReader::new(size, &tiles)
        .read_hashes(&prefix_nodes)
        .map_err(|e| tile_error(&tiles, merkle::TreeError::Read(e)))?;
    let decision = view
        .links(StatementKind::Decision, submission)
        .first()
        .copied();
    let brackets = witnessed::brackets(
        &client,
        &anchor,
        &[submission, decision.unwrap_or(size)],
        ctx.now,
    )?;
    let bundle = ReviewBundle {
        format: REVIEW_BUNDLE_FORMAT.to_string(),
        origin: ctx.trust.origin.clone(),
        submission,
        checkpoints: brackets.iter().map(|(c, _)| c.note().to_text()).collect(),
        consistency: brackets
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, (_, proof))| BundledConsistency {
                checkpoint: i,
                proof: hashes_b64(proof),
            })
            .collect(),
        entries,
        tail: Tail {
            from,
            prefix: hashes_b64(&prefix),
            entries: collect.tail.iter().map(|b| BASE64.encode(b)).collect(),
        },
    };
    Ok((bundle, collect.violations))
}
