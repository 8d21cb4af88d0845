//! The `witness` binary: parse the command line, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = docket_witness::cli::Cli::parse();
    match docket_witness::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("witness: {error:#}");
            // Start-up failures are bad settings or local files (docket_common::exit).
            ExitCode::from(docket_common::exit::USAGE)
        }
    }
}
