//! The output check that runs before anything leaves the machine.
//!
//! 1. Every file is scanned ([`super::scan`]): HTML pages for their ids and for every URL in
//!    `href`, `src`, `srcset`, `poster` and `<meta content>`; XML files (feed, sitemap) for
//!    `href` and `<loc>`; stylesheets for `url(...)` and `@import`.
//! 2. Each URL inside the site (under base_url's path) must reach an output file, and a
//!    `#fragment` on a page must name an id there. A root-relative URL outside the base path
//!    is an error too: under a sub-path host it points at some other site.
//! 3. No file may hold live-reload code (`guidesmith serve` injects `/__guidesmith/...`).
//!
//! This checks the finished output, so it also catches links made by templates, the
//! fingerprinting step or a site's own static files, which the source-level check in
//! [`crate::check::links`] cannot see.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use crate::release::scan::{LIVE_RELOAD_MARKER, Scan};
use crate::release::urls::{SiteUrls, Target};

/// One broken reference or forbidden content in one output file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OutputProblem {
    /// The output file (`slug/index.html`).
    pub page: String,
    /// The guide the page was made from, if it is a guide page.
    pub source: Option<PathBuf>,
    pub message: String,
}

impl fmt::Display for OutputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.page, self.message)?;
        if let Some(source) = &self.source {
            write!(f, " (page of {})", source.display())?;
        }
        Ok(())
    }
}

/// All problems of one output, shown as one error.
#[derive(Debug)]
pub struct OutputProblems(pub Vec<OutputProblem>);

impl fmt::Display for OutputProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "the output check found {n} problem{}; nothing was written or published",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        write!(
            f,
            "  help: fix the links in the guides, templates or static files named above, then run the command again"
        )
    }
}

impl std::error::Error for OutputProblems {}

/// Checks a release output from the scans of its files; `paths` holds every output path,
/// `sources` maps guide pages to their guide files.
pub(crate) fn check_output(
    scanned: &[(String, Scan)],
    paths: &HashSet<String>,
    site: &SiteUrls,
    sources: &BTreeMap<String, PathBuf>,
) -> Result<(), OutputProblems> {
    let ids: HashMap<&str, &HashSet<String>> = scanned
        .iter()
        .filter(|(_, s)| s.is_html)
        .map(|(p, s)| (p.as_str(), &s.ids))
        .collect();
    let mut problems = Vec::new();
    for (page, scan) in scanned {
        let mut report = |message: String| {
            problems.push(OutputProblem {
                page: page.to_string(),
                source: sources.get(page).cloned(),
                message,
            })
        };
        if let Some(e) = &scan.error {
            report(e.clone());
        }
        if scan.live_reload {
            report(format!(
                "contains live-reload code (`{LIVE_RELOAD_MARKER}`); remove it from the template or static file it comes from"
            ));
        }
        let mut seen = HashSet::new();
        for url in &scan.urls {
            if !seen.insert(url) {
                continue;
            }
            if let Some(why) = check_url(url, page, site, paths, &ids) {
                report(why);
            }
        }
    }
    problems.sort();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(OutputProblems(problems))
    }
}

fn check_url(
    url: &str,
    page: &str,
    site: &SiteUrls,
    paths: &HashSet<String>,
    ids: &HashMap<&str, &HashSet<String>>,
) -> Option<String> {
    let (path, fragment) = match site.resolve(url, page) {
        Target::External => return None,
        Target::OutsideBase => {
            return Some(format!(
                "link `{url}` is outside the site's base path {}",
                site.base_path
            ));
        }
        Target::AboveRoot => {
            return Some(format!(
                "broken link `{url}`: it climbs above the site's root"
            ));
        }
        Target::Site { path, fragment } => (path, fragment),
    };
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else if paths.contains(path.as_str()) {
        path.clone()
    } else {
        format!("{path}/index.html")
    };
    if !paths.contains(file.as_str()) {
        return Some(format!(
            "broken link `{url}`: no file `{}` in the output",
            if path.is_empty() { "index.html" } else { &path }
        ));
    }
    let fragment = fragment.filter(|f| !f.is_empty() && f != "top")?;
    let page_ids = ids.get(file.as_str())?;
    (!page_ids.contains(&fragment))
        .then(|| format!("broken anchor `{url}`: `{file}` has no id `{fragment}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::scan::scan_file;
    use crate::render::pages::OutputFile;

    fn site() -> SiteUrls {
        SiteUrls {
            base_url: "https://x.org/p/".into(),
            base_path: "/p/".into(),
        }
    }

    fn problems(files: &[OutputFile]) -> Vec<String> {
        let sources = BTreeMap::from([("a/index.html".to_string(), PathBuf::from("guides/a.md"))]);
        let paths = files.iter().map(|f| f.path.clone()).collect();
        let scanned: Vec<(String, Scan)> = files
            .iter()
            .map(|f| (f.path.clone(), scan_file(&mut f.clone(), &|_| None)))
            .collect();
        match check_output(&scanned, &paths, &site(), &sources) {
            Ok(()) => Vec::new(),
            Err(p) => p.0.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_whole_site_whose_links_resolve_passes() {
        let files = [
            OutputFile::new(
                "index.html",
                r##"<html><head><link rel="canonical" href="https://x.org/p/"><link href="/p/s.css" rel="stylesheet"><meta property="og:url" content="https://x.org/p/"></head><a href="a/#faq-1">a</a><a href="/p/a">a</a><a href="https://elsewhere.org/x">x</a><a href="mailto:x@y.z">m</a><a href="#top">top</a>"##,
            ),
            OutputFile::new(
                "a/index.html",
                r#"<h2 id="faq-1">Q</h2><img srcset="../i.png 1x, /p/i.png 2x"><a href="../#">home</a><a href="?q=1">self</a>"#,
            ),
            OutputFile::new("s.css", "body{background:url(i.png)}"),
            OutputFile::new("i.png", "PNG"),
            OutputFile::new(
                "sitemap.xml",
                "<urlset><url><loc>https://x.org/p/a/</loc></url></urlset>",
            ),
        ];
        assert_eq!(problems(&files), Vec::<String>::new());
    }

    #[test]
    fn broken_links_anchors_and_live_reload_are_named_with_page_and_source() {
        let files = [
            OutputFile::new(
                "index.html",
                r#"<a href="/p/b/">b</a><a href="/style.css">s</a><script src="/__guidesmith/livereload.js"></script>"#,
            ),
            OutputFile::new(
                "a/index.html",
                r##"<a href="/p/#nope">x</a><img src="missing.png">"##,
            ),
            OutputFile::new("s.css", "body{background:url(gone.png)}"),
            OutputFile::new(
                "sitemap.xml",
                "<urlset><url><loc>https://x.org/p/old/</loc></url></urlset>",
            ),
        ];
        assert_eq!(
            problems(&files),
            [
                "a/index.html: broken anchor `/p/#nope`: `index.html` has no id `nope` (page of guides/a.md)",
                "a/index.html: broken link `missing.png`: no file `a/missing.png` in the output (page of guides/a.md)",
                "index.html: broken link `/p/b/`: no file `b/` in the output",
                "index.html: contains live-reload code (`__guidesmith`); remove it from the template or static file it comes from",
                "index.html: link `/__guidesmith/livereload.js` is outside the site's base path /p/",
                "index.html: link `/style.css` is outside the site's base path /p/",
                "s.css: broken link `gone.png`: no file `gone.png` in the output",
                "sitemap.xml: broken link `https://x.org/p/old/`: no file `old/` in the output",
            ]
        );
    }
}
