//! The search index as built: every part of a guide as a typed record with its `#id` (and that
//! id on the page), raw text (never HTML-escaped twice), removed guides gone, byte-identical
//! builds, fingerprinted release shards, the shard count bound, `[search] enabled = false`, and
//! `serve` answering a saved edit from its index.

mod common;
#[path = "support/serve_harness.rs"]
mod serve_harness;

use std::collections::BTreeMap;
use std::path::Path;

use guidesmith::pipeline::{BuildOptions, build};
use serde_json::Value;

/// One record of the index: (kind, guide slug, anchor, title, context).
type Row = (String, String, String, String, String);

fn built(root: &Path, release: bool) -> (tempfile::TempDir, BTreeMap<String, Vec<u8>>) {
    let out = tempfile::tempdir().unwrap();
    build(
        root,
        &BuildOptions {
            output: Some(out.path().join("public")),
            release,
            ..Default::default()
        },
    )
    .unwrap();
    let files = common::output_files(&out.path().join("public"));
    (out, files)
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    let bytes = files.get(path).unwrap_or_else(|| panic!("{path} missing"));
    serde_json::from_slice(bytes).unwrap()
}

/// Every record of every shard the manifest names, and every term that finds it.
fn records(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<Row, Vec<String>> {
    let manifest = json(files, "search/index.json");
    let kinds = manifest["kinds"].as_array().unwrap();
    let mut rows: BTreeMap<Row, Vec<String>> = BTreeMap::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let shard = json(files, &format!("search/{}", shard[1].as_str().unwrap()));
        for fragment in shard["k"].as_object().unwrap().values() {
            let (g, r) = (&fragment["g"], &fragment["r"]);
            for (term, hits) in fragment["t"].as_object().unwrap() {
                for pair in hits.as_array().unwrap().chunks(2) {
                    let rec = &r[pair[0].as_u64().unwrap() as usize];
                    let guide = &g[rec[0].as_u64().unwrap() as usize];
                    let s = |v: &Value| v.as_str().unwrap().to_string();
                    let row = (
                        s(&kinds[rec[1].as_u64().unwrap() as usize]),
                        s(&guide[0]),
                        s(&rec[2]),
                        s(&rec[3]),
                        s(&rec[5]),
                    );
                    rows.entry(row).or_default().push(term.clone());
                }
            }
        }
    }
    rows
}

fn row(kind: &str, slug: &str, anchor: &str, title: &str, context: &str) -> Row {
    let s = |x: &str| x.to_string();
    (s(kind), s(slug), s(anchor), s(title), s(context))
}

