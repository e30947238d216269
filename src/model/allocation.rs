//! Allocation types: one row of Kubecost's allocation data (a container, an idle or unmounted
//! entry) for one window. Mirrors OpenCost `core/pkg/opencost/allocation.go` and
//! `allocationprops.go` (bingen "Allocation" version set, current version 24).

use super::{GoTime, Str, StrMap, Window};
use serde::Serialize;

/// OpenCost `AllocationProperties`: where an allocation runs and its metadata.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationProperties {
    /// Cluster id (federated folder name).
    pub cluster: Str,
    /// Node name.
    pub node: Str,
    /// Container name.
    pub container: Str,
    /// Controller name (deployment, statefulset, ...).
    pub controller: Str,
    /// Controller kind (`deployment`, `statefulset`, `daemonset`, `job`, ...).
    pub controller_kind: Str,
    /// Namespace.
    pub namespace: Str,
    /// Pod name.
    pub pod: Str,
    /// Kubernetes services selecting the pod (`None` = Go nil slice).
    pub services: Option<Vec<Str>>,
    /// Cloud provider id of the node.
    #[serde(rename = "providerID")]
    pub provider_id: Str,
    /// Pod labels (Prometheus-sanitised names).
    pub labels: Option<StrMap>,
    /// Pod annotations.
    pub annotations: Option<StrMap>,
    /// Namespace labels (Allocation version ≥ 17).
    pub namespace_labels: Option<StrMap>,
    /// Namespace annotations (Allocation version ≥ 17).
    pub namespace_annotations: Option<StrMap>,
}

impl AllocationProperties {
    /// Label value by key, falling back to the namespace labels as Kubecost does for aggregation.
    pub fn label(&self, key: &str) -> Option<&Str> {
        self.labels
            .as_ref()
            .and_then(|m| m.get(key))
            .or_else(|| self.namespace_labels.as_ref().and_then(|m| m.get(key)))
    }
    /// Annotation value by key, falling back to the namespace annotations.
    pub fn annotation(&self, key: &str) -> Option<&Str> {
        self.annotations
            .as_ref()
            .and_then(|m| m.get(key))
            .or_else(|| self.namespace_annotations.as_ref().and_then(|m| m.get(key)))
    }
}

/// OpenCost `PVKey`: identifies a persistent volume within a cluster (map key of `Allocation.PVs`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PvKey {
    /// Cluster id.
    pub cluster: Str,
    /// PersistentVolume name.
    pub name: Str,
}

impl std::fmt::Display for PvKey {
    /// Kubecost's JSON key form `cluster=<c>:name=<n>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cluster={}:name={}", self.cluster, self.name)
    }
}

/// OpenCost `PVAllocation`: the share of one PV attributed to an allocation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PvAllocation {
    /// Byte-hours of the volume attributed.
    pub byte_hours: f64,
    /// Cost in USD.
    pub cost: f64,
    /// Provider id of the volume (Allocation version ≥ 20).
    #[serde(rename = "providerID")]
    pub provider_id: Str,
}

/// OpenCost `LbAllocation`: the share of one load balancer attributed to an allocation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LbAllocation {
    /// `namespace/service` of the load balancer.
    pub service: Str,
    /// Cost in USD.
    pub cost: f64,
    /// Internal (private) load balancer.
    pub private: bool,
    /// IP address (Allocation version ≥ 19).
    pub ip: Str,
    /// Hours the load balancer ran (Allocation version ≥ 21).
    pub hours: f64,
}

/// OpenCost `RawAllocationOnlyData`: maxima that are only meaningful before aggregation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RawAllocationOnlyData {
    /// Maximum CPU usage in cores.
    pub cpu_core_usage_max: f64,
    /// Maximum RAM usage in bytes.
    #[serde(rename = "ramByteUsageMax")]
    pub ram_bytes_usage_max: f64,
    /// Maximum GPU usage (Allocation version ≥ 23).
    pub gpu_usage_max: Option<f64>,
}

/// OpenCost `GPUAllocation` (Allocation version ≥ 23; built from the two v22 floats on read).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GpuAllocation {
    /// Device name, e.g. `nvidia0`.
    #[serde(rename = "gpuDevice")]
    pub gpu_device: Str,
    /// GPU model.
    #[serde(rename = "gpuModel")]
    pub gpu_model: Str,
    /// GPU UUID.
    #[serde(rename = "gpuUUID")]
    pub gpu_uuid: Str,
    /// Whether the GPU is shared (time-slicing / MIG).
    #[serde(rename = "isGPUShared")]
    pub is_gpu_shared: Option<bool>,
    /// Average GPU usage in GPUs.
    #[serde(rename = "gpuUsageAverage")]
    pub gpu_usage_average: Option<f64>,
    /// Average GPU request in GPUs.
    #[serde(rename = "gpuRequestAverage")]
    pub gpu_request_average: Option<f64>,
}

