//! Finding and reading the guides: walk `guides_dir`, read each `.md` file, parse it.
//!
//! Files are read and parsed in parallel. Every problem of every file is collected, so one run
//! lists all errors instead of the first.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::load::file_reads::map_file_contents;
use crate::load::front_matter::{decode_source, parse_front_matter, split_front_matter};
use crate::load::limits::MAX_GUIDE_FILE_BYTES;
use crate::load::site_walk::SiteWalk;
use crate::load::validate::validate_guide;
use crate::model::config::SiteConfig;
use crate::model::guide::Guide;

/// The markdown files under the guides folder, sorted, relative to `root`, and the problems
/// met on the way (unreadable folders, symlink loops); the walk goes on past them.
pub fn find_guide_files(root: &Path, config: &SiteConfig) -> (Vec<PathBuf>, Diagnostics) {
    let dir = root.join(&config.guides_dir);
    let mut files = Vec::new();
    let mut problems = Diagnostics::default();
    if !dir.is_dir() {
        problems.push(
            Diagnostic::error(Path::new("site.toml"), Position::START, format!("the guides folder `{}` does not exist", config.guides_dir.display()))
                .with_help("create it and add a guide (`guidesmith new \"My first guide\"`), or set guides_dir in site.toml"),
        );
        return (files, problems);
    }
    let (entries, walk_problems) = SiteWalk::new(root, config).files(&dir);
    files.extend(
        entries
            .iter()
            .filter(|e| is_guide_file(e.path()))
            .map(|e| relative(root, e.path())),
    );
    problems.extend(walk_problems);
    (files, problems)
}

/// Whether a file is a guide: a `.md` file whose name does not start with a dot.
pub(crate) fn is_guide_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'));
    !hidden && path.extension().is_some_and(|e| e == "md")
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Reads, parses and validates every guide, and passes each to `then` as soon as it is
/// parsed, on the same core: a build prepares a guide while its text is still in the cache,
/// and never holds the text of every guide at once. Drafts are left out unless `drafts` is set.
/// Returns what `then` made of the guides that loaded, and the diagnostics of all that did not.
pub fn load_guides<T: Send>(
    root: &Path,
    config: &SiteConfig,
    drafts: bool,
    then: impl Fn(Guide) -> T + Sync,
) -> (Vec<T>, Diagnostics) {
    let (files, mut problems) = find_guide_files(root, config);
    let results = map_file_contents(root, &files, |i, contents| {
        let file = &files[i];
        let bytes = contents.map_err(|e| {
            vec![Diagnostic::error(
                file,
                Position::START,
                format!("cannot read the file: {e}"),
            )]
        })?;
        let guide = load_guide(file, bytes)?;
        Ok::<_, Vec<Diagnostic>>((!guide.front.draft || drafts).then(|| then(guide)))
    });
    let mut guides = Vec::new();
    for result in results {
        match result {
            Ok(Some(guide)) => guides.push(guide),
            Ok(None) => {}
            Err(diagnostics) => problems.extend(diagnostics),
        }
    }
    (guides, problems)
}

/// Parses one guide file's bytes; `file` is its path relative to the site root.
pub fn load_guide(file: &Path, bytes: Vec<u8>) -> Result<Guide, Vec<Diagnostic>> {
    if bytes.len() > MAX_GUIDE_FILE_BYTES {
        return Err(vec![
            Diagnostic::error(
                file,
                Position::START,
                format!(
                    "the file is {:.1} MB; a guide file may be at most {} MB",
                    bytes.len() as f64 / (1024.0 * 1024.0),
                    MAX_GUIDE_FILE_BYTES / (1024 * 1024)
                ),
            )
            .with_help("split it into several guides, or move files that are not guides out of the guides folder"),
        ]);
    }
    let mut text = decode_source(file, bytes).map_err(|d| vec![d])?;
    let split = split_front_matter(file, &text).map_err(|d| vec![d])?;
    let front = parse_front_matter(file, split.yaml, split.yaml_line_offset)?;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let yaml = split.yaml.to_string();
    let (yaml_line_offset, body_line_offset) = (split.yaml_line_offset, split.body_line_offset);
    let body_start = text.len() - split.body.len();
    // The body is the end of the text: keep its buffer rather than copy it.
    text.drain(..body_start);
    let mut guide = Guide {
        source: file.to_path_buf(),
        slug: front.slug.clone().unwrap_or(stem),
        front,
        body: text,
        body_line_offset,
        yaml,
        yaml_line_offset,
    };
    validate_guide(&mut guide)?;
    Ok(guide)
}
