//! One aggregation key (`aggregate=` part) and every fact about it: its spellings per data kind,
//! the filter that selects one of its values (drill-down) and the next finer key.
//!
//! Follows OpenCost `core/pkg/opencost/allocationprops.go` (`ParseProperty`, `GenerateKey`),
//! `assetprops.go`, `cloudcostprops.go` and Kubecost docs `api-allocation.md`; rules in
//! `docs/semantics.md` §5–§6.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::query::filter::{Field, Filter, Op};
use crate::query::kind::{DataKind, UNALLOCATED, UNDEFINED};
use crate::query::labels::LabelAlias;

/// One aggregation key. `Label`/`Annotation` carry the label or annotation name, sanitized for
/// allocations and assets (`label:app.kubernetes.io/name` → `Label("app_kubernetes_io_name")`).
/// `Service` is the Kubernetes service for allocations and the cloud service (e.g. `AmazonEC2`)
/// for assets and cloud costs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AggregateKey {
    /// Cluster id (all kinds).
    Cluster,
    /// Node name (allocations).
    Node,
    /// Namespace (allocations).
    Namespace,
    /// Controller kind, e.g. `deployment` (allocations).
    ControllerKind,
    /// Controller, named `<kind>:<name>` (allocations; alias `controllerName`).
    Controller,
    /// Deployment name; other allocations are `__unallocated__` (allocations).
    Deployment,
    /// StatefulSet name (allocations).
    StatefulSet,
    /// DaemonSet name (allocations).
    DaemonSet,
    /// Job name (allocations).
    Job,
    /// CronJob name (allocations; Kubecost's shortcut, controller kind `cronjob`).
    CronJob,
    /// Kubernetes service (allocations) or cloud service (assets, cloud costs).
    Service,
    /// Pod name (allocations).
    Pod,
    /// Container name (allocations).
    Container,
    /// Value of the named label (all kinds).
    Label(String),
    /// Value of the named annotation (allocations).
    Annotation(String),
    /// A label-config alias: `department`, `environment`, `owner`, `product`, `team` (allocations).
    Alias(LabelAlias),
    /// Asset type: Node, Disk, LoadBalancer, Network, ClusterManagement (assets).
    Type,
    /// Category: Compute, Storage, Network, Management, Other (assets, cloud costs).
    Category,
    /// Cloud provider (assets, cloud costs).
    Provider,
    /// Provider's resource id (assets, cloud costs).
    ProviderID,
    /// Billing account (assets).
    Account,
    /// Cloud project (assets).
    Project,
    /// Asset name (assets).
    Name,
    /// Invoice entity id (cloud costs).
    InvoiceEntityID,
    /// Invoice entity name (cloud costs).
    InvoiceEntityName,
    /// Account id (cloud costs).
    AccountID,
    /// Account name (cloud costs).
    AccountName,
    /// Region id (cloud costs).
    RegionID,
    /// Availability zone (cloud costs).
    AvailabilityZone,
}

/// Canonical spellings per kind, in the order shown in error messages. `label:`, `annotation:`
/// and the aliases are handled separately.
const ALLOCATION_KEYS: &[(&str, AggregateKey)] = &[
    ("cluster", AggregateKey::Cluster),
    ("node", AggregateKey::Node),
    ("namespace", AggregateKey::Namespace),
    ("controllerKind", AggregateKey::ControllerKind),
    ("controller", AggregateKey::Controller),
    ("deployment", AggregateKey::Deployment),
    ("statefulset", AggregateKey::StatefulSet),
    ("daemonset", AggregateKey::DaemonSet),
    ("job", AggregateKey::Job),
    ("cronjob", AggregateKey::CronJob),
    ("service", AggregateKey::Service),
    ("pod", AggregateKey::Pod),
    ("container", AggregateKey::Container),
];
const ASSET_KEYS: &[(&str, AggregateKey)] = &[
    ("type", AggregateKey::Type),
    ("cluster", AggregateKey::Cluster),
    ("category", AggregateKey::Category),
    ("provider", AggregateKey::Provider),
    ("providerID", AggregateKey::ProviderID),
    ("account", AggregateKey::Account),
    ("project", AggregateKey::Project),
    ("service", AggregateKey::Service),
    ("name", AggregateKey::Name),
];
/// Cloud-cost properties; the first six are OpenCost's default grouping (the "item").
const CLOUD_COST_KEYS: &[(&str, AggregateKey)] = &[
    ("invoiceEntityID", AggregateKey::InvoiceEntityID),
    ("accountID", AggregateKey::AccountID),
    ("provider", AggregateKey::Provider),
    ("providerID", AggregateKey::ProviderID),
    ("category", AggregateKey::Category),
    ("service", AggregateKey::Service),
    ("invoiceEntityName", AggregateKey::InvoiceEntityName),
    ("accountName", AggregateKey::AccountName),
    ("regionID", AggregateKey::RegionID),
    ("availabilityZone", AggregateKey::AvailabilityZone),
];