/// OpenCost `Allocation`: cost, usage and requests of one workload over `window`.
///
/// Units: costs USD; `*_core_hours` core-hours; `ram_byte_hours` byte-hours; `*_average` cores or
/// bytes; network bytes are bytes. Field names serialise as Kubecost's JSON
/// (`cpuCoreHours`, `ramByteRequestAverage`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    /// `cluster/node/namespace/pod/container` (or `__idle__` etc.).
    pub name: Str,
    /// Metadata; `None` = Go nil.
    pub properties: Option<AllocationProperties>,
    /// The ETL window this allocation belongs to.
    pub window: Window,
    /// When the workload started running inside the window.
    pub start: GoTime,
    /// When it stopped running inside the window.
    pub end: GoTime,
    pub cpu_core_hours: f64,
    pub cpu_core_request_average: f64,
    pub cpu_core_usage_average: f64,
    pub cpu_cost: f64,
    pub cpu_cost_adjustment: f64,
    pub gpu_hours: f64,
    pub gpu_cost: f64,
    pub gpu_cost_adjustment: f64,
    pub network_transfer_bytes: f64,
    pub network_receive_bytes: f64,
    pub network_cost: f64,
    /// Allocation version ≥ 16.
    pub network_cross_zone_cost: f64,
    /// Allocation version ≥ 16.
    pub network_cross_region_cost: f64,
    /// Allocation version ≥ 16.
    pub network_internet_cost: f64,
    pub network_cost_adjustment: f64,
    pub load_balancer_cost: f64,
    pub load_balancer_cost_adjustment: f64,
    /// Persistent volumes (`None` = Go nil map). Serialised as Kubecost's `pvs` object.
    pub pvs: Option<StrMap<PvKey, Option<PvAllocation>>>,
    pub pv_cost_adjustment: f64,
    pub ram_byte_hours: f64,
    #[serde(rename = "ramByteRequestAverage")]
    pub ram_bytes_request_average: f64,
    #[serde(rename = "ramByteUsageAverage")]
    pub ram_bytes_usage_average: f64,
    pub ram_cost: f64,
    pub ram_cost_adjustment: f64,
    pub shared_cost: f64,
    pub external_cost: f64,
    pub raw_allocation_only: Option<RawAllocationOnlyData>,
    /// Load balancers by `cluster/namespace/service` (Allocation version ≥ 18).
    pub load_balancers: Option<StrMap<Str, Option<LbAllocation>>>,
    /// Allocation v22 `GPURequestAverage`, written as `deprecatedGPURequestAverage` from v23 on.
    #[serde(skip)]
    pub deprecated_gpu_request_average: f64,
    /// Allocation v22 `GPUUsageAverage`, written as `deprecatedGPUUsageAverage` from v23 on.
    #[serde(skip)]
    pub deprecated_gpu_usage_average: f64,
    /// Allocation version ≥ 23 (or migrated from v22 fields).
    pub gpu_allocation: Option<GpuAllocation>,
    /// Allocation version ≥ 24.
    pub cpu_core_limit_average: f64,
    /// Allocation version ≥ 24.
    #[serde(rename = "ramByteLimitAverage")]
    pub ram_bytes_limit_average: f64,
}

