//! `guidesmith publish --to s3` end to end: the real binary against a real S3-protocol server
//! (moto) on 127.0.0.1, through a logging proxy that can go down after N requests. Objects
//! are read back over plain HTTP and compared with a local `build --release` of the same site.

mod common;
#[path = "support/s3_proxy.rs"]
mod s3_proxy;
#[path = "support/s3_server.rs"]
mod s3_server;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use s3_proxy::{Logged, S3Proxy};
use s3_server::{AccessKey, S3Server, s3_server};

/// Every test publishes under this prefix, which is also the fixture's base path (`/sub/`), so
/// a page's link `/sub/x/` is the key `sub/x/index.html`.
const PREFIX: &str = "sub";
const MANIFEST: &str = ".guidesmith-manifest.json";

/// Runs `guidesmith publish --to s3` into `bucket` under [`PREFIX`] with test credentials and
/// no other AWS setting from the environment.
fn publish_s3(root: &Path, endpoint: &str, bucket: &str, extra: &[&str]) -> Output {
    publish_s3_as(root, endpoint, bucket, extra, Some(("test", "test")))
}

fn publish_s3_as(
    root: &Path,
    endpoint: &str,
    bucket: &str,
    extra: &[&str],
    credentials: Option<(&str, &str)>,
) -> Output {
    publish_s3_command_as(root, endpoint, bucket, extra, credentials)
        .output()
        .expect("running guidesmith")
}

fn publish_s3_command(root: &Path, endpoint: &str, bucket: &str, extra: &[&str]) -> Command {
    publish_s3_command_as(root, endpoint, bucket, extra, Some(("test", "test")))
}

fn publish_s3_command_as(
    root: &Path,
    endpoint: &str,
    bucket: &str,
    extra: &[&str],
    credentials: Option<(&str, &str)>,
) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidesmith"));
    cmd.args(["publish", "--root", root.to_str().unwrap(), "--to", "s3"])
        .args(["--bucket", bucket, "--prefix", PREFIX])
        .args(["--endpoint", endpoint, "--region", "us-east-1"])
        .args(extra);
    for (name, _) in std::env::vars() {
        if name.starts_with("AWS_") {
            cmd.env_remove(name);
        }
    }
    // No profile of the machine's own ~/.aws is picked up; a test can point these elsewhere.
    cmd.env(
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/aws-credentials",
    )
    .env("AWS_CONFIG_FILE", "/nonexistent/aws-config");
    if let Some((id, secret)) = credentials {
        cmd.env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret);
    }
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "publish failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The fixture site with a guide nothing links to (so it can be removed), precompressed
/// copies, and no retries (a stopped server fails the publish at once).
fn site_v1(tmp: &Path) -> PathBuf {
    let root = tmp.join("site-v1");
    copy_dir(&fixture("basic"), &root);
    let mut toml = fs::read_to_string(root.join("site.toml")).unwrap();
    // No search index: its shards' names change with their content, which these exact
    // upload counts would have to follow (tests/search.rs covers the index).
    toml.push_str("\n[search]\nenabled = false\n");
    toml.push_str("\n[publish]\nprecompress = true\n\n[publish.s3]\nretries = 0\njobs = 4\n");
    fs::write(root.join("site.toml"), toml).unwrap();
    write_guide(&root, "old-notes", "Old notes", "archive");
    fs::create_dir_all(root.join("static/files")).unwrap();
    fs::write(
        root.join("static/files/notes~v2[1].pdf"),
        b"%PDF-1.4 not much\n",
    )
    .unwrap();
    root
}

fn write_guide(root: &Path, slug: &str, title: &str, tag: &str) {
    fs::write(
        root.join(format!("guides/{slug}.md")),
        format!(
            "---\ntitle: \"{title}\"\ndescription: \"About {title}.\"\ndate: 2026-01-05\ntags: [{tag}]\n---\n\n## {title}\n\nSome words about {title}.\n"
        ),
    )
    .unwrap();
}

/// One guide's text edited.
fn edit_alpha(root: &Path) {
    let path = root.join("guides/alpha.md");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("\nOne more closing sentence.\n");
    fs::write(path, text).unwrap();
}

/// Everything at once: a new style sheet (every page changes), a changed image, a new guide
/// with a new tag, a removed guide with its tag.
fn site_v2(tmp: &Path) -> PathBuf {
    let root = tmp.join("site-v2");
    copy_dir(&site_v1(&tmp.join("v2-base")), &root);
    let theme_css = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/style.css");
    let mut css = fs::read_to_string(theme_css).unwrap();
    css.push_str("\nmain { outline: 0; }\n");
    fs::write(root.join("static/style.css"), css).unwrap();
    let mut logo = fs::read_to_string(root.join("static/logo.svg")).unwrap();
    logo.push_str("<!-- v2 -->\n");
    fs::write(root.join("static/logo.svg"), logo).unwrap();
    fs::remove_file(root.join("guides/old-notes.md")).unwrap();
    write_guide(&root, "delta", "Delta", "fresh");
    edit_alpha(&root);
    root
}

