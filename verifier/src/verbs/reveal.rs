//! `verifier reveal <disclosure> --advisory FILE`: checks that an advisory document opens
//! a disclosure's commitment, SHA-256(salt || SHA-256(advisory)) (docs/architecture.md "Statements",
//! docs/formats.md §2.3). The disclosure and its reveal (if logged) are taken from a full
//! replay of the log, so their signatures and the rules are checked; the salt comes from
//! the logged reveal, or from `--salt` before one is logged.

use std::path::Path;

use docket_core::merkle::{self, Hash};
use docket_core::statement::{Salt, Statement, StatementKind, commitment};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::Ctx;
use crate::describe::EntrySummary;
use crate::error::{VerifierError, VerifyError};
use crate::output::{CheckpointSummary, Outcome};
use crate::replay::{ReplayObserver, Replayed, Replayer, replay_to};
use crate::verbs::checkpoint::latest_anchor;

#[derive(Serialize)]
struct Report {
    disclosure: EntrySummary,
    reveal: Option<EntrySummary>,
    advisory_sha256: Hash,
    salt_from: &'static str,
    opens_commitment: bool,
    checkpoint: CheckpointSummary,
}

struct Keep {
    disclosure: u64,
    kept: Vec<Replayed>,
}

impl ReplayObserver for Keep {
    fn entry(&mut self, replayed: &Replayed) {
        let about = match &replayed.statement {
            Some(Statement::Reveal(r)) => r.disclosure.0 == self.disclosure,
            _ => replayed.index == self.disclosure,
        };
        if about {
            self.kept.push(replayed.clone());
        }
    }
}

/// Runs the verb.
pub fn run(
    ctx: &Ctx<'_>,
    disclosure: u64,
    advisory: &Path,
    salt: Option<&str>,
) -> Result<Outcome, VerifierError> {
    let document = std::fs::read(advisory).map_err(|e| VerifierError::io(advisory, e))?;
    let digest = Hash(Sha256::digest(&document).into());
    let salt = salt
        .map(|s| {
            hex::decode(s.trim())
                .ok()
                .and_then(|b| Salt::new(b).ok())
                .ok_or_else(|| {
                    VerifierError::Usage("--salt must be at least 16 bytes of hex".into())
                })
        })
        .transpose()?;
    let client = ctx.client()?;
    let anchor = latest_anchor(ctx, &client)?.checkpoint;
    let mut replayer = Replayer::new(&ctx.trust.origin, false);
    let mut keep = Keep {
        disclosure,
        kept: Vec::new(),
    };
    replay_to(&client, &mut replayer, &anchor, &mut keep)?;
    let summary = |r: &Replayed| {
        r.entry
            .as_ref()
            .map(|e| EntrySummary::of(r.index, merkle::leaf_hash(&r.bytes), e))
    };
    let found = keep.kept.iter().find(|r| r.index == disclosure);
    let (disclosed, disclosure_entry) =
        match found.and_then(|r| r.statement.as_ref().map(|s| (s, r))) {
            Some((Statement::Disclosure(d), r)) => (d.clone(), r),
            Some((other, _)) => {
                return Err(VerifyError::WrongEntryType {
                    index: disclosure,
                    expected: "disclosure",
                    found: other.kind().to_string(),
                }
                .into());
            }
            None => {
                return Err(VerifyError::NotFound {
                    what: format!("entry {disclosure} is not an accepted entry of the log"),
                }
                .into());
            }
        };
    let first_reveal = replayer
        .view()
        .links(StatementKind::Reveal, disclosure)
        .first()
        .and_then(|i| keep.kept.iter().find(|r| r.index == *i));
    let logged_reveal = first_reveal.and_then(|r| match &r.statement {
        Some(Statement::Reveal(v)) => Some(v),
        _ => None,
    });
    let (opening_salt, salt_from, logged_digest) = match (logged_reveal, salt) {
        (Some(v), _) => (v.salt.clone(), "the logged reveal", Some(v.advisory_sha256)),
        (None, Some(salt)) => (salt, "--salt", None),
        (None, None) => {
            return Err(VerifyError::Claim {
                what: format!(
                    "disclosure {disclosure} has no logged reveal yet; give the salt with --salt HEX"
                ),
            }
            .into());
        }
    };
    let opens = commitment(&opening_salt, &digest) == disclosed.commitment;
    let report = Report {
        disclosure: summary(disclosure_entry).expect("accepted entries decode"),
        reveal: first_reveal.and_then(summary),
        advisory_sha256: digest,
        salt_from,
        opens_commitment: opens,
        checkpoint: CheckpointSummary::of(&anchor),
    };
    if !opens {
        let why = match logged_digest {
            Some(logged) if logged != digest => format!(
                "the advisory's SHA-256 is {}, but the logged reveal says {}",
                digest.to_hex(),
                logged.to_hex()
            ),
            _ => format!(
                "SHA-256(salt || {}) is not the disclosure's commitment",
                digest.to_hex()
            ),
        };
        return Err(VerifyError::Commitment {
            what: format!(
                "the advisory {} does NOT open the commitment of disclosure #{disclosure}: {why}",
                advisory.display()
            ),
        }
        .into());
    }
    let human = format!(
        "The advisory {} opens the commitment of disclosure #{disclosure} (salt from {salt_from}): it is the document that was shared.\n  advisory SHA-256: {}\n{}{}Checkpoint:\n{}",
        advisory.display(),
        digest.to_hex(),
        report.disclosure.human(),
        report
            .reveal
            .as_ref()
            .map(|r| format!("  revealed by entry #{} at {}\n", r.index, r.logged_at_utc))
            .unwrap_or_default(),
        report.checkpoint.human()
    );
    Ok(Outcome::new(true, human, &report))
}
