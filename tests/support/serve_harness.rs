//! For tests/serve.rs: a temp site, the real `guidesmith serve` on a port the system picks,
//! and a tiny HTTP/1.1 client on raw sockets (so malformed requests can be sent too).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Generous: the machine running the tests may be busy.
pub const TIMEOUT: Duration = Duration::from_secs(30);

pub fn guide(title: &str, tags: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\ndescription: \"About {title}.\"\ndate: 2025-03-04\ntags: [{tags}]\n---\n\n{body}\n"
    )
}

/// A small site in a temp dir: `site/` with two guides; `site-private/` beside it holds a
/// secret (for sibling-prefix tests).
pub fn temp_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(root.join("guides")).unwrap();
    std::fs::write(
        root.join("site.toml"),
        "title = \"Serve test\"\nbase_url = \"https://example.org/\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("guides/alpha.md"),
        guide("Alpha", "trust", "Alpha body. See [beta](/beta/)."),
    )
    .unwrap();
    std::fs::write(
        root.join("guides/beta.md"),
        guide("Beta", "trust, planning", "Beta body."),
    )
    .unwrap();
    std::fs::create_dir_all(tmp.path().join("site-private")).unwrap();
    std::fs::write(
        tmp.path().join("site-private/secret.txt"),
        "TOP-SECRET-SIBLING",
    )
    .unwrap();
    (tmp, root)
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running `guidesmith serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub root: PathBuf,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(root, extra, &[])
    }

    /// [`Server::start`] with environment variables set for the server.
    pub fn start_with_env(root: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .envs(env.iter().copied())
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(if extra.contains(&"--port") {
                &[][..]
            } else {
                &["--port", "0"][..]
            })
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting guidesmith serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (port_tx, port_rx) = channel();
        let out = child.stdout.take().unwrap();
        let copy = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if let Some(port) = served_port(&line) {
                    let _ = port_tx.send(port);
                }
                copy.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let err = child.stderr.take().unwrap();
        let copy = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                copy.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let port = match port_rx.recv_timeout(TIMEOUT) {
            Ok(port) => port,
            Err(_) => {
                let _ = child.kill();
                panic!("serve printed no URL; stderr:\n{}", stderr.lock().unwrap());
            }
        };
        Server {
            child,
            port,
            root: root.to_path_buf(),
            stdout,
            stderr,
        }
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Sends `request` as is and reads the whole response.
    pub fn raw(&self, request: &[u8]) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(TIMEOUT)).unwrap();
        stream.write_all(request).unwrap();
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        parse_response(&bytes)
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            text.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        self.raw(text.as_bytes())
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[])
    }

    pub fn status(&self) -> serde_json::Value {
        let r = self.get("/__guidesmith/status");
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_str(&r.body).unwrap()
    }

    pub fn counter(&self, name: &str) -> u64 {
        self.status()[name].as_u64().unwrap()
    }

    /// Opens the live-reload event stream.
    pub fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let request = format!(
            "GET /__guidesmith/events HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
            self.host()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let (mut name, mut data) = (String::new(), String::new());
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let line = line.trim_end_matches('\r');
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = v.trim().to_string();
                } else if line.is_empty() && !name.is_empty() {
                    let event = (std::mem::take(&mut name), std::mem::take(&mut data));
                    if tx.send(event).is_err() {
                        return;
                    }
                }
            }
        });
        let events = Events { rx };
        let (name, _) = events.next().expect("a hello event");
        assert_eq!(name, "hello");
        events
    }

    /// Polls `check` until it holds; panics with `what` after [`TIMEOUT`].
    pub fn wait_for(&self, what: &str, mut check: impl FnMut() -> bool) {
        let started = Instant::now();
        while !check() {
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for {what}\nstdout:\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits for the exit.
    #[cfg(unix)]
    pub fn interrupt(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < TIMEOUT, "serve did not stop on SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in `Serving <root> at http://127.0.0.1:<port>/`.
fn served_port(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("Serving ")?;
    let url = rest.rsplit(" at ").next()?;
    url.strip_prefix("http://127.0.0.1:")?
        .trim_end_matches('/')
        .parse()
        .ok()
}

fn parse_response(bytes: &[u8]) -> Response {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_string()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// The events of one open event stream, as (name, data).
pub struct Events {
    rx: Receiver<(String, String)>,
}

impl Events {
    pub fn next(&self) -> Option<(String, String)> {
        self.rx.recv_timeout(TIMEOUT).ok()
    }

    /// The next event named `name`, skipping others; panics after [`TIMEOUT`].
    pub fn expect(&self, name: &str) -> String {
        let started = Instant::now();
        loop {
            let left = TIMEOUT.saturating_sub(started.elapsed());
            match self.rx.recv_timeout(left) {
                Ok((n, data)) if n == name => return data,
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => panic!("no `{name}` event within {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("the event stream closed"),
            }
        }
    }

    /// Every event that arrives within `wait`.
    pub fn drain(&self, wait: Duration) -> Vec<(String, String)> {
        let started = Instant::now();
        let mut events = Vec::new();
        while let Ok(e) = self.rx.recv_timeout(wait.saturating_sub(started.elapsed())) {
            events.push(e);
        }
        events
    }
}
