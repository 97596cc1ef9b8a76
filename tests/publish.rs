//! `guidesmith publish` and `build --release` end to end (issue 5): the real binary, real git
//! with file:// remotes, a real HTTP server on 127.0.0.1 serving a sub-path build.

mod common;
#[path = "support/http_client.rs"]
mod http_client;
#[path = "support/static_server.rs"]
mod static_server;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use http_client::get;
use static_server::StaticServer;

/// Git and guidesmith see no system or user config, so the tests behave alike everywhere.
fn hermetic(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
}

/// Runs git with a test identity in `dir`; panics with stderr on failure.
fn git(dir: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("git");
    hermetic(&mut cmd)
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.org")
        .env("GIT_COMMITTER_NAME", "Tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.org");
    let out = cmd.output().expect("running git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs guidesmith with no git identity at all (it must fall back to its own).
fn run(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_guidesmith"));
    hermetic(&mut cmd)
        .args(args)
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env_remove("EMAIL");
    cmd.output().expect("running guidesmith")
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "guidesmith failed:\n{}", stderr(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The files of `branch` in the bare repository `repo` (path → bytes).
fn branch_tree(repo: &Path, branch: &str) -> BTreeMap<String, Vec<u8>> {
    git(repo, &["ls-tree", "-r", "--name-only", "-z", branch])
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let out = Command::new("git")
                .current_dir(repo)
                .args(["cat-file", "blob", &format!("{branch}:{p}")])
                .output()
                .unwrap();
            (p.to_string(), out.stdout)
        })
        .collect()
}

fn release_build(root: &Path, out: &Path, base_url: &str) -> BTreeMap<String, Vec<u8>> {
    ok(run(&[
        "build",
        "--release",
        "--root",
        s(root),
        "--output",
        s(out),
        "--base-url",
        base_url,
    ]));
    output_files(out)
}

/// A fixture site in a git repository of its own, with one commit; returns its HEAD.
fn site_repo(root: &Path) -> String {
    git(root, &["init", "-q"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "site"]);
    git(root, &["rev-parse", "HEAD"]).trim().to_string()
}

fn bare_remote(tmp: &Path) -> (PathBuf, String) {
    let repo = tmp.join("remote.git");
    git(tmp, &["init", "-q", "--bare", s(&repo)]);
    let url = format!("file://{}", repo.display());
    (repo, url)
}

fn publish_git(root: &Path, url: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "publish",
        "--root",
        s(root),
        "--to",
        "git",
        "--remote",
        url,
        "--branch",
        "gh-pages",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn append(path: &Path, text: &str) {
    let mut t = fs::read_to_string(path).unwrap();
    t.push_str(text);
    fs::write(path, t).unwrap();
}

#[test]
fn publish_to_a_bare_repository_keeps_history_and_changes_only_what_changed() {
    let (tmp, root) = site_copy("basic");
    let source = site_repo(&root);
    let (repo, url) = bare_remote(tmp.path());

    let dry = ok(publish_git(&root, &url, &["--dry-run"]));
    assert!(
        dry.contains("+ index.html\n") && dry.contains("nothing was changed"),
        "{dry}"
    );
    assert_eq!(
        git(&repo, &["branch", "--list"]),
        "",
        "a dry run pushes nothing"
    );

    let first_out = ok(publish_git(&root, &url, &[]));
    assert!(
        first_out.contains("published to branch gh-pages"),
        "{first_out}"
    );
    let first = release_build(&root, &tmp.path().join("out1"), "https://example.org/sub/");
    assert_eq!(
        branch_tree(&repo, "gh-pages"),
        first,
        "the branch's tree is the release output"
    );
    assert!(first.contains_key(".nojekyll") && first.contains_key("_headers"));
    let tip1 = git(&repo, &["rev-parse", "gh-pages"]).trim().to_string();
    let message = git(&repo, &["log", "-1", "--format=%B%n%an", "gh-pages"]);
    assert!(
        message.starts_with(&format!("Publish Fixture <Guides> from {}", &source[..12])),
        "{message}"
    );
    assert!(
        message.contains(&format!("Source-commit: {source}\n"))
            && message.contains("Published-by: guidesmith"),
        "{message}"
    );
    assert!(
        message.trim_end().ends_with("guidesmith"),
        "falls back to its own identity: {message}"
    );

    let again = ok(publish_git(&root, &url, &[]));
    assert!(again.contains("already up to date"), "{again}");
    assert_eq!(
        git(&repo, &["rev-parse", "gh-pages"]).trim(),
        tip1,
        "nothing to publish, no commit"
    );

    append(
        &root.join("guides/beta.md"),
        "\nOne more sentence for the second publish.\n",
    );
    let second = release_build(&root, &tmp.path().join("out2"), "https://example.org/sub/");
    ok(publish_git(&root, &url, &[]));
    assert_eq!(branch_tree(&repo, "gh-pages"), second);
    assert_eq!(
        git(&repo, &["rev-list", "--count", "gh-pages"]).trim(),
        "2",
        "history is kept"
    );
    assert_eq!(git(&repo, &["rev-parse", "gh-pages^"]).trim(), tip1);
    let changed: BTreeSet<String> = git(&repo, &["diff", "--name-only", "gh-pages^", "gh-pages"])
        .lines()
        .map(str::to_string)
        .collect();
    // Changed, added and (the search shard whose hash changed) removed files.
    let expected: BTreeSet<String> = second
        .iter()
        .filter(|(p, b)| first.get(*p) != Some(*b))
        .map(|(p, _)| p.clone())
        .chain(first.keys().filter(|p| !second.contains_key(*p)).cloned())
        .collect();
    assert!(changed.contains("beta/index.html"), "{changed:?}");
    assert_eq!(
        changed, expected,
        "the commit changes exactly the files whose bytes changed"
    );
    assert!(
        !changed
            .iter()
            .any(|p| p.ends_with(".css") || p.ends_with(".js")),
        "{changed:?}"
    );
}

#[test]
fn a_foreign_commit_on_the_branch_stops_the_push_with_nothing_lost() {
    let (tmp, root) = site_copy("basic");
    let (repo, url) = bare_remote(tmp.path());
    ok(publish_git(&root, &url, &[]));
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        &["clone", "-q", "--branch", "gh-pages", &url, s(&clone)],
    );
    fs::write(clone.join("by-hand.txt"), "someone else's work").unwrap();
    git(&clone, &["add", "by-hand.txt"]);
    git(&clone, &["commit", "-q", "-m", "Add a file by hand"]);
    git(&clone, &["push", "-q", "origin", "gh-pages"]);
    let foreign = git(&repo, &["rev-parse", "gh-pages"]);

    append(
        &root.join("guides/beta.md"),
        "\nChanged after the foreign commit.\n",
    );
    let out = publish_git(&root, &url, &[]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: branch gh-pages of {url} has a commit guidesmith did not make ("
        )) && err.contains("Add a file by hand); nothing was published"),
        "{err}"
    );
    assert_eq!(
        git(&repo, &["rev-parse", "gh-pages"]),
        foreign,
        "the remote branch is untouched"
    );
    assert_eq!(
        git(&repo, &["show", "gh-pages:by-hand.txt"]),
        "someone else's work"
    );

    ok(publish_git(&root, &url, &["--accept-remote-changes"]));
    assert_eq!(
        git(&repo, &["rev-parse", "gh-pages^"]),
        foreign,
        "accepted: published on top, the foreign commit stays in history"
    );
}

#[test]
fn a_broken_link_in_the_output_fails_the_publish_and_nothing_is_pushed() {
    let (tmp, root) = site_copy("basic");
    let (repo, url) = bare_remote(tmp.path());
    // Links the source-level check cannot see: a static page and a template.
    fs::write(
        root.join("static/about.html"),
        "<!doctype html><title>About</title><a href=\"/sub/nowhere/\">x</a>",
    )
    .unwrap();
    let guide = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/guide.html"),
    )
    .unwrap();
    let templates = root.join("themes/default/templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("guide.html"),
        guide.replace(
            "{% endblock content %}",
            "<a href=\"#no-such-id\">x</a>{% endblock content %}",
        ),
    )
    .unwrap();

    let out = publish_git(&root, &url, &[]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        "error: the output check found 3 problems; nothing was written or published
  about.html: broken link `/sub/nowhere/`: no file `nowhere/` in the output
  alpha/index.html: broken anchor `#no-such-id`: `alpha/index.html` has no id `no-such-id` (page of guides/alpha.md)
  beta/index.html: broken anchor `#no-such-id`: `beta/index.html` has no id `no-such-id` (page of guides/beta.md)
  help: fix the links in the guides, templates or static files named above, then run the command again
"
    );
    assert_eq!(git(&repo, &["branch", "--list"]), "", "nothing was pushed");

    let target = tmp.path().join("deploy");
    assert!(
        !run(&["publish", "--root", s(&root), "--to", "dir", s(&target)])
            .status
            .success()
    );
    assert!(!target.exists(), "nothing was written");
    let out = tmp.path().join("out");
    assert!(
        !run(&[
            "build",
            "--release",
            "--root",
            s(&root),
            "--output",
            s(&out)
        ])
        .status
        .success()
    );
    assert!(!out.exists(), "build --release checks too");
}

