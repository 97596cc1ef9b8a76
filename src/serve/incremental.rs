//! Rebuilding a served site by what changed, with the same result as a full build.
//!
//! [`IncrementalSite`] keeps between rebuilds what the full pipeline in [`crate::pipeline`] makes
//! and throws away: every guide file's state (parsed and prepared, a draft left out, or its
//! errors), the theme, the [`Site`], its layout index and cards (`page_keys.rs`), the
//! last good output and, for every page, a key of its inputs. A rebuild:
//! 1. re-reads only the guide files that changed (a file whose bytes did not change is not
//!    parsed again) and rescans the guides folder when folders moved; a guide that keeps its
//!    slug and tags is swapped in where it was, or moved to its new place in reading order,
//!    without sorting the site again; anything else sorts and indexes the site again;
//! 2. reloads the theme on a template or static change, everything on a `site.toml` change;
//! 3. checks the site as `build` does: links of changed guides always (all guides when a page
//!    or an anchor came or went), slugs and output paths when the layout changed;
//! 4. renders the cards and pages whose key changed, so a body edit renders its page, a title
//!    edit also its neighbours, the home page, its tag pages and the feed, and a template edit
//!    everything;
//! 5. returns the output files that changed or went away (deleted or renamed guides).
//!
//! A failed rebuild changes nothing that is served: the last good output and the page keys
//! stay as they were, so the next successful rebuild renders everything that changed since.
//! [`IncrementalSite::rebuild_tentatively`] is the same rebuild, taken the moment a save is
//! seen, that gives up (changing nothing) when a changed file is missing or does not load.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use rayon::prelude::*;

use super::page_keys::{Card, GuideId, SiteIndex, hash_of, page_keys, update_cards};
use crate::check::links::{BrokenLink, check_links_of};
use crate::check::portable_names::find_unportable_names;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::load::content::{find_guide_files, is_guide_file, load_guide};
use crate::load::file_reads::map_file_contents;
use crate::load::validate::validate_site;
use crate::model::config::SiteConfig;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::{Site, reading_order};
use crate::pipeline::{
    BuildOptions, conclude, find_path_collisions, links_not_to_failed, load_config, output_names,
};
use crate::prepare::widgets::prepare_guide;
use crate::render::pages::{OutputFile, render_page, site_view};
use crate::render::theme::Theme;

/// What changed since the last rebuild; paths are relative to the site root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Guide files, or folders under the guides folder.
    pub guides: BTreeSet<PathBuf>,
    /// Rescan the guides folder for added and removed files.
    pub rescan_guides: bool,
    pub templates: bool,
    pub statics: bool,
    pub config: bool,
}

