//! The typed content model: a [`Guide`] and its structured parts.
//!
//! Plain data. The front-matter types deserialize straight from YAML (`load/front_matter.rs`);
//! ids an author leaves out are empty until `load/validate.rs` fills them in from titles.

use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

/// One guide: its source file, front matter and markdown body.
#[derive(Clone, Debug)]
pub struct Guide {
    /// Path relative to the site root, as shown in messages (`guides/first-message.md`).
    pub source: PathBuf,
    pub slug: String,
    pub front: FrontMatter,
    /// The markdown after the front matter, LF line endings, no BOM.
    pub body: String,
    /// How many lines of the file come before the body (so body line 1 is file line this + 1).
    pub body_line_offset: usize,
    /// The YAML text and how many lines come before it, for locating values in messages.
    pub yaml: String,
    pub yaml_line_offset: usize,
}

/// Everything between the `---` lines.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub updated: Option<Date>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The guide's image for search results and link previews; default: site.toml's `image`.
    #[serde(default)]
    pub image: Option<crate::model::address::PathOrUrl>,
    /// The title of the series the guide belongs to (docs/guide-format.md, "Series").
    #[serde(default)]
    pub series: Option<String>,
    /// The slug of the guide to read after this one, instead of the next in its series or on
    /// the home page.
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub takeaways: Vec<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
    /// The guide's total time as the author gives it, instead of the steps' sum.
    #[serde(default)]
    pub total_time: Option<Duration>,
    #[serde(default)]
    pub checklists: Vec<Checklist>,
    #[serde(default)]
    pub faqs: Vec<Faq>,
    #[serde(default)]
    pub dos_donts: Vec<DoDont>,
    #[serde(default)]
    pub callouts: Vec<Callout>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub sources: Vec<crate::model::source::Source>,
    /// When the guide's advice was last checked.
    #[serde(default)]
    pub reviewed: Option<Date>,
    #[serde(default)]
    pub reviewed_by: Option<String>,
    /// Overrides `[review] every` of site.toml for this guide.
    #[serde(default)]
    pub review_every: Option<crate::model::review::ReviewInterval>,
    /// Shown above the body, after the site's notices.
    #[serde(default)]
    pub notices: Vec<crate::model::notice::Notice>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    #[serde(default)]
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub duration: Option<Duration>,
    #[serde(default)]
    pub phase: Option<String>,
    /// Runs alongside another step: shown as usual, left out of the guide's total time.
    #[serde(default)]
    pub alongside: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    #[serde(default)]
    pub id: String,
    pub title: String,
    pub items: Vec<ChecklistItem>,
}

