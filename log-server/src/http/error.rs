//! The API's errors: a stable machine-readable `code`, a short human message, and the
//! HTTP status, decided in ONE place ([`status_of`]) so the docs/architecture.md table
//! (400/403/404/409/413/422/503) is one `match`. Bodies are
//! `{"error":{"code":"...","message":"..."}}`.
//!
//! Envelope, entry and rule errors keep docket-core's codes (`DsseError::code`,
//! `EntryError::code`, `RuleViolation::code`), so the server's answer and the verifier's
//! audit name a refusal the same way; [`status_of`] gives them the statuses core
//! documents (a test checks the two agree).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Error codes, as they appear in the JSON body. Clients and tests match on these.
pub mod code {
    /// The request body is larger than the configured limit.
    pub const TOO_LARGE: &str = "too_large";
    /// The body is not JSON, or not a DSSE envelope of the right shape.
    pub const MALFORMED_ENVELOPE: &str = "malformed_envelope";
    /// `payloadType` is not Docket's.
    pub const WRONG_PAYLOAD_TYPE: &str = "wrong_payload_type";
    /// The envelope does not carry exactly one signature.
    pub const SIGNATURE_COUNT: &str = "signature_count";
    /// A base64 field is not strict standard padded base64.
    pub const BAD_BASE64: &str = "bad_base64";
    /// The keyid is not 64 lowercase hex digits.
    pub const BAD_KEYID: &str = "bad_keyid";
    /// The signature is not 64 bytes.
    pub const WRONG_SIGNATURE_LENGTH: &str = "wrong_signature_length";
    /// The envelope's keyid does not match the key it is checked against.
    pub const KEYID_MISMATCH: &str = "keyid_mismatch";
    /// The envelope's payload is not a valid Docket statement.
    pub const MALFORMED_STATEMENT: &str = "malformed_statement";
    /// The entry would exceed the tlog-tiles 65,535-byte limit.
    pub const ENTRY_TOO_LARGE: &str = "entry_too_large";
    /// The DSSE signature does not verify (or the keyid does not match the key).
    pub const BAD_SIGNATURE: &str = "bad_signature";
    /// The write queue is full; retry after the `Retry-After` delay.
    pub const OVERLOADED: &str = "overloaded";
    /// The server is shutting down.
    pub const SHUTTING_DOWN: &str = "shutting_down";
    /// The log's clock jumped ahead further than its operator allows; nothing was
    /// logged (see `sequencer.max_clock_jump`).
    pub const CLOCK_JUMP: &str = "clock_jump";
    /// A malformed path or query (tile path, index, size).
    pub const BAD_REQUEST: &str = "bad_request";
    /// The resource does not exist (yet).
    pub const NOT_FOUND: &str = "not_found";
    /// Storage or signing failed on the server.
    pub const INTERNAL: &str = "internal";
    /// 503: the log stopped signing (a witness reported a larger tree; see
    /// docs/operations.md, "Start-up refusal").
    pub const LOG_HALTED: &str = "log_halted";
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// One of [`code`].
    pub code: &'static str,
    /// Human-readable detail, safe to show to the caller.
    pub message: String,
}

impl ApiError {
    /// An error with this code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status for this error.
    pub fn status(&self) -> StatusCode {
        status_of(self.code)
    }
}

