//! `costscope export` (docs/scale-out.md): the bucket's ETL sets as hive-partitioned Parquet
//! datasets that Spark, Athena/Trino and ClickHouse read — one partition per kind × cluster × UTC
//! day, `<kind>/cluster=<c>/year=<Y>/month=<M>/day=<D>/part-0.parquet`, laid out like OpenCost's
//! `opencost-parquet-exporter` (unpadded month and day). Hourly exports (`--resolution 1h`) go to
//! `<kind>_1h/` with an `hour` column.
//!
//! Each partition records its source objects (key, etag, size) in `_costscope_sources.json`
//! next to its Parquet file (engines skip `_` files); a rerun rewrites only partitions whose
//! sources changed, so disjoint `--clusters` / `--window` sets can run on different machines at
//! once. The Parquet file is written before its manifest, so an interrupted partition is redone,
//! and the stale temporaries a killed export left in a partition's folder are removed
//! ([`target::is_stale`]): after kill -9 a rerun gives the dataset an uninterrupted export gives.
//! Idle entries some writers put in allocation sets are not exported (costscope computes idle
//! from node assets, as its `--idle hide` totals do).

pub mod columns;
pub mod target;

use crate::bingen::{self, Item, RootKind};
use crate::bucket::fetch::Fetcher;
use crate::bucket::inventory::{Inventory, Source};
use crate::bucket::keys::{Pipeline, Resolution};
use crate::model::Str;
use crate::stored::{Table, allocation, asset, cloud_cost};
use columns::TableBuilder;
use duckdb::arrow::record_batch::RecordBatch;
use futures::StreamExt;
use object_store::ObjectStore;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use target::Target;

/// What to export.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Only days overlapping `[start, end)` (unix seconds).
    pub window: Option<(i64, i64)>,
    /// Only these clusters (directory names under `federated/`).
    pub clusters: Option<Vec<String>>,
    /// Which pipelines.
    pub kinds: Vec<Pipeline>,
    /// Hourly sets instead of daily ones.
    pub hourly: bool,
    /// Partitions written at once.
    pub concurrency: usize,
    /// Source objects larger than this (bytes, `--max-object-size`) are not read: their
    /// partition fails with the reason.
    pub max_object_bytes: u64,
}

/// One source object of a partition, as its manifest records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    pub key: String,
    pub etag: String,
    pub size: u64,
}

/// A partition's manifest (`_costscope_sources.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct PartitionManifest {
    sources: Vec<SourceRef>,
    rows: u64,
    #[serde(rename = "costscopeVersion")]
    version: String,
}

/// One partition to write: kind, cluster, UTC day (unix seconds) and its source objects.
#[derive(Clone, Debug)]
pub struct Partition {
    pub pipeline: Pipeline,
    pub cluster: String,
    pub day: i64,
    pub sources: Vec<SourceRef>,
}

impl Partition {
    /// `<kind>[_1h]/cluster=<c>/year=<Y>/month=<M>/day=<D>`.
    pub fn dir(&self, hourly: bool) -> String {
        let d = chrono::DateTime::from_timestamp(self.day, 0).unwrap_or_default();
        use chrono::Datelike;
        format!(
            "{}{}/cluster={}/year={}/month={}/day={}",
            self.pipeline.name(),
            if hourly { "_1h" } else { "" },
            self.cluster,
            d.year(),
            d.month(),
            d.day()
        )
    }
}

/// What became of the partitions.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub partitions: u64,
    pub written: u64,
    /// Partitions whose sources had not changed since they were written.
    pub unchanged: u64,
    pub rows: u64,
    /// Bytes of source objects read and of Parquet written.
    pub source_bytes: u64,
    pub parquet_bytes: u64,
    pub seconds: f64,
    /// Partitions not written: where, and why (the failing object's key in the reason).
    pub failures: Vec<ExportFailure>,
    /// Temporaries of interrupted exports removed from the partitions' folders.
    pub stale_temporaries: u64,
}

/// A partition that could not be written.
#[derive(Debug, Serialize)]
pub struct ExportFailure {
    pub partition: String,
    pub reason: String,
}

