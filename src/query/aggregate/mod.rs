//! Aggregation keys (`aggregate=` parameter) for allocations, assets and
//! cloud costs, and the drill-down order used by the TUI.
//!
//! Follows Kubecost docs `apis/monitoring-apis/api-allocation.md`,
//! `api-assets.md` and `cloud-cost-api.md` (see
//! docs/semantics.md §5–§6).

use std::fmt;

use serde::{Deserialize, Serialize};

mod key;
#[cfg(test)]
mod tests;

pub use super::kind::{DataKind, IDLE, UNALLOCATED, UNDEFINED, UNMOUNTED};
use super::labels::{LabelAlias, sanitize_key};
pub use key::{AggregateKey, Grain};
use key::{CLOUD_COST_DEFAULT_KEYS, keys_for};

/// Human list of the keys `parse_aggregate` accepts for `kind`, as used in
/// [`AggregateError`] messages, e.g. `cluster, node, …, label:<name>, …`.
pub fn accepted_keys(kind: DataKind) -> String {
    let mut out: Vec<String> = keys_for(kind).iter().map(|(n, _)| n.to_string()).collect();
    out.push("label:<name>".into());
    if kind == DataKind::Allocation {
        out.push("annotation:<name>".into());
        out.push("controllerName (= controller)".into());
        out.extend(LabelAlias::ALL.iter().map(|a| a.name().to_string()));
    }
    out.join(", ")
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

    /// The aggregate the TUI opens `kind` with: `namespace`, `type`, `service`.
    pub fn view_default(kind: DataKind) -> Aggregate {
        Aggregate(vec![match kind {
            DataKind::Allocation => AggregateKey::Namespace,
            DataKind::Asset => AggregateKey::Type,
            DataKind::CloudCost => AggregateKey::Service,
        }])
    }

    /// The aggregate of a CLI query without `--aggregate`: [`Aggregate::view_default`], except
    /// cloud costs, which group by OpenCost's item key ([`Aggregate::cloud_cost_default`]).
    pub fn query_default(kind: DataKind) -> Aggregate {
        match kind {
            DataKind::CloudCost => Aggregate::cloud_cost_default(),
            DataKind::Allocation | DataKind::Asset => Aggregate::view_default(kind),
        }
    }

    /// OpenCost's cloud-cost grouping when no aggregate is given (the "item"):
    /// `invoiceEntityID,accountID,provider,providerID,category,service`.
    pub fn cloud_cost_default() -> Aggregate {
        Aggregate(
            keys_for(DataKind::CloudCost)[..CLOUD_COST_DEFAULT_KEYS]
                .iter()
                .map(|(_, k)| k.clone())
                .collect(),
        )
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
    /// More than [`MAX_AGGREGATE_KEYS`] keys.
    #[error("{count} aggregate keys; at most {max} can be combined", max = MAX_AGGREGATE_KEYS)]
    TooMany {
        /// How many keys were given (comma parts).
        count: usize,
    },
}

/// The most keys one aggregation combines. Each key is a grouping column of every query (500
/// label keys ended in a DuckDB binder error, issue 35.11); Kubecost's views use a handful.
pub const MAX_AGGREGATE_KEYS: usize = 32;

/// Parses an `aggregate=` value for `kind`: comma-separated keys, surrounding
/// whitespace ignored, key names case-insensitive (`controllerkind`). Label and
/// annotation names are trimmed and, for allocations and assets, sanitized to
/// their Prometheus form (`label:app.kubernetes.io/name` →
/// `label:app_kubernetes_io_name`); cloud-cost label names are kept as typed.
/// `controllerName` is an alias of `controller`; for allocations `department`,
/// `environment`, `owner`, `product`, `team` are label-config aliases
/// ([`crate::query::LabelConfig`]). The empty string is the empty aggregation.
///
/// Errors: [`AggregateError`] naming the bad part and listing accepted keys, or more than
/// [`MAX_AGGREGATE_KEYS`] keys. Follows Kubecost docs `api-allocation.md` / `api-assets.md` / `cloud-cost-api.md`.
pub fn parse_aggregate(s: &str, kind: DataKind) -> Result<Aggregate, AggregateError> {
    if s.trim().is_empty() {
        return Ok(Aggregate::default());
    }
    let count = s.split(',').count();
    if count > MAX_AGGREGATE_KEYS {
        return Err(AggregateError::TooMany { count });
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
        let name = if kind == DataKind::CloudCost {
            name.to_string()
        } else {
            sanitize_key(name)
        };
        let key = match prefix.trim().to_ascii_lowercase().as_str() {
            "label" => AggregateKey::Label(name.clone()),
            "annotation" if kind == DataKind::Allocation => AggregateKey::Annotation(name.clone()),
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
        if let Some(alias) = LabelAlias::from_name(&lower) {
            return Ok(AggregateKey::Alias(alias));
        }
    }
    Err(AggregateError::Unknown {
        key: part.to_string(),
        kind,
    })
}
