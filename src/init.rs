//! `guidesmith init` and `guidesmith new`: starting files for a site and for a guide.
//! Neither ever overwrites a file: existing paths are an error, checked before writing.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::model::config::SiteConfig;
use crate::model::guide::slugify;

const SITE_TOML: &str = include_str!("init/site.toml");
const SAMPLE_GUIDE: &str = include_str!("init/getting-started.md");
const GITHUB_PAGES_WORKFLOW: &str = include_str!("init/pages.yml");

/// A CI service `init --ci` writes a deploy workflow for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    /// GitHub Actions, deploying to GitHub Pages (`.github/workflows/pages.yml`).
    Github,
}

/// Writes a new site into `dir`; returns the files written.
pub fn init_site(dir: &Path) -> Result<Vec<PathBuf>> {
    init_site_with_ci(dir, None)
}

/// Writes a new site into `dir` and, if asked, a CI workflow; returns the files written.
pub fn init_site_with_ci(dir: &Path, ci: Option<Ci>) -> Result<Vec<PathBuf>> {
    let mut files = vec![
        (dir.join("site.toml"), SITE_TOML),
        (dir.join("guides").join("getting-started.md"), SAMPLE_GUIDE),
    ];
    if ci == Some(Ci::Github) {
        files.push((
            dir.join(".github").join("workflows").join("pages.yml"),
            GITHUB_PAGES_WORKFLOW,
        ));
    }
    let existing: Vec<String> = files
        .iter()
        .filter(|(p, _)| p.exists())
        .map(|(p, _)| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        bail!(
            "refusing to overwrite existing files: {}\n  help: choose an empty folder, or move those files away",
            existing.join(", ")
        );
    }
    for (path, text) in &files {
        write_new(path, text)?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}

/// Writes `guides/<slug>.md` with a front-matter skeleton; returns its path.
pub fn new_guide(root: &Path, title: &str) -> Result<PathBuf> {
    let config = SiteConfig::load(root).map_err(|d| anyhow::anyhow!("{d}"))?;
    let slug = slugify(title);
    if slug.is_empty() || crate::load::validate::check_slug(&slug).is_err() {
        bail!(
            "cannot make a file name from the title `{title}`; use letters or digits (ASCII) in it"
        );
    }
    let path = root.join(&config.guides_dir).join(format!("{slug}.md"));
    if path.exists() {
        bail!(
            "{} already exists\n  help: choose another title, or edit that guide",
            path.display()
        );
    }
    write_new(&path, &guide_skeleton(title))?;
    Ok(path)
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn guide_skeleton(title: &str) -> String {
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| format!("\"{title}\""));
    format!(
        r#"---
title: {quoted}
description: "One sentence that says what the reader will be able to do."
date: {today}
draft: true
tags: []
takeaways:
  - "The one thing to remember."
steps:
  - title: "First step"
    duration: "10 minutes"
    body: |-
      What to do, and why.
checklists:
  - id: before-you-start
    title: "Before you start"
    items:
      - "Something to have ready"
faqs:
  - q: "A question readers ask?"
    a: |-
      The answer.
dos_donts:
  - id: do-and-dont
    rows:
      - do: "What helps"
        dont: "What hurts"
callouts: []
messages: []
---

Introduce the guide here. Widgets you do not place with a marker such as
`<!-- widget: steps -->` follow the body.
"#,
        today = today()
    )
}

/// Today's date (UTC) as YYYY-MM-DD, from the system clock.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_date() {
        assert!(crate::model::guide::Date::parse(&super::today()).is_ok());
    }
}
