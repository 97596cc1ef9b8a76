//! Pages as strings: guide pages, home, tags, 404, sitemap, feed, robots.txt.
//!
//! Each page gets a small, typed view (`SiteView`, `GuideCard`, ...) and one template. Listing
//! pages never see guide bodies: each guide's card is rendered once ([`render_cards`], from
//! `partials/guide-card.html`) and the home and tag pages join those strings, so a home page of
//! 10,000 guides costs a copy, not 10,000 template runs. Widgets are rendered by their own templates (`widgets/<kind>.html`), so
//! a site can override one widget's markup without touching the page.

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::model::body::BodyPart;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::{Site, guide_path, tag_path};
use crate::model::views::WidgetView;
use crate::render::jsonld::guide_json_ld;
use crate::render::theme::Theme;

/// One file of the built site: its path relative to the output folder and its bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    /// A text file of the output.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> OutputFile {
        OutputFile {
            path: path.into(),
            bytes: text.into().into_bytes(),
        }
    }
}

#[derive(Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub language: String,
    pub author: String,
    pub base_path: String,
    pub base_url: String,
    pub nav: Vec<LinkView>,
    pub css_url: String,
    pub js_url: String,
    pub favicon_url: String,
    pub feed_url: String,
    pub tags_url: String,
    pub generator: String,
    /// `[search] enabled`: the header shows the search box.
    pub search: bool,
}

#[derive(Serialize, Clone)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
struct PageView {
    title: String,
    description: String,
    /// Empty for a page served at any address (404).
    canonical: String,
    /// The page's URL path, for marking the current page in the site nav.
    url: String,
    kind: &'static str,
}

#[derive(Serialize, Clone)]
pub struct TagView {
    pub name: String,
    pub slug: String,
    pub url: String,
    pub count: usize,
}

#[derive(Serialize)]
pub struct GuideCard {
    pub slug: String,
    pub url: String,
    pub title: String,
    pub description: String,
    pub date: Option<String>,
    pub date_iso: Option<String>,
    pub tags: Vec<TagView>,
    pub step_count: usize,
    pub checklist_count: usize,
    pub checkable_count: usize,
    pub reading_minutes: usize,
}

#[derive(Serialize)]
struct GuideView {
    #[serde(flatten)]
    card: GuideCard,
    permalink: String,
    updated: Option<String>,
    updated_iso: Option<String>,
    toc: Vec<crate::render::contents::ContentsItem>,
    /// Widgets above the body (`[widgets] before_body`).
    before: String,
    content: String,
    after: String,
    prev: Option<LinkView>,
    next: Option<LinkView>,
    series: Option<crate::render::series::SeriesView>,
    breadcrumbs: Vec<LinkView>,
    sources: Vec<crate::model::source::SourceView>,
    review: Option<ReviewView>,
    notices: Vec<crate::model::notice::NoticeView>,
}

/// "Last reviewed", and the date the browser compares with today to say a review is overdue.
#[derive(Serialize)]
struct ReviewView {
    reviewed: String,
    reviewed_iso: String,
    reviewed_by: Option<String>,
    due: Option<String>,
    due_iso: Option<String>,
}

pub fn site_view(site: &Site) -> SiteView {
    let c = &site.config;
    SiteView {
        title: c.title.clone(),
        description: c.description.clone(),
        language: c.language.clone(),
        author: c.author.clone(),
        base_path: site.base_path.clone(),
        base_url: site.base_url.clone(),
        nav: c
            .nav
            .iter()
            .map(|n| LinkView {
                name: n.name.clone(),
                url: nav_url(site, &n.url),
            })
            .collect(),
        css_url: site.url("style.css"),
        js_url: site.url("guidesmith.js"),
        favicon_url: site.url("favicon.svg"),
        feed_url: site.url("atom.xml"),
        tags_url: site.url("tags/"),
        generator: format!("guidesmith {}", env!("CARGO_PKG_VERSION")),
        search: c.search.enabled,
    }
}

