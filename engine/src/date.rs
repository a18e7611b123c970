//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian) as a day number, with day counts.
//!
//! The engine needs only whole days: parsing and printing ISO dates, actual/365 day counts,
//! and adding calendar months for schedules. A date is stored as days since 1970-01-01, so
//! comparisons and differences are integer operations on the hot path.

use std::fmt;

/// A calendar date, stored as the number of days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Why a string is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DateParseError(String);

const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2200;

impl Date {
    /// The date of a year, month (1-12) and day (1-31), or `None` if it does not exist.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self(days_from_civil(year, month, day)))
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    pub fn from_days_since_epoch(days: i32) -> Self {
        Self(days)
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// Parses a strict ISO `YYYY-MM-DD` date between 1900 and 2200.
    pub fn parse(text: &str) -> Result<Self, DateParseError> {
        let b = text.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(DateParseError(format!(
                "`{text}` is not a date in the form YYYY-MM-DD"
            )));
        }
        let num = |r: std::ops::Range<usize>| -> u32 {
            b[r].iter().fold(0, |acc, c| acc * 10 + u32::from(c - b'0'))
        };
        let (year, month, day) = (num(0..4) as i32, num(5..7), num(8..10));
        Self::from_ymd(year, month, day).ok_or_else(|| {
            DateParseError(format!(
                "`{text}` is not a calendar date between {MIN_YEAR} and {MAX_YEAR}"
            ))
        })
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i32 {
        later.0 - self.0
    }

    /// The same day `months` calendar months later, clamped to the month's last day
    /// (2024-01-31 plus one month is 2024-02-29).
    pub fn add_months(self, months: u32) -> Self {
        let (y, m, d) = self.ymd();
        let total = (y * 12 + (m as i32 - 1)) + months as i32;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
        let nd = d.min(days_in_month(ny, nm));
        Self(days_from_civil(ny, nm, nd))
    }

    /// The date `days` days later.
    pub fn add_days(self, days: i32) -> Self {
        Self(self.0 + days)
    }
}

/// A date printed `YYYY-MM-DD` on the stack ([`Date::iso`]): no formatter, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsoDate([u8; 10]);

impl IsoDate {
    /// The text, `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dashes are ever written.
        std::str::from_utf8(&self.0).unwrap_or("0000-00-00")
    }
}

impl Date {
    /// The date as `YYYY-MM-DD` text on the stack, for years 0 to 9999 (every date [`Date::parse`]
    /// and [`Date::from_ymd`] make); `None` for a year outside them (a date moved there by
    /// arithmetic), which [`Display`](fmt::Display) prints with its sign or extra digits.
    pub fn iso(self) -> Option<IsoDate> {
        let (y, m, d) = self.ymd();
        let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
        let digit = |v: u32| b'0' + (v % 10) as u8;
        Some(IsoDate([
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ]))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.iso() {
            Some(iso) => f.write_str(iso.as_str()),
            None => {
                let (y, m, d) = self.ymd();
                write!(f, "{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

impl std::str::FromStr for Date {
    type Err = DateParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.iso() {
            Some(iso) => serializer.serialize_str(iso.as_str()),
            None => serializer.collect_str(self),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date string YYYY-MM-DD")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month of a year.
pub(crate) fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_stack_text_is_the_formatted_text(days in -800_000i32..3_000_000) {
            let date = Date::from_days_since_epoch(days);
            let (y, m, d) = date.ymd();
            let formatted = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(date.to_string(), formatted.clone());
            prop_assert_eq!(serde_json::to_string(&date).ok(), Some(format!("\"{formatted}\"")));
            match date.iso() {
                Some(iso) => prop_assert_eq!(iso.as_str(), formatted),
                None => prop_assert!(!(0..=9999).contains(&y)),
            }
        }
    }

    #[test]
    fn epoch_and_known_days() {
        assert_eq!(Date::parse("1970-01-01").map(Date::days_since_epoch), Ok(0));
        let a = Date::parse("2024-01-01").unwrap();
        let b = Date::parse("2024-04-01").unwrap();
        let c = Date::parse("2024-07-01").unwrap();
        assert_eq!(a.days_until(b), 91);
        assert_eq!(a.days_until(c), 182);
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "24-01-01",
            "2024/01/01",
            "",
            "2024-1-01",
            "1800-01-01",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Date::parse("2024-02-29").is_ok());
    }

    #[test]
    fn add_months_clamps_to_month_end() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(12).to_string(), "2025-01-31");
        assert_eq!(
            Date::parse("2023-11-15").unwrap().add_months(3).to_string(),
            "2024-02-15"
        );
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(days in -25_000i32..80_000) {
            let d = Date::from_days_since_epoch(days);
            let text = d.to_string();
            prop_assert_eq!(Date::parse(&text), Ok(d));
        }

        #[test]
        fn parse_never_panics(text in ".{0,12}") {
            let _ = Date::parse(&text);
        }
    }
}
