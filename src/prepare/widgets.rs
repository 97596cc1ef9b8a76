//! The model turned into view data for templates: every widget with its HTML ids and its
//! markdown rendered, and the body cut at its widget markers.
//!
//! HTML ids are prefixed by kind (`step-`, `faq-`, `checklist-`, ...) so they never clash with
//! heading ids; checklist items are `checklist-<list>--<item>`. The widget JavaScript keeps
//! reader progress under these ids, so they derive from text and ids, never from positions.

use std::collections::HashSet;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::load::front_matter::YamlLocator;
use crate::model::guide::{CalloutKind, Checklist, Guide};
use crate::prepare::markdown::{
    BodyContext, BodyPart, Link, Placement, RenderedBody, WidgetRef, count_words, escape_attr,
    render_body, render_fragment, render_inline,
};

/// Ids of the sections that group widgets, taken before any heading can claim them.
pub const SECTION_IDS: &[&str] = &[
    "takeaways",
    "steps",
    "faqs",
    "checklists",
    "dos-donts",
    "messages",
    "callouts",
    "toc",
    "main",
    "top",
];

#[derive(Clone, Debug, Serialize)]
pub struct TakeawaysView {
    pub items: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepsView {
    pub count: usize,
    pub has_phases: bool,
    pub phases: Vec<PhaseView>,
    /// Sum of the steps' longest durations, in words (`about 3 months`), if any step has one.
    pub total_time: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseView {
    pub title: Option<String>,
    pub html_id: String,
    pub steps: Vec<StepView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub id: String,
    pub html_id: String,
    pub number: usize,
    pub title: String,
    pub body: String,
    pub duration: Option<String>,
    pub duration_iso: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChecklistView {
    /// Made from a task list in the body (its title is the heading above it).
    pub from_body: bool,
    pub id: String,
    pub html_id: String,
    pub title: String,
    pub items: Vec<ItemView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemView {
    pub id: String,
    pub html_id: String,
    pub html: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FaqView {
    pub id: String,
    pub html_id: String,
    pub question: String,
    pub answer: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoDontView {
    pub id: String,
    pub html_id: String,
    pub title: String,
    pub rows: Vec<DoDontRowView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoDontRowView {
    pub do_html: String,
    pub dont_html: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CalloutView {
    pub id: String,
    pub html_id: String,
    pub kind: CalloutKind,
    pub label: &'static str,
    pub title: Option<String>,
    pub body: String,
    pub cite: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageView {
    pub id: String,
    pub html_id: String,
    pub label: Option<String>,
    pub text: String,
}

/// One widget ready for its template (`widgets/<kind>.html`).
#[derive(Clone, Debug)]
pub enum WidgetView<'a> {
    Takeaways(&'a TakeawaysView),
    Steps(&'a StepsView),
    Faqs(&'a [FaqView]),
    Checklist(&'a ChecklistView),
    DosDonts(&'a DoDontView),
    Callout(&'a CalloutView),
    Message(&'a MessageView),
}

impl WidgetView<'_> {
    pub fn template(&self) -> &'static str {
        match self {
            WidgetView::Takeaways(_) => "widgets/takeaways.html",
            WidgetView::Steps(_) => "widgets/steps.html",
            WidgetView::Faqs(_) => "widgets/faqs.html",
            WidgetView::Checklist(_) => "widgets/checklist.html",
            WidgetView::DosDonts(_) => "widgets/dos-donts.html",
            WidgetView::Callout(_) => "widgets/callout.html",
            WidgetView::Message(_) => "widgets/message.html",
        }
    }
}

/// A guide with everything rendered that does not need templates.
#[derive(Clone, Debug)]
pub struct PreparedGuide {
    pub guide: Guide,
    pub body: RenderedBody,
    pub takeaways: Option<TakeawaysView>,
    pub steps: Option<StepsView>,
    pub checklists: Vec<ChecklistView>,
    pub faqs: Vec<FaqView>,
    pub dos_donts: Vec<DoDontView>,
    pub callouts: Vec<CalloutView>,
    pub messages: Vec<MessageView>,
    /// Every link in the guide, body and front matter, with its position in the file.
    pub links: Vec<Link>,
    /// Every id the guide page defines.
    pub anchors: HashSet<String>,
    pub word_count: usize,
}

impl PreparedGuide {
    /// Frees the text the views were made from: the YAML, the markdown body and the markdown
    /// of steps, FAQ answers and callouts. Pages, cards, JSON-LD and the checks read only the
    /// views, ids and positions; a build that holds every guide at once saves a third of its
    /// memory this way. Titles, tags, dates and ids stay, and so does the YAML of a guide that
    /// sets its `slug:`, which the duplicate-slug check points into.
    pub fn release_sources(&mut self) {
        let g = &mut self.guide;
        if g.front.slug.is_none() {
            g.yaml = String::new();
        }
        g.body = String::new();
        for step in &mut g.front.steps {
            step.body = String::new();
        }
        for faq in &mut g.front.faqs {
            faq.a = String::new();
        }
        for callout in &mut g.front.callouts {
            callout.body = String::new();
        }
    }

    /// Total number of things a reader can tick: steps and checklist items.
    pub fn checkable_count(&self) -> usize {
        self.steps.as_ref().map_or(0, |s| s.count)
            + self.checklists.iter().map(|c| c.items.len()).sum::<usize>()
    }

    /// The widget a marker names, if the guide has it.
    pub fn widget(&self, r: &WidgetRef) -> Option<WidgetView<'_>> {
        match r {
            WidgetRef::Takeaways => self.takeaways.as_ref().map(WidgetView::Takeaways),
            WidgetRef::Steps => self.steps.as_ref().map(WidgetView::Steps),
            WidgetRef::Faqs => (!self.faqs.is_empty()).then_some(WidgetView::Faqs(&self.faqs)),
            WidgetRef::Checklist(id) => by_id(&self.checklists, id).map(WidgetView::Checklist),
            WidgetRef::DosDonts(id) => by_id(&self.dos_donts, id).map(WidgetView::DosDonts),
            WidgetRef::Callout(id) => by_id(&self.callouts, id).map(WidgetView::Callout),
            WidgetRef::Message(id) => by_id(&self.messages, id).map(WidgetView::Message),
        }
    }

    /// Widgets no marker placed, in the fixed order they follow the body.
    pub fn unplaced(&self) -> Vec<WidgetView<'_>> {
        let placed: HashSet<&WidgetRef> = self.placements().map(|p| &p.widget).collect();
        let mut refs = vec![WidgetRef::Takeaways, WidgetRef::Steps];
        refs.extend(
            self.checklists
                .iter()
                .map(|c| WidgetRef::Checklist(c.id.clone())),
        );
        refs.extend(
            self.dos_donts
                .iter()
                .map(|d| WidgetRef::DosDonts(d.id.clone())),
        );
        refs.extend(
            self.messages
                .iter()
                .map(|m| WidgetRef::Message(m.id.clone())),
        );
        refs.extend(
            self.callouts
                .iter()
                .map(|c| WidgetRef::Callout(c.id.clone())),
        );
        refs.push(WidgetRef::Faqs);
        refs.iter()
            .filter(|r| !placed.contains(r))
            .filter_map(|r| self.widget(r))
            .collect()
    }

    pub fn placements(&self) -> impl Iterator<Item = &Placement> {
        self.body.parts.iter().filter_map(|p| match p {
            BodyPart::Widget(placement) => Some(placement),
            BodyPart::Html(_) => None,
        })
    }

    /// Markers naming no widget, widgets placed twice: errors in the guide file.
    pub fn placement_problems(&self) -> Vec<Diagnostic> {
        let file = &self.guide.source;
        let mut problems: Vec<Diagnostic> = self
            .body
            .bad_markers
            .iter()
            .map(|(why, pos)| {
                Diagnostic::error(file, *pos, format!("bad widget marker: {why}"))
                    .with_help("see docs/guide-format.md, \"Placing widgets\"")
            })
            .collect();
        let mut seen = HashSet::new();
        for p in self.placements() {
            if self.widget(&p.widget).is_none() {
                problems.push(
                    Diagnostic::error(
                        file,
                        p.position,
                        format!(
                            "the marker names no widget: this guide has no {}",
                            describe(&p.widget)
                        ),
                    )
                    .with_help(format!(
                        "use an id the guide defines ({}), or remove the marker",
                        self.widget_ids_for(&p.widget)
                    )),
                );
            } else if !seen.insert(&p.widget) {
                problems.push(
                    Diagnostic::error(
                        file,
                        p.position,
                        format!("{} is placed twice", describe(&p.widget)),
                    )
                    .with_help("keep one of the markers"),
                );
            }
        }
        problems
    }

    fn widget_ids_for(&self, r: &WidgetRef) -> String {
        let ids: Vec<&str> = match r {
            WidgetRef::Checklist(_) => self.checklists.iter().map(|c| c.id.as_str()).collect(),
            WidgetRef::DosDonts(_) => self.dos_donts.iter().map(|c| c.id.as_str()).collect(),
            WidgetRef::Callout(_) => self.callouts.iter().map(|c| c.id.as_str()).collect(),
            WidgetRef::Message(_) => self.messages.iter().map(|c| c.id.as_str()).collect(),
            _ => Vec::new(),
        };
        if ids.is_empty() {
            "none defined".into()
        } else {
            ids.join(", ")
        }
    }
}

/// Views that carry a widget id.
trait Identified {
    fn id(&self) -> &str;
}

macro_rules! identified {
    ($($t:ty),*) => {$(impl Identified for $t {
        fn id(&self) -> &str {
            &self.id
        }
    })*};
}
identified!(ChecklistView, DoDontView, CalloutView, MessageView);

fn by_id<'a, T: Identified>(views: &'a [T], id: &str) -> Option<&'a T> {
    views.iter().find(|v| v.id() == id)
}

fn describe(r: &WidgetRef) -> String {
    match r {
        WidgetRef::Takeaways => "takeaways".into(),
        WidgetRef::Steps => "steps".into(),
        WidgetRef::Faqs => "FAQs".into(),
        WidgetRef::Checklist(id) => format!("checklist `{id}`"),
        WidgetRef::DosDonts(id) => format!("do/don't table `{id}`"),
        WidgetRef::Callout(id) => format!("callout `{id}`"),
        WidgetRef::Message(id) => format!("message `{id}`"),
    }
}

/// Prepares a guide for a build, keeping only the rendered views: each guide is held until its
/// page is rendered, and its YAML and markdown are no longer needed by then.
pub fn prepare_guide_for_build(guide: Guide, base_path: &str) -> PreparedGuide {
    let mut prepared = prepare_guide(guide, base_path);
    prepared.release_sources();
    prepared
}

/// Renders a guide's markdown and builds its widget views.
pub fn prepare_guide(guide: Guide, base_path: &str) -> PreparedGuide {
    let f = &guide.front;
    let mut links = Vec::new();
    let mut words = 0;
    let mut locator = YamlLocator::new(&guide.yaml, guide.yaml_line_offset);
    let mut fragment = |md: &str, inline: bool| {
        words += count_words(md);
        let (html, found) = if inline {
            render_inline(md, base_path)
        } else {
            render_fragment(md, base_path)
        };
        for target in found {
            let position = locator.locate(&target);
            links.push(Link { target, position });
        }
        html
    };

    let takeaways = (!f.takeaways.is_empty()).then(|| TakeawaysView {
        items: f.takeaways.iter().map(|t| fragment(t, true)).collect(),
    });
    let steps = (!f.steps.is_empty()).then(|| {
        let mut phases: Vec<PhaseView> = Vec::new();
        for (i, step) in f.steps.iter().enumerate() {
            let view = StepView {
                id: step.id.clone(),
                html_id: format!("step-{}", step.id),
                number: i + 1,
                title: step.title.clone(),
                body: fragment(&step.body, false),
                duration: step.duration.as_ref().map(|d| d.text.clone()),
                duration_iso: step.duration.as_ref().map(|d| d.iso8601()),
            };
            match phases.last_mut() {
                Some(last) if last.title == step.phase => last.steps.push(view),
                _ => phases.push(PhaseView {
                    html_id: format!(
                        "phase-{}",
                        crate::model::guide::slugify(step.phase.as_deref().unwrap_or("steps"))
                    ),
                    title: step.phase.clone(),
                    steps: vec![view],
                }),
            }
        }
        let minutes: u64 = f
            .steps
            .iter()
            .filter_map(|s| s.duration.as_ref())
            .map(|d| d.max_minutes())
            .sum();
        StepsView {
            count: f.steps.len(),
            has_phases: f.steps.iter().any(|s| s.phase.is_some()),
            phases,
            total_time: (minutes > 0).then(|| describe_minutes(minutes)),
        }
    });
    let mut checklists: Vec<ChecklistView> = f
        .checklists
        .iter()
        .map(|c| checklist_view(c, |t| fragment(t, true)))
        .collect();
    let faqs: Vec<FaqView> = f
        .faqs
        .iter()
        .map(|q| FaqView {
            id: q.id.clone(),
            html_id: format!("faq-{}", q.id),
            question: q.q.clone(),
            answer: fragment(&q.a, false),
        })
        .collect();
    let dos_donts: Vec<DoDontView> = f
        .dos_donts
        .iter()
        .map(|t| DoDontView {
            id: t.id.clone(),
            html_id: format!("dos-donts-{}", t.id),
            title: t.title.clone().unwrap_or_else(|| "Do and don't".into()),
            rows: t
                .rows
                .iter()
                .map(|r| DoDontRowView {
                    do_html: fragment(&r.do_, true),
                    dont_html: fragment(&r.dont, true),
                })
                .collect(),
        })
        .collect();
    let callouts: Vec<CalloutView> = f
        .callouts
        .iter()
        .map(|c| CalloutView {
            id: c.id.clone(),
            html_id: format!("callout-{}", c.id),
            kind: c.kind,
            label: c.kind.label(),
            title: c.title.clone(),
            body: fragment(&c.body, false),
            cite: c.cite.clone(),
        })
        .collect();
    let messages: Vec<MessageView> = f
        .messages
        .iter()
        .map(|m| MessageView {
            id: m.id.clone(),
            html_id: format!("message-{}", m.id),
            label: m.label.clone(),
            text: m.text.clone(),
        })
        .collect();

    let ids = PreparedIds::collect(&steps, &checklists, &faqs, &dos_donts, &callouts, &messages);
    let mut anchors: HashSet<String> = SECTION_IDS
        .iter()
        .map(|s| s.to_string())
        .chain(ids.html_ids)
        .collect();
    let widget_ids: HashSet<String> = ids.widget_ids.into_iter().collect();

    let body = render_body(
        &guide.body,
        &BodyContext {
            line_offset: guide.body_line_offset,
            base_path,
            reserved_html_ids: &anchors,
            widget_ids: &widget_ids,
        },
    );
    for list in &body.checklists {
        let view = ChecklistView {
            from_body: true,
            id: list.id.clone(),
            html_id: format!("checklist-{}", list.id),
            title: list.title.clone(),
            items: list
                .items
                .iter()
                .map(|i| ItemView {
                    id: i.id.clone(),
                    html_id: format!("checklist-{}--{}", list.id, i.id),
                    html: i.text.clone(),
                })
                .collect(),
        };
        anchors.insert(view.html_id.clone());
        anchors.extend(view.items.iter().map(|i| i.html_id.clone()));
        checklists.push(view);
    }
    anchors.extend(body.anchors.iter().cloned());
    links.extend(body.links.iter().cloned());
    let word_count = words + body.word_count;
    PreparedGuide {
        guide,
        body,
        takeaways,
        steps,
        checklists,
        faqs,
        dos_donts,
        callouts,
        messages,
        links,
        anchors,
        word_count,
    }
}

struct PreparedIds {
    html_ids: Vec<String>,
    widget_ids: Vec<String>,
}

impl PreparedIds {
    fn collect(
        steps: &Option<StepsView>,
        checklists: &[ChecklistView],
        faqs: &[FaqView],
        dos_donts: &[DoDontView],
        callouts: &[CalloutView],
        messages: &[MessageView],
    ) -> PreparedIds {
        let mut html_ids = Vec::new();
        let mut widget_ids = Vec::new();
        if let Some(s) = steps {
            for p in &s.phases {
                html_ids.push(p.html_id.clone());
                for st in &p.steps {
                    html_ids.push(st.html_id.clone());
                    widget_ids.push(st.id.clone());
                }
            }
        }
        for c in checklists {
            html_ids.push(c.html_id.clone());
            widget_ids.push(c.id.clone());
            html_ids.extend(c.items.iter().map(|i| i.html_id.clone()));
        }
        for (id, html_id) in faqs
            .iter()
            .map(|x| (&x.id, &x.html_id))
            .chain(dos_donts.iter().map(|x| (&x.id, &x.html_id)))
            .chain(callouts.iter().map(|x| (&x.id, &x.html_id)))
            .chain(messages.iter().map(|x| (&x.id, &x.html_id)))
        {
            html_ids.push(html_id.clone());
            widget_ids.push(id.clone());
        }
        PreparedIds {
            html_ids,
            widget_ids,
        }
    }
}

fn checklist_view(list: &Checklist, mut inline: impl FnMut(&str) -> String) -> ChecklistView {
    ChecklistView {
        from_body: false,
        id: list.id.clone(),
        html_id: format!("checklist-{}", list.id),
        title: list.title.clone(),
        items: list
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id.clone(),
                html_id: format!("checklist-{}--{}", list.id, i.id),
                html: inline(&i.text),
            })
            .collect(),
    }
}

/// `about 3 months`, `about 2 weeks`, `45 minutes`.
fn describe_minutes(minutes: u64) -> String {
    let units = [
        (60 * 24 * 30, "month"),
        (60 * 24 * 7, "week"),
        (60 * 24, "day"),
        (60, "hour"),
    ];
    for (size, name) in units {
        if minutes >= size {
            let n = (minutes + size / 2) / size;
            let exact = minutes.is_multiple_of(size);
            return format!(
                "{}{n} {name}{}",
                if exact { "" } else { "about " },
                if n == 1 { "" } else { "s" }
            );
        }
    }
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

/// Tags that separate words: [`html_to_text`] leaves a space where one stood.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "div",
    "blockquote",
    "tr",
    "td",
    "th",
    "h2",
    "h3",
    "h4",
];

/// Plain text of an HTML fragment (tags dropped, common entities decoded), for JSON-LD.
pub fn html_to_text(html: &str) -> String {
    // Two passes without intermediate allocations per tag or entity: drop the tags (a block
    // tag leaves a space), then decode the five entities and collapse whitespace runs.
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = rest[start + 1..end].trim_start_matches('/');
        let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if BLOCK_TAGS.contains(&&tag[..name_len]) {
            text.push(' ');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        // A run of plain ASCII (no whitespace, no `&`) is copied at once.
        let plain = rest
            .bytes()
            .take_while(|&b| b.is_ascii_graphic() && b != b'&')
            .count();
        if plain > 0 {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push_str(&rest[..plain]);
            rest = &rest[plain..];
            continue;
        }
        if c.is_whitespace() {
            space = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        let entity = [
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
            ("&amp;", '&'),
        ]
        .into_iter()
        .find(|(name, _)| c == '&' && rest.starts_with(name));
        match entity {
            Some((name, decoded)) => {
                out.push(decoded);
                rest = &rest[name.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// Escapes plain text for HTML.
pub fn escape_text(text: &str) -> String {
    escape_attr(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_in_words() {
        assert_eq!(describe_minutes(45), "45 minutes");
        assert_eq!(describe_minutes(60 * 24 * 14), "2 weeks");
        assert_eq!(describe_minutes(60 * 24 * 30 * 3 + 60), "about 3 months");
    }

    #[test]
    fn html_to_text_drops_tags() {
        assert_eq!(
            html_to_text("<p>Say <em>sorry</em>. &amp; mean it</p><p>Then</p>"),
            "Say sorry. & mean it Then"
        );
    }

    /// The one-pass `html_to_text` gives what the first version (replace and split) gave.
    #[test]
    fn html_to_text_matches_the_replace_and_split_version() {
        fn reference(html: &str) -> String {
            let mut out = String::new();
            let mut rest = html;
            while let Some(start) = rest.find('<') {
                out.push_str(&rest[..start]);
                let end = rest[start..]
                    .find('>')
                    .map_or(rest.len(), |e| start + e + 1);
                let name: String = rest[start + 1..end]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if BLOCK_TAGS.contains(&name.as_str()) {
                    out.push(' ');
                }
                rest = &rest[end..];
            }
            out.push_str(rest);
            let decoded = out
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            decoded.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        for html in [
            "",
            "  <p> a\n\tb </p>\n<ul>\n<li>x</li><li>y &amp;amp; z</li></ul>",
            "&amp;lt;p&amp;gt; &lt;&gt;&quot;&#39; &am<b>p; &#x27; &",
            "<h2>Café</h2>naïve\u{a0}space<br/>end<hr>x<//p>y<p",
            "<p>Tags: <a href=\"/x/?a=1&amp;b=2\">link</a>, <code>&lt;b&gt;</code></p>",
        ] {
            assert_eq!(html_to_text(html), reference(html), "{html:?}");
        }
    }
}
