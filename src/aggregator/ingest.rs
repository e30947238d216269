//! Incremental ingest of `federated/<cluster>/etl/bingen/{allocations,assets,cloudcosts}/{1d,1h}/<s>-<e>`
//! into DuckDB (Kubecost 2.x Aggregator behaviour, docs/architecture.md): each file in one transaction keyed
//! by its object key, so a kill at any moment leaves no half-ingested file and no duplicate rows; a
//! changed etag or size re-ingests that file only; a file that fails to decode is recorded in
//! `ingest_log` with its error and skipped; windows outside the retention are dropped.

use super::batch::Batch;
use super::rows::{FileCtx, allocation_kinds, append_asset, append_cloud_cost, push_allocation};
use super::{Aggregator, AggregatorError};
use crate::bingen::{self, Item, RootKind};
use crate::bucket::keys::{KeyKind, Pipeline, parse_key};
use crate::progress::{FileFailure, Phase, TaskProgress};
use duckdb::Connection;
use futures::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt, path::Path as ObjPath};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

/// Retention like Kubecost's `etlDailyStoreDurationDays` (91) and `etlHourlyStoreDurationHours`
/// (49). Counted back from the newest window of each resolution in the bucket (not from now), so
/// a months-old audit copy still loads.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    pub daily_days: i64,
    pub hourly_hours: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            daily_days: 91,
            hourly_hours: 49,
        }
    }
}

/// Objects larger than this (bytes as stored) are refused before they are fetched, by default:
/// 512 MiB, about 14× the largest real ETL file we know of (a 60k-allocation day, 36 MB).
pub const DEFAULT_MAX_OBJECT_BYTES: u64 = 512 << 20;

/// Ingest settings.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    pub retention: Retention,
    /// Only these clusters (None = all).
    pub clusters: Option<Vec<String>>,
    /// Read again the files that failed before although they have not changed
    /// (`ingest --retry-failed`). By default a failed file is retried only when its etag or size
    /// changes.
    pub retry_failed: bool,
    /// Objects larger than this many bytes are not fetched: they are reported and recorded as
    /// failed (so retried only when they change). `--max-object-size`; default
    /// [`DEFAULT_MAX_OBJECT_BYTES`].
    pub max_object_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            retention: Retention::default(),
            clusters: None,
            retry_failed: false,
            max_object_bytes: DEFAULT_MAX_OBJECT_BYTES,
        }
    }
}

/// What one ingest pass did.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    /// ETL files in the bucket within retention.
    pub files: u64,
    pub ingested: u64,
    pub unchanged: u64,
    /// Files dropped from the database (gone from the bucket or out of retention).
    pub removed: u64,
    pub rows: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub failures: Vec<FileFailure>,
}

/// A federated ETL file the aggregator reads.
#[derive(Clone, Debug, PartialEq)]
pub struct EtlFile {
    pub key: String,
    pub cluster: String,
    pub pipeline: &'static str,
    pub resolution: String,
    pub start: i64,
    pub end: i64,
    pub etag: String,
    pub size: u64,
}

impl EtlFile {
    fn root(&self) -> RootKind {
        match self.pipeline {
            "allocations" => RootKind::AllocationSet,
            "assets" => RootKind::AssetSet,
            _ => RootKind::CloudCostSet,
        }
    }
}

/// `(cluster, pipeline, resolution, start, end)` of a per-cluster federated ETL file the
/// aggregator reads (allocations, assets, cloud costs; not `combined`), via [`parse_key`].
fn parse_federated(key: &str) -> Option<(String, &'static str, String, i64, i64)> {
    let KeyKind::Federated { cluster, file } = parse_key(key) else {
        return None;
    };
    let pipeline = match file.pipeline {
        Pipeline::Allocations => "allocations",
        Pipeline::Assets => "assets",
        Pipeline::CloudCosts => "cloudcosts",
        Pipeline::NetworkInsights => return None,
    };
    Some((cluster, pipeline, file.resolution.to_string(), file.start, file.end))
}

