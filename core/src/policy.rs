//! c2sp.org/tlog-policy (draft): which logs and witnesses to trust and what quorum of
//! witness cosignatures a checkpoint needs, and the check itself, which turns checkpoint
//! note bytes into a [`VerifiedCheckpoint`]. Pure: no I/O.
//!
//! ```text
//! log <vkey> [<url>]                       vkey name = the log's origin; type 0x01
//! witness <name> <vkey> [<url>]            type 0x04 (cosignature/v1)
//! group <name> all|any|<k> <member>...     1 <= k <= n; members defined on earlier lines
//! quorum <name>|none                       exactly one
//! # comment, blank lines; whitespace is spaces and tabs
//! ```
//!
//! Choices where the draft leaves room, all on the strict side:
//! * Key types: log keys must be Ed25519 (0x01) and witness keys cosignature/v1 (0x04),
//!   the only types we verify; a 0x01 vkey is never taken as a cosigner (unlike
//!   transparency-dev/formats).
//! * Duplicate keys (same public key bytes, whatever name or type) are rejected across
//!   logs *and* witnesses, since a log key must never double as a witness key.
//! * "Each defined name can be listed as a group member at most once" is read across
//!   the whole file, so a witness contributes to the quorum in exactly one way.
//! * Names and URLs must be UTF-8 (compared byte-wise, as the draft says); comments may
//!   hold any byte but the forbidden control characters. A missing final newline is
//!   accepted, as sigsum's parser does.

use std::fmt;

use crate::checkpoint::{Checkpoint, CheckpointError};
use crate::note::{KeyType, Note, NoteError, VerifierKey};
use crate::time::UnixSeconds;

mod builder;

use builder::Builder;

/// The predefined quorum name meaning "no cosignature needed".
const NONE: &str = "none";

/// The most witnesses [`Policy::quorums_intersect`] checks (2^16 splits).
pub const MAX_WITNESSES_FOR_INTERSECTION: usize = 16;

/// The group name [`Policy::new`] gives its k-of-n witness group.
const SIMPLE_GROUP: &str = "quorum";

/// What was wrong with a policy, or why a checkpoint does not satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A line of a policy file is invalid.
    #[error("policy line {line}: {problem}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        problem: PolicyLineError,
    },
    /// The policy file has no `quorum` line.
    #[error("policy has no quorum line")]
    MissingQuorum,
    /// A policy built by [`Policy::new`] is invalid.
    #[error("invalid policy: {0}")]
    Invalid(PolicyLineError),
    /// The checkpoint note is not a valid note, or a configured key's line fails.
    #[error(transparent)]
    Note(#[from] NoteError),
    /// The note's text is not a checkpoint.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// No log in the policy has this origin as its key name.
    #[error("no log in the policy has origin {origin:?}")]
    UnknownLog {
        /// The checkpoint's origin.
        origin: String,
    },
    /// The log's own signature is missing (only other keys signed).
    #[error("checkpoint for {origin:?} lacks a signature from the log")]
    MissingLogSignature {
        /// The checkpoint's origin.
        origin: String,
    },
    /// Too few witnesses cosigned for the quorum.
    #[error("quorum not met: {cosigned} known witnesses cosigned")]
    QuorumNotMet {
        /// How many distinct known witnesses did cosign.
        cosigned: usize,
    },
}

