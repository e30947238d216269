//! `costscope bench export` (docs/performance.md, "Parquet export"): the ingest benchmark's
//! bucket (N containers/day × D days of one cluster's daily allocation sets) exported to Parquet
//! in a fresh directory: seconds, rows/s, MB/s read, files/s, peak RSS.

use super::decode::peak_rss_bytes;
use crate::bucket::keys::Pipeline;
use crate::export::target::Target;
use crate::export::{ExportOptions, ExportReport, export, plan};
use color_eyre::eyre::{Result, eyre};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;

/// Results of the export benchmark.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportBench {
    pub containers: usize,
    pub days: usize,
    pub report: ExportReport,
    pub rows_per_second: f64,
    /// Source megabytes (10^6 bytes) read per second.
    pub megabytes_per_second: f64,
    pub files_per_second: f64,
    pub peak_rss_bytes: u64,
}

/// Generate (or reuse) the bucket in `dir`, then export it to `dir/parquet` (removed first),
/// `concurrency` partitions at a time.
///
/// Errors: I/O, a listing failure, any partition that fails.
pub async fn export_bench(dir: &Path, containers: usize, days: usize, concurrency: usize) -> Result<ExportBench> {
    std::fs::create_dir_all(dir)?;
    super::ingest::generate(dir, containers, days)?;
    let out = dir.join("parquet");
    let _ = std::fs::remove_dir_all(&out);
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir)?);
    let inv = crate::bucket::scan(store.as_ref()).await?;
    let opts = ExportOptions {
        window: None,
        clusters: None,
        kinds: vec![Pipeline::Allocations],
        hourly: false,
        concurrency,
        max_object_bytes: crate::aggregator::ingest::DEFAULT_MAX_OBJECT_BYTES,
    };
    let parts = plan(&inv, &opts);
    let report = export(store, parts, &Target::Dir(out), &opts).await;
    if let Some(f) = report.failures.first() {
        return Err(eyre!("export failed on {}: {}", f.partition, f.reason));
    }
    let s = report.seconds.max(1e-9);
    Ok(ExportBench {
        containers,
        days,
        rows_per_second: report.rows as f64 / s,
        megabytes_per_second: report.source_bytes as f64 / 1e6 / s,
        files_per_second: report.written as f64 / s,
        peak_rss_bytes: peak_rss_bytes(),
        report,
    })
}
