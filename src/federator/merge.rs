//! Merging one window's per-cluster sets into the combined set.
//!
//! Semantics (Kubecost's own Federator is closed source, so this is our own safe
//! reimplementation, docs/architecture.md): the item maps are unioned and
//! every cluster's keys are kept as they are (OpenCost keys already start with the cluster), the
//! window is the window of the file name in UTC (as OpenCost `NewAllocationSet(start, end)` builds
//! it), and warnings and errors are concatenated in cluster order. A key that two clusters both
//! use keeps the first cluster's item; the other is reported, never silently summed.
//!
//! A source whose window differs from its file name is rejected (it would put costs in the wrong
//! day). Decoding goes through [`crate::bingen`]; encoding writes the current versions (Allocation
//! 24, Assets 21, CloudCost 3), which OpenCost's codec reads.

use crate::bingen::{self, DecodeError};
use crate::bucket::keys::Pipeline;
use crate::model::{AllocationSet, AssetSet, CloudCostSet, Str, StrMap, Window};
use std::collections::HashSet;

/// Why one source file could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The bytes do not decode as the pipeline's set.
    #[error("cannot decode: {0}")]
    Decode(#[from] DecodeError),
    /// The set's window is not the window in the file name.
    #[error("the set's window {found} does not match the window {expected} in its key")]
    WindowMismatch {
        /// `start-end` of the file name, Unix seconds.
        expected: String,
        /// `start-end` in the file (`open` for an open end).
        found: String,
    },
}

/// Operations the federator needs from each set type.
trait FederatedSet: Sized {
    fn decode(data: &[u8]) -> Result<Self, DecodeError>;
    fn empty(window: Window) -> Self;
    fn window(&self) -> Window;
    /// Move `other`'s contents into `self`; returns the items added. `first` is true for the
    /// first source set. Keys already present are pushed to `duplicates` and dropped.
    fn absorb(&mut self, other: Self, first: bool, seen: &mut HashSet<Str>, duplicates: &mut Vec<Str>) -> u64;
    fn encode(&self) -> Vec<u8>;
}

/// Union `src` into `dst` (creating it when nil), skipping keys in `seen`. Counts non-nil items added.
fn union_items<V>(
    dst: &mut Option<StrMap<Str, Option<V>>>,
    src: Option<StrMap<Str, Option<V>>>,
    seen: &mut HashSet<Str>,
    dups: &mut Vec<Str>,
) -> u64 {
    let Some(src) = src else { return 0 };
    let dst = dst.get_or_insert_with(StrMap::new);
    let mut added = 0;
    for (k, v) in src.0 {
        if !seen.insert(k.clone()) {
            dups.push(k);
            continue;
        }
        added += v.is_some() as u64;
        dst.0.push((k, v));
    }
    added
}

/// Union of key sets such as `ExternalKeys`/`IdleKeys` (first value wins).
fn union_flags(dst: &mut Option<StrMap<Str, bool>>, src: Option<StrMap<Str, bool>>) {
    let Some(src) = src else { return };
    let dst = dst.get_or_insert_with(StrMap::new);
    let have: HashSet<Str> = dst.0.iter().map(|(k, _)| k.clone()).collect();
    dst.0.extend(src.0.into_iter().filter(|(k, _)| !have.contains(k)));
}

/// Append `src` to `dst`; nil stays nil only when both are nil.
fn concat(dst: &mut Option<Vec<Str>>, src: Option<Vec<Str>>) {
    if let Some(src) = src {
        dst.get_or_insert_with(Vec::new).extend(src);
    }
}

/// Union of string lists in first-seen order.
fn union_list(dst: &mut Option<Vec<Str>>, src: Option<Vec<Str>>) {
    let Some(src) = src else { return };
    let dst = dst.get_or_insert_with(Vec::new);
    for s in src {
        if !dst.contains(&s) {
            dst.push(s);
        }
    }
}

/// `FromSource`-like tags: kept when every cluster agrees, else empty.
fn agree(dst: &mut Str, src: Str, first: bool) {
    if first {
        *dst = src;
    } else if *dst != src {
        *dst = "".into();
    }
}

impl FederatedSet for AllocationSet {
    fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        bingen::decode_allocation_set(data)
    }
    fn empty(window: Window) -> Self {
        AllocationSet::empty(window)
    }
    fn window(&self) -> Window {
        self.window
    }
    fn absorb(&mut self, o: Self, first: bool, seen: &mut HashSet<Str>, dups: &mut Vec<Str>) -> u64 {
        agree(&mut self.from_source, o.from_source, first);
        union_flags(&mut self.external_keys, o.external_keys);
        union_flags(&mut self.idle_keys, o.idle_keys);
        concat(&mut self.warnings, o.warnings);
        concat(&mut self.errors, o.errors);
        union_items(&mut self.allocations, o.allocations, seen, dups)
    }
    fn encode(&self) -> Vec<u8> {
        bingen::encode_allocation_set(self)
    }
}

