//! Every page guidesmith writes is valid HTML by the W3C Nu HTML Checker (vnu.jar, from npm
//! `vnu-jar` in tests/browser, run with a Java runtime): the showcase site (guides/), in a plain
//! and a release build, and the test fixture, with 0 errors. Skips without Java or vnu.jar
//! unless `GUIDESMITH_REQUIRE_BROWSER=1` (scripts/test.sh installs both).

#[path = "support/browser.rs"]
#[allow(dead_code)]
mod browser;
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use guidesmith::pipeline::{BuildOptions, build};

const VNU: &str = "tests/browser/node_modules/vnu-jar/build/dist/vnu.jar";

fn find_checker() -> Result<PathBuf, String> {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR")).join(VNU);
    if !jar.is_file() {
        return Err(format!("{VNU} not found (cd tests/browser && npm ci)"));
    }
    match Command::new("java").arg("-version").output() {
        Ok(o) if o.status.success() => Ok(jar),
        _ => Err("java not found (apt-get install default-jre-headless)".into()),
    }
}

fn built(root: &Path, out: &Path, release: bool) -> Vec<PathBuf> {
    build(
        root,
        &BuildOptions {
            output: Some(out.to_path_buf()),
            release,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("building {}: {e:#}", root.display()));
    common::html_files(out)
        .into_iter()
        .map(|f| out.join(f))
        .collect()
}

#[test]
fn every_page_of_the_showcase_and_the_fixture_is_valid_html() {
    let Some(jar) = browser::or_skip(find_checker(), "the HTML validity test") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let showcase = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = built(showcase, &tmp.path().join("showcase"), false);
    pages.extend(built(showcase, &tmp.path().join("release"), true));
    pages.extend(built(
        &common::fixture("basic"),
        &tmp.path().join("fixture"),
        false,
    ));
    assert!(pages.len() > 30, "too few pages: {pages:?}");
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .args(&pages)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stderr).replace(&*tmp.path().to_string_lossy(), "");
    assert!(
        out.status.success() && !report.contains("Error:"),
        "the Nu HTML Checker found errors:\n{report}"
    );
}