fn nav_url(site: &Site, url: &str) -> String {
    if url.starts_with('/') && !url.starts_with("//") {
        site.url(url)
    } else {
        url.to_string()
    }
}

/// One page of the site, named before it is rendered, so its path is known up front (for
/// the link checker) and pages can be rendered and written one at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    /// A guide page; the index into `Site::guides`.
    Guide(usize),
    Home,
    TagsIndex,
    /// A tag page; the index into `Site::tags`.
    Tag(usize),
    NotFound,
    Sitemap,
    Feed,
    Robots,
}

impl Page {
    /// The output path of the page, relative to the output folder.
    pub fn path(self, site: &Site) -> String {
        match self {
            Page::Guide(i) => format!("{}index.html", guide_path(&site.guides[i].guide.slug)),
            Page::Home => "index.html".into(),
            Page::TagsIndex => "tags/index.html".into(),
            Page::Tag(i) => format!("{}index.html", tag_path(&site.tags[i].slug)),
            Page::NotFound => "404.html".into(),
            Page::Sitemap => "sitemap.xml".into(),
            Page::Feed => "atom.xml".into(),
            Page::Robots => "robots.txt".into(),
        }
    }
}

/// Every page of the site (not static files), in the order [`render_site`] returns them.
pub fn site_pages(site: &Site) -> Vec<Page> {
    let mut pages: Vec<Page> = (0..site.guides.len()).map(Page::Guide).collect();
    pages.extend([Page::Home, Page::TagsIndex]);
    pages.extend((0..site.tags.len()).map(Page::Tag));
    pages.extend([Page::NotFound, Page::Sitemap, Page::Feed, Page::Robots]);
    pages
}

/// Renders one page; `cards`: every guide's card HTML, aligned with `Site::guides`
/// ([`render_cards`]).
pub fn render_page<S: AsRef<str>>(
    site: &Site,
    theme: &Theme,
    sv: &SiteView,
    cards: &[S],
    page: Page,
) -> Result<OutputFile> {
    match page {
        Page::Guide(i) => render_guide_page(site, theme, sv, i),
        Page::Home => render_home(site, theme, sv, cards),
        Page::TagsIndex => render_tags_index(site, theme, sv),
        Page::Tag(i) => render_tag_page(site, theme, sv, cards, i),
        Page::NotFound => render_404(site, theme, sv),
        Page::Sitemap => render_sitemap(site, theme),
        Page::Feed => render_feed(site, theme, sv),
        Page::Robots => render_robots(site, theme),
    }
}

/// Renders every page of the site (not static files), all cores at once.
pub fn render_site(site: &Site, theme: &Theme) -> Result<Vec<OutputFile>> {
    let sv = site_view(site);
    let cards = render_cards(site, theme, &sv)?;
    site_pages(site)
        .into_par_iter()
        .map(|page| render_page(site, theme, &sv, &cards, page))
        .collect()
}

/// Every guide's card, rendered once, all cores at once; aligned with `Site::guides`.
pub fn render_cards(site: &Site, theme: &Theme, sv: &SiteView) -> Result<Vec<String>> {
    let base = site_context(sv);
    site.guides
        .par_iter()
        .map(|g| render_card(site, theme, &base, g))
        .collect()
}

/// What every template shares: `site`, converted to a template value once, so contexts
/// cloned from this one share it.
pub fn site_context(sv: &SiteView) -> Context {
    let mut cx = Context::new();
    cx.insert("site", sv);
    cx
}

/// One guide's card (`partials/guide-card.html`, given `card` and `site`); `base` is
/// [`site_context`].
pub fn render_card(
    site: &Site,
    theme: &Theme,
    base: &Context,
    g: &PreparedGuide,
) -> Result<String> {
    let mut cx = base.clone();
    cx.insert("card", &guide_card(site, g));
    render(theme, "partials/guide-card.html", &cx)
}

/// The cards of `guides` (indexes into `Site::guides`), joined in order.
fn joined_cards<S: AsRef<str>>(cards: &[S], guides: impl Iterator<Item = usize> + Clone) -> String {
    let len = guides.clone().map(|i| cards[i].as_ref().len()).sum();
    let mut html = String::with_capacity(len);
    for i in guides {
        html.push_str(cards[i].as_ref());
    }
    html
}

