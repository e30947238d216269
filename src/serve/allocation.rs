//! OpenCost's allocation JSON (`core/pkg/opencost/allocation_json.go` `AllocationJSON`; shapes
//! and rounding in docs/api.md §3–§4) built from a query [`Page`]: one map per step set, name →
//! allocation, rows in the page's order. Every numeric field the OpenCost UI and the parquet
//! exporter read is present: a number rounded to 5 decimals, or `null` for NaN/±Inf.
//!
//! What the bingen data cannot give after aggregation is written as OpenCost writes it for an
//! aggregated allocation: `cpuCostIdle`/`gpuCostIdle`/`ramCostIdle` 0 (idle is its own
//! `__idle__` allocation), `gpuEfficiency` 0, `pvs` and `lbAllocations` `null`,
//! `proportionalAssetResourceCosts` and `sharedCostBreakdown` `{}`. `start`, `end` and
//! `minutes` are the set's window (an allocation that ran part of it still reports the window).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::query::{ColumnId, DataKind, Page, Row, Window};

/// A number as OpenCost answers it (`formatFloat64ForResponse`): rounded to 5 decimal places,
/// `None` (JSON `null`) for NaN and infinities.
pub fn round5(v: f64) -> Option<f64> {
    v.is_finite().then(|| {
        let r = (v * 1e5).round() / 1e5;
        if r == 0.0 { 0.0 } else { r }
    })
}

/// A time as OpenCost writes it: RFC 3339 in UTC, seconds, `Z` (`2026-11-14T00:00:00Z`).
pub fn utc(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A window as OpenCost's `Window.MarshalJSON`: `{"start": …, "end": …}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WindowJson {
    pub start: String,
    pub end: String,
}

impl From<&Window> for WindowJson {
    fn from(w: &Window) -> Self {
        WindowJson {
            start: utc(w.start),
            end: utc(w.end),
        }
    }
}

/// OpenCost `AllocationProperties` of an aggregated allocation: the aggregate keys' values (the
/// properties every merged member shares), labels and annotations by name. Empty fields are
/// left out (omitempty).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertiesJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    #[serde(rename = "providerID", skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl PropertiesJson {
    /// From a row's aggregate key values (`namespace` → `checkout`, `label:app` → `web`).
    pub fn of(row: &Row) -> PropertiesJson {
        let mut p = PropertiesJson::default();
        for (k, v) in &row.properties {
            let v = v.clone();
            match k.as_str() {
                "cluster" => p.cluster = Some(v),
                "node" => p.node = Some(v),
                "container" => p.container = Some(v),
                "controller" => {
                    // `<kind>:<name>`, as OpenCost names the controller key.
                    if let Some((kind, _)) = v.split_once(':') {
                        p.controller_kind = Some(kind.to_string());
                    }
                    p.controller = Some(v);
                }
                "controllerKind" => p.controller_kind = Some(v),
                "namespace" => p.namespace = Some(v),
                "pod" => p.pod = Some(v),
                "service" => p.services = Some(vec![v]),
                "providerID" => p.provider_id = Some(v),
                other => {
                    if let Some(name) = other.strip_prefix("label:") {
                        p.labels.insert(name.to_string(), v);
                    } else if let Some(name) = other.strip_prefix("annotation:") {
                        p.annotations.insert(name.to_string(), v);
                    } else {
                        p.labels.insert(other.to_string(), v);
                    }
                }
            }
        }
        p
    }
}

/// Reads a row's values by column.
struct Values<'a> {
    row: &'a Row,
}

impl Values<'_> {
    fn get(&self, id: ColumnId) -> Option<f64> {
        self.row.get(DataKind::Allocation, id).and_then(round5)
    }
}

