//! The "On this page" list of a guide page: its `##` and `###` headings and its widgets (steps
//! with their phases, checklists, FAQs, takeaways) in page order, nested as the page is (a
//! `###` under the `##` above it, phases under the steps), so the numbers of a list are the
//! numbers of its own level.
//!
//! An entry for something a reader ticks names the element whose checkboxes decide its tick
//! (`tracks`); the theme's script ticks the entry when every box in it is ticked.

use serde::Serialize;

use crate::model::body::{BodyPart, TocEntry};
use crate::model::prepared_guide::PreparedGuide;
use crate::model::views::WidgetView;

#[derive(Serialize, Debug, PartialEq)]
pub struct ContentsItem {
    /// The id the entry links to.
    pub id: String,
    pub text: String,
    /// The id of the element whose checkboxes decide the entry's tick.
    pub tracks: Option<String>,
    pub children: Vec<ContentsItem>,
}

/// A flat entry before nesting: its level (2 or 3) and the item.
type Flat = (u8, ContentsItem);

/// The contents of guide `g`, whose widgets `before` and `after` stand above and below its
/// body.
pub fn guide_contents(
    g: &PreparedGuide,
    before: &[WidgetView],
    after: &[WidgetView],
) -> Vec<ContentsItem> {
    let mut flat: Vec<Flat> = before.iter().filter_map(widget_entry).collect();
    let mut headings = g.body.toc.iter().peekable();
    for (k, part) in g.body.parts.iter().enumerate() {
        match part {
            BodyPart::Html(_) => {
                while let Some(h) = headings.next_if(|h| h.part <= k) {
                    flat.push(heading_entry(h));
                }
            }
            BodyPart::Widget(p) => {
                let Some(w) = g.widget(&p.widget) else {
                    continue;
                };
                let titled = p
                    .heading
                    .as_deref()
                    .and_then(|h| flat.iter_mut().rev().find(|(_, item)| item.id == h));
                match (titled, widget_entry(&w)) {
                    // The heading above the widget is its title: the heading's entry tracks it.
                    (Some((_, heading)), Some((_, entry))) => {
                        heading.tracks = entry.tracks;
                        heading.children = entry.children;
                    }
                    (None, Some(entry)) => flat.push(entry),
                    (_, None) => {}
                }
            }
        }
    }
    flat.extend(headings.map(heading_entry));
    flat.extend(after.iter().filter_map(widget_entry));
    nest(flat)
}

fn heading_entry(h: &TocEntry) -> Flat {
    (h.level, item(&h.id, &h.text, None))
}

fn item(id: &str, text: &str, tracks: Option<&str>) -> ContentsItem {
    ContentsItem {
        id: id.to_string(),
        text: text.to_string(),
        tracks: tracks.map(str::to_string),
        children: Vec::new(),
    }
}

/// The entry of a widget the contents list, with the titles its template gives it.
fn widget_entry(w: &WidgetView) -> Option<Flat> {
    match w {
        WidgetView::Takeaways(_) => Some((2, item("takeaways", "Key takeaways", None))),
        WidgetView::Faqs(_) => Some((2, item("faqs", "Frequently asked questions", None))),
        WidgetView::Checklist(c) => {
            let level = if c.from_body { 3 } else { 2 };
            Some((level, item(&c.html_id, &c.title, Some(&c.html_id))))
        }
        WidgetView::Steps(s) => {
            let mut steps = item("steps", "Step by step", Some("steps"));
            if s.has_phases {
                steps.children = s
                    .phases
                    .iter()
                    .map(|p| {
                        let title = p.title.as_deref().unwrap_or("More steps");
                        item(&p.html_id, title, Some(&p.html_id))
                    })
                    .collect();
            }
            Some((2, steps))
        }
        WidgetView::DosDonts(_) | WidgetView::Callout(_) | WidgetView::Message(_) => None,
    }
}

/// Level-3 entries under the level-2 entry above them (at the top when there is none).
fn nest(flat: Vec<Flat>) -> Vec<ContentsItem> {
    let mut top: Vec<ContentsItem> = Vec::new();
    let mut open = false;
    for (level, entry) in flat {
        match top.last_mut() {
            Some(parent) if level > 2 && open => parent.children.push(entry),
            _ => {
                open = level == 2;
                top.push(entry);
            }
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(level: u8, id: &str) -> Flat {
        (level, item(id, id, None))
    }

    fn shape(items: &[ContentsItem]) -> Vec<(String, Vec<String>)> {
        items
            .iter()
            .map(|i| {
                (
                    i.id.clone(),
                    i.children.iter().map(|c| c.id.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn third_level_headings_nest_under_the_second_level_above_them() {
        let nested = nest(vec![
            flat(3, "orphan"),
            flat(2, "a"),
            flat(3, "a1"),
            flat(3, "a2"),
            flat(2, "b"),
            flat(2, "c"),
            flat(3, "c1"),
        ]);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            shape(&nested),
            vec![
                ("orphan".to_string(), vec![]),
                ("a".to_string(), s(&["a1", "a2"])),
                ("b".to_string(), vec![]),
                ("c".to_string(), s(&["c1"])),
            ]
        );
    }
}
