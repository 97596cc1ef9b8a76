//! The build: load config → read guides → prepare (markdown, widgets) → check → render → write.
//!
//! `check_site` loads, prepares and checks (what every command starts with); [`build`]
//! renders the pages on all cores and streams them to disk (through the release steps for
//! `--release`), [`check`] renders and drops them, and `render_site_files` keeps the whole
//! site in memory (`publish`). Errors of content are collected into one
//! [`Diagnostics`] (every file, every problem); anything else is an `anyhow` error.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::check::links::{BrokenLink, LinkTargets, check_links};
use crate::check::output_folder::check_output_folder;
use crate::check::overdue_reviews::find_overdue_reviews;
use crate::check::portable_names::{OutputName, find_unportable_names};
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::load::content::load_guides;
use crate::load::validate::validate_site;
use crate::model::config::SiteConfig;
use crate::model::site::{Site, guide_path};
use crate::output::build_record::{
    BuildRecord, inputs_digest, output_digest, written_output_digest,
};
use crate::output::standby::{StagedOutput, recover_output};
use crate::prepare::widgets::prepare_guide_for_build;
use crate::release::Release;
use crate::render::pages::{
    OutputFile, Page, render_cards, render_page, render_site, site_pages, site_view,
};
use crate::render::theme::{StaticSource, Theme};

mod stage_times;
pub use stage_times::StageTimes;

/// How to build; `Default` is a plain `guidesmith build`.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Output folder; default: `output_dir` from site.toml, under the root.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from site.toml.
    pub base_url: Option<String>,
    /// Include guides with `draft: true`.
    pub drafts: bool,
    /// Production output: minified, fingerprinted, with host files (`release/`).
    pub release: bool,
    /// Guides past their review date are errors, not warnings (`check --deny-stale`).
    pub deny_stale: bool,
}

/// A site rendered in memory.
pub(crate) struct RenderedSite {
    pub config: SiteConfig,
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Diagnostic>,
}

/// What `build` did.
pub struct BuildReport {
    pub output_dir: PathBuf,
    pub guide_count: usize,
    pub page_count: usize,
    pub file_count: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Nothing changed since the last build, which left the output as it is
    /// (`output/build_record.rs`); the counts are that build's.
    pub up_to_date: bool,
    /// How long each stage took.
    pub stages: StageTimes,
}

/// Loads site.toml with the options' overrides applied.
pub(crate) fn load_config(root: &Path, options: &BuildOptions) -> Result<SiteConfig> {
    let mut config = SiteConfig::load(root).map_err(|d| Diagnostics(vec![d]))?;
    if let Some(url) = &options.base_url {
        crate::model::config::parse_base_url(url)
            .map_err(|why| anyhow::anyhow!("--base-url: {why}"))?;
        config.serve_from(url);
    }
    match &options.output {
        Some(flag) => check_output_folder(root, &config, flag)
            .map_err(|r| anyhow::anyhow!("--output: {}\n  help: {}", r.message, r.help))?,
        None => {
            check_output_folder(root, &config, &root.join(&config.output_dir)).map_err(|r| {
                let toml = std::fs::read_to_string(root.join(crate::model::config::CONFIG_FILE));
                Diagnostics(vec![r.at_site_toml(&toml.unwrap_or_default())])
            })?
        }
    }
    Ok(config)
}

/// A site that passed every check, not rendered yet: what [`build`] streams to disk and
/// [`render_site_files`] renders into memory. Its guides' sources are released
/// (`PreparedGuide::release_sources`): they hold views, not markdown.
pub(crate) struct CheckedSite {
    pub site: Site,
    pub theme: Theme,
    /// Every page, in the order `render_site` renders them; static files come from `theme`.
    pub pages: Vec<Page>,
    pub warnings: Vec<Diagnostic>,
}

/// Loads, prepares and checks the site (content, output paths, links) without rendering.
pub(crate) fn check_site(root: &Path, options: &BuildOptions) -> Result<CheckedSite> {
    check_site_timed(root, options, &mut StageTimes::start())
}