/// The federated ETL files of the store, within retention and the cluster allow-list, and the
/// entries the listing had to skip (unreadable keys or folders, [`crate::bucket::listing`]).
pub struct EtlListing {
    pub files: Vec<EtlFile>,
    pub problems: Vec<String>,
}

/// List the federated ETL files of the store, within retention and the cluster allow-list.
///
/// Errors: the store's listing failed (not one bad entry: those are in
/// [`EtlListing::problems`]).
pub async fn list_etl_files(store: &dyn ObjectStore, opts: &IngestOptions) -> Result<EtlListing, AggregatorError> {
    let prefix = ObjPath::from("federated");
    let listing = crate::bucket::listing::list(store, Some(&prefix))
        .await
        .map_err(|e| AggregatorError::Other(format!("listing federated/: {e}")))?;
    let mut files: Vec<EtlFile> = listing
        .objects
        .into_iter()
        .filter_map(|m| {
            let key = m.location.to_string();
            let (cluster, pipeline, resolution, start, end) = parse_federated(&key)?;
            if resolution != "1d" && resolution != "1h" {
                return None;
            }
            if opts.clusters.as_ref().is_some_and(|c| !c.contains(&cluster)) {
                return None;
            }
            let etag = m
                .e_tag
                .clone()
                .unwrap_or_else(|| format!("{}-{}", m.size, m.last_modified.timestamp()));
            Some(EtlFile {
                key,
                cluster,
                pipeline,
                resolution,
                start,
                end,
                etag,
                size: m.size,
            })
        })
        .collect();
    for (res, keep) in [
        ("1d", opts.retention.daily_days * 86_400),
        ("1h", opts.retention.hourly_hours * 3_600),
    ] {
        if let Some(newest) = files.iter().filter(|f| f.resolution == res).map(|f| f.end).max() {
            files.retain(|f| f.resolution != res || f.start >= newest - keep);
        }
    }
    files.sort_by(|a, b| (a.resolution.as_str(), b.start, &a.key).cmp(&(b.resolution.as_str(), a.start, &b.key)));
    Ok(EtlListing {
        files,
        problems: listing.problems,
    })
}

/// One object's download: its bytes, a failure (retried next pass), or refused for its size.
enum Fetched {
    Bytes(bytes::Bytes),
    Failed(object_store::Error),
    TooLarge,
}

/// What `ingest_log` says of one object: etag, size, status, error.
struct Logged {
    etag: String,
    size: i64,
    status: String,
    error: String,
}

fn logged(conn: &Connection) -> duckdb::Result<HashMap<String, Logged>> {
    let mut st = conn.prepare("SELECT key, etag, size, status, coalesce(error, '') FROM ingest_log")?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Logged {
                etag: r.get(1)?,
                size: r.get(2)?,
                status: r.get(3)?,
                error: r.get(4)?,
            },
        ))
    })?;
    rows.collect()
}

/// Every table whose rows carry a `file_key`.
pub(crate) const TABLES: [&str; 5] = ["allocations", "alloc_pods", "alloc_controllers", "assets", "cloud_costs"];

fn table_of(pipeline: &str) -> &'static str {
    match pipeline {
        "allocations" => "allocations",
        "assets" => "assets",
        _ => "cloud_costs",
    }
}

