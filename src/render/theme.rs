//! The theme: the default theme embedded in the binary, with a site's files laid over it.
//!
//! Lookup order for every file, last wins: the embedded `themes/default/`, then the site's
//! `themes/<theme>/` (same relative path), and for static files the site's `static/` last.
//! Templates are compiled once into one `Tera`, shared by all rendering threads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use include_dir::{Dir, include_dir};
use tera::Tera;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::site_walk::SiteWalk;
use crate::model::config::SiteConfig;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

pub struct Theme {
    pub tera: Tera,
    /// Output path (relative, `/`-separated) to where its bytes come from.
    pub static_files: BTreeMap<String, StaticSource>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StaticSource {
    Embedded(&'static [u8]),
    Disk(PathBuf),
}

impl StaticSource {
    pub fn read(&self) -> Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            StaticSource::Embedded(bytes) => Ok(std::borrow::Cow::Borrowed(bytes)),
            StaticSource::Disk(path) => Ok(std::borrow::Cow::Owned(
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            )),
        }
    }
}

impl Theme {
    pub fn load(root: &Path, config: &SiteConfig) -> Result<Theme> {
        let site_theme = root.join("themes").join(&config.theme);
        if config.theme != "default" && !site_theme.is_dir() {
            bail!(
                "site.toml: theme `{}` not found: there is no folder {}\n  help: create it (files there override the default theme's), or set theme = \"default\"",
                config.theme,
                site_theme.display()
            );
        }
        let (mut templates, mut static_files) = embedded_theme()?;
        let walk = SiteWalk::new(root, config);
        let mut problems = Diagnostics::default();
        let mut files = |dir: &Path| {
            let (files, found) = disk_files(&walk, dir);
            problems.extend(found);
            files
        };
        let template_files = files(&site_theme.join("templates"));
        let static_dirs = [site_theme.join("static"), root.join("static")];
        let static_dir_files: Vec<_> = static_dirs.iter().map(|d| files(d)).collect();
        if !problems.0.is_empty() {
            return Err(problems.into());
        }
        for (rel, path) in template_files {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading template {}", path.display()))?;
            templates.insert(rel, (text, path.display().to_string()));
        }
        for (rel, path) in static_dir_files.into_iter().flatten() {
            static_files.insert(rel, StaticSource::Disk(path));
        }
        let tera = compile_templates(&templates)?;
        Ok(Theme { tera, static_files })
    }
}

/// A template's text and where it comes from (for error messages), by name.
type Templates = BTreeMap<String, (String, String)>;

/// The default theme's templates and static files, from the binary.
fn embedded_theme() -> Result<(Templates, BTreeMap<String, StaticSource>)> {
    let mut templates = Templates::new();
    let mut static_files = BTreeMap::new();
    for file in embedded_files(&DEFAULT_THEME) {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        if let Some(name) = rel.strip_prefix("templates/") {
            let text = file
                .contents_utf8()
                .with_context(|| format!("embedded template {rel} is not UTF-8"))?;
            templates.insert(
                name.to_string(),
                (text.to_string(), format!("(built-in) themes/default/{rel}")),
            );
        } else if let Some(name) = rel.strip_prefix("static/") {
            static_files.insert(name.to_string(), StaticSource::Embedded(file.contents()));
        }
    }
    Ok((templates, static_files))
}

/// Compiles every template at once: Tera resolves `extends` and `include` across the set.
fn compile_templates(templates: &Templates) -> Result<Tera> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".xml"]);
    tera.add_raw_templates(
        templates
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str())),
    )
    .map_err(|e| {
        let origins: Vec<&str> = templates
            .values()
            .map(|(_, o)| o.as_str())
            .filter(|o| !o.starts_with("(built-in)"))
            .collect();
        let from = if origins.is_empty() {
            String::new()
        } else {
            format!(" (site templates: {})", origins.join(", "))
        };
        anyhow::anyhow!("in the theme's templates{from}: {e}")
    })?;
    Ok(tera)
}

fn embedded_files(dir: &'static Dir<'static>) -> Vec<&'static include_dir::File<'static>> {
    let mut files: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        files.extend(embedded_files(sub));
    }
    files
}

/// Every file under `dir` as (relative `/`-separated path, full path); none if it is missing.
fn disk_files(walk: &SiteWalk, dir: &Path) -> (Vec<(String, PathBuf)>, Vec<Diagnostic>) {
    let (entries, problems) = walk.files(dir);
    let files = entries
        .into_iter()
        .map(|entry| {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (rel, entry.into_path())
        })
        .collect();
    (files, problems)
}

/// The embedded default theme's files, for `guidesmith init --theme` style copies and tests.
pub fn default_theme_file(path: &str) -> Option<&'static [u8]> {
    DEFAULT_THEME.get_file(path).map(|f| f.contents())
}
