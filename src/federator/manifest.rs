//! The federator manifest: for every combined file written, the source objects it was built from
//! (key, etag, size), so a rerun redoes only windows whose sources changed.
//!
//! Stored as JSON at [`crate::bucket::keys::FEDERATOR_MANIFEST_KEY`] in the target (the bucket,
//! or the local output directory in read-only mode). It is costscope's own format:
//!
//! ```json
//! {"format":1,"tool":"costscope 0.1.0","updated":"2026-11-21T00:10:00Z",
//!  "windows":{"federated/combined/etl/bingen/allocations/1d/1794355200-1794441600":
//!    {"sources":[{"key":"federated/a/etl/bingen/allocations/1d/1794355200-1794441600","etag":"\"9f…\"","size":90927}],
//!     "items":1234,"bytes":250000,"written":"2026-11-21T00:10:00Z","failures":[]}}}
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Current manifest format number; a manifest with another number is ignored (everything is redone).
pub const MANIFEST_FORMAT: u32 = 1;

/// One source object as it was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    /// Object key relative to the store prefix.
    pub key: String,
    /// Entity tag, when the store gives one.
    pub etag: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time; compared only when there is no etag.
    pub last_modified: Option<DateTime<Utc>>,
}

impl SourceRef {
    /// True when `other` denotes the same object version: same key and size, and the same etag
    /// (or, without etags, the same modification time).
    pub fn same_version(&self, other: &SourceRef) -> bool {
        self.key == other.key
            && self.size == other.size
            && match (&self.etag, &other.etag) {
                (Some(a), Some(b)) => a == b,
                (None, None) => self.last_modified.is_some() && self.last_modified == other.last_modified,
                _ => false,
            }
    }
}

/// A source file that failed to decode when the window was federated (kept so reruns still report it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFailure {
    /// Object key.
    pub key: String,
    /// The reason given then.
    pub reason: String,
}

/// What was written for one output key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestEntry {
    /// The sources of the window, sorted by key (failed ones included, so an unchanged broken file
    /// is not re-read every pass).
    pub sources: Vec<SourceRef>,
    /// Non-nil items in the combined set.
    pub items: u64,
    /// Size of the combined file in bytes.
    pub bytes: u64,
    /// When it was written.
    pub written: DateTime<Utc>,
    /// Sources that could not be merged.
    #[serde(default)]
    pub failures: Vec<RecordedFailure>,
}

impl ManifestEntry {
    /// True when `sources` (sorted by key) are exactly the recorded ones, version for version.
    pub fn same_sources(&self, sources: &[SourceRef]) -> bool {
        self.sources.len() == sources.len() && self.sources.iter().zip(sources).all(|(a, b)| a.same_version(b))
    }
}

/// The whole manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: u32,
    /// `costscope <version>` that wrote it.
    pub tool: String,
    /// Last save.
    pub updated: DateTime<Utc>,
    /// Output key → entry.
    pub windows: BTreeMap<String, ManifestEntry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            format: MANIFEST_FORMAT,
            tool: tool(),
            updated: Utc::now(),
            windows: BTreeMap::new(),
        }
    }
}

fn tool() -> String {
    concat!("costscope ", env!("CARGO_PKG_VERSION")).to_string()
}

impl Manifest {
    /// Parse stored JSON. A manifest of another format, or one that does not parse, yields an
    /// empty manifest and a note saying why (the federator then redoes every window, which is safe).
    pub fn from_json(data: &[u8]) -> (Manifest, Option<String>) {
        match serde_json::from_slice::<Manifest>(data) {
            Ok(m) if m.format == MANIFEST_FORMAT => (m, None),
            Ok(m) => (
                Manifest::default(),
                Some(format!(
                    "the federator manifest has format {} (expected {MANIFEST_FORMAT}); every window is redone",
                    m.format
                )),
            ),
            Err(e) => (
                Manifest::default(),
                Some(format!("the federator manifest does not parse ({e}); every window is redone")),
            ),
        }
    }

    /// Serialize for storage (compact JSON), stamping `updated` and `tool`.
    pub fn to_json(&mut self) -> Vec<u8> {
        self.updated = Utc::now();
        self.tool = tool();
        serde_json::to_vec(self).expect("manifest serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(key: &str, etag: Option<&str>, size: u64) -> SourceRef {
        SourceRef {
            key: key.into(),
            etag: etag.map(String::from),
            size,
            last_modified: None,
        }
    }

    #[test]
    fn versions_compare_by_etag_and_size() {
        let a = src("k", Some("e1"), 10);
        assert!(a.same_version(&src("k", Some("e1"), 10)));
        assert!(!a.same_version(&src("k", Some("e2"), 10)));
        assert!(!a.same_version(&src("k", Some("e1"), 11)));
        assert!(!a.same_version(&src("j", Some("e1"), 10)));
        // Without etags and times nothing can be proven unchanged.
        assert!(!src("k", None, 10).same_version(&src("k", None, 10)));
        let t = Some(Utc::now());
        let mut b = src("k", None, 10);
        b.last_modified = t;
        assert!(b.same_version(&b.clone()));
    }

    #[test]
    fn json_round_trip_and_bad_input() {
        let mut m = Manifest::default();
        m.windows.insert(
            "out".into(),
            ManifestEntry {
                sources: vec![src("a", Some("x"), 1)],
                items: 3,
                bytes: 100,
                written: Utc::now(),
                failures: vec![],
            },
        );
        let (back, note) = Manifest::from_json(&m.to_json());
        assert_eq!(note, None);
        assert_eq!(back.windows, m.windows);
        let (empty, note) = Manifest::from_json(b"{not json");
        assert!(empty.windows.is_empty());
        assert!(note.unwrap().contains("does not parse"));
        let (_, note) = Manifest::from_json(br#"{"format":99,"tool":"x","updated":"2026-01-01T00:00:00Z","windows":{}}"#);
        assert!(note.unwrap().contains("format 99"));
    }
}
