//! Links the `guidesmith` binary as a fixed-address (non-PIE) executable on Linux.
//!
//! A position-independent binary this size has 41,000 pointers in its read-only data that the
//! dynamic loader must patch at every start (10 MB of pages touched, 6 ms): a fifth of the time
//! `guidesmith --version` takes and 3% of a 1,000-guide build (docs/dev/performance-notes.md,
//! "Allocator and start-up"). The library, tests and proc-macros stay position-independent.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
