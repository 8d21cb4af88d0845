//! The load generator for the log server's write path (a `harness = false` bench):
//! `cargo bench -p docket-log-server --bench loadgen -- [flags]`.
//!
//! Pre-signs N submission statements (spread over several registered developer keys),
//! then posts them over C concurrent keep-alive connections, either as fast as possible
//! or at a fixed rate, and prints throughput and receipt latency percentiles. Without
//! `--url` it starts a log in-process (temp data dir) with two in-process HTTP
//! tlog-witnesses, so every receipt is synced and cosigned by two witnesses.
//!
//! ```text
//! loadgen [--url URL --operator-key FILE] [--statements N] [--connections C]
//!                [--rate PER_SECOND] [--witnesses K] [--batch-delay 5ms]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Parser;
use docket_core::dsse::{Envelope, SigningKey};
use docket_log_server::config::{Config, WitnessSetting, parse_duration};
use docket_log_server::server::{Server, StartOptions};
use docket_log_server::testkit::{HttpWitnessServer, spawn_http_witness};
use serde_json::json;

/// Load generator flags.
#[derive(Debug, Parser)]
#[command(
    name = "docket-loadgen",
    about = "Load generator for the Docket log server"
)]
struct Args {
    /// Target server; without it a log is started in-process.
    #[arg(long)]
    url: Option<String>,
    /// The operator's key file (hex seed), needed with --url to register developers.
    #[arg(long)]
    operator_key: Option<std::path::PathBuf>,
    /// Statements to send.
    #[arg(long, default_value_t = 20_000)]
    statements: usize,
    /// Concurrent connections.
    #[arg(long, default_value_t = 256)]
    connections: usize,
    /// Statements per second (0 = as fast as possible).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// In-process mode: number of HTTP witnesses.
    #[arg(long, default_value_t = 2)]
    witnesses: usize,
    /// In-process mode: sequencer batch delay.
    #[arg(long, default_value = "5ms")]
    batch_delay: String,
    /// Developer keys to spread the statements over.
    #[arg(long, default_value_t = 8)]
    developers: u8,
    /// After the writes, GET the first full level-0 tile this many times (tile read
    /// rate; needs at least 256 entries).
    #[arg(long, default_value_t = 0)]
    tile_reads: usize,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

struct Local {
    server: Server,
    _witnesses: Vec<HttpWitnessServer>,
    _dir: tempfile::TempDir,
    operator: SigningKey,
}

async fn start_local(args: &Args) -> anyhow::Result<Local> {
    let dir = tempfile::tempdir()?;
    let mut config = Config::defaults(dir.path());
    config.listen = "127.0.0.1:0".parse()?;
    config.batch_delay = parse_duration(&args.batch_delay).context("--batch-delay")?;
    std::fs::create_dir_all(&config.data_dir)?;
    docket_log_server::keys::create_log_key(&config.log_key, &config.origin)?;
    let vkey = std::fs::read_to_string(docket_log_server::keys::vkey_path(&config.log_key))?;
    let mut witnesses = Vec::new();
    for i in 0..args.witnesses {
        let witness = spawn_http_witness(
            &format!("loadgen-witness-{i}.test"),
            100 + i as u8,
            vkey.trim(),
        )
        .await?;
        config.witnesses.push(WitnessSetting {
            url: witness.url.clone(),
            vkey: witness.vkey.clone(),
        });
        witnesses.push(witness);
    }
    let operator_path = config.operator_key.clone();
    let server = Server::start(config, StartOptions::default()).await?;
    let operator = read_operator(&operator_path)?;
    Ok(Local {
        server,
        _witnesses: witnesses,
        _dir: dir,
        operator,
    })
}

fn read_operator(path: &std::path::Path) -> anyhow::Result<SigningKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    SigningKey::from_hex(text.trim()).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))
}

