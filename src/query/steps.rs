//! Cost over time: how a window is cut into steps, after Kubecost's `/model/allocation`
//! `accumulate` and `step` parameters (Kubecost docs `api-allocation.md`; OpenCost
//! `AllocationSetRange.Accumulate`, `accumulateByHour/Day/Week/Month/Quarter`).
//!
//! * `accumulate=true` (the default): one set for the whole window.
//! * `accumulate=false`: one set per `step` (`1h`, `1d`, `1w`; default `1d`), from the window's
//!   start.
//! * `accumulate=hour|day|week|month|quarter`: one set per calendar unit in UTC (weeks start on
//!   Sunday, as Kubecost's `week` window does), the first and last clipped to the window.
//!
//! Every step is answered like a window of its own, so the steps of a window sum to the
//! accumulated answer for every additive column (`docs/semantics.md` §10).

use super::{CostSource, Page, QueryError, QueryRequest, Window};
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};

/// How a window's cost is split over time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Accumulate {
    /// One set for the window (`true`).
    #[default]
    All,
    /// One set per fixed step from the window's start (`false`; `--step`).
    Step(StepSize),
    /// One set per calendar unit (`hour`, `day`, `week`, `month`, `quarter`).
    Calendar(CalendarUnit),
}

/// The most steps one answer may hold (about 7 months of hours, 13 years of days). Each step is a
/// result of its own, so `--accumulate hour --window 100000d` (2.4 million steps) ran for minutes
/// (issue 35.9); past this [`Accumulate::check_steps`] refuses.
pub const MAX_STEPS: i64 = 5_000;

/// A fixed step (`--step 1h|1d|1w`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepSize {
    Hour,
    Day,
    Week,
}

/// A calendar unit of `accumulate=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalendarUnit {
    Hour,
    Day,
    Week,
    Month,
    Quarter,
}

impl StepSize {
    /// Parse `1h`, `1d` or `1w` (also `hour`, `day`, `week`, `24h`, `7d`).
    pub fn parse(s: &str) -> Option<StepSize> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1h" | "h" | "hour" | "60m" => Some(StepSize::Hour),
            "1d" | "d" | "day" | "24h" => Some(StepSize::Day),
            "1w" | "w" | "week" | "7d" => Some(StepSize::Week),
            _ => None,
        }
    }

    fn duration(self) -> Duration {
        match self {
            StepSize::Hour => Duration::hours(1),
            StepSize::Day => Duration::days(1),
            StepSize::Week => Duration::weeks(1),
        }
    }
}

/// Why `--accumulate`/`--step` were refused; one line naming the option and what is accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StepsError {
    /// `--step` is not a step size.
    #[error("--step {0:?}: expected 1h, 1d or 1w")]
    Step(String),
    /// `--accumulate` is not a known value.
    #[error("--accumulate {0:?}: expected true, false, hour, day, week, month or quarter")]
    Accumulate(String),
    /// `--step` given with another `--accumulate` than `false`.
    #[error("--step {0:?} goes with --accumulate false")]
    StepWithoutFalse(String),
    /// The window holds more than [`MAX_STEPS`] steps.
    #[error(
        "--accumulate {accumulate} over {days} days is about {steps} steps, more than {MAX_STEPS}: use a coarser step or a shorter --window"
    )]
    TooMany {
        /// [`Accumulate::describe`] of the request.
        accumulate: String,
        /// Whole days of the window.
        days: i64,
        /// Steps counted.
        steps: i64,
    },
}

impl Accumulate {
    /// Parse `--accumulate` (`true`, `false`, `hour`, `day`, `week`, `month`, `quarter`) with the
    /// optional `--step` (only with `false`).
    ///
    /// Errors: an unknown value, or a step given with another accumulate; the message lists what
    /// is accepted.
    pub fn parse(accumulate: &str, step: Option<&str>) -> Result<Accumulate, StepsError> {
        let unit = match accumulate.trim().to_ascii_lowercase().as_str() {
            "true" | "" => None,
            "false" => {
                return match step {
                    None => Ok(Accumulate::Step(StepSize::Day)),
                    Some(s) => StepSize::parse(s)
                        .map(Accumulate::Step)
                        .ok_or_else(|| StepsError::Step(s.to_string())),
                };
            }
            "hour" => Some(CalendarUnit::Hour),
            "day" => Some(CalendarUnit::Day),
            "week" => Some(CalendarUnit::Week),
            "month" => Some(CalendarUnit::Month),
            "quarter" => Some(CalendarUnit::Quarter),
            other => {
                return Err(StepsError::Accumulate(other.to_string()));
            }
        };
        if let Some(s) = step {
            return Err(StepsError::StepWithoutFalse(s.to_string()));
        }
        Ok(unit.map_or(Accumulate::All, Accumulate::Calendar))
    }

