//! `docket receipt INDEX|FILE`: checks a saved receipt again, offline: the entry's leaf
//! hash, the inclusion proof, and with `--log-key` the checkpoint's signatures.

use serde_json::json;

use super::Context;
use super::post::check_sentence;
use crate::error::ClientError;
use crate::output::{Report, time_text};
use crate::receipt;

/// Loads and checks the receipt.
pub fn run(ctx: &Context<'_>, which: &str) -> Result<Report, ClientError> {
    let trust = ctx.trust()?;
    let (path, receipt, _) = receipt::load(&ctx.globals.receipt_dir, which)?;
    let check = receipt.verify(None, trust.as_ref())?;
    Ok(Report {
        human: vec![
            format!(
                "{}: entry #{} logged at {}",
                path.display(),
                check.index,
                time_text(check.logged_at)
            ),
            check_sentence(&check),
        ],
        json: json!({
            "receipt": path,
            "index": check.index,
            "logged_at": time_text(check.logged_at),
            "logged_at_ms": check.logged_at.0,
            "checkpoint_size": check.tree_size,
            "log_signature_verified": check.signature_verified,
            "witness_cosignatures": check.cosignatures.iter()
                .map(|(name, time)| json!({"witness": name, "time": time.0}))
                .collect::<Vec<_>>(),
        }),
    })
}
