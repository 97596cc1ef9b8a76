//! A real S3-protocol server for tests: moto (`pip install 'moto[server]'`) started as
//! `moto_server -H 127.0.0.1 -p PORT`, one process per test, stopped by its pid when dropped;
//! and a plain HTTP/1.1 client to create buckets and read objects back with their headers.
//!
//! Without `moto_server` on PATH a test is skipped, unless `GUIDESMITH_REQUIRE_S3=1` or `CI`
//! is set (scripts/test.sh sets the first), which makes that a failure.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server on 127.0.0.1.
pub struct S3Server {
    pub port: u16,
    child: Child,
    _log_dir: tempfile::TempDir,
}

/// An object as read back: status, headers (names lowercased), bytes.
pub struct S3Response {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl S3Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// One key of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub etag: String,
    pub last_modified: String,
    pub size: u64,
}

fn required() -> bool {
    std::env::var("GUIDESMITH_REQUIRE_S3").as_deref() == Ok("1")
        || std::env::var("CI").is_ok_and(|v| !v.is_empty())
}

/// Starts moto, or returns `None` (a skip) when it is not installed and not required.
pub fn s3_server() -> Option<S3Server> {
    match S3Server::start() {
        Ok(server) => Some(server),
        Err(e) if !required() => {
            eprintln!("skipping: {e} (pip install 'moto[server]')");
            None
        }
        Err(e) => panic!(
            "GUIDESMITH_REQUIRE_S3=1 (or CI) but {e}\n  help: pip install 'moto[server]' (scripts/test.sh does)"
        ),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl S3Server {
    fn start() -> Result<S3Server, String> {
        let log_dir = tempfile::tempdir().unwrap();
        let log_path = log_dir.path().join("moto.log");
        let log = File::create(&log_path).unwrap();
        let port = free_port();
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("moto_server cannot be started: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Err(format!(
                    "moto_server exited with {status}: {}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                ));
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                return Err("moto_server did not listen within 60 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(S3Server {
            port,
            child,
            _log_dir: log_dir,
        })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn create_bucket(&self, bucket: &str) {
        let r = s3_request(self.port, "PUT", &format!("/{bucket}"), b"");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    pub fn put_object(&self, bucket: &str, key: &str, bytes: &[u8]) {
        self.put_object_with(bucket, key, bytes, &[]);
    }

    /// A PUT with extra headers (`Content-Type`, `Cache-Control`).
    pub fn put_object_with(&self, bucket: &str, key: &str, bytes: &[u8], headers: &[(&str, &str)]) {
        let auth = fake_authorization("s3");
        let mut all = vec![("Authorization", auth.as_str())];
        all.extend_from_slice(headers);
        let path = format!("/{bucket}/{}", url_encode(key));
        let r = raw_request(self.port, "PUT", &path, &all, bytes);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    pub fn get_object(&self, bucket: &str, key: &str) -> S3Response {
        s3_request(
            self.port,
            "GET",
            &format!("/{bucket}/{}", url_encode(key)),
            b"",
        )
    }

    /// Every key of the bucket with its ETag, LastModified and size.
    pub fn list(&self, bucket: &str) -> BTreeMap<String, Listed> {
        let r = s3_request(self.port, "GET", &format!("/{bucket}?list-type=2"), b"");
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let xml = String::from_utf8(r.body).unwrap();
        assert!(
            xml.contains("<IsTruncated>false</IsTruncated>"),
            "a test bucket holds fewer than 1,000 keys"
        );
        xml.split("<Contents>")
            .skip(1)
            .map(|c| {
                let field = |name: &str| {
                    let start = c.find(&format!("<{name}>")).unwrap() + name.len() + 2;
                    let end = c.find(&format!("</{name}>")).unwrap();
                    c[start..end].to_string()
                };
                (
                    field("Key").replace("&amp;", "&"),
                    Listed {
                        etag: field("ETag"),
                        last_modified: field("LastModified"),
                        size: field("Size").parse().unwrap(),
                    },
                )
            })
            .collect()
    }

    /// Turns on moto's request signing checks and returns two users' keys: one that may do
    /// anything with S3, one that may only read. Before this, moto takes any credentials.
    pub fn require_signatures(&self) -> (AccessKey, AccessKey) {
        let writer = self.iam_user("publisher", r#"["s3:*"]"#);
        let reader = self.iam_user("reader", r#"["s3:GetObject","s3:ListBucket"]"#);
        self.set_signature_checks(true);
        (writer, reader)
    }

    /// From now on, moto checks every request's signature and the user's policy (`true`), or
    /// takes any credentials again (`false`). Make users with `iam_user` before turning it on.
    pub fn set_signature_checks(&self, on: bool) {
        // reset-auth takes the number of requests to let through unchecked.
        let unchecked: &[u8] = if on { b"0" } else { b"1000000000" };
        let r = raw_request(
            self.port,
            "POST",
            "/moto-api/reset-auth",
            &[("Content-Type", "text/plain")],
            unchecked,
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    /// A CloudFront distribution in front of `bucket`; returns its id.
    pub fn create_distribution(&self, bucket: &str) -> String {
        let config = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>{bucket}</CallerReference><Origins><Quantity>1</Quantity><Items><Origin><Id>{bucket}</Id><DomainName>{bucket}.s3.amazonaws.com</DomainName><S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig></Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>{bucket}</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior><Comment>test</Comment><Enabled>true</Enabled></DistributionConfig>"#
        );
        let xml = self.cloudfront("POST", "/2020-05-31/distribution", config.as_bytes());
        xml_field(&xml, "Id")
    }

    /// The paths of each invalidation of `distribution`, oldest first.
    pub fn invalidations(&self, distribution: &str) -> Vec<Vec<String>> {
        let base = format!("/2020-05-31/distribution/{distribution}/invalidation");
        let list = self.cloudfront("GET", &base, b"");
        let ids: Vec<String> = list
            .split("<InvalidationSummary>")
            .skip(1)
            .map(|item| xml_field(item, "Id"))
            .collect();
        ids.iter()
            .map(|id| {
                let xml = self.cloudfront("GET", &format!("{base}/{id}"), b"");
                xml.split("<Path>")
                    .skip(1)
                    .map(|p| p[..p.find("</Path>").unwrap()].to_string())
                    .collect()
            })
            .collect()
    }

    fn cloudfront(&self, method: &str, path: &str, body: &[u8]) -> String {
        let auth = fake_authorization("cloudfront");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "text/xml"),
        ];
        let r = raw_request(self.port, method, path, &headers, body);
        let text = String::from_utf8(r.body).unwrap();
        assert!(r.status / 100 == 2, "{method} {path}: {} {text}", r.status);
        text
    }

    /// An IAM user allowed `actions` (a JSON list); its keys work once signatures are checked.
    pub fn iam_user(&self, name: &str, actions: &str) -> AccessKey {
        let policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#
        );
        self.iam(&format!("Action=CreateUser&UserName={name}"));
        self.iam(&format!(
            "Action=PutUserPolicy&UserName={name}&PolicyName=site&PolicyDocument={}",
            form_encode(&policy)
        ));
        let xml = self.iam(&format!("Action=CreateAccessKey&UserName={name}"));
        AccessKey {
            id: xml_field(&xml, "AccessKeyId"),
            secret: xml_field(&xml, "SecretAccessKey"),
        }
    }

    fn iam(&self, form: &str) -> String {
        let r = raw_request(
            self.port,
            "POST",
            "/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", &fake_authorization("iam")),
            ],
            format!("{form}&Version=2010-05-08").as_bytes(),
        );
        let body = String::from_utf8(r.body).unwrap();
        assert_eq!(r.status, 200, "{form}: {body}");
        body
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An IAM access key moto made.
pub struct AccessKey {
    pub id: String,
    pub secret: String,
}

/// A key as a URL path: everything but unreserved characters and `/` percent-encoded.
pub fn url_encode(key: &str) -> String {
    key.split('/')
        .map(form_encode)
        .collect::<Vec<_>>()
        .join("/")
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Moto routes a request to a service by the scope of its Authorization header and, until
/// signatures are required, checks nothing else.
/// The text of the first `<tag>` element in `xml`.
fn xml_field(xml: &str, tag: &str) -> String {
    let start = xml.find(&format!("<{tag}>")).unwrap() + tag.len() + 2;
    let end = start + xml[start..].find(&format!("</{tag}>")).unwrap();
    xml[start..end].to_string()
}

fn fake_authorization(service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
    )
}

/// One S3 request with a placeholder signature.
pub fn s3_request(port: u16, method: &str, path: &str, body: &[u8]) -> S3Response {
    raw_request(
        port,
        method,
        path,
        &[("Authorization", &fake_authorization("s3"))],
        body,
    )
}

/// One HTTP/1.1 request on its own connection; the response is read to the end.
pub fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> S3Response {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connecting to moto");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("reading the response");
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> S3Response {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    if headers.get("transfer-encoding").map(String::as_str) == Some("chunked") {
        body = dechunk(&body);
    } else if let Some(length) = headers.get("content-length") {
        body.truncate(length.parse().unwrap());
    }
    S3Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&raw[..line_end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap();
        if size == 0 {
            return body;
        }
        body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
        raw = &raw[line_end + 4 + size..];
    }
}
