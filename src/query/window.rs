//! Kubecost query windows: the text forms accepted by every Kubecost/OpenCost
//! query API (`window=` parameter), turned into a half-open UTC interval.
//!
//! Follows OpenCost `core/pkg/opencost/window.go` (`parseWindow`) with UTC as
//! the offset, as `docs/semantics.md` §7 states it. `now` comes from
//! [`crate::clock::now`] (`COSTSCOPE_NOW` fixes it for tests).
//!
//! | form | window (`D0` = start of today UTC) |
//! |---|---|
//! | `today` | `[D0, D0+1d)` |
//! | `yesterday` | `[D0-1d, D0)` |
//! | `week` | `[most recent Sunday 00:00, now)` (week to date, weeks start Sunday) |
//! | `lastweek` | the full Sunday..Saturday week before `week` |
//! | `month` | `[1st of this month 00:00, now)` |
//! | `lastmonth` | the full previous calendar month |
//! | `Nm` / `Nh` / `Nd` | end = now floored to the unit + 1 unit, start = end − N units |
//! | `Nw` | same as `(7·N)d` |
//! | `<N><u> offset <M><u>` | end = now − M units (not rounded), start = end − N units |
//! | `2026-11-01T00:00:00Z,2026-11-08T00:00:00Z` | exactly that RFC3339 pair |
//! | `1793404800,1793491200` (also `-` or `\|`) | exactly that unix-seconds pair |
//! | `2026-11-01,2026-11-08` | `[2026-11-01 00:00, 2026-11-08 00:00)` (end date exclusive) |
//!
//! Departures from OpenCost (`docs/semantics.md` §7): keywords and units are
//! case-insensitive; an `offset` in weeks is 7 days (OpenCost reads it as 24
//! weeks); an empty window (`0d`) is an error; RFC3339 pairs may carry any
//! offset; the date pair is ours.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// Text listing every accepted window form; used in every [`WindowError`].
pub const ACCEPTED_WINDOWS: &str = "today, yesterday, week, month, lastweek, lastmonth, \
<N>m, <N>h, <N>d, <N>w (N >= 1, e.g. 15m, 24h, 7d, 2w), \"<dur> offset <dur>\" (e.g. 7d offset 48h), \
an RFC3339 pair (2026-11-01T00:00:00Z,2026-11-08T00:00:00Z), \
a unix-seconds pair (1793404800,1793491200, also with - or |) or a date pair (2026-11-01,2026-11-08)";

/// A half-open time interval `[start, end)` in UTC; `end > start` always holds
/// for windows built by [`parse_window`] or [`Window::new`].
///
/// `Display` prints the RFC3339 pair form, which [`parse_window`] reads back.
/// Follows OpenCost `core/pkg/opencost/window.go` (`Window`), without open ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    /// Inclusive start (UTC).
    pub start: DateTime<Utc>,
    /// Exclusive end (UTC).
    pub end: DateTime<Utc>,
}

/// Why a window string was rejected. Every message echoes the bad input and
/// lists the accepted forms ([`ACCEPTED_WINDOWS`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// The text matches none of the accepted forms.
    #[error("invalid window {input:?}: expected one of {ACCEPTED_WINDOWS}")]
    Invalid {
        /// The rejected input, as given.
        input: String,
    },
    /// The text is well formed but its end is not after its start.
    #[error("invalid window {input:?}: the end must be after the start (accepted forms: {ACCEPTED_WINDOWS})")]
    Empty {
        /// The rejected input, as given.
        input: String,
    },
    /// A count or timestamp is too large to be represented as a date.
    #[error("invalid window {input:?}: the numbers are out of range (accepted forms: {ACCEPTED_WINDOWS})")]
    OutOfRange {
        /// The rejected input, as given.
        input: String,
    },
}

impl Window {
    /// Builds `[start, end)`. Errors with [`WindowError::Empty`] when
    /// `end <= start` (the `input` echoed is the RFC3339 pair).
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, WindowError> {
        if end <= start {
            return Err(WindowError::Empty {
                input: format!("{},{}", rfc3339(start), rfc3339(end)),
            });
        }
        Ok(Window { start, end })
    }

    /// Length of the window (`end - start`), always positive.
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    /// The UTC day starts (00:00:00Z) of every calendar day that overlaps the
    /// window, oldest first. For `[2026-11-01T12:00Z, 2026-11-03T00:00Z)` that is
    /// Nov 1 and Nov 2. This is the list of daily ETL sets a query must read.
    pub fn days(&self) -> DayStarts {
        DayStarts {
            next: day_floor(self.start),
            end: self.end,
        }
    }