/// [`check_site`], with the time of each stage added to `times`.
fn check_site_timed(
    root: &Path,
    options: &BuildOptions,
    times: &mut StageTimes,
) -> Result<CheckedSite> {
    let config = load_config(root, options)?;
    let theme = Theme::load(root, &config)?;
    times.lap("config + theme");
    let base_path = config.base_path();
    let (mut prepared, mut problems) = load_guides(root, &config, options.drafts, |guide| {
        prepare_guide_for_build(guide, &base_path)
    });
    crate::load::file_dates::date_undated(root, &mut prepared);
    times.lap("load + prepare guides");
    let failed_stems: HashSet<String> = problems
        .0
        .iter()
        .filter_map(|d| d.file.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    problems.extend(validate_site(prepared.iter().map(|g| &g.guide)));
    for g in &prepared {
        problems.extend(g.placement_problems());
    }
    let site = Site::new(config, prepared);
    let pages = site_pages(&site);
    let paths: Vec<String> = pages
        .iter()
        .map(|p| p.path(&site))
        .chain(theme.static_files.keys().cloned())
        .collect();
    problems.extend(find_path_collisions(&site, &theme, &paths));
    problems.extend(find_unportable_names(
        &output_names(&site, &theme, &paths),
        site.config.build.portable,
    ));
    let targets = LinkTargets::new(&site, paths.into_iter().collect());
    problems.extend(links_not_to_failed(
        check_links(&site, &targets),
        &failed_stems,
    ));
    problems.extend(crate::check::series::check_series(&site));
    problems.extend(find_overdue_reviews(
        &site,
        crate::model::review::today(),
        options.deny_stale,
    ));
    let warnings = conclude(problems, &site)?;
    times.lap("check the site");
    Ok(CheckedSite {
        site,
        theme,
        pages,
        warnings,
    })
}

/// The diagnostics of `broken` links but those leading to a guide that failed to load.
pub(crate) fn links_not_to_failed(
    broken: Vec<BrokenLink>,
    failed: &HashSet<String>,
) -> impl Iterator<Item = Diagnostic> {
    broken
        .into_iter()
        .filter(move |b| !b.leads_to_any(failed))
        .map(|b| b.diagnostic)
}

/// The end of the checks, the same for every command: the problems sorted, an error if any is
/// one, else the warnings (with one more if the site has no guides).
pub(crate) fn conclude(mut problems: Diagnostics, site: &Site) -> Result<Vec<Diagnostic>> {
    problems.sort();
    if site.guides.is_empty() && !problems.has_errors() {
        problems.push(
            Diagnostic::warning(&site.config.guides_dir, Position::START, "no guides found")
                .with_help("add one with `guidesmith new \"Title\"`"),
        );
    }
    if problems.has_errors() {
        return Err(problems.into_errors().into());
    }
    Ok(problems.0)
}

/// Everything `build` does except writing: the output files, in memory.
pub(crate) fn render_site_files(root: &Path, options: &BuildOptions) -> Result<RenderedSite> {
    let CheckedSite {
        site,
        theme,
        warnings,
        ..
    } = check_site(root, options)?;
    let mut files = render_site(&site, &theme)?;
    files.extend(crate::search::search_files(
        &site,
        search_names(options.release),
    ));
    for (path, source) in &theme.static_files {
        let bytes = source.read()?.into_owned();
        files.push(OutputFile {
            path: path.clone(),
            bytes,
        });
    }
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.path.clone()));
    let page_sources = page_sources(&site);
    if options.release {
        files = crate::release::apply_release(files, &site.config, &page_sources)?;
    }
    Ok(RenderedSite {
        config: site.config,
        files,
        warnings,
    })
}

/// Release builds put a content hash in the names of the search shards.
fn search_names(release: bool) -> crate::search::FileNames {
    match release {
        true => crate::search::FileNames::Fingerprinted,
        false => crate::search::FileNames::Plain,
    }
}

/// Each guide page's output path with the guide file it is made from.
fn page_sources(site: &Site) -> BTreeMap<String, PathBuf> {
    site.guides
        .iter()
        .map(|g| {
            let page = format!("{}index.html", guide_path(&g.guide.slug));
            (page, g.guide.source.clone())
        })
        .collect()
}

