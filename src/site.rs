//! `Site`: all prepared guides in reading order, their tags, and the site's URLs.
//!
//! Built once per build from the config and the guides; rendering only reads it.

use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

use crate::config::SiteConfig;
use crate::guide::slugify;
use crate::widgets::PreparedGuide;

pub struct Site {
    pub config: SiteConfig,
    /// `/` or `/sub/`.
    pub base_path: String,
    /// `https://host/sub/`.
    pub base_url: String,
    /// In home-page order: weight, then newest date, then title.
    pub guides: Vec<PreparedGuide>,
    /// Sorted by slug.
    pub tags: Vec<Tag>,
}

pub struct Tag {
    pub name: String,
    pub slug: String,
    /// Indexes into `Site::guides`, in home-page order.
    pub guides: Vec<usize>,
}

impl Site {
    pub fn new(config: SiteConfig, mut guides: Vec<PreparedGuide>) -> Site {
        guides.sort_by(reading_order);
        let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
        for (index, g) in guides.iter().enumerate() {
            for name in &g.guide.front.tags {
                let slug = slugify(name);
                let tag = tags.entry(slug.clone()).or_insert_with(|| Tag {
                    name: name.clone(),
                    slug,
                    guides: Vec::new(),
                });
                if tag.guides.last() != Some(&index) {
                    tag.guides.push(index);
                }
            }
        }
        Site {
            base_path: config.base_path(),
            base_url: config.base_url_normalized(),
            config,
            guides,
            tags: tags.into_values().collect(),
        }
    }

    /// A site path (`first-message/`, no leading slash) as a URL path under the base path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// A site path as an absolute URL.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }

    pub fn tag(&self, slug: &str) -> Option<&Tag> {
        // `tags` is sorted by slug.
        self.tags
            .binary_search_by(|t| t.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.tags[i])
    }
}

/// The order of `Site::guides`: weight (guides without one last), then newest date, title, slug.
pub fn reading_order(a: &PreparedGuide, b: &PreparedGuide) -> Ordering {
    let (fa, fb) = (&a.guide.front, &b.guide.front);
    (
        fa.weight.is_none(),
        fa.weight,
        Reverse(fa.date),
        &fa.title,
        &a.guide.slug,
    )
        .cmp(&(
            fb.weight.is_none(),
            fb.weight,
            Reverse(fb.date),
            &fb.title,
            &b.guide.slug,
        ))
}

/// The site path of a guide page.
pub fn guide_path(slug: &str) -> String {
    format!("{slug}/")
}

/// The site path of a tag page.
pub fn tag_path(slug: &str) -> String {
    format!("tags/{slug}/")
}
