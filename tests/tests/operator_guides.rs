//! The operators' guides (`docs/operations.md`, `docs/witness.md`) cannot rot: every
//! command in their ```sh blocks is run here, in order, in a fresh temp directory that is
//! every command's working directory, as an operator following along would type it
//! (issue 6).
//!
//! - The workspace's binaries (`log-server`, `witness`, ...) are first on `PATH`; every
//!   line runs through `sh -c` and must exit 0.
//! - A `serve` line is long-running: it is started as a daemon, its `--listen` address
//!   (given or default) replaced by `127.0.0.1:0` so parallel tests never collide, and it
//!   must print `listening on <url>` and answer `GET /healthz` with 200.
//! - Commands that cannot run in a test (building, benchmarks) live in ```text blocks.

use std::path::Path;

use docket_tests::{Daemon, binary, http_get};

/// The log operator's guide, read at compile time so the test checks the checked-in text.
const OPERATIONS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/operations.md"
));

/// The witness operator's guide.
const WITNESS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/witness.md"));

/// One command from a ```sh block: (1-based line where it starts, the command with its
/// `\` continuation lines joined).
type GuideCommand = (usize, String);

/// Reads every command out of a Markdown guide's ```sh blocks, skipping blank and
/// comment lines.
fn parse(guide: &str) -> Vec<GuideCommand> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut in_other = false;
    let mut pending: Option<GuideCommand> = None;
    for (number, line) in guide.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let fence = line.trim_start().strip_prefix("```");
        if !in_sh && !in_other {
            if let Some(language) = fence {
                in_sh = language.trim() == "sh";
                in_other = !in_sh;
            }
            continue;
        }
        if fence.is_some_and(|rest| rest.trim().is_empty()) {
            assert!(
                pending.is_none(),
                "guide line {number}: a ```sh block ends in a `\\` continuation"
            );
            in_sh = false;
            in_other = false;
            continue;
        }
        if in_other {
            continue;
        }
        let (start, mut text) = pending.take().unwrap_or((number, String::new()));
        if let Some(head) = line.trim_end().strip_suffix('\\') {
            text.push_str(head.trim());
            text.push(' ');
            pending = Some((start, text));
            continue;
        }
        text.push_str(line.trim());
        if !text.is_empty() && !text.starts_with('#') {
            commands.push((start, text));
        }
    }
    commands
}

/// A `serve` command with its listen address replaced by (or given) `127.0.0.1:0`.
fn on_free_port(command: &str) -> String {
    let mut words: Vec<&str> = command.split(' ').collect();
    match words.iter().position(|w| *w == "--listen") {
        Some(flag) => {
            assert!(
                flag + 1 < words.len(),
                "`--listen` without a value: {command}"
            );
            words[flag + 1] = "127.0.0.1:0";
            words.join(" ")
        }
        None => format!("{command} --listen 127.0.0.1:0"),
    }
}

