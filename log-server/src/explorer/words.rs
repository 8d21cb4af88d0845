//! Statements in words, and times and durations as people read them. Plain text only:
//! the templates escape everything they print.

use docket_core::time::UnixMillis;
use serde_json::Value;

/// An RFC 3339 time, or the raw milliseconds if out of range.
pub fn time(t: UnixMillis) -> String {
    t.to_rfc3339().unwrap_or_else(|_| format!("{} ms", t.0))
}

/// A duration in the largest units that matter: "3 days 4 h", "2 h 5 min", "45 s".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, hours, mins) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    match (days, hours, mins) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min {} s", secs % 60),
        (0, h, m) => format!("{h} h {m} min"),
        (1, h, _) => format!("1 day {h} h"),
        (d, h, _) => format!("{d} days {h} h"),
    }
}

fn text(value: &Value, key: &str) -> String {
    match &value[key] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn model(value: &Value) -> String {
    let m = &value["model"];
    if m.is_object() {
        format!(
            "model {} version {} (artifact SHA-256 {})",
            text(m, "name"),
            text(m, "version"),
            text(m, "sha256")
        )
    } else {
        format!(
            "a sealed model (commitment {})",
            text(&value["sealed"], "commitment")
        )
    }
}

/// One sentence saying what a decoded statement (as JSON) states.
pub fn statement(value: &Value) -> String {
    let org = text(value, "org");
    let sub = text(value, "submission");
    match value["type"].as_str().unwrap_or("") {
        "genesis" => format!(
            "{org} started the log {} with a review window of {}.",
            text(value, "origin"),
            duration(value["review_window_secs"].as_u64().unwrap_or(0) * 1000)
        ),
        "participant" => {
            let m = &value["member"];
            format!(
                "{org} {}ed a key for {} with the role {}.",
                text(value, "action").trim_end_matches('e'),
                text(m, "org"),
                text(m, "role")
            )
        }
        "submission" => {
            let release = match value["planned_release"].as_str() {
                Some(date) => format!(", planned for release on {date}"),
                None => String::new(),
            };
            format!("{org} submitted {} for review{release}.", model(value))
        }
        "determination" => {
            let b = &value["benchmark"];
            format!(
                "{org} determined that submission #{sub} {} a covered frontier model (benchmark {} {}, score {}).",
                if value["covered"] == Value::Bool(true) {
                    "is"
                } else {
                    "is not"
                },
                text(b, "name"),
                text(b, "version"),
                text(b, "score")
            )
        }
        "decision" => {
            let f = &value["findings"];
            let summary = match value["summary"].as_str() {
                Some(s) => format!(" Summary: {s}"),
                None => String::new(),
            };
            format!(
                "{org} decided submission #{sub}: {} (findings: {} critical, {} high, {} medium, {} low).{summary}",
                text(value, "outcome").replace('_', " "),
                text(f, "critical"),
                text(f, "high"),
                text(f, "medium"),
                text(f, "low")
            )
        }
        "disclosure" => {
            let sectors: Vec<String> = value["sectors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|s| s.as_str().unwrap_or("").to_string())
                        .collect()
                })
                .unwrap_or_default();
            format!(
                "{org} shared findings from submission #{sub} with {} recipients in the sectors: {}.",
                text(value, "recipients"),
                sectors.join(", ")
            )
        }
        "remediation" => format!(
            "{org} reported remediation for disclosure #{}: {}.",
            text(value, "disclosure"),
            text(value, "status").replace('_', " ")
        ),
        "reveal" => format!(
            "{org} revealed the advisory of disclosure #{} (advisory SHA-256 {}).",
            text(value, "disclosure"),
            text(value, "advisory_sha256")
        ),
        "release" => {
            let opened = if value["model"].is_object() {
                format!(", opening its commitment: {}", model(value))
            } else {
                String::new()
            };
            format!("{org} released the model of submission #{sub}{opened}.")
        }
        "withdrawal" => {
            let reason = match value["reason"].as_str() {
                Some(r) => format!(" Reason given: {r}"),
                None => String::new(),
            };
            format!("{org} withdrew submission #{sub} from review.{reason}")
        }
        other => format!("A statement of type {other}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(125_000), "2 min 5 s");
        assert_eq!(duration(7_500_000), "2 h 5 min");
        assert_eq!(duration(30 * 86_400_000), "30 days 0 h");
    }

    #[test]
    fn participant_actions_read_as_verbs() {
        let v = serde_json::json!({"type":"participant","org":"op","action":"register",
            "member":{"org":"acme","role":"developer"}});
        assert_eq!(
            statement(&v),
            "op registered a key for acme with the role developer."
        );
        let v = serde_json::json!({"type":"participant","org":"op","action":"revoke",
            "member":{"org":"acme","role":"developer"}});
        assert_eq!(
            statement(&v),
            "op revoked a key for acme with the role developer."
        );
    }
}
