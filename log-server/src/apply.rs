//! The write path's logic, between HTTP and the store: verifying an envelope
//! ([`verify_submission`], run by the handler in a blocking task) and planning one
//! sequencing batch ([`plan_batch`], run by the sequencer in a blocking task): dedup,
//! authorisation and references against the store plus the batch so far, entry bytes,
//! leaf hashes, tree nodes and domain indexes, all gathered into one [`Commit`].
//!
//! Nothing here writes: the sequencer commits the plan in one synced batch.

use std::collections::HashMap;

use docket_core::dsse::{DsseError, Envelope, SigningKey, VerifiedStatement};
use docket_core::entry::Entry;
use docket_core::merkle::{self, Frontier, Hash, NodeId};
use docket_core::rules::{self, RuleError};
use docket_core::statement::{Genesis, LogIndex, Org, Statement};
use docket_core::time::UnixMillis;

use crate::config::Config;
use crate::explorer::ExplorerBatch;
use crate::http::error::ApiError;
use crate::keys::OperatorKey;
use crate::store::domain::DomainBatch;
use crate::store::{Commit, LogStore, NewEntry, StoreError, TreeState};

mod views;

pub use views::{EntryView, describe_entry, entry_logged_at, participants, submission_status};

/// A statement whose DSSE signature verified, waiting to be sequenced.
#[derive(Debug, Clone)]
pub struct Submission {
    /// The verified statement and envelope.
    pub verified: VerifiedStatement,
    /// SHA-256 of the payload (dedup key).
    pub digest: Hash,
}

impl Submission {
    /// Wraps a verified statement.
    pub fn new(verified: VerifiedStatement) -> Submission {
        let digest = verified.digest();
        Submission { verified, digest }
    }

    /// The decoded statement as JSON (for receipts and the read API).
    pub fn statement_json(&self) -> serde_json::Value {
        serde_json::to_value(self.verified.statement()).unwrap_or(serde_json::Value::Null)
    }
}

/// What happened to one request of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Appended at this index.
    New {
        /// The index.
        index: u64,
        /// Its `logged_at`.
        logged_at: UnixMillis,
    },
    /// Already logged (earlier, or earlier in this batch) at this index.
    Existing {
        /// The index.
        index: u64,
    },
    /// Refused; nothing was written for it.
    Rejected(ApiError),
}

/// A planned batch.
#[derive(Debug, Clone)]
pub struct BatchPlan {
    /// What to write, atomically.
    pub commit: Commit,
    /// One outcome per request, in order.
    pub outcomes: Vec<Outcome>,
    /// The frontier before the batch (hashes for the receipts' proofs).
    pub old_frontier: Vec<(NodeId, Hash)>,
}

/// Maps an envelope error to the API error (status decided by [`crate::http::error`]).
fn dsse_error(err: &DsseError) -> ApiError {
    ApiError::new(err.code(), err.to_string())
}

/// Maps a rules verdict to the API error; storage failures are internal errors.
fn rule_error(err: RuleError<StoreError>) -> Result<ApiError, StoreError> {
    match err {
        RuleError::Envelope(err) => Ok(dsse_error(&err)),
        RuleError::Violation(violation) => {
            Ok(ApiError::new(violation.code(), violation.to_string()))
        }
        RuleError::View(err) => Err(err),
    }
}

/// Parses and verifies a write body: envelope shape (400), the signer's key (a
/// registered key, or for genesis the key it names: [`rules::authenticate`]), signature
/// (403) and statement syntax (400). Authorisation comes later, in [`plan_batch`],
/// against the log as it is when the statement is sequenced.
pub fn verify_submission(store: &LogStore, body: &[u8]) -> Result<Submission, ApiError> {
    let envelope = Envelope::from_json(body).map_err(|err| dsse_error(&err))?;
    match rules::authenticate(&store.view(), &envelope) {
        Ok(verified) => Ok(Submission::new(verified)),
        Err(err) => Err(rule_error(err)?),
    }
}

/// The genesis statement for `config`, signed by the operator.
pub fn genesis_submission(
    config: &Config,
    operator: &OperatorKey,
    now: UnixMillis,
) -> Result<Submission, String> {
    let key = SigningKey::from_seed(operator.signing.as_bytes());
    let statement = Statement::Genesis(Genesis {
        org: Org::new(config.operator_org.clone()).map_err(|err| format!("operator org: {err}"))?,
        origin: config.origin.clone(),
        review_window_secs: config.review_window.as_secs(),
        operator_key: key.public_key(),
        issued_at: Some(now),
    });
    let envelope = Envelope::sign(&statement, &key).map_err(|err| err.to_string())?;
    let verified = envelope
        .verify(&key.public_key())
        .map_err(|err| err.to_string())?;
    Ok(Submission::new(verified))
}

/// Plans a batch: for each submission in order, dedup (store, then batch), authorise
/// against the store plus the batch so far, and append. `frontier` is advanced; on
/// error the caller discards it.
pub fn plan_batch(
    store: &LogStore,
    origin: &str,
    frontier: &mut Frontier,
    state: TreeState,
    now: UnixMillis,
    submissions: &[Submission],
) -> Result<BatchPlan, StoreError> {
    let old_frontier = frontier.nodes().to_vec();
    // logged_at never decreases, even if the clock steps back.
    let logged_at = now.max(state.last_logged_at);
    let mut domain = DomainBatch::new(store);
    // The explorer's indexes ride in the same synced batch (see `crate::explorer`).
    let mut explorer = ExplorerBatch::new(store);
    let mut seen: HashMap<Hash, u64> = HashMap::new();
    let mut commit = Commit {
        state,
        ..Commit::default()
    };
    let mut outcomes = Vec::with_capacity(submissions.len());
    for submission in submissions {
        if let Some(index) = seen.get(&submission.digest) {
            outcomes.push(Outcome::Existing { index: *index });
            continue;
        }
        if let Some(index) = store.index_of_statement(&submission.digest)? {
            outcomes.push(Outcome::Existing { index });
            continue;
        }
        let index = commit.state.size;
        let effects = match rules::check(
            &domain,
            &submission.verified,
            LogIndex(index),
            logged_at,
            origin,
        ) {
            Ok(effects) => effects,
            Err(err) => {
                outcomes.push(Outcome::Rejected(rule_error(err)?));
                continue;
            }
        };
        let entry = Entry {
            logged_at,
            envelope: submission.verified.envelope().clone(),
        };
        let bytes = match entry.encode() {
            Ok(bytes) => bytes,
            Err(err) => {
                outcomes.push(Outcome::Rejected(ApiError::new(
                    err.code(),
                    err.to_string(),
                )));
                continue;
            }
        };
        domain.apply(&effects, logged_at)?;
        explorer.apply(&domain, submission.verified.statement(), index, logged_at)?;
        commit
            .nodes
            .extend(frontier.append(merkle::leaf_hash(&bytes)));
        commit.entries.push(NewEntry {
            index,
            bytes,
            statement_digest: submission.digest,
        });
        seen.insert(submission.digest, index);
        commit.state = TreeState {
            size: index + 1,
            last_logged_at: logged_at,
        };
        outcomes.push(Outcome::New { index, logged_at });
    }
    commit.index_puts = domain.into_puts();
    commit
        .index_puts
        .extend(explorer.into_puts(commit.state.size));
    Ok(BatchPlan {
        commit,
        outcomes,
        old_frontier,
    })
}
