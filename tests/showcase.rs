//! The repository's own site (guides/ and site.toml): it checks clean, builds with no
//! warnings, and every guide page has its widgets, valid JSON-LD and working links.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::reader_text::*;
use common::*;

/// The repository's own site built into a temp dir, with no errors and no warnings.
fn build_showcase() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let r = guidesmith(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", stderr(&r));
    assert!(stderr(&r).is_empty(), "warnings: {}", stderr(&r));
    (tmp, out)
}

#[test]
fn the_showcase_site_builds_clean_with_widgets_json_ld_and_links() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = guidesmith(&["check", "--root", root.to_str().unwrap()]);
    assert!(
        check.status.success() && stderr(&check).is_empty(),
        "check: {}",
        stderr(&check)
    );
    let (_tmp, out) = build_showcase();

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
        let article = ld_node(&ld, "Article").unwrap();
        let site = "https://guidesmith.example/";
        assert_eq!(article["url"], format!("{site}{slug}/").as_str(), "{slug}");
        assert_eq!(article["image"][0], format!("{site}cover.png").as_str());
        assert_eq!(article["author"]["url"], site);
        assert_eq!(
            article["publisher"]["logo"]["url"],
            format!("{site}logo.png").as_str()
        );
        assert!(
            article["datePublished"]
                .as_str()
                .unwrap()
                .ends_with("T00:00:00+00:00")
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

/// The seed articles the guides are written from, outside the repository; CI without them
/// uses `SEED_RUNS`, which a run with the seeds present checks (and rewrites when
/// GUIDESMITH_WRITE_SEED_RUNS=1).
const SEEDS_DIR: &str = "../shared/seeds";
const SEED_RUNS: &str = "tests/fixtures/seed-runs.txt";
/// The titles the seed articles give themselves (the others have none).
const SEED_TITLES: [&str; 3] = [
    "How To Get An Ex Back Through Text",
    "How To Get Your Ex Back",
    "How to Reconnect with Your Ex? (11 Steps To Avoid The Mess)",
];
/// Every phone number the site may give, in the order the safety notice gives them.
const SERVICES: [&str; 7] = [
    "1-800-799-7233",
    "88788",
    "0808 2000 247",
    "911",
    "999",
    "988",
    "116 123",
];

/// The seeds' eight-word runs as hashes, and the seed titles checked against the seeds.
fn seed_runs_checked() -> HashSet<u64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = read_seeds(&root.join(SEEDS_DIR));
    let fixture = root.join(SEED_RUNS);
    if seeds.is_empty() {
        let text = std::fs::read_to_string(&fixture).expect("tests/fixtures/seed-runs.txt");
        return text
            .lines()
            .map(|l| u64::from_str_radix(l, 16).unwrap())
            .collect();
    }
    for seed in &seeds {
        let first = seed.lines().next().unwrap_or("").trim();
        let is_title = first.len() < 100 && !first.ends_with(['.', '!']);
        assert!(
            !is_title || SEED_TITLES.contains(&first),
            "a seed titled {first:?} is missing from SEED_TITLES"
        );
    }
    let runs = seed_runs(&seeds);
    let mut sorted: Vec<u64> = runs.iter().copied().collect();
    sorted.sort_unstable();
    let text: String = sorted.iter().map(|h| format!("{h:012x}\n")).collect();
    if std::env::var_os("GUIDESMITH_WRITE_SEED_RUNS").is_some() {
        std::fs::write(&fixture, &text).unwrap();
    }
    let stored = std::fs::read_to_string(&fixture).unwrap_or_default();
    assert!(
        stored == text,
        "{SEED_RUNS} ({} runs) does not match the seeds ({} runs): rerun with GUIDESMITH_WRITE_SEED_RUNS=1",
        stored.lines().count(),
        sorted.len()
    );
    runs
}

/// The rules of issue 17 for the showcase that a program can check, on every guide page.
#[test]
fn the_showcase_keeps_its_editorial_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let stale = guidesmith(&["check", "--deny-stale", "--root", root.to_str().unwrap()]);
    assert!(stale.status.success(), "{}", stderr(&stale));
    let (_tmp, out) = build_showcase();
    let seeds = seed_runs_checked();
    let mut pages = 0;
    for file in html_files(&out) {
        let doc = html(&out.join(&file));
        if doc.select(&sel("article.guide")).next().is_none() {
            continue;
        }
        pages += 1;
        check_sources_review_and_notice(&file, &doc);
        check_words(&file, &doc, &seeds);
        check_steps_and_lists(&file, &doc);
    }
    assert_eq!(pages, 8);
    check_reading_order(&out);
}

