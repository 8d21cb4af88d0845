//! The log's trust policy in c2sp.org/tlog-policy form: its key and public URL, its
//! witnesses' keys and URLs, and the quorum of cosignatures a checkpoint needs. Served at
//! `GET /policy` (beside `checkpoint`) and printed by `log-server policy`, so a journalist
//! or developer has one file to give `verifier --policy` and `docket --policy`.
//!
//! Trust assumption (docs/threat-model.md, "One trust file"): a policy fetched from the
//! log is only what the log says about itself; a log that lies here can name witnesses
//! it controls. Readers compare it with copies published elsewhere (the witnesses'
//! operators, the regime's own pages) before trusting it; docs/journalists.md shows how.

use docket_core::policy::Policy;

use crate::config::Config;

/// The group name the policy gives the log's witnesses.
const GROUP: &str = "witnesses";

/// The policy text for the log whose vkey is `log_vkey`, checked by parsing it back.
pub fn policy_text(log_vkey: &str, config: &Config) -> Result<String, String> {
    let mut text = String::from(
        "# c2sp.org/tlog-policy of this Docket log: its key, its witnesses, the quorum.\n\
         # Compare this file with copies published elsewhere before trusting it.\n",
    );
    match &config.public.url {
        Some(url) => text.push_str(&format!("log {log_vkey} {}\n", url.trim_end_matches('/'))),
        None => text.push_str(&format!("log {log_vkey}\n")),
    }
    let mut names = Vec::new();
    for witness in &config.witnesses {
        let name = witness.vkey.split('+').next().unwrap_or_default();
        text.push_str(&format!(
            "witness {name} {} {}\n",
            witness.vkey, witness.url
        ));
        names.push(name);
    }
    let k = config.public.quorum.unwrap_or(names.len());
    if k > names.len() {
        return Err(format!(
            "public.quorum {k} is more than the {} configured witnesses",
            names.len()
        ));
    }
    if k == 0 {
        text.push_str("quorum none\n");
    } else {
        text.push_str(&format!(
            "group {GROUP} {k} {}\nquorum {GROUP}\n",
            names.join(" ")
        ));
    }
    Policy::parse(text.as_bytes()).map_err(|err| format!("the trust policy is invalid: {err}"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Overrides, RawConfig};
    use docket_core::note::{KeyName, KeyType, SignerKey};

    fn vkey(name: &str, key_type: KeyType, seed: u8) -> String {
        SignerKey::from_seed(KeyName::new(name).unwrap(), key_type, [seed; 32])
            .unwrap()
            .verifier()
            .to_vkey()
    }

    fn config(witnesses: Vec<String>, quorum: Option<usize>) -> Config {
        let mut overrides = Overrides {
            data_dir: Some("/tmp/unused".into()),
            witnesses,
            ..Overrides::default()
        };
        overrides.public.url = Some("https://log.example/".into());
        overrides.public.quorum = quorum;
        Config::resolve(RawConfig::default(), overrides).unwrap()
    }

    #[test]
    fn the_policy_names_the_log_its_witnesses_and_the_quorum() {
        let log = vkey("log.example", KeyType::Ed25519, 1);
        let w1 = vkey("w1.example", KeyType::CosignatureV1, 2);
        let w2 = vkey("w2.example", KeyType::CosignatureV1, 3);
        let witnesses = vec![
            format!("https://w1.example={w1}"),
            format!("https://w2.example={w2}"),
        ];
        let text = policy_text(&log, &config(witnesses.clone(), None)).unwrap();
        assert!(
            text.contains(&format!("log {log} https://log.example\n")),
            "{text}"
        );
        assert!(text.contains(&format!("witness w1.example {w1} https://w1.example\n")));
        assert!(text.contains("group witnesses 2 w1.example w2.example\nquorum witnesses\n"));
        let policy = Policy::parse(text.as_bytes()).unwrap();
        assert!(policy.requires_cosignatures());
        let one = policy_text(&log, &config(witnesses.clone(), Some(1))).unwrap();
        assert!(one.contains("group witnesses 1 "), "{one}");
        assert!(policy_text(&log, &config(witnesses, Some(3))).is_err());
        let none = policy_text(&log, &config(Vec::new(), None)).unwrap();
        assert!(none.ends_with("quorum none\n"), "{none}");
    }
}
