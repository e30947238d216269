//! "Where the month lands" (issue 30 item 6; docs/semantics.md §17): per row and in total, the
//! month-to-date cost and the projection to month end at the run rate of the last 7 days of data.
//! Both come from the [`CostSource`] whole (no new SQL): the same request over the month so far
//! and, as an hourly rate ([`CostRate::Hourly`]), over the last 7 days; rows are joined by name
//! with [`compare::by_name`](super::compare::by_name), as `--compare` joins them.
//!
//! "Now" is the end of the newest data of the kind ([`CostSource::data_extent`]), not the wall
//! clock, so a copy of old data projects the month its data ends in.

use super::compare::{by_name, cost_column};
use super::{CostRate, CostSource, DataKind, Page, QueryError, QueryRequest, Row, Window};
use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use serde::Serialize;

/// Days of data the run rate is measured over (Kubecost's default "last 7 days" window).
pub const RUN_RATE_DAYS: i64 = 7;

/// The windows of a projection, all half-open UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthWindows {
    /// The end of the newest data: what "now" means.
    pub now: DateTime<Utc>,
    /// The calendar month of the newest hour of data (`[month start, next month start)`).
    pub month: Window,
    /// `[month start, now)`.
    pub to_date: Window,
    /// `[now − 7 d, now)`; it may begin in the previous month.
    pub run_rate: Window,
}

impl MonthWindows {
    /// The windows for data ending at `now` (unix seconds). The month is the one holding the
    /// hour before `now`, so data ending at midnight on the 1st projects the month it completed.
    /// `None` when `now` is out of chrono's range.
    pub fn at(now: i64) -> Option<MonthWindows> {
        let now = Utc.timestamp_opt(now, 0).single()?;
        let last = now - Duration::hours(1);
        let start = Utc.with_ymd_and_hms(last.year(), last.month(), 1, 0, 0, 0).single()?;
        let (y, m) = if last.month() == 12 {
            (last.year() + 1, 1)
        } else {
            (last.year(), last.month() + 1)
        };
        let end = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).single()?;
        Some(MonthWindows {
            now,
            month: Window::new(start, end).ok()?,
            to_date: Window::new(start, now).ok()?,
            run_rate: Window::new(now - Duration::days(RUN_RATE_DAYS), now).ok()?,
        })
    }

    /// Hours from now to month end (0 when now is the month end).
    pub fn remaining_hours(&self) -> f64 {
        (self.month.end - self.now).num_seconds().max(0) as f64 / 3600.0
    }
}

/// One row's (or the totals') month, in USD of the cost column ([`cost_column`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    /// Cost from the month's start to now.
    pub month_to_date: f64,
    /// Month-to-date + run rate (USD/h over the last 7 days of data) × hours to month end.
    pub projected_month: f64,
}

impl Projection {
    /// From the month-to-date cost (USD) and the run rate (USD/h).
    pub fn of(month_to_date: f64, hourly: f64, remaining_hours: f64) -> Projection {
        Projection {
            month_to_date,
            projected_month: month_to_date + hourly * remaining_hours,
        }
    }
}

/// A page with each row's and the totals' [`Projection`].
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedPage {
    /// The request's own answer, untouched.
    pub page: Page,
    /// One per row of `page.rows`, in order.
    pub rows: Vec<Projection>,
    /// The totals' projection (the month-to-date and run-rate answers' totals).
    pub totals: Projection,
    /// The windows used.
    pub month: MonthWindows,
    /// Hours of data in the run-rate window (≤ 168; fewer when the data is younger).
    pub run_rate_hours: f64,
}

/// Why no projection could be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    /// No data of the kind yet, so there is no "now".
    #[error("no {0} data to project from")]
    NoData(&'static str),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
}

/// The windows for `kind`'s data in `src` ([`MonthWindows::at`] its newest data end).
///
/// Errors: [`ProjectionError::NoData`] when there is none; the extent query's.
pub fn windows(src: &dyn CostSource, kind: DataKind) -> Result<MonthWindows, ProjectionError> {
    src.data_extent(kind)?
        .and_then(|(_, end)| MonthWindows::at(end))
        .ok_or(ProjectionError::NoData(kind.plural()))
}

