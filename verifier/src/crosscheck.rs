//! Cross-checking the log's checkpoint against each witness's own view: the latest
//! checkpoint a witness cosigned, from its monitoring endpoint
//! `GET <witness URL>/<hex SHA-256(origin)>/checkpoint` (c2sp.org/tlog-witness), must be
//! consistent with the checkpoint the log showed this verifier. A log that shows the
//! witnesses one history and its users another (a split view) is caught here even when
//! each history alone verifies.
//!
//! Witness URLs come from the policy's `witness` lines; witnesses without one are
//! skipped. A witness that cannot be reached or has cosigned nothing for the log proves
//! nothing either way, so that is reported, not failed. A note that the log or the
//! witness did not sign fails the check; two notes that cannot describe one append-only
//! log are a fork.

use docket_core::policy::{Policy, VerifiedCheckpoint};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::error::{VerifierError, VerifyError};
use crate::fetch::{FetchError, Fetcher, HttpFetcher};
use crate::fork::prove_consistency;
use crate::log::LogClient;

/// What one witness's own checkpoint showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WitnessViewOutcome {
    /// Its checkpoint is consistent with the log's.
    Consistent,
    /// It has cosigned no checkpoint of this log (404).
    NoCheckpoint,
    /// It could not be reached or answered an error; nothing is proven.
    Unreachable,
}

/// One witness's view of the log, as checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WitnessView {
    /// The witness's name in the policy.
    pub witness: String,
    /// The URL its checkpoint was fetched from.
    pub url: String,
    /// What was found.
    pub outcome: WitnessViewOutcome,
    /// The size of the checkpoint it cosigned last, if it served one.
    pub size: Option<u64>,
    /// Why it was unreachable.
    pub detail: Option<String>,
}

impl WitnessView {
    /// One line for people.
    pub fn human(&self) -> String {
        match (&self.outcome, self.size) {
            (WitnessViewOutcome::Consistent, Some(size)) => format!(
                "  Witness {} ({}): its latest cosigned checkpoint (size {size}) is consistent with this one.\n",
                self.witness, self.url
            ),
            (WitnessViewOutcome::NoCheckpoint, _) => format!(
                "  Witness {} ({}): has cosigned no checkpoint of this log yet.\n",
                self.witness, self.url
            ),
            _ => format!(
                "  Witness {} ({}): not checked ({}).\n",
                self.witness,
                self.url,
                self.detail.as_deref().unwrap_or("unreachable")
            ),
        }
    }
}

/// The monitoring path of `origin` under a witness's URL: `<hex SHA-256(origin)>/checkpoint`.
pub fn monitoring_path(origin: &str) -> String {
    format!(
        "{}/checkpoint",
        hex::encode(Sha256::digest(origin.as_bytes()))
    )
}

/// Fetches each URL-bearing witness's latest checkpoint of `anchor`'s log and proves it
/// consistent with `anchor`.
///
/// Errors: [`VerifyError::Checkpoint`] when a served note lacks a valid log signature or
/// the witness's own cosignature; [`VerifierError::Fork`] when a witness cosigned a
/// history that conflicts with `anchor`; tile errors as [`prove_consistency`] gives them.
pub fn check_witnesses(
    client: &LogClient<'_>,
    anchor: &VerifiedCheckpoint,
) -> Result<Vec<WitnessView>, VerifierError> {
    let policy = &client.trust().policy;
    let [log] = policy.logs() else {
        return Ok(Vec::new());
    };
    let path = monitoring_path(anchor.checkpoint().origin());
    let mut views = Vec::new();
    for witness in policy.witnesses() {
        let Some(base) = witness.url() else {
            continue;
        };
        let unreachable = |detail: String| WitnessView {
            witness: witness.name().to_string(),
            url: format!("{}/{path}", base.trim_end_matches('/')),
            outcome: WitnessViewOutcome::Unreachable,
            size: None,
            detail: Some(detail),
        };
        let fetcher = match HttpFetcher::with_tls(base, &client.trust().tls) {
            Ok(fetcher) => fetcher,
            Err(error) => {
                views.push(unreachable(error.to_string()));
                continue;
            }
        };
        let url = fetcher.url(&path);
        let note = match fetcher.fetch(&path) {
            Ok(note) => note,
            Err(FetchError::NotFound { .. }) => {
                views.push(WitnessView {
                    outcome: WitnessViewOutcome::NoCheckpoint,
                    detail: None,
                    ..unreachable(String::new())
                });
                continue;
            }
            Err(error) => {
                views.push(unreachable(error.to_string()));
                continue;
            }
        };
        // Only this witness's line is required: its view need not carry a quorum.
        let own = Policy::new(log.key().clone(), vec![witness.key().clone()], 1)
            .map_err(|e| VerifierError::Usage(format!("witness {}: {e}", witness.name())))?;
        let seen = own
            .verify_checkpoint(&note)
            .map_err(|error| VerifyError::Checkpoint {
                from: format!("witness {} ({url})", witness.name()),
                error,
            })?;
        prove_consistency(client, anchor, &seen).map_err(|error| match error {
            VerifierError::Fork(mut evidence) => {
                evidence.reason = format!(
                    "split view: witness {} ({url}) cosigned a history the log did not show this verifier: {}",
                    witness.name(),
                    evidence.reason
                );
                VerifierError::Fork(evidence)
            }
            other => other,
        })?;
        views.push(WitnessView {
            witness: witness.name().to_string(),
            url,
            outcome: WitnessViewOutcome::Consistent,
            size: Some(seen.checkpoint().size()),
            detail: None,
        });
    }
    Ok(views)
}
