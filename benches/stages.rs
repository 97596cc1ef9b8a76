//! Times each stage of the build pipeline on one site (default: the 1,000-guide corpus that
//! `scripts/bench` generates).
//!
//! `cargo bench --bench stages -- [SITE_ROOT] [RUNS]` prints the median (min-max) of RUNS for
//! each stage. No benchmark framework: each stage is the public function `build` calls, timed
//! with `Instant`, so the figures add up to a build and show where its time goes.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use guidesmith::check::links::{LinkTargets, check_links};
use guidesmith::load::content::load_guides;
use guidesmith::model::site::Site;
use guidesmith::output::standby::{MARKER_TEXT, STANDBY_FOLDER, StagedOutput};
use guidesmith::pipeline::{BuildOptions, load_config};
use guidesmith::prepare::widgets::prepare_guide_for_build;
use guidesmith::render::pages::{OutputFile, render_cards, render_page, site_pages, site_view};
use guidesmith::render::theme::Theme;
use rayon::prelude::*;

/// Per stage: its name, how long it took and the process's peak resident memory so far (MiB).
type Laps = Vec<(&'static str, Duration, f64)>;

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
    let out = scratch.join("public");
    let all: Vec<Laps> = (0..runs).map(|_| run_once(&root, &out)).collect();
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "{} ({runs} runs), ms per stage: median (min-max); peak resident MiB at the end of the stage",
        root.display()
    );
    for (i, (name, _, _)) in all[0].iter().enumerate() {
        let mut ms: Vec<f64> = all
            .iter()
            .map(|laps| laps[i].1.as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        let rss = all.iter().map(|laps| laps[i].2).fold(0.0, f64::max);
        println!(
            "  {name:<24} {:>8.1}  ({:.1}-{:.1})  {rss:>6.0} MiB",
            ms[ms.len() / 2],
            ms[0],
            ms[ms.len() - 1]
        );
    }
}

fn run_once(root: &std::path::Path, out: &std::path::Path) -> Laps {
    let mut laps = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, laps: &mut Laps| {
        laps.push((name, clock.elapsed(), rss_mib()));
        clock = Instant::now();
    };
    let config = load_config(root, &BuildOptions::default()).expect("site.toml");
    let theme = Theme::load(root, &config).expect("theme");
    lap("config + theme", &mut laps);
    let base_path = config.base_path();
    let (prepared, problems) = load_guides(root, &config, false, |guide| {
        prepare_guide_for_build(guide, &base_path)
    });
    assert!(!problems.has_errors(), "{problems}");
    lap("load + prepare guides", &mut laps);
    let site = Site::new(config, prepared);
    lap("Site::new", &mut laps);
    let pages = site_pages(&site);
    let outputs: HashSet<String> = pages.iter().map(|p| p.path(&site)).collect();
    assert!(check_links(&site, &LinkTargets::new(&site, outputs)).is_empty());
    lap("check_links", &mut laps);
    let sv = site_view(&site);
    let cards = render_cards(&site, &theme, &sv).expect("cards");
    let files: Vec<OutputFile> = pages
        .par_iter()
        .map(|&p| render_page(&site, &theme, &sv, &cards, p).expect("render"))
        .collect();
    lap("render pages", &mut laps);
    // The second write fills the standby tree; from the third on, only changes are written.
    for label in ["write (fresh)", "write (standby)", "write (no change)"] {
        let staged = StagedOutput::begin(out).expect("staging");
        files
            .par_iter()
            .for_each(|f| staged.put(&f.path, &f.bytes).expect("write"));
        staged.finish(MARKER_TEXT).expect("swap");
        lap(label, &mut laps);
    }
    drop((files, site));
    lap("drop", &mut laps);
    std::fs::remove_dir_all(out).expect("cleanup");
    let _ = std::fs::remove_dir_all(out.with_file_name(STANDBY_FOLDER));
    laps
}
