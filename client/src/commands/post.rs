//! Signing, posting, and what follows a write: check the receipt, save it, move a fresh
//! salt to `<receipt-dir>/<index>.salt`, and say where the review stands.
//!
//! After the log answered, nothing that goes wrong locally undoes the write, so the
//! review-status lookup is best effort. A receipt is saved only after it verifies
//! against the envelope that was sent; one that does not is reported as an error
//! (exit 3) and not saved, so the receipt directory holds only receipts that check out.
//!
//! When the log answers 202 (the entry is logged but no checkpoint covering it has the
//! witness cosignatures its receipt policy asks for), the client asks
//! `GET /v1/receipts/<index>` again with backoff for up to `--receipt-wait` seconds,
//! and saves the final receipt once there is one; otherwise it saves nothing and says
//! so (exit 3): running the same command again later fetches it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use docket_core::dsse::{Envelope, SigningKey};
use docket_core::statement::{Statement, StatementKind};
use docket_core::time::UnixMillis;
use serde_json::{Value, json};

use super::Context;
use super::prepare::{Prepared, commitment_of, pending_salt_path, salt_path};
use super::status::StatusView;
use crate::error::ClientError;
use crate::output::{Report, duration_text, time_text};
use crate::receipt::{self, Receipt, ReceiptCheck, SavedReceipt};

/// `docket <statement command>`: sign with `--key`, post to `--log`.
pub fn sign_and_post(ctx: &Context<'_>, prepared: Prepared) -> Result<Report, ClientError> {
    let signed = ctx
        .signing_key()
        .and_then(|key| sign(&prepared.statement, &key));
    let envelope = match signed {
        Ok(envelope) => envelope,
        Err(err) => {
            // Nothing was sent: a salt drawn for this statement is of no use.
            if let Some(salt) = &prepared.new_salt_file {
                let _ = std::fs::remove_file(salt);
            }
            return Err(err);
        }
    };
    let result = post_envelope(ctx, &envelope);
    if let (Err(err), Some(salt)) = (&result, &prepared.new_salt_file) {
        settle_failed_salt(err, salt);
    }
    result
}

/// `docket sign <statement command>`: the envelope only, to `out` or standard output.
pub fn sign_only(
    ctx: &Context<'_>,
    prepared: Prepared,
    out: Option<&Path>,
) -> Result<Report, ClientError> {
    let key = ctx.signing_key()?;
    let envelope = sign(&prepared.statement, &key)?;
    let mut bytes = envelope.to_json();
    bytes.push(b'\n');
    let kind = prepared.statement.kind();
    let salt_note = prepared.new_salt_file.as_ref().map(|path| {
        format!(
            "The salt is saved in {}: keep it secret; `docket post` run from this directory \
             moves it next to the receipt.",
            path.display()
        )
    });
    let json_value = json!({
        "type": kind.as_str(),
        "keyid": key.keyid().to_hex(),
        "envelope_file": out,
        "salt_file": prepared.new_salt_file,
    });
    match out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|err| ClientError::file("envelope", path, err))?;
            let mut human = vec![format!(
                "Signed a {kind} statement with key {}; envelope written to {}",
                key.keyid(),
                path.display()
            )];
            human.push(format!("Post it with: docket post {}", path.display()));
            human.extend(salt_note);
            Ok(Report {
                human,
                json: json_value,
            })
        }
        None => {
            // The envelope is the output; notes go to standard error so a pipe gets JSON.
            if let Some(note) = salt_note {
                eprintln!("{note}");
            }
            let envelope: Value = serde_json::from_slice(&bytes).expect("an envelope is JSON");
            Ok(Report {
                human: vec![String::from_utf8_lossy(&bytes).trim_end().to_string()],
                json: envelope,
            })
        }
    }
}

/// `docket post ENVELOPE`: posts a signed envelope from a file.
pub fn post_file(ctx: &Context<'_>, path: &Path) -> Result<Report, ClientError> {
    let bytes = std::fs::read(path).map_err(|err| ClientError::file("envelope", path, err))?;
    let envelope =
        Envelope::from_json(&bytes).map_err(|err| ClientError::file("envelope", path, err))?;
    post_envelope(ctx, &envelope)
}

fn sign(statement: &Statement, key: &SigningKey) -> Result<Envelope, ClientError> {
    Envelope::sign(statement, key)
        .map_err(|err| ClientError::Build(crate::build::BuildError::Statement(err)))
}

