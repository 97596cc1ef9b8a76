//! Writing the built site: into a staging folder beside the output, swapped in on success.
//!
//! A failed or interrupted build therefore leaves the last good site in place. The output
//! folder carries a marker file; a folder without it that is not empty is never replaced,
//! so `build` cannot delete a folder it did not create.
//!
//! Files arrive one at a time ([`StagedOutput::put`], from any thread), so a build streams
//! each page to disk as soon as it is rendered instead of holding the whole site in memory.
//! A file whose bytes did not change is not written: [`StagedOutput::finish`] hard-links it
//! from the previous output, which keeps its timestamp (hosts' upload diffs and caches stay
//! quiet). When no file changed at all and the previous output holds exactly the same files,
//! nothing is written, linked or swapped.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::render::OutputFile;

/// Present in every output folder guidesmith made.
pub const OUTPUT_MARKER: &str = ".guidesmith-output";

const MARKER_TEXT: &str =
    "This folder is written by guidesmith build and replaced on every build.\n";

/// Replaces `output_dir` with exactly `files`.
pub fn write_output(output_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let staged = StagedOutput::begin(output_dir)?;
    files
        .par_iter()
        .try_for_each(|f| staged.put(&f.path, &f.bytes))?;
    staged.finish()
}

/// A new output being written beside the previous one; see the module doc.
pub struct StagedOutput {
    output_dir: PathBuf,
    parent: PathBuf,
    name: String,
    staging: tempfile::TempDir,
    /// Paths whose bytes equal the previous output's; linked in by `finish` if needed.
    unchanged: Mutex<Vec<String>>,
    written: AtomicUsize,
}

impl StagedOutput {
    /// Checks that `output_dir` may be replaced and creates the staging folder beside it.
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
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.staging-"))
            .tempdir_in(parent)
            .with_context(|| format!("creating a staging folder in {}", parent.display()))?;
        Ok(StagedOutput {
            output_dir: output_dir.to_path_buf(),
            parent: parent.to_path_buf(),
            name,
            staging,
            unchanged: Mutex::new(Vec::new()),
            written: AtomicUsize::new(0),
        })
    }

    /// Adds one file (`path` relative, `/`-separated); safe to call from many threads.
    pub fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        if unchanged(&self.output_dir.join(path), bytes) {
            self.unchanged
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(path.to_string());
            return Ok(());
        }
        let target = self.staging.path().join(path);
        create_parent(&target)?;
        fs::write(&target, bytes).with_context(|| format!("writing {}", target.display()))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Swaps the new output in, or leaves the previous one alone if it is the same.
    pub fn finish(self) -> Result<()> {
        let unchanged = self
            .unchanged
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        if self.written.load(Ordering::Relaxed) == 0 && holds_exactly(&self.output_dir, &unchanged)
        {
            return Ok(());
        }
        unchanged.par_iter().try_for_each(|path| {
            let (old, target) = (self.output_dir.join(path), self.staging.path().join(path));
            create_parent(&target)?;
            if fs::hard_link(&old, &target).is_err() {
                fs::copy(&old, &target).with_context(|| format!("copying {}", old.display()))?;
            }
            Ok::<(), anyhow::Error>(())
        })?;
        fs::write(self.staging.path().join(OUTPUT_MARKER), MARKER_TEXT)
            .context("writing the output marker")?;
        let staging = self.staging.keep();
        swap_in(&staging, &self.output_dir, &self.parent, &self.name)
    }
}

fn create_parent(target: &Path) -> Result<()> {
    match target.parent() {
        Some(dir) => fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display())),
        None => Ok(()),
    }
}

/// Whether `dir` holds our marker, exactly the files `paths` (which are known to be there)
/// and no other file, folder or link.
fn holds_exactly(dir: &Path, paths: &[String]) -> bool {
    if fs::read(dir.join(OUTPUT_MARKER)).ok().as_deref() != Some(MARKER_TEXT.as_bytes()) {
        return false;
    }
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
    let mut files = 0;
    for entry in WalkDir::new(dir).min_depth(1) {
        let Ok(entry) = entry else { return false };
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Some(rel) = rel.to_str() else {
            return false;
        };
        match entry.file_type() {
            t if t.is_dir() && folders.contains(rel) => {}
            t if t.is_file() => files += 1,
            _ => return false,
        }
    }
    files == paths.len() + 1
}

/// A build killed between moving the old site aside and moving the new one in leaves
/// `.<name>.old-*` beside a missing output: put the old site back. Old sites left beside a
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

fn unchanged(old: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(old) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(old).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

fn swap_in(staging: &Path, output_dir: &Path, parent: &Path, name: &str) -> Result<()> {
    if fs::symlink_metadata(output_dir).is_err() {
        return fs::rename(staging, output_dir)
            .with_context(|| format!("moving the new site into {}", output_dir.display()));
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let old = parent.join(format!(".{name}.old-{}-{nanos}", std::process::id()));
    fs::rename(output_dir, &old)
        .with_context(|| format!("moving the old site aside ({})", output_dir.display()))?;
    if let Err(e) = fs::rename(staging, output_dir) {
        let _ = fs::rename(&old, output_dir);
        return Err(e)
            .with_context(|| format!("moving the new site into {}", output_dir.display()));
    }
    fs::remove_dir_all(&old)
        .with_context(|| format!("removing the previous site at {}", old.display()))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    fn inode(path: &Path) -> u64 {
        fs::metadata(path).unwrap().ino()
    }

    fn siblings(dir: &Path) -> usize {
        fs::read_dir(dir.parent().unwrap()).unwrap().count()
    }

    #[test]
    fn unchanged_rebuild_touches_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = [
            OutputFile::new("index.html", "home"),
            OutputFile::new("a/index.html", "a"),
        ];
        write_output(&out, &files).unwrap();
        let (home, marker) = (
            inode(&out.join("index.html")),
            inode(&out.join(OUTPUT_MARKER)),
        );
        write_output(&out, &files).unwrap();
        assert_eq!(inode(&out.join("index.html")), home);
        assert_eq!(
            inode(&out.join(OUTPUT_MARKER)),
            marker,
            "the folder was not swapped"
        );
        assert_eq!(
            siblings(&out),
            1,
            "no staging or old folder left beside the output"
        );
    }

    #[test]
    fn changed_rebuild_links_unchanged_files_and_drops_removed_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        write_output(
            &out,
            &[
                OutputFile::new("index.html", "home"),
                OutputFile::new("a/index.html", "a"),
                OutputFile::new("b/index.html", "b"),
            ],
        )
        .unwrap();
        let home = inode(&out.join("index.html"));
        write_output(
            &out,
            &[
                OutputFile::new("index.html", "home"),
                OutputFile::new("a/index.html", "a2"),
            ],
        )
        .unwrap();
        assert_eq!(
            inode(&out.join("index.html")),
            home,
            "unchanged file hard-linked"
        );
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a2");
        assert!(!out.join("b").exists());
        assert_eq!(siblings(&out), 1);
    }

    #[test]
    fn an_extra_file_in_the_output_is_removed_even_if_nothing_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let files = [OutputFile::new("index.html", "home")];
        write_output(&out, &files).unwrap();
        fs::create_dir(out.join("stray")).unwrap();
        write_output(&out, &files).unwrap();
        assert!(!out.join("stray").exists());
    }
}
