//! `docket-demo`: runs Docket on one machine — a log server and two witnesses on
//! 127.0.0.1 with embedded storage under a data folder — and plays a review scenario
//! through the real `docket` client: on-time, late, overdue and withdrawn reviews,
//! disclosures to named sectors, a reveal and releases.
//!
//! Time is never faked: the log's genesis records a short review window (20 seconds by
//! default) so late and overdue cases appear within a minute. Run twice, it resumes: keys
//! and data are kept, and every statement it sends is byte-identical to the first run's,
//! so the log answers "already logged" instead of logging it twice.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use docket_tests::{Daemon, binary, run};
use serde_json::Value;

const USAGE: &str = "\
docket-demo: run a Docket log with two witnesses and demo data on 127.0.0.1

Usage: docket-demo [--data-dir DIR] [--port PORT] [--review-window DURATION] [--exit]

  --data-dir DIR            where the log, witnesses, keys and receipts live (default ./demo-data)
  --port PORT               the log's port; the witnesses take the next two (default 8080)
  --review-window DURATION  review window recorded in genesis on the first run (default 20s)
  --exit                    stop everything once the scenario has played (for scripts)

Stop it with Ctrl-C. Run it again to resume where it stopped.";

/// Settings from the command line.
struct Options {
    data_dir: PathBuf,
    port: u16,
    review_window: String,
    exit_after_scenario: bool,
}

