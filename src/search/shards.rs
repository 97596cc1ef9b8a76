//! The index as files: `search/index.json` and shard files `search/s<N>.json`.
//!
//! Terms are grouped by their first three letters (the shard key); consecutive keys share a
//! shard file until it holds its share of the index, so a site has at most one shard per
//! [`GUIDES_PER_SHARD`] guides (hosts limit file counts). The manifest lists the first key of
//! each shard; the client loads the shard of a query word's key. Each term keeps its best
//! [`HITS_PER_KIND`] hits of each kind, with the records and guides they need inlined, so a
//! hit is shown without loading anything else. Release builds put a content hash in the shard
//! names (the manifest, which is fetched fresh, names them).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::records::Kind;
use super::{Hit, SearchIndex};
use crate::release::fingerprint::hashed_name;
use crate::render::pages::OutputFile;

/// Every shard's path starts with this (the manifest's does not).
pub(crate) const SHARD_PREFIX: &str = "search/s";
/// The manifest's path in the output.
pub(crate) const MANIFEST: &str = "search/index.json";
/// At most one shard file per this many guides.
pub(crate) const GUIDES_PER_SHARD: usize = 25;
/// The best hits of each kind a term keeps.
pub(crate) const HITS_PER_KIND: usize = 8;
/// Shards are not cut smaller than this (bytes of JSON), however many guides there are.
const MIN_SHARD_BYTES: usize = 16 * 1024;
/// The format of the files, for the client to check.
const FORMAT: u32 = 1;

/// How shard files are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileNames {
    /// `search/s3.json`: stable across edits (`build`, `serve`).
    Plain,
    /// `search/s3.1a2b3c4d.json`: a content hash, for caching forever (release builds).
    Fingerprinted,
}

/// The first three letters of `term`.
pub(crate) fn shard_key(term: &str) -> &str {
    match term.char_indices().nth(3) {
        Some((end, _)) => &term[..end],
        None => term,
    }
}

/// One shard key's terms, their hits and what the hits show.
#[derive(Serialize)]
struct Fragment<'a> {
    /// `[slug, title, [tag slugs]]`
    g: Vec<(&'a str, &'a str, Vec<&'a str>)>,
    /// `[guide, kind, anchor, title, text, context]`
    r: Vec<(usize, usize, &'a str, &'a str, &'a str, &'a str)>,
    /// term → `[record, weight, record, weight, ...]`, best first
    t: BTreeMap<&'a str, Vec<usize>>,
}

/// The JSON of shard key `key`.
pub(crate) fn fragment(index: &SearchIndex, key: &str) -> String {
    let mut out = Fragment {
        g: Vec::new(),
        r: Vec::new(),
        t: BTreeMap::new(),
    };
    let mut guides: HashMap<u32, usize> = HashMap::new();
    let mut records: HashMap<(u32, u16), usize> = HashMap::new();
    let slug = |slot: u32| {
        index.slots[slot as usize]
            .as_ref()
            .map_or("", |g| g.slug.as_str())
    };
    for term in index.keys.get(key).into_iter().flatten() {
        let mut list = Vec::new();
        for h in best_hits(&index.postings[term], &slug) {
            let Some(g) = index.slots[h.guide as usize].as_ref() else {
                continue;
            };
            let gi = *guides.entry(h.guide).or_insert_with(|| {
                let tags = g.tags.iter().map(|(s, _)| s.as_str()).collect();
                out.g.push((&g.slug, &g.title, tags));
                out.g.len() - 1
            });
            let ri = *records.entry((h.guide, h.record)).or_insert_with(|| {
                let r = &g.records[usize::from(h.record)];
                let kind = Kind::ALL.iter().position(|k| *k == r.kind).unwrap_or(0);
                out.r
                    .push((gi, kind, &r.anchor, &r.title, &r.text, &r.context));
                out.r.len() - 1
            });
            list.extend([ri, usize::from(h.weight)]);
        }
        out.t.insert(term, list);
    }
    serde_json::to_string(&out).unwrap_or_default()
}