#[test]
fn publish_to_a_folder_leaves_unrelated_files_alone() {
    let (tmp, root) = site_copy("basic");
    let target = tmp.path().join("www");
    fs::create_dir_all(target.join("notes")).unwrap();
    fs::write(target.join("notes/todo.txt"), "mine").unwrap();
    fs::write(target.join("README"), "also mine").unwrap();

    let out = ok(run(&[
        "publish",
        "--root",
        s(&root),
        "--to",
        "dir",
        s(&target),
    ]));
    assert!(out.contains("0 changed, 0 removed"), "{out}");
    let release = release_build(&root, &tmp.path().join("out"), "https://example.org/sub/");
    let mut published = output_files(&target);
    assert_eq!(published.remove("notes/todo.txt").unwrap(), b"mine");
    assert_eq!(published.remove("README").unwrap(), b"also mine");
    assert!(published.remove(".guidesmith-manifest").is_some());
    assert_eq!(published, release);

    // Beta goes away: its page is removed, the other files stay.
    fs::remove_file(root.join("guides/beta.md")).unwrap();
    let alpha = root.join("guides/alpha.md");
    let text = fs::read_to_string(&alpha).unwrap();
    fs::write(
        &alpha,
        text.replace("(/beta/#faq-when)", "(/alpha/)")
            .replace("(/beta/)", "(/alpha/)"),
    )
    .unwrap();
    let dry = ok(run(&[
        "publish",
        "--root",
        s(&root),
        "--to",
        "dir",
        s(&target),
        "--dry-run",
    ]));
    assert!(
        dry.contains("- beta/index.html\n") && dry.contains("~ alpha/index.html\n"),
        "{dry}"
    );
    assert!(
        target.join("beta/index.html").is_file(),
        "a dry run changes nothing"
    );
    ok(run(&[
        "publish",
        "--root",
        s(&root),
        "--to",
        "dir",
        s(&target),
    ]));
    assert!(!target.join("beta").exists());
    assert_eq!(
        fs::read_to_string(target.join("notes/todo.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        fs::read_to_string(target.join("README")).unwrap(),
        "also mine"
    );

    // A file in the way that publish did not write is never overwritten.
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("index.html"), "not guidesmith's").unwrap();
    let out = run(&["publish", "--root", s(&root), "--to", "dir", s(&other)]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("refusing to overwrite files that guidesmith publish did not write"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(other.join("index.html")).unwrap(),
        "not guidesmith's"
    );
}

#[test]
fn a_sub_path_release_served_under_its_prefix_has_no_broken_link() {
    let (tmp, root) = site_copy("basic");
    let out = tmp.path().join("out");
    // The server reads files on each request: start it first to learn its port.
    let server = StaticServer::start(vec![("/project/".to_string(), out.clone())]).unwrap();
    let origin = server.origin();
    let port: u16 = origin.rsplit(':').next().unwrap().parse().unwrap();
    let base_url = format!("{origin}/project/");
    release_build(&root, &out, &base_url);

    let crawled = crawl(port, &base_url);
    assert!(
        crawled.broken.is_empty(),
        "broken links:\n{}",
        crawled.broken.join("\n")
    );
    for must in [
        "/project/",
        "/project/alpha/",
        "/project/beta/",
        "/project/tags/",
        "/project/atom.xml",
        "/project/sitemap.xml",
        "/project/404.html",
    ] {
        assert!(
            crawled.fetched.contains(must),
            "{must} was not reached; fetched: {:?}",
            crawled.fetched
        );
    }
    for ext in [".css", ".js", ".svg"] {
        assert!(
            crawled
                .fetched
                .iter()
                .any(|u| u.ends_with(ext) && u.matches('.').count() >= 2),
            "a fingerprinted {ext} was fetched: {:?}",
            crawled.fetched
        );
    }
    assert!(
        get(port, "/alpha/").status == 404,
        "the server really serves only under the prefix"
    );
}

struct Crawl {
    fetched: BTreeSet<String>,
    broken: Vec<String>,
}

/// Follows every `href`/`src`/`srcset` of every HTML page, `url()` of stylesheets and `<loc>`
/// of sitemaps that stays on this host, starting at the home page; checks `#fragments`.
fn crawl(port: u16, base_url: &str) -> Crawl {
    let origin = format!("http://127.0.0.1:{port}");
    let start = base_url.strip_prefix(&origin).unwrap().to_string();
    let mut queue: VecDeque<(String, String)> =
        VecDeque::from([(start.clone(), "(start)".to_string())]);
    queue.push_back((format!("{start}404.html"), "(start)".into()));
    queue.push_back((format!("{start}sitemap.xml"), "(start)".into()));
    let mut fetched = BTreeSet::new();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut fragments: Vec<(String, String, String)> = Vec::new();
    let mut broken = Vec::new();
    while let Some((path, from)) = queue.pop_front() {
        if !fetched.insert(path.clone()) {
            continue;
        }
        assert!(fetched.len() < 2000, "the crawl is bounded");
        let mut response = get(port, &path);
        if response.status == 301 {
            response = get(port, response.location.as_deref().unwrap());
        }
        if response.status != 200 {
            broken.push(format!("{from} -> {path}: HTTP {}", response.status));
            continue;
        }
        let body = String::from_utf8_lossy(&response.body).into_owned();
        let mut links: Vec<String> = Vec::new();
        if path.ends_with('/') || path.ends_with(".html") {
            let doc = scraper::Html::parse_document(&body);
            ids.insert(
                path.clone(),
                doc.select(&sel("[id]"))
                    .filter_map(|e| e.value().attr("id").map(str::to_string))
                    .collect(),
            );
            for el in doc.select(&sel("[href], [src], [srcset]")) {
                let v = el.value();
                links.extend(
                    v.attr("href")
                        .into_iter()
                        .chain(v.attr("src"))
                        .map(str::to_string),
                );
                if let Some(srcset) = v.attr("srcset") {
                    links.extend(
                        srcset
                            .split(',')
                            .filter_map(|c| c.split_whitespace().next())
                            .map(str::to_string),
                    );
                }
            }
        } else if path.ends_with(".css") {
            links.extend(
                body.split("url(")
                    .skip(1)
                    .filter_map(|r| r.split(')').next())
                    .map(|u| u.trim_matches(['"', '\'']).to_string()),
            );
        } else if path.ends_with(".xml") {
            links.extend(
                body.split("<loc>")
                    .skip(1)
                    .filter_map(|r| r.split("</loc>").next())
                    .map(str::to_string),
            );
            links.extend(
                body.split("href=\"")
                    .skip(1)
                    .filter_map(|r| r.split('"').next())
                    .map(str::to_string),
            );
        }
        for link in links {
            let Some((target, fragment)) = resolve(&origin, &path, &link) else {
                continue;
            };
            if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                fragments.push((path.clone(), target.clone(), f));
            }
            queue.push_back((target, path.clone()));
        }
    }
    for (from, target, fragment) in fragments {
        let page = if target.ends_with('/') || target.ends_with(".html") {
            target.clone()
        } else {
            format!("{target}/")
        };
        if ids
            .get(&page)
            .is_some_and(|known| !known.contains(&fragment))
        {
            broken.push(format!("{from} -> {target}#{fragment}: no such id"));
        }
    }
    Crawl { fetched, broken }
}

/// A link on page `page` (a URL path) as a path on this host and a fragment; `None` if it
/// leaves the host.
fn resolve(origin: &str, page: &str, link: &str) -> Option<(String, Option<String>)> {
    let (link, fragment) = match link.split_once('#') {
        Some((l, f)) => (l, Some(f.to_string())),
        None => (link, None),
    };
    let path = if let Some(rest) = link.strip_prefix(origin) {
        rest.to_string()
    } else if link.contains("://") || link.starts_with("//") || link.contains(':') {
        return None;
    } else if link.starts_with('/') {
        link.to_string()
    } else if link.is_empty() {
        page.to_string()
    } else {
        format!("{}{link}", &page[..=page.rfind('/').unwrap()])
    };
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('?').next().unwrap().split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            ".." => {
                parts.pop();
            }
            "." => {}
            s => parts.push(s),
        }
        if i + 1 == segments.len() && (*seg == ".." || *seg == ".") {
            parts.push("");
        }
    }
    let joined = parts.join("/");
    Some((
        if joined.starts_with('/') {
            joined
        } else {
            format!("/{joined}")
        },
        fragment,
    ))
}

