//! Markdown to HTML with pulldown-cmark, plus what guides need on top of CommonMark.
//!
//! 1. parse with GFM extensions (tables, footnotes, strikethrough, task lists, smart punctuation,
//!    heading attributes), keeping byte offsets for positions in messages;
//! 2. walk the events: give headings unique ids and anchor links and collect the TOC (h2/h3),
//!    turn top-level task lists into checklists, cut the body at widget markers
//!    (`<!-- widget: KIND [ID] -->`), rewrite root-relative links under the base path and
//!    record every link for the link checker;
//! 3. serialize each run of events between widgets with `push_html`.

use std::collections::HashSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::diagnostic::{LineIndex, Position};
use crate::model::body::{BodyPart, Link, Placement, RenderedBody, TocEntry, WidgetRef};
use crate::model::guide::{Checklist, ChecklistItem, slugify};
use crate::prepare::citations::{CitableSources, is_source_definition, uncited_id};
use crate::prepare::unique_ids::UniqueIds;

/// The markdown extensions every guide gets.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// What a body is rendered against.
pub struct BodyContext<'a> {
    /// File lines before the body.
    pub line_offset: usize,
    /// `/` or `/sub/`.
    pub base_path: &'a str,
    /// HTML ids the page's widgets use, which headings must not take.
    pub reserved_html_ids: &'a HashSet<String>,
    /// Widget ids of the guide, which a task list's checklist must not take.
    pub widget_ids: &'a HashSet<String>,
    /// What `[^src:ID]` may cite.
    pub sources: &'a CitableSources<'a>,
}

/// Renders a guide body.
pub fn render_body(markdown: &str, cx: &BodyContext) -> RenderedBody {
    let (line_offset, base_path) = (cx.line_offset, cx.base_path);
    let markdown = &*cx.sources.with_definitions(markdown);
    // Sized up front (guides average one event per 22 bytes): growing it by doubling copied
    // every event several times and was a tenth of the time spent on a body.
    let mut events = Vec::with_capacity(markdown.len() / 16 + 16);
    events.extend(Parser::new_ext(markdown, parser_options()).into_offset_iter());
    let mut walk = BodyWalk {
        markdown,
        lines: LineIndex::new(markdown),
        line_offset,
        base_path,
        used_ids: UniqueIds::new(cx.reserved_html_ids.clone()),
        widget_ids: UniqueIds::new(cx.widget_ids.clone()),
        sources: cx.sources,
        body: RenderedBody::default(),
        pending: Vec::new(),
        last_heading: None,
        heading_above: None,
    };
    let mut i = 0;
    while i < events.len() {
        i = walk.step(&events, i);
    }
    walk.flush();
    walk.body
}

struct BodyWalk<'a> {
    markdown: &'a str,
    lines: LineIndex,
    line_offset: usize,
    base_path: &'a str,
    used_ids: UniqueIds,
    widget_ids: UniqueIds,
    sources: &'a CitableSources<'a>,
    body: RenderedBody,
    pending: Vec<Event<'a>>,
    last_heading: Option<(String, String)>,
    /// A heading with nothing after it yet, which a widget marker may take as its title.
    heading_above: Option<String>,
}

impl<'a> BodyWalk<'a> {
    fn position(&self, offset: usize) -> Position {
        self.lines
            .position(self.markdown, offset)
            .shifted(self.line_offset)
    }

