//! `SiteConfig`: the typed contents of `site.toml`.
//!
//! Every key is documented in `docs/configuration.md`. Unknown keys are an error that names the
//! key, its position and the nearest valid key, so a typo never silently does nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Position, explain_serde_message};
use crate::model::address::PathOrUrl;
use crate::model::utc_offset::UtcOffset;

pub const CONFIG_FILE: &str = "site.toml";

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's name, shown in the header and in `<title>`.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Absolute URL the site is served from; may carry a sub-path (`https://x.org/guides/`).
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default)]
    pub author: String,
    /// A page about the author (a site path or URL): JSON-LD `author.url`.
    #[serde(default)]
    pub author_url: Option<PathOrUrl>,
    /// The image of every guide that sets no `image:` (a site path or URL): JSON-LD `image`.
    #[serde(default)]
    pub image: Option<PathOrUrl>,
    /// The publisher's logo (a site path or URL): JSON-LD `publisher.logo`.
    #[serde(default)]
    pub logo: Option<PathOrUrl>,
    /// The time zone the guides' dates are in, for JSON-LD `datePublished`/`dateModified`.
    #[serde(default)]
    pub utc_offset: UtcOffset,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default = "default_guides_dir")]
    pub guides_dir: PathBuf,
    #[serde(default = "default_output_dir")]
    pub output_dir: PathBuf,
    #[serde(default)]
    pub nav: Vec<NavLink>,
    #[serde(default)]
    pub build: BuildConfig,
    #[serde(default)]
    pub serve: ServeConfig,
    #[serde(default)]
    pub publish: PublishConfig,
    #[serde(default)]
    pub review: ReviewConfig,
    #[serde(default)]
    pub search: SearchConfig,
    /// `[[notices]]`: shown above the body of every matching guide.
    #[serde(default)]
    pub notices: Vec<crate::model::notice::SiteNotice>,
    /// `[widgets]`: where the widgets that no marker places go.
    #[serde(default)]
    pub widgets: WidgetsConfig,
    /// The site's own absolute URLs: `base_url` as site.toml gives it and as overridden
    /// (`--base-url`, serve's address). A link that starts with one is a link inside the site.
    #[serde(skip)]
    pub own_urls: Vec<String>,
    /// `[[series]]`: named, ordered sets of guides.
    #[serde(default)]
    pub series: Vec<crate::model::series::SeriesConfig>,
}

/// `[widgets]`: where a guide's widgets go when no marker in its body places them
/// (docs/configuration.md, "\[widgets\]").
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WidgetsConfig {
    /// Shown between the guide's header and its body, in this order.
    pub before_body: Vec<WidgetKind>,
    /// Shown after the body, in this order; kinds in neither list follow in the default order.
    pub after_body: Vec<WidgetKind>,
}

/// A kind of widget, as `[widgets]` names it.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WidgetKind {
    Takeaways,
    Steps,
    Checklists,
    DosDonts,
    Messages,
    Callouts,
    Faqs,
}

const WIDGET_ORDER: [WidgetKind; 7] = [
    WidgetKind::Takeaways,
    WidgetKind::Steps,
    WidgetKind::Checklists,
    WidgetKind::DosDonts,
    WidgetKind::Messages,
    WidgetKind::Callouts,
    WidgetKind::Faqs,
];

impl Default for WidgetsConfig {
    fn default() -> Self {
        WidgetsConfig {
            before_body: vec![WidgetKind::Takeaways],
            after_body: WIDGET_ORDER[1..].to_vec(),
        }
    }
}

impl WidgetsConfig {
    /// The kinds after the body: `after_body`, then any kind in neither list.
    pub fn after(&self) -> Vec<WidgetKind> {
        let mut kinds: Vec<WidgetKind> = self
            .after_body
            .iter()
            .copied()
            .filter(|k| !self.before_body.contains(k))
            .collect();
        for k in WIDGET_ORDER {
            if !kinds.contains(&k) && !self.before_body.contains(&k) {
                kinds.push(k);
            }
        }
        kinds
    }
}

/// `[review]`: how often guides are due for review (docs/configuration.md, "\[review\]").
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewConfig {
    /// A guide with `reviewed:` is due this long after it; none: never due.
    pub every: Option<crate::model::review::ReviewInterval>,
}

/// `[search]`: the search index and the theme's search box (docs/search.md).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Write the index and show the search box; `false` leaves both out.
    pub enabled: bool,
}

impl SearchConfig {
    /// Where the index's shards are written: `search/s<N>.json`, with a content hash in
    /// release builds (so hosts may cache them forever).
    pub const SHARD_PREFIX: &str = "search/s";
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig { enabled: true }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NavLink {
    pub name: String,
    /// A site path (`/tags/`, resolved under base_url) or an absolute URL.
    pub url: String,
}

/// `[build]`: how strictly the output is checked.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    /// Output names that differ only by case, or that Windows reserves, are errors, not warnings.
    pub portable: bool,
    /// Symbolic links in the site's folders may lead out of the site ([`crate::load::site_walk`]).
    pub follow_external_links: bool,
}

