//! Builds a [`Policy`] definition by definition, in file order, enforcing the draft's
//! naming, reference and duplicate rules (see the parent module for our readings).

use std::collections::HashMap;

use super::{Group, Member, NONE, Policy, PolicyLineError, PolicyLog, PolicyWitness, Threshold};
use crate::note::{KeyType, VerifierKey};

/// Collects definitions in file order and enforces the naming and duplicate rules.
#[derive(Default)]
pub(super) struct Builder {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    names: HashMap<String, Member>,
    listed_members: Vec<Member>,
}

impl Builder {
    pub(super) fn add_log(&mut self, vkey: &str, url: Option<&str>) -> Result<(), PolicyLineError> {
        let key = VerifierKey::parse(vkey).map_err(PolicyLineError::VerifierKey)?;
        self.add_log_key(key, url)
    }

    pub(super) fn add_log_key(
        &mut self,
        key: VerifierKey,
        url: Option<&str>,
    ) -> Result<(), PolicyLineError> {
        self.check_key(&key, KeyType::Ed25519)?;
        self.logs.push(PolicyLog {
            key,
            url: url.map(str::to_owned),
        });
        Ok(())
    }

    pub(super) fn add_witness(
        &mut self,
        name: &str,
        vkey: &str,
        url: Option<&str>,
    ) -> Result<(), PolicyLineError> {
        let key = VerifierKey::parse(vkey).map_err(PolicyLineError::VerifierKey)?;
        self.add_witness_key(name, key, url)
    }

    pub(super) fn add_witness_key(
        &mut self,
        name: &str,
        key: VerifierKey,
        url: Option<&str>,
    ) -> Result<(), PolicyLineError> {
        self.check_new_name(name)?;
        self.check_key(&key, KeyType::CosignatureV1)?;
        self.names
            .insert(name.to_owned(), Member::Witness(self.witnesses.len()));
        self.witnesses.push(PolicyWitness {
            name: name.to_owned(),
            key,
            url: url.map(str::to_owned),
        });
        Ok(())
    }

    pub(super) fn add_group(
        &mut self,
        name: &str,
        threshold: &str,
        members: &[&str],
    ) -> Result<(), PolicyLineError> {
        self.check_new_name(name)?;
        let n = members.len();
        let threshold = match threshold {
            "all" => Threshold::All,
            "any" => Threshold::Any,
            k => match crate::checkpoint::parse_canonical_u64(k) {
                Some(k) if k >= 1 && k <= n as u64 => Threshold::AtLeast(k as usize),
                _ => {
                    return Err(PolicyLineError::InvalidThreshold {
                        threshold: k.to_owned(),
                        members: n,
                    });
                }
            },
        };
        let mut resolved = Vec::with_capacity(n);
        for member in members {
            let found = *self
                .names
                .get(*member)
                .ok_or_else(|| PolicyLineError::UndefinedName {
                    name: (*member).to_owned(),
                })?;
            if self.listed_members.contains(&found) {
                return Err(PolicyLineError::DuplicateMember {
                    name: (*member).to_owned(),
                });
            }
            self.listed_members.push(found);
            resolved.push(found);
        }
        self.names
            .insert(name.to_owned(), Member::Group(self.groups.len()));
        self.groups.push(Group {
            name: name.to_owned(),
            threshold,
            members: resolved,
        });
        Ok(())
    }

    /// Resolves the quorum name; `Ok(None)` is `none`.
    pub(super) fn quorum(&self, name: &str) -> Result<Option<Member>, PolicyLineError> {
        if name == NONE {
            return Ok(None);
        }
        self.names
            .get(name)
            .copied()
            .map(Some)
            .ok_or_else(|| PolicyLineError::UndefinedName {
                name: name.to_owned(),
            })
    }

    pub(super) fn finish(self, quorum: Option<Member>) -> Policy {
        Policy {
            logs: self.logs,
            witnesses: self.witnesses,
            groups: self.groups,
            quorum,
        }
    }

    fn check_new_name(&self, name: &str) -> Result<(), PolicyLineError> {
        if name == NONE || self.names.contains_key(name) {
            return Err(PolicyLineError::DuplicateName {
                name: name.to_owned(),
            });
        }
        Ok(())
    }

    fn check_key(&self, key: &VerifierKey, expected: KeyType) -> Result<(), PolicyLineError> {
        if key.key_type() != expected {
            return Err(PolicyLineError::WrongKeyType {
                expected,
                got: key.key_type(),
            });
        }
        let known = self
            .logs
            .iter()
            .map(|log| &log.key)
            .chain(self.witnesses.iter().map(|w| &w.key));
        for other in known {
            if other.public_key() == key.public_key() {
                return Err(PolicyLineError::DuplicateKey {
                    name: key.name().to_string(),
                });
            }
        }
        Ok(())
    }
}