/// What is wrong with one policy line (or one part of a [`Policy::new`] policy).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyLineError {
    /// A control character other than tab (or DEL) appears.
    #[error("forbidden byte 0x{byte:02x}")]
    ForbiddenByte {
        /// The byte.
        byte: u8,
    },
    /// A keyword, name, key or URL is not UTF-8.
    #[error("a field is not UTF-8")]
    NotUtf8,
    /// The first word is not `log`, `witness`, `group` or `quorum`.
    #[error("unknown keyword {keyword:?}")]
    UnknownKeyword {
        /// The word found.
        keyword: String,
    },
    /// The line has too few or too many fields for its keyword.
    #[error("wrong number of fields for {keyword:?}")]
    WrongFieldCount {
        /// The line's keyword.
        keyword: &'static str,
    },
    /// The vkey does not parse.
    #[error("verifier key: {0}")]
    VerifierKey(NoteError),
    /// The vkey has the wrong signature type for its role.
    #[error("key is {got}, expected {expected}")]
    WrongKeyType {
        /// The type this role needs.
        expected: KeyType,
        /// The type found.
        got: KeyType,
    },
    /// The same public key appears twice.
    #[error("public key of {name:?} is already in the policy")]
    DuplicateKey {
        /// The duplicate vkey's key name.
        name: String,
    },
    /// A witness or group name is already defined (or is `none`).
    #[error("name {name:?} is already defined")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A group member or the quorum names nothing defined on an earlier line.
    #[error("name {name:?} is not defined on an earlier line")]
    UndefinedName {
        /// The name.
        name: String,
    },
    /// A name is listed as a group member a second time.
    #[error("{name:?} is already a group member")]
    DuplicateMember {
        /// The name.
        name: String,
    },
    /// The threshold is not `all`, `any` or a decimal k with 1 <= k <= n.
    #[error("invalid threshold {threshold:?} for {members} members")]
    InvalidThreshold {
        /// The threshold as written.
        threshold: String,
        /// How many members the group has.
        members: usize,
    },
    /// A second `quorum` line.
    #[error("quorum is already defined")]
    DuplicateQuorum,
}

/// A log the policy trusts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PolicyLog {
    key: VerifierKey,
    url: Option<String>,
}

impl PolicyLog {
    /// The log's Ed25519 key; its name is the log's origin.
    pub fn key(&self) -> &VerifierKey {
        &self.key
    }

    /// The log's URL, if the policy gives one (application-specific meaning).
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

/// A witness the policy knows.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PolicyWitness {
    name: String,
    key: VerifierKey,
    url: Option<String>,
}

impl PolicyWitness {
    /// The witness's name in the policy (not necessarily its key name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The witness's cosignature/v1 key.
    pub fn key(&self) -> &VerifierKey {
        &self.key
    }

    /// The witness's submission prefix URL, if given.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Member {
    Witness(usize),
    Group(usize),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Threshold {
    All,
    Any,
    AtLeast(usize),
}

#[derive(Clone, PartialEq, Eq, Debug)]
struct Group {
    name: String,
    threshold: Threshold,
    members: Vec<Member>,
}

impl Group {
    fn k(&self) -> usize {
        match self.threshold {
            Threshold::All => self.members.len(),
            Threshold::Any => 1,
            Threshold::AtLeast(k) => k,
        }
    }
}

/// A trust policy: logs, witnesses, groups and the quorum. `Display` writes it back as
/// policy text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Policy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    groups: Vec<Group>,
    /// `None` is `quorum none`.
    quorum: Option<Member>,
}

impl Policy {
    /// Parses a tlog-policy file.
    pub fn parse(text: &[u8]) -> Result<Policy, PolicyError> {
        let mut builder = Builder::default();
        let mut quorum: Option<Option<Member>> = None;
        for (index, raw) in text.split(|&b| b == b'\n').enumerate() {
            let at = |problem| PolicyError::Line {
                line: index + 1,
                problem,
            };
            if let Some(&byte) = raw.iter().find(|&&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(at(PolicyLineError::ForbiddenByte { byte }));
            }
            let fields: Vec<&[u8]> = raw
                .split(|&b| b == b' ' || b == b'\t')
                .filter(|field| !field.is_empty())
                .collect();
            match fields.first() {
                None => continue,
                Some(first) if first.starts_with(b"#") => continue,
                Some(_) => {}
            }
            let fields = fields
                .into_iter()
                .map(std::str::from_utf8)
                .collect::<Result<Vec<&str>, _>>()
                .map_err(|_| at(PolicyLineError::NotUtf8))?;
            match fields.as_slice() {
                ["log", vkey] => builder.add_log(vkey, None),
                ["log", vkey, url] => builder.add_log(vkey, Some(url)),
                ["log", ..] => Err(PolicyLineError::WrongFieldCount { keyword: "log" }),
                ["witness", name, vkey] => builder.add_witness(name, vkey, None),
                ["witness", name, vkey, url] => builder.add_witness(name, vkey, Some(url)),
                ["witness", ..] => Err(PolicyLineError::WrongFieldCount { keyword: "witness" }),
                ["group", name, threshold, members @ ..] if !members.is_empty() => {
                    builder.add_group(name, threshold, members)
                }
                ["group", ..] => Err(PolicyLineError::WrongFieldCount { keyword: "group" }),
                ["quorum", name] => {
                    if quorum.is_some() {
                        Err(PolicyLineError::DuplicateQuorum)
                    } else {
                        builder.quorum(name).map(|member| quorum = Some(member))
                    }
                }
                ["quorum", ..] => Err(PolicyLineError::WrongFieldCount { keyword: "quorum" }),
                [keyword, ..] => Err(PolicyLineError::UnknownKeyword {
                    keyword: (*keyword).to_owned(),
                }),
                [] => unreachable!("blank lines were skipped above"),
            }
            .map_err(at)?;
        }
        let quorum = quorum.ok_or(PolicyError::MissingQuorum)?;
        Ok(builder.finish(quorum))
    }

