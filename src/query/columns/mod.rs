//! The column registry: for each [`DataKind`], the summed measures of a result row and the
//! columns computed from them. It is the one place a column is defined; the aggregator's SQL
//! (sums, idle rows, rollup tables, result columns and totals), the CLI table, CSV and JSON, the
//! TUI table and detail pane, `--columns`/`--sort` names and [`super::Row::get`] are all generated
//! from it, so adding a column is one [`ColumnDef`] (and, when it needs a new sum, one
//! [`Measure`]). `docs/architecture.md` ("where to change what") walks through it.
//!
//! A column's value is a [`Formula`] over its row's measures; a result's totals are the same
//! formula over the measures summed across rows, which is how Kubecost totals averages and
//! efficiencies (OpenCost `allocation.go` `CPUEfficiency`/`TotalEfficiency` over summed
//! allocations).

mod allocation;
mod asset;
mod cloud;

use super::DataKind;
use crate::model::Allocation;
use serde::Serialize;

/// Identity of a result column. The JSON name ([`ColumnId::json`]) is Kubecost's field name; a
/// kind lists the ids it has in its [`ColumnDef`]s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ColumnId {
    CpuCost,
    GpuCost,
    RamCost,
    PvCost,
    NetworkCost,
    LoadBalancerCost,
    SharedCost,
    TotalEfficiency,
    TotalCost,
    CpuCoreRequestAverage,
    CpuCoreUsageAverage,
    RamByteRequestAverage,
    RamByteUsageAverage,
    CpuEfficiency,
    RamEfficiency,
    ExternalCost,
    Adjustments,
    Discount,
    Adjustment,
    Count,
    Cost,
    KubernetesCost,
    KubernetesPercent,
    CpuCores,
    CpuCoreHours,
    CpuCostAdjustment,
    GpuCount,
    GpuHours,
    GpuCostAdjustment,
    NetworkTransferBytes,
    NetworkReceiveBytes,
    NetworkCrossZoneCost,
    NetworkCrossRegionCost,
    NetworkInternetCost,
    NetworkCostAdjustment,
    LoadBalancerCostAdjustment,
    PvBytes,
    PvByteHours,
    PvCostAdjustment,
    RamBytes,
    RamByteHours,
    RamCostAdjustment,
}

impl ColumnId {
    /// Kubecost's JSON field name (`cpuCost`, `ramByteRequestAverage`, `kubernetesPercent`); also
    /// the name `--sort` and `--columns` accept and the result table's SQL column name.
    pub fn json(self) -> &'static str {
        match self {
            ColumnId::CpuCost => "cpuCost",
            ColumnId::GpuCost => "gpuCost",
            ColumnId::RamCost => "ramCost",
            ColumnId::PvCost => "pvCost",
            ColumnId::NetworkCost => "networkCost",
            ColumnId::LoadBalancerCost => "loadBalancerCost",
            ColumnId::SharedCost => "sharedCost",
            ColumnId::TotalEfficiency => "totalEfficiency",
            ColumnId::TotalCost => "totalCost",
            ColumnId::CpuCoreRequestAverage => "cpuCoreRequestAverage",
            ColumnId::CpuCoreUsageAverage => "cpuCoreUsageAverage",
            ColumnId::RamByteRequestAverage => "ramByteRequestAverage",
            ColumnId::RamByteUsageAverage => "ramByteUsageAverage",
            ColumnId::CpuEfficiency => "cpuEfficiency",
            ColumnId::RamEfficiency => "ramEfficiency",
            ColumnId::ExternalCost => "externalCost",
            ColumnId::Adjustments => "adjustments",
            ColumnId::Discount => "discount",
            ColumnId::Adjustment => "adjustment",
            ColumnId::Count => "count",
            ColumnId::Cost => "cost",
            ColumnId::KubernetesCost => "kubernetesCost",
            ColumnId::KubernetesPercent => "kubernetesPercent",
            ColumnId::CpuCores => "cpuCores",
            ColumnId::CpuCoreHours => "cpuCoreHours",
            ColumnId::CpuCostAdjustment => "cpuCostAdjustment",
            ColumnId::GpuCount => "gpuCount",
            ColumnId::GpuHours => "gpuHours",
            ColumnId::GpuCostAdjustment => "gpuCostAdjustment",
            ColumnId::NetworkTransferBytes => "networkTransferBytes",
            ColumnId::NetworkReceiveBytes => "networkReceiveBytes",
            ColumnId::NetworkCrossZoneCost => "networkCrossZoneCost",
            ColumnId::NetworkCrossRegionCost => "networkCrossRegionCost",
            ColumnId::NetworkInternetCost => "networkInternetCost",
            ColumnId::NetworkCostAdjustment => "networkCostAdjustment",
            ColumnId::LoadBalancerCostAdjustment => "loadBalancerCostAdjustment",
            ColumnId::PvBytes => "pvBytes",
            ColumnId::PvByteHours => "pvByteHours",
            ColumnId::PvCostAdjustment => "pvCostAdjustment",
            ColumnId::RamBytes => "ramBytes",
            ColumnId::RamByteHours => "ramByteHours",
            ColumnId::RamCostAdjustment => "ramCostAdjustment",
        }
    }
}

