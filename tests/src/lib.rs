//! Harness for Docket's end-to-end tests: finds the real binaries, starts them on
//! loopback port 0 with a fresh data directory each, waits until they say where they
//! listen, and stops them when dropped. No state is shared between tests.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

/// How long a daemon may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The path of one of the workspace's binaries (`log-server`, `witness`, `verifier`,
/// `docket`), built into the same target directory as the running test.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary has a path");
    // target/<profile>/deps/<test> → target/<profile>/<name>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test binary lives in target/<profile>/deps");
    let path = profile_dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build the workspace binaries first (scripts/test.sh does: \
         cargo build --release --workspace --bins)",
        path.display()
    );
    path
}

/// A running server process (log server or witness) on a loopback port.
pub struct Daemon {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:43121`.
    pub url: String,
    /// Everything the process wrote to stderr so far (for failure messages).
    pub log: Arc<Mutex<String>>,
}

impl Daemon {
    /// Starts `program args...` and waits for a stderr line `listening on <url>`.
    pub fn start(program: &Path, args: &[&str]) -> Result<Daemon> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .env("RUST_LOG", "warn")
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let log_writer = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line.split("listening on ").nth(1) {
                    let _ = tx.send(url.trim().to_string());
                }
                let mut log = log_writer.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(url) => Ok(Daemon { child, url, log }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "{} did not start listening; its stderr:\n{}",
                    program.display(),
                    log.lock().unwrap()
                )
            }
        }
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `GET url+path`, returning status and body.
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        http_get(&format!("{}{}", self.url, path))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `GET url`, returning status and body.
pub fn http_get(url: &str) -> Result<(u16, Vec<u8>)> {
    let response = reqwest::blocking::get(url).with_context(|| format!("GET {url}"))?;
    let status = response.status().as_u16();
    let body = response.bytes().context("reading body")?.to_vec();
    Ok((status, body))
}

/// Runs a CLI binary to completion, returning exit code, stdout and stderr.
pub fn run(program: &Path, args: &[&str], cwd: &Path) -> Result<Output> {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    Ok(Output {
        code: out
            .status
            .code()
            .ok_or_else(|| anyhow!("{} killed by a signal", program.display()))?,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// What a CLI run printed and how it exited.
#[derive(Debug)]
pub struct Output {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}
