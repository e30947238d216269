//! The TUI test fake's numbers: items hold registry measures, rows sum them over the days of
//! a window and get their column values from the registry's formulas (the numbers the
//! aggregator's SQL gives for the same measures).

use costscope::model::CostMetricName;
use costscope::query::columns::registry;
use costscope::query::{DataKind, QueryRequest, columns};

use super::tui::Item;

/// Measures that do not grow with the days of a window: the request/usage hours (the fake's
/// window is one "hour", so their averages are the values given) and item counts.
const PER_ITEM: &[&str] = &["req_ch", "use_ch", "rreq_bh", "ruse_bh", "n"];

/// The registry measures of `kind` from `(name, value)` pairs; unnamed measures are 0.
pub fn measures(kind: DataKind, pairs: &[(&str, f64)]) -> Vec<f64> {
    let defs = registry(kind).measures;
    for (n, _) in pairs {
        assert!(defs.iter().any(|m| m.name == *n), "{kind:?} has no measure {n}");
    }
    defs.iter()
        .map(|m| pairs.iter().find(|(n, _)| *n == m.name).map_or(0.0, |p| p.1))
        .collect()
}

/// A row's column values from its summed measures, through the registry's formulas.
pub fn values(kind: DataKind, m: &[f64]) -> Vec<f64> {
    let defs = registry(kind).measures;
    let get = |n: &str| defs.iter().position(|d| d.name == n).map_or(0.0, |i| m[i]);
    columns(kind).iter().map(|c| c.formula.eval(&get, 1.0)).collect()
}

/// Day weight: costs vary through the week so the sparkline has a shape.
pub fn factor(day_start: i64) -> f64 {
    1.0 + 0.08 * ((day_start / 86_400) % 7) as f64
}

pub fn metric_factor(m: CostMetricName) -> f64 {
    match m {
        CostMetricName::ListCost => 1.10,
        CostMetricName::NetCost => 0.93,
        CostMetricName::AmortizedNetCost => 0.95,
        CostMetricName::InvoicedCost => 0.97,
        CostMetricName::AmortizedCost => 1.02,
    }
}

/// Sum `items`' measures over `days` (cloud costs scaled to the chosen metric).
pub fn combine(req: &QueryRequest, items: &[&Item], days: &[i64]) -> Vec<f64> {
    let defs = registry(req.kind).measures;
    let mut v = vec![0.0; defs.len()];
    let weight: f64 = days.iter().map(|d| factor(*d)).sum();
    let metric = if req.kind == DataKind::CloudCost {
        metric_factor(req.cost_metric)
    } else {
        1.0
    };
    for it in items {
        for ((sum, x), m) in v.iter_mut().zip(&it.measures).zip(defs) {
            *sum += if PER_ITEM.contains(&m.name) { *x } else { x * weight * metric };
        }
    }
    v
}
