//! When guide files last changed, for guides that give no `date` or `updated`: the date of
//! the last commit that touched the file when the site is a git checkout, else the file's
//! modification time.
//!
//! One `git log` runs for all the files at once (paths after `--`, so no name is read as an
//! option), and only when some guide has no date: a site whose guides are all dated never
//! starts git.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use crate::model::prepared_guide::PreparedGuide;
use crate::model::review::from_days;

/// RFC 3339 timestamps of `files` (relative to `root`), each as well as can be known; a file
/// Gives every guide without `date` and `updated` its file's last change, for the feed.
pub(crate) fn date_undated<'a>(
    root: &Path,
    guides: impl IntoIterator<Item = &'a mut PreparedGuide>,
) {
    let mut undated: Vec<&mut PreparedGuide> = guides
        .into_iter()
        .filter(|g| g.guide.front.date.is_none() && g.guide.front.updated.is_none())
        .collect();
    let files: Vec<PathBuf> = undated.iter().map(|g| g.guide.source.clone()).collect();
    let mut changed = last_changed(root, &files);
    for g in &mut undated {
        g.file_changed = changed.remove(&g.guide.source);
    }
}

/// whose time cannot be read at all is left out.
pub(crate) fn last_changed(root: &Path, files: &[PathBuf]) -> HashMap<PathBuf, String> {
    if files.is_empty() {
        return HashMap::new();
    }
    let mut found = last_commit_dates(root, files);
    for file in files {
        if found.contains_key(file) {
            continue;
        }
        let modified = std::fs::metadata(root.join(file))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok());
        if let Some(since_epoch) = modified {
            found.insert(file.clone(), rfc3339_utc(since_epoch.as_secs()));
        }
    }
    found
}

/// The committer date of the last commit touching each file; empty if `root` is not in a git
/// checkout or git cannot run.
fn last_commit_dates(root: &Path, files: &[PathBuf]) -> HashMap<PathBuf, String> {
    let output = Command::new("git")
        .current_dir(root)
        .args([
            "log",
            "--format=%x01%cI",
            "--name-only",
            "-z",
            "--relative",
            "--",
        ])
        .args(files)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(out) if out.status.success() => parse_log(&String::from_utf8_lossy(&out.stdout)),
        _ => HashMap::new(),
    }
}

/// `\x01DATE\0\nNAME\0NAME\0\x01DATE...`, newest commit first: the first date of each name.
fn parse_log(log: &str) -> HashMap<PathBuf, String> {
    let mut dates = HashMap::new();
    for commit in log.split('\u{1}').filter(|c| !c.is_empty()) {
        let mut fields = commit.split('\0');
        let date = fields.next().unwrap_or_default().trim();
        for name in fields
            .map(|n| n.trim_start_matches('\n'))
            .filter(|n| !n.is_empty())
        {
            dates
                .entry(PathBuf::from(name))
                .or_insert_with(|| date.to_string());
        }
    }
    dates
}

/// `2026-03-01T09:30:00Z`
fn rfc3339_utc(seconds: u64) -> String {
    let date = from_days((seconds / 86_400) as i64);
    let rest = seconds % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        date.iso(),
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_output_gives_each_file_its_newest_commit() {
        let log = "\u{1}2025-05-05T10:00:00+02:00\0\nguides/a.md\0\u{1}2024-01-01T00:00:00Z\0\nguides/a.md\0guides/b c.md\0";
        let dates = parse_log(log);
        assert_eq!(dates[Path::new("guides/a.md")], "2025-05-05T10:00:00+02:00");
        assert_eq!(dates[Path::new("guides/b c.md")], "2024-01-01T00:00:00Z");
    }

    #[test]
    fn timestamps() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_764_687_600), "2025-12-02T15:00:00Z");
    }
}
