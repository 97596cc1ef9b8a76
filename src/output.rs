//! Writing the built site, so that a failed build leaves the last good site in place.
//!
//! Files arrive one at a time ([`StagedOutput::put`], from any thread), so a build streams
//! each page to disk as soon as it is rendered instead of holding the whole site in memory.
//! Nothing in the output folder changes until every page is rendered ([`StagedOutput::finish`]):
//!
//! - With no previous output, pages are written into a staging folder beside the output, which
//!   is renamed into place at the end.
//! - Over a previous output, a file whose bytes did not change is left alone (its timestamp
//!   too, so hosts' upload diffs and caches stay quiet); changed and new files are staged, then
//!   each is renamed over its old version, and files the site no longer has are removed. The
//!   folders stay: building the whole tree again and deleting the old one would create and
//!   delete a folder per guide on every build, and on ext4 without a journal each new inode
//!   then scans past every inode deleted in the last minutes (a 10,000-guide rebuild after a
//!   one-line edit took longer than a clean build). A build killed while renaming leaves a
//!   mix of the two sites, which the next build puts right.
//!
//! Staging folders that killed builds left are removed by the next build
//! ([`crate::staging_folder`]). The output folder carries a marker file; a folder without it
//! that is not empty is never touched, so `build` cannot delete a folder it did not create.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::render::OutputFile;
use crate::staging_folder::{StagingFolder, remove_abandoned};

/// Present in every output folder guidesmith made.
pub const OUTPUT_MARKER: &str = ".guidesmith-output";

pub const MARKER_TEXT: &str =
    "This folder is written by guidesmith build and replaced on every build.\n";

/// Makes `output_dir` hold exactly `files`.
pub fn write_output(output_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let staged = StagedOutput::begin(output_dir)?;
    files
        .par_iter()
        .try_for_each(|f| staged.put(&f.path, &f.bytes))?;
    staged.finish()
}

/// A new output being written; see the module doc.
pub struct StagedOutput {
    output_dir: PathBuf,
    staging: StagingFolder,
    /// A previous output is updated in place; without one, `staging` becomes the output.
    update: bool,
    /// Every path put (update only): what the output must hold.
    produced: Mutex<Vec<String>>,
    /// Changed or new files (update only): the path and the name of its staged copy.
    changed: Mutex<Vec<(String, String)>>,
    staged_count: AtomicUsize,
}

impl StagedOutput {
    /// Checks that `output_dir` may be written and creates the staging folder beside it.
    pub fn begin(output_dir: &Path) -> Result<StagedOutput> {
        let parent = output_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = output_dir
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        recover_interrupted_swap(output_dir);
        check_replaceable(output_dir)?;
        fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        remove_abandoned(parent, &name);
        let staging = StagingFolder::create(parent, &name)
            .with_context(|| format!("creating a staging folder in {}", parent.display()))?;
        Ok(StagedOutput {
            output_dir: output_dir.to_path_buf(),
            staging,
            update: output_dir.is_dir(),
            produced: Mutex::new(Vec::new()),
            changed: Mutex::new(Vec::new()),
            staged_count: AtomicUsize::new(0),
        })
    }