/// How a number is displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Unit {
    /// US dollars.
    Usd,
    /// A ratio (1.0 = 100 %).
    Ratio,
    /// CPU cores (or GPUs): a quantity averaged over the window.
    Cores,
    /// Core-hours or GPU-hours.
    Hours,
    /// Byte-hours (bytes held for one hour).
    ByteHours,
    /// Bytes.
    Bytes,
    /// A plain count.
    Count,
}

/// What a measure holds in an idle row (allocations only): the node's idle CPU, RAM or GPU cost,
/// its whole idle cost, or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdleValue {
    Zero,
    Cpu,
    Ram,
    Gpu,
    Total,
}

/// One summed quantity of a result row.
#[derive(Clone, Copy)]
pub struct Measure {
    /// SQL alias of the sum (`cpu`, `req_ch`); also its column in the allocation rollup tables.
    pub name: &'static str,
    /// Per-row expression over the kind's table (`allocations`, `assets`, `cloud_costs`); in
    /// cloud costs `{metric}` stands for the chosen cost metric's column (`amortized_net_cost`).
    pub sql: &'static str,
    /// Its value in an idle row.
    pub idle: IdleValue,
    /// The same expression over a decoded allocation, for the rollups summed at ingest
    /// (allocations only; `None` for assets and cloud costs, which have no rollups).
    pub rollup: Option<fn(&Allocation) -> f64>,
}

/// OpenCost's efficiency of one resource: usage / request, else 1 when there is usage and cost,
/// else 0 (`allocation.go` `CPUEfficiency()`); each field names a measure.
#[derive(Clone, Copy, Debug)]
pub struct Efficiency {
    pub request: &'static str,
    pub usage: &'static str,
    pub cost: &'static str,
}

