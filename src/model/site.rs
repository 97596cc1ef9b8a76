//! `Site`: all prepared guides in reading order, their tags, and the site's URLs.
//!
//! Built once per build from the config and the guides; rendering only reads it.

use std::cmp::{Ordering, Reverse};
use std::collections::BTreeMap;

use crate::model::address::PathOrUrl;
use crate::model::config::SiteConfig;
use crate::model::guide::slugify;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::series::SeriesIndex;

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
    /// The series and each guide's `next:`, resolved against `guides`.
    pub series: SeriesIndex,
}

/// One link of a breadcrumb trail: its text and its site path (`first-message/`).
pub struct Crumb {
    pub name: String,
    pub path: String,
}

pub struct Tag {
    pub name: String,
    pub slug: String,
    /// Indexes into `Site::guides`, in home-page order.
    pub guides: Vec<usize>,
}

impl Site {
    pub fn new(config: SiteConfig, guides: Vec<PreparedGuide>) -> Site {
        Site::sorted(config, guides).0
    }

    /// [`Site::new`], with the order it put the guides in: for each place in `Site::guides`,
    /// the guide's index in `guides` (so data kept beside the guides can follow them).
    pub fn sorted(config: SiteConfig, guides: Vec<PreparedGuide>) -> (Site, Vec<usize>) {
        // A prepared guide is large: sort indexes, then move each guide once.
        let mut order: Vec<usize> = (0..guides.len()).collect();
        order.sort_by(|&a, &b| reading_order(&guides[a], &guides[b]));
        let mut slots: Vec<Option<PreparedGuide>> = guides.into_iter().map(Some).collect();
        let guides: Vec<PreparedGuide> = order.iter().filter_map(|&i| slots[i].take()).collect();
        let mut tags: BTreeMap<String, Tag> = BTreeMap::new();
        for (index, g) in guides.iter().enumerate() {
            for name in &g.guide.front.tags {
                let slug = slugify(name);
                let tag = match tags.get_mut(&slug) {
                    Some(tag) => tag,
                    None => tags.entry(slug.clone()).or_insert(Tag {
                        name: name.clone(),
                        slug,
                        guides: Vec::new(),
                    }),
                };
                if tag.guides.last() != Some(&index) {
                    tag.guides.push(index);
                }
            }
        }
        let series = SeriesIndex::new(&config.series, &guides);
        let site = Site {
            series,
            base_path: config.base_path(),
            base_url: config.base_url_normalized(),
            config,
            guides,
            tags: tags.into_values().collect(),
        };
        (site, order)
    }

    /// A site path (`first-message/`, no leading slash) as a URL path under the base path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// A site path as an absolute URL.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }

    /// Where `guide` belongs in `guides` in reading order, leaving out the guide at `skip`
    /// (the guide's own old place), as an index after that one is removed.
    pub fn place_of(&self, guide: &PreparedGuide, skip: usize) -> usize {
        let before = |g: &PreparedGuide| reading_order(g, guide).is_lt();
        let (head, tail) = self.guides.split_at(skip);
        head.partition_point(before) + tail.get(1..).map_or(0, |t| t.partition_point(before))
    }

    /// Moves the guide at `from` to `to` (an index after its removal), as if the site had been
    /// sorted again: tag lists follow, and tag names come from their first guide again. The
    /// guide must keep its place in reading order at `to` and its tags.
    pub fn move_guide(&mut self, from: usize, to: usize) {
        let guide = self.guides.remove(from);
        self.guides.insert(to, guide);
        self.series = SeriesIndex::new(&self.config.series, &self.guides);
        let (lo, hi) = (from.min(to), from.max(to));
        let moved = |i: usize| match i {
            i if i == from => to,
            i if i < lo || i > hi => i,
            i if from < to => i - 1,
            i => i + 1,
        };
        for tag in &mut self.tags {
            if tag.guides.iter().any(|&i| (lo..=hi).contains(&i)) {
                for i in &mut tag.guides {
                    *i = moved(*i);
                }
                tag.guides.sort_unstable();
            }
        }
        for name in &self.guides[to].guide.front.tags {
            let slug = slugify(name);
            if let Ok(t) = self.tags.binary_search_by(|t| t.slug.as_str().cmp(&slug))
                && let Some(first) = self.tags[t].guides.first()
                && let Some(first_name) = self.guides[*first]
                    .guide
                    .front
                    .tags
                    .iter()
                    .find(|n| slugify(n) == slug)
            {
                self.tags[t].name = first_name.clone();
            }
        }
    }

    /// A site path or URL as an absolute URL (a site path is resolved under base_url).
    pub fn absolute_url(&self, address: &PathOrUrl) -> String {
        match address.site_path() {
            Some(path) => self.permalink(path),
            None => address.as_str().to_string(),
        }
    }

    /// The breadcrumb trail of a guide page, shown above the guide and given in its JSON-LD
    /// `BreadcrumbList`, so the two never differ: the home page, then the guide.
    pub fn guide_breadcrumbs(&self, g: &PreparedGuide) -> Vec<Crumb> {
        vec![
            Crumb {
                name: "Home".to_string(),
                path: String::new(),
            },
            Crumb {
                name: g.guide.front.title.clone(),
                path: guide_path(&g.guide.slug),
            },
        ]
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
