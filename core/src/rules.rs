//! The rules that decide whether a statement may be logged (roles, registration,
//! references, one decision per submission), as pure code that the
//! log server runs when accepting and the verifier runs when auditing, so both reach the
//! same verdict on the same log. docs/formats.md ("Rules") lists them for independent
//! verifiers.
//!
//! The caller owns the state behind a read-only [`LogView`] (RocksDB on the server, memory
//! in the verifier: [`MemoryLogView`]). For each entry, in log order:
//!
//! ```text
//! let verified = authenticate(&view, &envelope)?;           // signer's key, DSSE signature
//! let effects = check(&view, &verified, index, logged_at, origin)?;  // the rules
//! view.apply(&effects);                                      // the caller's write
//! ```
//!
//! A batch must apply each statement's effects before checking the next (see
//! [`OverlayLogView`]), so two decisions in one batch conflict as they would in two.
//! Pure: no I/O, clock or randomness; `logged_at` is an argument.

mod memory;
#[cfg(test)]
mod tests;
mod violation;

use crate::dsse::{DsseError, Envelope, KeyId, PublicKey, VerifiedStatement};
use crate::merkle::Hash;
use crate::statement::{
    Action, LogIndex, Org, Role, Statement, StatementKind, SubmissionContent, commitment,
};
use crate::time::UnixMillis;

pub use memory::{MemoryLogView, OverlayLogView};
pub use violation::RuleViolation;

/// A participant key as registered, with its revocation if any.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    /// The key id (SHA-256 of the key).
    pub keyid: KeyId,
    /// The Ed25519 key.
    pub public_key: PublicKey,
    /// The organisation the key acts for.
    pub org: Org,
    /// The role, which fixes the statement types the key may sign.
    pub role: Role,
    /// The entry that registered it (0 for the operator's genesis key).
    pub registered_at: LogIndex,
    /// The entry that revoked it: statements at later indexes are refused.
    pub revoked_at: Option<LogIndex>,
}

/// The log's parameters, from its genesis entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GenesisInfo {
    /// The log's origin.
    pub origin: String,
    /// The review window in seconds.
    pub review_window_secs: u64,
    /// The operator's organisation.
    pub operator_org: Org,
}

/// What the rules remember of each accepted entry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryInfo {
    /// The entry's index.
    pub index: LogIndex,
    /// The log's timestamp.
    pub logged_at: UnixMillis,
    /// The statement type.
    pub kind: StatementKind,
    /// The statement's (and so the signer's) organisation.
    pub org: Org,
    /// The signer.
    pub signer: KeyId,
    /// The earlier entry it is about (see [`Statement::reference`]).
    pub reference: Option<LogIndex>,
    /// The commitment a later statement opens: a sealed submission's or a disclosure's.
    pub commitment: Option<Hash>,
}

/// An update to the log's index that an accepted statement causes. The caller applies
/// them in order, with the entry, atomically.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Entry 0 fixed the log's parameters.
    Genesis(GenesisInfo),
    /// Remember this entry (every accepted statement has exactly one).
    Entry(EntryInfo),
    /// A key was registered (the operator's by genesis, others by `participant`).
    Register(Registration),
    /// A key was revoked by entry `at`.
    Revoke {
        /// The key revoked.
        keyid: KeyId,
        /// The revoking entry.
        at: LogIndex,
    },
    /// Entry `entry` of type `kind` refers to `subject` (a decision, release or withdrawal
    /// to its submission; a reveal to its disclosure). [`LogView::first_link`] answers
    /// from these.
    Link {
        /// The referring entry's type.
        kind: StatementKind,
        /// The entry referred to.
        subject: LogIndex,
        /// The referring entry.
        entry: LogIndex,
    },
}

/// Read access to what earlier entries established. Implementations see every entry
/// before the one being checked, and none after it.
pub trait LogView {
    /// Why a read failed (storage, not the statement's fault).
    type Error;

    /// The log's parameters, once entry 0 is logged.
    fn genesis(&self) -> Result<Option<GenesisInfo>, Self::Error>;

    /// The registration of a key, revoked or not.
    fn participant(&self, keyid: &KeyId) -> Result<Option<Registration>, Self::Error>;

    /// What an earlier entry was.
    fn entry_info(&self, index: LogIndex) -> Result<Option<EntryInfo>, Self::Error>;