/// Answer `req` and project each of its rows and the totals (three queries; the projection
/// queries keep every option of `req` but its window, paging and rate).
///
/// Errors: see [`windows`]; any query's.
pub fn project(src: &dyn CostSource, req: &QueryRequest) -> Result<ProjectedPage, ProjectionError> {
    let month = windows(src, req.kind)?;
    let page = src.query(req)?;
    let (to_date, run_rate) = month_totals(src, req, &month)?;
    Ok(join(req, page, &to_date, &run_rate, month))
}

/// The month-to-date answer and the hourly run-rate answer of `req` (whole, cumulative / hourly).
///
/// Errors: either query's.
pub fn month_totals(src: &dyn CostSource, req: &QueryRequest, month: &MonthWindows) -> Result<(Page, Page), QueryError> {
    let mut to_date = req.whole(month.to_date);
    to_date.rate = CostRate::Cumulative;
    let mut run_rate = req.whole(month.run_rate);
    run_rate.rate = CostRate::Hourly;
    Ok((src.query(&to_date)?, src.query(&run_rate)?))
}

/// The totals' projection alone (the TUI header): month-to-date and projected month of `req`.
///
/// Errors: see [`project`].
pub fn project_totals(src: &dyn CostSource, req: &QueryRequest) -> Result<(MonthWindows, Projection), ProjectionError> {
    let month = windows(src, req.kind)?;
    let (to_date, run_rate) = month_totals(src, req, &month)?;
    let cost = |r: &Row| r.get(req.kind, cost_column(req.kind)).unwrap_or(0.0);
    Ok((
        month,
        Projection::of(cost(&to_date.totals), cost(&run_rate.totals), month.remaining_hours()),
    ))
}

/// Join `page` (an answer of `req`) with the month-to-date and hourly run-rate answers by row
/// name (pure). A row missing from one of them has 0 there.
pub fn join(req: &QueryRequest, page: Page, to_date: &Page, run_rate: &Page, month: MonthWindows) -> ProjectedPage {
    let kind = req.kind;
    let cost = |r: &Row| r.get(kind, cost_column(kind)).unwrap_or(0.0);
    let (mtd, rate) = (by_name(to_date), by_name(run_rate));
    let left = month.remaining_hours();
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let m = mtd.get(r.name.as_str()).map_or(0.0, |x| cost(x));
            let h = rate.get(r.name.as_str()).map_or(0.0, |x| cost(x));
            Projection::of(m, h, left)
        })
        .collect();
    ProjectedPage {
        rows,
        totals: Projection::of(cost(&to_date.totals), cost(&run_rate.totals), left),
        month,
        run_rate_hours: run_rate.covered_hours,
        page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_is_the_one_holding_the_newest_hour() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Data ending at midnight on Nov 1 completed October: nothing left to project.
        let m = MonthWindows::at(t("2026-11-01T00:00:00Z").timestamp()).unwrap();
        assert_eq!((m.month.start, m.month.end), (t("2026-10-01T00:00:00Z"), t("2026-11-01T00:00:00Z")));
        assert_eq!(m.remaining_hours(), 0.0);
        // Data ending Dec 3 (midnight): 2 days to date, 29 days left, run rate from Nov 26.
        let m = MonthWindows::at(t("2026-12-03T00:00:00Z").timestamp()).unwrap();
        assert_eq!(m.to_date.start, t("2026-12-01T00:00:00Z"));
        assert_eq!(m.month.end, t("2027-01-01T00:00:00Z"));
        assert_eq!(m.run_rate.start, t("2026-11-26T00:00:00Z"));
        assert_eq!(m.remaining_hours(), 29.0 * 24.0);
        assert_eq!(Projection::of(30.0, 2.0, 10.0).projected_month, 50.0);
    }
}
