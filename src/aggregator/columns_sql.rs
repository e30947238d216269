//! The SQL generated from the column registry ([`crate::query::columns`]): measure sums, the
//! result columns, the totals query and the idle row's values. Every query of every kind builds
//! its select lists here, so no SQL lists columns by position.

use crate::model::CostMetricName;
use crate::query::DataKind;
use crate::query::columns::{IdleValue, Measure, registry};

fn join(parts: impl Iterator<Item = String>) -> String {
    parts.collect::<Vec<_>>().join(", ")
}

fn measures(kind: DataKind) -> &'static [Measure] {
    registry(kind).measures
}

/// Column prefix of a cloud-cost metric in `cloud_costs` (`amortized_net_cost`).
pub fn metric_col(m: CostMetricName) -> &'static str {
    match m {
        CostMetricName::ListCost => "list_cost",
        CostMetricName::NetCost => "net_cost",
        CostMetricName::AmortizedNetCost => "amortized_net_cost",
        CostMetricName::InvoicedCost => "invoiced_cost",
        CostMetricName::AmortizedCost => "amortized_cost",
    }
}

/// `sum(<expr>) AS <name>` for every measure of `kind`, over the kind's table (`metric`: the
/// cloud-cost metric `{metric}` stands for).
pub fn sums(kind: DataKind, metric: CostMetricName) -> String {
    join(
        measures(kind)
            .iter()
            .map(|m| format!("sum({}) AS {}", m.sql.replace("{metric}", metric_col(metric)), m.name)),
    )
}

/// `sum(<name>) AS <name>` for every measure: a second grouping of already summed rows.
pub fn resums(kind: DataKind) -> String {
    join(measures(kind).iter().map(|m| format!("sum({0}) AS {0}", m.name)))
}

/// The measure names, comma-separated, in registry order.
pub fn names(kind: DataKind) -> String {
    join(measures(kind).iter().map(|m| m.name.to_string()))
}

/// The allocation measures' values in an idle row, in registry order, from the idle CTE's
/// `c` (CPU), `r` (RAM), `g` (GPU) and `t` (total) columns.
pub fn idle_values() -> String {
    join(measures(DataKind::Allocation).iter().map(|m| {
        match m.idle {
            IdleValue::Zero => "0.0",
            IdleValue::Cpu => "c",
            IdleValue::Ram => "r",
            IdleValue::Gpu => "g",
            IdleValue::Total => "t",
        }
        .to_string()
    }))
}

/// The measures, then every column of `kind` as `<formula> AS "<json>"` over them (`hours`: SQL
/// of the window's hours): the select list of a `result` row after its name and keys.
pub fn result_columns(kind: DataKind, hours: &str) -> String {
    let r = registry(kind);
    let cols = r
        .columns
        .iter()
        .map(|c| format!("{} AS \"{}\"", c.formula.sql(&|m| m.to_string(), hours), c.json()));
    join(r.measures.iter().map(|m| m.name.to_string()).chain(cols))
}

/// `SELECT count(*), <each column's formula over the measures summed> FROM result`: a result's
/// row count and totals (averages over `max(_h)`, the window's hours each row carries).
pub fn totals_query(kind: DataKind) -> String {
    let cols = join(
        registry(kind)
            .columns
            .iter()
            .map(|c| c.formula.sql(&|m| format!("sum({m})"), "max(_h)")),
    );
    format!("SELECT count(*), {cols} FROM result")
}