/// The partitions of `inv` that `opts` selects, in path order.
pub fn plan(inv: &Inventory, opts: &ExportOptions) -> Vec<Partition> {
    let res = if opts.hourly { Resolution::HOUR } else { Resolution::DAY };
    let mut parts: BTreeMap<(Pipeline, String, i64), Vec<SourceRef>> = BTreeMap::new();
    for s in inv
        .series
        .iter()
        .filter(|s| s.resolution == res && opts.kinds.contains(&s.pipeline))
    {
        let Source::Federated(cluster) = &s.source else { continue };
        if opts.clusters.as_ref().is_some_and(|c| !c.contains(cluster)) {
            continue;
        }
        for f in &s.files {
            let day = f.start.div_euclid(86_400) * 86_400;
            if opts.window.is_some_and(|(ws, we)| !(day < we && day + 86_400 > ws)) {
                continue;
            }
            parts.entry((s.pipeline, cluster.clone(), day)).or_default().push(SourceRef {
                key: f.object.key.clone(),
                etag: f.object.e_tag.clone().unwrap_or_default(),
                size: f.object.size,
            });
        }
    }
    parts
        .into_iter()
        .map(|((pipeline, cluster, day), sources)| Partition {
            pipeline,
            cluster,
            day,
            sources,
        })
        .collect()
}

