//! A minimal HTTP/1.1 client for tests against servers on 127.0.0.1: one GET per connection,
//! the body read by Content-Length (servers may keep the connection open).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response: status code, `Location` if any, body.
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// `GET path` from `127.0.0.1:port`.
pub fn get(port: u16, path: &str) -> Response {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).expect("connecting to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader
        .read_line(&mut status_line)
        .expect("reading the status line");
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let (mut length, mut location) = (0usize, None);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).expect("reading a header") == 0 || header.trim().is_empty()
        {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((&header, ""));
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().expect("a Content-Length"),
            "location" => location = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("reading the body");
    Response {
        status,
        location,
        body,
    }
}
