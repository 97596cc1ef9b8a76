//! Inline citations: `[^src:ID]` in any markdown of a guide becomes a numbered link to the
//! guide's source `ID` in its "Sources" section.
//!
//! pulldown-cmark reads `[^src:ID]` as a footnote reference when a definition with that label
//! exists, so the markdown is parsed with one hidden definition per source appended
//! ([`CitableSources::definitions`]): each citation of a known source is then one event to
//! replace, and the definitions' events are dropped. A citation naming no source stays text
//! (`[^src:…]` in a text event), and is reported at its position.

use pulldown_cmark::Event;

use crate::model::source::SourceView;
use crate::prepare::markdown::escape_attr;

/// What a footnote label starts with to be a citation.
pub const CITATION_PREFIX: &str = "src:";

/// The sources a guide's markdown may cite.
pub struct CitableSources<'a> {
    pub sources: &'a [SourceView],
}

impl CitableSources<'_> {
    pub const NONE: CitableSources<'static> = CitableSources { sources: &[] };

    /// Footnote definitions for every source, to append to markdown before parsing it.
    pub fn definitions(&self) -> String {
        let mut text = String::new();
        for s in self.sources {
            text.push_str(&format!("\n\n[^{CITATION_PREFIX}{}]: source\n", s.id));
        }
        text
    }

    /// `markdown` with [`Self::definitions`] appended, or as it is when there are none.
    pub fn with_definitions<'m>(&self, markdown: &'m str) -> std::borrow::Cow<'m, str> {
        if self.sources.is_empty() {
            std::borrow::Cow::Borrowed(markdown)
        } else {
            std::borrow::Cow::Owned(format!("{markdown}{}", self.definitions()))
        }
    }

    /// The HTML for the footnote reference `label` if it cites one of the sources.
    pub fn cite<'e>(&self, label: &str) -> Option<Event<'e>> {
        let id = label.strip_prefix(CITATION_PREFIX)?;
        let s = self.sources.iter().find(|s| s.id == id)?;
        Some(Event::InlineHtml(
            format!(
                "<sup class=\"citation\"><a href=\"#{}\" title=\"{}\">[{}]</a></sup>",
                escape_attr(&s.html_id),
                escape_attr(&s.title),
                s.number
            )
            .into(),
        ))
    }
}

/// A footnote definition added by [`CitableSources::definitions`].
pub fn is_source_definition(label: &str) -> bool {
    label.starts_with(CITATION_PREFIX)
}

/// The id of a citation of no source in a text event (`[^src:ID]` left as text), if any.
pub fn uncited_id(text: &str) -> Option<String> {
    let at = text.find("^src:")? + "^src:".len();
    let id: String = text[at..]
        .chars()
        .take_while(|c| *c != ']' && !c.is_whitespace())
        .collect();
    (!id.is_empty()).then_some(id)
}
