//! Underutilized nodes (Kubecost "Underutilized nodes"; `docs/semantics.md` § 16): nodes whose
//! CPU and RAM use, from their assets' breakdowns, both stay under a profile's maximum
//! utilization (Kubecost's profiles: Development 0.8, Production 0.65, High Availability 0.5).

use super::SizingParamsError;
use serde::Serialize;

/// Parameters: the maximum utilization a node may reach and still be listed, a fraction in
/// (0, 1]; default 0.65 (Kubecost's Production profile).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeParams {
    /// Largest CPU and RAM use (share of capacity) of a node listed.
    pub max_utilization: f64,
}

impl Default for NodeParams {
    fn default() -> NodeParams {
        NodeParams { max_utilization: 0.65 }
    }
}

impl NodeParams {
    /// The profile's maximum utilization: `development` 0.8, `production` 0.65,
    /// `high-availability` 0.5 (case-insensitive); `None` for another name.
    pub fn profile(name: &str) -> Option<NodeParams> {
        let max_utilization = match name.to_ascii_lowercase().as_str() {
            "development" => 0.8,
            "production" => 0.65,
            "high-availability" | "highavailability" => 0.5,
            _ => return None,
        };
        Some(NodeParams { max_utilization })
    }

    /// Check the range. Errors: [`SizingParamsError`] naming the parameter.
    pub fn validate(&self) -> Result<(), SizingParamsError> {
        match self.max_utilization > 0.0 && self.max_utilization <= 1.0 {
            true => Ok(()),
            false => Err(SizingParamsError::Target {
                name: "maxUtilization",
                value: self.max_utilization,
            }),
        }
    }
}

/// One underutilized node. Units: cores, bytes, fractions, USD over the window (`cost`), USD per
/// 730-hour month (`monthlySavings`: what turning it down would save).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRow {
    pub cluster: String,
    /// The node's name.
    pub node: String,
    pub node_type: String,
    pub provider_id: String,
    /// Σ cpuCoreHours ÷ Σ hours, cores.
    pub cpu_cores: f64,
    /// Σ ramByteHours ÷ Σ hours, bytes.
    pub ram_bytes: f64,
    /// Σ (1 − cpuBreakdown.idle) × cpuCoreHours ÷ Σ cpuCoreHours.
    pub cpu_utilization: f64,
    /// Σ (1 − ramBreakdown.idle) × ramByteHours ÷ Σ ramByteHours.
    pub ram_utilization: f64,
    /// Σ totalCost, USD.
    pub cost: f64,
    /// cost × 730 ÷ hours of data covered, USD per month.
    pub monthly_savings: f64,
}

crate::savings_row!(NodeRow, monthly: "monthlySavings", totals: ["monthlySavings"], fields: [
    "cluster" => Text(cluster),
    "node" => Text(node),
    "nodeType" => Text(node_type),
    "providerID" => Text(provider_id),
    "cpuCores" => Cores(cpu_cores),
    "ramBytes" => Bytes(ram_bytes),
    "cpuUtilization" => Fraction(cpu_utilization),
    "ramUtilization" => Fraction(ram_utilization),
    "cost" => Usd(cost),
    "monthlySavings" => Usd(monthly_savings),
]);
