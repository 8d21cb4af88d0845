//! The client's errors and its exit codes, from the table every Docket program shares
//! (`docket_common::exit`, docs/conventions.md): 0 ok, 1 the log refused the statement
//! (4xx) or a receipt did not verify, 2 usage or local error (flags, files, keys), 3 the
//! log is unreachable, failed (5xx, 429) or answered something unreadable, 5 TLS (the
//! server's certificate was refused). [`ClientError::exit_code`] is the one place that
//! decides.

use std::path::PathBuf;

use crate::build::BuildError;
use crate::keys::KeyFileError;
use crate::receipt::ReceiptError;
use crate::salt::SaltFileError;

/// Exit code: the log refused (HTTP 4xx other than 429), or a receipt did not verify.
pub const EXIT_REFUSED: u8 = docket_common::exit::FAILED;
/// Exit code: bad flags or a local problem (file, key, statement).
pub const EXIT_USAGE: u8 = docket_common::exit::USAGE;
/// Exit code: the log is unreachable, overloaded, failed, or answered nonsense.
pub const EXIT_SERVER: u8 = docket_common::exit::UNAVAILABLE;
/// Exit code: the TLS handshake failed (certificate not trusted, expired, misnamed).
pub const EXIT_TLS: u8 = docket_common::exit::TLS;

/// Everything that can make a `docket` command fail.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// A flag is missing or flags contradict each other.
    #[error("{0}")]
    Usage(String),
    /// A local file could not be read or written.
    #[error("{what} {path}: {reason}")]
    File {
        /// What the file is for (`"receipt"`, `"envelope"`, ...).
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The operating system's or parser's message.
        reason: String,
    },
    /// A key file is missing, unreadable or malformed.
    #[error(transparent)]
    Key(#[from] KeyFileError),
    /// A salt file is missing, unreadable or malformed.
    #[error(transparent)]
    Salt(#[from] SaltFileError),
    /// The flags or file do not make a valid statement.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The log refused the request (HTTP 4xx): the statement was not logged.
    #[error("the log refused it ({status} {code}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error code, e.g. `decision_exists`.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The log could not be reached (connection refused, DNS, timeout).
    #[error("cannot reach the log at {url}: {reason}")]
    Unreachable {
        /// The URL tried.
        url: String,
        /// Why.
        reason: String,
    },
    /// The TLS handshake with the log failed: not temporary, the trust set-up must
    /// change (a CA file, the server's certificate).
    #[error("cannot talk to the log at {url} securely: {message}")]
    Tls {
        /// The URL tried.
        url: String,
        /// What was wrong and what to do.
        message: String,
    },
    /// The log answered with a server error (5xx) or asked to back off (429).
    #[error("the log failed ({status} {code}): {message}")]
    ServerFailed {
        /// HTTP status.
        status: u16,
        /// The server's error code, or `http_<status>` when the body had none.
        code: String,
        /// The server's message.
        message: String,
    },
    /// The log's answer is not what the API promises (bad JSON, a receipt that does not
    /// verify).
    #[error("the log's answer does not check out: {0}")]
    BadAnswer(String),
    /// A receipt (from the log or a file) does not verify.
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    /// The statement is logged, but the log has no witnessed checkpoint covering it yet,
    /// so there is no final receipt to save.
    #[error(
        "the statement is logged at index {index}, but its receipt is not final: {message}. \
         Nothing was saved. Run the same command again later (the log answers with the \
         existing entry's receipt once its witnesses have cosigned; nothing is logged twice)"
    )]
    NotFinal {
        /// The entry's index.
        index: u64,
        /// The log's explanation.
        message: String,
    },
}

impl ClientError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            ClientError::Usage(_)
            | ClientError::File { .. }
            | ClientError::Key(_)
            | ClientError::Salt(_)
            | ClientError::Build(_) => EXIT_USAGE,
            ClientError::Refused { .. } => EXIT_REFUSED,
            ClientError::Receipt(_) => EXIT_REFUSED,
            ClientError::Tls { .. } => EXIT_TLS,
            ClientError::Unreachable { .. }
            | ClientError::ServerFailed { .. }
            | ClientError::BadAnswer(_)
            | ClientError::NotFinal { .. } => EXIT_SERVER,
        }
    }

    /// The server's error code, if the server gave one.
    pub fn server_code(&self) -> Option<&str> {
        match self {
            ClientError::Refused { code, .. } | ClientError::ServerFailed { code, .. } => {
                Some(code)
            }
            _ => None,
        }
    }

    /// A file error from an I/O error.
    pub fn file(what: &'static str, path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        ClientError::File {
            what,
            path: path.into(),
            reason: err.to_string(),
        }
    }
}
