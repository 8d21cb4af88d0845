//! The guides cannot rot: every command in the `sh` blocks of docs/developers.md and
//! docs/agencies.md is run, in order, against a fresh log (in-process, two witnesses, a
//! short review window so a missed deadline can really happen), and must exit as the
//! guide says (0 unless the line ends in `# exit N`).
//!
//! `docket` lines run the real binary; `verifier` lines run docket-verifier in-process,
//! with relative file arguments resolved in the working directory and a private state
//! file. A guide may also hold `<!-- doc-test: wait-overdue N -->`, which waits until
//! submission N is overdue and a later checkpoint is witnessed (the guide's "30 days
//! later"), and `<!-- doc-test: file NAME -->`, which writes the next fenced block to
//! NAME (a statement file the guide shows). The working directory holds what the guides assume: the operator's files in
//! `docket-data/` (as `log-server` writes them), `docket.policy`, and the documents
//! `model.safetensors`, `secret-model.safetensors`, `report.pdf`, `advisory.txt`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::TestLog;

/// The review window of the guides' test log: long enough for the on-time steps, short
/// enough to wait out for the missed-deadline steps.
const REVIEW_WINDOW: Duration = Duration::from_secs(20);

#[derive(Debug)]
enum Action {
    Docket(Vec<String>),
    Verifier(Vec<String>),
    WaitOverdue(u64),
    WriteFile(String, String),
}

#[derive(Debug)]
struct Step {
    line: usize,
    text: String,
    action: Action,
    expect: i32,
}

/// The runnable steps of a guide, in order.
fn steps(doc: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    // `<!-- doc-test: file NAME -->`: the next fenced block is written to NAME.
    let mut file: Option<(String, Option<String>)> = None;
    for (i, raw) in doc.lines().enumerate() {
        let line_no = i + 1;
        let trimmed = raw.trim();
        if let Some((name, contents)) = &mut file {
            match contents {
                None if trimmed.starts_with("```") => *contents = Some(String::new()),
                None => {}
                Some(_) if trimmed == "```" => {
                    let (name, contents) = (name.clone(), contents.take().unwrap_or_default());
                    steps.push(Step {
                        line: line_no,
                        text: format!("write {name}"),
                        action: Action::WriteFile(name, contents),
                        expect: 0,
                    });
                    file = None;
                }
                Some(text) => {
                    text.push_str(raw);
                    text.push('\n');
                }
            }
            continue;
        }
        if !in_sh {
            if trimmed == "```sh" {
                in_sh = true;
            } else if let Some(name) = trimmed
                .strip_prefix("<!-- doc-test: file ")
                .and_then(|rest| rest.strip_suffix(" -->"))
            {
                file = Some((name.to_string(), None));
            } else if let Some(directive) = trimmed
                .strip_prefix("<!-- doc-test: wait-overdue ")
                .and_then(|rest| rest.strip_suffix(" -->"))
            {
                steps.push(Step {
                    line: line_no,
                    text: trimmed.to_string(),
                    action: Action::WaitOverdue(directive.parse().expect("an index")),
                    expect: 0,
                });
            }
            continue;
        }
        if trimmed == "```" {
            assert!(
                pending.is_none(),
                "line {line_no}: block ends after a continuation"
            );
            in_sh = false;
            continue;
        }
        let (start, mut text) = pending.take().unwrap_or((line_no, String::new()));
        if let Some(head) = trimmed.strip_suffix('\\') {
            text.push_str(head);
            text.push(' ');
            pending = Some((start, text));
            continue;
        }
        text.push_str(trimmed);
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (command, expect) = match text.rsplit_once(" # exit ") {
            Some((command, code)) => (command.trim().to_string(), code.trim().parse().unwrap()),
            None => (text.clone(), 0),
        };
        let mut words = shell_words(&command);
        let program = words.remove(0);
        let action = match program.as_str() {
            "docket" => Action::Docket(words),
            "verifier" => Action::Verifier(words),
            other => panic!("line {start}: {other:?} is not a command the guide test runs"),
        };
        steps.push(Step {
            line: start,
            text: command,
            action,
            expect,
        });
    }
    assert!(!in_sh, "an sh block is not closed");
    steps
}

