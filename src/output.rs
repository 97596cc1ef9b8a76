//! Writing the built site: into a staging folder beside the output, swapped in on success.
//!
//! A failed or interrupted build therefore leaves the last good site in place. The output
//! folder carries a marker file; a folder without it that is not empty is never replaced,
//! so `build` cannot delete a folder it did not create. A file whose bytes did not change is
//! hard-linked from the previous output instead of written, which keeps its timestamp (hosts'
//! upload diffs and caches stay quiet) and skips the write.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::render::OutputFile;

/// Present in every output folder guidesmith made.
pub const OUTPUT_MARKER: &str = ".guidesmith-output";

/// Replaces `output_dir` with exactly `files`.
pub fn write_output(output_dir: &Path, files: &[OutputFile]) -> Result<()> {
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
    write_files(staging.path(), files, output_dir)?;
    fs::write(
        staging.path().join(OUTPUT_MARKER),
        "This folder is written by guidesmith build and replaced on every build.\n",
    )
    .context("writing the output marker")?;
    let staging = staging.keep();
    swap_in(&staging, output_dir, parent, &name)
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

fn write_files(staging: &Path, files: &[OutputFile], previous: &Path) -> Result<()> {
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .filter_map(|f| Path::new(&f.path).parent().map(Path::to_path_buf))
        .collect();
    for dir in dirs {
        fs::create_dir_all(staging.join(&dir))
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    files.par_iter().try_for_each(|f| {
        let target = staging.join(&f.path);
        let old = previous.join(&f.path);
        if unchanged(&old, &f.bytes) && fs::hard_link(&old, &target).is_ok() {
            return Ok(());
        }
        fs::write(&target, &f.bytes).with_context(|| format!("writing {}", target.display()))
    })
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
