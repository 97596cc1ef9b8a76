//! How long a guide takes in all: the steps' durations added as ranges, or the author's own
//! `total_time`.
//!
//! Steps marked `alongside: true` run with another step and are left out of the sum. A sum is
//! only given when every counted step has a duration: a total that silently skips steps would
//! say less time than the guide takes. schema.org's `totalTime` is a single length, so it is
//! given only when the sum is exact (no step is a range) or the author set `total_time`.

use crate::model::guide::{Duration, Step};

const MINUTE: u64 = 1;
const HOUR: u64 = 60;
const DAY: u64 = 60 * 24;
const WEEK: u64 = DAY * 7;
const MONTH: u64 = DAY * 30;

/// A guide's total time, in words for the page and as ISO 8601 for JSON-LD.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TotalTime {
    /// `about 6–10 weeks`, `3 hours`, or the author's `total_time` as written.
    pub words: String,
    /// `PT3H`; none for a sum of ranges.
    pub iso: Option<String>,
}

/// The total of `steps`, or `set` (the guide's `total_time`) when the author gave one.
pub(crate) fn total_time(steps: &[Step], set: Option<&Duration>) -> Option<TotalTime> {
    if let Some(d) = set {
        return Some(TotalTime {
            words: d.text.clone(),
            iso: Some(d.iso8601()),
        });
    }
    let counted: Vec<&Step> = steps.iter().filter(|s| !s.alongside).collect();
    if counted.is_empty() {
        return None;
    }
    let (mut min, mut max) = (0u64, 0u64);
    for step in counted {
        let d = step.duration.as_ref()?;
        min += d.min_minutes();
        max += d.max_minutes();
    }
    Some(TotalTime {
        words: range_in_words(min, max),
        iso: (min == max).then(|| minutes_iso8601(max)),
    })
}

/// `2 weeks`, `about 3 months`, `about 6–10 weeks`, `up to about 3 months`. A single length
/// takes the largest unit it reaches; a range the largest its upper bound holds three times,
/// so 6–10 weeks stays in weeks rather than rounding to 1–2 months.
pub(crate) fn range_in_words(min: u64, max: u64) -> String {
    let units = [
        (MONTH, "month"),
        (WEEK, "week"),
        (DAY, "day"),
        (HOUR, "hour"),
        (MINUTE, "minute"),
    ];
    let (size, name) = units
        .into_iter()
        .find(|(size, _)| {
            if min == max {
                max >= *size
            } else {
                max >= 3 * *size
            }
        })
        .unwrap_or((MINUTE, "minute"));
    let round = |m: u64| (m + size / 2) / size;
    let (low, high) = (round(min), round(max));
    let plural = if high == 1 { "" } else { "s" };
    if low == high {
        let exact = min == max && max.is_multiple_of(size);
        let about = if exact { "" } else { "about " };
        format!("{about}{high} {name}{plural}")
    } else if low == 0 {
        format!("up to about {high} {name}{plural}")
    } else {
        format!("about {low}–{high} {name}{plural}")
    }
}

/// `P15DT3H`: days, hours and minutes.
fn minutes_iso8601(minutes: u64) -> String {
    let (days, hours, mins) = (minutes / DAY, minutes / HOUR % 24, minutes % HOUR);
    let mut iso = String::from("P");
    if days > 0 {
        iso.push_str(&format!("{days}D"));
    }
    if hours > 0 || mins > 0 {
        iso.push('T');
        if hours > 0 {
            iso.push_str(&format!("{hours}H"));
        }
        if mins > 0 {
            iso.push_str(&format!("{mins}M"));
        }
    }
    iso
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(duration: Option<&str>, alongside: bool) -> Step {
        Step {
            id: String::new(),
            title: "A step".into(),
            body: String::new(),
            duration: duration.map(|d| Duration::parse(d).unwrap()),
            phase: None,
            alongside,
        }
    }

    #[test]
    fn ranges_add_as_ranges() {
        let steps = [
            step(Some("2-4 weeks"), false),
            step(Some("4-6 weeks"), false),
        ];
        let total = total_time(&steps, None).unwrap();
        assert_eq!(total.words, "about 6–10 weeks");
        assert_eq!(total.iso, None);
    }

    #[test]
    fn exact_sums_have_an_iso_length() {
        let steps = [step(Some("2 weeks"), false), step(Some("3 hours"), false)];
        let total = total_time(&steps, None).unwrap();
        assert_eq!(total.words, "about 2 weeks");
        assert_eq!(total.iso.as_deref(), Some("P14DT3H"));
    }

    #[test]
    fn alongside_steps_are_not_counted() {
        let steps = [step(Some("1 month"), false), step(Some("2 months"), true)];
        assert_eq!(total_time(&steps, None).unwrap().words, "1 month");
        // An alongside step needs no duration of its own.
        let steps = [step(Some("1 month"), false), step(None, true)];
        assert_eq!(total_time(&steps, None).unwrap().words, "1 month");
    }

    #[test]
    fn no_total_when_a_counted_step_has_no_duration() {
        let steps = [step(Some("1 month"), false), step(None, false)];
        assert_eq!(total_time(&steps, None), None);
    }

    #[test]
    fn the_author_total_wins() {
        let steps = [step(Some("1 month"), false)];
        let set = Duration::parse("3-6 months").unwrap();
        let total = total_time(&steps, Some(&set)).unwrap();
        assert_eq!(total.words, "3-6 months");
        assert_eq!(total.iso.as_deref(), Some("P6M"));
    }

    #[test]
    fn words() {
        assert_eq!(range_in_words(45, 45), "45 minutes");
        assert_eq!(range_in_words(WEEK * 2, WEEK * 2), "2 weeks");
        assert_eq!(
            range_in_words(MONTH * 3 + 60, MONTH * 3 + 60),
            "about 3 months"
        );
        assert_eq!(range_in_words(30, MONTH * 3), "up to about 3 months");
        assert_eq!(range_in_words(MONTH, MONTH * 3), "about 1–3 months");
        assert_eq!(range_in_words(DAY * 2, DAY * 5), "about 2–5 days");
    }
}
