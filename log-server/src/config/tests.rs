use super::*;

#[test]
fn defaults_are_the_documented_ones() {
    let config = Config::resolve(RawConfig::default(), Overrides::default()).unwrap();
    assert_eq!(config.data_dir, PathBuf::from("./docket-data"));
    assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(config.origin, "localhost/docket");
    assert_eq!(config.log_key, PathBuf::from("./docket-data/log.skey"));
    assert_eq!(
        config.operator_key,
        PathBuf::from("./docket-data/operator.key")
    );
    assert_eq!(config.review_window, Duration::from_secs(2_592_000));
    assert_eq!(config.batch_max_entries, 1024);
    assert_eq!(config.batch_delay, Duration::from_millis(5));
    assert_eq!(config.queue_capacity, 16384);
    assert_eq!(config.heartbeat, Duration::from_secs(60));
    assert_eq!(config.witness_timeout, Duration::from_secs(2));
    assert_eq!(config.max_body_bytes, 65536);
    assert!(config.witnesses.is_empty());
    assert_eq!(config.witness_retry, Duration::from_secs(5));
    assert_eq!(config.cosignature_max_skew, Duration::from_secs(300));
    assert_eq!(config.receipt_witnesses, None);
    assert_eq!(config.receipt_quorum, None);
}

#[test]
fn the_receipt_policy_and_witness_timing_come_from_the_file() {
    let text = "[sequencer]\nwitness_retry = \"250ms\"\ncosignature_max_skew = \"1m\"\n\
                [receipts]\nwitnesses = [\"w1\"]\nquorum = 1\n";
    let raw = RawConfig::parse(text, Path::new("t.toml")).unwrap();
    let config = Config::resolve(raw, Overrides::default()).unwrap();
    assert_eq!(config.witness_retry, Duration::from_millis(250));
    assert_eq!(config.cosignature_max_skew, Duration::from_secs(60));
    assert_eq!(config.receipt_witnesses, Some(vec!["w1".to_string()]));
    assert_eq!(config.receipt_quorum, Some(1));
    let raw = RawConfig::parse("[sequencer]\nwitness_retry = \"0s\"", Path::new("t.toml")).unwrap();
    assert!(matches!(
        Config::resolve(raw, Overrides::default()),
        Err(ConfigError::Invalid {
            key: "sequencer.witness_retry",
            ..
        })
    ));
}

#[test]
fn file_overrides_every_default_and_flags_override_the_file() {
    let text = r#"
        data_dir = "/srv/docket"
        listen = "0.0.0.0:9000"
        [log]
        origin = "example.org/docket"
        key = "keys/log.skey"
        operator_key = "/etc/docket/operator.key"
        operator_org = "oncd"
        review_window = "90s"
        [sequencer]
        batch_max_entries = 10
        batch_delay = "1ms"
        queue_capacity = 5
        heartbeat = "2s"
        witness_timeout = "500ms"
        [limits]
        max_body_bytes = 1000
        max_page = 7
        [[witness]]
        url = "http://127.0.0.1:7380/"
        vkey = "w1+01020304+BAAA"
    "#;
    let raw = RawConfig::parse(text, Path::new("t.toml")).unwrap();
    let config = Config::resolve(raw.clone(), Overrides::default()).unwrap();
    assert_eq!(config.data_dir, PathBuf::from("/srv/docket"));
    assert_eq!(config.listen, "0.0.0.0:9000".parse().unwrap());
    assert_eq!(config.origin, "example.org/docket");
    assert_eq!(config.log_key, PathBuf::from("/srv/docket/keys/log.skey"));
    assert_eq!(
        config.operator_key,
        PathBuf::from("/etc/docket/operator.key")
    );
    assert_eq!(config.operator_org, "oncd");
    assert_eq!(config.review_window, Duration::from_secs(90));
    assert_eq!(config.batch_max_entries, 10);
    assert_eq!(config.batch_delay, Duration::from_millis(1));
    assert_eq!(config.queue_capacity, 5);
    assert_eq!(config.heartbeat, Duration::from_secs(2));
    assert_eq!(config.witness_timeout, Duration::from_millis(500));
    assert_eq!(config.max_body_bytes, 1000);
    assert_eq!(config.max_page, 7);
    assert_eq!(config.witnesses[0].url, "http://127.0.0.1:7380");

    let flags = Overrides {
        data_dir: Some("/tmp/x".into()),
        listen: Some("127.0.0.1:0".into()),
        witnesses: vec!["http://w=w2+0a0b0c0d+BBBB".into()],
        ..Overrides::default()
    };
    let config = Config::resolve(raw, flags).unwrap();
    assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
    assert_eq!(config.listen.port(), 0);
    assert_eq!(config.witnesses.len(), 1);
    assert_eq!(config.witnesses[0].vkey, "w2+0a0b0c0d+BBBB");
}

#[test]
fn bad_values_name_their_key() {
    let cases = [
        ("listen = \"nowhere\"", "listen"),
        ("[log]\norigin = \"a b\"", "log.origin"),
        ("[log]\nreview_window = \"30 days\"", "log.review_window"),
        ("[sequencer]\nbatch_delay = \"5\"", "sequencer.batch_delay"),
        (
            "[sequencer]\nbatch_max_entries = 0",
            "sequencer.batch_max_entries",
        ),
        ("[sequencer]\nheartbeat = \"0s\"", "sequencer.heartbeat"),
        (
            "[[witness]]\nurl = \"ftp://x\"\nvkey = \"a+b+c\"",
            "witness",
        ),
    ];
    for (text, key) in cases {
        let raw = RawConfig::parse(text, Path::new("t.toml")).unwrap();
        match Config::resolve(raw, Overrides::default()) {
            Err(ConfigError::Invalid { key: got, .. }) => assert_eq!(got, key, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn unknown_keys_and_wrong_types_are_rejected_with_the_key() {
    let err = RawConfig::parse("[sequencer]\nbatch_size = 3", Path::new("t.toml")).unwrap_err();
    assert!(err.to_string().contains("batch_size"), "{err}");
    let err =
        RawConfig::parse("[limits]\nmax_body_bytes = \"big\"", Path::new("t.toml")).unwrap_err();
    assert!(err.to_string().contains("max_body_bytes"), "{err}");
}

#[test]
fn durations_parse_strictly() {
    assert_eq!(parse_duration("5ms"), Some(Duration::from_millis(5)));
    assert_eq!(parse_duration("30d"), Some(Duration::from_secs(2_592_000)));
    assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
    assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
    assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
    for bad in ["", "5", "ms", "05s", "5 s", "-5s", "5w", "1.5s"] {
        assert_eq!(parse_duration(bad), None, "{bad}");
    }
}
