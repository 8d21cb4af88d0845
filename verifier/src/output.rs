//! What a verb prints: a human-readable text by default, one JSON object with `--json`.
//!
//! JSON shape, for every verb:
//! `{"verb": V, "verified": BOOL, "exit_code": N, "report": {...}}` on completion, or
//! `{"verb": V, "verified": false, "exit_code": N, "error": {"kind": K, "message": M,
//! "fork": {...}?}}` when the verb stopped. `kind` is `usage`, `io`, `fetch`,
//! `verification_failed` or `fork`.

use docket_core::policy::VerifiedCheckpoint;
use docket_core::time::{UnixMillis, UnixSeconds};
use serde::Serialize;

use crate::error::{VerifierError, exit_code};

/// A finished verb's report.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Whether everything checked verified (exit 0) or something failed (exit 1).
    pub verified: bool,
    /// The text for people.
    pub human: String,
    /// The report for scripts.
    pub json: serde_json::Value,
}

impl Outcome {
    /// An outcome from a serialisable report and its text.
    pub fn new<R: Serialize>(verified: bool, human: String, report: &R) -> Outcome {
        Outcome {
            verified,
            human,
            json: serde_json::to_value(report).expect("reports serialise"),
        }
    }
}

/// What to print, and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The process exit code.
    pub code: u8,
    /// Text for standard output.
    pub stdout: String,
    /// Text for standard error.
    pub stderr: String,
}

/// Renders a verb's result as text or JSON and picks the exit code.
pub fn render(verb: &str, result: &Result<Outcome, VerifierError>, json: bool) -> Rendered {
    let code = exit_code(&result.as_ref().map(|o| o.verified));
    match (result, json) {
        (Ok(outcome), false) => Rendered {
            code,
            stdout: ensure_newline(&outcome.human),
            stderr: String::new(),
        },
        (Ok(outcome), true) => Rendered {
            code,
            stdout: json_line(&serde_json::json!({
                "verb": verb,
                "verified": outcome.verified,
                "exit_code": code,
                "report": outcome.json,
            })),
            stderr: String::new(),
        },
        (Err(error), false) => Rendered {
            code,
            stdout: String::new(),
            stderr: ensure_newline(&format!("verifier {verb}: {error}")),
        },
        (Err(error), true) => {
            let mut body = serde_json::json!({
                "kind": error.kind(),
                "message": error.to_string(),
            });
            if let VerifierError::Fork(evidence) = error {
                body["fork"] = serde_json::to_value(evidence).expect("evidence serialises");
            }
            Rendered {
                code,
                stdout: json_line(&serde_json::json!({
                    "verb": verb,
                    "verified": false,
                    "exit_code": code,
                    "error": body,
                })),
                stderr: String::new(),
            }
        }
    }
}

fn json_line(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON values serialise");
    text.push('\n');
    text
}

fn ensure_newline(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// A verified checkpoint as reports show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckpointSummary {
    /// The log's origin.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash, base64.
    pub root: String,
    /// The witnesses whose cosignatures verified, with their times.
    pub cosignatures: Vec<CosignatureSummary>,
    /// The signed note, verbatim.
    pub note: String,
}

/// One verified witness cosignature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CosignatureSummary {
    /// The witness's name in the policy.
    pub witness: String,
    /// When it cosigned (Unix seconds).
    pub time: UnixSeconds,
    /// The same, RFC 3339.
    pub time_utc: String,
}

impl CheckpointSummary {
    /// The summary of a verified checkpoint.
    pub fn of(checkpoint: &VerifiedCheckpoint) -> CheckpointSummary {
        CheckpointSummary {
            origin: checkpoint.checkpoint().origin().to_string(),
            size: checkpoint.checkpoint().size(),
            root: checkpoint.checkpoint().root().to_base64(),
            cosignatures: checkpoint
                .cosignatures()
                .iter()
                .map(|c| CosignatureSummary {
                    witness: c.witness().to_string(),
                    time: c.timestamp(),
                    time_utc: seconds_utc(c.timestamp()),
                })
                .collect(),
            note: checkpoint.note().to_text(),
        }
    }

    /// Lines for people: size, root and each witness.
    pub fn human(&self) -> String {
        let mut text = format!(
            "  log:        {}\n  tree size:  {} entries\n  root hash:  {}\n",
            self.origin, self.size, self.root
        );
        if self.cosignatures.is_empty() {
            text.push_str("  witnesses:  none (the policy needs none)\n");
        }
        for c in &self.cosignatures {
            text.push_str(&format!(
                "  witnessed:  by {} at {}\n",
                c.witness, c.time_utc
            ));
        }
        text
    }
}

/// RFC 3339 for a log time, or the raw number if it is out of range.
pub fn millis_utc(time: UnixMillis) -> String {
    time.to_rfc3339()
        .unwrap_or_else(|_| format!("{} ms", time.0))
}

/// RFC 3339 for a cosignature time.
pub fn seconds_utc(time: UnixSeconds) -> String {
    millis_utc(time.to_millis())
}

/// A duration in milliseconds for people ("2 days 3 hours"), as every Docket program
/// prints them.
pub fn duration_text(millis: u64) -> String {
    docket_common::human::duration_text(millis)
}

/// A window in seconds for people: "30 days", "1 hour", never "0.0416 days".
pub fn days_text(secs: u64) -> String {
    docket_common::human::seconds_text(secs)
}
