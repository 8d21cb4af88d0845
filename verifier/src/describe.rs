//! Plain-language descriptions of entries and statements for the human output, and the
//! JSON form reports embed (docs/formats.md gives the fields' meaning).

use docket_core::entry::Entry;
use docket_core::merkle::Hash;
use docket_core::statement::{Statement, SubmissionContent, statement_digest};
use serde::Serialize;

use crate::output::millis_utc;

/// An entry as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct EntrySummary {
    /// The entry's index.
    pub index: u64,
    /// The log's time, Unix milliseconds.
    pub logged_at: u64,
    /// The same, RFC 3339.
    pub logged_at_utc: String,
    /// RFC 6962 leaf hash (hex).
    pub leaf_hash: Hash,
    /// SHA-256 of the signed statement (hex).
    pub statement_digest: Hash,
    /// Key id of the signer (hex SHA-256 of the public key).
    pub signer_keyid: String,
    /// The statement type.
    pub kind: Option<String>,
    /// The statement, decoded (null if it does not parse).
    pub statement: Option<Statement>,
    /// One line for people.
    pub description: String,
}

impl EntrySummary {
    /// The summary of a decoded entry.
    pub fn of(index: u64, leaf_hash: Hash, entry: &Entry) -> EntrySummary {
        let statement = entry.envelope.unverified_statement().ok();
        let signer_keyid = entry
            .envelope
            .keyid()
            .map(|k| k.to_hex())
            .unwrap_or_default();
        EntrySummary {
            index,
            logged_at: entry.logged_at.0,
            logged_at_utc: millis_utc(entry.logged_at),
            leaf_hash,
            statement_digest: statement_digest(&entry.envelope.payload),
            signer_keyid,
            kind: statement.as_ref().map(|s| s.kind().to_string()),
            description: statement
                .as_ref()
                .map_or_else(|| "an unreadable statement".to_string(), describe),
            statement,
        }
    }

    /// Lines for people.
    pub fn human(&self) -> String {
        format!(
            "  entry:      #{}\n  says:       {}\n  logged at:  {} (the log's clock)\n  signer key: {}\n  statement digest: {}\n",
            self.index,
            self.description,
            self.logged_at_utc,
            self.signer_keyid,
            self.statement_digest.to_hex()
        )
    }
}

/// One sentence saying what a statement says.
pub fn describe(statement: &Statement) -> String {
    match statement {
        Statement::Genesis(s) => format!(
            "the log {:?} was started by {} with a review window of {}",
            s.origin,
            s.org,
            crate::output::days_text(s.review_window_secs)
        ),
        Statement::Participant(s) => format!(
            "{} {}s {} as {} (key {})",
            s.org,
            s.action,
            s.member.org,
            s.member.role,
            s.member.public_key.to_hex()
        ),
        Statement::Submission(s) => match &s.content {
            SubmissionContent::Model(m) => format!(
                "{} submitted model {} version {} (artifact SHA-256 {}) for review{}",
                s.org,
                m.name,
                m.version,
                m.sha256.to_hex(),
                s.planned_release
                    .map(|d| format!(", planned release {d}"))
                    .unwrap_or_default()
            ),
            SubmissionContent::Sealed(sealed) => format!(
                "{} submitted a sealed model (commitment {}) for review{}",
                s.org,
                sealed.commitment.to_hex(),
                s.planned_release
                    .map(|d| format!(", planned release {d}"))
                    .unwrap_or_default()
            ),
        },
        Statement::Determination(s) => format!(
            "{} determined submission #{} is {}a covered model ({} {} score {})",
            s.org,
            s.submission,
            if s.covered { "" } else { "not " },
            s.benchmark.name,
            s.benchmark.version,
            s.benchmark.score
        ),
        Statement::Decision(s) => {
            format!(
                "{} decided submission #{}: {} (findings: {} critical, {} high, {} medium, {} low){}",
                s.org,
                s.submission,
                s.outcome,
                s.findings.critical,
                s.findings.high,
                s.findings.medium,
                s.findings.low,
                s.summary
                    .as_ref()
                    .map(|t| format!(" — {t:?}"))
                    .unwrap_or_default()
            ) + &s
                .report_sha256
                .map(|h| format!("; full report SHA-256 {}", h.to_hex()))
                .unwrap_or_default()
        }
        Statement::Disclosure(s) => format!(
            "{} shared the findings of submission #{} with {} recipients in {} (advisory commitment {})",
            s.org,
            s.submission,
            s.recipients,
            s.sectors.join(", "),
            s.commitment.to_hex()
        ),
        Statement::Remediation(s) => format!(
            "{} reports remediation for disclosure #{}: {}",
            s.org, s.disclosure, s.status
        ),
        Statement::Reveal(s) => format!(
            "{} revealed the advisory of disclosure #{} (advisory SHA-256 {})",
            s.org,
            s.disclosure,
            s.advisory_sha256.to_hex()
        ),
        Statement::Release(s) => format!(
            "{} released the model of submission #{}",
            s.org, s.submission
        ),
        Statement::Withdrawal(s) => format!(
            "{} withdrew submission #{} from review{}",
            s.org,
            s.submission,
            s.reason
                .as_ref()
                .map(|r| format!(" ({r:?})"))
                .unwrap_or_default()
        ),
    }
}
