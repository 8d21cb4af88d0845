//! `verifier bundle FILE`: verify, fully offline, a receipt (the JSON the log answers a
//! write with), a bare c2sp.org/tlog-proof@v1 (with `--entry FILE`), or a review bundle,
//! against the trust policy; then say what the entry (or record) says.
//!
//! For a receipt only the `entry` and `proof` fields are used: the leaf hash is computed
//! from the entry bytes, and the other fields (`index`, `leaf_hash`, `logged_at`,
//! `statement`) must agree with what was verified, else the receipt is reported as
//! inconsistent.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_core::entry::Entry;
use docket_core::merkle::{self, Hash};
use docket_core::proof::TlogProof;
use serde::Serialize;

use crate::Ctx;
use crate::describe::EntrySummary;
use crate::error::{VerifierError, VerifyError};
use crate::evidence::{self, ReviewBundle};
use crate::output::{CheckpointSummary, Outcome};
use crate::verbs::review;

#[derive(Serialize)]
struct Report {
    kind: &'static str,
    entry: EntrySummary,
    checkpoint: CheckpointSummary,
    inclusion_proof: Vec<String>,
}

/// Runs the verb.
pub fn run(
    ctx: &Ctx<'_>,
    file: &Path,
    entry_file: Option<&Path>,
) -> Result<Outcome, VerifierError> {
    let bytes = std::fs::read(file).map_err(|e| VerifierError::io(file, e))?;
    let bad = |what: String| VerifierError::from(VerifyError::Bundle { what });
    let (kind, proof_text, entry_bytes, receipt) = if bytes.trim_ascii_start().starts_with(b"{") {
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("{} is not valid JSON: {e}", file.display())))?;
        if value.get("format").is_some() {
            let bundle: ReviewBundle = serde_json::from_value(value)
                .map_err(|e| bad(format!("{} is not a review bundle: {e}", file.display())))?;
            let verified = evidence::verify(&bundle, &ctx.trust.policy, ctx.now)?;
            return Ok(review::outcome(verified, None, None, true));
        }
        let proof = value["proof"].as_str().ok_or_else(|| {
            bad(format!(
                "{}: a receipt needs a \"proof\" field",
                file.display()
            ))
        })?;
        let entry = value["entry"].as_str().ok_or_else(|| {
            bad(format!(
                "{}: a receipt needs an \"entry\" field",
                file.display()
            ))
        })?;
        let entry = BASE64
            .decode(entry)
            .map_err(|e| bad(format!("receipt entry is not base64: {e}")))?;
        ("receipt", proof.as_bytes().to_vec(), entry, Some(value))
    } else {
        let path = entry_file.ok_or_else(|| {
            VerifierError::Usage("a bare tlog-proof needs the entry it proves: --entry FILE".into())
        })?;
        let entry = std::fs::read(path).map_err(|e| VerifierError::io(path, e))?;
        ("tlog-proof", bytes, entry, None)
    };
    let proof = TlogProof::parse(&proof_text).map_err(VerifyError::from)?;
    let leaf_hash = merkle::leaf_hash(&entry_bytes);
    let verified = proof
        .verify(&ctx.trust.policy, &leaf_hash)
        .map_err(VerifyError::from)?;
    let index = proof.index();
    let entry = Entry::decode(&entry_bytes).map_err(|error| VerifyError::Entry { index, error })?;
    if let Some(receipt) = &receipt {
        check_receipt(receipt, index, &leaf_hash, &entry)?;
    }
    let report = Report {
        kind,
        entry: EntrySummary::of(index, leaf_hash, &entry),
        checkpoint: CheckpointSummary::of(verified.checkpoint()),
        inclusion_proof: proof
            .inclusion_proof()
            .iter()
            .map(Hash::to_base64)
            .collect(),
    };
    let human = format!(
        "Verified offline: this {kind} proves entry #{index} is in the log (the inclusion proof leads to the root of a checkpoint {}).\n{}Checkpoint:\n{}",
        crate::witnessed::cosigned_text(&ctx.trust.policy),
        report.entry.human(),
        report.checkpoint.human()
    );
    Ok(Outcome::new(true, human, &report))
}

/// The receipt's other fields must agree with what was verified.
fn check_receipt(
    receipt: &serde_json::Value,
    index: u64,
    leaf_hash: &Hash,
    entry: &Entry,
) -> Result<(), VerifyError> {
    let bad = |what: String| VerifyError::Bundle { what };
    if let Some(stated) = receipt.get("index")
        && stated.as_u64() != Some(index)
    {
        return Err(bad(format!(
            "receipt says index {stated}, its proof is for {index}"
        )));
    }
    if let Some(stated) = receipt.get("leaf_hash")
        && stated.as_str() != Some(leaf_hash.to_hex().as_str())
    {
        return Err(bad(format!(
            "receipt says leaf hash {stated}, its entry hashes to {}",
            leaf_hash.to_hex()
        )));
    }
    if let Some(stated) = receipt.get("logged_at")
        && stated.as_u64() != Some(entry.logged_at.0)
    {
        return Err(bad(format!(
            "receipt says logged_at {stated}, its entry says {}",
            entry.logged_at.0
        )));
    }
    Ok(())
}
