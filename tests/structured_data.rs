//! The JSON-LD of guide pages, parsed out of built HTML: the Article fields search engines read
//! (image, author with url, dates with a time zone, publisher logo), a BreadcrumbList equal to
//! the trail shown on the page, and errors at file:line:col for values that are not usable.

mod common;

use std::fs;

use common::temp_site::*;
use common::*;
use serde_json::{Value, json};

const FULL_CONFIG: &str = r#"author = "The editors"
author_url = "/about/"
image = "/cover.png"
logo = "https://cdn.example.net/logo.png"
utc_offset = "+01:00"
"#;

/// A site under a sub-path with every structured-data key set, a default image in `static/`
/// and one guide that brings its own image.
fn full_site() -> TempSite {
    let site = TempSite::new(
        FULL_CONFIG,
        &[
            (
                "dated.md",
                &guide(
                    "date: 2026-01-12\nupdated: 2026-02-03\nreviewed: 2026-02-03\nreviewed_by: The editors\n",
                ),
            ),
            (
                "own-image.md",
                &guide(
                    "date: 2026-03-04\nimage: /images/own.png\nreviewed: 2026-03-04\nreviewed_by: Ada Lovelace\n",
                ),
            ),
        ],
    );
    let toml = fs::read_to_string(site.root.join("site.toml")).unwrap();
    fs::write(
        site.root.join("site.toml"),
        toml.replace("https://example.org/", "https://example.org/guides/"),
    )
    .unwrap();
    fs::create_dir_all(site.root.join("static/images")).unwrap();
    fs::write(site.root.join("static/cover.png"), b"png").unwrap();
    fs::write(site.root.join("static/images/own.png"), b"png").unwrap();
    site.build();
    site
}

fn article(site: &TempSite, slug: &str) -> Value {
    ld_node(&json_ld(&site.page(slug)), "Article")
        .unwrap_or_else(|| panic!("{slug}: no Article"))
        .clone()
}

#[test]
fn the_article_has_image_author_url_zoned_dates_and_publisher_logo() {
    let site = full_site();
    let a = article(&site, "dated");
    assert_eq!(a["image"], json!(["https://example.org/guides/cover.png"]));
    assert_eq!(
        a["author"],
        json!({"@type": "Organization", "name": "The editors", "url": "https://example.org/guides/about/"})
    );
    assert_eq!(a["datePublished"], "2026-01-12T00:00:00+01:00");
    assert_eq!(a["dateModified"], "2026-02-03T00:00:00+01:00");
    assert_eq!(
        a["publisher"],
        json!({
            "@type": "Organization",
            "name": "Trust",
            "logo": {"@type": "ImageObject", "url": "https://cdn.example.net/logo.png"}
        })
    );
    assert_eq!(a["url"], "https://example.org/guides/dated/");

    let reviewer =
        |slug: &str| ld_node(&json_ld(&site.page(slug)), "WebPage").unwrap()["reviewedBy"].clone();
    // The site's author as reviewer is the author again, not a Person.
    assert_eq!(reviewer("dated"), a["author"]);
    assert_eq!(
        reviewer("own-image"),
        json!({"@type": "Person", "name": "Ada Lovelace"})
    );

    let own = article(&site, "own-image");
    assert_eq!(
        own["image"],
        json!(["https://example.org/guides/images/own.png"])
    );
    assert_eq!(own["datePublished"], "2026-03-04T00:00:00+01:00");
    assert_eq!(own["dateModified"], own["datePublished"]);
}

#[test]
fn without_the_keys_the_article_leaves_them_out_and_dates_are_utc() {
    let site = TempSite::new("", &[("plain.md", &guide("date: 2026-01-12\n"))]);
    site.build();
    let a = article(&site, "plain");
    assert!(a.get("image").is_none(), "{a}");
    assert_eq!(
        a["author"],
        json!({"@type": "Organization", "name": "Trust"})
    );
    assert_eq!(
        a["publisher"],
        json!({"@type": "Organization", "name": "Trust"})
    );
    assert_eq!(a["datePublished"], "2026-01-12T00:00:00+00:00");
}

#[test]
fn the_breadcrumb_list_is_the_trail_shown_on_the_page() {
    let site = full_site();
    for slug in ["dated", "own-image"] {
        let doc = site.page(slug);
        let shown: Vec<Value> = doc
            .select(&sel("nav.breadcrumbs a"))
            .enumerate()
            .map(|(i, a)| {
                let href = a.value().attr("href").unwrap();
                json!({
                    "@type": "ListItem",
                    "position": i + 1,
                    "name": a.text().collect::<String>(),
                    "item": format!("https://example.org{href}"),
                })
            })
            .collect();
        assert_eq!(shown.len(), 2, "{slug}: {shown:?}");
        let ld = json_ld(&doc);
        let list = ld_node(&ld, "BreadcrumbList").unwrap();
        assert_eq!(list["itemListElement"], Value::Array(shown), "{slug}");
    }
}

#[test]
fn howto_and_faq_page_stay_beside_the_article() {
    let site = TempSite::new(
        "",
        &[(
            "parts.md",
            &guide("steps:\n  - title: One\nfaqs:\n  - q: Why?\n    a: Because.\n"),
        )],
    );
    site.build();
    let ld = json_ld(&site.page("parts"));
    assert_eq!(ld_node(&ld, "HowTo").unwrap()["step"][0]["name"], "One");
    assert_eq!(
        ld_node(&ld, "FAQPage").unwrap()["mainEntity"][0]["name"],
        "Why?"
    );
}

/// `check` on a site with `toml` appended to site.toml and one guide with `front`: exit code 1
/// and the first line of stderr.
fn first_error(toml: &str, front: &str, static_file: Option<&str>) -> String {
    let site = TempSite::new(toml, &[("a.md", &guide(front))]);
    if let Some(name) = static_file {
        fs::create_dir_all(site.root.join("static")).unwrap();
        fs::write(site.root.join("static").join(name), b"png").unwrap();
    }
    let result = site.run("check", &[]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    err.lines().next().unwrap().to_string()
}

#[test]
fn unusable_values_are_errors_at_their_line_and_column() {
    // site.toml: title and base_url take lines 1 and 2.
    let cases = [
        (
            "image = \"cover.png\"\n",
            "",
            "site.toml:3:9: error: `cover.png` is not a site path or URL: a site path starts with `/`",
        ),
        (
            "logo = \"//cdn.example/l.png\"\n",
            "",
            "site.toml:3:8: error: `//cdn.example/l.png` is not a site path or URL: it has no scheme",
        ),
        (
            "author_url = \"https:///me\"\n",
            "",
            "site.toml:3:14: error: `https:///me` is not a site path or URL: the URL has no host",
        ),
        (
            "utc_offset = \"+1:00\"\n",
            "",
            "site.toml:3:14: error: `+1:00` is not a UTC offset",
        ),
        // The guide: `---`, title and description take lines 1 to 3.
        (
            "",
            "image: cover png\n",
            "guides/a.md:4:8: error: `cover png` is not a site path or URL: it contains a space",
        ),
        (
            "",
            "image: /missing.png\n",
            "guides/a.md:4:1: error: broken link `/missing.png`: no page or file there",
        ),
    ];
    for (toml, front, expected) in cases {
        let line = first_error(toml, front, Some("cover.png"));
        assert!(line.starts_with(expected), "{line}\nexpected: {expected}");
    }
}
