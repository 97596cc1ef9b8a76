//! Notices shown above a guide's body: the site's (`[[notices]]` in site.toml, on every guide
//! or on the guides with a tag) and a guide's own (`notices:` in its front matter).

use serde::{Deserialize, Serialize};

use crate::model::guide::slugify;

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum NoticeKind {
    Info,
    Warning,
    Safety,
}

/// One notice of a guide's front matter.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub kind: NoticeKind,
    pub title: String,
    /// Markdown.
    pub body: String,
}

/// One `[[notices]]` entry of site.toml.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SiteNotice {
    pub kind: NoticeKind,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Which guides show it: `"all"` (the default) or `{ tag = "…" }`.
    #[serde(default, rename = "where")]
    pub scope: NoticeScope,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum NoticeScope {
    #[default]
    All,
    /// Guides with this tag (tags that slug the same are one tag).
    Tag(String),
}

impl NoticeScope {
    /// Whether a guide with `tags` shows the notice.
    pub fn includes(&self, tags: &[String]) -> bool {
        match self {
            NoticeScope::All => true,
            NoticeScope::Tag(tag) => {
                let wanted = slugify(tag);
                tags.iter().any(|t| slugify(t) == wanted)
            }
        }
    }
}

/// A notice ready for `partials/notices.html`, its body rendered.
#[derive(Clone, Debug, Serialize)]
pub struct NoticeView {
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
}
