//! A guide's markdown body once rendered: HTML runs and the widgets placed between them, its
//! table of contents, ids and links, each with its position in the guide file.

use crate::diagnostic::Position;
use crate::model::guide::Checklist;

/// A body cut into HTML runs and the widgets placed between them.
#[derive(Clone, Debug, Default)]
pub struct RenderedBody {
    pub parts: Vec<BodyPart>,
    pub toc: Vec<TocEntry>,
    /// Every id the body's HTML defines (headings, footnotes), for anchor checks.
    pub anchors: Vec<String>,
    /// Task lists of the body, already turned into checklists (placed as widgets in `parts`).
    pub checklists: Vec<Checklist>,
    pub links: Vec<Link>,
    /// Markers that name a kind of widget we do not know.
    pub bad_markers: Vec<(String, Position)>,
    /// Citations (`[^src:ID]`) naming no source of the guide: the id and where it stands.
    pub unknown_citations: Vec<(String, Position)>,
    pub word_count: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BodyPart {
    Html(String),
    Widget(Placement),
}

/// A widget marker: which widget, and where the marker stands in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub widget: WidgetRef,
    pub position: Position,
    /// The id of a heading directly above the marker: the widget then takes that heading as
    /// its title instead of repeating one of its own.
    pub heading: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WidgetRef {
    Takeaways,
    Steps,
    Faqs,
    Checklist(String),
    DosDonts(String),
    Callout(String),
    Message(String),
}

impl WidgetRef {
    /// Parses the inside of `<!-- widget: ... -->`.
    pub fn parse(spec: &str) -> Result<WidgetRef, String> {
        let mut words = spec.split_whitespace();
        let kind = words.next().unwrap_or_default();
        let id = words.next().map(str::to_string);
        let need_id = |make: fn(String) -> WidgetRef| {
            id.clone()
                .map(make)
                .ok_or_else(|| format!("`{kind}` needs an id: <!-- widget: {kind} ID -->"))
        };
        match kind {
            "takeaways" => Ok(WidgetRef::Takeaways),
            "steps" => Ok(WidgetRef::Steps),
            "faqs" => Ok(WidgetRef::Faqs),
            "checklist" => need_id(WidgetRef::Checklist),
            "dos-donts" => need_id(WidgetRef::DosDonts),
            "callout" => need_id(WidgetRef::Callout),
            "message" => need_id(WidgetRef::Message),
            _ => Err(format!(
                "unknown widget `{kind}`; known: takeaways, steps, faqs, checklist ID, dos-donts ID, callout ID, message ID"
            )),
        }
    }
}

#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct TocEntry {
    pub level: u8,
    /// The index in `RenderedBody::parts` of the HTML run the heading is in.
    pub part: usize,
    pub id: String,
    pub text: String,
}

/// A link or image source in markdown, as written, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub target: String,
    pub position: Position,
}
