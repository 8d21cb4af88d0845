//! The `docket` binary: everything is in the library (`docket_client`).

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(docket_client::main_with_args(std::env::args_os()))
}
