//! Writing decoded ETL files into DuckDB (docs/architecture.md, "Ingest"): one file, or a group
//! of small files, per transaction. Every file's rows, rollups and `ingest_log` entry commit or
//! roll back together, so a kill at any moment leaves no half file and no duplicates. A group
//! pays the transaction, the appenders and the deletes once for all its files, which is what
//! makes a bucket of many small files fast (docs/performance.md, "Fleet ingest").

use super::rollup::{Rollups, Source};
use crate::bingen::{self, Item, RootKind};
use crate::bucket::keys::Pipeline;
use crate::query::DataKind;
use crate::stored::batch::Batch;
use crate::stored::ingest_log::{IngestFile, LogRow};
use crate::stored::{FileCtx, Kind, Table, Target, allocation, asset, cloud_cost, ingest_log};
use duckdb::{Appender, Connection};
use std::collections::HashMap;
use std::sync::Arc;

/// Why one file was not written. A failure of the file itself (it does not decode, or holds
/// another window than its key) is remembered in `ingest_log` and not retried until the object
/// changes; a failure of the database (disk full, a lock, …) is not the file's: nothing is
/// recorded and the next pass tries again (docs/reliability.md).
#[derive(Clone, Debug, thiserror::Error)]
pub enum WriteError {
    /// The bytes do not decode as the set the key names (struct, byte offset, what was expected).
    #[error(transparent)]
    Decode(#[from] bingen::DecodeError),
    /// The set covers another window than its key names (a misplaced copy would land its costs
    /// on the wrong days).
    #[error("the set covers {set_start} .. {set_end} but its key names {key_start} .. {key_end}: not ingested")]
    WrongWindow {
        /// The set's start, unix seconds, or `open`.
        set_start: String,
        /// The set's end, unix seconds, or `open`.
        set_end: String,
        /// The key's start, unix seconds.
        key_start: i64,
        /// The key's end, unix seconds.
        key_end: i64,
    },
    /// The key names a pipeline costscope has no decoder for (the listing keeps only readable
    /// ones, so this is a caller's bug).
    #[error("{0} files are not ingested")]
    Unreadable(Pipeline),
    /// DuckDB refused a statement while writing (`what` says which step).
    #[error("{what}: {source}")]
    Db {
        /// The step: `writing rows`, `writing rollups`, `committing`, …
        what: &'static str,
        /// DuckDB's error.
        #[source]
        source: Arc<duckdb::Error>,
    },
}

impl WriteError {
    /// True when the file itself is at fault (decode, window): record it and do not retry it
    /// until it changes. False for database failures, which the next pass retries.
    pub fn is_the_files_own(&self) -> bool {
        match self {
            WriteError::Decode(_) | WriteError::WrongWindow { .. } | WriteError::Unreadable(_) => true,
            WriteError::Db { .. } => false,
        }
    }
}

/// A [`WriteError::Db`] for step `what`.
fn db(what: &'static str) -> impl Fn(duckdb::Error) -> WriteError {
    move |e| WriteError::Db { what, source: Arc::new(e) }
}

pub use crate::stored::ingest_log::LogStatus;

/// Record `f` in `ingest_log` (replacing its earlier entry): rows written, outcome, error text,
/// and the bingen versions seen (`versions`, e.g. `allocation 24, window 18`; empty when the file
/// did not decode).
///
/// Errors: DuckDB's.
pub fn log_file(conn: &Connection, f: &IngestFile, rows: i64, status: LogStatus, error: &str, versions: &str) -> duckdb::Result<usize> {
    let row = LogRow {
        file: f.clone(),
        rows,
        status,
        error: error.to_string(),
        ingested_at: chrono::Utc::now().timestamp(),
        versions: versions.to_string(),
    };
    // Cached: planned once per connection, not once per file.
    conn.prepare_cached(&ingest_log::insert_sql())?
        .execute(duckdb::params_from_iter(ingest_log::values(&row)))
}

/// What writing one file gave: its rows and the bingen versions seen.
#[derive(Clone, Debug)]
pub struct Written {
    pub rows: u64,
    pub versions: String,
}

/// The data kind and bingen root of `f`'s pipeline.
///
/// Errors: [`WriteError::Unreadable`] for a pipeline costscope does not read.
fn kind_of(f: &IngestFile) -> Result<(DataKind, RootKind), WriteError> {
    let p = f.etl.pipeline;
    p.data_kind().zip(p.root_kind()).ok_or(WriteError::Unreadable(p))
}

/// The tables of a data kind's items with their rollups: every table whose rows carry a
/// `file_key`.
const ALLOCATION_TABLES: [&str; 3] = [DataKind::Allocation.table(), Source::Pods.table(), Source::Controllers.table()];
const ASSET_TABLES: [&str; 1] = [DataKind::Asset.table()];
const CLOUD_COST_TABLES: [&str; 1] = [DataKind::CloudCost.table()];

/// The tables holding a kind's rows: allocations also have rollup rows.
pub(super) fn tables_of(kind: DataKind) -> &'static [&'static str] {
    match kind {
        DataKind::Allocation => &ALLOCATION_TABLES,
        DataKind::Asset => &ASSET_TABLES,
        DataKind::CloudCost => &CLOUD_COST_TABLES,
    }
}

