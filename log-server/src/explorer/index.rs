//! The explorer's indexes, written by [`ExplorerBatch`] in the same synced batch as the
//! entries they describe (see [`crate::apply::plan_batch`]): one record per submission
//! holding every input of its review status, plus secondary keys by organisation,
//! agency, model name, artifact digest, date and closed status, recent decisions and
//! disclosures, and per-batch status counters. Only accepted entries reach here: a
//! statement the rules refuse is never logged, so it counts for nothing.
//!
//! Keys (all under the one-byte prefix `x`, then a sub-prefix; numbers big-endian):
//!
//! | key | value |
//! |---|---|
//! | `xr` sub u64 | [`SubmissionRecord`] JSON |
//! | `xd` logged_at u64 sub u64 | empty: submissions by date |
//! | `xo` lowercase org, 0, sub u64 | empty: by developer organisation |
//! | `xa` lowercase agency, 0, sub u64 | empty: by reviewing agency |
//! | `xm` lowercase model name, 0, sub u64 | empty: by model name |
//! | `xh` artifact sha256 32, sub u64 | empty: by artifact digest (clear or released) |
//! | `xz` status u8, sub u64 | empty: closed reviews by status |
//! | `xe` decision u64 | sub u64: decisions in log order |
//! | `xk` disclosure u64 | sub u64: disclosures in log order |
//! | `xc` size u64 | [`Counters`] JSON after the batch that ended at `size` |
//!
//! Names never contain a NUL byte (docket-core refuses control characters in labels), so
//! the 0 separator cannot be forged by a name.

use std::collections::HashMap;

use docket_core::merkle::Hash;
use docket_core::review::{self, Event, Review, ReviewStatus, ReviewWindow};
use docket_core::rules::LogView;
use docket_core::statement::{LogIndex, Statement, SubmissionContent};
use docket_core::time::UnixMillis;
use rocksdb::{Direction, IteratorMode, ReadOptions};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::store::domain::DomainBatch;
use crate::store::{LogStore, StoreError, read_u64};

const PREFIX: u8 = b'x';
pub(crate) const RECORD: u8 = b'r';
pub(crate) const DATE: u8 = b'd';
pub(crate) const ORG: u8 = b'o';
pub(crate) const AGENCY: u8 = b'a';
pub(crate) const MODEL: u8 = b'm';
pub(crate) const ARTIFACT: u8 = b'h';
pub(crate) const CLOSED: u8 = b'z';
pub(crate) const DECISIONS: u8 = b'e';
pub(crate) const DISCLOSURES: u8 = b'k';
const COUNTERS: u8 = b'c';

/// Most disclosures (and most remediations per disclosure) a record keeps inline; the
/// submission page lists every linked entry from the link index.
pub const MAX_INLINE: usize = 64;

/// One step of a review: an entry and when it was logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The entry.
    pub index: u64,
    /// Its `logged_at`.
    pub logged_at: UnixMillis,
    /// The signer's organisation.
    pub org: String,
}

/// A model as named in a submission or a release's opening.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRef {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the artifact.
    pub sha256: Hash,
}

/// A decision with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionStep {
    /// Where and when.
    #[serde(flatten)]
    pub step: Step,
    /// `cleared`, `findings_reported`...
    pub outcome: String,
}

/// A disclosure with the sectors informed and what followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DisclosureStep {
    /// Where and when.
    #[serde(flatten)]
    pub step: Step,
    /// Sectors informed.
    pub sectors: Vec<String>,
    /// Remediation statuses, in log order.
    pub remediations: Vec<(Step, String)>,
    /// The reveal, if any.
    pub reveal: Option<Step>,
}

