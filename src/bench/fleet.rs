//! `costscope bench fleet` (docs/performance.md, "Fleet ingest"): a bucket shaped like a
//! Kubecost fleet — N clusters × D days of daily allocation and asset sets (and cloud costs for
//! the first cluster) plus the last H hours of hourly allocation and asset sets, a few hundred
//! containers per cluster, written by the demo generator — then a cold ingest from the local
//! directory, a warm rerun, optionally cold ingests from a real object store (the bucket uploaded
//! to it, e.g. the moto S3 server), a cold ingest through a store that adds a fixed latency to
//! every GET (what S3/GCS/Azure cost per request), and the freshness of new files under a
//! watching ingest loop. Seconds, bytes.
//!
//! Next to `federated/` the bucket holds what real buckets hold and ingest must pass over: an
//! ETL backup (`etl/bingen/…`) and Thanos blocks (`<ULID>/meta.json`, `index`, `chunks/000001`).
//! `--cold-only` stops after the cold local run and the warm rerun: the CPU per file of
//! `ingest --once` on a shape in one command (docs/performance.md, "Small files").

use super::decode::peak_rss_bytes;
use super::latency_store::LatencyStore;
use crate::aggregator::{Aggregator, IngestOptions, IngestReport, ingest::ingest_once};
use crate::bingen;
use crate::demo::bucket::{DemoSpec, write_demo};
use crate::demo::workload;
use crate::progress::{TaskId, TaskProgress};
use crate::query::{CostSource, QueryRequest, Window};
use chrono::{TimeZone, Utc};
use color_eyre::eyre::{Result, eyre};
use object_store::local::LocalFileSystem;
use object_store::{ObjectStore, ObjectStoreExt};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

/// One ingest run of the fleet benchmark.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetRun {
    pub name: String,
    pub seconds: f64,
    pub files_ingested: u64,
    pub files_per_second: f64,
    /// Wall time per ingested file, milliseconds (rows included).
    pub ms_per_file: f64,
    pub rows: u64,
    /// Bytes of the files read.
    pub bytes: u64,
    /// CPU seconds of the run, user plus system, every thread of the process.
    pub cpu_seconds: f64,
    /// CPU milliseconds per ingested file.
    pub cpu_ms_per_file: f64,
    /// Megabytes (10^6 bytes) read per CPU second.
    pub mb_per_cpu_second: f64,
}

/// Results of the fleet benchmark.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetBench {
    pub clusters: usize,
    pub days: usize,
    /// Hourly sets per cluster and pipeline (allocations, assets).
    pub hourly_hours: usize,
    pub files: u64,
    pub bucket_bytes: u64,
    pub latency_ms: u64,
    pub runs: Vec<FleetRun>,
    pub database_bytes: u64,
    pub peak_rss_bytes: u64,
    /// Seconds from writing a new file into the bucket to a query answering with it, while an
    /// ingest loop with the `ingest --watch` interval runs: p50 and max over the files written.
    pub fresh_p50_seconds: f64,
    pub fresh_max_seconds: f64,
    pub fresh_files: usize,
}

/// Most files the freshness measurement writes (names `fresh-0..`, removed at the next run).
const MAX_FRESH_FILES: usize = 100;

/// The last day of the fleet's data ends here (2026-11-21T00:00:00Z), so runs are comparable.
const END: i64 = 1_795_219_200;

/// Shape and options of a fleet benchmark run.
#[derive(Clone, Debug)]
pub struct FleetSpec {
    pub clusters: usize,
    pub days: usize,
    /// Containers per day in the largest cluster (the others have 20–100 % of it).
    pub containers: usize,
    /// Hourly sets per cluster (the last this many hours; Kubecost keeps 49 h).
    pub hourly_hours: usize,
    /// Milliseconds added to every GET of the latency runs.
    pub latency_ms: u64,
    /// New files of the freshness measurement (at most 100).
    pub fresh_files: usize,
    /// Only the cold local run and the warm rerun (no store upload, latency or freshness runs).
    pub cold_only: bool,
}

