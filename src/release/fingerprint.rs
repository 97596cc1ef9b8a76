//! Content hashes in asset names: `style.css` → `style.3f2a1b9c.css`, with every reference
//! rewritten, so a host can tell browsers to cache these files forever.
//!
//! 1. Leaf assets (JS, images, fonts) are hashed as they are.
//! 2. CSS files get their `url(...)` and `@import` references rewritten first and are hashed
//!    after, so a stylesheet's name changes when a font or image it uses changes. A stylesheet
//!    that imports another waits for it (a cycle is hashed in path order).
//! 3. HTML attributes (`href`, `src`, `srcset`, `poster`, `<meta content>`) are rewritten with a
//!    real HTML tokenizer (lol_html), in the pass that scans the page for the output check
//!    ([`super::scan`]); XML, JSON and text files get absolute URLs replaced.
//!
//! A reference is rewritten in place, keeping its form (absolute, root-relative or relative,
//! query and fragment): only the file name gains the hash. `favicon.ico` and other files
//! whose names other programs ask for keep their names.

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::minify::extension;
use super::scan::{Rename, Scan, scan_file};
use super::urls::{SiteUrls, Target};
use crate::render::pages::OutputFile;

/// Extensions whose files get a hash in their name.
const LEAF_ASSETS: &[&str] = &[
    "js", "mjs", "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "woff", "woff2", "ttf", "otf",
];

/// Old site path → new site path of every renamed file.
pub type Renamed = BTreeMap<String, String>;

/// The new names of a site's assets, and the rewriting of references to them.
pub(crate) struct Fingerprints {
    site: SiteUrls,
    renamed: HashMap<String, String>,
}

impl Fingerprints {
    /// Names every asset among `files`; stylesheets get their references rewritten first
    /// (in place), so their names follow what they use.
    pub(crate) fn of_assets(files: &mut [OutputFile], site: SiteUrls) -> Fingerprints {
        let mut renamed: HashMap<String, String> = HashMap::new();
        for f in files.iter() {
            if LEAF_ASSETS.contains(&extension(&f.path)) {
                renamed.insert(f.path.clone(), hashed_name(&f.path, &f.bytes));
            }
        }
        fingerprint_stylesheets(files, &site, &mut renamed);
        Fingerprints { site, renamed }
    }

    /// Old site path → new site path of every renamed file.
    pub(crate) fn renamed(&self) -> Renamed {
        self.renamed
            .iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect()
    }

    /// Rewrites the references in `file` and gives it its new name, scanning it for the
    /// output check on the way (an HTML page is tokenized once for both).
    pub(crate) fn apply(&self, file: &mut OutputFile) -> Scan {
        if let "xml" | "json" | "webmanifest" | "txt" = extension(&file.path)
            && let Ok(text) = std::str::from_utf8(&file.bytes)
        {
            file.bytes = rewrite_absolute(text, &self.site, &self.renamed).into_bytes();
        }
        let path = file.path.clone();
        let scan = scan_file(file, &|url| self.rename(url, &path));
        if let Some(new) = self.renamed.get(&file.path) {
            file.path = new.clone();
        }
        scan
    }

    /// `url`, written in `file`, with the new name of the file it names, if renamed.
    fn rename(&self, url: &str, file: &str) -> Option<String> {
        match self.site.resolve(url, file) {
            Target::Site { path, .. } => self.renamed.get(&path).map(|new| renamed_url(url, new)),
            _ => None,
        }
    }
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

/// Splits a `srcset` into its URLs (each candidate is `url [descriptor]`, comma-separated).
pub fn srcset_urls(srcset: &str) -> Vec<&str> {
    srcset
        .split(',')
        .filter_map(|c| c.split_whitespace().next())
        .collect()
}

pub(crate) fn rewrite_srcset(srcset: &str, rewrite_one: &Rename) -> Option<String> {
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
        let mut out = files;
        let fingerprints = Fingerprints::of_assets(&mut out, site());
        for f in &mut out {
            assert!(fingerprints.apply(f).error.is_none());
        }
        let renamed = fingerprints.renamed();
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
