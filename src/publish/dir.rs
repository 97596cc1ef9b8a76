//! `publish --to dir PATH`: mirror the output into a folder that may hold other files.
//!
//! The folder keeps a manifest (`.guidesmith-manifest`) of the files publish wrote. A file
//! that is gone from the output is removed only if the manifest lists it; a file that is in
//! the way and not listed stops the publish. So nothing publish did not write is ever
//! overwritten or removed. The manifest is widened before writing and narrowed after removing,
//! so an interrupted publish still knows every file it may have written.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path};

use anyhow::{Context, Result, bail};

use super::Plan;
use crate::render::pages::OutputFile;

/// The manifest's name inside the target folder.
pub const MANIFEST: &str = ".guidesmith-manifest";

/// Mirrors `files` into `target`; returns what changed (on a dry run, what would).
pub fn publish_to_dir(target: &Path, files: &[OutputFile], dry_run: bool) -> Result<Plan> {
    if target.exists() && !target.is_dir() {
        bail!(
            "{} is not a folder\n  help: give publish --to dir a folder (it is created if missing)",
            target.display()
        );
    }
    let previous = read_manifest(target)?;
    let plan = plan_dir(target, files, &previous)?;
    if dry_run {
        return Ok(plan);
    }
    fs::create_dir_all(target).with_context(|| format!("creating {}", target.display()))?;
    let new: BTreeSet<String> = files.iter().map(|f| f.path.clone()).collect();
    write_manifest(target, &previous.union(&new).cloned().collect())?;
    let by_path: HashMap<&str, &OutputFile> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    for path in plan.added.iter().chain(&plan.changed) {
        write_file(&target.join(path), &by_path[path.as_str()].bytes)?;
    }
    for path in &plan.removed {
        let full = target.join(path);
        fs::remove_file(&full).with_context(|| format!("removing {}", full.display()))?;
        remove_empty_parents(target, &full);
    }
    write_manifest(target, &new)?;
    Ok(plan)
}

fn plan_dir(target: &Path, files: &[OutputFile], previous: &BTreeSet<String>) -> Result<Plan> {
    let mut plan = Plan::default();
    let mut foreign = Vec::new();
    for f in files {
        let full = target.join(&f.path);
        if let Some(link) = symlink_inside(target, &f.path) {
            bail!(
                "{} is a symbolic link; publish does not write through links\n  help: remove it, or publish into another folder",
                link.display()
            );
        }
        match fs::symlink_metadata(&full) {
            Err(e) if e.kind() == ErrorKind::NotFound => plan.added.push(f.path.clone()),
            Err(e) => return Err(e).with_context(|| format!("reading {}", full.display())),
            Ok(_) if !previous.contains(&f.path) => foreign.push(full.display().to_string()),
            Ok(m)
                if m.is_file()
                    && m.len() == f.bytes.len() as u64
                    && fs::read(&full).is_ok_and(|b| b == f.bytes) => {}
            Ok(_) => plan.changed.push(f.path.clone()),
        }
    }
    if !foreign.is_empty() {
        let more = if foreign.len() > 10 {
            format!(" and {} more", foreign.len() - 10)
        } else {
            String::new()
        };
        foreign.truncate(10);
        bail!(
            "refusing to overwrite files that guidesmith publish did not write: {}{more}\n  help: move them away, or publish into an empty folder (publish tracks its own files in {MANIFEST})",
            foreign.join(", ")
        );
    }
    let new: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    plan.removed = previous
        .iter()
        .filter(|p| !new.contains(p.as_str()) && target.join(p).is_file())
        .cloned()
        .collect();
    for list in [&mut plan.added, &mut plan.changed] {
        list.sort();
    }
    Ok(plan)
}

/// The first folder on the way from `target` to `path` that is a symbolic link, if any.
fn symlink_inside(target: &Path, path: &str) -> Option<std::path::PathBuf> {
    let mut at = target.to_path_buf();
    for part in Path::new(path).parent()?.components() {
        at.push(part);
        if fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(at);
        }
    }
    None
}

/// The manifest's paths; entries that could leave the folder (absolute, `..`) are dropped.
fn read_manifest(target: &Path) -> Result<BTreeSet<String>> {
    let path = target.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(BTreeSet::new()),
        other => other.with_context(|| format!("reading {}", path.display()))?,
    };
    Ok(text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| {
            Path::new(l)
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        })
        .map(str::to_string)
        .collect())
}

fn write_manifest(target: &Path, paths: &BTreeSet<String>) -> Result<()> {
    let mut text = String::from(
        "# Files written by guidesmith publish. It removes or replaces only these; keep this file.\n",
    );
    for p in paths {
        text.push_str(p);
        text.push('\n');
    }
    write_file(&target.join(MANIFEST), text.as_bytes())
}

/// Writes through a temporary file and a rename, so a reader never sees half a file.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    // The same mode as a file `build` writes (0666 less the umask): a web server running as
    // another user can read what `rsync -a` copies from here.
    let mut temp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(parent)
        .with_context(|| format!("writing in {}", parent.display()))?;
    std::io::Write::write_all(&mut temp, bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    temp.persist(path)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Removes folders left empty between `file` and `target` (never `target` itself).
fn remove_empty_parents(target: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == target || !d.starts_with(target) || fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_and_leaves_other_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path();
        fs::write(t.join("keep.txt"), "mine").unwrap();
        let plan = publish_to_dir(
            t,
            &[
                OutputFile::new("index.html", "1"),
                OutputFile::new("a/index.html", "a"),
            ],
            false,
        )
        .unwrap();
        assert_eq!(plan.added, ["a/index.html", "index.html"]);
        let plan = publish_to_dir(t, &[OutputFile::new("index.html", "2")], true).unwrap();
        assert_eq!(
            (plan.changed.as_slice(), plan.removed.as_slice()),
            (
                &["index.html".to_string()][..],
                &["a/index.html".to_string()][..]
            )
        );
        assert!(t.join("a/index.html").exists(), "a dry run changes nothing");
        publish_to_dir(t, &[OutputFile::new("index.html", "2")], false).unwrap();
        assert!(!t.join("a").exists());
        assert_eq!(fs::read_to_string(t.join("index.html")).unwrap(), "2");
        assert_eq!(fs::read_to_string(t.join("keep.txt")).unwrap(), "mine");
        let e = publish_to_dir(t, &[OutputFile::new("keep.txt", "x")], false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("refusing to overwrite files that guidesmith publish did not write: "),
            "{e}"
        );
        assert_eq!(fs::read_to_string(t.join("keep.txt")).unwrap(), "mine");
    }
}