fn render(theme: &Theme, template: &str, context: &Context) -> Result<String> {
    theme
        .tera
        .render(template, context)
        .map_err(|e| anyhow!("rendering template {template}: {e}"))
}

fn page_context(sv: &SiteView, page: PageView) -> Context {
    let mut cx = site_context(sv);
    cx.insert("page", &page);
    cx
}

pub fn guide_card(site: &Site, g: &PreparedGuide) -> GuideCard {
    let f = &g.guide.front;
    GuideCard {
        slug: g.guide.slug.clone(),
        url: site.url(&guide_path(&g.guide.slug)),
        title: f.title.clone(),
        description: f.description.clone(),
        date: f.date.map(|d| d.human()),
        date_iso: f.date.map(|d| d.iso()),
        tags: f
            .tags
            .iter()
            .filter_map(|t| site.tag(&crate::model::guide::slugify(t)))
            .map(|t| tag_view(site, t))
            .collect(),
        step_count: g.steps.as_ref().map_or(0, |s| s.count),
        checklist_count: g.checklists.len(),
        checkable_count: g.checkable_count(),
        reading_minutes: g.word_count.div_ceil(220).max(1),
    }
}

fn tag_view(site: &Site, t: &crate::model::site::Tag) -> TagView {
    TagView {
        name: t.name.clone(),
        slug: t.slug.clone(),
        url: site.url(&tag_path(&t.slug)),
        count: t.guides.len(),
    }
}

/// The context every widget of one guide page shares: `site` and `guide_slug`, converted to
/// template values once per page (cloning a context shares its values).
fn widget_base_context(sv: &SiteView, slug: &str) -> Context {
    let mut cx = site_context(sv);
    cx.insert("guide_slug", slug);
    cx
}

/// `heading_id`: a body heading right above the widget's marker, which the widget's template
/// uses as its title instead of printing its own.
fn render_widget(
    theme: &Theme,
    base: &Context,
    widget: &WidgetView,
    heading_id: Option<&str>,
) -> Result<String> {
    let mut cx = base.clone();
    cx.insert("heading_id", &heading_id);
    match widget {
        WidgetView::Takeaways(w) => cx.insert("widget", w),
        WidgetView::Steps(w) => cx.insert("widget", w),
        WidgetView::Faqs(w) => cx.insert("widget", w),
        WidgetView::Checklist(w) => cx.insert("widget", w),
        WidgetView::DosDonts(w) => cx.insert("widget", w),
        WidgetView::Callout(w) => cx.insert("widget", w),
        WidgetView::Message(w) => cx.insert("widget", w),
    }
    render(theme, widget.template(), &cx)
}

