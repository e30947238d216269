//! The `ingest_log` table: one row per object the ingest read (docs/audit.md) — key, etag, size
//! (bytes), cluster, pipeline, resolution and window (unix seconds) as the key names them, rows
//! written, outcome and error, ingest and last-modified times (unix seconds), the sha256 of the
//! bytes read and the bingen versions seen.

use super::{Field, Get, Table};
use crate::bucket::keys::EtlFile;
use std::borrow::Cow;

/// A federated ETL object as listed and read: its key, its cluster and typed place
/// ([`EtlFile`]: pipeline, resolution, window), and what the listing and the read said of it.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestFile {
    /// The object key.
    pub key: String,
    /// The cluster directory of the key.
    pub cluster: String,
    /// Pipeline, resolution and window `[start, end)` the key names.
    pub etl: EtlFile,
    /// The etag as listed (or `<size>-<mtime>` when the store gives none).
    pub etag: String,
    /// Bytes as stored.
    pub size: u64,
    /// The object's last-modified time as listed, unix seconds.
    pub last_modified: i64,
    /// Lowercase hex sha256 of the bytes read (as stored, before any gzip inflate); empty until
    /// the object is downloaded.
    pub sha256: String,
}

/// The outcome `ingest_log.status` records for a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStatus {
    /// Decoded and written.
    Ok,
    /// Skipped: the `error` column says why.
    Error,
}

impl LogStatus {
    /// The stored text: `ok`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Ok => "ok",
            LogStatus::Error => "error",
        }
    }
}

/// One `ingest_log` row: the file and what reading it gave.
pub struct LogRow {
    /// The object.
    pub file: IngestFile,
    /// Rows written (0 on failure).
    pub rows: i64,
    /// The outcome.
    pub status: LogStatus,
    /// Why it failed (empty when it did not).
    pub error: String,
    /// When it was recorded, unix seconds.
    pub ingested_at: i64,
    /// The bingen versions seen (`allocation 24, window 18`; empty when it did not decode).
    pub versions: String,
}

type F = Field<LogRow>;

const fn s(column: &'static str, get: for<'a> fn(&'a LogRow) -> Cow<'a, str>) -> F {
    Field::db(column, Get::Str(get))
}

const fn i(column: &'static str, get: fn(&LogRow) -> i64) -> F {
    Field::db(column, Get::Int(get))
}

/// The `ingest_log` table, in column order (database only).
pub static TABLE: Table<LogRow> = Table {
    name: "ingest_log",
    per_file: false,
    primary_key: Some("key"),
    fields: &[
        s("key", |r| Cow::Borrowed(&r.file.key)),
        s("etag", |r| Cow::Borrowed(&r.file.etag)),
        i("size", |r| r.file.size as i64),
        s("cluster", |r| Cow::Borrowed(&r.file.cluster)),
        s("pipeline", |r| Cow::Borrowed(r.file.etl.pipeline.name())),
        s("resolution", |r| Cow::Owned(r.file.etl.resolution.to_string())),
        i("window_start", |r| r.file.etl.start),
        i("window_end", |r| r.file.etl.end),
        i("rows", |r| r.rows),
        s("status", |r| Cow::Borrowed(r.status.as_str())),
        s("error", |r| Cow::Borrowed(&r.error)),
        i("ingested_at", |r| r.ingested_at),
        i("last_modified", |r| r.file.last_modified),
        s("sha256", |r| Cow::Borrowed(&r.file.sha256)),
        s("versions", |r| Cow::Borrowed(&r.versions)),
    ],
};

/// `INSERT OR REPLACE INTO ingest_log VALUES (?, …)`, one marker per column.
pub fn insert_sql() -> String {
    let marks = vec!["?"; TABLE.fields.len()].join(", ");
    format!("INSERT OR REPLACE INTO {} VALUES ({marks})", TABLE.name)
}

/// The values of `row`, in column order, as DuckDB parameters.
pub fn values(row: &LogRow) -> Vec<duckdb::types::Value> {
    use duckdb::types::Value;
    TABLE
        .fields
        .iter()
        .map(|f| match &f.get {
            Get::Str(g) => Value::Text(g(row).into_owned()),
            Get::Int(g) => Value::BigInt(g(row)),
            Get::F64(g) => Value::Double(g(row)),
            Get::OptF64(g) => g(row).filter(|v| !v.is_nan()).map_or(Value::Null, Value::Double),
            // The log has no set key, lists or maps.
            Get::Key | Get::List(_) | Get::Map(_) => Value::Null,
        })
        .collect()
}