    /// Adds one file (`path` relative, `/`-separated); safe to call from many threads.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        if !self.update {
            let target = self.staging.path().join(path);
            create_parent(&target)?;
            return fs::write(&target, bytes)
                .with_context(|| format!("writing {}", target.display()));
        }
        lock(&self.produced).push(path.to_string());
        if unchanged(&self.output_dir.join(path), bytes) {
            return Ok(());
        }
        // Staged flat: no folder is made for a file that only replaces another.
        let staged = self
            .staged_count
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        let target = self.staging.path().join(&staged);
        fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
        lock(&self.changed).push((path.to_string(), staged));
        Ok(())
    }

    /// Makes the output hold exactly the files put; touches nothing if it already does.
    pub fn finish(self) -> Result<()> {
        if !self.update {
            fs::write(self.staging.path().join(OUTPUT_MARKER), MARKER_TEXT)
                .context("writing the output marker")?;
            return self.staging.rename_to(&self.output_dir).with_context(|| {
                format!("moving the new site into {}", self.output_dir.display())
            });
        }
        let produced = self
            .produced
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let changed = self.changed.into_inner().unwrap_or_else(|e| e.into_inner());
        remove_all_but(&self.output_dir, &produced)?;
        changed.par_iter().try_for_each(|(path, staged)| {
            let target = self.output_dir.join(path);
            create_parent(&target)?;
            fs::rename(self.staging.path().join(staged), &target)
                .with_context(|| format!("writing {}", target.display()))
        })?;
        // The marker may carry a build record after its first line ([`crate::build_record`]).
        let marker = self.output_dir.join(OUTPUT_MARKER);
        if !fs::read_to_string(&marker).is_ok_and(|text| text.starts_with(MARKER_TEXT)) {
            fs::write(&marker, MARKER_TEXT).context("writing the output marker")?;
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn create_parent(target: &Path) -> Result<()> {
    match target.parent() {
        Some(dir) => fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display())),
        None => Ok(()),
    }
}

/// Removes from `dir` every file, folder and link that is not one of `paths`, a folder of
/// one of them, or the marker.
fn remove_all_but(dir: &Path, paths: &[String]) -> Result<()> {
    let files: HashSet<&str> = paths.iter().map(String::as_str).collect();
    let mut folders: HashSet<&str> = HashSet::new();
    for path in paths {
        let mut rest = path.as_str();
        while let Some((folder, _)) = rest.rsplit_once('/') {
            if !folders.insert(folder) {
                break;
            }
            rest = folder;
        }
    }
    let mut entries = WalkDir::new(dir).min_depth(1).into_iter();
    while let Some(entry) = entries.next() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let rel = rel.to_str().unwrap_or_default();
        let kind = entry.file_type();
        let keep = if kind.is_dir() {
            folders.contains(rel)
        } else {
            kind.is_file() && (files.contains(rel) || rel == OUTPUT_MARKER)
        };
        if keep {
            continue;
        }
        let removed = if kind.is_dir() {
            entries.skip_current_dir();
            fs::remove_dir_all(entry.path())
        } else {
            fs::remove_file(entry.path())
        };
        removed.with_context(|| format!("removing {}", entry.path().display()))?;
    }
    Ok(())
}

