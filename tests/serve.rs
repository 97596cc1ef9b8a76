//! `guidesmith serve` end to end (issue 4): the real binary on a port the system picks, a temp
//! site, real HTTP and the real event stream. No timing assertions: waits have generous
//! timeouts and only bound how long a failure takes to show.

#[allow(dead_code)]
#[path = "support/browser.rs"]
mod browser;
#[path = "support/serve_harness.rs"]
mod harness;

use std::fs;
use std::time::Duration;

use harness::{Server, guide, temp_site};

fn write(path: &std::path::Path, text: &str) {
    fs::write(path, text).unwrap();
}

#[test]
fn serves_pages_with_types_redirects_and_the_theme_404() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(home.body.contains("Alpha") && home.body.contains("Beta"));
    assert!(
        home.body
            .contains("<script src=\"/__guidesmith/live-reload.js\""),
        "live reload injected"
    );

    let page = server.get("/alpha/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Alpha body."));
    assert!(
        page.body.contains("href=\"/beta/\""),
        "links point at this server, not base_url"
    );
    let same = server.get("/alpha/index.html");
    assert_eq!(same.status, 200);

    let css = server.get("/style.css");
    assert_eq!(css.status, 200);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(
        !css.body.contains("__guidesmith"),
        "only HTML gets the script"
    );
    let js = server.get("/__guidesmith/live-reload.js");
    assert_eq!(js.status, 200);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(
        server.get("/atom.xml").header("content-type"),
        Some("text/xml; charset=utf-8")
    );

    let redirect = server.get("/alpha?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/alpha/?x=1"));

    let missing = server.get("/no-such-guide/");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Page not found"),
        "the theme's 404 page: {}",
        missing.body
    );

    let head = server.request("HEAD", "/alpha/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(server.request("POST", "/alpha/", &[]).status, 405);

    for r in [&home, &page, &css, &missing] {
        assert_eq!(r.header("access-control-allow-origin"), None);
    }
    assert!(!root.join("public").exists(), "serve never writes public/");
}

#[test]
fn build_output_has_no_live_reload_code() {
    let (tmp, root) = temp_site();
    let out = tmp.path().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["build", "--root"])
        .arg(&root)
        .arg("--output")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let bytes = fs::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("__guidesmith"),
                "{} has live-reload code",
                entry.path().display()
            );
        }
    }
}

/// Each way editors save, then a `reload` event and the new text served.
#[test]
fn every_save_style_is_picked_up() {
    let (tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let target = root.join("guides/alpha.md");
    let guides = root.join("guides");
    let text = |marker: &str| guide("Alpha", "trust", &format!("Alpha body. {marker}"));

    type Save<'a> = Box<dyn Fn(&str) + 'a>;
    let styles: Vec<(&str, Save)> = vec![
        ("in-place write", Box::new(|t: &str| write(&target, t))),
        (
            "vim rename-over (backup, write new)",
            Box::new(|t: &str| {
                fs::rename(&target, guides.join("alpha.md~")).unwrap();
                write(&target, t);
                fs::remove_file(guides.join("alpha.md~")).unwrap();
            }),
        ),
        (
            "sed -i (temp file renamed over)",
            Box::new(|t: &str| {
                write(&guides.join("sedX1y2Z3"), t);
                fs::rename(guides.join("sedX1y2Z3"), &target).unwrap();
            }),
        ),
        (
            "mv from outside the watched folders",
            Box::new(|t: &str| {
                let outside = tmp.path().join("draft.md");
                write(&outside, t);
                fs::rename(&outside, &target).unwrap();
            }),
        ),
        (
            "JetBrains safe-write",
            Box::new(|t: &str| {
                let tmp_file = guides.join("alpha.md___jb_tmp___");
                let old = guides.join("alpha.md___jb_old___");
                write(&tmp_file, t);
                fs::rename(&target, &old).unwrap();
                fs::rename(&tmp_file, &target).unwrap();
                fs::remove_file(&old).unwrap();
            }),
        ),
    ];
    for (i, (name, save)) in styles.iter().enumerate() {
        let marker = format!("marker-{i}-saved");
        save(&text(&marker));
        events.expect("reload");
        let page = server.get("/alpha/");
        assert!(
            page.body.contains(&marker),
            "{name}: the new text is not served"
        );
    }
    let stdout = server.stdout();
    assert!(
        stdout
            .lines()
            .filter(|l| l.starts_with("Rebuilt"))
            .all(|l| l.ends_with(", 0 removed")),
        "no save made the page vanish, even for a moment:\n{stdout}"
    );
}

#[test]
fn a_broken_guide_shows_the_error_keeps_the_last_good_page_and_recovers() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let path = root.join("guides/beta.md");
    write(&path, "---\ntitle: [Beta <b>]\ndescription: x\n---\nBody\n");

    let data = events.expect("error");
    let error: serde_json::Value = serde_json::from_str(&data).unwrap();
    let text = error["text"].as_str().unwrap();
    assert!(
        text.starts_with("guides/beta.md:2:8: error: "),
        "file:line:col first: {text}"
    );
    assert_eq!(server.status()["error"].as_str(), Some(text));

    let page = server.get("/beta/");
    assert_eq!(page.status, 200, "the last good page is still served");
    assert!(page.body.contains("Beta body."));

    // A new page load gets the current error right after hello.
    let late = server.events();
    assert_eq!(late.expect("error"), data);

    write(&path, &guide("Beta", "trust", "Beta fixed body."));
    events.expect("reload");
    assert!(server.get("/beta/").body.contains("Beta fixed body."));
    assert_eq!(server.status()["error"], serde_json::Value::Null);
    server.wait_for("the terminal output", || {
        server.stderr().contains("guides/beta.md:2:8")
    });
    assert_eq!(
        server.stderr().matches("guides/beta.md:2:8").count(),
        1,
        "the terminal prints the error once:\n{}",
        server.stderr()
    );
}

