//! `guidesmith serve`: the site from memory, rebuilt as its sources change, with live reload.
//!
//! 1. Bind the port first (the next free one if it is taken), because the served site's
//!    `base_url` is this server's URL.
//! 2. Build everything once with [`incremental::IncrementalSite`]; the output lives in a map
//!    shared with the HTTP handlers (`http.rs`); `public/` is never touched. Connections are
//!    accepted and bounded by `connections` (header and idle timeouts, a connection cap).
//! 3. A `SiteWatcher` reports changed paths; the rebuild loop (one thread) classifies them,
//!    coalesces bursts, rebuilds what changed, swaps the changed files into the map and tells
//!    open pages through `reload.rs`. A failed rebuild keeps the last good site served and,
//!    once the changed files were quiet for a moment, prints the error once and shows it in
//!    the browser.
//! 4. Ctrl-C ends the event streams, stops the server and the loop, and returns.

pub(crate) mod changes;
mod connections;
mod guide_files;
pub(crate) mod http;
pub(crate) mod incremental;
mod limits;
mod page_keys;
pub(crate) mod reload;
mod site_checks;
pub(crate) mod watch;

pub use changes::{ChangeSet, Update};
pub use incremental::IncrementalSite;

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use tokio::sync::broadcast;

use crate::diagnostic::{Diagnostics, printable};
use crate::model::config::{CONFIG_FILE, ServeConfig, SiteConfig};
use crate::pipeline::BuildOptions;
use crate::serve::watch::{
    ChangeKind, SiteLayout, SiteWatcher, WatchMessage, classify_change, watch_limit_message,
};
use reload::LiveEvent;

/// How to serve; `None` fields fall back to `[serve]` in site.toml, then to the defaults.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: Option<u16>,
    pub bind: Option<IpAddr>,
    pub drafts: bool,
    pub poll: bool,
    pub open: bool,
}

/// Counters and the current error, for the status endpoint and new event streams.
#[derive(Clone, Debug, Default)]
pub struct Status {
    /// Successful rebuilds that changed the output (the first build is 1).
    pub build: u64,
    /// Rebuilds run, successful or not (the first build included); a pass that found nothing
    /// to do (the settled check after a save was served at once) does not count.
    pub rebuilds: u64,
    pub failed: u64,
    /// `reload` and `css` events sent.
    pub reloads: u64,
    pub error: Option<String>,
}

/// What the HTTP handlers and the rebuild loop share.
pub struct Shared {
    /// Changes with every start, so reconnecting pages notice a restart.
    pub instance: String,
    pub addr: SocketAddr,
    files: RwLock<HashMap<String, Bytes>>,
    status: RwLock<Status>,
    pub events: broadcast::Sender<LiveEvent>,
}

impl Shared {
    fn new(addr: SocketAddr) -> Shared {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Shared {
            instance: format!("{:x}-{:x}", std::process::id(), nanos),
            addr,
            files: RwLock::new(HashMap::new()),
            status: RwLock::new(Status::default()),
            events: broadcast::channel(64).0,
        }
    }

    pub fn files(&self) -> RwLockReadGuard<'_, HashMap<String, Bytes>> {
        self.files.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn status(&self) -> Status {
        self.status
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn update_status(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.status.write().unwrap_or_else(|e| e.into_inner()));
    }

    fn apply(&self, update: &Update) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        for (path, bytes) in &update.changed {
            files.insert(path.clone(), bytes.clone());
        }
        for path in &update.removed {
            files.remove(path);
        }
    }

    fn send(&self, event: LiveEvent) {
        if matches!(event, LiveEvent::Reload { .. } | LiveEvent::Css { .. }) {
            self.update_status(|s| s.reloads += 1);
        }
        let _ = self.events.send(event);
    }
}

