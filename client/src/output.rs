//! What a command prints: a [`Report`] holds both the sentences a person reads and the
//! JSON a script reads (`--json`), so every command produces both and `main` picks one.
//! Errors are printed here too, with the server's code and a hint.

use docket_core::time::UnixMillis;
use serde_json::{Value, json};

use crate::error::ClientError;
use crate::http::hint;

/// A command's result, in words and in JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Lines for people.
    pub human: Vec<String>,
    /// The same for scripts.
    pub json: Value,
}

impl Report {
    /// The text printed without `--json` (lines joined, ending in a newline).
    pub fn human_text(&self) -> String {
        let mut text = self.human.join("\n");
        text.push('\n');
        text
    }

    /// The text printed with `--json` (pretty JSON and a newline).
    pub fn json_text(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.json).expect("a JSON value always serialises");
        text.push('\n');
        text
    }
}

/// An error in words: the message, then the hint for the server's code if any.
pub fn error_human(err: &ClientError) -> String {
    let mut text = format!("error: {err}\n");
    if let Some(hint) = err.server_code().and_then(hint) {
        text.push_str(&format!("hint: {hint}\n"));
    }
    text
}

/// An error as JSON: `{"error":{"code","message","hint","status","exit_code"}}`; `code`
/// is the server's when it gave one, else `"local"`, `"unreachable"` or
/// `"bad_answer"`.
pub fn error_json(err: &ClientError) -> String {
    let (code, status) = match err {
        ClientError::Refused { status, code, .. }
        | ClientError::ServerFailed { status, code, .. } => (code.clone(), Some(*status)),
        ClientError::Unreachable { .. } => ("unreachable".to_string(), None),
        ClientError::Tls { .. } => ("tls".to_string(), None),
        ClientError::BadAnswer(_) | ClientError::Receipt(_) => ("bad_answer".to_string(), None),
        _ => ("local".to_string(), None),
    };
    let value = json!({
        "error": {
            "code": code,
            "message": err.to_string(),
            "hint": err.server_code().and_then(hint),
            "status": status,
            "exit_code": err.exit_code(),
        }
    });
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// RFC 3339 UTC text for a log time (milliseconds shown only when not zero).
pub fn time_text(at: UnixMillis) -> String {
    at.to_rfc3339()
        .unwrap_or_else(|_| format!("{} ms after the Unix epoch", at.0))
}

/// A duration in words, the two largest units ("29 days 23 hours"), as every Docket
/// program prints them.
pub fn duration_text(millis: u64) -> String {
    docket_common::human::duration_text(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(
            time_text(UnixMillis(1_780_401_600_250)),
            "2026-06-02T12:00:00.250Z"
        );
        assert_eq!(
            time_text(UnixMillis(1_780_401_600_000)),
            "2026-06-02T12:00:00Z"
        );
    }

    #[test]
    fn errors_show_the_server_code_and_a_hint() {
        let err = ClientError::Refused {
            status: 409,
            code: "decision_exists".into(),
            message: "submission 3 already has decision 5".into(),
        };
        let text = error_human(&err);
        assert!(text.starts_with(
            "error: the log refused it (409 decision_exists): submission 3 already has decision 5\nhint: "
        ), "{text}");
        let value: Value = serde_json::from_str(&error_json(&err)).unwrap();
        assert_eq!(value["error"]["code"], "decision_exists");
        assert_eq!(value["error"]["status"], 409);
        assert_eq!(value["error"]["exit_code"], 1);
        assert!(
            value["error"]["hint"]
                .as_str()
                .unwrap()
                .contains("at most one decision")
        );
        let local = ClientError::Usage("--org NAME is required".into());
        assert_eq!(error_human(&local), "error: --org NAME is required\n");
        let value: Value = serde_json::from_str(&error_json(&local)).unwrap();
        assert_eq!(value["error"]["code"], "local");
        assert_eq!(value["error"]["exit_code"], 2);
    }
}
