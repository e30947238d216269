//! Disk right-sizing (`docs/semantics.md` § 14): persistent volumes sized to their maximum use
//! plus headroom (Kubecost `persistentVolumeSizing`, `headroomPct` default 10), or with
//! [`DiskParams::local`] the node-local disks whose maximum use stays under a fraction of their
//! size (Kubecost `localLowDisks`: "disks … under 20% current usage").

use super::{DiskIdentity, SizingParamsError};
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
#[derive(Clone, Debug, PartialEq)]
pub struct DiskRow {
    /// The disk (JSON `clusterId`, `volumeName`, `claimName`, `claimNamespace`, `storageClass`,
    /// `providerID`).
    pub id: DiskIdentity,
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

crate::savings_row!(DiskRow, monthly: "savingsMonthly", totals: ["savingsMonthly"], fields: [
    "clusterId" => Text(id.cluster),
    "volumeName" => Text(id.volume_name),
    "claimName" => Text(id.claim_name),
    "claimNamespace" => Text(id.claim_namespace),
    "storageClass" => Text(id.storage_class),
    "providerID" => Text(id.provider_id),
    "currentCapacityBytes" => Bytes(current_capacity_bytes),
    "maxUsageBytes" => Bytes(max_usage_bytes),
    "averageUsageBytes" => Bytes(average_usage_bytes),
    "utilization" => Fraction(utilization),
    "recommendedCapacityBytes" => Bytes(recommended_capacity_bytes),
    "currentCostMonthly" => Usd(current_cost_monthly),
    "recommendedCostMonthly" => Usd(recommended_cost_monthly),
    "savingsMonthly" => Usd(savings_monthly),
]);
