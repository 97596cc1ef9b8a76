//! [`UtcOffset`]: the time zone a site's dates are in (`utc_offset` in site.toml), so that a
//! date written `2026-03-01` becomes a point in time (`2026-03-01T00:00:00+01:00`) where one
//! is needed, as in JSON-LD `datePublished`.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::model::guide::Date;

/// An offset from UTC in minutes, from -23:59 to +23:59.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UtcOffset {
    minutes: i16,
}

impl UtcOffset {
    /// `Z`, `+01:00`, `-05:30`.
    pub fn parse(text: &str) -> Result<UtcOffset, String> {
        let bad = || {
            format!(
                "`{text}` is not a UTC offset; write a sign, hours and minutes, e.g. \"+01:00\", \"-05:00\", or \"Z\" for UTC"
            )
        };
        if text == "Z" {
            return Ok(UtcOffset::default());
        }
        let (sign, rest) = match text.as_bytes().first() {
            Some(b'+') => (1, &text[1..]),
            Some(b'-') => (-1, &text[1..]),
            _ => return Err(bad()),
        };
        let (h, m) = rest.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let (h, m): (i16, i16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(UtcOffset {
            minutes: sign * (h * 60 + m),
        })
    }

    /// Midnight at the start of `date` in this zone: `2026-03-01T00:00:00+01:00`.
    pub fn midnight_of(self, date: Date) -> String {
        format!("{}T00:00:00{self}", date.iso())
    }
}

/// Always `±HH:MM` (`+00:00` for UTC), the form schema.org examples use.
impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let m = self.minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

deserialize_by_parse!(UtcOffset);

impl Serialize for UtcOffset {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::UtcOffset;
    use crate::model::guide::Date;

    #[test]
    fn offsets_read_and_write() {
        let date = Date::parse("2026-03-01").unwrap();
        for (text, shown) in [
            ("Z", "+00:00"),
            ("+01:00", "+01:00"),
            ("-05:30", "-05:30"),
            ("+00:00", "+00:00"),
        ] {
            let offset = UtcOffset::parse(text).unwrap();
            assert_eq!(
                offset.midnight_of(date),
                format!("2026-03-01T00:00:00{shown}")
            );
        }
        for bad in [
            "", "01:00", "+1:00", "+24:00", "+01:60", "+0100", "UTC", "+01:0x",
        ] {
            assert!(UtcOffset::parse(bad).is_err(), "{bad:?}");
        }
    }
}
