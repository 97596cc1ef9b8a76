//! Shared by the integration tests: run the binary, copy fixture sites, parse and crawl output.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

pub mod reader_text;
pub mod temp_site;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Runs the guidesmith binary with `args`.
pub fn guidesmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(args)
        .output()
        .expect("running guidesmith")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Copies a folder tree (files and folders only).
pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of a fixture site in a fresh temp dir; the returned guard keeps it alive.
pub fn site_copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    copy_dir(&fixture(name), &root);
    (tmp, root)
}

pub fn html(path: &Path) -> Html {
    Html::parse_document(
        &fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())),
    )
}

pub fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Every HTML file under `dir`, relative, `/`-separated.
pub fn html_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect()
}

/// Crawls the output: every internal `href`/`src` of every HTML page must start with
/// `base_path`, reach a file of the output, and its `#fragment` an id on that page.
/// Returns a description of each broken link.
pub fn broken_links(dir: &Path, base_path: &str) -> Vec<String> {
    let pages: HashMap<String, Html> = html_files(dir)
        .into_iter()
        .map(|p| (p.clone(), html(&dir.join(&p))))
        .collect();
    let ids: HashMap<&String, HashSet<String>> = pages
        .iter()
        .map(|(p, doc)| {
            (
                p,
                doc.select(&sel("[id]"))
                    .filter_map(|e| e.value().attr("id").map(str::to_string))
                    .collect(),
            )
        })
        .collect();
    let mut broken = Vec::new();
    for (page, doc) in &pages {
        for el in doc.select(&sel("a[href], link[href], script[src], img[src]")) {
            let url = el.value().attr("href").or(el.value().attr("src")).unwrap();
            if url.contains("://") || url.starts_with("//") || url.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = url
                .split_once('#')
                .map_or((url, None), |(p, f)| (p, Some(f)));
            let target = if path.is_empty() {
                page.clone()
            } else if let Some(rest) = path.strip_prefix(base_path) {
                if rest.is_empty() || rest.ends_with('/') {
                    format!("{rest}index.html")
                } else {
                    rest.to_string()
                }
            } else {
                broken.push(format!(
                    "{page}: `{url}` is outside the base path {base_path}"
                ));
                continue;
            };
            if !dir.join(&target).is_file() {
                broken.push(format!("{page}: `{url}` -> no file {target}"));
                continue;
            }
            if let (Some(f), Some(known)) = (fragment.filter(|f| !f.is_empty()), ids.get(&target))
                && !known.contains(f)
            {
                broken.push(format!("{page}: `{url}` -> no id `{f}` in {target}"));
            }
        }
    }
    broken.sort();
    broken
}

/// The JSON-LD of a page, parsed.
pub fn json_ld(doc: &Html) -> serde_json::Value {
    let script = doc
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .expect("a JSON-LD script");
    serde_json::from_str(&script.inner_html()).expect("JSON-LD parses")
}

/// The node of `@type` `kind` in a JSON-LD `@graph`.
pub fn ld_node<'a>(ld: &'a serde_json::Value, kind: &str) -> Option<&'a serde_json::Value> {
    ld["@graph"].as_array()?.iter().find(|n| n["@type"] == kind)
}

/// xorshift64*: a fixed seed gives the same mutations on every run, so a failure reproduces.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every file under `dir`: relative `/`-separated path → bytes.
pub fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            (rel.replace('\\', "/"), fs::read(e.path()).unwrap())
        })
        .collect()
}

/// [`files_under`] an output folder, leaving out build's own marker.
pub fn output_files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = files_under(dir);
    files.remove(".guidesmith-output");
    files
}
