//! Allocation measures and columns (Kubecost `/model/allocation` fields; OpenCost
//! `core/pkg/opencost/allocation.go`). Costs in USD; `req_ch`/`use_ch` in core-hours,
//! `rreq_bh`/`ruse_bh` in byte-hours; `run_h` in hours running; `*_t` are a cost plus its adjustment (what idle and
//! efficiency weigh with), `adj` all adjustments. The measure order is the column order of the
//! rollup tables (`alloc_pods`, `alloc_controllers`), so it only ever grows at the end.

use super::{ColumnDef, ColumnId, Detail, Efficiency, Formula, IdleValue, Measure, Registry, Shown, Unit};
use crate::model::Allocation;

const fn m(name: &'static str, sql: &'static str, idle: IdleValue, rollup: fn(&Allocation) -> f64) -> Measure {
    Measure {
        name,
        sql,
        idle,
        rollup: Some(rollup),
    }
}

const MEASURES: &[Measure] = &[
    m("cpu", "cpu_cost", IdleValue::Cpu, |a| a.cpu_cost),
    m("gpu", "gpu_cost", IdleValue::Gpu, |a| a.gpu_cost),
    m("ram", "ram_cost", IdleValue::Ram, |a| a.ram_cost),
    m("pv", "pv_cost", IdleValue::Zero, Allocation::pv_cost),
    m("net", "network_cost", IdleValue::Zero, |a| a.network_cost),
    m("lb", "load_balancer_cost", IdleValue::Zero, |a| a.load_balancer_cost),
    m("shared", "shared_cost", IdleValue::Zero, |a| a.shared_cost),
    m("ext", "external_cost", IdleValue::Zero, |a| a.external_cost),
    m(
        "adj",
        "cpu_cost_adjustment + gpu_cost_adjustment + ram_cost_adjustment + pv_cost_adjustment + network_cost_adjustment + load_balancer_cost_adjustment",
        IdleValue::Zero,
        Allocation::adjustments,
    ),
    m("total", "total_cost", IdleValue::Total, Allocation::total_cost),
    m("req_ch", "cpu_core_request_average * minutes / 60", IdleValue::Zero, |a| {
        a.cpu_core_request_average * a.minutes() / 60.0
    }),
    m("use_ch", "cpu_core_usage_average * minutes / 60", IdleValue::Zero, |a| {
        a.cpu_core_usage_average * a.minutes() / 60.0
    }),
    m("rreq_bh", "ram_bytes_request_average * minutes / 60", IdleValue::Zero, |a| {
        a.ram_bytes_request_average * a.minutes() / 60.0
    }),
    m("ruse_bh", "ram_bytes_usage_average * minutes / 60", IdleValue::Zero, |a| {
        a.ram_bytes_usage_average * a.minutes() / 60.0
    }),
    m(
        "cpu_t",
        "cpu_cost + cpu_cost_adjustment",
        IdleValue::Cpu,
        Allocation::cpu_total_cost,
    ),
    m(
        "ram_t",
        "ram_cost + ram_cost_adjustment",
        IdleValue::Ram,
        Allocation::ram_total_cost,
    ),
    m(
        "gpu_t",
        "gpu_cost + gpu_cost_adjustment",
        IdleValue::Gpu,
        Allocation::gpu_total_cost,
    ),
    // Running hours: what tenancy costs are shared by (`docs/semantics.md` §9).
    m("run_h", "minutes / 60", IdleValue::Zero, |a| a.minutes() / 60.0),
    // OpenCost's remaining allocation fields (`allocation_json.go`), for the API and `:cols all`.
    m("cpu_ch", "cpu_core_hours", IdleValue::Zero, |a| a.cpu_core_hours),
    m("cpu_adj", "cpu_cost_adjustment", IdleValue::Zero, |a| a.cpu_cost_adjustment),
    m("gpu_h", "gpu_hours", IdleValue::Zero, |a| a.gpu_hours),
    m("gpu_adj", "gpu_cost_adjustment", IdleValue::Zero, |a| a.gpu_cost_adjustment),
    m("net_tx", "network_transfer_bytes", IdleValue::Zero, |a| a.network_transfer_bytes),
    m("net_rx", "network_receive_bytes", IdleValue::Zero, |a| a.network_receive_bytes),
    m("net_zone", "network_cross_zone_cost", IdleValue::Zero, |a| {
        a.network_cross_zone_cost
    }),
    m("net_region", "network_cross_region_cost", IdleValue::Zero, |a| {
        a.network_cross_region_cost
    }),
    m("net_inet", "network_internet_cost", IdleValue::Zero, |a| a.network_internet_cost),
    m("net_adj", "network_cost_adjustment", IdleValue::Zero, |a| a.network_cost_adjustment),
    m("lb_adj", "load_balancer_cost_adjustment", IdleValue::Zero, |a| {
        a.load_balancer_cost_adjustment
    }),
    m("pv_bh", "pv_byte_hours", IdleValue::Zero, Allocation::pv_byte_hours),
    m("pv_adj", "pv_cost_adjustment", IdleValue::Zero, |a| a.pv_cost_adjustment),
    m("ram_bh", "ram_byte_hours", IdleValue::Zero, |a| a.ram_byte_hours),
    m("ram_adj", "ram_cost_adjustment", IdleValue::Zero, |a| a.ram_cost_adjustment),
];

