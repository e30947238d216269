//! Filter fields (the left-hand side of a comparison) and which of them each
//! data kind accepts.
//!
//! Follows OpenCost `core/pkg/filter/fieldstrings/fieldstrings.go` for the
//! spellings and `core/pkg/filter/{allocation,asset,cloudcost}/parser.go`
//! for the per-kind sets, as documented in Kubecost docs `apis/filters-api.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::query::kind::DataKind;

/// A filterable property. `Label`/`Annotation` hold the optional map key:
/// `label[app]` → `Label(Some("app"))`, bare `label` → `Label(None)` (whose
/// `:` means "has key"). The five alias fields (`department`, `environment`,
/// `owner`, `product`, `team`) are Kubecost's label mappings: unless the data
/// source resolves them itself they read `label[<alias name>]`.
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
    /// `department` alias = `label[department]` (allocations).
    Department,
    /// `environment` alias = `label[environment]` (allocations).
    Environment,
    /// `owner` alias = `label[owner]` (allocations).
    Owner,
    /// `product` alias = `label[product]` (allocations).
    Product,
    /// `team` alias = `label[team]` (allocations).
    Team,
    /// `name` (assets).
    Name,
    /// `assetType` — Node, Disk, LoadBalancer, Network, ClusterManagement (assets).
    AssetType,
    /// `category` (assets, cloud costs).
    Category,
    /// `project` (assets).
    Project,
    /// `provider` (assets, cloud costs).
    Provider,
    /// `providerID` (assets, cloud costs).
    ProviderID,
    /// `account` (assets).
    Account,
    /// `service` — cloud service (assets, cloud costs).
    Service,
    /// `accountID` (cloud costs).
    AccountID,
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
    Field::Services,
    Field::Label(None),
    Field::Annotation(None),
    Field::Department,
    Field::Environment,
    Field::Owner,
    Field::Product,
    Field::Team,
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

    /// Looks up a field by name (case-insensitive) among those accepted for
    /// `kind`; map fields come back with key `None`. `None` if unknown.
    pub fn from_name(name: &str, kind: DataKind) -> Option<Field> {
        Self::all_for(kind).iter().find(|f| f.name().eq_ignore_ascii_case(name)).cloned()
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
            Field::Department => "department",
            Field::Environment => "environment",
            Field::Owner => "owner",
            Field::Product => "product",
            Field::Team => "team",
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

    /// True for `label` and `annotation`, the only fields taking `[key]`.
    pub fn is_map(&self) -> bool {
        matches!(self, Field::Label(_) | Field::Annotation(_))
    }

    /// The map key of `label[k]` / `annotation[k]`; `None` otherwise.
    pub fn map_key(&self) -> Option<&str> {
        match self {
            Field::Label(k) | Field::Annotation(k) => k.as_deref(),
            _ => None,
        }
    }

    /// For the five alias fields, the label name they stand for
    /// (`Field::Team` → `"team"`); `None` for every other field.
    pub fn alias_label(&self) -> Option<&'static str> {
        match self {
            Field::Department | Field::Environment | Field::Owner | Field::Product | Field::Team => Some(self.name()),
            _ => None,
        }
    }

    /// The value shape, which decides operator meaning (see [`FieldShape`]).
    pub fn shape(&self) -> FieldShape {
        match self {
            Field::Services => FieldShape::List,
            Field::Label(None) | Field::Annotation(None) => FieldShape::MapKeys,
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
    fn lookup_is_case_insensitive_and_per_kind() {
        assert_eq!(
            Field::from_name("controllerkind", DataKind::Allocation),
            Some(Field::ControllerKind)
        );
        assert_eq!(Field::from_name("LABEL", DataKind::Asset), Some(Field::Label(None)));
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
        assert_eq!(Field::Team.alias_label(), Some("team"));
        assert_eq!(Field::Namespace.alias_label(), None);
        assert!(Field::names_for(DataKind::Allocation).starts_with("cluster, node, namespace, controllerName"));
    }
}