/// Every input of a submission's review status and timeline, kept current as entries
/// are logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionRecord {
    /// The submission entry.
    pub index: u64,
    /// Its `logged_at` (the review clock starts here).
    pub logged_at: UnixMillis,
    /// The developer's organisation.
    pub org: String,
    /// The model, if named in the clear.
    pub model: Option<ModelRef>,
    /// The commitment, if sealed.
    pub sealed: Option<Hash>,
    /// Planned release date, `YYYY-MM-DD`.
    pub planned_release: Option<String>,
    /// Agencies that determined or decided, in first-seen order.
    pub agencies: Vec<String>,
    /// Coverage determinations: the step and `covered`.
    pub determinations: Vec<(Step, bool)>,
    /// The first decision (the rules allow one).
    pub decision: Option<DecisionStep>,
    /// Disclosures, at most [`MAX_INLINE`].
    pub disclosures: Vec<DisclosureStep>,
    /// How many disclosures in all.
    pub disclosure_count: u64,
    /// The release, with the opened model for a sealed submission.
    pub release: Option<(Step, Option<ModelRef>)>,
    /// The first withdrawal.
    pub withdrawal: Option<Step>,
}

impl SubmissionRecord {
    /// The record as it was in the tree of `size` entries: later steps removed.
    pub fn cut(&self, size: u64) -> SubmissionRecord {
        let mut cut = self.clone();
        cut.determinations.retain(|(s, _)| s.index < size);
        cut.decision = cut.decision.filter(|d| d.step.index < size);
        cut.disclosures.retain(|d| d.step.index < size);
        for disclosure in &mut cut.disclosures {
            disclosure.remediations.retain(|(s, _)| s.index < size);
            disclosure.reveal = disclosure.reveal.clone().filter(|s| s.index < size);
        }
        cut.release = cut.release.filter(|(s, _)| s.index < size);
        cut.withdrawal = cut.withdrawal.filter(|s| s.index < size);
        cut
    }

    /// The review as of `now`, by docket-core's review clock (the one statement of the
    /// rule); call on a record [`cut`](Self::cut) at the size `now` belongs to.
    pub fn review(&self, window: ReviewWindow, now: UnixMillis) -> Review {
        let event = |step: &Step| Event {
            index: LogIndex(step.index),
            logged_at: step.logged_at,
        };
        review::review(
            window,
            Event {
                index: LogIndex(self.index),
                logged_at: self.logged_at,
            },
            self.decision.as_ref().map(|d| event(&d.step)),
            self.withdrawal.as_ref().map(event),
            now,
        )
    }

    /// The model's display name: the clear name, the released opening, or "sealed".
    pub fn model_name(&self) -> Option<&ModelRef> {
        self.model
            .as_ref()
            .or_else(|| self.release.as_ref().and_then(|(_, m)| m.as_ref()))
    }
}

/// Counts of submissions and of closed reviews (a closed status never changes: the
/// rules refuse a decision after a withdrawal, and a withdrawal after a decision keeps
/// the decided status).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// Submissions.
    pub submissions: u64,
    /// Decided on time.
    pub decided_on_time: u64,
    /// Decided late.
    pub decided_late: u64,
    /// Withdrawn.
    pub withdrawn: u64,
}

impl Counters {
    fn slot(&mut self, status: ReviewStatus) -> Option<&mut u64> {
        match status {
            ReviewStatus::DecidedOnTime => Some(&mut self.decided_on_time),
            ReviewStatus::DecidedLate => Some(&mut self.decided_late),
            ReviewStatus::Withdrawn => Some(&mut self.withdrawn),
            ReviewStatus::Pending | ReviewStatus::Overdue => None,
        }
    }

    /// Submissions not yet decided or withdrawn.
    pub fn open(&self) -> u64 {
        self.submissions
            .saturating_sub(self.decided_on_time + self.decided_late + self.withdrawn)
    }
}

/// The byte a closed status is indexed under.
pub(crate) fn status_byte(status: ReviewStatus) -> u8 {
    match status {
        ReviewStatus::Pending => 0,
        ReviewStatus::DecidedOnTime => 1,
        ReviewStatus::DecidedLate => 2,
        ReviewStatus::Overdue => 3,
        ReviewStatus::Withdrawn => 4,
    }
}

pub(crate) fn key(sub: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut key = vec![PREFIX, sub];
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

/// Key of a name index (`xo`, `xa`, `xm`): lowercase name, 0, index.
pub(crate) fn name_key(sub: u8, name: &str, index: u64) -> Vec<u8> {
    key(
        sub,
        &[name.to_lowercase().as_bytes(), &[0], &index.to_be_bytes()],
    )
}

pub(crate) fn record_key(index: u64) -> Vec<u8> {
    key(RECORD, &[&index.to_be_bytes()])
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("explorer records always serialise")
}

pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt {
        what: what.to_string(),
    })
}

