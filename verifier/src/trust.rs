//! The trust policy a run uses: a c2sp.org/tlog-policy file (`--policy FILE`) or, for
//! the simple case, flags (`--log-key VKEY`, `--witness-key VKEY`..., `--quorum K`), plus
//! the log's URL (`--log URL`, else the policy's `log` line URL).
//!
//! Without `--quorum`, every witness given with `--witness-key` must cosign: the strict
//! default, since a verifier that silently accepts fewer cosignatures than the user
//! listed gives weaker guarantees than the user asked for.

use std::path::PathBuf;

use docket_core::note::VerifierKey;
use docket_core::policy::Policy;

use crate::error::VerifierError;

/// Trust settings as given on the command line, before any file is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// `--policy FILE`.
    pub policy: Option<PathBuf>,
    /// `--log URL`.
    pub log_url: Option<String>,
    /// `--log-key VKEY`.
    pub log_key: Option<String>,
    /// `--witness-key VKEY`, repeated.
    pub witness_keys: Vec<String>,
    /// `--quorum K`.
    pub quorum: Option<usize>,
    /// `--ca-file FILE`.
    pub ca_file: Option<PathBuf>,
}

/// A resolved trust policy and where the log lives.
#[derive(Debug, Clone)]
pub struct Trust {
    /// The policy every checkpoint must satisfy.
    pub policy: Policy,
    /// The log's origin (its key name).
    pub origin: String,
    /// The log's tlog-tiles prefix URL, if known (offline verbs need none).
    pub log_url: Option<String>,
    /// How to reach https:// URLs (the log's and the witnesses').
    pub tls: docket_common::https::TlsOptions,
}

impl TrustSettings {
    /// Reads the policy file or builds the policy from flags.
    pub fn resolve(&self) -> Result<Trust, VerifierError> {
        let usage = |m: String| VerifierError::Usage(m);
        let policy = match &self.policy {
            Some(path) => {
                if self.log_key.is_some() || !self.witness_keys.is_empty() || self.quorum.is_some()
                {
                    return Err(usage(
                        "--policy cannot be combined with --log-key, --witness-key or --quorum"
                            .into(),
                    ));
                }
                docket_common::policy_file::read(path).map_err(|e| VerifierError::io(path, e))?
            }
            None => {
                let Some(log_key) = &self.log_key else {
                    return Err(usage(
                        "give a trust policy: --policy FILE, or --log-key VKEY|FILE with optional --witness-key VKEY|FILE... and --quorum K".into(),
                    ));
                };
                let log_key =
                    docket_common::args::vkey_or_file("--log-key", log_key).map_err(usage)?;
                let witnesses = self
                    .witness_keys
                    .iter()
                    .map(|k| docket_common::args::vkey_or_file("--witness-key", k).map_err(usage))
                    .collect::<Result<Vec<VerifierKey>, _>>()?;
                let k = self.quorum.unwrap_or(witnesses.len());
                if k > witnesses.len() {
                    return Err(usage(format!(
                        "--quorum {k} needs at least {k} --witness-key, got {}",
                        witnesses.len()
                    )));
                }
                Policy::new(log_key, witnesses, k).map_err(|e| usage(e.to_string()))?
            }
        };
        let [log] = policy.logs() else {
            return Err(usage(format!(
                "the policy must name exactly one log, it names {}",
                policy.logs().len()
            )));
        };
        let origin = log.key().name().to_string();
        let log_url = self
            .log_url
            .clone()
            .or_else(|| log.url().map(str::to_string));
        Ok(Trust {
            origin,
            log_url,
            policy,
            tls: docket_common::https::TlsOptions::with_ca_file(self.ca_file.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_core::note::{KeyName, KeyType, SignerKey};

    fn vkey(name: &str, key_type: KeyType, seed: u8) -> String {
        SignerKey::from_seed(KeyName::new(name).expect("name"), key_type, [seed; 32])
            .expect("key")
            .verifier()
            .to_vkey()
    }

    #[test]
    fn flags_default_to_every_witness() {
        let settings = TrustSettings {
            log_key: Some(vkey("example.org/log", KeyType::Ed25519, 1)),
            witness_keys: vec![
                vkey("w1", KeyType::CosignatureV1, 2),
                vkey("w2", KeyType::CosignatureV1, 3),
            ],
            log_url: Some("http://127.0.0.1:1".into()),
            ..TrustSettings::default()
        };
        let trust = settings.resolve().expect("valid flags");
        assert_eq!(trust.origin, "example.org/log");
        assert!(trust.policy.to_string().contains("group quorum 2 w1 w2"));
        assert_eq!(trust.log_url.as_deref(), Some("http://127.0.0.1:1"));
    }

    #[test]
    fn quorum_above_witness_count_is_usage_error() {
        let settings = TrustSettings {
            log_key: Some(vkey("example.org/log", KeyType::Ed25519, 1)),
            quorum: Some(1),
            ..TrustSettings::default()
        };
        assert!(matches!(settings.resolve(), Err(VerifierError::Usage(_))));
        assert!(matches!(
            TrustSettings::default().resolve(),
            Err(VerifierError::Usage(_))
        ));
    }

    #[test]
    fn policy_file_gives_url() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("policy");
        let text = format!(
            "log {} http://log.example\nwitness w1 {}\ngroup g any w1\nquorum g\n",
            vkey("example.org/log", KeyType::Ed25519, 1),
            vkey("w1", KeyType::CosignatureV1, 2)
        );
        std::fs::write(&path, text).expect("write");
        let trust = TrustSettings {
            policy: Some(path),
            ..TrustSettings::default()
        }
        .resolve()
        .expect("valid policy");
        assert_eq!(trust.log_url.as_deref(), Some("http://log.example"));
    }
}