/// Runs the server until Ctrl-C.
pub fn serve(options: &ServeOptions) -> Result<()> {
    let root = site_root(options)?;
    let config = SiteConfig::load(&root).ok();
    let defaults = config.as_ref().map(|c| c.serve.clone()).unwrap_or_default();
    let listener = bind_listener(options, &defaults)?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let url = format!("http://{}/", url_host(addr));
    let shared = Arc::new(Shared::new(addr));

    let build_options = BuildOptions {
        base_url: Some(url.clone()),
        drafts: options.drafts,
        ..BuildOptions::default()
    };
    let mut site = IncrementalSite::new(&root, build_options);
    let mut printer = Printer::default();
    first_build(&mut site, &shared, &mut printer);
    let layout = site
        .config()
        .or(config.as_ref())
        .map(SiteLayout::of)
        .unwrap_or_default();
    let (sender, receiver) = std::sync::mpsc::channel();
    let watcher = SiteWatcher::start(&root, layout.clone(), options.poll, sender.clone())?;

    print_banner(&root, &url, addr, &layout, watcher.is_polling());
    if options.open {
        open_browser(&url);
    }

    let loop_shared = shared.clone();
    let rebuilds = std::thread::Builder::new()
        .name("guidesmith-rebuild".into())
        .spawn(move || {
            RebuildLoop {
                root,
                site,
                shared: loop_shared,
                watcher,
                layout,
                printer,
            }
            .run(&receiver)
        })
        .context("starting the rebuild thread")?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(run_server(listener, shared.clone()));
    let _ = sender.send(WatchMessage::Stop);
    let _ = rebuilds.join();
    runtime.shutdown_timeout(Duration::from_secs(1));
    println!("Stopped.");
    result
}

/// The site's folder, made absolute; an error if it holds no site.toml.
fn site_root(options: &ServeOptions) -> Result<PathBuf> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("opening the site folder {}", options.root.display()))?;
    if !root.join(CONFIG_FILE).is_file() {
        bail!(
            "{} has no {CONFIG_FILE}\n  help: run guidesmith serve in the site's folder (or pass --root DIR); `guidesmith init DIR` makes a new site",
            root.display()
        );
    }
    Ok(root)
}

/// The first build: printed, and served (or its error shown in the browser).
fn first_build(site: &mut IncrementalSite, shared: &Shared, printer: &mut Printer) {
    let started = Instant::now();
    match site.rebuild(&ChangeSet::everything()) {
        Ok(update) => {
            printer.notes(&update);
            shared.apply(&update);
            shared.update_status(|s| (s.build, s.rebuilds) = (1, 1));
            println!(
                "Built {} ({}) in {} ms",
                crate::diagnostic::counted(update.guide_count, "guide"),
                crate::diagnostic::counted(update.changed.len(), "file"),
                started.elapsed().as_millis()
            );
        }
        Err(e) => {
            let text = printer.error(&e, false);
            shared.update_status(|s| (s.rebuilds, s.failed, s.error) = (1, 1, Some(text)));
        }
    }
}

/// Where the site is served and what is watched.
fn print_banner(root: &Path, url: &str, addr: SocketAddr, layout: &SiteLayout, polling: bool) {
    println!("Serving {} at {url}", root.display());
    if !addr.ip().is_loopback() {
        println!(
            "warning: listening on {} is reachable from other machines on the network; bind 127.0.0.1 to keep the site to yourself",
            addr.ip()
        );
    }
    println!(
        "Watching {} for changes{}; press Ctrl-C to stop",
        watched_summary(layout),
        if polling { " (polling)" } else { "" }
    );
}

async fn run_server(listener: TcpListener, shared: Arc<Shared>) -> Result<()> {
    listener
        .set_nonblocking(true)
        .context("configuring the listening socket")?;
    let listener =
        tokio::net::TcpListener::from_std(listener).context("configuring the listening socket")?;
    let app = http::app(shared.clone());
    let stop = async move {
        let _ = tokio::signal::ctrl_c().await;
        // Event streams never end by themselves; end them so the server can stop.
        let _ = shared.events.send(LiveEvent::Shutdown);
    };
    connections::serve_connections(listener, app, limits::ConnectionLimits::from_env(), stop).await;
    Ok(())
}

