//! What lets a reader trust a guide, on built sites: honest total times, numbered sources and
//! citations, review dates and overdue reviews, site notices, feed dates. Each test writes a
//! small site, runs the real binary and reads the HTML, JSON-LD and exit codes.

mod common;
#[path = "support/serve_harness.rs"]
mod harness;

use std::fs;
use std::path::Path;

use common::temp_site::*;
use common::*;

#[test]
fn step_ranges_add_up_as_ranges_without_an_iso_total() {
    let site = TempSite::new(
        "",
        &[(
            "ranges.md",
            &guide(
                "steps:\n  - title: One\n    duration: \"2-4 weeks\"\n  - title: Two\n    duration: \"4-6 weeks\"\n  - title: Alongside\n    duration: \"3 months\"\n    alongside: true\n",
            ),
        )],
    );
    site.build();
    let doc = site.page("ranges");
    assert_eq!(
        text_of(&doc, ".steps-meta"),
        "3 steps · about 6–10 weeks in all"
    );
    let ld = json_ld(&doc);
    let howto = ld_node(&ld, "HowTo").unwrap();
    assert!(howto.get("totalTime").is_none(), "{howto}");
}

#[test]
fn a_step_without_a_duration_means_no_total() {
    let site = TempSite::new(
        "",
        &[(
            "partial.md",
            &guide("steps:\n  - title: One\n    duration: \"2 weeks\"\n  - title: Two\n"),
        )],
    );
    site.build();
    let doc = site.page("partial");
    assert_eq!(text_of(&doc, ".steps-meta"), "2 steps");
    assert!(
        ld_node(&json_ld(&doc), "HowTo")
            .unwrap()
            .get("totalTime")
            .is_none()
    );
}

#[test]
fn the_author_total_time_overrides_the_sum() {
    let site = TempSite::new(
        "",
        &[(
            "set.md",
            &guide(
                "total_time: \"3 months\"\nsteps:\n  - title: One\n    duration: \"1-2 weeks\"\n  - title: Two\n",
            ),
        )],
    );
    site.build();
    let doc = site.page("set");
    assert_eq!(text_of(&doc, ".steps-meta"), "2 steps · 3 months in all");
    let ld = json_ld(&doc);
    assert_eq!(ld_node(&ld, "HowTo").unwrap()["totalTime"], "P3M");
}

#[test]
fn a_bad_total_time_is_an_error_at_its_line() {
    let site = TempSite::new("", &[("bad.md", &guide("total_time: \"a while\"\n"))]);
    let result = site.run("check", &[]);
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(err.contains("guides/bad.md:4:"), "{err}");
    assert!(err.contains("`a while` is not a duration"), "{err}");
}

const SOURCED: &str = r#"---
title: "Sourced"
description: "With sources."
sources:
  - id: nhs
    title: "Grief after bereavement"
    publisher: "NHS"
    url: "https://www.nhs.uk/mental-health/feelings-symptoms-behaviours/feelings-and-symptoms/grief-bereavement-loss/"
    date: "2022-03-01"
  - title: "A book on <trust>"
    date: "Spring 2019"
    note: "Chapter 3."
steps:
  - title: One
    body: "Grief comes in waves.[^src:nhs]"
