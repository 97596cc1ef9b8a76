//! Where a URL written in an output file points: outside the site, or to a site path.
//!
//! Shared by [`super::fingerprint`] (to rewrite references) and the publish check (to follow
//! them). A site path is relative to the output folder, `/`-separated, without a leading `/`:
//! `style.css`, `first-message/`, `` (the home page).

use crate::model::config::SiteConfig;

/// The site's base URL and base path, for resolving URLs found in its files.
#[derive(Clone, Debug)]
pub struct SiteUrls {
    /// `https://host/sub/`, always with one trailing `/`.
    pub base_url: String,
    /// `/` or `/sub/`.
    pub base_path: String,
}

/// What a URL found in an output file refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Another site, a scheme such as `mailto:`, or nothing to check (`javascript:`, empty).
    External,
    /// A root-relative URL (`/x/`) that is not under the base path: on a sub-path host it
    /// reaches some other site or nothing.
    OutsideBase,
    /// A relative URL that climbs above the site root (`../../x`).
    AboveRoot,
    /// A file or folder of the site, and the `#fragment` if any (both percent-decoded).
    Site {
        path: String,
        fragment: Option<String>,
    },
}

impl SiteUrls {
    pub fn new(config: &SiteConfig) -> SiteUrls {
        SiteUrls {
            base_url: config.base_url_normalized(),
            base_path: config.base_path(),
        }
    }

    /// Resolves `url` as written in the file at site path `file` (e.g. `slug/index.html`).
    pub fn resolve(&self, url: &str, file: &str) -> Target {
        let url = url.trim();
        let (without_fragment, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(percent_decode(f))),
            None => (url, None),
        };
        let path = without_fragment.split('?').next().unwrap_or("");
        let base_no_slash = self.base_url.trim_end_matches('/');
        let joined = if let Some(rest) = path.strip_prefix(&self.base_url) {
            rest.to_string()
        } else if path == base_no_slash {
            String::new()
        } else if url.is_empty() || has_scheme(path) || path.starts_with("//") {
            return Target::External;
        } else if path.starts_with('/') {
            match path.strip_prefix(&self.base_path) {
                Some(rest) => rest.to_string(),
                None if format!("{path}/") == self.base_path => String::new(),
                None => return Target::OutsideBase,
            }
        } else if path.is_empty() {
            file.to_string()
        } else {
            format!("{}{path}", dir_of(file))
        };
        match normalize(&joined) {
            Some(path) => Target::Site {
                path: percent_decode(&path),
                fragment,
            },
            None => Target::AboveRoot,
        }
    }
}

/// Whether a `<meta>` with this `property` or `name` holds a URL (`og:url`, `og:image`,
/// `twitter:image`, `msapplication-TileImage`), not text that might look like a file name.
pub fn is_url_meta(property: &str) -> bool {
    let p = property.to_ascii_lowercase();
    p.ends_with(":url") || p.ends_with("image")
}

/// The folder part of a site path, with its trailing `/` (`a/b.html` → `a/`, `x.html` → ``).
pub fn dir_of(file: &str) -> &str {
    file.rfind('/').map_or("", |i| &file[..=i])
}

fn has_scheme(url: &str) -> bool {
    url.find(':').is_some_and(|i| {
        i > 0
            && url[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// Removes `.` and `..` segments; `None` if `..` climbs above the root. Keeps a trailing `/`.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." => {
                if last {
                    parts.push("");
                }
            }
            ".." => {
                parts.pop()?;
                if last {
                    parts.push("");
                }
            }
            "" if !last => {}
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept as written.
pub fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Decodes the character references that can appear in an attribute value as a tokenizer
/// hands it over: `&amp;`, `&quot;`, `&#39;`, `&lt;`, `&gt;`, `&#NN;` and `&#xNN;`.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "lt" => Some('<'),
                "gt" => Some('>'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .map(|h| u32::from_str_radix(h, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub() -> SiteUrls {
        SiteUrls {
            base_url: "https://u.github.io/proj/".into(),
            base_path: "/proj/".into(),
        }
    }

    fn site(path: &str, fragment: Option<&str>) -> Target {
        Target::Site {
            path: path.into(),
            fragment: fragment.map(Into::into),
        }
    }

    #[test]
    fn resolves_every_form_of_url() {
        let s = sub();
        assert_eq!(
            s.resolve("/proj/style.css", "a/index.html"),
            site("style.css", None)
        );
        assert_eq!(
            s.resolve("https://u.github.io/proj/a/", "index.html"),
            site("a/", None)
        );
        assert_eq!(
            s.resolve("https://u.github.io/proj", "index.html"),
            site("", None)
        );
        assert_eq!(s.resolve("/proj", "a/index.html"), site("", None));
        assert_eq!(
            s.resolve("../b/#faq-x", "a/index.html"),
            site("b/", Some("faq-x"))
        );
        assert_eq!(
            s.resolve("#top", "a/index.html"),
            site("a/index.html", Some("top"))
        );
        assert_eq!(
            s.resolve("img/a%20b.png?v=1", "a/index.html"),
            site("a/img/a b.png", None)
        );
        assert_eq!(s.resolve("./", "a/index.html"), site("a/", None));
        assert_eq!(s.resolve("/other/", "index.html"), Target::OutsideBase);
        assert_eq!(s.resolve("../../x", "a/index.html"), Target::AboveRoot);
        assert_eq!(
            s.resolve("https://example.org/", "index.html"),
            Target::External
        );
        assert_eq!(s.resolve("mailto:a@b.c", "index.html"), Target::External);
        assert_eq!(
            s.resolve("//cdn.example/x.js", "index.html"),
            Target::External
        );
    }

    #[test]
    fn decodes_entities_and_percent_escapes() {
        assert_eq!(
            decode_entities("a?x=1&amp;y=2&#39;&#x41;&bogus"),
            "a?x=1&y=2'A&bogus"
        );
        assert_eq!(percent_decode("a%20b%zz%"), "a b%zz%");
    }
}
