//! Domain indexes: what the rules and the read API need to look up without scanning
//! the log. Written in the same synced batch as the entries they describe, so they are
//! always exactly as current as the tree state. Values are small JSON records (easy to
//! inspect with `ldb`, and tiny next to the entries).
//!
//! | key | value |
//! |---|---|
//! | `K` keyid 32 | [`Registration`]: the key's registration (and revocation) |
//! | `t` idx u64 | [`EntryInfo`]: type, org, signer, reference, `logged_at`, commitment |
//! | `l` target u64 idx u64 | statement type name: entry `idx` refers to `target` |
//! | `s` target u64 kind u8 | idx u64: the first [`Effect::Link`] of that type to `target` |
//! | `p` idx u64 | [`ParticipantEvent`]: a registration or revocation, in log order |
//! | `g` | [`GenesisInfo`] |
//!
//! The records are docket-core's rule types, and [`DomainBatch`] is the
//! [`LogView`] the rules read: the store plus the batch so far.

use std::collections::HashMap;

use docket_core::dsse::{KeyId, PublicKey};
use docket_core::rules::{Effect, EntryInfo, GenesisInfo, LogView, Registration};
use docket_core::statement::{Action, LogIndex, Org, Role, StatementKind};
use docket_core::time::UnixMillis;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{LogStore, StoreError, read_u64, u64_key};

const KEY_PREFIX: u8 = b'K';
const SUMMARY_PREFIX: u8 = b't';
const LINK_PREFIX: u8 = b'l';
const SINGLE_PREFIX: u8 = b's';
const PARTICIPANT_PREFIX: u8 = b'p';
const GENESIS_KEY: &[u8] = b"g";

/// A registration or revocation, for the participants listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantEvent {
    /// The entry.
    pub index: u64,
    /// When it was logged.
    pub logged_at: UnixMillis,
    /// Register or revoke (genesis registers the operator).
    pub action: Action,
    /// The member's organisation.
    pub org: Org,
    /// The member's role.
    pub role: Role,
    /// The member's key.
    pub public_key: PublicKey,
    /// The member key's id.
    pub keyid: KeyId,
}

fn key_key(keyid: &KeyId) -> Vec<u8> {
    let mut key = Vec::with_capacity(33);
    key.push(KEY_PREFIX);
    key.extend_from_slice(keyid.0.as_bytes());
    key
}

fn link_key(target: u64, index: u64) -> Vec<u8> {
    let mut key = Vec::with_capacity(17);
    key.push(LINK_PREFIX);
    key.extend_from_slice(&target.to_be_bytes());
    key.extend_from_slice(&index.to_be_bytes());
    key
}

fn kind_byte(kind: StatementKind) -> u8 {
    // Position in docs/architecture.md's fixed order; stored, so never reorder `ALL`.
    StatementKind::ALL
        .iter()
        .position(|k| *k == kind)
        .expect("every kind is in ALL") as u8
}

fn single_key(target: u64, kind: StatementKind) -> Vec<u8> {
    let mut key = Vec::with_capacity(10);
    key.push(SINGLE_PREFIX);
    key.extend_from_slice(&target.to_be_bytes());
    key.push(kind_byte(kind));
    key
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("domain records always serialise")
}

fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt {
        what: what.to_string(),
    })
}

/// Domain index writes for one batch, with an overlay so later statements in the same
/// batch see earlier ones (two decisions in one batch conflict).
#[derive(Debug)]
pub struct DomainBatch<'a> {
    store: &'a LogStore,
    overlay: HashMap<Vec<u8>, Vec<u8>>,
    puts: Vec<(Vec<u8>, Vec<u8>)>,
}