/// Earlier versions swapped a whole new site in: one of their builds killed between moving the
/// old site aside and moving the new one in leaves `.<name>.old-*` beside a missing output: put the old site back. Old sites left beside a
/// present output (a failed delete) are removed; both carry our marker, nothing else is touched.
pub fn recover_interrupted_swap(output_dir: &Path) {
    let parent = output_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(name) = output_dir.file_name().map(|n| n.to_string_lossy()) else {
        return;
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.old-");
    let mut olds: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .filter(|p| p.join(OUTPUT_MARKER).is_file())
        .collect();
    olds.sort();
    if fs::symlink_metadata(output_dir).is_err()
        && let Some(newest) = olds.pop()
    {
        let _ = fs::rename(&newest, output_dir);
    }
    for old in olds {
        let _ = fs::remove_dir_all(old);
    }
}

fn check_replaceable(output_dir: &Path) -> Result<()> {
    match fs::symlink_metadata(output_dir) {
        Err(_) => Ok(()),
        Ok(m) if !m.is_dir() => bail!(
            "{} exists and is not a folder; move it away or set output_dir in site.toml",
            output_dir.display()
        ),
        Ok(_) => {
            let empty = fs::read_dir(output_dir)
                .with_context(|| format!("reading {}", output_dir.display()))?
                .next()
                .is_none();
            if empty || output_dir.join(OUTPUT_MARKER).is_file() {
                Ok(())
            } else {
                bail!(
                    "refusing to replace {}: it was not made by guidesmith (no {OUTPUT_MARKER} file in it)\n  help: move it away, or choose another folder with --output or output_dir in site.toml",
                    output_dir.display()
                )
            }
        }
    }
}

/// Whether `old` is a file (not a link to one) holding exactly `bytes`.
fn unchanged(old: &Path, bytes: &[u8]) -> bool {
    match fs::symlink_metadata(old) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(old).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    fn inode(path: &Path) -> u64 {
        fs::metadata(path).unwrap().ino()
    }

    fn write(out: &Path, files: &[(&str, &str)]) {
        let files: Vec<OutputFile> = files.iter().map(|(p, t)| OutputFile::new(*p, *t)).collect();
        write_output(out, &files).unwrap();
    }

    fn siblings(dir: &Path) -> usize {
        fs::read_dir(dir.parent().unwrap()).unwrap().count()
    }

    #[test]
    fn unchanged_rebuild_touches_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = [("index.html", "home"), ("a/index.html", "a")];
        write(&out, &files);
        let (home, marker) = (
            inode(&out.join("index.html")),
            inode(&out.join(OUTPUT_MARKER)),
        );
        write(&out, &files);
        assert_eq!(inode(&out.join("index.html")), home);
        assert_eq!(
            inode(&out.join(OUTPUT_MARKER)),
            marker,
            "the marker was not rewritten"
        );
        assert_eq!(
            siblings(&out),
            1,
            "no staging or old folder left beside the output"
        );
    }

    #[test]
    fn changed_rebuild_keeps_unchanged_files_and_folders_and_drops_removed_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(
            &out,
            &[
                ("index.html", "home"),
                ("a/index.html", "a"),
                ("b/index.html", "b"),
            ],
        );
        let (home, folder) = (inode(&out.join("index.html")), inode(&out.join("a")));
        write(
            &out,
            &[
                ("index.html", "home"),
                ("a/index.html", "a2"),
                ("c/d/index.html", "d"),
            ],
        );
        assert_eq!(inode(&out.join("index.html")), home, "unchanged file kept");
        assert_eq!(inode(&out.join("a")), folder, "folder kept, not made again");
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a2");
        assert_eq!(fs::read_to_string(out.join("c/d/index.html")).unwrap(), "d");
        assert!(!out.join("b").exists());
        assert_eq!(
            siblings(&out),
            1,
            "no staging folder left beside the output"
        );
    }

    #[test]
    fn files_and_folders_trade_places_and_links_are_replaced_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let outside = tmp.path().join("outside.txt");
        fs::write(&outside, "x").unwrap();
        write(&out, &[("a", "a file"), ("b/index.html", "b")]);
        std::os::unix::fs::symlink(&outside, out.join("link.txt")).unwrap();
        write(
            &out,
            &[
                ("a/index.html", "now a folder"),
                ("b", "now a file"),
                ("link.txt", "x"),
            ],
        );
        assert_eq!(
            fs::read_to_string(out.join("a/index.html")).unwrap(),
            "now a folder"
        );
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "now a file");
        assert!(
            !fs::symlink_metadata(out.join("link.txt"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&outside).unwrap(), "x");
    }

    #[test]
    fn a_build_that_never_finishes_leaves_the_output_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(&out, &[("index.html", "home")]);
        let staged = StagedOutput::begin(&out).unwrap();
        staged.put("index.html", b"half a site").unwrap();
        staged.put("new/index.html", b"new").unwrap();
        drop(staged);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "home");
        assert!(!out.join("new").exists());
        assert_eq!(siblings(&out), 1, "the staging folder is removed");
    }

    #[test]
    fn an_extra_file_in_the_output_is_removed_even_if_nothing_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = [("index.html", "home")];
        write(&out, &files);
        fs::create_dir(out.join("stray")).unwrap();
        write(&out, &files);
        assert!(!out.join("stray").exists());
    }
}
