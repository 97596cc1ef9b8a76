//! The build: load config → read guides → prepare (markdown, widgets) → check → render → write.
//!
//! [`render_site_files`] does everything but writing and is what `check`, `serve` and
//! `publish` call; [`build`] adds the write. Errors of content are collected into one
//! [`Diagnostics`] (every file, every problem); anything else is an `anyhow` error.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::config::SiteConfig;
use crate::content::load_guides;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::links::check_links;
use crate::output::{recover_interrupted_swap, write_output};
use crate::render::{OutputFile, render_site};
use crate::site::{Site, guide_path};
use crate::theme::Theme;
use crate::validate::validate_site;
use crate::widgets::prepare_guide;

/// How to build; `Default` is a plain `guidesmith build`.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Output folder; default: `output_dir` from site.toml, under the root.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from site.toml.
    pub base_url: Option<String>,
    /// Include guides with `draft: true`.
    pub drafts: bool,
    /// Production output: minified, fingerprinted, with host files ([`crate::release`]).
    pub release: bool,
}

/// A site rendered in memory.
pub struct RenderedSite {
    pub config: SiteConfig,
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Diagnostic>,
    pub guide_count: usize,
    pub page_count: usize,
    /// Output path of each guide page (`slug/index.html`) → its source file.
    pub page_sources: BTreeMap<String, PathBuf>,
}

/// What `build` did.
pub struct BuildReport {
    pub output_dir: PathBuf,
    pub guide_count: usize,
    pub page_count: usize,
    pub file_count: usize,
    pub warnings: Vec<Diagnostic>,
    pub elapsed: Duration,
}

/// Loads site.toml with the options' overrides applied.
pub fn load_config(root: &Path, options: &BuildOptions) -> Result<SiteConfig> {
    let mut config = SiteConfig::load(root).map_err(|d| Diagnostics(vec![d]))?;
    if let Some(url) = &options.base_url {
        crate::config::parse_base_url(url).map_err(|why| anyhow::anyhow!("--base-url: {why}"))?;
        config.base_url = url.clone();
    }
    Ok(config)
}

/// Everything `build` does except writing: the output files, in memory.
pub fn render_site_files(root: &Path, options: &BuildOptions) -> Result<RenderedSite> {
    let config = load_config(root, options)?;
    let theme = Theme::load(root, &config)?;
    let (guides, mut problems) = load_guides(root, &config, options.drafts);
    let failed_stems: HashSet<String> = problems
        .0
        .iter()
        .filter_map(|d| d.file.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    problems.extend(validate_site(&guides));
    let base_path = config.base_path();
    let prepared: Vec<_> = guides
        .into_par_iter()
        .map(|g| prepare_guide(g, &base_path))
        .collect();
    for g in &prepared {
        problems.extend(g.placement_problems());
    }
    let site = Site::new(config, prepared);
    let mut files = render_site(&site, &theme)?;
    let page_count = files.len();
    for (path, source) in &theme.static_files {
        let bytes = source.read()?.into_owned();
        files.push(OutputFile {
            path: path.clone(),
            bytes,
        });
    }
    problems.extend(find_path_collisions(&site, &theme, &files));
    let outputs: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    problems.extend(
        check_links(&site, &outputs)
            .into_iter()
            .filter(|d| !links_to_failed(d, &failed_stems)),
    );
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
    let mut seen = HashSet::new();
    files.retain(|f| seen.insert(f.path.clone()));
    if options.release {
        files = crate::release::apply_release(files, &site.config)?;
    }
    let page_sources = site
        .guides
        .iter()
        .map(|g| {
            (
                format!("{}index.html", guide_path(&g.guide.slug)),
                g.guide.source.clone(),
            )
        })
        .collect();
    Ok(RenderedSite {
        page_sources,
        guide_count: site.guides.len(),
        config: site.config,
        files,
        warnings: problems.0,
        page_count,
    })
}

pub(crate) fn links_to_failed(d: &Diagnostic, failed: &HashSet<String>) -> bool {
    d.message
        .split('`')
        .nth(1)
        .and_then(|target| target.trim_start_matches('/').split(['/', '#']).next())
        .is_some_and(|slug| failed.contains(slug))
}

/// Two things that would be written to the same output path.
pub(crate) fn find_path_collisions(
    site: &Site,
    theme: &Theme,
    files: &[OutputFile],
) -> Vec<Diagnostic> {
    let guide_pages: HashMap<String, &crate::widgets::PreparedGuide> = site
        .guides
        .iter()
        .map(|g| (format!("{}index.html", guide_path(&g.guide.slug)), g))
        .collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut problems = Vec::new();
    for f in files {
        if seen.insert(&f.path) {
            continue;
        }
        let what = match theme.static_files.get(&f.path) {
            Some(crate::theme::StaticSource::Disk(p)) => format!("the static file {}", p.display()),
            Some(_) => "a file of the default theme".to_string(),
            None => "another page".to_string(),
        };
        let (file, help) = match guide_pages.get(&f.path) {
            Some(g) => (g.guide.source.clone(), "give the guide another `slug:`"),
            None => (PathBuf::from(&f.path), "rename one of the two"),
        };
        problems.push(
            Diagnostic::error(
                &file,
                Position::START,
                format!(
                    "duplicate output path `{}`: {what} is written there too",
                    f.path
                ),
            )
            .with_help(help),
        );
    }
    problems
}

/// Builds the site at `root` and swaps it into the output folder.
pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    let config = load_config(root, options)?;
    let output_dir = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(&config.output_dir));
    recover_interrupted_swap(&output_dir);
    let site = render_site_files(root, options)?;
    write_output(&output_dir, &site.files)
        .with_context(|| format!("writing the site to {}", output_dir.display()))?;
    Ok(BuildReport {
        output_dir,
        guide_count: site.guide_count,
        page_count: site.page_count,
        file_count: site.files.len(),
        warnings: site.warnings,
        elapsed: started.elapsed(),
    })
}
