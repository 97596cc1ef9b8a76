//! Times each stage of the build pipeline on one site (default: the 1,000-guide corpus that
//! `scripts/bench` generates), plain and `--release`.
//!
//! `cargo bench --bench stages -- [SITE_ROOT] [RUNS]` prints the median (min-max) of RUNS clean
//! builds for each stage. No benchmark framework: each figure is a lap that
//! [`guidesmith::pipeline::build`] itself records ([`guidesmith::pipeline::StageTimes`]), so the
//! figures add up to a build and show where its time goes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use guidesmith::pipeline::{BuildOptions, build};

/// Peak resident set size so far, in MiB (Linux `VmHWM`; 0 elsewhere).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let default_root = "/tmp/guidesmith-bench/n1000/guides".to_string();
    let root = PathBuf::from(args.first().unwrap_or(&default_root));
    let runs: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(5);
    if !root.join("site.toml").is_file() {
        eprintln!(
            "no site at {}: run scripts/bench once (it generates the corpus) or pass a site folder",
            root.display()
        );
        return;
    }
    let scratch = std::env::temp_dir().join(format!("guidesmith-stages-{}", std::process::id()));
    println!(
        "{} ({runs} clean builds each), ms per stage: median (min-max)",
        root.display()
    );
    for release in [false, true] {
        println!("{}", if release { "build --release" } else { "build" });
        let all: Vec<Vec<(&str, Duration)>> = (0..runs)
            .map(|run| clean_build(&root, &scratch.join(format!("{release}-{run}")), release))
            .collect();
        print_medians(&all);
    }
    println!("peak resident memory: {:.0} MiB", rss_mib());
    let _ = std::fs::remove_dir_all(&scratch);
}

/// The stage laps of one build into the empty folder `out`.
fn clean_build(root: &Path, out: &Path, release: bool) -> Vec<(&'static str, Duration)> {
    let options = BuildOptions {
        output: Some(out.join("public")),
        release,
        ..Default::default()
    };
    let report = build(root, &options).expect("the site builds");
    let mut laps = report.stages.laps().to_vec();
    laps.push(("total", report.elapsed));
    laps
}

fn print_medians(all: &[Vec<(&str, Duration)>]) {
    for (i, (name, _)) in all[0].iter().enumerate() {
        let mut ms: Vec<f64> = all.iter().map(|l| l[i].1.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        println!(
            "  {name:<24} {:>8.1}  ({:.1}-{:.1})",
            ms[ms.len() / 2],
            ms[0],
            ms[ms.len() - 1]
        );
    }
}
