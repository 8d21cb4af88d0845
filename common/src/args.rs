//! Command-line values every program reads the same way: a vkey given inline or as a
//! file (`--log-key`, `--witness-key`), and `URL=VKEY` pairs (`log-server --witness`,
//! `witness --log`).

use std::path::Path;

use docket_core::note::VerifierKey;

/// The most bytes a key file may have (a vkey is under 200 bytes).
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// A vkey given inline (`name+hash+base64`) or as the path of a file holding one (e.g.
/// the log server's `log.vkey`). Inline text is tried first, so a file whose name
/// happens to be a valid vkey cannot change the key meant.
pub fn vkey_or_file(flag: &str, value: &str) -> Result<VerifierKey, String> {
    let inline = VerifierKey::parse(value.trim());
    if let Ok(key) = inline {
        return Ok(key);
    }
    let path = Path::new(value);
    if !path.exists() {
        let err = inline.err().map(|e| e.to_string()).unwrap_or_default();
        return Err(format!(
            "{flag} {value:?} is neither a vkey ({err}) nor an existing file"
        ));
    }
    let bytes = crate::https::read_capped(path, MAX_KEY_FILE_BYTES)
        .map_err(|err| format!("{flag} {value}: {err}"))?;
    let text = String::from_utf8_lossy(&bytes);
    VerifierKey::parse(text.trim())
        .map_err(|err| format!("{flag} {value}: the file does not hold a vkey: {err}"))
}

/// A `URL=VKEY` pair as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlKey {
    /// The URL (`http://` or `https://`), if one was given.
    pub url: Option<String>,
    /// The vkey text.
    pub vkey: String,
    /// Whether the old `VKEY=URL` order was used (callers print a deprecation warning).
    pub old_order: bool,
}

/// Parses `URL=VKEY` (the order every program uses), or a bare `VKEY` when `url_optional`.
/// The old `VKEY=URL` order is still understood and flagged, so callers can warn. A vkey's
/// base64 may itself contain `=`, so the split is found from the URL's scheme, never by
/// the first `=` in the text.
pub fn url_key(flag: &str, value: &str, url_optional: bool) -> Result<UrlKey, String> {
    let value = value.trim();
    let is_url = |s: &str| s.starts_with("http://") || s.starts_with("https://");
    if is_url(value) {
        // URL=VKEY: a vkey has no '=' before its base64 part, and URLs given here carry no
        // query string, so the first '=' ends the URL.
        let Some((url, vkey)) = value.split_once('=') else {
            return Err(format!("{flag} {value:?}: expected URL=VKEY"));
        };
        if vkey.is_empty() {
            return Err(format!("{flag} {value:?}: the VKEY after '=' is empty"));
        }
        return Ok(UrlKey {
            url: Some(url.trim_end_matches('/').to_string()),
            vkey: vkey.to_string(),
            old_order: false,
        });
    }
    for scheme in ["=https://", "=http://"] {
        if let Some(at) = value.find(scheme) {
            return Ok(UrlKey {
                url: Some(value[at + 1..].trim_end_matches('/').to_string()),
                vkey: value[..at].to_string(),
                old_order: true,
            });
        }
    }
    if url_optional {
        Ok(UrlKey {
            url: None,
            vkey: value.to_string(),
            old_order: false,
        })
    } else {
        Err(format!(
            "{flag} {value:?}: expected URL=VKEY with an http:// or https:// URL"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use docket_core::note::{KeyName, KeyType, SignerKey};

    fn vkey() -> String {
        SignerKey::from_seed(
            KeyName::new("w.example/1").unwrap(),
            KeyType::CosignatureV1,
            [7; 32],
        )
        .unwrap()
        .verifier()
        .to_vkey()
    }

    #[test]
    fn url_then_key_and_the_old_order_both_parse() {
        let key = vkey();
        let new = url_key("--witness", &format!("https://w.example/={key}"), false).unwrap();
        assert_eq!(new.url.as_deref(), Some("https://w.example"));
        assert_eq!(new.vkey, key);
        assert!(!new.old_order);
        let old = url_key("--log", &format!("{key}=http://127.0.0.1:1"), true).unwrap();
        assert_eq!(old.url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(old.vkey, key);
        assert!(old.old_order);
        let bare = url_key("--log", &key, true).unwrap();
        assert_eq!(bare.url, None);
        assert!(url_key("--witness", &key, false).is_err());
        assert!(url_key("--witness", "https://w.example=", false).is_err());
    }

    #[test]
    fn a_key_is_read_inline_or_from_a_file() {
        let key = vkey();
        assert_eq!(vkey_or_file("--log-key", &key).unwrap().to_vkey(), key);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.vkey");
        std::fs::write(&path, format!("{key}\n")).unwrap();
        let from_file = vkey_or_file("--log-key", path.to_str().unwrap()).unwrap();
        assert_eq!(from_file.to_vkey(), key);
        let junk = dir.path().join("junk");
        std::fs::write(&junk, "junk").unwrap();
        let err = vkey_or_file("--log-key", junk.to_str().unwrap()).unwrap_err();
        assert!(err.contains("does not hold a vkey"), "{err}");
        let err = vkey_or_file("--log-key", "nonsense").unwrap_err();
        assert!(err.contains("neither a vkey"), "{err}");
    }
}
