//! Talking to the log server (docs/architecture.md "Log server"): `POST /v1/statements` and the JSON
//! reads under `/v1/`, and turning its answers into [`ClientError`]s.
//!
//! The server answers errors as `{"error":{"code":"...","message":"..."}}`; the client
//! keeps the code and message verbatim and adds a hint saying what to do ([`hint`]).
//! A 4xx other than 429 means the statement was refused and not logged (exit 1); 429,
//! 5xx, a connection failure or a body that is not the promised JSON mean the log could
//! not answer (exit 3), and the same command can simply be run again; a TLS failure (an
//! untrusted or expired certificate) is exit 5, since retrying cannot help. Statements carry
//! no client timestamp, so a retry sends the same bytes and the log answers with the
//! existing receipt if the first attempt got through.

use std::time::Duration;

use crate::error::ClientError;

/// The default log URL (docs/architecture.md: the server listens on 127.0.0.1:8080 by default).
pub const DEFAULT_LOG_URL: &str = "http://127.0.0.1:8080";

/// How long to wait for the log: a write is answered only once the entry is durable and
/// witnessed, and the server gives each witness 2 s by default.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A log's HTTP API.
pub struct LogClient {
    base: String,
    http: reqwest::blocking::Client,
}

/// A write's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    /// 201: this request logged the entry; 200: it was already logged (202: see the
    /// body's `created`).
    pub created: bool,
    /// 200/201: the receipt is final; 202: the entry is logged but no checkpoint with
    /// the witnesses the log's receipt policy asks for covers it yet (no proof).
    pub is_final: bool,
    /// The receipt JSON (for 202, the index, entry and `pending` explanation).
    pub body: Vec<u8>,
}

/// The fields of a not-final (202) answer the client uses.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct NotFinal {
    /// The entry's index.
    pub index: u64,
    /// Whether this request logged the entry.
    #[serde(default)]
    pub created: bool,
    /// Why the receipt is not final.
    #[serde(default)]
    pub pending: Option<String>,
}

impl LogClient {
    /// A client for the log at `base` (e.g. `http://127.0.0.1:8080`), trusting the
    /// system's CAs.
    pub fn new(base: &str) -> Result<LogClient, ClientError> {
        LogClient::with_tls(base, &docket_common::https::TlsOptions::default())
    }

    /// A client for the log at `base`, trusting the system's CAs and `tls`'s CA file.
    pub fn with_tls(
        base: &str,
        tls: &docket_common::https::TlsOptions,
    ) -> Result<LogClient, ClientError> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ClientError::Usage(format!(
                "--log {base:?} is not an http:// or https:// URL"
            )));
        }
        let http = docket_common::https::blocking_builder(tls)
            .map_err(|err| ClientError::Usage(err.to_string()))?
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("docket/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ClientError::Usage(format!("cannot set up HTTP: {err}")))?;
        Ok(LogClient { base, http })
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `POST /v1/statements` with an envelope's JSON.
    pub fn post_statement(&self, envelope_json: Vec<u8>) -> Result<Posted, ClientError> {
        let url = format!("{}/v1/statements", self.base);
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(envelope_json)
            .send()
            .map_err(|err| unreachable(&url, &err))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .map_err(|err| unreachable(&url, &err))?
            .to_vec();
        match status {
            200..=202 => Ok(Posted {
                created: status == 201,
                is_final: status != 202,
                body,
            }),
            _ => Err(error_from_response(status, &body)),
        }
    }

    /// `GET /v1/receipts/{index}`: `Some(receipt JSON)` when final (200), `None` while
    /// not final (202).
    pub fn get_receipt(&self, index: u64) -> Result<Option<Vec<u8>>, ClientError> {
        let url = format!("{}/v1/receipts/{index}", self.base);
        let response = self
            .http
            .get(&url)
            .send()
            .map_err(|err| unreachable(&url, &err))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .map_err(|err| unreachable(&url, &err))?
            .to_vec();
        match status {
            200 => Ok(Some(body)),
            202 => Ok(None),
            _ => Err(error_from_response(status, &body)),
        }
    }

    /// `GET` a JSON path (e.g. `/v1/submissions/3`); the body of a 200.
    pub fn get_json(&self, path: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}{path}", self.base);
        let response = self
            .http
            .get(&url)
            .send()
            .map_err(|err| unreachable(&url, &err))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .map_err(|err| unreachable(&url, &err))?
            .to_vec();
        if status == 200 {
            Ok(body)
        } else {
            Err(error_from_response(status, &body))
        }
    }
}

fn unreachable(url: &str, err: &reqwest::Error) -> ClientError {
    let failure = docket_common::https::describe(err);
    match failure.kind {
        docket_common::https::FailureKind::Tls => ClientError::Tls {
            url: url.to_string(),
            message: failure.message,
        },
        _ => ClientError::Unreachable {
            url: url.to_string(),
            reason: failure.message,
        },
    }
}

/// The error body's shape.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}

