//! The guide files of a served site: each file's state on disk, reading the changed ones again,
//! and putting what they now hold into the site, in place when slug, tags and order allow.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::page_keys::{GuideId, hash_of};
use crate::diagnostic::{Diagnostic, Position};
use crate::load::content::{find_guide_files, is_guide_file, load_guide};
use crate::load::file_reads::map_file_contents;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::{Site, reading_order};
use crate::pipeline::BuildOptions;
use crate::prepare::widgets::prepare_guide;

use super::changes::ChangeSet;
use super::incremental::State;

/// One guide file's state on disk.
pub(super) struct FileState {
    pub(super) hash: u64,
    pub(super) status: FileStatus,
}

pub(super) enum FileStatus {
    /// Loaded; in `Site::guides`, with its placement problems (if any).
    Guide(Vec<Diagnostic>),
    /// `draft: true` and drafts are off: not in the site.
    Draft,
    /// Did not load; these are its errors.
    Failed(Vec<Diagnostic>),
}

/// The id of a guide that has none yet.
pub(super) fn new_id(files: &BTreeMap<PathBuf, FileState>, g: &PreparedGuide) -> GuideId {
    GuideId {
        source: hash_of(&g.guide.source),
        file: files.get(&g.guide.source).map_or(0, |f| f.hash),
    }
}

/// What reading the changed guide files did to the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum GuidesUpdate {
    /// No file's bytes changed.
    Unchanged,
    /// Guides were swapped in where they were: same slug, tags and place in the order.
    InPlace,
    /// Guides came, went, moved, failed or became drafts.
    Layout,
    /// A tentative rebuild met a file that vanished, failed or became a draft; nothing changed.
    Refused,
}

/// The outcome of reading one guide file.
pub(super) enum Loaded {
    Unchanged,
    Gone,
    New(u64, Result<Option<Box<PreparedGuide>>, Vec<Diagnostic>>),
}

/// Reads and loads `files` (relative to `root`); `old_hash` gives the hash of a file's contents
/// when it was last loaded, if it was.
pub(super) fn load_files(
    root: &Path,
    files: impl IntoIterator<Item = PathBuf>,
    old_hash: impl Fn(&Path) -> Option<u64> + Sync,
    drafts: bool,
    base_path: &str,
) -> Vec<(PathBuf, Loaded)> {
    let files: Vec<PathBuf> = files.into_iter().collect();
    let loaded = map_file_contents(root, &files, |i, contents| {
        let file = &files[i];
        load_file(root, file, contents, old_hash(file), drafts, base_path)
    });
    let mut loaded: Vec<(PathBuf, Loaded)> = files.into_iter().zip(loaded).collect();
    PreparedGuide::date_undated(
        root,
        loaded.iter_mut().filter_map(|(_, l)| match l {
            Loaded::New(_, Ok(Some(guide))) => Some(&mut **guide),
            _ => None,
        }),
    );
    loaded
}

pub(super) fn load_file(
    root: &Path,
    file: &Path,
    contents: std::io::Result<Vec<u8>>,
    old_hash: Option<u64>,
    drafts: bool,
    base_path: &str,
) -> Loaded {
    let bytes = match contents {
        Ok(bytes) => bytes,
        Err(_) if !root.join(file).is_file() => return Loaded::Gone,
        Err(e) => {
            return Loaded::New(
                0,
                Err(vec![Diagnostic::error(
                    file,
                    Position::START,
                    format!("cannot read the file: {e}"),
                )]),
            );
        }
    };
    let hash = hash_of(&bytes);
    if old_hash == Some(hash) {
        return Loaded::Unchanged;
    }
    let result = load_guide(file, bytes).map(|guide| {
        (!guide.front.draft || drafts).then(|| Box::new(prepare_guide(guide, base_path)))
    });
    Loaded::New(hash, result)
}