/// The files of a local release build of `root` (path → bytes).
fn release_files(root: &Path, out: &Path) -> BTreeMap<String, Vec<u8>> {
    let built = guidesmith(&[
        "build",
        "--release",
        "--root",
        root.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{}", stderr(&built));
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy();
            (rel.replace('\\', "/"), fs::read(e.path()).unwrap())
        })
        .filter(|(p, _)| p != ".guidesmith-output")
        .collect()
}

/// The output paths under [`PREFIX`] in the bucket, the manifest left out.
fn published_paths(server: &S3Server, bucket: &str) -> BTreeSet<String> {
    server
        .list(bucket)
        .into_keys()
        .filter_map(|k| k.strip_prefix(&format!("{PREFIX}/")).map(str::to_string))
        .filter(|p| p != MANIFEST)
        .collect()
}

/// The bucket holds exactly `files` under the prefix, byte for byte.
fn assert_bucket_holds(server: &S3Server, bucket: &str, files: &BTreeMap<String, Vec<u8>>) {
    let expected: BTreeSet<String> = files.keys().cloned().collect();
    assert_eq!(published_paths(server, bucket), expected);
    assert!(expected.contains("files/notes~v2[1].pdf"));
    for (path, bytes) in files {
        let got = server.get_object(bucket, &format!("{PREFIX}/{path}"));
        assert_eq!(got.status, 200, "{path}");
        assert!(got.body == *bytes, "{path}: the bytes differ");
    }
}

/// The output path of each object a logged request wrote or deleted, with its method.
fn changes(log: &[Logged], bucket: &str) -> Vec<(String, String)> {
    log.iter()
        .filter(|r| r.changes_bucket())
        .map(|r| {
            let path = r
                .path
                .strip_prefix(&format!("/{bucket}/{PREFIX}/"))
                .unwrap_or_else(|| panic!("{} {} is outside the prefix", r.method, r.path));
            (r.method.clone(), percent_decode(path))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn paths_of<'a>(changes: &'a [(String, String)], method: &str) -> BTreeSet<&'a str> {
    changes
        .iter()
        .filter(|(m, _)| m == method)
        .map(|(_, p)| p.as_str())
        .collect()
}

/// Output paths added, changed and removed from `old` to `new`.
fn diff(
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let added = new
        .keys()
        .filter(|p| !old.contains_key(*p))
        .cloned()
        .collect();
    let changed = new
        .iter()
        .filter(|(p, b)| old.get(*p).is_some_and(|o| o != *b))
        .map(|(p, _)| p.clone())
        .collect();
    let removed = old
        .keys()
        .filter(|p| !new.contains_key(*p))
        .cloned()
        .collect();
    (added, changed, removed)
}

fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap();
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1].len() == 8
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The Content-Type a browser needs for each kind of file in the fixture's output.
fn expected_content_type(path: &str) -> &'static str {
    let original = path
        .strip_suffix(".gz")
        .or_else(|| path.strip_suffix(".br"))
        .unwrap_or(path);
    match original.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("xml") => "text/xml; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    }
}

#[test]
fn first_publish_uploads_every_file_with_its_headers_and_a_second_makes_no_put() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let files = release_files(&root, &tmp.path().join("out"));
    assert!(files.contains_key("index.html.gz") && files.keys().any(|p| p.ends_with(".css")));
    server.create_bucket("site");

    let out = ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert!(
        out.contains(&format!(
            "published to bucket site under sub: {} added, 0 changed, 0 removed",
            files.len()
        )),
        "{out}"
    );
    let log = proxy.take_log();
    let log = changes(&log, "site");
    let put = paths_of(&log, "PUT");
    let mut expected: BTreeSet<&str> = files.keys().map(String::as_str).collect();
    expected.insert(MANIFEST);
    assert_eq!(put, expected);
    assert_bucket_holds(&server, "site", &files);
    for path in files.keys() {
        let got = server.get_object("site", &format!("{PREFIX}/{path}"));
        assert_eq!(
            got.header("content-type"),
            Some(expected_content_type(path)),
            "{path}"
        );
        let cache = if is_fingerprinted(path) {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=60, must-revalidate"
        };
        assert_eq!(got.header("cache-control"), Some(cache), "{path}");
        let encoding = match path.rsplit_once('.').map(|(_, e)| e) {
            Some("gz") => Some("gzip"),
            Some("br") => Some("br"),
            _ => None,
        };
        assert_eq!(got.header("content-encoding"), encoding, "{path}");
    }
    let manifest = server.get_object("site", &format!("{PREFIX}/{MANIFEST}"));
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    assert_eq!(manifest["files"].as_object().unwrap().len(), files.len());

    let before = server.list("site");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert!(
        out.contains("bucket site under sub is already up to date"),
        "{out}"
    );
    let log = proxy.take_log();
    assert_eq!(changes(&log, "site"), Vec::<(String, String)>::new());
    assert_eq!(
        log.len(),
        1,
        "a publish with nothing changed reads the manifest and nothing else: {log:?}"
    );
    assert_eq!(server.list("site"), before, "ETag or LastModified moved");
}