/// Replace one file's rows in one transaction. Returns the rows written, or the decode/DB error.
fn write_file(conn: &mut Connection, f: &EtlFile, bytes: &[u8]) -> Result<u64, String> {
    let tx = conn.transaction().map_err(|e| e.to_string())?;
    let table = table_of(f.pipeline);
    let tables: &[&str] = if table == "allocations" { &TABLES[..3] } else { &[table] };
    for t in tables {
        tx.execute(&format!("DELETE FROM {t} WHERE file_key = ?"), [&f.key])
            .map_err(|e| e.to_string())?;
    }
    let ctx = FileCtx {
        key: &f.key,
        resolution: &f.resolution,
        start: f.start,
        end: f.end,
    };
    let mut rows = 0u64;
    let mut rollups = super::rollup::Rollups::default();
    {
        let mut app = tx.appender(table).map_err(|e| e.to_string())?;
        let mut batch = Batch::new(allocation_kinds());
        let mut append_err: Option<duckdb::Error> = None;
        let decoded = bingen::decode_streaming(bytes, f.root(), &mut |item| {
            if append_err.is_some() {
                return;
            }
            let r = match &item {
                // Idle is computed from node assets at query time; idle entries some writers
                // put in sets would count twice, so they are not stored.
                Item::Allocation(_, a) if a.name.contains(crate::query::IDLE) => return,
                Item::Allocation(_, a) => {
                    rollups.add(a);
                    push_allocation(&mut batch, &ctx, a);
                    batch.flush_if_full(&mut app)
                }
                Item::Asset(k, a) => append_asset(&mut app, &ctx, k, a),
                Item::CloudCost(k, c) => append_cloud_cost(&mut app, &ctx, k, c),
            };
            match r {
                Ok(()) => rows += 1,
                Err(e) => append_err = Some(e),
            }
        })
        .map_err(|e| e.to_string())?;
        // A set holding another window than its key names (a misplaced copy) would land its
        // costs on the wrong days: the transaction is dropped, nothing is written.
        if let Some(w) = decoded.root.set_window() {
            let (s, e) = (w.start_unix(), w.end_unix());
            if (s, e) != (Some(f.start), Some(f.end)) {
                return Err(format!(
                    "the set covers {} .. {} but its key names {} .. {}: not ingested",
                    s.map_or("open".into(), |v| v.to_string()),
                    e.map_or("open".into(), |v| v.to_string()),
                    f.start,
                    f.end
                ));
            }
        }
        if let Some(e) = append_err {
            return Err(format!("writing rows: {e}"));
        }
        batch.flush(&mut app).map_err(|e| format!("writing rows: {e}"))?;
        app.flush().map_err(|e| e.to_string())?;
    }
    if table == "allocations" {
        rollups.write(&tx, &ctx).map_err(|e| format!("writing rollups: {e}"))?;
    }
    log_file(&tx, f, rows as i64, LogStatus::Ok, "").map_err(|e| e.to_string())?;
    tx.commit().map_err(|e| e.to_string())?;
    Ok(rows)
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

fn log_file(conn: &Connection, f: &EtlFile, rows: i64, status: LogStatus, error: &str) -> duckdb::Result<usize> {
    conn.execute(
        "INSERT OR REPLACE INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        duckdb::params![
            f.key,
            f.etag,
            f.size as i64,
            f.cluster,
            f.pipeline,
            f.resolution,
            f.start,
            f.end,
            rows,
            status.as_str(),
            error,
            chrono::Utc::now().timestamp()
        ],
    )
}

/// The windows of the files of a pass still to load: counts of starts and ends, so the span
/// (earliest start, latest end) stays cheap to update as files finish.
#[derive(Default)]
struct PendingSpan {
    starts: std::collections::BTreeMap<i64, usize>,
    ends: std::collections::BTreeMap<i64, usize>,
}

impl PendingSpan {
    fn of(files: &[EtlFile]) -> PendingSpan {
        let mut p = PendingSpan::default();
        for f in files {
            *p.starts.entry(f.start).or_default() += 1;
            *p.ends.entry(f.end).or_default() += 1;
        }
        p
    }

    fn remove(&mut self, f: &EtlFile) {
        for (map, k) in [(&mut self.starts, f.start), (&mut self.ends, f.end)] {
            if let Some(n) = map.get_mut(&k) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&k);
                }
            }
        }
    }

    fn span(&self) -> Option<(i64, i64)> {
        Some((*self.starts.keys().next()?, *self.ends.keys().next_back()?))
    }
}