#[test]
fn release_output_is_deterministic_and_fingerprints_change_with_content_only() {
    let (tmp, root) = site_copy("basic");
    let base = "https://example.org/sub/";
    let a = release_build(&root, &tmp.path().join("a"), base);
    let b = release_build(&root, &tmp.path().join("b"), base);
    assert_eq!(a, b, "two release builds are byte-identical");
    let assets = |t: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        t.keys()
            .filter(|p| [".css", ".js", ".svg"].iter().any(|e| p.ends_with(e)))
            .cloned()
            .collect()
    };
    let names = assets(&a);
    // guidesmith.js, style.css, the default favicon.svg, the fixture's logo.svg, and the
    // search client's search.js and search.css.
    assert_eq!(names.len(), 6, "{names:?}");
    for n in &names {
        let parts: Vec<&str> = n.rsplitn(3, '.').collect();
        assert!(
            parts[1].len() == 8 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
            "{n}"
        );
    }
    let home = String::from_utf8(a["index.html"].clone()).unwrap();
    assert!(
        !home.contains("\n\n")
            && home.len()
                < fs::read_to_string(tmp.path().join("a/index.html"))
                    .unwrap()
                    .len()
                    + 1
    );
    assert!(
        !a.keys()
            .any(|p| p == "style.css" || p == "guidesmith.js" || p == "logo.svg"),
        "unhashed names are gone"
    );

    // A guide changes: no asset name changes.
    append(&root.join("guides/beta.md"), "\nA new paragraph.\n");
    let c = release_build(&root, &tmp.path().join("c"), base);
    assert_eq!(assets(&c), names);
    assert_ne!(a["beta/index.html"], c["beta/index.html"]);

    // The stylesheet changes: its name changes, the others' do not, and pages point to it.
    fs::write(root.join("static/style.css"), "body { color: #123456 }\n").unwrap();
    let d = release_build(&root, &tmp.path().join("d"), base);
    let new_names = assets(&d);
    let old_css: Vec<&String> = names.iter().filter(|n| n.starts_with("style.")).collect();
    let new_css: Vec<&String> = new_names
        .iter()
        .filter(|n| n.starts_with("style."))
        .collect();
    assert_ne!(old_css, new_css);
    assert_eq!(
        names
            .iter()
            .filter(|n| !n.starts_with("style."))
            .collect::<Vec<_>>(),
        new_names
            .iter()
            .filter(|n| !n.starts_with("style."))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        String::from_utf8_lossy(&d[new_css[0].as_str()]),
        "body{color:#123456}"
    );
    let page = String::from_utf8(d["alpha/index.html"].clone()).unwrap();
    assert!(page.contains(&format!("/sub/{}", new_css[0])), "{page}");
}

