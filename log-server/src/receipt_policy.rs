//! The receipt policy: which witnesses, and how many of them, must cosign a checkpoint
//! before the log calls a receipt against it final (docs/operations.md, "Receipt
//! policy"). A write whose checkpoint falls short is durable and has its index, but is
//! answered "not yet final" (202) without a proof, so nobody holds a receipt that
//! `verifier bundle` would later refuse; `GET /v1/receipts/<index>` gives the final one
//! once a checkpoint meets the policy.
//!
//! Counting is done on the merged note itself (each policy key once, each line verified),
//! never on what a witness client reported, so a witness cannot inflate or hide the count.

use docket_core::cosignature;
use docket_core::note::{Note, VerifierKey};

/// Which witness keys count, and how many must cosign.
#[derive(Debug, Clone)]
pub struct ReceiptPolicy {
    witnesses: Vec<VerifierKey>,
    quorum: usize,
}

impl ReceiptPolicy {
    /// A policy over `witnesses` (all configured ones when `names` is `None`, else those
    /// whose key name is listed) needing `quorum` of them (default: all). `Err` says
    /// which setting is wrong.
    pub fn new(
        configured: &[VerifierKey],
        names: Option<&[String]>,
        quorum: Option<usize>,
    ) -> Result<ReceiptPolicy, String> {
        let witnesses: Vec<VerifierKey> = match names {
            None => configured.to_vec(),
            Some(names) => {
                let mut chosen = Vec::new();
                for name in names {
                    let key = configured
                        .iter()
                        .find(|key| key.name().as_str() == name)
                        .ok_or_else(|| {
                            format!(
                                "receipts.witnesses names {name:?}, which is not a configured \
                                 witness key name"
                            )
                        })?;
                    if chosen.contains(key) {
                        return Err(format!("receipts.witnesses lists {name:?} twice"));
                    }
                    chosen.push(key.clone());
                }
                chosen
            }
        };
        let quorum = quorum.unwrap_or(witnesses.len());
        if quorum > witnesses.len() {
            return Err(format!(
                "receipts.quorum is {quorum} but only {} receipt witnesses are configured",
                witnesses.len()
            ));
        }
        if quorum == 0 && !witnesses.is_empty() {
            return Err("receipts.quorum must be at least 1 when witnesses are configured".into());
        }
        Ok(ReceiptPolicy { witnesses, quorum })
    }

    /// How many receipt witnesses must cosign.
    pub fn quorum(&self) -> usize {
        self.quorum
    }

    /// The receipt witnesses' key names, for messages.
    pub fn names(&self) -> Vec<String> {
        self.witnesses
            .iter()
            .map(|key| key.name().as_str().to_string())
            .collect()
    }

    /// How many distinct receipt witnesses have a verifying cosignature in `note`.
    pub fn cosigned(&self, note: &Note) -> usize {
        count_cosigned(&self.witnesses, note)
    }

    /// Whether receipts against the signed note `text` are final.
    pub fn is_met(&self, text: &str) -> bool {
        if text.is_empty() {
            return false;
        }
        match Note::parse(text.as_bytes()) {
            Ok(note) => self.cosigned(&note) >= self.quorum,
            Err(_) => false,
        }
    }

    /// "2 of witness-a, witness-b", for messages.
    pub fn describe(&self) -> String {
        format!("{} of {}", self.quorum, self.names().join(", "))
    }
}

/// How many of `keys` have a verifying cosignature in `note` (each key once, however
/// many lines it has).
pub fn count_cosigned(keys: &[VerifierKey], note: &Note) -> usize {
    keys.iter()
        .filter(|key| {
            note.signatures().iter().any(|line| {
                line.name() == key.name()
                    && line.key_id() == key.key_id()
                    && cosignature::verify(key, note.text(), line).is_ok()
            })
        })
        .count()
}
