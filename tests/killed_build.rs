//! A build killed at any moment: the output is entirely the old site or entirely the new one,
//! the next build succeeds, and nothing is left beside the output but the standby tree.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

/// Guides in the generated site: a few thousand, so that a rebuild takes long enough to be
/// killed in the middle of rendering and of writing.
const GUIDES: usize = 2500;
const KILLS: usize = 20;

/// Writes a site whose every page says which `version` it is.
fn write_site(root: &Path, version: &str) {
    let guides = root.join("guides");
    fs::create_dir_all(&guides).unwrap();
    fs::write(
        root.join("site.toml"),
        "title = \"Kill test\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    for i in 0..GUIDES {
        let text = format!(
            "---\ntitle: Guide {i}\ndescription: Guide {i}, version {version}\ntags: [t{}, all]\nsteps:\n  - title: First step of guide {i}\n    body: Do the first thing ({version}).\n  - title: Second step\n    body: Do the second thing.\n---\n\nThis is guide {i}, version {version}.\n\n## Why\n\nBecause of {version}.\n",
            i % 40
        );
        fs::write(guides.join(format!("guide-{i:04}.md")), text).unwrap();
    }
}

/// Every file of an output but its marker, as path → digest of its bytes.
fn snapshot(out: &Path) -> BTreeMap<String, u64> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.file_name() != ".guidesmith-output")
        .map(|e| {
            let mut h = DefaultHasher::new();
            fs::read(e.path()).unwrap().hash(&mut h);
            let rel = e.path().strip_prefix(out).unwrap();
            (rel.to_string_lossy().into_owned(), h.finish())
        })
        .collect()
}

fn build(root: &Path, output: Option<&Path>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidesmith"));
    cmd.args(["build", "--root"]).arg(root);
    if let Some(output) = output {
        cmd.arg("--output").arg(output);
    }
    cmd.stdout(std::process::Stdio::null());
    cmd.stderr(std::process::Stdio::null());
    cmd
}

fn build_ok(root: &Path, output: Option<&Path>) -> Duration {
    let started = Instant::now();
    assert!(build(root, output).status().unwrap().success());
    started.elapsed()
}

/// What lies beside the output and in the standby folder: only what the site and a finished
/// build leave, no staging or half-swapped folder.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let standby = fs::read_dir(root.join(".guidesmith-standby"));
    for e in standby.into_iter().flatten() {
        names.push(format!(
            ".guidesmith-standby/{}",
            e.unwrap().file_name().to_string_lossy()
        ));
    }
    names.sort();
    names
}

/// Whether some guide pages of the tree are of `version` and some are not.
fn half_written(tree: &Path, version: &str) -> bool {
    let new = format!("version {version}");
    let pages = (0..GUIDES).step_by(50).map(|i| {
        fs::read_to_string(tree.join(format!("guide-{i:04}/index.html")))
            .is_ok_and(|page| page.contains(&new))
    });
    let (mut some, mut all) = (false, true);
    for is_new in pages {
        some |= is_new;
        all &= is_new;
    }
    some && !all
}

#[test]
fn a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let out = root.join("public");
    write_site(&root, "first");
    build_ok(&root, None);
    write_site(&root, "second");
    let rebuild = build_ok(&root, None);
    let clean = leftovers(&root);
    let mut old = snapshot(&out);

    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut old_seen, mut new_seen, mut half_seen) = (0, 0, 0);
    for kill in 0..KILLS {
        // A new version each time: every page changes, and the standby tree (two builds old)
        // must be written all over.
        let version = format!("v{kill}");
        write_site(&root, &version);
        let delay = rebuild.mul_f64(1.5 * rng.below(1000) as f64 / 1000.0);
        let mut child = build(&root, None).spawn().unwrap();
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let seen = snapshot(&out);
        if half_written(&root.join(".guidesmith-standby/public"), &version) {
            half_seen += 1;
        }
        build_ok(&root, None);
        let new = snapshot(&out);
        let page = fs::read_to_string(out.join("guide-0000/index.html")).unwrap();
        assert!(
            page.contains(&format!("version {version}")),
            "kill {kill}: the next build"
        );
        assert_ne!(new, old);
        if seen == old {
            old_seen += 1;
        } else if seen == new {
            new_seen += 1;
        } else {
            let differ = seen.iter().filter(|(p, d)| old.get(*p) != Some(d)).count();
            panic!(
                "kill {kill} after {delay:?}: the output is neither site ({differ} of {} files differ from the old one)",
                seen.len()
            );
        }
        assert_eq!(
            leftovers(&root),
            clean,
            "kill {kill}: left beside the output"
        );
        old = new;
    }
    eprintln!(
        "{KILLS} kills over a {rebuild:?} rebuild: {old_seen} left the old site ({half_seen} of them a half-written standby tree), {new_seen} the new"
    );
    assert!(old_seen > 0, "no kill landed before the swap");
}
