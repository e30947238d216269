//! Unclaimed volumes (Kubecost "Unclaimed volumes": volumes no pod uses; `docs/semantics.md`
//! § 13): the persistent volumes that only `__unmounted__` allocations held in the window, or
//! whose Disk asset had no claim, each with its cost.

use super::{Cell, SavingsRow};
use serde::Serialize;

/// Unclaimed volumes take no parameter (Kubecost's page has none but the cluster); serialised
/// as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct VolumeParams {}

/// One unclaimed volume. Units: bytes, USD over the window (`cost`) and USD per 730-hour month
/// (`monthlyCost`, what deleting the volume would save).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeRow {
    pub cluster: String,
    /// The PersistentVolume's name (the Disk asset's `properties.name`).
    pub volume_name: String,
    /// The claim in the newest set holding the disk; empty when it had none.
    pub claim_name: String,
    pub claim_namespace: String,
    pub storage_class: String,
    /// The cloud volume id.
    #[serde(rename = "providerID")]
    pub provider_id: String,
    /// Σ byteHours ÷ Σ hours of the disk's assets in the window (its average size), bytes.
    pub capacity_bytes: f64,
    /// Σ of the disk's `totalCost` in the window, USD.
    pub cost: f64,
    /// cost × 730 ÷ hours of data covered, USD per month.
    pub monthly_cost: f64,
}

impl SavingsRow for VolumeRow {
    const FIELDS: &'static [&'static str] = &[
        "cluster",
        "volumeName",
        "claimName",
        "claimNamespace",
        "storageClass",
        "providerID",
        "capacityBytes",
        "cost",
        "monthlyCost",
    ];
    const MONTHLY: &'static str = "monthlyCost";

    fn cell(&self, i: usize) -> Cell<'_> {
        match i {
            0 => Cell::Text(&self.cluster),
            1 => Cell::Text(&self.volume_name),
            2 => Cell::Text(&self.claim_name),
            3 => Cell::Text(&self.claim_namespace),
            4 => Cell::Text(&self.storage_class),
            5 => Cell::Text(&self.provider_id),
            6 => Cell::Bytes(self.capacity_bytes),
            7 => Cell::Usd(self.cost),
            _ => Cell::Usd(self.monthly_cost),
        }
    }

    fn monthly(&self) -> f64 {
        self.monthly_cost
    }
}
