//! Splitting one combined Thanos-era backup set into one set per cluster, and the figures the
//! plan compares: item count, totalCost and the sorted item keys.
//!
//! The cluster of an item is its `properties.cluster` (OpenCost `AllocationProperties.Cluster`,
//! `AssetProperties.Cluster`), the property ETL Utils splits the backup by (Kubecost docs
//! thanos-migration-guide.md) and the folder name OpenCost's bingen path uses
//! (`core/pkg/exporter/pathing/bingenpath.go`). Each cluster's set keeps the combined set's window,
//! source tag, warnings and errors, its items in file order, and the external / idle keys of its
//! own allocations, so it encodes like the set that cluster's agent would have written.

use crate::bingen::{self, DecodeError, Item, Root, RootKind, Versions};
use crate::bucket::keys::Pipeline;
use crate::model::{Allocation, AllocationSet, Asset, AssetSet, Str, StrMap};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// Item count and Σ totalCost of a set (or of one cluster's share of one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    /// Non-nil allocations or assets.
    pub items: u64,
    /// Σ `Allocation::total_cost()` / `Asset::total_cost()` in file order, USD.
    pub total_cost: f64,
}

impl Share {
    /// Whether `self` and `other` agree: the same item count and totalCost within
    /// [`TOLERANCE`] (relative above 1 USD, absolute below).
    pub fn matches(&self, other: &Share) -> bool {
        self.items == other.items && close(self.total_cost, other.total_cost)
    }
}

/// Tolerance of totalCost comparisons (the plan's `same`, the verification after a write).
pub const TOLERANCE: f64 = 1e-9;

/// `|a − b| ≤ 1e-9 · max(1, |a|, |b|)`.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * 1f64.max(a.abs()).max(b.abs())
}

/// What a set holds, for the comparison with another file: its share and its item keys, sorted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contents {
    /// Count and totalCost.
    pub share: Share,
    /// Item keys (the set's map keys), sorted.
    pub keys: Vec<Str>,
}

impl Contents {
    fn add(&mut self, key: Str, cost: f64) {
        self.share.items += 1;
        self.share.total_cost += cost;
        self.keys.push(key);
    }
    fn finish(mut self) -> Contents {
        self.keys.sort();
        self
    }
}

/// One cluster's part of a combined set: the set to write and what it holds.
#[derive(Debug)]
pub struct ClusterSet {
    /// An `AllocationSet` or `AssetSet` root holding only this cluster's items.
    pub root: Root,
    /// Its count, totalCost and keys.
    pub contents: Contents,
}

/// A combined set split by cluster.
#[derive(Debug)]
pub struct Split {
    /// The codec versions the source file was written with (current where a family was absent):
    /// the cluster sets are encoded at these.
    pub versions: Versions,
    /// Cluster name → its set, for every cluster with at least one item.
    pub clusters: BTreeMap<String, ClusterSet>,
    /// Items without properties or with an empty cluster name (not placed in any cluster).
    pub unplaced: u64,
}

/// The root kind a pipeline's files hold, for the two pipelines `migrate` moves.
///
/// Errors: [`DecodeError`] for other pipelines (no per-cluster split of cloud costs here: the
/// backup's `cloudcosts` are not per cluster).
pub fn root_kind(pipeline: Pipeline) -> Result<RootKind, DecodeError> {
    match pipeline {
        Pipeline::Allocations => Ok(RootKind::AllocationSet),
        Pipeline::Assets => Ok(RootKind::AssetSet),
        other => Err(DecodeError {
            offset: 0,
            structure: "set",
            message: format!("{other} sets are not split by cluster"),
        }),
    }
}

/// Decode a combined `pipeline` set and split it by cluster (see the module docs).
///
/// Errors: [`DecodeError`] (struct and byte offset) for a corrupt or truncated file.
pub fn split(data: &[u8], pipeline: Pipeline) -> Result<Split, DecodeError> {
    let decoded = bingen::decode(data, root_kind(pipeline)?)?;
    let versions = decoded.versions.as_versions();
    let (clusters, unplaced) = match decoded.root {
        Root::AllocationSet(s) => split_allocations(s),
        Root::AssetSet(s) => split_assets(s),
        _ => unreachable!("decode returns the requested root"),
    };
    Ok(Split {
        versions,
        clusters,
        unplaced,
    })
}

/// The cluster an item belongs to, `None` when it names none.
fn cluster_of(cluster: Option<&Str>) -> Option<String> {
    cluster.filter(|c| !c.is_empty()).map(|c| c.to_string())
}

/// Per cluster: its items (key, value) in file order and what they hold.
type Parts<T> = BTreeMap<String, (Vec<(Str, Option<T>)>, Contents)>;

/// Group `items` by the cluster `of` names (with each item's totalCost, USD); items without a
/// cluster are counted, not placed.
fn by_cluster<T>(items: Vec<(Str, Option<T>)>, of: impl Fn(&T) -> (Option<&Str>, f64)) -> (Parts<T>, u64) {
    let mut parts: Parts<T> = BTreeMap::new();
    let mut unplaced = 0;
    for (key, item) in items {
        let Some(item) = item else { continue };
        let (cluster, cost) = of(&item);
        let Some(cluster) = cluster_of(cluster) else {
            unplaced += 1;
            continue;
        };
        let entry = parts.entry(cluster).or_default();
        entry.1.add(key.clone(), cost);
        entry.0.push((key, Some(item)));
    }
    (parts, unplaced)
}