    /// Where a citation of no source, in the text event at `range`, starts: the `[` before
    /// `^src:` is a text event of its own.
    fn uncited_position(&self, range: std::ops::Range<usize>) -> Position {
        let raw = &self.markdown[range.clone()];
        let at = range.start + raw.find("^src:").unwrap_or(0);
        let bracket = self.markdown[..at].ends_with('[');
        self.position(at - usize::from(bracket))
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, self.pending.drain(..));
            // Kept until the page is rendered, for every guide at once: no spare capacity.
            html.shrink_to_fit();
            self.body.parts.push(BodyPart::Html(html));
        }
    }

    fn unique_id(&mut self, wanted: &str) -> String {
        let base = if wanted.is_empty() {
            "section".to_string()
        } else {
            wanted.to_string()
        };
        self.used_ids.claim(&base)
    }

    /// Handles the event at `i`; returns the index of the next unhandled event.
    fn step(&mut self, events: &[(Event<'a>, std::ops::Range<usize>)], i: usize) -> usize {
        let (event, range) = &events[i];
        let heading_above = self.heading_above.take();
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let end = find_end(events, i);
                let inner = &events[i + 1..end];
                let text = plain_text(inner.iter().map(|(e, _)| e));
                let id =
                    self.unique_id(&id.as_deref().map_or_else(|| slugify(&text), str::to_string));
                let n = heading_number(*level);
                if n == 2 || n == 3 {
                    self.body.toc.push(TocEntry {
                        level: n,
                        part: self.body.parts.len(),
                        id: id.clone(),
                        text: text.clone(),
                    });
                }
                self.body.anchors.push(id.clone());
                self.last_heading = Some((id.clone(), text));
                // The anchor stands beside the heading, not in it, so the heading's name is
                // its text alone.
                let mut open = format!("<div class=\"heading\"><h{n} id=\"{}\"", escape_attr(&id));
                if !classes.is_empty() {
                    open.push_str(&format!(" class=\"{}\"", escape_attr(&classes.join(" "))));
                }
                for (name, value) in attrs {
                    open.push_str(&format!(
                        " {}=\"{}\"",
                        escape_attr(name),
                        escape_attr(value.as_deref().unwrap_or(""))
                    ));
                }
                open.push('>');
                self.pending.push(Event::Html(open.into()));
                for j in i + 1..end {
                    self.inline_event(events, j);
                }
                self.pending.push(Event::Html(
                    format!(
                        "</h{n}><a class=\"heading-anchor\" href=\"#{}\"><span aria-hidden=\"true\">#</span><span class=\"visually-hidden\">Link to this section: {}</span></a></div>\n",
                        escape_attr(&id),
                        escape_attr(self.last_heading.as_ref().map_or("", |h| h.1.as_str()))
                    )
                    .into(),
                ));
                self.heading_above = Some(id);
                end + 1
            }
            Event::Start(Tag::List(_)) if is_task_list(events, i) => {
                self.task_list(events, i, heading_above)
            }
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {
                self.heading_above = heading_above;
                self.pending.push(event.clone());
                i + 1
            }
            Event::Html(html) => {
                let trimmed = html.trim();
                if let Some(spec) = trimmed
                    .strip_prefix("<!--")
                    .and_then(|s| s.strip_suffix("-->"))
                    .map(str::trim)
                    && let Some(spec) = spec.strip_prefix("widget:")
                {
                    let position = self.position(range.start);
                    match WidgetRef::parse(spec) {
                        Ok(widget) => {
                            self.flush();
                            self.body.parts.push(BodyPart::Widget(Placement {
                                widget,
                                position,
                                heading: heading_above,
                            }));
                        }
                        Err(why) => self.body.bad_markers.push((why, position)),
                    }
                } else {
                    self.pending.push(event.clone());
                }
                i + 1
            }
            Event::Start(Tag::FootnoteDefinition(label)) if is_source_definition(label) => {
                find_end(events, i) + 1
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.body.anchors.push(label.to_string());
                self.pending.push(event.clone());
                i + 1
            }
            _ => {
                self.inline_event(events, i);
                i + 1
            }
        }
    }

    /// Pushes an event, rewriting and recording links and counting words on the way.
    fn inline_event(&mut self, events: &[(Event<'a>, std::ops::Range<usize>)], i: usize) {
        let (event, range) = &events[i];
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = event {
            self.body.links.push(Link {
                target: dest_url.to_string(),
                position: self.position(range.start),
            });
        }
        if let Event::Text(text) = event {
            self.body.word_count += count_words(text);
            if let Some(id) = uncited_id(text) {
                let position = self.uncited_position(range.clone());
                self.body.unknown_citations.push((id, position));
            }
        }
        if let Event::FootnoteReference(label) = event
            && let Some(html) = self.sources.cite(label)
        {
            return self.pending.push(html);
        }
        let event = rebase_any(event.clone(), self.base_path);
        self.pending.push(event);
    }

    /// A top-level GFM task list becomes a checklist widget, named after the heading above it.
    fn task_list(
        &mut self,
        events: &[(Event<'a>, std::ops::Range<usize>)],
        i: usize,
        heading: Option<String>,
    ) -> usize {
        let end = find_end(events, i);
        let mut items = Vec::new();
        let mut seen = UniqueIds::default();
        let mut j = i + 1;
        while j < end {
            if matches!(events[j].0, Event::Start(Tag::Item)) {
                let item_end = find_end(events, j);
                let inner: Vec<Event> = events[j + 1..item_end]
                    .iter()
                    .filter(|(e, _)| {
                        !matches!(
                            e,
                            Event::TaskListMarker(_)
                                | Event::Start(Tag::Paragraph)
                                | Event::End(TagEnd::Paragraph)
                        )
                    })
                    .map(|(e, _)| match e {
                        Event::FootnoteReference(label) => {
                            self.sources.cite(label).unwrap_or_else(|| e.clone())
                        }
                        _ => rebase_event(e, self.base_path),
                    })
                    .collect();
                for (e, r) in &events[j + 1..item_end] {
                    if let Event::Start(Tag::Link { dest_url, .. }) = e {
                        self.body.links.push(Link {
                            target: dest_url.to_string(),
                            position: self.position(r.start),
                        });
                    }
                    if let Event::Text(text) = e
                        && let Some(id) = uncited_id(text)
                    {
                        let position = self.uncited_position(r.clone());
                        self.body.unknown_citations.push((id, position));
                    }
                }
                let text = plain_text(inner.iter());
                self.body.word_count += count_words(&text);
                let id = seen.claim(&slugify(&text));
                let mut html = String::new();
                pulldown_cmark::html::push_html(&mut html, inner.into_iter());
                items.push(ChecklistItem {
                    id,
                    text: html.trim().to_string(),
                });
                j = item_end + 1;
            } else {
                j += 1;
            }
        }
        let (heading_id, title) = self
            .last_heading
            .clone()
            .unwrap_or_else(|| ("checklist".into(), "Checklist".into()));
        let id = self.widget_ids.claim(&heading_id);
        self.flush();
        let position = self.position(events[i].1.start);
        self.body.checklists.push(Checklist {
            id: id.clone(),
            title,
            items,
        });
        self.body.parts.push(BodyPart::Widget(Placement {
            widget: WidgetRef::Checklist(id),
            position,
            heading,
        }));
        end + 1
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

fn is_task_list(events: &[(Event, std::ops::Range<usize>)], i: usize) -> bool {
    let nested = events[..i].iter().fold(0i32, |depth, (e, _)| match e {
        Event::Start(Tag::Item) => depth + 1,
        Event::End(TagEnd::Item) => depth - 1,
        _ => depth,
    }) > 0;
    !nested
        && events[i + 1..]
            .iter()
            .take(3)
            .any(|(e, _)| matches!(e, Event::TaskListMarker(_)))
}

/// Index of the `End` matching the `Start` at `i`.
fn find_end(events: &[(Event, std::ops::Range<usize>)], i: usize) -> usize {
    let mut depth = 0;
    for (j, (e, _)) in events.iter().enumerate().skip(i) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

fn plain_text<'e, 'a: 'e>(events: impl Iterator<Item = &'e Event<'a>>) -> String {
    let mut text = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn rebase_event<'a>(event: &Event<'a>, base_path: &str) -> Event<'a> {
    rebase_any(event.clone(), base_path)
}

/// `/first-message/` -> `/sub/first-message/` when the site lives under `/sub/`.
pub fn rebase<'a>(url: &CowStr<'a>, base_path: &str) -> CowStr<'a> {
    if base_path != "/" && url.starts_with('/') && !url.starts_with("//") {
        CowStr::from(format!("{base_path}{}", &url[1..]))
    } else {
        url.clone()
    }
}

/// A markdown fragment of the front matter, rendered.
pub struct Fragment {
    pub html: String,
    /// Every link target, in order.
    pub links: Vec<String>,
    /// Ids of citations that name no source.
    pub unknown_citations: Vec<String>,
}

/// Renders a markdown fragment from the front matter (a step body, an answer) as block HTML.
pub fn render_fragment(markdown: &str, base_path: &str, sources: &CitableSources) -> Fragment {
    let mut links = Vec::new();
    let mut unknown_citations = Vec::new();
    let markdown = &*sources.with_definitions(markdown);
    let mut in_source_definition = false;
    let events = Parser::new_ext(markdown, parser_options()).filter_map(|e| {
        match &e {
            Event::Start(Tag::FootnoteDefinition(label)) if is_source_definition(label) => {
                in_source_definition = true;
            }
            Event::End(TagEnd::FootnoteDefinition) if in_source_definition => {
                in_source_definition = false;
                return None;
            }
            _ => {}
        }
        if in_source_definition {
            return None;
        }
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &e {
            links.push(dest_url.to_string());
        }
        if let Event::Text(text) = &e
            && let Some(id) = uncited_id(text)
        {
            unknown_citations.push(id);
        }
        if let Event::FootnoteReference(label) = &e
            && let Some(html) = sources.cite(label)
        {
            return Some(html);
        }
        Some(rebase_any(e, base_path))
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html.shrink_to_fit();
    Fragment {
        html,
        links,
        unknown_citations,
    }
}

/// How many words `text` has: `text.split_whitespace().count()`, without decoding characters
/// when the text is ASCII (this runs over every text of every guide).
pub fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let mut words = 0;
    let mut after_space = true;
    for &b in text.as_bytes() {
        // The ASCII characters `char::is_whitespace` accepts.
        let space = matches!(b, b' ' | b'\t'..=b'\r');
        words += usize::from(after_space && !space);
        after_space = space;
    }
    words
}

/// Renders one line of markdown without the wrapping paragraph (checklist items, table cells).
pub fn render_inline(markdown: &str, base_path: &str, sources: &CitableSources) -> Fragment {
    let fragment = render_fragment(markdown, base_path, sources);
    let trimmed = fragment.html.trim();
    let inner = trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
        .filter(|s| !s.contains("<p>"))
        .unwrap_or(trimmed);
    Fragment {
        html: inner.to_string(),
        ..fragment
    }
}

/// Moves the target of a link or image written from the site root under the base path.
fn rebase_any<'a>(event: Event<'a>, base_path: &str) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rebase(&dest_url, base_path),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rebase(&dest_url, base_path),
            title,
            id,
        }),
        other => other,
    }
}