/// The best [`HITS_PER_KIND`] of `hits` of each kind, kind by kind, best first: by weight,
/// then guide slug, then record. One pass: a hit is compared with the worst kept one.
fn best_hits<'a>(hits: &[Hit], slug: &impl Fn(u32) -> &'a str) -> Vec<Hit> {
    let rank = |h: &Hit| (std::cmp::Reverse(h.weight), slug(h.guide), h.record);
    let mut kept: Vec<Vec<Hit>> = vec![Vec::new(); Kind::ALL.len()];
    for h in hits {
        let best = &mut kept[h.kind as usize];
        if best.len() == HITS_PER_KIND && rank(h) >= rank(&best[HITS_PER_KIND - 1]) {
            continue;
        }
        let at = best.partition_point(|b| rank(b) < rank(h));
        best.insert(at, *h);
        best.truncate(HITS_PER_KIND);
    }
    kept.concat()
}

#[derive(Serialize)]
struct Manifest<'a> {
    v: u32,
    /// The stemming the client applies to queries.
    stem: &'static str,
    kinds: Vec<&'static str>,
    /// `[slug, name]`, by slug
    tags: Vec<(&'a str, &'a str)>,
    /// `[first key, file name in search/]`
    shards: Vec<(&'a str, String)>,
}

/// The manifest and the shard files, from the fragments (every key must have one).
pub(crate) fn index_files(index: &SearchIndex, names: FileNames) -> Vec<OutputFile> {
    let total: usize = index.fragments.values().map(String::len).sum();
    let most = (index.guide_count() / GUIDES_PER_SHARD).max(1);
    let target = (total / most + 1).max(MIN_SHARD_BYTES);
    let mut groups: Vec<(&str, String)> = Vec::new();
    for (key, json) in &index.fragments {
        let key_json = serde_json::to_string(key).unwrap_or_default();
        match groups.last_mut() {
            Some((_, body)) if body.len() < target => {
                body.push(',');
                body.push_str(&key_json);
            }
            _ => groups.push((key, format!("{{\"v\":{FORMAT},\"k\":{{{key_json}"))),
        }
        let body = &mut groups.last_mut().expect("pushed above").1;
        body.push(':');
        body.push_str(json);
    }
    let mut files = Vec::with_capacity(groups.len() + 1);
    let mut shards = Vec::with_capacity(groups.len());
    for (i, (first_key, mut body)) in groups.into_iter().enumerate() {
        body.push_str("}}");
        let plain = format!("{SHARD_PREFIX}{i}.json");
        let path = match names {
            FileNames::Plain => plain,
            FileNames::Fingerprinted => hashed_name(&plain, body.as_bytes()),
        };
        let name = path.trim_start_matches("search/").to_string();
        // The first shard also takes every key that sorts before its own first key.
        shards.push((if i == 0 { "" } else { first_key }, name));
        files.push(OutputFile::new(path, body));
    }
    let manifest = Manifest {
        v: FORMAT,
        stem: index.stemming.name(),
        kinds: Kind::ALL.iter().map(|k| k.name()).collect(),
        tags: site_tags(index),
        shards,
    };
    let json = serde_json::to_string(&manifest).unwrap_or_default();
    files.push(OutputFile::new(MANIFEST, json));
    files
}

/// Every tag of the indexed guides, by slug; a tag's name is the one its first guide (by slug)
/// gives it.
fn site_tags(index: &SearchIndex) -> Vec<(&str, &str)> {
    let mut tags: BTreeMap<&str, &str> = BTreeMap::new();
    for slot in index.by_slug.values() {
        for (slug, name) in index.slots[*slot as usize].iter().flat_map(|g| &g.tags) {
            tags.entry(slug).or_insert(name);
        }
    }
    tags.into_iter().collect()
}
