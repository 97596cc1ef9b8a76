//! The `guidesmith` binary: parse the command line, run it, print errors once, set the exit code.

use std::process::ExitCode;

use clap::Parser;
use guidesmith::cli::Cli;
use guidesmith::diagnostic::{Diagnostics, printable};

// A build allocates and frees millions of short strings on every core; jemalloc does that
// with a tenth less CPU than glibc's malloc and less peak memory (docs/dev/performance-notes.md,
// "Allocator and start-up").
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match guidesmith::commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(d) = e.downcast_ref::<Diagnostics>() {
                eprintln!("{d}");
            } else {
                eprintln!("error: {}", printable(&format!("{e:#}")));
            }
            ExitCode::FAILURE
        }
    }
}
