//! Rules a parsed guide must follow beyond its YAML types: ids filled in and unique, slugs
//! safe, required text present. Site-wide rules (unique slugs) live in [`validate_site`].

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Position};
use crate::load::front_matter::{locate_text, locate_text_nth, locate_value};
use crate::load::limits::{MAX_DESCRIPTION_CHARS, MAX_SLUG_BYTES, MAX_TITLE_CHARS};
use crate::model::guide::{FrontMatter, Guide, slugify};

/// Fills in default ids and checks one guide; returns every problem found.
pub fn validate_guide(guide: &mut Guide) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    // Borrowed field by field: the ids in `front` are filled in while the YAML is read.
    let Guide {
        source: file,
        slug,
        front,
        yaml,
        yaml_line_offset: off,
        ..
    } = guide;
    let at = Yaml {
        text: yaml.as_str(),
        off: *off,
    };
    problems.extend(slug_problem(file, slug, front, at));
    problems.extend(text_problems(file, front, at));
    problems.extend(tag_problems(file, front, at));
    claim_ids(file, front, at, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A guide's front matter text and its first line's number in the file, less one.
#[derive(Clone, Copy)]
struct Yaml<'a> {
    text: &'a str,
    off: usize,
}

impl Yaml<'_> {
    /// Where `key:` stands in the file (the start of the file if it is not there).
    fn at_key(self, key: &str) -> Position {
        locate_text(self.text, self.off, &format!("{key}:")).unwrap_or(Position::START)
    }
}

fn slug_problem(file: &Path, slug: &str, front: &FrontMatter, at: Yaml) -> Option<Diagnostic> {
    let why = check_slug(slug).err()?;
    let (pos, help) = match &front.slug {
        Some(s) => (
            locate_value(at.text, at.off, "slug", s, 0).unwrap_or_else(|| at.at_key("slug")),
            if slug.len() > MAX_SLUG_BYTES {
                "use a shorter slug: a few words joined by hyphens, e.g. slug: first-message"
            } else {
                "use lowercase letters, digits and hyphens, e.g. slug: first-message"
            },
        ),
        None => (
            Position::START,
            "the slug comes from the file name: rename the file, or set `slug:` (lowercase letters, digits and hyphens, e.g. slug: first-message)",
        ),
    };
    Some(
        Diagnostic::error(file, pos, format!("invalid slug `{}`: {why}", shown(slug)))
            .with_help(help),
    )
}

/// An empty or too long title or description.
fn text_problems(file: &Path, front: &FrontMatter, at: Yaml) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for (key, value, max) in [
        ("title", &front.title, MAX_TITLE_CHARS),
        ("description", &front.description, MAX_DESCRIPTION_CHARS),
    ] {
        let chars = value.chars().count();
        if chars > max {
            problems.push(
                Diagnostic::error(
                    file,
                    at.at_key(key),
                    format!("`{key}` is {chars} characters long; at most {max} are allowed"),
                )
                .with_help(format!(
                    "shorten the {key}; longer text belongs in the body"
                )),
            );
        } else if value.trim().is_empty() {
            problems.push(
                Diagnostic::error(file, at.at_key(key), format!("`{key}` is empty"))
                    .with_help(format!("write a {key} for the guide")),
            );
        }
    }
    problems
}

/// Tags with no letters or digits, or too long for a folder name.
fn tag_problems(file: &Path, front: &FrontMatter, at: Yaml) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for tag in &front.tags {
        let tag_slug = slugify(tag);
        if tag_slug.len() > MAX_SLUG_BYTES {
            problems.push(
                Diagnostic::error(
                    file,
                    at.at_key("tags"),
                    format!(
                        "tag `{}` is too long: its page's folder name would be {} bytes; at most {MAX_SLUG_BYTES} are allowed",
                        shown(tag),
                        tag_slug.len()
                    ),
                )
                .with_help("use a shorter tag: a word or two"),
            );
        } else if tag_slug.is_empty() {
            problems.push(
                Diagnostic::error(
                    file,
                    at.at_key("tags"),
                    format!("tag `{tag}` has no letters or digits"),
                )
                .with_help("remove it or use a word"),
            );
        }
    }

    problems
}

/// Gives every widget, source and checklist item its id, and checks them: one id space for
/// the widgets of a guide, one for its sources, one per checklist for its items.
fn claim_ids(file: &Path, f: &mut FrontMatter, at: Yaml, problems: &mut Vec<Diagnostic>) {
    // One id space per guide: every widget's id is unique within it.
    let mut ids = IdSpace::new(problems, file, at);
    for step in &mut f.steps {
        ids.claim(&mut step.id, &step.title, "step");
    }
    for list in &mut f.checklists {
        ids.claim(&mut list.id, &list.title, "checklist");
    }
    for faq in &mut f.faqs {
        ids.claim(&mut faq.id, &faq.q, "FAQ");
    }
    for (i, table) in f.dos_donts.iter_mut().enumerate() {
        let fallback = table
            .title
            .clone()
            .unwrap_or_else(|| format!("dos-donts-{}", i + 1));
        ids.claim(&mut table.id, &fallback, "do/don't table");
    }
    for (i, callout) in f.callouts.iter_mut().enumerate() {
        let fallback = callout
            .title
            .clone()
            .unwrap_or_else(|| format!("{}-{}", callout.kind.label(), i + 1));
        ids.claim(&mut callout.id, &fallback, "callout");
    }
    for message in &mut f.messages {
        let fallback = message
            .label
            .clone()
            .unwrap_or_else(|| message.text.chars().take(40).collect());
        ids.claim(&mut message.id, &fallback, "message");
    }
    // Sources have their own ids (what citations name, `source-<id>` in the page).
    let mut sources = IdSpace::new(ids.problems, file, at);
    for source in &mut f.sources {
        sources.claim(&mut source.id, &source.title, "source");
    }
    for list in &mut f.checklists {
        let mut items = IdSpace::new(ids.problems, file, at);
        for item in &mut list.items {
            items.claim(&mut item.id, &item.text, "checklist item");
        }
    }
}