impl Allocation {
    /// Σ `PVs[].Cost` in USD (OpenCost `PVCost()`).
    pub fn pv_cost(&self) -> f64 {
        self.pvs
            .as_ref()
            .map_or(0.0, |m| m.iter().filter_map(|(_, v)| v.as_ref()).map(|v| v.cost).sum())
    }
    /// Σ `PVs[].ByteHours` (OpenCost `PVByteHours()`).
    pub fn pv_byte_hours(&self) -> f64 {
        self.pvs
            .as_ref()
            .map_or(0.0, |m| m.iter().filter_map(|(_, v)| v.as_ref()).map(|v| v.byte_hours).sum())
    }
    /// CPU cost incl. adjustment (OpenCost `CPUTotalCost()`).
    pub fn cpu_total_cost(&self) -> f64 {
        self.cpu_cost + self.cpu_cost_adjustment
    }
    /// GPU cost incl. adjustment (OpenCost `GPUTotalCost()`).
    pub fn gpu_total_cost(&self) -> f64 {
        self.gpu_cost + self.gpu_cost_adjustment
    }
    /// RAM cost incl. adjustment (OpenCost `RAMTotalCost()`).
    pub fn ram_total_cost(&self) -> f64 {
        self.ram_cost + self.ram_cost_adjustment
    }
    /// PV cost incl. adjustment (OpenCost `PVTotalCost()`).
    pub fn pv_total_cost(&self) -> f64 {
        self.pv_cost() + self.pv_cost_adjustment
    }
    /// Network cost incl. adjustment (OpenCost `NetworkTotalCost()`).
    pub fn network_total_cost(&self) -> f64 {
        self.network_cost + self.network_cost_adjustment
    }
    /// Load-balancer cost incl. adjustment (OpenCost `LBTotalCost()`).
    pub fn lb_total_cost(&self) -> f64 {
        self.load_balancer_cost + self.load_balancer_cost_adjustment
    }
    /// Total cost in USD, summed in the exact order of OpenCost `Allocation.TotalCost()`:
    /// cpu + gpu + ram + pv + network + lb (each with adjustment) + shared + external.
    pub fn total_cost(&self) -> f64 {
        self.cpu_total_cost()
            + self.gpu_total_cost()
            + self.ram_total_cost()
            + self.pv_total_cost()
            + self.network_total_cost()
            + self.lb_total_cost()
            + self.shared_cost
            + self.external_cost
    }
    /// Sum of the six `*CostAdjustment` fields in USD.
    pub fn adjustments(&self) -> f64 {
        self.cpu_cost_adjustment
            + self.gpu_cost_adjustment
            + self.ram_cost_adjustment
            + self.pv_cost_adjustment
            + self.network_cost_adjustment
            + self.load_balancer_cost_adjustment
    }
    /// Minutes between `start` and `end` (OpenCost `Minutes()`).
    pub fn minutes(&self) -> f64 {
        (self.end.unix_f64() - self.start.unix_f64()) / 60.0
    }
    /// CPU efficiency = usage / request, per OpenCost `CPUEfficiency()`: with no request it is 1 when
    /// there is usage and cost, else 0. A ratio (1.0 = 100 %).
    pub fn cpu_efficiency(&self) -> f64 {
        efficiency(self.cpu_core_request_average, self.cpu_core_usage_average, self.cpu_cost)
    }
    /// RAM efficiency, per OpenCost `RAMEfficiency()`.
    pub fn ram_efficiency(&self) -> f64 {
        efficiency(self.ram_bytes_request_average, self.ram_bytes_usage_average, self.ram_cost)
    }
    /// Cost-weighted CPU/RAM efficiency, per OpenCost `TotalEfficiency()` (GPU is not included).
    pub fn total_efficiency(&self) -> f64 {
        total_efficiency(
            self.cpu_efficiency(),
            self.cpu_total_cost(),
            self.ram_efficiency(),
            self.ram_total_cost(),
        )
    }
}

/// OpenCost's efficiency rule shared by CPU and RAM: `usage/request` when a request exists;
/// otherwise 1 if there is usage and cost, else 0.
pub fn efficiency(request: f64, usage: f64, cost: f64) -> f64 {
    if request > 0.0 {
        return usage / request;
    }
    if usage == 0.0 || cost == 0.0 {
        return 0.0;
    }
    1.0
}

/// OpenCost `TotalEfficiency()` from the parts: cost-weighted mean of CPU and RAM efficiency,
/// 0 when CPU+RAM total cost is not positive.
pub fn total_efficiency(cpu_eff: f64, cpu_total: f64, ram_eff: f64, ram_total: f64) -> f64 {
    if ram_total + cpu_total > 0.0 {
        (ram_eff * ram_total + cpu_eff * cpu_total) / (cpu_total + ram_total)
    } else {
        0.0
    }
}

/// OpenCost `AllocationSet`: every allocation of one cluster (or all clusters) for one window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationSet {
    /// Allocations keyed by name, in file order (`None` = Go nil map; a `None` value = nil pointer).
    pub allocations: Option<StrMap<Str, Option<Allocation>>>,
    /// Keys of external allocations.
    pub external_keys: Option<StrMap<Str, bool>>,
    /// Keys of idle allocations.
    pub idle_keys: Option<StrMap<Str, bool>>,
    /// Source tag (usually empty).
    pub from_source: Str,
    /// The set's window.
    pub window: Window,
    pub warnings: Option<Vec<Str>>,
    pub errors: Option<Vec<Str>>,
}

impl AllocationSet {
    /// An empty set for `window`, as OpenCost `NewAllocationSet(start, end)` builds it
    /// (non-nil empty maps, nil warnings/errors).
    pub fn empty(window: Window) -> AllocationSet {
        AllocationSet {
            allocations: Some(StrMap::new()),
            external_keys: Some(StrMap::new()),
            idle_keys: Some(StrMap::new()),
            from_source: "".into(),
            window,
            warnings: None,
            errors: None,
        }
    }
    /// Iterate the non-nil allocations.
    pub fn iter(&self) -> impl Iterator<Item = &Allocation> {
        self.allocations.iter().flat_map(|m| m.iter().filter_map(|(_, v)| v.as_ref()))
    }
    /// Number of non-nil allocations.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
    /// True when the set holds no allocation.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// OpenCost `AllocationSetRange`: a list of sets (never stored as an ETL file; decoded for completeness).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationSetRange {
    pub allocations: Option<Vec<Option<AllocationSet>>>,
    pub from_store: Str,
}

#[cfg(test)]
impl Allocation {
    /// A test allocation on `cluster` whose only cost is `cpu` USD of CPU.
    pub(crate) fn on_cluster(cluster: &str, cpu: f64) -> Allocation {
        Allocation {
            properties: Some(AllocationProperties {
                cluster: cluster.into(),
                ..Default::default()
            }),
            cpu_cost: cpu,
            ..Default::default()
        }
    }
}
