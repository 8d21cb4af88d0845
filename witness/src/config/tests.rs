//! Settings: TOML shape, flags on top, resolution errors.

use super::*;

const LOG_VKEY: &str =
    "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
const WITNESS_VKEY: &str =
    "example.com/witness+10a1c019+BGSEitir7W6FmBs7OHWyUrh2frtLAvcDrKOx5xu9ao5Q";

fn dir_with_key() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    keys::init(dir.path(), "example.com/w").unwrap();
    dir
}

#[test]
fn defaults_apply() {
    let dir = dir_with_key();
    let raw = RawConfig {
        data_dir: Some(dir.path().to_owned()),
        ..RawConfig::default()
    };
    let config = raw.resolve().unwrap();
    assert_eq!(config.listen, DEFAULT_LISTEN.parse().unwrap());
    assert_eq!(config.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    assert_eq!(config.fetch_timeout, DEFAULT_FETCH_TIMEOUT);
    assert!(config.logs.is_empty());
}

#[test]
fn toml_and_flags() {
    let dir = dir_with_key();
    let text = format!(
        r#"
listen = "127.0.0.1:9999"
poll_interval = "2s"
max_body_bytes = 4096

[[log]]
vkey = "{LOG_VKEY}"
url = "http://127.0.0.1:8080/"

[[log]]
origin = "go.sum database tree"
vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
poll_interval = "500ms"
"#
    );
    let raw = RawConfig::from_toml(&text).unwrap().with_flags(&ServeArgs {
        config: None,
        data_dir: Some(dir.path().to_owned()),
        listen: Some("127.0.0.1:0".into()),
        logs: vec![
            "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop=https://x.example/log"
                .into(),
        ],
        accept_clock_jump: false,
        tls_cert: None,
        tls_key: None,
        ca_file: None,
    });
    let config = raw.resolve().unwrap();
    assert_eq!(config.listen, "127.0.0.1:0".parse().unwrap());
    assert_eq!(config.max_body_bytes, 4096);
    assert_eq!(config.logs.len(), 3);
    assert_eq!(config.logs[0].origin, "localhost.localdev/sumdb");
    assert_eq!(config.logs[0].url.as_deref(), Some("http://127.0.0.1:8080"));
    assert_eq!(config.logs[0].poll_interval, Duration::from_secs(2));
    assert_eq!(config.logs[1].origin, "go.sum database tree");
    assert_eq!(config.logs[1].url, None);
    assert_eq!(config.logs[1].poll_interval, Duration::from_millis(500));
    assert_eq!(config.logs[2].origin, "EnochRoot");
    assert_eq!(config.logs[2].url.as_deref(), Some("https://x.example/log"));
}

#[test]
fn unknown_fields_are_rejected() {
    assert!(RawConfig::from_toml("listne = \"x\"").is_err());
    assert!(RawConfig::from_toml("[[log]]\nvkey = \"a\"\nurl2 = \"b\"").is_err());
    assert!(
        RawConfig::from_toml("[[log]]\nurl = \"b\"").is_err(),
        "vkey is required"
    );
}

fn resolve_err(text: &str) -> ConfigError {
    let dir = dir_with_key();
    let mut raw = RawConfig::from_toml(text).unwrap();
    raw.data_dir = Some(dir.path().to_owned());
    raw.resolve().unwrap_err()
}

#[test]
fn resolution_errors() {
    assert!(matches!(
        resolve_err("listen = \"localhost\""),
        ConfigError::BadListen { .. }
    ));
    assert!(matches!(
        resolve_err("poll_interval = \"30\""),
        ConfigError::BadDuration { .. }
    ));
    assert!(matches!(
        resolve_err("max_body_bytes = 0"),
        ConfigError::ZeroBodyLimit
    ));
    assert!(matches!(
        resolve_err("[[log]]\nvkey = \"nope\""),
        ConfigError::BadVkey { .. }
    ));
    assert!(matches!(
        resolve_err(&format!("[[log]]\nvkey = \"{WITNESS_VKEY}\"")),
        ConfigError::BadVkey { .. }
    ));
    assert!(matches!(
        resolve_err(&format!(
            "[[log]]\nvkey = \"{LOG_VKEY}\"\nurl = \"ftp://x\""
        )),
        ConfigError::BadUrl { .. }
    ));
    assert!(matches!(
        resolve_err(&format!(
            "[[log]]\nvkey = \"{LOG_VKEY}\"\n[[log]]\nvkey = \"{LOG_VKEY}\""
        )),
        ConfigError::DuplicateOrigin { .. }
    ));
    let missing_key = RawConfig {
        data_dir: Some(tempfile::tempdir().unwrap().path().join("none")),
        ..RawConfig::default()
    };
    assert!(matches!(missing_key.resolve(), Err(ConfigError::Key(_))));
}

#[test]
fn durations() {
    assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
    assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
    assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    for bad in ["", "s", "0s", "05s", "1", "1d", "-1s", "1.5s", " 1s", "1s "] {
        assert_eq!(parse_duration(bad), None, "{bad:?}");
    }
}
