//! `guidesmith build` on fixture sites: the HTML is parsed and checked for every widget, id,
//! JSON-LD node and link; sub-path base URLs; CRLF/BOM sources; staging and overrides.

mod common;

use std::fs;

use common::*;

fn build_fixture(name: &str) -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let (tmp, root) = site_copy(name);
    let out = tmp.path().join("out");
    let result = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(result.status.success(), "build failed: {}", stderr(&result));
    (tmp, root, out)
}

#[test]
fn every_widget_and_id_is_in_the_guide_page() {
    let (_tmp, _root, out) = build_fixture("basic");
    let doc = html(&out.join("alpha/index.html"));
    for id in [
        "takeaways",
        "steps",
        "step-pause",
        "step-reach-out",
        "step-meet",
        "phase-assess",
        "phase-reconnect",
        "checklist-before",
        "checklist-before--sleep-on-it",
        "checklist-before--ask-friend",
        "checklist-your-checklist",
        "checklist-your-checklist--write-it-down",
        "faqs",
        "faq-how-long",
        "faq-can-i-call",
        "dos-donts-talk",
        "callout-safety",
        "callout-wisdom",
        "message-hello",
        "before-anything",
        "why-wait",
        "toc",
    ] {
        assert_eq!(
            doc.select(&sel(&format!("[id='{id}']"))).count(),
            1,
            "id {id}"
        );
    }
    // Checkboxes are real inputs inside labels, keyed by item id.
    let boxes: Vec<_> = doc
        .select(&sel("label > input[type=checkbox][data-item]"))
        .collect();
    assert_eq!(boxes.len(), 5);
    // FAQs are details/summary; do/don't is a table with caption and column headers.
    assert_eq!(doc.select(&sel("details.faq > summary")).count(), 2);
    assert_eq!(
        doc.select(&sel("table > caption"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "Talking"
    );
    assert_eq!(doc.select(&sel("table th[scope=col]")).count(), 2);
    assert_eq!(doc.select(&sel("ol.step-list > li.step")).count(), 3);
    // Placed widgets sit in the body where their markers were; unplaced ones follow it.
    let body = doc.select(&sel(".guide-body")).next().unwrap().html();
    let order: Vec<usize> = [
        "id=\"takeaways\"",
        "id=\"callout-safety\"",
        "id=\"why-wait\"",
        "id=\"checklist-your-checklist\"",
        "id=\"steps\"",
        "id=\"message-hello\"",
    ]
    .iter()
    .map(|needle| {
        body.find(needle)
            .unwrap_or_else(|| panic!("{needle} not in body"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "widgets out of order: {order:?}"
    );
    let after = doc.select(&sel(".guide-widgets")).next().unwrap().html();
    for needle in [
        "checklist-before",
        "dos-donts-talk",
        "callout-wisdom",
        "faqs",
    ] {
        assert!(after.contains(needle), "{needle} should follow the body");
    }
    assert!(after.find("checklist-before").unwrap() < after.find("id=\"faqs\"").unwrap());
    // Raw HTML in markdown passes; the contents list headings and widgets in page order, a
    // `###` (and a phase) nested under what stands above it, so each level numbers its own.
    assert_eq!(doc.select(&sel(".guide-body span.raw")).count(), 1);
    let hrefs = |css: &str| -> Vec<String> {
        doc.select(&sel(css))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    };
    assert_eq!(
        hrefs("#toc details > ol > li > a"),
        [
            "#before-anything",
            "#your-checklist",
            "#the-plan",
            "#checklist-before",
            "#faqs"
        ]
    );
    assert_eq!(
        hrefs("#toc li li > a"),
        ["#why-wait", "#phase-assess", "#phase-reconnect"]
    );
    let tracks: Vec<&str> = doc
        .select(&sel("#toc a[data-tracks]"))
        .map(|a| a.value().attr("data-tracks").unwrap())
        .collect();
    assert_eq!(
        tracks,
        [
            "checklist-your-checklist",
            "steps",
            "phase-assess",
            "phase-reconnect",
            "checklist-before"
        ]
    );
    // A widget right under a heading takes that heading as its title instead of its own.
    let steps = doc.select(&sel("section#steps")).next().unwrap();
    assert_eq!(steps.value().attr("aria-labelledby"), Some("the-plan"));
    assert_eq!(steps.select(&sel("h2")).count(), 0);
    let body_list = doc
        .select(&sel("section#checklist-your-checklist"))
        .next()
        .unwrap();
    assert_eq!(
        body_list.value().attr("aria-labelledby"),
        Some("your-checklist")
    );
    let unplaced = doc.select(&sel("section#checklist-before")).next().unwrap();
    assert_eq!(
        unplaced.value().attr("aria-labelledby"),
        Some("checklist-before-title")
    );
    assert_eq!(
        doc.select(&sel("h2#checklist-before-title"))
            .next()
            .unwrap()
            .text()
            .collect::<String>(),
        "Before you write"
    );
    // Headings have anchor links beside them, not inside.
    assert_eq!(doc.select(&sel("h2 a.heading-anchor")).count(), 0);
    assert_eq!(
        doc.select(&sel(
            ".heading > h2#before-anything + a.heading-anchor[href='#before-anything']"
        ))
        .count(),
        1
    );
}

#[test]
fn front_matter_strings_are_escaped_and_json_ld_cannot_break_out() {
    let (_tmp, _root, out) = build_fixture("basic");
    let text = fs::read_to_string(out.join("alpha/index.html")).unwrap();
    assert!(
        text.contains("Alpha: the &lt;b&gt;first&lt;&#x2f;b&gt; guide")
            || text.contains("Alpha: the &lt;b&gt;first&lt;/b&gt; guide"),
        "title not escaped"
    );
    assert!(!text.contains("<b>first</b>"));
    assert!(text.contains("Hi, I hope you are well. &lt;No pressure&gt;."));
    // One script element for JSON-LD, nothing after it leaks out.
    let doc = html(&out.join("alpha/index.html"));
    let ld = json_ld(&doc);
    let script = doc
        .select(&sel("script[type='application/ld+json']"))
        .next()
        .unwrap()
        .inner_html();
    assert!(!script.contains('<') && !script.contains('>') && !script.contains('&'));
    let faq = ld_node(&ld, "FAQPage").unwrap();
    assert_eq!(
        faq["mainEntity"][0]["name"],
        "How long should I wait? </script>"
    );
}

#[test]
fn json_ld_has_article_breadcrumbs_howto_and_faqpage() {
    let (_tmp, _root, out) = build_fixture("basic");
    let ld = json_ld(&html(&out.join("alpha/index.html")));
    assert_eq!(ld["@context"], "https://schema.org");
    let article = ld_node(&ld, "Article").unwrap();
    assert_eq!(article["headline"], "Alpha: the <b>first</b> guide");
    assert_eq!(article["dateModified"], "2026-03-01T00:00:00+00:00");
    assert_eq!(
        ld_node(&ld, "BreadcrumbList").unwrap()["itemListElement"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let howto = ld_node(&ld, "HowTo").unwrap();
    assert_eq!(howto["step"].as_array().unwrap().len(), 3);
    assert_eq!(
        howto["step"][1]["url"],
        "https://example.org/sub/alpha/#step-reach-out"
    );
    assert_eq!(howto["totalTime"], "P15DT3H");
    assert_eq!(
        ld_node(&ld, "FAQPage").unwrap()["mainEntity"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A guide without steps has no HowTo.
    let beta = json_ld(&html(&out.join("beta/index.html")));
    assert!(ld_node(&beta, "HowTo").is_none());
    assert!(ld_node(&beta, "FAQPage").is_some());
}

#[test]
fn sub_path_base_url_is_honoured_and_every_link_resolves() {
    let (_tmp, _root, out) = build_fixture("basic");
    assert_eq!(broken_links(&out, "/sub/"), Vec::<String>::new());
    let doc = html(&out.join("alpha/index.html"));
    let canonical = doc.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://example.org/sub/alpha/")
    );
    let og = doc.select(&sel("meta[property='og:url']")).next().unwrap();
    assert_eq!(
        og.value().attr("content"),
        Some("https://example.org/sub/alpha/")
    );
    // Markdown links and images written from the site root are moved under the sub-path.
    assert!(
        doc.select(&sel("a[href='/sub/beta/#faq-when']"))
            .next()
            .is_some()
    );
    assert!(
        doc.select(&sel("img[src='/sub/logo.svg']"))
            .next()
            .is_some()
    );
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://example.org/sub/alpha/</loc>"));
    assert!(!sitemap.contains("https://example.org/alpha/"));
    let feed = fs::read_to_string(out.join("atom.xml")).unwrap();
    assert!(feed.contains("href=\"https://example.org/sub/atom.xml\""));
    assert!(
        fs::read_to_string(out.join("robots.txt"))
            .unwrap()
            .contains("Sitemap: https://example.org/sub/sitemap.xml")
    );
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("out");
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--base-url",
        "http://127.0.0.1:8080/deep/path/",
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert_eq!(broken_links(&out, "/deep/path/"), Vec::<String>::new());
}

#[test]
fn home_tags_404_feed_and_drafts() {
    let (_tmp, root, out) = build_fixture("basic");
    let home = html(&out.join("index.html"));
    let cards: Vec<String> = home
        .select(&sel(".guide-card"))
        .map(|c| c.value().attr("data-guide").unwrap().to_string())
        .collect();
    assert_eq!(cards, ["alpha", "beta"], "weight first, drafts left out");
    let alpha_meta = home
        .select(&sel(".guide-card[data-guide=alpha] .guide-card-meta"))
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert!(
        alpha_meta.contains("3 steps") && alpha_meta.contains("2 checklists"),
        "{alpha_meta}"
    );
    // Tags merge by slug (`Trust` and `trust`).
    let tag = html(&out.join("tags/trust/index.html"));
    assert_eq!(tag.select(&sel(".guide-card")).count(), 2);
    assert!(out.join("tags/planning/index.html").is_file());
    assert!(
        html(&out.join("tags/index.html"))
            .select(&sel("a[href='/sub/tags/trust/']"))
            .next()
            .is_some()
    );
    // Served at any missing address: no canonical link, kept out of search results.
    let missing = html(&out.join("404.html"));
    assert!(missing.select(&sel("link[rel=canonical]")).next().is_none());
    assert!(
        missing
            .select(&sel("meta[property='og:url']"))
            .next()
            .is_none()
    );
    assert!(
        missing
            .select(&sel("meta[name=robots][content=noindex]"))
            .next()
            .is_some()
    );
    assert!(home.select(&sel("meta[name=robots]")).next().is_none());
    assert!(!out.join("gamma-draft").exists());
    let feed = fs::read_to_string(out.join("atom.xml")).unwrap();
    assert_eq!(feed.matches("<entry>").count(), 2);
    // Prev/next follow the home order.
    let alpha = html(&out.join("alpha/index.html"));
    assert!(
        alpha
            .select(&sel(".prev-next a[rel=next][href='/sub/beta/']"))
            .next()
            .is_some()
    );
    // --drafts includes them; one guide is "1 guide".
    let out2 = root.join("with-drafts");
    let one = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(said.starts_with("No errors: 2 guides, "), "{said}");
    let single = root.join("single");
    fs::create_dir_all(single.join("guides")).unwrap();
    fs::write(
        single.join("site.toml"),
        "title = \"T\"\nbase_url = \"https://e.org/\"\n",
    )
    .unwrap();
    fs::write(
        single.join("guides/one.md"),
        "---\ntitle: One\ndescription: D\n---\nBody.\n",
    )
    .unwrap();
    let one = guidesmith(&["build", "--root", single.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&one.stdout).into_owned();
    assert!(said.starts_with("Built 1 guide ("), "{said}");
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out2.to_str().unwrap(),
        "--drafts",
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(out2.join("gamma-draft/index.html").is_file());
}

#[test]
fn site_theme_files_override_the_embedded_theme() {
    let (_tmp, _root, out) = build_fixture("basic");
    let doc = html(&out.join("alpha/index.html"));
    assert!(
        doc.select(&sel("figure.message.site-override"))
            .next()
            .is_some()
    );
    // Files not overridden come from the embedded theme.
    assert!(out.join("style.css").is_file() && out.join("guidesmith.js").is_file());
    assert!(out.join("logo.svg").is_file());
}

#[test]
fn crlf_and_bom_sources_build_byte_identical_output() {
    let (tmp, root, out_lf) = build_fixture("basic");
    for (name, transform) in [("crlf", 0), ("bom", 1)] {
        let alt = tmp.path().join(name);
        copy_dir(&root, &alt);
        for entry in fs::read_dir(alt.join("guides")).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap();
            let bytes = if transform == 0 {
                text.replace('\n', "\r\n").into_bytes()
            } else {
                [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
            };
            fs::write(&path, bytes).unwrap();
        }
        let out = tmp.path().join(format!("out-{name}"));
        let r = guidesmith(&[
            "build",
            "--root",
            alt.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{}", stderr(&r));
        for page in html_files(&out_lf) {
            assert_eq!(
                fs::read(out_lf.join(&page)).unwrap(),
                fs::read(out.join(&page)).unwrap(),
                "{name}: {page} differs"
            );
        }
    }
}

#[test]
fn a_rebuild_replaces_the_output_and_keeps_unchanged_files() {
    let (_tmp, root, out) = build_fixture("basic");
    let before = fs::metadata(out.join("beta/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    fs::write(
        root.join("guides/alpha.md"),
        fs::read_to_string(root.join("guides/alpha.md"))
            .unwrap()
            .replace("Intro with", "Changed intro with"),
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(
        fs::read_to_string(out.join("alpha/index.html"))
            .unwrap()
            .contains("Changed intro")
    );
    assert_eq!(
        fs::metadata(out.join("beta/index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        before,
        "unchanged page was rewritten"
    );
    // No staging or old folders are left beside the output.
    let leftovers: Vec<_> = fs::read_dir(out.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".out."))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn build_refuses_to_replace_a_folder_it_did_not_make() {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("precious");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    assert!(stderr(&r).contains("refusing to replace"), "{}", stderr(&r));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
}

#[test]
fn init_makes_a_site_that_builds_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-site");
    let r = guidesmith(&["init", dir.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let r = guidesmith(&["build", "--root", dir.to_str().unwrap()]);
    assert!(r.status.success(), "{}", stderr(&r));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.starts_with("Built 1 guide ("), "{stdout}");
    let doc = html(&dir.join("public/getting-started/index.html"));
    for s in [
        "#steps",
        "#takeaways",
        "details.faq",
        "table caption",
        "figure.message",
        "aside.callout",
        "input[type=checkbox]",
    ] {
        assert!(
            doc.select(&sel(s)).next().is_some(),
            "sample guide lacks {s}"
        );
    }
    assert_eq!(broken_links(&dir.join("public"), "/"), Vec::<String>::new());
    fs::write(
        dir.join("site.toml"),
        "title = 'mine'\nbase_url = 'https://x.org/'\n",
    )
    .unwrap();
    let r = guidesmith(&["init", dir.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(
        stderr(&r).contains("refusing to overwrite"),
        "{}",
        stderr(&r)
    );
    assert_eq!(
        fs::read_to_string(dir.join("site.toml")).unwrap(),
        "title = 'mine'\nbase_url = 'https://x.org/'\n"
    );
}

#[test]
fn new_writes_a_skeleton_that_checks_clean() {
    let (_tmp, root) = site_copy("basic");
    let r = guidesmith(&[
        "new",
        "Talking it Through",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(root.join("guides/talking-it-through.md").is_file());
    let r = guidesmith(&["check", "--root", root.to_str().unwrap(), "--drafts"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let r = guidesmith(&[
        "new",
        "Talking it Through",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert!(!r.status.success(), "a second `new` must not overwrite");
}

#[test]
fn a_build_killed_between_the_renames_of_a_swap_gets_the_last_good_site_back() {
    let (tmp, root, out) = build_fixture("basic");
    let good = fs::read(out.join("alpha/index.html")).unwrap();
    // Where trees cannot be exchanged in one step, they trade places by three renames; a kill
    // after the first leaves the old site aside and no output.
    let aside = tmp.path().join(".guidesmith-standby/out.swap");
    fs::rename(&out, &aside).unwrap();
    fs::write(root.join("guides/broken.md"), "").unwrap();
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    assert_eq!(fs::read(out.join("alpha/index.html")).unwrap(), good);
    assert!(!aside.exists());
}

#[test]
fn a_build_killed_mid_swap_by_an_earlier_version_gets_the_last_good_site_back() {
    let (tmp, root, out) = build_fixture("basic");
    let good = fs::read(out.join("alpha/index.html")).unwrap();
    // The state a kill between the two renames leaves: the old site aside, no output.
    fs::rename(&out, tmp.path().join(".out.old-1-1")).unwrap();
    fs::write(root.join("guides/broken.md"), "").unwrap();
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    assert_eq!(fs::read(out.join("alpha/index.html")).unwrap(), good);
    assert!(!tmp.path().join(".out.old-1-1").exists());
}

/// A build with nothing changed since the last one stops early and says so; any change to a
/// guide, site.toml, a theme or static file, the options or the output itself builds again.
#[test]
fn a_build_with_nothing_changed_stops_early_and_notices_every_change() {
    let (_tmp, root, out) = build_fixture("basic");
    let build = |extra: &[&str]| {
        let mut args = vec![
            "build",
            "--root",
            root.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let r = guidesmith(&args);
        assert!(r.status.success(), "{}", stderr(&r));
        String::from_utf8_lossy(&r.stdout).into_owned()
    };
    let up_to_date = |stdout: &str| stdout.starts_with("Up to date: ");
    let page = out.join("alpha/index.html");
    let page_time = || fs::metadata(&page).unwrap().modified().unwrap();
    let before = page_time();

    let again = build(&[]);
    assert!(up_to_date(&again), "{again}");
    assert!(
        again.contains("2 guides ("),
        "the last build's counts: {again}"
    );
    assert_eq!(page_time(), before);

    let edit = |file: &str, from: &str, to: &str| {
        let path = root.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit("guides/alpha.md", "Intro with", "Changed intro with");
    assert!(!up_to_date(&build(&[])));
    assert!(fs::read_to_string(&page).unwrap().contains("Changed intro"));
    assert!(up_to_date(&build(&[])));

    edit("site.toml", "Fixture <Guides>", "Fixture <Renamed>");
    assert!(!up_to_date(&build(&[])));
    assert!(
        fs::read_to_string(&page)
            .unwrap()
            .contains("Fixture &lt;Renamed&gt;")
    );

    edit(
        "themes/default/templates/widgets/message.html",
        "site-override",
        "site-override edited",
    );
    assert!(!up_to_date(&build(&[])));
    assert!(
        fs::read_to_string(&page)
            .unwrap()
            .contains("site-override edited")
    );

    fs::write(root.join("static/extra.txt"), "new static file").unwrap();
    assert!(!up_to_date(&build(&[])));
    assert!(out.join("extra.txt").is_file());

    assert!(!up_to_date(&build(&["--drafts"])));
    assert!(out.join("gamma-draft/index.html").is_file());
    assert!(!up_to_date(&build(&[])), "the options changed back");
    assert!(!out.join("gamma-draft").exists());
    assert!(up_to_date(&build(&[])));

    // The output itself: a removed page and an edited one are written again.
    let good = fs::read(&page).unwrap();
    fs::remove_file(out.join("beta/index.html")).unwrap();
    assert!(!up_to_date(&build(&[])));
    assert!(out.join("beta/index.html").is_file());
    fs::write(&page, "edited by hand").unwrap();
    assert!(!up_to_date(&build(&[])));
    assert_eq!(fs::read(&page).unwrap(), good);
    assert!(up_to_date(&build(&[])));
}

/// `build --release` through the library runs the same output check as the command line and
/// `publish`: a broken link in a static page stops it before the output is touched.
#[test]
fn a_release_build_through_the_library_checks_its_output() {
    let (tmp, root, out) = build_fixture("basic");
    let good = fs::read(out.join("alpha/index.html")).unwrap();
    fs::write(
        root.join("static/about.html"),
        "<!doctype html><title>About</title><a href=\"/sub/nowhere/\">gone</a>",
    )
    .unwrap();
    let options = guidesmith::pipeline::BuildOptions {
        output: Some(out.clone()),
        release: true,
        ..Default::default()
    };
    let err = guidesmith::pipeline::build(&root, &options)
        .err()
        .expect("the check fails");
    assert!(
        format!("{err:#}").contains("about.html: broken link `/sub/nowhere/`"),
        "{err:#}"
    );
    assert_eq!(fs::read(out.join("alpha/index.html")).unwrap(), good);
    drop(tmp);
}

/// A release build is streamed to disk like a plain one: one that fails its output check
/// leaves the last release as it was, a fixed one then equals a clean release build, and a
/// release build with nothing changed is up to date.
#[test]
fn a_release_build_that_fails_its_check_leaves_the_last_release() {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("out");
    let release = |output: &std::path::Path| {
        let options = guidesmith::pipeline::BuildOptions {
            output: Some(output.to_path_buf()),
            release: true,
            ..Default::default()
        };
        guidesmith::pipeline::build(&root, &options)
    };
    release(&out).unwrap();
    let good = common::output_files(&out);
    let about = root.join("static/about.html");
    let page = "<!doctype html><title>About</title><a href=\"/sub/alpha/\">a</a>";
    fs::write(&about, page.replace("alpha", "nowhere")).unwrap();
    let alpha = root.join("guides/alpha.md");
    let text = fs::read_to_string(&alpha).unwrap();
    fs::write(&alpha, format!("{text}\nA new last line.\n")).unwrap();
    let err = release(&out).err().expect("the check fails");
    assert!(
        format!("{err:#}").contains("broken link `/sub/nowhere/`"),
        "{err:#}"
    );
    assert!(
        common::output_files(&out) == good,
        "the last release is kept"
    );
    fs::write(&about, page).unwrap();
    let report = release(&out).unwrap();
    assert!(!report.up_to_date);
    let clean = tmp.path().join("clean");
    release(&clean).unwrap();
    let (rebuilt, clean) = (common::output_files(&out), common::output_files(&clean));
    assert_eq!(
        rebuilt.keys().collect::<Vec<_>>(),
        clean.keys().collect::<Vec<_>>()
    );
    assert!(rebuilt == clean, "the rebuilt release equals a clean one");
    assert!(release(&out).unwrap().up_to_date);
}

/// A build over the last one's output, after edits, renames, deletes, new guides, template,
/// static and config changes, gives exactly what a clean build of the same sources gives.
#[test]
fn a_build_over_the_last_output_equals_a_clean_build_after_every_kind_of_change() {
    let (tmp, root, out) = build_fixture("basic");
    let r = root.to_str().unwrap();
    type Change<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let changes: Vec<Change> = vec![
        (
            "a body edit",
            Box::new(|| {
                let beta = fs::read_to_string(root.join("guides/beta.md")).unwrap();
                fs::write(root.join("guides/beta.md"), beta + "\nOne more line.\n").unwrap();
            }),
        ),
        (
            "a new guide with a new tag",
            Box::new(|| {
                fs::write(
                root.join("guides/delta.md"),
                "---\ntitle: Delta\ndescription: The fourth.\ntags: [fresh]\n---\n\nSee [beta](/beta/).\n",
            )
            .unwrap();
            }),
        ),
        (
            "a rename",
            Box::new(|| {
                fs::rename(root.join("guides/delta.md"), root.join("guides/epsilon.md")).unwrap();
            }),
        ),
        (
            "a delete",
            Box::new(|| fs::remove_file(root.join("guides/epsilon.md")).unwrap()),
        ),
        (
            "a template override",
            Box::new(|| {
                fs::write(
                root.join("themes/default/templates/widgets/faqs.html"),
                "<section id=\"faqs\">{% for f in widget %}<p id=\"{{ f.html_id }}\">{{ f.question }}</p>{% endfor %}</section>",
            )
            .unwrap();
            }),
        ),
        (
            "static files added",
            Box::new(|| {
                fs::write(root.join("static/notes.txt"), "notes").unwrap();
                fs::write(root.join("static/old.txt"), "old").unwrap();
            }),
        ),
        (
            "a static file removed",
            Box::new(|| {
                fs::remove_file(root.join("static/old.txt")).unwrap();
            }),
        ),
        (
            "a config change",
            Box::new(|| {
                let toml = fs::read_to_string(root.join("site.toml")).unwrap();
                fs::write(
                    root.join("site.toml"),
                    toml.replace("Fixture <Guides>", "Renamed guides"),
                )
                .unwrap();
            }),
        ),
    ];
    for (i, (what, change)) in changes.iter().enumerate() {
        change();
        let built = guidesmith(&["build", "--root", r, "--output", out.to_str().unwrap()]);
        assert!(built.status.success(), "{what}: {}", stderr(&built));
        let clean = tmp.path().join(format!("clean-{i}"));
        let fresh = guidesmith(&["build", "--root", r, "--output", clean.to_str().unwrap()]);
        assert!(fresh.status.success(), "{what}: {}", stderr(&fresh));
        let (got, want) = (output_files(&out), output_files(&clean));
        let differ: Vec<&String> = want
            .keys()
            .chain(got.keys())
            .filter(|k| got.get(*k) != want.get(*k))
            .collect();
        assert!(differ.is_empty(), "after {what}: {differ:?} differ");
    }
}
