//! A cost query and its answer, shared by the aggregator (which answers it with DuckDB), the CLI
//! and the TUI (which never see SQL). Mirrors Kubecost's `/model/allocation`, `/model/assets` and
//! `/model/cloudCost` parameters (`window`, `aggregate`, `filter`, `idle`, `offset`, `limit`;
//! Kubecost docs `api-allocation.md`, `api-assets.md`, `cloud-cost-api.md`) plus a `sort`, which Kubecost lacks.

use super::columns::{ColumnId, columns, position};
use super::share::Sharing;
use super::steps::Accumulate;
use super::{Aggregate, DataKind, Filter, LabelConfig, Window};
use crate::model::CostMetricName;
use serde::Serialize;
use std::collections::BTreeMap;

/// How idle cost (node cost not allocated to workloads) is shown. Kubecost `idle`, `shareIdle`,
/// `idleByNode` parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IdleMode {
    /// No idle rows (Kubecost `idle=false`).
    Hide,
    /// One `__idle__` row for all clusters (Kubecost's API default, `splitIdle=false`).
    Merged,
    /// One `<cluster>/__idle__` row per cluster (`splitIdle=true`; costscope's default).
    SeparateByCluster,
    /// One `<cluster>/<node>/__idle__` row per node (`splitIdle=true&idleByNode=true`).
    SeparateByNode,
    /// Idle spread over the rows in proportion to their CPU/GPU/RAM cost (`shareIdle=true`).
    Share,
}

impl IdleMode {
    /// Every mode, in the order the TUI cycles through them.
    pub const ALL: [IdleMode; 5] = [
        IdleMode::SeparateByCluster,
        IdleMode::SeparateByNode,
        IdleMode::Merged,
        IdleMode::Share,
        IdleMode::Hide,
    ];
    /// CLI / header name: `separate`, `node`, `merged`, `share`, `hide`.
    pub fn name(self) -> &'static str {
        match self {
            IdleMode::Hide => "hide",
            IdleMode::Merged => "merged",
            IdleMode::SeparateByCluster => "separate",
            IdleMode::SeparateByNode => "node",
            IdleMode::Share => "share",
        }
    }
    /// Other words accepted for the mode: Kubecost's `idle=false` (hide) and `idle=true` /
    /// `splitIdle` (separate), `cluster`, `bynode`, `merge`.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            IdleMode::Hide => &["false", "none"],
            IdleMode::SeparateByCluster => &["cluster", "true"],
            IdleMode::SeparateByNode => &["bynode", "separate-node"],
            IdleMode::Merged => &["merge"],
            IdleMode::Share => &[],
        }
    }
    /// Parse a [`IdleMode::name`] or one of its [`IdleMode::aliases`], case-insensitively.
    pub fn parse(s: &str) -> Option<IdleMode> {
        let s = s.trim();
        IdleMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(s) || m.aliases().iter().any(|a| a.eq_ignore_ascii_case(s)))
    }
    /// The next mode (TUI `i` key).
    pub fn next(self) -> IdleMode {
        let i = IdleMode::ALL.iter().position(|m| *m == self).unwrap_or(0);
        IdleMode::ALL[(i + 1) % IdleMode::ALL.len()]
    }
}

/// Which cost a result shows: the window's total, or a rate (Kubecost UI's cost metric; Kubecost
/// docs "Allocations dashboard": cumulative cost, hourly, daily or monthly rate). A rate scales
/// every USD column and total by `hours per unit / hours of data covered` (monthly = 730 h);
/// ratios, averages and counts are unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CostRate {
    #[default]
    Cumulative,
    Hourly,
    Daily,
    Monthly,
}

impl CostRate {
    /// Every rate, in the order the TUI cycles through them.
    pub const ALL: [CostRate; 4] = [CostRate::Cumulative, CostRate::Monthly, CostRate::Daily, CostRate::Hourly];
    /// CLI / header name: `cumulative`, `hourly`, `daily`, `monthly`.
    pub fn name(self) -> &'static str {
        match self {
            CostRate::Cumulative => "cumulative",
            CostRate::Hourly => "hourly",
            CostRate::Daily => "daily",
            CostRate::Monthly => "monthly",
        }
    }
    /// Hours in one unit of the rate (1, 24, 730 — Kubecost's month); `None` for cumulative.
    pub fn hours(self) -> Option<f64> {
        match self {
            CostRate::Cumulative => None,
            CostRate::Hourly => Some(1.0),
            CostRate::Daily => Some(24.0),
            CostRate::Monthly => Some(730.0),
        }
    }
    /// Parse a [`CostRate::name`], case-insensitively.
    pub fn parse(s: &str) -> Option<CostRate> {
        CostRate::ALL.into_iter().find(|r| r.name().eq_ignore_ascii_case(s.trim()))
    }
    /// The next rate (TUI key).
    pub fn next(self) -> CostRate {
        let i = CostRate::ALL.iter().position(|r| *r == self).unwrap_or(0);
        CostRate::ALL[(i + 1) % CostRate::ALL.len()]
    }
}

