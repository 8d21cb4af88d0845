//! Witnessed time: the cosignature time a verified checkpoint stands for under the
//! policy, and the bracketing checkpoints of entries (DESIGN.md "Review clock";
//! c2sp.org/tlog-cosignature timestamps).
//!
//! A checkpoint's witnessed time is the time by which a *quorum* had cosigned: the
//! cosignatures sorted by time, the earliest prefix that satisfies the policy, its last
//! time (for a k-of-n quorum, the k-th earliest; review.rs calls this the safe choice).
//! It is found by re-checking the note with growing prefixes of its cosignature lines, so
//! any policy shape (groups of groups) is handled by the policy's own code.

use docket_core::note::{Note, Signature};
use docket_core::policy::{Policy, VerifiedCheckpoint};
use docket_core::review::WitnessedCheckpoint;
use docket_core::time::{UnixMillis, UnixSeconds};

use crate::error::VerifierError;
use crate::fork::prove_consistency;
use crate::log::LogClient;

/// The time by which a quorum of the policy's witnesses had cosigned `checkpoint`, or
/// `None` when the policy needs no cosignature (then nothing is witnessed).
pub fn quorum_time(policy: &Policy, checkpoint: &VerifiedCheckpoint) -> Option<UnixSeconds> {
    let note = checkpoint.note();
    let is_line_of = |s: &Signature, c: &docket_core::policy::VerifiedCosignature| {
        s.name() == c.key().name() && s.key_id() == c.key().key_id()
    };
    let mut cosigned: Vec<(UnixSeconds, Signature)> = checkpoint
        .cosignatures()
        .iter()
        .filter_map(|c| {
            note.signatures()
                .iter()
                .find(|s| is_line_of(s, c))
                .map(|s| (c.timestamp(), s.clone()))
        })
        .collect();
    cosigned.sort_by_key(|(time, _)| *time);
    let others: Vec<Signature> = note
        .signatures()
        .iter()
        .filter(|s| !cosigned.iter().any(|(_, c)| c == *s))
        .cloned()
        .collect();
    for count in 0..=cosigned.len() {
        let mut lines = others.clone();
        lines.extend(cosigned[..count].iter().map(|(_, s)| s.clone()));
        let Ok(prefix) = Note::new(note.text(), lines) else {
            return None;
        };
        if policy
            .verify_checkpoint(prefix.to_text().as_bytes())
            .is_ok()
        {
            return count.checked_sub(1).map(|last| cosigned[last].0);
        }
    }
    None
}

/// The instant review statuses "as of" `checkpoint` are computed for: when a quorum
/// cosigned it (`now` when the policy needs no witness), but never before
/// `last_logged_at`, the latest `logged_at` among the entries of its tree.
///
/// Cosignature times are whole seconds, truncated, and come from clocks other than the
/// log's, so the witnessed second can precede the `logged_at` of entries the checkpoint
/// contains (a decision logged at `S.520` under a cosignature at `S`). Those entries
/// existed when the checkpoint was signed, so the status as of it must count them all.
pub fn status_time(
    policy: &Policy,
    checkpoint: &VerifiedCheckpoint,
    last_logged_at: Option<UnixMillis>,
    now: UnixMillis,
) -> UnixMillis {
    let witnessed = quorum_time(policy, checkpoint).map_or(now, |t| t.to_millis());
    last_logged_at.map_or(witnessed, |last| witnessed.max(last))
}

/// The witnessed form of verified checkpoints (those with a quorum time).
pub fn witnessed(policy: &Policy, checkpoints: &[VerifiedCheckpoint]) -> Vec<WitnessedCheckpoint> {
    checkpoints
        .iter()
        .filter_map(|c| {
            quorum_time(policy, c).map(|time| WitnessedCheckpoint {
                size: c.checkpoint().size(),
                time,
            })
        })
        .collect()
}

/// The checkpoints that bracket each of `indexes` (the last witnessed without it and the
/// first with it), verified and proven consistent with `anchor`, plus `anchor` itself
/// (first). The log's `/v1/checkpoints/brackets/{index}` answer is a hint; if it is
/// missing or unusable, the whole published history is searched.
pub fn brackets(
    client: &LogClient<'_>,
    anchor: &VerifiedCheckpoint,
    indexes: &[u64],
) -> Result<Vec<(VerifiedCheckpoint, Vec<docket_core::merkle::Hash>)>, VerifierError> {
    let policy = &client.trust().policy;
    let anchor_size = anchor.checkpoint().size();
    let mut candidates: Vec<VerifiedCheckpoint> = Vec::new();
    let mut need_history = false;
    for &index in indexes {
        let path = format!("v1/checkpoints/brackets/{index}");
        let hint: Option<serde_json::Value> = client
            .fetcher()
            .fetch(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let mut found = 0;
        for side in ["last_without", "first_with"] {
            let note = hint.as_ref().and_then(|h| h[side]["note"].as_str());
            if let Some(Ok(checkpoint)) = note.map(|n| policy.verify_checkpoint(n.as_bytes()))
                && quorum_time(policy, &checkpoint).is_some()
            {
                candidates.push(checkpoint);
                found += 1;
            }
        }
        if found < 2 {
            need_history = true;
        }
    }
    if need_history {
        let history = client.witnessed_history()?;
        let all = witnessed(policy, &history);
        for &index in indexes {
            let bounds = docket_core::review::witnessed_bounds(
                docket_core::statement::LogIndex(index),
                &all,
            );
            for bound in [bounds.without, bounds.with].into_iter().flatten() {
                if let Some(c) = history.iter().find(|c| {
                    c.checkpoint().size() == bound.size
                        && quorum_time(policy, c) == Some(bound.time)
                }) {
                    candidates.push(c.clone());
                }
            }
        }
    }
    let mut out = vec![(anchor.clone(), Vec::new())];
    for checkpoint in candidates {
        if checkpoint.checkpoint().size() > anchor_size
            || out.iter().any(|(c, _)| c.note() == checkpoint.note())
        {
            continue;
        }
        let proof = prove_consistency(client, &checkpoint, anchor)?;
        out.push((checkpoint, proof));
    }
    Ok(out)
}
