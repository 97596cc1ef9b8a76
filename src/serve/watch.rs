//! Watching a site's sources for `serve`: which paths matter ([`classify_change`]) and the
//! file-system watcher that reports them ([`SiteWatcher`]).
//!
//! 1. [`classify_change`] maps one path (relative to the site root) to a [`ChangeKind`]. It is
//!    pure, so every editor's temp-file naming is tested without a file system.
//! 2. [`SiteWatcher`] watches folders, never single files (editors replace files by renaming,
//!    which drops a watch on the file): the root itself (for `site.toml` and for `guides/`,
//!    `themes/` and `static/` appearing later) and those three folders recursively. Events go
//!    through notify-debouncer-full and arrive as [`WatchMessage`]s on a channel.
//! 3. With `--poll`, or when the system runs out of inotify watches, a polling watcher does
//!    the same job.
//!
//! The output folder is never watched and is classified [`ChangeKind::Ignored`], so a build
//! can never trigger a rebuild; symbolic links are not followed ([`watcher_config`]).

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, Debouncer, FileIdMap, NoCache, RecommendedCache, new_debouncer_opt,
};

use crate::model::config::{CONFIG_FILE, SiteConfig};

/// What a changed path means for the rebuild.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A guide (or a folder under the guides folder): re-read that guide.
    Content,
    /// A template of the active theme: re-render every page.
    Template,
    /// A static file (site or theme): copy it, re-render nothing.
    Static,
    /// `site.toml`: start over.
    Config,
    /// Anything else: editor temp files, the output folder, other themes, dotfiles.
    Ignored,
}

/// Where things are in a site, relative to its root: what [`classify_change`] needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteLayout {
    pub guides_dir: PathBuf,
    pub output_dir: PathBuf,
    pub theme: String,
}

impl SiteLayout {
    pub fn of(config: &SiteConfig) -> SiteLayout {
        SiteLayout {
            guides_dir: config.guides_dir.clone(),
            output_dir: config.output_dir.clone(),
            theme: config.theme.clone(),
        }
    }

    /// The folders to watch recursively, relative to the root.
    fn source_dirs(&self) -> Vec<PathBuf> {
        vec![
            self.guides_dir.clone(),
            PathBuf::from("themes"),
            PathBuf::from("static"),
        ]
    }
}

impl Default for SiteLayout {
    fn default() -> Self {
        SiteLayout::of(
            &SiteConfig::parse("title = \"x\"\nbase_url = \"http://127.0.0.1/\"\n")
                .expect("the minimal config parses"),
        )
    }
}

/// Classifies a path relative to the site root. Folders (which have no extension) under
/// `guides/` count as content, so a renamed or new folder of guides is rescanned.
pub fn classify_change(path: &Path, layout: &SiteLayout) -> ChangeKind {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return ChangeKind::Ignored;
    };
    if is_editor_temp(name) || path.starts_with(&layout.output_dir) {
        return ChangeKind::Ignored;
    }
    if path == Path::new(CONFIG_FILE) {
        return ChangeKind::Config;
    }
    if let Ok(rest) = path.strip_prefix(&layout.guides_dir) {
        let is_dir_like = Path::new(name).extension().is_none();
        return if rest.as_os_str().is_empty() || name.ends_with(".md") || is_dir_like {
            ChangeKind::Content
        } else {
            ChangeKind::Ignored
        };
    }
    if path
        .components()
        .any(|c| c.as_os_str().to_str().is_some_and(|s| s.starts_with('.')))
    {
        return ChangeKind::Ignored;
    }
    if path.starts_with("static") {
        return ChangeKind::Static;
    }
    if let Ok(rest) = path.strip_prefix("themes") {
        let mut parts = rest.components().map(|c| c.as_os_str());
        return match (parts.next(), parts.next()) {
            (None, _) => ChangeKind::Template,
            (Some(theme), None) if theme == layout.theme.as_str() => ChangeKind::Template,
            (Some(theme), Some(part)) if theme == layout.theme.as_str() && part == "templates" => {
                ChangeKind::Template
            }
            (Some(theme), Some(part)) if theme == layout.theme.as_str() && part == "static" => {
                ChangeKind::Static
            }
            _ => ChangeKind::Ignored,
        };
    }
    ChangeKind::Ignored
}

