//! The HTTP headers each object is stored with: Content-Type from the extension, Cache-Control
//! immutable for fingerprinted names (`style.3f2a1b9c.css`) and short for everything else,
//! overridden by `[[publish.s3.headers]]` patterns (a pattern that matches a file matches its
//! `.gz` / `.br` variants too), and Content-Encoding for those variants, which
//! `[publish] precompress` writes beside text files.

use serde::{Deserialize, Serialize};

use crate::model::config::S3HeaderRule;

/// Cache-Control for fingerprinted files: their name changes whenever their bytes do.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control for pages and other files whose name stays the same.
pub(crate) const SHORT: &str = "public, max-age=60, must-revalidate";

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct Headers {
    pub content_type: String,
    pub cache_control: String,
    pub content_encoding: Option<String>,
}

/// The headers for the output file at `path`.
pub(crate) fn headers_for(path: &str, rules: &[S3HeaderRule]) -> Headers {
    let (original, content_encoding) = match path.rsplit_once('.') {
        Some((rest, "br")) => (rest, Some("br".to_string())),
        Some((rest, "gz")) => (rest, Some("gzip".to_string())),
        _ => (path, None),
    };
    let mut headers = Headers {
        content_type: content_type_for(original),
        cache_control: if is_fingerprinted(original) {
            IMMUTABLE
        } else {
            SHORT
        }
        .to_string(),
        content_encoding,
    };
    let applies = |r: &&S3HeaderRule| {
        pattern_matches(&r.pattern, path) || pattern_matches(&r.pattern, original)
    };
    for rule in rules.iter().filter(applies) {
        if let Some(cc) = &rule.cache_control {
            headers.cache_control = cc.clone();
        }
        if let Some(ct) = &rule.content_type {
            headers.content_type = ct.clone();
        }
    }
    headers
}

fn content_type_for(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    if mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// `name.<8 hex digits>.ext`, the shape the release step's fingerprinting gives.
pub(crate) fn is_fingerprinted(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3 && {
        let hash = parts[parts.len() - 2];
        hash.len() == 8
            && hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    }
}

/// A glob where `*` matches any run of characters (`/` included): `guides/*.html`, `*.pdf`.
pub(crate) fn pattern_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprinted_files_are_immutable_and_pages_short() {
        let css = headers_for("assets/style.3f2a1b9c.css", &[]);
        assert_eq!(css.cache_control, IMMUTABLE);
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        let page = headers_for("guides/a/index.html", &[]);
        assert_eq!(page.cache_control, SHORT);
        assert_eq!(page.content_type, "text/html; charset=utf-8");
    }

    #[test]
    fn precompressed_variants_keep_the_original_type() {
        let br = headers_for("index.html.br", &[]);
        assert_eq!(br.content_type, "text/html; charset=utf-8");
        assert_eq!(br.content_encoding.as_deref(), Some("br"));
        let gz = headers_for("app.1234abcd.js.gz", &[]);
        assert_eq!(gz.content_encoding.as_deref(), Some("gzip"));
        assert_eq!(gz.cache_control, IMMUTABLE);
    }

    #[test]
    fn rules_override_by_pattern() {
        let rules = [S3HeaderRule {
            pattern: "*.pdf".into(),
            cache_control: Some("no-store".into()),
            content_type: None,
        }];
        assert_eq!(headers_for("docs/a.pdf", &rules).cache_control, "no-store");
        assert_eq!(
            headers_for("docs/a.pdf.gz", &rules).cache_control,
            "no-store"
        );
        assert_eq!(headers_for("docs/a.html", &rules).cache_control, SHORT);
    }

    #[test]
    fn glob_matches_stars() {
        assert!(pattern_matches("guides/*.html", "guides/a/index.html"));
        assert!(pattern_matches("*", "x"));
        assert!(pattern_matches("sitemap.xml", "sitemap.xml"));
        assert!(!pattern_matches("sitemap.xml", "sitemap.xml.gz"));
        assert!(!pattern_matches("a*b*c", "abx"));
    }
}
