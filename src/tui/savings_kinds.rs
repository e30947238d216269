//! The kinds the Savings tab lists ([`KINDS`]: adding a kind is one entry) and how one is
//! loaded through [`SavingsSource`] into a [`SavingsTable`] the view prints without knowing the
//! kind's row type. Each kind is asked exactly as `costscope savings <kind>` asks it with its
//! default parameters: the same window (the last `days` days of the kind's data), filter, sort and
//! page, so the tab's rows, totals and CSV export equal the CLI's.

use chrono::{DateTime, Duration, Utc};

use crate::commands::savings::cell_text;
use crate::query::savings::{
    AbandonedParams, Cell, DiskParams, NodeParams, SavingsPage, SavingsQuery, SavingsRow, SavingsSort, SavingsSource, SizingParams,
    VolumeParams,
};
use crate::query::{CostSource, DataKind, Filter, LabelConfig, QueryError, Window};

/// One savings kind of the tab.
#[derive(Clone, Copy, Debug)]
pub struct SavingsKind {
    /// Its name in the selector (`local disks`).
    pub name: &'static str,
    /// The CLI command giving the same table (`costscope savings disks --local`).
    pub command: &'static str,
    /// What its filter and window are over (allocations or assets).
    pub items: DataKind,
    /// Days of data its default window covers (the CLI's default).
    pub days: i64,
    /// Enter on a row shows its containers on the Allocations tab (the row names a controller).
    pub drills: bool,
    load: fn(&dyn SavingsSource, &SavingsAsk, Window) -> Result<SavingsTable, QueryError>,
}

/// Every kind, in selector order.
pub const KINDS: &[SavingsKind] = &[
    SavingsKind {
        name: "requests",
        command: "costscope savings requests",
        items: DataKind::Allocation,
        days: 7,
        drills: true,
        load: |s, a, w| rows_table(a, w, SizingParams::default(), |q| s.request_sizing(q)),
    },
    SavingsKind {
        name: "volumes",
        command: "costscope savings volumes",
        items: DataKind::Asset,
        days: 7,
        drills: false,
        load: |s, a, w| rows_table(a, w, VolumeParams {}, |q| s.unclaimed_volumes(q)),
    },
    SavingsKind {
        name: "disks",
        command: "costscope savings disks",
        items: DataKind::Asset,
        days: 7,
        drills: false,
        load: |s, a, w| rows_table(a, w, DiskParams::default(), |q| s.disk_sizing(q)),
    },
    SavingsKind {
        name: "local disks",
        command: "costscope savings disks --local",
        items: DataKind::Asset,
        days: 7,
        drills: false,
        load: |s, a, w| {
            let p = DiskParams {
                local: true,
                ..DiskParams::default()
            };
            rows_table(a, w, p, |q| s.disk_sizing(q))
        },
    },
    SavingsKind {
        name: "abandoned",
        command: "costscope savings abandoned",
        items: DataKind::Allocation,
        days: 2,
        drills: true,
        load: |s, a, w| {
            let p = AbandonedParams {
                days: (w.end - w.start).num_seconds() as f64 / 86_400.0,
                ..AbandonedParams::default()
            };
            rows_table(a, w, p, |q| s.abandoned_workloads(q))
        },
    },
    SavingsKind {
        name: "nodes",
        command: "costscope savings nodes",
        items: DataKind::Asset,
        days: 7,
        drills: false,
        load: |s, a, w| rows_table(a, w, NodeParams::default(), |q| s.underutilized_nodes(q)),
    },
];

/// What the tab asks of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct SavingsAsk {
    /// Index into [`KINDS`].
    pub kind: usize,
    /// Kubecost filter v2 over the kind's items.
    pub filter: Filter,
    /// Which label each alias field reads.
    pub labels: LabelConfig,
    /// Sort field (a JSON name of the row) and whether largest first; `None` = the kind's
    /// monthly figure, largest first.
    pub sort: Option<(String, bool)>,
    /// First row of the page.
    pub offset: usize,
    /// Rows per page; 0 = all.
    pub limit: usize,
    /// Also render the rows as the CLI's CSV ([`SavingsTable::csv`]).
    pub csv: bool,
}

/// One page of a kind, printable without its row type.
#[derive(Clone, Debug, PartialEq)]
pub struct SavingsTable {
    /// The window the rows cover.
    pub window: Window,
    /// The row's JSON field names (the columns, the sort keys).
    pub fields: Vec<&'static str>,
    /// Per field: a number (right-aligned).
    pub numeric: Vec<bool>,
    /// The field the totals sum (`monthlySavings`, `monthlyCost`, `savingsMonthly`).
    pub monthly: &'static str,
    /// The page's rows.
    pub rows: Vec<SavingsLine>,
    /// Rows in the whole result.
    pub total_rows: usize,
    /// Σ of the monthly figure over the whole result, USD per month.
    pub total_monthly: f64,
    /// Hours of data covered.
    pub covered_hours: f64,
    /// Items left out for lack of an input.
    pub left_out: usize,
    /// The rows as `costscope savings <kind> --format csv` prints them, when asked.
    pub csv: Option<String>,
}

/// One row: its cells as printed and the row as the CLI's JSON prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct SavingsLine {
    /// Printed cells, in [`SavingsTable::fields`] order.
    pub cells: Vec<String>,
    /// The row as JSON (what `--format json` lists under `data`).
    pub json: serde_json::Value,
}

