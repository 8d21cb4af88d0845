//! The rules' index of a replayed log ([`docket_core::rules::LogView`]), kept in memory
//! and serialisable so an audit can stop and resume from a saved cursor.
//!
//! Unlike the core's `MemoryLogView`, entries may be missing: an entry that broke a rule
//! is reported and counts for nothing (docs/formats.md §5.2), so later entries are judged
//! against the log as the rules would have let it be: a reference to a rejected entry is
//! a dangling reference, and the time rule compares with the accepted entries only.

use std::collections::BTreeMap;
use std::convert::Infallible;

use docket_core::dsse::KeyId;
use docket_core::rules::{Effect, EntryInfo, GenesisInfo, LogView, Registration};
use docket_core::statement::{LogIndex, StatementKind};
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize};

/// The index: genesis, accepted entries, registrations and links.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayView {
    genesis: Option<GenesisInfo>,
    entries: BTreeMap<u64, EntryInfo>,
    participants: BTreeMap<KeyId, Registration>,
    links: BTreeMap<(StatementKind, u64), Vec<u64>>,
    /// The largest `logged_at` of an accepted entry (derived from `entries`).
    last_logged_at: Option<UnixMillis>,
}

/// [`ReplayView`] as stored in a cursor file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSnapshot {
    genesis: Option<GenesisInfo>,
    entries: Vec<EntryInfo>,
    participants: Vec<Registration>,
    links: Vec<(StatementKind, u64, Vec<u64>)>,
}

impl ReplayView {
    /// An empty log.
    pub fn new() -> ReplayView {
        ReplayView::default()
    }

    /// Applies an accepted entry's effects, in order.
    pub fn apply(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::Genesis(genesis) => self.genesis = Some(genesis.clone()),
                Effect::Entry(info) => {
                    self.last_logged_at = self.last_logged_at.max(Some(info.logged_at));
                    self.entries.insert(info.index.0, info.clone());
                }
                Effect::Register(registration) => {
                    self.participants
                        .insert(registration.keyid, registration.clone());
                }
                Effect::Revoke { keyid, at } => {
                    if let Some(registration) = self.participants.get_mut(keyid) {
                        registration.revoked_at = Some(*at);
                    }
                }
                Effect::Link {
                    kind,
                    subject,
                    entry,
                } => self
                    .links
                    .entry((*kind, subject.0))
                    .or_default()
                    .push(entry.0),
            }
        }
    }

    /// The log's parameters, once genesis was accepted.
    pub fn genesis_info(&self) -> Option<&GenesisInfo> {
        self.genesis.as_ref()
    }

    /// An accepted entry.
    pub fn entry(&self, index: u64) -> Option<&EntryInfo> {
        self.entries.get(&index)
    }

    /// The largest `logged_at` among the accepted entries (`None` before any).
    pub fn last_logged_at(&self) -> Option<UnixMillis> {
        self.last_logged_at
    }

    /// Every accepted entry, by index.
    pub fn entries(&self) -> impl Iterator<Item = &EntryInfo> {
        self.entries.values()
    }

    /// The entries of type `kind` that refer to `subject`, in log order.
    pub fn links(&self, kind: StatementKind, subject: u64) -> &[u64] {
        self.links.get(&(kind, subject)).map_or(&[], Vec::as_slice)
    }

    /// A registration by key id.
    pub fn registration(&self, keyid: &KeyId) -> Option<&Registration> {
        self.participants.get(keyid)
    }

    /// The stored form.
    pub fn snapshot(&self) -> ViewSnapshot {
        ViewSnapshot {
            genesis: self.genesis.clone(),
            entries: self.entries.values().cloned().collect(),
            participants: self.participants.values().cloned().collect(),
            links: self
                .links
                .iter()
                .map(|((kind, subject), entries)| (*kind, *subject, entries.clone()))
                .collect(),
        }
    }

    /// Back from the stored form.
    pub fn from_snapshot(snapshot: ViewSnapshot) -> ReplayView {
        let last_logged_at = snapshot.entries.iter().map(|info| info.logged_at).max();
        ReplayView {
            last_logged_at,
            genesis: snapshot.genesis,
            entries: snapshot
                .entries
                .into_iter()
                .map(|info| (info.index.0, info))
                .collect(),
            participants: snapshot
                .participants
                .into_iter()
                .map(|r| (r.keyid, r))
                .collect(),
            links: snapshot
                .links
                .into_iter()
                .map(|(kind, subject, entries)| ((kind, subject), entries))
                .collect(),
        }
    }
}

impl LogView for ReplayView {
    type Error = Infallible;

    fn genesis(&self) -> Result<Option<GenesisInfo>, Infallible> {
        Ok(self.genesis.clone())
    }

    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, Infallible> {
        Ok(self.participants.get(keyid).cloned())
    }

    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, Infallible> {
        Ok(self.entries.get(&index.0).cloned())
    }

    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, Infallible> {
        Ok(self.links(kind, subject.0).first().copied().map(LogIndex))
    }

    fn logged_at_before(&self, index: LogIndex) -> Result<Option<UnixMillis>, Infallible> {
        // Entries are judged in index order, so every accepted entry is before `index`.
        debug_assert!(self.entries.keys().all(|&i| i < index.0));
        Ok(self.last_logged_at)
    }
}
