//! Guides past their review date, on the day the check runs: warnings, or errors for
//! `guidesmith check --deny-stale`.

use crate::diagnostic::Diagnostic;
use crate::model::guide::Date;
use crate::model::review::review_due;
use crate::model::site::Site;

/// One diagnostic per guide whose review fell due before `today`; errors when `deny`.
pub(crate) fn find_overdue_reviews(site: &Site, today: Date, deny: bool) -> Vec<Diagnostic> {
    let every = site.config.review.every;
    site.guides
        .iter()
        .filter_map(|g| {
            let front = &g.guide.front;
            let due = review_due(front, every)?;
            let reviewed = front.reviewed?;
            (due < today).then(|| {
                let message = format!(
                    "review overdue: last reviewed {}, due {}",
                    reviewed.human(),
                    due.human()
                );
                let make = if deny {
                    Diagnostic::error
                } else {
                    Diagnostic::warning
                };
                make(&g.guide.source, g.review_position, message).with_help(
                    "check the guide's advice and sources, then set `reviewed:` to the day you did",
                )
            })
        })
        .collect()
}