/// Binds `--bind`/`--port` (or site.toml's `[serve]`); a taken port moves to the next free one.
fn bind_listener(options: &ServeOptions, defaults: &ServeConfig) -> Result<TcpListener> {
    let ip = match options.bind {
        Some(ip) => ip,
        None => defaults.bind.parse().with_context(|| {
            format!(
                "site.toml: [serve] bind = \"{}\" is not an IP address",
                defaults.bind
            )
        })?,
    };
    let port = options.port.unwrap_or(defaults.port);
    let mut last_error = None;
    for candidate in port..=port.saturating_add(if port == 0 { 0 } else { 20 }) {
        match TcpListener::bind(SocketAddr::new(ip, candidate)) {
            Ok(listener) => {
                if candidate != port {
                    println!("Port {port} is in use; using {candidate} instead");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => last_error = Some(e),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("listening on {}", SocketAddr::new(ip, candidate)));
            }
        }
    }
    Err(last_error.map_or_else(|| anyhow::anyhow!("no port to try"), anyhow::Error::new))
        .with_context(|| {
            format!(
                "ports {port} to {} are all in use; pass --port N",
                port.saturating_add(20)
            )
        })
}

fn url_host(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() => format!("{}:{}", Ipv4Addr::LOCALHOST, addr.port()),
        IpAddr::V6(ip) => format!("[{ip}]:{}", addr.port()),
        IpAddr::V4(ip) => format!("{ip}:{}", addr.port()),
    }
}

fn watched_summary(layout: &SiteLayout) -> String {
    format!(
        "{}/, themes/, static/ and {CONFIG_FILE}",
        layout.guides_dir.display()
    )
}

fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(e) = std::process::Command::new(command.0)
        .args(&command.1)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!(
            "note: could not open a browser ({}: {e}); open {url} yourself",
            command.0
        );
    }
}

/// Prints rebuild results for the terminal, each error and note once.
#[derive(Default)]
struct Printer {
    last_error: Option<String>,
    warnings: Vec<String>,
}

impl Printer {
    /// Prints a failed rebuild's error (unless it is the same as the last one); returns its text.
    fn error(&mut self, error: &anyhow::Error, served: bool) -> String {
        let text = match error.downcast_ref::<Diagnostics>() {
            Some(d) => d.to_string(),
            None => format!("error: {}", printable(&format!("{error:#}"))),
        };
        if self.last_error.as_deref() == Some(text.as_str()) {
            eprintln!(
                "Rebuild failed: the same error{} as above",
                if text.lines().count() > 2 { "s" } else { "" }
            );
        } else if served {
            eprintln!("Rebuild failed; still serving the last good site:\n{text}");
        } else {
            eprintln!("The site does not build yet; pages show this error until it does:\n{text}");
        }
        self.last_error = Some(text.clone());
        text
    }

    fn notes(&mut self, update: &Update) {
        let warnings: Vec<String> = update.warnings.iter().map(ToString::to_string).collect();
        if warnings != self.warnings {
            for w in &warnings {
                eprintln!("{w}");
            }
            self.warnings = warnings;
        }
        self.last_error = None;
    }
}

/// Changes arrive from the debouncer in batches a few milliseconds apart. A save is taken in
/// once no batch came for `SETTLE`; more paths than `BURST_PATHS`, or changes that follow a
/// rebuild within `STREAMING`, are a burst (a checkout, a search-and-replace), taken in once
/// the file system was quiet for `BURST_QUIET`. So a burst gives at most two rebuilds: the
/// first file or few, if the burst stalled right after them, and the rest.
const SETTLE: Duration = Duration::from_millis(10);
const BURST_PATHS: usize = 8;
const STREAMING: Duration = Duration::from_millis(250);
const BURST_QUIET: Duration = Duration::from_millis(150);
const BURST_MAX_WAIT: Duration = Duration::from_secs(3);
/// A failed rebuild is reported once no change arrived for this long: the file may have been
/// read half-written, and the rest of the save is on its way.
const ERROR_QUIET: Duration = Duration::from_millis(200);
/// A path that vanished may be an editor replacing the file: give it time to come back.
const REMOVAL_GRACE: Duration = Duration::from_millis(40);

struct RebuildLoop {
    root: PathBuf,
    site: IncrementalSite,
    shared: Arc<Shared>,
    watcher: SiteWatcher,
    layout: SiteLayout,
    printer: Printer,
}

