//! Aggregation keys (`aggregate=` parameter) for allocations, assets and
//! cloud costs, and the drill-down order used by the TUI.
//!
//! Follows Kubecost docs `apis/monitoring-apis/api-allocation.md`,
//! `api-assets.md` and `cloud-cost-api.md` (see
//! `shared/specs/kubecost-product.md` §1.2, §1.6, §1.7) and DESIGN.md §5.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::filter::{Field, Filter, Op};
pub use super::kind::{DataKind, IDLE, UNALLOCATED, UNMOUNTED};

/// One aggregation key. `Label`/`Annotation` carry the label or annotation
/// name (`label:app` → `Label("app")`). `Service` is the Kubernetes service
/// for allocations and the cloud service (e.g. `AmazonEC2`) for assets and
/// cloud costs.
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
    /// Controller name (allocations; alias `controllerName`).
    Controller,
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

/// Canonical spellings per kind, in the order shown in error messages.
/// `label:`/`annotation:` entries are handled separately.
const ALLOCATION_KEYS: &[(&str, AggregateKey)] = &[
    ("cluster", AggregateKey::Cluster),
    ("node", AggregateKey::Node),
    ("namespace", AggregateKey::Namespace),
    ("controllerKind", AggregateKey::ControllerKind),
    ("controller", AggregateKey::Controller),
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
const CLOUD_COST_KEYS: &[(&str, AggregateKey)] = &[
    ("invoiceEntityID", AggregateKey::InvoiceEntityID),
    ("invoiceEntityName", AggregateKey::InvoiceEntityName),
    ("accountID", AggregateKey::AccountID),
    ("accountName", AggregateKey::AccountName),
    ("provider", AggregateKey::Provider),
    ("providerID", AggregateKey::ProviderID),
    ("category", AggregateKey::Category),
    ("service", AggregateKey::Service),
    ("regionID", AggregateKey::RegionID),
    ("availabilityZone", AggregateKey::AvailabilityZone),
];
/// Kubecost UI label aliases, accepted for allocations as `label:<same name>`.
const LABEL_ALIASES: &[&str] = &["department", "environment", "owner", "product", "team"];

fn keys_for(kind: DataKind) -> &'static [(&'static str, AggregateKey)] {
    match kind {
        DataKind::Allocation => ALLOCATION_KEYS,
        DataKind::Asset => ASSET_KEYS,
        DataKind::CloudCost => CLOUD_COST_KEYS,
    }
}

/// Human list of the keys `parse_aggregate` accepts for `kind`, as used in
/// [`AggregateError`] messages, e.g. `cluster, node, …, label:<name>, …`.
pub fn accepted_keys(kind: DataKind) -> String {
    let mut out: Vec<String> = keys_for(kind).iter().map(|(n, _)| n.to_string()).collect();
    out.push("label:<name>".into());
    if kind == DataKind::Allocation {
        out.push("annotation:<name>".into());
        out.push("controllerName (= controller)".into());
        out.push(format!("{} (= label:<same>)", LABEL_ALIASES.join(", ")));
    }
    out.join(", ")
}

impl AggregateKey {
    /// Canonical key text (`controllerKind`, `label:app`), as Kubecost spells it.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// True when this key may be used with `kind`.
    pub fn is_valid_for(&self, kind: DataKind) -> bool {
        match self {
            AggregateKey::Label(_) => true,
            AggregateKey::Annotation(_) => kind == DataKind::Allocation,
            k => keys_for(kind).iter().any(|(_, v)| v == k),
        }
    }

