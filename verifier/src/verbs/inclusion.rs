//! `verifier inclusion`: prove an entry is in the log, found by index, by an entry file
//! (the logged bytes, or the signed DSSE envelope) or by statement digest. The inclusion
//! proof is computed here from tiles and checked against a verified, anchored checkpoint
//! (RFC 9162 §2.1.3.2). Finding the index by file or digest scans the entry bundles; the
//! scan is only a search, the proof is what counts.

use std::path::Path;

use docket_core::dsse::Envelope;
use docket_core::entry::Entry;
use docket_core::merkle::{self, Hash};
use docket_core::statement::statement_digest;
use docket_core::tiles::FULL_WIDTH;
use serde::Serialize;

use crate::Ctx;
use crate::describe::EntrySummary;
use crate::error::{VerifierError, VerifyError};
use crate::log::LogClient;
use crate::output::{CheckpointSummary, Outcome};
use crate::verbs::checkpoint::{AnchorHistory, latest_anchor};

/// What identifies the entry to prove.
enum Target {
    Index,
    Leaf { hash: Hash, source: String },
    Digest { digest: Hash },
}

#[derive(Serialize)]
struct Report {
    entry: EntrySummary,
    inclusion_proof: Vec<String>,
    checkpoint: CheckpointSummary,
    history: AnchorHistory,
}

/// Runs the verb.
pub fn run(
    ctx: &Ctx<'_>,
    index: Option<u64>,
    entry_file: Option<&Path>,
    digest: Option<&str>,
) -> Result<Outcome, VerifierError> {
    let target = match (entry_file, digest) {
        (Some(_), Some(_)) => {
            return Err(VerifierError::Usage(
                "give --entry or --digest, not both".into(),
            ));
        }
        (Some(path), None) => target_from_file(path)?,
        (None, Some(hex)) => Target::Digest {
            digest: Hash::from_hex(hex.trim()).map_err(|e| {
                VerifierError::Usage(format!("--digest must be 64 hex digits: {e}"))
            })?,
        },
        (None, None) if index.is_some() => Target::Index,
        (None, None) => {
            return Err(VerifierError::Usage(
                "say which entry: --index N, --entry FILE or --digest HEX".into(),
            ));
        }
    };
    let client = ctx.client()?;
    let anchor = latest_anchor(ctx, &client)?;
    let size = anchor.checkpoint.checkpoint().size();
    let index = match index {
        Some(index) => index,
        None => find(&client, size, &target)?,
    };
    let proven = client.proven_entry(index, &anchor.checkpoint)?;
    let entry =
        Entry::decode(&proven.bytes).map_err(|error| VerifyError::Entry { index, error })?;
    match &target {
        Target::Index => {}
        Target::Leaf { hash, source } => {
            if *hash != proven.leaf_hash {
                return Err(VerifyError::BundleEntryMismatch {
                    index,
                    path: source.clone(),
                    found: hash.to_hex(),
                    expected: proven.leaf_hash.to_hex(),
                }
                .into());
            }
        }
        Target::Digest { digest } => {
            let found = statement_digest(&entry.envelope.payload);
            if found != *digest {
                return Err(VerifyError::NotFound {
                    what: format!(
                        "entry {index} holds the statement with digest {}, not {}",
                        found.to_hex(),
                        digest.to_hex()
                    ),
                }
                .into());
            }
        }
    }
    let report = Report {
        entry: EntrySummary::of(index, proven.leaf_hash, &entry),
        inclusion_proof: proven.proof.iter().map(Hash::to_base64).collect(),
        checkpoint: CheckpointSummary::of(&anchor.checkpoint),
        history: anchor.history,
    };
    let human = format!(
        "Entry #{index} is in the log: its inclusion proof, computed from the log's tiles, leads to the root of a checkpoint {}.\n{}Checkpoint:\n{}{}",
        crate::witnessed::cosigned_text(&ctx.trust.policy),
        report.entry.human(),
        report.checkpoint.human(),
        report.history.human()
    );
    Ok(Outcome::new(true, human, &report))
}

/// Reads an entry file: the entry bytes as logged, or a DSSE envelope (JSON).
fn target_from_file(path: &Path) -> Result<Target, VerifierError> {
    let bytes = std::fs::read(path).map_err(|e| VerifierError::io(path, e))?;
    if Entry::decode(&bytes).is_ok() {
        return Ok(Target::Leaf {
            hash: merkle::leaf_hash(&bytes),
            source: format!("the entry file {}", path.display()),
        });
    }
    let trimmed = bytes.trim_ascii_end();
    match Envelope::from_json(trimmed) {
        Ok(envelope) => Ok(Target::Digest {
            digest: statement_digest(&envelope.payload),
        }),
        Err(e) => Err(VerifierError::io(
            path,
            format!("neither a logged entry nor a DSSE envelope ({e})"),
        )),
    }
}

/// Scans the entry bundles of the tree of `size` for the target (a search only).
fn find(client: &LogClient<'_>, size: u64, target: &Target) -> Result<u64, VerifierError> {
    let width = u64::from(FULL_WIDTH);
    for bundle in 0..size.div_ceil(width) {
        let (_, entries) = client.fetch_bundle(bundle, size)?;
        for (offset, bytes) in entries.iter().enumerate() {
            let hit = match target {
                Target::Index => false,
                Target::Leaf { hash, .. } => merkle::leaf_hash(bytes) == *hash,
                Target::Digest { digest } => Entry::decode(bytes)
                    .is_ok_and(|e| statement_digest(&e.envelope.payload) == *digest),
            };
            if hit {
                return Ok(bundle * width + offset as u64);
            }
        }
    }
    Err(VerifyError::NotFound {
        what: format!("no entry among the {size} entries of the verified checkpoint matches"),
    }
    .into())
}
