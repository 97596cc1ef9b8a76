//! The repository's own site (guides/ and site.toml): it checks clean, builds with no
//! warnings, and every guide page has its widgets, valid JSON-LD and working links.

mod common;

use std::path::Path;

use common::*;

#[test]
fn the_showcase_site_builds_clean_with_widgets_json_ld_and_links() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let check = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert!(
        check.status.success() && stderr(&check).is_empty(),
        "check: {}",
        stderr(&check)
    );
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(stderr(&r).is_empty(), "warnings: {}", stderr(&r));

    let guides: Vec<String> = std::fs::read_dir(root.join("guides"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!((7..=9).contains(&guides.len()), "{} guides", guides.len());
    for slug in &guides {
        let doc = html(&out.join(slug).join("index.html"));
        for (what, selector) in [
            ("takeaways", "#takeaways li"),
            ("a checklist", "section.checklist input[type=checkbox]"),
            ("a do/don't table", "section.dos-donts table caption"),
            ("FAQs", "details.faq summary"),
            ("a callout", "aside.callout"),
            ("a table of contents", "#toc a"),
        ] {
            assert!(
                doc.select(&sel(selector)).next().is_some(),
                "{slug}: no {what}"
            );
        }
        let ld = json_ld(&doc);
        assert_eq!(
            ld_node(&ld, "Article").unwrap()["url"],
            format!("https://guidesmith.example/{slug}/").as_str(),
            "{slug}"
        );
        let faqs = doc.select(&sel("details.faq")).count();
        assert_eq!(
            ld_node(&ld, "FAQPage").unwrap()["mainEntity"]
                .as_array()
                .unwrap()
                .len(),
            faqs,
            "{slug}"
        );
        let steps = doc.select(&sel("li.step")).count();
        match ld_node(&ld, "HowTo") {
            Some(howto) => assert_eq!(howto["step"].as_array().unwrap().len(), steps, "{slug}"),
            None => assert_eq!(steps, 0, "{slug}: steps without HowTo"),
        }
        // Guides link to each other.
        let others = doc
            .select(&sel(".guide-body a[href^='/']"))
            .filter(|a| {
                guides.iter().any(|g| {
                    g != slug
                        && a.value()
                            .attr("href")
                            .unwrap()
                            .starts_with(&format!("/{g}/"))
                })
            })
            .count();
        assert!(others >= 2, "{slug} links to {others} other guides");
    }
    let with_messages = guides
        .iter()
        .filter(|s| {
            html(&out.join(s).join("index.html"))
                .select(&sel("figure.message"))
                .next()
                .is_some()
        })
        .count();
    assert!(with_messages >= 1, "no guide has copyable messages");
    assert_eq!(broken_links(&out, "/"), Vec::<String>::new());
}
