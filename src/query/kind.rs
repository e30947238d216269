//! The three Kubecost data sets a query can target, and the special row
//! names Kubecost gives to costs that belong to no aggregation value.
//!
//! Follows Kubecost docs `apis/monitoring-apis/api-allocation.md` (special
//! rows, docs/semantics.md §6).

use serde::{Deserialize, Serialize};

/// Row name Kubecost uses when an item has no value for the aggregation key
/// (e.g. no `app` label under `aggregate=label:app`).
pub const UNALLOCATED: &str = "__unallocated__";
/// Row name of idle cost rows (`idle=true`, not shared).
pub const IDLE: &str = "__idle__";
/// Row name of unmounted persistent volumes.
pub const UNMOUNTED: &str = "__unmounted__";
/// Asset key segment for an empty property or a missing label (OpenCost `asset.go`
/// `UndefinedKey`).
pub const UNDEFINED: &str = "__undefined__";

/// Which Kubecost data set a query runs against; decides the accepted
/// aggregation keys and filter fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataKind {
    /// Kubernetes workload costs (`/model/allocation`).
    Allocation,
    /// Infrastructure assets: nodes, disks, load balancers… (`/model/assets`).
    Asset,
    /// Cloud bill line items (`/model/cloudCost`).
    CloudCost,
}

impl DataKind {
    /// Every data kind, in [`DataKind::index`] order.
    pub const ALL: [DataKind; 3] = [DataKind::Allocation, DataKind::Asset, DataKind::CloudCost];

    /// Position in [`DataKind::ALL`] (0, 1, 2), for per-kind arrays.
    pub const fn index(self) -> usize {
        match self {
            DataKind::Allocation => 0,
            DataKind::Asset => 1,
            DataKind::CloudCost => 2,
        }
    }

    /// The DuckDB table of its items (`allocations`, `assets`, `cloud_costs`; the columns are
    /// [`crate::stored`]'s).
    pub const fn table(self) -> &'static str {
        match self {
            DataKind::Allocation => "allocations",
            DataKind::Asset => "assets",
            DataKind::CloudCost => "cloud_costs",
        }
    }

    /// Plural, human name for messages: `allocations`, `assets`, `cloud costs`.
    pub fn plural(self) -> &'static str {
        match self {
            DataKind::Allocation => "allocations",
            DataKind::Asset => "assets",
            DataKind::CloudCost => "cloud costs",
        }
    }
}
