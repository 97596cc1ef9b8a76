//! Content hashes in asset names: `style.css` → `style.3f2a1b9c.css`, with every reference
//! rewritten, so a host can tell browsers to cache these files forever.
//!
//! 1. Leaf assets (JS, images, fonts) are hashed as they are.
//! 2. CSS files get their `url(...)` and `@import` references rewritten first and are hashed
//!    after, so a stylesheet's name changes when a font or image it uses changes. A stylesheet
//!    that imports another waits for it (a cycle is hashed in path order).
//! 3. HTML attributes (`href`, `src`, `srcset`, `poster`, `<meta content>`) are rewritten with a
//!    real HTML tokenizer (lol_html); XML, JSON and text files get absolute URLs replaced.
//!
//! A reference is rewritten in place, keeping its form (absolute, root-relative or relative,
//! query and fragment): only the file name gains the hash. `favicon.ico` and other files
//! whose names other programs ask for keep their names.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, Result, anyhow};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::minify::extension;
use super::urls::{SiteUrls, Target, decode_entities, is_url_meta};
use crate::render::pages::OutputFile;

/// Extensions whose files get a hash in their name.
const LEAF_ASSETS: &[&str] = &[
    "js", "mjs", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "woff", "woff2", "ttf", "otf",
];

/// Old site path → new site path of every renamed file.
pub type Renamed = BTreeMap<String, String>;

/// Hashes and renames assets in `files` and rewrites references to them.
pub fn fingerprint_files(
    files: Vec<OutputFile>,
    site: &SiteUrls,
) -> Result<(Vec<OutputFile>, Renamed)> {
    let mut files = files;
    let mut renamed: HashMap<String, String> = HashMap::new();
    for f in &files {
        if LEAF_ASSETS.contains(&extension(&f.path)) {
            renamed.insert(f.path.clone(), hashed_name(&f.path, &f.bytes));
        }
    }
    fingerprint_stylesheets(&mut files, site, &mut renamed);
    files.par_iter_mut().try_for_each(|f| -> Result<()> {
        let rewritten = match extension(&f.path) {
            "html" | "htm" => match std::str::from_utf8(&f.bytes) {
                Ok(text) => Some(
                    rewrite_html(text, &f.path, site, &renamed)
                        .with_context(|| format!("rewriting asset links in {}", f.path))?,
                ),
                Err(_) => None,
            },
            "xml" | "json" | "webmanifest" | "txt" => std::str::from_utf8(&f.bytes)
                .ok()
                .map(|t| rewrite_absolute(t, site, &renamed)),
            _ => None,
        };
        if let Some(text) = rewritten {
            f.bytes = text.into_bytes();
        }
        if let Some(new) = renamed.get(&f.path) {
            f.path = new.clone();
        }
        Ok(())
    })?;
    Ok((files, renamed.into_iter().collect()))
}

/// `dir/name.ext` → `dir/name.<8 hex digits of SHA-256>.ext`.
pub fn hashed_name(path: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hash: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    insert_hash(path, &hash)
}

fn insert_hash(name: &str, hash: &str) -> String {
    let start = name.rfind('/').map_or(0, |i| i + 1);
    match name[start..].rfind('.') {
        Some(dot) if dot > 0 => format!("{}.{hash}{}", &name[..start + dot], &name[start + dot..]),
        _ => format!("{name}.{hash}"),
    }
}

/// The hash a renamed file got (`style.3f2a1b9c.css` → `3f2a1b9c`).
fn hash_of(new_path: &str) -> &str {
    let name = new_path.rsplit('/').next().unwrap_or(new_path);
    let mut parts = name.rsplit('.');
    let last = parts.next().unwrap_or("");
    match parts.next() {
        Some(hash) if hash.len() == 8 => hash,
        _ => last,
    }
}

/// Rewrites `url` (as written) so its file name carries the hash of `new_path`.
fn renamed_url(url: &str, new_path: &str) -> String {
    let path_end = url.find(['?', '#']).unwrap_or(url.len());
    let (path, suffix) = url.split_at(path_end);
    format!("{}{suffix}", insert_hash(path, hash_of(new_path)))
}

