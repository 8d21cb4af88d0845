//! `docket keygen --key FILE`: a new Ed25519 key pair (docs/architecture.md "Files and command
//! lines"): FILE holds the seed (mode 0600), FILE's `.pub` the public key.

use serde_json::json;

use super::Context;
use crate::error::ClientError;
use crate::keys::{pub_path, random_seed, write_key_pair};
use crate::output::Report;

/// Makes the key pair and reports the public key and keyid.
pub fn run(ctx: &Context<'_>) -> Result<Report, ClientError> {
    let path = ctx.globals.key.as_ref().ok_or_else(|| {
        ClientError::Usage("keygen needs --key FILE: where to write the new private key".into())
    })?;
    let key = write_key_pair(path, &random_seed()?)?;
    let public = pub_path(path);
    let public_key = key.public_key().to_hex();
    let keyid = key.keyid().to_hex();
    Ok(Report {
        human: vec![
            format!(
                "Wrote {} (private key, mode 0600) and {} (public key)",
                path.display(),
                public.display()
            ),
            format!("public key {public_key}"),
            format!("keyid      {keyid}"),
            format!(
                "Give {} to the log operator to be registered; never share {}.",
                public.display(),
                path.display()
            ),
        ],
        json: json!({
            "key_file": path,
            "public_key_file": public,
            "public_key": public_key,
            "keyid": keyid,
        }),
    })
}
