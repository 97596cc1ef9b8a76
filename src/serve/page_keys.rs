//! What decides which pages a rebuild of a served site renders: the site's layout
//! ([`SiteIndex`]: its pages, output paths and link targets), each guide's card ([`Card`],
//! rendered once and reused by every listing) and, per page, a key that hashes what the page
//! shows ([`page_keys`]). Nothing here allocates per guide on the common edit, so a rebuild of
//! a 10,000-guide site spends its time on the pages that changed.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use anyhow::Result;
use bytes::Bytes;
use rayon::prelude::*;

use crate::check::links::LinkTargets;
use crate::model::site::Site;
use crate::render::pages::{Page, SiteView, render_card, site_context, site_pages};
use crate::render::theme::Theme;

/// A guide's source path and file contents, hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GuideId {
    pub source: u64,
    pub file: u64,
}

pub fn hash_of(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// What follows from the site's layout: which pages and files exist and which guide has which
/// tags. Rebuilt when guides come, go or change slug or tags, or static files change; kept
/// while guides are edited, and moved along when an edit moves a guide in reading order.
pub struct SiteIndex {
    /// Every page, in the order of [`site_pages`].
    pub pages: Vec<Page>,
    /// The output path of each page, aligned with `pages`.
    pub page_paths: Vec<String>,
    /// Every output path (pages and static files), for the link checker.
    pub targets: LinkTargets,
    /// Two things would be written to one path (the caller names them).
    pub has_collisions: bool,
    /// Per guide, the indexes into `Site::tags` of its tags.
    guide_tags: Vec<Vec<usize>>,
}

impl SiteIndex {
    pub fn new(site: &Site, statics: &BTreeMap<String, Bytes>) -> SiteIndex {
        let pages = site_pages(site);
        let page_paths: Vec<String> = pages.iter().map(|p| p.path(site)).collect();
        let all = page_paths.len() + statics.len();
        let outputs: HashSet<String> = page_paths
            .iter()
            .cloned()
            .chain(statics.keys().cloned())
            .collect();
        let mut guide_tags = vec![Vec::new(); site.guides.len()];
        for (t, tag) in site.tags.iter().enumerate() {
            for &g in &tag.guides {
                guide_tags[g].push(t);
            }
        }
        SiteIndex {
            has_collisions: outputs.len() != all,
            targets: LinkTargets::new(site, outputs),
            pages,
            page_paths,
            guide_tags,
        }
    }

    /// Follows [`Site::move_guide`]: guide pages come first in `pages`, one per guide.
    pub fn move_guide(&mut self, from: usize, to: usize) {
        let path = self.page_paths.remove(from);
        self.page_paths.insert(to, path);
        let tags = self.guide_tags.remove(from);
        self.guide_tags.insert(to, tags);
        for i in from.min(to)..=from.max(to) {
            self.targets.set_guide_index(&self.page_paths[i], i);
        }
    }
}

/// A guide's card as listings show it, with what it was made from.
pub struct Card {
    source: u64,
    /// Hash of the card's inputs: the guide file and its tags' names and counts.
    inputs: u64,
    /// Hash of `html`: listings re-render exactly when a card shows something new.
    key: u64,
    /// Hash of the slug and title: what a neighbour's page shows of this guide.
    link: u64,
    /// Hash of the slug and the date the sitemap shows.
    sitemap: u64,
    /// Hash of both dates (the feed orders by them).
    dates: u64,
    html: String,
}

impl AsRef<str> for Card {
    fn as_ref(&self) -> &str {
        &self.html
    }
}

fn tag_key(tag: &crate::model::site::Tag) -> u64 {
    hash_of((&tag.name, &tag.slug, tag.guides.len()))
}

/// The cards of `site.guides` (aligned with it): cards from `old` whose inputs are unchanged
/// are kept (matched by source, so a reordered site keeps them), the others rendered again,
/// all of them when `all` (a template changed).
pub fn update_cards(
    site: &Site,
    theme: &Theme,
    sv: &SiteView,
    ids: &[GuideId],
    index: &SiteIndex,
    old: Vec<Card>,
    all: bool,
) -> Result<Vec<Card>> {
    let tag_keys: Vec<u64> = site.tags.iter().map(tag_key).collect();
    let inputs: Vec<u64> = (0..site.guides.len())
        .map(|i| {
            let mut h = DefaultHasher::new();
            ids[i].file.hash(&mut h);
            for &t in &index.guide_tags[i] {
                tag_keys[t].hash(&mut h);
            }
            h.finish()
        })
        .collect();
    let aligned =
        old.len() == ids.len() && old.iter().zip(ids).all(|(c, id)| c.source == id.source);
    let mut kept: Vec<Option<Card>> = if all {
        Vec::new()
    } else if aligned {
        old.into_iter().map(Some).collect()
    } else {
        let mut by_source: HashMap<u64, Card> = old.into_iter().map(|c| (c.source, c)).collect();
        ids.iter().map(|id| by_source.remove(&id.source)).collect()
    };
    kept.resize_with(ids.len(), || None);
    let base = site_context(sv);
    kept.into_par_iter()
        .enumerate()
        .map(|(i, card)| match card {
            Some(card) if card.inputs == inputs[i] => Ok(card),
            _ => {
                let g = &site.guides[i];
                let (slug, front) = (&g.guide.slug, &g.guide.front);
                let html = render_card(site, theme, &base, g)?;
                Ok(Card {
                    source: ids[i].source,
                    inputs: inputs[i],
                    key: hash_of(&html),
                    link: hash_of((slug, &front.title)),
                    sitemap: hash_of((slug, front.updated.or(front.date))),
                    dates: hash_of((front.date, front.updated, &g.file_changed)),
                    html,
                })
            }
        })
        .collect()
}

/// A key per page of `index.pages` that changes when what the page shows changes: a guide
/// page hashes its file, its card, its neighbours' titles and the cards of its series; the home page every card and
/// tag; a tag page its cards; the sitemap each guide's slug and date; the feed every card and
/// date. So a body edit renders one page, and a title edit its page, its neighbours, the home
/// page, its tag pages and the feed.
pub fn page_keys(site: &Site, ids: &[GuideId], index: &SiteIndex, cards: &[Card]) -> Vec<u64> {
    // Whole slices of integers hash in one pass: keep the per-guide work to integers.
    let card_keys: Vec<u64> = cards.iter().map(|c| c.key).collect();
    let tag_keys: Vec<u64> = site.tags.iter().map(tag_key).collect();
    let link = |i: Option<usize>| i.and_then(|i| cards.get(i)).map(|c| c.link);
    let listing = hash_of((&card_keys, &tag_keys));
    // A series box shows every guide of the series: its key is their cards'.
    let series_keys: Vec<u64> = site
        .series
        .series
        .iter()
        .map(|s| hash_of(s.guides.iter().map(|&g| card_keys[g]).collect::<Vec<_>>()))
        .collect();
    index
        .pages
        .iter()
        .map(|page| match *page {
            Page::Guide(i) => {
                let (prev, next) = site.series.neighbours(i, site.guides.len());
                let series = site
                    .series
                    .place_of(i)
                    .map(|p| (p.place, series_keys[p.series]));
                hash_of((ids[i], card_keys[i], link(prev), link(next), series))
            }
            Page::Home => listing,
            Page::TagsIndex => hash_of(&tag_keys),
            Page::Tag(t) => {
                let tag = &site.tags[t];
                let cards: Vec<u64> = tag.guides.iter().map(|&g| card_keys[g]).collect();
                hash_of((tag_keys[t], cards))
            }
            // Listed by slug, so the order of the guides does not matter.
            Page::Sitemap => hash_of((
                cards.iter().map(|c| c.sitemap).fold(0, u64::wrapping_add),
                site.tags.iter().map(|t| &t.slug).collect::<Vec<_>>(),
            )),
            // The feed shows titles, descriptions and both dates of the newest guides.
            Page::Feed => hash_of((listing, cards.iter().map(|c| c.dates).collect::<Vec<_>>())),
            Page::NotFound | Page::Robots => 0,
        })
        .collect()
}