/// The series starts with deciding whether to reconnect and the roadmap, every other guide is
/// in it, and a reader who was turned down is sent on to nothing.
fn check_reading_order(out: &Path) {
    let first = html(&out.join("should-you-reconnect/index.html"));
    let order: Vec<&str> = first
        .select(&sel("nav.series .series-guides a"))
        .map(|a| a.value().attr("href").unwrap())
        .collect();
    assert_eq!(
        order[..2],
        ["/should-you-reconnect/", "/reconnection-roadmap/"]
    );
    assert_eq!(order.len(), 7, "{order:?}");
    assert!(!order.contains(&"/when-they-dont-answer/"), "{order:?}");
    let rejected = html(&out.join("when-they-dont-answer/index.html"));
    let next: Vec<_> = rejected.select(&sel("a[rel=next]")).collect();
    assert!(next.is_empty(), "when-they-dont-answer sends the reader on");
}

fn check_sources_review_and_notice(file: &str, doc: &scraper::Html) {
    let sources: Vec<_> = doc.select(&sel("section.sources li")).collect();
    let seed_sources = sources
        .iter()
        .filter(|li| {
            let title: String = li.select(&sel("cite, a")).next().unwrap().text().collect();
            let is_seed = SEED_TITLES.contains(&title.as_str()) || title.starts_with("Untitled");
            let is_named_study = li.select(&sel("a[href^='https://']")).next().is_some();
            assert!(is_seed || is_named_study, "{file}: source {title:?}");
            is_seed
        })
        .count();
    assert!(
        seed_sources >= 2,
        "{file}: {seed_sources} seed articles listed"
    );
    let review: String = doc
        .select(&sel(".guide-review"))
        .next()
        .expect(file)
        .text()
        .collect();
    assert!(
        review.starts_with("Last reviewed ") && review.contains(" by "),
        "{file}: {review}"
    );

    let notices: Vec<_> = doc.select(&sel("aside.notice-safety")).collect();
    assert_eq!(notices.len(), 1, "{file}");
    for site in [
        "https://www.thehotline.org/",
        "https://www.nationaldahelpline.org.uk/",
    ] {
        let link = format!("a[href='{site}']");
        assert!(
            notices[0].select(&sel(&link)).next().is_some(),
            "{file}: {site}"
        );
    }
    let notice_text = text_without(notices[0], &[]);
    let mut numbers = phone_numbers(&notice_text);
    numbers.dedup(); // "call or text 988 (the 988 Suicide & Crisis Lifeline)"
    assert_eq!(numbers, SERVICES, "{file}");
    assert!(
        notice_text.contains("Refuge") && notice_text.contains("24 hours"),
        "{file}"
    );
    let rest = article_text(doc, &["aside.notice-safety"]);
    assert_eq!(
        phone_numbers(&rest),
        Vec::<String>::new(),
        "{file}: numbers outside the notice"
    );
}

fn check_words(file: &str, doc: &scraper::Html, seeds: &HashSet<u64>) {
    // Sources are quoted by title; everything else is in our own words.
    let text = article_text(doc, &["section.sources", "nav.prev-next"]);
    let all = words(&text);
    let shared: Vec<String> = all
        .windows(8)
        .filter(|run| seeds.contains(&run_hash(run)))
        .map(|run| run.join(" "))
        .collect();
    assert_eq!(
        shared,
        Vec::<String>::new(),
        "{file}: eight-word runs of the seeds"
    );
    let flat = all.join(" ");
    for banned in [
        "40 to 50",
        "40 50 percent",
        "40 50 of couples",
        "skip this step",
    ] {
        assert!(!flat.contains(banned), "{file}: {banned:?}");
    }
}

/// No clock time on a step unless it is a meeting; no idea repeated across the page's lists
/// (checklists, do/don't tables, the body's bullet lists): no two items share five words.
fn check_steps_and_lists(file: &str, doc: &scraper::Html) {
    for step in doc.select(&sel("li.step")) {
        let title: String = step
            .select(&sel(".step-title"))
            .next()
            .unwrap()
            .text()
            .collect();
        if let Some(d) = step.select(&sel(".step-duration")).next() {
            let d: String = d.text().collect();
            let clock = d.contains("minute") || d.contains("hour");
            assert!(
                !clock || title.to_lowercase().contains("meet"),
                "{file}: {title}: {d}"
            );
        }
    }
    let items: Vec<String> = doc
        .select(&sel(
            "section.checklist li, section.dos-donts td, .guide-body > ul > li, .guide-body > ol > li",
        ))
        .map(|e| e.text().collect())
        .collect();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut repeated = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for run in words(item).windows(5) {
            match seen.get(&run_hash(run)) {
                Some(&j) if j != i => {
                    let first = items[j].trim();
                    repeated.push(format!("{:?}:\n    {first}\n    {item}", run.join(" ")));
                }
                _ => {
                    seen.insert(run_hash(run), i);
                }
            }
        }
    }
    assert!(
        repeated.is_empty(),
        "{file}: the same words in two list items:\n  {}",
        repeated.join("\n  ")
    );
}
