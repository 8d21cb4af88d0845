//! Harness for Docket's end-to-end tests: finds the real binaries, starts them on
//! loopback port 0 with a fresh data directory each, waits until they say where they
//! listen, and stops them when dropped. No state is shared between tests.

#![allow(clippy::unwrap_used)]

pub mod ca;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};

/// How long a daemon may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The path of one of the workspace's binaries (`log-server`, `witness`, `verifier`,
/// `docket`), built into the same target directory as the running test.
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the running program has a path");
    // Tests run from target/<profile>/deps/, the demo from target/<profile>/.
    let dir = exe.parent().expect("an executable lives in a directory");
    let candidates = [Some(dir), dir.parent()];
    for candidate in candidates.into_iter().flatten() {
        let path = candidate.join(name);
        if path.exists() {
            return path;
        }
    }
    panic!(
        "{name} is missing next to {}: build the workspace binaries first \
         (scripts/test.sh does: cargo build --release --workspace --bins)",
        exe.display()
    );
}

/// What tells that a started process is ready.
#[derive(Clone, Debug)]
pub enum Ready {
    /// A stderr line `listening on <url>` (the log server and the witness); the URL is kept.
    ListeningOnStderr,
    /// A stdout line containing this text.
    StdoutLine(String),
}

/// A running server process (log server or witness) on a loopback port.
pub struct Daemon {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:43121` (empty when readiness was a stdout line).
    pub url: String,
    /// Everything the process printed so far (for failure messages).
    pub log: Arc<Mutex<String>>,
}

impl Daemon {
    /// Starts `program args...` and waits for a stderr line `listening on <url>`.
    pub fn start(program: &Path, args: &[&str]) -> Result<Daemon> {
        Daemon::start_until(program, args, Ready::ListeningOnStderr)
    }

    /// Starts `program args...` and waits until it prints what `ready` says.
    pub fn start_until(program: &Path, args: &[&str], ready: Ready) -> Result<Daemon> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("RUST_LOG", "warn")
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        for (stream, is_stdout) in [
            (Box::new(stdout) as Box<dyn std::io::Read + Send>, true),
            (Box::new(stderr), false),
        ] {
            let tx = tx.clone();
            let log_writer = Arc::clone(&log);
            let ready = ready.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    {
                        let mut log = log_writer.lock().unwrap();
                        log.push_str(&line);
                        log.push('\n');
                    }
                    match &ready {
                        Ready::ListeningOnStderr if !is_stdout => {
                            if let Some(url) = line.split("listening on ").nth(1) {
                                let _ = tx.send(url.trim().to_string());
                            }
                        }
                        Ready::StdoutLine(marker)
                            if is_stdout && line.contains(marker.as_str()) =>
                        {
                            let _ = tx.send(String::new());
                        }
                        _ => {}
                    }
                }
            });
        }
        // Only the reader threads hold senders now: if the process dies before it is
        // ready, the wait ends at once instead of at the timeout.
        drop(tx);
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(url) => Ok(Daemon { child, url, log }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "{} did not get ready; its output:\n{}",
                    program.display(),
                    log.lock().unwrap()
                )
            }
        }
    }

    /// Everything the process printed so far, stdout and stderr interleaved by line.
    pub fn output(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The process id (to send it a signal, e.g. SIGHUP).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Asks the process to stop (SIGTERM) and waits up to ten seconds for it to sync
    /// and exit, then kills it.
    pub fn terminate(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            for _ in 0..100 {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        self.kill();
    }

    /// `GET url+path`, returning status and body.
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        http_get(&format!("{}{}", self.url, path))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Gracefully: a killed demo would leave its log server and witnesses running.
        self.terminate();
    }
}

/// `GET url`, returning status and body.
pub fn http_get(url: &str) -> Result<(u16, Vec<u8>)> {
    let response = docket_common::https::plain_blocking_client()
        .get(url)
        .send()
        .with_context(|| format!("GET {url}"))?;
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

/// Three consecutive free loopback ports: the demo's log and its two witnesses.
pub fn free_port_base() -> u16 {
    for _ in 0..200 {
        let Ok(listener) = TcpListener::bind("127.0.0.1:0") else {
            continue;
        };
        let base = listener.local_addr().expect("bound").port();
        drop(listener);
        if base > 65_000 {
            continue;
        }
        if (1..=2).all(|offset| TcpListener::bind(("127.0.0.1", base + offset)).is_ok()) {
            return base;
        }
    }
    panic!("no three consecutive free loopback ports");
}

/// Starts `docket-demo` with its data in `data_dir`, the log on `port` (witnesses on the
/// next two) and a 5-second review window, and waits until it has played its scenario.
pub fn start_demo(data_dir: &Path, port: u16) -> Result<Daemon> {
    let data = data_dir
        .to_str()
        .ok_or_else(|| anyhow!("{} is not UTF-8", data_dir.display()))?;
    Daemon::start_until(
        &binary("docket-demo"),
        &[
            "--data-dir",
            data,
            "--port",
            &port.to_string(),
            "--review-window",
            "5s",
        ],
        Ready::StdoutLine("Press Ctrl-C to stop.".to_string()),
    )
}