/// Run the fleet benchmark in `dir` (the bucket is kept and reused for the same shape).
///
/// When `remote` is given (an object store, for example the moto S3 server), the bucket is
/// uploaded to it once (keys already there with the same size are skipped) and two more cold
/// runs read from it: as it is, and with `latency_ms` added to every GET.
///
/// Errors: I/O, store errors while uploading, ingest failures (any file failing to ingest is an
/// error here).
pub async fn fleet_bench(dir: &Path, spec: &FleetSpec, remote: Option<(&str, Arc<dyn ObjectStore>)>) -> Result<FleetBench> {
    let bucket = dir.join(format!(
        "fleet-{}x{}x{}h{}",
        spec.clusters, spec.days, spec.containers, spec.hourly_hours
    ));
    if !bucket.join("federated-store.yaml").exists() {
        let demo = DemoSpec {
            clusters: spec.clusters,
            days: spec.days,
            seed: 1,
            containers: spec.containers,
            end: END,
            hourly_hours: spec.hourly_hours,
        };
        write_demo(&bucket, &demo)?;
        write_backup_and_thanos(&bucket, spec.days)?;
    }
    // Files a previous run's freshness phase wrote are not part of the fleet.
    for i in 0..MAX_FRESH_FILES {
        let _ = std::fs::remove_dir_all(bucket.join(format!("federated/fresh-{i}")));
    }
    let bucket_bytes = dir_bytes(&bucket.join("federated"))?;
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(&bucket)?);
    let slow = |inner: &Arc<dyn ObjectStore>| -> Arc<dyn ObjectStore> {
        Arc::new(LatencyStore {
            inner: inner.clone(),
            per_get: Duration::from_millis(spec.latency_ms),
        })
    };
    let db = dir.join("fleet.duckdb");
    let mut runs = Vec::new();
    let agg = fresh(&db)?;
    runs.push(run("cold, local directory", &agg, &local).await?);
    let files = runs[0].files_ingested;
    runs.push(run("warm rerun (nothing changed)", &agg, &local).await?);
    agg.checkpoint()?;
    let database_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    drop(agg);
    let mut fresh_seconds = Vec::new();
    if !spec.cold_only {
        let latency = format!("+{} ms per GET", spec.latency_ms);
        if let Some((name, store)) = &remote {
            upload(&bucket.join("federated"), "federated", store).await?;
            runs.push(run(&format!("cold, {name}"), &fresh(&db)?, store).await?);
            runs.push(run(&format!("cold, {name} {latency}"), &fresh(&db)?, &slow(store)).await?);
        }
        let agg = fresh(&db)?;
        let slow_local = slow(&local);
        runs.push(run(&format!("cold, local {latency}"), &agg, &slow_local).await?);
        fresh_seconds = freshness(&agg, &bucket, &slow_local, spec.fresh_files.min(MAX_FRESH_FILES)).await?;
    }
    Ok(FleetBench {
        clusters: spec.clusters,
        days: spec.days,
        hourly_hours: spec.hourly_hours,
        files,
        bucket_bytes,
        latency_ms: spec.latency_ms,
        runs,
        database_bytes,
        peak_rss_bytes: peak_rss_bytes(),
        fresh_p50_seconds: fresh_seconds.get(fresh_seconds.len() / 2).copied().unwrap_or(0.0),
        fresh_max_seconds: *fresh_seconds.last().unwrap_or(&0.0),
        fresh_files: fresh_seconds.len(),
    })
}

