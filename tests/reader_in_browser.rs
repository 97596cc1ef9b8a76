//! The reader's side of the default theme, in headless Chromium (issue 16): the "On this page"
//! column follows scrolling, lists the widgets and ticks them; the progress bar follows ticks;
//! Reset has Undo; the series box shows progress; export → clear → import and the device link
//! (on a fresh profile, after confirming) restore every tick; placeholders fill, copy and warn;
//! the colour scheme is remembered; keyboard only works; axe-core finds nothing on every page
//! kind, light and dark, at 1280 and 375 px; nothing scrolls sideways at 320 px; nothing shifts
//! (CLS 0). Skips without chromium/chromedriver/axe-core unless `GUIDESMITH_REQUIRE_BROWSER=1`.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/static_server.rs"]
mod static_server;

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use guidesmith::pipeline::{BuildOptions, build};
use serde_json::{Value, json};

use browser::{Chromedriver, cdp, find_browser, or_skip};
use static_server::StaticServer;

const AXE: &str = "tests/browser/node_modules/axe-core/axe.min.js";

const SITE_TOML: &str = "title = \"Trips\"
base_url = \"https://example.org/\"

[[nav]]
name = \"Home\"
url = \"/\"

[[nav]]
name = \"Tags\"
url = \"/tags/\"

