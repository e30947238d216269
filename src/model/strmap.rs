//! Shared string and ordered-map types used by every model struct.

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::sync::Arc;

/// An immutable shared string. Strings from a bingen string table are shared between every
/// struct that references them, so cloning is a reference-count increment.
pub type Str = Arc<str>;

/// A Go `map[K]V` kept in file order.
///
/// Go writes maps in random iteration order; keeping the order we read lets the encoder write the
/// same bytes back (byte-exact round trips) and keeps demo output deterministic. Lookups are linear,
/// which suits the small maps in ETL data (labels, PVs, load balancers). Serialises as a JSON object.
#[derive(Clone, Debug, PartialEq)]
pub struct StrMap<K = Str, V = Str>(pub Vec<(K, V)>);

impl<K, V> Default for StrMap<K, V> {
    fn default() -> Self {
        StrMap(Vec::new())
    }
}

impl<K: PartialEq, V> StrMap<K, V> {
    /// Empty map.
    pub fn new() -> Self {
        StrMap(Vec::new())
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Iterate entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
    /// Insert or replace the value for `k` (a replaced entry keeps its position).
    pub fn insert(&mut self, k: K, v: V) {
        if let Some(slot) = self.0.iter_mut().find(|(ek, _)| *ek == k) {
            slot.1 = v;
        } else {
            self.0.push((k, v));
        }
    }
}

impl<V> StrMap<Str, V> {
    /// Value for `key`, if present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }
}

impl<K: std::fmt::Display, V: Serialize> Serialize for StrMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(&k.to_string(), v)?;
        }
        m.end()
    }
}