/// One allocation as OpenCost's JSON writes it ([OpenCost `AllocationJSON`], key order kept).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationJson {
    pub name: String,
    pub properties: PropertiesJson,
    pub window: WindowJson,
    pub start: String,
    pub end: String,
    pub minutes: Option<f64>,
    pub cpu_cores: Option<f64>,
    pub cpu_core_request_average: Option<f64>,
    pub cpu_core_usage_average: Option<f64>,
    pub cpu_core_hours: Option<f64>,
    pub cpu_cost: Option<f64>,
    pub cpu_cost_adjustment: Option<f64>,
    pub cpu_cost_idle: Option<f64>,
    pub cpu_efficiency: Option<f64>,
    pub gpu_count: Option<f64>,
    pub gpu_hours: Option<f64>,
    pub gpu_cost: Option<f64>,
    pub gpu_cost_adjustment: Option<f64>,
    pub gpu_cost_idle: Option<f64>,
    pub gpu_efficiency: Option<f64>,
    pub network_transfer_bytes: Option<f64>,
    pub network_receive_bytes: Option<f64>,
    pub network_cost: Option<f64>,
    pub network_cross_zone_cost: Option<f64>,
    pub network_cross_region_cost: Option<f64>,
    pub network_internet_cost: Option<f64>,
    pub network_cost_adjustment: Option<f64>,
    pub load_balancer_cost: Option<f64>,
    pub load_balancer_cost_adjustment: Option<f64>,
    pub pv_bytes: Option<f64>,
    pub pv_byte_hours: Option<f64>,
    pub pv_cost: Option<f64>,
    pub pvs: Option<()>,
    pub pv_cost_adjustment: Option<f64>,
    pub ram_bytes: Option<f64>,
    pub ram_byte_request_average: Option<f64>,
    pub ram_byte_usage_average: Option<f64>,
    pub ram_byte_hours: Option<f64>,
    pub ram_cost: Option<f64>,
    pub ram_cost_adjustment: Option<f64>,
    pub ram_cost_idle: Option<f64>,
    pub ram_efficiency: Option<f64>,
    pub external_cost: Option<f64>,
    pub shared_cost: Option<f64>,
    pub total_cost: Option<f64>,
    pub total_efficiency: Option<f64>,
    pub proportional_asset_resource_costs: BTreeMap<String, f64>,
    pub lb_allocations: Option<()>,
    pub shared_cost_breakdown: BTreeMap<String, f64>,
}

impl AllocationJson {
    /// `row` (named `name`) of a set over `window`.
    pub fn of(name: &str, row: &Row, window: &Window) -> AllocationJson {
        let v = Values { row };
        let minutes = (window.end - window.start).num_seconds() as f64 / 60.0;
        AllocationJson {
            name: name.to_string(),
            properties: PropertiesJson::of(row),
            window: window.into(),
            start: utc(window.start),
            end: utc(window.end),
            minutes: round5(minutes),
            cpu_cores: v.get(ColumnId::CpuCores),
            cpu_core_request_average: v.get(ColumnId::CpuCoreRequestAverage),
            cpu_core_usage_average: v.get(ColumnId::CpuCoreUsageAverage),
            cpu_core_hours: v.get(ColumnId::CpuCoreHours),
            cpu_cost: v.get(ColumnId::CpuCost),
            cpu_cost_adjustment: v.get(ColumnId::CpuCostAdjustment),
            cpu_cost_idle: Some(0.0),
            cpu_efficiency: v.get(ColumnId::CpuEfficiency),
            gpu_count: v.get(ColumnId::GpuCount),
            gpu_hours: v.get(ColumnId::GpuHours),
            gpu_cost: v.get(ColumnId::GpuCost),
            gpu_cost_adjustment: v.get(ColumnId::GpuCostAdjustment),
            gpu_cost_idle: Some(0.0),
            gpu_efficiency: Some(0.0),
            network_transfer_bytes: v.get(ColumnId::NetworkTransferBytes),
            network_receive_bytes: v.get(ColumnId::NetworkReceiveBytes),
            network_cost: v.get(ColumnId::NetworkCost),
            network_cross_zone_cost: v.get(ColumnId::NetworkCrossZoneCost),
            network_cross_region_cost: v.get(ColumnId::NetworkCrossRegionCost),
            network_internet_cost: v.get(ColumnId::NetworkInternetCost),
            network_cost_adjustment: v.get(ColumnId::NetworkCostAdjustment),
            load_balancer_cost: v.get(ColumnId::LoadBalancerCost),
            load_balancer_cost_adjustment: v.get(ColumnId::LoadBalancerCostAdjustment),
            pv_bytes: v.get(ColumnId::PvBytes),
            pv_byte_hours: v.get(ColumnId::PvByteHours),
            pv_cost: v.get(ColumnId::PvCost),
            pvs: None,
            pv_cost_adjustment: v.get(ColumnId::PvCostAdjustment),
            ram_bytes: v.get(ColumnId::RamBytes),
            ram_byte_request_average: v.get(ColumnId::RamByteRequestAverage),
            ram_byte_usage_average: v.get(ColumnId::RamByteUsageAverage),
            ram_byte_hours: v.get(ColumnId::RamByteHours),
            ram_cost: v.get(ColumnId::RamCost),
            ram_cost_adjustment: v.get(ColumnId::RamCostAdjustment),
            ram_cost_idle: Some(0.0),
            ram_efficiency: v.get(ColumnId::RamEfficiency),
            external_cost: v.get(ColumnId::ExternalCost),
            shared_cost: v.get(ColumnId::SharedCost),
            total_cost: v.get(ColumnId::TotalCost),
            total_efficiency: v.get(ColumnId::TotalEfficiency),
            proportional_asset_resource_costs: BTreeMap::new(),
            lb_allocations: None,
            shared_cost_breakdown: BTreeMap::new(),
        }
    }
}

/// One step set: name → allocation, in the page's row order. With `merged` (`aggregate=all`)
/// the set holds one allocation, the page's totals, named `""` as OpenCost's key over no
/// properties.
#[derive(Clone, Debug, PartialEq)]
pub struct AllocationSetJson(pub Vec<AllocationJson>);