/// What to do with a salt file this command wrote when the write failed: a refused
/// statement was not logged, so its salt is useless and removed; otherwise the log may
/// have logged it, so the salt is kept and the retry explained.
fn settle_failed_salt(err: &ClientError, salt: &Path) {
    if matches!(err, ClientError::Refused { .. }) {
        let _ = std::fs::remove_file(salt);
    } else {
        eprintln!(
            "note: the salt is kept in {}; to retry with the same statement run the same \
             command with --salt-file {}",
            salt.display(),
            salt.display()
        );
    }
}

fn post_envelope(ctx: &Context<'_>, envelope: &Envelope) -> Result<Report, ClientError> {
    let trust = ctx.trust()?;
    let client = ctx.client()?;
    let posted = client.post_statement(envelope.to_json())?;
    let (body, created) = if posted.is_final {
        (posted.body, posted.created)
    } else {
        let pending: crate::http::NotFinal = serde_json::from_slice(&posted.body)
            .map_err(|err| ClientError::BadAnswer(format!("202 answer: {err}")))?;
        let wait = Duration::from_secs(ctx.globals.receipt_wait);
        match wait_for_final(&client, pending.index, wait)? {
            Some(body) => (body, pending.created),
            None => {
                return Err(ClientError::NotFinal {
                    index: pending.index,
                    message: pending
                        .pending
                        .unwrap_or_else(|| "the log's witnesses have not cosigned yet".into()),
                });
            }
        }
    };
    let receipt = Receipt::parse(&body).map_err(|err| ClientError::BadAnswer(err.to_string()))?;
    let statement = envelope
        .unverified_statement()
        .map_err(|err| ClientError::BadAnswer(format!("the posted statement: {err}")))?;
    let dir = &ctx.globals.receipt_dir;
    // Checked against the envelope sent before anything is saved.
    let check = receipt.verify(Some(envelope), trust.as_ref())?;
    let saved = receipt::save(dir, &receipt, &body)?;
    let salt = move_pending_salt(ctx, &statement, receipt.index);
    let review = review_of(&statement, receipt.index)
        .and_then(|submission| fetch_review(&client, submission).map(|view| (submission, view)));
    Ok(describe(&Written {
        statement: &statement,
        created,
        check: &check,
        saved: &saved,
        salt,
        review,
    }))
}

/// Asks for the final receipt of entry `index` with exponential backoff (0.5 s doubling
/// to 8 s) until `wait` has passed; `None` if it is still not final. One request is
/// always made, even with a zero wait.
fn wait_for_final(
    client: &crate::http::LogClient,
    index: u64,
    wait: Duration,
) -> Result<Option<Vec<u8>>, ClientError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(500);
    loop {
        if let Some(body) = client.get_receipt(index)? {
            return Ok(Some(body));
        }
        let elapsed = started.elapsed();
        if elapsed >= wait {
            return Ok(None);
        }
        std::thread::sleep(delay.min(wait - elapsed));
        delay = (delay * 2).min(Duration::from_secs(8));
    }
}

/// Moves `<dir>/pending-<commitment>.salt` to `<dir>/<index>.salt`; the path the salt is
/// now at, if the statement commits and its salt was found.
fn move_pending_salt(ctx: &Context<'_>, statement: &Statement, index: u64) -> Option<PathBuf> {
    let commitment = commitment_of(statement)?;
    let pending = pending_salt_path(&ctx.globals.receipt_dir, &commitment);
    let target = salt_path(ctx, index);
    if !pending.exists() {
        return target.exists().then_some(target);
    }
    if target.exists() {
        // Same salt already filed (a retry): drop the duplicate; otherwise keep both.
        if std::fs::read(&target).ok() == std::fs::read(&pending).ok() {
            let _ = std::fs::remove_file(&pending);
            return Some(target);
        }
        return Some(pending);
    }
    match std::fs::rename(&pending, &target) {
        Ok(()) => Some(target),
        Err(_) => Some(pending),
    }
}

/// The submission whose review a statement belongs to.
fn review_of(statement: &Statement, index: u64) -> Option<u64> {
    match statement.kind() {
        StatementKind::Submission => Some(index),
        _ => match statement.reference() {
            Some((submission, StatementKind::Submission)) => Some(submission.0),
            _ => None,
        },
    }
}

fn fetch_review(client: &crate::http::LogClient, submission: u64) -> Option<StatusView> {
    let body = client
        .get_json(&format!("/v1/submissions/{submission}"))
        .ok()?;
    serde_json::from_slice(&body).ok()
}