#[test]
fn release_output_has_host_files_precompressed_copies_and_no_live_reload() {
    let (tmp, root) = site_copy("basic");
    append(
        &root.join("site.toml"),
        "\n[publish]\nprecompress = true\ncname = \"guides.example.org\"\n\n[[publish.redirects]]\nfrom = \"/old-alpha/\"\nto = \"/alpha/\"\n",
    );
    let out = release_build(&root, &tmp.path().join("out"), "https://example.org/sub/");
    let text = |p: &str| String::from_utf8(out[p].clone()).unwrap();
    assert_eq!(text("CNAME"), "guides.example.org\n");
    assert_eq!(text(".nojekyll"), "");
    assert!(text("_redirects").ends_with("/sub/old-alpha/ /sub/alpha/ 301\n"));
    let headers = text("_headers");
    assert!(headers.contains("/sub/*\n  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self';"), "{headers}");
    for asset in out
        .keys()
        .filter(|p| p.ends_with(".css") || p.ends_with(".js"))
    {
        assert!(
            headers.contains(&format!(
                "/sub/{asset}\n  Cache-Control: public, max-age=31536000, immutable"
            )),
            "{asset}: {headers}"
        );
    }
    assert!(
        out.contains_key("index.html.gz")
            && out.contains_key("index.html.br")
            && out.contains_key("sitemap.xml.gz")
    );
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(&out["index.html.gz"][..]),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, out["index.html"]);
    assert!(
        !out.keys()
            .any(|p| p.ends_with(".svg.gz") && !out.contains_key(&p[..p.len() - 3]))
    );
    assert!(
        out.values()
            .all(|b| !b.windows(12).any(|w| w == b"__guidesmith"))
    );
    // The theme puts no inline script or style on any page, which the CSP would block
    // (JSON-LD is data, not script). The one inline script is the fixture author's raw
    // HTML in alpha's FAQ: the kind of thing the CSP is there to stop.
    for (p, bytes) in out.iter().filter(|(p, _)| p.ends_with(".html")) {
        let doc = scraper::Html::parse_document(&String::from_utf8_lossy(bytes));
        let inline: Vec<String> = doc
            .select(&sel(
                "script:not([src]):not([type='application/ld+json']), style, [style]",
            ))
            .map(|e| e.html())
            .filter(|h| h != "<script>alert(1)</script>")
            .collect();
        assert_eq!(inline, Vec::<String>::new(), "{p}");
    }

    let out = run(&[
        "build",
        "--release",
        "--root",
        s(&root),
        "--output",
        s(&tmp.path().join("bad")),
    ]);
    assert!(out.status.success());
    append(
        &root.join("site.toml"),
        "\n[[publish.redirects]]\nfrom = \"old\"\nto = \"/alpha/\"\n",
    );
    let out = run(&[
        "build",
        "--release",
        "--root",
        s(&root),
        "--output",
        s(&tmp.path().join("bad2")),
    ]);
    assert!(
        stderr(&out).contains(
            "site.toml: [[publish.redirects]] entry 2: from = \"old\" must be a site path"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn init_ci_github_writes_a_pages_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    let out = ok(run(&["init", s(&dir), "--ci", "github"]));
    assert!(
        out.contains("pages.yml") && out.contains("set GUIDESMITH_SOURCE"),
        "{out}"
    );
    let workflow: serde_yaml::Value =
        serde_yaml::from_str(&fs::read_to_string(dir.join(".github/workflows/pages.yml")).unwrap())
            .unwrap();
    assert_eq!(workflow["permissions"]["pages"], "write");
    assert!(workflow["env"]["GUIDESMITH_SOURCE"].is_string());
    let steps = format!("{:?}", workflow["jobs"]["build"]["steps"]);
    assert!(
        steps.contains("guidesmith build --release") && steps.contains("upload-pages-artifact"),
        "{steps}"
    );
    assert!(format!("{:?}", workflow["jobs"]["deploy"]).contains("actions/deploy-pages"));
    // The new site builds and deploys as the workflow does it.
    ok(run(&[
        "build",
        "--release",
        "--root",
        s(&dir),
        "--output",
        s(&tmp.path().join("_site")),
        "--base-url",
        "https://user.github.io/site/",
    ]));
    let plain = tmp.path().join("plain");
    ok(run(&["init", s(&plain)]));
    assert!(!plain.join(".github").exists());
}

/// Headless Chromium's DOM of `url` after its scripts ran, and what it logged (console
/// messages, CSP violations).
fn dump_dom(url: &str, profile: &Path) -> (String, String) {
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .output()
        .expect("running chromium");
    let log = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .collect::<Vec<_>>()
        .join("\n");
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// Tag, id and classes of every element in `<main>`, in document order.
fn main_elements(dom: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(dom);
    let main = doc.select(&sel("main")).next().expect("a <main>");
    main.descendants()
        .filter_map(scraper::ElementRef::wrap)
        .map(|e| {
            let mut classes: Vec<&str> = e.value().classes().collect();
            classes.sort();
            format!(
                "{}#{}.{}",
                e.value().name(),
                e.value().id().unwrap_or(""),
                classes.join(".")
            )
        })
        .collect()
}

#[test]
fn minified_scripts_and_styles_work_under_the_content_security_policy() {
    if !Path::new("/usr/bin/chromium").is_file() {
        assert!(
            std::env::var("GUIDESMITH_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "GUIDESMITH_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing (apt-get install chromium)"
        );
        // Straight to the stderr handle: libtest hides `eprintln!` of passing tests.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped minified_scripts_and_styles_work_under_the_content_security_policy: /usr/bin/chromium not found\n",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dev, rel) = (tmp.path().join("dev"), tmp.path().join("rel"));
    let server = StaticServer::start(vec![
        ("/dev/".to_string(), dev.clone()),
        ("/rel/".to_string(), rel.clone()),
    ])
    .unwrap();
    let origin = server.origin();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ok(run(&[
        "build",
        "--root",
        s(root),
        "--output",
        s(&dev),
        "--base-url",
        &format!("{origin}/dev/"),
    ]));
    release_build(root, &rel, &format!("{origin}/rel/"));
    // The policy of _headers, as a <meta> (which cannot carry frame-ancestors).
    let headers = fs::read_to_string(rel.join("_headers")).unwrap();
    let policy = headers
        .lines()
        .find_map(|l| l.trim().strip_prefix("Content-Security-Policy: "))
        .unwrap();
    let policy: Vec<&str> = policy
        .split("; ")
        .filter(|d| !d.starts_with("frame-ancestors"))
        .collect();
    for page in [
        "index.html",
        "first-message/index.html",
        "reconnection-roadmap/index.html",
    ] {
        let path = rel.join(page);
        let html = fs::read_to_string(&path).unwrap();
        let meta = format!(
            "<head><meta http-equiv=Content-Security-Policy content=\"{}\">",
            policy.join("; ")
        );
        fs::write(&path, html.replacen("<head>", &meta, 1)).unwrap();
        let dir = page.trim_end_matches("index.html");
        let (dev_dom, dev_log) = dump_dom(
            &format!("{origin}/dev/{dir}"),
            &tmp.path().join("profile-dev"),
        );
        let (rel_dom, rel_log) = dump_dom(
            &format!("{origin}/rel/{dir}"),
            &tmp.path().join("profile-rel"),
        );
        assert_eq!(dev_log, "", "{page}: the development build logs nothing");
        assert_eq!(
            rel_log, "",
            "{page}: the release build under the CSP logs nothing (no violation, no error)"
        );
        assert!(
            rel_dom.contains("http-equiv=\"Content-Security-Policy\""),
            "{page}: the policy is in force"
        );
        assert_eq!(
            main_elements(&rel_dom),
            main_elements(&dev_dom),
            "{page}: the scripts built the same page"
        );
        if page != "index.html" {
            let served = fs::read_to_string(&path).unwrap();
            assert_ne!(
                main_elements(&rel_dom),
                main_elements(&served),
                "{page}: the widget script did change the page"
            );
        }
    }
}

#[test]
fn publish_to_a_folder_writes_files_readable_by_a_web_server_like_build_does() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, root) = site_copy("basic");
    let target = tmp.path().join("www");
    ok(run(&[
        "publish",
        "--root",
        s(&root),
        "--to",
        "dir",
        s(&target),
    ]));
    let built = tmp.path().join("out");
    release_build(&root, &built, "https://example.org/");
    let mode_of = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let (file_mode, dir_mode) = (mode_of(&built.join("index.html")), mode_of(&built));
    assert_eq!(
        (file_mode, dir_mode),
        (0o644, 0o755),
        "build under umask 022"
    );
    let mut checked = 0;
    let mut pending = vec![target.clone()];
    while let Some(dir) = pending.pop() {
        assert_eq!(mode_of(&dir), dir_mode, "{}", dir.display());
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                assert_eq!(mode_of(&path), file_mode, "{}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked > 3, "only {checked} files published");
}

#[test]
fn a_remote_that_looks_like_a_git_option_is_refused_and_runs_nothing() {
    let (tmp, root) = site_copy("basic");
    site_repo(&root);
    let marker = tmp.path().join("ran");
    let value = format!("--upload-pack=touch {}", marker.display());
    let out = run(&[
        "publish",
        "--root",
        s(&root),
        "--to",
        "git",
        &format!("--remote={value}"),
        "--branch",
        "gh-pages",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("`{value}` is not a git remote")),
        "{stderr}"
    );
    assert!(stderr.contains("help: "), "{stderr}");
    assert!(!marker.exists(), "git ran the remote as an option");
}

/// `publish --to dir` may not write into the sources or into the output folder the next build
/// replaces; nothing is written when it refuses.
#[test]
fn publishing_into_the_sources_or_the_output_folder_is_refused() {
    let (_tmp, root) = site_copy("basic");
    let before = output_files(&root);
    for (target, why) in [
        ("guides", "is the guides folder"),
        ("guides/www", "is inside the guides folder"),
        ("static", "is the static folder"),
        ("themes/default", "is the theme folder"),
        ("public", "is the output folder"),
        ("public/www", "is inside the output folder"),
    ] {
        let out = run(&[
            "publish",
            "--root",
            s(&root),
            "--to",
            "dir",
            s(&root.join(target)),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{target}: {err}");
        assert!(
            err.contains("error: --to dir: the folder ") && err.contains(why),
            "{target}: {err}"
        );
    }
    assert_eq!(output_files(&root), before, "nothing was written");
}