pub fn render_guide_page(
    site: &Site,
    theme: &Theme,
    sv: &SiteView,
    index: usize,
) -> Result<OutputFile> {
    let g = &site.guides[index];
    let slug = &g.guide.slug;
    let base = widget_base_context(sv, slug);
    let body_len: usize = g
        .body
        .parts
        .iter()
        .map(|p| match p {
            BodyPart::Html(html) => html.len(),
            BodyPart::Widget(_) => 0,
        })
        .sum();
    let mut content = String::with_capacity(body_len * 2);
    for part in &g.body.parts {
        match part {
            BodyPart::Html(html) => content.push_str(html),
            BodyPart::Widget(p) => {
                if let Some(w) = g.widget(&p.widget) {
                    content.push_str(&render_widget(theme, &base, &w, p.heading.as_deref())?);
                }
            }
        }
    }
    let layout = &site.config.widgets;
    let (before_widgets, after_widgets) =
        (g.unplaced(&layout.before_body), g.unplaced(&layout.after()));
    let rendered = |widgets: &[WidgetView]| -> Result<String> {
        let mut html = String::new();
        for w in widgets {
            html.push_str(&render_widget(theme, &base, w, None)?);
        }
        Ok(html)
    };
    let (before, after) = (rendered(&before_widgets)?, rendered(&after_widgets)?);
    let toc = crate::render::contents::guide_contents(g, &before_widgets, &after_widgets);
    let link = |i: usize| {
        let n = &site.guides[i];
        LinkView {
            name: n.guide.front.title.clone(),
            url: site.url(&guide_path(&n.guide.slug)),
        }
    };
    let (prev, next) = site.series.neighbours(index, site.guides.len());
    let path = guide_path(slug);
    let f = &g.guide.front;
    let view = GuideView {
        card: guide_card(site, g),
        permalink: site.permalink(&path),
        updated: f.updated.map(|d| d.human()),
        updated_iso: f.updated.map(|d| d.iso()),
        toc,
        before,
        content,
        after,
        prev: prev.map(link),
        next: next.map(link),
        series: crate::render::series::series_view(site, index),
        sources: g.sources.clone(),
        notices: crate::render::notices::guide_notices(site, g),
        review: f.reviewed.map(|reviewed| {
            let due = crate::model::review::review_due(f, site.config.review.every);
            ReviewView {
                reviewed: reviewed.human(),
                reviewed_iso: reviewed.iso(),
                reviewed_by: f.reviewed_by.clone(),
                due: due.map(|d| d.human()),
                due_iso: due.map(|d| d.iso()),
            }
        }),
        breadcrumbs: site
            .guide_breadcrumbs(g)
            .into_iter()
            .map(|c| LinkView {
                url: site.url(&c.path),
                name: c.name,
            })
            .collect(),
    };
    let mut cx = page_context(
        sv,
        PageView {
            title: format!("{} | {}", f.title, site.config.title),
            description: f.description.clone(),
            canonical: site.permalink(&path),
            url: site.url(&path),
            kind: "guide",
        },
    );
    cx.insert("guide", &view);
    cx.insert("json_ld", &guide_json_ld(site, g));
    Ok(OutputFile::new(
        format!("{path}index.html"),
        render(theme, "guide.html", &cx)?,
    ))
}

pub fn render_home<S: AsRef<str>>(
    site: &Site,
    theme: &Theme,
    sv: &SiteView,
    cards: &[S],
) -> Result<OutputFile> {
    let tags: Vec<TagView> = site.tags.iter().map(|t| tag_view(site, t)).collect();
    let mut cx = page_context(
        sv,
        PageView {
            title: site.config.title.clone(),
            description: site.config.description.clone(),
            canonical: site.permalink(""),
            url: site.url(""),
            kind: "home",
        },
    );
    cx.insert("cards", &joined_cards(cards, 0..site.guides.len()));
    cx.insert("guide_count", &site.guides.len());
    cx.insert("tags", &tags);
    Ok(OutputFile::new(
        "index.html",
        render(theme, "index.html", &cx)?,
    ))
}

pub fn render_tags_index(site: &Site, theme: &Theme, sv: &SiteView) -> Result<OutputFile> {
    let tags: Vec<TagView> = site.tags.iter().map(|t| tag_view(site, t)).collect();
    let mut cx = page_context(
        sv,
        PageView {
            title: format!("Tags | {}", site.config.title),
            description: format!("All topics of {}", site.config.title),
            canonical: site.permalink("tags/"),
            url: site.url("tags/"),
            kind: "tags",
        },
    );
    cx.insert("tags", &tags);
    Ok(OutputFile::new(
        "tags/index.html",
        render(theme, "tags.html", &cx)?,
    ))
}

pub fn render_tag_page<S: AsRef<str>>(
    site: &Site,
    theme: &Theme,
    sv: &SiteView,
    cards: &[S],
    index: usize,
) -> Result<OutputFile> {
    let tag = &site.tags[index];
    let path = tag_path(&tag.slug);
    let mut cx = page_context(
        sv,
        PageView {
            title: format!("Guides tagged “{}” | {}", tag.name, site.config.title),
            description: format!("Guides about {} on {}", tag.name, site.config.title),
            canonical: site.permalink(&path),
            url: site.url(&path),
            kind: "tag",
        },
    );
    cx.insert("tag", &tag_view(site, tag));
    cx.insert("cards", &joined_cards(cards, tag.guides.iter().copied()));
    cx.insert("guide_count", &tag.guides.len());
    Ok(OutputFile::new(
        format!("{path}index.html"),
        render(theme, "tag.html", &cx)?,
    ))
}