impl ChangeSet {
    /// Everything: what a first build or a lost-events rescan needs.
    pub fn everything() -> ChangeSet {
        ChangeSet {
            config: true,
            ..ChangeSet::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ChangeSet::default()
    }

    pub fn merge(&mut self, other: ChangeSet) {
        self.guides.extend(other.guides);
        self.rescan_guides |= other.rescan_guides;
        self.templates |= other.templates;
        self.statics |= other.statics;
        self.config |= other.config;
    }

    /// How many paths or parts changed; large for a burst such as a `git checkout`.
    pub fn size(&self) -> usize {
        self.guides.len()
            + usize::from(self.templates)
            + usize::from(self.statics)
            + usize::from(self.config)
    }
}

/// What a successful rebuild changed in the output.
#[derive(Debug, Default)]
pub struct Update {
    /// New or changed output files.
    pub changed: Vec<(String, Bytes)>,
    /// Output files that no longer exist (deleted or renamed guides, removed tags).
    pub removed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub guide_count: usize,
    pub parsed: usize,
    pub rendered: usize,
    pub elapsed: Duration,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed: browsers can swap them without a reload.
    pub fn css_only(&self) -> bool {
        !self.changed.is_empty()
            && self.removed.is_empty()
            && self.changed.iter().all(|(path, _)| path.ends_with(".css"))
    }
}

/// One guide file's state on disk.
struct FileState {
    hash: u64,
    status: FileStatus,
}

enum FileStatus {
    /// Loaded; in `Site::guides`, with its placement problems (if any).
    Guide(Vec<Diagnostic>),
    /// `draft: true` and drafts are off: not in the site.
    Draft,
    /// Did not load; these are its errors.
    Failed(Vec<Diagnostic>),
}

struct State {
    theme: Theme,
    site: Site,
    /// Aligned with `site.guides`: cheap keys for each guide (hashing paths is not cheap).
    ids: Vec<GuideId>,
    files: BTreeMap<PathBuf, FileState>,
    /// Problems scanning the guides folder itself (missing folder, symlink loops).
    scan_problems: Vec<Diagnostic>,
    statics: BTreeMap<String, Bytes>,
    /// Pages, output paths and link targets; rebuilt when the layout changes.
    index: SiteIndex,
    /// Aligned with `site.guides`.
    cards: Vec<Card>,
}

/// The id of a guide that has none yet.
fn new_id(files: &BTreeMap<PathBuf, FileState>, g: &PreparedGuide) -> GuideId {
    GuideId {
        source: hash_of(&g.guide.source),
        file: files.get(&g.guide.source).map_or(0, |f| f.hash),
    }
}

/// A site kept in memory between rebuilds; see the module docs.
pub struct IncrementalSite {
    root: PathBuf,
    options: BuildOptions,
    state: Option<State>,
    needs_reload: bool,
    needs_theme: bool,
    render_all: bool,
    /// The last rebuild succeeded: the checks that only depend on the layout still hold.
    last_ok: bool,
    published: HashMap<String, Bytes>,
    keys: HashMap<String, u64>,
    links: LinkCache,
}

/// What reading the changed guide files did to the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GuidesUpdate {
    /// No file's bytes changed.
    Unchanged,
    /// Guides were swapped in where they were: same slug, tags and place in the order.
    InPlace,
    /// Guides came, went, moved, failed or became drafts.
    Layout,
    /// A tentative rebuild met a file that vanished, failed or became a draft; nothing changed.
    Refused,
}

impl IncrementalSite {
    /// A site at `root`, not loaded yet: the first [`rebuild`](Self::rebuild) loads everything.
    pub fn new(root: &Path, options: BuildOptions) -> IncrementalSite {
        IncrementalSite {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            options,
            state: None,
            needs_reload: true,
            needs_theme: true,
            render_all: true,
            last_ok: false,
            published: HashMap::new(),
            keys: HashMap::new(),
            links: LinkCache::default(),
        }
    }

    /// The config of the last load, if any.
    pub fn config(&self) -> Option<&SiteConfig> {
        self.state.as_ref().map(|s| &s.site.config)
    }

    /// The last good output.
    pub fn published(&self) -> &HashMap<String, Bytes> {
        &self.published
    }

    /// Applies `changes`; on success returns what changed in the output. Content errors come
    /// back as [`Diagnostics`] inside the error, as from [`crate::pipeline::render_site_files`].
    pub fn rebuild(&mut self, changes: &ChangeSet) -> Result<Update> {
        self.rebuild_as(changes, false)
            .map(|u| u.expect("only tentative rebuilds are refused"))
    }

    /// A rebuild taken the moment a save is seen, before the file system has settled: it goes
    /// through only for guides edited in place (every changed file still there and loading),
    /// and gives `None` when it does not apply or fails. The rebuild that follows once the
    /// file system is quiet reports any error, and finds nothing left to do otherwise.
    pub fn rebuild_tentatively(&mut self, changes: &ChangeSet) -> Option<Update> {
        let theme_or_config = changes.templates || changes.statics || changes.config;
        if self.state.is_none() || self.needs_reload || self.needs_theme || theme_or_config {
            return None;
        }
        self.rebuild_as(changes, true).ok().flatten()
    }

