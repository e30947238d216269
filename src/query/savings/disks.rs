//! Disk right-sizing (`docs/semantics.md` § 14): persistent volumes sized to their maximum use
//! plus headroom (Kubecost `persistentVolumeSizing`, `headroomPct` default 10), or with
//! [`DiskParams::local`] the node-local disks whose maximum use stays under a fraction of their
//! size (Kubecost `localLowDisks`: "disks … under 20% current usage").

use super::{Cell, SavingsRow, SizingParamsError};
use serde::Serialize;

/// Parameters of a disk query, with Kubecost's names and defaults.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskParams {
    /// Percent of the maximum use added to it for the recommended capacity (≥ 0; Kubecost
    /// `headroomPct`, default 10).
    pub headroom_pct: f64,
    /// `false`: persistent volumes (non-local Disk assets); `true`: local disks with low use.
    pub local: bool,
    /// Local disks only: the largest maximum-use ÷ capacity listed, a fraction in (0, 1]
    /// (Kubecost's 20 %).
    pub low_utilization: f64,
}

impl Default for DiskParams {
    fn default() -> DiskParams {
        DiskParams {
            headroom_pct: 10.0,
            local: false,
            low_utilization: 0.2,
        }
    }
}

impl DiskParams {
    /// Check the ranges. Errors: [`SizingParamsError`] naming the parameter.
    pub fn validate(&self) -> Result<(), SizingParamsError> {
        if !(self.headroom_pct.is_finite() && self.headroom_pct >= 0.0) {
            return Err(SizingParamsError::Minimum {
                name: "headroomPct",
                value: self.headroom_pct,
            });
        }
        if !(self.low_utilization > 0.0 && self.low_utilization <= 1.0) {
            return Err(SizingParamsError::Target {
                name: "lowUtilization",
                value: self.low_utilization,
            });
        }
        Ok(())
    }
}

/// One disk's recommendation (Kubecost `persistentVolumeSizing` field names). Units: bytes,
/// fractions, USD per 730-hour month. A negative saving means the disk is smaller than its use
/// plus headroom.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskRow {
    #[serde(rename = "clusterId")]
    pub cluster: String,
    /// The Disk asset's `properties.name` (the PV name; the node's name for a local disk).
    pub volume_name: String,
    pub claim_name: String,
    pub claim_namespace: String,
    pub storage_class: String,
    #[serde(rename = "providerID")]
    pub provider_id: String,
    /// Σ byteHours ÷ Σ hours in the window, bytes.
    pub current_capacity_bytes: f64,
    /// The largest `byteUsageMax` in the window, bytes.
    pub max_usage_bytes: f64,
    /// Σ byteHoursUsed ÷ Σ hours, bytes.
    pub average_usage_bytes: f64,
    /// maxUsageBytes ÷ currentCapacityBytes (0 without capacity).
    pub utilization: f64,
    /// maxUsageBytes × (1 + headroomPct ÷ 100), bytes.
    pub recommended_capacity_bytes: f64,
    /// Σ totalCost × 730 ÷ hours of data covered, USD per month.
    pub current_cost_monthly: f64,
    /// recommended × Σ hours × (Σ totalCost ÷ Σ byteHours) × 730 ÷ hours covered, USD per month.
    pub recommended_cost_monthly: f64,
    /// currentCostMonthly − recommendedCostMonthly, USD per month.
    pub savings_monthly: f64,
}

impl SavingsRow for DiskRow {
    const FIELDS: &'static [&'static str] = &[
        "clusterId",
        "volumeName",
        "claimName",
        "claimNamespace",
        "storageClass",
        "providerID",
        "currentCapacityBytes",
        "maxUsageBytes",
        "averageUsageBytes",
        "utilization",
        "recommendedCapacityBytes",
        "currentCostMonthly",
        "recommendedCostMonthly",
        "savingsMonthly",
    ];
    const MONTHLY: &'static str = "savingsMonthly";

    fn cell(&self, i: usize) -> Cell<'_> {
        match i {
            0 => Cell::Text(&self.cluster),
            1 => Cell::Text(&self.volume_name),
            2 => Cell::Text(&self.claim_name),
            3 => Cell::Text(&self.claim_namespace),
            4 => Cell::Text(&self.storage_class),
            5 => Cell::Text(&self.provider_id),
            6 => Cell::Bytes(self.current_capacity_bytes),
            7 => Cell::Bytes(self.max_usage_bytes),
            8 => Cell::Bytes(self.average_usage_bytes),
            9 => Cell::Fraction(self.utilization),
            10 => Cell::Bytes(self.recommended_capacity_bytes),
            11 => Cell::Usd(self.current_cost_monthly),
            12 => Cell::Usd(self.recommended_cost_monthly),
            _ => Cell::Usd(self.savings_monthly),
        }
    }

    fn monthly(&self) -> f64 {
        self.savings_monthly
    }
}
