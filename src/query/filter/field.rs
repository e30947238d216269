//! Filter fields (the left-hand side of a comparison) and which of them each
//! data kind accepts.
//!
//! Follows OpenCost `core/pkg/filter/fieldstrings/fieldstrings.go` for the
//! spellings and `core/pkg/filter/{allocation,asset,cloudcost}/parser.go`
//! for the per-kind sets, as documented in Kubecost docs `apis/filters-api.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::query::aggregate::Grain;
use crate::query::kind::DataKind;
use crate::query::labels::LabelAlias;

/// A filterable property. `Label`/`Annotation`/`NamespaceLabel` hold the
/// optional map key, already sanitized for allocations and assets
/// (`label[app.kubernetes.io/name]` → `Label(Some("app_kubernetes_io_name"))`,
/// see [`crate::query::sanitize_key`]); bare `label` → `Label(None)` (whose
/// `:` means "has key"). `Alias` is one of Kubecost's five label mappings
/// (`department`, `environment`, `owner`, `product`, `team`), resolved through
/// a [`crate::query::LabelConfig`] when the filter is compiled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    /// `cluster` — cluster id (allocations, assets).
    Cluster,
    /// `node` (allocations).
    Node,
    /// `namespace` (allocations).
    Namespace,
    /// `controllerName` (allocations).
    ControllerName,
    /// `controllerKind` (allocations).
    ControllerKind,
    /// `container` (allocations).
    Container,
    /// `pod` (allocations).
    Pod,
    /// `services` — list of Kubernetes services (allocations).
    Services,
    /// `label` / `label[<key>]` (all kinds).
    Label(Option<String>),
    /// `annotation` / `annotation[<key>]` (allocations).
    Annotation(Option<String>),
    /// `namespaceLabel` / `namespaceLabel[<key>]` — the namespace's own labels
    /// (allocations, bingen v17+; costscope extension: OpenCost merges them
    /// into `label`, which still sees them).
    NamespaceLabel(Option<String>),
    /// `department`, `environment`, `owner`, `product`, `team` (allocations).
    Alias(LabelAlias),
    /// `name` (assets).
    Name,
    /// `assetType` — Node, Disk, LoadBalancer, Network, ClusterManagement (assets).
    AssetType,
    /// `category` (assets, cloud costs).
    Category,
    /// `project` (assets).
    Project,
    /// `provider` (assets, cloud costs; on allocations it reads the
    /// provider id, as OpenCost's `allocationFieldMap` does).
    Provider,
    /// `providerID` (assets, cloud costs).
    ProviderID,
    /// `account` (assets).
    Account,
    /// `accountID` (cloud costs; on assets a costscope alias of `account`,
    /// so one spelling works for both).
    AccountID,
    /// `service` — cloud service (assets, cloud costs).
    Service,
    /// `invoiceEntityID` (cloud costs).
    InvoiceEntityID,
    /// `invoiceEntityName` (cloud costs; costscope extension, OpenCost spelling).
    InvoiceEntityName,
    /// `accountName` (cloud costs; costscope extension, OpenCost spelling).
    AccountName,
    /// `regionID` (cloud costs; costscope extension, OpenCost spelling).
    RegionID,
    /// `availabilityZone` (cloud costs; costscope extension, OpenCost spelling).
    AvailabilityZone,
}

/// How a field's value is shaped, which decides what each operator means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// A single string (most fields; keyed `label[k]`; the aliases).
    Scalar,
    /// A list of strings (`services`): operators ask "does any element …".
    List,
    /// A key→value map accessed without a key (`label`, `annotation`):
    /// operators ask "does any key …".
    MapKeys,
}

const ALLOCATION_FIELDS: &[Field] = &[
    Field::Cluster,
    Field::Node,
    Field::Namespace,
    Field::ControllerName,
    Field::ControllerKind,
    Field::Container,
    Field::Pod,
    Field::Provider,
    Field::Services,
    Field::Label(None),
    Field::Annotation(None),
    Field::NamespaceLabel(None),
    Field::Alias(LabelAlias::Department),
    Field::Alias(LabelAlias::Environment),
    Field::Alias(LabelAlias::Owner),
    Field::Alias(LabelAlias::Product),
    Field::Alias(LabelAlias::Team),
];
const ASSET_FIELDS: &[Field] = &[
    Field::Name,
    Field::AssetType,
    Field::Category,
    Field::Cluster,
    Field::Project,
    Field::Provider,
    Field::ProviderID,
    Field::Account,
    Field::AccountID,
    Field::Service,
    Field::Label(None),
];
const CLOUD_COST_FIELDS: &[Field] = &[
    Field::AccountID,
    Field::Category,
    Field::InvoiceEntityID,
    Field::Provider,
    Field::ProviderID,
    Field::Service,
    Field::Label(None),
    Field::InvoiceEntityName,
    Field::AccountName,
    Field::RegionID,
    Field::AvailabilityZone,
];

impl Field {
    /// The allocation [`Grain`] a filter on this field needs.
    pub fn grain(&self) -> Grain {
        match self {
            Field::Cluster | Field::Namespace | Field::ControllerName | Field::ControllerKind => Grain::Controller,
            Field::Node | Field::Pod => Grain::Pod,
            Field::Container
            | Field::Services
            | Field::Label(_)
            | Field::Annotation(_)
            | Field::NamespaceLabel(_)
            | Field::Alias(_)
            | Field::Name
            | Field::AssetType
            | Field::Category
            | Field::Project
            | Field::Provider
            | Field::ProviderID
            | Field::Account
            | Field::AccountID
            | Field::Service
            | Field::InvoiceEntityID
            | Field::InvoiceEntityName
            | Field::AccountName
            | Field::RegionID
            | Field::AvailabilityZone => Grain::Allocation,
        }
    }