    /// Whether the answer is one set for the whole window.
    pub fn is_all(self) -> bool {
        self == Accumulate::All
    }

    /// The name `--accumulate` takes for this value, with the step for `false` (`false 1d`).
    pub fn describe(self) -> String {
        match self {
            Accumulate::All => "true".into(),
            Accumulate::Step(s) => format!(
                "false (step {})",
                match s {
                    StepSize::Hour => "1h",
                    StepSize::Day => "1d",
                    StepSize::Week => "1w",
                }
            ),
            Accumulate::Calendar(u) => match u {
                CalendarUnit::Hour => "hour",
                CalendarUnit::Day => "day",
                CalendarUnit::Week => "week",
                CalendarUnit::Month => "month",
                CalendarUnit::Quarter => "quarter",
            }
            .into(),
        }
    }

    /// Refuse a window cut into more than [`MAX_STEPS`] steps, before any is computed (counted
    /// from the window's length, at most two over for calendar units).
    ///
    /// Errors: a one-line message with the count and what to change.
    pub fn check_steps(self, w: Window) -> Result<(), StepsError> {
        let hours = (w.end - w.start).num_hours().max(0);
        let per_step = match self {
            Accumulate::All => return Ok(()),
            Accumulate::Step(s) => s.duration().num_hours(),
            Accumulate::Calendar(CalendarUnit::Hour) => 1,
            Accumulate::Calendar(CalendarUnit::Day) => 24,
            Accumulate::Calendar(CalendarUnit::Week) => 24 * 7,
            Accumulate::Calendar(CalendarUnit::Month) => 24 * 28,
            Accumulate::Calendar(CalendarUnit::Quarter) => 24 * 89,
        };
        let steps = hours / per_step + 1;
        if steps > MAX_STEPS {
            return Err(StepsError::TooMany {
                accumulate: self.describe(),
                days: hours / 24,
                steps,
            });
        }
        Ok(())
    }

    /// The step windows of `w`, oldest first; they tile `w` exactly (no gap, no overlap).
    pub fn windows(self, w: Window) -> Vec<Window> {
        let mut out = Vec::new();
        let mut start = w.start;
        while start < w.end {
            let next = match self {
                Accumulate::All => w.end,
                Accumulate::Step(s) => start + s.duration(),
                Accumulate::Calendar(u) => next_boundary(start, u),
            }
            .min(w.end);
            out.push(Window { start, end: next });
            start = next;
        }
        out
    }
}

/// The first boundary of `unit` after `t` (UTC).
fn next_boundary(t: DateTime<Utc>, unit: CalendarUnit) -> DateTime<Utc> {
    let at = |y: i32, m: u32, d: u32, h: u32| Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap_or(t);
    let day = at(t.year(), t.month(), t.day(), 0);
    // The first of the month `n` months after month `from0` (0-based) of `t`'s year.
    let add_months = |from0: u32, n: u32| {
        let m = from0 + n;
        at(t.year() + (m / 12) as i32, m % 12 + 1, 1, 0)
    };
    match unit {
        CalendarUnit::Hour => at(t.year(), t.month(), t.day(), t.hour()) + Duration::hours(1),
        CalendarUnit::Day => day + Duration::days(1),
        CalendarUnit::Week => day + Duration::days(7 - i64::from(t.weekday().num_days_from_sunday())),
        CalendarUnit::Month => add_months(t.month0(), 1),
        CalendarUnit::Quarter => add_months(t.month0() / 3 * 3, 3),
    }
}

