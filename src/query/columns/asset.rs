//! Asset measures and columns (Kubecost `/model/assets`; OpenCost `core/pkg/opencost/asset.go`).
//! Node costs are shown before the node discount, with the discount (USD) as its own column;
//! `totalCost` is OpenCost's `TotalCost()` per asset type, as stored at ingest.

use super::{ColumnDef, ColumnId, Detail, Formula, IdleValue, Measure, Registry, Shown, Unit};

const fn m(name: &'static str, sql: &'static str) -> Measure {
    Measure {
        name,
        sql,
        idle: IdleValue::Zero,
        rollup: None,
    }
}

const fn c(id: ColumnId, title: &'static str, unit: Unit, rank: u8, detail: Detail, formula: Formula) -> ColumnDef {
    ColumnDef {
        id,
        title,
        unit,
        shown: Shown::Table { rank },
        detail,
        formula,
    }
}

/// The asset registry: CPU, GPU, RAM, discount (USD), adjustment, asset count, total.
pub(super) const REGISTRY: Registry = Registry {
    measures: &[
        m("cpu", "cpu_cost"),
        m("gpu", "gpu_cost"),
        m("ram", "ram_cost"),
        m("disc", "(cpu_cost + ram_cost) * discount"),
        m("adj", "adjustment"),
        m("n", "1"),
        m("total", "total_cost"),
    ],
    columns: &[
        c(ColumnId::CpuCost, "CPU", Unit::Usd, 1, Detail::Part("CPU"), Formula::Sum("cpu")),
        c(ColumnId::GpuCost, "GPU", Unit::Usd, 3, Detail::Part("GPU"), Formula::Sum("gpu")),
        c(ColumnId::RamCost, "RAM", Unit::Usd, 2, Detail::Part("RAM"), Formula::Sum("ram")),
        c(
            ColumnId::Discount,
            "Discount",
            Unit::Usd,
            6,
            Detail::Part("Discount"),
            Formula::Sum("disc"),
        ),
        c(
            ColumnId::Adjustment,
            "Adj.",
            Unit::Usd,
            5,
            Detail::Part("Adjustment"),
            Formula::Sum("adj"),
        ),
        c(
            ColumnId::Count,
            "Assets",
            Unit::Count,
            4,
            Detail::Count("Assets"),
            Formula::Sum("n"),
        ),
        c(ColumnId::TotalCost, "Total", Unit::Usd, 0, Detail::Total, Formula::Sum("total")),
    ],
};