/// One ingest pass: list, drop removed files, fetch and write changed files (4 downloads in
/// flight, one writer), reporting progress after each file.
///
/// Errors: only for a failure that stops the pass (the bucket cannot be listed, the database
/// fails); a bad file is recorded in `ingest_log` and the report and skipped.
pub async fn ingest_once(
    agg: Arc<Aggregator>,
    store: Arc<dyn ObjectStore>,
    opts: &IngestOptions,
    progress: &watch::Sender<TaskProgress>,
) -> Result<IngestReport, AggregatorError> {
    let t0 = Instant::now();
    progress.send_modify(|p| {
        p.phase = Phase::Listing;
        p.failures.clear();
        p.error = None;
    });
    let EtlListing { files, problems } = list_etl_files(store.as_ref(), opts).await?;
    let agg2 = agg.clone();
    let log = tokio::task::spawn_blocking(move || agg2.with_writer(|c| logged(c)))
        .await
        .map_err(|e| AggregatorError::Other(e.to_string()))?
        .map_err(|source| AggregatorError::Db {
            path: agg.path.display().to_string(),
            source,
        })?;
    let current: std::collections::HashSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
    // A listing that skipped entries may have missed files: then nothing counts as deleted.
    let stale: Vec<String> = if problems.is_empty() {
        log.keys().filter(|k| !current.contains(k.as_str())).cloned().collect()
    } else {
        Vec::new()
    };
    let unchanged = |f: &EtlFile| log.get(&f.key).filter(|l| l.etag == f.etag && l.size == f.size as i64);
    let ok = LogStatus::Ok.as_str();
    // Unchanged files that failed before stay failed (reported again, not downloaded again).
    let known_bad: Vec<FileFailure> = files
        .iter()
        .filter_map(|f| unchanged(f).filter(|l| l.status != ok && !opts.retry_failed).map(|l| (f, l)))
        .map(|(f, l)| FileFailure {
            key: f.key.clone(),
            reason: format!(
                "{} (unchanged since it failed; not read again, see `ingest --retry-failed`)",
                l.error
            ),
        })
        .collect();
    let todo: Vec<EtlFile> = files
        .iter()
        .filter(|f| match unchanged(f) {
            Some(l) => l.status != ok && opts.retry_failed,
            None => true,
        })
        .cloned()
        .collect();
    let listing_failures = problems.into_iter().map(|reason| FileFailure {
        key: "federated/ (listing)".into(),
        reason: format!("{reason} (files removed from the bucket are kept until a clean listing)"),
    });
    let mut report = IngestReport {
        files: files.len() as u64,
        unchanged: (files.len() - todo.len() - known_bad.len()) as u64,
        removed: stale.len() as u64,
        failures: listing_failures.chain(known_bad).collect(),
        ..Default::default()
    };
    if !stale.is_empty() {
        let agg2 = agg.clone();
        tokio::task::spawn_blocking(move || {
            agg2.writing(|c| -> duckdb::Result<()> {
                for k in &stale {
                    let tx = c.transaction()?;
                    for t in TABLES {
                        tx.execute(&format!("DELETE FROM {t} WHERE file_key = ?"), [k])?;
                    }
                    tx.execute("DELETE FROM ingest_log WHERE key = ?", [k])?;
                    tx.commit()?;
                }
                Ok(())
            })
        })
        .await
        .map_err(|e| AggregatorError::Other(e.to_string()))?
        .map_err(|source| AggregatorError::Db {
            path: agg.path.display().to_string(),
            source,
        })?;
    }
    let mut pending = PendingSpan::of(&todo);
    progress.send_modify(|p| {
        p.phase = Phase::Running;
        p.done = 0;
        p.total = todo.len() as u64;
        p.pending_span = pending.span();
        p.unchanged = report.unchanged;
        p.failures = report.failures.clone();
        // A pass with nothing to do keeps showing the last pass that wrote something.
        if !todo.is_empty() {
            p.rows = 0;
            p.bytes = 0;
        }
    });
    let max = opts.max_object_bytes;
    let mut fetches = futures::stream::iter(todo.into_iter().map(|f| {
        let store = store.clone();
        async move {
            if f.size > max {
                return (f, Fetched::TooLarge);
            }
            // The key is as listed: parse it (no re-encoding; `Path::from` would turn `%` into `%25`).
            let r = async { store.get(&ObjPath::parse(f.key.as_str())?).await?.bytes().await }.await;
            (f, r.map_or_else(Fetched::Failed, Fetched::Bytes))
        }
    }))
    .buffered(4);
    while let Some((f, fetched)) = fetches.next().await {
        let outcome = match fetched {
            Fetched::Failed(e) => Err(format!("download failed: {e}")),
            Fetched::TooLarge => {
                let reason = format!(
                    "the object is {} bytes, over the limit of {max} (--max-object-size); not fetched",
                    f.size
                );
                let (agg2, f2, r2) = (agg.clone(), f.clone(), reason.clone());
                let logged = tokio::task::spawn_blocking(move || agg2.writing(|c| log_file(c, &f2, 0, LogStatus::Error, &r2))).await;
                if let Ok(Err(e)) = logged {
                    tracing::warn!(key = %f.key, error = %e, "recording a refused file failed");
                }
                Err(reason)
            }
            Fetched::Bytes(bytes) => {
                report.bytes += bytes.len() as u64;
                let agg2 = agg.clone();
                let f2 = f.clone();
                tokio::task::spawn_blocking(move || {
                    agg2.writing(|c| {
                        let r = write_file(c, &f2, &bytes);
                        if let Err(e) = &r {
                            let _ = log_file(c, &f2, 0, LogStatus::Error, e);
                        }
                        r
                    })
                })
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r)
            }
        };
        match outcome {
            Ok(rows) => {
                report.ingested += 1;
                report.rows += rows;
            }
            Err(reason) => {
                tracing::warn!(key = %f.key, %reason, "ingest skipped a file");
                report.failures.push(FileFailure {
                    key: f.key.clone(),
                    reason,
                });
            }
        }
        let el = t0.elapsed().as_secs_f64();
        pending.remove(&f);
        progress.send_modify(|p| {
            p.done += 1;
            p.pending_span = pending.span();
            p.rows = report.rows;
            p.bytes = report.bytes;
            p.rate = report.rows as f64 / el.max(1e-9);
            p.failures = report.failures.clone();
        });
    }
    if report.ingested > 0 || report.removed > 0 {
        // Writes collect in the WAL (checkpoint_threshold 512 MB, see Aggregator::open); fold them
        // into the database file now so the next start does not replay them. A reader in the
        // middle of a query can make DuckDB refuse; the next pass or the close does it then.
        let agg2 = agg.clone();
        match tokio::task::spawn_blocking(move || agg2.checkpoint()).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "checkpoint after ingest deferred"),
            Err(e) => tracing::warn!(error = %e, "checkpoint task failed"),
            Ok(Ok(())) => {}
        }
    }
    if report.ingested > 0 || report.removed > 0 || !agg.has_read_copy() {
        // Other processes on this store read the newest copy (aggregator/readcopy.rs).
        let agg2 = agg.clone();
        match tokio::task::spawn_blocking(move || agg2.publish_read_copy()).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "read copy not published"),
            Err(e) => tracing::warn!(error = %e, "read copy task failed"),
            Ok(Ok(_)) => {}
        }
    }
    report.seconds = t0.elapsed().as_secs_f64();
    progress.send_modify(|p| {
        p.phase = Phase::Done;
        p.last_run = Some(chrono::Utc::now());
    });
    Ok(report)
}
