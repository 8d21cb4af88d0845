//! Time as Docket uses it: Unix milliseconds for `logged_at`, Unix seconds for
//! cosignature/v1 timestamps, RFC 3339 text for a statement's `issued_at`, and calendar
//! dates (`YYYY-MM-DD`) for a submission's `planned_release`. Units live in the types so
//! they cannot be mixed up.
//!
//! RFC 3339 (§5.6 `date-time`) is implemented by hand over the proleptic Gregorian
//! calendar (civil-from-days arithmetic), UTC only on output:
//!
//! ```text
//! 2026-06-02T14:03:07Z          whole seconds
//! 2026-06-02T14:03:07.250Z      milliseconds, when not zero
//! ```
//!
//! Parsing accepts `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`: a fraction of 1 to 9
//! digits (truncated to milliseconds), an offset converted to UTC. Rejected: lowercase
//! `t`/`z`, a space for `T`, leap seconds (`:60`, which Unix time cannot name), times
//! before 1970 and after year 9999. Pure: the clock is read by the binaries and passed in.

use std::fmt;

/// Milliseconds in a second.
const MILLIS_PER_SECOND: u64 = 1_000;
/// Seconds in a day (Unix time has no leap seconds).
const SECONDS_PER_DAY: u64 = 86_400;
/// 9999-12-31T23:59:59.999Z: the last instant with a four-digit RFC 3339 year.
const MAX_RFC3339_MILLIS: u64 = 253_402_300_799_999;

/// Milliseconds since the Unix epoch (UTC): the log's `logged_at`. JSON: an integer.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct UnixMillis(pub u64);

/// Seconds since the Unix epoch (UTC): c2sp.org/tlog-cosignature timestamps. JSON: an
/// integer.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct UnixSeconds(pub u64);

/// Why a timestamp or date was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// The text does not have the expected shape at `position` (a byte offset).
    #[error("expected {expected} at byte {position}")]
    Syntax {
        /// Byte offset of the first unexpected character (or the end of the text).
        position: usize,
        /// What should have been there.
        expected: &'static str,
    },
    /// A component is outside its range (month 13, February 30, hour 24, second 60...).
    #[error("{component} is out of range")]
    OutOfRange {
        /// `"month"`, `"day"`, `"hour"`, `"minute"`, `"second"` or `"offset"`.
        component: &'static str,
    },
    /// The instant is before 1970-01-01T00:00:00Z, which Unix time here cannot hold.
    #[error("the time is before the Unix epoch")]
    BeforeEpoch,
    /// The instant is after 9999-12-31T23:59:59.999Z, which RFC 3339 cannot write.
    #[error("the time is after year 9999")]
    AfterYear9999,
}

impl UnixMillis {
    /// The whole seconds of this instant (rounded down).
    pub fn to_seconds(self) -> UnixSeconds {
        UnixSeconds(self.0 / MILLIS_PER_SECOND)
    }

    /// This instant plus `secs` seconds, saturating at `u64::MAX` milliseconds (an
    /// instant no clock reaches, so comparisons stay meaningful).
    pub fn saturating_add_secs(self, secs: u64) -> UnixMillis {
        UnixMillis(
            self.0
                .saturating_add(secs.saturating_mul(MILLIS_PER_SECOND)),
        )
    }

    /// RFC 3339 text in UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before the `Z` when the
    /// milliseconds are not zero.
    pub fn to_rfc3339(self) -> Result<String, TimeError> {
        if self.0 > MAX_RFC3339_MILLIS {
            return Err(TimeError::AfterYear9999);
        }
        let millis = self.0 % MILLIS_PER_SECOND;
        let secs = self.0 / MILLIS_PER_SECOND;
        let days = secs / SECONDS_PER_DAY;
        let in_day = secs % SECONDS_PER_DAY;
        let date = Date::from_days_since_epoch(days);
        let (hour, minute, second) = (in_day / 3600, in_day / 60 % 60, in_day % 60);
        let mut text = format!("{date}T{hour:02}:{minute:02}:{second:02}");
        if millis != 0 {
            text.push_str(&format!(".{millis:03}"));
        }
        text.push('Z');
        Ok(text)
    }

