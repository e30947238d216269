//! The sources of a figure (docs/audit.md): the ETL objects a query row was computed from.

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
