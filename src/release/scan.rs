//! What the output check reads of one output file: the ids it defines and every URL it refers
//! to. An HTML page is tokenized once (lol_html), in the same pass that gives fingerprinted
//! assets their new names ([`super::fingerprint`]); XML files are read for `href` and `<loc>`,
//! stylesheets for `url(...)` and `@import`.

use std::cell::RefCell;
use std::collections::HashSet;

use anyhow::anyhow;
use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, element, rewrite_str, text};

use super::fingerprint::{css_references, rewrite_srcset, srcset_urls};
use super::minify::extension;
use super::urls::{decode_entities, is_url_meta};
use crate::render::pages::OutputFile;

/// What serve injects for live reload; never allowed in published output.
pub const LIVE_RELOAD_MARKER: &str = "__guidesmith";

/// The new form of a URL as written, when it names a renamed file.
pub(crate) type Rename<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// One output file as the output check sees it.
#[derive(Default)]
pub(crate) struct Scan {
    pub(crate) is_html: bool,
    pub(crate) ids: HashSet<String>,
    /// Every URL, as it stands after renaming.
    pub(crate) urls: Vec<String>,
    pub(crate) live_reload: bool,
    pub(crate) error: Option<String>,
}

/// Scans `file`; the URLs of an HTML page that `rename` renames are rewritten in it on the way.
pub(crate) fn scan_file(file: &mut OutputFile, rename: &Rename) -> Scan {
    let mut scan = Scan {
        live_reload: contains(&file.bytes, LIVE_RELOAD_MARKER.as_bytes()),
        ..Scan::default()
    };
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return scan;
    };
    match extension(&file.path) {
        "html" | "htm" => {
            scan.is_html = true;
            match scan_markup(text, &mut scan, Markup::Html(rename)) {
                Ok(rewritten) => file.bytes = rewritten.into_bytes(),
                Err(e) => scan.error = Some(format!("cannot be parsed as HTML: {e}")),
            }
        }
        "xml" => {
            if let Err(e) = scan_markup(text, &mut scan, Markup::Xml) {
                scan.error = Some(format!("cannot be parsed: {e}"));
            }
        }
        "css" => scan
            .urls
            .extend(css_references(text).into_iter().map(|(_, url)| url)),
        _ => {}
    }
    scan
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

enum Markup<'a, 'b> {
    Html(&'a Rename<'b>),
    Xml,
}

/// Collects ids and URLs of `text`; gives the text with renamed URLs.
fn scan_markup(text: &str, scan: &mut Scan, markup: Markup) -> anyhow::Result<String> {
    let ids = RefCell::new(HashSet::new());
    let urls = RefCell::new(Vec::new());
    let loc = RefCell::new(String::new());
    let no_rename = |_: &str| None;
    let rename: &Rename = match markup {
        Markup::Html(rename) => rename,
        Markup::Xml => &no_rename,
    };
    let attribute = |name: &'static str| {
        let urls = &urls;
        move |el: &mut Element| url_attribute(el, name, rename, &mut urls.borrow_mut())
    };
    let id = |name: &'static str| {
        let ids = &ids;
        move |el: &mut Element| {
            if let Some(value) = el.get_attribute(name) {
                ids.borrow_mut().insert(decode_entities(&value));
            }
            Ok(())
        }
    };
    let mut settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[href]", attribute("href")))
        .append_element_content_handler(element!("[id]", id("id")))
        .append_element_content_handler(element!("a[name]", id("name")));
    if let Markup::Xml = markup {
        settings = settings.append_element_content_handler(text!("loc", |t| {
            loc.borrow_mut().push_str(t.as_str());
            if t.last_in_text_node() {
                let url = std::mem::take(&mut *loc.borrow_mut());
                urls.borrow_mut().push(decode_entities(url.trim()));
            }
            Ok(())
        }));
    } else {
        settings = settings
            .append_element_content_handler(element!("[src]", attribute("src")))
            .append_element_content_handler(element!("[srcset]", attribute("srcset")))
            .append_element_content_handler(element!("[poster]", attribute("poster")))
            .append_element_content_handler(element!("meta[content]", |el| {
                // Only URL-valued metadata: og:url, og:image, twitter:image and the like.
                let property = el
                    .get_attribute("property")
                    .or_else(|| el.get_attribute("name"))
                    .unwrap_or_default();
                if is_url_meta(&property) {
                    url_attribute(el, "content", rename, &mut urls.borrow_mut())?;
                }
                Ok(())
            }));
    }
    let rewritten = rewrite_str(text, settings).map_err(|e| anyhow!("{e}"))?;
    scan.ids = ids.into_inner();
    scan.urls = urls.into_inner();
    Ok(rewritten)
}

/// Renames the URL (or `srcset` URLs) of attribute `name` and records the result.
fn url_attribute(
    el: &mut Element,
    name: &str,
    rename: &Rename,
    urls: &mut Vec<String>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let Some(raw) = el.get_attribute(name) else {
        return Ok(());
    };
    let value = decode_entities(&raw);
    let srcset = name == "srcset";
    let new = if srcset {
        rewrite_srcset(&value, rename)
    } else {
        rename(&value)
    };
    if let Some(new) = &new {
        el.set_attribute(name, &new.replace('&', "&amp;"))?;
    }
    let value = new.unwrap_or(value);
    if srcset {
        urls.extend(srcset_urls(&value).into_iter().map(str::to_string));
    } else {
        urls.push(value);
    }
    Ok(())
}