#[test]
fn editing_one_guide_uploads_its_page_and_changed_listings_and_a_removed_guide_is_deleted() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let v1 = release_files(&root, &tmp.path().join("out1"));
    server.create_bucket("site");
    ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    proxy.take_log();

    edit_alpha(&root);
    let v2 = release_files(&root, &tmp.path().join("out2"));
    let (added, changed, removed) = diff(&v1, &v2);
    assert!(added.is_empty() && removed.is_empty());
    assert!(changed.contains("alpha/index.html") && !changed.contains("beta/index.html"));
    for path in &changed {
        let page = path.split(".html").next().unwrap();
        assert!(
            page == "alpha/index" || path.contains(".xml") || path.contains(".txt"),
            "editing alpha's text changed {path}"
        );
    }
    let out = ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert!(
        out.contains(&format!("0 added, {} changed, 0 removed", changed.len())),
        "{out}"
    );
    let log = changes(&proxy.take_log(), "site");
    let mut expected: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
    expected.insert(MANIFEST);
    assert_eq!(paths_of(&log, "PUT"), expected);
    assert!(paths_of(&log, "DELETE").is_empty());
    assert_bucket_holds(&server, "site", &v2);

    fs::remove_file(root.join("guides/old-notes.md")).unwrap();
    let v3 = release_files(&root, &tmp.path().join("out3"));
    let (_, changed, removed) = diff(&v2, &v3);
    assert!(
        removed.contains("old-notes/index.html") && removed.contains("tags/archive/index.html")
    );
    let out = ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert!(
        out.contains(&format!(
            "0 added, {} changed, {} removed",
            changed.len(),
            removed.len()
        )),
        "{out}"
    );
    let log = changes(&proxy.take_log(), "site");
    assert_eq!(
        paths_of(&log, "DELETE"),
        removed.iter().map(String::as_str).collect()
    );
    assert_bucket_holds(&server, "site", &v3);
    let manifest = server.get_object("site", &format!("{PREFIX}/{MANIFEST}"));
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    let listed: BTreeSet<String> = manifest["files"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert_eq!(listed, v3.keys().cloned().collect());
}

#[test]
fn max_deletes_stops_before_any_change_and_a_dry_run_changes_nothing() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let v1 = release_files(&root, &tmp.path().join("out1"));
    server.create_bucket("site");
    ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    proxy.take_log();
    let before = server.list("site");

    let v2_root = site_v2(tmp.path());
    let v2 = release_files(&v2_root, &tmp.path().join("out2"));
    let (added, changed, removed) = diff(&v1, &v2);
    assert!(removed.len() >= 4, "{removed:?}");

    let out = publish_s3(&v2_root, &proxy.endpoint(), "site", &["--max-deletes", "3"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).lines().next().unwrap(),
        format!(
            "error: publish --to s3: {} objects would be deleted from bucket site, more than --max-deletes 3; nothing was changed",
            removed.len()
        )
    );
    assert_eq!(changes(&proxy.take_log(), "site"), vec![]);
    assert_eq!(server.list("site"), before);

    let out = ok(publish_s3(
        &v2_root,
        &proxy.endpoint(),
        "site",
        &["--dry-run", "--max-deletes", "3"],
    ));
    let mut expected = String::new();
    for (sign, paths) in [('+', &added), ('~', &changed), ('-', &removed)] {
        for p in paths {
            expected.push_str(&format!("{sign} {p}\n"));
        }
    }
    expected.push_str(&format!(
        "Dry run: publishing to bucket site under sub would make {} added, {} changed, {} removed; nothing was changed\n",
        added.len(),
        changed.len(),
        removed.len()
    ));
    expected.push_str(&format!(
        "A publish would stop before changing anything: {} deletes are more than --max-deletes 3\n",
        removed.len()
    ));
    assert_eq!(out, expected);
    assert_eq!(changes(&proxy.take_log(), "site"), vec![]);
    assert_eq!(server.list("site"), before);
    assert_bucket_holds(&server, "site", &v1);

    let limit = removed.len().to_string();
    ok(publish_s3(
        &v2_root,
        &proxy.endpoint(),
        "site",
        &["--max-deletes", &limit],
    ));
    assert_bucket_holds(&server, "site", &v2);
}

/// The error a failed publish printed: one `error:` line and one `help:` line, exit code 1,
/// nothing that looks like a panic or a backtrace.
fn one_clear_error(out: &Output) -> String {
    let text = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("error: publish --to s3: "), "{text}");
    assert!(lines[1].starts_with("  help: "), "{text}");
    assert!(
        !text.contains("panicked") && !text.contains("Caused by"),
        "{text}"
    );
    lines[0].to_string()
}