/// What real buckets hold beside `federated/` (the ingest lists and skips it): an ETL backup,
/// `etl/bingen/{allocations,assets}/1d/` (here the first cluster's daily sets copied), and Thanos
/// blocks, four a day (`<ULID>/meta.json`, an empty `index` and `chunks/000001`; the layout of
/// Thanos' object storage).
fn write_backup_and_thanos(bucket: &Path, days: usize) -> std::io::Result<()> {
    let first = bucket
        .join("federated")
        .join(crate::demo::bucket::cluster_name(0))
        .join("etl/bingen");
    for kind in ["allocations", "assets"] {
        let (from, to) = (first.join(kind).join("1d"), bucket.join("etl/bingen").join(kind).join("1d"));
        std::fs::create_dir_all(&to)?;
        for e in std::fs::read_dir(&from)? {
            let e = e?;
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    for i in 0..days * 4 {
        let block = bucket.join(format!("01M{i:023}"));
        std::fs::create_dir_all(block.join("chunks"))?;
        let meta = format!(r#"{{"ulid":"01M{i:023}","minTime":0,"maxTime":0,"version":1}}"#);
        std::fs::write(block.join("meta.json"), meta)?;
        std::fs::write(block.join("index"), b"")?;
        std::fs::write(block.join("chunks/000001"), b"")?;
    }
    Ok(())
}

/// Put every file under `dir` into `store` as `key_prefix/<relative path>`, 16 at a time,
/// skipping keys that already hold an object of the same size.
async fn upload(dir: &Path, key_prefix: &str, store: &Arc<dyn ObjectStore>) -> Result<()> {
    use futures::StreamExt;
    let mut files = Vec::new();
    walk_files(dir, key_prefix, &mut files)?;
    let results: Vec<Result<()>> = futures::stream::iter(files)
        .map(|(path, key)| {
            let store = store.clone();
            async move {
                let key = object_store::path::Path::from(key);
                let bytes = std::fs::read(&path)?;
                if let Ok(meta) = store.head(&key).await
                    && meta.size == bytes.len() as u64
                {
                    return Ok(());
                }
                store.put(&key, bytes.into()).await?;
                Ok(())
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    results.into_iter().collect()
}

/// The files under `dir`, each with its key (`key_prefix/relative/path`).
fn walk_files(dir: &Path, key_prefix: &str, out: &mut Vec<(std::path::PathBuf, String)>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let key = format!("{key_prefix}/{}", e.file_name().to_string_lossy());
        if e.file_type()?.is_dir() {
            walk_files(&e.path(), &key, out)?;
        } else {
            out.push((e.path(), key));
        }
    }
    Ok(())
}

/// Freshness: with an ingest pass every [`crate::aggregator::ingest::WATCH_INTERVAL`] through
/// `store`, write `files` new daily allocation files (one new cluster each) into
/// `bucket`, one at a time, and time each until a query by cluster shows its cluster. Seconds,
/// sorted.
async fn freshness(agg: &Arc<Aggregator>, bucket: &Path, store: &Arc<dyn ObjectStore>, files: usize) -> Result<Vec<f64>> {
    let cancel = tokio_util::sync::CancellationToken::new();
    let (a, s, c) = (agg.clone(), store.clone(), cancel.clone());
    let watcher = tokio::spawn(async move {
        let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
        while !c.is_cancelled() {
            if let Err(e) = ingest_once(a.clone(), s.clone(), &IngestOptions::default(), &tx).await {
                tracing::warn!(error = %e, "freshness ingest pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(crate::aggregator::ingest::WATCH_INTERVAL) => {}
                _ = c.cancelled() => {}
            }
        }
    });
    let mut seconds = Vec::new();
    let day = END - 86_400;
    for i in 0..files {
        let cluster = format!("fresh-{i}");
        let set = workload::allocation_set(&cluster, 50, day, 7 + i as u64);
        let key = bucket.join(format!("federated/{cluster}/etl/bingen/allocations/1d/{day}-{END}"));
        std::fs::create_dir_all(key.parent().expect("has a parent"))?;
        std::fs::write(&key, bingen::encode_allocation_set(&set))?;
        let t = Instant::now();
        let req = fresh_request(&cluster, day)?;
        loop {
            let a = agg.clone();
            let r = req.clone();
            if tokio::task::spawn_blocking(move || a.query(&r)).await??.total_rows > 0 {
                break;
            }
            if t.elapsed() > Duration::from_secs(120) {
                cancel.cancel();
                return Err(eyre!("{cluster} not visible after 120 s"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        seconds.push(t.elapsed().as_secs_f64());
    }
    cancel.cancel();
    let _ = watcher.await;
    seconds.sort_by(f64::total_cmp);
    Ok(seconds)
}

/// The day's allocations of `cluster` by cluster.
fn fresh_request(cluster: &str, day: i64) -> Result<QueryRequest> {
    let window = Window::new(
        Utc.timestamp_opt(day, 0).single().expect("valid"),
        Utc.timestamp_opt(day + 86_400, 0).single().expect("valid"),
    )?;
    super::allocation_request(window, "cluster", &format!("cluster:\"{cluster}\""))
}

/// An empty database at `db` (an old one and its WAL removed).
fn fresh(db: &Path) -> Result<Arc<Aggregator>> {
    let _ = std::fs::remove_file(db);
    let _ = std::fs::remove_file(db.with_extension("duckdb.wal"));
    Ok(Arc::new(Aggregator::open(db)?))
}

async fn run(name: &str, agg: &Arc<Aggregator>, store: &Arc<dyn ObjectStore>) -> Result<FleetRun> {
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let cpu0 = super::cpu::cpu_seconds();
    let r: IngestReport = ingest_once(agg.clone(), store.clone(), &IngestOptions::default(), &tx).await?;
    if let Some(f) = r.failures.first() {
        return Err(eyre!("ingest failed on {}: {}", f.key, f.reason));
    }
    let cpu_seconds = super::cpu::cpu_seconds() - cpu0;
    let per_file = |x: f64| if r.ingested == 0 { 0.0 } else { x * 1e3 / r.ingested as f64 };
    Ok(FleetRun {
        name: name.to_string(),
        seconds: r.seconds,
        files_ingested: r.ingested,
        files_per_second: r.ingested as f64 / r.seconds.max(1e-9),
        ms_per_file: per_file(r.seconds),
        rows: r.rows,
        bytes: r.bytes,
        cpu_seconds,
        cpu_ms_per_file: per_file(cpu_seconds),
        mb_per_cpu_second: r.bytes as f64 / 1e6 / cpu_seconds.max(1e-9),
    })
}

/// Bytes of the files under `dir`.
fn dir_bytes(dir: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let meta = e.metadata()?;
        total += if meta.is_dir() { dir_bytes(&e.path())? } else { meta.len() };
    }
    Ok(total)
}
