//! The public's tools install in minutes: neither `docket-verifier` nor `docket-client`
//! may depend on RocksDB (a C++ build of a quarter of an hour) or on OpenSSL, for
//! `cargo install --path verifier` and `--path client` as README.md documents. Only
//! normal and build dependencies count: tests may use the log server.

use std::process::Command;

fn dependencies(package: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "--locked",
            "-e",
            "normal,build",
            "--prefix",
            "none",
            "-p",
        ])
        .arg(package)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_verifier_and_the_client_build_without_rocksdb_or_openssl() {
    for package in ["docket-verifier", "docket-client"] {
        let tree = dependencies(package);
        assert!(
            tree.contains("rustls"),
            "{package} speaks HTTPS with rustls:\n{tree}"
        );
        // openssl-probe (finding the system CA directory, pure Rust) is fine; openssl-sys is not.
        for forbidden in ["rocksdb", "openssl-sys", "aws-lc", "native-tls"] {
            let found: Vec<&str> = tree.lines().filter(|l| l.contains(forbidden)).collect();
            assert!(
                found.is_empty(),
                "{package} depends on {forbidden}: {found:?}"
            );
        }
    }
}
