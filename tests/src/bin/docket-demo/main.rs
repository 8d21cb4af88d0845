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

use anyhow::{Context, Result, bail};
use docket_tests::{Daemon, binary, run};

mod scenario;

use scenario::{Client, play};

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

pub(crate) fn read_trimmed(path: &Path) -> Result<String> {
    Ok(std::fs::read_to_string(path)
        .with_context(|| format!("reading {}", path.display()))?
        .trim()
        .to_string())
}

pub(crate) fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not valid UTF-8", path.display()))
}