/// Each output path with the file it comes from: the guide of a page, the static file of a
/// static path, else the path itself.
pub(crate) fn output_names<'a>(
    site: &Site,
    theme: &Theme,
    paths: &'a [String],
) -> Vec<OutputName<'a>> {
    let guide_sources: HashMap<String, &Path> = site
        .guides
        .iter()
        .map(|g| {
            (
                format!("{}index.html", guide_path(&g.guide.slug)),
                g.guide.source.as_path(),
            )
        })
        .collect();
    paths
        .iter()
        .map(|path| {
            let source = match (guide_sources.get(path), theme.static_files.get(path)) {
                (Some(source), _) => source.to_path_buf(),
                (None, Some(crate::render::theme::StaticSource::Disk(p))) => p.clone(),
                _ => PathBuf::from(path),
            };
            OutputName { path, source }
        })
        .collect()
}

/// Two things that would be written to the same output path, among every output path.
pub(crate) fn find_path_collisions(
    site: &Site,
    theme: &Theme,
    paths: &[String],
) -> Vec<Diagnostic> {
    let guide_pages: HashMap<String, &crate::model::prepared_guide::PreparedGuide> = site
        .guides
        .iter()
        .map(|g| (format!("{}index.html", guide_path(&g.guide.slug)), g))
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut problems = Vec::new();
    for path in paths {
        if seen.insert(path) {
            continue;
        }
        let what = match theme.static_files.get(path) {
            Some(crate::render::theme::StaticSource::Disk(p)) => {
                format!("the static file {}", p.display())
            }
            Some(_) => "a file of the default theme".to_string(),
            None => "another page".to_string(),
        };
        let (file, help) = match guide_pages.get(path) {
            Some(g) => (g.guide.source.clone(), "give the guide another `slug:`"),
            None => (PathBuf::from(path), "rename one of the two"),
        };
        problems.push(
            Diagnostic::error(
                &file,
                Position::START,
                format!(
                    "duplicate output path `{}`: {what} is written there too",
                    path
                ),
            )
            .with_help(help),
        );
    }
    problems
}

/// Builds the site at `root` into the output folder (a standby tree swapped in at once). Pages are rendered on all
/// cores and each is written as soon as it is rendered, so the site is never held in memory.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let mut stages = StageTimes::start();
    let config = load_config(root, options)?;
    let output_dir = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    recover_output(&output_dir);
    let inputs = inputs_digest(
        root,
        &config,
        &(&options.base_url, options.drafts, options.release),
    );
    if let Some(last) = BuildRecord::read(&output_dir)
        && last.inputs == inputs
        && last.output == output_digest(&output_dir)
    {
        return Ok(BuildReport {
            output_dir,
            guide_count: last.guide_count,
            page_count: last.page_count,
            file_count: last.file_count,
            warnings: Vec::new(),
            elapsed: started.elapsed(),
            up_to_date: true,
            stages,
        });
    }
    let checked = check_site_timed(root, options, &mut stages)?;
    let record = write_checked(&checked, &output_dir, inputs, options.release)?;
    stages.lap("render + write");
    let report = BuildReport {
        output_dir,
        guide_count: record.guide_count,
        page_count: record.page_count,
        file_count: record.file_count,
        warnings: checked.warnings,
        elapsed: started.elapsed(),
        up_to_date: false,
        stages,
    };
    drop_in_background(checked.site);
    Ok(report)
}

