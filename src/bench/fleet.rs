//! `costscope bench fleet` (docs/performance.md, "Fleet ingest"): a bucket shaped like a
//! Kubecost fleet — N clusters × D days of daily allocation and asset sets (and cloud costs for
//! the first cluster), a few hundred containers per cluster, written by the demo generator — then
//! a cold ingest from the local directory, a warm rerun, and a cold ingest through a store that
//! adds a fixed latency to every GET (what S3/GCS/Azure cost per request). Seconds, bytes.

use super::decode::peak_rss_bytes;
use super::latency_store::LatencyStore;
use crate::aggregator::{Aggregator, IngestOptions, IngestReport, ingest::ingest_once};
use crate::demo::bucket::{DemoSpec, write_demo};
use crate::progress::{TaskId, TaskProgress};
use color_eyre::eyre::{Result, eyre};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

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
}

/// Results of the fleet benchmark.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetBench {
    pub clusters: usize,
    pub days: usize,
    pub files: u64,
    pub bucket_bytes: u64,
    pub latency_ms: u64,
    pub runs: Vec<FleetRun>,
    pub database_bytes: u64,
    pub peak_rss_bytes: u64,
}

/// The last day of the fleet's data ends here (2026-11-21T00:00:00Z), so runs are comparable.
const END: i64 = 1_795_219_200;

/// Run the fleet benchmark in `dir` (the bucket is kept and reused for the same shape).
///
/// Errors: I/O, ingest failures (any file failing to ingest is an error here).
pub async fn fleet_bench(dir: &Path, clusters: usize, days: usize, containers: usize, latency_ms: u64) -> Result<FleetBench> {
    let bucket = dir.join(format!("fleet-{clusters}x{days}x{containers}"));
    if !bucket.join("federated-store.yaml").exists() {
        let spec = DemoSpec {
            clusters,
            days,
            seed: 1,
            containers,
            end: END,
        };
        write_demo(&bucket, &spec)?;
    }
    let bucket_bytes = dir_bytes(&bucket.join("federated"))?;
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(&bucket)?);
    let slow: Arc<dyn ObjectStore> = Arc::new(LatencyStore {
        inner: local.clone(),
        per_get: Duration::from_millis(latency_ms),
    });
    let db = dir.join("fleet.duckdb");
    let mut runs = Vec::new();
    let agg = fresh(&db)?;
    runs.push(run("cold, local directory", &agg, &local).await?);
    let files = runs[0].files_ingested;
    runs.push(run("warm rerun (nothing changed)", &agg, &local).await?);
    agg.checkpoint()?;
    let database_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    drop(agg);
    let agg = fresh(&db)?;
    runs.push(run(&format!("cold, +{latency_ms} ms per GET"), &agg, &slow).await?);
    Ok(FleetBench {
        clusters,
        days,
        files,
        bucket_bytes,
        latency_ms,
        runs,
        database_bytes,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// An empty database at `db` (an old one and its WAL removed).
fn fresh(db: &Path) -> Result<Arc<Aggregator>> {
    let _ = std::fs::remove_file(db);
    let _ = std::fs::remove_file(db.with_extension("duckdb.wal"));
    Ok(Arc::new(Aggregator::open(db)?))
}

async fn run(name: &str, agg: &Arc<Aggregator>, store: &Arc<dyn ObjectStore>) -> Result<FleetRun> {
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let r: IngestReport = ingest_once(agg.clone(), store.clone(), &IngestOptions::default(), &tx).await?;
    if let Some(f) = r.failures.first() {
        return Err(eyre!("ingest failed on {}: {}", f.key, f.reason));
    }
    Ok(FleetRun {
        name: name.to_string(),
        seconds: r.seconds,
        files_ingested: r.ingested,
        files_per_second: r.ingested as f64 / r.seconds.max(1e-9),
        ms_per_file: if r.ingested == 0 {
            0.0
        } else {
            r.seconds * 1e3 / r.ingested as f64
        },
        rows: r.rows,
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