#[test]
fn wrong_credentials_missing_ones_a_missing_bucket_and_denied_access_are_one_clear_error() {
    let Some(server) = s3_server() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let endpoint = server.endpoint();
    server.create_bucket("site");

    let reader_key0 = None::<(&str, &str)>;
    let _ = reader_key0;
    let out = publish_s3(&root, &endpoint, "no-such-bucket", &[]);
    assert_eq!(
        one_clear_error(&out),
        "error: publish --to s3: reading the manifest of bucket no-such-bucket failed: the bucket does not exist"
    );
    let out = publish_s3_as(&root, &endpoint, "site", &[], None);
    assert_eq!(
        one_clear_error(&out),
        "error: publish --to s3: no credentials for bucket site"
    );

    // Published once while moto takes any credentials: moto's signature check gets listings
    // under a prefix wrong, and with a manifest in the bucket publish does not list.
    ok(publish_s3(&root, &endpoint, "site", &[]));
    edit_alpha(&root);
    let (writer, reader) = server.require_signatures();
    let refused = "error: publish --to s3: reading the manifest of bucket site failed: the credentials were refused";
    let wrong_secret = Some((writer.id.as_str(), "not-the-secret"));
    let out = publish_s3_as(&root, &endpoint, "site", &[], wrong_secret);
    assert_eq!(one_clear_error(&out), refused);
    let unknown_key = Some(("AKIAUNKNOWNKEY000000", writer.secret.as_str()));
    let out = publish_s3_as(&root, &endpoint, "site", &[], unknown_key);
    assert_eq!(one_clear_error(&out), refused);

    let writer_key = Some((writer.id.as_str(), writer.secret.as_str()));
    let out = publish_s3_as(&root, &endpoint, "site", &[], writer_key);
    assert!(out.status.success(), "{}", stderr(&out));

    fs::remove_file(root.join("guides/old-notes.md")).unwrap();
    let reader_key = Some((reader.id.as_str(), reader.secret.as_str()));
    let out = publish_s3_as(&root, &endpoint, "site", &[], reader_key);
    let error = one_clear_error(&out);
    assert!(
        error.starts_with("error: publish --to s3: uploading ")
            && error.ends_with(" to bucket site failed: access denied"),
        "{error}"
    );
}

/// Pages in the bucket whose links, styles, scripts or images name a key that is not there.
/// A link from a page new in this publish to another new page or feed is allowed: until the
/// pages that were there before are replaced, nothing links to either. Assets must be there.
fn broken_references(
    server: &S3Server,
    bucket: &str,
    new_documents: &BTreeSet<String>,
) -> Vec<String> {
    let present = published_paths(server, bucket);
    let mut broken = Vec::new();
    for page in present.iter().filter(|p| p.ends_with(".html")) {
        let got = server.get_object(bucket, &format!("{PREFIX}/{page}"));
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(&got.body));
        for el in doc.select(&sel("a[href], link[href], script[src], img[src]")) {
            let url = el.value().attr("href").or(el.value().attr("src")).unwrap();
            let path = url.split(['#', '?']).next().unwrap();
            let Some(rest) = path.strip_prefix(&format!("/{PREFIX}/")) else {
                continue;
            };
            let target = if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            };
            let between_new = new_documents.contains(page) && new_documents.contains(&target);
            if !present.contains(&target) && !between_new {
                broken.push(format!("{page}: {url} (no {target})"));
            }
        }
    }
    broken
}

/// The upload stage of each bucket-changing request, in the order publish must keep:
/// manifest, assets, new pages and listings, changed pages, changed listings, manifest,
/// deleted pages and listings, deleted assets, manifest.
fn stage(method: &str, path: &str, added: &BTreeSet<String>, manifests_seen: &mut usize) -> usize {
    let original = path
        .strip_suffix(".gz")
        .or_else(|| path.strip_suffix(".br"))
        .unwrap_or(path);
    let is_page = original.ends_with(".html");
    let is_listing = original.ends_with(".xml") || original.ends_with(".txt");
    match (method, path) {
        ("PUT", MANIFEST) => {
            *manifests_seen += 1;
            [0, 5, 8][(*manifests_seen - 1).min(2)]
        }
        ("PUT", _) if (is_page || is_listing) && added.contains(path) => 2,
        ("PUT", _) if is_page => 3,
        ("PUT", _) if is_listing => 4,
        ("PUT", _) => 1,
        ("DELETE", _) if is_page || is_listing => 6,
        ("DELETE", _) => 7,
        _ => panic!("unexpected {method} {path}"),
    }
}

