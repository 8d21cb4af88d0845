//! The `verifier` binary: parses flags, runs the verb, prints, exits with its code
//! (0 verified, 1 a check failed, 2 usage or I/O error, 3 fork).

use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let rendered = docket_verifier::run_args(std::env::args_os(), &docket_verifier::Env::system());
    // A closed pipe must not turn a verified result into a panic; the exit code stands.
    let _ = std::io::stdout().write_all(rendered.stdout.as_bytes());
    let _ = std::io::stderr().write_all(rendered.stderr.as_bytes());
    ExitCode::from(rendered.code)
}