fn split_allocations(set: AllocationSet) -> (BTreeMap<String, ClusterSet>, u64) {
    let (items, unplaced) = by_cluster(set.allocations.map(|m| m.0).unwrap_or_default(), |a: &Allocation| {
        (a.properties.as_ref().map(|p| &p.cluster), a.total_cost())
    });
    // External and idle keys go with their allocation's cluster.
    let keys_of = |m: &Option<StrMap<Str, bool>>, mine: &HashSet<&Str>| {
        m.as_ref()
            .map(|m| StrMap(m.iter().filter(|(k, _)| mine.contains(k)).map(|(k, v)| (k.clone(), *v)).collect()))
    };
    let out = items
        .into_iter()
        .map(|(cluster, (allocs, contents))| {
            let mine: HashSet<&Str> = allocs.iter().map(|(k, _)| k).collect();
            let part = AllocationSet {
                external_keys: keys_of(&set.external_keys, &mine),
                idle_keys: keys_of(&set.idle_keys, &mine),
                allocations: None,
                from_source: set.from_source.clone(),
                window: set.window,
                warnings: set.warnings.clone(),
                errors: set.errors.clone(),
            };
            // `mine` borrows `allocs`: the items move in once the keys are chosen.
            let part = AllocationSet {
                allocations: Some(StrMap(allocs)),
                ..part
            };
            let contents = contents.finish();
            (
                cluster,
                ClusterSet {
                    root: Root::AllocationSet(part),
                    contents,
                },
            )
        })
        .collect();
    (out, unplaced)
}

fn split_assets(set: AssetSet) -> (BTreeMap<String, ClusterSet>, u64) {
    let (items, unplaced) = by_cluster(set.assets.map(|m| m.0).unwrap_or_default(), |a: &Asset| {
        (a.properties.as_ref().map(|p| &p.cluster), a.total_cost())
    });
    let out = items
        .into_iter()
        .map(|(cluster, (assets, contents))| {
            let part = AssetSet {
                aggregation_keys: set.aggregation_keys.clone(),
                assets: Some(StrMap(assets)),
                from_source: set.from_source.clone(),
                window: set.window,
                warnings: set.warnings.clone(),
                errors: set.errors.clone(),
            };
            (
                cluster,
                ClusterSet {
                    root: Root::AssetSet(part),
                    contents: contents.finish(),
                },
            )
        })
        .collect();
    (out, unplaced)
}

/// What a single-cluster file holds (a federated file, or one `migrate` just wrote), decoded item
/// by item (flat memory).
///
/// Errors: [`DecodeError`] for a corrupt or truncated file.
pub fn contents(data: &[u8], pipeline: Pipeline) -> Result<Contents, DecodeError> {
    let mut out = Contents::default();
    bingen::decode_streaming(data, root_kind(pipeline)?, &mut |item| match item {
        Item::Allocation(k, a) => out.add(k, a.total_cost()),
        Item::Asset(k, a) => out.add(k, a.total_cost()),
        Item::CloudCost(..) => {}
    })?;
    Ok(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssetKind, AssetProperties, Window};

    fn alloc(cluster: &str, cpu: f64) -> Option<Allocation> {
        Some(Allocation::on_cluster(cluster, cpu))
    }

    /// Each cluster's set holds its items in file order and its own idle keys; the shares add
    /// up to the combined set; the cluster sets decode to what they were built from.
    #[test]
    fn a_combined_allocation_set_splits_by_cluster() {
        let mut set = AllocationSet::empty(Window::default());
        let m = set.allocations.as_mut().unwrap();
        m.insert("a/1".into(), alloc("a", 1.5));
        m.insert("b/1".into(), alloc("b", 2.0));
        m.insert("a/2".into(), alloc("a", 0.25));
        m.insert("none".into(), alloc("", 9.0));
        m.insert("nil".into(), None);
        set.idle_keys.as_mut().unwrap().insert("b/1".into(), true);
        let s = split(&bingen::encode_allocation_set(&set), Pipeline::Allocations).unwrap();
        assert_eq!(s.unplaced, 1);
        assert_eq!(s.clusters.len(), 2);
        let a = &s.clusters["a"];
        assert_eq!(
            a.contents.share,
            Share {
                items: 2,
                total_cost: 1.75
            }
        );
        assert_eq!(a.contents.keys, vec![Str::from("a/1"), Str::from("a/2")]);
        let Root::AllocationSet(b) = &s.clusters["b"].root else { panic!() };
        assert_eq!(b.idle_keys.as_ref().unwrap().len(), 1);
        let Root::AllocationSet(a_set) = &a.root else { panic!() };
        assert!(a_set.idle_keys.as_ref().unwrap().is_empty());
        let bytes = bingen::encode(&a.root, s.versions);
        assert_eq!(contents(&bytes, Pipeline::Allocations).unwrap(), a.contents);
    }

    #[test]
    fn a_combined_asset_set_splits_by_cluster() {
        let mut set = AssetSet::empty(Window::default());
        for (k, c, cost) in [("n1", "a", 3.0), ("n2", "b", 4.0)] {
            let mut n = Asset::new(AssetKind::Node);
            n.properties = Some(AssetProperties {
                cluster: c.into(),
                ..Default::default()
            });
            n.adjustment = cost;
            set.assets.as_mut().unwrap().insert(k.into(), Some(n));
        }
        let s = split(&bingen::encode_asset_set(&set), Pipeline::Assets).unwrap();
        assert_eq!(s.clusters.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(close(s.clusters["b"].contents.share.total_cost, 4.0));
        assert!(split(b"\x18garbage-bytes-here", Pipeline::Assets).is_err());
    }

    #[test]
    fn tolerance_is_relative_above_one_dollar() {
        assert!(close(1e6, 1e6 + 1e-4));
        assert!(!close(1.0, 1.0 + 1e-8));
        assert!(close(0.0, 1e-10));
    }
}