#[test]
fn uploads_run_in_order_and_a_publish_stopped_after_n_requests_leaves_every_page_whole() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let v1_root = site_v1(tmp.path());
    let v2_root = site_v2(tmp.path());
    let v1 = release_files(&v1_root, &tmp.path().join("out1"));
    let v2 = release_files(&v2_root, &tmp.path().join("out2"));
    let (added, changed, removed) = diff(&v1, &v2);
    let documents = |paths: &BTreeSet<String>| -> BTreeSet<String> {
        let is_document = |p: &str| [".html", ".xml", ".txt"].iter().any(|e| p.ends_with(e));
        paths.iter().filter(|p| is_document(p)).cloned().collect()
    };
    let pages = |paths: &BTreeSet<String>| -> BTreeSet<String> {
        paths
            .iter()
            .filter(|p| p.ends_with(".html"))
            .cloned()
            .collect()
    };
    assert!(
        pages(&added).len() >= 2 && pages(&removed).len() >= 2,
        "{added:?} {removed:?}"
    );
    assert!(removed.iter().any(|p| p.ends_with(".css")) && changed.contains("index.html"));

    // An uninterrupted publish: every stage present, in order.
    server.create_bucket("ordered");
    ok(publish_s3(&v1_root, &proxy.endpoint(), "ordered", &[]));
    proxy.take_log();
    let first_publish_total = proxy.take_changing_count();
    ok(publish_s3(&v2_root, &proxy.endpoint(), "ordered", &[]));
    let requests_to_finish = proxy.take_changing_count();
    let log = changes(&proxy.take_log(), "ordered");
    let mut manifests = 0;
    let stages: Vec<usize> = log
        .iter()
        .map(|(m, p)| stage(m, p, &added, &mut manifests))
        .collect();
    assert_eq!(
        stages.iter().copied().collect::<BTreeSet<_>>(),
        (0..=8).collect(),
        "{log:?}"
    );
    assert!(stages.is_sorted(), "out of order: {log:?}");
    assert_bucket_holds(&server, "ordered", &v2);

    // Stopped after N bucket-changing requests, for several N: the first publish into an empty
    // bucket, then the big change over v1. N is random (GUIDESMITH_FAULT_SEED repeats a run).
    let seed = std::env::var("GUIDESMITH_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = Rng(seed);
    let runs = [
        (rng.below(first_publish_total), false),
        (rng.below(requests_to_finish), true),
        (rng.below(requests_to_finish), true),
        (rng.below(requests_to_finish), true),
        // Among the deletes: pages gone, assets not yet; then just before the last manifest.
        (requests_to_finish - 2, true),
        (requests_to_finish - 1, true),
    ];
    let killed_after = 1 + rng.below(requests_to_finish - 1);
    for (run, (n, over_v1)) in runs.into_iter().enumerate() {
        let bucket = format!("fault-{run}");
        server.create_bucket(&bucket);
        let new_documents = if over_v1 {
            ok(publish_s3(&v1_root, &proxy.endpoint(), &bucket, &[]));
            documents(&added)
        } else {
            documents(&v1.keys().cloned().collect())
        };
        let (root, files) = if over_v1 {
            (&v2_root, &v2)
        } else {
            (&v1_root, &v1)
        };
        proxy.go_down_after(n);
        let out = publish_s3(root, &proxy.endpoint(), &bucket, &[]);
        let at = format!("run {run}, stopped after {n} requests, GUIDESMITH_FAULT_SEED={seed}");
        assert!(!out.status.success(), "{at}: the publish went through");
        let error = one_clear_error(&out);
        assert!(
            error.contains(&format!(
                "bucket {bucket} failed: no answer from the server ("
            )),
            "{at}: {error}"
        );
        let broken = broken_references(&server, &bucket, &new_documents);
        assert_eq!(broken, Vec::<String>::new(), "{at}");
        eprintln!("{at}: {error}");

        proxy.heal();
        ok(publish_s3(root, &proxy.endpoint(), &bucket, &[]));
        assert_bucket_holds(&server, &bucket, files);
        proxy.take_log();
        ok(publish_s3(root, &proxy.endpoint(), &bucket, &[]));
        assert_eq!(changes(&proxy.take_log(), &bucket), vec![], "{at}");
    }

    // Killed (SIGKILL, by its pid) while a request hangs: the same as a lost server.
    let bucket = "killed";
    server.create_bucket(bucket);
    ok(publish_s3(&v1_root, &proxy.endpoint(), bucket, &[]));
    proxy.hang_after(killed_after);
    let mut child = publish_s3_command(&v2_root, &proxy.endpoint(), bucket, &[])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while proxy.held() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no request reached the proxy"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "publish ended before it hung"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    proxy.heal();
    let at = format!("killed after {killed_after} requests, GUIDESMITH_FAULT_SEED={seed}");
    let broken = broken_references(&server, bucket, &documents(&added));
    assert_eq!(broken, Vec::<String>::new(), "{at}");
    let present = published_paths(&server, bucket);
    let v2_up = added.iter().filter(|p| present.contains(*p)).count();
    eprintln!("{at}: {v2_up} of {} new keys were up", added.len());
    ok(publish_s3(&v2_root, &proxy.endpoint(), bucket, &[]));
    assert_bucket_holds(&server, bucket, &v2);
}

#[test]
fn objects_outside_the_prefix_and_foreign_ones_inside_it_are_untouched() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let v1_root = site_v1(tmp.path());
    let v2_root = site_v2(tmp.path());
    let v2 = release_files(&v2_root, &tmp.path().join("out2"));
    server.create_bucket("shared");
    let foreign = [
        ("index.html", "the bucket's own front page"),
        ("other/index.html", "another site"),
        ("subway/style.css", "a prefix that starts like ours"),
        ("sub-notes.txt", "a key that starts like ours"),
        (
            "sub/uploads/report.pdf",
            "a file someone put inside our prefix",
        ),
    ];
    for (key, text) in foreign {
        server.put_object("shared", key, text.as_bytes());
    }
    let listed_before = server.list("shared");

    ok(publish_s3(&v1_root, &proxy.endpoint(), "shared", &[]));
    ok(publish_s3(&v2_root, &proxy.endpoint(), "shared", &[]));
    let log = proxy.take_log();
    let changed_keys: Vec<String> = changes(&log, "shared")
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    assert!(!changed_keys.iter().any(|p| p == "uploads/report.pdf"));

    let listed_after = server.list("shared");
    for (key, text) in foreign {
        assert_eq!(listed_after.get(key), listed_before.get(key), "{key}");
        assert_eq!(
            server.get_object("shared", key).body,
            text.as_bytes(),
            "{key}"
        );
    }
    let mut expected: BTreeSet<String> = v2.keys().cloned().collect();
    expected.insert("uploads/report.pdf".to_string());
    assert_eq!(published_paths(&server, "shared"), expected);
}

