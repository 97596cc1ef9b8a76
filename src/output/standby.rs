//! Writing the built site so that, at every instant, the output folder holds either the last
//! good site or the new one, never a mix: a failed or killed build leaves the last good site.
//!
//! Two trees are kept. The output folder is what readers and hosts see; a standby tree,
//! `.guidesmith-standby/<name>/` beside it, holds the site of the build before. A build brings
//! the standby tree up to date (files arrive one at a time, from any thread:
//! [`StagedOutput::put`]; a file whose bytes are already there is not written), removes what
//! the new site no longer has, and then exchanges the two trees in one step
//! (`renameat2(RENAME_EXCHANGE)` on Linux). The old site becomes the standby tree, so the next
//! build writes only what changed in the last two builds: the cost of a build follows what
//! changed, not the size of the site. A build killed while writing leaves the output as it was
//! and a half-updated standby tree, which the next build finishes.
//!
//! A file keeps its modification time while its bytes stay the same (hosts' upload diffs and
//! caches stay quiet): a file written into the standby tree with the bytes the output already
//! has takes the output's time.
//!
//! Where the file system cannot exchange two folders, the trees trade places with three
//! renames instead; a build killed between them leaves the output missing, and the next build
//! puts the old site back before anything else.
//!
//! One build at a time writes a given output (a lock in the standby folder; a second build
//! stops with an error rather than wait). The standby folder holds a `.gitignore`, so git
//! never sees it. The output folder carries a marker file; a folder without it that is not
//! empty is never touched, so `build` cannot delete a folder it did not make. Staging folders
//! that earlier versions of guidesmith left beside the output are removed
//! ([`crate::output::staging_folder`]).

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use walkdir::WalkDir;

use crate::output::staging_folder::remove_abandoned;
use crate::output::swap::{StandbyLock, exchange_trees, recover_interrupted_swap};

/// Present in every output folder guidesmith made.
pub const OUTPUT_MARKER: &str = ".guidesmith-output";

pub const MARKER_TEXT: &str =
    "This folder is written by guidesmith build and replaced on every build.\n";

/// The folder beside the output that holds the standby tree.
pub const STANDBY_FOLDER: &str = ".guidesmith-standby";

/// Puts back the last good site where a build killed in the middle of a swap left the output
/// missing. Nothing is done while another build writes the output: it does the same.
pub fn recover_output(output_dir: &Path) {
    let (folder, name) = standby_folder(output_dir);
    let lock = StandbyLock::take(&folder, &name);
    if lock.is_ok() || !folder.is_dir() {
        recover_interrupted_swap(output_dir, &folder.join(&name));
    }
}

/// The standby folder beside `output_dir`, and the output's name.
fn standby_folder(output_dir: &Path) -> (PathBuf, String) {
    let parent = output_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = output_dir
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    (parent.join(STANDBY_FOLDER), name)
}

/// A new output being written into the standby tree; see the module doc.
pub struct StagedOutput {
    output_dir: PathBuf,
    standby: PathBuf,
    /// Every path put: what the output must hold.
    produced: Mutex<Vec<String>>,
    _lock: StandbyLock,
}