/// What a result is sorted by: the row name or one of the kind's columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum SortKey {
    Name,
    Column(ColumnId),
}

impl SortKey {
    /// The name `--sort` takes and messages show: `name` or the column's JSON name.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Column(id) => id.json(),
        }
    }
}

/// Sort order: a column or the name, descending or ascending. Default `totalCost` descending
/// (Kubecost's only order); ties break by name so pages are stable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// `totalCost` descending (`cost` descending for cloud costs).
    pub fn default_for(kind: DataKind) -> Sort {
        let id = if kind == DataKind::CloudCost {
            ColumnId::Cost
        } else {
            ColumnId::TotalCost
        };
        Sort {
            key: SortKey::Column(id),
            descending: true,
        }
    }
    /// Parse `COL[:asc|desc]`; the column must be `name` or one of `kind`'s columns' JSON names
    /// (case-insensitive).
    ///
    /// Errors: [`SortError`], listing what is accepted.
    pub fn parse(s: &str, kind: DataKind) -> Result<Sort, SortError> {
        let (c, dir) = s.split_once(':').unwrap_or((s, "desc"));
        let descending = match dir.to_ascii_lowercase().as_str() {
            "desc" | "" => true,
            "asc" => false,
            other => return Err(SortError::Direction(other.to_string())),
        };
        let keys: Vec<SortKey> = std::iter::once(SortKey::Name)
            .chain(columns(kind).iter().map(|c| SortKey::Column(c.id)))
            .collect();
        match keys.iter().find(|k| k.name().eq_ignore_ascii_case(c.trim())) {
            Some(&key) => Ok(Sort { key, descending }),
            None => {
                let names: Vec<&str> = keys.iter().map(|k| k.name()).collect();
                Err(SortError::Column {
                    column: c.to_string(),
                    accepted: names.join(", "),
                })
            }
        }
    }
}

/// One cost query.
#[derive(Clone, Debug)]
pub struct QueryRequest {
    pub kind: DataKind,
    /// Half-open UTC window; data windows fully inside it are counted.
    pub window: Window,
    /// Aggregate keys; empty = one row per item.
    pub aggregate: Aggregate,
    pub filter: Filter,
    /// Allocations only.
    pub idle: IdleMode,
    pub sort: Sort,
    pub offset: usize,
    /// Rows per page; 0 = all rows.
    pub limit: usize,
    /// Cloud costs only (default amortizedNetCost).
    pub cost_metric: CostMetricName,
    /// Keep only result rows whose name contains this text, ignoring case (k9s `/` habit);
    /// applied after aggregation, so totals and `totalRows` count the kept rows. `None` = all.
    pub search: Option<String>,
    /// Which label each alias field and aggregate key (`team`, `product`, …) reads; from the app
    /// config file, OpenCost's defaults otherwise.
    pub labels: LabelConfig,
    /// Cumulative cost (default) or a rate ([`CostRate`]).
    pub rate: CostRate,
    /// Shared costs (allocations only; [`Sharing::default`] shares nothing).
    pub share: Sharing,
}

impl QueryRequest {
    /// The same request over `window`, whole: every row on one page (offset 0, no limit) — what
    /// [`super::compare`] and [`super::projection`] join by row name.
    pub fn whole(&self, window: Window) -> QueryRequest {
        QueryRequest {
            window,
            offset: 0,
            limit: 0,
            ..self.clone()
        }
    }
}

/// One result row: its name (aggregate values joined by `/`, Kubecost style), the aggregate key
/// values, and one number per column of the request's kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub name: String,
    /// Aggregate key → value (`namespace` → `checkout`).
    pub properties: BTreeMap<String, String>,
    /// Values in the order of [`columns`] for the kind (read them with [`Row::get`]).
    pub values: Vec<f64>,
}

impl Row {
    /// Value of column `id` for `kind`, if the kind has that column.
    pub fn get(&self, kind: DataKind, id: ColumnId) -> Option<f64> {
        position(kind, id).and_then(|i| self.values.get(i).copied())
    }
}

/// One page of a query's answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Page {
    pub rows: Vec<Row>,
    /// Rows in the whole result (all pages).
    pub total_rows: usize,
    /// Totals over the whole result (not just this page), as a row named `totals`.
    pub totals: Row,
    pub offset: usize,
    pub limit: usize,
    /// Hours of data the result covers (first set start to last set end), what a [`CostRate`]
    /// divides by; 0 when there is no data.
    pub covered_hours: f64,
    /// Whether USD values are the window's cost or a rate (the request's [`CostRate`]).
    pub rate: CostRate,
}

