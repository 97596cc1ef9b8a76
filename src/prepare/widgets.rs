//! The model turned into view data for templates: every widget with its HTML ids and its
//! markdown rendered, and the body cut at its widget markers.
//!
//! HTML ids are prefixed by kind (`step-`, `faq-`, `checklist-`, ...) so they never clash with
//! heading ids; checklist items are `checklist-<list>--<item>`. The widget JavaScript keeps
//! reader progress under these ids, so they derive from text and ids, never from positions.

use std::collections::HashSet;

use crate::load::front_matter::{YamlLocator, locate_value};
use crate::model::body::{Link, RenderedBody};
use crate::model::guide::{Checklist, FrontMatter, Guide};
use crate::model::notice::NoticeView;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::source::source_views;
use crate::model::total_time::total_time;
use crate::model::views::*;
use crate::prepare::citations::{CITATION_PREFIX, CitableSources};
use crate::prepare::markdown::{
    BodyContext, count_words, render_body, render_fragment, render_inline,
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
    let review_position = f
        .reviewed
        .and_then(|d| locate_value(&guide.yaml, guide.yaml_line_offset, "reviewed", &d.iso(), 0))
        .unwrap_or(crate::diagnostic::Position::START);
    let sources = source_views(&f.sources);
    let mut fr = Fragments {
        base_path,
        citable: CitableSources { sources: &sources },
        locator: YamlLocator::new(&guide.yaml, guide.yaml_line_offset),
        links: Vec::new(),
        words: 0,
        unknown_citations: Vec::new(),
    };
    // The guide's image is a link too: the link check finds a site path with no file.
    fr.links
        .extend(f.image.as_ref().and_then(|i| i.site_path()).map(|target| {
            Link {
                target: target.to_string(),
                position: locate_value(&guide.yaml, guide.yaml_line_offset, "image", target, 0)
                    .unwrap_or(crate::diagnostic::Position::START),
            }
        }));
    // In the order of the front matter: the locator finds link positions moving forward.
    let takeaways = (!f.takeaways.is_empty()).then(|| TakeawaysView {
        items: f.takeaways.iter().map(|t| fr.render(t, true)).collect(),
    });
    let steps = steps_view(f, &mut fr);
    let mut checklists: Vec<ChecklistView> = f
        .checklists
        .iter()
        .map(|c| checklist_view(c, |t| fr.render(t, true)))
        .collect();
    let faqs = faq_views(f, &mut fr);
    let dos_donts = dos_donts_views(f, &mut fr);
    let callouts = callout_views(f, &mut fr);
    let messages = message_views(f);
    let notices: Vec<NoticeView> = f
        .notices
        .iter()
        .map(|n| NoticeView {
            kind: n.kind,
            title: n.title.clone(),
            body: fr.render(&n.body, false),
        })
        .collect();
    let Fragments {
        mut links,
        words,
        mut unknown_citations,
        ..
    } = fr;

    let ids = PreparedIds::collect(&steps, &checklists, &faqs, &dos_donts, &callouts, &messages);
    let mut anchors: HashSet<String> = SECTION_IDS
        .iter()
        .map(|s| s.to_string())
        .chain(ids.html_ids)
        .collect();
    let widget_ids: HashSet<String> = ids.widget_ids.into_iter().collect();
    if !sources.is_empty() {
        anchors.extend(["sources".to_string(), "sources-title".to_string()]);
        anchors.extend(sources.iter().map(|s| s.html_id.clone()));
    }
    let body = render_body(
        &guide.body,
        &BodyContext {
            line_offset: guide.body_line_offset,
            base_path,
            reserved_html_ids: &anchors,
            widget_ids: &widget_ids,
            sources: &CitableSources { sources: &sources },
        },
    );
    unknown_citations.extend(body.unknown_citations.iter().cloned());
    add_body_checklists(&body, &mut checklists, &mut anchors);
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
        sources,
        unknown_citations,
        review_position,
        notices,
        file_changed: None,
    }
}