    /// Parses an RFC 3339 `date-time` (see the module doc for what is accepted).
    pub fn parse_rfc3339(text: &str) -> Result<UnixMillis, TimeError> {
        let mut cursor = Cursor::new(text);
        let date = parse_date_at(&mut cursor)?;
        cursor.expect(b'T', "'T'")?;
        let hour = cursor.digits(2, "a 2-digit hour")?;
        cursor.expect(b':', "':'")?;
        let minute = cursor.digits(2, "a 2-digit minute")?;
        cursor.expect(b':', "':'")?;
        let second = cursor.digits(2, "a 2-digit second")?;
        let mut millis = 0;
        if cursor.peek() == Some(b'.') {
            cursor.advance();
            let start = cursor.position;
            let mut scale = 100;
            while let Some(digit) = cursor.peek().filter(u8::is_ascii_digit) {
                millis += u64::from(digit - b'0') * scale;
                scale /= 10;
                cursor.advance();
            }
            let len = cursor.position - start;
            if len == 0 || len > 9 {
                return Err(TimeError::Syntax {
                    position: start + len.min(9),
                    expected: "1 to 9 fraction digits",
                });
            }
        }
        // Offset in seconds east of UTC: local = UTC + offset.
        let offset: i64 = match cursor.peek() {
            Some(b'Z') => {
                cursor.advance();
                0
            }
            Some(sign @ (b'+' | b'-')) => {
                cursor.advance();
                let hours = cursor.digits(2, "a 2-digit offset hour")?;
                cursor.expect(b':', "':'")?;
                let minutes = cursor.digits(2, "a 2-digit offset minute")?;
                if hours > 23 || minutes > 59 {
                    return Err(TimeError::OutOfRange {
                        component: "offset",
                    });
                }
                let magnitude = i64::try_from(hours * 3600 + minutes * 60)
                    .expect("an offset below 24 hours fits in i64");
                if sign == b'+' { magnitude } else { -magnitude }
            }
            _ => {
                return Err(TimeError::Syntax {
                    position: cursor.position,
                    expected: "'Z' or a numeric offset",
                });
            }
        };
        cursor.end()?;
        if hour > 23 {
            return Err(TimeError::OutOfRange { component: "hour" });
        }
        if minute > 59 {
            return Err(TimeError::OutOfRange {
                component: "minute",
            });
        }
        if second > 59 {
            return Err(TimeError::OutOfRange {
                component: "second",
            });
        }
        let local_secs = date.days_since_epoch() * SECONDS_PER_DAY as i64
            + i64::try_from(hour * 3600 + minute * 60 + second).expect("a time of day fits in i64");
        let utc_secs = local_secs - offset;
        let utc_secs = u64::try_from(utc_secs).map_err(|_| TimeError::BeforeEpoch)?;
        let total = utc_secs * MILLIS_PER_SECOND + millis;
        if total > MAX_RFC3339_MILLIS {
            return Err(TimeError::AfterYear9999);
        }
        Ok(UnixMillis(total))
    }
}

impl UnixSeconds {
    /// The first millisecond of this second.
    pub fn to_millis(self) -> UnixMillis {
        UnixMillis(self.0.saturating_mul(MILLIS_PER_SECOND))
    }
}