fn fingerprint_stylesheets(
    files: &mut [OutputFile],
    site: &SiteUrls,
    renamed: &mut HashMap<String, String>,
) {
    let mut pending: Vec<usize> = (0..files.len())
        .filter(|&i| extension(&files[i].path) == "css")
        .collect();
    while !pending.is_empty() {
        let css_pending: Vec<String> = pending.iter().map(|&i| files[i].path.clone()).collect();
        let ready: Vec<usize> = pending
            .iter()
            .copied()
            .filter(|&i| {
                let f = &files[i];
                let text = String::from_utf8_lossy(&f.bytes);
                css_references(&text)
                    .iter()
                    .all(|(_, url)| match site.resolve(url, &f.path) {
                        Target::Site { path, .. } => path == f.path || !css_pending.contains(&path),
                        _ => true,
                    })
            })
            .collect();
        // A cycle of imports: hash what is left in path order.
        let batch = if ready.is_empty() {
            pending.clone()
        } else {
            ready
        };
        for &i in &batch {
            let f = &mut files[i];
            if let Ok(text) = std::str::from_utf8(&f.bytes) {
                f.bytes = rewrite_css(text, &f.path, site, renamed).into_bytes();
            }
            renamed.insert(f.path.clone(), hashed_name(&f.path, &f.bytes));
        }
        pending.retain(|i| !batch.contains(i));
    }
}

/// The URLs of `url(...)` and `@import "..."` in a stylesheet, with their byte ranges.
pub fn css_references(css: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let lower = css.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = lower[at..].find("url(").map(|i| i + at) {
        at = i + 4;
        if i > 0 && lower.as_bytes()[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        if let Some(range) = css_token(css, at, Some(')')) {
            at = range.end;
            found.push((range.clone(), css[range].to_string()));
        }
    }
    at = 0;
    while let Some(i) = lower[at..].find("@import").map(|i| i + at) {
        at = i + 7;
        let start = at + css[at..].len() - css[at..].trim_start().len();
        if css[start..].starts_with(['"', '\''])
            && let Some(range) = css_token(css, start, None)
        {
            found.push((range.clone(), css[range].to_string()));
        }
    }
    found.sort_by_key(|(r, _)| r.start);
    found
}

/// The range of a quoted string at `start`, or of an unquoted url up to `close`.
fn css_token(css: &str, start: usize, close: Option<char>) -> Option<std::ops::Range<usize>> {
    let trimmed = css[start..].trim_start();
    let begin = start + css[start..].len() - trimmed.len();
    match trimmed.chars().next()? {
        q @ ('"' | '\'') => {
            let end = trimmed[1..].find(q)?;
            Some(begin + 1..begin + 1 + end)
        }
        _ => {
            let close = close?;
            let end = trimmed.find(close)?;
            Some(begin..begin + trimmed[..end].trim_end().len())
        }
    }
}

fn rewrite_css(
    css: &str,
    file: &str,
    site: &SiteUrls,
    renamed: &HashMap<String, String>,
) -> String {
    let mut out = css.to_string();
    for (range, url) in css_references(css).into_iter().rev() {
        if let Target::Site { path, .. } = site.resolve(&url, file)
            && let Some(new) = renamed.get(&path).filter(|_| path != file)
        {
            out.replace_range(range, &renamed_url(&url, new));
        }
    }
    out
}

fn rewrite_html(
    html: &str,
    file: &str,
    site: &SiteUrls,
    renamed: &HashMap<String, String>,
) -> Result<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let rewrite_one = |url: &str| -> Option<String> {
        match site.resolve(url, file) {
            Target::Site { path, .. } => renamed.get(&path).map(|new| renamed_url(url, new)),
            _ => None,
        }
    };
    let attribute = |name: &'static str| {
        move |el: &mut lol_html::html_content::Element| {
            if let Some(raw) = el.get_attribute(name) {
                let value = decode_entities(&raw);
                let new = if name == "srcset" {
                    rewrite_srcset(&value, &rewrite_one)
                } else {
                    rewrite_one(&value)
                };
                if let Some(new) = new {
                    el.set_attribute(name, &new.replace('&', "&amp;"))?;
                }
            }
            Ok(())
        }
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[href]", attribute("href")))
        .append_element_content_handler(element!("[src]", attribute("src")))
        .append_element_content_handler(element!("[srcset]", attribute("srcset")))
        .append_element_content_handler(element!("[poster]", attribute("poster")))
        .append_element_content_handler(element!("meta[content]", |el| {
            let property = el
                .get_attribute("property")
                .or_else(|| el.get_attribute("name"));
            if property.is_some_and(|p| is_url_meta(&p)) {
                attribute("content")(el)
            } else {
                Ok(())
            }
        }));
    rewrite_str(html, settings).map_err(|e| anyhow!("{e}"))
}

/// Splits a `srcset` into its URLs (each candidate is `url [descriptor]`, comma-separated).
pub fn srcset_urls(srcset: &str) -> Vec<&str> {
    srcset
        .split(',')
        .filter_map(|c| c.split_whitespace().next())
        .collect()
}

fn rewrite_srcset(srcset: &str, rewrite_one: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = srcset
        .split(',')
        .map(|candidate| {
            let trimmed = candidate.trim();
            let (url, rest) =
                trimmed.split_at(trimmed.find(char::is_whitespace).unwrap_or(trimmed.len()));
            match rewrite_one(url) {
                Some(new) => {
                    changed = true;
                    format!("{new}{rest}")
                }
                None => trimmed.to_string(),
            }
        })
        .collect();
    changed.then(|| parts.join(", "))
}