#[test]
fn fixing_an_error_without_changing_the_output_clears_the_overlay() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let path = root.join("guides/beta.md");
    let good = fs::read_to_string(&path).unwrap();
    write(&path, "---\ntitle: [\n---\n");
    events.expect("error");
    write(&path, &good);
    events.expect("ok");
    assert_eq!(server.status()["error"], serde_json::Value::Null);
}

#[test]
fn deleted_and_renamed_guides_leave_no_stale_page() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    // alpha links to /beta/, which would become a broken link: drop the link first.
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "No links now."),
    );
    events.expect("reload");
    fs::rename(root.join("guides/beta.md"), root.join("guides/gamma.md")).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/beta/").status, 404);
    assert_eq!(server.get("/gamma/").status, 200);
    assert!(!server.get("/").body.contains("href=\"/beta/\""));

    fs::remove_file(root.join("guides/gamma.md")).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/gamma/").status, 404);
    assert_eq!(
        server.get("/tags/planning/").status,
        404,
        "a tag only gamma had is gone"
    );
}

#[test]
fn a_css_only_change_swaps_stylesheets_without_a_reload() {
    let (_tmp, root) = temp_site();
    fs::create_dir_all(root.join("static")).unwrap();
    let server = Server::start(&root, &[]);
    let events = server.events();
    write(
        &root.join("static/style.css"),
        "body { color: rebeccapurple }",
    );
    let data = events.expect("css");
    assert!(data.contains("\"/style.css\""), "{data}");
    assert!(server.get("/style.css").body.contains("rebeccapurple"));

    write(&root.join("static/CNAME"), "guides.example.org\n");
    events.expect("reload");
    assert_eq!(server.get("/CNAME").body, "guides.example.org\n");
}

