//! How fast the explorer's overview answers on a large log (issue 12: within 50 ms at
//! 1,000,000 entries). A `harness = false` bench, not a timed test:
//! `cargo bench -p docket-log-server --bench explorer_overview -- [--entries N] [--span-days D]`.
//!
//! Builds a log in a temp dir through the real write path (`plan_batch` and one synced
//! commit per batch of 1,000, with the explorer's indexes), spreading the entries' log
//! times over `--span-days` with a 30-day review window: 60% submissions, 20% decisions,
//! 10% determinations, 10% disclosures. Then times the overview's index reads and its
//! full HTML render, and a filtered table page, and prints percentiles.

use std::time::Instant;

use anyhow::Context as _;
use docket_core::dsse::{Envelope, SigningKey};
use docket_core::merkle::Frontier;
use docket_core::statement::Statement;
use docket_core::time::UnixMillis;
use docket_log_server::apply::{Submission, plan_batch};
use docket_log_server::explorer::{pages, query};
use docket_log_server::http::explorer::cut_at;
use docket_log_server::published::PublishedCheckpoint;
use docket_log_server::store::{LogStore, TreeState};
use serde_json::{Value, json};

const ORIGIN: &str = "bench.example/docket";
const BATCH: usize = 1000;
const START: u64 = 1_780_358_400_000;

fn arg(name: &str, default: u64) -> anyhow::Result<u64> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .context("missing value")?
            .parse()
            .with_context(|| format!("{name} must be a number")),
        None => Ok(default),
    }
}

fn signed(value: &Value, key: &SigningKey) -> anyhow::Result<Submission> {
    let statement = Statement::from_json(&serde_json::to_vec(value)?)?;
    let envelope = Envelope::sign(&statement, key)?;
    Ok(Submission::new(envelope.verify(&key.public_key())?))
}

fn percentiles(mut samples: Vec<f64>) -> String {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.95),
        at(1.0)
    )
}

fn main() -> anyhow::Result<()> {
    let entries = arg("--entries", 1_000_000)?;
    let span_days = arg("--span-days", 3 * 365)?;
    let dir = tempfile::tempdir()?;
    let store = LogStore::open(dir.path())?;
    let operator = SigningKey::from_seed(&[1; 32]);
    let developer = SigningKey::from_seed(&[2; 32]);
    let reviewer = SigningKey::from_seed(&[3; 32]);
    let coordinator = SigningKey::from_seed(&[4; 32]);
    let step_ms = span_days * 86_400_000 / entries.max(1);
    let mut frontier = Frontier::new();
    let mut state = TreeState::default();
    let mut now = START;
    let started = Instant::now();

    let mut first = vec![signed(
        &json!({"type":"genesis","org":"operator","origin":ORIGIN,"review_window_secs":2_592_000,
                "operator_key": operator.public_key().to_hex()}),
        &operator,
    )?];
    for (org, role, key) in [
        ("acme", "developer", &developer),
        ("nsa", "reviewer", &reviewer),
        ("oncd", "coordinator", &coordinator),
    ] {
        first.push(signed(
            &json!({"type":"participant","org":"operator","action":"register",
                    "member":{"org":org,"role":role,"public_key":key.public_key().to_hex()}}),
            &operator,
        )?);
    }
    let plan = plan_batch(
        &store,
        ORIGIN,
        &mut frontier,
        state,
        UnixMillis(now),
        &first,
    )?;
    store.commit(&plan.commit)?;
    state = plan.commit.state;
    anyhow::ensure!(state.size == 4, "set-up refused: {:?}", plan.outcomes);

    let mut submissions: Vec<u64> = Vec::new();
    let mut undecided: Vec<u64> = Vec::new();
    while state.size < entries {
        let mut batch = Vec::with_capacity(BATCH);
        let mut next = state.size;
        while batch.len() < BATCH && next < entries {
            let roll = next % 10;
            let statement = if roll < 6 || submissions.is_empty() {
                submissions.push(next);
                undecided.push(next);
                signed(
                    &json!({"type":"submission","org":"acme","model":{"name":format!("model-{next}"),
                            "version":"1","sha256":format!("{next:064x}")}}),
                    &developer,
                )?
            } else if roll < 8 && !undecided.is_empty() {
                let sub = undecided.remove(0);
                signed(
                    &json!({"type":"decision","org":"nsa","submission":sub,"outcome":"cleared",
                            "findings":{"critical":0,"high":0,"medium":0,"low":next % 5}}),
                    &reviewer,
                )?
            } else if roll == 8 {
                let sub = submissions[(next as usize * 7) % submissions.len()];
                signed(
                    &json!({"type":"determination","org":"nsa","submission":sub,"covered":true,
                            "benchmark":{"name":format!("b{next}"),"version":"1","score":0.5}}),
                    &reviewer,
                )?
            } else {
                let sub = submissions[(next as usize * 13) % submissions.len()];
                signed(
                    &json!({"type":"disclosure","org":"oncd","submission":sub,"sectors":["energy"],
                            "recipients":2,"commitment":format!("{next:064x}")}),
                    &coordinator,
                )?
            };
            batch.push(statement);
            next += 1;
        }
        now += step_ms * batch.len() as u64;
        let plan = plan_batch(
            &store,
            ORIGIN,
            &mut frontier,
            state,
            UnixMillis(now),
            &batch,
        )?;
        store.commit(&plan.commit)?;
        state = plan.commit.state;
        anyhow::ensure!(
            state.size == next,
            "the rules refused part of a batch: {:?}",
            plan.outcomes
                .iter()
                .find(|o| !matches!(o, docket_log_server::apply::Outcome::New { .. }))
        );
        if state.size % 100_000 < BATCH as u64 {
            eprintln!("  {} entries ({:.0?})", state.size, started.elapsed());
        }
    }
    println!(
        "built {} entries ({} submissions) in {:.1?}",
        state.size,
        submissions.len(),
        started.elapsed()
    );

    let latest = PublishedCheckpoint {
        seq: 1,
        size: state.size,
        root: frontier.root(),
        published_at: UnixMillis(now),
        cosignatures: 0,
        is_final: false,
        note: format!(
            "{ORIGIN}\n{}\n{}\n\n",
            state.size,
            frontier.root().to_base64()
        ),
    };
    let cut = cut_at(&store, &latest).map_err(|e| anyhow::anyhow!(e.message))?;
    let data = query::overview(&store, &cut, 10)?;
    println!("overview counts: {}", serde_json::to_string(&data.counts)?);

    let mut reads = Vec::new();
    let mut renders = Vec::new();
    let mut tables = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        query::overview(&store, &cut, 10)?;
        reads.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        pages::overview(&store, &cut, &latest, UnixMillis(now))
            .map_err(|e| anyhow::anyhow!(e.message))?;
        renders.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let filter = query::Filter {
            org: Some("acme".into()),
            ..query::Filter::default()
        };
        let paging = query::Paging {
            after: None,
            newest_first: true,
            limit: 50,
        };
        query::submissions(&store, &cut, &filter, paging)?;
        tables.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("overview (index reads):      {}", percentiles(reads));
    let render_line = percentiles(renders.clone());
    println!("overview (whole HTML page):  {render_line}");
    println!("table page (org filter, 50): {}", percentiles(tables));
    renders.sort_by(f64::total_cmp);
    let p50 = renders[renders.len() / 2];
    println!(
        "target (issue 12: the overview within 50 ms at 1,000,000 entries), at {} entries: {}",
        state.size,
        if p50 <= 50.0 { "met" } else { "NOT met" }
    );
    Ok(())
}