    /// The earliest entry of type `kind` linked to `subject` (see [`Effect::Link`]).
    fn first_link(
        &self,
        kind: StatementKind,
        subject: LogIndex,
    ) -> Result<Option<LogIndex>, Self::Error>;

    /// The largest `logged_at` among the accepted entries before `index`: what the time
    /// rule compares with (docs/formats.md §5, rule 3). The default reads entry
    /// `index - 1`, which is right for a log whose every entry was accepted (the log
    /// server's); a verifier replaying a log that holds rejected entries overrides it,
    /// since a rejected entry counts for nothing, its time included.
    fn logged_at_before(&self, index: LogIndex) -> Result<Option<UnixMillis>, Self::Error> {
        match index.0.checked_sub(1) {
            None => Ok(None),
            Some(previous) => Ok(self
                .entry_info(LogIndex(previous))?
                .map(|info| info.logged_at)),
        }
    }
}

/// Why a statement was not accepted: a bad envelope, a broken rule, or a failed read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError<E> {
    /// The envelope is malformed or its signature does not verify (400/403).
    #[error(transparent)]
    Envelope(DsseError),
    /// A rule forbids the statement here (see [`RuleViolation::http_status`]).
    #[error(transparent)]
    Violation(RuleViolation),
    /// The view could not be read: not the statement's fault, retry later.
    #[error("reading the log's index failed: {0}")]
    View(E),
}

impl<E> From<RuleViolation> for RuleError<E> {
    fn from(violation: RuleViolation) -> Self {
        RuleError::Violation(violation)
    }
}

/// Finds the signer's key and verifies the envelope with it: a registered key (revoked
/// or not; `check` refuses revoked signers), or for a genesis statement the operator key
/// it carries. An unknown signer is `SignerNotRegistered` (`GenesisNotSelfSigned` for a
/// genesis statement signed by another key than its operator key).
pub fn authenticate<V: LogView>(
    view: &V,
    envelope: &Envelope,
) -> Result<VerifiedStatement, RuleError<V::Error>> {
    let keyid = *envelope.keyid().map_err(RuleError::Envelope)?;
    let key = match view.participant(&keyid).map_err(RuleError::View)? {
        Some(registration) => registration.public_key,
        None => match envelope.unverified_statement() {
            Ok(Statement::Genesis(genesis)) => {
                let operator = genesis.operator_key.keyid();
                if operator != keyid {
                    return Err(RuleViolation::GenesisNotSelfSigned {
                        signer: keyid,
                        operator,
                    }
                    .into());
                }
                genesis.operator_key
            }
            Ok(_) => return Err(RuleViolation::SignerNotRegistered { keyid }.into()),
            Err(e) => return Err(RuleError::Envelope(DsseError::Statement(e))),
        },
    };
    envelope.verify(&key).map_err(RuleError::Envelope)
}

