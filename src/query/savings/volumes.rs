//! Unclaimed volumes (Kubecost "Unclaimed volumes": volumes no pod uses; `docs/semantics.md`
//! § 13): the persistent volumes that only `__unmounted__` allocations held in the window, or
//! whose Disk asset had no claim, each with its cost.

use serde::Serialize;

/// Unclaimed volumes take no parameter (Kubecost's page has none but the cluster); serialised
/// as `{}`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct VolumeParams {}

/// Who a disk is, as the newest set holding it says (the Disk asset's properties and detail).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiskIdentity {
    /// The cluster's id.
    pub cluster: String,
    /// The Disk asset's `properties.name` (the PersistentVolume's name; the node's name for a
    /// local disk).
    pub volume_name: String,
    /// The claim; empty when the disk had none.
    pub claim_name: String,
    /// The claim's namespace.
    pub claim_namespace: String,
    /// The storage class.
    pub storage_class: String,
    /// The cloud volume id.
    pub provider_id: String,
}

/// One unclaimed volume. Units: bytes, USD over the window (`cost`) and USD per 730-hour month
/// (`monthlyCost`, what deleting the volume would save).
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeRow {
    /// The disk (JSON `cluster`, `volumeName`, `claimName`, `claimNamespace`, `storageClass`,
    /// `providerID`).
    pub id: DiskIdentity,
    /// Σ byteHours ÷ Σ hours of the disk's assets in the window (its average size), bytes.
    pub capacity_bytes: f64,
    /// Σ of the disk's `totalCost` in the window, USD.
    pub cost: f64,
    /// cost × 730 ÷ hours of data covered, USD per month.
    pub monthly_cost: f64,
}

crate::savings_row!(VolumeRow, monthly: "monthlyCost", totals: ["monthlyCost"], fields: [
    "cluster" => Text(id.cluster),
    "volumeName" => Text(id.volume_name),
    "claimName" => Text(id.claim_name),
    "claimNamespace" => Text(id.claim_namespace),
    "storageClass" => Text(id.storage_class),
    "providerID" => Text(id.provider_id),
    "capacityBytes" => Bytes(capacity_bytes),
    "cost" => Usd(cost),
    "monthlyCost" => Usd(monthly_cost),
]);
