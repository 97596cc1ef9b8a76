//! Walking the site's own folders (guides, `static/`, the theme) with one rule for symbolic
//! links, shared by every command: a link that resolves inside the site is followed; a link
//! that leads out of it is an error naming the link, and is not followed, unless site.toml sets
//! `[build] follow_external_links = true`. A link loop is an error naming the link. So `build`,
//! `check`, `serve` and `publish` see the same files, and none publishes a file from elsewhere
//! on the machine by accident.

use std::path::{Path, PathBuf};

use walkdir::{DirEntry, WalkDir};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::config::SiteConfig;

/// How the site's folders are walked: where the site is and whether links may leave it.
pub struct SiteWalk {
    /// The site root with links resolved.
    root: PathBuf,
    /// The site root as given: messages name files relative to it.
    shown_root: PathBuf,
    follow_external: bool,
}

impl SiteWalk {
    pub fn new(root: &Path, config: &SiteConfig) -> SiteWalk {
        SiteWalk {
            root: root.canonicalize().unwrap_or_else(|_| root.to_path_buf()),
            shown_root: root.to_path_buf(),
            follow_external: config.build.follow_external_links,
        }
    }

    /// Every file under `dir` (links followed as above), sorted by name, and the problems met
    /// on the way; the walk goes on past them. A missing `dir` has no files.
    pub fn files(&self, dir: &Path) -> (Vec<DirEntry>, Vec<Diagnostic>) {
        let (mut files, mut problems, mut outside) = (Vec::new(), Vec::new(), Vec::new());
        if !dir.is_dir() {
            return (files, problems);
        }
        let walk = WalkDir::new(dir).follow_links(true).sort_by_file_name();
        let mut entries = walk.into_iter().filter_entry(|e| {
            if !e.path_is_symlink() || self.follow_external {
                return true;
            }
            match e.path().canonicalize() {
                Ok(real) if real.starts_with(&self.root) => true,
                Ok(real) => {
                    outside.push(self.link_out_of_the_site(e.path(), &real));
                    false
                }
                // A dangling link: the walk reports it.
                Err(_) => true,
            }
        });
        for entry in entries.by_ref() {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push(e),
                Ok(_) => {}
                Err(e) => problems.push(self.unreadable(dir, &e)),
            }
        }
        drop(entries);
        problems.append(&mut outside);
        (files, problems)
    }

    /// `path` relative to the site root, as messages show it.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.shown_root).unwrap_or(path)
    }

    fn link_out_of_the_site(&self, link: &Path, real: &Path) -> Diagnostic {
        Diagnostic::error(
            self.relative(link),
            Position::START,
            format!(
                "this link leads out of the site, to {}; it is not published",
                real.display()
            ),
        )
        .with_help("copy what it points to into the site, or set `[build] follow_external_links = true` in site.toml to publish it")
    }

    fn unreadable(&self, dir: &Path, e: &walkdir::Error) -> Diagnostic {
        let path = e.path().unwrap_or(dir);
        let message = match e.loop_ancestor() {
            Some(ancestor) => format!(
                "symlink loop: this link points back to `{}`",
                self.relative(ancestor).display()
            ),
            None => format!(
                "cannot read: {}",
                e.io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string)
            ),
        };
        Diagnostic::error(self.relative(path), Position::START, message)
            .with_help("remove or fix the link so the folder is a tree")
    }
}