    fn rebuild_as(&mut self, changes: &ChangeSet, tentative: bool) -> Result<Option<Update>> {
        let started = Instant::now();
        self.needs_reload |= changes.config || self.state.is_none();
        self.needs_theme |= changes.templates || changes.statics;
        self.render_all |= changes.templates;
        let (parsed, guides) = if self.needs_reload {
            self.last_ok = false;
            let state = load_state(&self.root, &self.options)?;
            let parsed = state.files.len();
            self.state = Some(state);
            self.links = LinkCache::default();
            self.needs_reload = false;
            self.needs_theme = false;
            self.render_all = true;
            (parsed, GuidesUpdate::Layout)
        } else {
            let state = self.state.as_mut().context("the site is not loaded")?;
            let (parsed, mut guides) =
                update_guides(&self.root, &self.options, state, changes, tentative);
            if guides == GuidesUpdate::Refused {
                return Ok(None);
            }
            if self.needs_theme {
                self.last_ok = false;
                state.theme = Theme::load(&self.root, &state.site.config)?;
                state.statics = read_statics(&state.theme)?;
                self.needs_theme = false;
                guides = GuidesUpdate::Layout;
            }
            (parsed, guides)
        };
        let state = self.state.as_mut().context("the site is not loaded")?;
        let layout = guides == GuidesUpdate::Layout;
        let mut removed_outputs = Vec::new();
        if layout {
            let old = std::mem::replace(
                &mut state.index,
                SiteIndex::new(&state.site, &state.statics),
            );
            let outputs = &state.index.targets.outputs;
            removed_outputs.extend(
                old.targets
                    .outputs
                    .into_iter()
                    .filter(|p| !outputs.contains(p)),
            );
        }
        if guides == GuidesUpdate::Unchanged && self.last_ok && !self.render_all {
            return Ok(Some(Update {
                guide_count: state.site.guides.len(),
                elapsed: started.elapsed(),
                ..Update::default()
            }));
        }
        // Whatever fails from here on, the next rebuild checks everything again.
        self.last_ok = false;
        let warnings = check_site(state, layout, &removed_outputs, &mut self.links)?;
        let sv = site_view(&state.site);
        let old_cards = std::mem::take(&mut state.cards);
        state.cards = update_cards(
            &state.site,
            &state.theme,
            &sv,
            &state.ids,
            &state.index,
            old_cards,
            self.render_all,
        )?;
        let state = &*state;
        let keys = page_keys(&state.site, &state.ids, &state.index, &state.cards);
        let jobs: Vec<usize> = (0..keys.len())
            .filter(|&j| {
                self.render_all || self.keys.get(&state.index.page_paths[j]) != Some(&keys[j])
            })
            .collect();
        let rendered: Vec<OutputFile> = jobs
            .par_iter()
            .map(|&j| {
                let page = state.index.pages[j];
                render_page(&state.site, &state.theme, &sv, &state.cards, page)
            })
            .collect::<Result<_>>()?;
        let mut update = Update {
            warnings,
            guide_count: state.site.guides.len(),
            parsed,
            rendered: rendered.len(),
            ..Update::default()
        };
        let candidates = rendered
            .into_iter()
            .map(|f| (f.path, Bytes::from(f.bytes)))
            .chain(state.statics.iter().map(|(p, b)| (p.clone(), b.clone())));
        for (path, bytes) in candidates {
            if self.published.get(&path) != Some(&bytes) {
                self.published.insert(path.clone(), bytes.clone());
                update.changed.push((path, bytes));
            }
        }
        if layout {
            let outputs = &state.index.targets.outputs;
            update.removed = self
                .published
                .keys()
                .filter(|p| !outputs.contains(p.as_str()))
                .cloned()
                .collect();
            for path in &update.removed {
                self.published.remove(path);
            }
            self.keys = state.index.page_paths.iter().cloned().zip(keys).collect();
        } else {
            for j in jobs {
                self.keys.insert(state.index.page_paths[j].clone(), keys[j]);
            }
        }
        update.changed.sort_by(|a, b| a.0.cmp(&b.0));
        update.removed.sort();
        self.render_all = false;
        self.last_ok = true;
        update.elapsed = started.elapsed();
        Ok(Some(update))
    }
}

