//! The demo's story: who registers, what they submit, and how each review ends, played
//! through the real `docket` client with `--json` so every step is what a participant
//! would type.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use docket_tests::run;
use serde_json::Value;

use crate::path_str;

/// Runs the `docket` client with `--json` against the demo log.
pub(crate) struct Client {
    pub(crate) docket: PathBuf,
    pub(crate) log_url: String,
    pub(crate) root: PathBuf,
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
pub(crate) struct Scenario {
    pub(crate) on_time: u64,
    pub(crate) late: u64,
    pub(crate) overdue: u64,
    pub(crate) withdrawn: u64,
}

/// Who takes part: key name, organisation, role.
const PARTICIPANTS: [(&str, &str, &str); 5] = [
    ("acme", "Acme AI", "developer"),
    ("frontier", "Frontier Labs", "developer"),
    ("nsa", "NSA AI Security Center", "reviewer"),
    ("oncd", "ONCD", "coordinator"),
    ("treasury", "Treasury AI Clearinghouse", "clearinghouse"),
];

pub(crate) fn play(c: &Client) -> Result<Scenario> {
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