impl<'a> DomainBatch<'a> {
    /// An empty batch over `store`.
    pub fn new(store: &'a LogStore) -> DomainBatch<'a> {
        DomainBatch {
            store,
            overlay: HashMap::new(),
            puts: Vec::new(),
        }
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.overlay.insert(key.clone(), value.clone());
        self.puts.push((key, value));
    }

    /// Applies one accepted statement's effects (in order), so the next statement of
    /// the batch sees them; `logged_at` dates the participant events.
    pub fn apply(&mut self, effects: &[Effect], logged_at: UnixMillis) -> Result<(), StoreError> {
        for effect in effects {
            match effect {
                Effect::Genesis(genesis) => self.put(GENESIS_KEY.to_vec(), encode(genesis)),
                Effect::Entry(info) => {
                    self.put(u64_key(SUMMARY_PREFIX, info.index.0).to_vec(), encode(info));
                    if let Some(target) = info.reference {
                        self.put(
                            link_key(target.0, info.index.0),
                            info.kind.as_str().as_bytes().to_vec(),
                        );
                    }
                }
                Effect::Register(registration) => {
                    self.put(key_key(&registration.keyid), encode(registration));
                    self.put_participant(&ParticipantEvent {
                        index: registration.registered_at.0,
                        logged_at,
                        action: Action::Register,
                        org: registration.org.clone(),
                        role: registration.role,
                        public_key: registration.public_key,
                        keyid: registration.keyid,
                    });
                }
                Effect::Revoke { keyid, at } => {
                    let mut registration =
                        self.participant_record(keyid)?
                            .ok_or_else(|| StoreError::Missing {
                                what: format!("registration of revoked key {}", keyid.to_hex()),
                            })?;
                    registration.revoked_at = Some(*at);
                    self.put(key_key(keyid), encode(&registration));
                    self.put_participant(&ParticipantEvent {
                        index: at.0,
                        logged_at,
                        action: Action::Revoke,
                        org: registration.org.clone(),
                        role: registration.role,
                        public_key: registration.public_key,
                        keyid: *keyid,
                    });
                }
                Effect::Link {
                    kind,
                    subject,
                    entry,
                } => {
                    if self.link(*kind, *subject)?.is_none() {
                        self.put(single_key(subject.0, *kind), entry.0.to_be_bytes().to_vec());
                    }
                }
            }
        }
        Ok(())
    }

    fn put_participant(&mut self, event: &ParticipantEvent) {
        self.put(
            u64_key(PARTICIPANT_PREFIX, event.index).to_vec(),
            encode(event),
        );
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.overlay.get(key) {
            Some(value) => Ok(Some(value.clone())),
            None => Ok(self.store.db().get(key)?),
        }
    }

    fn participant_record(&self, keyid: &KeyId) -> Result<Option<Registration>, StoreError> {
        self.get(&key_key(keyid))?
            .map(|bytes| decode(&bytes, "registration"))
            .transpose()
    }

    fn link(&self, kind: StatementKind, subject: LogIndex) -> Result<Option<LogIndex>, StoreError> {
        self.get(&single_key(subject.0, kind))?
            .map(|bytes| read_u64(&bytes, "first link").map(LogIndex))
            .transpose()
    }

    /// The writes to commit.
    pub fn into_puts(self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.puts
    }
}

impl LogView for DomainBatch<'_> {
    type Error = StoreError;

    fn genesis(&self) -> Result<Option<GenesisInfo>, StoreError> {
        self.get(GENESIS_KEY)?
            .map(|bytes| decode(&bytes, "genesis record"))
            .transpose()
    }

    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, StoreError> {
        self.participant_record(keyid)
    }

    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, StoreError> {
        self.get(&u64_key(SUMMARY_PREFIX, index.0))?
            .map(|bytes| decode(&bytes, "entry info"))
            .transpose()
    }

    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, StoreError> {
        self.link(kind, subject)
    }
}

impl LogStore {
    /// The rules' view of the committed log (no pending batch).
    pub fn view(&self) -> DomainBatch<'_> {
        DomainBatch::new(self)
    }

    /// Every entry referring to `target` with index below `size`, in log order, with
    /// its type (bounded by `limit`).
    pub fn links(
        &self,
        target: u64,
        size: u64,
        limit: usize,
    ) -> Result<Vec<(u64, StatementKind)>, StoreError> {
        self.scan(&link_key(target, 0), link_key(target, size), limit)?
            .into_iter()
            .map(|(key, value)| {
                let index = read_u64(&key[9..], "link key")?;
                let kind = std::str::from_utf8(&value)
                    .ok()
                    .and_then(StatementKind::from_name)
                    .ok_or_else(|| StoreError::Corrupt {
                        what: "link kind".into(),
                    })?;
                Ok((index, kind))
            })
            .collect()
    }

    /// Participant events from entry `from` on, below `size`, at most `limit`.
    pub fn participant_events(
        &self,
        from: u64,
        size: u64,
        limit: usize,
    ) -> Result<Vec<ParticipantEvent>, StoreError> {
        let start = u64_key(PARTICIPANT_PREFIX, from);
        let end = u64_key(PARTICIPANT_PREFIX, size).to_vec();
        self.scan(&start, end, limit)?
            .into_iter()
            .map(|(_, value)| decode(&value, "participant event"))
            .collect()
    }
}
