//! The checks of a rebuild, as `build` makes them, with each guide's link problems kept between
//! rebuilds so that only the guides a change can affect are checked again.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::page_keys::hash_of;
use crate::check::links::{BrokenLink, check_links_of};
use crate::check::portable_names::find_unportable_names;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::validate::validate_site;
use crate::pipeline::{conclude, find_path_collisions, links_not_to_failed, output_names};

use super::guide_files::FileStatus;
use super::incremental::State;

/// The checks of a full build; errors fail the rebuild, warnings are returned. `layout`:
/// pages came, went or moved (or the last rebuild failed), so slugs and output paths are
/// checked again; otherwise they are as they were when they last passed.
pub(super) fn check_site(
    state: &State,
    layout: bool,
    removed_outputs: &[String],
    links: &mut LinkCache,
) -> Result<Vec<Diagnostic>> {
    let mut problems = Diagnostics(state.scan_problems.clone());
    let mut failed_stems = HashSet::new();
    for (file, f) in &state.files {
        match &f.status {
            FileStatus::Guide(p) => problems.extend(p.iter().cloned()),
            FileStatus::Failed(p) => {
                problems.extend(p.iter().cloned());
                failed_stems.extend(file.file_stem().map(|s| s.to_string_lossy().into_owned()));
            }
            FileStatus::Draft => {}
        }
    }
    if layout {
        problems.extend(layout_problems(state).0);
    }
    problems.extend(crate::check::series::check_series(&state.site));
    problems.extend(links_not_to_failed(
        check_links_cached(state, removed_outputs, links),
        &failed_stems,
    ));
    conclude(problems, &state.site)
}

/// Duplicate slugs, output paths that collide and names that are not portable.
fn layout_problems(state: &State) -> Diagnostics {
    let mut problems = Diagnostics::default();
    // Duplicate slugs are rare: look for them cheaply, then report them in file order, as
    // `build` reads the files, so "`x` already uses it" names the same file.
    let mut slugs = HashSet::with_capacity(state.site.guides.len());
    if !state
        .site
        .guides
        .iter()
        .all(|g| slugs.insert(g.guide.slug.as_str()))
    {
        let by_source: HashMap<&Path, &crate::model::guide::Guide> = state
            .site
            .guides
            .iter()
            .map(|g| (g.guide.source.as_path(), &g.guide))
            .collect();
        problems.extend(validate_site(
            state
                .files
                .keys()
                .filter_map(|f| by_source.get(f.as_path()).copied()),
        ));
    }
    let paths: Vec<String> = state
        .index
        .page_paths
        .iter()
        .chain(state.statics.keys())
        .cloned()
        .collect();
    if state.index.has_collisions {
        problems.extend(find_path_collisions(&state.site, &state.theme, &paths));
    }
    problems.extend(find_unportable_names(
        &output_names(&state.site, &state.theme, &paths),
        state.site.config.build.portable,
    ));
    problems
}

/// Link problems per guide (by source id): its file hash, a hash of its anchors, its problems.
#[derive(Default)]
pub(super) struct LinkCache {
    pub(super) guides: HashMap<u64, (u64, u64, Vec<BrokenLink>)>,
}

/// The part of an output path that a link to it spells out: `slug` for `slug/index.html`,
/// `tags/x/index.html` gives `x`, `img/a.png` gives `a.png`.
pub(super) fn link_token(path: &str) -> &str {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    let path = path.trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path)
}

/// `check_links` for the whole site, re-checking only the guides whose result may differ: a
/// guide whose file changed, a guide that had problems (a new page may fix them), and a guide
/// with a link that names a page or file that went away or a changed guide whose ids changed.
/// A guide's result depends on nothing else, so the rest keep their cached result.
pub(super) fn check_links_cached(
    state: &State,
    removed_outputs: &[String],
    cache: &mut LinkCache,
) -> Vec<BrokenLink> {
    let (site, ids) = (&state.site, &state.ids);
    if cache.guides.len() > ids.len() || !removed_outputs.is_empty() {
        let live: HashSet<u64> = ids.iter().map(|id| id.source).collect();
        cache.guides.retain(|source, _| live.contains(source));
    }
    let anchors = |i: usize| {
        site.guides[i]
            .anchors
            .iter()
            .map(hash_of)
            .fold(0, u64::wrapping_add)
    };
    let mut tokens: Vec<&str> = removed_outputs.iter().map(|p| link_token(p)).collect();
    let mut recheck = vec![false; ids.len()];
    for (i, id) in ids.iter().enumerate() {
        match cache.guides.get(&id.source) {
            Some(c) if c.0 == id.file => recheck[i] = !c.2.is_empty(),
            Some(c) => {
                recheck[i] = true;
                if c.1 != anchors(i) {
                    tokens.push(&site.guides[i].guide.slug);
                }
            }
            None => recheck[i] = true,
        }
    }
    let all = tokens.iter().any(|t| t.is_empty());
    if !tokens.is_empty() {
        for (i, g) in site.guides.iter().enumerate() {
            recheck[i] |= all
                || g.links
                    .iter()
                    .any(|l| tokens.iter().any(|t| l.target.contains(t)));
        }
    }
    let indexes: Vec<usize> = (0..ids.len()).filter(|&i| recheck[i]).collect();
    let mut found: HashMap<PathBuf, Vec<BrokenLink>> = HashMap::new();
    for b in check_links_of(site, &state.index.targets, indexes.iter().copied()) {
        found.entry(b.diagnostic.file.clone()).or_default().push(b);
    }
    for &i in &indexes {
        let problems = found
            .remove(&site.guides[i].guide.source)
            .unwrap_or_default();
        cache
            .guides
            .insert(ids[i].source, (ids[i].file, anchors(i), problems));
    }
    ids.iter()
        .filter_map(|id| cache.guides.get(&id.source))
        .flat_map(|c| c.2.iter().cloned())
        .collect()
}
