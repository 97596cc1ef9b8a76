//! The internal link checker: every link in every guide must reach a page or file of the
//! output, and every `#anchor` an id on that page.
//!
//! Links are checked as written in the source (root-relative `/slug/#id`, relative `../x/`,
//! or same-page `#id`), before the base path is added, so messages show what the author wrote.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, nearest};
use crate::model::body::Link;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::{Site, guide_path};

/// What links may point at: every output path of the site (`/`-separated), and which of them
/// are guide pages (whose ids `#anchor`s must name). Built once per site layout; `serve` keeps
/// it while guides are edited without pages coming or going.
pub struct LinkTargets {
    pub outputs: HashSet<String>,
    /// Page path (`slug/index.html`) to its index into `Site::guides`.
    guide_pages: HashMap<String, usize>,
}

impl LinkTargets {
    pub fn new(site: &Site, outputs: HashSet<String>) -> LinkTargets {
        let guide_pages = site
            .guides
            .iter()
            .enumerate()
            .map(|(i, g)| (format!("{}index.html", guide_path(&g.guide.slug)), i))
            .collect();
        LinkTargets {
            outputs,
            guide_pages,
        }
    }
}

impl LinkTargets {
    /// Records that the guide page at `path` is now guide `index` (after a guide moved).
    pub fn set_guide_index(&mut self, path: &str, index: usize) {
        if let Some(i) = self.guide_pages.get_mut(path) {
            *i = index;
        }
    }
}

/// A link or anchor that reaches nothing: the link as written and the error in its guide.
#[derive(Clone, Debug)]
pub struct BrokenLink {
    pub target: String,
    pub diagnostic: Diagnostic,
}

impl BrokenLink {
    /// Whether the link leads to the page of one of `slugs` (guides that failed to load: the
    /// link may be fine once they do, and their own error says what to fix).
    pub fn leads_to_any(&self, slugs: &HashSet<String>) -> bool {
        let slug = self.target.trim_start_matches('/').split(['/', '#']).next();
        slug.is_some_and(|s| slugs.contains(s))
    }
}

/// Checks the links of all guides.
pub fn check_links(site: &Site, targets: &LinkTargets) -> Vec<BrokenLink> {
    check_links_of(site, targets, 0..site.guides.len())
}

/// Checks the links of the guides at `indexes` (into `Site::guides`); `serve` re-checks
/// only the guides that changed when no page or anchor came or went.
pub fn check_links_of(
    site: &Site,
    targets: &LinkTargets,
    indexes: impl IntoIterator<Item = usize>,
) -> Vec<BrokenLink> {
    let indexes: Vec<usize> = indexes.into_iter().collect();
    // One guide at a time, on all cores; the caller sorts the diagnostics.
    indexes
        .par_iter()
        .filter_map(|&i| site.guides.get(i))
        .flat_map_iter(|g| broken_links_of(site, targets, g))
        .collect()
}

/// The links of one guide that reach no page or file, or no id on the page they reach.
fn broken_links_of(site: &Site, targets: &LinkTargets, g: &PreparedGuide) -> Vec<BrokenLink> {
    let mut problems = Vec::new();
    let page_dir = guide_path(&g.guide.slug);
    let here = format!("{page_dir}index.html");
    for link in &g.links {
        let target = within_site(&link.target, &site.config.own_urls);
        let Some((path, fragment)) = resolve(&target, &page_dir) else {
            continue;
        };
        let file = match path {
            Err(()) => None,
            Ok(p) if p.is_empty() => Some(here.clone()),
            Ok(p) => output_file_of(&p, &targets.outputs),
        };
        let Some(file) = file else {
            problems.push(no_page_there(site, g, link, &target));
            continue;
        };
        let ids = targets
            .guide_pages
            .get(&file)
            .and_then(|&i| site.guides.get(i))
            .map(|g| &g.anchors);
        if let (Some(fragment), Some(ids)) = (fragment.filter(|f| !f.is_empty()), ids)
            && !ids.contains(&fragment)
        {
            problems.push(no_such_anchor(g, link, &fragment, ids));
        }
    }
    problems
}

/// A link to no page or file, with the nearest guide slug as a suggestion.
fn no_page_there(site: &Site, g: &PreparedGuide, link: &Link, target: &str) -> BrokenLink {
    let wanted = target
        .trim_start_matches('/')
        .split(['/', '#'])
        .next()
        .unwrap_or("");
    let slugs: Vec<&str> = site.guides.iter().map(|g| g.guide.slug.as_str()).collect();
    let help = match nearest(wanted, &slugs) {
        Some(s) => {
            format!("did you mean `/{s}/`? Site links start with `/` and name a guide's slug")
        }
        None => "link to a guide as `/slug/`, or to a file in static/ as `/file.ext`".into(),
    };
    BrokenLink {
        target: link.target.clone(),
        diagnostic: Diagnostic::error(
            &g.guide.source,
            link.position,
            format!("broken link `{}`: no page or file there", link.target),
        )
        .with_help(help),
    }
}

