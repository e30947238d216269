//! Plain Rust types for decoded Kubecost/OpenCost ETL data.
//!
//! These mirror the Go structs of OpenCost `core/pkg/opencost` (allocation.go, asset.go,
//! cloudcost.go, window.go) that the bingen codec writes, field for field, so a decoded file can
//! be re-encoded without loss. JSON serialisation uses Kubecost's API field names
//! (`cpuCost`, `ramByteRequestAverage`, `properties.namespace`, ...). Money is USD, usage is
//! core-hours / byte-hours, averages are cores / bytes, times are Go `time.Time` values.

mod allocation;
mod asset;
mod cloudcost;
mod strmap;
mod time;

pub use allocation::{
    Allocation, AllocationProperties, AllocationSet, AllocationSetRange, GpuAllocation, LbAllocation, PvAllocation, PvKey,
    RawAllocationOnlyData,
};
pub use asset::{Asset, AssetDetail, AssetKind, AssetProperties, AssetSet, AssetSetRange, Breakdown, DiskDetail, NodeDetail, NodeOverhead};
pub use cloudcost::{CloudCost, CloudCostProperties, CloudCostSet, CloudCostSetRange, CostMetric, CostMetricName};
pub use strmap::{Str, StrMap};
pub use time::{GO_EPOCH_TO_UNIX, GoTime, Window};
