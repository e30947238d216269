//! Cloud cost types: billing line items from a cloud integration (AWS CUR, GCP BigQuery, Azure
//! exports). Mirrors OpenCost `core/pkg/opencost/cloudcost.go`, `cloudcostprops.go`,
//! `costmetric.go` (bingen "CloudCost" version set, current 3).

use super::{Str, StrMap, Window};
use serde::Serialize;

/// OpenCost `CloudCostProperties`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCostProperties {
    #[serde(rename = "providerID")]
    pub provider_id: Str,
    pub provider: Str,
    #[serde(rename = "accountID")]
    pub account_id: Str,
    /// CloudCost version ≥ 3.
    pub account_name: Str,
    #[serde(rename = "invoiceEntityID")]
    pub invoice_entity_id: Str,
    /// CloudCost version ≥ 3.
    pub invoice_entity_name: Str,
    /// CloudCost version ≥ 3.
    #[serde(rename = "regionID")]
    pub region_id: Str,
    /// CloudCost version ≥ 3.
    pub availability_zone: Str,
    pub service: Str,
    pub category: Str,
    pub labels: Option<StrMap>,
}

/// OpenCost `CostMetric`: a cost in USD and the fraction (0..1) of it that ran Kubernetes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CostMetric {
    pub cost: f64,
    pub kubernetes_percent: f64,
}

/// The five cost metrics of a cloud cost (Kubecost `costMetric`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CostMetricName {
    ListCost,
    NetCost,
    AmortizedNetCost,
    InvoicedCost,
    AmortizedCost,
}

impl CostMetricName {
    /// All five, in wire order.
    pub const ALL: [CostMetricName; 5] = [
        CostMetricName::ListCost,
        CostMetricName::NetCost,
        CostMetricName::AmortizedNetCost,
        CostMetricName::InvoicedCost,
        CostMetricName::AmortizedCost,
    ];
    /// Kubecost's JSON name (`amortizedNetCost`).
    pub fn json_name(self) -> &'static str {
        match self {
            CostMetricName::ListCost => "listCost",
            CostMetricName::NetCost => "netCost",
            CostMetricName::AmortizedNetCost => "amortizedNetCost",
            CostMetricName::InvoicedCost => "invoicedCost",
            CostMetricName::AmortizedCost => "amortizedCost",
        }
    }
    /// Parse a JSON name, case-insensitively (`AmortizedNetCost`, `amortizednetcost`).
    pub fn parse(s: &str) -> Option<CostMetricName> {
        CostMetricName::ALL.into_iter().find(|m| m.json_name().eq_ignore_ascii_case(s))
    }
}

/// OpenCost `CloudCost`: one billing item for one window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCost {
    pub properties: Option<CloudCostProperties>,
    pub window: Window,
    pub list_cost: CostMetric,
    pub net_cost: CostMetric,
    pub amortized_net_cost: CostMetric,
    pub invoiced_cost: CostMetric,
    /// Absent (zero) in CloudCost version 1 files.
    pub amortized_cost: CostMetric,
}

impl CloudCost {
    /// The metric named `m`.
    pub fn metric(&self, m: CostMetricName) -> CostMetric {
        match m {
            CostMetricName::ListCost => self.list_cost,
            CostMetricName::NetCost => self.net_cost,
            CostMetricName::AmortizedNetCost => self.amortized_net_cost,
            CostMetricName::InvoicedCost => self.invoiced_cost,
            CostMetricName::AmortizedCost => self.amortized_cost,
        }
    }
}

/// OpenCost `CloudCostSet`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCostSet {
    pub cloud_costs: Option<StrMap<Str, Option<CloudCost>>>,
    pub window: Window,
    pub integration: Str,
    pub aggregation_properties: Option<Vec<Str>>,
}

impl CloudCostSet {
    /// Iterate the non-nil cloud costs.
    pub fn iter(&self) -> impl Iterator<Item = &CloudCost> {
        self.cloud_costs.iter().flat_map(|m| m.iter().filter_map(|(_, v)| v.as_ref()))
    }
    /// Number of non-nil cloud costs.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
    /// True when the set holds no cloud cost.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// OpenCost `CloudCostSetRange`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudCostSetRange {
    pub cloud_cost_sets: Option<Vec<Option<CloudCostSet>>>,
    pub window: Window,
}