/// Export every partition of `parts` from `store` to `out`, `opts.concurrency` at a time.
/// Never fails as a whole: each partition that cannot be read or written is a failure of the
/// report, and the others are still written.
pub async fn export(store: Arc<dyn ObjectStore>, parts: Vec<Partition>, out: &Target, opts: &ExportOptions) -> ExportReport {
    let t0 = std::time::Instant::now();
    let mut report = ExportReport {
        partitions: parts.len() as u64,
        ..Default::default()
    };
    let hourly = opts.hourly;
    let fetcher = Fetcher::new(opts.max_object_bytes);
    let results: Vec<(String, u64, Outcome)> = futures::stream::iter(parts)
        .map(|p| {
            let (store, out, fetcher) = (store.clone(), out.clone(), fetcher.clone());
            async move {
                let dir = p.dir(hourly);
                let stale = out.remove_stale_temporaries(&dir, &[MANIFEST, FILE]).await;
                let r = partition(&store, &fetcher, &p, &dir, &out, hourly).await;
                (out.show(&dir), stale, r)
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    for (dir, stale, r) in results {
        report.stale_temporaries += stale;
        match r {
            Ok(Some(w)) => {
                report.written += 1;
                report.rows += w.rows;
                report.source_bytes += w.source_bytes;
                report.parquet_bytes += w.parquet_bytes;
            }
            Ok(None) => report.unchanged += 1,
            Err(e) => report.failures.push(ExportFailure {
                partition: dir,
                reason: e.to_string(),
            }),
        }
    }
    report.failures.sort_by(|a, b| a.partition.cmp(&b.partition));
    report.seconds = t0.elapsed().as_secs_f64();
    report
}

const MANIFEST: &str = "_costscope_sources.json";
const FILE: &str = "part-0.parquet";

/// What writing one partition gave: rows, and bytes read and written.
struct Written {
    rows: u64,
    source_bytes: u64,
    parquet_bytes: u64,
}

/// A partition's outcome: written, unchanged (`None`), or why not.
type Outcome = Result<Option<Written>, PartitionError>;

/// Why one partition was not written; one line (store errors have their secrets scrubbed).
#[derive(Debug, thiserror::Error)]
enum PartitionError {
    /// A source object could not be read.
    #[error("{key}: {detail}")]
    Fetch {
        /// The source object.
        key: String,
        /// The store's error, scrubbed of secrets (`config::secret::scrub`).
        detail: String,
    },
    /// The encoding task panicked or was cancelled.
    #[error("encoding task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// A source does not decode, or the encoder failed.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The Parquet file or its manifest could not be written.
    #[error(transparent)]
    Write(#[from] target::WriteError),
    /// The manifest could not be serialised (a bug).
    #[error("manifest: {0}")]
    Manifest(#[from] serde_json::Error),
}

/// Write one partition unless its manifest lists the same sources.
async fn partition(store: &Arc<dyn ObjectStore>, fetcher: &Fetcher, p: &Partition, dir: &str, out: &Target, hourly: bool) -> Outcome {
    let manifest_rel = format!("{dir}/{MANIFEST}");
    let file_rel = format!("{dir}/{FILE}");
    if let Some(old) = out.read(&manifest_rel).await
        && let Ok(m) = serde_json::from_slice::<PartitionManifest>(&old)
        && m.sources == p.sources
        && out.read(&file_rel).await.is_some()
    {
        return Ok(None);
    }
    // The fetched objects hold their share of the memory budget until the partition is encoded.
    let mut held = Vec::with_capacity(p.sources.len());
    let mut sources = Vec::with_capacity(p.sources.len());
    for s in &p.sources {
        let got = fetcher
            .get(store.as_ref(), &s.key, s.size)
            .await
            .map_err(|e| PartitionError::Fetch {
                key: s.key.clone(),
                detail: crate::config::secret::scrub(&e.to_string()).into_owned(),
            })?;
        sources.push((s.key.clone(), got.bytes.clone()));
        held.push(got);
    }
    let src_bytes: u64 = sources.iter().map(|(_, b)| b.len() as u64).sum();
    let (pipeline, day) = (p.pipeline, p.day);
    let (rows, parquet) = tokio::task::spawn_blocking(move || encode(pipeline, day, hourly, &sources)).await??;
    drop(held);
    let pq = parquet.len() as u64;
    out.write(&file_rel, parquet).await?;
    let manifest = PartitionManifest {
        sources: p.sources.clone(),
        rows,
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    out.write(&manifest_rel, serde_json::to_vec_pretty(&manifest)?).await?;
    Ok(Some(Written {
        rows,
        source_bytes: src_bytes,
        parquet_bytes: pq,
    }))
}

/// Why a partition could not be encoded; one line.
#[derive(Debug, thiserror::Error)]
enum EncodeError {
    /// A pipeline costscope does not export.
    #[error("networkinsights sets are not exported")]
    NotExported,
    /// A source does not decode (its key and the decoder's offset).
    #[error("{key}: {source}")]
    Decode {
        /// The source object.
        key: String,
        /// The decoder's error.
        #[source]
        source: bingen::DecodeError,
    },
    /// Arrow refused the columns (a bug: they disagree in length).
    #[error(transparent)]
    Arrow(#[from] duckdb::arrow::error::ArrowError),
    /// The Parquet writer failed.
    #[error(transparent)]
    Parquet(#[from] parquet::errors::ParquetError),
}

/// Decode the sources of a `pipeline` partition of UTC `day` and encode them as one Parquet file
/// (Snappy). Returns its rows and bytes.
///
/// Errors: a source that does not decode (its key and the decoder's offset), an encoder error.
fn encode(pipeline: Pipeline, day: i64, hourly: bool, sources: &[(String, bytes::Bytes)]) -> Result<(u64, Vec<u8>), EncodeError> {
    let (rows, batch) = match pipeline {
        Pipeline::Allocations => table(
            &allocation::TABLE,
            RootKind::AllocationSet,
            day,
            hourly,
            sources,
            |item| match item {
                // Idle entries are not exported (costscope computes idle from node assets).
                Item::Allocation(_, a) if a.name.contains(crate::query::IDLE) => None,
                Item::Allocation(k, a) => Some((k, a)),
                _ => None,
            },
        )?,
        Pipeline::Assets => table(&asset::TABLE, RootKind::AssetSet, day, hourly, sources, |item| match item {
            Item::Asset(k, a) => Some((k, a)),
            _ => None,
        })?,
        Pipeline::CloudCosts => table(
            &cloud_cost::TABLE,
            RootKind::CloudCostSet,
            day,
            hourly,
            sources,
            |item| match item {
                Item::CloudCost(k, c) => Some((k, c)),
                _ => None,
            },
        )?,
        Pipeline::NetworkInsights => return Err(EncodeError::NotExported),
    };
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_created_by(format!("costscope {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(Vec::new(), batch.schema(), Some(props))?;
    w.write(&batch)?;
    let bytes = w.into_inner()?;
    Ok((rows as u64, bytes))
}

/// Decode `sources` as `root` sets and put the items `pick` keeps (with their keys) into one
/// record batch of `t`'s Parquet columns (and `hour`, from each key's window, when `hourly`).
/// Returns the rows and the batch.
///
/// Errors: a source that does not decode, Arrow's.
fn table<T>(
    t: &'static Table<T>,
    root: RootKind,
    day: i64,
    hourly: bool,
    sources: &[(String, bytes::Bytes)],
    pick: for<'a> fn(&'a Item) -> Option<(&'a Str, &'a T)>,
) -> Result<(usize, RecordBatch), EncodeError> {
    let mut b = TableBuilder::new(t, hourly);
    for (key, bytes) in sources {
        // The hour comes from the key's window (the plan only takes keys that parse).
        let start = crate::bucket::keys::parse_key(key).etl_file().map_or(day, |f| f.start);
        let hour = ((start - day) / 3_600) as i32;
        bingen::decode_streaming(bytes, root, &mut |item| {
            if let Some((k, x)) = pick(&item) {
                b.push(k, x, hour);
            }
        })
        .map_err(|source| EncodeError::Decode { key: key.clone(), source })?;
    }
    Ok((b.rows(), b.finish()?))
}
