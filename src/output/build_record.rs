//! What the last build was made from and what it wrote, so that a build with nothing changed
//! stops after looking at its inputs.
//!
//! After a build without warnings, the output folder's marker file records two digests: of the
//! inputs (the binary, the options, `site.toml`, and the path, size and modification time of
//! every file under the guides folder, the site's theme folder and `static/`) and of the output
//! (the path, size and modification time of every file in it). A later build whose inputs and
//! output still have those digests has nothing to do: the output is what it would write. Like
//! `make` and cargo, this trusts modification times: an editor's save, a `git checkout` or a
//! copy gives a file a new one. A build with warnings records nothing, so they are printed
//! again next time; release builds never skip.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::load::site_walk::SiteWalk;
use crate::model::config::SiteConfig;
use crate::output::standby::{MARKER_TEXT, OUTPUT_MARKER};

/// A finished build: its digests and what the summary line reports.
#[derive(Clone, Debug, PartialEq)]
pub struct BuildRecord {
    pub inputs: u64,
    pub output: u64,
    pub guide_count: usize,
    pub page_count: usize,
    pub file_count: usize,
}

impl BuildRecord {
    /// The record in the output folder's marker, if it has one.
    pub fn read(output_dir: &Path) -> Option<BuildRecord> {
        let text = fs::read_to_string(output_dir.join(OUTPUT_MARKER)).ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
                .map(str::trim)
        };
        let hex = |name: &str| u64::from_str_radix(field(name)?, 16).ok();
        let count = |name: &str| field(name)?.parse().ok();
        Some(BuildRecord {
            inputs: hex("inputs")?,
            output: hex("output")?,
            guide_count: count("guides")?,
            page_count: count("pages")?,
            file_count: count("files")?,
        })
    }

    /// The marker's text with `record` (`None`: the marker without one): the marker's usual
    /// line, then one field a line.
    pub fn marker_text(record: Option<&BuildRecord>) -> String {
        let Some(r) = record else {
            return MARKER_TEXT.to_string();
        };
        format!(
            "{MARKER_TEXT}inputs: {:016x}\noutput: {:016x}\nguides: {}\npages: {}\nfiles: {}\n",
            r.inputs, r.output, r.guide_count, r.page_count, r.file_count
        )
    }
}

/// The digest of everything a plain build of the site at `root` reads.
/// `options`: the build options that change what is written (base URL, drafts).
pub fn inputs_digest(root: &Path, config: &SiteConfig, options: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // The binary itself: a rebuilt guidesmith may render differently at the same version.
    if let Ok(exe) = std::env::current_exe() {
        stamp(&exe).hash(&mut h);
    }
    options.hash(&mut h);
    fs::read(root.join("site.toml")).ok().hash(&mut h);
    let walk = SiteWalk::new(root, config);
    for dir in [
        root.join(&config.guides_dir),
        root.join("themes").join(&config.theme),
        root.join("static"),
    ] {
        // Links are followed as the build follows them; a problem there never matches a record.
        let (entries, problems) = walk.files(&dir);
        let files = entries
            .iter()
            .map(|e| relative_path(&dir, e.path()))
            .collect();
        let digest = if problems.is_empty() {
            stamps_digest(&dir, files)
        } else {
            u64::MAX
        };
        digest.hash(&mut h);
    }
    h.finish()
}

/// The digest of the output folder as it is, its marker left out (the record lives there).
pub fn output_digest(output_dir: &Path) -> u64 {
    tree_digest(output_dir, WalkDir::new(output_dir))
}

/// [`output_digest`] of an output folder known to hold exactly `files` (relative,
/// `/`-separated) and the marker: what a build just wrote, without listing its folders.
pub fn written_output_digest(output_dir: &Path, files: Vec<String>) -> u64 {
    stamps_digest(output_dir, files)
}

/// The digest of every file under `dir` as `walk` finds them, but the top-level marker.
fn tree_digest(dir: &Path, walk: WalkDir) -> u64 {
    let mut files = Vec::new();
    for entry in walk {
        let Ok(entry) = entry else {
            // An unreadable entry never matches a record.
            return u64::MAX;
        };
        let rel = relative_path(dir, entry.path());
        if entry.file_type().is_file() && rel != OUTPUT_MARKER {
            files.push(rel);
        }
    }
    stamps_digest(dir, files)
}

/// `path` relative to `dir`, `/`-separated.
fn relative_path(dir: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

/// Path, size and modification time of each file, in path order; the files are looked at on
/// all cores (10,000 of them take a few milliseconds so).
fn stamps_digest(dir: &Path, mut files: Vec<String>) -> u64 {
    files.sort_unstable();
    let stamps: Vec<(u64, u128)> = files.par_iter().map(|f| stamp(&dir.join(f))).collect();
    let mut h = DefaultHasher::new();
    (files, stamps).hash(&mut h);
    h.finish()
}

/// Size and modification time (nanoseconds) of a file (links followed); zeros if it cannot be
/// read.
fn stamp(path: &Path) -> (u64, u128) {
    fs::metadata(path).map_or((0, 0), |m| {
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        (m.len(), modified)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_from_its_marker_text() {
        let dir = tempfile::tempdir().unwrap();
        let record = BuildRecord {
            inputs: 0xdead_beef,
            output: u64::MAX,
            guide_count: 3,
            page_count: 9,
            file_count: 12,
        };
        let marker = dir.path().join(OUTPUT_MARKER);
        fs::write(&marker, BuildRecord::marker_text(Some(&record))).unwrap();
        assert_eq!(BuildRecord::read(dir.path()), Some(record));
        fs::write(&marker, BuildRecord::marker_text(None)).unwrap();
        assert_eq!(BuildRecord::read(dir.path()), None);
        assert_eq!(fs::read_to_string(marker).unwrap(), MARKER_TEXT);
    }

    /// A file's content, a new file, a removed file or a touched file changes the digest; the
    /// marker does not.
    #[test]
    fn output_digest_follows_every_file_but_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::create_dir(out.join("a")).unwrap();
        fs::write(out.join("a/index.html"), "page").unwrap();
        fs::write(out.join(OUTPUT_MARKER), "one").unwrap();
        let first = output_digest(out);
        fs::write(out.join(OUTPUT_MARKER), "two, longer").unwrap();
        assert_eq!(output_digest(out), first, "the marker is left out");
        fs::write(out.join("a/index.html"), "a longer page").unwrap();
        let edited = output_digest(out);
        assert_ne!(edited, first);
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(out.join("a/index.html"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_ne!(output_digest(out), edited, "a new time, same size");
        let touched = output_digest(out);
        fs::write(out.join("extra.html"), "x").unwrap();
        assert_ne!(output_digest(out), touched);
        fs::remove_file(out.join("extra.html")).unwrap();
        assert_eq!(output_digest(out), touched);
        assert_eq!(
            written_output_digest(out, vec!["a/index.html".to_string()]),
            touched,
            "the digest of a known file list is that of the folder"
        );
    }
}