[[series]]
title = \"Going away\"
guides = [\"trip\", \"after\"]
";

fn filler(n: usize) -> String {
    "A paragraph of text that a reader reads before the next part of the guide begins, long enough to scroll. ".repeat(n)
}

fn trip() -> String {
    format!(
        "---
title: \"Plan a trip\"
description: \"Everything before you go.\"
tags: [travel]
takeaways:
  - \"Pack light.\"
steps:
  - title: \"Choose a bag\"
    phase: Prepare
  - title: \"Book tickets\"
    phase: Prepare
    duration: \"2 weeks\"
  - title: \"Lock the door\"
    phase: Leave
  - title: \"Walk to the station\"
    phase: Leave
checklists:
  - id: pack
    title: \"Pack\"
    items: [\"Passport\", \"Charger\", \"Toothbrush\"]
faqs:
  - q: \"How early?\"
    a: \"Two hours.\"
messages:
  - label: \"To the host\"
    text: \"Hi {{their name}}, we arrive at {{time}}.\"
---
## Before you start

{f}

### The small things

{f}

| Item | Why |
|---|---|
| Map | To find the way |

## On the day

{f}

<!-- widget: steps -->

<!-- widget: checklist pack -->

## Afterwards

{f}
",
        f = filler(12)
    )
}

const AFTER: &str = "---
title: \"After the trip\"
description: \"Unpacking.\"
tags: [travel]
checklists:
  - id: unpack
    title: \"Unpack\"
    items: [\"Clothes\", \"Photos\"]
---
Welcome home.
";

type R<T> = Result<T, String>;

struct Page<'a> {
    client: &'a Client,
    origin: String,
}

impl Page<'_> {
    async fn goto(&self, path: &str) -> R<()> {
        self.client
            .goto(&format!("{}{path}", self.origin))
            .await
            .map_err(|e| format!("goto {path}: {e}"))
    }

    async fn js(&self, script: &str) -> R<Value> {
        self.client
            .execute(&format!("return ({script});"), vec![])
            .await
            .map_err(|e| format!("{script}: {e}"))
    }

    async fn wait(&self, what: &str, condition: &str) -> R<()> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if self.js(condition).await? == json!(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}: {condition}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn click(&self, css: &str) -> R<()> {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .map_err(|e| format!("finding {css}: {e}"))?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' }); return true;",
                vec![serde_json::to_value(&el).unwrap()],
            )
            .await
            .map_err(|e| e.to_string())?;
        el.click().await.map_err(|e| format!("clicking {css}: {e}"))
    }

    async fn keys(&self, keys: &str) -> R<()> {
        self.client
            .active_element()
            .await
            .map_err(|e| e.to_string())?
            .send_keys(keys)
            .await
            .map_err(|e| e.to_string())
    }

    /// Replaces the clipboard so that what Copy writes can be read back.
    async fn catch_copies(&self) -> R<()> {
        self.js("(navigator.clipboard.writeText = function (t) { window.__copied = t; return Promise.resolve(); }) && true")
            .await
            .map(|_| ())
    }

    async fn viewport(&self, width: u32, height: u32) -> R<()> {
        cdp(
            self.client,
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": false }),
        )
        .await
        .map(|_| ())
    }

    async fn scheme(&self, scheme: &str) -> R<()> {
        cdp(
            self.client,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await
        .map(|_| ())
    }
}

async fn contents_follow_and_tick(p: &Page<'_>) -> R<()> {
    p.goto("/trip/").await?;
    let hrefs = p
        .js("Array.from(document.querySelectorAll('.toc a')).map(function (a) { return a.getAttribute('href'); }).join(' ')")
        .await?;
    for want in [
        "#takeaways",
        "#before-you-start",
        "#the-small-things",
        "#steps",
        "#phase-prepare",
        "#phase-leave",
        "#checklist-pack",
        "#faqs",
    ] {
        if !hrefs.as_str().unwrap_or("").split(' ').any(|h| h == want) {
            return Err(format!("the contents lack {want}: {hrefs}"));
        }
    }
    p.wait("the contents column open and in view", "document.querySelector('.toc-details').open && getComputedStyle(document.querySelector('.guide-aside')).position === 'sticky'").await?;
    for id in ["on-the-day", "checklist-pack", "afterwards"] {
        p.js(&format!(
            "document.getElementById('{id}').scrollIntoView() || true"
        ))
        .await?;
        p.wait(
            &format!("{id} marked as being read"),
            &format!("(document.querySelector('.toc a[aria-current]') || {{}}).hash === '#{id}'"),
        )
        .await?;
        p.wait(
            "the contents in view",
            "document.querySelector('.toc').getBoundingClientRect().top >= 0",
        )
        .await?;
    }
    // Ticks: the progress bar and the contents follow.
    p.wait("the progress bar", "document.querySelector('[data-progress]').textContent === 'Steps 0/4Checklist items 0/3Next: Choose a bag'").await?;
    for item in ["passport", "charger", "toothbrush"] {
        p.click(&format!("#checklist-pack--{item} input")).await?;
    }
    p.click("#step-choose-a-bag .step-done input").await?;
    p.wait("the bar after ticks", "document.querySelector('[data-progress]').textContent === 'Steps 1/4Checklist items 3/3Next: Book tickets'").await?;
    p.wait("the checklist ticked in the contents", "document.querySelector(\".toc a[href='#checklist-pack']\").classList.contains('is-done') && document.querySelector(\".toc a[href='#checklist-pack']\").textContent.indexOf('(done)') > 0").await?;
    if p.js(
        "document.querySelector(\".toc a[href='#phase-prepare']\").classList.contains('is-done')",
    )
    .await?
        != json!(false)
    {
        return Err("a phase with a step left is ticked".into());
    }
    let name = p
        .js("document.querySelector('#step-book-tickets .step-done').textContent")
        .await?;
    if name != json!(" Mark as done: Book tickets") {
        return Err(format!("the step box is named {name}"));
    }
    Ok(())
}

async fn reset_and_undo(p: &Page<'_>) -> R<()> {
    let checked = "Array.from(document.querySelectorAll('#checklist-pack input')).filter(function (b) { return b.checked; }).length";
    p.click("#checklist-pack .checklist-reset").await?;
    p.wait("the reset", &format!("{checked} === 0")).await?;
    p.wait(
        "focus on Undo",
        "document.activeElement.classList.contains('undo-button')",
    )
    .await?;
    p.keys("\u{e007}").await?; // Enter on the focused Undo: keyboard only.
    p.wait("the undo", &format!("{checked} === 3")).await?;
    p.click(".steps-reset").await?;
    p.wait(
        "the steps reset",
        "!document.querySelector('#step-choose-a-bag .step-done input').checked",
    )
    .await?;
    p.click(".steps .undo-button").await?;
    p.wait(
        "the steps undo",
        "document.querySelector('#step-choose-a-bag .step-done input').checked",
    )
    .await?;
    p.goto("/after/").await?;
    p.wait("series progress", "document.querySelector('.series-guides li[data-guide=trip] [data-guide-progress]').textContent === '4/7 done'").await?;
    let place = p
        .js("document.querySelector('.series-place').textContent")
        .await?;
    if place != json!("Guide 2 of 2") {
        return Err(format!("series place {place}"));
    }
    Ok(())
}

const TICKED: &str = "Array.from(document.querySelectorAll('input[type=checkbox]')).filter(function (b) { return b.checked; }).map(function (b) { return b.closest('[id]').id; }).sort().join(' ')";

async fn export_clear_import(p: &Page<'_>, dir: &Path) -> R<String> {
    p.goto("/trip/").await?;
    let before = p.js(TICKED).await?;
    p.js("(URL.createObjectURL = function (blob) { window.__blob = blob; return '#'; }) && true")
        .await?;
    p.click(".progress-export").await?;
    let exported = p
        .client
        .execute_async(
            "var done = arguments[0]; window.__blob.text().then(done);",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    let file = dir.join("progress.json");
    std::fs::write(&file, exported.as_str().unwrap()).unwrap();
    p.js("localStorage.clear() || true").await?;
    p.goto("/trip/").await?;
    if p.js(TICKED).await? != json!("") {
        return Err("storage was not cleared".into());
    }
    p.js("(document.querySelector('.progress-tools input[type=file]').hidden = false) || true")
        .await?;
    p.client
        .find(Locator::Css(".progress-tools input[type=file]"))
        .await
        .map_err(|e| e.to_string())?
        .send_keys(file.to_str().unwrap())
        .await
        .map_err(|e| e.to_string())?;
    p.wait("the import", &format!("{TICKED} === {before}"))
        .await?;
    // The device link carries the same ticks.
    p.catch_copies().await?;
    p.click(".progress-link").await?;
    p.wait("the link copied", "typeof window.__copied === 'string'")
        .await?;
    let link = p.js("window.__copied").await?;
    Ok(link.as_str().unwrap().to_string())
}

async fn device_link_on_a_fresh_profile(p: &Page<'_>, link: &str, expected: &Value) -> R<()> {
    p.client.goto(link).await.map_err(|e| e.to_string())?;
    p.wait(
        "the confirmation",
        "!!document.querySelector('dialog.progress-dialog[open]')",
    )
    .await?;
    if p.js(TICKED).await? != json!("") || p.js("localStorage.length").await? != json!(0) {
        return Err("ticks applied before the reader agreed".into());
    }
    p.click(".progress-apply").await?;
    p.wait("ticks from the link", &format!("{TICKED} === {expected}"))
        .await?;
    p.wait(
        "the fragment gone",
        "location.hash === '' && !document.querySelector('dialog[open]')",
    )
    .await?;
    Ok(())
}

async fn placeholders(p: &Page<'_>) -> R<()> {
    p.goto("/trip/").await?;
    p.catch_copies().await?;
    let labels = p.js("Array.from(document.querySelectorAll('.message-text input.fill-in')).map(function (i) { return i.getAttribute('aria-label'); }).join('|')").await?;
    if labels != json!("their name|time") {
        return Err(format!("fields {labels}"));
    }
    p.click(".message .copy-button").await?;
    p.wait("the warning", "document.querySelector('.message-warning').textContent === 'Fill in their name, time before you send it.' && window.__copied === 'Hi {their name}, we arrive at {time}.'").await?;
    p.click(".message-text input.fill-in").await?;
    p.keys("Sam").await?;
    p.keys("\u{e004}").await?; // Tab to the next field.
    p.keys("noon").await?;
    p.click(".message .copy-button").await?;
    p.wait("the filled copy", "window.__copied === 'Hi Sam, we arrive at noon.' && document.querySelector('.message-warning').textContent === ''").await?;
    Ok(())
}

async fn scheme_remembered(p: &Page<'_>) -> R<()> {
    p.scheme("light").await?;
    p.goto("/trip/").await?;
    let dark_bg = "getComputedStyle(document.body).backgroundColor === 'rgb(20, 22, 26)'";
    if p.js(dark_bg).await? != json!(false) {
        return Err("dark before choosing".into());
    }
    p.js("(function () { var s = document.getElementById('scheme'); s.value = 'dark'; s.dispatchEvent(new Event('change')); return true; })()").await?;
    p.wait("dark", dark_bg).await?;
    p.goto("/").await?;
    p.wait(
        "dark remembered",
        &format!("{dark_bg} && document.getElementById('scheme').value === 'dark'"),
    )
    .await?;
    p.js("(function () { var s = document.getElementById('scheme'); s.value = 'auto'; s.dispatchEvent(new Event('change')); return true; })()").await?;
    Ok(())
}

async fn keyboard_ticks(p: &Page<'_>) -> R<()> {
    p.goto("/after/").await?;
    p.js("localStorage.clear() || true").await?;
    p.goto("/after/").await?;
    for _ in 0..80 {
        p.keys("\u{e004}").await?;
        if p.js("document.activeElement.getAttribute('data-item') === 'clothes'")
            .await?
            == json!(true)
        {
            p.keys(" ").await?;
            return p
                .wait(
                    "a tick by keyboard",
                    "document.querySelector('[data-item=clothes]').checked",
                )
                .await;
        }
    }
    Err("Tab never reached the first checklist item".into())
}

const PAGES: [&str; 5] = ["/trip/", "/", "/tags/", "/tags/travel/", "/404.html"];

async fn axe_widths_and_shifts(p: &Page<'_>, axe: &str) -> R<Vec<String>> {
    let mut problems = Vec::new();
    for (width, height) in [(1280, 800), (375, 740)] {
        p.viewport(width, height).await?;
        for scheme in ["light", "dark"] {
            p.scheme(scheme).await?;
            for path in PAGES {
                p.goto(path).await?;
                for v in browser::axe_violations(p.client, axe).await? {
                    problems.push(format!("{width}px {scheme} {path}: {v}"));
                }
            }
        }
        // Layout shift of a load with progress, the reader not touching anything.
        p.scheme("light").await?;
        p.goto("/trip/").await?;
        let cls = p
            .client
            .execute_async(
                "var done = arguments[0], sum = 0, moved = []; new PerformanceObserver(function (l) { l.getEntries().forEach(function (e) { if (!e.hadRecentInput) { sum += e.value; moved.push(e.sources.map(function (s) { var n = s.node; return n ? (n.id || n.className || n.nodeName) : '?'; }).join(',')); } }); }).observe({ type: 'layout-shift', buffered: true }); setTimeout(function () { done(sum ? sum + ' from ' + moved.join('; ') : 0); }, 1000);",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        if cls != json!(0) {
            problems.push(format!("{width}px: layout shift {cls}"));
        }
    }
    p.viewport(320, 640).await?;
    for path in PAGES {
        p.goto(path).await?;
        let wide = p
            .js("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            .await?;
        if wide.as_i64() != Some(0) {
            problems.push(format!("320px {path}: {wide} px of sideways scroll"));
        }
    }
    Ok(problems)
}

#[tokio::test(flavor = "current_thread")]
async fn the_reader_side_of_the_theme_in_a_real_browser() {
    let found = find_browser().and_then(|tools| {
        let axe = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE))
            .map_err(|_| format!("{AXE} not found (cd tests/browser && npm ci)"))?;
        Ok((tools, axe))
    });
    let Some(((chromium, driver_path), axe)) = or_skip(found, "the reader browser test") else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("guides")).unwrap();
    std::fs::write(site.path().join("site.toml"), SITE_TOML).unwrap();
    std::fs::write(site.path().join("guides/trip.md"), trip()).unwrap();
    std::fs::write(site.path().join("guides/after.md"), AFTER).unwrap();
    let out = tempfile::tempdir().unwrap();
    let server = StaticServer::start(vec![("/".into(), out.path().to_path_buf())]).unwrap();
    build(
        site.path(),
        &BuildOptions {
            output: Some(out.path().to_path_buf()),
            base_url: Some(format!("{}/", server.origin())),
            ..Default::default()
        },
    )
    .unwrap();
    let mut driver = Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1280, 800).await.unwrap();
    let p = Page {
        client: &client,
        origin: server.origin(),
    };
    contents_follow_and_tick(&p).await.unwrap();
    reset_and_undo(&p).await.unwrap();
    p.goto("/trip/").await.unwrap();
    let ticked = p.js(TICKED).await.unwrap();
    let link = export_clear_import(&p, site.path()).await.unwrap();
    placeholders(&p).await.unwrap();
    scheme_remembered(&p).await.unwrap();
    keyboard_ticks(&p).await.unwrap();
    let problems = axe_widths_and_shifts(&p, &axe).await.unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
    let fresh = driver.session(1280, 800).await.unwrap();
    let q = Page {
        client: &fresh,
        origin: server.origin(),
    };
    device_link_on_a_fresh_profile(&q, &link, &ticked)
        .await
        .unwrap();
    let _ = fresh.close().await;
    let _ = client.close().await;
    drop(driver);
    drop(server);
}