/// Every table whose rows carry a `file_key`.
pub(super) fn all_file_tables() -> impl Iterator<Item = &'static str> {
    DataKind::ALL.into_iter().flat_map(|k| tables_of(k).iter().copied())
}

/// The appenders of one transaction, one per table, opened on first use, with the column
/// batches of the tables written through Arrow ([`Batch`]): the rows of every file of a group
/// share them, so small files are handed to DuckDB many at a time. Flushed together before the
/// commit.
pub struct Appenders<'c> {
    conn: &'c Connection,
    open: HashMap<&'static str, Appender<'c>>,
    batches: HashMap<&'static str, Batch>,
}

impl<'c> Appenders<'c> {
    /// No appender open yet, on `conn` (the transaction).
    pub fn new(conn: &'c Connection) -> Appenders<'c> {
        Appenders {
            conn,
            open: HashMap::new(),
            batches: HashMap::new(),
        }
    }

    /// The appender of `table` and its shared batch (of `columns`, made on first use).
    /// Callers push rows and call [`Batch::flush_if_full`]; the rest is flushed by
    /// [`Appenders::flush`].
    ///
    /// Errors: DuckDB's, when the appender cannot be opened.
    pub fn batch(
        &mut self,
        table: &'static str,
        columns: impl FnOnce() -> Vec<(&'static str, Kind)>,
    ) -> duckdb::Result<(&mut Appender<'c>, &mut Batch)> {
        if !self.open.contains_key(table) {
            let app = self.conn.appender(table)?;
            self.open.insert(table, app);
        }
        let batch = self.batches.entry(table).or_insert_with(|| Batch::new(columns()));
        Ok((self.open.get_mut(table).expect("inserted above"), batch))
    }

    /// Append one item row of `table` (file `f`, set key `key`), flushing a full batch.
    ///
    /// Errors: DuckDB's.
    fn row<T>(&mut self, table: &'static Table<T>, f: &FileCtx<'_>, key: &str, item: &T) -> duckdb::Result<()> {
        let (app, batch) = self.batch(table.name, || table.columns(Target::Db))?;
        batch.file(f).row(table, Target::Db, key, item);
        batch.flush_if_full(app)
    }

    /// Flush every batch and appender (before the commit; dropping one would hide its error).
    pub fn flush(mut self) -> duckdb::Result<()> {
        for (table, batch) in &mut self.batches {
            if let Some(app) = self.open.get_mut(table) {
                batch.flush(app)?;
            }
        }
        for app in self.open.values_mut() {
            app.flush()?;
        }
        Ok(())
    }
}

/// Decode `bytes` as `f`'s set and append its rows (and, for allocations, its rollups) through
/// `apps`. Returns the rows appended and the versions seen.
///
/// Errors: a decode error (with its offset), a set whose window is not the key's, a DuckDB error.
fn append_file(apps: &mut Appenders<'_>, f: &IngestFile, bytes: &[u8]) -> Result<Written, WriteError> {
    let (kind, root) = kind_of(f)?;
    let ctx = FileCtx {
        key: &f.key,
        resolution: f.etl.resolution,
        start: f.etl.start,
        end: f.etl.end,
    };
    let mut rows = 0u64;
    let mut rollups = Rollups::default();
    let mut append_err: Option<duckdb::Error> = None;
    let decoded = bingen::decode_streaming(bytes, root, &mut |item| {
        if append_err.is_some() {
            return;
        }
        let r = match &item {
            // Idle is computed from node assets at query time; idle entries some writers put in
            // sets would count twice, so they are not stored.
            Item::Allocation(_, a) if a.name.contains(crate::query::IDLE) => return,
            Item::Allocation(k, a) => {
                rollups.add(a);
                apps.row(&allocation::TABLE, &ctx, k, a)
            }
            Item::Asset(k, a) => apps.row(&asset::TABLE, &ctx, k, a),
            Item::CloudCost(k, c) => apps.row(&cloud_cost::TABLE, &ctx, k, c),
        };
        match r {
            Ok(()) => rows += 1,
            Err(e) => append_err = Some(e),
        }
    })?;
    window_matches(&decoded.root, f)?;
    if let Some(e) = append_err {
        return Err(db("writing rows")(e));
    }
    if kind == DataKind::Allocation {
        rollups.write(apps, &ctx).map_err(db("writing rollups"))?;
    }
    Ok(Written {
        rows,
        versions: decoded.versions.describe(),
    })
}

/// A set holding another window than its key names (a misplaced copy) would land its costs on
/// the wrong days: it is refused.
fn window_matches(root: &bingen::Root, f: &IngestFile) -> Result<(), WriteError> {
    let Some(w) = root.set_window() else { return Ok(()) };
    let (s, e) = (w.start_unix(), w.end_unix());
    if (s, e) == (Some(f.etl.start), Some(f.etl.end)) {
        return Ok(());
    }
    let open = |v: Option<i64>| v.map_or("open".into(), |v| v.to_string());
    Err(WriteError::WrongWindow {
        set_start: open(s),
        set_end: open(e),
        key_start: f.etl.start,
        key_end: f.etl.end,
    })
}

/// Decode `bytes` as `f`'s set without writing anything: what [`append_file`] would refuse.
fn check_file(f: &IngestFile, bytes: &[u8]) -> Result<(), WriteError> {
    let (_, root) = kind_of(f)?;
    let decoded = bingen::decode_streaming(bytes, root, &mut |_| {})?;
    window_matches(&decoded.root, f)
}

/// Delete the rows of the files `keys` from `tables`, one statement per table.
fn delete_rows(tx: &Connection, tables: &[&str], keys: &[&str]) -> duckdb::Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let marks = vec!["?"; keys.len()].join(", ");
    for t in tables {
        tx.execute(
            &format!("DELETE FROM {t} WHERE file_key IN ({marks})"),
            duckdb::params_from_iter(keys),
        )?;
    }
    Ok(())
}

/// One file to write: its listing entry, its bytes, and whether the ingest log knows its key
/// (then its old rows may exist and are deleted first; a new key's deletes are skipped, each
/// being a scan of its table).
pub struct ToWrite {
    pub file: IngestFile,
    pub bytes: bytes::Bytes,
    pub known: bool,
}

/// Replace one file's rows in one transaction, its ingest-log entry included. Returns the rows
/// written, or why not (nothing of the file is then written; [`record_failure`] logs it).
pub fn write_file(conn: &mut Connection, w: &ToWrite) -> Result<u64, WriteError> {
    let tx = conn.transaction().map_err(db("starting a transaction"))?;
    if w.known {
        let (kind, _) = kind_of(&w.file)?;
        delete_rows(&tx, tables_of(kind), &[w.file.key.as_str()]).map_err(db("deleting old rows"))?;
    }
    let mut apps = Appenders::new(&tx);
    let done = append_file(&mut apps, &w.file, &w.bytes)?;
    apps.flush().map_err(db("flushing rows"))?;
    log_file(&tx, &w.file, done.rows as i64, LogStatus::Ok, "", &done.versions).map_err(db("recording the file"))?;
    tx.commit().map_err(db("committing"))?;
    Ok(done.rows)
}

/// Remember in `ingest_log` that `f` failed, when the failure is the file's own
/// ([`WriteError::is_the_files_own`]); a database failure is not recorded, so the next pass
/// retries the file (issue 35: a full disk must not leave files skipped for good).
pub fn record_failure(conn: &Connection, f: &IngestFile, e: &WriteError) {
    if !e.is_the_files_own() {
        tracing::warn!(key = %f.key, error = %e, "writing a file failed; the next pass retries it");
        return;
    }
    if let Err(log_err) = log_file(conn, f, 0, LogStatus::Error, &e.to_string(), "") {
        tracing::warn!(key = %f.key, error = %log_err, "recording a failed file failed");
    }
}

/// Write a group of files in one transaction: each is decoded first, so one that fails is
/// refused alone and logged with its error; the others' rows, rollups and log entries commit
/// together. When the transaction itself fails, each file is written on its own instead, so a
/// database error takes down no more than its file. Returns each file's rows or error, in order.
pub fn write_group(conn: &mut Connection, group: &[ToWrite]) -> Vec<Result<u64, WriteError>> {
    let checks: Vec<Result<(), WriteError>> = group.iter().map(|w| check_file(&w.file, &w.bytes)).collect();
    match write_checked(conn, group, &checks) {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, files = group.len(), "group write failed; writing its files one by one");
            group
                .iter()
                .map(|w| {
                    let r = write_file(conn, w);
                    if let Err(e) = &r {
                        record_failure(conn, &w.file, e);
                    }
                    r
                })
                .collect()
        }
    }
}