/// Escapes text for an HTML attribute value or text node.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(
        md: &str,
        line_offset: usize,
        base_path: &str,
        reserved: &HashSet<String>,
    ) -> RenderedBody {
        let none = HashSet::new();
        render_body(
            md,
            &BodyContext {
                line_offset,
                base_path,
                reserved_html_ids: reserved,
                widget_ids: &none,
                sources: &CitableSources::NONE,
            },
        )
    }

    fn body(md: &str) -> RenderedBody {
        render(md, 0, "/", &HashSet::new())
    }

    #[test]
    fn headings_get_unique_ids_and_toc() {
        let b = body("## Why\n\ntext\n\n### Why\n\n## Why\n");
        let ids: Vec<_> = b.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["why", "why-2", "why-3"]);
        let BodyPart::Html(html) = &b.parts[0] else {
            panic!()
        };
        assert!(html.contains(
            "<div class=\"heading\"><h2 id=\"why\">Why</h2><a class=\"heading-anchor\" href=\"#why\">"
        ));
    }

    #[test]
    fn headings_avoid_reserved_ids() {
        let reserved = HashSet::from(["steps".to_string()]);
        let b = render("## Steps\n", 0, "/", &reserved);
        assert_eq!(b.toc[0].id, "steps-2");
    }

    #[test]
    fn markers_split_the_body() {
        let b = body("Intro\n\n<!-- widget: checklist before -->\n\nOutro\n");
        assert_eq!(b.parts.len(), 3);
        assert_eq!(
            b.parts[1],
            BodyPart::Widget(Placement {
                widget: WidgetRef::Checklist("before".into()),
                position: Position::new(3, 1),
                heading: None,
            })
        );
    }

    #[test]
    fn a_marker_right_under_a_heading_takes_it_as_title() {
        let b = body(
            "## Before you send

<!-- widget: checklist before -->

## Next

Text

<!-- widget: steps -->
",
        );
        let headings: Vec<_> = b
            .parts
            .iter()
            .filter_map(|p| match p {
                BodyPart::Widget(w) => Some(w.heading.as_deref()),
                BodyPart::Html(_) => None,
            })
            .collect();
        assert_eq!(headings, [Some("before-you-send"), None]);
    }

    #[test]
    fn unknown_marker_is_reported_with_position() {
        let b = render("x\n\n<!-- widget: stepz -->\n", 4, "/", &HashSet::new());
        assert_eq!(b.bad_markers[0].1, Position::new(7, 1));
    }

    #[test]
    fn task_lists_become_checklists_with_text_ids() {
        let b = body("## Before you write\n\n- [ ] Sleep on it\n- [x] Ask a *friend*\n");
        assert_eq!(b.checklists[0].id, "before-you-write");
        let items: Vec<_> = b.checklists[0]
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.text.as_str()))
            .collect();
        assert_eq!(
            items,
            [
                ("sleep-on-it", "Sleep on it"),
                ("ask-a-friend", "Ask a <em>friend</em>")
            ]
        );
    }

    #[test]
    fn root_relative_links_are_rebased_and_recorded() {
        let b = render(
            "See [x](/first-message/#faq-a) and [y](https://e.org/).\n",
            2,
            "/sub/",
            &HashSet::new(),
        );
        let BodyPart::Html(html) = &b.parts[0] else {
            panic!()
        };
        assert!(html.contains("href=\"/sub/first-message/#faq-a\""));
        assert_eq!(
            b.links[0],
            Link {
                target: "/first-message/#faq-a".into(),
                position: Position::new(3, 5)
            }
        );
    }

    #[test]
    fn words_are_counted_like_split_whitespace() {
        for text in [
            "",
            "  ",
            "one",
            " two  words ",
            "tab\tnew\nline\x0bvt\x0cff\rcr",
            "non\u{a0}breaking\u{2003}em space café naïve",
            "\u{85}next\u{3000}ideographic",
        ] {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn inline_strips_paragraph() {
        assert_eq!(
            render_inline("Call *them*", "/", &CitableSources::NONE).html,
            "Call <em>them</em>"
        );
    }
}
