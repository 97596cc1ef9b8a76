//! The search box in headless Chromium: a release build under a sub-path `base_url`, with the
//! release Content-Security-Policy in force, driven by the keyboard alone (`/`, typing,
//! arrows, Enter): a FAQ hit opens its answer, a step hit scrolls to the step and marks it, the
//! kind and tag filters narrow the hits, a hostile title shows as text, nothing is logged, no
//! search byte loads before the box is focused, and axe-core finds nothing, light and dark.
//! Then `guidesmith serve`: a word saved a moment ago is found. Skips without
//! chromium/chromedriver/axe-core unless `GUIDESMITH_REQUIRE_BROWSER=1`.

#[path = "support/browser.rs"]
mod browser;
mod common;
#[path = "support/serve_harness.rs"]
mod serve_harness;
#[path = "support/static_server.rs"]
mod static_server;

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Client;
use fantoccini::key::Key;
use guidesmith::pipeline::{BuildOptions, build};
use serde_json::{Value, json};

use browser::{Chromedriver, cdp, find_browser, or_skip};
use static_server::StaticServer;

const AXE: &str = "tests/browser/node_modules/axe-core/axe.min.js";

/// Records errors, CSP violations and console errors and warnings of every page.
const WATCH: &str = "window.__problems = [];
window.addEventListener('error', function (e) { __problems.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { __problems.push('rejection: ' + e.reason); });
document.addEventListener('securitypolicyviolation', function (e) { __problems.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ' ' + e.sample); });
['error', 'warn'].forEach(function (k) { var f = console[k]; console[k] = function () { __problems.push(k + ': ' + [].join.call(arguments, ' ')); return f.apply(console, arguments); }; });";

const HOSTILE: &str = "---\ntitle: \"<img src=x onerror=window.__pwned=1> trap\"\ndescription: \"A hostile title.\"\n---\nBody.\n";