/// A column's value from its row's measures (each `&str` names a [`Measure`]); totals apply it
/// to the measures summed over all rows.
#[derive(Clone, Copy, Debug)]
pub enum Formula {
    /// The measure (USD, or a count).
    Sum(&'static str),
    /// The measure divided by the window's hours (core-hours → cores, byte-hours → bytes).
    PerHour(&'static str),
    /// One resource's efficiency.
    Efficiency(Efficiency),
    /// OpenCost `TotalEfficiency()`: the CPU and RAM efficiencies weighted by the two measures
    /// given (their total costs), 0 when both weights are 0.
    TotalEfficiency {
        cpu: Efficiency,
        cpu_weight: &'static str,
        ram: Efficiency,
        ram_weight: &'static str,
    },
    /// `part / whole`, 0 when `whole` is 0.
    Ratio { part: &'static str, whole: &'static str },
}

impl Formula {
    /// The formula in SQL; `m` gives the SQL of a measure (its alias, or `sum(alias)` for
    /// totals), `hours` the SQL of the window's hours.
    pub fn sql(&self, m: &dyn Fn(&str) -> String, hours: &str) -> String {
        let eff = |e: &Efficiency| {
            let (r, u, c) = (m(e.request), m(e.usage), m(e.cost));
            format!("(CASE WHEN {r} > 0 THEN {u} / {r} WHEN {u} > 0 AND {c} <> 0 THEN 1.0 ELSE 0.0 END)")
        };
        match self {
            Formula::Sum(x) => format!("CAST({} AS DOUBLE)", m(x)),
            Formula::PerHour(x) => format!("{} / {hours}", m(x)),
            Formula::Efficiency(e) => eff(e),
            Formula::TotalEfficiency {
                cpu,
                cpu_weight,
                ram,
                ram_weight,
            } => {
                let (cw, rw) = (m(cpu_weight), m(ram_weight));
                format!(
                    "CASE WHEN {cw} + {rw} > 0 THEN ({} * {cw} + {} * {rw}) / ({cw} + {rw}) ELSE 0.0 END",
                    eff(cpu),
                    eff(ram)
                )
            }
            Formula::Ratio { part, whole } => {
                let (p, w) = (m(part), m(whole));
                format!("CASE WHEN {w} <> 0 THEN {p} / {w} ELSE 0.0 END")
            }
        }
    }

    /// The formula in Rust over measure values (`m`) and the window's `hours`; the same numbers
    /// as [`Formula::sql`] gives (used by in-memory sources such as the TUI's test fake).
    pub fn eval(&self, m: &dyn Fn(&str) -> f64, hours: f64) -> f64 {
        let eff = |e: &Efficiency| {
            let (r, u, c) = (m(e.request), m(e.usage), m(e.cost));
            if r > 0.0 {
                u / r
            } else if u > 0.0 && c != 0.0 {
                1.0
            } else {
                0.0
            }
        };
        match self {
            Formula::Sum(x) => m(x),
            Formula::PerHour(x) => m(x) / hours,
            Formula::Efficiency(e) => eff(e),
            Formula::TotalEfficiency {
                cpu,
                cpu_weight,
                ram,
                ram_weight,
            } => {
                let (cw, rw) = (m(cpu_weight), m(ram_weight));
                if cw + rw > 0.0 {
                    (eff(cpu) * cw + eff(ram) * rw) / (cw + rw)
                } else {
                    0.0
                }
            }
            Formula::Ratio { part, whole } => {
                let w = m(whole);
                if w != 0.0 { m(part) / w } else { 0.0 }
            }
        }
    }

    /// The measures the formula reads.
    pub fn measures(&self) -> Vec<&'static str> {
        match *self {
            Formula::Sum(x) | Formula::PerHour(x) => vec![x],
            Formula::Efficiency(e) => vec![e.request, e.usage, e.cost],
            Formula::TotalEfficiency {
                cpu,
                cpu_weight,
                ram,
                ram_weight,
            } => vec![
                cpu.request,
                cpu.usage,
                cpu.cost,
                cpu_weight,
                ram.request,
                ram.usage,
                ram.cost,
                ram_weight,
            ],
            Formula::Ratio { part, whole } => vec![part, whole],
        }
    }
}

/// Where a column is shown unless the user picks columns (`--columns`, TUI `:columns`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Shown {
    /// In the table by default (and in the detail pane). When the terminal is too narrow for
    /// every column, those of lower `rank` are kept first (0 = the last to go).
    Table { rank: u8 },
    /// Only in the detail pane, CSV and JSON; in the table on request.
    Detail,
}

/// A column's place in the detail pane's cost breakdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// The breakdown's first line, "Total", that the parts are shares of.
    Total,
    /// A cost part with its share of the total, under this label.
    Part(&'static str),
    /// A count line under this label, after the parts.
    Count(&'static str),
    /// Not in the breakdown (efficiencies and averages have their own section).
    Omit,
}

/// One column of a result: identity, table title, unit, default placement and value.
#[derive(Clone, Copy, Debug)]
pub struct ColumnDef {
    pub id: ColumnId,
    /// Short table title (`CPU`, `Eff.`, `Total`).
    pub title: &'static str,
    pub unit: Unit,
    pub shown: Shown,
    pub detail: Detail,
    pub formula: Formula,
}

impl ColumnDef {
    /// Kubecost's JSON name of the column ([`ColumnId::json`]).
    pub fn json(&self) -> &'static str {
        self.id.json()
    }
}

/// The measures and columns of one data kind.
pub struct Registry {
    /// Summed per result row, in this order in the SQL.
    pub measures: &'static [Measure],
    /// In display order (Kubecost's table order for allocations).
    pub columns: &'static [ColumnDef],
}

/// The registry of `kind`.
pub fn registry(kind: DataKind) -> &'static Registry {
    match kind {
        DataKind::Allocation => &allocation::REGISTRY,
        DataKind::Asset => &asset::REGISTRY,
        DataKind::CloudCost => &cloud::REGISTRY,
    }
}

/// Number of allocation measures (the rollup tables' measure columns).
pub const N_ALLOCATION_MEASURES: usize = allocation::REGISTRY.measures.len();

/// The columns of `kind`, in display order; [`super::Row::values`] follow this order.
pub fn columns(kind: DataKind) -> &'static [ColumnDef] {
    registry(kind).columns
}