/// Checks every rule for `statement` as entry `index` logged at `logged_at`, in a log
/// whose origin is `origin`, and returns the effects to apply if it is accepted.
pub fn check<V: LogView>(
    view: &V,
    statement: &VerifiedStatement,
    index: LogIndex,
    logged_at: UnixMillis,
    origin: &str,
) -> Result<Vec<Effect>, RuleError<V::Error>> {
    let body = statement.statement();
    let kind = body.kind();
    let signer = statement.keyid();
    let info = EntryInfo {
        index,
        logged_at,
        kind,
        org: body.org().clone(),
        signer,
        reference: body.reference().map(|(target, _)| target),
        commitment: match body {
            Statement::Submission(s) => match &s.content {
                SubmissionContent::Sealed(sealed) => Some(sealed.commitment),
                SubmissionContent::Model(_) => None,
            },
            Statement::Disclosure(s) => Some(s.commitment),
            _ => None,
        },
    };

    if index == LogIndex(0) {
        let Statement::Genesis(genesis) = body else {
            return Err(RuleViolation::FirstEntryNotGenesis { kind }.into());
        };
        if genesis.origin != origin {
            return Err(RuleViolation::OriginMismatch {
                expected: origin.to_string(),
                found: genesis.origin.clone(),
            }
            .into());
        }
        let operator = genesis.operator_key.keyid();
        if signer != operator {
            return Err(RuleViolation::GenesisNotSelfSigned { signer, operator }.into());
        }
        return Ok(vec![
            Effect::Genesis(GenesisInfo {
                origin: genesis.origin.clone(),
                review_window_secs: genesis.review_window_secs,
                operator_org: genesis.org.clone(),
            }),
            Effect::Entry(info),
            Effect::Register(Registration {
                keyid: operator,
                public_key: genesis.operator_key,
                org: genesis.org.clone(),
                role: Role::Operator,
                registered_at: index,
                revoked_at: None,
            }),
        ]);
    }
    if kind == StatementKind::Genesis {
        return Err(RuleViolation::GenesisNotFirst { index }.into());
    }

    // The log's clock must not run backwards: compared with the accepted entries before
    // this one (entries are checked in order).
    if let Some(previous) = view.logged_at_before(index).map_err(RuleError::View)?
        && logged_at < previous
    {
        return Err(RuleViolation::LoggedAtDecreased {
            previous,
            logged_at,
        }
        .into());
    }

    let registration = view
        .participant(&signer)
        .map_err(RuleError::View)?
        .ok_or(RuleViolation::SignerNotRegistered { keyid: signer })?;
    if let Some(revoked_at) = registration.revoked_at {
        return Err(RuleViolation::SignerRevoked {
            keyid: signer,
            revoked_at,
        }
        .into());
    }
    if registration.role != kind.signer_role() {
        return Err(RuleViolation::RoleNotAllowed {
            role: registration.role,
            kind,
        }
        .into());
    }
    if registration.org != *body.org() {
        return Err(RuleViolation::OrgMismatch {
            registered: registration.org,
            statement: body.org().clone(),
        }
        .into());
    }

    let target = match body.reference() {
        Some((target, expected)) => Some(referenced(view, target, expected, index)?),
        None => None,
    };
    let mut effects = vec![Effect::Entry(info)];
    let link = |subject: &EntryInfo| Effect::Link {
        kind,
        subject: subject.index,
        entry: index,
    };
    match (body, target) {
        (Statement::Participant(participant), _) => {
            effects.push(participant_effect(view, participant, index)?);
        }
        (Statement::Determination(_), Some(submission)) => {
            not_withdrawn(view, &submission)?;
            effects.push(link(&submission));
        }
        (Statement::Decision(_), Some(submission)) => {
            if let Some(decision) = first_link(view, StatementKind::Decision, &submission)? {
                return Err(RuleViolation::DecisionExists {
                    submission: submission.index,
                    decision,
                }
                .into());
            }
            not_withdrawn(view, &submission)?;
            effects.push(link(&submission));
        }
        (Statement::Disclosure(_), Some(submission)) => effects.push(link(&submission)),
        (Statement::Remediation(_), Some(disclosure)) => effects.push(link(&disclosure)),
        (Statement::Reveal(reveal), Some(disclosure)) => {
            if disclosure.org != reveal.org {
                return Err(RuleViolation::NotDiscloser {
                    disclosure: disclosure.index,
                    discloser: disclosure.org,
                    org: reveal.org.clone(),
                }
                .into());
            }
            if let Some(earlier) = first_link(view, StatementKind::Reveal, &disclosure)? {
                return Err(RuleViolation::RevealExists {
                    disclosure: disclosure.index,
                    reveal: earlier,
                }
                .into());
            }
            if disclosure.commitment != Some(commitment(&reveal.salt, &reveal.advisory_sha256)) {
                return Err(RuleViolation::OpeningMismatch {
                    index: disclosure.index,
                }
                .into());
            }
            effects.push(link(&disclosure));
        }
        (Statement::Release(release), Some(submission)) => {
            submitter_only(&submission, &release.org)?;
            if let Some(earlier) = first_link(view, StatementKind::Release, &submission)? {
                return Err(RuleViolation::ReleaseExists {
                    submission: submission.index,
                    release: earlier,
                }
                .into());
            }
            match (&submission.commitment, &release.opening) {
                (Some(sealed), Some(opening)) => {
                    if *sealed != commitment(&opening.salt, &opening.model.sha256) {
                        return Err(RuleViolation::OpeningMismatch {
                            index: submission.index,
                        }
                        .into());
                    }
                }
                (Some(_), None) => {
                    return Err(RuleViolation::CommitmentNotOpened {
                        submission: submission.index,
                    }
                    .into());
                }
                (None, Some(_)) => {
                    return Err(RuleViolation::NotSealed {
                        submission: submission.index,
                    }
                    .into());
                }
                (None, None) => {}
            }
            effects.push(link(&submission));
        }
        (Statement::Withdrawal(withdrawal), Some(submission)) => {
            submitter_only(&submission, &withdrawal.org)?;
            not_withdrawn(view, &submission)?;
            effects.push(link(&submission));
        }
        (Statement::Submission(_), _) => {}
        (Statement::Genesis(_), _) => unreachable!("genesis is handled above"),
        // `Statement::reference` gives a target for exactly the types matched above.
        (_, None) => unreachable!("a referring statement always has a target"),
    }
    Ok(effects)
}