    /// True when `[start, end)` shares any instant with this window.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start < self.end && self.start < end
    }

    /// True when both ends fall on UTC midnight, i.e. daily sets answer the
    /// window exactly.
    pub fn is_day_aligned(&self) -> bool {
        self.start == day_floor(self.start) && self.end == day_floor(self.end)
    }
}

impl fmt::Display for Window {
    /// Prints `start,end` as RFC3339 with a `Z` suffix, e.g.
    /// `2026-11-01T00:00:00Z,2026-11-08T00:00:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", rfc3339(self.start), rfc3339(self.end))
    }
}

/// Iterator over the UTC day starts of a [`Window`]; built by [`Window::days`].
#[derive(Debug, Clone)]
pub struct DayStarts {
    next: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Iterator for DayStarts {
    type Item = DateTime<Utc>;

    fn next(&mut self) -> Option<DateTime<Utc>> {
        if self.next >= self.end {
            return None;
        }
        let day = self.next;
        match day.checked_add_signed(Duration::days(1)) {
            Some(n) => self.next = n,
            None => self.next = self.end,
        }
        Some(day)
    }
}

/// Parses a Kubecost window string relative to `now` (see the module table
/// for every form and its exact interval). Surrounding whitespace is ignored;
/// keywords and units are case-insensitive.
///
/// Errors: [`WindowError::Invalid`] for unknown text, [`WindowError::Empty`]
/// when a pair's end is not after its start, [`WindowError::OutOfRange`] when
/// numbers overflow the calendar. Each echoes the input and lists the forms.
///
/// Follows OpenCost `core/pkg/opencost/window.go` (`parseWindow`) and
/// `docs/semantics.md` §7, with the departures listed in the module docs.
pub fn parse_window(s: &str, now: DateTime<Utc>) -> Result<Window, WindowError> {
    let input = s.trim();
    let invalid = || WindowError::Invalid { input: s.to_string() };
    if input.is_empty() {
        return Err(invalid());
    }
    let lower = input.to_ascii_lowercase();
    let res = if let Some(span) = unix_pair(input) {
        Some(span)
    } else if let Some((a, b)) = input.split_once(',') {
        parse_pair(a.trim(), b.trim())
    } else if let Some((dur, off)) = lower.split_once(" offset ") {
        relative_with_offset(dur.trim(), off.trim(), now)
    } else {
        keyword(&lower, now).or_else(|| relative(&lower, now))
    };
    match res {
        Some(Ok((start, end))) if end > start => Ok(Window { start, end }),
        Some(Ok(_)) => Err(WindowError::Empty { input: s.to_string() }),
        Some(Err(Overflow)) => Err(WindowError::OutOfRange { input: s.to_string() }),
        None => Err(invalid()),
    }
}

/// Marker for calendar overflow while computing a window.
struct Overflow;

type Span = Result<(DateTime<Utc>, DateTime<Utc>), Overflow>;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

fn day_floor(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t.date_naive().and_hms_opt(0, 0, 0).expect("midnight exists"))
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
}

fn sub(t: DateTime<Utc>, d: Duration) -> Result<DateTime<Utc>, Overflow> {
    t.checked_sub_signed(d).ok_or(Overflow)
}

fn add(t: DateTime<Utc>, d: Duration) -> Result<DateTime<Utc>, Overflow> {
    t.checked_add_signed(d).ok_or(Overflow)
}

/// `today`, `yesterday`, `week`, `lastweek`, `month`, `lastmonth`.
fn keyword(s: &str, now: DateTime<Utc>) -> Option<Span> {
    let d0 = day_floor(now);
    let day = Duration::days(1);
    let sunday = d0 - Duration::days(i64::from(now.weekday().num_days_from_sunday()));
    let first = midnight(now.date_naive().with_day(1).expect("day 1 exists"));
    let span = match s {
        "today" => (d0, d0 + day),
        "yesterday" => (d0 - day, d0),
        "week" => (sunday, now),
        "lastweek" => (sunday - Duration::days(7), sunday),
        "month" => (first, now),
        "lastmonth" => {
            let prev = (first - day).date_naive().with_day(1).expect("day 1 exists");
            (midnight(prev), first)
        }
        _ => return None,
    };
    Some(Ok(span))
}