    /// The fields accepted for `kind` (map fields with key `None`), in the
    /// order of Kubecost's `filters-api.md`.
    pub fn all_for(kind: DataKind) -> &'static [Field] {
        match kind {
            DataKind::Allocation => ALLOCATION_FIELDS,
            DataKind::Asset => ASSET_FIELDS,
            DataKind::CloudCost => CLOUD_COST_FIELDS,
        }
    }

    /// Comma-separated canonical names accepted for `kind`, for messages.
    pub fn names_for(kind: DataKind) -> String {
        let names: Vec<&str> = Self::all_for(kind).iter().map(Field::name).collect();
        names.join(", ")
    }

    /// Looks up a field by its exact (case-sensitive, as in OpenCost) name
    /// among those accepted for `kind`; map fields come back with key `None`.
    /// `None` if unknown.
    pub fn from_name(name: &str, kind: DataKind) -> Option<Field> {
        Self::all_for(kind).iter().find(|f| f.name() == name).cloned()
    }

    /// The accepted field whose name differs from `name` only in case
    /// (`Namespace` → `namespace`), for "did you mean" hints.
    pub fn case_hint(name: &str, kind: DataKind) -> Option<&'static str> {
        Self::all_for(kind).iter().map(Field::name).find(|n| n.eq_ignore_ascii_case(name))
    }

    /// Canonical name without the key: `controllerName`, `label`, `assetType`.
    pub fn name(&self) -> &'static str {
        match self {
            Field::Cluster => "cluster",
            Field::Node => "node",
            Field::Namespace => "namespace",
            Field::ControllerName => "controllerName",
            Field::ControllerKind => "controllerKind",
            Field::Container => "container",
            Field::Pod => "pod",
            Field::Services => "services",
            Field::Label(_) => "label",
            Field::Annotation(_) => "annotation",
            Field::NamespaceLabel(_) => "namespaceLabel",
            Field::Alias(a) => a.name(),
            Field::Name => "name",
            Field::AssetType => "assetType",
            Field::Category => "category",
            Field::Project => "project",
            Field::Provider => "provider",
            Field::ProviderID => "providerID",
            Field::Account => "account",
            Field::Service => "service",
            Field::AccountID => "accountID",
            Field::InvoiceEntityID => "invoiceEntityID",
            Field::InvoiceEntityName => "invoiceEntityName",
            Field::AccountName => "accountName",
            Field::RegionID => "regionID",
            Field::AvailabilityZone => "availabilityZone",
        }
    }

    /// The map key of `label[k]` / `annotation[k]` / `namespaceLabel[k]`;
    /// `None` otherwise.
    pub fn map_key(&self) -> Option<&str> {
        match self {
            Field::Label(k) | Field::Annotation(k) | Field::NamespaceLabel(k) => k.as_deref(),
            _ => None,
        }
    }

    /// The same map field with key `key` (`label` → `label[key]`); `None`
    /// for a field that is not a map.
    pub fn with_key(&self, key: Option<String>) -> Option<Field> {
        match self {
            Field::Label(_) => Some(Field::Label(key)),
            Field::Annotation(_) => Some(Field::Annotation(key)),
            Field::NamespaceLabel(_) => Some(Field::NamespaceLabel(key)),
            _ => None,
        }
    }

    /// The value shape, which decides operator meaning (see [`FieldShape`]).
    pub fn shape(&self) -> FieldShape {
        match self {
            Field::Services => FieldShape::List,
            Field::Label(None) | Field::Annotation(None) | Field::NamespaceLabel(None) => FieldShape::MapKeys,
            _ => FieldShape::Scalar,
        }
    }
}

impl fmt::Display for Field {
    /// Filter-language text: `namespace`, `label`, `label[app]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Some(k) = self.map_key() {
            write!(f, "[{k}]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_exact_and_per_kind() {
        assert_eq!(Field::from_name("controllerkind", DataKind::Allocation), None);
        assert_eq!(Field::case_hint("controllerkind", DataKind::Allocation), Some("controllerKind"));
        assert_eq!(Field::from_name("label", DataKind::Asset), Some(Field::Label(None)));
        assert_eq!(Field::from_name("accountID", DataKind::Asset), Some(Field::AccountID));
        assert_eq!(Field::from_name("provider", DataKind::Allocation), Some(Field::Provider));
        assert_eq!(Field::from_name("assetType", DataKind::Allocation), None);
        assert_eq!(Field::from_name("annotation", DataKind::CloudCost), None);
        assert_eq!(
            Field::from_name("invoiceEntityID", DataKind::CloudCost),
            Some(Field::InvoiceEntityID)
        );
    }

    #[test]
    fn names_and_shapes() {
        assert_eq!(Field::Label(Some("app".into())).to_string(), "label[app]");
        assert_eq!(Field::Services.shape(), FieldShape::List);
        assert_eq!(Field::Annotation(None).shape(), FieldShape::MapKeys);
        assert_eq!(Field::Annotation(Some("a".into())).shape(), FieldShape::Scalar);
        assert_eq!(Field::Alias(LabelAlias::Team).to_string(), "team");
        assert_eq!(Field::NamespaceLabel(Some("env".into())).to_string(), "namespaceLabel[env]");
        assert!(Field::names_for(DataKind::Allocation).starts_with("cluster, node, namespace, controllerName"));
    }
}