/// Renders the markdown of front matter values, recording their links (at their place in the
/// YAML), unknown citations and words.
struct Fragments<'a> {
    base_path: &'a str,
    citable: CitableSources<'a>,
    locator: YamlLocator<'a>,
    links: Vec<Link>,
    words: usize,
    unknown_citations: Vec<(String, crate::diagnostic::Position)>,
}

impl Fragments<'_> {
    /// `md` as HTML: one paragraph's inline content (`inline`), or blocks.
    fn render(&mut self, md: &str, inline: bool) -> String {
        self.words += count_words(md);
        let rendered = if inline {
            render_inline(md, self.base_path, &self.citable)
        } else {
            render_fragment(md, self.base_path, &self.citable)
        };
        for target in rendered.links {
            let position = self.locator.locate(&target);
            self.links.push(Link { target, position });
        }
        for id in rendered.unknown_citations {
            let position = self.locator.locate(&format!("[^{CITATION_PREFIX}{id}]"));
            self.unknown_citations.push((id, position));
        }
        rendered.html
    }
}

/// The steps, grouped into phases, with their total time.
fn steps_view(f: &FrontMatter, fr: &mut Fragments) -> Option<StepsView> {
    if f.steps.is_empty() {
        return None;
    }
    let mut phases: Vec<PhaseView> = Vec::new();
    for (i, step) in f.steps.iter().enumerate() {
        let view = StepView {
            id: step.id.clone(),
            html_id: format!("step-{}", step.id),
            number: i + 1,
            title: step.title.clone(),
            body: fr.render(&step.body, false),
            duration: step.duration.as_ref().map(|d| d.text.clone()),
            duration_iso: step.duration.as_ref().map(|d| d.html_duration()),
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
    let total = total_time(&f.steps, f.total_time.as_ref());
    Some(StepsView {
        count: f.steps.len(),
        has_phases: f.steps.iter().any(|s| s.phase.is_some()),
        phases,
        total_time: total.as_ref().map(|t| t.words.clone()),
        total_time_iso: total.and_then(|t| t.iso),
    })
}

fn faq_views(f: &FrontMatter, fr: &mut Fragments) -> Vec<FaqView> {
    f.faqs
        .iter()
        .map(|q| FaqView {
            id: q.id.clone(),
            html_id: format!("faq-{}", q.id),
            question: q.q.clone(),
            answer: fr.render(&q.a, false),
        })
        .collect()
}

fn dos_donts_views(f: &FrontMatter, fr: &mut Fragments) -> Vec<DoDontView> {
    f.dos_donts
        .iter()
        .map(|t| DoDontView {
            id: t.id.clone(),
            html_id: format!("dos-donts-{}", t.id),
            title: t.title.clone().unwrap_or_else(|| "Do and don't".into()),
            rows: t
                .rows
                .iter()
                .map(|r| DoDontRowView {
                    do_html: fr.render(&r.do_, true),
                    dont_html: fr.render(&r.dont, true),
                })
                .collect(),
        })
        .collect()
}

fn callout_views(f: &FrontMatter, fr: &mut Fragments) -> Vec<CalloutView> {
    f.callouts
        .iter()
        .map(|c| CalloutView {
            id: c.id.clone(),
            html_id: format!("callout-{}", c.id),
            kind: c.kind,
            label: c.kind.label(),
            title: c.title.clone(),
            body: fr.render(&c.body, false),
            cite: c.cite.clone(),
        })
        .collect()
}

fn message_views(f: &FrontMatter) -> Vec<MessageView> {
    f.messages
        .iter()
        .map(|m| MessageView {
            id: m.id.clone(),
            html_id: format!("message-{}", m.id),
            label: m.label.clone(),
            text: m.text.clone(),
        })
        .collect()
}

/// Adds the body's task lists after the front matter's checklists, with their ids.
fn add_body_checklists(
    body: &RenderedBody,
    checklists: &mut Vec<ChecklistView>,
    anchors: &mut HashSet<String>,
) {
    for list in &body.checklists {
        let view = ChecklistView {
            from_body: true,
            ..checklist_view(list, str::to_string)
        };
        anchors.insert(view.html_id.clone());
        anchors.extend(view.items.iter().map(|i| i.html_id.clone()));
        checklists.push(view);
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
