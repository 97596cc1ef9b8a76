//! Series: named, ordered sets of guides ("Guide 4 of 8"), and the guide that follows each one.
//!
//! A series comes from `[[series]]` in site.toml (an ordered list of slugs) or from `series:` in
//! guides' front matter (members in home-page order, after any that site.toml lists). A guide
//! belongs to one series at most. [`SeriesIndex`] resolves all of it once per site, in linear
//! time; what it could not resolve it keeps as [`SeriesProblem`]s, which `check/series.rs`
//! reports with their positions.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Position;
use crate::model::guide::slugify;
use crate::model::prepared_guide::PreparedGuide;

/// One `[[series]]` of site.toml.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SeriesConfig {
    /// The series' name, shown above its guides; guides join it with `series: <title>`.
    pub title: String,
    /// Slugs of the series' guides, in order.
    #[serde(default)]
    pub guides: Vec<SeriesEntry>,
}

/// A slug in `[[series]] guides`, with where it stands in site.toml.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(from = "toml::Spanned<String>")]
pub struct SeriesEntry {
    pub slug: String,
    #[serde(skip)]
    span: Range<usize>,
    /// Set from the span once the text is known ([`locate_series_entries`]).
    #[serde(skip)]
    pub position: Position,
}

impl From<toml::Spanned<String>> for SeriesEntry {
    fn from(spanned: toml::Spanned<String>) -> Self {
        SeriesEntry {
            span: spanned.span(),
            slug: spanned.into_inner(),
            position: Position::START,
        }
    }
}

/// Turns the byte spans of the entries into positions in `text` (the site.toml they came from).
pub fn locate_series_entries(series: &mut [SeriesConfig], text: &str) {
    let lines = crate::diagnostic::LineIndex::new(text);
    for entry in series.iter_mut().flat_map(|s| s.guides.iter_mut()) {
        entry.position = lines.position(text, entry.span.start);
    }
}

/// A resolved series: its title and its guides, as indexes into `Site::guides`.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub title: String,
    pub guides: Vec<usize>,
}

/// Where a guide stands in its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeriesPlace {
    /// Index into [`SeriesIndex::series`].
    pub series: usize,
    /// 0-based place in the series.
    pub place: usize,
}

/// What the series and `next:` keys name that does not fit the site.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesProblem {
    /// `[[series]] guides` names no guide.
    UnknownGuide {
        series: String,
        slug: String,
        at: Position,
    },
    /// A slug already listed in a series (this one or another).
    ListedTwice {
        series: String,
        slug: String,
        first: String,
        at: Position,
    },
    /// `series:` in a guide that site.toml lists in another series (index into `Site::guides`).
    OtherSeries { guide: usize, listed_in: String },
    /// `next:` names no guide, or the guide itself.
    UnknownNext { guide: usize },
    /// A `[[series]]` without a title.
    Untitled { index: usize },
}

/// Every series of the site, each guide's place in one, and each guide's `next:` resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesIndex {
    pub series: Vec<Series>,
    /// Aligned with `Site::guides`.
    places: Vec<Option<SeriesPlace>>,
    /// Aligned with `Site::guides`: the guide `next:` names.
    next: Vec<Option<usize>>,
    pub problems: Vec<SeriesProblem>,
}

impl SeriesIndex {
    /// Resolves `config` and the guides' `series:` and `next:` against `guides` (in home order).
    pub fn new(config: &[SeriesConfig], guides: &[PreparedGuide]) -> SeriesIndex {
        let by_slug: HashMap<&str, usize> = guides
            .iter()
            .enumerate()
            .map(|(i, g)| (g.guide.slug.as_str(), i))
            .collect();
        let mut index = SeriesIndex {
            places: vec![None; guides.len()],
            ..SeriesIndex::default()
        };
        index.add_listed(config, &by_slug);
        index.add_joined(guides);
        index.next = guides
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let slug = g.guide.front.next.as_deref()?;
                let found = by_slug.get(slug).copied().filter(|&n| n != i);
                if found.is_none() {
                    index.problems.push(SeriesProblem::UnknownNext { guide: i });
                }
                found
            })
            .collect();
        index
    }

    /// The series of site.toml, with the guides they list.
    fn add_listed(&mut self, config: &[SeriesConfig], by_slug: &HashMap<&str, usize>) {
        for (s, c) in config.iter().enumerate() {
            if c.title.trim().is_empty() {
                self.problems.push(SeriesProblem::Untitled { index: s });
            }
            let mut members = Vec::with_capacity(c.guides.len());
            for entry in &c.guides {
                let Some(&g) = by_slug.get(entry.slug.as_str()) else {
                    self.problems.push(SeriesProblem::UnknownGuide {
                        series: c.title.clone(),
                        slug: entry.slug.clone(),
                        at: entry.position,
                    });
                    continue;
                };
                if let Some(first) = self.places[g] {
                    self.problems.push(SeriesProblem::ListedTwice {
                        series: c.title.clone(),
                        slug: entry.slug.clone(),
                        first: config[first.series].title.clone(),
                        at: entry.position,
                    });
                    continue;
                }
                self.places[g] = Some(SeriesPlace {
                    series: s,
                    place: members.len(),
                });
                members.push(g);
            }
            self.series.push(Series {
                title: c.title.clone(),
                guides: members,
            });
        }
    }

    /// Guides that name a series in front matter: added to it (made if site.toml has none).
    fn add_joined(&mut self, guides: &[PreparedGuide]) {
        let mut by_name: HashMap<String, usize> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (slugify(&s.title), i))
            .collect();
        for (g, guide) in guides.iter().enumerate() {
            let Some(name) = guide.guide.front.series.as_deref() else {
                continue;
            };
            let key = slugify(name);
            if let Some(place) = self.places[g] {
                if by_name.get(&key) != Some(&place.series) {
                    self.problems.push(SeriesProblem::OtherSeries {
                        guide: g,
                        listed_in: self.series[place.series].title.clone(),
                    });
                }
                continue;
            }
            let s = *by_name.entry(key).or_insert_with(|| {
                self.series.push(Series {
                    title: name.trim().to_string(),
                    guides: Vec::new(),
                });
                self.series.len() - 1
            });
            let members = &mut self.series[s].guides;
            self.places[g] = Some(SeriesPlace {
                series: s,
                place: members.len(),
            });
            members.push(g);
        }
    }

    /// The series of guide `i` and its place in it.
    pub fn place_of(&self, i: usize) -> Option<SeriesPlace> {
        self.places.get(i).copied().flatten()
    }

    /// The guides before and after guide `i` of `count`: its neighbours in its series, else
    /// in home-page order; `next:` replaces the one after.
    pub fn neighbours(&self, i: usize, count: usize) -> (Option<usize>, Option<usize>) {
        let (prev, next) = match self.place_of(i) {
            Some(p) => {
                let members = &self.series[p.series].guides;
                (
                    p.place.checked_sub(1).map(|k| members[k]),
                    members.get(p.place + 1).copied(),
                )
            }
            None => (i.checked_sub(1), (i + 1 < count).then_some(i + 1)),
        };
        (prev, self.next.get(i).copied().flatten().or(next))
    }
}
