//! Cloud-cost measures and columns for one cost metric (Kubecost `/model/cloudCost`,
//! `costMetric`, default amortizedNetCost; OpenCost `core/pkg/opencost/cloudcost.go`): cost, the
//! Kubernetes share in USD (Σ cost × kubernetesPercent) and as a ratio, and the item count.

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

/// The cloud-cost registry (`{metric}` is the chosen metric's column).
pub(super) const REGISTRY: Registry = Registry {
    measures: &[m("c", "{metric}"), m("k", "{metric} * {metric}_k8s_pct"), m("n", "1")],
    columns: &[
        c(ColumnId::Cost, "Cost", Unit::Usd, 0, Detail::Total, Formula::Sum("c")),
        c(
            ColumnId::KubernetesCost,
            "K8s cost",
            Unit::Usd,
            2,
            Detail::Part("Kubernetes"),
            Formula::Sum("k"),
        ),
        c(
            ColumnId::KubernetesPercent,
            "K8s %",
            Unit::Ratio,
            1,
            Detail::Omit,
            Formula::Ratio { part: "k", whole: "c" },
        ),
        c(ColumnId::Count, "Items", Unit::Count, 3, Detail::Count("Items"), Formula::Sum("n")),
    ],
};
