//! Series and `next:` (docs/guide-format.md, "Series"): "Guide 2 of 3", the series box,
//! previous/next inside a series, `next:` overriding the following guide, errors at
//! `file:line:col` for slugs that name no guide, and `serve` keeping all of it up to date.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use guidesmith::pipeline::BuildOptions;
use guidesmith::serve::{ChangeSet, IncrementalSite};

const SITE: &str = "title = \"T\"
base_url = \"https://example.org/\"

[[series]]
title = \"Leaving a job\"
guides = [\"decide\", \"resign\"]
";

fn guide(title: &str, weight: i64, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndescription: \"About {title}.\"\nweight: {weight}\n{extra}steps:\n  - title: \"Do it\"\n---\nBody.\n"
    )
}

/// Home order: handover, resign, decide, alone, other (by weight); the series puts decide first.
fn site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    fs::create_dir_all(root.join("guides")).unwrap();
    fs::write(root.join("site.toml"), SITE).unwrap();
    for (slug, title, weight, extra) in [
        ("handover", "Hand over", 1, "series: Leaving a job\n"),
        ("resign", "Resign", 2, ""),
        ("decide", "Decide", 3, ""),
        ("alone", "Alone", 4, "next: handover\n"),
        ("other", "Other", 5, ""),
    ] {
        fs::write(
            root.join(format!("guides/{slug}.md")),
            guide(title, weight, extra),
        )
        .unwrap();
    }
    (tmp, root)
}

fn build(root: &Path) -> PathBuf {
    let out = root.parent().unwrap().join("out");
    let options = BuildOptions {
        output: Some(out.clone()),
        ..BuildOptions::default()
    };
    guidesmith::pipeline::build(root, &options).unwrap();
    out
}

fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    doc.select(&sel(selector))
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn link(doc: &scraper::Html, rel: &str) -> Option<String> {
    doc.select(&sel(&format!(".prev-next a[rel={rel}]")))
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_string))
}

#[test]
fn a_series_orders_its_guides_and_shows_the_place_of_each() {
    let (_tmp, root) = site();
    let out = build(&root);
    let page = |slug: &str| html(&out.join(format!("{slug}/index.html")));

    let resign = page("resign");
    assert_eq!(texts(&resign, ".series-place"), ["Guide 2 of 3"]);
    assert_eq!(texts(&resign, ".series-title"), ["Series Leaving a job"]);
    assert_eq!(
        texts(&resign, ".series-guides a"),
        ["Decide", "Resign", "Hand over"],
        "site.toml's order first, then guides that join in front matter"
    );
    let current: Vec<_> = resign
        .select(&sel(".series-guides a[aria-current=page]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(current, ["/resign/"]);
    let items: Vec<_> = resign
        .select(&sel(".series-guides li"))
        .map(|li| {
            (
                li.value().attr("data-guide").unwrap().to_string(),
                li.value().attr("data-checkable").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(items[0], ("decide".to_string(), "1".to_string()));
    assert_eq!(link(&resign, "prev").as_deref(), Some("/decide/"));
    assert_eq!(link(&resign, "next").as_deref(), Some("/handover/"));

    let decide = page("decide");
    assert_eq!(texts(&decide, ".series-place"), ["Guide 1 of 3"]);
    assert_eq!(link(&decide, "prev"), None, "the first of a series");
    let handover = page("handover");
    assert_eq!(link(&handover, "next"), None, "the last of a series");

    // Outside a series: home order, and `next:` overrides the following guide.
    let alone = page("alone");
    assert!(texts(&alone, ".series-place").is_empty());
    assert_eq!(link(&alone, "prev").as_deref(), Some("/decide/"));
    assert_eq!(link(&alone, "next").as_deref(), Some("/handover/"));
    let other = page("other");
    assert_eq!(link(&other, "prev").as_deref(), Some("/alone/"));
    assert_eq!(link(&other, "next"), None);
}

fn failed(root: &Path) -> String {
    let r = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
    let err = stderr(&r);
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn series_and_next_that_name_no_guide_are_errors_at_their_place() {
    let (_tmp, root) = site();
    fs::write(
        root.join("site.toml"),
        SITE.replace("\"resign\"]", "\"resing\"]\n\n[[series]]\ntitle = \"Twice\"\nguides = [\n  \"other\",\n  \"decide\",\n]"),
    )
    .unwrap();
    fs::write(
        root.join("guides/alone.md"),
        guide("Alone", 4, "next: nowhere-at-all\n"),
    )
    .unwrap();
    fs::write(
        root.join("guides/other.md"),
        guide("Other", 5, "series: Leaving a job\n"),
    )
    .unwrap();
    let err = failed(&root);
    for expected in [
        "site.toml:6:21: error: series \"Leaving a job\" lists `resing`, but no guide has that slug\n  help: did you mean `resign`?",
        "site.toml:12:3: error: series \"Twice\" lists `decide`, which series \"Leaving a job\" already lists",
        "guides/alone.md:5:1: error: `next: nowhere-at-all` names no guide",
        "guides/other.md:5:1: error: `series: Leaving a job`, but site.toml lists this guide in series \"Twice\"",
    ] {
        assert!(err.contains(expected), "expected:\n{expected}\ngot:\n{err}");
    }
    fs::write(root.join("site.toml"), SITE).unwrap();
    fs::write(root.join("guides/other.md"), guide("Other", 5, "")).unwrap();
    fs::write(
        root.join("guides/alone.md"),
        guide("Alone", 4, "next: alone\n"),
    )
    .unwrap();
    assert!(
        failed(&root).contains("guides/alone.md:5:1: error: `next: alone` names this guide itself")
    );
}

fn published(inc: &IncrementalSite) -> BTreeMap<String, Vec<u8>> {
    inc.published()
        .iter()
        .map(|(p, b)| (p.clone(), b.to_vec()))
        .collect()
}

fn full_build(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        output: Some(out.path().join("public")),
        ..Default::default()
    };
    let report = guidesmith::pipeline::build(root, &options).unwrap();
    output_files(&report.output_dir)
}

/// Edits that change a series (who is in it, its titles, `next:`) reach every page that shows
/// it in `serve`, exactly as a full build renders them.
#[test]
fn serve_keeps_series_pages_as_a_full_build_makes_them() {
    let (_tmp, root) = site();
    let mut inc = IncrementalSite::new(&root, BuildOptions::default());
    inc.rebuild(&ChangeSet::everything()).unwrap();
    assert_eq!(published(&inc), full_build(&root));
    let edits: [(&str, String); 4] = [
        ("guides/decide.md", guide("Decide first", 3, "")),
        (
            "guides/other.md",
            guide("Other", 5, "series: Leaving a job\n"),
        ),
        ("guides/alone.md", guide("Alone", 4, "next: other\n")),
        ("guides/handover.md", guide("Hand over", 1, "")),
    ];
    for (file, text) in edits {
        fs::write(root.join(file), text).unwrap();
        inc.rebuild(&ChangeSet {
            guides: vec![PathBuf::from(file)].into_iter().collect(),
            ..ChangeSet::default()
        })
        .unwrap();
        let (ours, full) = (published(&inc), full_build(&root));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            full.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &full {
            assert!(
                ours[path] == *bytes,
                "after editing {file}: {path} differs from a full build"
            );
        }
    }
}
