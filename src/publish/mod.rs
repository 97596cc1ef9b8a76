//! `guidesmith publish` and `guidesmith build --release`: a release build, checked, then
//! written to a folder, committed to a git branch or uploaded to a bucket.
//!
//! 1. [`release_site`] renders with `release: true` ([`crate::release`]), which runs the output
//!    check ([`crate::release::output_check`]); a broken link stops here, before anything is
//!    written or pushed.
//! 2. The destination compares the new files with what is there and makes a [`Plan`]
//!    (added, changed, removed); `--dry-run` prints it and stops.
//! 3. [`dir`] mirrors into a folder, touching only files it wrote before; [`git`] commits the
//!    output as the new tip of a branch and pushes, refusing to overwrite commits it did not make;
//!    [`s3`] uploads to a bucket in an order that keeps the served site whole.

pub mod dir;
pub mod git;
pub mod s3;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::check::output_folder::check_publish_folder;
use crate::pipeline::{BuildOptions, RenderedSite, render_site_files};

/// Where `publish` puts the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Mirror into this folder.
    Dir(PathBuf),
    /// Commit to `branch` of the repository at `remote` and push.
    /// `accept_foreign`: commit on top of commits guidesmith did not make.
    Git {
        remote: String,
        branch: String,
        accept_foreign: bool,
    },
    /// Upload to an S3-compatible bucket.
    S3(s3::S3Target),
}

#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// How to build; `release` is always turned on.
    pub build: BuildOptions,
    pub destination: Destination,
    /// Only report what would change.
    pub dry_run: bool,
}

/// What a publish changes at its destination, as output paths, each list sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    /// `3 added, 1 changed, 0 removed`.
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} changed, {} removed",
            self.added.len(),
            self.changed.len(),
            self.removed.len()
        )
    }
}

impl fmt::Display for Plan {
    /// One line per file: `+ added`, `~ changed`, `- removed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (sign, paths) in [
            ('+', &self.added),
            ('~', &self.changed),
            ('-', &self.removed),
        ] {
            for p in paths {
                writeln!(f, "{sign} {p}")?;
            }
        }
        Ok(())
    }
}

/// What `publish` did (or, on a dry run, would do).
#[derive(Debug)]
pub struct PublishReport {
    pub plan: Plan,
    pub dry_run: bool,
    /// The commit pushed, for git destinations that changed.
    pub commit: Option<String>,
    pub file_count: usize,
    pub warnings: Vec<crate::diagnostic::Diagnostic>,
    /// How long the checked release build took, and then the destination's part (compare,
    /// upload or write, delete).
    pub built_in: Duration,
    pub sent_in: Duration,
}

/// Renders a release build of the site at `root`, its output checked ([`render_site_files`]).
pub fn release_site(root: &Path, options: &BuildOptions) -> Result<RenderedSite> {
    let options = BuildOptions {
        release: true,
        ..options.clone()
    };
    render_site_files(root, &options)
}

/// `guidesmith publish`: a checked release build, sent to its destination.
pub fn publish(root: &Path, options: &PublishOptions) -> Result<PublishReport> {
    let started = Instant::now();
    let site = release_site(root, &options.build)?;
    let built_in = started.elapsed();
    let (plan, commit) = match &options.destination {
        Destination::Dir(path) => {
            check_publish_folder(root, &site.config, path)
                .map_err(|r| anyhow::anyhow!("--to dir: {}\n  help: {}", r.message, r.help))?;
            (
                dir::publish_to_dir(path, &site.files, options.dry_run)?,
                None,
            )
        }
        Destination::Git {
            remote,
            branch,
            accept_foreign,
        } => {
            let target = git::GitTarget {
                remote: remote.clone(),
                branch: branch.clone(),
                accept_foreign: *accept_foreign,
            };
            let done = git::publish_to_git(root, &target, &site, options.dry_run)?;
            (done.plan, done.commit)
        }
        Destination::S3(target) => (
            s3::publish_to_s3(target, &site.files, &site.config.base_url, options.dry_run)?,
            None,
        ),
    };
    Ok(PublishReport {
        plan,
        dry_run: options.dry_run,
        commit,
        file_count: site.files.len(),
        warnings: site.warnings,
        built_in,
        sent_in: started.elapsed() - built_in,
    })
}
