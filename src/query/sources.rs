//! The sources of a figure (docs/audit.md): the ETL objects a query row was computed from.

use serde_json::{Value, json};

/// One object behind a query row: its key, the sha256 of its bytes as ingested (lowercase hex;
/// empty for objects ingested before provenance was recorded), the window of its set (unix
/// seconds, end exclusive) and how many of its items (allocations, assets or cloud costs) the row
/// uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceObject {
    pub key: String,
    pub sha256: String,
    pub window_start: i64,
    pub window_end: i64,
    pub rows: u64,
}

impl SourceObject {
    /// `{"key", "sha256", "window": {"start", "end"} (RFC 3339), "rows"}`, as the JSON output's
    /// `sources` lists it.
    pub fn json(&self) -> Value {
        let t = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(|d| d.to_rfc3339()).unwrap_or_default();
        json!({
            "key": self.key,
            "sha256": self.sha256,
            "window": {"start": t(self.window_start), "end": t(self.window_end)},
            "rows": self.rows,
        })
    }
}
