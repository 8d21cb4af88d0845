//! Every way a statement can break the rules, with the HTTP status and stable code each
//! maps to (docs/architecture.md "Log server": 403 not authorised, 422 bad reference, 409 conflict).

use crate::dsse::KeyId;
use crate::statement::{LogIndex, Org, Role, StatementKind};
use crate::time::UnixMillis;

/// Why a statement may not be logged at this point of the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    /// Entry 0 must be the genesis statement.
    #[error("entry 0 must be a genesis statement, not {kind}")]
    FirstEntryNotGenesis {
        /// The type offered.
        kind: StatementKind,
    },
    /// A genesis statement anywhere but entry 0.
    #[error("genesis is only allowed at entry 0, not at {index}")]
    GenesisNotFirst {
        /// Where it was offered.
        index: LogIndex,
    },
    /// Genesis names another origin than the log's.
    #[error("genesis origin {found:?} is not the log's origin {expected:?}")]
    OriginMismatch {
        /// The log's origin.
        expected: String,
        /// The genesis statement's origin.
        found: String,
    },
    /// Genesis must be signed by the operator key it registers.
    #[error("genesis is signed by {signer}, not by its operator key {operator}")]
    GenesisNotSelfSigned {
        /// The signer.
        signer: KeyId,
        /// The operator key's id.
        operator: KeyId,
    },
    /// The signer's key is not registered.
    #[error("signer {keyid} is not registered")]
    SignerNotRegistered {
        /// The signer.
        keyid: KeyId,
    },
    /// The signer's key was revoked.
    #[error("signer {keyid} was revoked at entry {revoked_at}")]
    SignerRevoked {
        /// The signer.
        keyid: KeyId,
        /// The revoking entry.
        revoked_at: LogIndex,
    },
    /// The signer's role may not sign this type.
    #[error("role {role} may not sign {kind} statements")]
    RoleNotAllowed {
        /// The signer's role.
        role: Role,
        /// The statement type.
        kind: StatementKind,
    },
    /// The statement's `org` is not the signer's registered organisation.
    #[error("statement org {statement:?} is not the signer's registered org {registered:?}")]
    OrgMismatch {
        /// The signer's organisation.
        registered: Org,
        /// The statement's `org`.
        statement: Org,
    },
    /// A release or withdrawal by another organisation than the submitter.
    #[error("submission {submission} belongs to {submitter:?}, not {org:?}")]
    NotSubmitter {
        /// The submission.
        submission: LogIndex,
        /// Who submitted it.
        submitter: Org,
        /// Who tried.
        org: Org,
    },
    /// A reveal by another organisation than the discloser.
    #[error("disclosure {disclosure} belongs to {discloser:?}, not {org:?}")]
    NotDiscloser {
        /// The disclosure.
        disclosure: LogIndex,
        /// Who disclosed.
        discloser: Org,
        /// Who tried.
        org: Org,
    },
    /// The referenced entry does not exist (before this one).
    #[error("entry {index} does not exist")]
    MissingReference {
        /// The index referenced.
        index: LogIndex,
    },
    /// The referenced entry has the wrong type.
    #[error("entry {index} is a {found}, not a {expected}")]
    WrongReferenceType {
        /// The index referenced.
        index: LogIndex,
        /// The type required.
        expected: StatementKind,
        /// The type it has.
        found: StatementKind,
    },
    /// The submission already has a decision.
    #[error("submission {submission} already has a decision (entry {decision})")]
    DecisionExists {
        /// The submission.
        submission: LogIndex,
        /// Its decision.
        decision: LogIndex,
    },
    /// The submission already has a release.
    #[error("submission {submission} was already released (entry {release})")]
    ReleaseExists {
        /// The submission.
        submission: LogIndex,
        /// Its release.
        release: LogIndex,
    },
    /// The disclosure was already revealed.
    #[error("disclosure {disclosure} was already revealed (entry {reveal})")]
    RevealExists {
        /// The disclosure.
        disclosure: LogIndex,
        /// Its reveal.
        reveal: LogIndex,
    },
    /// The submission was withdrawn: no determination, decision or second withdrawal.
    #[error("submission {submission} was withdrawn (entry {withdrawal})")]
    SubmissionWithdrawn {
        /// The submission.
        submission: LogIndex,
        /// Its withdrawal.
        withdrawal: LogIndex,
    },
    /// A release of a sealed submission without the model and salt that open it.
    #[error("submission {submission} is sealed: its release must carry model and salt")]
    CommitmentNotOpened {
        /// The submission.
        submission: LogIndex,
    },
    /// A release of an unsealed submission carries an opening.
    #[error("submission {submission} is not sealed: its release must not carry model and salt")]
    NotSealed {
        /// The submission.
        submission: LogIndex,
    },
    /// SHA-256(salt || digest) is not the referenced entry's commitment.
    #[error("salt and digest do not open the commitment of entry {index}")]
    OpeningMismatch {
        /// The sealed submission or disclosure.
        index: LogIndex,
    },
    /// Registering a key that was registered before (even if since revoked).
    #[error("key {keyid} was already registered at entry {registered_at}")]
    KeyAlreadyRegistered {
        /// The key.
        keyid: KeyId,
        /// Its registration.
        registered_at: LogIndex,
    },
    /// Revoking a key that was never registered.
    #[error("key {keyid} is not registered")]
    UnknownKey {
        /// The key.
        keyid: KeyId,
    },
    /// Revoking a key already revoked.
    #[error("key {keyid} was already revoked at entry {revoked_at}")]
    KeyAlreadyRevoked {
        /// The key.
        keyid: KeyId,
        /// The earlier revocation.
        revoked_at: LogIndex,
    },
    /// A revocation's member org or role differs from the registration's.
    #[error("revocation of {keyid} names another org or role than its registration")]
    RevocationMismatch {
        /// The key.
        keyid: KeyId,
    },
    /// `logged_at` went backwards along the log (the log's fault, never the signer's).
    #[error("logged_at {logged_at:?} is before the previous entry's {previous:?}")]
    LoggedAtDecreased {
        /// The previous entry's time.
        previous: UnixMillis,
        /// This entry's time.
        logged_at: UnixMillis,
    },
}