    /// The filter field that selects one value of this key for `kind`
    /// (`controller` → `controllerName`, allocation `service` → `services`,
    /// asset `type` → `assetType`, `label:app` → `label[app]`). `None` when
    /// the key is not valid for `kind`.
    pub fn filter_field(&self, kind: DataKind) -> Option<Field> {
        if !self.is_valid_for(kind) {
            return None;
        }
        Some(match self {
            AggregateKey::Cluster => Field::Cluster,
            AggregateKey::Node => Field::Node,
            AggregateKey::Namespace => Field::Namespace,
            AggregateKey::ControllerKind => Field::ControllerKind,
            AggregateKey::Controller => Field::ControllerName,
            AggregateKey::Service if kind == DataKind::Allocation => Field::Services,
            AggregateKey::Service => Field::Service,
            AggregateKey::Pod => Field::Pod,
            AggregateKey::Container => Field::Container,
            AggregateKey::Label(k) => Field::Label(Some(k.clone())),
            AggregateKey::Annotation(k) => Field::Annotation(Some(k.clone())),
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

    /// The filter that keeps only the rows whose value for this key is
    /// `value` (drill-down from an aggregated row). [`UNALLOCATED`] becomes
    /// the empty string, which matches items that lack the key (a missing
    /// label, or an empty `services` list, compares as `""`). `None` when the
    /// key is not valid for `kind`.
    ///
    /// An allocation `controller` value is `<kind>:<name>` (OpenCost
    /// `Allocation.generateKey`, see `docs/semantics.md`), so it becomes
    /// `controllerKind:"<kind>" + controllerName:"<name>"`.
    pub fn filter_for(&self, kind: DataKind, value: &str) -> Option<Filter> {
        let field = self.filter_field(kind)?;
        let value = if value == UNALLOCATED { "" } else { value };
        let eq = |field: Field, v: &str| Filter::Cmp {
            field,
            op: Op::Equals,
            values: vec![v.to_string()],
        };
        if let (AggregateKey::Controller, DataKind::Allocation, Some((ck, name))) = (self, kind, value.split_once(':')) {
            return Some(eq(Field::ControllerKind, ck).and(eq(Field::ControllerName, name)));
        }
        Some(eq(field, value))
    }
}

impl fmt::Display for AggregateKey {
    /// Canonical text: the first spelling in the per-kind tables, or
    /// `label:<name>` / `annotation:<name>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AggregateKey::Label(k) => write!(f, "label:{k}"),
            AggregateKey::Annotation(k) => write!(f, "annotation:{k}"),
            k => {
                let all = ALLOCATION_KEYS.iter().chain(ASSET_KEYS).chain(CLOUD_COST_KEYS);
                let (name, _) = all.into_iter().find(|(_, v)| v == k).expect("every key is listed");
                f.write_str(name)
            }
        }
    }
}

/// A parsed `aggregate=` value: one key, several keys (multi-aggregation,
/// rows keyed by the tuple of values, Kubecost joins them with `/`), or none
/// (empty string: no aggregation, one row per item).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Aggregate(pub Vec<AggregateKey>);

impl Aggregate {
    /// The keys in the order given.
    pub fn keys(&self) -> &[AggregateKey] {
        &self.0
    }

