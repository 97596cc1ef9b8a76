//! [`PreparedGuide`], what the prepare stage makes of a guide and every later stage reads: the
//! guide, its rendered body and widget views, links and ids; and where its widgets go.

use std::collections::HashSet;

use crate::diagnostic::{Diagnostic, Position};
use crate::model::body::{BodyPart, Link, Placement, RenderedBody, WidgetRef};
use crate::model::config::WidgetKind;
use crate::model::guide::Guide;
use crate::model::notice::NoticeView;
use crate::model::source::SourceView;
use crate::model::views::*;

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
    /// The numbered "Sources" section.
    pub sources: Vec<SourceView>,
    /// Citations naming no source, with where they stand in the file.
    pub unknown_citations: Vec<(String, Position)>,
    /// Where `reviewed:` stands in the file (the start of the file if it is not set).
    pub review_position: Position,
    /// The guide's own notices, rendered.
    pub notices: Vec<NoticeView>,
    /// When the file last changed (RFC 3339), for a guide with no `date` or `updated`: set by
    /// `load::file_dates::date_undated`.
    pub file_changed: Option<String>,
}

impl PreparedGuide {
    /// Frees the text the views were made from: the YAML, the markdown body and the markdown
    /// of steps, FAQ answers and callouts. Pages, cards, JSON-LD and the checks read only the
    /// views, ids and positions; a build that holds every guide at once saves a third of its
    /// memory this way. Titles, tags, dates and ids stay, and so does the YAML of a guide that
    /// sets its `slug:`, `series:` or `next:`, which the site-wide checks point into.
    pub fn release_sources(&mut self) {
        let g = &mut self.guide;
        if g.front.slug.is_none() && g.front.series.is_none() && g.front.next.is_none() {
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

    /// The widgets of `kinds` that no marker placed, in the order of `kinds`.
    pub fn unplaced(&self, kinds: &[WidgetKind]) -> Vec<WidgetView<'_>> {
        let placed: HashSet<&WidgetRef> = self.placements().map(|p| &p.widget).collect();
        let mut refs = Vec::new();
        for kind in kinds {
            match kind {
                WidgetKind::Takeaways => refs.push(WidgetRef::Takeaways),
                WidgetKind::Steps => refs.push(WidgetRef::Steps),
                WidgetKind::Faqs => refs.push(WidgetRef::Faqs),
                WidgetKind::Checklists => refs.extend(
                    self.checklists
                        .iter()
                        .map(|c| WidgetRef::Checklist(c.id.clone())),
                ),
                WidgetKind::DosDonts => refs.extend(
                    self.dos_donts
                        .iter()
                        .map(|d| WidgetRef::DosDonts(d.id.clone())),
                ),
                WidgetKind::Messages => refs.extend(
                    self.messages
                        .iter()
                        .map(|m| WidgetRef::Message(m.id.clone())),
                ),
                WidgetKind::Callouts => refs.extend(
                    self.callouts
                        .iter()
                        .map(|c| WidgetRef::Callout(c.id.clone())),
                ),
            }
        }
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
        problems.extend(self.unknown_citations.iter().map(|(id, pos)| {
            let ids: Vec<&str> = self.sources.iter().map(|s| s.id.as_str()).collect();
            let help = if ids.is_empty() {
                "add the source to `sources:` in the front matter, with its `id`".to_string()
            } else {
                format!(
                    "cite one of: {}; or add the source to `sources:`",
                    ids.join(", ")
                )
            };
            Diagnostic::error(
                file,
                *pos,
                format!("`[^src:{id}]` cites no source of this guide"),
            )
            .with_help(help)
        }));
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
