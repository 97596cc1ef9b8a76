//! Exchanging the output folder with the standby tree ([`crate::output::standby`]) in one step, putting
//! things right after a build killed during a swap, and the lock that lets one build at a time
//! write an output.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::output::standby::OUTPUT_MARKER;

/// Makes the tree at `standby` the output at `output_dir`; the old output, if there was one,
/// becomes the standby tree.
pub(crate) fn exchange_trees(output_dir: &Path, standby: &Path) -> io::Result<()> {
    if fs::symlink_metadata(output_dir).is_err() {
        return fs::rename(standby, output_dir);
    }
    if exchange(output_dir, standby)? {
        return Ok(());
    }
    trade_places_by_renames(output_dir, standby)
}

/// Swaps two folders atomically; `Ok(false)` where the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::NOTSUP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Where the old output waits while the trees trade places by renames.
fn swap_path(standby: &Path) -> PathBuf {
    let mut name = standby.file_name().unwrap_or_default().to_os_string();
    name.push(".swap");
    standby.with_file_name(name)
}

/// The swap without an atomic exchange: old output aside, new tree in, old output to standby.
/// [`recover_interrupted_swap`] finishes it if the build is killed in between.
fn trade_places_by_renames(output_dir: &Path, standby: &Path) -> io::Result<()> {
    let aside = swap_path(standby);
    fs::rename(output_dir, &aside)?;
    if let Err(e) = fs::rename(standby, output_dir) {
        let _ = fs::rename(&aside, output_dir);
        return Err(e);
    }
    fs::rename(aside, standby)
}

/// Puts the last good site back where a killed swap left the output missing, and removes
/// what killed swaps left over. Only folders carrying our marker are moved or removed.
pub(crate) fn recover_interrupted_swap(output_dir: &Path, standby: &Path) {
    let output_missing = fs::symlink_metadata(output_dir).is_err();
    let aside = swap_path(standby);
    if aside.join(OUTPUT_MARKER).is_file() {
        let to = if output_missing {
            output_dir
        } else if fs::symlink_metadata(standby).is_err() {
            standby
        } else {
            let _ = fs::remove_dir_all(&aside);
            return;
        };
        let _ = fs::rename(&aside, to);
        return;
    }
    recover_older_swap(output_dir, output_missing);
}

/// Versions of guidesmith before the standby tree swapped a new site in through
/// `.<name>.old-*` beside the output: put the newest back if the output is missing, remove
/// the rest.
fn recover_older_swap(output_dir: &Path, output_missing: bool) {
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
    if output_missing && let Some(newest) = olds.pop() {
        let _ = fs::rename(&newest, output_dir);
    }
    for old in olds {
        let _ = fs::remove_dir_all(old);
    }
}

/// The exclusive lock on writing one output, held while this value lives; the kernel releases
/// it when the process ends, however it ends.
pub(crate) struct StandbyLock {
    _file: File,
}

impl StandbyLock {
    /// Takes the lock for the output `name` in the standby folder `folder`, without waiting.
    pub(crate) fn take(folder: &Path, name: &str) -> Result<StandbyLock> {
        let path = folder.join(format!("{name}.lock"));
        let file =
            File::create(&path).map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
        if !try_lock(&file)? {
            bail!(
                "another guidesmith build is writing {name} (it holds {})\n  help: wait for it to end, then build again",
                path.display()
            );
        }
        Ok(StandbyLock { _file: file })
    }
}

/// Takes the exclusive lock of `file` without waiting: `false` if another process holds it.
#[cfg(target_os = "linux")]
fn try_lock(file: &File) -> io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dir: &Path, page: &str) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join(OUTPUT_MARKER), "").unwrap();
        fs::write(dir.join("index.html"), page).unwrap();
    }

    fn page(dir: &Path) -> String {
        fs::read_to_string(dir.join("index.html")).unwrap()
    }

    #[test]
    fn the_trees_trade_places_with_or_without_an_atomic_exchange() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, standby) = (tmp.path().join("public"), tmp.path().join("s/public"));
        tree(&out, "old");
        tree(&standby, "new");
        exchange_trees(&out, &standby).unwrap();
        assert_eq!((page(&out), page(&standby)), ("new".into(), "old".into()));
        trade_places_by_renames(&out, &standby).unwrap();
        assert_eq!((page(&out), page(&standby)), ("old".into(), "new".into()));
        assert!(!swap_path(&standby).exists());
    }

    #[test]
    fn a_swap_killed_between_renames_is_put_right() {
        let tmp = tempfile::tempdir().unwrap();
        let (out, standby) = (tmp.path().join("public"), tmp.path().join("s/public"));
        // Killed after the first rename: the output is missing; the old site comes back.
        tree(&swap_path(&standby), "old");
        tree(&standby, "new");
        recover_interrupted_swap(&out, &standby);
        assert_eq!(page(&out), "old");
        // Killed after the second: the new site is out; the old one becomes the standby.
        fs::rename(&standby, out.with_file_name("x")).unwrap();
        fs::rename(&out, swap_path(&standby)).unwrap();
        fs::rename(out.with_file_name("x"), &out).unwrap();
        recover_interrupted_swap(&out, &standby);
        assert_eq!((page(&out), page(&standby)), ("new".into(), "old".into()));
        assert!(!swap_path(&standby).exists());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_second_build_of_the_same_output_is_refused_while_the_first_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let first = StandbyLock::take(tmp.path(), "public").unwrap();
        let err = StandbyLock::take(tmp.path(), "public").err().unwrap();
        assert!(
            err.to_string().contains("another guidesmith build"),
            "{err}"
        );
        drop(first);
        StandbyLock::take(tmp.path(), "public").unwrap();
    }
}