/// Splits a command line as a POSIX shell would, for the quoting the guides use.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => word.extend(chars.next()),
                        '$' | '`' => panic!("shell expansion in a guide command: {line}"),
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            '$' | '`' | '|' | '>' | '<' | ';' | '&' => {
                panic!("shell syntax {c:?} in a guide command: {line}")
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The files the guides assume in the working directory.
fn prepare(log: &TestLog) {
    let work = log.work.path();
    std::fs::create_dir(work.join("docket-data")).unwrap();
    copy_private(&log.operator_key(), &work.join("docket-data/operator.key"));
    std::fs::copy(
        log.data.path().join("operator.pub"),
        work.join("docket-data/operator.pub"),
    )
    .unwrap();
    std::fs::write(work.join("docket-data/log.vkey"), format!("{}\n", log.vkey)).unwrap();
    let policy = format!(
        "log {} {}\nwitness witness-a {}\nwitness witness-b {}\ngroup quorum 2 witness-a witness-b\nquorum quorum\n",
        log.vkey, log.url, log.witness_vkeys[0], log.witness_vkeys[1]
    );
    std::fs::write(work.join("docket.policy"), policy).unwrap();
    for (name, contents) in [
        ("model.safetensors", "acme-1 weights"),
        ("secret-model.safetensors", "acme-2 weights"),
        ("report.pdf", "the full review report"),
        ("advisory.txt", "the advisory shared with the sectors"),
    ] {
        std::fs::write(work.join(name), contents).unwrap();
    }
}

fn copy_private(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Runs the verifier in-process in the working directory.
fn verifier(log: &TestLog, args: &[String]) -> common::Run {
    const PATH_FLAGS: [&str; 7] = [
        "--out",
        "--policy",
        "--state",
        "--advisory",
        "--entry",
        "--bundle",
        "--file",
    ];
    let work = log.work.path();
    let state = work.join("verifier-state.json");
    let mut full = vec![
        "verifier".to_string(),
        "--state".to_string(),
        state.to_string_lossy().into_owned(),
    ];
    let mut previous = String::new();
    for arg in args {
        let resolved = if !arg.starts_with('-')
            && (PATH_FLAGS.contains(&previous.as_str()) || work.join(arg).exists())
        {
            work.join(arg).to_string_lossy().into_owned()
        } else {
            arg.clone()
        };
        previous = arg.clone();
        full.push(resolved);
    }
    let mut env = docket_verifier::Env::system();
    env.progress = false;
    let rendered = docket_verifier::run_args(full, &env);
    common::Run {
        code: i32::from(rendered.code),
        stdout: rendered.stdout,
        stderr: rendered.stderr,
    }
}

fn wait_overdue(log: &TestLog, submission: u64) {
    let deadline = Instant::now() + REVIEW_WINDOW * 2;
    loop {
        let status = log
            .docket(&["--json", "status", &submission.to_string()])
            .json();
        if status["status"] == "overdue" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "submission {submission} never became overdue"
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    // The idle heartbeat re-signs and re-witnesses: wait for a cosignature past the
    // deadline, in whole seconds.
    std::thread::sleep(Duration::from_millis(2_500));
}

fn run_guide(name: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/");
    let doc = std::fs::read_to_string(format!("{path}{name}")).unwrap();
    let steps = steps(&doc);
    assert!(steps.len() >= 10, "{name}: only {} steps", steps.len());
    let log = TestLog::start_with(|config| {
        config.review_window = REVIEW_WINDOW;
        config.heartbeat = Duration::from_millis(500);
    });
    prepare(&log);
    for step in &steps {
        let run = match &step.action {
            Action::Docket(args) => {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                log.docket(&args)
            }
            Action::Verifier(args) => verifier(&log, args),
            Action::WaitOverdue(index) => {
                wait_overdue(&log, *index);
                continue;
            }
            Action::WriteFile(name, contents) => {
                std::fs::write(log.path(name), contents).unwrap();
                continue;
            }
        };
        // Shown with `--nocapture`: the guide's session, for writing its sample output.
        eprintln!("$ {}\n{}{}", step.text, run.stdout, run.stderr);
        assert_eq!(
            run.code, step.expect,
            "{name}:{}: `{}` exited {} (expected {})\nstdout:\n{}\nstderr:\n{}",
            step.line, step.text, run.code, step.expect, run.stdout, run.stderr
        );
    }
}

#[test]
fn developers_guide_runs() {
    run_guide("developers.md");
}

#[test]
fn agencies_guide_runs() {
    run_guide("agencies.md");
}

#[test]
fn shell_words_handles_the_guides_quoting() {
    assert_eq!(
        shell_words(r#"docket --org 'Acme AI' --summary "Two \"paths\"." x\ y"#),
        vec![
            "docket",
            "--org",
            "Acme AI",
            "--summary",
            "Two \"paths\".",
            "x y"
        ]
    );
}