/// Renders and writes every page and static file of `checked` into `output_dir`, through the
/// release steps for a release build; returns what was written. The record of what the build
/// was made from (`inputs`) and wrote is kept in the output only without warnings, so that a
/// build with warnings shows them again next time. A release output that fails its check is
/// never swapped in.
fn write_checked(
    checked: &CheckedSite,
    output_dir: &Path,
    inputs: u64,
    release: bool,
) -> Result<BuildRecord> {
    let (site, theme) = (&checked.site, &checked.theme);
    let writing = || format!("writing the site to {}", output_dir.display());
    let staged = StagedOutput::begin(output_dir).with_context(writing)?;
    let written = std::sync::Mutex::new(Vec::new());
    let put = |file: OutputFile| -> Result<()> {
        staged.put(&file.path, &file.bytes).with_context(writing)?;
        written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(file.path);
        Ok(())
    };
    let static_file = |(path, source): (&String, &StaticSource)| -> Result<OutputFile> {
        Ok(OutputFile {
            path: path.clone(),
            bytes: source.read()?.into_owned(),
        })
    };
    let search = crate::search::search_files(site, search_names(release));
    if release {
        // Fingerprinting needs every static file before the first page.
        let mut statics: Vec<OutputFile> = theme
            .static_files
            .iter()
            .map(static_file)
            .collect::<Result<_>>()?;
        statics.extend(search);
        let (release, statics) = Release::begin(&site.config, statics)?;
        statics.into_par_iter().try_for_each(put)?;
        render_pages(checked, |page| {
            release.page(page)?.into_iter().try_for_each(put)
        })?;
        for file in release.finish(&site.config, &page_sources(site))? {
            put(file)?;
        }
    } else {
        // One static file in memory at a time.
        for entry in &theme.static_files {
            put(static_file(entry)?)?;
        }
        search.into_par_iter().try_for_each(put)?;
        render_pages(checked, put)?;
    }
    let written = written.into_inner().unwrap_or_else(|e| e.into_inner());
    let keep = checked.warnings.is_empty();
    let record = BuildRecord {
        inputs,
        guide_count: site.guides.len(),
        page_count: checked.pages.len(),
        file_count: written.len(),
        // The digest stats every written file: only worth it when the record is kept.
        output: if keep {
            written_output_digest(staged.tree(), written)
        } else {
            0
        },
    };
    let kept = keep.then_some(&record);
    staged
        .finish(&BuildRecord::marker_text(kept))
        .with_context(writing)?;
    Ok(record)
}

/// Renders every page of `checked` on all cores and hands each to `sink` as soon as it is done.
fn render_pages(
    checked: &CheckedSite,
    sink: impl Fn(OutputFile) -> Result<()> + Sync,
) -> Result<()> {
    let (site, theme) = (&checked.site, &checked.theme);
    let sv = site_view(site);
    let cards = render_cards(site, theme, &sv)?;
    checked
        .pages
        .par_iter()
        .try_for_each(|&page| sink(render_page(site, theme, &sv, &cards, page)?))
}

/// What `check` found: a site that builds, with its warnings.
pub struct CheckReport {
    pub warnings: Vec<Diagnostic>,
    pub guide_count: usize,
    pub page_count: usize,
}

/// Everything `build` does but writing: every page is rendered (so template errors show) and
/// dropped, and every static file read; nothing is kept, so memory stays that of the site.
pub fn check(root: &Path, options: &BuildOptions) -> Result<CheckReport> {
    let checked = check_site(root, options)?;
    render_pages(&checked, |_| Ok(()))?;
    for source in checked.theme.static_files.values() {
        source.read()?;
    }
    let report = CheckReport {
        guide_count: checked.site.guides.len(),
        page_count: checked.pages.len(),
        warnings: checked.warnings,
    };
    drop_in_background(checked.site);
    Ok(report)
}

/// Frees the site on another thread: dropping every guide's strings and views one by one
/// takes about 3% of a build, and nobody waits for it (the CLI exits, `serve` goes on).
fn drop_in_background(site: Site) {
    // If no thread can be started, the closure and the site are dropped right here.
    let _ = std::thread::Builder::new()
        .name("drop-site".into())
        .spawn(move || drop(site));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `build` writes exactly the files `render_site_files` renders in memory, streamed or
    /// (release builds) not.
    #[test]
    fn build_writes_the_rendered_files() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        for release in [false, true] {
            let tmp = tempfile::tempdir().unwrap();
            let options = BuildOptions {
                output: Some(tmp.path().join("out")),
                base_url: Some("https://example.org/sub/".into()),
                drafts: true,
                release,
                ..Default::default()
            };
            let report = build(&root, &options).unwrap();
            let rendered = render_site_files(&root, &options).unwrap();
            assert_eq!(report.file_count, rendered.files.len());
            let on_disk = walkdir::WalkDir::new(&report.output_dir)
                .into_iter()
                .filter(|e| e.as_ref().unwrap().file_type().is_file())
                .count();
            assert_eq!(
                on_disk,
                rendered.files.len() + 1,
                "the files and the marker"
            );
            for f in &rendered.files {
                let written = std::fs::read(report.output_dir.join(&f.path)).unwrap();
                assert!(
                    written == f.bytes,
                    "{} differs (release: {release})",
                    f.path
                );
            }
        }
    }
}