/// The number of leading [`CLOUD_COST_KEYS`] that make OpenCost's default cloud-cost grouping.
pub(super) const CLOUD_COST_DEFAULT_KEYS: usize = 6;

pub(super) fn keys_for(kind: DataKind) -> &'static [(&'static str, AggregateKey)] {
    match kind {
        DataKind::Allocation => ALLOCATION_KEYS,
        DataKind::Asset => ASSET_KEYS,
        DataKind::CloudCost => CLOUD_COST_KEYS,
    }
}

fn eq(field: Field, v: &str) -> Filter {
    Filter::cmp(field, Op::Equals, v)
}

/// The finest level of an allocation a key or filter field reads: a controller (cluster,
/// namespace, controller kind and name), a pod (adds node and pod), or the single allocation
/// (containers, labels, annotations, services, provider ids). The aggregator answers a query
/// from the pre-aggregated table of the coarsest grain that holds every key and field
/// (`aggregator/rollup.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Grain {
    Controller,
    Pod,
    Allocation,
}

impl AggregateKey {
    /// The allocation [`Grain`] this key needs (asset and cloud-cost keys read one row per item:
    /// [`Grain::Allocation`]).
    pub fn grain(&self) -> Grain {
        match self {
            AggregateKey::Cluster
            | AggregateKey::Namespace
            | AggregateKey::ControllerKind
            | AggregateKey::Controller
            | AggregateKey::Deployment
            | AggregateKey::StatefulSet
            | AggregateKey::DaemonSet
            | AggregateKey::Job
            | AggregateKey::CronJob => Grain::Controller,
            AggregateKey::Node | AggregateKey::Pod => Grain::Pod,
            AggregateKey::Service
            | AggregateKey::Container
            | AggregateKey::Label(_)
            | AggregateKey::Annotation(_)
            | AggregateKey::Alias(_)
            | AggregateKey::Type
            | AggregateKey::Category
            | AggregateKey::Provider
            | AggregateKey::ProviderID
            | AggregateKey::Account
            | AggregateKey::Project
            | AggregateKey::Name
            | AggregateKey::InvoiceEntityID
            | AggregateKey::InvoiceEntityName
            | AggregateKey::AccountID
            | AggregateKey::AccountName
            | AggregateKey::RegionID
            | AggregateKey::AvailabilityZone => Grain::Allocation,
        }
    }

    /// Canonical key text (`controllerKind`, `label:app`, `team`), as Kubecost spells it.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// True when this key may be used with `kind`.
    pub fn is_valid_for(&self, kind: DataKind) -> bool {
        match self {
            AggregateKey::Label(_) => true,
            AggregateKey::Annotation(_) | AggregateKey::Alias(_) => kind == DataKind::Allocation,
            k => keys_for(kind).iter().any(|(_, v)| v == k),
        }
    }