/// The counters as of the batch that ended at or before `size`.
pub fn counters_at(store: &LogStore, size: u64) -> Result<Counters, StoreError> {
    let upper = key(COUNTERS, &[&size.to_be_bytes()]);
    let mut options = ReadOptions::default();
    options.set_iterate_lower_bound(key(COUNTERS, &[]));
    let mut iter = store
        .db()
        .iterator_opt(IteratorMode::From(&upper, Direction::Reverse), options);
    match iter.next() {
        None => Ok(Counters::default()),
        Some(item) => {
            let (k, v) = item?;
            if k.len() != 10 || k[..2] != [PREFIX, COUNTERS] {
                return Ok(Counters::default());
            }
            decode(&v, "explorer counters")
        }
    }
}

/// A submission's record, if `index` is a logged submission.
pub fn record(store: &LogStore, index: u64) -> Result<Option<SubmissionRecord>, StoreError> {
    store
        .db()
        .get(record_key(index))?
        .map(|bytes| decode(&bytes, "submission record"))
        .transpose()
}

/// Explorer index writes for one batch, with an overlay so a later statement of the
/// batch sees an earlier one's record.
#[derive(Debug)]
pub struct ExplorerBatch<'a> {
    store: &'a LogStore,
    records: HashMap<u64, SubmissionRecord>,
    order: Vec<u64>,
    puts: Vec<(Vec<u8>, Vec<u8>)>,
    counters: Option<Counters>,
    changed: bool,
}

