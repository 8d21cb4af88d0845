//! The journalists' guide (`docs/journalists.md`) cannot rot: every command in its ```sh
//! blocks is run here, in order, against the demo, exactly as a reader following along
//! would type it (issue 6).
//!
//! - `bash scripts/demo.sh` starts the demo binary instead (free loopback ports, a
//!   5-second review window, `demo-data` in a fresh temp dir that is every command's
//!   working directory), so the guide's `demo-data/...` paths and entry numbers hold.
//! - `verifier ...` runs the workspace's verifier with a private state file; any other
//!   line runs through `sh -c`.
//! - Every command must exit 0, unless its line ends with `# exit N`.
//! - A plain ``` block right after a ```sh block is that block's last command's sample
//!   output: each of its lines without `…` must appear, in order, in what the command
//!   printed, with times, numbers, hashes and paths (any word with a digit or a `/`, or
//!   of 40+ characters) treated as placeholders, since those differ from run to run.

use std::path::Path;
use std::process::{Command, Stdio};

use docket_tests::{Daemon, binary, free_port_base, start_demo};

/// The guide, read at compile time so the test always checks the checked-in text.
const GUIDE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/journalists.md"
));

/// The line that starts the demo in the guide.
const DEMO_COMMAND: &str = "bash scripts/demo.sh";

/// One command from a ```sh block.
#[derive(Debug, PartialEq)]
struct GuideCommand {
    /// 1-based line in the guide where the command starts.
    line: usize,
    /// The command, continuation lines joined, without its `# exit N` suffix.
    text: String,
    /// The exit code the guide promises.
    exit: i32,
    /// The sample output shown right after the command's block: (its first line, text).
    sample: Option<(usize, Vec<String>)>,
}

/// Reads every command, and the sample outputs, out of a Markdown guide.
fn parse(guide: &str) -> Vec<GuideCommand> {
    enum Block {
        Outside,
        Sh,
        Sample(usize),
        Other,
    }
    let mut commands: Vec<GuideCommand> = Vec::new();
    let mut block = Block::Outside;
    let mut pending: Option<(usize, String)> = None;
    // Set when a ```sh block closes; cleared by any non-blank prose line.
    let mut sample_may_follow = false;
    for (number, line) in guide.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        match block {
            Block::Outside => {
                if let Some(language) = line.strip_prefix("```") {
                    block = match language.trim() {
                        "sh" => Block::Sh,
                        "" if sample_may_follow => Block::Sample(number + 1),
                        _ => Block::Other,
                    };
                    if !matches!(block, Block::Sample(_)) {
                        sample_may_follow = false;
                    }
                } else if !line.trim().is_empty() {
                    sample_may_follow = false;
                }
            }
            Block::Sh => {
                if line.trim() == "```" {
                    assert!(
                        pending.is_none(),
                        "guide line {number}: a ```sh block ends in a `\\` continuation"
                    );
                    block = Block::Outside;
                    sample_may_follow = true;
                    continue;
                }
                let (start, mut text) = pending.take().unwrap_or((number, String::new()));
                if let Some(head) = line.trim_end().strip_suffix('\\') {
                    text.push_str(head);
                    text.push(' ');
                    pending = Some((start, text));
                    continue;
                }
                text.push_str(line);
                let text = text.trim();
                if text.is_empty() || text.starts_with('#') {
                    continue;
                }
                let (text, exit) = match text.rsplit_once("# exit ") {
                    Some((command, code)) => (
                        command.trim_end(),
                        code.trim().parse().unwrap_or_else(|_| {
                            panic!("guide line {start}: `# exit` needs a number, got {code:?}")
                        }),
                    ),
                    None => (text, 0),
                };
                commands.push(GuideCommand {
                    line: start,
                    text: text.to_string(),
                    exit,
                    sample: None,
                });
            }
            Block::Sample(first) => {
                if line.trim() == "```" {
                    let lines = guide
                        .lines()
                        .skip(first - 1)
                        .take(number - first)
                        .map(str::to_string)
                        .collect();
                    if let Some(last) = commands.last_mut() {
                        last.sample = Some((first, lines));
                    }
                    block = Block::Outside;
                    sample_may_follow = false;
                }
            }
            Block::Other => {
                if line.trim() == "```" {
                    block = Block::Outside;
                }
            }
        }
    }
    commands
}