/// Splits `15m` / `24h` / `7d` / `2w` into a count and a unit duration.
fn split_duration(s: &str) -> Option<(i64, Duration)> {
    let unit = s.chars().last()?;
    let digits = &s[..s.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Counts beyond i64 are reported as out of range by the caller via a
    // huge value that overflows the calendar.
    let n: i64 = digits.parse().unwrap_or(i64::MAX);
    let unit = match unit {
        'm' => Duration::minutes(1),
        'h' => Duration::hours(1),
        'd' => Duration::days(1),
        'w' => Duration::weeks(1),
        _ => return None,
    };
    Some((n, unit))
}

/// `Nm`, `Nh`, `Nd`, `Nw`, aligned to whole units (see module docs).
fn relative(s: &str, now: DateTime<Utc>) -> Option<Span> {
    let (n, unit) = split_duration(s)?;
    if n < 1 {
        return None;
    }
    Some(aligned(n, unit, now))
}

fn aligned(n: i64, unit: Duration, now: DateTime<Utc>) -> Span {
    // Current unit: the minute, the hour, or the day (days and weeks).
    let (cur, step) = if unit == Duration::minutes(1) {
        (now.with_second(0).and_then(|t| t.with_nanosecond(0)).expect("valid"), unit)
    } else if unit == Duration::hours(1) {
        let t = now.with_minute(0).and_then(|t| t.with_second(0));
        (t.and_then(|t| t.with_nanosecond(0)).expect("valid"), unit)
    } else {
        (day_floor(now), Duration::days(1))
    };
    let per = unit.num_seconds() / step.num_seconds();
    let count = n.checked_mul(per).ok_or(Overflow)?;
    let back = Duration::try_seconds((count - 1).checked_mul(step.num_seconds()).ok_or(Overflow)?).ok_or(Overflow)?;
    Ok((sub(cur, back)?, add(cur, step)?))
}

/// `<N><u> offset <M><u>`: end = now − M units (not rounded), start = end − N units.
fn relative_with_offset(dur: &str, off: &str, now: DateTime<Utc>) -> Option<Span> {
    let (n, unit) = split_duration(dur)?;
    let (m, off_unit) = split_duration(off)?;
    if n < 1 {
        return None;
    }
    let times = |k: i64, u: Duration| k.checked_mul(u.num_seconds()).and_then(Duration::try_seconds).ok_or(Overflow);
    Some((|| -> Span {
        let end = sub(now, times(m, off_unit)?)?;
        Ok((sub(end, times(n, unit)?)?, end))
    })())
}

/// A unix-seconds pair `S,E`, `S-E` or `S|E` (digits only).
fn unix_pair(s: &str) -> Option<Span> {
    let (a, b) = s.split_once([',', '-', '|'])?;
    let (a, b) = (a.trim(), b.trim());
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(a) && all_digits(b)) {
        return None;
    }
    let secs = |x: &str| x.parse::<i64>().ok().and_then(|v| DateTime::from_timestamp(v, 0));
    Some(match (secs(a), secs(b)) {
        (Some(s), Some(e)) => Ok((s, e)),
        _ => Err(Overflow),
    })
}

