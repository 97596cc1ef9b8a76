//! A guide's sources: what its advice draws on, listed as a numbered "Sources" section and
//! cited in the text with `[^src:ID]`.

use serde::{Deserialize, Serialize};

/// One entry of `sources:` in the front matter.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// What citations name (`[^src:ID]`); default: the slug of the title.
    #[serde(default)]
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub publisher: Option<String>,
    /// As the source gives it: `2021`, `March 2021`, `2021-03-04`.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A source ready for the template `partials/sources.html`.
#[derive(Clone, Debug, Serialize)]
pub struct SourceView {
    pub id: String,
    pub number: usize,
    pub html_id: String,
    pub title: String,
    pub url: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub note: Option<String>,
}

/// The views of `sources`, numbered from 1, ids filled in from titles.
pub fn source_views(sources: &[Source]) -> Vec<SourceView> {
    sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let id = if s.id.is_empty() {
                crate::model::guide::slugify(&s.title)
            } else {
                s.id.clone()
            };
            SourceView {
                html_id: format!("source-{id}"),
                id,
                number: i + 1,
                title: s.title.clone(),
                url: s.url.clone(),
                publisher: s.publisher.clone(),
                date: s.date.clone(),
                note: s.note.clone(),
            }
        })
        .collect()
}