impl Page {
    /// The answer to `req` when no data lies in its window: no rows, zero totals, no hours.
    pub fn empty(req: &QueryRequest) -> Page {
        Page {
            rows: Vec::new(),
            total_rows: 0,
            totals: Row {
                name: "totals".into(),
                properties: BTreeMap::new(),
                values: vec![0.0; columns(req.kind).len()],
            },
            offset: req.offset,
            limit: req.limit,
            covered_hours: 0.0,
            rate: req.rate,
        }
    }
}

/// Cost per UTC day for one row, oldest first: (day start in unix seconds, totalCost USD).
pub type DailySeries = Vec<(i64, f64)>;

/// Why a sort (`COL[:asc|desc]`) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    /// Not `asc` or `desc`.
    #[error("sort direction {0:?}: expected asc or desc")]
    Direction(String),
    /// Not `name` or a column of the data kind.
    #[error("unknown sort column {column:?}; accepted: {accepted}")]
    Column {
        /// The column asked for.
        column: String,
        /// The accepted names, comma-separated.
        accepted: String,
    },
}

/// Why a query could not be answered; `Display` is one line meant for the user. Views add
/// their own "query failed:" in front, once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The request cannot be answered as asked: what was wrong and what is accepted (e.g. an
    /// aggregate key that does not apply to the data kind).
    #[error("{0}")]
    Invalid(String),
    /// The database failed to run the query (DuckDB's error as the source).
    #[error("database error: {0}")]
    Db(#[source] DatabaseError),
}

/// The error a database gave for a query, kept as the source of [`QueryError::Db`] (the query
/// layer names no database crate: any error type fits). Two are equal when their messages are.
#[derive(Clone, Debug)]
pub struct DatabaseError(std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>);

impl DatabaseError {
    /// Keep `e` as the cause.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> DatabaseError {
        DatabaseError(std::sync::Arc::new(e))
    }
}

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for DatabaseError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for DatabaseError {}

impl From<&str> for DatabaseError {
    /// A failure known by its message only (tests, a database without typed errors).
    fn from(message: &str) -> DatabaseError {
        DatabaseError(std::sync::Arc::from(Box::<dyn std::error::Error + Send + Sync>::from(message)))
    }
}

/// What answers cost queries. The DuckDB aggregator implements it; the TUI and CLI use only this
/// trait, so they never see SQL. Calls block (run them on a blocking thread from async code);
/// implementations must be cheap to share between threads.
pub trait CostSource: Send + Sync {
    /// One page of `req`.
    fn query(&self, req: &QueryRequest) -> Result<Page, QueryError>;
    /// One page per step of `accumulate` over `req.window` ([`Accumulate::windows`]), in
    /// order, each paged and sorted as `req` says. Default: each step as a query of its own
    /// ([`crate::query::steps::each_step`]); the aggregator answers allocation steps in one
    /// statement when it can.
    fn query_steps(&self, req: &QueryRequest, accumulate: Accumulate) -> Result<Vec<(Window, Page)>, QueryError> {
        super::steps::each_step(self, req, accumulate)
    }
    /// Daily totalCost of `row` (matched by its aggregate `properties`) over `req.window`,
    /// oldest first, one entry per UTC day that has data.
    fn daily_series(&self, req: &QueryRequest, row: &Row) -> Result<DailySeries, QueryError>;
    /// The ETL objects `row` of `req` was computed from, ordered by key (docs/audit.md, "Sources
    /// of a figure"): key, sha256, window and the items of each the row uses.
    fn sources(&self, req: &QueryRequest, row: &Row) -> Result<Vec<super::SourceObject>, QueryError>;
    /// Ask the query running now, if any, to stop early: it then fails, and its caller drops the
    /// answer (the TUI does this only for a query a newer one replaced). Default: nothing.
    fn interrupt(&self) {}
    /// A number that changes whenever the data behind the answers may have changed (the
    /// aggregator bumps it on every write and on switching read copies), so an answer cached at
    /// one value is still right while the value stays. Default: 0 (never changes; callers then
    /// rely on their own expiry).
    fn data_generation(&self) -> u64 {
        0
    }
    /// First start and last end (unix seconds) of the daily data of `kind`, or `None` when there
    /// is none yet. Used for the default window ("the last 7 days that hold data").
    fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError>;
    /// The savings queries of the same data (`docs/semantics.md` §§ 11, 13–16), for views that
    /// hold only this trait object (the TUI's Savings tab). Default: `None` (no savings queries).
    fn savings(&self) -> Option<&dyn super::savings::SavingsSource> {
        None
    }
    /// First start and last end (unix seconds) of every stored set of `kind`, daily and hourly:
    /// no row lies outside it, so a step outside it is answered empty without a query
    /// ([`super::steps::each_step`]). `None` when unknown (the default) or when there is no data.
    fn data_span(&self, _kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
        Ok(None)
    }
}