/// RFC3339 or date pair.
fn parse_pair(a: &str, b: &str) -> Option<Span> {
    if let (Ok(s), Ok(e)) = (DateTime::parse_from_rfc3339(a), DateTime::parse_from_rfc3339(b)) {
        return Some(Ok((s.with_timezone(&Utc), e.with_timezone(&Utc))));
    }
    if let (Ok(s), Ok(e)) = (NaiveDate::parse_from_str(a, "%Y-%m-%d"), NaiveDate::parse_from_str(b, "%Y-%m-%d")) {
        return Some(Ok((midnight(s), midnight(e))));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday 2026-11-18 13:47:25 UTC.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 18, 13, 47, 25).unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn check(input: &str, start: &str, end: &str) {
        let w = parse_window(input, now()).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!((w.start, w.end), (t(start), t(end)), "window {input}");
    }

    #[test]
    fn keywords() {
        check("today", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z");
        check("yesterday", "2026-11-17T00:00:00Z", "2026-11-18T00:00:00Z");
        check("week", "2026-11-15T00:00:00Z", "2026-11-18T13:47:25Z");
        check("lastweek", "2026-11-08T00:00:00Z", "2026-11-15T00:00:00Z");
        check("month", "2026-11-01T00:00:00Z", "2026-11-18T13:47:25Z");
        check("lastmonth", "2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z");
        check("  Today ", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z");
    }

    #[test]
    fn week_on_a_sunday_starts_today() {
        let sunday = Utc.with_ymd_and_hms(2026, 11, 15, 9, 0, 0).unwrap();
        let w = parse_window("week", sunday).unwrap();
        assert_eq!(w.start, t("2026-11-15T00:00:00Z"));
        let lw = parse_window("lastweek", sunday).unwrap();
        assert_eq!((lw.start, lw.end), (t("2026-11-08T00:00:00Z"), t("2026-11-15T00:00:00Z")));
    }

    #[test]
    fn lastmonth_in_january_crosses_the_year() {
        let jan = Utc.with_ymd_and_hms(2027, 1, 3, 0, 0, 0).unwrap();
        let w = parse_window("lastmonth", jan).unwrap();
        assert_eq!((w.start, w.end), (t("2026-12-01T00:00:00Z"), t("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn relative_forms_are_aligned() {
        check("7d", "2026-11-12T00:00:00Z", "2026-11-19T00:00:00Z");
        check("1d", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z");
        check("24h", "2026-11-17T14:00:00Z", "2026-11-18T14:00:00Z");
        check("1h", "2026-11-18T13:00:00Z", "2026-11-18T14:00:00Z");
        check("15m", "2026-11-18T13:33:00Z", "2026-11-18T13:48:00Z");
        check("2w", "2026-11-05T00:00:00Z", "2026-11-19T00:00:00Z");
        check("7D", "2026-11-12T00:00:00Z", "2026-11-19T00:00:00Z");
    }

    #[test]
    fn offset_form_ends_at_now_minus_offset() {
        check("7d offset 48h", "2026-11-09T13:47:25Z", "2026-11-16T13:47:25Z");
        check("1h offset 0h", "2026-11-18T12:47:25Z", "2026-11-18T13:47:25Z");
        check("1d offset 1w", "2026-11-10T13:47:25Z", "2026-11-11T13:47:25Z");
    }

    #[test]
    fn pairs() {
        check(
            "2026-11-01T00:00:00Z,2026-11-08T00:00:00Z",
            "2026-11-01T00:00:00Z",
            "2026-11-08T00:00:00Z",
        );
        check(
            "2026-11-01T02:00:00+02:00, 2026-11-02T00:00:00Z",
            "2026-11-01T00:00:00Z",
            "2026-11-02T00:00:00Z",
        );
        check("1793404800,1793491200", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z");
        check("1793404800-1793491200", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z");
        check("1793404800|1793491200", "2026-10-31T00:00:00Z", "2026-11-01T00:00:00Z");
        check("2026-11-01,2026-11-08", "2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z");
    }

    #[test]
    fn display_round_trips() {
        let w = parse_window("3d", now()).unwrap();
        assert_eq!(w.to_string(), "2026-11-16T00:00:00Z,2026-11-19T00:00:00Z");
        assert_eq!(parse_window(&w.to_string(), now()).unwrap(), w);
    }

    #[test]
    fn errors_echo_input_and_list_forms() {
        for bad in ["", "0d", "7x", "d", "-3d", "tomorrow", "7 d", "2026-11-01", "a,b", "1.5h"] {
            let err = parse_window(bad, now()).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, WindowError::Invalid { .. }), "{bad}: {msg}");
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
            for form in [
                "today",
                "lastmonth",
                "<N>h",
                "<N>d",
                "<N>m",
                "<N>w",
                "RFC3339",
                "unix-seconds",
                "date pair",
            ] {
                assert!(msg.contains(form), "{msg} lacks {form}");
            }
        }
        let e = parse_window("2026-11-08,2026-11-01", now()).unwrap_err();
        assert!(matches!(e, WindowError::Empty { .. }), "{e}");
        let e = parse_window("99999999999999999d", now()).unwrap_err();
        assert!(matches!(e, WindowError::OutOfRange { .. }), "{e}");
        let e = parse_window("1,99999999999999999", now()).unwrap_err();
        assert!(matches!(e, WindowError::OutOfRange { .. }), "{e}");
    }

    #[test]
    fn days_and_overlaps() {
        let w = Window::new(t("2026-11-01T12:00:00Z"), t("2026-11-03T00:00:00Z")).unwrap();
        let days: Vec<_> = w.days().collect();
        assert_eq!(days, vec![t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z")]);
        assert_eq!(parse_window("7d", now()).unwrap().days().count(), 7);
        assert!(!w.is_day_aligned());
        assert!(w.overlaps(t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z")));
        assert!(!w.overlaps(t("2026-11-03T00:00:00Z"), t("2026-11-04T00:00:00Z")));
        assert!(Window::new(w.end, w.start).is_err());
        assert_eq!(w.duration(), Duration::hours(36));
    }
}
