//! Per-cluster totals of one daily ETL set: how many items each cluster has in it and the sum of
//! their `TotalCost()`. This is what the migration view needs from a bingen file — cluster
//! membership for the Thanos-era backup (whose sets hold every cluster) and totals for parity.
//!
//! Sets are decoded with [`crate::bingen::decode_streaming`], which hands over one item at a time,
//! so memory stays flat even for a large multi-cluster backup day. The cluster of an item is its
//! `properties.cluster` (OpenCost `AllocationProperties.Cluster` / `AssetProperties.Cluster`);
//! ETL Utils splits the backup by the same property (Kubecost docs thanos-migration-guide.md).

use crate::bingen::{self, DecodeError, Item, RootKind};
use crate::bucket::keys::Pipeline;
use crate::model::Str;
use std::collections::BTreeMap;

/// Items of one cluster in one set and the sum of their total cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Number of allocations or assets.
    pub count: u64,
    /// Σ `Allocation::total_cost()` or Σ `Asset::total_cost()`, USD, in file order.
    pub total_cost: f64,
}

impl Totals {
    fn add(&mut self, cost: f64) {
        self.count += 1;
        self.total_cost += cost;
    }
}

/// Per-cluster totals of one set, keyed by `properties.cluster`. Items without properties are
/// counted under the empty name.
pub type ClusterTotals = BTreeMap<Str, Totals>;

/// Decode an allocation or asset set and total it per cluster. An empty map means the set holds
/// no items (an "empty file").
///
/// Errors: [`DecodeError`] for a corrupt or truncated file; `pipeline` must be
/// [`Pipeline::Allocations`] or [`Pipeline::Assets`] (others yield an error too).
pub fn totals_by_cluster(data: &[u8], pipeline: Pipeline) -> Result<ClusterTotals, DecodeError> {
    let kind = match pipeline {
        Pipeline::Allocations => RootKind::AllocationSet,
        Pipeline::Assets => RootKind::AssetSet,
        other => {
            return Err(DecodeError {
                offset: 0,
                structure: "set",
                message: format!("{other} sets have no per-cluster totals here"),
            });
        }
    };
    let mut out = ClusterTotals::new();
    let empty: Str = Str::from("");
    bingen::decode_streaming(data, kind, &mut |item| {
        let (cluster, cost) = match &item {
            Item::Allocation(_, a) => (a.properties.as_ref().map(|p| &p.cluster), a.total_cost()),
            Item::Asset(_, a) => (a.properties.as_ref().map(|p| &p.cluster), a.total_cost()),
            Item::CloudCost(..) => return,
        };
        out.entry(cluster.unwrap_or(&empty).clone()).or_default().add(cost);
    })?;
    Ok(out)
}

/// Totals of every cluster together (for a federated file, which holds one cluster).
pub fn sum(totals: &ClusterTotals) -> Totals {
    totals.values().fold(Totals::default(), |a, t| Totals {
        count: a.count + t.count,
        total_cost: a.total_cost + t.total_cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Allocation, AllocationSet, StrMap, Window};

    fn alloc(cluster: &str, cpu: f64) -> Option<Allocation> {
        Some(Allocation::on_cluster(cluster, cpu))
    }

    #[test]
    fn totals_split_by_cluster_and_empty_set_is_empty() {
        let mut set = AllocationSet::empty(Window::default());
        let mut m = StrMap::new();
        m.insert(Str::from("a/1"), alloc("a", 1.5));
        m.insert(Str::from("b/1"), alloc("b", 2.0));
        m.insert(Str::from("a/2"), alloc("a", 0.25));
        set.allocations = Some(m);
        let t = totals_by_cluster(&bingen::encode_allocation_set(&set), Pipeline::Allocations).unwrap();
        assert_eq!(
            t[&Str::from("a")],
            Totals {
                count: 2,
                total_cost: 1.75
            }
        );
        assert_eq!(t[&Str::from("b")], Totals { count: 1, total_cost: 2.0 });
        assert_eq!(
            sum(&t),
            Totals {
                count: 3,
                total_cost: 3.75
            }
        );
        let empty = bingen::encode_allocation_set(&AllocationSet::empty(Window::default()));
        assert!(totals_by_cluster(&empty, Pipeline::Allocations).unwrap().is_empty());
        assert!(totals_by_cluster(b"BGST", Pipeline::Allocations).is_err());
    }
}
