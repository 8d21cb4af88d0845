//! Witnessed time: the cosignature times a verified checkpoint stands for under the
//! policy, the instant a status is computed "as of", and the checkpoints that bracket
//! entries (docs/formats.md §6.1; c2sp.org/tlog-cosignature timestamps).
//!
//! Trust assumption (docs/threat-model.md, "Time bounds"): fewer than k of a k-of-n
//! quorum lie about time. A lying witness may date its cosignature anywhere, so a
//! checkpoint stands for two times: the k-th *earliest* cosignature (by then an honest
//! witness had cosigned: an upper bound) and the k-th *latest* (an honest witness cosigned
//! at or after it: a lower bound). Both are found by re-checking the note with growing
//! prefixes of its cosignature lines, in time order one way and then the other, so any
//! policy shape (groups of groups) is judged by the policy's own code. A cosignature
//! dated more than [`FUTURE_ALLOWANCE_SECS`] after the verifier's clock is a lie or a
//! broken clock and is left out.

use docket_core::note::{Note, Signature};
use docket_core::policy::{Policy, VerifiedCheckpoint, VerifiedCosignature};
use docket_core::review::{QuorumKind, WitnessedCheckpoint};
use docket_core::time::{UnixMillis, UnixSeconds};
use serde::Serialize;

use crate::error::VerifierError;
use crate::fork::prove_consistency;
use crate::log::LogClient;

/// How far past the verifier's own clock a cosignature timestamp may be and still count:
/// five minutes, for clocks that drift. Later ones are ignored for every time claim.
pub const FUTURE_ALLOWANCE_SECS: u64 = 300;

/// What the policy's quorums guarantee ([`Policy::quorums_intersect`]).
pub fn quorum_kind(policy: &Policy) -> QuorumKind {
    if !policy.needs_cosignature() {
        QuorumKind::None
    } else if policy.quorums_intersect() {
        QuorumKind::Majority
    } else {
        QuorumKind::Disjoint
    }
}

/// The cosignature lines of `checkpoint` with their times, those dated after `now` plus
/// the allowance dropped, and the other lines (the log's signature, unknown keys).
fn split_lines(
    checkpoint: &VerifiedCheckpoint,
    now: UnixMillis,
) -> (Vec<(UnixSeconds, Signature)>, Vec<Signature>) {
    let note = checkpoint.note();
    let is_line_of = |s: &Signature, c: &VerifiedCosignature| {
        s.name() == c.key().name() && s.key_id() == c.key().key_id()
    };
    let cosigned: Vec<(UnixSeconds, Signature)> = checkpoint
        .cosignatures()
        .iter()
        .filter_map(|c| {
            note.signatures()
                .iter()
                .find(|s| is_line_of(s, c))
                .map(|s| (c.timestamp(), s.clone()))
        })
        .collect();
    let others: Vec<Signature> = note
        .signatures()
        .iter()
        .filter(|s| !cosigned.iter().any(|(_, c)| c == *s))
        .cloned()
        .collect();
    let limit = now.to_seconds().0.saturating_add(FUTURE_ALLOWANCE_SECS);
    let usable = cosigned
        .into_iter()
        .filter(|(time, _)| time.0 <= limit)
        .collect();
    (usable, others)
}

/// The time of the last line of the shortest prefix of `ordered` that meets the quorum.
fn quorum_prefix_time(
    policy: &Policy,
    text: &str,
    others: &[Signature],
    ordered: &[(UnixSeconds, Signature)],
) -> Option<UnixSeconds> {
    for count in 1..=ordered.len() {
        let mut lines = others.to_vec();
        lines.extend(ordered[..count].iter().map(|(_, s)| s.clone()));
        let prefix = Note::new(text, lines).ok()?;
        if policy
            .verify_checkpoint(prefix.to_text().as_bytes())
            .is_ok()
        {
            return Some(ordered[count - 1].0);
        }
    }
    None
}

/// Both witnessed times of `checkpoint` (see the module doc), or `None` when the policy
/// needs no cosignature (nothing is witnessed) or the cosignatures not dated in the
/// future do not meet the quorum.
pub fn quorum_times(
    policy: &Policy,
    checkpoint: &VerifiedCheckpoint,
    now: UnixMillis,
) -> Option<WitnessedCheckpoint> {
    if !policy.needs_cosignature() {
        return None;
    }
    let (mut usable, others) = split_lines(checkpoint, now);
    let text = checkpoint.note().text();
    usable.sort_by_key(|(time, _)| *time);
    let cosigned_by = quorum_prefix_time(policy, text, &others, &usable)?;
    usable.reverse();
    let seen_at = quorum_prefix_time(policy, text, &others, &usable)?;
    Some(WitnessedCheckpoint {
        size: checkpoint.checkpoint().size(),
        cosigned_by,
        seen_at,
    })
}