---
As the NHS says,[^src:nhs] grief takes time.[^src:a-book-on-trust] See [the list](#source-nhs).

## Before you start

- [ ] Read the NHS page[^src:nhs]
"#;

#[test]
fn sources_are_numbered_and_citations_link_to_them() {
    let site = TempSite::new("", &[("sourced.md", SOURCED)]);
    site.build();
    let doc = site.page("sourced");
    assert_eq!(text_of(&doc, "#sources-title"), "Sources");
    let items: Vec<String> = doc
        .select(&sel("#sources ol > li"))
        .map(|li| li.value().attr("id").unwrap().to_string())
        .collect();
    assert_eq!(items, ["source-nhs", "source-a-book-on-trust"]);
    assert_eq!(
        text_of(&doc, "#source-a-book-on-trust"),
        "A book on <trust> (Spring 2019). Chapter 3."
    );
    let cites: Vec<(String, String)> = doc
        .select(&sel("sup.citation a"))
        .map(|a| {
            (
                a.value().attr("href").unwrap().to_string(),
                a.text().collect(),
            )
        })
        .collect();
    assert_eq!(
        cites,
        [
            ("#source-nhs".to_string(), "[1]".to_string()),
            ("#source-a-book-on-trust".to_string(), "[2]".to_string()),
            ("#source-nhs".to_string(), "[1]".to_string()),
            ("#source-nhs".to_string(), "[1]".to_string()),
        ],
        "the step's citation comes after the body's"
    );
    let ld = json_ld(&doc);
    let citation = &ld_node(&ld, "Article").unwrap()["citation"];
    assert_eq!(citation[0]["@type"], "CreativeWork");
    assert_eq!(citation[0]["name"], "Grief after bereavement");
    assert_eq!(citation[0]["publisher"]["name"], "NHS");
    assert_eq!(citation[0]["datePublished"], "2022-03-01");
    assert!(
        citation[1].get("datePublished").is_none(),
        "free text is no date"
    );
}

#[test]
fn a_citation_of_an_unknown_source_fails_check_and_build_at_its_position() {
    let text = SOURCED
        .replace(
            "grief takes time.[^src:a-book",
            "grief takes time.[^src:a-bok",
        )
        .replace("waves.[^src:nhs]", "waves.[^src:nsh]")
        .replace("NHS page[^src:nhs]", "NHS page[^src:nhx]");
    let site = TempSite::new("", &[("sourced.md", &text)]);
    for command in ["check", "build"] {
        let result = site.run(command, &[]);
        assert_eq!(result.status.code(), Some(1), "{command}");
        let err = stderr(&result);
        assert!(
            err.contains("guides/sourced.md:17:45: error: `[^src:a-bok-on-trust]` cites no source of this guide"),
            "{command}: {err}"
        );
        assert!(
            err.contains("guides/sourced.md:15:33: error: `[^src:nsh]` cites no source"),
            "{command}: {err}"
        );
        assert!(
            err.contains("guides/sourced.md:21:24: error: `[^src:nhx]` cites no source"),
            "{command}: {err}"
        );
        assert!(err.contains("cite one of: nhs, a-book-on-trust"), "{err}");
    }
    assert!(!site.out.exists(), "a failed build writes nothing");
}

fn reviewed_guide(reviewed: &str, extra: &str) -> String {
    guide(&format!(
        "reviewed: {reviewed}\nreviewed_by: \"Dr A. Reviewer\"\n{extra}"
    ))
}

#[test]
fn the_page_shows_last_reviewed_and_carries_the_due_date_not_a_verdict() {
    let site = TempSite::new(
        "[review]\nevery = \"12 months\"\n",
        &[
            ("old.md", &reviewed_guide("2001-01-31", "")),
            (
                "own.md",
                &reviewed_guide("2001-01-31", "review_every: \"1 month\"\n"),
            ),
        ],
    );
    site.build();
    let doc = site.page("old");
    assert_eq!(
        text_of(&doc, ".guide-review"),
        "Last reviewed 31 January 2001 by Dr A. Reviewer"
    );
    let notice = doc.select(&sel(".review-overdue")).next().unwrap();
    assert_eq!(notice.value().attr("data-review-due"), Some("2002-01-31"));
    assert!(
        notice.value().attr("hidden").is_some(),
        "overdue is decided in the browser, never frozen into the page"
    );
    let own = site.page("own");
    let notice = own.select(&sel(".review-overdue")).next().unwrap();
    assert_eq!(notice.value().attr("data-review-due"), Some("2001-02-28"));
    let ld = json_ld(&doc);
    let page = ld_node(&ld, "WebPage").unwrap();
    assert_eq!(page["lastReviewed"], "2001-01-31");
    assert_eq!(page["reviewedBy"]["name"], "Dr A. Reviewer");
    assert_eq!(page["url"], "https://example.org/old/");
}

#[test]
fn check_warns_of_overdue_reviews_and_deny_stale_fails_on_them() {
    let site = TempSite::new(
        "[review]\nevery = \"12 months\"\n",
        &[
            ("old.md", &reviewed_guide("2001-01-31", "")),
            (
                "fresh.md",
                &reviewed_guide("2001-01-31", "review_every: \"500 years\"\n"),
            ),
            ("never.md", &guide("")),
        ],
    );
    let result = site.run("check", &[]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(0), "{err}");
    assert!(
        err.contains("guides/old.md:4:1: warning: review overdue: last reviewed 31 January 2001, due 31 January 2002"),
        "{err}"
    );
    assert!(
        !err.contains("fresh.md") && !err.contains("never.md"),
        "{err}"
    );

    let result = site.run("check", &["--deny-stale"]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(
        err.contains("guides/old.md:4:1: error: review overdue"),
        "{err}"
    );

    // Nothing overdue: --deny-stale passes.
    fs::remove_file(site.root.join("guides/old.md")).unwrap();
    let result = site.run("check", &["--deny-stale"]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
}

#[test]
fn a_bad_review_interval_is_an_error_in_site_toml() {
    let site = TempSite::new("[review]\nevery = \"yearly\"\n", &[("a.md", &guide(""))]);
    let result = site.run("check", &[]);
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(err.contains("site.toml:4:"), "{err}");
    assert!(err.contains("`yearly` is not a review interval"), "{err}");
}

const NOTICES: &str = r#"
[[notices]]
kind = "safety"
title = "If you are not safe"
body = "Call your local emergency number. See [help](/help/)."

[[notices]]
kind = "info"
title = "For grief guides"
body = "Grief takes *time*."
where = { tag = "Grief" }
"#;

fn notice_titles(doc: &scraper::Html) -> Vec<String> {
    doc.select(&sel("aside.notice .notice-title"))
        .map(|t| t.text().collect())
        .collect()
}

#[test]
fn site_notices_show_on_every_matching_page_above_the_body() {
    let own = "notices:\n  - kind: warning\n    title: \"Own notice\"\n    body: \"Only **here**.\"\ntags: [grief]\n";
    let site = TempSite::new(
        NOTICES,
        &[
            ("plain.md", &guide("")),
            ("sad.md", &guide("tags: [\"grief\"]\n")),
            ("own.md", &guide(own)),
        ],
    );
    site.build();
    let plain = site.page("plain");
    assert_eq!(notice_titles(&plain), ["If you are not safe"]);
    let safety = plain.select(&sel("aside.notice-safety")).next().unwrap();
    assert_eq!(
        safety.value().attr("aria-label"),
        Some("If you are not safe")
    );
    assert_eq!(
        safety
            .select(&sel(".notice-body a"))
            .next()
            .unwrap()
            .value()
            .attr("href"),
        Some("/help/")
    );
    assert_eq!(
        notice_titles(&site.page("sad")),
        ["If you are not safe", "For grief guides"]
    );
    let doc = site.page("own");
    assert_eq!(
        notice_titles(&doc),
        ["If you are not safe", "For grief guides", "Own notice"]
    );
    let html = fs::read_to_string(site.out.join("own/index.html")).unwrap();
    let (notice, body) = (
        html.find("Only <strong>here</strong>.").unwrap(),
        html.find("class=\"guide-body\"").unwrap(),
    );
    assert!(notice < body, "notices come above the body");
    // Pages that are not guides show none.
    let home = fs::read_to_string(site.out.join("index.html")).unwrap();
    assert!(!home.contains("notice-title"));
}

#[test]
fn a_bad_notice_kind_is_an_error_in_site_toml() {
    let site = TempSite::new(
        "[[notices]]\nkind = \"urgent\"\ntitle = \"T\"\nbody = \"B\"\n",
        &[("a.md", &guide(""))],
    );
    let result = site.run("check", &[]);
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(err.contains("site.toml:4:"), "{err}");
    assert!(err.contains("urgent"), "{err}");
}

/// The `<updated>` of each feed entry, by its title.
fn feed_updated(out: &Path) -> Vec<(String, String)> {
    let feed = fs::read_to_string(out.join("atom.xml")).unwrap();
    feed.split("<entry>")
        .skip(1)
        .map(|entry| {
            let between = |open: &str, close: &str| {
                let start = entry.find(open).unwrap() + open.len();
                entry[start..entry[start..].find(close).unwrap() + start].to_string()
            };
            (
                between("<title>", "</title>"),
                between("<updated>", "</updated>"),
            )
        })
        .collect()
}

fn undated(title: &str) -> String {
    format!("---\ntitle: \"{title}\"\ndescription: \"No date.\"\n---\nBody.\n")
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.org"])
        .args(args)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

#[test]
fn feed_dates_of_undated_guides_come_from_git_in_a_checkout() {
    let site = TempSite::new(
        "",
        &[
            ("-first.md", &undated("First")),
            ("second.md", &undated("Second")),
            ("dated.md", &guide("date: 2026-02-03\n")),
        ],
    );
    let root = &site.root;
    git(root, &["init", "-q"], "2020-01-01T00:00:00Z");
    git(root, &["add", "."], "2020-01-01T00:00:00Z");
    git(root, &["commit", "-qm", "one"], "2021-04-05T06:07:08Z");
    fs::write(root.join("guides/second.md"), undated("Second") + "More.\n").unwrap();
    git(
        root,
        &["commit", "-qam", "two"],
        "2022-09-10T11:12:13+02:00",
    );
    site.build();
    let mut entries = feed_updated(&site.out);
    entries.sort();
    assert_eq!(
        entries,
        [
            ("A guide".to_string(), "2026-02-03T00:00:00Z".to_string()),
            ("First".to_string(), "2021-04-05T06:07:08Z".to_string()),
            (
                "Second".to_string(),
                "2022-09-10T11:12:13+02:00".to_string()
            ),
        ]
    );
}

#[test]
fn feed_dates_of_undated_guides_come_from_mtime_outside_git() {
    let site = TempSite::new("", &[("undated.md", &undated("Undated"))]);
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_764_687_600);
    fs::File::options()
        .write(true)
        .open(site.root.join("guides/undated.md"))
        .unwrap()
        .set_modified(at)
        .unwrap();
    site.build();
    assert_eq!(
        feed_updated(&site.out),
        [("Undated".to_string(), "2025-12-02T15:00:00Z".to_string())]
    );
    let feed = fs::read_to_string(site.out.join("atom.xml")).unwrap();
    assert!(!feed.contains("1970"), "{feed}");
}

#[test]
fn serve_dates_undated_guides_in_the_feed_too_and_follows_edits() {
    let site = TempSite::new("", &[("undated.md", &undated("Undated"))]);
    // Written beside the guide with its time set, then renamed over it: the watcher sees the
    // new text and the new time at once.
    let write_at = |text: String, secs: u64| {
        let spare = site.root.join("undated.md.new");
        fs::write(&spare, text).unwrap();
        fs::File::options()
            .write(true)
            .open(&spare)
            .unwrap()
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
        fs::rename(&spare, site.root.join("guides/undated.md")).unwrap();
    };
    write_at(undated("Undated"), 1_764_687_600);
    let server = harness::Server::start(&site.root, &[]);
    let feed = server.get("/atom.xml").body;
    assert!(
        feed.contains("<updated>2025-12-02T15:00:00Z</updated>"),
        "{feed}"
    );
    write_at(undated("Undated") + "Edited.\n", 1_764_774_000);
    server.wait_for("the feed to follow the edit", || {
        server
            .get("/atom.xml")
            .body
            .contains("<updated>2025-12-03T15:00:00Z</updated>")
    });
}

#[test]
fn two_sources_with_one_id_are_an_error() {
    let text = SOURCED.replace(
        "title: \"A book on <trust>\"",
        "id: nhs\n    title: \"A book on <trust>\"",
    );
    let site = TempSite::new("", &[("sourced.md", &text)]);
    let result = site.run("check", &[]);
    assert_eq!(result.status.code(), Some(1));
    let err = stderr(&result);
    assert!(
        err.contains("guides/sourced.md:10:5: error: duplicate id `nhs`: a source in this guide already uses it"),
        "{err}"
    );
}
