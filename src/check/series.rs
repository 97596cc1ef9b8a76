//! The series and `next:` keys against the site: every slug they name is a guide, each guide
//! is in one series at most. Reports the problems [`SeriesIndex`] kept, at their place in
//! site.toml or the guide's front matter.
//!
//! [`SeriesIndex`]: crate::model::series::SeriesIndex

use std::path::Path;

use crate::diagnostic::{Diagnostic, Position, nearest};
use crate::load::front_matter::locate_value;
use crate::model::config::CONFIG_FILE;
use crate::model::series::SeriesProblem;
use crate::model::site::Site;

/// One error per problem of `site.series`.
pub(crate) fn check_series(site: &Site) -> Vec<Diagnostic> {
    site.series
        .problems
        .iter()
        .map(|p| series_diagnostic(site, p))
        .collect()
}

fn series_diagnostic(site: &Site, problem: &SeriesProblem) -> Diagnostic {
    let toml = Path::new(CONFIG_FILE);
    match problem {
        SeriesProblem::UnknownGuide { series, slug, at } => Diagnostic::error(
            toml,
            *at,
            format!("series \"{series}\" lists `{slug}`, but no guide has that slug"),
        )
        .with_help(slug_help(site, slug)),
        SeriesProblem::ListedTwice {
            series,
            slug,
            first,
            at,
        } => Diagnostic::error(
            toml,
            *at,
            format!("series \"{series}\" lists `{slug}`, which series \"{first}\" already lists"),
        )
        .with_help("a guide belongs to one series: remove one of the two entries"),
        SeriesProblem::OtherSeries { guide, listed_in } => {
            let g = &site.guides[*guide].guide;
            let name = g.front.series.as_deref().unwrap_or_default();
            Diagnostic::error(
                &g.source,
                front_matter_position(site, *guide, "series", name),
                format!("`series: {name}`, but site.toml lists this guide in series \"{listed_in}\""),
            )
            .with_help(format!(
                "a guide belongs to one series: write `series: {listed_in}` or remove it from that series in site.toml"
            ))
        }
        SeriesProblem::UnknownNext { guide } => {
            let g = &site.guides[*guide].guide;
            let slug = g.front.next.as_deref().unwrap_or_default();
            let message = if slug == g.slug {
                format!("`next: {slug}` names this guide itself")
            } else {
                format!("`next: {slug}` names no guide")
            };
            Diagnostic::error(
                &g.source,
                front_matter_position(site, *guide, "next", slug),
                message,
            )
            .with_help(slug_help(site, slug))
        }
        SeriesProblem::Untitled { index } => Diagnostic::error(
            toml,
            Position::START,
            format!("series {} has no title", index + 1),
        )
        .with_help("give every [[series]] a name: title = \"Leaving a job\""),
    }
}

fn front_matter_position(site: &Site, guide: usize, key: &str, value: &str) -> Position {
    let g = &site.guides[guide].guide;
    locate_value(&g.yaml, g.yaml_line_offset, key, value, 0).unwrap_or(Position::START)
}

fn slug_help(site: &Site, slug: &str) -> String {
    let slugs: Vec<&str> = site.guides.iter().map(|g| g.guide.slug.as_str()).collect();
    match nearest(slug, &slugs) {
        Some(near) => format!("did you mean `{near}`?"),
        None => "write the slug of a guide: its file name without `.md`, or its `slug:`".into(),
    }
}
