//! Abandoned workloads (Kubecost `abandonedWorkloads`; `docs/semantics.md` § 15): controllers
//! whose pods sent and received, together, fewer than `threshold` bytes per second of running
//! time over the window, with what they cost.

use super::SizingParamsError;
use serde::Serialize;

/// Parameters with Kubecost's names: `days` (the window's length, default 2, Kubecost's first
/// preset) and `threshold` (bytes in + out per second, default 500).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AbandonedParams {
    /// Length of the window, days (reported; the window itself is the query's).
    pub days: f64,
    /// Traffic below which a controller is abandoned, bytes per second (≥ 0).
    pub threshold: f64,
}

impl Default for AbandonedParams {
    fn default() -> AbandonedParams {
        AbandonedParams {
            days: 2.0,
            threshold: 500.0,
        }
    }
}

impl AbandonedParams {
    /// Check the ranges. Errors: [`SizingParamsError`] naming the parameter.
    pub fn validate(&self) -> Result<(), SizingParamsError> {
        for (name, value) in [("days", self.days), ("threshold", self.threshold)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(SizingParamsError::Minimum { name, value });
            }
        }
        Ok(())
    }
}

/// One abandoned controller (a bare pod is its own controller, kind `pod`). Units: bytes per
/// second, USD over the window (`cost`), USD per 730-hour month (`monthlySavings`).
#[derive(Clone, Debug, PartialEq)]
pub struct AbandonedRow {
    pub cluster: String,
    pub namespace: String,
    pub controller_kind: String,
    pub controller: String,
    /// Distinct pods of the controller in the window.
    pub pods: f64,
    /// Σ networkReceiveBytes ÷ Σ pod running seconds.
    pub ingress_bytes_per_second: f64,
    /// Σ networkTransferBytes ÷ Σ pod running seconds.
    pub egress_bytes_per_second: f64,
    /// Σ totalCost of the controller's allocations, USD.
    pub cost: f64,
    /// cost × 730 ÷ hours of data covered, USD per month.
    pub monthly_savings: f64,
}

crate::savings_row!(AbandonedRow, monthly: "monthlySavings", totals: ["monthlySavings"], fields: [
    "cluster" => Text(cluster),
    "namespace" => Text(namespace),
    "controllerKind" => Text(controller_kind),
    "controller" => Text(controller),
    "pods" => Count(pods),
    "ingressBytesPerSecond" => BytesPerSecond(ingress_bytes_per_second),
    "egressBytesPerSecond" => BytesPerSecond(egress_bytes_per_second),
    "cost" => Usd(cost),
    "monthlySavings" => Usd(monthly_savings),
]);
