//! `docket`: the command line for Docket's participants (docs/architecture.md "Client"). AI
//! developers, reviewing agencies, the disclosure coordinator, the clearinghouse and the
//! log operator use it to make keys, build and sign statements, post them to the log,
//! keep and check the receipts, and follow a submission's review clock.
//!
//! Layout: [`cli`] (flags), [`build`] (pure statement builders), [`keys`] and [`salt`]
//! (local files), [`http`] (the log's API and its errors), [`receipt`] (check and save
//! receipts), [`commands`] (one per subcommand), [`output`] (words and JSON), [`error`]
//! (errors and exit codes). `main.rs` only calls [`main_with_args`].

pub mod build;
pub mod cli;
pub mod commands;
pub mod error;
pub mod http;
pub mod keys;
pub mod output;
pub mod receipt;
pub mod salt;

use std::ffi::OsString;
use std::io::Write as _;

use clap::Parser as _;

pub use error::ClientError;

/// Parses `args`, runs the command, prints its report or error, and returns the exit
/// code (see [`error`]).
pub fn main_with_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr
            // (exit 2).
            let _ = err.print();
            return u8::try_from(err.exit_code()).unwrap_or(error::EXIT_USAGE);
        }
    };
    let json = cli.globals.json;
    match commands::run(cli) {
        Ok(report) => {
            let text = if json {
                report.json_text()
            } else {
                report.human_text()
            };
            let _ = std::io::stdout().write_all(text.as_bytes());
            0
        }
        Err(err) => {
            if json {
                let _ = std::io::stdout().write_all(output::error_json(&err).as_bytes());
            } else {
                let _ = std::io::stderr().write_all(output::error_human(&err).as_bytes());
            }
            err.exit_code()
        }
    }
}