fn parse_options() -> Result<Options> {
    let mut options = Options {
        data_dir: PathBuf::from("demo-data"),
        port: 8080,
        review_window: "20s".to_string(),
        exit_after_scenario: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--data-dir" => options.data_dir = PathBuf::from(value("--data-dir")?),
            "--port" => {
                options.port = value("--port")?
                    .parse()
                    .context("--port must be a port number")?
            }
            "--review-window" => options.review_window = value("--review-window")?,
            "--exit" => options.exit_after_scenario = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    match parse_options().and_then(|options| run_demo(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("docket-demo: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// The running processes, stopped gracefully (SIGTERM) when dropped.
struct Cluster {
    log: Daemon,
    witnesses: Vec<Daemon>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.log.terminate();
        for witness in &mut self.witnesses {
            witness.terminate();
        }
    }
}

fn run_demo(options: &Options) -> Result<()> {
    let root = &options.data_dir;
    std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
    let root = root
        .canonicalize()
        .with_context(|| format!("resolving {}", root.display()))?;
    let cluster = start_cluster(&root, options)?;
    let log_url = cluster.log.url.clone();

    let policy = write_policy(&root, &cluster)?;
    let client = Client {
        docket: binary("docket"),
        log_url: log_url.clone(),
        root: root.clone(),
    };
    let scenario = play(&client)?;

    let verifier = binary("verifier");
    let verifier = verifier.display();
    let policy = policy.display();
    println!();
    println!("Docket is running.");
    println!("  explorer      {log_url}/");
    println!("  checkpoint    {log_url}/checkpoint");
    for (name, witness) in ["witness A", "witness B"].iter().zip(&cluster.witnesses) {
        println!("  {name:<13} {}/metrics", witness.url);
    }
    println!("  data          {}", root.display());
    println!();
    println!("Try the verifier (it trusts nothing the log says without checking):");
    println!("  {verifier} --policy {policy} checkpoint");
    println!("  {verifier} --policy {policy} audit");
    println!(
        "  {verifier} --policy {policy} review {}        # decided on time",
        scenario.on_time
    );
    println!(
        "  {verifier} --policy {policy} review {}        # decided late",
        scenario.late
    );
    println!(
        "  {verifier} --policy {policy} deadline {}      # no decision: overdue",
        scenario.overdue
    );
    println!(
        "  {verifier} --policy {policy} bundle {}/receipts/{}.json",
        root.display(),
        scenario.on_time
    );
    println!();
    println!("And the participants' client:");
    println!(
        "  {} --log {log_url} status {}",
        client.docket.display(),
        scenario.withdrawn
    );

    if options.exit_after_scenario {
        return Ok(());
    }
    println!();
    println!("Press Ctrl-C to stop.");
    // Scripts and tests wait for the line above: make sure it leaves the pipe buffer.
    std::io::Write::flush(&mut std::io::stdout()).context("writing to stdout")?;
    wait_for_ctrl_c(cluster)
}

/// Creates keys and the log on the first run, then starts both witnesses and the log.
fn start_cluster(root: &Path, options: &Options) -> Result<Cluster> {
    let log_dir = root.join("log");
    let log_server = binary("log-server");
    let witness_bin = binary("witness");
    if !log_dir.join("log.vkey").exists() {
        let window = options.review_window.as_str();
        let out = run(
            &log_server,
            &[
                "init",
                "--data-dir",
                path_str(&log_dir)?,
                "--origin",
                "localhost/docket-demo",
                "--review-window",
                window,
            ],
            root,
        )?;
        if out.code != 0 {
            bail!("log-server init failed:\n{}", out.stderr);
        }
        println!(
            "Created the log (review window {window}) in {}",
            log_dir.display()
        );
    }
    let log_vkey = read_trimmed(&log_dir.join("log.vkey"))?;

    let mut witnesses = Vec::new();
    let mut witness_flags = Vec::new();
    for (offset, name) in [(1u16, "a"), (2, "b")] {
        let dir = root.join(format!("witness-{name}"));
        if !dir.join("witness.vkey").exists() {
            let out = run(
                &witness_bin,
                &[
                    "init",
                    "--data-dir",
                    path_str(&dir)?,
                    "--name",
                    &format!("localhost/witness-{name}"),
                ],
                root,
            )?;
            if out.code != 0 {
                bail!("witness init failed:\n{}", out.stderr);
            }
        }
        let vkey = read_trimmed(&dir.join("witness.vkey"))?;
        let listen = format!("127.0.0.1:{}", options.port + offset);
        let daemon = Daemon::start(
            &witness_bin,
            &[
                "serve",
                "--data-dir",
                path_str(&dir)?,
                "--listen",
                &listen,
                "--log",
                &log_vkey,
            ],
        )?;
        witness_flags.push(format!("{}={vkey}", daemon.url));
        witnesses.push(daemon);
    }

    let listen = format!("127.0.0.1:{}", options.port);
    let mut args = vec![
        "serve",
        "--data-dir",
        path_str(&log_dir)?,
        "--listen",
        &listen,
    ];
    for flag in &witness_flags {
        args.push("--witness");
        args.push(flag);
    }
    let log = Daemon::start(&log_server, &args)?;
    println!(
        "Log listening on {} with witnesses {} and {}",
        log.url, witnesses[0].url, witnesses[1].url
    );
    Ok(Cluster { log, witnesses })
}

/// Writes the tlog-policy file the verifier commands use: the log and both witnesses,
/// both cosignatures required.
fn write_policy(root: &Path, cluster: &Cluster) -> Result<PathBuf> {
    let log_vkey = read_trimmed(&root.join("log/log.vkey"))?;
    let mut text = format!(
        "# Trust policy for the demo log (c2sp.org/tlog-policy)\nlog {log_vkey} {}\n",
        cluster.log.url
    );
    for (name, witness) in ["a", "b"].iter().zip(&cluster.witnesses) {
        let vkey = read_trimmed(&root.join(format!("witness-{name}/witness.vkey")))?;
        text.push_str(&format!("witness w{name} {vkey} {}\n", witness.url));
    }
    text.push_str("group both all wa wb\nquorum both\n");
    let path = root.join("docket.policy");
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Runs the `docket` client with `--json` against the demo log.
struct Client {
    docket: PathBuf,
    log_url: String,
    root: PathBuf,
}

impl Client {
    /// Runs `docket` as `who` (a key name under keys/, or "operator") and returns its JSON.
    fn docket(&self, who: &str, org: &str, args: &[&str]) -> Result<Value> {
        let key = if who == "operator" {
            self.root.join("log/operator.key")
        } else {
            self.root.join(format!("keys/{who}.key"))
        };
        let receipts = self.root.join("receipts");
        let mut full: Vec<&str> = vec![
            "--json",
            "--log",
            &self.log_url,
            "--key",
            path_str(&key)?,
            "--org",
            org,
            "--receipt-dir",
            path_str(&receipts)?,
        ];
        full.extend_from_slice(args);
        let out = run(&self.docket, &full, &self.root)?;
        if out.code != 0 {
            bail!(
                "docket {} failed (exit {}):\n{}{}",
                args.join(" "),
                out.code,
                out.stdout,
                out.stderr
            );
        }
        serde_json::from_str(&out.stdout)
            .with_context(|| format!("docket printed no JSON: {}", out.stdout))
    }

    /// Logs a statement and prints one line about it; returns its log index.
    fn log(&self, who: &str, org: &str, what: &str, args: &[&str]) -> Result<u64> {
        let answer = self.docket(who, org, args)?;
        let index = answer["index"]
            .as_u64()
            .with_context(|| format!("no index in the client's answer: {answer}"))?;
        let fresh = if answer["created"].as_bool() == Some(false) {
            " (already logged)"
        } else {
            ""
        };
        println!("  #{index:<3} {org}: {what}{fresh}");
        Ok(index)
    }

    /// Makes a participant key under keys/ unless it exists.
    fn keygen(&self, who: &str) -> Result<PathBuf> {
        let dir = self.root.join("keys");
        std::fs::create_dir_all(&dir)?;
        let key = dir.join(format!("{who}.key"));
        if !key.exists() {
            let out = run(
                &self.docket,
                &["keygen", "--key", path_str(&key)?],
                &self.root,
            )?;
            if out.code != 0 {
                bail!("docket keygen failed:\n{}", out.stderr);
            }
        }
        Ok(dir.join(format!("{who}.pub")))
    }

    /// Writes a demo document (a stand-in for model weights, a report or an advisory).
    fn document(&self, name: &str, text: &str) -> Result<String> {
        let dir = self.root.join("documents");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(name);
        if !path.exists() {
            std::fs::write(&path, text)?;
        }
        Ok(path_str(&path)?.to_string())
    }

    fn salt(&self, name: &str) -> Result<String> {
        let dir = self.root.join("salts");
        std::fs::create_dir_all(&dir)?;
        Ok(path_str(&dir.join(name))?.to_string())
    }
}

/// The submissions the closing hints point at.
struct Scenario {
    on_time: u64,
    late: u64,
    overdue: u64,
    withdrawn: u64,
}

/// Who takes part: key name, organisation, role.
const PARTICIPANTS: [(&str, &str, &str); 5] = [
    ("acme", "Acme AI", "developer"),
    ("frontier", "Frontier Labs", "developer"),
    ("nsa", "NSA AI Security Center", "reviewer"),
    ("oncd", "ONCD", "coordinator"),
    ("treasury", "Treasury AI Clearinghouse", "clearinghouse"),
];

fn play(c: &Client) -> Result<Scenario> {
    println!("Registering participants (signed by the operator):");
    for (who, org, role) in PARTICIPANTS {
        let public = c.keygen(who)?;
        c.log(
            "operator",
            "operator",
            &format!("registers {org} as {role}"),
            &[
                "participant",
                "add",
                "--member-org",
                org,
                "--role",
                role,
                "--public-key-file",
                path_str(&public)?,
            ],
        )?;
    }

    println!("Submissions:");
    let weights1 = c.document("acme-frontier-1.bin", "Acme Frontier 1 weights (demo)\n")?;
    let s1 = c.log(
        "acme",
        "Acme AI",
        "submits acme-frontier-1 for review",
        &[
            "submit",
            "--model",
            "acme-frontier-1",
            "--model-version",
            "2026.11",
            "--artifact",
            &weights1,
            "--planned-release",
            "2027-01-15",
        ],
    )?;
    let weights2 = c.document("atlas-4.bin", "Frontier Labs Atlas 4 weights (demo)\n")?;
    let s2 = c.log(
        "frontier",
        "Frontier Labs",
        "submits atlas-4 for review",
        &[
            "submit",
            "--model",
            "atlas-4",
            "--model-version",
            "4.0",
            "--artifact",
            &weights2,
        ],
    )?;
    let weights3 = c.document("acme-frontier-2.bin", "Acme Frontier 2 weights (demo)\n")?;
    let s3 = c.log(
        "acme",
        "Acme AI",
        "submits acme-frontier-2 for review",
        &[
            "submit",
            "--model",
            "acme-frontier-2",
            "--model-version",
            "2027.01",
            "--artifact",
            &weights3,
        ],
    )?;
    let weights4 = c.document(
        "atlas-mini.bin",
        "Frontier Labs Atlas mini weights (demo)\n",
    )?;
    let s4 = c.log(
        "frontier",
        "Frontier Labs",
        "submits atlas-mini for review",
        &[
            "submit",
            "--model",
            "atlas-mini",
            "--model-version",
            "1.2",
            "--artifact",
            &weights4,
        ],
    )?;

    println!("Reviews and disclosures:");
    let s1_text = s1.to_string();
    let s2_text = s2.to_string();
    let nsa = "NSA AI Security Center";
    c.log(
        "nsa",
        nsa,
        &format!("determines #{s1} is a covered frontier model"),
        &[
            "determine",
            "--submission",
            &s1_text,
            "--covered",
            "--benchmark",
            "NIST frontier-cyber",
            "--benchmark-version",
            "1.0",
            "--score",
            "0.87",
        ],
    )?;
    let report = c.document("acme-frontier-1-report.pdf", "Full review report (demo)\n")?;
    c.log(
        "nsa",
        nsa,
        &format!("clears #{s1} with conditions (2 high, 5 medium findings)"),
        &[
            "decide",
            "--submission",
            &s1_text,
            "--outcome",
            "cleared_with_conditions",
            "--high",
            "2",
            "--medium",
            "5",
            "--low",
            "9",
            "--report",
            &report,
            "--summary",
            "Cleared once the two high findings are mitigated",
        ],
    )?;
    let advisory = c.document(
        "acme-frontier-1-advisory.txt",
        "Advisory: prompt-injection path to tool execution in acme-frontier-1 (demo)\n",
    )?;
    let salt = c.salt("acme-frontier-1-advisory.salt")?;
    let disclosure = c.log(
        "oncd",
        "ONCD",
        &format!("shares #{s1}'s findings with finance, energy and healthcare (412 operators)"),
        &[
            "disclose",
            "--submission",
            &s1_text,
            "--sector",
            "finance",
            "--sector",
            "energy",
            "--sector",
            "healthcare",
            "--recipients",
            "412",
            "--advisory",
            &advisory,
            "--salt-file",
            &salt,
        ],
    )?;
    let disclosure_text = disclosure.to_string();
    c.log(
        "treasury",
        "Treasury AI Clearinghouse",
        &format!("reports mitigations deployed for disclosure #{disclosure}"),
        &[
            "remediate",
            "--disclosure",
            &disclosure_text,
            "--status",
            "deployed",
        ],
    )?;
    c.log(
        "frontier",
        "Frontier Labs",
        &format!("withdraws #{s4}"),
        &[
            "withdraw",
            "--submission",
            &s4.to_string(),
            "--reason",
            "superseded by atlas-4",
        ],
    )?;
    c.log(
        "nsa",
        nsa,
        &format!("determines #{s2} is a covered frontier model"),
        &[
            "determine",
            "--submission",
            &s2_text,
            "--covered",
            "--benchmark",
            "NIST frontier-cyber",
            "--benchmark-version",
            "1.0",
            "--score",
            "0.93",
        ],
    )?;

    wait_past_deadline(c, s2)?;
    c.log(
        "nsa",
        nsa,
        &format!("reports findings on #{s2}, after its window closed (late)"),
        &[
            "decide",
            "--submission",
            &s2_text,
            "--outcome",
            "findings_reported",
            "--critical",
            "1",
            "--high",
            "3",
        ],
    )?;
    c.log(
        "oncd",
        "ONCD",
        &format!("reveals the advisory behind disclosure #{disclosure}"),
        &[
            "reveal",
            "--disclosure",
            &disclosure_text,
            "--advisory",
            &advisory,
            "--salt-file",
            &salt,
        ],
    )?;
    c.log(
        "acme",
        "Acme AI",
        &format!("releases acme-frontier-1 (#{s1})"),
        &["release", "--submission", &s1_text],
    )?;
    println!("  #{s3:<3} acme-frontier-2 got no decision: overdue.");
    Ok(Scenario {
        on_time: s1,
        late: s2,
        overdue: s3,
        withdrawn: s4,
    })
}

/// Waits until submission `index`'s review window has passed (unless it has been
/// decided already, as on a second run), so the next decision is really late.
fn wait_past_deadline(c: &Client, index: u64) -> Result<()> {
    let (status, body) = docket_tests::http_get(&format!("{}/v1/submissions/{index}", c.log_url))?;
    if status != 200 {
        bail!("GET /v1/submissions/{index} answered {status}");
    }
    let view: Value = serde_json::from_slice(&body).context("submission status is not JSON")?;
    if view["status"]
        .as_str()
        .is_some_and(|s| s.starts_with("decided"))
    {
        return Ok(());
    }
    let deadline = view["deadline"]
        .as_u64()
        .or_else(|| view["deadline_ms"].as_u64())
        .with_context(|| format!("no deadline in the submission status: {view}"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("clock before 1970")?
        .as_millis() as u64;
    if deadline + 1_000 > now {
        let wait = Duration::from_millis(deadline + 1_000 - now);
        println!(
            "  ... waiting {} s for #{index}'s review window to close (real time, nothing faked)",
            wait.as_secs()
        );
        std::thread::sleep(wait);
    }
    Ok(())
}

fn wait_for_ctrl_c(cluster: Cluster) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the signal handler")?;
    runtime.block_on(async {
        // Ctrl-C in a terminal, or SIGTERM from a script or test harness.
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C"),
            _ = term.recv() => Ok(()),
        }
    })?;
    println!("\nStopping (the log and witnesses sync and shut down)...");
    drop(cluster);
    Ok(())
}

fn read_trimmed(path: &Path) -> Result<String> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))?
        .trim()
        .to_string())
}

fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not valid UTF-8", path.display()))
}
