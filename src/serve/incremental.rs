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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use bytes::Bytes;
use rayon::prelude::*;

use super::changes::{ChangeSet, Update};
use super::guide_files::{
    FileState, GuidesUpdate, apply_loaded, load_files, new_id, update_guides,
};
use super::page_keys::{Card, GuideId, SiteIndex, page_keys, update_cards};
use super::site_checks::{LinkCache, check_site};
use crate::diagnostic::Diagnostic;
use crate::load::content::find_guide_files;
use crate::model::config::SiteConfig;
use crate::model::site::Site;
use crate::pipeline::{BuildOptions, load_config};
use crate::render::pages::{OutputFile, render_page, site_view};
use crate::render::theme::Theme;
use crate::search::{FileNames, SearchIndex};

pub(super) struct State {
    pub(super) theme: Theme,
    pub(super) site: Site,
    /// Aligned with `site.guides`: cheap keys for each guide (hashing paths is not cheap).
    pub(super) ids: Vec<GuideId>,
    pub(super) files: BTreeMap<PathBuf, FileState>,
    /// Problems scanning the guides folder itself (missing folder, symlink loops).
    pub(super) scan_problems: Vec<Diagnostic>,
    pub(super) statics: BTreeMap<String, Bytes>,
    /// Pages, output paths and link targets; rebuilt when the layout changes.
    pub(super) index: SiteIndex,
    /// Aligned with `site.guides`.
    pub(super) cards: Vec<Card>,
    /// `None` with `[search] enabled = false`.
    pub(super) search: Option<SearchIndex>,
}

/// What of the kept state must be loaded again before the next rebuild, least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reload {
    /// Only the guide files that changed.
    Guides,
    /// The theme and static files too (a template or static file changed).
    Theme,
    /// Everything: `site.toml` changed, or nothing is loaded yet.
    Everything,
}

/// A site kept in memory between rebuilds; see the module docs.
pub struct IncrementalSite {
    root: PathBuf,
    options: BuildOptions,
    state: Option<State>,
    reload: Reload,
    /// Every page is rendered again at the next rebuild (templates changed, or everything was
    /// loaded again), not only those whose key changed; stays set until a rebuild succeeds.
    render_all: bool,
    /// The last rebuild succeeded: the checks that only depend on the layout still hold.
    last_ok: bool,
    published: HashMap<String, Bytes>,
    keys: HashMap<String, u64>,
    links: LinkCache,
    /// The search index files in `published`.
    search_paths: HashSet<String>,
}