pub(super) fn apply_loaded(
    files: &mut BTreeMap<PathBuf, FileState>,
    guides: &mut Vec<PreparedGuide>,
    file: PathBuf,
    loaded: Loaded,
) {
    match loaded {
        Loaded::Unchanged => {}
        Loaded::Gone => {
            files.remove(&file);
        }
        Loaded::New(hash, Ok(Some(guide))) => {
            files.insert(
                file,
                FileState {
                    hash,
                    status: FileStatus::Guide(guide.placement_problems()),
                },
            );
            guides.push(*guide);
        }
        Loaded::New(hash, Ok(None)) => {
            files.insert(
                file,
                FileState {
                    hash,
                    status: FileStatus::Draft,
                },
            );
        }
        Loaded::New(hash, Err(problems)) => {
            files.insert(
                file,
                FileState {
                    hash,
                    status: FileStatus::Failed(problems),
                },
            );
        }
    }
}

/// Re-reads the changed guide files; returns how many were parsed and what that did.
/// `tentative`: refuse (changing nothing) unless every changed file loads as a guide.
pub(super) fn update_guides(
    root: &Path,
    options: &BuildOptions,
    state: &mut State,
    changes: &ChangeSet,
    tentative: bool,
) -> (usize, GuidesUpdate) {
    let Some(paths) = changed_guide_files(root, state, changes, tentative) else {
        return (0, GuidesUpdate::Refused);
    };
    if paths.is_empty() {
        return (0, GuidesUpdate::Unchanged);
    }
    let config = &state.site.config;
    let base_path = config.base_path();
    let old_hash = |file: &Path| state.files.get(file).map(|f| f.hash);
    let loaded = load_files(root, paths, old_hash, options.drafts, &base_path);
    let loads_as_guide = |l: &Loaded| matches!(l, Loaded::Unchanged | Loaded::New(_, Ok(Some(_))));
    if tentative && !loaded.iter().all(|(_, l)| loads_as_guide(l)) {
        return (0, GuidesUpdate::Refused);
    }
    let parsed = loaded
        .iter()
        .filter(|(_, l)| matches!(l, Loaded::New(..)))
        .count();
    if loaded.iter().all(|(_, l)| matches!(l, Loaded::Unchanged)) {
        return (0, GuidesUpdate::Unchanged);
    }
    let loaded = match replace_in_place(state, loaded) {
        Ok(()) => return (parsed, GuidesUpdate::InPlace),
        Err(loaded) => loaded,
    };
    sort_in(state, loaded);
    (parsed, GuidesUpdate::Layout)
}

/// The guide files `changes` may have changed, with the guides folder rescanned when files
/// came or went; `None` when a tentative rebuild would have to rescan.
fn changed_guide_files(
    root: &Path,
    state: &mut State,
    changes: &ChangeSet,
    tentative: bool,
) -> Option<BTreeSet<PathBuf>> {
    let config = &state.site.config;
    let is_guide = |p: &Path| p.starts_with(&config.guides_dir) && is_guide_file(p);
    let mut paths: BTreeSet<PathBuf> = changes
        .guides
        .iter()
        .filter(|p| is_guide(p))
        .cloned()
        .collect();
    if changes.rescan_guides || changes.guides.iter().any(|p| !is_guide(p)) {
        if tentative {
            return None;
        }
        let (found, problems) = find_guide_files(root, config);
        let found: BTreeSet<PathBuf> = found.into_iter().collect();
        paths.extend(state.files.keys().filter(|k| !found.contains(*k)).cloned());
        paths.extend(found.into_iter().filter(|f| !state.files.contains_key(f)));
        state.scan_problems = problems.0;
    }
    Some(paths)
}

/// Puts the `loaded` files into the site and sorts it again.
fn sort_in(state: &mut State, loaded: Vec<(PathBuf, Loaded)>) {
    // Guides that stay keep their ids, which follow them through the sort.
    let replaced: Vec<PathBuf> = loaded
        .iter()
        .filter(|(_, l)| !matches!(l, Loaded::Unchanged))
        .map(|(f, _)| f.clone())
        .collect();
    let replaced_ids: HashSet<u64> = replaced.iter().map(hash_of).collect();
    let old_guides = std::mem::take(&mut state.site.guides);
    let old_ids = std::mem::take(&mut state.ids);
    let mut guides = Vec::with_capacity(old_guides.len() + loaded.len());
    let mut ids = Vec::with_capacity(guides.capacity());
    for (g, id) in old_guides.into_iter().zip(old_ids) {
        if !(replaced_ids.contains(&id.source) && replaced.contains(&g.guide.source)) {
            guides.push(g);
            ids.push(id);
        }
    }
    for (file, loaded) in loaded {
        apply_loaded(&mut state.files, &mut guides, file, loaded);
    }
    ids.extend(guides[ids.len()..].iter().map(|g| new_id(&state.files, g)));
    let (site, order) = Site::sorted(state.site.config.clone(), guides);
    state.site = site;
    state.ids = order.iter().map(|&i| ids[i]).collect();
}

