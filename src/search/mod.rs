//! The search stage: the site's search index, made from the typed model and written beside
//! the pages (docs/search.md).
//!
//! 1. [`records`]: each guide's records (guide, step, FAQ, checklist item, do/don't row,
//!    message, heading), each with its `#id`, and its weighted [`terms`];
//! 2. [`SearchIndex`]: every term's hits across the site, kept so that one guide can be
//!    replaced or removed (`serve`) without indexing the others again;
//! 3. [`shards`]: the files: `search/index.json` (the manifest) and shard files, each holding
//!    the terms of a range of three-letter keys with their best hits of each kind, ready to
//!    show, so that a one-word query loads one shard.

pub(crate) mod records;
pub(crate) mod shards;
pub(crate) mod terms;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use records::{GuideRecords, Kind, guide_records};
use terms::Stemming;

use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::Site;
use crate::render::pages::OutputFile;

pub(crate) use shards::FileNames;

/// One record of one guide that a term finds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    /// The guide's slot in [`SearchIndex::slots`].
    guide: u32,
    record: u16,
    weight: u8,
    kind: Kind,
}

/// The search index of a site; see the module docs.
pub struct SearchIndex {
    stemming: Stemming,
    /// Each guide's records; the slots of removed guides are empty until reused.
    slots: Vec<Option<GuideRecords>>,
    free: Vec<u32>,
    by_slug: BTreeMap<String, u32>,
    /// The key of each guide's inputs, as given to [`SearchIndex::sync`].
    versions: HashMap<String, u64>,
    postings: HashMap<String, Vec<Hit>>,
    /// Shard key → its terms.
    keys: BTreeMap<String, BTreeSet<String>>,
    /// Shard key → its part of a shard file; a key that changed has none until [`Self::files`].
    fragments: BTreeMap<String, String>,
}

impl SearchIndex {
    /// An empty index for a site in `language`.
    pub fn new(language: &str) -> SearchIndex {
        SearchIndex {
            stemming: Stemming::for_language(language),
            slots: Vec::new(),
            free: Vec::new(),
            by_slug: BTreeMap::new(),
            versions: HashMap::new(),
            postings: HashMap::new(),
            keys: BTreeMap::new(),
            fragments: BTreeMap::new(),
        }
    }

    /// The index of every guide of `site` (guides are read on all cores).
    pub fn from_site(site: &Site) -> SearchIndex {
        let mut index = SearchIndex::new(&site.config.language);
        let stemming = index.stemming;
        let all: Vec<GuideRecords> = site
            .guides
            .par_iter()
            .map(|g| guide_records(g, stemming))
            .collect();
        for records in all {
            index.insert(records);
        }
        index
    }

    /// Adds `guide`, or replaces the guide of its slug.
    pub fn replace_guide(&mut self, guide: &PreparedGuide) {
        self.remove_guide(&guide.guide.slug);
        self.insert(guide_records(guide, self.stemming));
    }

    /// Takes the guide of `slug` out of the index, if it is in.
    pub fn remove_guide(&mut self, slug: &str) {
        self.versions.remove(slug);
        let Some(slot) = self.by_slug.remove(slug) else {
            return;
        };
        let Some(old) = self.slots[slot as usize].take() else {
            return;
        };
        self.free.push(slot);
        for (term, _, _) in &old.postings {
            let key = shards::shard_key(term);
            self.fragments.remove(key);
            let Some(hits) = self.postings.get_mut(term) else {
                continue;
            };
            hits.retain(|h| h.guide != slot);
            if hits.is_empty() {
                self.postings.remove(term);
                if let Some(terms) = self.keys.get_mut(key) {
                    terms.remove(term);
                    if terms.is_empty() {
                        self.keys.remove(key);
                    }
                }
            }
        }
    }

    /// Brings the index in line with `site`: a guide whose `version` differs from the one it
    /// was indexed with is indexed again, guides no longer in the site are removed.
    pub fn sync(&mut self, site: &Site, version: impl Fn(usize) -> u64) {
        let mut present = BTreeSet::new();
        for (i, g) in site.guides.iter().enumerate() {
            let slug = &g.guide.slug;
            let v = version(i);
            if self.versions.get(slug) != Some(&v) {
                self.replace_guide(g);
                self.versions.insert(slug.clone(), v);
            }
            present.insert(slug.as_str());
        }
        let gone: Vec<String> = self
            .by_slug
            .keys()
            .filter(|s| !present.contains(s.as_str()))
            .cloned()
            .collect();
        for slug in gone {
            self.remove_guide(&slug);
        }
    }

    fn insert(&mut self, records: GuideRecords) {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        for (term, record, weight) in &records.postings {
            let kind = records.records[usize::from(*record)].kind;
            let hit = Hit {
                guide: slot,
                record: *record,
                weight: *weight,
                kind,
            };
            match self.postings.get_mut(term) {
                Some(hits) => hits.push(hit),
                None => {
                    self.postings.insert(term.clone(), vec![hit]);
                    let key = shards::shard_key(term).to_string();
                    self.keys.entry(key).or_default().insert(term.clone());
                }
            }
            self.fragments.remove(shards::shard_key(term));
        }
        self.by_slug.insert(records.slug.clone(), slot);
        self.slots[slot as usize] = Some(records);
    }

    /// How many guides are indexed.
    pub fn guide_count(&self) -> usize {
        self.by_slug.len()
    }

    /// The index files (`search/…`), named as `names` says.
    pub(crate) fn files(&mut self, names: FileNames) -> Vec<OutputFile> {
        let missing: Vec<&String> = self
            .keys
            .keys()
            .filter(|k| !self.fragments.contains_key(k.as_str()))
            .collect();
        let made: Vec<(String, String)> = missing
            .par_iter()
            .map(|key| ((*key).clone(), shards::fragment(self, key)))
            .collect();
        self.fragments.extend(made);
        shards::index_files(self, names)
    }
}

/// The search files of `site`, none when `[search] enabled = false`.
pub(crate) fn search_files(site: &Site, names: FileNames) -> Vec<OutputFile> {
    if !site.config.search.enabled {
        return Vec::new();
    }
    SearchIndex::from_site(site).files(names)
}