    /// For the controller-kind shortcuts (`deployment`, …), the `controllerKind` value they
    /// select (`deployment`, `statefulset`, `daemonset`, `job`, `cronjob`); `None` otherwise.
    pub fn controller_kind(&self) -> Option<&'static str> {
        Some(match self {
            AggregateKey::Deployment => "deployment",
            AggregateKey::StatefulSet => "statefulset",
            AggregateKey::DaemonSet => "daemonset",
            AggregateKey::Job => "job",
            AggregateKey::CronJob => "cronjob",
            _ => return None,
        })
    }

    /// The filter field holding this key's value for `kind` (`controller` → `controllerName`,
    /// allocation `service` → `services`, asset `type` → `assetType`, `label:app` →
    /// `label[app]`, `deployment` → `controllerName`). `None` when the key is not valid for `kind`.
    pub fn filter_field(&self, kind: DataKind) -> Option<Field> {
        if !self.is_valid_for(kind) {
            return None;
        }
        Some(match self {
            AggregateKey::Cluster => Field::Cluster,
            AggregateKey::Node => Field::Node,
            AggregateKey::Namespace => Field::Namespace,
            AggregateKey::ControllerKind => Field::ControllerKind,
            AggregateKey::Controller
            | AggregateKey::Deployment
            | AggregateKey::StatefulSet
            | AggregateKey::DaemonSet
            | AggregateKey::Job
            | AggregateKey::CronJob => Field::ControllerName,
            AggregateKey::Service if kind == DataKind::Allocation => Field::Services,
            AggregateKey::Service => Field::Service,
            AggregateKey::Pod => Field::Pod,
            AggregateKey::Container => Field::Container,
            AggregateKey::Label(k) => Field::Label(Some(k.clone())),
            AggregateKey::Annotation(k) => Field::Annotation(Some(k.clone())),
            AggregateKey::Alias(a) => Field::Alias(*a),
            AggregateKey::Type => Field::AssetType,
            AggregateKey::Category => Field::Category,
            AggregateKey::Provider => Field::Provider,
            AggregateKey::ProviderID => Field::ProviderID,
            AggregateKey::Account => Field::Account,
            AggregateKey::Project => Field::Project,
            AggregateKey::Name => Field::Name,
            AggregateKey::InvoiceEntityID => Field::InvoiceEntityID,
            AggregateKey::InvoiceEntityName => Field::InvoiceEntityName,
            AggregateKey::AccountID => Field::AccountID,
            AggregateKey::AccountName => Field::AccountName,
            AggregateKey::RegionID => Field::RegionID,
            AggregateKey::AvailabilityZone => Field::AvailabilityZone,
        })
    }

    /// The filter keeping exactly the items whose row segment for this key is `value`
    /// (drill-down from an aggregated row; segments as OpenCost `GenerateKey` writes them,
    /// `docs/semantics.md` §6). `None` when the key is not valid for `kind`.
    ///
    /// * [`UNALLOCATED`] (and [`UNDEFINED`] for assets) becomes `""`, which matches items that
    ///   lack the value (a missing label, an empty `services` list).
    /// * `controller` `<kind>:<name>` → `controllerKind:"<kind>"+controllerName:"<name>"`; a bare
    ///   `<name>` has an empty kind.
    /// * `deployment` `web` → `controllerKind:"deployment"+controllerName:"web"`; its
    ///   `__unallocated__` row is every other allocation.
    /// * asset `label:team` `team=infra` → `label[team]:"infra"`.
    pub fn filter_for(&self, kind: DataKind, value: &str) -> Option<Filter> {
        let field = self.filter_field(kind)?;
        let missing = value == UNALLOCATED || (kind == DataKind::Asset && value == UNDEFINED);
        let value = if missing { "" } else { value };
        if let Some(ck) = self.controller_kind() {
            return Some(if missing {
                Filter::Or(vec![
                    Filter::cmp(Field::ControllerKind, Op::NotEquals, ck),
                    eq(Field::ControllerName, ""),
                ])
            } else {
                eq(Field::ControllerKind, ck).and(eq(Field::ControllerName, value))
            });
        }
        match (self, kind) {
            (AggregateKey::Controller, DataKind::Allocation) if !missing => {
                let (ck, name) = value.split_once(':').unwrap_or(("", value));
                Some(eq(Field::ControllerKind, ck).and(eq(Field::ControllerName, name)))
            }
            (AggregateKey::Label(k), DataKind::Asset) => {
                let v = value.strip_prefix(&format!("{k}=")).unwrap_or(value);
                Some(eq(field, v))
            }
            _ => Some(eq(field, value)),
        }
    }

    /// The next, finer key for TUI drill-down in `kind`: allocations cluster → namespace →
    /// controller → pod → container (controller kind, labels, annotations and aliases →
    /// controller; node, service and the controller-kind shortcuts → pod); assets → name;
    /// cloud costs → providerID. `None` at the bottom.
    pub fn finer(&self, kind: DataKind) -> Option<AggregateKey> {
        match kind {
            DataKind::Allocation => Some(match self {
                AggregateKey::Cluster => AggregateKey::Namespace,
                AggregateKey::Namespace
                | AggregateKey::ControllerKind
                | AggregateKey::Label(_)
                | AggregateKey::Annotation(_)
                | AggregateKey::Alias(_) => AggregateKey::Controller,
                AggregateKey::Controller
                | AggregateKey::Deployment
                | AggregateKey::StatefulSet
                | AggregateKey::DaemonSet
                | AggregateKey::Job
                | AggregateKey::CronJob
                | AggregateKey::Node
                | AggregateKey::Service => AggregateKey::Pod,
                AggregateKey::Pod => AggregateKey::Container,
                _ => return None,
            }),
            DataKind::Asset => (*self != AggregateKey::Name).then_some(AggregateKey::Name),
            DataKind::CloudCost => (*self != AggregateKey::ProviderID).then_some(AggregateKey::ProviderID),
        }
    }
}

impl fmt::Display for AggregateKey {
    /// Canonical text: the first spelling in the per-kind tables, `label:<name>`,
    /// `annotation:<name>` or the alias name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AggregateKey::Label(k) => write!(f, "label:{k}"),
            AggregateKey::Annotation(k) => write!(f, "annotation:{k}"),
            AggregateKey::Alias(a) => f.write_str(a.name()),
            k => {
                let all = ALLOCATION_KEYS.iter().chain(ASSET_KEYS).chain(CLOUD_COST_KEYS);
                match all.into_iter().find(|(_, v)| v == k) {
                    Some((name, _)) => f.write_str(name),
                    None => write!(f, "{k:?}"),
                }
            }
        }
    }
}