#[test]
fn throttled_requests_are_retried_and_a_failure_after_the_retries_says_what_the_server_said() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let files = release_files(&root, &tmp.path().join("out"));
    server.create_bucket("site");

    proxy.slow_down_next(1);
    let out = publish_s3(&root, &proxy.endpoint(), "site", &[]);
    assert_eq!(
        one_clear_error(&out),
        "error: publish --to s3: uploading .guidesmith-manifest.json to bucket site failed: the server answered 503 Service Unavailable (SlowDown)"
    );

    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(
        root.join("site.toml"),
        toml.replace("retries = 0", "retries = 3"),
    )
    .unwrap();
    proxy.slow_down_next(3);
    ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert_eq!(proxy.slow_downs_left(), 0);
    assert_bucket_holds(&server, "site", &files);
}

#[test]
fn a_bucket_without_a_manifest_is_diffed_by_listing_and_nothing_is_deleted() {
    let Some(server) = s3_server() else { return };
    let proxy = S3Proxy::start(server.port);
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let v1 = release_files(&root, &tmp.path().join("out1"));
    server.create_bucket("site");
    ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    let manifest_key = format!("/site/{PREFIX}/{MANIFEST}");
    let r = s3_server::s3_request(server.port, "DELETE", &manifest_key, b"");
    assert_eq!(r.status, 204);
    let extra = b"someone else's page";
    server.put_object("site", &format!("{PREFIX}/extra.html"), extra);
    // The same bytes, uploaded by another tool without the right headers.
    server.put_object_with(
        "site",
        &format!("{PREFIX}/beta/index.html"),
        &v1["beta/index.html"],
        &[("Content-Type", "binary/octet-stream")],
    );

    edit_alpha(&root);
    let v2 = release_files(&root, &tmp.path().join("out2"));
    let (_, changed, _) = diff(&v1, &v2);
    proxy.take_log();
    let out = ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    let summary = format!("0 added, {} changed, 0 removed", changed.len() + 1);
    assert!(out.contains(&summary), "{out}");
    let log = changes(&proxy.take_log(), "site");
    let mut expected: BTreeSet<&str> = changed.iter().map(String::as_str).collect();
    expected.insert(MANIFEST);
    expected.insert("beta/index.html");
    assert_eq!(paths_of(&log, "PUT"), expected);
    assert!(paths_of(&log, "DELETE").is_empty());
    let beta = server.get_object("site", &format!("{PREFIX}/beta/index.html"));
    assert_eq!(
        beta.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let mut holds = v2.clone();
    holds.insert("extra.html".into(), extra.to_vec());
    assert_bucket_holds(&server, "site", &holds);

    proxy.take_log();
    ok(publish_s3(&root, &proxy.endpoint(), "site", &[]));
    assert_eq!(changes(&proxy.take_log(), "site"), vec![]);
}

#[test]
fn settings_come_from_publish_s3_in_site_toml_and_credentials_are_refused_there() {
    let Some(server) = s3_server() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let files = release_files(&root, &tmp.path().join("out"));
    server.create_bucket("from-toml");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let settings = format!(
        "[publish.s3]\nbucket = \"from-toml\"\nprefix = \"{PREFIX}/\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n",
        server.endpoint()
    );
    let rules = "\n[[publish.s3.headers]]\npattern = \"files/*.pdf\"\ncache_control = \"no-store\"\n\n[[publish.s3.headers]]\npattern = \"atom.xml\"\ncontent_type = \"application/atom+xml; charset=utf-8\"\n";
    let toml = toml.replace("[publish.s3]\n", &settings) + rules;
    fs::write(root.join("site.toml"), toml).unwrap();
    let publish = |root: &Path| {
        Command::new(env!("CARGO_BIN_EXE_guidesmith"))
            .args(["publish", "--root", root.to_str().unwrap(), "--to", "s3"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env_remove("AWS_ENDPOINT")
            .env_remove("AWS_REGION")
            .output()
            .unwrap()
    };
    let out = ok(publish(&root));
    assert!(
        out.contains("published to bucket from-toml under sub: "),
        "{out}"
    );
    let header = |key: &str, name: &str| {
        let got = server.get_object("from-toml", &format!("{PREFIX}/{key}"));
        got.header(name).map(str::to_string)
    };
    let pdf = "files/notes~v2[1].pdf";
    assert_eq!(header(pdf, "cache-control").as_deref(), Some("no-store"));
    assert_eq!(
        header(pdf, "content-type").as_deref(),
        Some("application/pdf")
    );
    let feed_type = header("atom.xml", "content-type");
    assert_eq!(
        feed_type.as_deref(),
        Some("application/atom+xml; charset=utf-8")
    );
    let feed_gz_type = header("atom.xml.gz", "content-type");
    assert_eq!(feed_gz_type.as_deref(), feed_type.as_deref());
    assert_bucket_holds(&server, "from-toml", &files);

    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let line = toml.lines().position(|l| l == "[publish.s3]").unwrap() + 2;
    let with_secret = toml.replace(
        "[publish.s3]\n",
        "[publish.s3]\naws_secret_access_key = \"do-not-keep-me-here\"\n",
    );
    fs::write(root.join("site.toml"), with_secret).unwrap();
    let out = publish(&root);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(&format!(
            "site.toml:{line}:1: error: unknown key `aws_secret_access_key`\n"
        )),
        "{}",
        stderr(&out)
    );
}

/// A purge endpoint on 127.0.0.1: records each POST's Authorization header and JSON body and
/// answers with `status`.
struct PurgeEndpoint {
    url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>,
}

fn purge_endpoint(status: &'static str) -> PurgeEndpoint {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/purge", listener.local_addr().unwrap());
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = std::sync::Arc::clone(&received);
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut length, mut auth) = (0, String::new());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.trim().parse().unwrap(),
                    "authorization" => auth = value.trim().to_string(),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock()
                .unwrap()
                .push((auth, serde_json::from_slice(&body).unwrap()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
        }
    });
    PurgeEndpoint { url, received }
}