impl SavingsLine {
    /// The text field `name` of the row, if it has one.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.json.get(name).and_then(serde_json::Value::as_str)
    }
}

/// Load `ask` from `source`: the window is the last `days` days of the kind's data, as the CLI's
/// default. Errors: the source has no savings queries or no data of the kind, or the query's.
pub fn load(source: &dyn CostSource, ask: &SavingsAsk) -> Result<SavingsTable, QueryError> {
    let kind = KINDS
        .get(ask.kind)
        .ok_or_else(|| QueryError::Invalid(format!("no savings kind {}", ask.kind)))?;
    let savings = source
        .savings()
        .ok_or_else(|| QueryError::Invalid("this source answers no savings queries".into()))?;
    let Some((_, end)) = source.data_extent(kind.items)? else {
        return Err(QueryError::Invalid(format!("no {} data yet", kind.items.plural())));
    };
    let end = DateTime::<Utc>::from_timestamp(end, 0).ok_or_else(|| QueryError::Invalid(format!("bad data end {end}")))?;
    let window = Window::new(end - Duration::days(kind.days), end).map_err(|e| QueryError::Invalid(e.to_string()))?;
    (kind.load)(savings, ask, window)
}

fn invalid(e: impl std::fmt::Display) -> QueryError {
    QueryError::Invalid(e.to_string())
}

fn csv<T: serde::Serialize>(ask: &SavingsAsk, rows: &[T], fields: &[&str]) -> Result<Option<String>, QueryError> {
    ask.csv
        .then(|| crate::commands::savings::csv_text(rows, fields).map_err(invalid))
        .transpose()
}

fn query<R: SavingsRow, P>(ask: &SavingsAsk, window: Window, params: P) -> Result<SavingsQuery<P>, QueryError> {
    Ok(SavingsQuery {
        window,
        filter: ask.filter.clone(),
        labels: ask.labels.clone(),
        params,
        sort: match &ask.sort {
            Some((f, desc)) => SavingsSort::parse::<R>(&format!("{f}:{}", if *desc { "desc" } else { "asc" })).map_err(invalid)?,
            None => SavingsSort::monthly::<R>(),
        },
        offset: ask.offset,
        limit: ask.limit,
    })
}

/// Ask the kind's query with `params` over `window` through `run` and print its page.
fn rows_table<R: SavingsRow, P>(
    ask: &SavingsAsk,
    window: Window,
    params: P,
    run: impl FnOnce(&SavingsQuery<P>) -> Result<SavingsPage<R>, QueryError>,
) -> Result<SavingsTable, QueryError> {
    let q = &query::<R, P>(ask, window, params)?;
    let page = run(q)?;
    let numeric = |f: &crate::query::savings::Field<R>| page.rows.first().is_some_and(|r| !matches!((f.get)(r), Cell::Text(_)));
    let fields = R::names();
    Ok(SavingsTable {
        window: q.window,
        numeric: R::FIELDS.iter().map(numeric).collect(),
        monthly: R::MONTHLY,
        rows: page
            .rows
            .iter()
            .map(|r| line(r, R::FIELDS.iter().map(|f| cell_text((f.get)(r))).collect()))
            .collect::<Result<_, _>>()?,
        total_rows: page.total_rows,
        total_monthly: page.totals.get(R::MONTHLY),
        covered_hours: page.covered_hours,
        left_out: page.left_out,
        csv: csv(ask, &page.rows, &fields)?,
        fields,
    })
}

fn line<T: serde::Serialize>(row: &T, cells: Vec<String>) -> Result<SavingsLine, QueryError> {
    Ok(SavingsLine {
        cells,
        json: serde_json::to_value(row).map_err(invalid)?,
    })
}

/// The monthly total and row count of every kind of [`KINDS`] with no filter, in order.
pub fn totals(source: &dyn CostSource, labels: &LabelConfig) -> Vec<super::savings_state::KindTotal> {
    use super::savings_state::KindTotal;
    (0..KINDS.len())
        .map(|kind| {
            let ask = SavingsAsk {
                kind,
                filter: Filter::All,
                labels: labels.clone(),
                sort: None,
                offset: 0,
                limit: 1,
                csv: false,
            };
            match load(source, &ask) {
                Ok(t) => KindTotal::Ready {
                    monthly: t.total_monthly,
                    rows: t.total_rows,
                },
                Err(e) => KindTotal::Failed(e.to_string()),
            }
        })
        .collect()
}

/// Why a savings export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Write all rows of `ask` to `path` as `costscope savings <kind> --format csv` prints them;
/// the file and its row count.
///
/// Errors: the query's, or the file cannot be written.
pub fn export(source: &dyn CostSource, ask: &SavingsAsk, path: &std::path::Path) -> Result<(std::path::PathBuf, usize), ExportError> {
    let ask = SavingsAsk { csv: true, ..ask.clone() };
    let table = load(source, &ask)?;
    let write = |e: std::io::Error| ExportError::Write {
        path: path.display().to_string(),
        source: e,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    std::fs::write(path, table.csv.unwrap_or_default()).map_err(write)?;
    tracing::info!(path = %path.display(), rows = table.rows.len(), "exported savings");
    Ok((path.to_path_buf(), table.rows.len()))
}