/// The transaction of [`write_group`] for files already checked (`checks`, in order).
fn write_checked(
    conn: &mut Connection,
    group: &[ToWrite],
    checks: &[Result<(), WriteError>],
) -> Result<Vec<Result<u64, WriteError>>, WriteError> {
    let tx = conn.transaction().map_err(db("starting a transaction"))?;
    for kind in DataKind::ALL {
        let tables = tables_of(kind);
        let keys: Vec<&str> = group
            .iter()
            .zip(checks)
            .filter(|(w, c)| w.known && c.is_ok() && kind_of(&w.file).is_ok_and(|(k, _)| k == kind))
            .map(|(w, _)| w.file.key.as_str())
            .collect();
        delete_rows(&tx, tables, &keys).map_err(db("deleting old rows"))?;
    }
    let mut out = Vec::with_capacity(group.len());
    {
        let mut apps = Appenders::new(&tx);
        for (w, check) in group.iter().zip(checks) {
            out.push(match check {
                Ok(()) => Ok(append_file(&mut apps, &w.file, &w.bytes)?),
                Err(e) => Err(e.clone()),
            });
        }
        apps.flush().map_err(db("flushing rows"))?;
    }
    for (w, r) in group.iter().zip(&out) {
        match r {
            Ok(done) => log_file(&tx, &w.file, done.rows as i64, LogStatus::Ok, "", &done.versions),
            // Only checked files' own failures are in `out` (a database failure aborts the group).
            Err(e) => log_file(&tx, &w.file, 0, LogStatus::Error, &e.to_string(), ""),
        }
        .map_err(db("recording the files"))?;
    }
    tx.commit().map_err(db("committing"))?;
    Ok(out.into_iter().map(|r| r.map(|d| d.rows)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> IngestFile {
        IngestFile {
            key: "federated/c/etl/bingen/allocations/1d/1795046400-1795132800".into(),
            cluster: "c".into(),
            etl: crate::bucket::keys::EtlFile {
                pipeline: Pipeline::Allocations,
                resolution: crate::bucket::keys::Resolution::DAY,
                start: 1_795_046_400,
                end: 1_795_132_800,
            },
            etag: "e".into(),
            size: 10,
            last_modified: 0,
            sha256: String::new(),
        }
    }

    fn logged(conn: &Connection) -> Vec<(String, String)> {
        let mut st = conn.prepare("SELECT key, status FROM ingest_log").unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// A file's own failure is remembered; a database failure (disk full) is not, so the next
    /// pass retries the file (issue 35: files stayed skipped after ENOSPC until --retry-failed).
    #[test]
    fn only_the_files_own_failures_are_recorded() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&super::super::schema::ddl()).unwrap();
        let f = file();
        let disk_full = db("committing")(duckdb::Error::InvalidParameterCount(1, 2));
        assert!(!disk_full.is_the_files_own());
        record_failure(&conn, &f, &disk_full);
        assert!(logged(&conn).is_empty(), "a database failure leaves no entry");
        let corrupt = WriteError::Decode(bingen::DecodeError {
            offset: 48,
            structure: "AllocationSet",
            message: "unexpected end of data".into(),
        });
        record_failure(&conn, &f, &corrupt);
        assert_eq!(logged(&conn), [(f.key.clone(), "error".to_string())]);
    }
}