/// Everything a write's report says.
struct Written<'a> {
    statement: &'a Statement,
    created: bool,
    check: &'a ReceiptCheck,
    saved: &'a SavedReceipt,
    salt: Option<PathBuf>,
    review: Option<(u64, StatusView)>,
}

fn describe(w: &Written<'_>) -> Report {
    let kind = w.statement.kind();
    let index = w.check.index;
    let at = time_text(w.check.logged_at);
    let mut first = if w.created {
        format!("Logged {kind} #{index} at {at}")
    } else {
        format!("Already logged: {kind} #{index} at {at} (the same statement was posted before)")
    };
    first.push_str(&format!("; receipt saved to {}", w.saved.proof.display()));
    let mut human = Vec::new();
    let mut review_json = Value::Null;
    if let Some((submission, view)) = &w.review {
        review_json = json!({
            "submission": submission,
            "status": view.status,
            "deadline": time_text(view.deadline),
            "deadline_ms": view.deadline.0,
        });
        if kind == StatementKind::Submission {
            first.push_str(&format!("; review deadline {}", time_text(view.deadline)));
        }
    }
    human.push(first);
    human.push(check_sentence(w.check));
    if let Some((submission, view)) = &w.review
        && kind != StatementKind::Submission
    {
        human.push(format!(
            "Submission #{submission} is now {}",
            view.status_sentence()
        ));
    }
    if let Some(salt) = &w.salt {
        let next = match kind {
            StatementKind::Disclosure => format!("`docket reveal --disclosure {index}` reads it"),
            _ => format!("`docket release --submission {index} --model ...` reads it"),
        };
        human.push(format!(
            "Salt saved in {}: keep it secret until you open the commitment; {next}.",
            salt.display()
        ));
    }
    Report {
        human,
        json: json!({
            "index": index,
            "type": kind.as_str(),
            "created": w.created,
            "logged_at": at,
            "logged_at_ms": w.check.logged_at.0,
            "receipt": w.saved.json,
            "proof": w.saved.proof,
            "checkpoint_size": w.check.tree_size,
            "log_signature_verified": w.check.signature_verified,
            "witness_cosignatures": w.check.cosignatures.iter()
                .map(|(name, time)| json!({"witness": name, "time": time.0}))
                .collect::<Vec<_>>(),
            "salt_file": w.salt,
            "review": review_json,
        }),
    }
}

/// One sentence on what the receipt check established.
pub fn check_sentence(check: &ReceiptCheck) -> String {
    let leaf = if check.leaf_from_entry {
        "entry"
    } else {
        "leaf hash"
    };
    if check.signature_verified {
        let witnesses = match check.cosignatures.len() {
            0 => "NOT witnessed: the trust policy requires no witness cosignature (quorum \
                  none), so a log showing you a different history would not be caught"
                .to_string(),
            n => format!(
                "cosigned by {n} witness{} ({})",
                if n == 1 { "" } else { "es" },
                check
                    .cosignatures
                    .iter()
                    .map(|(name, time)| format!(
                        "{name} at {}",
                        time_text(UnixMillis(time.0.saturating_mul(1000)))
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!(
            "Receipt verified: the {leaf} is in the log's signed checkpoint of size {}, {witnesses}",
            check.tree_size
        )
    } else {
        format!(
            "Receipt checked: the {leaf} is in the checkpoint of size {} (the log's signature \
             was not checked: pass --log-key to check it)",
            check.tree_size
        )
    }
}

impl StatusView {
    /// The status in words, e.g. "pending, 29 days 23 hours left (deadline ...)".
    pub fn status_sentence(&self) -> String {
        let deadline = time_text(self.deadline);
        match self.status.as_str() {
            "pending" => format!(
                "pending, {} left on the clock (deadline {deadline})",
                duration_text(self.deadline.0.saturating_sub(self.as_of.0))
            ),
            "overdue" => format!(
                "overdue: the deadline {deadline} passed {} ago with no decision",
                duration_text(self.as_of.0.saturating_sub(self.deadline.0))
            ),
            "decided_on_time" => format!("decided on time (deadline {deadline})"),
            "decided_late" => format!("decided late (deadline {deadline})"),
            "withdrawn" => format!("withdrawn (deadline was {deadline})"),
            other => format!("{other} (deadline {deadline})"),
        }
    }
}
