//! Read-side views over stored entries and indexes: one entry decoded, a submission's
//! review status with its linked entries and evidence, and the participants. Bounded
//! by the published size the caller passes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::dsse::KeyId;
use docket_core::entry::Entry;
use docket_core::merkle::{self, Hash};
use docket_core::review::submission_review;
use docket_core::rules::{EntryInfo, GenesisInfo, LogView, Registration};
use docket_core::statement::{LogIndex, StatementKind, statement_digest};
use docket_core::time::UnixMillis;
use serde::Serialize;

use crate::http::api::CheckpointJson;
use crate::http::error::{ApiError, code};
use crate::published::PublishedCheckpoint;
use crate::store::domain::{DomainBatch, ParticipantEvent};
use crate::store::{LogStore, StoreError};

/// Most entries linked to one submission that a status view lists.
const MAX_LINKS: usize = 10_000;

/// One stored entry, decoded.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// The log's time.
    pub logged_at: UnixMillis,
    /// RFC 6962 leaf hash.
    pub leaf_hash: Hash,
    /// The entry bytes, base64.
    pub entry_b64: String,
    /// SHA-256 of the statement payload.
    pub statement_digest: Hash,
    /// The signer's keyid, hex.
    pub signer_keyid: String,
    /// The statement, decoded.
    pub statement: serde_json::Value,
}

fn corrupt(index: u64, err: impl std::fmt::Display) -> ApiError {
    tracing::error!(index, error = %err, "stored entry does not parse");
    ApiError::new(
        code::INTERNAL,
        format!("entry {index} could not be decoded"),
    )
}

/// The `logged_at` of stored entry bytes.
pub fn entry_logged_at(bytes: &[u8]) -> Result<UnixMillis, ApiError> {
    let entry = Entry::decode(bytes).map_err(|err| corrupt(u64::MAX, err))?;
    Ok(entry.logged_at)
}

/// Decodes stored entry `index`.
pub fn describe_entry(index: u64, bytes: &[u8]) -> Result<EntryView, ApiError> {
    let entry = Entry::decode(bytes).map_err(|err| corrupt(index, err))?;
    let envelope = &entry.envelope;
    let statement = envelope
        .unverified_statement()
        .map_err(|err| corrupt(index, err))?;
    let signer_keyid = envelope
        .keyid()
        .map(|keyid| keyid.to_hex())
        .map_err(|err| corrupt(index, err))?;
    Ok(EntryView {
        logged_at: entry.logged_at,
        leaf_hash: merkle::leaf_hash(bytes),
        entry_b64: BASE64.encode(bytes),
        statement_digest: statement_digest(&envelope.payload),
        signer_keyid,
        statement: serde_json::to_value(&statement).unwrap_or(serde_json::Value::Null),
    })
}

/// A linked entry in a status view.
#[derive(Debug, Serialize)]
struct Linked {
    index: u64,
    kind: StatementKind,
    logged_at: UnixMillis,
    statement: serde_json::Value,
}

fn linked(store: &LogStore, index: u64, kind: StatementKind) -> Result<Linked, ApiError> {
    let bytes = store
        .entry(index)?
        .ok_or_else(|| ApiError::new(code::INTERNAL, "linked entry missing"))?;
    let view = describe_entry(index, &bytes)?;
    Ok(Linked {
        index,
        kind,
        logged_at: view.logged_at,
        statement: view.statement,
    })
}

fn evidence(
    store: &LogStore,
    index: u64,
    latest: &PublishedCheckpoint,
) -> Result<serde_json::Value, ApiError> {
    let (before, after) = store.witnessed_brackets(index)?;
    let after = after.filter(|r| r.seq <= latest.seq);
    Ok(serde_json::json!({
        "index": index,
        "last_witnessed_without": before.map(CheckpointJson::from),
        "first_witnessed_with": after.map(CheckpointJson::from),
    }))
}

/// The committed log cut at a published size: entries at or past it (committed, not yet
/// published) do not exist, so a status never runs ahead of the checkpoint it cites.
struct PublishedView<'a> {
    inner: DomainBatch<'a>,
    size: u64,
}

impl LogView for PublishedView<'_> {
    type Error = StoreError;

    fn genesis(&self) -> Result<Option<GenesisInfo>, StoreError> {
        if self.size == 0 {
            return Ok(None);
        }
        self.inner.genesis()
    }

    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, StoreError> {
        // Registrations are not cut by size; `submission_review` never asks for one.
        self.inner.participant(keyid)
    }

    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, StoreError> {
        if index.0 >= self.size {
            return Ok(None);
        }
        self.inner.entry_info(index)
    }

    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, StoreError> {
        // The first link is the earliest: if it is unpublished, so is every other.
        Ok(self
            .inner
            .first_link(kind, subject)?
            .filter(|index| index.0 < self.size))
    }
}

/// A submission's review status: the entry, its window and deadline, every linked
/// entry (determinations, decision, disclosures and their remediations and reveals,
/// release, withdrawal), the status as of the latest checkpoint (by
/// [`docket_core::review`], the one statement of the rule), and the witnessed checkpoints
/// bracketing the submission and the decision.
pub fn submission_status(
    store: &LogStore,
    index: u64,
    latest: &PublishedCheckpoint,
) -> Result<serde_json::Value, ApiError> {
    let view = PublishedView {
        inner: store.view(),
        size: latest.size,
    };
    let as_of = latest.published_at;
    let Some(review) = submission_review(&view, LogIndex(index), as_of)? else {
        return Err(ApiError::new(
            code::NOT_FOUND,
            format!("entry {index} is not a published submission"),
        ));
    };
    let window = view
        .genesis()?
        .map(|g| g.review_window_secs)
        .ok_or_else(|| ApiError::new(code::INTERNAL, "no genesis record"))?;
    let submission = linked(store, index, StatementKind::Submission)?;
    let mut entries = Vec::new();
    for (linked_index, kind) in store.links(index, latest.size, MAX_LINKS)? {
        entries.push(linked(store, linked_index, kind)?);
        if kind == StatementKind::Disclosure {
            for (sub_index, sub_kind) in store.links(linked_index, latest.size, MAX_LINKS)? {
                entries.push(linked(store, sub_index, sub_kind)?);
            }
        }
    }
    entries.sort_by_key(|e| e.index);
    let decision = review.decision.map(|event| event.index.0);
    let mut evidence_list = vec![evidence(store, index, latest)?];
    if let Some(decision) = decision {
        evidence_list.push(evidence(store, decision, latest)?);
    }
    Ok(serde_json::json!({
        "submission": submission,
        "status": review.status,
        "review_window_secs": window,
        "deadline": review.deadline,
        "as_of": as_of,
        "as_of_size": latest.size,
        "decision": decision,
        "entries": entries,
        "evidence": evidence_list,
    }))
}

/// Participant registrations and revocations from entry `from` on.
pub fn participants(
    store: &LogStore,
    size: u64,
    from: u64,
    limit: usize,
) -> Result<serde_json::Value, ApiError> {
    let events: Vec<ParticipantEvent> = store.participant_events(from, size, limit + 1)?;
    let (events, next) = if events.len() > limit {
        let next = events[limit].index;
        (events[..limit].to_vec(), Some(next))
    } else {
        (events, None)
    };
    Ok(serde_json::json!({ "participants": events, "next": next }))
}