/// Names editors give their swap, backup and safe-write files. Real files without an
/// extension (`CNAME`, `LICENSE`) are not among them.
pub fn is_editor_temp(name: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "~",
        ".swp",
        ".swo",
        ".swx",
        ".swpx",
        ".tmp",
        ".temp",
        "___jb_tmp___",
        "___jb_old___",
        ".kate-swp",
        ".crswap",
        ".part",
        ".bak~",
    ];
    name.starts_with('.')
        || name == "4913" // vim probes whether it may write in a folder with this name
        || (name.starts_with('#') && name.ends_with('#')) // emacs auto-save
        || SUFFIXES.iter().any(|s| name.ends_with(s))
        || name.starts_with("sed") && name.len() == 9 && name[3..].chars().all(|c| c.is_ascii_alphanumeric()) // GNU sed -i: sedXXXXXX
}

/// What the watcher tells the rebuild loop.
#[derive(Debug)]
pub enum WatchMessage {
    /// Paths that changed (absolute); classify them with [`classify_change`].
    Changed(Vec<PathBuf>),
    /// Events were lost (queue overflow): rescan everything.
    Rescan,
    /// The system ran out of inotify watches; the watcher should switch to polling.
    WatchLimit,
    /// Another watcher error, already worded for the terminal.
    Error(String),
    /// Stop the rebuild loop (sent by the server on Ctrl-C).
    Stop,
}

/// How long the debouncer waits before it reports an event: only long enough to pair the
/// events of one rename, because the rebuild loop serves a save as soon as it is seen and
/// does its own coalescing of saves and bursts (see `serve::RebuildLoop`). The debouncer's
/// thread wakes every `TICK`, about a thousand cheap wake-ups a second while serving.
const DEBOUNCE: Duration = Duration::from_millis(2);
const TICK: Duration = Duration::from_millis(1);
const POLL_INTERVAL: Duration = Duration::from_millis(500);

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, FileIdMap>),
}

/// The running watcher; dropping it stops it.
pub struct SiteWatcher {
    root: PathBuf,
    layout: SiteLayout,
    backend: Backend,
    watched: Vec<PathBuf>,
    sender: Sender<WatchMessage>,
}

impl SiteWatcher {
    /// Starts watching `root` (which should be canonical: event paths are under it).
    /// Falls back to polling, with a message, when inotify watches run out.
    pub fn start(
        root: &Path,
        layout: SiteLayout,
        poll: bool,
        sender: Sender<WatchMessage>,
    ) -> Result<SiteWatcher> {
        let backend = if poll {
            poll_backend(sender.clone())?
        } else {
            native_backend(sender.clone())?
        };
        let mut watcher = SiteWatcher {
            root: root.to_path_buf(),
            layout,
            backend,
            watched: Vec::new(),
            sender,
        };
        if let Err(e) = watcher.watch_all() {
            if poll || !is_watch_limit(&e) {
                return Err(e);
            }
            eprintln!("{}", watch_limit_message());
            watcher.switch_to_polling()?;
        }
        Ok(watcher)
    }

    pub fn is_polling(&self) -> bool {
        matches!(self.backend, Backend::Poll(_))
    }

    /// Replaces the native watcher by a polling one (after running out of inotify watches).
    pub fn switch_to_polling(&mut self) -> Result<()> {
        self.backend = poll_backend(self.sender.clone())?;
        self.watched.clear();
        self.watch_all()
    }

    /// Watches folders that appeared since the start, or moved with a new `site.toml`.
    pub fn refresh(&mut self, layout: Option<SiteLayout>) -> Result<()> {
        if let Some(layout) = layout.filter(|l| *l != self.layout) {
            for dir in std::mem::take(&mut self.watched) {
                let _ = self.unwatch(&dir);
            }
            self.layout = layout;
        }
        self.watched.retain(|d| d == &self.root || d.is_dir());
        self.watch_all()
    }

