//! Incremental ingest of `federated/<cluster>/etl/bingen/{allocations,assets,cloudcosts}/{1d,1h}/<s>-<e>`
//! into DuckDB (Kubecost 2.x Aggregator behaviour, docs/architecture.md): each file's rows and its
//! `ingest_log` entry (keyed by its object key) in one transaction, alone or with other small
//! files (`aggregator/write.rs`), so a kill at any moment leaves no half-ingested file and no duplicate rows; a
//! changed etag or size re-ingests that file only; a file that fails to decode is recorded in
//! `ingest_log` with its error and skipped; windows outside the retention (counted from the newest
//! window that decoded, `aggregator/retention.rs`) are dropped.

use super::ingest_stages::{FileFailed, Group, Writing, account, file_permits, finish, permits, start_write};
use super::retention::Anchors;
use super::write::{LogStatus, ToWrite, log_file};
use super::{Aggregator, AggregatorError};
use crate::bucket::keys::{EtlFile, KeyKind, Resolution, parse_key};
use crate::progress::{FileFailure, Phase, TaskProgress};
use duckdb::Connection;
use futures::StreamExt;
use object_store::{ObjectStore, ObjectStoreExt, path::Path as ObjPath};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{Semaphore, watch};

pub use super::retention::Retention;

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
    /// Downloads in flight at once (`--fetch-concurrency`, default 16): hides object-store
    /// latency behind decoding and writing.
    pub fetch_concurrency: usize,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            retention: Retention::default(),
            clusters: None,
            retry_failed: false,
            max_object_bytes: DEFAULT_MAX_OBJECT_BYTES,
            fetch_concurrency: DEFAULT_FETCH_CONCURRENCY,
        }
    }
}

/// Time between the passes of a watching ingest (`ingest --watch`, the TUI's background ingest):
/// a new file is queryable within this plus one pass (docs/performance.md, "Freshness").
pub const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Downloads in flight at once by default.
pub const DEFAULT_FETCH_CONCURRENCY: usize = 16;

/// Bytes of downloaded objects held at once (in flight, waiting, or being written), beyond which
/// new downloads wait: bounds memory whatever the concurrency (an object larger than this is
/// fetched alone).
pub const MAX_BYTES_IN_FLIGHT: u64 = 256 << 20;

/// A group of small files written in one transaction holds at most this many files...
pub(super) const GROUP_FILES: usize = 512;
/// ...and this many bytes (as stored); a file at least this large is written alone, decoded
/// once while it streams into DuckDB.
pub(super) const GROUP_BYTES: u64 = 8 << 20;

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
    /// What the pass removed for retention and why, one line per resolution
    /// (`aggregator/retention.rs`); empty when it removed nothing for retention.
    pub notes: Vec<String>,
}

pub use crate::stored::ingest_log::IngestFile;

/// The cluster and typed place of a per-cluster federated ETL file the aggregator reads
/// (allocations, assets, cloud costs, daily or hourly; not `combined`), via [`parse_key`].
fn parse_federated(key: &str) -> Option<(String, EtlFile)> {
    let KeyKind::Federated { cluster, file } = parse_key(key) else {
        return None;
    };
    let readable = file.pipeline.data_kind().is_some() && file.pipeline.root_kind().is_some();
    let resolution = file.resolution == Resolution::DAY || file.resolution == Resolution::HOUR;
    (readable && resolution).then_some((cluster, file))
}

/// The federated ETL files of the store within the cluster allow-list (retention is applied by
/// [`ingest_once`], `aggregator/retention.rs`), and the entries the listing had to skip (unreadable keys or folders, [`crate::bucket::listing`]).
pub struct EtlListing {
    /// The files to consider, newest first per resolution.
    pub files: Vec<IngestFile>,
    /// Entries the listing skipped: while there are any, nothing counts as deleted.
    pub problems: Vec<String>,
    /// Keys in the ETL layout whose window is not one aligned step of their resolution
    /// (`…/1d/0-9223372036854775807`, `…/1d/1788999999-1789086399`): Kubecost never writes them,
    /// so they are not read, and each is reported (issue 34). They never block removals.
    pub odd: Vec<String>,
}

