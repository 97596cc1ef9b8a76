//! Input written to break the build: mutated guides and site.toml (a bounded fuzz run), and
//! inputs that once took quadratic time. Every run must end with exit 0 or 1, no panic, every
//! error at `file:line:column`, and a failed build must leave the last good output as it was.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

const GUIDE_PIECES: &[&str] = &[
    "---\n",
    ": ",
    "\"",
    "'",
    "&a ",
    "*a",
    "- ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    "\n",
    "\r\n",
    "#",
    "title: 2024\n",
    "id: x\n",
    "steps:\n  - title: s\n",
    "[l](/nope/#x)",
    "<!-- steps -->",
    "## Heading\n",
    "- [ ] item\n",
    "\u{feff}",
    "\u{1b}[31m",
    "|\n",
    ">-\n",
    "no",
    "null",
    "duration: 3 eons\n",
    "slug: con\n",
    "slug: ../../x\n",
    "tags: [a, A]\n",
    "\u{0}",
];

const TOML_PIECES: &[&str] = &[
    "\n",
    "=",
    "\"",
    "[",
    "]",
    "output_dir = \".\"\n",
    "output_dir = \"guides\"\n",
    "output_dir = \"static/out\"\n",
    "base_url = \"nope\"\n",
    "[build]\nportable = true\n",
    "[publish]\ncname = \"a\\nb\"\n",
    "theme = \"../x\"\n",
    "title = \"\"\n",
    "#",
];

/// Applies a few random edits: insert a piece, delete a range, duplicate a line.
fn mutate(rng: &mut Rng, text: &[u8], pieces: &[&str]) -> Vec<u8> {
    let mut out = text.to_vec();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(3) {
            0 => {
                let piece = pieces[rng.below(pieces.len())].as_bytes();
                out.splice(at..at, piece.iter().copied());
            }
            1 => {
                let end = (at + rng.below(12)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let start = out[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1);
                let end = out[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(out.len(), |i| at + i + 1);
                let line = out[start..end].to_vec();
                out.splice(start..start, line);
            }
        }
    }
    out
}

/// `path:line:column: error: ...`, with line and column numbers.
fn has_position(line: &str) -> bool {
    let Some((head, _)) = line.split_once(": error: ") else {
        return true;
    };
    let mut parts = head.rsplitn(3, ':');
    let column = parts.next().unwrap_or("");
    let line_no = parts.next().unwrap_or("");
    let file = parts.next().unwrap_or("");
    !file.is_empty() && line_no.parse::<usize>().is_ok() && column.parse::<usize>().is_ok()
}

#[test]
fn mutated_guides_and_site_toml_never_panic_and_never_touch_the_last_good_output() {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("out");
    let args = [
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ];
    assert!(guidesmith(&args).status.success());
    let mut good = files_under(&out);
    let originals: Vec<(String, Vec<u8>)> = ["guides/alpha.md", "guides/beta.md", "site.toml"]
        .iter()
        .map(|f| (f.to_string(), fs::read(root.join(f)).unwrap()))
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut failures, mut successes) = (0, 0);
    for run in 0..60 {
        for (name, bytes) in &originals {
            fs::write(root.join(name), bytes).unwrap();
        }
        let (name, bytes) = &originals[rng.below(originals.len())];
        let pieces = if name.ends_with(".toml") {
            TOML_PIECES
        } else {
            GUIDE_PIECES
        };
        let mutated = mutate(&mut rng, bytes, pieces);
        fs::write(root.join(name), &mutated).unwrap();
        let r = guidesmith(&args);
        let err = stderr(&r);
        let input = String::from_utf8_lossy(&mutated);
        assert!(
            !err.contains("panicked"),
            "run {run}, {name}:\n{input}\n{err}"
        );
        match r.status.code() {
            Some(0) => {
                successes += 1;
                good = files_under(&out);
            }
            Some(1) => {
                failures += 1;
                for line in err.lines() {
                    assert!(
                        has_position(line),
                        "run {run}: no file:line:col in {line:?}\n{input}"
                    );
                }
                assert!(
                    files_under(&out) == good,
                    "run {run}: a failed build changed the output\n{input}\n{err}"
                );
            }
            other => panic!("run {run}: exit {other:?}\n{input}\n{err}"),
        }
    }
    // The mutations must exercise both outcomes, or the test proves little.
    assert!(
        failures > 10 && successes > 5,
        "{failures} failed, {successes} passed"
    );
}

/// Runs `guidesmith check` on `root`; a stall (quadratic work) is stopped after `limit`.
fn check_within(root: &Path, limit: Duration) -> (Option<i32>, String) {
    // Output goes to a file: a pipe nobody reads fills up and stalls the child.
    let log = root.join("check.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["check", "--root", root.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("check did not finish in {limit:?}: the work grows faster than the input");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (status.code(), fs::read_to_string(&log).unwrap())
}

/// A watchdog, not a speed test: these inputs take well under a second each in a debug build,
/// and took minutes when each link or heading rescanned the text before it.
#[test]
fn many_links_and_identical_headings_take_linear_time() {
    let (_tmp, root) = site_copy("basic");
    let links: String = (0..80_000)
        .map(|i| format!("See [part {i}](/alpha/) now.\n"))
        .collect();
    fs::write(
        root.join("guides/links.md"),
        format!("---\ntitle: Links\ndescription: Many links\n---\n{links}"),
    )
    .unwrap();
    let headings: String = (0..40_000).map(|_| "## Why\n\nBecause.\n\n").collect();
    fs::write(
        root.join("guides/headings.md"),
        format!("---\ntitle: Headings\ndescription: Many headings\n---\n{headings}"),
    )
    .unwrap();
    let steps: String = (0..40_000)
        .map(|i| format!("  - title: Step {i}\n    body: see [it](/alpha/#s{i})\n"))
        .collect();
    fs::write(
        root.join("guides/steps.md"),
        format!("---\ntitle: Steps\ndescription: Many steps\nsteps:\n{steps}---\n"),
    )
    .unwrap();
    let (code, err) = check_within(&root, Duration::from_secs(60));
    // The step links name anchors alpha does not have: every one is reported, at its line.
    assert_eq!(code, Some(1), "{}", &err[..err.len().min(2000)]);
    assert!(
        err.contains("guides/steps.md:8:20: error: broken anchor in `/alpha/#s1`"),
        "{}",
        &err[..err.len().min(2000)]
    );
}
