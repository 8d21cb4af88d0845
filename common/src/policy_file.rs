//! Reading a c2sp.org/tlog-policy file (`--policy FILE` in `docket` and `verifier`), and
//! the rule both follow: with a quorum of none, nothing is called "witnessed".
//!
//! Where the file comes from matters more than its syntax: a policy fetched from the log
//! itself is only as trustworthy as the log. The guides (docs/journalists.md, "One trust
//! file") show how to fetch it from more than one place and compare.

use std::path::Path;

use docket_core::policy::Policy;

/// The most bytes a policy file may have (32 logs and 32 witnesses fit in a few KiB).
const MAX_POLICY_BYTES: u64 = 1 << 20;

/// The path, under a log's tlog-tiles prefix, where a Docket log publishes its policy
/// (beside `checkpoint`).
pub const WELL_KNOWN_PATH: &str = "policy";

/// What `docket` and `verifier` say when the policy needs no witness.
pub const NO_WITNESS_WARNING: &str = "warning: the trust policy needs no witness cosignature \
(quorum none, or --quorum 0): nothing checked here is witnessed, and a log showing you a \
different history from everyone else's (a split view) would not be caught";

/// Reads and parses a policy file that names exactly one log.
pub fn read(path: &Path) -> Result<Policy, String> {
    let bytes = crate::https::read_capped(path, MAX_POLICY_BYTES)
        .map_err(|err| format!("policy {}: {err}", path.display()))?;
    let policy =
        Policy::parse(&bytes).map_err(|err| format!("policy {}: {err}", path.display()))?;
    if policy.logs().len() != 1 {
        return Err(format!(
            "policy {}: must name exactly one log, it names {}",
            path.display(),
            policy.logs().len()
        ));
    }
    Ok(policy)
}

/// Whether a checkpoint accepted by `policy` is witnessed at all.
pub fn is_witnessed(policy: &Policy) -> bool {
    policy.requires_cosignatures()
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_core::note::{KeyName, KeyType, SignerKey};

    fn vkey(name: &str, key_type: KeyType, seed: u8) -> String {
        SignerKey::from_seed(KeyName::new(name).unwrap(), key_type, [seed; 32])
            .unwrap()
            .verifier()
            .to_vkey()
    }

    #[test]
    fn a_policy_file_is_read_and_its_quorum_judged() {
        let dir = tempfile::tempdir().unwrap();
        let log = vkey("example.org/log", KeyType::Ed25519, 1);
        let witness = vkey("w1", KeyType::CosignatureV1, 2);
        let witnessed = dir.path().join("witnessed");
        std::fs::write(
            &witnessed,
            format!(
                "log {log} https://log.example\nwitness w1 {witness}\ngroup g all w1\nquorum g\n"
            ),
        )
        .unwrap();
        assert!(is_witnessed(&read(&witnessed).unwrap()));
        let none = dir.path().join("none");
        std::fs::write(&none, format!("log {log}\nquorum none\n")).unwrap();
        assert!(!is_witnessed(&read(&none).unwrap()));
        let two = dir.path().join("two");
        let other = vkey("example.org/other", KeyType::Ed25519, 3);
        std::fs::write(&two, format!("log {log}\nlog {other}\nquorum none\n")).unwrap();
        assert!(read(&two).unwrap_err().contains("exactly one log"));
        assert!(read(&dir.path().join("missing")).is_err());
    }
}
