//! The `guidesmith` binary: parse the command line, run it, print errors once, set the exit code.

use std::process::ExitCode;

use clap::Parser;
use guidesmith::cli::Cli;
use guidesmith::diagnostic::Diagnostics;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match guidesmith::commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(d) = e.downcast_ref::<Diagnostics>() {
                eprintln!("{d}");
            } else {
                eprintln!("error: {e:#}");
            }
            ExitCode::FAILURE
        }
    }
}