#[test]
fn traversal_sibling_prefix_symlinks_hosts_and_origins_are_refused() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);

    for path in [
        "/../site-private/secret.txt",
        "/%2e%2e/site-private/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/%252e%252e/site-private/secret.txt",
        "/..%5csite-private%5csecret.txt",
        "/..%2fsite-private/secret.txt",
        "/a/../../site-private/secret.txt",
        "/style.css%00.html",
        "//site-private/secret.txt",
    ] {
        let r = server.raw(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                server.host()
            )
            .as_bytes(),
        );
        assert!(r.status == 400 || r.status == 404, "{path}: {}", r.status);
        assert!(!r.body.contains("TOP-SECRET"), "{path} leaked the secret");
    }
    for path in ["/.guidesmith-output", "/.git/config"] {
        let r = server.get(path);
        assert_eq!(r.status, 404, "{path}");
    }

    // DNS rebinding: a page on another name must not read the site or its event stream.
    for path in [
        "/",
        "/alpha/",
        "/__guidesmith/events",
        "/__guidesmith/status",
    ] {
        let r = server.request(
            "GET",
            path,
            &[("Host", &format!("attacker.example:{}", server.port))],
        );
        assert_eq!(r.status, 403, "{path}");
        assert!(!r.body.contains("Alpha"));
    }
    let r = server.request(
        "GET",
        "/",
        &[("Host", &format!("localhost:{}", server.port))],
    );
    assert_eq!(r.status, 200);
    let r = server.request(
        "GET",
        "/__guidesmith/events",
        &[("Origin", "https://attacker.example")],
    );
    assert_eq!(r.status, 403);
    let r = server.request("GET", "/alpha/", &[("Origin", "http://attacker.example")]);
    assert_eq!(r.status, 403);

    // Malformed requests get 4xx and the server stays up.
    for raw in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET ../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: \xff\xfe\r\nConnection: close\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
    ] {
        let r = server.raw(raw);
        assert!(
            (400..500).contains(&r.status) || r.status == 0,
            "{:?}: {}",
            String::from_utf8_lossy(raw),
            r.status
        );
    }
    let r = server.raw(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 403, "no Host header");
    assert_eq!(server.get("/alpha/").status, 200, "still serving");
}

#[test]
fn one_save_is_served_at_once_and_gives_one_rebuild_and_one_reload() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let (rebuilds, reloads) = (server.counter("rebuilds"), server.counter("reloads"));
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Alpha body, saved once."),
    );
    events.expect("reload");
    assert!(server.get("/alpha/").body.contains("saved once"));
    let later = events.drain(Duration::from_millis(500));
    assert!(later.iter().all(|(name, _)| name != "reload"), "{later:?}");
    assert_eq!(
        (
            server.counter("rebuilds") - rebuilds,
            server.counter("reloads") - reloads
        ),
        (1, 1),
        "the rebuild that serves the save at once and the check once it settled count as one:\n{}",
        server.stdout()
    );
}

#[test]
fn a_burst_of_500_files_gives_at_most_two_rebuilds() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let before = server.status();
    for i in 0..500 {
        write(
            &root.join(format!("guides/burst-{i:03}.md")),
            &guide(&format!("Burst {i}"), "burst", "A guide from a checkout."),
        );
    }
    events.expect("reload");
    server.wait_for("every burst page", || {
        server.get("/burst-499/").status == 200
    });
    let later = events.drain(Duration::from_secs(2));
    let after = server.status();
    let rebuilds = after["rebuilds"].as_u64().unwrap() - before["rebuilds"].as_u64().unwrap();
    let reloads = after["reloads"].as_u64().unwrap() - before["reloads"].as_u64().unwrap();
    assert!(
        (1..=2).contains(&rebuilds),
        "{rebuilds} rebuilds\n{}",
        server.stdout()
    );
    // One reload, unless the writes stalled right after the first file (a loaded machine):
    // then its rebuild may have reloaded pages before the rest came.
    assert!(
        (1..=rebuilds).contains(&reloads),
        "{reloads} reloads for {rebuilds} rebuilds"
    );
    assert!(
        later.iter().filter(|(name, _)| name == "reload").count() < 2,
        "{later:?}"
    );
    assert_eq!(server.get("/burst-000/").status, 200);
}

#[test]
fn polling_mode_picks_up_changes() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &["--poll"]);
    server.wait_for("the polling notice", || {
        server.stdout().contains("(polling)")
    });
    let events = server.events();
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Polled change."),
    );
    events.expect("reload");
    assert!(server.get("/alpha/").body.contains("Polled change."));
}

#[test]
fn a_site_toml_change_rebuilds_everything() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    write(
        &root.join("site.toml"),
        "title = \"Renamed site\"\nbase_url = \"https://example.org/\"\n",
    );
    events.expect("reload");
    assert!(server.get("/alpha/").body.contains("Renamed site"));
    assert!(server.get("/tags/").body.contains("Renamed site"));
}