/// Answer `req` once per step of `accumulate` over `req.window` (one step when accumulating):
/// each step is `req` with the step's window, paged and sorted alike, run as a query of its own
/// (what [`CostSource::query_steps`] does unless a source answers all steps at once).
///
/// A step wholly outside the source's [`CostSource::data_span`] is answered empty without a
/// query, so a ten-year window by day costs the days that hold data, not 3,650 queries.
///
/// Errors: the first step's query error.
pub fn each_step<S: CostSource + ?Sized>(src: &S, req: &QueryRequest, accumulate: Accumulate) -> Result<Vec<(Window, Page)>, QueryError> {
    let span = src.data_span(req.kind)?;
    accumulate
        .windows(req.window)
        .into_iter()
        .map(|w| {
            let step = QueryRequest { window: w, ..req.clone() };
            let outside = span.is_some_and(|(start, end)| w.end.timestamp() <= start || w.start.timestamp() >= end);
            let page = if outside { Ok(Page::empty(&step)) } else { src.query(&step) };
            page.map(|p| (w, p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str, e: &str) -> Window {
        Window {
            start: s.parse().unwrap(),
            end: e.parse().unwrap(),
        }
    }

    #[test]
    fn too_many_steps_are_refused_before_any_is_computed() {
        let hour = Accumulate::Calendar(CalendarUnit::Hour);
        let long = w("1752-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        let e = hour.check_steps(long).unwrap_err().to_string();
        assert!(e.contains("more than 5000"), "{e}");
        assert!(Accumulate::Step(StepSize::Hour).check_steps(long).is_err());
        assert!(Accumulate::All.check_steps(long).is_ok());
        assert!(Accumulate::Calendar(CalendarUnit::Month).check_steps(long).is_ok());
        let year = w("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        assert!(Accumulate::Step(StepSize::Day).check_steps(year).is_ok());
        assert!(hour.check_steps(year).is_err(), "8760 hours");
    }

    #[test]
    fn steps_tile_the_window() {
        let week = w("2026-11-14T00:00:00Z", "2026-11-21T00:00:00Z");
        assert_eq!(Accumulate::All.windows(week), vec![week]);
        let days = Accumulate::parse("false", None).unwrap().windows(week);
        assert_eq!(days.len(), 7);
        assert_eq!((days[0].start, days[6].end), (week.start, week.end));
        assert!(days.windows(2).all(|p| p[0].end == p[1].start));
        assert_eq!(Accumulate::parse("false", Some("1h")).unwrap().windows(week).len(), 168);
        // 2026-11-14 is a Saturday: weeks start on Sunday.
        let weeks = Accumulate::parse("week", None).unwrap().windows(week);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[0].end, "2026-11-15T00:00:00Z".parse::<DateTime<Utc>>().unwrap());
        let q = Accumulate::parse("quarter", None)
            .unwrap()
            .windows(w("2026-08-15T00:00:00Z", "2027-01-10T00:00:00Z"));
        let ends: Vec<String> = q.iter().map(|x| x.end.format("%Y-%m-%d").to_string()).collect();
        assert_eq!(ends, ["2026-10-01", "2027-01-01", "2027-01-10"]);
        let m = Accumulate::parse("month", None)
            .unwrap()
            .windows(w("2026-11-14T00:00:00Z", "2027-01-02T00:00:00Z"));
        assert_eq!(m.len(), 3);
        assert!(Accumulate::parse("day", Some("1h")).is_err());
        assert!(Accumulate::parse("sometimes", None).is_err());
    }
}

#[cfg(test)]
mod span_tests {
    use super::*;
    use crate::query::{DailySeries, DataKind, Row, SourceObject};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A source holding one row of $1 per queried window, data only over days 10–12 (unix days).
    struct TwoDays(AtomicUsize);

    impl CostSource for TwoDays {
        fn query(&self, req: &QueryRequest) -> Result<Page, QueryError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let mut p = Page::empty(req);
            p.total_rows = 1;
            p.totals.values[0] = 1.0;
            Ok(p)
        }
        fn daily_series(&self, _: &QueryRequest, _: &Row) -> Result<DailySeries, QueryError> {
            Ok(Vec::new())
        }
        fn sources(&self, _: &QueryRequest, _: &Row) -> Result<Vec<SourceObject>, QueryError> {
            Ok(Vec::new())
        }
        fn data_extent(&self, _: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
            Ok(Some((10 * 86_400, 12 * 86_400)))
        }
        fn data_span(&self, _: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
            Ok(Some((10 * 86_400, 12 * 86_400)))
        }
    }

    /// 3,650 daily steps over a source holding two days run two queries; every other step is an
    /// empty page of its own window.
    #[test]
    fn steps_outside_the_stored_data_are_answered_empty_without_a_query() {
        let day = |d: i64| chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(d);
        let req = QueryRequest {
            kind: DataKind::Allocation,
            window: Window::new(day(0), day(3650)).unwrap(),
            aggregate: Default::default(),
            filter: crate::query::Filter::All,
            idle: crate::query::IdleMode::Hide,
            sort: crate::query::Sort::default_for(DataKind::Allocation),
            offset: 0,
            limit: 0,
            cost_metric: crate::model::CostMetricName::AmortizedNetCost,
            search: None,
            labels: Default::default(),
            rate: crate::query::CostRate::Cumulative,
            share: Default::default(),
        };
        let src = TwoDays(AtomicUsize::new(0));
        let steps = each_step(&src, &req, Accumulate::Calendar(CalendarUnit::Day)).unwrap();
        assert_eq!(steps.len(), 3650);
        assert_eq!(src.0.load(Ordering::SeqCst), 2);
        let held: Vec<i64> = steps
            .iter()
            .filter(|(_, p)| p.total_rows == 1)
            .map(|(w, _)| w.start.timestamp() / 86_400)
            .collect();
        assert_eq!(held, [10, 11]);
    }
}