/// Maps a non-success answer to an error: the server's code and message when the body
/// has them, `http_<status>` and the start of the body otherwise.
pub fn error_from_response(status: u16, body: &[u8]) -> ClientError {
    let (code, message) = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(parsed) => (parsed.error.code, parsed.error.message),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let snippet: String = text.trim().chars().take(200).collect();
            (format!("http_{status}"), snippet)
        }
    };
    if (400..500).contains(&status) && status != 429 {
        ClientError::Refused {
            status,
            code,
            message,
        }
    } else {
        ClientError::ServerFailed {
            status,
            code,
            message,
        }
    }
}

/// What to do about a server error code (docs/formats.md §5.1 lists the codes).
pub fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "signer_not_registered" => {
            "your key is not registered on this log: send your .pub file to the log operator, \
             who registers it with `docket participant add`"
        }
        "signer_revoked" => {
            "this key was revoked: make a new one with `docket keygen` and ask the operator to \
             register it"
        }
        "role_not_allowed" => {
            "your key's role may not sign this type (developers: submit, release, withdraw; \
             reviewers: determine, decide; coordinators: disclose, reveal; clearinghouse: \
             remediate; operator: participant)"
        }
        "org_mismatch" => {
            "--org must be exactly the organisation your key was registered for (see \
             GET /v1/participants on the log)"
        }
        "not_submitter" => {
            "only the organisation that made the submission can release or withdraw it"
        }
        "not_discloser" => "only the organisation that made the disclosure can reveal it",
        "missing_reference" => {
            "no earlier entry has that index: check the number (e.g. with `docket status`)"
        }
        "wrong_reference_type" => {
            "that index is an entry of another type: --submission takes a submission's index, \
             --disclosure a disclosure's"
        }
        "decision_exists" => {
            "a submission has at most one decision; see it with `docket status <submission>`"
        }
        "release_exists" => "the submission was already released",
        "reveal_exists" => "the disclosure was already revealed",
        "submission_withdrawn" => "the submission was withdrawn; see `docket status <submission>`",
        "commitment_not_opened" => {
            "the submission is sealed: give --model, --model-version, --artifact (or --sha256) \
             and --salt-file to open it"
        }
        "not_sealed" => "the submission is not sealed: release it with --submission only",
        "opening_mismatch" => {
            "the salt and document do not match the commitment: use the exact file and the \
             salt file saved when the statement was made"
        }
        "key_already_registered" => {
            "that key is already registered (a key is registered once in a log's life)"
        }
        "key_already_revoked" => "that key is already revoked",
        "unknown_key" => "that key was never registered on this log",
        "revocation_mismatch" => {
            "--member-org and --role must be exactly those the key was registered with"
        }
        "bad_signature" | "keyid_mismatch" => {
            "the signature does not verify: the envelope was changed after signing, or signed \
             with another key"
        }
        "entry_too_large" | "too_large" => {
            "statements must stay under 64 KiB: refer to large documents by their SHA-256"
        }
        "overloaded" | "shutting_down" => "the log is busy: run the same command again shortly",
        "genesis_not_first"
        | "first_entry_not_genesis"
        | "origin_mismatch"
        | "genesis_not_self_signed" => {
            "genesis is written by `log-server init`, not by participants"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_error_bodies_keep_code_and_message() {
        let body = br#"{"error":{"code":"decision_exists","message":"submission 3 already has decision 5"}}"#;
        assert_eq!(
            error_from_response(409, body),
            ClientError::Refused {
                status: 409,
                code: "decision_exists".into(),
                message: "submission 3 already has decision 5".into()
            }
        );
        assert_eq!(error_from_response(409, body).exit_code(), 1);
        let busy = br#"{"error":{"code":"overloaded","message":"queue full"}}"#;
        for status in [429, 503] {
            let err = error_from_response(status, busy);
            assert_eq!(err.exit_code(), 3, "{status}");
            assert_eq!(err.server_code(), Some("overloaded"));
        }
    }

    #[test]
    fn bodies_without_the_error_shape_get_an_http_code() {
        assert_eq!(
            error_from_response(502, b"  Bad Gateway\n"),
            ClientError::ServerFailed {
                status: 502,
                code: "http_502".into(),
                message: "Bad Gateway".into()
            }
        );
        assert_eq!(error_from_response(404, b"").exit_code(), 1);
    }

    #[test]
    fn every_rule_code_in_the_formats_doc_has_a_hint() {
        let doc = include_str!("../../docs/formats.md");
        let section = doc
            .split("### 5.1 Error codes")
            .nth(1)
            .and_then(|rest| rest.split("The envelope a client").next())
            .expect("formats.md has §5.1");
        let codes: Vec<&str> = section
            .lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .filter(|code| *code != "logged_at_decreased")
            .collect();
        assert!(codes.len() >= 20, "{codes:?}");
        for code in codes {
            assert!(hint(code).is_some(), "no hint for {code}");
        }
    }

    #[test]
    fn non_http_urls_are_usage_errors() {
        assert!(matches!(
            LogClient::new("127.0.0.1:8080"),
            Err(ClientError::Usage(_))
        ));
        assert_eq!(
            LogClient::new("http://127.0.0.1:8080/").unwrap().base(),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn a_closed_port_is_unreachable_exit_3() {
        // Bind and drop to find a port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let client = LogClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let err = client.get_json("/v1/participants").unwrap_err();
        assert!(matches!(err, ClientError::Unreachable { .. }), "{err:?}");
        assert_eq!(err.exit_code(), 3);
    }
}