/// A calendar date (proleptic Gregorian, years 0000–9999), written `YYYY-MM-DD` as in a
/// submission's `planned_release`. JSON: that string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, checked: year at most 9999, month 1–12, day within the month.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, TimeError> {
        if year > 9999 {
            return Err(TimeError::AfterYear9999);
        }
        if !(1..=12).contains(&month) {
            return Err(TimeError::OutOfRange { component: "month" });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(TimeError::OutOfRange { component: "day" });
        }
        Ok(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Parses exactly `YYYY-MM-DD` (RFC 3339 `full-date`).
    pub fn parse(text: &str) -> Result<Date, TimeError> {
        let mut cursor = Cursor::new(text);
        let date = parse_date_at(&mut cursor)?;
        cursor.end()?;
        Ok(date)
    }

    /// Days from 1970-01-01 to this date (negative before it).
    fn days_since_epoch(&self) -> i64 {
        // Civil-to-days over 400-year eras of 146,097 days, with years starting in March
        // so that the leap day falls at the end of the year.
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        // 719,468 days separate 0000-03-01 from 1970-01-01.
        era * 146_097 + day_of_era - 719_468
    }

    /// The date `days` after 1970-01-01 (the inverse of `days_since_epoch`).
    fn from_days_since_epoch(days: u64) -> Date {
        let shifted = days + 719_468;
        let era = shifted / 146_097;
        let day_of_era = shifted % 146_097;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        let year = era * 400 + year_of_era + u64::from(month <= 2);
        // Callers pass at most MAX_RFC3339_MILLIS worth of days, so the year fits in u16.
        Date {
            year: u16::try_from(year).expect("callers keep dates within year 9999"),
            month: u8::try_from(month).expect("month is 1..=12"),
            day: u8::try_from(day).expect("day is 1..=31"),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn is_leap_year(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_date_at(cursor: &mut Cursor<'_>) -> Result<Date, TimeError> {
    let year = cursor.digits(4, "a 4-digit year")?;
    cursor.expect(b'-', "'-'")?;
    let month = cursor.digits(2, "a 2-digit month")?;
    cursor.expect(b'-', "'-'")?;
    let day = cursor.digits(2, "a 2-digit day")?;
    Date::new(
        u16::try_from(year).expect("4 digits fit in u16"),
        u8::try_from(month).expect("2 digits fit in u8"),
        u8::try_from(day).expect("2 digits fit in u8"),
    )
}

/// A position in ASCII text being parsed.
struct Cursor<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            bytes: text.as_bytes(),
            position: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn advance(&mut self) {
        self.position += 1;
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), TimeError> {
        if self.peek() != Some(byte) {
            return Err(TimeError::Syntax {
                position: self.position,
                expected,
            });
        }
        self.advance();
        Ok(())
    }

    /// Exactly `count` ASCII digits as a number.
    fn digits(&mut self, count: usize, expected: &'static str) -> Result<u64, TimeError> {
        let mut value = 0;
        for _ in 0..count {
            match self.peek() {
                Some(digit @ b'0'..=b'9') => value = value * 10 + u64::from(digit - b'0'),
                _ => {
                    return Err(TimeError::Syntax {
                        position: self.position,
                        expected,
                    });
                }
            }
            self.advance();
        }
        Ok(value)
    }

    fn end(&self) -> Result<(), TimeError> {
        if self.position != self.bytes.len() {
            return Err(TimeError::Syntax {
                position: self.position,
                expected: "the end",
            });
        }
        Ok(())
    }
}

/// Serde helpers for an optional RFC 3339 field such as `issued_at`: absent means `None`;
/// present must be a valid timestamp string (`null` is rejected, omit the field instead).
pub mod rfc3339_option {
    use super::UnixMillis;

    /// Writes `Some(t)` as RFC 3339 text (use with `skip_serializing_if = "Option::is_none"`).
    pub fn serialize<S: serde::Serializer>(
        value: &Option<UnixMillis>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(time) => {
                let text = time.to_rfc3339().map_err(serde::ser::Error::custom)?;
                serializer.serialize_str(&text)
            }
            None => serializer.serialize_none(),
        }
    }

    /// Reads RFC 3339 text (use with `default`, so an absent field is `None`).
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<UnixMillis>, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
        UnixMillis::parse_rfc3339(&text)
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
