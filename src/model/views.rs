//! View data for the widget templates: every widget of a guide with its HTML ids and its
//! markdown rendered.

use serde::Serialize;

use crate::model::guide::CalloutKind;

#[derive(Clone, Debug, Serialize)]
pub struct TakeawaysView {
    pub items: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepsView {
    pub count: usize,
    pub has_phases: bool,
    pub phases: Vec<PhaseView>,
    /// The guide's total time in words (`about 6–10 weeks`), see [`crate::model::total_time`].
    pub total_time: Option<String>,
    /// The same as ISO 8601 (`P14DT3H`), only when exact or set by the author.
    #[serde(skip)]
    pub total_time_iso: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PhaseView {
    pub title: Option<String>,
    pub html_id: String,
    pub steps: Vec<StepView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub id: String,
    pub html_id: String,
    pub number: usize,
    pub title: String,
    pub body: String,
    pub duration: Option<String>,
    /// The duration for `<time datetime>` ([`crate::model::guide::Duration::html_duration`]).
    pub duration_iso: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ChecklistView {
    /// Made from a task list in the body (its title is the heading above it).
    pub from_body: bool,
    pub id: String,
    pub html_id: String,
    pub title: String,
    pub items: Vec<ItemView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemView {
    pub id: String,
    pub html_id: String,
    pub html: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FaqView {
    pub id: String,
    pub html_id: String,
    pub question: String,
    pub answer: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoDontView {
    pub id: String,
    pub html_id: String,
    pub title: String,
    pub rows: Vec<DoDontRowView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoDontRowView {
    pub do_html: String,
    pub dont_html: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct CalloutView {
    pub id: String,
    pub html_id: String,
    pub kind: CalloutKind,
    pub label: &'static str,
    pub title: Option<String>,
    pub body: String,
    pub cite: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MessageView {
    pub id: String,
    pub html_id: String,
    pub label: Option<String>,
    pub text: String,
}

/// One widget ready for its template (`widgets/<kind>.html`).
#[derive(Clone, Debug)]
pub enum WidgetView<'a> {
    Takeaways(&'a TakeawaysView),
    Steps(&'a StepsView),
    Faqs(&'a [FaqView]),
    Checklist(&'a ChecklistView),
    DosDonts(&'a DoDontView),
    Callout(&'a CalloutView),
    Message(&'a MessageView),
}

impl WidgetView<'_> {
    pub fn template(&self) -> &'static str {
        match self {
            WidgetView::Takeaways(_) => "widgets/takeaways.html",
            WidgetView::Steps(_) => "widgets/steps.html",
            WidgetView::Faqs(_) => "widgets/faqs.html",
            WidgetView::Checklist(_) => "widgets/checklist.html",
            WidgetView::DosDonts(_) => "widgets/dos-donts.html",
            WidgetView::Callout(_) => "widgets/callout.html",
            WidgetView::Message(_) => "widgets/message.html",
        }
    }
}