/// The common edit: guides that stay in the site with the same slug and tags. They are
/// swapped in where they were, without sorting the site again or rebuilding its index, if
/// their new title, date or weight still sorts between the same neighbours; one guide that
/// sorts elsewhere now is moved there. Gives `loaded` back if that does not apply.
pub(super) fn replace_in_place(
    state: &mut State,
    loaded: Vec<(PathBuf, Loaded)>,
) -> Result<(), Vec<(PathBuf, Loaded)>> {
    let edited = loaded
        .iter()
        .filter(|(_, l)| !matches!(l, Loaded::Unchanged))
        .count();
    let mut moves = Vec::new();
    let mut swaps = Vec::new();
    for (file, l) in &loaded {
        match l {
            Loaded::Unchanged => {}
            Loaded::New(_, Ok(Some(new))) => {
                let Some((index, moved_to)) = place_in_place(state, file, new, edited) else {
                    return Err(loaded);
                };
                moves.extend(moved_to.map(|to| (index, to)));
                swaps.push(index);
            }
            _ => return Err(loaded),
        }
    }
    // Neighbours were checked as they were: two swapped neighbours are checked by a re-sort.
    let mut sorted = swaps.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[1] - w[0] <= 1) {
        return Err(loaded);
    }
    swap_in(state, loaded, swaps, moves);
    Ok(())
}

/// Where the edited guide `new` of `file` goes without sorting the site again: its index, and
/// where it moves to if it no longer sorts there (only when it is the one guide edited).
/// `None` if it changed slug, tags, series or `next:`, or is not in the site yet.
fn place_in_place(
    state: &State,
    file: &Path,
    new: &PreparedGuide,
    edited: usize,
) -> Option<(usize, Option<usize>)> {
    let guides = &state.site.guides;
    let id = hash_of(file);
    let index = (0..state.ids.len())
        .find(|&i| state.ids[i].source == id && guides[i].guide.source == *file)?;
    let old = &guides[index];
    let fits = index
        .checked_sub(1)
        .is_none_or(|p| reading_order(&guides[p], new).is_lt())
        && guides
            .get(index + 1)
            .is_none_or(|next| reading_order(new, next).is_lt());
    let same_layout = old.guide.slug == new.guide.slug
        && old.guide.front.tags == new.guide.front.tags
        && old.guide.front.series == new.guide.front.series
        && old.guide.front.next == new.guide.front.next;
    if !same_layout || (!fits && edited > 1) {
        return None;
    }
    Some((index, (!fits).then(|| state.site.place_of(new, index))))
}

/// Swaps the loaded guides in at `swaps` (in the order of `loaded`), then makes the `moves`.
fn swap_in(
    state: &mut State,
    loaded: Vec<(PathBuf, Loaded)>,
    swaps: Vec<usize>,
    moves: Vec<(usize, usize)>,
) {
    let mut swaps = swaps.into_iter();
    for (file, l) in loaded {
        if let Loaded::New(hash, Ok(Some(new))) = l {
            let index = swaps.next().unwrap_or_default();
            state.files.insert(
                file,
                FileState {
                    hash,
                    status: FileStatus::Guide(new.placement_problems()),
                },
            );
            state.site.guides[index] = *new;
            state.ids[index].file = hash;
        }
    }
    for (from, to) in moves {
        state.site.move_guide(from, to);
        state.index.move_guide(from, to);
        let id = state.ids.remove(from);
        state.ids.insert(to, id);
        if from < state.cards.len() {
            let card = state.cards.remove(from);
            state.cards.insert(to, card);
        }
    }
}
