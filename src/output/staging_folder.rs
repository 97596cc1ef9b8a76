//! Staging folders that earlier versions of guidesmith wrote beside the output
//! (`.<output name>.staging-*`), each able to hold a whole site, and that their killed builds
//! left behind. A build removes those that no running build holds: such a build held a lock on
//! its folder (`flock`, released by the kernel when the process ends). A folder younger than a
//! minute is left alone: its build may not have locked it yet.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::Duration;

/// Staging folders younger than this are never removed.
const MIN_AGE: Duration = Duration::from_secs(60);

/// Removes the staging folders of the output folder `name` in `parent` that builds killed
/// before they could remove them; see the module doc.
pub fn remove_abandoned(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = prefix(name);
    for entry in entries.filter_map(Result::ok) {
        let is_ours = entry.file_name().to_string_lossy().starts_with(&prefix)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        let old_enough = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= MIN_AGE));
        if is_ours && old_enough && is_abandoned(&entry.path()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn prefix(name: &str) -> String {
    format!(".{name}.staging-")
}

/// Whether no running build holds the folder: its lock can be taken at once.
#[cfg(target_os = "linux")]
fn is_abandoned(dir: &Path) -> bool {
    lock(dir).is_ok_and(|lock| lock.is_some())
}

#[cfg(not(target_os = "linux"))]
fn is_abandoned(_dir: &Path) -> bool {
    false
}

/// Takes the exclusive lock of `dir` without waiting: `Ok(None)` if another process holds it.
#[cfg(target_os = "linux")]
fn lock(dir: &Path) -> io::Result<Option<File>> {
    use rustix::fs::{FlockOperation, flock};
    let file = File::open(dir)?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some(file)),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn lock(_dir: &Path) -> io::Result<Option<File>> {
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn age(dir: &Path, by: Duration) {
        let when = std::time::SystemTime::now() - by;
        File::open(dir).unwrap().set_modified(when).unwrap();
    }

    /// A folder left by a killed build is removed; one a running build holds, one just made,
    /// and folders not named like ours stay.
    #[cfg(target_os = "linux")]
    #[test]
    fn only_abandoned_staging_folders_are_removed() {
        let parent = tempfile::tempdir().unwrap();
        let p = parent.path();
        let make = |name: &str, old: bool| {
            let dir = p.join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("index.html"), "page").unwrap();
            if old {
                age(&dir, Duration::from_secs(3600));
            }
            dir
        };
        let abandoned = make(".public.staging-killed", true);
        let fresh = make(".public.staging-starting", false);
        let other_output = make(".site.staging-killed", true);
        let users = make("public.staging-notes", true);
        let running = make(".public.staging-running", true);
        let held = lock(&running).unwrap();

        remove_abandoned(p, "public");

        assert!(!abandoned.exists(), "a killed build's folder is removed");
        assert!(running.is_dir(), "a running build's folder stays");
        assert!(fresh.is_dir() && other_output.is_dir() && users.is_dir());
        drop(held);
    }
}
