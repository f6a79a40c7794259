//! The `flowwalk` binary: parse the command line and dispatch.

use clap::Parser;
use flowwalk_server::cli::{self, Cli};

fn main() -> std::process::ExitCode {
    flowwalk_server::telemetry::init();
    let cli = Cli::parse();
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flowwalk: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