    fn watch_all(&mut self) -> Result<()> {
        let root = self.root.clone();
        self.watch(&root, RecursiveMode::NonRecursive)?;
        for dir in self.layout.source_dirs() {
            let dir = root.join(dir);
            if dir.is_dir() {
                self.watch(&dir, RecursiveMode::Recursive)?;
            }
        }
        Ok(())
    }

    fn watch(&mut self, dir: &Path, mode: RecursiveMode) -> Result<()> {
        if self.watched.iter().any(|d| d == dir) {
            return Ok(());
        }
        let result = match &mut self.backend {
            Backend::Native(d) => d.watch(dir, mode),
            Backend::Poll(d) => d.watch(dir, mode),
        };
        result
            .map_err(anyhow::Error::new)
            .with_context(|| format!("watching {}", dir.display()))?;
        self.watched.push(dir.to_path_buf());
        Ok(())
    }

    fn unwatch(&mut self, dir: &Path) -> notify::Result<()> {
        match &mut self.backend {
            Backend::Native(d) => d.unwatch(dir),
            Backend::Poll(d) => d.unwatch(dir),
        }
    }
}

/// The message printed when inotify watches run out.
pub fn watch_limit_message() -> String {
    format!(
        "note: the system ran out of inotify watches (fs.inotify.max_user_watches); watching by polling every {} ms instead\n  help: raise the limit, e.g. `sudo sysctl fs.inotify.max_user_watches=524288`, or pass --poll to skip this message",
        POLL_INTERVAL.as_millis()
    )
}

/// Whether an error from starting a watch means "out of inotify watches".
pub fn is_watch_limit(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|e| match e.downcast_ref::<notify::Error>() {
            Some(n) => is_notify_watch_limit(n),
            None => e
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.raw_os_error() == Some(28)), // ENOSPC
        })
}

fn is_notify_watch_limit(error: &notify::Error) -> bool {
    match &error.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => io.raw_os_error() == Some(28),
        _ => false,
    }
}

