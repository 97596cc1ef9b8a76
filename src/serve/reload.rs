//! Live reload: the events the rebuild loop sends to open pages, the SSE stream that carries
//! them, and the small client script injected into served HTML (never into `build` output).
//!
//! Events (`text/event-stream`, one JSON object per `data:` line):
//! - `hello` on connect: `{"instance", "build"}`. The injected script carries the instance and
//!   build it was served with; if they differ (a rebuild or a server restart happened while the
//!   page was loading or disconnected), the page reloads.
//! - `reload`: a rebuild changed pages. `css`: only stylesheets changed (`{"paths": [...]}`);
//!   the page swaps them without reloading. `ok`: a rebuild succeeded without changes (clears
//!   the overlay). `error`: a rebuild failed (`{"text"}`, shown with `textContent`, so the text is
//!   never parsed as HTML).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;
use tokio::sync::broadcast;

use super::Shared;

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__guidesmith/events";
/// The path of the client script.
pub const SCRIPT_PATH: &str = "/__guidesmith/live-reload.js";
/// The path of the status JSON (rebuild counters, the current error).
pub const STATUS_PATH: &str = "/__guidesmith/status";

/// What the rebuild loop tells open pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveEvent {
    Reload {
        build: u64,
    },
    Css {
        build: u64,
        paths: Vec<String>,
    },
    Ok {
        build: u64,
    },
    Error {
        text: String,
    },
    /// The server is stopping: end every stream.
    Shutdown,
}

impl LiveEvent {
    /// Merges an event held back (while more changes were queued) with a newer one.
    pub fn merge(self, newer: LiveEvent) -> LiveEvent {
        match (self, newer) {
            (LiveEvent::Css { mut paths, .. }, LiveEvent::Css { build, paths: more }) => {
                paths.extend(more);
                paths.sort();
                paths.dedup();
                LiveEvent::Css { build, paths }
            }
            (
                LiveEvent::Reload { .. } | LiveEvent::Css { .. },
                LiveEvent::Ok { build }
                | LiveEvent::Reload { build }
                | LiveEvent::Css { build, .. },
            ) => LiveEvent::Reload { build },
            (_, newer) => newer,
        }
    }

    fn to_sse(&self) -> Option<Event> {
        let (name, data) = self.name_and_data()?;
        Some(Event::default().event(name).data(data))
    }

    /// The SSE event name and its JSON data; `None` for [`LiveEvent::Shutdown`].
    fn name_and_data(&self) -> Option<(&'static str, String)> {
        #[derive(Serialize)]
        struct Data<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            build: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            paths: Option<&'a [String]>,
            #[serde(skip_serializing_if = "Option::is_none")]
            text: Option<&'a str>,
        }
        let (name, data) = match self {
            LiveEvent::Reload { build } => (
                "reload",
                Data {
                    build: Some(*build),
                    paths: None,
                    text: None,
                },
            ),
            LiveEvent::Css { build, paths } => (
                "css",
                Data {
                    build: Some(*build),
                    paths: Some(paths),
                    text: None,
                },
            ),
            LiveEvent::Ok { build } => (
                "ok",
                Data {
                    build: Some(*build),
                    paths: None,
                    text: None,
                },
            ),
            LiveEvent::Error { text } => (
                "error",
                Data {
                    build: None,
                    paths: None,
                    text: Some(text),
                },
            ),
            LiveEvent::Shutdown => return None,
        };
        Some((name, serde_json::to_string(&data).unwrap_or_default()))
    }
}

/// The SSE response for one page: `hello`, the current error if any, then live events.
pub fn event_stream(shared: Arc<Shared>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = shared.events.subscribe();
    let status = shared.status();
    let hello =
        serde_json::json!({ "instance": shared.instance, "build": status.build }).to_string();
    let mut first = vec![
        Event::default()
            .event("hello")
            .retry(Duration::from_millis(1000))
            .data(hello),
    ];
    if let Some(text) = status.error {
        first.extend(LiveEvent::Error { text }.to_sse());
    }
    let live = stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(LiveEvent::Shutdown) | Err(broadcast::error::RecvError::Closed) => return None,
                Ok(event) => {
                    if let Some(sse) = event.to_sse() {
                        return Some((sse, receiver));
                    }
                }
                // Missed events: a reload covers whatever they were.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some((Event::default().event("reload").data("{}"), receiver));
                }
            }
        }
    });
    Sse::new(stream::iter(first).chain(live).map(Ok))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The `<script>` tag put into every served HTML page.
pub fn script_tag(instance: &str, build: u64) -> String {
    format!(
        "<script src=\"{SCRIPT_PATH}\" data-instance=\"{instance}\" data-build=\"{build}\" defer></script>"
    )
}