    /// The simple policy: one log, some witnesses (named by their key names) and a
    /// quorum of `k` distinct witnesses; `k = 0` means no cosignature is needed.
    pub fn new(
        log: VerifierKey,
        witnesses: Vec<VerifierKey>,
        k: usize,
    ) -> Result<Policy, PolicyError> {
        let mut builder = Builder::default();
        builder
            .add_log_key(log, None)
            .map_err(PolicyError::Invalid)?;
        let names: Vec<String> = witnesses.iter().map(|w| w.name().to_string()).collect();
        for (name, key) in names.iter().zip(witnesses) {
            builder
                .add_witness_key(name, key, None)
                .map_err(PolicyError::Invalid)?;
        }
        if k == 0 {
            return Ok(builder.finish(None));
        }
        let members: Vec<&str> = names.iter().map(String::as_str).collect();
        builder
            .add_group(SIMPLE_GROUP, &k.to_string(), &members)
            .map_err(PolicyError::Invalid)?;
        let quorum = builder.quorum(SIMPLE_GROUP).map_err(PolicyError::Invalid)?;
        Ok(builder.finish(quorum))
    }

    /// The logs the policy trusts.
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The witnesses the policy knows.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// Whether a checkpoint needs at least one witness cosignature (`false` for
    /// `quorum none`): only then can a verifier call what it checked witnessed.
    pub fn requires_cosignatures(&self) -> bool {
        self.quorum.is_some()
    }

    /// Verifies a checkpoint note: it must parse, carry a valid signature from a log
    /// whose key name is the checkpoint's origin, no configured key's line may fail,
    /// and the verified witness cosignatures (each key once) must meet the quorum.
    pub fn verify_checkpoint(&self, note: &[u8]) -> Result<VerifiedCheckpoint, PolicyError> {
        let note = Note::parse(note)?;
        let checkpoint = Checkpoint::parse(note.text())?;
        let origin = checkpoint.origin();
        let log_keys: Vec<&VerifierKey> = self
            .logs
            .iter()
            .map(|log| &log.key)
            .filter(|key| key.name().as_str() == origin)
            .collect();
        if log_keys.is_empty() {
            return Err(PolicyError::UnknownLog {
                origin: origin.to_owned(),
            });
        }
        let keys: Vec<VerifierKey> = log_keys
            .iter()
            .map(|key| (*key).clone())
            .chain(self.witnesses.iter().map(|w| w.key.clone()))
            .collect();
        let missing_log = || PolicyError::MissingLogSignature {
            origin: origin.to_owned(),
        };
        let verification = note.verify(&keys).map_err(|e| match e {
            NoteError::NoVerifiedSignature => missing_log(),
            other => PolicyError::Note(other),
        })?;
        let log_key = verification
            .verified()
            .iter()
            .map(|v| v.key())
            .find(|key| log_keys.contains(key))
            .ok_or_else(missing_log)?
            .clone();
        let mut cosigned = vec![false; self.witnesses.len()];
        let mut cosignatures = Vec::new();
        for verified in verification.verified() {
            let Some(index) = self.witnesses.iter().position(|w| &w.key == verified.key()) else {
                continue;
            };
            let Some(timestamp) = verified.timestamp() else {
                continue;
            };
            cosigned[index] = true;
            cosignatures.push(VerifiedCosignature {
                witness: self.witnesses[index].name.clone(),
                key: verified.key().clone(),
                timestamp,
            });
        }
        if !self.quorum_met(&cosigned) {
            return Err(PolicyError::QuorumNotMet {
                cosigned: cosignatures.len(),
            });
        }
        Ok(VerifiedCheckpoint {
            checkpoint,
            note,
            log_key,
            cosignatures,
        })
    }

