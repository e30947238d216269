//! The SQL generated from the column registry ([`crate::query::columns`]): measure sums, the
//! result columns, the totals query and the idle row's values. Every query of every kind builds
//! its select lists here, so no SQL lists columns by position.

use crate::model::CostMetricName;
use crate::query::columns::{IdleValue, Measure, Unit, registry};
use crate::query::{CostRate, DataKind};

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

/// The measures, the hours of data (`_h`, from `hours`, the SQL of the covered hours), the rate
/// factor (`_rf`: hours per rate unit / `_h`, 1 for cumulative cost), then every column of
/// `kind` as `<formula> AS "<json>"` over the measures, USD columns times `_rf`: the select list
/// of a `result` row after its name and keys.
pub fn result_columns(kind: DataKind, hours: &str, rate: CostRate) -> String {
    let r = registry(kind);
    let factor = rate.hours().map_or_else(|| "1.0".to_string(), |per| format!("{per:?} / ({hours})"));
    let cols = r.columns.iter().map(|c| {
        let v = c.formula.sql(&|m| m.to_string(), hours);
        let v = if c.unit == Unit::Usd { format!("({v}) * ({factor})") } else { v };
        format!("{v} AS \"{}\"", c.json())
    });
    let fixed = [format!("{hours} AS _h"), format!("{factor} AS _rf")];
    join(r.measures.iter().map(|m| m.name.to_string()).chain(fixed).chain(cols))
}

/// `SELECT count(*), <each column's formula over the measures summed>, max(_h) FROM result`: a
/// result's row count, totals (averages over `max(_h)`, USD columns times the rate factor) and
/// covered hours (last).
pub fn totals_query(kind: DataKind) -> String {
    format!("SELECT count(*), {}, max(_h) FROM result", totals_columns(kind))
}

/// [`totals_query`] per step of a stepped result: the step `_st` first, one line per step.
pub fn totals_query_by_step(kind: DataKind) -> String {
    format!("SELECT _st, count(*), {}, max(_h) FROM result GROUP BY _st", totals_columns(kind))
}

fn totals_columns(kind: DataKind) -> String {
    join(registry(kind).columns.iter().map(|c| {
        let v = c.formula.sql(&|m| format!("sum({m})"), "max(_h)");
        if c.unit == Unit::Usd {
            format!("({v}) * coalesce(max(_rf), 1.0)")
        } else {
            v
        }
    }))
}

/// The `span` CTE (with its trailing comma): the hours of data in `base`, first set start to
/// last set end (at least 1e-9, so rates and averages never divide by zero); per step `_st` when
/// `by_step` (a stepped query, `aggregator/steps_sql.rs`).
pub fn span_cte(by_step: bool) -> String {
    let (st, group) = if by_step { ("_st, ", " GROUP BY _st") } else { ("", "") };
    format!("span AS NOT MATERIALIZED (SELECT {st}greatest((max(window_end) - min(window_start)) / 3600.0, 1e-9) AS h FROM base{group}),")
}