impl RuleViolation {
    /// The HTTP status docs/architecture.md "Log server" asks for: 403 not authorised, 422 bad
    /// reference (missing, wrong type, or a commitment that does not open), 409 conflict
    /// with the log's state, 500 for the log's own clock going backwards.
    pub fn http_status(&self) -> u16 {
        use RuleViolation::*;
        match self {
            GenesisNotSelfSigned { .. }
            | SignerNotRegistered { .. }
            | SignerRevoked { .. }
            | RoleNotAllowed { .. }
            | OrgMismatch { .. }
            | NotSubmitter { .. }
            | NotDiscloser { .. } => 403,
            OriginMismatch { .. }
            | MissingReference { .. }
            | WrongReferenceType { .. }
            | CommitmentNotOpened { .. }
            | NotSealed { .. }
            | OpeningMismatch { .. }
            | UnknownKey { .. }
            | RevocationMismatch { .. } => 422,
            FirstEntryNotGenesis { .. }
            | GenesisNotFirst { .. }
            | DecisionExists { .. }
            | ReleaseExists { .. }
            | RevealExists { .. }
            | SubmissionWithdrawn { .. }
            | KeyAlreadyRegistered { .. }
            | KeyAlreadyRevoked { .. } => 409,
            LoggedAtDecreased { .. } => 500,
        }
    }

    /// A stable snake_case code for the JSON error body and audit reports.
    pub fn code(&self) -> &'static str {
        use RuleViolation::*;
        match self {
            FirstEntryNotGenesis { .. } => "first_entry_not_genesis",
            GenesisNotFirst { .. } => "genesis_not_first",
            OriginMismatch { .. } => "origin_mismatch",
            GenesisNotSelfSigned { .. } => "genesis_not_self_signed",
            SignerNotRegistered { .. } => "signer_not_registered",
            SignerRevoked { .. } => "signer_revoked",
            RoleNotAllowed { .. } => "role_not_allowed",
            OrgMismatch { .. } => "org_mismatch",
            NotSubmitter { .. } => "not_submitter",
            NotDiscloser { .. } => "not_discloser",
            MissingReference { .. } => "missing_reference",
            WrongReferenceType { .. } => "wrong_reference_type",
            DecisionExists { .. } => "decision_exists",
            ReleaseExists { .. } => "release_exists",
            RevealExists { .. } => "reveal_exists",
            SubmissionWithdrawn { .. } => "submission_withdrawn",
            CommitmentNotOpened { .. } => "commitment_not_opened",
            NotSealed { .. } => "not_sealed",
            OpeningMismatch { .. } => "opening_mismatch",
            KeyAlreadyRegistered { .. } => "key_already_registered",
            UnknownKey { .. } => "unknown_key",
            KeyAlreadyRevoked { .. } => "key_already_revoked",
            RevocationMismatch { .. } => "revocation_mismatch",
            LoggedAtDecreased { .. } => "logged_at_decreased",
        }
    }
}