impl StagedOutput {
    /// Checks that `output_dir` may be written, takes the lock, puts back an output that a
    /// killed build left missing and makes sure the standby tree exists.
    pub fn begin(output_dir: &Path) -> Result<StagedOutput> {
        let (folder, name) = standby_folder(output_dir);
        fs::create_dir_all(&folder).with_context(|| format!("creating {}", folder.display()))?;
        let ignore = folder.join(".gitignore");
        if !ignore.is_file() {
            fs::write(&ignore, "*\n").with_context(|| format!("writing {}", ignore.display()))?;
        }
        let lock = StandbyLock::take(&folder, &name)?;
        let standby = folder.join(&name);
        recover_interrupted_swap(output_dir, &standby);
        check_replaceable(output_dir)?;
        remove_abandoned(folder.parent().unwrap_or(Path::new(".")), &name);
        match fs::symlink_metadata(&standby) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => fs::remove_file(&standby)
                .with_context(|| format!("removing {}", standby.display()))?,
            Err(_) => fs::create_dir(&standby)
                .with_context(|| format!("creating {}", standby.display()))?,
        }
        Ok(StagedOutput {
            output_dir: output_dir.to_path_buf(),
            standby,
            produced: Mutex::new(Vec::new()),
            _lock: lock,
        })
    }

    /// The tree being written: where the new site's files are until [`StagedOutput::finish`].
    pub fn tree(&self) -> &Path {
        &self.standby
    }

    /// Adds one file (`path` relative, `/`-separated); safe to call from many threads.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        lock(&self.produced).push(path.to_string());
        let target = self.standby.join(path);
        if holding(&target, bytes).is_some() {
            return Ok(());
        }
        match fs::symlink_metadata(&target) {
            Ok(m) if m.is_file() => {}
            // A folder where the new site has a file, or a link (never followed).
            Ok(m) if m.is_dir() => fs::remove_dir_all(&target)
                .with_context(|| format!("removing {}", target.display()))?,
            Ok(_) => fs::remove_file(&target)
                .with_context(|| format!("removing {}", target.display()))?,
            Err(_) => {}
        }
        create_parent(&self.standby, &target)?;
        let writing = || format!("writing {}", target.display());
        let mut file = File::create(&target).with_context(writing)?;
        file.write_all(bytes).with_context(writing)?;
        let live = holding(&self.output_dir.join(path), bytes);
        if let Some(modified) = live.and_then(|m| m.modified().ok()) {
            file.set_modified(modified).with_context(writing)?;
        }
        Ok(())
    }

    /// Gives the standby tree `marker` as its marker's text and exactly the files put, then
    /// exchanges it with the output.
    pub fn finish(self, marker: &str) -> Result<()> {
        let produced = std::mem::take(&mut *lock(&self.produced));
        remove_all_but(&self.standby, &produced)?;
        let marker_path = self.standby.join(OUTPUT_MARKER);
        if !fs::read_to_string(&marker_path).is_ok_and(|old| old == marker) {
            fs::write(&marker_path, marker).context("writing the output marker")?;
        }
        exchange_trees(&self.output_dir, &self.standby)
            .with_context(|| format!("moving the new site into {}", self.output_dir.display()))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Creates the folders of `target` under `tree`, removing files that stand where a folder
/// must be (a page that became a folder of pages).
fn create_parent(tree: &Path, target: &Path) -> Result<()> {
    let Some(dir) = target.parent() else {
        return Ok(());
    };
    if fs::create_dir_all(dir).is_ok() {
        return Ok(());
    }
    let mut at = tree.to_path_buf();
    for part in dir.strip_prefix(tree).unwrap_or(dir).components() {
        at.push(part);
        if fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
            let _ = fs::remove_file(&at);
        }
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
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

/// The metadata of `path` if it is a file (not a link to one) holding exactly `bytes`.
fn holding(path: &Path, bytes: &[u8]) -> Option<fs::Metadata> {
    let m = fs::symlink_metadata(path).ok()?;
    let same =
        m.is_file() && m.len() == bytes.len() as u64 && fs::read(path).is_ok_and(|b| b == bytes);
    same.then_some(m)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    use crate::render::pages::OutputFile;

    /// Makes `output_dir` hold exactly `files`, with a marker without a build record.
    fn write_output(output_dir: &Path, files: &[OutputFile]) -> Result<()> {
        let staged = StagedOutput::begin(output_dir)?;
        for f in files {
            staged.put(&f.path, &f.bytes)?;
        }
        staged.finish(MARKER_TEXT)
    }

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

    fn standby(out: &Path) -> PathBuf {
        out.with_file_name(STANDBY_FOLDER).join("public")
    }

    fn modified(path: &Path) -> std::time::SystemTime {
        fs::metadata(path).unwrap().modified().unwrap()
    }

    /// Dates the file an hour back, so a rewrite cannot keep its time by chance.
    fn age(path: &Path) -> std::time::SystemTime {
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
        when
    }

    #[test]
    fn rebuilds_write_only_what_changed_in_the_last_two_builds() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = [("index.html", "home"), ("a/index.html", "a")];
        write(&out, &files);
        let home = age(&out.join("index.html"));
        write(&out, &files);
        write(&out, &files);
        let before = (
            inode(&out.join("index.html")),
            inode(&standby(&out).join("index.html")),
        );
        write(&out, &files);
        let after = (
            inode(&out.join("index.html")),
            inode(&standby(&out).join("index.html")),
        );
        assert_eq!(
            after,
            (before.1, before.0),
            "the trees traded places, nothing was written"
        );
        assert_eq!(
            modified(&out.join("index.html")),
            home,
            "same bytes, same time"
        );
        assert_eq!(modified(&standby(&out).join("index.html")), home);
        assert_eq!(siblings(&out), 2, "the output and the standby folder only");
    }

    #[test]
    fn a_build_killed_while_writing_is_finished_by_the_next() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write(&out, &[("index.html", "home"), ("old/index.html", "old")]);
        let staged = StagedOutput::begin(&out).unwrap();
        staged.put("index.html", b"half a site").unwrap();
        staged.put("new/index.html", b"new").unwrap();
        drop(staged);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "home");
        write(&out, &[("index.html", "home 2"), ("b/index.html", "b")]);
        let mut found: Vec<String> = WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&out).unwrap().display().to_string())
            .collect();
        found.sort();
        assert_eq!(found, [OUTPUT_MARKER, "b/index.html", "index.html"]);
        assert_eq!(
            fs::read_to_string(out.join("index.html")).unwrap(),
            "home 2"
        );
    }

    #[test]
    fn changed_rebuild_keeps_the_times_of_unchanged_files_and_drops_removed_ones() {
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
        let home = age(&out.join("index.html"));
        write(
            &out,
            &[
                ("index.html", "home"),
                ("a/index.html", "a2"),
                ("c/d/index.html", "d"),
            ],
        );
        assert_eq!(
            modified(&out.join("index.html")),
            home,
            "unchanged file, same time"
        );
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a2");
        assert_eq!(fs::read_to_string(out.join("c/d/index.html")).unwrap(), "d");
        assert!(!out.join("b").exists());
        assert_eq!(siblings(&out), 2, "the output and the standby folder only");
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
        assert_eq!(siblings(&out), 2, "the output and the standby folder only");
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