/// A value as quoted in a message: at most 60 characters, so a message stays one line.
fn shown(value: &str) -> String {
    match value.char_indices().nth(60) {
        Some((end, _)) => format!("{}...", &value[..end]),
        None => value.to_string(),
    }
}

/// Checks a slug: one path segment of lowercase letters, digits and hyphens, short enough to
/// be a folder name.
pub fn check_slug(slug: &str) -> Result<(), String> {
    let why = if slug.is_empty() {
        "it is empty"
    } else if slug.len() > MAX_SLUG_BYTES {
        return Err(format!(
            "it is {} bytes long; at most {MAX_SLUG_BYTES} are allowed (it is a folder name in the output)",
            slug.len()
        ));
    } else if slug.contains("..") || slug.contains('/') || slug.contains('\\') {
        "a slug is one path segment and may not contain `/`, `\\` or `..`"
    } else if !slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        "only lowercase letters, digits and hyphens are allowed"
    } else {
        return Ok(());
    };
    Err(why.to_string())
}

struct IdSpace<'a> {
    seen: HashMap<String, &'static str>,
    problems: &'a mut Vec<Diagnostic>,
    file: &'a std::path::Path,
    yaml: &'a str,
    off: usize,
}

impl<'a> IdSpace<'a> {
    /// An empty id space whose problems go into `problems`.
    fn new(problems: &'a mut Vec<Diagnostic>, file: &'a Path, at: Yaml<'a>) -> IdSpace<'a> {
        IdSpace {
            seen: HashMap::new(),
            problems,
            file,
            yaml: at.text,
            off: at.off,
        }
    }

    /// Gives `id` its default (a slug of `text`) if empty, checks its form and uniqueness.
    fn claim(&mut self, id: &mut String, text: &str, kind: &'static str) {
        let explicit = !id.is_empty();
        if !explicit {
            *id = slugify(text);
            if id.is_empty() {
                *id = format!("{}-{}", slugify(kind), self.seen.len() + 1);
            }
        }
        let pos = || {
            if explicit {
                locate_value(self.yaml, self.off, "id", id, 0)
            } else {
                locate_text(self.yaml, self.off, text.lines().next().unwrap_or(text))
            }
            .unwrap_or(Position::START)
        };
        if explicit && check_slug(id).is_err() {
            let p = pos();
            self.problems.push(
                Diagnostic::error(self.file, p, format!("invalid {kind} id `{id}`")).with_help(
                    format!(
                        "ids use lowercase letters, digits and hyphens, e.g. id: {}",
                        slugify(id)
                    ),
                ),
            );
            return;
        }
        if let Some(previous) = self.seen.get(id.as_str()) {
            let p = if explicit {
                locate_value(self.yaml, self.off, "id", id, 1).unwrap_or_else(pos)
            } else {
                locate_text_nth(self.yaml, self.off, text.lines().next().unwrap_or(text), 1)
                    .unwrap_or_else(pos)
            };
            let help = if explicit {
                "give one of them another id".to_string()
            } else {
                format!("the id comes from the text; give this {kind} its own `id:`")
            };
            self.problems.push(
                Diagnostic::error(
                    self.file,
                    p,
                    format!("duplicate id `{id}`: a {previous} in this guide already uses it"),
                )
                .with_help(help),
            );
            return;
        }
        self.seen.insert(id.clone(), kind);
    }
}

/// Site-wide rules: every slug is used once.
pub fn validate_site<'a>(guides: impl IntoIterator<Item = &'a Guide>) -> Vec<Diagnostic> {
    let mut by_slug: HashMap<&str, &Guide> = HashMap::new();
    let mut problems = Vec::new();
    for guide in guides {
        if let Some(first) = by_slug.get(guide.slug.as_str()) {
            let pos = guide
                .front
                .slug
                .as_ref()
                .and_then(|s| locate_value(&guide.yaml, guide.yaml_line_offset, "slug", s, 0))
                .unwrap_or(Position::START);
            problems.push(
                Diagnostic::error(
                    &guide.source,
                    pos,
                    format!(
                        "duplicate slug `{}`: `{}` already uses it",
                        guide.slug,
                        first.source.display()
                    ),
                )
                .with_help("set a different `slug:` in one of the two guides"),
            );
        } else {
            by_slug.insert(&guide.slug, guide);
        }
    }
    problems
}