/// `html` with the live-reload script before `</body>` (or at the end when there is none).
pub fn inject_script(html: &[u8], tag: &str) -> Vec<u8> {
    let at = find_last_ignore_case(html, b"</body").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// The client: reconnecting EventSource, reload, stylesheet swap, error overlay.
pub const CLIENT_SCRIPT: &str = r#"// guidesmith serve: live reload (served in development only, never written by `build`)
(function () {
  "use strict";
  var me = document.currentScript;
  var instance = me && me.getAttribute("data-instance");
  var build = me && me.getAttribute("data-build");
  var overlay = null;

  function showError(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "guidesmith-error-overlay";
      overlay.setAttribute("role", "alertdialog");
      overlay.setAttribute("aria-label", "Build error");
      // `all:initial`: the site's styles (its `pre`, `p`, colour scheme) never reach the overlay.
      overlay.style.cssText = "all:initial;display:block;position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "padding:2rem;background:#141414;color:#fff;font:14px/1.5 ui-monospace,monospace;color-scheme:dark";
      var title = document.createElement("p");
      title.style.cssText = "all:initial;display:block;margin:0 0 1rem;font:bold 14px/1.5 ui-monospace,monospace;color:#ff8a80";
      title.textContent = "guidesmith: the last rebuild failed; this page shows the last good build. Fix the error and save (Esc hides this).";
      var pre = document.createElement("pre");
      pre.style.cssText = "all:initial;display:block;margin:0;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;color:#fff;background:#141414";
      overlay.appendChild(title);
      overlay.appendChild(pre);
    }
    overlay.lastChild.textContent = text;
    if (!overlay.parentNode) document.documentElement.appendChild(overlay);
  }

  function hideError() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") hideError();
  });

  function swapStylesheets(paths) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin || paths.indexOf(url.pathname) < 0) continue;
      url.searchParams.set("guidesmith-reload", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", function (old) { return function () { if (old.parentNode) old.parentNode.removeChild(old); }; }(link));
      link.parentNode.insertBefore(fresh, link.nextSibling);
    }
  }

  function data(event) {
    try { return JSON.parse(event.data) || {}; } catch (e) { return {}; }
  }

  function connect() {
    var source = new EventSource("/__guidesmith/events");
    source.addEventListener("hello", function (e) {
      var d = data(e);
      if (instance && (d.instance !== instance || String(d.build) !== build)) location.reload();
    });
    source.addEventListener("reload", function () { location.reload(); });
    source.addEventListener("css", function (e) {
      var d = data(e);
      hideError();
      build = String(d.build);
      swapStylesheets(d.paths || []);
    });
    source.addEventListener("ok", function (e) { hideError(); build = String(data(e).build); });
    source.addEventListener("error", function (e) {
      if (e.data !== undefined) { showError(data(e).text || "unknown error"); return; }
      // A connection error: the browser retries by itself unless the stream was closed.
      if (source.readyState === EventSource.CLOSED) { source.close(); setTimeout(connect, 1000); }
    });
  }

  connect();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let html = b"<html><body><p>\"</body>\" in text</p></BODY></html>";
        let out = String::from_utf8(inject_script(html, "<script></script>")).unwrap();
        assert_eq!(
            out,
            "<html><body><p>\"</body>\" in text</p><script></script></BODY></html>"
        );
        assert_eq!(inject_script(b"<p>no body", "<s>"), b"<p>no body<s>");
    }

    #[test]
    fn held_back_events_merge() {
        let css = |b, p: &str| LiveEvent::Css {
            build: b,
            paths: vec![p.to_string()],
        };
        assert_eq!(
            css(1, "/a.css").merge(css(2, "/b.css")),
            LiveEvent::Css {
                build: 2,
                paths: vec!["/a.css".into(), "/b.css".into()]
            }
        );
        assert_eq!(
            css(1, "/a.css").merge(LiveEvent::Reload { build: 2 }),
            LiveEvent::Reload { build: 2 }
        );
        assert_eq!(
            LiveEvent::Reload { build: 1 }.merge(LiveEvent::Ok { build: 1 }),
            LiveEvent::Reload { build: 1 }
        );
        assert_eq!(
            LiveEvent::Reload { build: 1 }.merge(LiveEvent::Error { text: "x".into() }),
            LiveEvent::Error { text: "x".into() }
        );
    }

    #[test]
    fn error_text_travels_as_json() {
        let (name, data) = LiveEvent::Error {
            text: "guides/a.md:2:8: error: <b>\n  help: x".into(),
        }
        .name_and_data()
        .unwrap();
        assert_eq!(name, "error");
        assert_eq!(
            data, r#"{"text":"guides/a.md:2:8: error: <b>\n  help: x"}"#,
            "one line of JSON, newlines escaped"
        );
        assert_eq!(LiveEvent::Shutdown.name_and_data(), None);
    }
}
