//! The series box of a guide page: "Guide 4 of 8" and every guide of the series, each with
//! what the browser needs to show the reader's progress in it.

use serde::Serialize;

use crate::model::site::{Site, guide_path};

#[derive(Serialize)]
pub struct SeriesView {
    pub title: String,
    /// 1-based place of this guide.
    pub number: usize,
    pub count: usize,
    pub guides: Vec<SeriesGuideView>,
}

#[derive(Serialize)]
pub struct SeriesGuideView {
    pub slug: String,
    pub title: String,
    pub url: String,
    pub current: bool,
    /// Steps and checklist items, for the progress the browser shows.
    pub checkable_count: usize,
}

/// The series of guide `index`, if it belongs to one.
pub fn series_view(site: &Site, index: usize) -> Option<SeriesView> {
    let place = site.series.place_of(index)?;
    let series = &site.series.series[place.series];
    Some(SeriesView {
        title: series.title.clone(),
        number: place.place + 1,
        count: series.guides.len(),
        guides: series
            .guides
            .iter()
            .map(|&i| {
                let g = &site.guides[i];
                SeriesGuideView {
                    slug: g.guide.slug.clone(),
                    title: g.guide.front.title.clone(),
                    url: site.url(&guide_path(&g.guide.slug)),
                    current: i == index,
                    checkable_count: g.checkable_count(),
                }
            })
            .collect(),
    })
}