    /// True for the empty aggregation (one row per item).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Aggregate {
    /// Comma-joined canonical keys, e.g. `namespace,label:app`; parses back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, k) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// Why an `aggregate=` value was rejected; every message names the bad part
/// and lists the keys accepted for the data kind ([`accepted_keys`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// A part is not a known key for this kind.
    #[error("unknown aggregate key {key:?} for {}; accepted: {}; combine several with commas, e.g. namespace,label:app", kind.plural(), accepted_keys(*kind))]
    Unknown {
        /// The rejected part, as given.
        key: String,
        /// The data kind being aggregated.
        kind: DataKind,
    },
    /// `label:` or `annotation:` without a name, or an empty comma part.
    #[error("aggregate key {key:?} is incomplete (in {input:?}); accepted for {}: {}", kind.plural(), accepted_keys(*kind))]
    Incomplete {
        /// The rejected part, as given.
        key: String,
        /// The full input.
        input: String,
        /// The data kind being aggregated.
        kind: DataKind,
    },
    /// The same key appears twice.
    #[error("aggregate key {key:?} appears more than once in {input:?}")]
    Duplicate {
        /// The repeated key, canonical spelling.
        key: String,
        /// The full input.
        input: String,
    },
}

/// Parses an `aggregate=` value for `kind`: comma-separated keys, surrounding
/// whitespace ignored, key names case-insensitive (`controllerkind`), label
/// and annotation names kept as given. `controllerName` is an alias of
/// `controller`; for allocations `department`, `environment`, `owner`,
/// `product`, `team` mean `label:<same name>` (Kubecost UI label mappings,
/// inferred). The empty string is the empty aggregation.
///
/// Errors: [`AggregateError`] naming the bad part and listing accepted keys.
/// Follows Kubecost docs `api-allocation.md` / `api-assets.md` / `cloud-cost-api.md`.
pub fn parse_aggregate(s: &str, kind: DataKind) -> Result<Aggregate, AggregateError> {
    if s.trim().is_empty() {
        return Ok(Aggregate::default());
    }
    let mut keys: Vec<AggregateKey> = Vec::new();
    for part in s.split(',') {
        let part_t = part.trim();
        let key = parse_one(part_t, s, kind)?;
        if keys.contains(&key) {
            return Err(AggregateError::Duplicate {
                key: key.to_string(),
                input: s.to_string(),
            });
        }
        keys.push(key);
    }
    Ok(Aggregate(keys))
}

fn parse_one(part: &str, input: &str, kind: DataKind) -> Result<AggregateKey, AggregateError> {
    let incomplete = || AggregateError::Incomplete {
        key: part.to_string(),
        input: input.to_string(),
        kind,
    };
    if part.is_empty() {
        return Err(incomplete());
    }
    if let Some((prefix, name)) = part.split_once(':') {
        let name = name.trim();
        let key = match prefix.trim().to_ascii_lowercase().as_str() {
            "label" => AggregateKey::Label(name.to_string()),
            "annotation" if kind == DataKind::Allocation => AggregateKey::Annotation(name.to_string()),
            _ => {
                return Err(AggregateError::Unknown {
                    key: part.to_string(),
                    kind,
                });
            }
        };
        return if name.is_empty() { Err(incomplete()) } else { Ok(key) };
    }
    let lower = part.to_ascii_lowercase();
    if let Some((_, k)) = keys_for(kind).iter().find(|(n, _)| n.to_ascii_lowercase() == lower) {
        return Ok(k.clone());
    }
    if kind == DataKind::Allocation {
        if lower == "controllername" {
            return Ok(AggregateKey::Controller);
        }
        if let Some(alias) = LABEL_ALIASES.iter().find(|a| **a == lower) {
            return Ok(AggregateKey::Label(alias.to_string()));
        }
    }
    Err(AggregateError::Unknown {
        key: part.to_string(),
        kind,
    })
}

/// The next, finer key for TUI drill-down: cluster → namespace → controller →
/// pod → container; also controllerKind → controller and node/service → pod.
/// `None` for container and for keys without a natural child (labels, asset
/// and cloud-cost keys).
pub fn drill_down_next(key: &AggregateKey) -> Option<AggregateKey> {
    Some(match key {
        AggregateKey::Cluster => AggregateKey::Namespace,
        AggregateKey::Namespace => AggregateKey::Controller,
        AggregateKey::ControllerKind => AggregateKey::Controller,
        AggregateKey::Controller => AggregateKey::Pod,
        AggregateKey::Node | AggregateKey::Service => AggregateKey::Pod,
        AggregateKey::Pod => AggregateKey::Container,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_keys_and_aliases() {
        let a = parse_aggregate(
            "cluster, node,namespace,controllerkind,CONTROLLER,service,pod,container",
            DataKind::Allocation,
        )
        .unwrap();
        assert_eq!(
            a.to_string(),
            "cluster,node,namespace,controllerKind,controller,service,pod,container"
        );
        let a = parse_aggregate("namespace,label:app,annotation:owner/x", DataKind::Allocation).unwrap();
        assert_eq!(
            a.keys(),
            &[
                AggregateKey::Namespace,
                AggregateKey::Label("app".into()),
                AggregateKey::Annotation("owner/x".into())
            ]
        );
        assert_eq!(
            parse_aggregate("controllerName", DataKind::Allocation).unwrap().0,
            vec![AggregateKey::Controller]
        );
        assert_eq!(
            parse_aggregate("Team", DataKind::Allocation).unwrap().0,
            vec![AggregateKey::Label("team".into())]
        );
        assert!(parse_aggregate("", DataKind::Allocation).unwrap().is_empty());
        assert_eq!(parse_aggregate("Label:App", DataKind::Allocation).unwrap().to_string(), "label:App");
    }

    #[test]
    fn asset_and_cloud_keys() {
        let a = parse_aggregate(
            "type,cluster,category,provider,providerid,account,project,service,name,label:env",
            DataKind::Asset,
        )
        .unwrap();
        assert_eq!(
            a.to_string(),
            "type,cluster,category,provider,providerID,account,project,service,name,label:env"
        );
        let c = parse_aggregate(
            "invoiceEntityID,accountID,provider,providerID,category,service,label:team,invoiceEntityName,accountName,regionID,availabilityZone",
            DataKind::CloudCost,
        )
        .unwrap();
        assert_eq!(c.0.len(), 11);
        assert_eq!(parse_aggregate(&c.to_string(), DataKind::CloudCost).unwrap(), c);
    }

    #[test]
    fn errors_list_accepted_keys_for_the_kind() {
        let e = parse_aggregate("namespace,bogus", DataKind::Allocation).unwrap_err();
        let m = e.to_string();
        assert!(m.contains("\"bogus\""), "{m}");
        for k in [
            "cluster",
            "node",
            "namespace",
            "controllerKind",
            "controller",
            "service",
            "pod",
            "container",
            "label:<name>",
            "annotation:<name>",
        ] {
            assert!(m.contains(k), "{m} lacks {k}");
        }
        let m = parse_aggregate("namespace", DataKind::Asset).unwrap_err().to_string();
        assert!(m.contains("for assets") && m.contains("providerID") && m.contains("type"), "{m}");
        assert!(!m.contains("annotation"), "{m}");
        let m = parse_aggregate("pod", DataKind::CloudCost).unwrap_err().to_string();
        assert!(m.contains("invoiceEntityID") && m.contains("availabilityZone"), "{m}");
        assert!(matches!(
            parse_aggregate("annotation:x", DataKind::Asset),
            Err(AggregateError::Unknown { .. })
        ));
        assert!(matches!(
            parse_aggregate("label:", DataKind::Asset),
            Err(AggregateError::Incomplete { .. })
        ));
        assert!(matches!(
            parse_aggregate("pod,,node", DataKind::Allocation),
            Err(AggregateError::Incomplete { .. })
        ));
        assert!(matches!(
            parse_aggregate("pod,Pod", DataKind::Allocation),
            Err(AggregateError::Duplicate { .. })
        ));
    }

    #[test]
    fn drill_down_chain() {
        let mut k = AggregateKey::Cluster;
        let mut chain = vec![k.to_string()];
        while let Some(n) = drill_down_next(&k) {
            chain.push(n.to_string());
            k = n;
        }
        assert_eq!(chain, ["cluster", "namespace", "controller", "pod", "container"]);
        assert_eq!(drill_down_next(&AggregateKey::Label("a".into())), None);
    }

    #[test]
    fn filter_for_drill_down() {
        let f = AggregateKey::Controller.filter_for(DataKind::Allocation, "web").unwrap();
        assert_eq!(f.to_string(), r#"controllerName:"web""#);
        let f = AggregateKey::Controller
            .filter_for(DataKind::Allocation, "statefulset:queue-cfs")
            .unwrap();
        assert_eq!(f.to_string(), r#"controllerKind:"statefulset"+controllerName:"queue-cfs""#);
        let f = AggregateKey::Label("app".into())
            .filter_for(DataKind::Allocation, UNALLOCATED)
            .unwrap();
        assert_eq!(f.to_string(), r#"label[app]:"""#);
        let f = AggregateKey::Service.filter_for(DataKind::Allocation, "svc").unwrap();
        assert_eq!(f.to_string(), r#"services:"svc""#);
        let f = AggregateKey::Type.filter_for(DataKind::Asset, "Node").unwrap();
        assert_eq!(f.to_string(), r#"assetType:"Node""#);
        assert!(AggregateKey::Pod.filter_for(DataKind::Asset, "x").is_none());
    }
}
