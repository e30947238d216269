//! "What changed" (issue 30 item 5; docs/semantics.md §12): a query compared with the same query
//! over another window — by default the window just before it, of the same length. Both answers
//! come from the [`CostSource`] whole (no new SQL); rows are joined by name, each gets its
//! previous cost, Δ and Δ %, rows only in one answer are `new` or `gone`, and the result is
//! sorted by |Δ| descending ("top movers"), then paged as the request says.

use super::{ColumnId, CostSource, DataKind, Page, QueryError, QueryRequest, Row, Window, WindowError, parse_window};
use serde::Serialize;
use std::collections::HashMap;

/// What a query is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareTo {
    /// The window just before the query's, of the same length (`--compare previous`).
    Previous,
    /// A window of its own (`--compare WINDOW`, any form `--window` takes).
    Window(Window),
}

impl CompareTo {
    /// Parse `previous` (case-insensitive) or a window as [`parse_window`] reads it.
    ///
    /// Errors: [`WindowError`] when it is neither.
    pub fn parse(s: &str, now: chrono::DateTime<chrono::Utc>) -> Result<CompareTo, WindowError> {
        if s.trim().eq_ignore_ascii_case("previous") {
            return Ok(CompareTo::Previous);
        }
        parse_window(s, now).map(CompareTo::Window)
    }

    /// The window compared with `current`: `[start − length, start)` for [`CompareTo::Previous`].
    pub fn window_for(self, current: Window) -> Window {
        match self {
            CompareTo::Previous => Window {
                start: current.start - (current.end - current.start),
                end: current.start,
            },
            CompareTo::Window(w) => w,
        }
    }
}

/// Whether a row is in both answers, only the current one or only the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    /// In both answers.
    Both,
    /// Only in the current answer (its previous cost is 0).
    New,
    /// Only in the previous answer (its current values are 0).
    Gone,
}

impl Change {
    /// `both`, `new`, `gone`.
    pub fn name(self) -> &'static str {
        match self {
            Change::Both => "both",
            Change::New => "new",
            Change::Gone => "gone",
        }
    }
}

/// A row's (or the totals') comparison, in USD of the cost column ([`cost_column`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delta {
    /// The cost in the compared window (0 for a new row).
    pub previous: f64,
    /// Current − previous.
    pub delta: f64,
    /// Δ ÷ previous as a ratio (1.0 = +100 %); `None` when previous is 0.
    pub delta_ratio: Option<f64>,
    /// Both, new or gone.
    pub change: Change,
}

impl Delta {
    /// The comparison of `current` with `previous`.
    pub fn of(current: f64, previous: f64, change: Change) -> Delta {
        Delta {
            previous,
            delta: current - previous,
            delta_ratio: (previous != 0.0).then(|| (current - previous) / previous),
            change,
        }
    }
}

/// The column compared: `totalCost` (allocations, assets) or `cost` (cloud costs, the request's
/// cost metric).
pub fn cost_column(kind: DataKind) -> ColumnId {
    match kind {
        DataKind::CloudCost => ColumnId::Cost,
        DataKind::Allocation | DataKind::Asset => ColumnId::TotalCost,
    }
}

/// A compared answer: the current page (gone rows carry zeros, rows in |Δ| order, paged), one
/// [`Delta`] per page row, the totals' [`Delta`] and the window compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparedPage {
    /// Current values; `total_rows` counts new, kept and gone rows; totals are the current ones.
    pub page: Page,
    /// One per row of `page.rows`, in order.
    pub deltas: Vec<Delta>,
    /// The totals' comparison (`change` is [`Change::Both`]).
    pub totals: Delta,
    /// The window compared with.
    pub previous_window: Window,
}

/// Run `req` and the same request over `to`'s window through `src`, and compare them by row name.
///
/// Errors: either query's.
pub fn compare(src: &dyn CostSource, req: &QueryRequest, to: CompareTo) -> Result<ComparedPage, QueryError> {
    let previous_window = to.window_for(req.window);
    let now = src.query(&req.whole(req.window))?;
    let before = src.query(&req.whole(previous_window))?;
    Ok(join(req, now, before, previous_window))
}

/// A whole answer's rows by name (row names are unique within an answer).
pub fn by_name(page: &Page) -> HashMap<&str, &Row> {
    page.rows.iter().map(|r| (r.name.as_str(), r)).collect()
}

