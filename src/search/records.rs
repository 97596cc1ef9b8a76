//! The search records of one guide, made from its typed model: the guide itself, each step
//! (with its phase), FAQ question, checklist item, do/don't row, message and heading, each with
//! the `#id` it links to; and the terms of each record with their weight.
//!
//! The text comes from the prepared views (the HTML fragments prepare rendered from markdown,
//! turned back into words by [`html_to_text`]): the built pages are never parsed again.

use std::collections::HashMap;

use super::terms::{Stemming, terms};
use crate::model::prepared_guide::PreparedGuide;
use crate::render::plain_text::html_to_text;

/// What a hit is; the order is the client's kind filter order, the number is its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Guide,
    Step,
    Faq,
    Item,
    DoDont,
    Message,
    Heading,
}

impl Kind {
    pub(crate) const ALL: [Kind; 7] = [
        Kind::Guide,
        Kind::Step,
        Kind::Faq,
        Kind::Item,
        Kind::DoDont,
        Kind::Message,
        Kind::Heading,
    ];

    /// The name in the index and in the client's filter.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Guide => "guide",
            Kind::Step => "step",
            Kind::Faq => "faq",
            Kind::Item => "item",
            Kind::DoDont => "dodont",
            Kind::Message => "message",
            Kind::Heading => "heading",
        }
    }

    /// Added to the weight of a match in the title: a guide's or a question's title is what a
    /// reader most likely looks for.
    fn title_bonus(self) -> u8 {
        match self {
            Kind::Guide => 4,
            Kind::Faq => 2,
            _ => 0,
        }
    }
}

/// Weights of where a term stands in a record.
const IN_TITLE: u8 = 8;
const IN_CONTEXT: u8 = 2;
const IN_TEXT: u8 = 1;

/// The text kept of a record for its snippet, in characters.
pub(crate) const SNIPPET_CHARS: usize = 240;

/// One thing a search can find.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub(crate) kind: Kind,
    /// The `id` on the guide page it links to (empty: the top of the page).
    pub(crate) anchor: String,
    pub(crate) title: String,
    /// The start of its text, for the snippet (at most [`SNIPPET_CHARS`]).
    pub(crate) text: String,
    /// Where it stands: a step's phase, an item's checklist, a row's table, a message's label.
    pub(crate) context: String,
}

/// A guide's records and, for each term, its best record of each kind.
#[derive(Clone, Debug)]
pub(crate) struct GuideRecords {
    pub(crate) slug: String,
    pub(crate) title: String,
    /// `(slug, name)` of each tag.
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) records: Vec<Record>,
    /// `(term, record index, weight)`, sorted by term, at most one record per term and kind.
    pub(crate) postings: Vec<(String, u16, u8)>,
}

/// Collects records and the weighted terms of each.
struct Collector {
    stemming: Stemming,
    records: Vec<Record>,
    /// (term, kind) → (weight, record)
    best: HashMap<(String, Kind), (u8, u16)>,
}

impl Collector {
    fn add(&mut self, kind: Kind, anchor: &str, title: &str, context: &str, text: &str) {
        let Ok(index) = u16::try_from(self.records.len()) else {
            return; // 65,536 records in one guide: the rest stay out of the index
        };
        let fields = [
            (title, IN_TITLE + kind.title_bonus()),
            (context, IN_CONTEXT),
            (text, IN_TEXT),
        ];
        for (field, weight) in fields {
            terms(field, self.stemming, |term| {
                let best = self.best.entry((term, kind)).or_insert((0, index));
                if weight > best.0 {
                    *best = (weight, index);
                }
            });
        }
        self.records.push(Record {
            kind,
            anchor: anchor.to_string(),
            title: title.to_string(),
            text: snippet_text(text),
            context: context.to_string(),
        });
    }
}

/// The first [`SNIPPET_CHARS`] characters of `text`.
fn snippet_text(text: &str) -> String {
    match text.char_indices().nth(SNIPPET_CHARS) {
        Some((end, _)) => text[..end].to_string(),
        None => text.to_string(),
    }
}

/// The records of `g`, in page order, with their terms.
pub(crate) fn guide_records(g: &PreparedGuide, stemming: Stemming) -> GuideRecords {
    let mut c = Collector {
        stemming,
        records: Vec::new(),
        best: HashMap::new(),
    };
    let front = &g.guide.front;
    let mut about = front.description.clone();
    for takeaway in g.takeaways.iter().flat_map(|t| &t.items) {
        about.push(' ');
        about.push_str(&html_to_text(takeaway));
    }
    for part in &g.body.parts {
        if let crate::model::body::BodyPart::Html(html) = part {
            about.push(' ');
            about.push_str(&html_to_text(html));
        }
    }
    c.add(Kind::Guide, "", &front.title, "", &about);
    add_widgets(&mut c, g);
    for entry in &g.body.toc {
        c.add(Kind::Heading, &entry.id, &entry.text, "", "");
    }
    let mut postings: Vec<(String, u16, u8)> = c
        .best
        .into_iter()
        .map(|((term, _), (weight, record))| (term, record, weight))
        .collect();
    postings.sort_unstable();
    GuideRecords {
        slug: g.guide.slug.clone(),
        title: front.title.clone(),
        tags: front
            .tags
            .iter()
            .map(|t| (crate::model::guide::slugify(t), t.clone()))
            .collect(),
        records: c.records,
        postings,
    }
}

fn add_widgets(c: &mut Collector, g: &PreparedGuide) {
    for phase in g.steps.iter().flat_map(|s| &s.phases) {
        let context = phase.title.as_deref().unwrap_or_default();
        for step in &phase.steps {
            let text = html_to_text(&step.body);
            c.add(Kind::Step, &step.html_id, &step.title, context, &text);
        }
    }
    for faq in &g.faqs {
        let answer = html_to_text(&faq.answer);
        c.add(Kind::Faq, &faq.html_id, &faq.question, "", &answer);
    }
    for list in &g.checklists {
        for item in &list.items {
            let text = html_to_text(&item.html);
            c.add(Kind::Item, &item.html_id, &text, &list.title, "");
        }
    }
    for table in &g.dos_donts {
        for row in &table.rows {
            let (do_, dont) = (html_to_text(&row.do_html), html_to_text(&row.dont_html));
            c.add(Kind::DoDont, &table.html_id, &do_, &table.title, &dont);
        }
    }
    for m in &g.messages {
        let label = m.label.as_deref().unwrap_or_default();
        c.add(Kind::Message, &m.html_id, &m.text, label, "");
    }
}