impl RebuildLoop {
    fn run(mut self, receiver: &Receiver<WatchMessage>) {
        let mut held: Option<LiveEvent> = None;
        let mut next = None;
        let mut last_rebuild = None;
        loop {
            let first = match next.take() {
                Some(message) => message,
                None => match receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return,
                },
            };
            let streaming = last_rebuild.is_some_and(|t: Instant| t.elapsed() < STREAMING);
            let mut changes = ChangeSet::default();
            if !self.absorb(&mut changes, first) {
                return;
            }
            // A save after a quiet spell is rebuilt and served at once. Open pages hear of it
            // once the file system has settled, so a save that arrives in pieces, or the
            // start of a burst, still gives one reload.
            if !streaming
                && changes.size() <= BURST_PATHS
                && let Some(update) = self.site.rebuild_tentatively(&changes)
            {
                let event = self.publish(update);
                last_rebuild = Some(Instant::now());
                held = Some(match held.take() {
                    Some(h) => h.merge(event),
                    None => event,
                });
            }
            let Some(last_change) = self.collect(receiver, &mut changes, streaming) else {
                return;
            };
            if changes.is_empty() {
                if let Some(h) = held.take() {
                    self.shared.send(h);
                }
                continue;
            }
            let Some(event) = self.rebuild_settled(receiver, &mut changes, last_change) else {
                return;
            };
            last_rebuild = Some(Instant::now());
            // More changes already queued: hold this event back, one reload covers both.
            if let Ok(message) = receiver.try_recv() {
                next = Some(message);
                if !matches!(event, LiveEvent::Error { .. }) {
                    held = Some(match held.take() {
                        Some(h) => h.merge(event),
                        None => event,
                    });
                    continue;
                }
            }
            if let (Some(h), LiveEvent::Error { .. }) = (&held, &event) {
                self.shared.send(h.clone());
                held = None;
            }
            let event = match held.take() {
                Some(h) => h.merge(event),
                None => event,
            };
            self.shared.send(event);
        }
    }

    /// Takes in what arrives until the file system is quiet: [`SETTLE`] after a single save,
    /// longer after a vanished file ([`REMOVAL_GRACE`]) and in a burst ([`BURST_QUIET`]).
    /// `streaming`: these changes follow the last rebuild closely, so a burst is under way.
    /// Returns when the last change came in; `None` means stop.
    fn collect(
        &mut self,
        receiver: &Receiver<WatchMessage>,
        changes: &mut ChangeSet,
        streaming: bool,
    ) -> Option<Instant> {
        let started = Instant::now();
        let mut last = started;
        loop {
            while let Ok(message) = receiver.try_recv() {
                if self.take_in(changes, message)? {
                    last = Instant::now();
                }
            }
            let removal = changes
                .guides
                .iter()
                .any(|p| p.extension().is_some() && !self.root.join(p).exists());
            let wanted = if streaming || changes.size() > BURST_PATHS {
                BURST_QUIET
            } else if removal {
                REMOVAL_GRACE
            } else {
                SETTLE
            };
            let quiet = last.elapsed();
            if quiet >= wanted || started.elapsed() >= BURST_MAX_WAIT {
                return Some(last);
            }
            match receiver.recv_timeout(wanted - quiet) {
                Ok(message) => {
                    if self.take_in(changes, message)? {
                        last = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Adds one watcher message to `changes`: `Some(true)` when it changed something that
    /// matters, `Some(false)` when not (only ignored paths, such as a log file in the site's
    /// folder, which must not keep a save from settling), `None` to stop.
    fn take_in(&mut self, changes: &mut ChangeSet, message: WatchMessage) -> Option<bool> {
        let mut more = ChangeSet::default();
        if !self.absorb(&mut more, message) {
            return None;
        }
        let relevant = !more.is_empty();
        changes.merge(more);
        Some(relevant)
    }

    /// Adds one watcher message to `changes`; `false` means stop.
    fn absorb(&mut self, changes: &mut ChangeSet, message: WatchMessage) -> bool {
        match message {
            WatchMessage::Changed(paths) => {
                for path in paths {
                    let Ok(relative) = path.strip_prefix(&self.root) else {
                        continue;
                    };
                    match classify_change(relative, &self.layout) {
                        ChangeKind::Content => {
                            changes.guides.insert(relative.to_path_buf());
                        }
                        ChangeKind::Template => changes.templates = true,
                        ChangeKind::Static => changes.statics = true,
                        ChangeKind::Config => changes.config = true,
                        ChangeKind::Ignored => {}
                    }
                }
            }
            WatchMessage::Rescan => changes.merge(ChangeSet::everything()),
            WatchMessage::WatchLimit => {
                if !self.watcher.is_polling() {
                    eprintln!("{}", watch_limit_message());
                    if let Err(e) = self.watcher.switch_to_polling() {
                        eprintln!("error: {e:#}");
                    }
                    changes.merge(ChangeSet::everything());
                }
            }
            WatchMessage::Error(text) => eprintln!("warning: {text}"),
            WatchMessage::Stop => return false,
        }
        true
    }

    /// Rebuilds, publishes on success, and returns the event for open pages. A failure is
    /// reported only once the changed files were quiet for [`ERROR_QUIET`] since
    /// `last_change`: changes that come before that (the rest of a file written in pieces)
    /// are taken in and rebuilt first. `None` means stop.
    fn rebuild_settled(
        &mut self,
        receiver: &Receiver<WatchMessage>,
        changes: &mut ChangeSet,
        mut last_change: Instant,
    ) -> Option<LiveEvent> {
        loop {
            let error = match self.rebuild(changes) {
                Ok(update) => return Some(self.publish(update)),
                Err(error) => error,
            };
            self.shared.update_status(|s| s.rebuilds += 1);
            loop {
                let quiet = last_change.elapsed();
                if quiet >= ERROR_QUIET {
                    return Some(self.report_failure(&error));
                }
                match receiver.recv_timeout(ERROR_QUIET - quiet) {
                    Ok(message) => {
                        if self.take_in(changes, message)? {
                            last_change = self.collect(receiver, changes, false)?;
                            break;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        return Some(self.report_failure(&error));
                    }
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
        }
    }

    /// Rebuilds and follows a moved guides folder or theme with the watcher.
    fn rebuild(&mut self, changes: &ChangeSet) -> Result<Update> {
        let result = self.site.rebuild(changes);
        let layout = self.site.config().map(SiteLayout::of);
        if let Some(layout) = &layout {
            self.layout = layout.clone();
        }
        if let Err(e) = self.watcher.refresh(layout) {
            eprintln!("warning: {e:#}");
        }
        result
    }

    /// Prints a failed rebuild's error, records it, and returns the event for open pages.
    fn report_failure(&mut self, error: &anyhow::Error) -> LiveEvent {
        let served = !self.shared.files().is_empty();
        let text = self.printer.error(error, served);
        self.shared.update_status(|s| {
            s.failed += 1;
            s.error = Some(text.clone());
        });
        LiveEvent::Error { text }
    }

    /// Serves what a successful rebuild changed and returns the event for open pages. A
    /// rebuild that found nothing to do (the settled pass after a tentative one) is not
    /// counted as one.
    fn publish(&mut self, update: Update) -> LiveEvent {
        self.printer.notes(&update);
        self.shared.apply(&update);
        let changed = !update.is_empty();
        let worked = changed || update.parsed > 0 || update.rendered > 0;
        self.shared.update_status(|s| {
            s.error = None;
            s.rebuilds += u64::from(worked);
            s.build += u64::from(changed);
        });
        let build = self.shared.status().build;
        if changed {
            println!(
                "Rebuilt in {} ms: {} guide{} parsed, {} page{} rendered, {} file{} changed, {} removed",
                update.elapsed.as_millis(),
                update.parsed,
                plural(update.parsed),
                update.rendered,
                plural(update.rendered),
                update.changed.len(),
                plural(update.changed.len()),
                update.removed.len()
            );
        }
        if update.css_only() {
            LiveEvent::Css {
                build,
                paths: update
                    .changed
                    .iter()
                    .map(|(p, _)| format!("/{p}"))
                    .collect(),
            }
        } else if changed {
            LiveEvent::Reload { build }
        } else {
            LiveEvent::Ok { build }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