async fn run(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` returns true.
async fn until(client: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        if run(client, script).await == json!(true) {
            return;
        }
        let state = run(client, "return [location.href, document.activeElement && document.activeElement.id, (document.querySelector('.site-search-results')||{}).textContent, window.__problems];").await;
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}: {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn keys(client: &Client, text: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Clears the box, types `query` and waits for hits whose text contains `expect`.
async fn search(client: &Client, query: &str, expect: &str) {
    run(
        client,
        "var i = document.getElementById('site-search-input'); i.value = ''; i.focus();",
    )
    .await;
    keys(client, query).await;
    let check = format!(
        "return [].some.call(document.querySelectorAll('.site-search-hit'), function (h) {{ return h.textContent.indexOf({}) >= 0; }});",
        json!(expect)
    );
    until(
        client,
        &format!("a hit with {expect:?} for {query:?}"),
        &check,
    )
    .await;
}

/// Presses ArrowDown until the active hit is of `kind` and contains `text`, then Enter.
async fn choose(client: &Client, kind: &str, text: &str) {
    for _ in 0..10 {
        keys(client, &char::from(Key::Down).to_string()).await;
        let active = run(client, "var id = document.activeElement.getAttribute('aria-activedescendant'); var li = id && document.getElementById(id); return li ? [li.getAttribute('data-kind'), li.textContent, li.getAttribute('aria-selected')] : null;").await;
        if active[0] == json!(kind) && active[1].as_str().unwrap().contains(text) {
            assert_eq!(active[2], json!("true"));
            keys(client, &char::from(Key::Enter).to_string()).await;
            return;
        }
    }
    panic!("no {kind} hit with {text:?}");
}

async fn problems(client: &Client, page: &str) {
    let found = run(client, "return window.__problems;").await;
    assert_eq!(found, json!([]), "{page}: nothing logged");
}

async fn axe_violations(client: &Client, axe: &str) -> Vec<String> {
    let mut violations = Vec::new();
    for scheme in ["light", "dark"] {
        cdp(
            client,
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await
        .unwrap();
        for v in browser::axe_violations(client, axe).await.unwrap() {
            violations.push(format!("{scheme}: {v}"));
        }
    }
    violations
}

/// A release build of the fixture (plus a hostile guide) under `/sub/`, every page carrying
/// the policy of its `_headers` as a `<meta>` (which cannot carry frame-ancestors).
fn release_site(out: &Path, origin: &str) {
    let (_tmp, root) = common::site_copy("basic");
    std::fs::write(root.join("guides/hostile.md"), HOSTILE).unwrap();
    // The fixture's FAQ answer carries a raw inline script, which the policy rightly blocks
    // (and reports): out, so that any report here is the search's.
    let alpha = std::fs::read_to_string(root.join("guides/alpha.md")).unwrap();
    let alpha = alpha.replace("<script>alert(1)</script>", "");
    assert!(
        !alpha.contains("<script>"),
        "the fixture's inline script is out"
    );
    std::fs::write(root.join("guides/alpha.md"), alpha).unwrap();
    build(
        &root,
        &BuildOptions {
            output: Some(out.to_path_buf()),
            base_url: Some(format!("{origin}/sub/")),
            release: true,
            ..Default::default()
        },
    )
    .unwrap();
    let headers = std::fs::read_to_string(out.join("_headers")).unwrap();
    let policy = headers
        .lines()
        .find_map(|l| l.trim().strip_prefix("Content-Security-Policy: "))
        .unwrap();
    let policy: Vec<&str> = policy
        .split("; ")
        .filter(|d| !d.starts_with("frame-ancestors"))
        .collect();
    for page in common::html_files(out) {
        let path = out.join(&page);
        let html = std::fs::read_to_string(&path).unwrap();
        let meta = format!(
            "<head><meta http-equiv=Content-Security-Policy content=\"{}\">",
            policy.join("; ")
        );
        std::fs::write(&path, html.replacen("<head>", &meta, 1)).unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn search_by_keyboard_in_a_release_build_and_in_serve() {
    let found = find_browser().and_then(|tools| {
        let axe = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(AXE))
            .map_err(|_| format!("{AXE} not found (cd tests/browser && npm ci)"))?;
        Ok((tools, axe))
    });
    let Some(((chromium, driver_path), axe)) = or_skip(found, "the search browser test") else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let server = StaticServer::start(vec![("/sub/".into(), out.path().to_path_buf())]).unwrap();
    release_site(out.path(), &server.origin());
    let mut driver = Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1000, 700).await.unwrap();
    cdp(
        &client,
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": WATCH }),
    )
    .await
    .unwrap();

    // Home: the box is shown, and no search file loads before it is focused.
    client
        .goto(&format!("{}/sub/", server.origin()))
        .await
        .unwrap();
    let before = run(&client, "return [document.querySelector('[data-search]').hidden, performance.getEntriesByType('resource').map(function (r) { return r.name; }).filter(function (n) { return /search/.test(n); })];").await;
    assert_eq!(
        before,
        json!([false, []]),
        "shown, nothing of search loaded"
    );
    // `/` focuses the box; a FAQ's words find it; arrows and Enter open its answer.
    run(&client, "document.activeElement.blur();").await;
    for kind in ["keyDown", "keyUp"] {
        let key = json!({ "type": kind, "key": "/", "code": "Slash", "text": "/", "windowsVirtualKeyCode": 191 });
        cdp(&client, "Input.dispatchKeyEvent", key).await.unwrap();
    }
    until(
        &client,
        "the box focused by /",
        "return document.activeElement.id === 'site-search-input';",
    )
    .await;
    keys(&client, "how long wait").await;
    until(
        &client,
        "a FAQ hit",
        "return !!document.querySelector('.site-search-hit[data-kind=faq]');",
    )
    .await;
    let combobox = run(&client, "var i = document.activeElement; return [i.getAttribute('role'), i.getAttribute('aria-expanded'), document.getElementById(i.getAttribute('aria-controls')).getAttribute('role')];").await;
    assert_eq!(combobox, json!(["combobox", "true", "listbox"]));
    choose(&client, "faq", "How long should I wait?").await;
    until(
        &client,
        "the FAQ page",
        "return location.pathname === '/sub/alpha/' && location.hash === '#faq-how-long';",
    )
    .await;
    until(&client, "the answer open and marked", "var d = document.getElementById('faq-how-long'); return d.open && d.classList.contains('search-hit');").await;
    problems(&client, "the FAQ hit").await;

    // A step hit scrolls to the step and marks it; the prefix `publ` is enough.
    search(&client, "somewhere publ", "Meet").await;
    choose(&client, "step", "Meet").await;
    until(&client, "the step marked", "var s = document.getElementById('step-meet'); return !!s && s.classList.contains('search-hit');").await;
    let seen = run(&client, "var r = document.getElementById('step-meet').getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;").await;
    assert_eq!(seen, json!(true), "the step is scrolled into view");
    problems(&client, "the step hit").await;

    // Filters: by kind, then by tag.
    search(&client, "first", "Reach out").await;
    client
        .find(fantoccini::Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("step")
        .await
        .unwrap();
    until(&client, "only step hits", "var h = document.querySelectorAll('.site-search-hit'); return h.length > 0 && [].every.call(h, function (x) { return x.getAttribute('data-kind') === 'step'; });").await;
    client
        .find(fantoccini::Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("")
        .await
        .unwrap();
    search(&client, "alpha", "Beta").await;
    client
        .find(fantoccini::Locator::Css("select[name=tag]"))
        .await
        .unwrap()
        .select_by_value("planning")
        .await
        .unwrap();
    until(&client, "only hits tagged planning", "var h = document.querySelectorAll('.site-search-hit'); return h.length > 0 && [].every.call(h, function (li) { return li.getAttribute('data-href').indexOf('/sub/alpha/') === 0; });").await;
    client
        .find(fantoccini::Locator::Css("select[name=tag]"))
        .await
        .unwrap()
        .select_by_value("")
        .await
        .unwrap();

    // A hostile title is text.
    search(&client, "onerror trap", "trap").await;
    let hostile = run(&client, "return [document.querySelectorAll('.site-search-results img').length, !!window.__pwned, document.querySelector('.site-search-hit .site-search-title').textContent];").await;
    assert_eq!(
        hostile,
        json!([0, false, "<img src=x onerror=window.__pwned=1> trap"])
    );
    problems(&client, "searching").await;

    // The open panel passes axe-core, light and dark.
    search(&client, "reach", "Reach out").await;
    let violations = axe_violations(&client, &axe).await;
    assert!(violations.is_empty(), "axe-core: {violations:?}");
    // Escape closes the panel.
    keys(&client, &char::from(Key::Escape).to_string()).await;
    until(&client, "the panel closed", "return document.getElementById('site-search-input').getAttribute('aria-expanded') === 'false';").await;

    // serve: a word saved a moment ago is found.
    let (_site, root) = serve_harness::temp_site();
    let serve = serve_harness::Server::start(&root, &[]);
    client
        .goto(&format!("http://{}/", serve.host()))
        .await
        .unwrap();
    search(&client, "alpha", "Alpha").await;
    std::fs::write(
        root.join("guides/beta.md"),
        serve_harness::guide("Beta", "trust, planning", "Beta body about a xylophone."),
    )
    .unwrap();
    let started = Instant::now();
    loop {
        client
            .goto(&format!("http://{}/", serve.host()))
            .await
            .unwrap();
        run(
            &client,
            "document.getElementById('site-search-input').focus();",
        )
        .await;
        keys(&client, "xylophone").await;
        let hit = client
            .execute_async(
                "var done = arguments[0], n = 0; (function poll() { var h = document.querySelector('.site-search-hit'); if (h || ++n > 20) done(h ? h.textContent : ''); else setTimeout(poll, 50); })();",
                vec![],
            )
            .await
            .unwrap();
        if hit.as_str().unwrap().contains("Beta") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "serve never found the saved word"
        );
    }
    problems(&client, "serve").await;
    let _ = client.close().await;
    drop(driver);
}