/// [`authenticate`] then [`check`]: everything the log does before appending. At entry
/// 0 a statement other than genesis is reported as `FirstEntryNotGenesis` (rather than as
/// an unregistered signer, which it also is).
pub fn accept<V: LogView>(
    view: &V,
    envelope: &Envelope,
    index: LogIndex,
    logged_at: UnixMillis,
    origin: &str,
) -> Result<(VerifiedStatement, Vec<Effect>), RuleError<V::Error>> {
    if index == LogIndex(0)
        && let Ok(statement) = envelope.unverified_statement()
        && statement.kind() != StatementKind::Genesis
    {
        return Err(RuleViolation::FirstEntryNotGenesis {
            kind: statement.kind(),
        }
        .into());
    }
    let verified = authenticate(view, envelope)?;
    let effects = check(view, &verified, index, logged_at, origin)?;
    Ok((verified, effects))
}

/// The entry `target` (which must be earlier than `index`) of type `expected`.
fn referenced<V: LogView>(
    view: &V,
    target: LogIndex,
    expected: StatementKind,
    index: LogIndex,
) -> Result<EntryInfo, RuleError<V::Error>> {
    if target >= index {
        return Err(RuleViolation::MissingReference { index: target }.into());
    }
    let info = view
        .entry_info(target)
        .map_err(RuleError::View)?
        .ok_or(RuleViolation::MissingReference { index: target })?;
    if info.kind != expected {
        return Err(RuleViolation::WrongReferenceType {
            index: target,
            expected,
            found: info.kind,
        }
        .into());
    }
    Ok(info)
}

fn first_link<V: LogView>(
    view: &V,
    kind: StatementKind,
    subject: &EntryInfo,
) -> Result<Option<LogIndex>, RuleError<V::Error>> {
    view.first_link(kind, subject.index)
        .map_err(RuleError::View)
}

fn not_withdrawn<V: LogView>(view: &V, submission: &EntryInfo) -> Result<(), RuleError<V::Error>> {
    match first_link(view, StatementKind::Withdrawal, submission)? {
        Some(withdrawal) => Err(RuleViolation::SubmissionWithdrawn {
            submission: submission.index,
            withdrawal,
        }
        .into()),
        None => Ok(()),
    }
}

fn submitter_only(submission: &EntryInfo, org: &Org) -> Result<(), RuleViolation> {
    if submission.org != *org {
        return Err(RuleViolation::NotSubmitter {
            submission: submission.index,
            submitter: submission.org.clone(),
            org: org.clone(),
        });
    }
    Ok(())
}

fn participant_effect<V: LogView>(
    view: &V,
    participant: &crate::statement::Participant,
    index: LogIndex,
) -> Result<Effect, RuleError<V::Error>> {
    let member = &participant.member;
    let keyid = member.public_key.keyid();
    let existing = view.participant(&keyid).map_err(RuleError::View)?;
    match (participant.action, existing) {
        (Action::Register, None) => Ok(Effect::Register(Registration {
            keyid,
            public_key: member.public_key,
            org: member.org.clone(),
            role: member.role,
            registered_at: index,
            revoked_at: None,
        })),
        (Action::Register, Some(existing)) => Err(RuleViolation::KeyAlreadyRegistered {
            keyid,
            registered_at: existing.registered_at,
        }
        .into()),
        (Action::Revoke, None) => Err(RuleViolation::UnknownKey { keyid }.into()),
        (Action::Revoke, Some(existing)) => {
            if let Some(revoked_at) = existing.revoked_at {
                return Err(RuleViolation::KeyAlreadyRevoked { keyid, revoked_at }.into());
            }
            if existing.org != member.org || existing.role != member.role {
                return Err(RuleViolation::RevocationMismatch { keyid }.into());
            }
            Ok(Effect::Revoke { keyid, at: index })
        }
    }
}
