//! [`PathOrUrl`]: where a file the site refers to lives, either a site path (`/cover.png`,
//! served from `static/`) or an absolute `http(s)://` URL. Used by the structured-data keys
//! (`image`, `logo`, `author_url`), which search engines read as absolute URLs.

use std::fmt;

use serde::{Serialize, Serializer};

/// A site path starting with `/`, or an absolute `http://` or `https://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathOrUrl(String);

impl PathOrUrl {
    pub fn parse(text: &str) -> Result<PathOrUrl, String> {
        let bad = |why: &str| {
            format!(
                "`{text}` is not a site path or URL: {why}; write a path such as \"/images/cover.png\" (a file in static/) or a URL such as \"https://example.org/cover.png\""
            )
        };
        if text.is_empty() {
            return Err(bad("it is empty"));
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains a space or a control character"));
        }
        let host = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"));
        match host {
            Some(rest) if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) => {
                Err(bad("the URL has no host"))
            }
            Some(_) => Ok(PathOrUrl(text.to_string())),
            None if text.starts_with("//") => Err(bad("it has no scheme")),
            None if text.starts_with('/') => Ok(PathOrUrl(text.to_string())),
            None => Err(bad("a site path starts with `/`, a URL with https://")),
        }
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The site path (`/cover.png`), or none for a URL.
    pub fn site_path(&self) -> Option<&str> {
        self.0.starts_with('/').then_some(self.0.as_str())
    }
}

impl fmt::Display for PathOrUrl {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

deserialize_by_parse!(PathOrUrl);

impl Serialize for PathOrUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PathOrUrl;

    #[test]
    fn site_paths_and_urls() {
        for good in [
            "/cover.png",
            "/",
            "https://cdn.example/a.png",
            "http://x.org",
        ] {
            assert_eq!(PathOrUrl::parse(good).unwrap().as_str(), good);
        }
        assert_eq!(
            PathOrUrl::parse("/a.png").unwrap().site_path(),
            Some("/a.png")
        );
        assert_eq!(
            PathOrUrl::parse("https://x.org/a").unwrap().site_path(),
            None
        );
        for bad in [
            "",
            "cover.png",
            "//cdn.example/a.png",
            "https:///a.png",
            "/a b.png",
            "ftp://x.org/a",
        ] {
            assert!(PathOrUrl::parse(bad).is_err(), "{bad:?}");
        }
    }
}