/// Loads config, theme and every guide.
fn load_state(root: &Path, options: &BuildOptions) -> Result<State> {
    let config = load_config(root, options)?;
    let theme = Theme::load(root, &config)?;
    let statics = read_statics(&theme)?;
    let (files, scan_problems) = find_guide_files(root, &config);
    let scan_problems = scan_problems.0;
    let base_path = config.base_path();
    let loaded = load_files(root, files, |_| None, options.drafts, &base_path);
    let site = Site::new(config, Vec::new());
    let index = SiteIndex::new(&site, &statics);
    let mut state = State {
        theme,
        site,
        ids: Vec::new(),
        files: BTreeMap::new(),
        scan_problems,
        statics,
        index,
        cards: Vec::new(),
    };
    let mut guides = Vec::new();
    for (file, loaded) in loaded {
        apply_loaded(&mut state.files, &mut guides, file, loaded);
    }
    state.site = Site::new(state.site.config.clone(), guides);
    state.ids = state
        .site
        .guides
        .iter()
        .map(|g| new_id(&state.files, g))
        .collect();
    Ok(state)
}

/// The outcome of reading one guide file.
enum Loaded {
    Unchanged,
    Gone,
    New(u64, Result<Option<Box<PreparedGuide>>, Vec<Diagnostic>>),
}

/// Reads and loads `files` (relative to `root`); `old_hash` gives the hash of a file's contents
/// when it was last loaded, if it was.
fn load_files(
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

fn load_file(
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

fn apply_loaded(
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
fn update_guides(
    root: &Path,
    options: &BuildOptions,
    state: &mut State,
    changes: &ChangeSet,
    tentative: bool,
) -> (usize, GuidesUpdate) {
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
            return (0, GuidesUpdate::Refused);
        }
        let (found, problems) = find_guide_files(root, config);
        let found: BTreeSet<PathBuf> = found.into_iter().collect();
        paths.extend(state.files.keys().filter(|k| !found.contains(*k)).cloned());
        paths.extend(found.into_iter().filter(|f| !state.files.contains_key(f)));
        state.scan_problems = problems.0;
    }
    if paths.is_empty() {
        return (0, GuidesUpdate::Unchanged);
    }
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
    (parsed, GuidesUpdate::Layout)
}

/// The common edit: guides that stay in the site with the same slug and tags. They are
/// swapped in where they were, without sorting the site again or rebuilding its index, if
/// their new title, date or weight still sorts between the same neighbours; one guide that
/// sorts elsewhere now is moved there. Gives `loaded` back if that does not apply.
fn replace_in_place(
    state: &mut State,
    loaded: Vec<(PathBuf, Loaded)>,
) -> Result<(), Vec<(PathBuf, Loaded)>> {
    let guides = &state.site.guides;
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
                let id = hash_of(file);
                let found = (0..state.ids.len())
                    .find(|&i| state.ids[i].source == id && guides[i].guide.source == *file);
                let Some(index) = found else {
                    return Err(loaded);
                };
                let old = &guides[index];
                let fits = index
                    .checked_sub(1)
                    .is_none_or(|p| reading_order(&guides[p], new).is_lt())
                    && guides
                        .get(index + 1)
                        .is_none_or(|next| reading_order(new, next).is_lt());
                if old.guide.slug != new.guide.slug
                    || old.guide.front.tags != new.guide.front.tags
                    || (!fits && edited > 1)
                {
                    return Err(loaded);
                }
                if !fits {
                    moves.push((index, state.site.place_of(new, index)));
                }
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
    Ok(())
}

/// The site's static files, read (which links may be among them: [`crate::load::site_walk`]).
fn read_statics(theme: &Theme) -> Result<BTreeMap<String, Bytes>> {
    let mut files = BTreeMap::new();
    for (path, source) in &theme.static_files {
        files.insert(path.clone(), Bytes::from(source.read()?.into_owned()));
    }
    Ok(files)
}

/// The checks of a full build; errors fail the rebuild, warnings are returned. `layout`:
/// pages came, went or moved (or the last rebuild failed), so slugs and output paths are
/// checked again; otherwise they are as they were when they last passed.
fn check_site(
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
    }
    problems.extend(links_not_to_failed(
        check_links_cached(state, removed_outputs, links),
        &failed_stems,
    ));
    conclude(problems, &state.site)
}

/// Link problems per guide (by source id): its file hash, a hash of its anchors, its problems.
#[derive(Default)]
struct LinkCache {
    guides: HashMap<u64, (u64, u64, Vec<BrokenLink>)>,
}