/// A link to an id its page does not have, with the nearest id as a suggestion.
fn no_such_anchor(
    g: &PreparedGuide,
    link: &Link,
    fragment: &str,
    ids: &HashSet<String>,
) -> BrokenLink {
    let known: Vec<&str> = ids.iter().map(String::as_str).collect();
    let help = match nearest(fragment, &known) {
        Some(s) => format!("did you mean `#{s}`?"),
        None => "link to a heading id (its text in lowercase with hyphens) or a widget id such as `faq-<id>` or `step-<id>`".into(),
    };
    BrokenLink {
        target: link.target.clone(),
        diagnostic: Diagnostic::error(
            &g.guide.source,
            link.position,
            format!(
                "broken anchor in `{}`: the page has no id `{fragment}`",
                link.target
            ),
        )
        .with_help(help),
    }
}

/// The output file a resolved link path names: the path itself, or the `index.html` in it.
fn output_file_of(path: &str, outputs: &HashSet<String>) -> Option<String> {
    let mut candidate = String::with_capacity(path.len() + "/index.html".len());
    ["", "index.html", "/index.html"]
        .into_iter()
        .find_map(|suffix| {
            candidate.clear();
            candidate.push_str(path);
            candidate.push_str(suffix);
            outputs
                .contains(candidate.as_str())
                .then(|| candidate.clone())
        })
}

/// A link to the site written as an absolute URL (`https://host/sub/x/`) as the root-relative
/// link it stands for (`/x/`); any other link as it is.
fn within_site<'a>(target: &'a str, own_urls: &[String]) -> Cow<'a, str> {
    for url in own_urls {
        if let Some(rest) = target.strip_prefix(url.as_str()) {
            return Cow::Owned(format!("/{rest}"));
        }
        if target == url.trim_end_matches('/') {
            return Cow::Borrowed("/");
        }
    }
    Cow::Borrowed(target)
}

/// Resolves a link against the site path of the page it is on (`slug/`). `None` for links
/// that leave the site (schemes, `//host`); `Err` for relative links that climb above the root.
fn resolve(target: &str, page_dir: &str) -> Option<(Result<String, ()>, Option<String>)> {
    let scheme = target
        .find(':')
        .is_some_and(|i| !target[..i].contains(['/', '?', '#']));
    if target.is_empty() || scheme || target.starts_with("//") {
        return None;
    }
    let (rest, fragment) = match target.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (target, None),
    };
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() {
        return Some((Ok(String::new()), fragment));
    }
    let joined = match path.strip_prefix('/') {
        Some(p) => p.to_string(),
        None => format!("{page_dir}{path}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Some((Err(()), fragment));
                }
            }
            s => parts.push(s),
        }
    }
    Some((Ok(parts.join("/")), fragment))
}

#[cfg(test)]
mod tests {
    use super::{resolve, within_site};

    #[test]
    fn absolute_links_to_the_site_are_site_links() {
        let own = [
            "https://x.org/sub/".to_string(),
            "http://127.0.0.1:4000/".to_string(),
        ];
        assert_eq!(within_site("https://x.org/sub/a/#b", &own), "/a/#b");
        assert_eq!(within_site("https://x.org/sub", &own), "/");
        assert_eq!(within_site("http://127.0.0.1:4000/c/", &own), "/c/");
        assert_eq!(
            within_site("https://x.org/other/", &own),
            "https://x.org/other/"
        );
        assert_eq!(
            within_site("https://y.org/sub/a/", &own),
            "https://y.org/sub/a/"
        );
    }

    #[test]
    fn resolves_links() {
        assert_eq!(resolve("https://x.org/", "a/"), None);
        assert_eq!(resolve("mailto:a@b", "a/"), None);
        assert_eq!(
            resolve("/b/#faq-x", "a/"),
            Some((Ok("b/".into()), Some("faq-x".into())))
        );
        assert_eq!(resolve("../c/", "a/"), Some((Ok("c/".into()), None)));
        assert_eq!(
            resolve("#top", "a/"),
            Some((Ok(String::new()), Some("top".into())))
        );
        assert_eq!(resolve("../../x", "a/"), Some((Err(()), None)));
    }
}
