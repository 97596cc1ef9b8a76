//! A tiny static file server for browser tests: std::net only, bound to 127.0.0.1 on an
//! ephemeral port, one thread per connection, GET and HEAD only.
//!
//! It serves several folders under URL prefixes (`/a/` → one built site, `/b/` → another), so
//! tests can put two sites on one origin the way `user.github.io/a/` and `/b/` share one. Files
//! are read on every request, so a rebuilt site is served at once. `/dir/` serves
//! `dir/index.html`; `/dir` redirects to `/dir/` like a static host does. Dropping the server
//! stops it.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

pub struct StaticServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves each `(prefix, folder)`; prefixes start and end with `/` (`/` serves one folder).
    pub fn start(mounts: Vec<(String, PathBuf)>) -> std::io::Result<StaticServer> {
        assert!(
            mounts
                .iter()
                .all(|(p, _)| p.starts_with('/') && p.ends_with('/')),
            "mount prefixes start and end with /"
        );
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let mounts = Arc::new(mounts);
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let mounts = mounts.clone();
                    std::thread::spawn(move || {
                        let _ = serve_connection(stream, &mounts);
                    });
                }
            })
        };
        Ok(StaticServer {
            port,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers requests on one connection until the client closes it (keep-alive).
fn serve_connection(stream: TcpStream, mounts: &[(String, PathBuf)]) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        // Skip the headers; requests we serve have no body.
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
        let response = respond(method, target, mounts);
        out.write_all(&response.head())?;
        if method != "HEAD" {
            out.write_all(&response.body)?;
        }
        out.flush()?;
        if response.close {
            let _ = out.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

struct Response {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    close: bool,
}

impl Response {
    fn text(status: &'static str, text: &str) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: text.as_bytes().to_vec(),
            close: false,
        }
    }

    fn head(&self) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n",
            self.status,
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

fn respond(method: &str, target: &str, mounts: &[(String, PathBuf)]) -> Response {
    if method != "GET" && method != "HEAD" {
        let mut r = Response::text("405 Method Not Allowed", "GET and HEAD only\n");
        r.close = true;
        return r;
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(path) = percent_decode(path) else {
        return Response::text("400 Bad Request", "bad percent-encoding\n");
    };
    // Longest prefix first, so `/a/b/` wins over `/a/`.
    let mut sorted: Vec<&(String, PathBuf)> = mounts.iter().collect();
    sorted.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    for (prefix, dir) in sorted {
        if path.len() + 1 == prefix.len() && format!("{path}/") == *prefix {
            return redirect(prefix);
        }
        if let Some(rest) = path.strip_prefix(prefix.as_str()) {
            return serve_file(dir, prefix, rest);
        }
    }
    Response::text("404 Not Found", "not found\n")
}

fn serve_file(dir: &Path, prefix: &str, rest: &str) -> Response {
    let relative = Path::new(rest);
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Response::text("403 Forbidden", "bad path\n");
    }
    let mut file = dir.join(relative);
    if file.is_dir() {
        if !rest.is_empty() && !rest.ends_with('/') {
            return redirect(&format!("{prefix}{rest}/"));
        }
        file.push("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => Response {
            status: "200 OK",
            headers: vec![("Content-Type", content_type(&file).into())],
            body,
            close: false,
        },
        Err(_) => match std::fs::read(dir.join("404.html")) {
            Ok(body) => Response {
                status: "404 Not Found",
                headers: vec![("Content-Type", "text/html; charset=utf-8".into())],
                body,
                close: false,
            },
            Err(_) => Response::text("404 Not Found", "not found\n"),
        },
    }
}

fn redirect(location: &str) -> Response {
    let mut r = Response::text("301 Moved Permanently", "moved\n");
    r.headers.push(("Location", location.to_string()));
    r
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}