/// The part of an output path that a link to it spells out: `slug` for `slug/index.html`,
/// `tags/x/index.html` gives `x`, `img/a.png` gives `a.png`.
fn link_token(path: &str) -> &str {
    let path = path.strip_suffix("index.html").unwrap_or(path);
    let path = path.trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path)
}

/// `check_links` for the whole site, re-checking only the guides whose result may differ: a
/// guide whose file changed, a guide that had problems (a new page may fix them), and a guide
/// with a link that names a page or file that went away or a changed guide whose ids changed.
/// A guide's result depends on nothing else, so the rest keep their cached result.
fn check_links_cached(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::render_site_files;

    const SITE: &str = "title = \"Test\"\nbase_url = \"http://127.0.0.1:1111/\"\n";

    fn guide(title: &str, tags: &str, extra: &str) -> String {
        format!(
            "---\ntitle: \"{title}\"\ndescription: \"About {title}.\"\ndate: 2024-01-02\ntags: [{tags}]\n---\n\nBody of {title}. {extra}\n"
        )
    }

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), SITE).unwrap();
        std::fs::create_dir(dir.path().join("guides")).unwrap();
        for (name, title, tags) in [
            ("alpha", "Alpha", "one, two"),
            ("beta", "Beta", "two"),
            ("gamma", "Gamma", "three"),
        ] {
            std::fs::write(
                dir.path().join(format!("guides/{name}.md")),
                guide(title, tags, "See [beta](/beta/)."),
            )
            .unwrap();
        }
        dir
    }

    fn changed(paths: &[&str]) -> ChangeSet {
        ChangeSet {
            guides: paths.iter().map(PathBuf::from).collect(),
            ..ChangeSet::default()
        }
    }

    /// The incremental output must equal a full build of the same files.
    fn assert_same_as_full_build(root: &Path, inc: &IncrementalSite) {
        let full = render_site_files(root, &BuildOptions::default()).unwrap();
        let full: BTreeMap<&str, &[u8]> = full
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.bytes.as_slice()))
            .collect();
        let ours: BTreeMap<&str, &[u8]> = inc
            .published()
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_ref()))
            .collect();
        assert_eq!(
            full.keys().collect::<Vec<_>>(),
            ours.keys().collect::<Vec<_>>()
        );
        for (path, bytes) in &full {
            assert!(ours[path] == *bytes, "{path} differs from a full build");
        }
    }

    #[test]
    fn a_guide_edit_renders_that_guide_and_its_listings_only() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        let first = inc.rebuild(&ChangeSet::everything()).unwrap();
        assert_eq!(first.guide_count, 3);
        assert_same_as_full_build(dir.path(), &inc);

        std::fs::write(
            dir.path().join("guides/gamma.md"),
            guide("Gamma", "three", "New words."),
        )
        .unwrap();
        let update = inc.rebuild(&changed(&["guides/gamma.md"])).unwrap();
        let paths: Vec<&str> = update.changed.iter().map(|(p, _)| p.as_str()).collect();
        assert!(paths.contains(&"gamma/index.html"), "{paths:?}");
        assert!(
            !paths.contains(&"alpha/index.html"),
            "an unrelated guide was re-rendered: {paths:?}"
        );
        assert_eq!(update.parsed, 1);
        assert_eq!(update.rendered, 1, "a body edit shows on its page only");
        assert_same_as_full_build(dir.path(), &inc);

        // A new title shows on the home page, its tag page, the feed and its neighbours.
        std::fs::write(
            dir.path().join("guides/gamma.md"),
            guide("Gamma two", "three", "New words."),
        )
        .unwrap();
        let update = inc.rebuild(&changed(&["guides/gamma.md"])).unwrap();
        let paths: Vec<&str> = update.changed.iter().map(|(p, _)| p.as_str()).collect();
        for page in [
            "gamma/index.html",
            "index.html",
            "tags/three/index.html",
            "atom.xml",
        ] {
            assert!(paths.contains(&page), "{page} not updated: {paths:?}");
        }
        assert!(!paths.contains(&"tags/one/index.html"), "{paths:?}");
        assert_same_as_full_build(dir.path(), &inc);
    }

    #[test]
    fn links_are_checked_again_when_their_target_changes() {
        let dir = site();
        std::fs::write(
            dir.path().join("guides/beta.md"),
            guide("Beta", "two", "\n## Section\n\nText."),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("guides/alpha.md"),
            guide("Alpha", "one", "See [it](/beta/#section)."),
        )
        .unwrap();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();

        // beta's heading goes away: alpha, unchanged, now has a broken anchor.
        std::fs::write(
            dir.path().join("guides/beta.md"),
            guide("Beta", "two", "No heading."),
        )
        .unwrap();
        let err = inc
            .rebuild(&changed(&["guides/beta.md"]))
            .unwrap_err()
            .to_string();
        let full = render_site_files(dir.path(), &BuildOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert_eq!(err, full, "the same errors as a full build");
        assert!(err.starts_with("guides/alpha.md:"), "{err}");

        std::fs::write(
            dir.path().join("guides/beta.md"),
            guide("Beta", "two", "\n## Section\n\nBack."),
        )
        .unwrap();
        inc.rebuild(&changed(&["guides/beta.md"])).unwrap();
        // A body edit that keeps every anchor re-checks only the edited guide; a broken link
        // in it is still found.
        std::fs::write(
            dir.path().join("guides/gamma.md"),
            guide("Gamma", "three", "See [x](/nowhere/)."),
        )
        .unwrap();
        let err = inc
            .rebuild(&changed(&["guides/gamma.md"]))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("guides/gamma.md:"), "{err}");
    }

    #[test]
    fn links_to_a_page_or_file_that_goes_away_and_comes_back_are_checked_again() {
        let dir = site();
        std::fs::create_dir(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/plan.pdf"), "pdf").unwrap();
        std::fs::write(
            dir.path().join("guides/alpha.md"),
            guide(
                "Alpha",
                "one",
                "See [the plan](/plan.pdf) and [gamma](../gamma/).",
            ),
        )
        .unwrap();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        let same_as_full_build = |inc: &mut IncrementalSite, changes: &ChangeSet| {
            let ours = inc.rebuild(changes).map(|_| ()).map_err(|e| e.to_string());
            let full = render_site_files(dir.path(), &BuildOptions::default())
                .map(|_| ())
                .map_err(|e| e.to_string());
            assert_eq!(ours, full, "the same result as a full build");
            ours
        };

        // gamma goes: alpha, unchanged, links to a page that is not there any more.
        let gamma = std::fs::read_to_string(dir.path().join("guides/gamma.md")).unwrap();
        std::fs::remove_file(dir.path().join("guides/gamma.md")).unwrap();
        let err = same_as_full_build(&mut inc, &changed(&["guides/gamma.md"])).unwrap_err();
        assert!(
            err.contains("guides/alpha.md:") && err.contains("../gamma/"),
            "{err}"
        );
        // It comes back: the link works again.
        std::fs::write(dir.path().join("guides/gamma.md"), gamma).unwrap();
        same_as_full_build(&mut inc, &changed(&["guides/gamma.md"])).unwrap();

        // The same for a static file.
        std::fs::remove_file(dir.path().join("static/plan.pdf")).unwrap();
        let statics = ChangeSet {
            statics: true,
            ..ChangeSet::default()
        };
        let err = same_as_full_build(&mut inc, &statics).unwrap_err();
        assert!(err.contains("/plan.pdf"), "{err}");
        std::fs::write(dir.path().join("static/plan.pdf"), "pdf").unwrap();
        same_as_full_build(&mut inc, &statics).unwrap();
    }

    #[test]
    fn an_unchanged_file_renders_nothing() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        let update = inc.rebuild(&changed(&["guides/alpha.md"])).unwrap();
        assert!(update.is_empty());
        assert_eq!((update.parsed, update.rendered), (0, 0));
    }

    #[test]
    fn a_title_edit_that_moves_the_guide_reorders_every_listing() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        // Same date: guides sort by title, so Alpha moves from first to last.
        std::fs::write(
            dir.path().join("guides/alpha.md"),
            guide("Zeta", "one, two", "See [beta](/beta/)."),
        )
        .unwrap();
        let update = inc.rebuild(&changed(&["guides/alpha.md"])).unwrap();
        let paths: Vec<&str> = update.changed.iter().map(|(p, _)| p.as_str()).collect();
        for page in ["alpha/index.html", "gamma/index.html", "index.html"] {
            assert!(paths.contains(&page), "{page} not updated: {paths:?}");
        }
        assert_same_as_full_build(dir.path(), &inc);
    }

    #[test]
    fn retitled_guides_moved_anywhere_match_a_full_build() {
        let dir = site();
        // Tags spelled differently by different guides: a tag is named by its first guide.
        let tags = [
            "Trust, one",
            "trust",
            "TRUST, two",
            "two",
            "one, Two",
            "three, trust",
        ];
        for (i, t) in tags.iter().enumerate() {
            std::fs::write(
                dir.path().join(format!("guides/m{i}.md")),
                guide(&format!("M{i}"), t, "Body."),
            )
            .unwrap();
        }
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        // Same date everywhere: guides sort by title, so each new title moves its guide.
        for (file, title) in [
            ("m3", "A first"),
            ("m0", "Zz last"),
            ("m3", "Mm middle"),
            ("m5", "0 very first"),
            ("m1", "Beta bis"),
            ("m5", "Zzz after last"),
            ("m0", "Gamma bis"),
        ] {
            let i: usize = file[1..].parse().unwrap();
            std::fs::write(
                dir.path().join(format!("guides/{file}.md")),
                guide(title, tags[i], "Body."),
            )
            .unwrap();
            inc.rebuild(&changed(&[&format!("guides/{file}.md")]))
                .unwrap();
            assert_same_as_full_build(dir.path(), &inc);
        }
    }

    #[test]
    fn a_tentative_rebuild_serves_an_edit_and_the_settled_one_finds_nothing_left() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        assert!(
            inc.rebuild_tentatively(&changed(&["guides/alpha.md"]))
                .is_none(),
            "nothing to edit before the first build"
        );
        inc.rebuild(&ChangeSet::everything()).unwrap();
        std::fs::write(
            dir.path().join("guides/beta.md"),
            guide("Beta renamed", "two", "New words."),
        )
        .unwrap();
        let update = inc
            .rebuild_tentatively(&changed(&["guides/beta.md"]))
            .expect("an in-place edit goes through at once");
        let paths: Vec<&str> = update.changed.iter().map(|(p, _)| p.as_str()).collect();
        for page in ["beta/index.html", "index.html", "tags/two/index.html"] {
            assert!(paths.contains(&page), "{page} not updated: {paths:?}");
        }
        assert_same_as_full_build(dir.path(), &inc);
        let settled = inc.rebuild(&changed(&["guides/beta.md"])).unwrap();
        assert!(settled.is_empty());
        assert_eq!((settled.parsed, settled.rendered), (0, 0));
    }

    #[test]
    fn a_tentative_rebuild_leaves_missing_and_broken_files_to_the_settled_one() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        let before = inc.published().clone();

        // Mid-way through a rename-over save: the file is gone for a moment.
        std::fs::remove_file(dir.path().join("guides/gamma.md")).unwrap();
        assert!(
            inc.rebuild_tentatively(&changed(&["guides/gamma.md"]))
                .is_none()
        );
        assert_eq!(inc.published(), &before, "nothing was taken down");

        std::fs::write(dir.path().join("guides/gamma.md"), "---\ntitle: [\n---\n").unwrap();
        assert!(
            inc.rebuild_tentatively(&changed(&["guides/gamma.md"]))
                .is_none()
        );
        assert_eq!(inc.published(), &before);
        let err = inc.rebuild(&changed(&["guides/gamma.md"])).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.starts_with("guides/gamma.md:2:"), "{text}");
    }

    #[test]
    fn renamed_and_deleted_guides_leave_no_stale_page() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        std::fs::rename(
            dir.path().join("guides/gamma.md"),
            dir.path().join("guides/delta.md"),
        )
        .unwrap();
        let update = inc
            .rebuild(&changed(&["guides/gamma.md", "guides/delta.md"]))
            .unwrap();
        assert_eq!(update.removed, vec!["gamma/index.html".to_string()]);
        assert!(inc.published().contains_key("delta/index.html"));
        assert_same_as_full_build(dir.path(), &inc);

        std::fs::remove_file(dir.path().join("guides/delta.md")).unwrap();
        let update = inc.rebuild(&changed(&["guides/delta.md"])).unwrap();
        assert!(update.removed.contains(&"delta/index.html".to_string()));
        assert!(
            update
                .removed
                .contains(&"tags/three/index.html".to_string()),
            "{:?}",
            update.removed
        );
        assert_same_as_full_build(dir.path(), &inc);
    }

    #[test]
    fn a_failed_rebuild_keeps_the_last_good_output_and_recovers() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        let before = inc.published().clone();
        std::fs::write(
            dir.path().join("guides/beta.md"),
            "---\ntitle: [unclosed\n---\nx\n",
        )
        .unwrap();
        let err = inc.rebuild(&changed(&["guides/beta.md"])).unwrap_err();
        let text = err
            .downcast_ref::<Diagnostics>()
            .expect("content errors are diagnostics")
            .to_string();
        assert!(text.starts_with("guides/beta.md:2:"), "{text}");
        assert_eq!(inc.published(), &before);

        // Another guide changes while beta is broken: still failing, nothing published.
        std::fs::write(
            dir.path().join("guides/alpha.md"),
            guide("Alpha", "one", "Edited."),
        )
        .unwrap();
        assert!(inc.rebuild(&changed(&["guides/alpha.md"])).is_err());

        std::fs::write(
            dir.path().join("guides/beta.md"),
            guide("Beta", "two", "Fixed."),
        )
        .unwrap();
        let update = inc.rebuild(&changed(&["guides/beta.md"])).unwrap();
        let paths: Vec<&str> = update.changed.iter().map(|(p, _)| p.as_str()).collect();
        assert!(
            paths.contains(&"alpha/index.html") && paths.contains(&"beta/index.html"),
            "{paths:?}"
        );
        assert_same_as_full_build(dir.path(), &inc);
    }

    #[test]
    fn template_and_static_changes() {
        let dir = site();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/style.css"), "body { color: red }").unwrap();
        let update = inc
            .rebuild(&ChangeSet {
                statics: true,
                ..ChangeSet::default()
            })
            .unwrap();
        assert!(
            update.css_only(),
            "{:?}",
            update.changed.iter().map(|c| &c.0).collect::<Vec<_>>()
        );
        assert_eq!(update.rendered, 0);

        let templates = dir.path().join("themes/default/templates");
        std::fs::create_dir_all(&templates).unwrap();
        let default_404 = crate::render::theme::default_theme_file("templates/404.html").unwrap();
        let text = String::from_utf8(default_404.to_vec()).unwrap().replace(
            "{% endblock content %}",
            "<p>custom 404</p>{% endblock content %}",
        );
        assert!(text.contains("custom 404"));
        std::fs::write(templates.join("404.html"), text).unwrap();
        let update = inc
            .rebuild(&ChangeSet {
                templates: true,
                ..ChangeSet::default()
            })
            .unwrap();
        assert_eq!(
            update
                .changed
                .iter()
                .map(|c| c.0.as_str())
                .collect::<Vec<_>>(),
            vec!["404.html"]
        );
        assert!(update.rendered > 5, "a template change renders every page");
        assert_same_as_full_build(dir.path(), &inc);
    }

    #[cfg(unix)]
    #[test]
    fn static_links_out_of_the_site_fail_the_rebuild_and_links_inside_are_served() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let dir = site();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("static/inside.txt"), "fine").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("static/inside.txt"),
            dir.path().join("static/alias.txt"),
        )
        .unwrap();
        let mut inc = IncrementalSite::new(dir.path(), BuildOptions::default());
        inc.rebuild(&ChangeSet::everything()).unwrap();
        assert!(
            inc.published().contains_key("alias.txt"),
            "links inside the site are fine"
        );
        let leak = dir.path().join("static/leak.txt");
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), &leak).unwrap();
        let err = inc.rebuild(&ChangeSet::everything()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("static/leak.txt:1:1: error: this link leads out of the site"),
            "{err}"
        );
        assert!(!inc.published().contains_key("leak.txt"));
    }
}
