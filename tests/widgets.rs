//! The default theme's widgets in a real browser (issue 3).
//!
//! Built sites are served over real HTTP on 127.0.0.1 by `support/static_server.rs` and driven
//! in Debian's headless Chromium through chromedriver (`support/browser.rs`): real clicks,
//! real reloads, real localStorage. One chromedriver and one browser session run every
//! scenario in turn (each starts from empty storage), so a run costs one browser start; every
//! failing scenario is reported, not just the first.
//!
//! Without chromium/chromedriver/axe-core the browser test skips with a message on stderr, unless
//! `GUIDESMITH_REQUIRE_BROWSER=1` (set by scripts/test.sh), which makes that a failure.
//! `cargo test --test widgets -- --ignored screenshots` rewrites `docs/screenshots/*.png`.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/static_server.rs"]
mod static_server;

use std::cell::RefCell;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail, ensure};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use guidesmith::pipeline::{BuildOptions, build};
use serde_json::{Value, json};

use browser::{Chromedriver, cdp, find_browser, or_skip};
use static_server::StaticServer;

const SCRIPT: &str = "themes/default/static/guidesmith.js";
const AXE: &str = "tests/browser/node_modules/axe-core/axe.min.js";

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

// ---------------------------------------------------------------------------------------------
// Without a browser

#[test]
fn script_is_under_8_kb_gzipped() {
    let source = std::fs::read(repo_file(SCRIPT)).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&source).unwrap();
    let size = gz.finish().unwrap().len();
    // Raw source, comments and all: minifying could only make it smaller.
    assert!(
        size <= 8 * 1024,
        "guidesmith.js is {size} bytes gzipped; a guide page's budget is 8 KB (search loads on demand)"
    );
}

#[test]
fn script_never_writes_html() {
    let source = std::fs::read_to_string(repo_file(SCRIPT)).unwrap();
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ] {
        assert!(
            !source.contains(sink),
            "guidesmith.js uses {sink}; build nodes and set textContent instead"
        );
    }
}