#[test]
fn a_taken_port_moves_to_the_next_free_one() {
    let (_tmp, root) = temp_site();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let server = Server::start(&root, &["--port", &port]);
    assert_ne!(server.port.to_string(), port);
    assert!(
        server.stdout().contains(&format!(
            "Port {port} is in use; using {} instead",
            server.port
        )),
        "{}",
        server.stdout()
    );
    assert_eq!(server.get("/alpha/").status, 200);
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_even_with_open_event_streams() {
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let _events = server.events();
    let status = server.interrupt();
    assert!(status.success(), "{status:?}");
}

#[test]
fn saves_during_a_rebuild_lead_to_exactly_one_more_rebuild() {
    let (_tmp, root) = temp_site();
    // Enough guides that rendering every page (after a template change) takes a while.
    for i in 0..300 {
        write(
            &root.join(format!("guides/extra-{i:03}.md")),
            &guide(&format!("Extra {i}"), "extra", "Filler."),
        );
    }
    let server = Server::start(&root, &[]);
    let events = server.events();
    let before = server.counter("rebuilds");
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    let page_404 = guidesmith::default_theme_file("templates/404.html").unwrap();
    let page_404 = String::from_utf8(page_404.to_vec()).unwrap().replace(
        "{% endblock content %}",
        "<p>Custom 404.</p>{% endblock content %}",
    );
    write(&templates.join("404.html"), &page_404);
    std::thread::sleep(Duration::from_millis(50));
    for i in 0..3 {
        write(
            &root.join("guides/alpha.md"),
            &guide("Alpha", "trust", &format!("Saved {i} during the rebuild.")),
        );
        std::thread::sleep(Duration::from_millis(30));
    }
    server.wait_for("the last save served", || {
        server.get("/alpha/").body.contains("Saved 2 during")
    });
    // On a busy machine the template's rebuild can finish after the saves are served.
    server.wait_for("the new 404 template served", || {
        server.get("/missing/").body.contains("Custom 404.")
    });
    events.drain(Duration::from_secs(1));
    assert_eq!(
        server.counter("rebuilds") - before,
        2,
        "the template rebuild, then one for the three saves:\n{}",
        server.stdout()
    );
}

/// Chromium and chromedriver, or `None` (a skip, unless GUIDESMITH_REQUIRE_BROWSER=1).
fn browser_tools() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    browser::or_skip(browser::find_browser(), "the live-reload browser test")
}