/// Join two whole answers of `req`'s kind by row name, sort by |Δ| and page (pure).
pub fn join(req: &QueryRequest, now: Page, before: Page, previous_window: Window) -> ComparedPage {
    let kind = req.kind;
    let col = cost_column(kind);
    let cost = |r: &Row| r.get(kind, col).unwrap_or(0.0);
    let mut prev = by_name(&before);
    let mut rows: Vec<(Row, Delta)> = Vec::with_capacity(now.rows.len());
    for r in &now.rows {
        let d = match prev.remove(r.name.as_str()) {
            Some(p) => Delta::of(cost(r), cost(p), Change::Both),
            None => Delta::of(cost(r), 0.0, Change::New),
        };
        rows.push((r.clone(), d));
    }
    for p in before.rows.iter().filter(|p| prev.contains_key(p.name.as_str())) {
        let gone = Row {
            values: vec![0.0; p.values.len()],
            ..p.clone()
        };
        rows.push((gone, Delta::of(0.0, cost(p), Change::Gone)));
    }
    rows.sort_by(|(a, da), (b, db)| db.delta.abs().total_cmp(&da.delta.abs()).then_with(|| a.name.cmp(&b.name)));
    let totals = Delta::of(cost(&now.totals), cost(&before.totals), Change::Both);
    let total_rows = rows.len();
    let start = req.offset.min(total_rows);
    let end = match req.limit {
        0 => total_rows,
        n => start.saturating_add(n).min(total_rows),
    };
    let (rows, deltas): (Vec<Row>, Vec<Delta>) = rows.drain(start..end).unzip();
    ComparedPage {
        page: Page {
            rows,
            total_rows,
            totals: now.totals,
            offset: req.offset,
            limit: req.limit,
            covered_hours: now.covered_hours,
            rate: now.rate,
        },
        deltas,
        totals,
        previous_window,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{CostRate, columns};

    fn page(rows: &[(&str, f64)]) -> Page {
        let kind = DataKind::Asset;
        let n = columns(kind).len();
        let at = crate::query::columns::position(kind, ColumnId::TotalCost).unwrap();
        let row = |name: &str, v: f64| {
            let mut values = vec![0.0; n];
            values[at] = v;
            Row {
                name: name.into(),
                properties: Default::default(),
                values,
            }
        };
        Page {
            rows: rows.iter().map(|(n, v)| row(n, *v)).collect(),
            total_rows: rows.len(),
            totals: row("totals", rows.iter().map(|r| r.1).sum()),
            offset: 0,
            limit: 0,
            covered_hours: 24.0,
            rate: CostRate::Cumulative,
        }
    }

    #[test]
    fn rows_join_by_name_and_sort_by_the_size_of_the_change() {
        let day = |d: i64| chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(d);
        let w = |d: i64| Window::new(day(d), day(d + 1)).unwrap();
        assert_eq!(CompareTo::Previous.window_for(w(5)), w(4));
        let req = QueryRequest {
            kind: DataKind::Asset,
            window: w(5),
            aggregate: Default::default(),
            filter: crate::query::Filter::All,
            idle: crate::query::IdleMode::Hide,
            sort: crate::query::Sort::default_for(DataKind::Asset),
            offset: 0,
            limit: 0,
            cost_metric: crate::model::CostMetricName::AmortizedNetCost,
            search: None,
            labels: Default::default(),
            rate: CostRate::Cumulative,
            share: Default::default(),
        };
        let c = join(
            &req,
            page(&[("a", 10.0), ("b", 5.0), ("new", 1.0)]),
            page(&[("a", 4.0), ("b", 6.0), ("old", 3.0)]),
            w(4),
        );
        let got: Vec<(&str, f64, Change)> = c
            .page
            .rows
            .iter()
            .zip(&c.deltas)
            .map(|(r, d)| (r.name.as_str(), d.delta, d.change))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", 6.0, Change::Both),
                ("old", -3.0, Change::Gone),
                ("b", -1.0, Change::Both),
                ("new", 1.0, Change::New)
            ]
        );
        assert_eq!(c.deltas[0].delta_ratio, Some(1.5));
        assert_eq!(c.deltas[3].delta_ratio, None);
        assert_eq!((c.totals.previous, c.totals.delta), (13.0, 3.0));
    }
}
