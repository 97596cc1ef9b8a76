//! The HTTP side of `serve`: an axum app over the in-memory site, and the checks every
//! request passes first.
//!
//! 1. [`check_host`]: the `Host` header must name this server (its bind address, `localhost`,
//!    `127.0.0.1` or `[::1]`, with the port), and an `Origin` header, if sent, must be one of
//!    those too; otherwise 403. A web page elsewhere cannot read the site or the event stream
//!    through DNS rebinding, and no response carries `Access-Control-Allow-Origin`.
//! 2. [`site_path`]: the URL path is decoded once and refused (400) if it could climb out:
//!    `..` in any spelling (`%2e%2e`, double-encoded `%252e`, `..%5c`), backslashes, NUL and
//!    control characters; dotfiles are 404. The site lives in a map of output paths, so there
//!    is no file system behind the lookup to escape from in the first place.
//! 3. The lookup: `dir/` serves `dir/index.html`, `dir` redirects to `dir/`, anything else
//!    missing gets the theme's 404 page with status 404. HTML gets the live-reload script.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

use super::Shared;
use super::reload::{
    CLIENT_SCRIPT, EVENTS_PATH, SCRIPT_PATH, STATUS_PATH, event_stream, inject_script, script_tag,
};

/// The app: internal routes, then the site for every other path.
pub fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .route(STATUS_PATH, get(status))
        .fallback(site_file)
        .layer(middleware::from_fn_with_state(shared.clone(), guard))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .with_state(shared)
}

async fn events(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    event_stream(shared)
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        CLIENT_SCRIPT,
    )
}

async fn status(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let s = shared.status();
    let body = serde_json::json!({
        "instance": shared.instance,
        "build": s.build,
        "rebuilds": s.rebuilds,
        "failed": s.failed,
        "reloads": s.reloads,
        "error": s.error,
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
}

/// Host and Origin checks, and GET/HEAD only.
async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    if let Err(why) = check_host(request.headers(), shared.addr) {
        return plain(StatusCode::FORBIDDEN, why);
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    next.run(request).await
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{}: {text}\n", status.as_u16()),
    )
        .into_response()
}

/// Refuses requests whose `Host` or `Origin` is not this server.
pub fn check_host(headers: &HeaderMap, addr: SocketAddr) -> Result<(), &'static str> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or("missing or unreadable Host header")?;
    if !host_allowed(host, addr) {
        return Err("this server answers only to its own address (Host header refused)");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let allowed = origin
            .strip_prefix("http://")
            .is_some_and(|h| host_allowed(h, addr));
        if !allowed {
            return Err("requests from other sites are refused (Origin header)");
        }
    }
    Ok(())
}

/// Whether `host` (`name[:port]`) names this server.
pub fn host_allowed(host: &str, addr: SocketAddr) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => (name, port.parse::<u16>().ok()),
        _ => (host, Some(80)),
    };
    if port != Some(addr.port()) {
        return false;
    }
    let name = name.to_ascii_lowercase();
    if name == "localhost" {
        return true;
    }
    let Ok(ip) = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    else {
        return false;
    };
    // An IP address cannot be re-pointed by DNS rebinding; names other than localhost can.
    ip.is_loopback() || ip == addr.ip() || addr.ip().is_unspecified()
}

/// Why a URL path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PathRefusal {
    /// Climbing out, encoded separators, NUL, control characters, bad encoding: 400.
    BadRequest,
    /// A dotfile or dot-folder: 404, as if it did not exist.
    Hidden,
}

