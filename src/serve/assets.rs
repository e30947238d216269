//! OpenCost's asset and cloud-cost JSON (`core/pkg/opencost/asset_json.go`, `cloudcost.go`,
//! `pkg/cloudcost/view.go`; docs/api.md §5–§6) built from query pages.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::Serializer;

use super::allocation::{WindowJson, named_map, round5, utc};
use crate::query::{ColumnId, DataKind, Page, Row, Window};

/// The asset aggregation `/assets` answers with on OpenCost's paths: one entry per asset, named by
/// OpenCost's asset key order (`provider/account/project/category/cluster/type/service/
/// providerID/name`, `asset.go` `key`).
pub const ASSET_ITEM_AGGREGATE: &str = "provider,account,project,category,cluster,type,service,providerID,name";

/// OpenCost `AssetProperties` (omitempty each).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AssetPropertiesJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "providerID", skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
}

/// One asset (or asset group) as OpenCost's asset JSON: the type when the row has one, the
/// properties its aggregate keys give, the window, and its costs in USD (node costs only for
/// rows with node costs).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetJson {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub asset_type: Option<String>,
    pub properties: AssetPropertiesJson,
    pub labels: BTreeMap<String, String>,
    pub window: WindowJson,
    pub start: String,
    pub end: String,
    pub minutes: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_cost: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ram_cost: Option<f64>,
    pub discount: Option<f64>,
    pub adjustment: Option<f64>,
    pub total_cost: Option<f64>,
}

impl AssetJson {
    /// `row` of a set over `window`.
    pub fn of(row: &Row, window: &Window) -> AssetJson {
        let prop = |k: &str| row.properties.get(k).filter(|v| !v.is_empty()).cloned();
        let get = |id| row.get(DataKind::Asset, id).and_then(round5);
        let nonzero = |id| get(id).filter(|v| *v != 0.0);
        let node_costs = [ColumnId::CpuCost, ColumnId::GpuCost, ColumnId::RamCost]
            .iter()
            .any(|id| nonzero(*id).is_some());
        let node = |id| if node_costs { get(id) } else { None };
        let labels = row
            .properties
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("label:").map(|k| (k.to_string(), v.clone())))
            .collect();
        AssetJson {
            asset_type: prop("type"),
            properties: AssetPropertiesJson {
                category: prop("category"),
                provider: prop("provider"),
                account: prop("account"),
                project: prop("project"),
                service: prop("service"),
                cluster: prop("cluster"),
                name: prop("name"),
                provider_id: prop("providerID"),
            },
            labels,
            window: window.into(),
            start: utc(window.start),
            end: utc(window.end),
            minutes: round5((window.end - window.start).num_seconds() as f64 / 60.0),
            cpu_cost: node(ColumnId::CpuCost),
            gpu_cost: node(ColumnId::GpuCost),
            ram_cost: node(ColumnId::RamCost),
            discount: get(ColumnId::Discount),
            adjustment: get(ColumnId::Adjustment),
            total_cost: get(ColumnId::TotalCost),
        }
    }
}

/// Name → asset, in the page's order (`AssetSet.MarshalJSON`: `data` is one map).
#[derive(Clone, Debug, PartialEq)]
pub struct AssetSetJson(pub Vec<(String, AssetJson)>);

impl AssetSetJson {
    /// The assets of `page` over `window`.
    pub fn of(page: &Page, window: &Window) -> AssetSetJson {
        AssetSetJson(page.rows.iter().map(|r| (r.name.clone(), AssetJson::of(r, window))).collect())
    }
}

impl Serialize for AssetSetJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        named_map(s, self.0.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

/// A cost metric's value: `{"cost": USD, "kubernetesPercent": 0–1}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostMetricJson {
    pub cost: Option<f64>,
    pub kubernetes_percent: Option<f64>,
}

impl CostMetricJson {
    /// The cost metric of a cloud-cost row (the metric the row's query asked for).
    pub fn of(row: &Row) -> CostMetricJson {
        let get = |id| row.get(DataKind::CloudCost, id).and_then(round5);
        CostMetricJson {
            cost: get(ColumnId::Cost),
            kubernetes_percent: get(ColumnId::KubernetesPercent),
        }
    }
}

/// One cloud cost item (`CloudCost` JSON): properties, window and the five cost metrics.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCostJson {
    pub properties: BTreeMap<String, String>,
    pub window: WindowJson,
    pub list_cost: CostMetricJson,
    pub net_cost: CostMetricJson,
    pub amortized_net_cost: CostMetricJson,
    pub invoiced_cost: CostMetricJson,
    pub amortized_cost: CostMetricJson,
}

/// One set of `/cloudCost`: `{"cloudCosts": {name: item}, "window", "aggregationProperties"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCostSetJson {
    pub cloud_costs: NamedMap<CloudCostJson>,
    pub window: WindowJson,
    pub aggregation_properties: Vec<String>,
}

/// `/cloudCost`'s payload: the sets, and a range window OpenCost never fills
/// (`{"start":"null","end":"null"}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CloudCostRangeJson {
    pub sets: Vec<CloudCostSetJson>,
    pub window: WindowJson,
}

/// A JSON object of named values, kept in order.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedMap<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for NamedMap<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        named_map(s, self.0.iter().map(|(k, v)| (k.as_str(), v)))
    }
}

/// A row of `/cloudCost/view/table` and the `combined` of `/view/totals`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewRowJson {
    pub name: String,
    pub labels: Option<BTreeMap<String, String>>,
    pub kubernetes_percent: Option<f64>,
    pub cost: Option<f64>,
}

impl ViewRowJson {
    /// `row` under `name`.
    pub fn of(name: &str, row: &Row) -> ViewRowJson {
        let m = CostMetricJson::of(row);
        ViewRowJson {
            name: name.to_string(),
            labels: None,
            kubernetes_percent: m.kubernetes_percent,
            cost: m.cost,
        }
    }
}

/// `/cloudCost/view/totals`: `{"numResults", "combined"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewTotalsJson {
    pub num_results: usize,
    pub combined: ViewRowJson,
}

/// One point of `/cloudCost/view/graph`: a step and its items, largest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphSetJson {
    pub start: String,
    pub end: String,
    pub items: Vec<GraphItemJson>,
}

/// `{"name", "value"}` of a graph point.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphItemJson {
    pub name: String,
    pub value: f64,
}

/// Items a graph point shows before the rest is summed into `Other` (`view.go` `ChartItemsLength`).
pub const GRAPH_ITEMS: usize = 10;

impl GraphSetJson {
    /// The point of `page` (rows largest first) over `window`: the first nine items, then `Other`
    /// holding the rest when there are more than [`GRAPH_ITEMS`].
    pub fn of(page: &Page, window: &Window) -> GraphSetJson {
        let value = |r: &Row| r.get(DataKind::CloudCost, ColumnId::Cost).and_then(round5).unwrap_or(0.0);
        let mut items: Vec<GraphItemJson> = page
            .rows
            .iter()
            .map(|r| GraphItemJson {
                name: r.name.clone(),
                value: value(r),
            })
            .collect();
        if items.len() > GRAPH_ITEMS {
            let rest: f64 = items[GRAPH_ITEMS - 1..].iter().map(|i| i.value).sum();
            items.truncate(GRAPH_ITEMS - 1);
            items.push(GraphItemJson {
                name: "Other".into(),
                value: round5(rest).unwrap_or(0.0),
            });
        }
        GraphSetJson {
            start: utc(window.start),
            end: utc(window.end),
            items,
        }
    }
}
