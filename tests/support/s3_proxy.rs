//! An HTTP proxy on 127.0.0.1 in front of the S3 server: it logs every request it forwards
//! (method and path, in arrival order), and can be told to go down after N more requests
//! that change the bucket (PUT, POST, DELETE), as if the server had been stopped: later
//! connections are closed without an answer until [`S3Proxy::heal`]; or answer the next N
//! such requests `503 Slow Down`, as S3 does when it throttles. A bulk delete
//! (`POST ?delete`) is logged as one `DELETE` per key it names.
//!
//! Each request goes upstream on a new connection with `Connection: close` (not a signed
//! header, so signatures stay valid) and its answer is read to the end before it is passed on.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A request the proxy forwarded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    pub method: String,
    /// The path and query, as sent: `/bucket/sub/index.html`.
    pub path: String,
}

impl Logged {
    pub fn changes_bucket(&self) -> bool {
        matches!(self.method.as_str(), "PUT" | "POST" | "DELETE")
    }
}

#[derive(Default)]
struct State {
    log: Mutex<Vec<Logged>>,
    down: AtomicBool,
    /// While down, keep connections open without an answer instead of closing them.
    hold: AtomicBool,
    /// Requests being held unanswered.
    held: AtomicUsize,
    /// Requests that change the bucket still allowed through; `usize::MAX` for no limit.
    budget: AtomicUsize,
    /// Requests that changed the bucket, forwarded since the last count was taken.
    changing: AtomicUsize,
    /// Bucket-changing requests still to be answered `503 SlowDown` instead of forwarded.
    slow_downs: AtomicUsize,
}

pub struct S3Proxy {
    pub port: u16,
    state: Arc<State>,
}

impl S3Proxy {
    pub fn start(upstream: u16) -> S3Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            budget: AtomicUsize::new(usize::MAX),
            ..State::default()
        });
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve_client(client, upstream, &state));
            }
        });
        S3Proxy { port, state }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests forwarded since the last call, and a fresh log.
    pub fn take_log(&self) -> Vec<Logged> {
        std::mem::take(&mut *self.state.log.lock().unwrap())
    }

    /// How many HTTP requests that change the bucket were forwarded since the last call (a
    /// bulk delete is one, however many keys it names).
    pub fn take_changing_count(&self) -> usize {
        self.state.changing.swap(0, Ordering::SeqCst)
    }

    /// Lets `n` more bucket-changing requests through, then goes down.
    pub fn go_down_after(&self, n: usize) {
        self.state.budget.store(n, Ordering::SeqCst);
    }

    /// Answers the next `n` bucket-changing requests with `503 Slow Down`, as S3 does when
    /// throttling, without forwarding them.
    pub fn slow_down_next(&self, n: usize) {
        self.state.slow_downs.store(n, Ordering::SeqCst);
    }

    pub fn slow_downs_left(&self) -> usize {
        self.state.slow_downs.load(Ordering::SeqCst)
    }

    /// Like [`S3Proxy::go_down_after`], but the requests that come after are held without an
    /// answer (as by a server that hangs) until [`S3Proxy::heal`].
    pub fn hang_after(&self, n: usize) {
        self.state.hold.store(true, Ordering::SeqCst);
        self.go_down_after(n);
    }

    /// How many requests are held unanswered now.
    pub fn held(&self) -> usize {
        self.state.held.load(Ordering::SeqCst)
    }

    pub fn heal(&self) {
        self.state.budget.store(usize::MAX, Ordering::SeqCst);
        self.state.hold.store(false, Ordering::SeqCst);
        self.state.down.store(false, Ordering::SeqCst);
    }
}

fn serve_client(client: TcpStream, upstream: u16, state: &State) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    loop {
        let Some((request_line, headers, body)) = read_request(&mut reader) else {
            return;
        };
        let mut parts = request_line.split_whitespace();
        let logged = Logged {
            method: parts.next().unwrap_or("").to_string(),
            path: parts.next().unwrap_or("").to_string(),
        };
        if state.down.load(Ordering::SeqCst) || (logged.changes_bucket() && !take_budget(state)) {
            state.down.store(true, Ordering::SeqCst);
            if state.hold.load(Ordering::SeqCst) {
                state.held.fetch_add(1, Ordering::SeqCst);
                while state.down.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                state.held.fetch_sub(1, Ordering::SeqCst);
            }
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        if logged.changes_bucket()
            && state
                .slow_downs
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            let body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
            let response = format!(
                "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = client.write_all(response.as_bytes());
            return;
        }
        let Ok(response) = forward(upstream, &request_line, &headers, &body) else {
            let _ = client.shutdown(Shutdown::Both);
            return;
        };
        if logged.changes_bucket() {
            state.changing.fetch_add(1, Ordering::SeqCst);
        }
        state
            .log
            .lock()
            .unwrap()
            .extend(bulk_deletes(&logged, &body).unwrap_or(vec![logged]));
        if client.write_all(&response).is_err() {
            return;
        }
    }
}

/// A `POST /bucket?delete` (DeleteObjects) logged as one `DELETE /bucket/key` per key.
fn bulk_deletes(request: &Logged, body: &[u8]) -> Option<Vec<Logged>> {
    let bucket = request.path.strip_suffix("?delete")?;
    let xml = String::from_utf8_lossy(body);
    let keys = xml.split("<Key>").skip(1).map(|rest| {
        let key = rest.split("</Key>").next().unwrap_or("");
        Logged {
            method: "DELETE".into(),
            path: format!("{bucket}/{}", key.replace("&amp;", "&")),
        }
    });
    Some(keys.collect())
}

/// Takes one from the budget; false when none is left.
fn take_budget(state: &State) -> bool {
    state
        .budget
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |b| match b {
            usize::MAX => Some(usize::MAX),
            0 => None,
            b => Some(b - 1),
        })
        .is_ok()
}

/// The request line, the header lines, the body (by Content-Length); `None` at the end.
fn read_request(reader: &mut impl BufRead) -> Option<(String, Vec<String>, Vec<u8>)> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut headers = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        assert!(
            !lower.starts_with("transfer-encoding:"),
            "the proxy reads bodies by Content-Length only: {line}"
        );
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
        if !lower.starts_with("connection:") {
            headers.push(line);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((request_line.trim_end().to_string(), headers, body))
}

fn forward(
    upstream: u16,
    request_line: &str,
    headers: &[String],
    body: &[u8],
) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream))?;
    let mut head = format!("{request_line}\r\n");
    for h in headers {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    server.write_all(head.as_bytes())?;
    server.write_all(body)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    Ok(response)
}