/// A checklist item: plain text in YAML (`- Buy stamps`) or `{id, text}` for a fixed id.
#[derive(Clone, Debug, PartialEq)]
pub struct ChecklistItem {
    pub id: String,
    pub text: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    #[serde(default)]
    pub id: String,
    pub q: String,
    pub a: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoDont {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub rows: Vec<DoDontRow>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DoDontRow {
    #[serde(rename = "do")]
    pub do_: String,
    pub dont: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callout {
    #[serde(default)]
    pub id: String,
    pub kind: CalloutKind,
    #[serde(default)]
    pub title: Option<String>,
    pub body: String,
    #[serde(default)]
    pub cite: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CalloutKind {
    Tip,
    Warning,
    Example,
    Quote,
}

impl CalloutKind {
    pub fn label(self) -> &'static str {
        match self {
            CalloutKind::Tip => "Tip",
            CalloutKind::Warning => "Warning",
            CalloutKind::Example => "Example",
            CalloutKind::Quote => "Quote",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    pub text: String,
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date; write it as YYYY-MM-DD, e.g. 2026-03-01");
        let parts: Vec<&str> = text.trim().split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(bad());
        };
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let (year, month, day) = (
            y.parse::<u16>().map_err(|_| bad())?,
            m.parse::<u8>().map_err(|_| bad())?,
            d.parse::<u8>().map_err(|_| bad())?,
        );
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => {
                return Err(format!(
                    "`{text}` has no month {month}; months run 01 to 12"
                ));
            }
        };
        if day == 0 || day > days {
            return Err(format!("`{text}` is not a day of that month"));
        }
        Ok(Date { year, month, day })
    }

    /// `2026-03-01`
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `1 March 2026`
    pub fn human(self) -> String {
        format!(
            "{} {} {}",
            self.day,
            MONTHS[usize::from(self.month) - 1],
            self.year
        )
    }

    /// RFC 3339 timestamp at midnight UTC, for feeds.
    pub fn rfc3339(self) -> String {
        format!("{}T00:00:00Z", self.iso())
    }
}

deserialize_by_parse!(Date);

/// How long a step takes: `30 minutes`, `2 hours`, `3 days`, `1-3 months`.
#[derive(Clone, Debug, PartialEq)]
pub struct Duration {
    pub text: String,
    pub min: u32,
    pub max: u32,
    pub unit: DurationUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

impl Duration {
    pub fn parse(text: &str) -> Result<Duration, String> {
        let bad = || {
            format!(
                "`{text}` is not a duration; write a number or range and a unit, e.g. \"30 minutes\", \"2 weeks\", \"1-3 months\""
            )
        };
        let (amount, unit) = text.trim().split_once(' ').ok_or_else(bad)?;
        let (min, max) = match amount.split_once(['-', '–']) {
            Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
            None => {
                let n = amount.parse().map_err(|_| bad())?;
                (n, n)
            }
        };
        if min == 0 || max < min {
            return Err(bad());
        }
        let unit = match unit.trim().trim_end_matches('s') {
            "minute" | "min" => DurationUnit::Minute,
            "hour" => DurationUnit::Hour,
            "day" => DurationUnit::Day,
            "week" => DurationUnit::Week,
            "month" => DurationUnit::Month,
            _ => return Err(bad()),
        };
        Ok(Duration {
            text: text.trim().to_string(),
            min,
            max,
            unit,
        })
    }

    /// ISO 8601 duration of the upper bound (`PT30M`, `P2W`), for schema.org.
    pub fn iso8601(&self) -> String {
        let n = self.max;
        match self.unit {
            DurationUnit::Minute => format!("PT{n}M"),
            DurationUnit::Hour => format!("PT{n}H"),
            DurationUnit::Day => format!("P{n}D"),
            DurationUnit::Week => format!("P{n}W"),
            DurationUnit::Month => format!("P{n}M"),
        }
    }

    /// The upper bound as an HTML duration (`PT30M`, `P14D`), for `<time datetime>`: HTML
    /// knows no weeks or months in this form, so a week is 7 days and a month 30.
    pub fn html_duration(&self) -> String {
        let n = self.max;
        match self.unit {
            DurationUnit::Minute => format!("PT{n}M"),
            DurationUnit::Hour => format!("PT{n}H"),
            DurationUnit::Day | DurationUnit::Week | DurationUnit::Month => {
                format!("P{}D", self.max_minutes() / (60 * 24))
            }
        }
    }

    /// The upper bound in minutes, for adding durations up.
    pub fn max_minutes(&self) -> u64 {
        u64::from(self.max) * self.unit.minutes()
    }

    /// The lower bound in minutes.
    pub fn min_minutes(&self) -> u64 {
        u64::from(self.min) * self.unit.minutes()
    }
}

impl DurationUnit {
    /// Minutes in one unit (a month counts 30 days).
    pub fn minutes(self) -> u64 {
        match self {
            DurationUnit::Minute => 1,
            DurationUnit::Hour => 60,
            DurationUnit::Day => 60 * 24,
            DurationUnit::Week => 60 * 24 * 7,
            DurationUnit::Month => 60 * 24 * 30,
        }
    }
}

deserialize_by_parse!(Duration);

impl<'de> Deserialize<'de> for ChecklistItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ItemVisitor;
        impl<'de> Visitor<'de> for ItemVisitor {
            type Value = ChecklistItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a checklist item: a text, or a map with `id` and `text`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ChecklistItem, E> {
                Ok(ChecklistItem {
                    id: String::new(),
                    text: v.to_string(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ChecklistItem, A::Error> {
                let (mut id, mut text) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "id" if id.is_some() => return Err(de::Error::duplicate_field("id")),
                        "text" if text.is_some() => {
                            return Err(de::Error::duplicate_field("text"));
                        }
                        "id" => id = Some(map.next_value::<String>()?),
                        "text" => text = Some(map.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["id", "text"])),
                    }
                }
                Ok(ChecklistItem {
                    id: id.unwrap_or_default(),
                    text: text.ok_or_else(|| de::Error::missing_field("text"))?,
                })
            }
        }
        deserializer.deserialize_any(ItemVisitor)
    }
}

/// A URL- and id-safe form of `text`: lowercase ASCII letters and digits joined by single
/// hyphens (`"Don't panic!"` -> `dont-panic`). Letters outside ASCII are kept as they are.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        // ASCII first: the Unicode tables are only needed for other letters.
        let alphanumeric = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if alphanumeric {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else if c == '\'' || c == '’' {
            // apostrophes join words: "don't" -> "dont"
        } else {
            pending_dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Don't panic!  Breathe."), "dont-panic-breathe");
        assert_eq!(slugify("  The 3 R's "), "the-3-rs");
        assert_eq!(slugify("Café & crème"), "café-crème");
    }

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2024-02-29").unwrap().human(),
            "29 February 2024"
        );
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-2-1").is_err());
    }

    #[test]
    fn durations() {
        let d = Duration::parse("1-3 months").unwrap();
        assert_eq!(d.iso8601(), "P3M");
        assert_eq!(Duration::parse("30 minutes").unwrap().iso8601(), "PT30M");
        for (text, html) in [
            ("30 minutes", "PT30M"),
            ("1-2 hours", "PT2H"),
            ("3 days", "P3D"),
            ("2 weeks", "P14D"),
            ("1-3 months", "P90D"),
        ] {
            assert_eq!(
                Duration::parse(text).unwrap().html_duration(),
                html,
                "{text}"
            );
        }
        assert!(Duration::parse("soon").is_err());
    }
}
