//! A cost query and its answer, shared by the aggregator (which answers it with DuckDB), the CLI
//! and the TUI (which never see SQL). Mirrors Kubecost's `/model/allocation`, `/model/assets` and
//! `/model/cloudCost` parameters (`window`, `aggregate`, `filter`, `idle`, `offset`, `limit`;
//! Kubecost docs `api-allocation.md`, `api-assets.md`, `cloud-cost-api.md`) plus a `sort`, which Kubecost lacks.

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
    /// Parse `hide|separate|node|merged|share` (also `cluster` for separate, `false` for hide).
    pub fn parse(s: &str) -> Option<IdleMode> {
        match s.to_ascii_lowercase().as_str() {
            "hide" | "false" | "none" => Some(IdleMode::Hide),
            "separate" | "cluster" | "true" => Some(IdleMode::SeparateByCluster),
            "node" | "bynode" | "separate-node" => Some(IdleMode::SeparateByNode),
            "merged" | "merge" => Some(IdleMode::Merged),
            "share" => Some(IdleMode::Share),
            _ => None,
        }
    }
    /// The next mode (TUI `i` key).
    pub fn next(self) -> IdleMode {
        let i = IdleMode::ALL.iter().position(|m| *m == self).unwrap_or(0);
        IdleMode::ALL[(i + 1) % IdleMode::ALL.len()]
    }
}

/// How a number is displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// US dollars.
    Usd,
    /// A ratio (1.0 = 100 %).
    Ratio,
    /// CPU cores.
    Cores,
    /// Bytes.
    Bytes,
    /// A plain count.
    Count,
}

/// One numeric column of a result, with Kubecost's JSON name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Column {
    /// Kubecost JSON field (`cpuCost`, `totalEfficiency`, ...); also the `--sort` name.
    pub id: &'static str,
    /// Short table title (`CPU`, `Eff.`, `Total`).
    pub title: &'static str,
    pub unit: Unit,
}

const fn col(id: &'static str, title: &'static str, unit: Unit) -> Column {
    Column { id, title, unit }
}

/// Allocation columns, in Kubecost's table order (CPU, GPU, RAM, PV, network, LB, shared,
/// efficiency, total) followed by the usage/request detail columns.
pub const ALLOCATION_COLUMNS: &[Column] = &[
    col("cpuCost", "CPU", Unit::Usd),
    col("gpuCost", "GPU", Unit::Usd),
    col("ramCost", "RAM", Unit::Usd),
    col("pvCost", "PV", Unit::Usd),
    col("networkCost", "Network", Unit::Usd),
    col("loadBalancerCost", "LB", Unit::Usd),
    col("sharedCost", "Shared", Unit::Usd),
    col("totalEfficiency", "Eff.", Unit::Ratio),
    col("totalCost", "Total", Unit::Usd),
    col("cpuCoreRequestAverage", "CPU req", Unit::Cores),
    col("cpuCoreUsageAverage", "CPU use", Unit::Cores),
    col("ramByteRequestAverage", "RAM req", Unit::Bytes),
    col("ramByteUsageAverage", "RAM use", Unit::Bytes),
    col("cpuEfficiency", "CPU eff.", Unit::Ratio),
    col("ramEfficiency", "RAM eff.", Unit::Ratio),
    col("externalCost", "External", Unit::Usd),
    col("adjustments", "Adj.", Unit::Usd),
];

/// Asset columns: cost by resource (nodes), adjustment and total.
pub const ASSET_COLUMNS: &[Column] = &[
    col("cpuCost", "CPU", Unit::Usd),
    col("gpuCost", "GPU", Unit::Usd),
    col("ramCost", "RAM", Unit::Usd),
    col("discount", "Discount", Unit::Usd),
    col("adjustment", "Adj.", Unit::Usd),
    col("count", "Assets", Unit::Count),
    col("totalCost", "Total", Unit::Usd),
];

/// Cloud-cost columns for the chosen cost metric.
pub const CLOUD_COST_COLUMNS: &[Column] = &[
    col("cost", "Cost", Unit::Usd),
    col("kubernetesCost", "K8s cost", Unit::Usd),
    col("kubernetesPercent", "K8s %", Unit::Ratio),
    col("count", "Items", Unit::Count),
];

/// The columns of `kind`.
pub fn columns(kind: DataKind) -> &'static [Column] {
    match kind {
        DataKind::Allocation => ALLOCATION_COLUMNS,
        DataKind::Asset => ASSET_COLUMNS,
        DataKind::CloudCost => CLOUD_COST_COLUMNS,
    }
}

