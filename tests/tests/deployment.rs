//! The deployment files in `deploy/` cannot rot:
//!
//! - each systemd unit passes `systemd-analyze verify` (with its `ExecStart` pointed at
//!   the built binary) without a single warning;
//! - the nginx example, run as written (ports and certificate paths substituted), puts
//!   the real log on HTTPS: `verifier` and `docket` work through it with the test CA,
//!   and CORS headers reach the browser on reads and not on writes.
//!
//! Both tools are installed by `.ci/run`; a test whose tool is missing says so and
//! returns (it cannot fail for a reason that is not Docket's).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use docket_tests::ca::{Leaf, TestCa};
use docket_tests::{Daemon, binary, run};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is in the workspace")
        .to_path_buf()
}

fn available(tool: &str) -> Option<PathBuf> {
    for dir in [
        "/usr/bin",
        "/usr/sbin",
        "/bin",
        "/sbin",
        "/usr/local/bin",
        "/usr/local/sbin",
    ] {
        let path = Path::new(dir).join(tool);
        if path.exists() {
            return Some(path);
        }
    }
    None
}

#[test]
fn systemd_units_verify_cleanly() {
    let Some(analyze) = available("systemd-analyze") else {
        eprintln!("SKIPPED: systemd-analyze is not installed (.ci/run installs systemd)");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    for (unit, program) in [
        ("docket-log.service", "log-server"),
        ("docket-witness.service", "witness"),
    ] {
        let text =
            std::fs::read_to_string(repo().join("deploy/systemd").join(unit)).expect("unit file");
        let bin = binary(program);
        let local = text.replace(
            &format!("/usr/local/bin/{program}"),
            bin.to_str().expect("UTF-8 path"),
        );
        assert_ne!(local, text, "{unit} must start /usr/local/bin/{program}");
        let path = tmp.path().join(unit);
        std::fs::write(&path, local).expect("write unit");
        let out = Command::new(&analyze)
            .arg("verify")
            .arg(&path)
            .output()
            .expect("systemd-analyze runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{unit}: {stderr}");
        // Unknown keys are only warnings to systemd; here they are failures.
        let own: Vec<&str> = stderr.lines().filter(|l| l.contains(unit)).collect();
        assert!(own.is_empty(), "{unit}: {stderr}");
    }
}

/// An nginx process, stopped when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-QUIT", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

#[test]
fn the_nginx_example_puts_the_log_on_https() {
    let Some(nginx) = available("nginx") else {
        eprintln!("SKIPPED: nginx is not installed (.ci/run installs nginx-light)");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let ca = TestCa::new(dir, "deploy").expect("CA");
    let (cert, key) = ca.leaf(dir, "nginx", Leaf::Good).expect("leaf");
    let log_dir = dir.join("log");
    let log = Daemon::start(
        &binary("log-server"),
        &[
            "serve",
            "--data-dir",
            log_dir.to_str().expect("UTF-8"),
            "--listen",
            "127.0.0.1:0",
        ],
    )
    .expect("log server starts");
    let upstream = log.url.trim_start_matches("http://").to_string();

    let port = free_port();
    let site = std::fs::read_to_string(repo().join("deploy/nginx/docket-log.conf"))
        .expect("nginx example");
    let site = site
        .replace("listen 443 ssl;", &format!("listen 127.0.0.1:{port} ssl;"))
        .replace(
            "/etc/ssl/docket/fullchain.pem",
            cert.to_str().expect("UTF-8"),
        )
        .replace("/etc/ssl/docket/privkey.pem", key.to_str().expect("UTF-8"))
        .replace("http://127.0.0.1:8080", &format!("http://{upstream}"));
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("tmp")).expect("nginx dir");
    std::fs::write(prefix.join("site.conf"), site).expect("site");
    let p = prefix.display();
    std::fs::write(
        prefix.join("nginx.conf"),
        format!(
            "worker_processes 1;\ndaemon off;\npid {p}/nginx.pid;\nerror_log stderr warn;\n\
             events {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {p}/tmp/body;\n\
             proxy_temp_path {p}/tmp/proxy;\n  fastcgi_temp_path {p}/tmp/fcgi;\n\
             uwsgi_temp_path {p}/tmp/uwsgi;\n  scgi_temp_path {p}/tmp/scgi;\n\
             include {p}/site.conf;\n}}\n"
        ),
    )
    .expect("nginx.conf");
    let check = Command::new(&nginx)
        .args(["-t", "-p"])
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .output()
        .expect("nginx -t runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new(&nginx)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stdin(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let _nginx = Nginx(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nginx never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let public = format!("https://localhost:{port}");
    let ca_file = ca.cert_file.to_str().expect("UTF-8").to_string();

    // The verifier and docket through the proxy, over HTTPS.
    let vkey_file = log_dir.join("log.vkey");
    let out = run(
        &binary("verifier"),
        &[
            "--log",
            &public,
            "--log-key",
            vkey_file.to_str().expect("UTF-8"),
            "--ca-file",
            &ca_file,
            "--state",
            dir.join("state.json").to_str().expect("UTF-8"),
            "checkpoint",
        ],
        dir,
    )
    .expect("verifier runs");
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(&binary("docket"), &["keygen", "--key", "dev.key"], dir).expect("keygen");
    assert_eq!(out.code, 0, "{out:?}");
    let out = run(
        &binary("docket"),
        &[
            "--log",
            &public,
            "--ca-file",
            &ca_file,
            "--log-key",
            vkey_file.to_str().expect("UTF-8"),
            "--key",
            log_dir.join("operator.key").to_str().expect("UTF-8"),
            "--org",
            "operator",
            "participant",
            "add",
            "--member-org",
            "Dev",
            "--role",
            "developer",
            "--public-key-file",
            "dev.pub",
        ],
        dir,
    )
    .expect("docket runs");
    assert_eq!(out.code, 0, "{out:?}");

    // CORS on reads, through the proxy; none on writes.
    let options = docket_common::https::TlsOptions::with_ca_file(Some(ca.cert_file.clone()));
    let client = docket_common::https::blocking_builder(&options)
        .expect("client")
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let read = client
        .get(format!("{public}/checkpoint"))
        .header("Origin", "https://explorer.example")
        .send()
        .expect("GET through nginx");
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(
        read.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("*")
    );
    let write = client
        .post(format!("{public}/v1/statements"))
        .header("Origin", "https://explorer.example")
        .body("{}")
        .send()
        .expect("POST through nginx");
    assert_eq!(
        write.status().as_u16(),
        400,
        "a malformed envelope is refused"
    );
    assert!(write.headers().get("access-control-allow-origin").is_none());
}