impl IncrementalSite {
    /// A site at `root`, not loaded yet: the first [`rebuild`](Self::rebuild) loads everything.
    pub fn new(root: &Path, options: BuildOptions) -> IncrementalSite {
        IncrementalSite {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            options,
            state: None,
            reload: Reload::Everything,
            render_all: true,
            last_ok: false,
            published: HashMap::new(),
            keys: HashMap::new(),
            links: LinkCache::default(),
            search_paths: HashSet::new(),
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
    /// back as [`crate::diagnostic::Diagnostics`] inside the error, as from [`crate::pipeline::build`].
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
        if self.state.is_none() || self.reload > Reload::Guides || theme_or_config {
            return None;
        }
        self.rebuild_as(changes, true).ok().flatten()
    }

    /// Loads again what `changes` (and earlier failed rebuilds) made stale; gives how many
    /// guide files were parsed and what that did, or `None` when a tentative rebuild refuses.
    fn load_changes(
        &mut self,
        changes: &ChangeSet,
        tentative: bool,
    ) -> Result<Option<(usize, GuidesUpdate)>> {
        if changes.config || self.state.is_none() {
            self.reload = Reload::Everything;
        } else if changes.templates || changes.statics {
            self.reload = self.reload.max(Reload::Theme);
        }
        self.render_all |= changes.templates;
        if self.reload == Reload::Everything {
            self.last_ok = false;
            let state = load_state(&self.root, &self.options)?;
            let parsed = state.files.len();
            self.state = Some(state);
            self.links = LinkCache::default();
            self.reload = Reload::Guides;
            self.render_all = true;
            return Ok(Some((parsed, GuidesUpdate::Layout)));
        }
        let state = self.state.as_mut().context("the site is not loaded")?;
        let (parsed, mut guides) =
            update_guides(&self.root, &self.options, state, changes, tentative);
        if guides == GuidesUpdate::Refused {
            return Ok(None);
        }
        if self.reload == Reload::Theme {
            self.last_ok = false;
            state.theme = Theme::load(&self.root, &state.site.config)?;
            state.statics = read_statics(&state.theme)?;
            self.reload = Reload::Guides;
            guides = GuidesUpdate::Layout;
        }
        Ok(Some((parsed, guides)))
    }

    fn rebuild_as(&mut self, changes: &ChangeSet, tentative: bool) -> Result<Option<Update>> {
        let started = Instant::now();
        let Some((parsed, guides)) = self.load_changes(changes, tentative)? else {
            return Ok(None);
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
        // Only the guides whose file changed are indexed again.
        let search = match state.search.as_mut() {
            Some(index) => {
                index.sync(&state.site, |i| state.ids[i].file);
                index.files(FileNames::Plain)
            }
            None => Vec::new(),
        };
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
        let mut output = Output {
            published: &mut self.published,
            keys: &mut self.keys,
        };
        let search_paths: HashSet<String> = search.iter().map(|f| f.path.clone()).collect();
        output.take(state, rendered.into_iter().chain(search), &mut update);
        output.forget(
            self.search_paths
                .difference(&search_paths)
                .cloned()
                .collect(),
            &mut update,
        );
        if layout {
            output.forget_gone(state, &search_paths, &mut update);
            *output.keys = state.index.page_paths.iter().cloned().zip(keys).collect();
        } else {
            for j in jobs {
                output
                    .keys
                    .insert(state.index.page_paths[j].clone(), keys[j]);
            }
        }
        update.changed.sort_by(|a, b| a.0.cmp(&b.0));
        update.removed.sort();
        self.search_paths = search_paths;
        self.render_all = false;
        self.last_ok = true;
        update.elapsed = started.elapsed();
        Ok(Some(update))
    }
}

/// The last good output and the key of every page in it, as a rebuild updates them.
struct Output<'a> {
    published: &'a mut HashMap<String, Bytes>,
    keys: &'a mut HashMap<String, u64>,
}

impl Output<'_> {
    /// Takes in the rendered pages and the static files; what differs from what was served
    /// goes into `update`.
    fn take(
        &mut self,
        state: &State,
        rendered: impl Iterator<Item = OutputFile>,
        update: &mut Update,
    ) {
        let candidates = rendered
            .map(|f| (f.path, Bytes::from(f.bytes)))
            .chain(state.statics.iter().map(|(p, b)| (p.clone(), b.clone())));
        for (path, bytes) in candidates {
            if self.published.get(&path) != Some(&bytes) {
                self.published.insert(path.clone(), bytes.clone());
                update.changed.push((path, bytes));
            }
        }
    }

    /// Drops the files the site no longer has (after its layout changed), into `update`;
    /// `search`: the search index files, which stay.
    fn forget_gone(&mut self, state: &State, search: &HashSet<String>, update: &mut Update) {
        let outputs = &state.index.targets.outputs;
        let gone = self
            .published
            .keys()
            .filter(|p| !outputs.contains(p.as_str()) && !search.contains(p.as_str()))
            .cloned()
            .collect();
        self.forget(gone, update);
    }

    /// Drops `paths` from the output, into `update`.
    fn forget(&mut self, paths: Vec<String>, update: &mut Update) {
        for path in paths {
            if self.published.remove(&path).is_some() {
                update.removed.push(path);
            }
        }
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
        search: None,
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
    if state.site.config.search.enabled {
        state.search = Some(SearchIndex::new(&state.site.config.language));
    }
    Ok(state)
}

/// The site's static files, read (which links may be among them: [`crate::load::site_walk`]).
fn read_statics(theme: &Theme) -> Result<BTreeMap<String, Bytes>> {
    let mut files = BTreeMap::new();
    for (path, source) in &theme.static_files {
        files.insert(path.clone(), Bytes::from(source.read()?.into_owned()));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
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