impl FederatedSet for AssetSet {
    fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        bingen::decode_asset_set(data)
    }
    fn empty(window: Window) -> Self {
        AssetSet::empty(window)
    }
    fn window(&self) -> Window {
        self.window
    }
    fn absorb(&mut self, o: Self, first: bool, seen: &mut HashSet<Str>, dups: &mut Vec<Str>) -> u64 {
        agree(&mut self.from_source, o.from_source, first);
        union_list(&mut self.aggregation_keys, o.aggregation_keys);
        concat(&mut self.warnings, o.warnings);
        concat(&mut self.errors, o.errors);
        union_items(&mut self.assets, o.assets, seen, dups)
    }
    fn encode(&self) -> Vec<u8> {
        bingen::encode_asset_set(self)
    }
}

impl FederatedSet for CloudCostSet {
    fn decode(data: &[u8]) -> Result<Self, DecodeError> {
        bingen::decode_cloud_cost_set(data)
    }
    fn empty(window: Window) -> Self {
        // OpenCost `NewCloudCostSet(start, end)`: an empty non-nil map, no integration.
        CloudCostSet {
            cloud_costs: Some(StrMap::new()),
            window,
            integration: "".into(),
            aggregation_properties: None,
        }
    }
    fn window(&self) -> Window {
        self.window
    }
    fn absorb(&mut self, o: Self, first: bool, seen: &mut HashSet<Str>, dups: &mut Vec<Str>) -> u64 {
        agree(&mut self.integration, o.integration, first);
        union_list(&mut self.aggregation_properties, o.aggregation_properties);
        union_items(&mut self.cloud_costs, o.cloud_costs, seen, dups)
    }
    fn encode(&self) -> Vec<u8> {
        bingen::encode_cloud_cost_set(self)
    }
}

struct State<S> {
    set: S,
    seen: HashSet<Str>,
    items: u64,
    /// (cluster, key) pairs dropped because an earlier cluster had the key.
    duplicates: Vec<(String, Str)>,
    /// Clusters merged so far (including empty sets).
    sources: usize,
}

impl<S: FederatedSet> State<S> {
    fn new(start: i64, end: i64) -> Self {
        State {
            set: S::empty(Window::utc(start, end)),
            seen: HashSet::new(),
            items: 0,
            duplicates: Vec::new(),
            sources: 0,
        }
    }
    fn add(&mut self, cluster: &str, data: &[u8]) -> Result<u64, MergeError> {
        let other = S::decode(data)?;
        let (want, got) = (self.set.window(), other.window());
        if (want.start_unix(), want.end_unix()) != (got.start_unix(), got.end_unix()) {
            let show = |w: Window| format!("{}-{}", opt(w.start_unix()), opt(w.end_unix()));
            return Err(MergeError::WindowMismatch {
                expected: show(want),
                found: show(got),
            });
        }
        let mut dups = Vec::new();
        let added = self.set.absorb(other, self.sources == 0, &mut self.seen, &mut dups);
        self.sources += 1;
        self.items += added;
        self.duplicates.extend(dups.into_iter().map(|k| (cluster.to_string(), k)));
        Ok(added)
    }
}

fn opt(v: Option<i64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "open".into())
}

enum AnyState {
    Allocations(State<AllocationSet>),
    Assets(State<AssetSet>),
    CloudCosts(State<CloudCostSet>),
}

/// Accumulates one window's sets, cluster by cluster, then encodes the combined set.
pub struct Merger {
    state: AnyState,
}

/// The encoded combined set and what went into it.
#[derive(Debug)]
pub struct MergedSet {
    /// The bingen bytes (current versions, string table).
    pub bytes: Vec<u8>,
    /// Non-nil items in the combined set.
    pub items: u64,
    /// Source sets merged (decoded successfully).
    pub sources: usize,
    /// Keys dropped because an earlier cluster already had them: (cluster, key).
    pub duplicates: Vec<(String, Str)>,
}

impl Merger {
    /// A merger for `pipeline` and window `[start, end)` (Unix seconds); `None` for a pipeline
    /// costscope cannot decode (`networkinsights`).
    pub fn new(pipeline: Pipeline, start: i64, end: i64) -> Option<Merger> {
        let state = match pipeline {
            Pipeline::Allocations => AnyState::Allocations(State::new(start, end)),
            Pipeline::Assets => AnyState::Assets(State::new(start, end)),
            Pipeline::CloudCosts => AnyState::CloudCosts(State::new(start, end)),
            Pipeline::NetworkInsights => return None,
        };
        Some(Merger { state })
    }

    /// Decode `data` (one cluster's file, plain or gzip) and merge it; returns the items added.
    ///
    /// Errors: [`MergeError`]; the merger is unchanged then and can take the next cluster.
    pub fn add(&mut self, cluster: &str, data: &[u8]) -> Result<u64, MergeError> {
        match &mut self.state {
            AnyState::Allocations(s) => s.add(cluster, data),
            AnyState::Assets(s) => s.add(cluster, data),
            AnyState::CloudCosts(s) => s.add(cluster, data),
        }
    }

    /// Encode the combined set.
    pub fn finish(self) -> MergedSet {
        fn done<S: FederatedSet>(s: State<S>) -> MergedSet {
            MergedSet {
                bytes: s.set.encode(),
                items: s.items,
                sources: s.sources,
                duplicates: s.duplicates,
            }
        }
        match self.state {
            AnyState::Allocations(s) => done(s),
            AnyState::Assets(s) => done(s),
            AnyState::CloudCosts(s) => done(s),
        }
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