/// A column outside the table and the detail pane's breakdown (`:cols all`, CSV, JSON, the API).
const fn more(id: ColumnId, title: &'static str, unit: Unit, formula: Formula) -> ColumnDef {
    c(id, title, unit, Shown::Detail, Detail::Omit, formula)
}

const CPU_EFF: Efficiency = Efficiency {
    request: "req_ch",
    usage: "use_ch",
    cost: "cpu",
};
const RAM_EFF: Efficiency = Efficiency {
    request: "rreq_bh",
    usage: "ruse_bh",
    cost: "ram",
};

const fn c(id: ColumnId, title: &'static str, unit: Unit, shown: Shown, detail: Detail, formula: Formula) -> ColumnDef {
    ColumnDef {
        id,
        title,
        unit,
        shown,
        detail,
        formula,
    }
}

/// Kubecost's table order (CPU, GPU, RAM, PV, network, LB, shared, efficiency, total), then the
/// usage/request detail columns.
const COLUMNS: &[ColumnDef] = &[
    c(
        ColumnId::CpuCost,
        "CPU",
        Unit::Usd,
        Shown::Table { rank: 1 },
        Detail::Part("CPU"),
        Formula::Sum("cpu"),
    ),
    c(
        ColumnId::GpuCost,
        "GPU",
        Unit::Usd,
        Shown::Table { rank: 5 },
        Detail::Part("GPU"),
        Formula::Sum("gpu"),
    ),
    c(
        ColumnId::RamCost,
        "RAM",
        Unit::Usd,
        Shown::Table { rank: 2 },
        Detail::Part("RAM"),
        Formula::Sum("ram"),
    ),
    c(
        ColumnId::PvCost,
        "PV",
        Unit::Usd,
        Shown::Table { rank: 4 },
        Detail::Part("PV"),
        Formula::Sum("pv"),
    ),
    c(
        ColumnId::NetworkCost,
        "Network",
        Unit::Usd,
        Shown::Table { rank: 6 },
        Detail::Part("Network"),
        Formula::Sum("net"),
    ),
    c(
        ColumnId::LoadBalancerCost,
        "LB",
        Unit::Usd,
        Shown::Table { rank: 8 },
        Detail::Part("LB"),
        Formula::Sum("lb"),
    ),
    c(
        ColumnId::SharedCost,
        "Shared",
        Unit::Usd,
        Shown::Table { rank: 7 },
        Detail::Part("Shared"),
        Formula::Sum("shared"),
    ),
    c(
        ColumnId::TotalEfficiency,
        "Eff.",
        Unit::Ratio,
        Shown::Table { rank: 3 },
        Detail::Omit,
        Formula::TotalEfficiency {
            cpu: CPU_EFF,
            cpu_weight: "cpu_t",
            ram: RAM_EFF,
            ram_weight: "ram_t",
        },
    ),
    c(
        ColumnId::TotalCost,
        "Total",
        Unit::Usd,
        Shown::Table { rank: 0 },
        Detail::Total,
        Formula::Sum("total"),
    ),
    c(
        ColumnId::CpuCoreRequestAverage,
        "CPU req",
        Unit::Cores,
        Shown::Detail,
        Detail::Omit,
        Formula::PerHour("req_ch"),
    ),
    c(
        ColumnId::CpuCoreUsageAverage,
        "CPU use",
        Unit::Cores,
        Shown::Detail,
        Detail::Omit,
        Formula::PerHour("use_ch"),
    ),
    c(
        ColumnId::RamByteRequestAverage,
        "RAM req",
        Unit::Bytes,
        Shown::Detail,
        Detail::Omit,
        Formula::PerHour("rreq_bh"),
    ),
    c(
        ColumnId::RamByteUsageAverage,
        "RAM use",
        Unit::Bytes,
        Shown::Detail,
        Detail::Omit,
        Formula::PerHour("ruse_bh"),
    ),
    c(
        ColumnId::CpuEfficiency,
        "CPU eff.",
        Unit::Ratio,
        Shown::Detail,
        Detail::Omit,
        Formula::Efficiency(CPU_EFF),
    ),
    c(
        ColumnId::RamEfficiency,
        "RAM eff.",
        Unit::Ratio,
        Shown::Detail,
        Detail::Omit,
        Formula::Efficiency(RAM_EFF),
    ),
    c(
        ColumnId::ExternalCost,
        "External",
        Unit::Usd,
        Shown::Detail,
        Detail::Part("External"),
        Formula::Sum("ext"),
    ),
    c(
        ColumnId::Adjustments,
        "Adj.",
        Unit::Usd,
        Shown::Detail,
        Detail::Part("Adjustment"),
        Formula::Sum("adj"),
    ),
    more(ColumnId::CpuCores, "CPU cores", Unit::Cores, Formula::PerHour("cpu_ch")),
    more(ColumnId::CpuCoreHours, "CPU h", Unit::Hours, Formula::Sum("cpu_ch")),
    more(ColumnId::CpuCostAdjustment, "CPU adj.", Unit::Usd, Formula::Sum("cpu_adj")),
    more(ColumnId::GpuCount, "GPUs", Unit::Cores, Formula::PerHour("gpu_h")),
    more(ColumnId::GpuHours, "GPU h", Unit::Hours, Formula::Sum("gpu_h")),
    more(ColumnId::GpuCostAdjustment, "GPU adj.", Unit::Usd, Formula::Sum("gpu_adj")),
    more(ColumnId::NetworkTransferBytes, "Net out", Unit::Bytes, Formula::Sum("net_tx")),
    more(ColumnId::NetworkReceiveBytes, "Net in", Unit::Bytes, Formula::Sum("net_rx")),
    more(ColumnId::NetworkCrossZoneCost, "Net zone", Unit::Usd, Formula::Sum("net_zone")),
    more(
        ColumnId::NetworkCrossRegionCost,
        "Net region",
        Unit::Usd,
        Formula::Sum("net_region"),
    ),
    more(ColumnId::NetworkInternetCost, "Net inet", Unit::Usd, Formula::Sum("net_inet")),
    more(ColumnId::NetworkCostAdjustment, "Net adj.", Unit::Usd, Formula::Sum("net_adj")),
    more(ColumnId::LoadBalancerCostAdjustment, "LB adj.", Unit::Usd, Formula::Sum("lb_adj")),
    more(ColumnId::PvBytes, "PV bytes", Unit::Bytes, Formula::PerHour("pv_bh")),
    more(ColumnId::PvByteHours, "PV byte-h", Unit::ByteHours, Formula::Sum("pv_bh")),
    more(ColumnId::PvCostAdjustment, "PV adj.", Unit::Usd, Formula::Sum("pv_adj")),
    more(ColumnId::RamBytes, "RAM bytes", Unit::Bytes, Formula::PerHour("ram_bh")),
    more(ColumnId::RamByteHours, "RAM byte-h", Unit::ByteHours, Formula::Sum("ram_bh")),
    more(ColumnId::RamCostAdjustment, "RAM adj.", Unit::Usd, Formula::Sum("ram_adj")),
];

/// The allocation registry.
pub(super) const REGISTRY: Registry = Registry {
    measures: MEASURES,
    columns: COLUMNS,
};