/// List the federated ETL files of the store within the cluster allow-list, newest first per
/// resolution.
///
/// Errors: the store's listing failed (not one bad entry: those are in
/// [`EtlListing::problems`]).
pub async fn list_etl_files(store: &dyn ObjectStore, opts: &IngestOptions) -> Result<EtlListing, AggregatorError> {
    let prefix = ObjPath::from("federated");
    let listing = crate::bucket::listing::list(store, Some(&prefix))
        .await
        .map_err(|source| AggregatorError::Listing { source })?;
    let mut odd = Vec::new();
    let mut files: Vec<IngestFile> = listing
        .objects
        .into_iter()
        .filter_map(|m| {
            let key = m.location.to_string();
            let (cluster, etl) = parse_federated(&key)?;
            if opts.clusters.as_ref().is_some_and(|c| !c.contains(&cluster)) {
                return None;
            }
            let step = etl.resolution.seconds();
            if etl.end.checked_sub(etl.start) != Some(step) || etl.start.rem_euclid(step.max(1)) != 0 {
                odd.push(key);
                return None;
            }
            let etag = m
                .e_tag
                .clone()
                .unwrap_or_else(|| format!("{}-{}", m.size, m.last_modified.timestamp()));
            Some(IngestFile {
                key,
                cluster,
                etl,
                etag,
                size: m.size,
                last_modified: m.last_modified.timestamp(),
                sha256: String::new(),
            })
        })
        .collect();
    // `1d` before `1h` (text order), newest first within each.
    files.sort_by(|a, b| {
        let res = |f: &IngestFile| f.etl.resolution == Resolution::HOUR;
        (res(a), b.etl.start, &a.key).cmp(&(res(b), a.etl.start, &b.key))
    });
    Ok(EtlListing {
        files,
        problems: listing.problems,
        odd,
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

/// The windows of the files of a pass still to load: counts of starts and ends, so the span
/// (earliest start, latest end) stays cheap to update as files finish.
#[derive(Default)]
pub(super) struct PendingSpan {
    starts: std::collections::BTreeMap<i64, usize>,
    ends: std::collections::BTreeMap<i64, usize>,
}

impl PendingSpan {
    fn of(files: &[IngestFile]) -> PendingSpan {
        let mut p = PendingSpan::default();
        for f in files {
            *p.starts.entry(f.etl.start).or_default() += 1;
            *p.ends.entry(f.etl.end).or_default() += 1;
        }
        p
    }

    pub(super) fn remove(&mut self, f: &IngestFile) {
        for (map, k) in [(&mut self.starts, f.etl.start), (&mut self.ends, f.etl.end)] {
            if let Some(n) = map.get_mut(&k) {
                *n -= 1;
                if *n == 0 {
                    map.remove(&k);
                }
            }
        }
    }

    pub(super) fn span(&self) -> Option<(i64, i64)> {
        Some((*self.starts.keys().next()?, *self.ends.keys().next_back()?))
    }
}

/// Run `f` with the writer connection on a blocking thread (callers that change rows drop the
/// cached results, [`Aggregator::forget_results`]).
async fn on_writer<T: Send + 'static>(
    agg: &Arc<Aggregator>,
    f: impl FnOnce(&mut Connection) -> duckdb::Result<T> + Send + 'static,
) -> Result<T, AggregatorError> {
    let agg2 = agg.clone();
    tokio::task::spawn_blocking(move || agg2.with_writer(f))
        .await
        .map_err(|source| AggregatorError::Task {
            what: "database task",
            source,
        })?
        .map_err(|source| AggregatorError::Db {
            path: agg.path.display().to_string(),
            source,
        })
}

/// Drop every row and the `ingest_log` entry of each key, one transaction per key.
async fn remove_keys(agg: &Arc<Aggregator>, keys: Vec<String>) -> Result<(), AggregatorError> {
    if keys.is_empty() {
        return Ok(());
    }
    let removed = on_writer(agg, move |c| {
        for k in &keys {
            let tx = c.transaction()?;
            for t in super::write::all_file_tables() {
                tx.execute(&format!("DELETE FROM {t} WHERE file_key = ?"), [k])?;
            }
            tx.execute("DELETE FROM ingest_log WHERE key = ?", [k])?;
            tx.commit()?;
        }
        Ok(())
    })
    .await;
    agg.forget_results();
    removed
}

/// Download `todo` and write it (the stages in `aggregator/ingest_stages.rs`), counting what
/// finished in `report` and `progress`. `known`: the keys `ingest_log` held before, whose old rows
/// a write replaces.
///
/// Errors: the database failed, or a download or write task died.
#[allow(clippy::too_many_arguments)]
async fn fetch_and_write(
    agg: &Arc<Aggregator>,
    store: &Arc<dyn ObjectStore>,
    opts: &IngestOptions,
    todo: Vec<IngestFile>,
    known: Arc<HashSet<String>>,
    report: &mut IngestReport,
    progress: &watch::Sender<TaskProgress>,
    t0: Instant,
) -> Result<(), AggregatorError> {
    let mut pending = PendingSpan::of(&todo);
    progress.send_modify(|p| {
        p.phase = Phase::Running;
        p.total += todo.len() as u64;
        p.pending_span = pending.span();
        p.unchanged = report.unchanged;
        p.failures = report.failures.clone();
        // A pass with nothing to do keeps showing the last pass that wrote something.
        if !todo.is_empty() && report.ingested == 0 {
            p.rows = 0;
            p.bytes = 0;
        }
    });
    let max = opts.max_object_bytes;
    let budget = Arc::new(Semaphore::new(permits(MAX_BYTES_IN_FLIGHT) as usize));
    // Permits are taken in listing order, before each download starts, and the downloads are
    // consumed in the same order: a file never waits for permits that files behind it hold
    // (taken inside the download tasks, in whatever order they ran, the files after the first
    // could hold the whole budget while the first waited, and the pass stopped for good).
    let mut fetches = std::pin::pin!(
        futures::stream::iter(todo)
            .then(|f| {
                let budget = budget.clone();
                async move {
                    let permit = if f.size > max {
                        None
                    } else {
                        budget.acquire_many_owned(file_permits(f.size)).await.ok()
                    };
                    (f, permit)
                }
            })
            .map(|(f, permit)| {
                let store = store.clone();
                tokio::spawn(async move {
                    if f.size > max {
                        return (f, Fetched::TooLarge, None);
                    }
                    // The key is as listed: parse it (no re-encoding; `Path::from` would turn `%` into `%25`).
                    let read = async { store.get(&ObjPath::parse(f.key.as_str())?).await?.bytes().await };
                    let r = crate::bucket::fetch::within_deadline(&f.key, f.size, read).await;
                    let mut f = f;
                    if let Ok(b) = &r {
                        f.sha256 = crate::audit::sha256_hex(b);
                    }
                    (f, r.map_or_else(Fetched::Failed, Fetched::Bytes), permit)
                })
            })
            .buffered(opts.fetch_concurrency.max(1))
    );
    let mut group = Group::default();
    let mut writing: Option<Writing> = None;
    while let Some(joined) = fetches.next().await {
        let (f, fetched, permit) = joined.map_err(|source| AggregatorError::Task {
            what: "download task",
            source,
        })?;
        let failed = match fetched {
            Fetched::Failed(e) => FileFailed::Download(e),
            Fetched::TooLarge => {
                let failed = FileFailed::TooLarge { size: f.size, max };
                let (agg2, f2, r2) = (agg.clone(), f.clone(), failed.to_string());
                let logged = tokio::task::spawn_blocking(move || agg2.writing(|c| log_file(c, &f2, 0, LogStatus::Error, &r2, ""))).await;
                if let Ok(Err(e)) = logged {
                    tracing::warn!(key = %f.key, error = %e, "recording a refused file failed");
                }
                failed
            }
            Fetched::Bytes(bytes) => {
                report.bytes += bytes.len() as u64;
                group.push(
                    ToWrite {
                        known: known.contains(&f.key),
                        file: f,
                        bytes,
                    },
                    permit,
                );
                if group.full() {
                    let done = finish(writing.take()).await?;
                    account(report, &mut pending, progress, t0, done);
                    writing = Some(start_write(agg, std::mem::take(&mut group)));
                }
                continue;
            }
        };
        account(report, &mut pending, progress, t0, vec![(f, Err(failed))]);
    }
    let done = finish(writing.take()).await?;
    account(report, &mut pending, progress, t0, done);
    if !group.files.is_empty() {
        let done = finish(Some(start_write(agg, group))).await?;
        account(report, &mut pending, progress, t0, done);
    }
    Ok(())
}

/// One ingest pass: list, drop files gone from the bucket, fetch and write changed files within
/// retention, then drop the files out of retention, reporting progress as files finish.
/// Downloads run [`IngestOptions::fetch_concurrency`] at a time (bounded by
/// [`MAX_BYTES_IN_FLIGHT`]) while the previous group of files is written on a blocking thread:
/// small files are written many per transaction, large ones alone (docs/architecture.md, "Ingest").
///
/// Retention counts back from the newest window that decoded (`aggregator/retention.rs`): the
/// files are read in rounds, the first chosen by the newest plausible key, a next one only when
/// that key did not decode and the window reaches further back. A pass whose listing skipped
/// something removes nothing.
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
    let EtlListing { files, problems, odd } = list_etl_files(store.as_ref(), opts).await?;
    let mut log = on_writer(&agg, |c| logged(c)).await?;
    let clean = problems.is_empty();
    let current: HashSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
    // A listing that skipped entries may have missed files: then nothing counts as deleted.
    let gone: Vec<String> = if clean {
        log.keys().filter(|k| !current.contains(k.as_str())).cloned().collect()
    } else {
        Vec::new()
    };
    let mut report = IngestReport {
        removed: gone.len() as u64,
        failures: problems
            .into_iter()
            .map(|reason| FileFailure {
                key: "federated/ (listing)".into(),
                reason: format!("{reason} (files removed from the bucket are kept until a clean listing)"),
            })
            .chain(odd.into_iter().map(|key| FileFailure {
                reason:
                    "its key is not one aligned window of its resolution (Kubecost writes one UTC day or hour per file): not read".into(),
                key,
            }))
            .collect(),
        ..Default::default()
    };
    remove_keys(&agg, gone).await?;
    let ok = LogStatus::Ok.as_str();
    let now = crate::clock::now().timestamp();
    let same = |l: &Logged, f: &IngestFile| l.etag == f.etag && l.size == f.size as i64;
    // Before anything is read: the newest plausible key not known to have failed.
    let mut anchors = Anchors::newest(&files, now, |f| {
        opts.retry_failed || log.get(&f.key).is_none_or(|l| l.status == ok || !same(l, f))
    });
    progress.send_modify(|p| {
        p.done = 0;
        p.total = 0;
    });
    let mut read: HashSet<&str> = HashSet::new();
    loop {
        let round: Vec<&IngestFile> = files
            .iter()
            .filter(|f| !read.contains(f.key.as_str()) && anchors.keeps(&opts.retention, f))
            .collect();
        if round.is_empty() {
            break;
        }
        read.extend(round.iter().map(|f| f.key.as_str()));
        let unchanged = |f: &IngestFile| log.get(&f.key).filter(|l| same(l, f));
        // Unchanged files that failed before stay failed (reported again, not downloaded again).
        let known_bad: Vec<FileFailure> = round
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
        let todo: Vec<IngestFile> = round
            .iter()
            .filter(|f| unchanged(f).is_none_or(|l| l.status != ok && opts.retry_failed))
            .map(|f| (*f).clone())
            .collect();
        report.files += round.len() as u64;
        report.unchanged += (round.len() - todo.len() - known_bad.len()) as u64;
        report.failures.extend(known_bad);
        let known = Arc::new(log.keys().cloned().collect::<HashSet<String>>());
        fetch_and_write(&agg, &store, opts, todo, known, &mut report, progress, t0).await?;
        // Anchor on what is in the database now; a key that did not decode widens the next round.
        log = on_writer(&agg, |c| logged(c)).await?;
        anchors = Anchors::newest(&files, now, |f| log.get(&f.key).is_some_and(|l| l.status == ok && same(l, f)));
    }
    if clean {
        let out: Vec<&IngestFile> = files
            .iter()
            .filter(|f| log.contains_key(&f.key) && !anchors.keeps(&opts.retention, f))
            .collect();
        report.notes = anchors.notes(&opts.retention, &out);
        report.removed += out.len() as u64;
        remove_keys(&agg, out.iter().map(|f| f.key.clone()).collect()).await?;
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