/// `[serve]`: defaults for `guidesmith serve`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ServeConfig {
    pub port: u16,
    pub bind: String,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            port: 1111,
            bind: "127.0.0.1".to_string(),
        }
    }
}

/// `[publish]`: production output and deployment settings (docs/configuration.md, section
/// "\[publish\]").
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PublishConfig {
    /// Write `.gz` and `.br` files beside text files in release builds.
    pub precompress: bool,
    /// Written as `CNAME` for GitHub Pages when set.
    pub cname: Option<String>,
    /// Minify HTML, CSS and JS in release builds.
    pub minify: bool,
    /// Replaces the default Content-Security-Policy of `_headers`.
    pub content_security_policy: Option<String>,
    /// Lines of `_redirects`.
    pub redirects: Vec<Redirect>,
    /// `[publish.s3]`: defaults for `publish --to s3`.
    pub s3: S3Config,
}

/// `[publish.s3]`: where and how `publish --to s3` uploads; command-line flags win.
/// Credentials never live here: they come from the environment.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct S3Config {
    pub bucket: Option<String>,
    /// Key prefix inside the bucket (`docs/`); empty for the bucket's root.
    pub prefix: String,
    /// An S3-compatible endpoint (R2, B2, MinIO); AWS when unset.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Stop before deleting more than this many objects.
    pub max_deletes: usize,
    /// Uploads at once.
    pub jobs: usize,
    /// Retries of a request that failed with a 5xx, throttling or a network error.
    pub retries: usize,
    /// Header overrides by key pattern, applied in order.
    pub headers: Vec<S3HeaderRule>,
    /// Where to POST the URLs that changed after a publish (a CDN's purge endpoint).
    pub purge_url: Option<String>,
    /// The CloudFront distribution to invalidate the changed paths of after a publish.
    pub cloudfront_distribution: Option<String>,
}

impl Default for S3Config {
    fn default() -> Self {
        S3Config {
            bucket: None,
            prefix: String::new(),
            endpoint: None,
            region: None,
            max_deletes: 256,
            jobs: 8,
            retries: 5,
            headers: Vec::new(),
            purge_url: None,
            cloudfront_distribution: None,
        }
    }
}

/// One `[[publish.s3.headers]]` entry: `pattern` is a glob over keys (`*` matches anything).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct S3HeaderRule {
    pub pattern: String,
    pub cache_control: Option<String>,
    pub content_type: Option<String>,
}

impl Default for PublishConfig {
    fn default() -> Self {
        PublishConfig {
            precompress: false,
            cname: None,
            minify: true,
            content_security_policy: None,
            redirects: Vec::new(),
            s3: S3Config::default(),
        }
    }
}

/// One `[[publish.redirects]]` entry: `from` and `to` are site paths (`/old/`) or, for `to`, a URL.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    pub from: String,
    pub to: String,
    #[serde(default = "default_redirect_status")]
    pub status: u16,
}

fn default_redirect_status() -> u16 {
    301
}

fn default_language() -> String {
    "en".to_string()
}
fn default_theme() -> String {
    "default".to_string()
}
fn default_guides_dir() -> PathBuf {
    PathBuf::from("guides")
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}

