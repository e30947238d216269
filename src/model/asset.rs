//! Asset types: the billable infrastructure behind allocations (nodes, disks, load balancers,
//! network, cluster management, cloud and shared assets). Mirrors OpenCost
//! `core/pkg/opencost/asset.go` and `assetprops.go` (bingen "Assets" version set, current 21).

use super::{GoTime, Str, StrMap, Window};
use serde::Serialize;

/// OpenCost `AssetProperties`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetProperties {
    /// Compute, Storage, Network, Management, Other.
    pub category: Str,
    /// Cloud provider (AWS, GCP, Azure, custom).
    pub provider: Str,
    pub account: Str,
    pub project: Str,
    pub service: Str,
    pub cluster: Str,
    pub name: Str,
    #[serde(rename = "providerID")]
    pub provider_id: Str,
}

/// OpenCost `Breakdown`: fractions (0..1) of a resource's time by use.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Breakdown {
    pub idle: f64,
    pub other: f64,
    pub system: f64,
    pub user: f64,
}

/// OpenCost `NodeOverhead` (Assets version ≥ 19): fractions of node capacity reserved by the system.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeOverhead {
    pub cpu_overhead_fraction: f64,
    pub ram_overhead_fraction: f64,
    pub overhead_cost_fraction: f64,
}

/// The eight concrete asset types OpenCost encodes behind the `Asset` interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AssetKind {
    Any,
    Cloud,
    ClusterManagement,
    Disk,
    LoadBalancer,
    Network,
    Node,
    SharedAsset,
}

impl AssetKind {
    /// Every kind, in OpenCost's alphabetical order.
    pub const ALL: [AssetKind; 8] = [
        AssetKind::Any,
        AssetKind::Cloud,
        AssetKind::ClusterManagement,
        AssetKind::Disk,
        AssetKind::LoadBalancer,
        AssetKind::Network,
        AssetKind::Node,
        AssetKind::SharedAsset,
    ];
    /// Go type name without the package (`Node`).
    pub fn name(self) -> &'static str {
        match self {
            AssetKind::Any => "Any",
            AssetKind::Cloud => "Cloud",
            AssetKind::ClusterManagement => "ClusterManagement",
            AssetKind::Disk => "Disk",
            AssetKind::LoadBalancer => "LoadBalancer",
            AssetKind::Network => "Network",
            AssetKind::Node => "Node",
            AssetKind::SharedAsset => "SharedAsset",
        }
    }
    /// Parse the short Go type name.
    pub fn from_name(s: &str) -> Option<AssetKind> {
        AssetKind::ALL.into_iter().find(|k| k.name() == s)
    }
    /// True for kinds whose wire form starts with Labels, then Properties.
    pub(crate) fn labels_first(self) -> bool {
        matches!(
            self,
            AssetKind::Any | AssetKind::Cloud | AssetKind::ClusterManagement | AssetKind::Disk
        )
    }
    /// True for kinds whose wire form has `Start` and `End` times.
    pub(crate) fn has_start_end(self) -> bool {
        !matches!(self, AssetKind::ClusterManagement | AssetKind::SharedAsset)
    }
}

impl std::fmt::Display for AssetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Disk-only fields (OpenCost `Disk`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiskDetail {
    /// Byte-hours provisioned.
    pub byte_hours: f64,
    /// 1 for a node-local disk, else 0.
    pub local: f64,
    pub breakdown: Option<Breakdown>,
    /// Assets version ≥ 17.
    pub storage_class: Str,
    /// Assets version ≥ 18.
    pub byte_hours_used: Option<f64>,
    /// Assets version ≥ 18, bytes.
    pub byte_usage_max: Option<f64>,
    pub volume_name: Str,
    pub claim_name: Str,
    pub claim_namespace: Str,
}

/// Node-only fields (OpenCost `Node`). Costs are USD before `discount`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeDetail {
    pub node_type: Str,
    pub cpu_core_hours: f64,
    pub ram_byte_hours: f64,
    #[serde(rename = "GPUHours")]
    pub gpu_hours: f64,
    pub cpu_breakdown: Option<Breakdown>,
    pub ram_breakdown: Option<Breakdown>,
    pub cpu_cost: f64,
    pub gpu_cost: f64,
    pub gpu_count: f64,
    pub ram_cost: f64,
    /// Fraction 0..1 taken off CPU and RAM cost.
    pub discount: f64,
    /// 1 for spot/preemptible, else 0.
    pub preemptible: f64,
    /// Assets version ≥ 19.
    pub overhead: Option<NodeOverhead>,
}

/// Per-kind fields of an [`Asset`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AssetDetail {
    /// Any, Network, ClusterManagement and SharedAsset have no own fields.
    None,
    /// Cloud: credit in USD (usually negative).
    Cloud {
        credit: f64,
    },
    Disk(DiskDetail),
    /// LoadBalancer: `private` (Assets ≥ 20) and `ip` (≥ 21).
    LoadBalancer {
        private: bool,
        ip: Str,
    },
    Node(NodeDetail),
}