#[test]
fn pages_load_the_script_deferred() {
    let site = fixture_site();
    let out = tempfile::tempdir().unwrap();
    build(
        site.path(),
        &BuildOptions {
            output: Some(out.path().to_path_buf()),
            base_url: Some("https://example.org/a/".into()),
            ..Default::default()
        },
    )
    .unwrap();
    for page in ["index.html", "packing/index.html"] {
        let html = std::fs::read_to_string(out.path().join(page)).unwrap();
        assert!(
            html.contains(r#"<script src="/a/guidesmith.js" defer></script>"#),
            "{page} does not load the script with defer"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The fixture site: two guides whose ids the scenarios know.

const SITE_TOML: &str = r#"title = "Widget test site"
description = "Fixture for tests/widgets.rs"
base_url = "https://example.org/"
"#;

const PACKING_V1: &str = r#"---
title: "Packing for a trip"
description: "A fixture guide with steps, checklists, FAQs and a message."
date: 2026-01-02
weight: 1
steps:
  - title: "Choose a bag"
    body: "Carry-on if you can."
  - title: "Lay everything out"
    body: "On the bed, in piles."
  - title: "Pack heavy things first"
    body: "Shoes at the bottom."
  - title: "Weigh the bag"
    body: "Use a luggage scale."
checklists:
  - id: essentials
    title: "Essentials"
    items:
      - "Passport"
      - "Tickets"
      - "Charger"
      - "Toothbrush"
  - id: before-leaving
    title: "Before leaving"
    items:
      - "Lock the door"
      - "Water the plants"
faqs:
  - id: liquids
    q: "Can I bring liquids?"
    a: "In bottles of 100 ml or less."
  - id: weight
    q: "How heavy may the bag be?"
    a: "Ask your airline."
messages:
  - id: away
    label: "Out of office"
    text: "I'm away until Monday & I'll reply then. <b>Not bold</b>"
---

Read the [weight question](#faq-weight) before you pack.

## Last checks

- [ ] Phone charged
- [ ] Keys in pocket
"#;

/// Version 2: the essentials reordered, one inserted, one reworded ("Tickets" → "Train tickets").
fn packing_v2() -> String {
    PACKING_V1.replace(
        "      - \"Passport\"\n      - \"Tickets\"\n      - \"Charger\"\n      - \"Toothbrush\"\n",
        "      - \"Toothbrush\"\n      - \"Passport\"\n      - \"Sunscreen\"\n      - \"Train tickets\"\n      - \"Charger\"\n",
    )
}

const QUICK: &str = r#"---
title: "A quick one"
description: "A second guide, so the home page has two cards."
date: 2026-01-01
weight: 2
checklists:
  - id: quick
    title: "Quick list"
    items:
      - "First thing"
      - "Second thing"
---

Short.
"#;

fn fixture_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("guides")).unwrap();
    std::fs::write(dir.path().join("site.toml"), SITE_TOML).unwrap();
    std::fs::write(dir.path().join("guides/packing.md"), PACKING_V1).unwrap();
    std::fs::write(dir.path().join("guides/quick.md"), QUICK).unwrap();
    dir
}

fn build_into(root: &Path, out: &Path, base_url: &str) -> Result<()> {
    build(
        root,
        &BuildOptions {
            output: Some(out.to_path_buf()),
            base_url: Some(base_url.to_string()),
            ..Default::default()
        },
    )
    .with_context(|| format!("building {} for {base_url}", root.display()))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The browser test

/// Chromium, chromedriver and axe-core, or the reason they are missing.
fn browser_tools() -> Option<(PathBuf, PathBuf, String)> {
    let found = find_browser().and_then(|(chromium, driver)| {
        let axe = std::fs::read_to_string(repo_file(AXE))
            .map_err(|_| format!("{AXE} not found (cd tests/browser && npm ci)"))?;
        Ok((chromium, driver, axe))
    });
    or_skip(found, "the widget browser tests")
}

/// Everything a scenario needs: the served sites and the browser.
struct Ctx {
    client: Client,
    origin: String,
    /// Source of the fixture site served at `/a/` (rebuilt by one scenario).
    fixture: tempfile::TempDir,
    out_a: PathBuf,
    axe: String,
    /// Uncaught errors and console.error calls seen on pages left so far.
    page_errors: RefCell<Vec<String>>,
}

/// Installed into every new document of the main tab before any page script runs.
const ERROR_HOOK: &str = r#"
window.__gsErrors = [];
window.addEventListener('error', function (e) { window.__gsErrors.push('uncaught: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { window.__gsErrors.push('unhandled rejection: ' + e.reason); });
(function () {
  var original = console.error;
  console.error = function () {
    window.__gsErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments);
  };
})();
"#;

#[tokio::test(flavor = "current_thread")]
async fn widgets_in_a_real_browser() {
    let Some((chromium, driver_path, axe)) = browser_tools() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let out = |name: &str| work.path().join(name);
    let server = StaticServer::start(vec![
        ("/a/".into(), out("a")),
        ("/b/".into(), out("b")),
        ("/repo/".into(), out("repo")),
        ("/sample/".into(), out("sample")),
    ])
    .unwrap();
    let origin = server.origin();
    let fixture = fixture_site();
    build_into(fixture.path(), &out("a"), &format!("{origin}/a/")).unwrap();
    build_into(fixture.path(), &out("b"), &format!("{origin}/b/")).unwrap();
    // The repository's own site (real content) and the sample `guidesmith init` writes.
    build_into(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &out("repo"),
        &format!("{origin}/repo/"),
    )
    .unwrap();
    let sample = tempfile::tempdir().unwrap();
    guidesmith::init::init_site(sample.path()).unwrap();
    build_into(sample.path(), &out("sample"), &format!("{origin}/sample/")).unwrap();

    let mut driver = Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1280, 900).await.unwrap();
    cdp(
        &client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": ERROR_HOOK }),
    )
    .await
    .unwrap();
    let cx = Ctx {
        client,
        origin,
        fixture,
        out_a: out("a"),
        axe,
        page_errors: RefCell::new(Vec::new()),
    };

    let mut failures = Vec::new();
    scenario(
        &cx,
        &mut failures,
        "error hook catches errors",
        error_hook_works(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "ticks are kept across reloads",
        ticks_are_kept(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "progress, finished message and reset",
        progress_finish_and_reset(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "ticks follow their items after a rebuild",
        ticks_follow_items_after_rebuild(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "two sites on one origin never share ticks",
        sites_do_not_share(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "home cards show progress",
        home_cards_show_progress(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "steps: mark done, progress, continue link",
        steps_progress(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "two tabs stay in sync",
        tabs_stay_in_sync(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "FAQ deep links open the answer",
        faq_deep_links(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "copy buttons copy and confirm",
        copy_buttons(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "localStorage throwing or corrupt",
        storage_failures(&cx),
    )
    .await;
    scenario(&cx, &mut failures, "keyboard only", keyboard_only(&cx)).await;
    scenario(&cx, &mut failures, "print layout", print_layout(&cx)).await;
    scenario(&cx, &mut failures, "usable at 320 px", narrow_screen(&cx)).await;
    scenario(
        &cx,
        &mut failures,
        "axe-core: no violations, light and dark",
        axe_light_and_dark(&cx),
    )
    .await;
    scenario(
        &cx,
        &mut failures,
        "JavaScript off: checkboxes still toggle",
        javascript_off(&cx),
    )
    .await;

    let _ = cx.client.clone().close().await;
    drop(driver);
    drop(server);
    assert!(
        failures.is_empty(),
        "{} browser scenario(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Runs one scenario from empty storage; records its failure and any page error it caused.
async fn scenario(
    cx: &Ctx,
    failures: &mut Vec<String>,
    name: &str,
    body: impl Future<Output = Result<()>>,
) {
    let started = Instant::now();
    cx.page_errors.borrow_mut().clear();
    let result = body.await;
    // Always collect, so a failed scenario's errors are not blamed on the next one.
    let errors = cx.take_page_errors().await;
    let result = match result {
        Ok(()) if errors.is_empty() => Ok(()),
        Ok(()) => Err(anyhow!("errors in the page: {errors:?}")),
        Err(e) if errors.is_empty() => Err(e),
        Err(e) => Err(e.context(format!("errors in the page: {errors:?}"))),
    };
    match result {
        Ok(()) => eprintln!(
            "browser: {name} ... ok ({} ms)",
            started.elapsed().as_millis()
        ),
        Err(e) => {
            eprintln!("browser: {name} ... FAILED");
            failures.push(format!("{name}: {e:#}"));
        }
    }
}

impl Ctx {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Goes to a page of the served sites (after collecting the errors of the page left).
    async fn goto(&self, path: &str) -> Result<()> {
        self.collect_page_errors().await;
        self.client
            .goto(&self.url(path))
            .await
            .with_context(|| format!("opening {path}"))?;
        Ok(())
    }

    async fn reload(&self) -> Result<()> {
        self.collect_page_errors().await;
        self.client.refresh().await.context("reloading")?;
        Ok(())
    }

    async fn collect_page_errors(&self) {
        if let Ok(Value::Array(errors)) = self
            .client
            .execute("return window.__gsErrors || []", vec![])
            .await
        {
            self.page_errors.borrow_mut().extend(
                errors
                    .iter()
                    .map(|e| e.as_str().unwrap_or_default().to_string()),
            );
        }
    }

    async fn take_page_errors(&self) -> Vec<String> {
        self.collect_page_errors().await;
        let _ = self.client.execute("window.__gsErrors = []", vec![]).await;
        std::mem::take(&mut *self.page_errors.borrow_mut())
    }

    /// Evaluates `expression` in the page.
    async fn js(&self, expression: &str) -> Result<Value> {
        self.client
            .execute(&format!("return ({expression});"), vec![])
            .await
            .with_context(|| format!("evaluating {expression}"))
    }

    async fn text(&self, css: &str) -> Result<String> {
        let v = self.js(&format!("(function(){{ var e = document.querySelector({}); return e ? e.textContent.trim() : null; }})()", json!(css))).await?;
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("no element matches {css}"))
    }

    async fn checked(&self, css: &str) -> Result<bool> {
        let v = self.js(&format!("(function(){{ var e = document.querySelector({}); return e ? e.checked : null; }})()", json!(css))).await?;
        v.as_bool()
            .ok_or_else(|| anyhow!("no checkbox matches {css}"))
    }

    /// A real click (WebDriver element click: the browser's own input events).
    async fn click(&self, css: &str) -> Result<()> {
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .with_context(|| format!("finding {css}"))?;
        // A reader sees what they click below the guide's sticky progress bar; WebDriver
        // scrolls the element to the very top, under it, unless it is in view already.
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' }); return true;",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        element
            .click()
            .await
            .with_context(|| format!("clicking {css}"))?;
        Ok(())
    }

    /// Polls `condition` (a JS expression) until it is true, for up to 5 s.
    async fn wait_for(&self, condition: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if self.js(condition).await? == json!(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("timed out waiting for {condition}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn clear_storage(&self) -> Result<()> {
        self.goto("/a/").await?;
        self.js("localStorage.clear() || true").await?;
        Ok(())
    }

    async fn stored(&self, key: &str) -> Result<Value> {
        self.js(&format!("localStorage.getItem({})", json!(key)))
            .await
    }
}

fn item(list: &str, id: &str) -> String {
    format!("#checklist-{list}--{id} input")
}

async fn expect_text(cx: &Ctx, css: &str, expected: &str) -> Result<()> {
    let actual = cx.text(css).await?;
    ensure!(
        actual == expected,
        "{css}: expected {expected:?}, found {actual:?}"
    );
    Ok(())
}

async fn expect_checked(cx: &Ctx, list: &str, ids: &[(&str, bool)]) -> Result<()> {
    for (id, want) in ids {
        let got = cx.checked(&item(list, id)).await?;
        ensure!(
            got == *want,
            "item {list}/{id}: expected checked={want}, found {got}"
        );
    }
    Ok(())
}

const ESSENTIALS_STATUS: &str = "#checklist-essentials .checklist-status";

async fn error_hook_works(cx: &Ctx) -> Result<()> {
    // The hook that the other scenarios rely on must really see errors.
    cx.goto("/a/packing/").await?;
    cx.client
        .execute("var s = document.createElement('script'); s.textContent = \"throw new Error('probe')\"; document.head.appendChild(s);", vec![])
        .await?;
    cx.wait_for("window.__gsErrors.length > 0").await?;
    let errors = cx.take_page_errors().await;
    ensure!(
        errors.len() == 1 && errors[0].contains("probe"),
        "the hook saw {errors:?}"
    );
    Ok(())
}

async fn ticks_are_kept(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    expect_text(cx, ESSENTIALS_STATUS, "0 of 4 done").await?;
    cx.click(&item("essentials", "passport")).await?;
    cx.click("#checklist-essentials--charger label").await?; // the label toggles it too
    cx.click(&item("last-checks", "keys-in-pocket")).await?;
    expect_text(cx, ESSENTIALS_STATUS, "2 of 4 done").await?;
    expect_text(
        cx,
        "#checklist-last-checks .checklist-status",
        "1 of 2 done",
    )
    .await?;
    ensure!(
        cx.stored("guidesmith:/a/:packing:essentials:passport")
            .await?
            == json!("1"),
        "no storage key for the passport tick"
    );
    ensure!(
        cx.stored("guidesmith:/a/:packing:last-checks:keys-in-pocket")
            .await?
            == json!("1"),
        "no storage key for a body task list"
    );
    for how in ["reload", "fresh visit"] {
        if how == "reload" {
            cx.reload().await?
        } else {
            cx.goto("/a/packing/").await?
        }
        expect_checked(
            cx,
            "essentials",
            &[
                ("passport", true),
                ("tickets", false),
                ("charger", true),
                ("toothbrush", false),
            ],
        )
        .await
        .context(how)?;
        expect_checked(
            cx,
            "last-checks",
            &[("phone-charged", false), ("keys-in-pocket", true)],
        )
        .await
        .context(how)?;
        expect_text(cx, ESSENTIALS_STATUS, "2 of 4 done")
            .await
            .context(how)?;
    }
    // Unticking is remembered too.
    cx.click(&item("essentials", "passport")).await?;
    cx.reload().await?;
    expect_checked(cx, "essentials", &[("passport", false), ("charger", true)]).await
}

async fn progress_finish_and_reset(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    for id in ["passport", "tickets", "charger"] {
        cx.click(&item("essentials", id)).await?;
    }
    expect_text(cx, ESSENTIALS_STATUS, "3 of 4 done").await?;
    ensure!(cx.js("document.querySelector('#checklist-essentials .checklist-status').getAttribute('aria-live')").await? == json!("polite"));
    ensure!(
        cx.js("document.querySelector('#checklist-essentials .progress-bar').style.width")
            .await?
            == json!("75%")
    );
    ensure!(
        cx.js("document.querySelector('#checklist-essentials').classList.contains('is-complete')")
            .await?
            == json!(false)
    );
    cx.click(&item("essentials", "toothbrush")).await?;
    expect_text(cx, ESSENTIALS_STATUS, "4 of 4 done: checklist complete!").await?;
    ensure!(
        cx.js("document.querySelector('#checklist-essentials').classList.contains('is-complete')")
            .await?
            == json!(true)
    );
    cx.click(&item("before-leaving", "lock-the-door")).await?;

    cx.click("#checklist-essentials .checklist-reset").await?;
    expect_text(cx, ESSENTIALS_STATUS, "0 of 4 done").await?;
    expect_checked(
        cx,
        "essentials",
        &[
            ("passport", false),
            ("tickets", false),
            ("charger", false),
            ("toothbrush", false),
        ],
    )
    .await?;
    // Reset clears that checklist only, and it stays cleared.
    cx.reload().await?;
    expect_checked(
        cx,
        "essentials",
        &[("passport", false), ("toothbrush", false)],
    )
    .await?;
    expect_checked(
        cx,
        "before-leaving",
        &[("lock-the-door", true), ("water-the-plants", false)],
    )
    .await?;
    let reset_name = cx.text("#checklist-essentials .checklist-reset").await?;
    ensure!(
        reset_name == "Reset Essentials",
        "the reset button's text (with its hidden part) is {reset_name:?}"
    );
    Ok(())
}

async fn ticks_follow_items_after_rebuild(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    for id in ["passport", "tickets", "toothbrush"] {
        cx.click(&item("essentials", id)).await?;
    }
    let source = cx.fixture.path().join("guides/packing.md");
    std::fs::write(&source, packing_v2())?;
    let rebuilt = build_into(cx.fixture.path(), &cx.out_a, &cx.url("/a/"));
    let result = async {
        rebuilt?;
        cx.reload().await?;
        let order = cx.js("Array.from(document.querySelectorAll('#checklist-essentials [data-item]')).map(function (b) { return b.dataset.item; }).join(' ')").await?;
        ensure!(order == json!("toothbrush passport sunscreen train-tickets charger"), "the rebuilt page has items {order}");
        expect_checked(cx, "essentials", &[("toothbrush", true), ("passport", true), ("sunscreen", false), ("train-tickets", false), ("charger", false)])
            .await?;
        expect_text(cx, ESSENTIALS_STATUS, "2 of 5 done").await?;
        // The reworded item's old tick is forgotten, so home counts stay true.
        ensure!(cx.stored("guidesmith:/a/:packing:essentials:tickets").await? == Value::Null, "the old item's key is still stored");
        Ok(())
    }
    .await;
    std::fs::write(&source, PACKING_V1)?;
    build_into(cx.fixture.path(), &cx.out_a, &cx.url("/a/"))?;
    result
}

async fn sites_do_not_share(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    cx.click(&item("essentials", "passport")).await?;
    cx.goto("/b/packing/").await?;
    expect_checked(cx, "essentials", &[("passport", false)]).await?;
    expect_text(cx, ESSENTIALS_STATUS, "0 of 4 done").await?;
    cx.click(&item("essentials", "charger")).await?;
    cx.goto("/a/packing/").await?;
    expect_checked(cx, "essentials", &[("passport", true), ("charger", false)]).await?;
    cx.goto("/b/packing/").await?;
    expect_checked(cx, "essentials", &[("passport", false), ("charger", true)]).await?;
    ensure!(
        cx.stored("guidesmith:/b/:packing:essentials:charger")
            .await?
            == json!("1")
    );
    Ok(())
}

async fn home_cards_show_progress(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    let progress = |slug: &str| {
        format!("document.querySelector('.guide-card[data-guide={slug}] [data-guide-progress]')")
    };
    cx.goto("/a/").await?;
    ensure!(
        cx.js(&format!("{}.hidden", progress("packing"))).await? == json!(true),
        "progress shown before any tick"
    );
    cx.goto("/a/packing/").await?;
    cx.click(&item("essentials", "passport")).await?;
    cx.click(&item("last-checks", "phone-charged")).await?;
    cx.click("#step-choose-a-bag .step-done input").await?;
    cx.goto("/a/quick/").await?;
    cx.click(&item("quick", "first-thing")).await?;
    cx.click(&item("quick", "second-thing")).await?;
    cx.goto("/a/").await?;
    ensure!(
        cx.js(&format!("{}.hidden", progress("packing"))).await? == json!(false),
        "packing's progress is hidden"
    );
    ensure!(
        cx.js("document.querySelector('.guide-card[data-guide=packing]').dataset.checkable")
            .await?
            == json!("12")
    );
    expect_text(
        cx,
        ".guide-card[data-guide=packing] [data-guide-progress]",
        "Your progress: 3 of 12 done",
    )
    .await?;
    expect_text(
        cx,
        ".guide-card[data-guide=quick] [data-guide-progress]",
        "All 2 done",
    )
    .await?;
    // The other site on the origin shows nothing.
    cx.goto("/b/").await?;
    ensure!(
        cx.js(&format!("{}.hidden", progress("packing"))).await? == json!(true),
        "/b/ shows /a/'s progress"
    );
    Ok(())
}

async fn steps_progress(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    expect_text(cx, ".steps-status", "0 of 4 steps done · next: step 1").await?;
    ensure!(
        cx.js("document.querySelector('.resume').hidden").await? == json!(true),
        "a continue link before any progress"
    );
    ensure!(
        cx.js("document.querySelectorAll('.step .step-done input[type=checkbox]').length")
            .await?
            == json!(4)
    );
    cx.click("#step-choose-a-bag .step-done").await?;
    cx.click("#step-lay-everything-out .step-done input")
        .await?;
    expect_text(cx, ".steps-status", "2 of 4 steps done · next: step 3").await?;
    ensure!(
        cx.js("document.querySelector('.resume').hidden").await? == json!(true),
        "the continue link appeared during the first visit"
    );
    ensure!(
        cx.stored("guidesmith:/a/:packing:_steps:choose-a-bag")
            .await?
            == json!("1")
    );
    cx.goto("/a/packing/").await?;
    ensure!(
        cx.js("document.querySelector('.resume').hidden").await? == json!(false),
        "no continue link on return"
    );
    expect_text(
        cx,
        ".resume a",
        "Continue at step 3: Pack heavy things first",
    )
    .await?;
    cx.click(".resume a").await?;
    ensure!(cx.js("location.hash").await? == json!("#step-pack-heavy-things-first"));
    cx.click("#step-pack-heavy-things-first .step-done input")
        .await?;
    cx.click("#step-weigh-the-bag .step-done input").await?;
    expect_text(cx, ".steps-status", "All 4 steps done").await?;
    ensure!(
        cx.js("document.querySelector('.resume').hidden").await? == json!(true),
        "a continue link when all steps are done"
    );
    ensure!(
        cx.js("document.querySelectorAll('.step.is-done').length")
            .await?
            == json!(4)
    );
    Ok(())
}

async fn tabs_stay_in_sync(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    let first = cx.client.window().await?;
    let second = cx.client.new_window(true).await?.handle;
    cx.client.switch_to_window(second).await?;
    let result = async {
        cx.client.goto(&cx.url("/a/packing/")).await?;
        cx.click(&item("essentials", "tickets")).await?;
        cx.click("#step-weigh-the-bag .step-done input").await?;
        cx.client.switch_to_window(first.clone()).await?;
        cx.wait_for("document.querySelector('#checklist-essentials--tickets input').checked")
            .await?;
        expect_text(cx, ESSENTIALS_STATUS, "1 of 4 done").await?;
        cx.wait_for("document.querySelector('#step-weigh-the-bag .step-done input').checked")
            .await?;
        // And back: unticking here unticks there.
        cx.click(&item("essentials", "tickets")).await?;
        cx.client
            .switch_to_window(
                cx.client
                    .windows()
                    .await?
                    .into_iter()
                    .find(|w| *w != first)
                    .context("second tab gone")?,
            )
            .await?;
        cx.wait_for("!document.querySelector('#checklist-essentials--tickets input').checked")
            .await?;
        cx.client.close_window().await?;
        Ok(())
    }
    .await;
    cx.client.switch_to_window(first).await?;
    result
}

async fn faq_deep_links(cx: &Ctx) -> Result<()> {
    cx.goto("/a/packing/#faq-liquids").await?;
    ensure!(
        cx.js("document.getElementById('faq-liquids').open").await? == json!(true),
        "#faq-liquids did not open its answer"
    );
    ensure!(
        cx.js("document.getElementById('faq-weight').open").await? == json!(false),
        "another FAQ opened"
    );
    let view = cx.js("(function () { var r = document.getElementById('faq-liquids').getBoundingClientRect(); return [r.top, r.bottom, innerHeight, scrollY]; })()").await?;
    let [top, bottom, height, scrolled] = [0, 1, 2, 3].map(|i| view[i].as_f64().unwrap_or(-1.0));
    ensure!(
        scrolled > 0.0 && top >= 0.0 && bottom <= height,
        "the opened answer is not scrolled into view ({view})"
    );
    // An in-page link to another answer (hashchange) opens it too.
    cx.click(".guide-body a[href='#faq-weight']").await?;
    cx.wait_for("document.getElementById('faq-weight').open")
        .await?;
    // Each question has a plain link to itself (works without JS) and a copy-link button.
    ensure!(
        cx.js("document.querySelectorAll('details.faq .faq-link a[href^=\"#faq-\"]').length")
            .await?
            == json!(2)
    );
    ensure!(
        cx.js("document.querySelectorAll('details.faq .faq-link button.copy-button').length")
            .await?
            == json!(2)
    );
    // A bogus or malformed hash does nothing (and throws nothing).
    cx.goto("/a/packing/#%E0%A4%A").await?;
    cx.goto("/a/packing/#no-such-id").await?;
    Ok(())
}

async fn copy_buttons(cx: &Ctx) -> Result<()> {
    let granted = cdp(
        &cx.client,
        "Browser.grantPermissions",
        json!({ "origin": cx.origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
    )
    .await;
    cx.goto("/a/packing/").await?;
    let message = "I'm away until Monday & I'll reply then. <b>Not bold</b>";
    ensure!(
        cx.text("#message-away .message-text").await? == message,
        "the message is not shown as plain text"
    );
    cx.click("#message-away .copy-button").await?;
    cx.wait_for("document.querySelector('#message-away .copy-status').textContent === 'Copied!'")
        .await?;
    ensure!(cx.js("getComputedStyle(document.querySelector('#message-away .copy-status')).display !== 'none'").await? == json!(true));
    expect_clipboard(cx, &granted, message).await?;

    cx.click("#faq-liquids summary").await?;
    cx.click("#faq-liquids .copy-button").await?;
    cx.wait_for("document.querySelector('#faq-liquids .copy-status').textContent === 'Copied!'")
        .await?;
    expect_clipboard(cx, &granted, &cx.url("/a/packing/#faq-liquids")).await?;

    // Without the async clipboard API (older browsers, plain-http hosts): the textarea fallback.
    let no_api = "Object.defineProperty(Navigator.prototype, 'clipboard', \
                  { configurable: true, get: function () { return undefined; } });";
    with_init_script(cx, no_api, async {
        cx.goto("/a/packing/").await?;
        ensure!(cx.js("navigator.clipboard === undefined").await? == json!(true));
        cx.click("#message-away .copy-button").await?;
        cx.wait_for(
            "document.querySelector('#message-away .copy-status').textContent === 'Copied!'",
        )
        .await?;
        ensure!(
            cx.js("document.activeElement.classList.contains('copy-button')")
                .await?
                == json!(true),
            "focus did not return to the button"
        );
        Ok(())
    })
    .await
    .context("fallback copy")?;
    cx.goto("/a/packing/").await?;
    expect_clipboard(cx, &granted, message)
        .await
        .context("fallback copy")
}

async fn expect_clipboard(cx: &Ctx, granted: &Result<Value, String>, expected: &str) -> Result<()> {
    if let Err(why) = granted {
        eprintln!(
            "browser: clipboard permission not granted ({why}); checked the confirmation only"
        );
        return Ok(());
    }
    let read = cx
        .client
        .execute_async("var done = arguments[0]; navigator.clipboard.readText().then(done, function (e) { done('ERROR ' + e); });", vec![])
        .await?;
    ensure!(
        read == json!(expected),
        "clipboard holds {read}, expected {expected:?}"
    );
    Ok(())
}

/// Replaces localStorage (or its methods) before the page's scripts run.
async fn with_init_script<T>(
    cx: &Ctx,
    source: &str,
    body: impl Future<Output = Result<T>>,
) -> Result<T> {
    let added = cdp(
        &cx.client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": source }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    let id = added["identifier"].clone();
    let result = body.await;
    cdp(
        &cx.client,
        "Page.removeScriptToEvaluateOnNewDocument",
        json!({ "identifier": id }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    result
}

async fn storage_failures(cx: &Ctx) -> Result<()> {
    let throwing_getter = "Object.defineProperty(window, 'localStorage', { configurable: true, get: function () { throw new DOMException('The operation is insecure.', 'SecurityError'); } });";
    let full = "Storage.prototype.setItem = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };";
    for (name, script) in [
        ("SecurityError on access", throwing_getter),
        ("QuotaExceededError on write", full),
    ] {
        cx.clear_storage().await?;
        with_init_script(cx, script, async {
            cx.goto("/a/packing/").await?;
            cx.click(&item("essentials", "passport")).await?;
            cx.click("#step-choose-a-bag .step-done input").await?;
            expect_text(cx, ESSENTIALS_STATUS, "1 of 4 done").await?;
            expect_text(cx, ".steps-status", "1 of 4 steps done · next: step 2").await?;
            cx.click("#checklist-essentials .checklist-reset").await?;
            expect_text(cx, ESSENTIALS_STATUS, "0 of 4 done").await?;
            cx.click(&item("essentials", "charger")).await?;
            cx.goto("/a/").await?;
            cx.goto("/a/packing/#faq-weight").await?;
            ensure!(cx.js("document.getElementById('faq-weight').open").await? == json!(true));
            Ok(())
        })
        .await
        .context(name)?;
    }
    // Junk under our keys (an old format, a hand edit): ignored, nothing thrown.
    cx.clear_storage().await?;
    cx.client
        .execute(
            "localStorage.setItem('guidesmith:/a/:packing:essentials:passport', '{\"broken');
             localStorage.setItem('guidesmith:/a/:packing:essentials:charger', '1');
             localStorage.setItem('guidesmith:/a/:packing:_steps:choose-a-bag', 'null');
             localStorage.setItem('guidesmith:/a/:packing:', 'x');
             localStorage.setItem('guidesmith:/a/:packing:essentials', '[]');",
            vec![],
        )
        .await?;
    cx.goto("/a/").await?;
    cx.goto("/a/packing/").await?;
    expect_checked(cx, "essentials", &[("passport", false), ("charger", true)])
        .await
        .context("corrupt values")?;
    expect_text(cx, ".steps-status", "0 of 4 steps done · next: step 1")
        .await
        .context("corrupt values")?;
    Ok(())
}

/// Key presses sent to an element (WebDriver focuses it first, then types real key events).
async fn press(cx: &Ctx, css: &str, key: &str) -> Result<()> {
    let element = cx
        .client
        .find(Locator::Css(css))
        .await
        .with_context(|| format!("finding {css}"))?;
    element
        .send_keys(key)
        .await
        .with_context(|| format!("pressing keys on {css}"))?;
    Ok(())
}

async fn keyboard_only(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    // The first Tab reaches the skip link, which then shows.
    press(cx, "body", &Key::Tab).await?;
    ensure!(
        cx.js("document.activeElement.className").await? == json!("skip-link"),
        "the first Tab does not reach the skip link"
    );
    ensure!(
        cx.js("document.activeElement.getBoundingClientRect().top >= 0")
            .await?
            == json!(true),
        "the focused skip link stays off screen"
    );
    press(cx, &item("essentials", "passport"), " ").await?;
    expect_text(cx, ESSENTIALS_STATUS, "1 of 4 done").await?;
    // Focus is visible: keyboard focus matches :focus-visible and draws an outline.
    let outline = cx.js("document.activeElement.matches(':focus-visible') && getComputedStyle(document.activeElement).outlineStyle").await?;
    ensure!(
        outline == json!("solid"),
        "no visible focus on a checkbox ({outline})"
    );
    press(cx, "#step-choose-a-bag .step-done input", " ").await?;
    expect_text(cx, ".steps-status", "1 of 4 steps done · next: step 2").await?;
    press(cx, "#checklist-essentials .checklist-reset", &Key::Enter).await?;
    expect_text(cx, ESSENTIALS_STATUS, "0 of 4 done").await?;
    press(cx, "#faq-weight summary", &Key::Enter).await?;
    ensure!(
        cx.js("document.getElementById('faq-weight').open").await? == json!(true),
        "Enter does not open a FAQ"
    );
    press(cx, "#message-away .copy-button", " ").await?;
    cx.wait_for("document.querySelector('#message-away .copy-status').textContent === 'Copied!'")
        .await
}

async fn print_layout(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cx.goto("/a/packing/").await?;
    cx.click(&item("essentials", "passport")).await?;
    cdp(
        &cx.client,
        "Emulation.setEmulatedMedia",
        json!({ "media": "print" }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    let result = async {
        cx.js("window.dispatchEvent(new Event('beforeprint')) && true").await?;
        ensure!(cx.js("Array.from(document.querySelectorAll('details')).every(function (d) { return d.open; })").await? == json!(true), "FAQ answers not expanded for print");
        for hidden in [".site-header", ".site-footer", ".checklist-progress", ".copy-button", ".step-done", "#checklist-essentials--passport input"] {
            let display = cx.js(&format!("getComputedStyle(document.querySelector({})).display", json!(hidden))).await?;
            ensure!(display == json!("none"), "{hidden} is printed (display {display})");
        }
        let box_style = cx.js("getComputedStyle(document.querySelector('#checklist-essentials--passport label'), '::before').borderTopStyle").await?;
        ensure!(box_style == json!("solid"), "checklist items print without an empty box ({box_style})");
        cx.js("window.dispatchEvent(new Event('afterprint')) && true").await?;
        ensure!(cx.js("document.getElementById('faq-weight').open").await? == json!(false), "answers stay open after printing");
        Ok(())
    }
    .await;
    cdp(
        &cx.client,
        "Emulation.setEmulatedMedia",
        json!({ "media": "" }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    result
}

async fn narrow_screen(cx: &Ctx) -> Result<()> {
    let metrics = json!({ "width": 320, "height": 640, "deviceScaleFactor": 1, "mobile": true });
    cdp(&cx.client, "Emulation.setDeviceMetricsOverride", metrics)
        .await
        .map_err(|e| anyhow!(e))?;
    let result = async {
        for page in ["/a/", "/a/packing/", "/repo/", "/repo/first-message/", "/repo/reconnection-roadmap/", "/sample/getting-started/"] {
            cx.goto(page).await?;
            cx.js("Array.from(document.querySelectorAll('details')).forEach(function (d) { d.open = true; }) || true").await?;
            let widths = cx.js("[document.documentElement.scrollWidth, window.innerWidth]").await?;
            ensure!(widths[0].as_f64() <= widths[1].as_f64(), "{page} scrolls sideways at 320 px: content {} px wide", widths[0]);
        }
        Ok(())
    }
    .await;
    cdp(
        &cx.client,
        "Emulation.clearDeviceMetricsOverride",
        json!({}),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    result
}

async fn axe_light_and_dark(cx: &Ctx) -> Result<()> {
    let pages = [
        "/repo/",
        "/repo/first-message/",
        "/repo/reconnection-roadmap/",
        "/sample/getting-started/",
        "/a/packing/",
        "/repo/tags/timing/",
        "/repo/404.html",
    ];
    // First make sure axe really reports: an unlabelled checkbox is a violation.
    cx.goto("/a/packing/").await?;
    cx.js("document.querySelector('main').appendChild(document.createElement('input')).type = 'checkbox'").await?;
    let probe = run_axe(cx).await?;
    ensure!(
        probe.iter().any(|v| v.starts_with("label:")),
        "axe-core missed an unlabelled checkbox: {probe:?}"
    );
    let mut problems = Vec::new();
    let mut backgrounds = Vec::new();
    for scheme in ["light", "dark"] {
        cdp(
            &cx.client,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await
        .map_err(|e| anyhow!(e))?;
        for page in pages {
            cx.clear_storage().await?;
            cx.goto(page).await?;
            // Check states too: a ticked item, a done step, open answers, a copy confirmation.
            cx.js(
                "(function () { var b = document.querySelector('.checklist input'); if (b) b.click(); \
                 var s = document.querySelector('.step-done input'); if (s) s.click(); \
                 document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return true; })()",
            )
            .await?;
            if page == "/repo/" {
                // Progress on a card: come back to the home page after ticking in a guide.
                cx.goto("/repo/first-message/").await?;
                cx.js("document.querySelector('.checklist input').click() || true")
                    .await?;
                cx.goto(page).await?;
                ensure!(cx.js("document.querySelectorAll('[data-guide-progress]:not([hidden])').length > 0").await? == json!(true));
            }
            backgrounds.push(
                cx.js("getComputedStyle(document.body).backgroundColor")
                    .await?,
            );
            let violations = run_axe(cx)
                .await
                .with_context(|| format!("axe on {page} ({scheme})"))?;
            problems.extend(
                violations
                    .into_iter()
                    .map(|v| format!("{page} ({scheme}): {v}")),
            );
        }
    }
    cdp(
        &cx.client,
        "Emulation.setEmulatedMedia",
        json!({ "features": [] }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    ensure!(
        backgrounds[0] != backgrounds[pages.len()],
        "the dark scheme did not apply (background {})",
        backgrounds[0]
    );
    ensure!(
        problems.is_empty(),
        "axe-core found {} violation(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    Ok(())
}

/// Injects axe-core and returns one line per violation.
async fn run_axe(cx: &Ctx) -> Result<Vec<String>> {
    cx.client
        .execute(&cx.axe, vec![])
        .await
        .context("injecting axe-core")?;
    let result = cx
        .client
        .execute_async(
            "var done = arguments[0];
             axe.run(document).then(function (r) {
               done(r.violations.map(function (v) {
                 return v.id + ': ' + v.help + ' [' + v.nodes.map(function (n) { return n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' '); }).join(' | ') + ']';
               }));
             }, function (e) { done('ERROR ' + e); });",
            vec![],
        )
        .await?;
    match result {
        Value::Array(lines) => Ok(lines
            .iter()
            .map(|l| l.as_str().unwrap_or_default().to_string())
            .collect()),
        other => bail!("axe-core did not run: {other}"),
    }
}

async fn javascript_off(cx: &Ctx) -> Result<()> {
    cx.clear_storage().await?;
    cdp(
        &cx.client,
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    let result = async {
        cx.client.goto(&cx.url("/a/packing/")).await?;
        ensure!(
            cx.js("document.querySelectorAll('button').length").await? == json!(0),
            "buttons are shown without JavaScript"
        );
        ensure!(
            cx.js("document.querySelectorAll('.checklist-progress, .steps-progress').length")
                .await?
                == json!(0)
        );
        cx.click("#checklist-essentials--passport label").await?;
        cx.click(&item("last-checks", "phone-charged")).await?;
        expect_checked(cx, "essentials", &[("passport", true), ("tickets", false)]).await?;
        expect_checked(cx, "last-checks", &[("phone-charged", true)]).await?;
        cx.click("#faq-liquids summary").await?;
        ensure!(
            cx.js("document.getElementById('faq-liquids').open").await? == json!(true),
            "a FAQ does not open without JavaScript"
        );
        Ok(())
    }
    .await;
    cdp(
        &cx.client,
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": false }),
    )
    .await
    .map_err(|e| anyhow!(e))?;
    result
}

// ---------------------------------------------------------------------------------------------
// Screenshots for the README

/// Rewrites docs/screenshots/*.png: the sample guide `guidesmith init` writes (it uses every
/// widget), desktop (1280 px) and phone (375 px), light and dark, with some progress made.
#[tokio::test(flavor = "current_thread")]
#[ignore = "writes docs/screenshots; run with --ignored screenshots"]
async fn screenshots() {
    let Some((chromium, driver_path, _)) = browser_tools() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let server = StaticServer::start(vec![("/".into(), work.path().join("site"))]).unwrap();
    let sample = work.path().join("sample");
    guidesmith::init::init_site(&sample).unwrap();
    build_into(
        &sample,
        &work.path().join("site"),
        &format!("{}/", server.origin()),
    )
    .unwrap();
    let mut driver = Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1280, 900).await.unwrap();
    let dir = repo_file("docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, width, height) in [("desktop", 1280, 3050), ("mobile", 375, 2400)] {
        for scheme in ["light", "dark"] {
            let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500 });
            cdp(&client, "Emulation.setDeviceMetricsOverride", metrics)
                .await
                .unwrap();
            let media =
                json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] });
            cdp(&client, "Emulation.setEmulatedMedia", media)
                .await
                .unwrap();
            client
                .goto(&format!("{}/getting-started/", server.origin()))
                .await
                .unwrap();
            let png = take_screenshot(&client).await.unwrap();
            let path = dir.join(format!("guide-{name}-{scheme}.png"));
            std::fs::write(&path, &png).unwrap();
            eprintln!("wrote {} ({} KB)", path.display(), png.len() / 1024);
        }
    }
    client.close().await.unwrap();
}

/// Makes some progress (two ticks, a step done, a copied message), then captures the viewport.
async fn take_screenshot(client: &Client) -> Result<Vec<u8>> {
    client.execute("localStorage.clear();", vec![]).await?;
    client.refresh().await?;
    client
        .execute(
            "document.querySelectorAll('.checklist input').forEach(function (b, i) { if (i < 2) b.click(); });
             document.querySelector('.step-done input').click();",
            vec![],
        )
        .await?;
    client.refresh().await?;
    client
        .find(Locator::Css(".message .copy-button"))
        .await?
        .click()
        .await?;
    client
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0);",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shot = cdp(client, "Page.captureScreenshot", json!({ "format": "png" }))
        .await
        .map_err(|e| anyhow!(e))?;
    let data = shot["data"].as_str().context("no screenshot data")?;
    base64_decode(data)
}

fn base64_decode(text: &str) -> Result<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .context("bad base64")? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}