impl AllocationSetJson {
    /// The set of `page` over `window`.
    pub fn of(page: &Page, window: &Window, merged: bool) -> AllocationSetJson {
        if merged {
            let mut totals = page.totals.clone();
            totals.properties.clear();
            return AllocationSetJson(if page.total_rows == 0 {
                Vec::new()
            } else {
                vec![AllocationJson::of("", &totals, window)]
            });
        }
        AllocationSetJson(page.rows.iter().map(|r| AllocationJson::of(&r.name, r, window)).collect())
    }
}

impl Serialize for AllocationSetJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        named_map(s, self.0.iter().map(|a| (a.name.as_str(), a)))
    }
}

/// Write `items` as one JSON object, name → item, in the order given (OpenCost's sets are maps;
/// the order is the page's sort).
///
/// Errors: the serializer's.
pub fn named_map<'a, S: Serializer, T: Serialize + 'a>(
    s: S,
    items: impl ExactSizeIterator<Item = (&'a str, &'a T)>,
) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(items.len()))?;
    for (k, v) in items {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// One allocation of `/allocation/summary` (OpenCost `SummaryAllocation`: no properties; Kubecost
/// adds `totalCost` and `totalEfficiency`, docs/api.md §4 and §9).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryJson {
    pub name: String,
    pub start: String,
    pub end: String,
    pub cpu_core_request_average: Option<f64>,
    pub cpu_core_usage_average: Option<f64>,
    pub cpu_cost: Option<f64>,
    pub gpu_cost: Option<f64>,
    pub network_cost: Option<f64>,
    pub load_balancer_cost: Option<f64>,
    pub pv_cost: Option<f64>,
    pub ram_byte_request_average: Option<f64>,
    pub ram_byte_usage_average: Option<f64>,
    pub ram_cost: Option<f64>,
    pub shared_cost: Option<f64>,
    pub external_cost: Option<f64>,
    pub total_efficiency: Option<f64>,
    pub total_cost: Option<f64>,
}

impl From<&AllocationJson> for SummaryJson {
    fn from(a: &AllocationJson) -> Self {
        SummaryJson {
            name: a.name.clone(),
            start: a.start.clone(),
            end: a.end.clone(),
            cpu_core_request_average: a.cpu_core_request_average,
            cpu_core_usage_average: a.cpu_core_usage_average,
            cpu_cost: a.cpu_cost,
            gpu_cost: a.gpu_cost,
            network_cost: a.network_cost,
            load_balancer_cost: a.load_balancer_cost,
            pv_cost: a.pv_cost,
            ram_byte_request_average: a.ram_byte_request_average,
            ram_byte_usage_average: a.ram_byte_usage_average,
            ram_cost: a.ram_cost,
            shared_cost: a.shared_cost,
            external_cost: a.external_cost,
            total_efficiency: a.total_efficiency,
            total_cost: a.total_cost,
        }
    }
}

/// A summary set: `{"allocations": {name: summary}, "window": …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummarySetJson {
    pub allocations: SummaryMap,
    pub window: WindowJson,
}

/// Name → summary, in row order.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryMap(pub Vec<SummaryJson>);

impl Serialize for SummaryMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        named_map(s, self.0.iter().map(|a| (a.name.as_str(), a)))
    }
}

/// `/allocation/summary`'s payload: `{"step": <ns>, "sets": […], "window": …}` (`step` is a Go
/// duration, integer nanoseconds).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryRangeJson {
    pub step: i64,
    pub sets: Vec<SummarySetJson>,
    pub window: WindowJson,
}

/// `/allocation/summary/topline`'s payload (Kubecost): `{"numResults", "combined":
/// {"allocations": {"total": …}, "window"}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ToplineJson {
    pub num_results: usize,
    pub combined: ToplineCombined,
}

/// The combined part of [`ToplineJson`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToplineCombined {
    pub allocations: BTreeMap<&'static str, SummaryJson>,
    pub window: WindowJson,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_to_five_places_and_non_finite_is_null() {
        assert_eq!(round5(1.234_567_89), Some(1.23457));
        assert_eq!(round5(-0.000_001), Some(0.0));
        assert_eq!(round5(f64::NAN), None);
        assert_eq!(round5(f64::INFINITY), None);
    }

    #[test]
    fn properties_follow_opencost_names() {
        let row = Row {
            name: "x".into(),
            properties: [
                ("cluster", "c1"),
                ("controller", "deployment:web"),
                ("label:app", "web"),
                ("team", "pay"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            values: Vec::new(),
        };
        let json = serde_json::to_value(PropertiesJson::of(&row)).unwrap();
        assert_eq!(json["cluster"], "c1");
        assert_eq!(json["controllerKind"], "deployment");
        assert_eq!(json["labels"]["app"], "web");
        assert!(json.get("node").is_none(), "{json}");
    }
}