#[test]
fn every_part_of_a_guide_is_a_record_with_its_id_and_kind() {
    let (_out, files) = built(&common::fixture("basic"), false);
    let rows = records(&files);
    let expected = [
        row("guide", "alpha", "", "Alpha: the <b>first</b> guide", ""),
        row("step", "alpha", "step-pause", "Pause", "Assess"),
        row("step", "alpha", "step-reach-out", "Reach out", "Reconnect"),
        row(
            "faq",
            "alpha",
            "faq-how-long",
            "How long should I wait? </script>",
            "",
        ),
        row("faq", "beta", "faq-when", "When?", ""),
        row(
            "item",
            "alpha",
            "checklist-before--ask-friend",
            "Ask a friend",
            "Before you write",
        ),
        row(
            "dodont",
            "alpha",
            "dos-donts-talk",
            "Use I statements",
            "Talking",
        ),
        row(
            "message",
            "alpha",
            "message-hello",
            "Hi, I hope you are well. <No pressure>.",
            "A light opener",
        ),
        row("heading", "alpha", "why-wait", "Why wait", ""),
        row("heading", "beta", "beta-body", "Beta body", ""),
    ];
    for want in &expected {
        assert!(
            rows.contains_key(want),
            "missing {want:?}; have {:#?}",
            rows.keys()
        );
        if !want.2.is_empty() {
            let page =
                String::from_utf8_lossy(&files[&format!("{}/index.html", want.1)]).into_owned();
            assert!(
                page.contains(&format!("id=\"{}\"", want.2)),
                "{} has no #{}",
                want.1,
                want.2
            );
        }
    }
    // Stemmed and folded terms find them: the FAQ by its question, the step by its body.
    let faq = &rows[&expected[3]];
    assert!(
        faq.contains(&"wait".to_string()) && faq.contains(&"week".to_string()),
        "{faq:?}"
    );
    assert!(rows[&expected[2]].contains(&"message".to_string()));
    // The draft is not built, so not indexed.
    assert!(
        rows.keys().all(|r| r.1 != "gamma-draft"),
        "{:?}",
        rows.keys()
    );
    let manifest = json(&files, "search/index.json");
    assert_eq!(manifest["stem"], "en");
    let tags: Vec<&str> = manifest["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t[0].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["planning", "trust"]);
}

#[test]
fn markup_in_titles_is_kept_as_text_for_the_client_to_show_as_text() {
    let (_tmp, root) = common::site_copy("basic");
    std::fs::write(
        root.join("guides/hostile.md"),
        "---\ntitle: \"<img src=x onerror=alert(1)>\"\ndescription: \"&amp; stays\"\n---\nBody.\n",
    )
    .unwrap();
    let (_out, files) = built(&root, false);
    let rows = records(&files);
    let title = "<img src=x onerror=alert(1)>";
    assert!(
        rows.contains_key(&row("guide", "hostile", "", title, "")),
        "{:#?}",
        rows.keys()
    );
    let shards: String = files
        .iter()
        .filter(|(p, _)| p.starts_with("search/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        !shards.contains("&lt;img"),
        "titles are not HTML-escaped in the index"
    );
}

#[test]
fn a_removed_guide_is_gone_from_the_index() {
    let (_tmp, root) = common::site_copy("basic");
    let (_out, files) = built(&root, false);
    assert!(records(&files).keys().any(|r| r.1 == "beta"));
    // alpha links to beta: take the links out with it.
    let alpha = std::fs::read_to_string(root.join("guides/alpha.md")).unwrap();
    std::fs::write(
        root.join("guides/alpha.md"),
        alpha.replace("/beta/", "/tags/"),
    )
    .unwrap();
    std::fs::remove_file(root.join("guides/beta.md")).unwrap();
    let (_out, files) = built(&root, false);
    let rows = records(&files);
    assert!(rows.keys().all(|r| r.1 != "beta"), "{:#?}", rows.keys());
    assert!(rows.keys().any(|r| r.1 == "alpha"));
}

#[test]
fn two_builds_are_byte_identical_and_release_shards_are_fingerprinted() {
    let root = common::fixture("basic");
    let search = |files: BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        files
            .into_iter()
            .filter(|(p, _)| p.starts_with("search/"))
            .collect()
    };
    let (_a, first) = built(&root, false);
    let (_b, second) = built(&root, false);
    assert_eq!(search(first.clone()), search(second));
    assert!(first.contains_key("search/s0.json"), "{:?}", first.keys());
    let (_c, release) = built(&root, true);
    let (_d, again) = built(&root, true);
    assert_eq!(search(release.clone()), search(again));
    let manifest = json(&release, "search/index.json");
    for shard in manifest["shards"].as_array().unwrap() {
        let name = shard[1].as_str().unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert!(
            parts.len() == 3 && parts[1].len() == 8,
            "{name} is fingerprinted"
        );
        assert!(
            release.contains_key(&format!("search/{name}")),
            "{name} is written"
        );
    }
    assert_eq!(records(&release), records(&first), "the same records");
    let headers = String::from_utf8_lossy(&release["_headers"]).into_owned();
    assert!(
        headers
            .contains("\n/sub/search/s*\n  Cache-Control: public, max-age=31536000, immutable\n"),
        "{headers}"
    );
    // The page names the fingerprinted script and stylesheet in the box's template.
    let page = String::from_utf8_lossy(&release["alpha/index.html"]).into_owned();
    let script = release
        .keys()
        .find(|p| p.starts_with("search.") && p.ends_with(".js"))
        .unwrap();
    assert!(page.contains(&format!("/sub/{script}")), "{page}");
}

#[test]
fn a_site_has_at_most_one_shard_per_25_guides() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("guides")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        "title = \"Many\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    let words = [
        "apology",
        "boundary",
        "calendar",
        "dinner",
        "evening",
        "feedback",
        "gratitude",
        "holiday",
    ];
    for i in 0..100 {
        let mut body = String::new();
        for j in 0..400 {
            body.push_str(&format!(
                "{}{} ",
                words[(i * 7 + j) % 8],
                (i * 31 + j * 17) % 997
            ));
        }
        std::fs::write(
            root.join(format!("guides/g{i:03}.md")),
            format!("---\ntitle: \"Guide {i}\"\ndescription: \"Number {i}.\"\n---\n{body}\n"),
        )
        .unwrap();
    }
    let (_out, files) = built(root, false);
    let shards = files.keys().filter(|p| p.starts_with("search/s")).count();
    assert!(
        (2..=100 / 25 + 1).contains(&shards),
        "{shards} shards for 100 guides"
    );
    let rows = records(&files);
    assert_eq!(rows.keys().filter(|r| r.0 == "guide").count(), 100);
}