fn sign(statement: &serde_json::Value, key: &SigningKey) -> Vec<u8> {
    Envelope::sign_payload(serde_json::to_vec(statement).expect("JSON"), key).to_json()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(args: Args) -> anyhow::Result<()> {
    let local = match &args.url {
        Some(_) => None,
        None => Some(start_local(&args).await?),
    };
    let (url, operator) = match (&args.url, &local) {
        (Some(url), _) => {
            let path = args
                .operator_key
                .as_ref()
                .context("--url needs --operator-key")?;
            (url.trim_end_matches('/').to_string(), read_operator(path)?)
        }
        (None, Some(local)) => (local.server.url(), local.operator.clone()),
        (None, None) => unreachable!("a local server was started"),
    };
    let client = docket_common::https::plain_builder()
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(30))
        .build()?;
    // Register the developers (unique keys per run so reruns against one log work).
    let run_id: u64 = {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|err| anyhow::anyhow!("random: {err}"))?;
        u64::from_le_bytes(bytes)
    };
    let mut developers = Vec::new();
    for d in 0..args.developers.max(1) {
        let mut seed = [d; 32];
        seed[..8].copy_from_slice(&run_id.to_le_bytes());
        let key = SigningKey::from_seed(&seed);
        let statement = json!({
            "type": "participant", "org": "operator", "action": "register",
            "member": {"org": format!("loadgen-{d}"), "role": "developer", "public_key": key.public_key().to_hex()},
        });
        let response = client
            .post(format!("{url}/v1/statements"))
            .body(sign(&statement, &operator))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "registering developer {d}: {} {}",
                response.status(),
                response.text().await?
            );
        }
        developers.push((format!("loadgen-{d}"), key));
    }
    eprintln!("pre-signing {} statements...", args.statements);
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..args.statements)
            .map(|i| {
                let (org, key) = &developers[i % developers.len()];
                sign(
                    &json!({"type": "submission", "org": org,
                            "model": {"name": format!("model-{run_id}-{i}"), "version": "1", "sha256": hex::encode([7u8; 32])}}),
                    key,
                )
            })
            .collect(),
    );
    eprintln!(
        "sending {} statements over {} connections{}",
        args.statements,
        args.connections,
        if args.rate > 0 {
            format!(" at {}/s", args.rate)
        } else {
            String::new()
        }
    );
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let client = client.clone();
        let url = format!("{url}/v1/statements");
        let bodies = bodies.clone();
        let next = next.clone();
        let rate = args.rate;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures: Vec<u16> = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() {
                    break;
                }
                if rate > 0 {
                    let due = start + Duration::from_secs_f64(i as f64 / rate as f64);
                    tokio::time::sleep_until(tokio::time::Instant::from_std(due)).await;
                }
                let sent = Instant::now();
                match client.post(&url).body(bodies[i].clone()).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        if status == 201 || status == 200 {
                            latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                        } else {
                            failures.push(status);
                        }
                    }
                    Err(_) => failures.push(0),
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures.extend(f);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    println!(
        "statements={} ok={} failed={} elapsed={:.2}s throughput={:.0}/s latency_ms p50={:.1} p90={:.1} p99={:.1} max={:.1}",
        args.statements,
        latencies.len(),
        failures.len(),
        elapsed,
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(0.0),
    );
    if !failures.is_empty() {
        let mut counts = std::collections::BTreeMap::new();
        for status in failures {
            *counts.entry(status).or_insert(0u64) += 1;
        }
        println!("failures by status (0 = transport): {counts:?}");
    }
    if args.tile_reads > 0 {
        tile_reads(&client, &url, args.tile_reads, args.connections).await?;
    }
    if let Some(local) = local {
        let metrics = local.server.metrics.render();
        for line in metrics.lines().filter(|l| {
            l.starts_with("docket_batch_entries_sum")
                || l.starts_with("docket_batch_entries_count")
                || l.starts_with("docket_tree_size")
        }) {
            println!("{line}");
        }
        local.server.shutdown().await;
    }
    Ok(())
}

/// GETs `/tile/0/000` `count` times over `connections` connections; prints the rate.
async fn tile_reads(
    client: &reqwest::Client,
    url: &str,
    count: usize,
    connections: usize,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let client = client.clone();
        let url = format!("{url}/tile/0/000");
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut ok = 0usize;
            while next.fetch_add(1, Ordering::Relaxed) < count {
                if let Ok(response) = client.get(&url).send().await
                    && response.status().as_u16() == 200
                    && response.bytes().await.map(|b| b.len()).ok() == Some(8192)
                {
                    ok += 1;
                }
            }
            ok
        }));
    }
    let mut ok = 0;
    for task in tasks {
        ok += task.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "tile_reads={count} ok={ok} elapsed={elapsed:.2}s rate={:.0}/s ({:.0} MB/s)",
        ok as f64 / elapsed,
        ok as f64 * 8192.0 / elapsed / 1e6
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}
