//! Files that static hosts read: `_headers` and `_redirects` (Netlify, Cloudflare Pages),
//! `.nojekyll` and `CNAME` (GitHub Pages). Hosts that do not know a file serve it as a plain
//! file, which does no harm.
//!
//! `_headers` gives every page the security headers and every fingerprinted file a
//! year-long immutable cache. The default Content-Security-Policy allows scripts, styles and
//! fonts from the site itself only (no inline scripts or styles: the theme has none, and the
//! guide pages' `<script type="application/ld+json">` is data, never executed, so CSP does not
//! apply to it); images may also come from `https:` and `data:`, since guides embed them.

use anyhow::{Result, bail};

use super::fingerprint::Renamed;
use crate::model::config::SiteConfig;
use crate::render::pages::OutputFile;

pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const IMMUTABLE: &str = "Cache-Control: public, max-age=31536000, immutable";

/// The host files for `config`, given the fingerprinted files.
pub fn host_files(config: &SiteConfig, renamed: &Renamed) -> Result<Vec<OutputFile>> {
    let base_path = config.base_path();
    let mut files = vec![
        text_file("_headers", headers(config, &base_path, renamed)?),
        text_file(".nojekyll", String::new()),
    ];
    if !config.publish.redirects.is_empty() {
        files.push(text_file("_redirects", redirects(config, &base_path)?));
    }
    // Checked to be a host name when site.toml was loaded.
    if let Some(cname) = &config.publish.cname {
        files.push(text_file("CNAME", format!("{}\n", cname.trim())));
    }
    Ok(files)
}

fn text_file(path: &str, text: String) -> OutputFile {
    OutputFile {
        path: path.to_string(),
        bytes: text.into_bytes(),
    }
}

fn headers(config: &SiteConfig, base_path: &str, renamed: &Renamed) -> Result<String> {
    let csp = config
        .publish
        .content_security_policy
        .as_deref()
        .unwrap_or(DEFAULT_CSP)
        .trim();
    if csp.contains(['\n', '\r']) {
        bail!(
            "site.toml: [publish] content_security_policy must be one line\n  help: separate directives with `; `"
        );
    }
    let mut out = format!(
        "# Written by guidesmith build --release. Netlify and Cloudflare Pages read this file.\n{base_path}*\n  Content-Security-Policy: {csp}\n  X-Content-Type-Options: nosniff\n  Referrer-Policy: strict-origin-when-cross-origin\n"
    );
    let mut assets: Vec<&String> = renamed.values().collect();
    assets.sort();
    for path in assets {
        out.push_str(&format!("\n{base_path}{path}\n  {IMMUTABLE}\n"));
    }
    if config.search.enabled {
        // Release shards carry a content hash in their name (the manifest does not).
        let shards = crate::search::shards::SHARD_PREFIX;
        out.push_str(&format!("\n{base_path}{shards}*\n  {IMMUTABLE}\n"));
    }
    Ok(out)
}

fn redirects(config: &SiteConfig, base_path: &str) -> Result<String> {
    let mut out = String::from(
        "# Written by guidesmith build --release from [[publish.redirects]] in site.toml.\n",
    );
    for (i, r) in config.publish.redirects.iter().enumerate() {
        let at = format!("site.toml: [[publish.redirects]] entry {}", i + 1);
        if !r.from.starts_with('/') || r.from.contains(char::is_whitespace) {
            bail!(
                "{at}: from = \"{}\" must be a site path starting with `/` and without spaces\n  help: e.g. from = \"/old-guide/\"",
                r.from
            );
        }
        if r.to.is_empty() || r.to.contains(char::is_whitespace) {
            bail!(
                "{at}: to = \"{}\" must be a site path or URL without spaces",
                r.to
            );
        }
        if ![200, 301, 302, 303, 307, 308, 404, 410].contains(&r.status) {
            bail!(
                "{at}: status = {} is not a redirect status\n  help: use 301 (moved for good), 302 (for now), or 200 (serve that page here)",
                r.status
            );
        }
        let site_path = |p: &str| {
            if p.starts_with('/') && !p.starts_with("//") {
                format!("{base_path}{}", p.trim_start_matches('/'))
            } else {
                p.to_string()
            }
        };
        out.push_str(&format!(
            "{} {} {}\n",
            site_path(&r.from),
            site_path(&r.to),
            r.status
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> SiteConfig {
        SiteConfig::parse(&format!(
            "title='t'\nbase_url='https://u.github.io/proj/'\n{extra}"
        ))
        .unwrap()
    }

    fn text<'a>(files: &'a [OutputFile], path: &str) -> Option<&'a str> {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| std::str::from_utf8(&f.bytes).unwrap())
    }

    #[test]
    fn headers_cover_pages_and_fingerprinted_assets_under_the_base_path() {
        let renamed = Renamed::from([("style.css".to_string(), "style.0123abcd.css".to_string())]);
        let files = host_files(&config(""), &renamed).unwrap();
        let headers = text(&files, "_headers").unwrap();
        assert!(headers.contains("/proj/*\n  Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self';"), "{headers}");
        assert!(
            headers.contains("X-Content-Type-Options: nosniff")
                && headers.contains("Referrer-Policy: ")
        );
        assert!(
            headers.contains(
                "\n/proj/style.0123abcd.css\n  Cache-Control: public, max-age=31536000, immutable\n"
            ),
            "{headers}"
        );
        assert_eq!(text(&files, ".nojekyll"), Some(""));
        assert_eq!(text(&files, "CNAME"), None);
        assert_eq!(text(&files, "_redirects"), None);
    }

    #[test]
    fn redirects_and_cname_come_from_site_toml() {
        let c = config(
            "[publish]\ncname = 'guides.example.org'\n[[publish.redirects]]\nfrom = '/old/'\nto = '/new/'\n[[publish.redirects]]\nfrom = '/x'\nto = 'https://example.org/'\nstatus = 302\n",
        );
        let files = host_files(&c, &Renamed::new()).unwrap();
        assert_eq!(text(&files, "CNAME"), Some("guides.example.org\n"));
        let r = text(&files, "_redirects").unwrap();
        assert!(
            r.ends_with("/proj/old/ /proj/new/ 301\n/proj/x https://example.org/ 302\n"),
            "{r}"
        );
    }

    #[test]
    fn a_typo_in_publish_keys_is_an_error_with_a_suggestion() {
        let e = SiteConfig::parse(
            "title='t'\nbase_url='https://x.org/'\n[publish]\nprecompres = true\n",
        )
        .unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (4, 1, "unknown key `precompres`")
        );
        assert!(e.help.unwrap().starts_with("did you mean `precompress`?"));
        let e = SiteConfig::parse(
            "title='t'\nbase_url='https://x.org/'\n[[publish.redirects]]\nfrom='/a/'\ntoo='/b/'\n",
        )
        .unwrap_err();
        assert_eq!(e.message, "unknown key `too`");
    }

    #[test]
    fn bad_values_are_named() {
        for cname in ["'https://x.org/'", "\"guides.example.org\\nx\""] {
            let e = SiteConfig::parse(&format!(
                "title='t'\nbase_url='https://x.org/'\n[publish]\ncname = {cname}\n"
            ))
            .unwrap_err();
            assert_eq!((e.line, e.column), (4, 1), "{cname}");
            assert!(e.message.contains("is not a host name"), "{}", e.message);
        }
        let e = host_files(
            &config("[[publish.redirects]]\nfrom = 'old'\nto = '/new/'\n"),
            &Renamed::new(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("site.toml: [[publish.redirects]] entry 1: from = \"old\""),
            "{e}"
        );
    }
}
