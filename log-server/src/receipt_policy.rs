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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use docket_core::checkpoint::Checkpoint;
    use docket_core::merkle::Hash;
    use docket_core::note::{KeyName, KeyType, SignerKey};
    use docket_core::time::UnixSeconds;

    fn witness(name: &str, seed: u8) -> SignerKey {
        SignerKey::from_seed(
            KeyName::new(name).unwrap(),
            KeyType::CosignatureV1,
            [seed; 32],
        )
        .unwrap()
    }

    #[test]
    fn settings_must_name_configured_witnesses_and_a_reachable_quorum() {
        let keys = [witness("a", 1).verifier(), witness("b", 2).verifier()];
        let all = ReceiptPolicy::new(&keys, None, None).unwrap();
        assert_eq!(
            (all.quorum(), all.names()),
            (2, vec!["a".into(), "b".into()])
        );
        let one = ReceiptPolicy::new(&keys, Some(&["b".into()]), None).unwrap();
        assert_eq!(one.describe(), "1 of b");
        for (names, quorum) in [
            (Some(vec!["c".to_string()]), None),
            (Some(vec!["a".to_string(), "a".to_string()]), None),
            (None, Some(3)),
            (None, Some(0)),
        ] {
            assert!(ReceiptPolicy::new(&keys, names.as_deref(), quorum).is_err());
        }
    }

    #[test]
    fn counts_each_policy_key_once_from_verified_lines() {
        let log =
            SignerKey::from_seed(KeyName::new("log").unwrap(), KeyType::Ed25519, [9; 32]).unwrap();
        let (a, b) = (witness("a", 1), witness("b", 2));
        let policy = ReceiptPolicy::new(&[a.verifier(), b.verifier()], None, None).unwrap();
        let text = Checkpoint::new("log", 1, Hash([5; 32])).unwrap().to_text();
        let mut note = Note::sign(text.clone(), [&log]).unwrap();
        assert!(!policy.is_met(&note.to_text()));
        let a1 = cosignature::sign(&a, &text, UnixSeconds(10)).unwrap();
        let a2 = cosignature::sign(&a, &text, UnixSeconds(11)).unwrap();
        note = Note::new(
            text.clone(),
            [note.signatures().to_vec(), vec![a1, a2]].concat(),
        )
        .unwrap();
        assert_eq!(policy.cosigned(&note), 1, "two lines from a count once");
        assert!(!policy.is_met(&note.to_text()));
        // A line under b's name that does not verify does not count.
        let forged =
            docket_core::note::Signature::new(b.name().clone(), b.key_id(), vec![0; 72]).unwrap();
        note.add_signatures([forged]).unwrap();
        assert_eq!(policy.cosigned(&note), 1);
        note.add_signatures([cosignature::sign(&b, &text, UnixSeconds(12)).unwrap()])
            .unwrap();
        assert!(policy.is_met(&note.to_text()));
    }
}