impl SiteConfig {
    /// Reads and checks `<root>/site.toml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let file = Path::new(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Diagnostic::error(file, Position::START, format!("cannot read site.toml: {e}")).with_help(
                "run guidesmith in the site's folder (or pass --root DIR); `guidesmith init DIR` makes a new site",
            )
        })?;
        Self::parse(&text)
    }

    /// Parses the text of a `site.toml`.
    pub fn parse(text: &str) -> Result<SiteConfig, Diagnostic> {
        let file = Path::new(CONFIG_FILE);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut config: SiteConfig = toml::from_str(text).map_err(|e| {
            let pos = e
                .span()
                .map_or(Position::START, |s| Position::of_offset(text, s.start));
            let (message, help) = explain_serde_message(e.message().trim());
            let d = Diagnostic::error(file, pos, message);
            match help {
                Some(h) => d.with_help(h),
                None => d,
            }
        })?;
        config.validate(text)?;
        config.own_urls = vec![config.base_url_normalized()];
        crate::model::series::locate_series_entries(&mut config.series, text);
        Ok(config)
    }

    fn validate(&self, text: &str) -> Result<(), Diagnostic> {
        let file = Path::new(CONFIG_FILE);
        let at_key = |key: &str| {
            text.lines()
                .position(|l| l.trim_start().starts_with(key))
                .map_or(Position::START, |i| Position::new(i + 1, 1))
        };
        if let Err(message) = parse_base_url(&self.base_url) {
            return Err(Diagnostic::error(file, at_key("base_url"), message)
                .with_help("write an absolute URL such as `https://example.org/` or `https://user.github.io/project/`"));
        }
        if self.title.trim().is_empty() {
            return Err(Diagnostic::error(file, at_key("title"), "`title` is empty")
                .with_help("give the site a name: title = \"My guides\""));
        }
        if let Some(cname) = &self.publish.cname
            && let Err(why) = check_host_name(cname.trim())
        {
            return Err(Diagnostic::error(
                file,
                at_key("cname"),
                format!("[publish] cname = {cname:?} is not a host name: {why}"),
            )
            .with_help(
                "write the bare domain the site is served at, e.g. cname = \"guides.example.org\"",
            ));
        }
        for (key, dir) in [
            ("guides_dir", &self.guides_dir),
            ("output_dir", &self.output_dir),
        ] {
            if dir.is_absolute()
                || dir.components().any(|c| c.as_os_str() == "..")
                || dir.as_os_str().is_empty()
            {
                return Err(Diagnostic::error(
                    file,
                    at_key(key),
                    format!("`{key}` must be a folder inside the site"),
                )
                .with_help("use a relative path without `..`, e.g. \"public\""));
            }
        }
        Ok(())
    }

    /// The path part of base_url, always starting and ending with `/` (`/` or `/guides/`).
    pub fn base_path(&self) -> String {
        parse_base_url(&self.base_url).map_or_else(|_| "/".to_string(), |(_, path)| path)
    }

    /// base_url with exactly one trailing slash.
    /// Sets the URL the site is served from (`--base-url`, serve's address); links written
    /// with the URL from site.toml stay links inside the site.
    pub fn serve_from(&mut self, url: &str) {
        self.base_url = url.to_string();
        let normalized = self.base_url_normalized();
        if !self.own_urls.contains(&normalized) {
            self.own_urls.push(normalized);
        }
    }

    pub fn base_url_normalized(&self) -> String {
        parse_base_url(&self.base_url).map_or_else(
            |_| self.base_url.clone(),
            |(origin, path)| format!("{origin}{path}"),
        )
    }
}

/// Checks a DNS host name: dot-separated labels of letters, digits and hyphens, each 1 to 63
/// characters and not starting or ending with a hyphen, 253 characters in all.
pub fn check_host_name(host: &str) -> Result<(), &'static str> {
    if host.is_empty() {
        return Err("it is empty");
    }
    if host.len() > 253 {
        return Err("it is longer than 253 characters");
    }
    for label in host.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each part between dots must be 1 to 63 characters");
        }
        if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(
                "only letters, digits, hyphens and dots are allowed (no scheme, port, path or spaces)",
            );
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a part may not start or end with a hyphen");
        }
    }
    Ok(())
}

/// Splits `https://host[:port]/sub/path` into (`https://host[:port]`, `/sub/path/`).
pub fn parse_base_url(url: &str) -> Result<(String, String), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("base_url `{url}` must start with http:// or https://"))?;
    let scheme_len = url.len() - rest.len();
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("base_url `{url}` has no host"));
    }
    if path.contains(['?', '#']) {
        return Err(format!(
            "base_url `{url}` must not carry a query or fragment"
        ));
    }
    let mut path = path.trim_end_matches('/').to_string();
    path.push('/');
    if !path.starts_with('/') {
        path.insert(0, '/');
    }
    Ok((url[..scheme_len + host.len()].to_string(), path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        for good in [
            "guides.example.org",
            "a-b.example",
            "localhost",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(check_host_name(good), Ok(()), "{good}");
        }
        let long_label = format!("{}.example", "a".repeat(64));
        for bad in [
            "",
            "guides.example.org\nother",
            "https://guides.example.org",
            "guides.example.org/x",
            "guides.example.org:8080",
            "a..b",
            "-a.example",
            "guides example.org",
            long_label.as_str(),
        ] {
            assert!(check_host_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn base_url_sub_path() {
        let c = SiteConfig::parse("title='t'\nbase_url='https://u.github.io/proj'\n").unwrap();
        assert_eq!(c.base_path(), "/proj/");
        assert_eq!(c.base_url_normalized(), "https://u.github.io/proj/");
    }

    #[test]
    fn unknown_key_names_key_position_and_suggestion() {
        let e = SiteConfig::parse("title='t'\nbase_url='https://x.org/'\ntheem='default'\n")
            .unwrap_err();
        assert_eq!((e.line, e.column), (3, 1));
        assert_eq!(e.message, "unknown key `theem`");
        assert!(e.help.unwrap().starts_with("did you mean `theme`?"));
    }

    #[test]
    fn base_url_needs_a_scheme() {
        let e = SiteConfig::parse("title='t'\nbase_url='example.org'\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