/// Evaluates `script` (a function body) in the page until it returns `true`.
async fn wait_in_page(client: &fantoccini::Client, what: &str, script: &str) {
    let started = std::time::Instant::now();
    loop {
        let value = client.execute(script, vec![]).await;
        if matches!(value, Ok(serde_json::Value::Bool(true))) {
            return;
        }
        assert!(
            started.elapsed() < harness::TIMEOUT,
            "timed out waiting for {what} (last: {value:?})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The contrast ratios (WCAG) of the overlay's title and error text against what is behind them.
const OVERLAY_CONTRAST: &str = r#"
function rgb(c) { return c.match(/[\d.]+/g).slice(0, 4).map(Number); }
function lum(c) { return c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }).reduce(function (a, v, i) { return a + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }
function behind(el) { for (; el; el = el.parentElement) { var b = rgb(getComputedStyle(el).backgroundColor); if (b.length < 4 || b[3] > 0.5) return b; } return [255, 255, 255]; }
var o = document.getElementById('guidesmith-error-overlay');
return [o.firstChild, o.lastChild].map(function (el) {
  var a = lum(rgb(getComputedStyle(el).color)), b = lum(behind(el));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
});"#;

/// The injected client in Chromium: the overlay shows an error as text and goes away on the
/// fix (with a reload), a CSS-only change swaps the stylesheet without a reload.
#[tokio::test(flavor = "current_thread")]
async fn live_reload_in_a_real_browser() {
    let Some((chromium, driver_path)) = browser_tools() else {
        return;
    };
    let (_tmp, root) = temp_site();
    fs::create_dir_all(root.join("static")).unwrap();
    let server = Server::start(&root, &[]);
    let mut driver = browser::Chromedriver::start(&driver_path, &chromium).unwrap();
    let client = driver.session(1000, 800).await.unwrap();
    client
        .goto(&format!("http://127.0.0.1:{}/alpha/", server.port))
        .await
        .unwrap();
    let events = server.events();
    // Mark the page (a reload clears the mark) and let its event stream connect; one that
    // connects late still gets the current error right after `hello`.
    wait_in_page(
        &client,
        "the page",
        "return location.pathname === '/alpha/' && document.readyState === 'complete';",
    )
    .await;
    client
        .execute("window.__mark = 'first load'; return true;", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // An error whose text looks like HTML: it must show as text.
    write(
        &root.join("guides/alpha.md"),
        "---\ntitle: Alpha\ndescription: x\n\"<img src=x onerror=window.__pwned=1>\": 1\n---\nBody\n",
    );
    events.expect("error");
    wait_in_page(
        &client,
        "the error overlay",
        "var o = document.getElementById('guidesmith-error-overlay'); return !!o && o.textContent.indexOf('guides/alpha.md:4:1') >= 0;",
    )
    .await;
    let shown = client
        .execute(
            "var o = document.getElementById('guidesmith-error-overlay'); return [o.querySelector('img') === null, o.textContent.indexOf('<img src=x') >= 0, window.__pwned === undefined, window.__mark];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        shown,
        serde_json::json!([true, true, true, "first load"]),
        "the error is text, not markup, and the page did not reload\nstdout:\n{}\nstderr:\n{}",
        server.stdout(),
        server.stderr()
    );

    // Readable in both schemes (the theme's own `pre` and colours never reach it), and Esc
    // hides it.
    for scheme in ["light", "dark"] {
        browser::cdp(
            &client,
            "Emulation.setEmulatedMedia",
            serde_json::json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await
        .unwrap();
        let ratios = client.execute(OVERLAY_CONTRAST, vec![]).await.unwrap();
        for r in ratios.as_array().unwrap() {
            assert!(r.as_f64().unwrap() >= 4.5, "{scheme}: contrast {ratios}");
        }
    }
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(&fantoccini::key::Key::Escape.to_string())
        .await
        .unwrap();
    wait_in_page(
        &client,
        "Esc hiding the overlay",
        "return !document.getElementById('guidesmith-error-overlay');",
    )
    .await;

    // The fix: the page reloads and the overlay is gone.
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Fixed body."),
    );
    wait_in_page(
        &client,
        "the reload after the fix",
        "return window.__mark === undefined && document.body.textContent.indexOf('Fixed body.') >= 0 && !document.getElementById('guidesmith-error-overlay');",
    )
    .await;

    // A CSS-only change: the stylesheet is swapped, the page is not reloaded.
    client
        .execute("window.__mark = 'second load'; return true;", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    write(
        &root.join("static/style.css"),
        "body { background: rgb(1, 2, 3) }",
    );
    wait_in_page(
        &client,
        "the new stylesheet",
        "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)';",
    )
    .await;
    let mark = client
        .execute("return window.__mark;", vec![])
        .await
        .unwrap();
    assert_eq!(mark, serde_json::json!("second load"), "no reload for CSS");
    let _ = client.close().await;
}

/// A link in `static/` that leads out of the site fails serve's build with the error `build`
/// gives, and nothing behind it is served; links inside the site are served.
#[cfg(unix)]
#[test]
fn serve_and_build_agree_on_links_out_of_the_site() {
    let (tmp, root) = temp_site();
    fs::create_dir_all(tmp.path().join("site-private")).unwrap();
    fs::write(tmp.path().join("site-private/secret.txt"), "TOP-SECRET").unwrap();
    fs::create_dir_all(root.join("static")).unwrap();
    fs::write(root.join("static/inside.txt"), "inside").unwrap();
    std::os::unix::fs::symlink(
        root.join("static/inside.txt"),
        root.join("static/alias.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        tmp.path().join("site-private/secret.txt"),
        root.join("static/leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(tmp.path().join("site-private"), root.join("static/private"))
        .unwrap();
    let build = std::process::Command::new(env!("CARGO_BIN_EXE_guidesmith"))
        .args(["build", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    let build_err = String::from_utf8_lossy(&build.stderr).into_owned();
    assert_eq!(build.status.code(), Some(1), "{build_err}");
    let errors: Vec<&str> = build_err
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{build_err}");

    let server = Server::start(&root, &[]);
    server.wait_for("the build error", || server.stderr().contains(errors[1]));
    for line in &errors {
        assert!(server.stderr().contains(line), "serve did not say: {line}");
    }
    for path in ["/leak.txt", "/private/secret.txt"] {
        let r = server.get(path);
        assert_ne!(r.status, 200, "{path}");
        assert!(!r.body.contains("TOP-SECRET"), "{path} leaked the secret");
    }
    fs::remove_file(root.join("static/leak.txt")).unwrap();
    fs::remove_file(root.join("static/private")).unwrap();
    server.wait_for("the fixed site", || server.get("/alias.txt").status == 200);
    assert_eq!(server.get("/alias.txt").body, "inside");
}

/// Whether the server has closed `stream`: a read gives end of file (or a reset) within `wait`.
fn closed_within(stream: &std::net::TcpStream, wait: Duration) -> bool {
    use std::io::Read;
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buf = [0u8; 4096];
    let mut reader = stream;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

/// Clients that open connections and never finish their headers are dropped after the header
/// timeout, connections past the cap are closed at once, and other clients are answered
/// meanwhile; a connection that got its answer is closed rather than left idle.
#[test]
fn stalled_and_idle_connections_cannot_hold_the_server() {
    use std::io::Write;
    use std::net::TcpStream;
    let (_tmp, root) = temp_site();
    let server = Server::start_with_env(
        &root,
        &[],
        &[
            ("GUIDESMITH_SERVE_HEADER_TIMEOUT_MS", "1500"),
            ("GUIDESMITH_SERVE_MAX_CONNECTIONS", "20"),
        ],
    );
    let stall = || {
        let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .unwrap();
        s
    };
    // Under the cap, stalled clients do not keep others waiting.
    let few: Vec<TcpStream> = (0..5).map(|_| stall()).collect();
    let started = std::time::Instant::now();
    assert_eq!(server.get("/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Past the cap, connections are closed at once: the oldest stalled ones make way.
    let many: Vec<TcpStream> = (0..25).map(|_| stall()).collect();
    let refused = few
        .iter()
        .chain(many.iter())
        .filter(|s| closed_within(s, Duration::from_millis(300)))
        .count();
    assert!(refused >= 10, "{refused} of 30 closed at once");
    // Every stalled connection is dropped once the header timeout has passed.
    for s in few.iter().chain(many.iter()) {
        assert!(
            closed_within(s, Duration::from_secs(5)),
            "a stalled connection stayed open"
        );
    }
    assert_eq!(server.get("/").status, 200);
    // A keep-alive request gets its answer and the connection is closed, not left idle.
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    s.write_all(format!("GET / HTTP/1.1\r\nHost: {}\r\n\r\n", server.host()).as_bytes())
        .unwrap();
    assert!(
        closed_within(&s, Duration::from_secs(3)),
        "an answered connection stayed open"
    );
}

/// A link in `static/` to a folder above the site is not watched through: a log file written
/// over and over in the site (as `guidesmith serve > serve.log` does) never makes serve
/// rebuild.
#[cfg(unix)]
#[test]
fn a_log_file_and_a_link_to_a_folder_above_the_site_trigger_no_rebuilds() {
    let (tmp, root) = temp_site();
    fs::create_dir_all(root.join("static")).unwrap();
    std::os::unix::fs::symlink(tmp.path(), root.join("static/up")).unwrap();
    let server = Server::start(&root, &[]);
    server.wait_for("the first build", || {
        server.stderr().contains("leads out of the site")
    });
    let before = server.counter("rebuilds");
    for i in 0..40 {
        let mut log = fs::read_to_string(root.join("serve.log")).unwrap_or_default();
        log.push_str(&format!("line {i}\n"));
        write(&root.join("serve.log"), &log);
        write(&tmp.path().join("outside.log"), &log);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.counter("rebuilds"), before, "{}", server.stderr());
}

/// The environment variable that shortens the header and idle timeout for these tests.
const HEADER_TIMEOUT_VAR: &str = "GUIDESMITH_SERVE_HEADER_TIMEOUT_MS";

/// A raw connection that sent the start of a request and then stalls.
fn stalled_connection(server: &harness::Server) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    stream
        .write_all(format!("GET / HTTP/1.1\r\nHost: {}\r\nUser-Ag", server.host()).as_bytes())
        .unwrap();
    stream
}

/// Whether the server closed `stream` within `wait` (a read sees the end or a reset).
fn closed_by_server(stream: &mut std::net::TcpStream, wait: Duration) -> bool {
    use std::io::Read;
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => true,
        Err(e) => !matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
    }
}

#[test]
fn connections_that_never_finish_their_headers_are_closed_and_others_still_answer() {
    let (_tmp, root) = temp_site();
    let server = Server::start_with_env(&root, &[], &[(HEADER_TIMEOUT_VAR, "1000")]);
    let events = server.events();
    let opened = std::time::Instant::now();
    let mut stalled: Vec<_> = (0..50).map(|_| stalled_connection(&server)).collect();
    let page = server.get("/alpha/");
    assert_eq!(page.status, 200, "a normal request answers beside them");
    assert!(page.body.contains("Alpha body."));
    for (i, stream) in stalled.iter_mut().enumerate() {
        assert!(
            closed_by_server(stream, harness::TIMEOUT),
            "stalled connection {i} is still open after {:?}",
            opened.elapsed()
        );
    }
    assert!(
        opened.elapsed() >= Duration::from_millis(900),
        "closed by the timeout, not at once"
    );

    // The event stream opened before them outlived the timeout: it still carries reloads.
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "After the stalled connections."),
    );
    events.expect("reload");
    assert!(server.get("/alpha/").body.contains("After the stalled"));
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    use std::io::Write;
    let (_tmp, root) = temp_site();
    let server = Server::start_with_env(&root, &[], &[(HEADER_TIMEOUT_VAR, "1000")]);
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let opened = std::time::Instant::now();
    stream
        .write_all(format!("GET /style.css HTTP/1.1\r\nHost: {}\r\n\r\n", server.host()).as_bytes())
        .unwrap();
    assert!(
        closed_by_server(&mut stream, harness::TIMEOUT),
        "the kept-alive connection is still open after {:?}",
        opened.elapsed()
    );
    assert!(opened.elapsed() >= Duration::from_millis(900));
}

/// Open file descriptors of a process (Linux).
#[cfg(target_os = "linux")]
fn open_files(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

#[cfg(target_os = "linux")]
#[test]
fn past_the_connection_cap_stalled_connections_make_way_for_real_clients() {
    let (_tmp, root) = temp_site();
    // The default header timeout (seconds): room is made by the cap, not by the timeout.
    let server = Server::start(&root, &[]);
    let events = server.events();
    let before = open_files(server.pid());
    let _stalled: Vec<_> = (0..300).map(|_| stalled_connection(&server)).collect();
    for _ in 0..20 {
        let page = server.get("/alpha/");
        assert_eq!(page.status, 200, "a real client is served at the cap");
    }
    let during = open_files(server.pid());
    assert!(
        during <= before + 140,
        "{during} open files with 300 stalled connections ({before} before)"
    );
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Served past the cap."),
    );
    let data = events.expect("reload");
    assert!(
        !data.is_empty(),
        "the event stream was not dropped for room"
    );
    assert!(server.get("/alpha/").body.contains("Served past the cap."));
}

/// A log written inside the site, seen again through a `static/` link to the site's own
/// folder, must not make serve rebuild (and so log, and so rebuild) over and over.
#[cfg(unix)]
#[test]
fn a_static_link_to_the_site_folder_and_a_log_inside_the_site_trigger_no_rebuilds() {
    link_to_the_site_folder_and_log(&[]);
}

#[cfg(unix)]
#[test]
fn a_static_link_to_the_site_folder_and_a_log_inside_the_site_trigger_no_rebuilds_when_polling() {
    link_to_the_site_folder_and_log(&["--poll"]);
}

#[cfg(unix)]
fn link_to_the_site_folder_and_log(flags: &[&str]) {
    let (_tmp, root) = temp_site();
    fs::create_dir_all(root.join("static")).unwrap();
    std::os::unix::fs::symlink("..", root.join("static/up")).unwrap();
    let server = Server::start(&root, flags);
    // Let the watcher settle after the first build (a poll, when polling).
    std::thread::sleep(Duration::from_millis(800));
    let before = server.counter("rebuilds");
    let log = root.join("serve.log");
    // Spaced beyond the burst window, so each write would be a rebuild of its own.
    for i in 0..10 {
        use std::io::Write;
        let mut file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        writeln!(file, "log line {i}").unwrap();
        std::thread::sleep(Duration::from_millis(300));
    }
    std::thread::sleep(Duration::from_millis(500));
    let rebuilds = server.counter("rebuilds") - before;
    assert!(
        rebuilds <= 1,
        "{rebuilds} rebuilds from writing a log file\nstdout:\n{}\nstderr:\n{}",
        server.stdout(),
        server.stderr()
    );
    // The watcher still sees real edits.
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Edited beside the link."),
    );
    server.wait_for("a rebuild for the edit", || {
        server.counter("rebuilds") > before + rebuilds
    });
}

/// An editor or tool that writes a file in pieces: the half-written file must never reach the
/// page as an error, and the whole file is what gets served.
#[test]
fn a_save_written_in_three_pieces_shows_no_error() {
    use std::io::Write;
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let path = root.join("guides/alpha.md");
    for round in 0..5 {
        let text = guide(
            "Alpha",
            "trust",
            &format!("Written in three pieces, round {round}."),
        );
        let bytes = text.as_bytes();
        let third = bytes.len() / 3;
        // The first piece ends inside the front matter's description: an unclosed quote.
        assert!(text[..third].contains("description: \"") && !text[..third].contains("---\n\n"));
        let mut file = fs::File::create(&path).unwrap();
        file.write_all(&bytes[..third]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        file.write_all(&bytes[third..2 * third]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        file.write_all(&bytes[2 * third..]).unwrap();
        drop(file);
        let marker = format!("round {round}.");
        server.wait_for("the whole save served", || {
            server.get("/alpha/").body.contains(&marker)
        });
        let seen = events.drain(Duration::from_millis(600));
        assert!(
            seen.iter().all(|(name, _)| name != "error"),
            "round {round}: the half-written file was shown as an error: {seen:?}\n{}",
            server.stderr()
        );
        assert_eq!(server.status()["error"], serde_json::Value::Null);
    }
}

#[cfg(target_os = "linux")]
#[test]
fn past_the_connection_cap_idle_keep_alive_connections_make_way_for_real_clients() {
    use std::io::Write;
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let before = open_files(server.pid());
    // Each sends one whole request, is answered, and then sits idle, kept alive.
    let idle: Vec<_> = (0..200)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            let request = format!("GET /style.css HTTP/1.1\r\nHost: {}\r\n\r\n", server.host());
            let _ = stream.write_all(request.as_bytes());
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..20 {
        let page = server.get("/alpha/");
        assert_eq!(page.status, 200, "a real client is served at the cap");
    }
    let during = open_files(server.pid());
    assert!(
        during <= before + 140,
        "{during} open files with {} idle connections ({before} before)",
        idle.len()
    );
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Served past the idle cap."),
    );
    events.expect("reload");
}

/// A log file in the site's folder written every few milliseconds (serve's own output, say)
/// is ignored, and must not keep a save from settling: the reload comes well before the
/// longest a burst may wait (3 s).
#[test]
fn a_busy_log_file_in_the_site_does_not_hold_a_save_back() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    let (_tmp, root) = temp_site();
    let server = Server::start(&root, &[]);
    let events = server.events();
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let writer = {
        let (stop, log) = (stop.clone(), root.join("busy.log"));
        std::thread::spawn(move || {
            let mut file = fs::File::create(&log).unwrap();
            while !stop.load(Ordering::Relaxed) {
                writeln!(file, "a log line").unwrap();
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let saved = std::time::Instant::now();
    write(
        &root.join("guides/alpha.md"),
        &guide("Alpha", "trust", "Saved beside a busy log."),
    );
    events.expect("reload");
    let waited = saved.elapsed();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        waited < Duration::from_millis(1500),
        "the reload took {waited:?}\n{}",
        server.stdout()
    );
    assert!(server.get("/alpha/").body.contains("busy log"));
}
