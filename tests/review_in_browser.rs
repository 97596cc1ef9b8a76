//! The overdue-review notice is decided by the reader's clock, in a real browser.
//!
//! One built page, served on 127.0.0.1 and opened in headless Chromium with `Date` replaced
//! by a fixed clock before any page script runs: the notice shows the day after the due date
//! and stays hidden on the due date itself, from the same bytes. The page, with the notice
//! shown, a site notice and sources, then passes axe-core in light and dark. Skips without
//! chromium/chromedriver/axe-core unless `GUIDESMITH_REQUIRE_BROWSER=1`.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/static_server.rs"]
mod static_server;

use std::path::Path;

use guidesmith::pipeline::{BuildOptions, build};
use serde_json::json;

use browser::{Chromedriver, cdp, find_browser, or_skip};
use static_server::StaticServer;

const GUIDE: &str = "---
title: \"Reviewed\"
description: \"A guide with a review date.\"
reviewed: 2026-01-31
review_every: \"1 month\"
reviewed_by: \"A. Reviewer\"
sources:
  - id: nhs
    title: \"Grief after bereavement or loss\"
    publisher: \"NHS\"
    url: \"https://www.nhs.uk/\"
    date: \"2022\"
    note: \"Read in 2026.\"
---
Body, with a citation.[^src:nhs]
";

const SITE_TOML: &str = "title = \"T\"
base_url = \"https://example.org/\"

[[notices]]
kind = \"safety\"
title = \"If you are not safe\"
body = \"Call your local emergency number.\"
";

const AXE: &str = "tests/browser/node_modules/axe-core/axe.min.js";

/// Replaces `Date` so that `new Date()` and `Date.now()` read `at` (local time).
fn clock_at(at: &str) -> String {
    format!(
        r#"(function () {{
  var Real = Date, fixed = new Real("{at}").getTime();
  function FakeDate() {{
    return arguments.length ? new (Function.prototype.bind.apply(Real, [null].concat([].slice.call(arguments))))() : new Real(fixed);
  }}
  FakeDate.prototype = Real.prototype;
  FakeDate.now = function () {{ return fixed; }};
  FakeDate.parse = Real.parse;
  FakeDate.UTC = Real.UTC;
  window.Date = FakeDate;
}})();"#
    )
}

#[tokio::test(flavor = "current_thread")]
async fn the_overdue_notice_follows_the_readers_clock() {
    let found = find_browser().and_then(|tools| {
        let axe = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE))
            .map_err(|_| format!("{AXE} not found (cd tests/browser && npm ci)"))?;
        Ok((tools, axe))
    });
    let Some(((chromium, driver_path), axe)) = or_skip(found, "the review browser test") else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("guides")).unwrap();
    std::fs::write(site.path().join("site.toml"), SITE_TOML).unwrap();
    std::fs::write(site.path().join("guides/reviewed.md"), GUIDE).unwrap();
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
    let page = std::fs::read_to_string(out.path().join("reviewed/index.html")).unwrap();
    assert!(page.contains(r#"data-review-due="2026-02-28" role="note" hidden>"#));

    let mut driver = Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1000, 800).await.unwrap();
    let url = format!("{}/reviewed/", server.origin());
    let mut seen = Vec::new();
    for (now, overdue) in [
        ("2026-02-28T23:30:00", false),
        ("2026-03-01T00:10:00", true),
        ("2030-06-01T12:00:00", true),
        ("2026-02-01T09:00:00", false),
    ] {
        let added = cdp(
            &client,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": clock_at(now) }),
        )
        .await
        .unwrap();
        client.goto(&url).await.unwrap();
        let shown = client
            .execute(
                "var n = document.querySelector('[data-review-due]'); \
                 return [String(new Date().getDate()), !n.hidden, getComputedStyle(n).display !== 'none'];",
                vec![],
            )
            .await
            .unwrap();
        cdp(
            &client,
            "Page.removeScriptToEvaluateOnNewDocument",
            json!({ "identifier": added["identifier"] }),
        )
        .await
        .unwrap();
        seen.push((now, shown.clone()));
        assert_eq!(shown[1], json!(overdue), "at {now}: {seen:?}");
        assert_eq!(shown[2], json!(overdue), "at {now}, as displayed: {seen:?}");
    }
    // The overdue notice, the site notice and the sources pass axe-core, light and dark.
    let added = cdp(
        &client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": clock_at("2030-06-01T12:00:00") }),
    )
    .await
    .unwrap();
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        cdp(
            &client,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await
        .unwrap();
        client.goto(&url).await.unwrap();
        for v in browser::axe_violations(&client, &axe).await.unwrap() {
            violations.push(format!("{scheme}: {v}"));
        }
        let shown = client
            .execute(
                "return !document.querySelector('.review-overdue').hidden && !!document.querySelector('.notice-safety') && !!document.querySelector('#source-nhs');",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            shown,
            json!(true),
            "{scheme}: the parts axe should see are there"
        );
    }
    cdp(
        &client,
        "Page.removeScriptToEvaluateOnNewDocument",
        json!({ "identifier": added["identifier"] }),
    )
    .await
    .unwrap();
    assert!(violations.is_empty(), "axe-core: {violations:?}");
    let _ = client.close().await;
    drop(driver);
    drop(server);
}