/// The columns a table shows by default, as indices into [`columns`]`(kind)`: for allocations
/// Kubecost's CPU, GPU, RAM, PV, Network, LB, Shared, Eff., Total (the request/usage detail
/// columns follow only on request); every column for assets and cloud costs. The CLI table and
/// the TUI both start from it.
pub fn default_columns(kind: DataKind) -> Vec<usize> {
    let all = columns(kind);
    let end = match kind {
        DataKind::Allocation => all.iter().position(|c| c.id == "totalCost").map_or(all.len(), |i| i + 1),
        DataKind::Asset | DataKind::CloudCost => all.len(),
    };
    (0..end).collect()
}

/// The index in [`columns`]`(kind)` of the column a user names: its id or its title, in any
/// case, a trailing `.` ignored (`cpuCost`, `cpu`, `Eff`), or one of kubectl-cost's words
/// `memory` (RAM) and `efficiency` (`--show-memory`, `--show-efficiency`). `None` when no column of
/// `kind` has that name.
pub fn column_index(kind: DataKind, word: &str) -> Option<usize> {
    let w = word.trim().trim_end_matches('.').to_ascii_lowercase();
    let w = match w.as_str() {
        "memory" | "mem" => "ram".to_string(),
        "efficiency" => "eff".to_string(),
        _ => w,
    };
    columns(kind)
        .iter()
        .position(|c| c.id.eq_ignore_ascii_case(&w) || c.title.trim_end_matches('.').eq_ignore_ascii_case(&w))
}

/// Sort order: a column id, or `name`, descending or ascending. Default `totalCost` descending
/// (Kubecost's only order); ties break by name so pages are stable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sort {
    /// `name` or a [`Column::id`].
    pub column: String,
    pub descending: bool,
}

impl Sort {
    /// `totalCost` descending (`cost` descending for cloud costs).
    pub fn default_for(kind: DataKind) -> Sort {
        let column = if kind == DataKind::CloudCost { "cost" } else { "totalCost" };
        Sort {
            column: column.into(),
            descending: true,
        }
    }
    /// Parse `COL[:asc|desc]`; the column must be `name` or one of `kind`'s column ids
    /// (case-insensitive). Errors list the accepted columns.
    pub fn parse(s: &str, kind: DataKind) -> Result<Sort, String> {
        let (c, dir) = s.split_once(':').unwrap_or((s, "desc"));
        let descending = match dir.to_ascii_lowercase().as_str() {
            "desc" | "" => true,
            "asc" => false,
            other => return Err(format!("sort direction {other:?}: expected asc or desc")),
        };
        let ids: Vec<&str> = std::iter::once("name").chain(columns(kind).iter().map(|c| c.id)).collect();
        match ids.iter().find(|id| id.eq_ignore_ascii_case(c.trim())) {
            Some(id) => Ok(Sort {
                column: (*id).to_string(),
                descending,
            }),
            None => Err(format!("unknown sort column {c:?}; accepted: {}", ids.join(", "))),
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
}

/// One result row: its name (aggregate values joined by `/`, Kubecost style), the aggregate key
/// values, and one number per column of the request's kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub name: String,
    /// Aggregate key → value (`namespace` → `checkout`).
    pub properties: BTreeMap<String, String>,
    /// Values in the order of [`columns`] for the kind.
    pub values: Vec<f64>,
}

impl Row {
    /// Value of column `id` for `kind`, if the kind has that column.
    pub fn get(&self, kind: DataKind, id: &str) -> Option<f64> {
        columns(kind)
            .iter()
            .position(|c| c.id == id)
            .and_then(|i| self.values.get(i).copied())
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
}

/// Cost per UTC day for one row, oldest first: (day start in unix seconds, totalCost USD).
pub type DailySeries = Vec<(i64, f64)>;

/// Why a query could not be answered; `Display` is one line meant for the user. Views add
/// their own "query failed:" in front, once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The request cannot be answered as asked: what was wrong and what is accepted (e.g. an
    /// aggregate key that does not apply to the data kind).
    #[error("{0}")]
    Invalid(String),
    /// The database failed to run the query (DuckDB's message).
    #[error("database error: {0}")]
    Db(String),
}

/// What answers cost queries. The DuckDB aggregator implements it; the TUI and CLI use only this
/// trait, so they never see SQL. Calls block (run them on a blocking thread from async code);
/// implementations must be cheap to share between threads.
pub trait CostSource: Send + Sync {
    /// One page of `req`.
    fn query(&self, req: &QueryRequest) -> Result<Page, QueryError>;
    /// Daily totalCost of `row` (matched by its aggregate `properties`) over `req.window`,
    /// oldest first, one entry per UTC day that has data.
    fn daily_series(&self, req: &QueryRequest, row: &Row) -> Result<DailySeries, QueryError>;
    /// Ask the query running now, if any, to stop early: it then fails, and its caller drops the
    /// answer (the TUI does this only for a query a newer one replaced). Default: nothing.
    fn interrupt(&self) {}
    /// First start and last end (unix seconds) of the daily data of `kind`, or `None` when there
    /// is none yet. Used for the default window ("the last 7 days that hold data").
    fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError>;
}