    /// Whether the policy needs at least one witness cosignature.
    pub fn needs_cosignature(&self) -> bool {
        !self.quorum_met(&vec![false; self.witnesses.len()])
    }

    /// Whether every two sets of witnesses that each meet the quorum share a witness (a
    /// majority quorum). Only then does a witness-time lower bound hold against a log
    /// that shows one quorum a newer tree and another a stale one (docs/threat-model.md,
    /// "Time bounds"). `false` for a policy that needs no cosignature, and, to stay on
    /// the safe side, for one with more than [`MAX_WITNESSES_FOR_INTERSECTION`]
    /// witnesses (the check tries every split of the witnesses in two).
    pub fn quorums_intersect(&self) -> bool {
        let n = self.witnesses.len();
        if !self.needs_cosignature() || n > MAX_WITNESSES_FOR_INTERSECTION {
            return false;
        }
        (0u32..(1u32 << n)).all(|set| {
            let side: Vec<bool> = (0..n).map(|i| set & (1 << i) != 0).collect();
            let other: Vec<bool> = side.iter().map(|b| !b).collect();
            !(self.quorum_met(&side) && self.quorum_met(&other))
        })
    }

    /// Groups are defined after their members, so one pass in order decides them all.
    fn quorum_met(&self, cosigned: &[bool]) -> bool {
        let mut group_met: Vec<bool> = Vec::with_capacity(self.groups.len());
        let is_met = |member: &Member, group_met: &[bool]| match *member {
            Member::Witness(i) => cosigned[i],
            Member::Group(i) => group_met[i],
        };
        for group in &self.groups {
            let count = group
                .members
                .iter()
                .filter(|member| is_met(member, &group_met))
                .count();
            group_met.push(count >= group.k());
        }
        match &self.quorum {
            None => true,
            Some(member) => is_met(member, &group_met),
        }
    }

    fn member_name(&self, member: Member) -> &str {
        match member {
            Member::Witness(i) => &self.witnesses[i].name,
            Member::Group(i) => &self.groups[i].name,
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for log in &self.logs {
            write!(f, "log {}", log.key)?;
            match &log.url {
                Some(url) => writeln!(f, " {url}")?,
                None => writeln!(f)?,
            }
        }
        for witness in &self.witnesses {
            write!(f, "witness {} {}", witness.name, witness.key)?;
            match &witness.url {
                Some(url) => writeln!(f, " {url}")?,
                None => writeln!(f)?,
            }
        }
        for group in &self.groups {
            write!(f, "group {} ", group.name)?;
            match group.threshold {
                Threshold::All => write!(f, "all")?,
                Threshold::Any => write!(f, "any")?,
                Threshold::AtLeast(k) => write!(f, "{k}")?,
            }
            for member in &group.members {
                write!(f, " {}", self.member_name(*member))?;
            }
            writeln!(f)?;
        }
        match self.quorum {
            None => writeln!(f, "quorum {NONE}"),
            Some(member) => writeln!(f, "quorum {}", self.member_name(member)),
        }
    }
}

/// A checkpoint that satisfied a [`Policy`]: the only way to get one is
/// [`Policy::verify_checkpoint`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
    log_key: VerifierKey,
    cosignatures: Vec<VerifiedCosignature>,
}

impl VerifiedCheckpoint {
    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// The note as received, every line kept (unknown ones too).
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The log key whose signature verified.
    pub fn log_key(&self) -> &VerifierKey {
        &self.log_key
    }

    /// Each known witness that cosigned, once, in order of appearance.
    pub fn cosignatures(&self) -> &[VerifiedCosignature] {
        &self.cosignatures
    }
}

/// A witness cosignature that verified.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VerifiedCosignature {
    witness: String,
    key: VerifierKey,
    timestamp: UnixSeconds,
}

impl VerifiedCosignature {
    /// The witness's name in the policy.
    pub fn witness(&self) -> &str {
        &self.witness
    }

    /// The witness's key.
    pub fn key(&self) -> &VerifierKey {
        &self.key
    }

    /// The time the witness signed (as it claims; checked as part of the signature).
    pub fn timestamp(&self) -> UnixSeconds {
        self.timestamp
    }
}

#[cfg(test)]
mod tests;