#[test]
fn search_can_be_turned_off() {
    let (_tmp, root) = common::site_copy("basic");
    let toml = std::fs::read_to_string(root.join("site.toml")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        format!("{toml}\n[search]\nenabled = false\n"),
    )
    .unwrap();
    let (_out, files) = built(&root, false);
    assert!(
        files.keys().all(|p| !p.starts_with("search/")),
        "{:?}",
        files.keys()
    );
    let page = String::from_utf8_lossy(&files["alpha/index.html"]).into_owned();
    assert!(!page.contains("data-search"), "no search box");
    let (_out, on) = built(&common::fixture("basic"), false);
    let page = String::from_utf8_lossy(&on["alpha/index.html"]).into_owned();
    assert!(
        page.contains("data-search=\"/sub/search/index.json\" hidden"),
        "{page}"
    );
}

/// The words of a term list across every shard `serve` serves.
fn served_terms(server: &serve_harness::Server) -> Vec<String> {
    let manifest: Value = serde_json::from_str(&server.get("/search/index.json").body).unwrap();
    let mut terms = Vec::new();
    for shard in manifest["shards"].as_array().unwrap() {
        let body = server
            .get(&format!("/search/{}", shard[1].as_str().unwrap()))
            .body;
        let shard: Value = serde_json::from_str(&body).unwrap();
        for fragment in shard["k"].as_object().unwrap().values() {
            terms.extend(fragment["t"].as_object().unwrap().keys().cloned());
        }
    }
    terms
}

#[test]
fn serve_indexes_a_saved_edit() {
    let (_tmp, root) = serve_harness::temp_site();
    let server = serve_harness::Server::start(&root, &[]);
    assert!(served_terms(&server).contains(&"alpha".to_string()));
    assert!(!served_terms(&server).contains(&"zeppelin".to_string()));
    std::fs::write(
        root.join("guides/alpha.md"),
        serve_harness::guide(
            "Alpha",
            "trust",
            "Alpha body mentions zeppelins. See [beta](/beta/).",
        ),
    )
    .unwrap();
    server.wait_for("the new word in the served index", || {
        served_terms(&server).contains(&"zeppelin".to_string())
    });
    std::fs::remove_file(root.join("guides/beta.md")).unwrap();
    std::fs::write(
        root.join("guides/alpha.md"),
        serve_harness::guide("Alpha", "trust", "Alpha body mentions zeppelins."),
    )
    .unwrap();
    server.wait_for("the removed guide out of the served index", || {
        !served_terms(&server).contains(&"beta".to_string())
    });
}