/// Runs every command of `guide` in `dir`, returning the daemons its `serve` lines
/// started (stopped when dropped) and how many commands ran.
fn run_guide(name: &str, guide: &str, dir: &Path) -> (Vec<Daemon>, usize) {
    let bin_dir = binary("log-server")
        .parent()
        .expect("a binary lives in a directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut daemons = Vec::new();
    let mut ran = 0;
    for (line, text) in parse(guide) {
        ran += 1;
        let serves = text.split_whitespace().nth(1) == Some("serve");
        if serves {
            let script = format!("exec {}", on_free_port(&text));
            let daemon = Daemon::start(
                Path::new("/bin/sh"),
                &[
                    "-c",
                    &format!("cd '{}' && PATH='{path}' && {script}", dir.display()),
                ],
            )
            .unwrap_or_else(|e| panic!("{name} line {line}: `{text}` did not start: {e:#}"));
            let (status, body) = http_get(&format!("{}/healthz", daemon.url))
                .unwrap_or_else(|e| panic!("{name} line {line}: /healthz: {e:#}"));
            assert_eq!(
                status,
                200,
                "{name} line {line}: `{text}` /healthz answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
            daemons.push(daemon);
            continue;
        }
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(&text)
            .current_dir(dir)
            .env("PATH", &path)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{name} line {line}: cannot run: {e}"));
        assert!(
            out.status.success(),
            "{name} line {line}: `{text}` failed ({})\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (daemons, ran)
}

/// Reads a file the guide says a command made.
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_command_in_the_log_operators_guide_runs() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let (daemons, ran) = run_guide("docs/operations.md", OPERATIONS, dir);
    assert_eq!(
        ran, 2,
        "the guide's ```sh commands changed: update this test"
    );
    assert_eq!(daemons.len(), 1, "the guide starts one log server");
    // The files `init` is documented to create, with the documented modes.
    let data = dir.join("docket-data");
    assert!(data.join("db").is_dir(), "no docket-data/db");
    for (file, mode) in [
        ("log.skey", 0o600),
        ("log.vkey", 0o644),
        ("operator.key", 0o600),
        ("operator.pub", 0o644),
    ] {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(data.join(file))
            .unwrap_or_else(|e| panic!("docket-data/{file}: {e}"));
        assert_eq!(meta.permissions().mode() & 0o777, mode, "mode of {file}");
    }
    let vkey = read(&data.join("log.vkey"));
    assert!(
        vkey.starts_with("logs.example.gov/docket+"),
        "log.vkey names the guide's origin: {vkey}"
    );
    // `serve` prints the log's vkey and serves genesis as entry 0.
    let server = &daemons[0];
    assert!(
        server.output().contains(vkey.trim()),
        "serve did not print the vkey:\n{}",
        server.output()
    );
    let (status, body) = server.get("/healthz").expect("healthz");
    let health: serde_json::Value = serde_json::from_slice(&body).expect("healthz is JSON");
    assert_eq!((status, &health["size"]), (200, &serde_json::json!(1)));
}

#[test]
fn every_command_in_the_witness_operators_guide_runs() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    // The log's vkey, as its operator hands it over out of band (the guide's `log.vkey`).
    let log_dir = dir.join("log-operator");
    std::fs::create_dir(&log_dir).expect("mkdir");
    let init = docket_tests::run(
        &binary("log-server"),
        &[
            "init",
            "--data-dir",
            "./docket-data",
            "--origin",
            "example.org/log",
        ],
        &log_dir,
    )
    .expect("log-server init");
    assert_eq!(init.code, 0, "log-server init: {}", init.stderr);
    std::fs::copy(log_dir.join("docket-data/log.vkey"), dir.join("log.vkey")).expect("copy");

    let (daemons, ran) = run_guide("docs/witness.md", WITNESS, dir);
    assert_eq!(
        ran, 2,
        "the guide's ```sh commands changed: update this test"
    );
    assert_eq!(daemons.len(), 1, "the guide starts one witness");
    let data = dir.join("witness-data");
    let vkey = read(&data.join("witness.vkey"));
    assert!(
        vkey.starts_with("witness.example.org/w1+"),
        "witness.vkey names the guide's witness: {vkey}"
    );
    assert!(read(&data.join("witness.skey")).starts_with("PRIVATE+KEY+witness.example.org/w1+"));
    let witness = &daemons[0];
    let (status, body) = witness.get("/healthz").expect("healthz");
    assert_eq!((status, body.as_slice()), (200, b"ok\n".as_slice()));
}

#[test]
fn parser_joins_continuations_and_skips_other_blocks() {
    let guide = "Intro\n\n```sh\n# a comment\nwitness serve \\\n    --log x\n\nls\n```\n\n```text\ncargo build\n```\n\n```toml\nlisten = 1\n```\n";
    assert_eq!(
        parse(guide),
        vec![
            (5, "witness serve --log x".to_string()),
            (8, "ls".to_string())
        ]
    );
    assert_eq!(
        on_free_port("witness serve --listen 0.0.0.0:8081 --log k"),
        "witness serve --listen 127.0.0.1:0 --log k"
    );
    assert_eq!(
        on_free_port("log-server serve --data-dir d"),
        "log-server serve --data-dir d --listen 127.0.0.1:0"
    );
}