/// Where a status's "as of" instant comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// The anchor checkpoint's lower-bound witnessed time (its k-th latest cosignature).
    Witnessed,
    /// The latest `logged_at` among the accepted entries of the anchor's tree (the log's
    /// word), because no witness time is later (or the policy has no witnesses).
    LastLoggedAt,
    /// The verifier's own clock, because the other two are later than it.
    Now,
}

/// The instant statuses are computed for, and where it comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AsOf {
    /// The instant.
    pub time: UnixMillis,
    /// Its source.
    pub source: AsOfSource,
}

/// The instant review statuses "as of" `checkpoint` are computed for: the later of the
/// checkpoint's lower-bound witnessed time and `last_logged_at` (the latest `logged_at`
/// among the accepted entries of its tree), but never later than `now`.
///
/// Cosignature times are whole seconds, truncated, and come from clocks other than the
/// log's, so the witnessed second can precede the `logged_at` of entries the checkpoint
/// contains; those entries existed when it was signed, so the status must count them.
/// Without a witness time the instant is the log's own last `logged_at`, never `now`: a
/// review bundle checked a year later must not call a submission overdue for a year its
/// checkpoints say nothing about.
pub fn status_time(
    policy: &Policy,
    checkpoint: &VerifiedCheckpoint,
    last_logged_at: Option<UnixMillis>,
    now: UnixMillis,
) -> AsOf {
    let seen = quorum_times(policy, checkpoint, now).map(|w| w.seen_at.to_millis());
    let (time, source) = match (seen, last_logged_at) {
        (Some(seen), Some(last)) if last > seen => (last, AsOfSource::LastLoggedAt),
        (Some(seen), _) => (seen, AsOfSource::Witnessed),
        (None, Some(last)) => (last, AsOfSource::LastLoggedAt),
        (None, None) => (now, AsOfSource::Now),
    };
    if time > now {
        AsOf {
            time: now,
            source: AsOfSource::Now,
        }
    } else {
        AsOf { time, source }
    }
}

/// The witnessed form of verified checkpoints (those with quorum times).
pub fn witnessed(
    policy: &Policy,
    checkpoints: &[VerifiedCheckpoint],
    now: UnixMillis,
) -> Vec<WitnessedCheckpoint> {
    checkpoints
        .iter()
        .filter_map(|c| quorum_times(policy, c, now))
        .collect()
}

/// The checkpoints that bracket each of `indexes` (the one without it seen latest and the
/// one with it cosigned earliest), verified and proven consistent with `anchor`, plus
/// `anchor` itself (first).
///
/// The verifier picks them itself from the log's whole published history and the anchor:
/// the log's `/v1/checkpoints/brackets/{index}` hints are not read, so an operator that
/// leaves the tightest checkpoint out of a hint cannot loosen a bound. (One that leaves
/// it out of the history can only make bounds looser, which never makes a claim
/// witnessed that is not.)
pub fn brackets(
    client: &LogClient<'_>,
    anchor: &VerifiedCheckpoint,
    indexes: &[u64],
    now: UnixMillis,
) -> Result<Vec<(VerifiedCheckpoint, Vec<docket_core::merkle::Hash>)>, VerifierError> {
    let policy = &client.trust().policy;
    let anchor_size = anchor.checkpoint().size();
    let mut history = client.witnessed_history()?;
    history.retain(|c| c.checkpoint().size() <= anchor_size);
    history.push(anchor.clone());
    let times: Vec<Option<WitnessedCheckpoint>> = history
        .iter()
        .map(|c| quorum_times(policy, c, now))
        .collect();
    let all: Vec<WitnessedCheckpoint> = times.iter().flatten().copied().collect();
    let mut candidates: Vec<&VerifiedCheckpoint> = Vec::new();
    for &index in indexes {
        let bounds =
            docket_core::review::witnessed_bounds(docket_core::statement::LogIndex(index), &all);
        for bound in [bounds.without, bounds.with].into_iter().flatten() {
            if let Some(position) = times.iter().position(|t| *t == Some(bound)) {
                candidates.push(&history[position]);
            }
        }
    }
    let mut out = vec![(anchor.clone(), Vec::new())];
    for checkpoint in candidates {
        if out.iter().any(|(c, _)| c.note() == checkpoint.note()) {
            continue;
        }
        let proof = prove_consistency(client, checkpoint, anchor)?;
        out.push((checkpoint.clone(), proof));
    }
    Ok(out)
}

/// How reports describe a checkpoint's signatures under `policy`: cosigned by a quorum,
/// or, when the policy needs no cosignature (quorum 0: no `--witness-key`, `--quorum 0`
/// or `quorum none`), a plain statement that nothing is witnessed.
pub fn cosigned_text(policy: &Policy) -> &'static str {
    if policy.needs_cosignature() {
        "signed by the log and cosigned by a quorum of trusted witnesses"
    } else {
        "signed by the log, and NOT WITNESSED: the trust policy requires no witness cosignature (quorum 0), so nothing shows that others are shown the same log, and no time is witnessed"
    }
}