/// The index of column `id` in [`columns`]`(kind)`, `None` when the kind has no such column.
pub fn position(kind: DataKind, id: ColumnId) -> Option<usize> {
    columns(kind).iter().position(|c| c.id == id)
}

/// The columns a table shows by default, as indices into [`columns`]`(kind)`: those marked
/// [`Shown::Table`] (for allocations Kubecost's CPU, GPU, RAM, PV, Network, LB, Shared, Eff.,
/// Total). The CLI table and the TUI both start from it.
pub fn default_columns(kind: DataKind) -> Vec<usize> {
    (0..columns(kind).len())
        .filter(|&i| matches!(columns(kind)[i].shown, Shown::Table { .. }))
        .collect()
}

/// The column of `kind` a user names: its JSON name or its title, in any case, a trailing `.`
/// ignored (`cpuCost`, `cpu`, `Eff`), or one of kubectl-cost's words `memory` (RAM) and
/// `efficiency` (`--show-memory`, `--show-efficiency`). `None` when no column has that name.
pub fn column_index(kind: DataKind, word: &str) -> Option<usize> {
    let w = word.trim().trim_end_matches('.').to_ascii_lowercase();
    let w = match w.as_str() {
        "memory" | "mem" => "ram".to_string(),
        "efficiency" => "eff".to_string(),
        _ => w,
    };
    columns(kind)
        .iter()
        .position(|c| c.json().eq_ignore_ascii_case(&w) || c.title.trim_end_matches('.').eq_ignore_ascii_case(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [DataKind; 3] = [DataKind::Allocation, DataKind::Asset, DataKind::CloudCost];

    #[test]
    fn every_formula_reads_measures_of_its_kind_and_names_are_unique() {
        for kind in KINDS {
            let r = registry(kind);
            for c in r.columns {
                for m in c.formula.measures() {
                    assert!(r.measures.iter().any(|x| x.name == m), "{kind:?} {}: no measure {m}", c.json());
                }
            }
            let mut names: Vec<&str> = r
                .measures
                .iter()
                .map(|m| m.name)
                .chain(r.columns.iter().map(|c| c.json()))
                .collect();
            let n = names.len();
            names.sort_by_key(|s| s.to_ascii_lowercase());
            names.dedup_by_key(|s| s.to_ascii_lowercase());
            assert_eq!(
                names.len(),
                n,
                "{kind:?}: a measure and a column share a (case-insensitive) SQL name"
            );
        }
    }

    #[test]
    fn only_allocations_have_rollups_and_idle_values() {
        for kind in KINDS {
            let alloc = kind == DataKind::Allocation;
            for m in registry(kind).measures {
                assert_eq!(m.rollup.is_some(), alloc, "{kind:?} {}", m.name);
                assert!(alloc || m.idle == IdleValue::Zero, "{kind:?} {}", m.name);
            }
        }
    }

    #[test]
    fn sql_and_eval_agree_on_edge_cases() {
        let f = Formula::Efficiency(Efficiency {
            request: "r",
            usage: "u",
            cost: "c",
        });
        let vals = |r: f64, u: f64, c: f64| {
            move |n: &str| {
                if n == "r" {
                    r
                } else if n == "u" {
                    u
                } else {
                    c
                }
            }
        };
        assert_eq!(f.eval(&vals(2.0, 1.0, 5.0), 1.0), 0.5);
        assert_eq!(f.eval(&vals(0.0, 1.0, 5.0), 1.0), 1.0);
        assert_eq!(f.eval(&vals(0.0, 1.0, 0.0), 1.0), 0.0);
        assert!(f.sql(&|n| n.to_string(), "h").contains("WHEN u > 0 AND c <> 0 THEN 1.0"));
        assert_eq!(Formula::PerHour("x").eval(&|_| 48.0, 24.0), 2.0);
    }

    #[test]
    fn default_and_named_columns() {
        let a = default_columns(DataKind::Allocation);
        assert_eq!(columns(DataKind::Allocation)[*a.last().unwrap()].id, ColumnId::TotalCost);
        assert_eq!(default_columns(DataKind::Asset).len(), columns(DataKind::Asset).len());
        assert_eq!(
            column_index(DataKind::Allocation, "memory"),
            position(DataKind::Allocation, ColumnId::RamCost)
        );
        assert_eq!(
            column_index(DataKind::Allocation, "Eff."),
            position(DataKind::Allocation, ColumnId::TotalEfficiency)
        );
        assert_eq!(column_index(DataKind::CloudCost, "cpu"), None);
    }
}