/// A line with everything that differs between runs replaced by a placeholder.
fn normalise(line: &str) -> String {
    line.split_whitespace()
        .map(|word| {
            if word.chars().any(|c| c.is_ascii_digit()) || word.contains('/') || word.len() >= 40 {
                "<v>"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that the sample's lines (but those with `…`) appear in order in `printed`.
fn sample_matches(sample: &[String], printed: &str) -> Result<(), String> {
    let mut printed = printed.lines().map(normalise);
    for line in sample.iter().filter(|l| !l.contains('…')) {
        let wanted = normalise(line);
        if !printed.any(|p| p == wanted) {
            return Err(line.clone());
        }
    }
    Ok(())
}

/// What the guide's `bash scripts/demo.sh` does, on free ports inside `dir`.
fn start_guide_demo(dir: &Path) -> Daemon {
    start_demo(&dir.join("demo-data"), free_port_base()).expect("demo plays its scenario")
}

/// Stops the demo with SIGTERM (as Ctrl-C does) even when the test fails: a killed demo
/// would leave its log server and witnesses running.
struct DemoGuard(Option<Daemon>);

impl Drop for DemoGuard {
    fn drop(&mut self) {
        if let Some(demo) = self.0.as_mut() {
            demo.terminate();
        }
    }
}

/// Runs one guide command in `dir`: (exit code, stdout, stderr).
fn run_command(dir: &Path, command: &GuideCommand) -> (i32, String, String) {
    let mut process = match command.text.strip_prefix("verifier ") {
        Some(args) => {
            assert!(
                !args.contains(['"', '\'', '|', '>', '<', ';', '&', '$', '`']),
                "guide line {}: keep verifier commands free of shell syntax: {}",
                command.line,
                command.text
            );
            let mut process = Command::new(binary("verifier"));
            process
                .args(args.split_whitespace())
                .env("DOCKET_VERIFIER_STATE", dir.join("verifier-state.json"))
                .env_remove("DOCKET_POLICY")
                .env_remove("DOCKET_LOG");
            process
        }
        None => {
            let mut process = Command::new("sh");
            process.arg("-c").arg(&command.text);
            process
        }
    };
    let out = process
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("guide line {}: cannot run: {e}", command.line));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_in_the_journalists_guide_runs_against_the_demo() {
    let commands = parse(GUIDE);
    assert!(
        commands.len() >= 15,
        "only {} commands found in the guide's ```sh blocks",
        commands.len()
    );
    assert_eq!(
        commands.first().map(|c| c.text.as_str()),
        Some(DEMO_COMMAND),
        "the guide must start the demo before any other command"
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let mut demo = DemoGuard(None);
    let mut failures = Vec::new();
    let mut ran = 0;
    for command in &commands {
        if command.text == DEMO_COMMAND {
            assert!(
                demo.0.is_none(),
                "guide line {}: demo started twice",
                command.line
            );
            demo.0 = Some(start_guide_demo(dir));
            continue;
        }
        let (code, stdout, stderr) = run_command(dir, command);
        ran += 1;
        if code != command.exit {
            failures.push(format!(
                "guide line {}: `{}` exited {code}, the guide says {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
                command.line, command.text, command.exit
            ));
            continue;
        }
        if let Some((first, sample)) = &command.sample
            && let Err(missing) = sample_matches(sample, &stdout)
        {
            failures.push(format!(
                "guide line {}: the sample output from line {first} shows\n  {missing}\n\
                 which `{}` did not print (in that order):\n{stdout}",
                command.line, command.text
            ));
        }
    }
    assert!(ran >= 14, "only {ran} commands ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} guide commands failed:\n\n{}\n\ndemo output:\n{}",
        failures.len(),
        failures.join("\n\n"),
        demo.0.as_ref().map(Daemon::output).unwrap_or_default()
    );
}

#[test]
fn parser_joins_continuations_reads_exit_codes_and_attaches_samples() {
    let guide = "Intro\n\n```sh\n# a comment\nverifier a \\\n  --b c\n\nsha256sum x  # exit 1\n```\n\n```\nout\n…\n```\n\nProse.\n\n```\nnot a sample\n```\n\n```json\n{}\n```\n";
    let commands = parse(guide);
    assert_eq!(
        commands,
        vec![
            GuideCommand {
                line: 5,
                text: "verifier a    --b c".to_string(),
                exit: 0,
                sample: None,
            },
            GuideCommand {
                line: 8,
                text: "sha256sum x".to_string(),
                exit: 1,
                sample: Some((12, vec!["out".to_string(), "…".to_string()])),
            },
        ]
    );
}

#[test]
fn samples_match_up_to_values_that_change_between_runs() {
    let sample = vec![
        "Entry #11 is in the log".to_string(),
        "  …".to_string(),
        "  logged at:  2026-06-01T05:00:00Z (the log's clock)".to_string(),
    ];
    let printed =
        "Entry #3 is in the log\n  extra\n  logged at: 2027-01-01T00:00:00.5Z (the log's clock)\n";
    assert_eq!(sample_matches(&sample, printed), Ok(()));
    let reordered = "  logged at: 2027-01-01T00:00:00Z (the log's clock)\nEntry #3 is in the log\n";
    assert_eq!(
        sample_matches(&sample, reordered),
        Err("  logged at:  2026-06-01T05:00:00Z (the log's clock)".to_string())
    );
    assert!(sample_matches(&sample, "Entry #3 is NOT in the log\n").is_err());
}
