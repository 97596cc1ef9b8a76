//! When a guide was last reviewed and when it is due again: `reviewed`, `reviewed_by` and
//! `review_every` in the front matter, `[review] every` in site.toml.
//!
//! A built page carries the due date, never a verdict: whether a guide is overdue is decided
//! by the reader's browser at view time and by `guidesmith check` on the day it runs.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::model::guide::{Date, FrontMatter};

/// How often guides are reviewed: `12 months`, `1 year`, `6 weeks`, `90 days`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReviewInterval {
    pub count: u32,
    pub unit: IntervalUnit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntervalUnit {
    Day,
    Week,
    Month,
    Year,
}

impl ReviewInterval {
    pub fn parse(text: &str) -> Result<ReviewInterval, String> {
        let bad = || {
            format!(
                "`{text}` is not a review interval; write a number and a unit, e.g. \"12 months\", \"1 year\", \"6 weeks\""
            )
        };
        let (count, unit) = text.trim().split_once(' ').ok_or_else(bad)?;
        let count: u32 = count.parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        let unit = match unit.trim().trim_end_matches('s') {
            "day" => IntervalUnit::Day,
            "week" => IntervalUnit::Week,
            "month" => IntervalUnit::Month,
            "year" => IntervalUnit::Year,
            _ => return Err(bad()),
        };
        Ok(ReviewInterval { count, unit })
    }
}

impl fmt::Display for ReviewInterval {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let name = match self.unit {
            IntervalUnit::Day => "day",
            IntervalUnit::Week => "week",
            IntervalUnit::Month => "month",
            IntervalUnit::Year => "year",
        };
        let plural = if self.count == 1 { "" } else { "s" };
        write!(f, "{} {name}{plural}", self.count)
    }
}

deserialize_by_parse!(ReviewInterval);

impl Serialize for ReviewInterval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The date a guide's next review is due: `reviewed` plus the guide's `review_every`, else the
/// site's. None when the guide has no `reviewed` date or no interval applies.
pub fn review_due(front: &FrontMatter, site_every: Option<ReviewInterval>) -> Option<Date> {
    let every = front.review_every.or(site_every)?;
    Some(add_interval(front.reviewed?, every))
}

/// `date` moved on by `every`; a day past the end of the month becomes its last day
/// (31 January + 1 month = 28 or 29 February).
pub fn add_interval(date: Date, every: ReviewInterval) -> Date {
    match every.unit {
        IntervalUnit::Day => from_days(days(date) + i64::from(every.count)),
        IntervalUnit::Week => from_days(days(date) + 7 * i64::from(every.count)),
        IntervalUnit::Month | IntervalUnit::Year => {
            let months = if every.unit == IntervalUnit::Year {
                every.count * 12
            } else {
                every.count
            };
            let index = u32::from(date.year) * 12 + u32::from(date.month) - 1 + months;
            let (year, month) = ((index / 12) as u16, (index % 12 + 1) as u8);
            Date {
                year,
                month,
                day: date.day.min(days_in_month(year, month)),
            }
        }
    }
}

/// Today's date in UTC, from the system clock.
pub fn today() -> Date {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    from_days((seconds / 86_400) as i64)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days(date: Date) -> i64 {
    let (m, d) = (i64::from(date.month), i64::from(date.day));
    let y = i64::from(date.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01 (`civil_from_days`).
pub(crate) fn from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date { year, month, day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn intervals_add_to_dates() {
        let every = |t| ReviewInterval::parse(t).unwrap();
        assert_eq!(
            add_interval(date("2026-03-01"), every("12 months")),
            date("2027-03-01")
        );
        assert_eq!(
            add_interval(date("2024-01-31"), every("1 month")),
            date("2024-02-29")
        );
        assert_eq!(
            add_interval(date("2026-12-25"), every("2 weeks")),
            date("2027-01-08")
        );
        assert_eq!(
            add_interval(date("2024-02-29"), every("1 year")),
            date("2025-02-28")
        );
        assert_eq!(
            add_interval(date("2026-03-01"), every("90 days")),
            date("2026-05-30")
        );
    }

    #[test]
    fn days_round_trip() {
        assert_eq!(days(date("1970-01-01")), 0);
        assert_eq!(from_days(days(date("2026-12-02"))), date("2026-12-02"));
        assert_eq!(from_days(20_424), date("2025-12-02"));
    }

    #[test]
    fn bad_intervals() {
        assert!(ReviewInterval::parse("yearly").is_err());
        assert!(ReviewInterval::parse("0 months").is_err());
        assert_eq!(
            ReviewInterval::parse("1 years").unwrap().to_string(),
            "1 year"
        );
    }
}