/// What a CDN must forget between two outputs: every changed or removed file under `base`, a
/// page also as its folder, and no `.gz`/`.br` (served under the plain file's URL).
fn changed_urls(
    v1: &BTreeMap<String, Vec<u8>>,
    v2: &BTreeMap<String, Vec<u8>>,
    base: &str,
) -> BTreeSet<String> {
    let (_, changed, removed) = diff(v1, v2);
    let mut urls = BTreeSet::new();
    for path in changed.iter().chain(&removed) {
        if path.ends_with(".gz") || path.ends_with(".br") {
            continue;
        }
        urls.insert(format!("{base}{path}"));
        if let Some(folder) = path.strip_suffix("index.html") {
            urls.insert(format!("{base}{folder}"));
        }
    }
    urls
}

#[test]
fn a_purge_url_gets_exactly_the_changed_and_removed_urls_after_the_upload() {
    let Some(server) = s3_server() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let v1 = release_files(&root, &tmp.path().join("out1"));
    server.create_bucket("site");
    let endpoint = purge_endpoint("200 OK");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let with_purge = format!("[publish.s3]\npurge_url = \"{}\"\n", endpoint.url);
    fs::write(
        root.join("site.toml"),
        toml.replace("[publish.s3]\n", &with_purge),
    )
    .unwrap();
    let publish = |root: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidesmith"));
        cmd.args(["publish", "--root", root.to_str().unwrap(), "--to", "s3"])
            .args(["--bucket", "site", "--prefix", PREFIX, "--endpoint"])
            .args([&server.endpoint(), "--region", "us-east-1"])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("GUIDESMITH_PURGE_TOKEN", "purge-secret");
        cmd.output().unwrap()
    };
    ok(publish(&root));
    assert!(
        endpoint.received.lock().unwrap().is_empty(),
        "a first publish changes no URL that was served"
    );

    edit_alpha(&root);
    fs::remove_file(root.join("guides/old-notes.md")).unwrap();
    let v2 = release_files(&root, &tmp.path().join("out2"));
    let expected = changed_urls(&v1, &v2, "https://example.org/sub/");
    assert!(expected.contains("https://example.org/sub/alpha/"));
    assert!(expected.contains("https://example.org/sub/old-notes/"));
    ok(publish(&root));
    assert_bucket_holds(&server, "site", &v2);
    let received = endpoint.received.lock().unwrap().clone();
    let mut purged = BTreeSet::new();
    for (auth, body) in &received {
        assert_eq!(auth, "Bearer purge-secret");
        let files = body["files"].as_array().unwrap();
        assert!(files.len() <= 30, "{}", files.len());
        purged.extend(files.iter().map(|f| f.as_str().unwrap().to_string()));
    }
    assert_eq!(purged, expected);

    ok(publish(&root));
    assert_eq!(endpoint.received.lock().unwrap().len(), received.len());

    let refusing = purge_endpoint("403 Forbidden");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    fs::write(
        root.join("site.toml"),
        toml.replace(&endpoint.url, &refusing.url),
    )
    .unwrap();
    edit_alpha(&root);
    let v3 = release_files(&root, &tmp.path().join("out3"));
    let out = publish(&root);
    let error = one_clear_error(&out);
    assert!(
        error.starts_with("error: publish --to s3: the bucket is up to date, but purging ")
            && error.ends_with(&format!(
                "URLs at {} failed: the server answered 403 Forbidden",
                refusing.url
            )),
        "{error}"
    );
    assert_bucket_holds(&server, "site", &v3);
}

#[test]
fn s3_flags_with_another_target_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let target = tmp.path().join("deploy");
    let out = guidesmith(&[
        "publish",
        "--root",
        root.to_str().unwrap(),
        "--to",
        "dir",
        target.to_str().unwrap(),
        "--max-deletes",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "error: --max-deletes is for publish --to s3 only\n  help: remove it, or publish with --to s3\n"
    );
    assert!(!target.exists());
}