fn handler(sender: Sender<WatchMessage>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| {
        let message = match result {
            Ok(events) => {
                if events.iter().any(|e| e.need_rescan()) {
                    WatchMessage::Rescan
                } else {
                    // Reads (our own included) are not changes; a close after writing is.
                    let changes = events.into_iter().filter(|e| {
                        !e.kind.is_access()
                            || e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write))
                    });
                    let mut paths: Vec<PathBuf> = changes.flat_map(|e| e.event.paths).collect();
                    paths.sort();
                    paths.dedup();
                    if paths.is_empty() {
                        return;
                    }
                    WatchMessage::Changed(paths)
                }
            }
            Err(errors) if errors.iter().any(is_notify_watch_limit) => WatchMessage::WatchLimit,
            Err(errors) => WatchMessage::Error(
                errors
                    .iter()
                    .map(|e| format!("watching files: {e}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        };
        let _ = sender.send(message);
    }
}

/// Links are not followed: a link to a folder above the site (which the build refuses) would
/// otherwise watch the whole folder, the site itself included, and every write to a log file
/// there would come back as a change under `static/`.
fn watcher_config() -> notify::Config {
    notify::Config::default().with_follow_symlinks(false)
}

fn native_backend(sender: Sender<WatchMessage>) -> Result<Backend> {
    let debouncer = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
        DEBOUNCE,
        Some(TICK),
        handler(sender),
        NoCache,
        watcher_config(),
    )
    .context("starting the file watcher")?;
    Ok(Backend::Native(debouncer))
}

fn poll_backend(sender: Sender<WatchMessage>) -> Result<Backend> {
    // notify's poller compares modification times in whole seconds; comparing contents too
    // catches a second save within the same second.
    let config = watcher_config()
        .with_poll_interval(POLL_INTERVAL)
        .with_compare_contents(true);
    let debouncer = new_debouncer_opt::<_, PollWatcher, FileIdMap>(
        DEBOUNCE,
        Some(TICK),
        handler(sender),
        FileIdMap::new(),
        config,
    )
    .context("starting the polling file watcher")?;
    Ok(Backend::Poll(debouncer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(path: &str) -> ChangeKind {
        classify_change(Path::new(path), &SiteLayout::default())
    }

    #[test]
    fn sources_are_classified() {
        assert_eq!(kind("guides/first-message.md"), ChangeKind::Content);
        assert_eq!(kind("guides/topic/deep.md"), ChangeKind::Content);
        assert_eq!(
            kind("guides/topic"),
            ChangeKind::Content,
            "a folder of guides is rescanned"
        );
        assert_eq!(kind("guides"), ChangeKind::Content);
        assert_eq!(kind("site.toml"), ChangeKind::Config);
        assert_eq!(
            kind("themes/default/templates/guide.html"),
            ChangeKind::Template
        );
        assert_eq!(kind("themes/default/static/style.css"), ChangeKind::Static);
        assert_eq!(kind("static/style.css"), ChangeKind::Static);
        assert_eq!(kind("static/img/logo.svg"), ChangeKind::Static);
    }

    #[test]
    fn real_files_without_an_extension_are_kept() {
        assert_eq!(kind("static/CNAME"), ChangeKind::Static);
        assert_eq!(kind("static/LICENSE"), ChangeKind::Static);
    }

    #[test]
    fn editor_temp_and_swap_files_are_ignored() {
        for path in [
            "guides/.first-message.md.swp",        // vim swap
            "guides/.first-message.md.swx",        // vim swap
            "guides/first-message.md~",            // vim/emacs backup
            "guides/4913",                         // vim's write probe
            "guides/#first-message.md#",           // emacs auto-save
            "guides/.#first-message.md",           // emacs lock
            "guides/first-message.md___jb_tmp___", // JetBrains safe-write
            "guides/first-message.md___jb_old___",
            "guides/sedAb12Cd",             // GNU sed -i
            "guides/.goutputstream-X1Y2Z3", // gedit
            "guides/first-message.md.kate-swp",
            "static/style.css.crswap", // Chrome's File System Access API
            "static/.DS_Store",
            "static/style.css~",
        ] {
            assert_eq!(kind(path), ChangeKind::Ignored, "{path}");
        }
    }

    #[test]
    fn output_and_unrelated_files_are_ignored() {
        assert_eq!(kind("public/index.html"), ChangeKind::Ignored);
        assert_eq!(kind("public"), ChangeKind::Ignored);
        assert_eq!(
            kind(".public.staging-abc123/index.html"),
            ChangeKind::Ignored
        );
        assert_eq!(kind(".git/index"), ChangeKind::Ignored);
        assert_eq!(kind("guides/notes.txt"), ChangeKind::Ignored);
        assert_eq!(
            kind("themes/other/templates/guide.html"),
            ChangeKind::Ignored
        );
        assert_eq!(kind("README.md"), ChangeKind::Ignored);
        assert_eq!(kind("target/debug/guidesmith"), ChangeKind::Ignored);
    }

    #[test]
    fn the_layout_comes_from_site_toml() {
        let layout = SiteLayout {
            guides_dir: "content".into(),
            output_dir: "dist".into(),
            theme: "mine".into(),
        };
        assert_eq!(
            classify_change(Path::new("content/a.md"), &layout),
            ChangeKind::Content
        );
        assert_eq!(
            classify_change(Path::new("guides/a.md"), &layout),
            ChangeKind::Ignored
        );
        assert_eq!(
            classify_change(Path::new("dist/a/index.html"), &layout),
            ChangeKind::Ignored
        );
        assert_eq!(
            classify_change(Path::new("themes/mine/templates/base.html"), &layout),
            ChangeKind::Template
        );
        assert_eq!(
            classify_change(Path::new("themes/default/templates/base.html"), &layout),
            ChangeKind::Ignored
        );
    }

    #[test]
    fn watch_limit_errors_are_recognised() {
        let e = anyhow::Error::new(notify::Error::new(notify::ErrorKind::MaxFilesWatch))
            .context("watching guides");
        assert!(is_watch_limit(&e));
        let e = anyhow::Error::new(notify::Error::io(std::io::Error::from_raw_os_error(28)));
        assert!(is_watch_limit(&e));
        let e = anyhow::Error::new(notify::Error::path_not_found());
        assert!(!is_watch_limit(&e));
    }
}