/// THE status mapping: every error code's HTTP status.
pub fn status_of(code: &str) -> StatusCode {
    match code {
        code::TOO_LARGE | code::ENTRY_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
        code::MALFORMED_ENVELOPE
        | code::WRONG_PAYLOAD_TYPE
        | code::SIGNATURE_COUNT
        | code::BAD_BASE64
        | code::BAD_KEYID
        | code::WRONG_SIGNATURE_LENGTH
        | code::MALFORMED_STATEMENT
        | code::BAD_REQUEST => StatusCode::BAD_REQUEST,
        code::BAD_SIGNATURE
        | code::KEYID_MISMATCH
        // docket_core::rules: not authorised.
        | "genesis_not_self_signed"
        | "signer_not_registered"
        | "signer_revoked"
        | "role_not_allowed"
        | "org_mismatch"
        | "not_submitter"
        | "not_discloser" => StatusCode::FORBIDDEN,
        // docket_core::rules: bad reference or opening.
        "origin_mismatch"
        | "missing_reference"
        | "wrong_reference_type"
        | "commitment_not_opened"
        | "not_sealed"
        | "opening_mismatch"
        | "unknown_key"
        | "revocation_mismatch" => StatusCode::UNPROCESSABLE_ENTITY,
        // docket_core::rules: conflicts with the log's state.
        "first_entry_not_genesis"
        | "genesis_not_first"
        | "decision_exists"
        | "release_exists"
        | "reveal_exists"
        | "submission_withdrawn"
        | "key_already_registered"
        | "key_already_revoked" => StatusCode::CONFLICT,
        code::OVERLOADED | code::SHUTTING_DOWN | code::LOG_HALTED | code::CLOCK_JUMP => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        code::NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Seconds a client should wait before retrying an overloaded write.
pub const RETRY_AFTER_SECS: u32 = 1;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::json!({
            "error": { "code": self.code, "message": self.message }
        });
        let mut response = (status, axum::Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        // The detail goes to the log, not to the caller.
        tracing::error!(error = %err, "storage error");
        ApiError::new(code::INTERNAL, "storage error")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_and_envelope_codes_get_the_status_core_documents() {
        use docket_core::dsse::{DsseError, KeyId};
        use docket_core::merkle::Hash;
        use docket_core::rules::RuleViolation;
        use docket_core::statement::{LogIndex, Role, StatementKind};
        let keyid = KeyId(Hash([1; 32]));
        let violations = [
            RuleViolation::FirstEntryNotGenesis {
                kind: StatementKind::Submission,
            },
            RuleViolation::GenesisNotFirst { index: LogIndex(3) },
            RuleViolation::SignerNotRegistered { keyid },
            RuleViolation::SignerRevoked {
                keyid,
                revoked_at: LogIndex(2),
            },
            RuleViolation::RoleNotAllowed {
                role: Role::Developer,
                kind: StatementKind::Decision,
            },
            RuleViolation::MissingReference { index: LogIndex(9) },
            RuleViolation::WrongReferenceType {
                index: LogIndex(1),
                expected: StatementKind::Submission,
                found: StatementKind::Participant,
            },
            RuleViolation::DecisionExists {
                submission: LogIndex(1),
                decision: LogIndex(2),
            },
            RuleViolation::UnknownKey { keyid },
            RuleViolation::KeyAlreadyRevoked {
                keyid,
                revoked_at: LogIndex(4),
            },
            RuleViolation::OpeningMismatch { index: LogIndex(1) },
            RuleViolation::RevocationMismatch { keyid },
        ];
        for violation in violations {
            assert_eq!(
                status_of(violation.code()).as_u16(),
                violation.http_status(),
                "{violation:?}"
            );
        }
        let envelope_errors = [
            DsseError::Json {
                message: String::new(),
            },
            DsseError::WrongPayloadType {
                found: String::new(),
            },
            DsseError::SignatureCount { found: 2 },
            DsseError::BadBase64 { field: "payload" },
            DsseError::WrongSignatureLength { found: 3 },
            DsseError::BadSignature { keyid },
            DsseError::KeyIdMismatch {
                keyid,
                expected: keyid,
            },
        ];
        for err in envelope_errors {
            assert_eq!(status_of(err.code()).as_u16(), err.http_status(), "{err:?}");
        }
    }

    #[test]
    fn every_code_has_the_documented_status() {
        let table = [
            (code::TOO_LARGE, 413),
            (code::ENTRY_TOO_LARGE, 413),
            (code::MALFORMED_ENVELOPE, 400),
            (code::MALFORMED_STATEMENT, 400),
            (code::WRONG_PAYLOAD_TYPE, 400),
            (code::SIGNATURE_COUNT, 400),
            (code::BAD_BASE64, 400),
            (code::BAD_KEYID, 400),
            (code::WRONG_SIGNATURE_LENGTH, 400),
            (code::KEYID_MISMATCH, 403),
            (code::BAD_REQUEST, 400),
            (code::BAD_SIGNATURE, 403),
            (code::OVERLOADED, 503),
            (code::SHUTTING_DOWN, 503),
            (code::NOT_FOUND, 404),
            (code::INTERNAL, 500),
        ];
        for (code, status) in table {
            assert_eq!(status_of(code).as_u16(), status, "{code}");
        }
    }
}