pub fn render_404(site: &Site, theme: &Theme, sv: &SiteView) -> Result<OutputFile> {
    let cx = page_context(
        sv,
        PageView {
            title: format!("Page not found | {}", site.config.title),
            description: String::new(),
            // Served at any missing address: no canonical, and kept out of search results.
            canonical: String::new(),
            url: String::new(),
            kind: "404",
        },
    );
    Ok(OutputFile::new("404.html", render(theme, "404.html", &cx)?))
}

#[derive(Serialize)]
struct SitemapEntry {
    loc: String,
    lastmod: Option<String>,
}

pub fn render_sitemap(site: &Site, theme: &Theme) -> Result<OutputFile> {
    let mut urls = vec![SitemapEntry {
        loc: site.permalink(""),
        lastmod: None,
    }];
    // By slug, not reading order: a retitled guide that moves on the home page leaves the
    // sitemap as it was.
    let mut guides: Vec<&PreparedGuide> = site.guides.iter().collect();
    guides.sort_unstable_by(|a, b| a.guide.slug.cmp(&b.guide.slug));
    urls.extend(guides.iter().map(|g| {
        SitemapEntry {
            loc: site.permalink(&guide_path(&g.guide.slug)),
            lastmod: g
                .guide
                .front
                .updated
                .or(g.guide.front.date)
                .map(|d| d.iso()),
        }
    }));
    urls.push(SitemapEntry {
        loc: site.permalink("tags/"),
        lastmod: None,
    });
    urls.extend(site.tags.iter().map(|t| SitemapEntry {
        loc: site.permalink(&tag_path(&t.slug)),
        lastmod: None,
    }));
    let mut cx = Context::new();
    cx.insert("urls", &urls);
    Ok(OutputFile::new(
        "sitemap.xml",
        render(theme, "sitemap.xml", &cx)?,
    ))
}

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    url: String,
    updated: String,
    published: Option<String>,
    summary: String,
}

const FEED_ENTRIES: usize = 20;

pub fn render_feed(site: &Site, theme: &Theme, sv: &SiteView) -> Result<OutputFile> {
    let mut dated: Vec<&PreparedGuide> = site.guides.iter().collect();
    let when = |g: &PreparedGuide| g.guide.front.updated.or(g.guide.front.date);
    dated.sort_by(|a, b| {
        when(b)
            .cmp(&when(a))
            .then_with(|| a.guide.slug.cmp(&b.guide.slug))
    });
    let entries: Vec<FeedEntry> = dated
        .iter()
        .take(FEED_ENTRIES)
        .map(|g| FeedEntry {
            title: g.guide.front.title.clone(),
            url: site.permalink(&guide_path(&g.guide.slug)),
            updated: when(g).map(|d| d.rfc3339()).unwrap_or_else(|| {
                g.file_changed
                    .clone()
                    .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
            }),
            published: g.guide.front.date.map(|d| d.rfc3339()),
            summary: g.guide.front.description.clone(),
        })
        .collect();
    let updated = entries
        .first()
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |e| e.updated.clone());
    let mut cx = site_context(sv);
    cx.insert("entries", &entries);
    cx.insert("updated", &updated);
    cx.insert("feed_permalink", &site.permalink("atom.xml"));
    Ok(OutputFile::new("atom.xml", render(theme, "atom.xml", &cx)?))
}

pub fn render_robots(site: &Site, theme: &Theme) -> Result<OutputFile> {
    let mut cx = Context::new();
    cx.insert("sitemap_url", &site.permalink("sitemap.xml"));
    Ok(OutputFile::new(
        "robots.txt",
        render(theme, "robots.txt", &cx)?,
    ))
}