/// The site path (no leading `/`, `/`-separated) a URL path asks for.
pub fn site_path(raw: &str) -> Result<String, PathRefusal> {
    let rest = raw.strip_prefix('/').ok_or(PathRefusal::BadRequest)?;
    let lower = rest.to_ascii_lowercase();
    if rest.contains('\\')
        || lower.contains("%5c")
        || lower.contains("%00")
        || lower.contains("%2f")
    {
        return Err(PathRefusal::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .map_err(|_| PathRefusal::BadRequest)?;
    // `%` left after one decoding means double encoding (`%252e`): never a path we wrote.
    if decoded
        .chars()
        .any(|c| c.is_control() || c == '\\' || c == '%')
    {
        return Err(PathRefusal::BadRequest);
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            "" if i == last => {}
            "" | "." | ".." => return Err(PathRefusal::BadRequest),
            s if s.starts_with('.') => return Err(PathRefusal::Hidden),
            _ => {}
        }
    }
    Ok(decoded.into_owned())
}

/// Serves one file of the site.
async fn site_file(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let head = request.method() == Method::HEAD;
    let uri = request.uri();
    let path = match site_path(uri.path()) {
        Ok(path) => path,
        Err(PathRefusal::BadRequest) => return plain(StatusCode::BAD_REQUEST, "bad path"),
        Err(PathRefusal::Hidden) => return not_found(&shared, head),
    };
    let files = shared.files();
    if files.is_empty() {
        return no_site_yet(&shared);
    }
    let key = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    if let Some(bytes) = files.get(&key) {
        return file_response(&shared, &key, bytes.clone(), StatusCode::OK, head);
    }
    if !path.is_empty() && !path.ends_with('/') && files.contains_key(&format!("{path}/index.html"))
    {
        let location = match uri.query() {
            Some(q) => format!("{}/?{q}", uri.path()),
            None => format!("{}/", uri.path()),
        };
        return (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    drop(files);
    not_found(&shared, head)
}

fn not_found(shared: &Shared, head: bool) -> Response {
    match shared.files().get("404.html") {
        Some(bytes) => file_response(
            shared,
            "404.html",
            bytes.clone(),
            StatusCode::NOT_FOUND,
            head,
        ),
        None => plain(StatusCode::NOT_FOUND, "not found"),
    }
}

/// Before the first good build: a page that shows the error overlay and reloads on success.
fn no_site_yet(shared: &Shared) -> Response {
    let html = b"<!doctype html><html><head><meta charset=\"utf-8\"><title>guidesmith serve</title></head><body><p>The site has not built yet; fix the errors shown in the terminal and save.</p></body></html>";
    let body = inject_script(html, &script_tag(&shared.instance, shared.status().build));
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn file_response(
    shared: &Shared,
    path: &str,
    bytes: bytes::Bytes,
    status: StatusCode,
    head: bool,
) -> Response {
    let mime = content_type(path);
    let body = if mime.starts_with("text/html") {
        inject_script(&bytes, &script_tag(&shared.instance, shared.status().build)).into()
    } else {
        bytes
    };
    let length = body.len();
    let mut response = Response::new(if head {
        Body::empty()
    } else {
        Body::from(body)
    });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// The `Content-Type` for a site path; text types say they are UTF-8.
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(
            mime.subtype().as_str(),
            "javascript" | "json" | "xml" | "svg" | "atom" | "manifest"
        )
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
    if text && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_once_and_checked() {
        assert_eq!(site_path("/"), Ok(String::new()));
        assert_eq!(site_path("/first-message/"), Ok("first-message/".into()));
        assert_eq!(site_path("/tags/caf%C3%A9/"), Ok("tags/café/".into()));
        assert_eq!(site_path("/style.css"), Ok("style.css".into()));
    }

    #[test]
    fn climbing_out_is_refused_in_every_spelling() {
        for raw in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/etc/passwd",
            "/.%2e/x",
            "/%252e%252e/etc/passwd",
            "/..%5cetc",
            "/..%5Cetc",
            "/..\\etc",
            "/a%00b",
            "/a%0ab",
            "/a%2f..%2fb",
            "//etc/passwd",
            "/a/./b",
            "relative",
            "/%ff",
        ] {
            assert_eq!(site_path(raw), Err(PathRefusal::BadRequest), "{raw}");
        }
    }

    #[test]
    fn dotfiles_are_hidden() {
        assert_eq!(site_path("/.git/config"), Err(PathRefusal::Hidden));
        assert_eq!(site_path("/.guidesmith-output"), Err(PathRefusal::Hidden));
        assert_eq!(site_path("/a/.env"), Err(PathRefusal::Hidden));
    }

    #[test]
    fn hosts_must_name_this_server() {
        let addr: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST:1111",
            "[::1]:1111",
        ] {
            assert!(host_allowed(ok, addr), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "127.0.0.1:2222",
            "127.0.0.1",
            "localhost",
            "192.168.1.5:1111",
            "127.0.0.1.nip.io:1111",
            "",
        ] {
            assert!(!host_allowed(bad, addr), "{bad}");
        }
        let lan: SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert!(host_allowed("192.168.1.5:1111", lan));
        assert!(!host_allowed("rebind.example:1111", lan));
        let port80: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert!(host_allowed("localhost", port80));
    }

    #[test]
    fn origins_from_other_sites_are_refused() {
        let addr: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        let headers = |host: &str, origin: Option<&str>| {
            let mut h = HeaderMap::new();
            h.insert(header::HOST, HeaderValue::from_str(host).unwrap());
            if let Some(o) = origin {
                h.insert(header::ORIGIN, HeaderValue::from_str(o).unwrap());
            }
            h
        };
        assert!(check_host(&headers("127.0.0.1:1111", None), addr).is_ok());
        assert!(
            check_host(
                &headers("127.0.0.1:1111", Some("http://localhost:1111")),
                addr
            )
            .is_ok()
        );
        assert!(
            check_host(
                &headers("127.0.0.1:1111", Some("https://evil.example")),
                addr
            )
            .is_err()
        );
        assert!(check_host(&headers("127.0.0.1:1111", Some("null")), addr).is_err());
        assert!(check_host(&HeaderMap::new(), addr).is_err());
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("guidesmith.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("atom.xml"), "text/xml; charset=utf-8");
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("CNAME"), "application/octet-stream");
    }
}