/// Replaces absolute URLs (`https://host/base/style.css`) of renamed files in any text.
fn rewrite_absolute(text: &str, site: &SiteUrls, renamed: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&site.base_url) {
        let after = &rest[i + site.base_url.len()..];
        let len = after
            .find(|c: char| c.is_whitespace() || "\"'<>()?#,".contains(c))
            .unwrap_or(after.len());
        out.push_str(&rest[..i + site.base_url.len()]);
        match renamed.get(&super::urls::percent_decode(&after[..len])) {
            Some(new) => out.push_str(&renamed_url(&after[..len], new)),
            None => out.push_str(&after[..len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteUrls {
        SiteUrls {
            base_url: "https://x.org/p/".into(),
            base_path: "/p/".into(),
        }
    }

    fn text<'a>(files: &'a [OutputFile], path: &str) -> &'a str {
        std::str::from_utf8(&files.iter().find(|f| f.path == path).unwrap().bytes).unwrap()
    }

    #[test]
    fn hashes_names_and_rewrites_every_reference() {
        let files = vec![
            OutputFile::new(
                "a/index.html",
                r#"<link rel="stylesheet" href="/p/style.css"><img src="../img/a.png" srcset="../img/a.png 1x, /p/img/a.png?v=2 2x"><meta property="og:image" content="https://x.org/p/img/a.png"><meta name="description" content="img/a.png"><a href="/p/stylesheet.css.txt">t</a><script src="/p/g.js" defer></script>"#,
            ),
            OutputFile::new(
                "style.css",
                r#"@import "more.css";body{background:url(img/a.png)}"#,
            ),
            OutputFile::new("more.css", "@font-face{src:url('/p/f.woff2')}"),
            OutputFile::new("img/a.png", "PNG"),
            OutputFile::new("f.woff2", "FONT"),
            OutputFile::new("g.js", "1"),
            OutputFile::new("favicon.ico", "ICO"),
            OutputFile::new(
                "sitemap.xml",
                "<loc>https://x.org/p/img/a.png</loc><loc>https://x.org/p/img/a.png.html</loc>",
            ),
        ];
        let (out, renamed) = fingerprint_files(files, &site()).unwrap();
        let png = &renamed["img/a.png"];
        assert_eq!(png, &hashed_name("img/a.png", b"PNG"));
        assert!(
            png.starts_with("img/a.")
                && png.ends_with(".png")
                && png.len() == "img/a.12345678.png".len()
        );
        let h = hash_of(png);
        let more = &renamed["more.css"];
        let more_text = text(&out, more);
        assert_eq!(
            more_text,
            format!(
                "@font-face{{src:url('/p/f.{}.woff2')}}",
                hash_of(&renamed["f.woff2"])
            )
        );
        assert_eq!(more, &hashed_name("more.css", more_text.as_bytes()));
        let style = text(&out, &renamed["style.css"]);
        assert_eq!(
            style,
            format!(
                r#"@import "more.{}.css";body{{background:url(img/a.{h}.png)}}"#,
                hash_of(more)
            )
        );
        let page = text(&out, "a/index.html");
        assert!(
            page.contains(&format!(r#"href="/p/{}""#, renamed["style.css"])),
            "{page}"
        );
        assert!(
            page.contains(&format!(r#"src="../img/a.{h}.png""#)),
            "{page}"
        );
        assert!(
            page.contains(&format!(
                r#"srcset="../img/a.{h}.png 1x, /p/img/a.{h}.png?v=2 2x""#
            )),
            "{page}"
        );
        assert!(
            page.contains(&format!(r#"content="https://x.org/p/img/a.{h}.png""#)),
            "{page}"
        );
        assert!(page.contains(r#"href="/p/stylesheet.css.txt""#), "{page}");
        assert!(
            page.contains(r#"name="description" content="img/a.png""#),
            "text is not a URL: {page}"
        );
        assert!(text(&out, "favicon.ico") == "ICO");
        assert_eq!(
            text(&out, "sitemap.xml"),
            format!(
                "<loc>https://x.org/p/img/a.{h}.png</loc><loc>https://x.org/p/img/a.png.html</loc>"
            )
        );
    }

    #[test]
    fn names_change_with_content_and_only_then() {
        assert_eq!(hashed_name("s.css", b"a"), hashed_name("s.css", b"a"));
        assert_ne!(hashed_name("s.css", b"a"), hashed_name("s.css", b"b"));
        assert_eq!(insert_hash("LICENSE", "abcd1234"), "LICENSE.abcd1234");
        assert_eq!(
            insert_hash("a.b/.hidden", "abcd1234"),
            "a.b/.hidden.abcd1234"
        );
    }
}