#[test]
fn credentials_come_from_the_profile_aws_profile_names_in_the_shared_files() {
    let Some(server) = s3_server() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let endpoint = server.endpoint();
    server.create_bucket("site");
    // Published once while moto takes any credentials (see the credentials test above).
    ok(publish_s3(&root, &endpoint, "site", &[]));
    edit_alpha(&root);
    let (writer, _) = server.require_signatures();

    let home = tmp.path().join("home");
    fs::create_dir_all(home.join(".aws")).unwrap();
    fs::write(
        home.join(".aws/credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = not-the-secret\n\n[site]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            writer.id, writer.id, writer.secret
        ),
    )
    .unwrap();
    fs::write(
        home.join(".aws/config"),
        "[profile ci]\nregion = us-east-1\n",
    )
    .unwrap();
    let with_home = |profile: Option<&str>| {
        let mut cmd = publish_s3_command_as(&root, &endpoint, "site", &[], None);
        cmd.env("HOME", &home)
            .env_remove("AWS_SHARED_CREDENTIALS_FILE")
            .env_remove("AWS_CONFIG_FILE");
        if let Some(profile) = profile {
            cmd.env("AWS_PROFILE", profile);
        }
        cmd.output().unwrap()
    };

    let out = ok(with_home(Some("site")));
    assert!(out.contains(": 0 added, 3 changed, 0 removed"), "{out}");
    // Without AWS_PROFILE the default profile signs, and its secret is wrong.
    assert_eq!(
        one_clear_error(&with_home(None)),
        "error: publish --to s3: reading the manifest of bucket site failed: the credentials were refused"
    );
    let error = one_clear_error(&with_home(Some("prod")));
    assert!(
        error.starts_with(
            "error: publish --to s3: AWS_PROFILE names profile prod, which is not in "
        ) && error.contains(".aws/credentials or "),
        "{error}"
    );
    let out = with_home(Some("prod"));
    assert!(
        stderr(&out).contains("help: the profiles there are: ci, default, site"),
        "{}",
        stderr(&out)
    );

    // AWS_SHARED_CREDENTIALS_FILE replaces ~/.aws/credentials.
    let elsewhere = tmp.path().join("ci-credentials");
    fs::write(
        &elsewhere,
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            writer.id, writer.secret
        ),
    )
    .unwrap();
    let out = publish_s3_command_as(&root, &endpoint, "site", &[], None)
        .env("HOME", &home)
        .env("AWS_SHARED_CREDENTIALS_FILE", &elsewhere)
        .output()
        .unwrap();
    assert!(ok(out).contains("is already up to date"));
}

#[test]
fn a_cloudfront_distribution_gets_one_signed_invalidation_of_exactly_the_changed_paths() {
    let Some(server) = s3_server() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let root = site_v1(tmp.path());
    let v1 = release_files(&root, &tmp.path().join("out1"));
    server.create_bucket("site");
    let distribution = server.create_distribution("site");
    let toml = fs::read_to_string(root.join("site.toml")).unwrap();
    let with_cdn = format!("[publish.s3]\ncloudfront_distribution = \"{distribution}\"\n");
    fs::write(
        root.join("site.toml"),
        toml.replace("[publish.s3]\n", &with_cdn),
    )
    .unwrap();
    let allowed = server.iam_user("cdn", r#"["s3:*","cloudfront:CreateInvalidation"]"#);
    let s3_only = server.iam_user("s3-only", r#"["s3:*"]"#);
    let publish = |key: &AccessKey| {
        publish_s3_command_as(
            &root,
            &server.endpoint(),
            "site",
            &[],
            Some((&key.id, &key.secret)),
        )
        .env("AWS_ENDPOINT_URL_CLOUDFRONT", server.endpoint())
        .output()
        .unwrap()
    };
    ok(publish(&allowed));
    assert!(
        server.invalidations(&distribution).is_empty(),
        "a first publish changes no path that was served"
    );

    edit_alpha(&root);
    fs::remove_file(root.join("guides/old-notes.md")).unwrap();
    let v2 = release_files(&root, &tmp.path().join("out2"));
    let expected: Vec<String> = changed_urls(&v1, &v2, "/sub/").into_iter().collect();
    assert!(
        expected.contains(&"/sub/alpha/".to_string()),
        "{expected:?}"
    );
    assert!(expected.contains(&"/sub/old-notes/index.html".to_string()));
    // Published with signatures checked (moto takes any before this), so a request that is
    // not signed right for CloudFront is refused.
    server.set_signature_checks(true);
    ok(publish(&allowed));
    edit_alpha(&root);
    let denied = publish(&s3_only);
    server.set_signature_checks(false);
    let mut invalidations = server.invalidations(&distribution);
    assert_eq!(invalidations.len(), 1, "{invalidations:?}");
    invalidations[0].sort();
    assert_eq!(invalidations[0], expected);

    let error = one_clear_error(&denied);
    assert!(
        error.starts_with("error: publish --to s3: the bucket is up to date, but invalidating ")
            && error.contains(&format!(
                " paths of CloudFront distribution {distribution} failed: the server answered 403 Forbidden"
            )),
        "{error}"
    );
}
