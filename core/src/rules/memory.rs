//! Views kept in memory: [`MemoryLogView`], the whole index (the verifier's audit and
//! tests), and [`OverlayLogView`], a batch's effects on top of another view (the log
//! server, so statements in one batch see each other before the batch is written).

use std::collections::BTreeMap;
use std::convert::Infallible;

use crate::dsse::{Envelope, KeyId, VerifiedStatement};
use crate::statement::{LogIndex, StatementKind};
use crate::time::UnixMillis;

use super::{Effect, EntryInfo, GenesisInfo, LogView, Registration, RuleError, accept};

/// The rules' whole index in memory, built by applying every entry's effects in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemoryLogView {
    genesis: Option<GenesisInfo>,
    entries: Vec<EntryInfo>,
    participants: BTreeMap<KeyId, Registration>,
    links: BTreeMap<(StatementKind, LogIndex), Vec<LogIndex>>,
}

impl MemoryLogView {
    /// An empty log.
    pub fn new() -> MemoryLogView {
        MemoryLogView::default()
    }

    /// The number of entries applied (the next entry's index).
    pub fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Whether no entry was applied yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Authenticates and checks `envelope` as the next entry and, if it is accepted,
    /// applies its effects.
    pub fn append(
        &mut self,
        envelope: &Envelope,
        logged_at: UnixMillis,
        origin: &str,
    ) -> Result<VerifiedStatement, RuleError<Infallible>> {
        let (verified, effects) = accept(self, envelope, LogIndex(self.len()), logged_at, origin)?;
        self.apply(&effects);
        Ok(verified)
    }

    /// Applies the effects `check` returned for the next entry.
    pub fn apply(&mut self, effects: &[Effect]) {
        for effect in effects {
            match effect {
                Effect::Genesis(genesis) => self.genesis = Some(genesis.clone()),
                Effect::Entry(info) => {
                    // `check` was given index `len()`, so entries stay dense.
                    debug_assert_eq!(info.index, LogIndex(self.len()), "effects out of order");
                    self.entries.push(info.clone());
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
                } => {
                    self.links
                        .entry((*kind, *subject))
                        .or_default()
                        .push(*entry);
                }
            }
        }
    }

    /// Every entry applied, by index.
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// Every key ever registered, by keyid.
    pub fn participants(&self) -> impl Iterator<Item = &Registration> {
        self.participants.values()
    }

    /// Every entry of type `kind` linked to `subject`, in log order (e.g. all
    /// disclosures of a submission).
    pub fn links(&self, kind: StatementKind, subject: LogIndex) -> &[LogIndex] {
        self.links.get(&(kind, subject)).map_or(&[], Vec::as_slice)
    }
}

impl LogView for MemoryLogView {
    type Error = Infallible;

    fn genesis(&self) -> Result<Option<GenesisInfo>, Infallible> {
        Ok(self.genesis.clone())
    }

    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, Infallible> {
        Ok(self.participants.get(keyid).cloned())
    }

    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, Infallible> {
        Ok(usize::try_from(index.0)
            .ok()
            .and_then(|i| self.entries.get(i))
            .cloned())
    }

    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, Infallible> {
        Ok(self.links(kind, subject).first().copied())
    }
}

/// A batch being sequenced: effects of statements accepted in this batch, over a `base`
/// view of everything already written. Checks see both, so a second decision for a
/// submission in the same batch is refused. After the batch is written, `effects()` is
/// what was applied, in order.
#[derive(Debug)]
pub struct OverlayLogView<'a, V> {
    base: &'a V,
    genesis: Option<GenesisInfo>,
    entries: BTreeMap<LogIndex, EntryInfo>,
    participants: BTreeMap<KeyId, Registration>,
    links: BTreeMap<(StatementKind, LogIndex), LogIndex>,
    effects: Vec<Effect>,
}

impl<'a, V: LogView> OverlayLogView<'a, V> {
    /// An empty batch over `base`.
    pub fn new(base: &'a V) -> OverlayLogView<'a, V> {
        OverlayLogView {
            base,
            genesis: None,
            entries: BTreeMap::new(),
            participants: BTreeMap::new(),
            links: BTreeMap::new(),
            effects: Vec::new(),
        }
    }

    /// Applies an accepted statement's effects to the batch. A revocation reads the key's
    /// registration from the base, which may fail.
    pub fn apply(&mut self, effects: &[Effect]) -> Result<(), V::Error> {
        for effect in effects {
            match effect {
                Effect::Genesis(genesis) => self.genesis = Some(genesis.clone()),
                Effect::Entry(info) => {
                    self.entries.insert(info.index, info.clone());
                }
                Effect::Register(registration) => {
                    self.participants
                        .insert(registration.keyid, registration.clone());
                }
                Effect::Revoke { keyid, at } => {
                    if let Some(mut registration) = self.participant(keyid)? {
                        registration.revoked_at = Some(*at);
                        self.participants.insert(*keyid, registration);
                    }
                }
                Effect::Link {
                    kind,
                    subject,
                    entry,
                } => {
                    self.links.entry((*kind, *subject)).or_insert(*entry);
                }
            }
        }
        self.effects.extend_from_slice(effects);
        Ok(())
    }

    /// Every effect applied to this batch, in order.
    pub fn effects(&self) -> &[Effect] {
        &self.effects
    }

    /// The effects, consuming the batch.
    pub fn into_effects(self) -> Vec<Effect> {
        self.effects
    }
}

impl<V: LogView> LogView for OverlayLogView<'_, V> {
    type Error = V::Error;

    fn genesis(&self) -> Result<Option<GenesisInfo>, V::Error> {
        match &self.genesis {
            Some(genesis) => Ok(Some(genesis.clone())),
            None => self.base.genesis(),
        }
    }

    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, V::Error> {
        match self.participants.get(keyid) {
            Some(registration) => Ok(Some(registration.clone())),
            None => self.base.participant(keyid),
        }
    }

    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, V::Error> {
        match self.entries.get(&index) {
            Some(info) => Ok(Some(info.clone())),
            None => self.base.entry_info(index),
        }
    }

    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, V::Error> {
        // Everything in the base precedes the batch, so its link, if any, is the first.
        match self.base.first_link(kind, subject)? {
            Some(entry) => Ok(Some(entry)),
            None => Ok(self.links.get(&(kind, subject)).copied()),
        }
    }
}