/// One OpenCost asset of any kind, with the fields the kinds share.
///
/// `start`/`end` are `None` for ClusterManagement and SharedAsset (not on their wire form). `cost`
/// is 0 for nodes (a node's cost is its CPU/RAM/GPU costs, see [`Asset::total_cost`]).
/// `type_name` keeps the Go type string of the file (`*github.com/opencost/opencost/core/pkg/opencost.Node`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Asset {
    #[serde(rename = "type")]
    pub kind: AssetKind,
    #[serde(skip)]
    pub type_name: Str,
    pub properties: Option<AssetProperties>,
    pub labels: Option<StrMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<GoTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<GoTime>,
    pub window: Window,
    /// Reconciliation adjustment in USD (ClusterManagement: Assets ≥ 16; SharedAsset: always 0).
    pub adjustment: f64,
    /// Cost in USD (0 for nodes).
    pub cost: f64,
    #[serde(flatten)]
    pub detail: AssetDetail,
}

/// Go type path OpenCost writes before each asset in an `AssetSet`.
pub const OPENCOST_ASSET_PACKAGE: &str = "github.com/opencost/opencost/core/pkg/opencost";

impl Asset {
    /// A new asset of `kind` with zero values and OpenCost's current type string.
    pub fn new(kind: AssetKind) -> Asset {
        let detail = match kind {
            AssetKind::Cloud => AssetDetail::Cloud { credit: 0.0 },
            AssetKind::Disk => AssetDetail::Disk(DiskDetail::default()),
            AssetKind::LoadBalancer => AssetDetail::LoadBalancer {
                private: false,
                ip: "".into(),
            },
            AssetKind::Node => AssetDetail::Node(NodeDetail::default()),
            _ => AssetDetail::None,
        };
        let (start, end) = if kind.has_start_end() {
            (Some(GoTime::ZERO), Some(GoTime::ZERO))
        } else {
            (None, None)
        };
        Asset {
            kind,
            type_name: format!("*{OPENCOST_ASSET_PACKAGE}.{}", kind.name()).into(),
            properties: None,
            labels: None,
            start,
            end,
            window: Window::default(),
            adjustment: 0.0,
            cost: 0.0,
            detail,
        }
    }

    /// Total cost in USD exactly as OpenCost's `TotalCost()` of the concrete type:
    /// Node `(CPUCost+RAMCost)·(1−Discount) + GPUCost + Adjustment` (written as
    /// `CPUCost·(1−d) + RAMCost·(1−d) + GPUCost + Adjustment`), Cloud `Cost+Adjustment+Credit`,
    /// SharedAsset `Cost`, all others `Cost+Adjustment`.
    pub fn total_cost(&self) -> f64 {
        match &self.detail {
            AssetDetail::Node(n) => n.cpu_cost * (1.0 - n.discount) + n.ram_cost * (1.0 - n.discount) + n.gpu_cost + self.adjustment,
            AssetDetail::Cloud { credit } => self.cost + self.adjustment + credit,
            _ if self.kind == AssetKind::SharedAsset => self.cost,
            _ => self.cost + self.adjustment,
        }
    }
    /// Node details, if this is a node.
    pub fn node(&self) -> Option<&NodeDetail> {
        match &self.detail {
            AssetDetail::Node(n) => Some(n),
            _ => None,
        }
    }
    /// Disk details, if this is a disk.
    pub fn disk(&self) -> Option<&DiskDetail> {
        match &self.detail {
            AssetDetail::Disk(d) => Some(d),
            _ => None,
        }
    }
}

/// OpenCost `AssetSet`: every asset of one cluster (or all) for one window.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetSet {
    pub aggregation_keys: Option<Vec<Str>>,
    /// Assets by key (`provider/account/project/category/cluster/type/service/providerID/name`), file order.
    pub assets: Option<StrMap<Str, Option<Asset>>>,
    pub from_source: Str,
    pub window: Window,
    pub warnings: Option<Vec<Str>>,
    pub errors: Option<Vec<Str>>,
}

impl AssetSet {
    /// An empty set as OpenCost `NewAssetSet(start, end)` builds it.
    pub fn empty(window: Window) -> AssetSet {
        AssetSet {
            aggregation_keys: None,
            assets: Some(StrMap::new()),
            from_source: "".into(),
            window,
            warnings: None,
            errors: None,
        }
    }
    /// Iterate the non-nil assets.
    pub fn iter(&self) -> impl Iterator<Item = &Asset> {
        self.assets.iter().flat_map(|m| m.iter().filter_map(|(_, v)| v.as_ref()))
    }
    /// Number of non-nil assets.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
    /// True when the set holds no asset.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// OpenCost `AssetSetRange`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetSetRange {
    pub assets: Option<Vec<Option<AssetSet>>>,
    pub from_store: Str,
}
