//! `log-server`: parse the command line and run (see `docket_log_server::cli`).

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    let cli = docket_log_server::Cli::parse();
    match docket_log_server::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("log-server: {err:#}");
            // Start-up failures are bad settings or local files (docket_common::exit).
            std::process::ExitCode::from(docket_common::exit::USAGE)
        }
    }
}