impl<'a> ExplorerBatch<'a> {
    /// An empty batch over `store`.
    pub fn new(store: &'a LogStore) -> ExplorerBatch<'a> {
        ExplorerBatch {
            store,
            records: HashMap::new(),
            order: Vec::new(),
            puts: Vec::new(),
            counters: None,
            changed: false,
        }
    }

    fn counters(&mut self) -> Result<&mut Counters, StoreError> {
        if self.counters.is_none() {
            self.counters = Some(counters_at(self.store, u64::MAX)?);
        }
        Ok(self.counters.get_or_insert_with(Counters::default))
    }

    fn load(&mut self, index: u64) -> Result<Option<&mut SubmissionRecord>, StoreError> {
        if !self.records.contains_key(&index) {
            let Some(found) = record(self.store, index)? else {
                return Ok(None);
            };
            self.records.insert(index, found);
            self.order.push(index);
        }
        Ok(self.records.get_mut(&index))
    }

    /// Indexes one accepted statement, logged at `index` and `logged_at`; `domain` is the
    /// rules' view including this statement's effects (for the window and references).
    pub fn apply(
        &mut self,
        domain: &DomainBatch<'_>,
        statement: &Statement,
        index: u64,
        logged_at: UnixMillis,
    ) -> Result<(), StoreError> {
        let step = Step {
            index,
            logged_at,
            org: statement.org().as_str().to_string(),
        };
        let (subject, change): (u64, Change) = match statement {
            Statement::Submission(s) => {
                let (model, sealed) = match &s.content {
                    SubmissionContent::Model(m) => (Some(model_ref(m)), None),
                    SubmissionContent::Sealed(s) => (None, Some(s.commitment)),
                };
                let record = SubmissionRecord {
                    index,
                    logged_at,
                    org: step.org.clone(),
                    model,
                    sealed,
                    planned_release: s.planned_release.map(|d| d.to_string()),
                    agencies: Vec::new(),
                    determinations: Vec::new(),
                    decision: None,
                    disclosures: Vec::new(),
                    disclosure_count: 0,
                    release: None,
                    withdrawal: None,
                };
                self.put(key(
                    DATE,
                    &[&logged_at.0.to_be_bytes(), &index.to_be_bytes()],
                ));
                self.put(name_key(ORG, &record.org, index));
                if let Some(model) = &record.model {
                    self.put(name_key(MODEL, &model.name, index));
                    self.put(key(
                        ARTIFACT,
                        &[model.sha256.as_bytes(), &index.to_be_bytes()],
                    ));
                }
                self.records.insert(index, record);
                self.order.push(index);
                self.counters()?.submissions += 1;
                self.changed = true;
                return Ok(());
            }
            Statement::Determination(s) => (s.submission.0, Change::Determination(s.covered)),
            Statement::Decision(s) => (
                s.submission.0,
                Change::Decision(s.outcome.as_str().to_string()),
            ),
            Statement::Disclosure(s) => (s.submission.0, Change::Disclosure(s.sectors.clone())),
            Statement::Release(s) => (
                s.submission.0,
                Change::Release(s.opening.as_ref().map(|o| model_ref(&o.model))),
            ),
            Statement::Withdrawal(s) => (s.submission.0, Change::Withdrawal),
            Statement::Remediation(s) => {
                let Some(sub) = submission_of(domain, s.disclosure)? else {
                    return Ok(());
                };
                (
                    sub,
                    Change::Remediation(s.disclosure.0, s.status.as_str().to_string()),
                )
            }
            Statement::Reveal(s) => {
                let Some(sub) = submission_of(domain, s.disclosure)? else {
                    return Ok(());
                };
                (sub, Change::Reveal(s.disclosure.0))
            }
            Statement::Genesis(_) | Statement::Participant(_) => return Ok(()),
        };
        let window = match domain.genesis()? {
            Some(genesis) => ReviewWindow::from_secs(genesis.review_window_secs),
            None => return Ok(()),
        };
        let Some(record) = self.load(subject)? else {
            // The rules checked the reference; a missing record means the index predates
            // this code on an old database, which `rebuild` fills.
            return Ok(());
        };
        let before = record.review(window, logged_at).status;
        let mut new_keys = Vec::new();
        match change {
            Change::Determination(covered) => {
                add_agency(record, &step.org, &mut new_keys);
                record.determinations.push((step, covered));
            }
            Change::Decision(outcome) => {
                if record.decision.is_none() {
                    add_agency(record, &step.org, &mut new_keys);
                    new_keys.push((key(DECISIONS, &[&index.to_be_bytes()]), subject));
                    record.decision = Some(DecisionStep { step, outcome });
                }
            }
            Change::Disclosure(sectors) => {
                record.disclosure_count += 1;
                new_keys.push((key(DISCLOSURES, &[&index.to_be_bytes()]), subject));
                if record.disclosures.len() < MAX_INLINE {
                    record.disclosures.push(DisclosureStep {
                        step,
                        sectors,
                        remediations: Vec::new(),
                        reveal: None,
                    });
                }
            }
            Change::Remediation(disclosure, status) => {
                if let Some(d) = record
                    .disclosures
                    .iter_mut()
                    .find(|d| d.step.index == disclosure)
                    && d.remediations.len() < MAX_INLINE
                {
                    d.remediations.push((step, status));
                }
            }
            Change::Reveal(disclosure) => {
                if let Some(d) = record
                    .disclosures
                    .iter_mut()
                    .find(|d| d.step.index == disclosure)
                    && d.reveal.is_none()
                {
                    d.reveal = Some(step);
                }
            }
            Change::Release(opened) => {
                if record.release.is_none() {
                    if let Some(model) = &opened {
                        new_keys.push((name_key(MODEL, &model.name, subject), u64::MAX));
                        new_keys.push((
                            key(ARTIFACT, &[model.sha256.as_bytes(), &subject.to_be_bytes()]),
                            u64::MAX,
                        ));
                    }
                    record.release = Some((step, opened));
                }
            }
            Change::Withdrawal => {
                if record.withdrawal.is_none() {
                    record.withdrawal = Some(step);
                }
            }
        }
        let after = record.review(window, logged_at).status;
        for (k, value) in new_keys {
            let value = if value == u64::MAX {
                Vec::new()
            } else {
                value.to_be_bytes().to_vec()
            };
            self.puts.push((k, value));
        }
        if before != after {
            let counters = self.counters()?;
            if let Some(slot) = counters.slot(before) {
                *slot = slot.saturating_sub(1);
            }
            if let Some(slot) = counters.slot(after) {
                *slot += 1;
                let closed = key(CLOSED, &[&[status_byte(after)], &subject.to_be_bytes()]);
                self.put(closed);
            }
            self.changed = true;
        }
        Ok(())
    }

    fn put(&mut self, key: Vec<u8>) {
        self.puts.push((key, Vec::new()));
    }

    /// The writes to commit with the batch that ends at tree size `size`.
    pub fn into_puts(mut self, size: u64) -> Vec<(Vec<u8>, Vec<u8>)> {
        for index in &self.order {
            if let Some(record) = self.records.get(index) {
                self.puts.push((record_key(*index), encode(record)));
            }
        }
        if self.changed
            && let Some(counters) = self.counters
        {
            self.puts
                .push((key(COUNTERS, &[&size.to_be_bytes()]), encode(&counters)));
        }
        self.puts
    }
}

enum Change {
    Determination(bool),
    Decision(String),
    Disclosure(Vec<String>),
    Remediation(u64, String),
    Reveal(u64),
    Release(Option<ModelRef>),
    Withdrawal,
}

fn model_ref(model: &docket_core::statement::Model) -> ModelRef {
    ModelRef {
        name: model.name.clone(),
        version: model.version.clone(),
        sha256: model.sha256,
    }
}

fn add_agency(record: &mut SubmissionRecord, org: &str, keys: &mut Vec<(Vec<u8>, u64)>) {
    if !record.agencies.iter().any(|a| a == org) {
        record.agencies.push(org.to_string());
        keys.push((name_key(AGENCY, org, record.index), u64::MAX));
    }
}

fn submission_of(
    domain: &DomainBatch<'_>,
    disclosure: LogIndex,
) -> Result<Option<u64>, StoreError> {
    Ok(domain
        .entry_info(disclosure)?
        .and_then(|info| info.reference)
        .map(|r| r.0))
}

/// Reads the big-endian index at the end of an index key.
pub(crate) fn trailing_index(key: &[u8]) -> Result<u64, StoreError> {
    let start = key
        .len()
        .checked_sub(8)
        .ok_or_else(|| StoreError::Corrupt {
            what: "explorer key".into(),
        })?;
    read_u64(&key[start..], "explorer key")
}

const BACKFILLED: u8 = b'b';

/// Entries replayed per synced write while backfilling.
const BACKFILL_CHUNK: u64 = 10_000;

/// Builds the explorer's indexes for a log created before they existed: replays every
/// committed entry (all of them passed the rules when logged) through [`ExplorerBatch`],
/// in synced chunks, then records that it is done. Runs once, at start-up, before the
/// sequencer writes; a log that had the indexes from its first entry skips it at once.
/// Returns how many entries it replayed.
pub fn backfill(store: &LogStore) -> Result<u64, StoreError> {
    let marker = key(BACKFILLED, &[]);
    if store.db().get(&marker)?.is_some() {
        return Ok(0);
    }
    let size = store.tree_state()?.size;
    let has_records = {
        let lower = key(RECORD, &[]);
        let upper = key(RECORD + 1, &[]);
        !store.scan(&lower, upper, 1)?.is_empty()
    };
    let has_counters = counters_at(store, u64::MAX)? != Counters::default();
    if size > 0 && !has_records && !has_counters {
        let domain = store.view();
        let mut from = 0;
        while from < size {
            let to = (from + BACKFILL_CHUNK).min(size);
            let mut batch = ExplorerBatch::new(store);
            for (offset, bytes) in store.entries(from..to)?.into_iter().enumerate() {
                let index = from + offset as u64;
                let corrupt = |_| StoreError::Corrupt {
                    what: format!("entry {index}"),
                };
                let entry = docket_core::entry::Entry::decode(&bytes).map_err(corrupt)?;
                let statement =
                    entry
                        .envelope
                        .unverified_statement()
                        .map_err(|_| StoreError::Corrupt {
                            what: format!("statement of entry {index}"),
                        })?;
                batch.apply(&domain, &statement, index, entry.logged_at)?;
            }
            let mut write = rocksdb::WriteBatch::default();
            for (k, v) in batch.into_puts(to) {
                write.put(k, v);
            }
            store.write_synced(write)?;
            from = to;
        }
    }
    let mut write = rocksdb::WriteBatch::default();
    write.put(marker, size.to_be_bytes());
    store.write_synced(write)?;
    Ok(if has_records || has_counters { 0 } else { size })
}
