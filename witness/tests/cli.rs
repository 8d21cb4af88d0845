//! The real binary's command line: `witness init` writes the key files and prints the
//! cosignature vkey (type 0x04), refuses to overwrite, and `witness serve --config`
//! reads a TOML file (listen address, data dir, logs).

// Helpers below the tests unwrap too: in a test, a panic with its location is the report.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::*;
use docket_core::note::{KeyType, VerifierKey};

#[test]
fn init_prints_the_cosigner_vkey_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("w");
    let out = Command::new(env!("CARGO_BIN_EXE_witness"))
        .args(["init", "--name", "witness.example.org/w1", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let vkey = String::from_utf8(out.stdout).unwrap();
    let key = VerifierKey::parse(vkey.trim_end()).unwrap();
    assert_eq!(key.key_type(), KeyType::CosignatureV1);
    assert_eq!(key.name().as_str(), "witness.example.org/w1");
    assert_eq!(
        std::fs::read_to_string(data.join("witness.vkey")).unwrap(),
        vkey
    );
    let skey = std::fs::read_to_string(data.join("witness.skey")).unwrap();
    assert!(skey.starts_with("PRIVATE+KEY+witness.example.org/w1+"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data.join("witness.skey"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = Command::new(env!("CARGO_BIN_EXE_witness"))
        .args(["init", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(data.join("witness.skey")).unwrap(),
        skey
    );
}

#[tokio::test]
async fn serve_reads_a_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let witness_key = write_witness_key(&data, "example.com/cfg-witness", VECTOR_WITNESS_SEED);
    let mut log = TestLog::new("example.com/cfg-log", 11);
    log.append(3, "main");
    let port = free_port();
    let config = dir.path().join("witness.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n\n[[log]]\nvkey = \"{}\"\n",
            data.display(),
            log.vkey()
        ),
    )
    .unwrap();
    let binary = Binary::spawn_with(
        &[
            "serve".into(),
            "--config".into(),
            config.display().to_string(),
        ],
        port,
    )
    .await;
    let client = docket_common::https::plain_client();
    let reply = add_checkpoint(&client, &binary.url, &log.body(0, 3)).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    check_cosignature(&witness_key, &log.checkpoint(3), &reply.body);

    // A config with a typo is refused before anything serves.
    std::fs::write(&config, "listne = \"127.0.0.1:1\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_witness"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown field"),
        "{out:?}"
    );
}

#[cfg(unix)]
#[test]
fn serve_refuses_a_key_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_witness_key(&data, "example.com/open-witness", VECTOR_WITNESS_SEED);
    let key = data.join(docket_witness::keys::SKEY_FILE);
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_witness"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("chmod 600 {}", key.display())),
        "{stderr}"
    );
}
