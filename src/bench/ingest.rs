//! The aggregator benchmark (docs/performance.md): a bucket of N containers/day × D days written with our
//! encoder, a cold ingest into DuckDB (time, database size, peak RSS), then the latency (p50/p99
//! over `runs`) of paginated queries: by namespace, by controller, by pod with a filter, at offset 0
//! and at a deep offset.

use super::decode::peak_rss_bytes;
use crate::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use crate::bingen;
use crate::demo::workload;
use crate::progress::TaskProgress;
use crate::query::{Accumulate, CostSource, QueryRequest, StepSize, Window};
use chrono::{TimeZone, Utc};
use color_eyre::eyre::{Result, eyre};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Latency of one query shape, milliseconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryLatency {
    pub name: String,
    pub total_rows: usize,
    /// A query not seen before (cached results dropped before each run): it is aggregated from the
    /// tables, its row count and totals computed, and its page read.
    pub cold_p50_ms: f64,
    pub cold_p99_ms: f64,
    /// Another page of a query already run (what paging does): successive pages from the shape's
    /// offset, read from the materialised result.
    pub page_p50_ms: f64,
    pub page_p99_ms: f64,
}

/// p50 and p99 of `runs` timings of `f(i)`, milliseconds.
pub(crate) fn timed(runs: usize, mut f: impl FnMut(usize) -> Result<()>) -> Result<(f64, f64)> {
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs.max(1) {
        let t = Instant::now();
        f(i)?;
        ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    Ok((percentile(&ms, 0.5), percentile(&ms, 0.99)))
}

/// Results of the ingest benchmark. Seconds, bytes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestBench {
    pub containers_per_day: usize,
    pub days: usize,
    pub files: u64,
    pub rows: u64,
    pub bucket_bytes: u64,
    pub generate_seconds: f64,
    pub ingest_seconds: f64,
    pub rows_per_second: f64,
    pub database_bytes: u64,
    pub peak_rss_bytes: u64,
    pub queries: Vec<QueryLatency>,
    /// The floor of the first page of a new query by controller: DuckDB's own `GROUP BY` of the
    /// same rollup rows over the same window, run bare on the table (`controller_floor` below).
    pub controller_floor: QueryLatency,
    /// costscope's cold p50 by controller ÷ the floor's p50.
    pub controller_cold_over_floor: f64,
}

const DAY0: i64 = 1_792_800_000; // 2026-10-23T00:00:00Z

/// Write the benchmark bucket under `dir` (skipped when already there with the same shape).
pub(crate) fn generate(dir: &Path, containers: usize, days: usize) -> Result<u64> {
    let marker = dir.join(format!(".bench-{containers}x{days}"));
    let mut bytes = 0u64;
    if marker.exists() {
        return Ok(std::fs::read_to_string(&marker)?.trim().parse().unwrap_or(0));
    }
    for d in 0..days {
        let start = DAY0 + d as i64 * 86_400;
        let set = workload::allocation_set("bench-cluster", containers, start, 1000 + d as u64);
        let data = bingen::encode_allocation_set(&set);
        let p = dir.join(format!(
            "federated/bench-cluster/etl/bingen/allocations/1d/{start}-{}",
            start + 86_400
        ));
        std::fs::create_dir_all(p.parent().expect("parent"))?;
        std::fs::write(&p, &data)?;
        bytes += data.len() as u64;
    }
    std::fs::write(&marker, bytes.to_string())?;
    Ok(bytes)
}

/// The `p` quantile (0–1) of `sorted` (nearest rank); 0 when empty.
pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Latency of the window's daily steps by namespace (`--accumulate false --step 1d`): every
/// step's query, cold (cached results dropped before each run); pages are not timed (paging a
/// step is paging a query).
fn step_latency(agg: &Aggregator, req: QueryRequest, runs: usize) -> Result<QueryLatency> {
    let steps = Accumulate::Step(StepSize::Day);
    let rows = agg.query_steps(&req, steps)?.iter().map(|(_, p)| p.total_rows).sum();
    let (cold_p50_ms, cold_p99_ms) = timed(runs, |_| {
        agg.forget_results();
        agg.query_steps(&req, steps)?;
        Ok(())
    })?;
    Ok(QueryLatency {
        name: format!("namespace, {} daily steps (accumulate=false)", steps.windows(req.window).len()),
        total_rows: rows,
        cold_p50_ms,
        cold_p99_ms,
        page_p50_ms: 0.0,
        page_p99_ms: 0.0,
    })
}

/// DuckDB's own hash aggregation of the controller query's rows, run bare on `alloc_controllers`
/// (issue 32): the window's rows grouped by controller kind and name (the controller key, which
/// spans namespaces and clusters) with every allocation measure summed — the aggregation the
/// first page of a new query by controller needs — and folded into one row
/// (count, sums) so that no measure is pruned and nothing is materialised. `runs` timings;
/// `total_rows` is the number of groups. No result cache is involved.
///
/// Errors: a DuckDB failure.
fn controller_floor(agg: &Aggregator, window: Window, runs: usize) -> Result<QueryLatency> {
    use crate::aggregator::rollup::Source;
    let sums = Source::Controllers.measure_sums();
    let sql = format!(
        "SELECT count(*), {sums} FROM (SELECT controller_kind, controller, {sums} \
         FROM {} WHERE window_start >= {} AND window_end <= {} GROUP BY ALL)",
        Source::Controllers.table(),
        window.start.timestamp(),
        window.end.timestamp()
    );
    let groups = |c: &duckdb::Connection| c.query_row(&sql, [], |r| r.get::<_, i64>(0));
    let total_rows = agg.with_reader(groups)? as usize;
    let (cold_p50_ms, cold_p99_ms) = timed(runs, |_| {
        agg.with_reader(groups)?;
        Ok(())
    })?;
    Ok(QueryLatency {
        name: "bare DuckDB GROUP BY controller (floor)".into(),
        total_rows,
        cold_p50_ms,
        cold_p99_ms,
        page_p50_ms: 0.0,
        page_p99_ms: 0.0,
    })
}

/// A benchmark bucket ingested into a fresh database: what the ingest and serve benchmarks start
/// from. Seconds, bytes.
pub(crate) struct Prepared {
    pub agg: Arc<Aggregator>,
    pub report: crate::aggregator::IngestReport,
    pub bucket_bytes: u64,
    pub generate_seconds: f64,
    pub ingest_seconds: f64,
    pub database_bytes: u64,
    /// The bucket's days.
    pub window: Window,
}

/// Generate (or reuse) the bucket of `containers` × `days` in `dir` and cold-ingest it into a
/// fresh `dir/bench.duckdb`.
///
/// Errors: I/O, or a file that fails to ingest.
pub(crate) async fn prepare(dir: &Path, containers: usize, days: usize) -> Result<Prepared> {
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let bucket_bytes = generate(dir, containers, days)?;
    let generate_seconds = t.elapsed().as_secs_f64();
    let db = dir.join("bench.duckdb");
    let _ = std::fs::remove_file(&db);
    let _ = std::fs::remove_file(dir.join("bench.duckdb.wal"));
    let agg = Arc::new(Aggregator::open(&db)?);
    let store: Arc<dyn object_store::ObjectStore> = Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?);
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(crate::progress::TaskId::Ingest));
    let t = Instant::now();
    let report = ingest_once(agg.clone(), store, &IngestOptions::default(), &tx).await?;
    let ingest_seconds = t.elapsed().as_secs_f64();
    if let Some(f) = report.failures.first() {
        return Err(eyre!("ingest failed on {}: {}", f.key, f.reason));
    }
    agg.checkpoint()?;
    let database_bytes = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let window = Window::new(
        Utc.timestamp_opt(DAY0, 0).single().expect("valid"),
        Utc.timestamp_opt(DAY0 + days as i64 * 86_400, 0).single().expect("valid"),
    )?;
    Ok(Prepared {
        agg,
        report,
        bucket_bytes,
        generate_seconds,
        ingest_seconds,
        database_bytes,
        window,
    })
}

/// Run the benchmark: generate (or reuse) the bucket in `dir`, ingest into a fresh database there,
/// then time each query shape `runs` times.
///
/// Errors: I/O, ingest or query failures.
pub async fn ingest_bench(dir: &Path, containers: usize, days: usize, runs: usize) -> Result<IngestBench> {
    let Prepared {
        agg,
        report,
        bucket_bytes,
        generate_seconds,
        ingest_seconds,
        database_bytes,
        window,
    } = prepare(dir, containers, days).await?;
    let base = |aggregate: &str, filter: &str| super::allocation_request(window, aggregate, filter);
    let mut shapes = vec![
        ("namespace, offset 0".to_string(), base("namespace", "")?),
        ("controller, offset 0".to_string(), base("controller", "")?),
        (
            "pod, namespace filter, offset 0".to_string(),
            base("pod", "namespace:\"checkout\"")?,
        ),
    ];
    let deep = agg.query(&base("pod", "namespace:\"checkout\"")?)?.total_rows.saturating_sub(50);
    let mut deep_req = base("pod", "namespace:\"checkout\"")?;
    deep_req.offset = deep;
    shapes.push((format!("pod, namespace filter, offset {deep}"), deep_req));
    let mut deep_ctl = base("controller", "")?;
    deep_ctl.offset = agg.query(&deep_ctl)?.total_rows.saturating_sub(50);
    shapes.push((format!("controller, offset {}", deep_ctl.offset), deep_ctl));
    let controller_floor = controller_floor(&agg, window, runs)?;
    let mut queries = Vec::new();
    queries.push(step_latency(&agg, base("namespace", "")?, runs)?);
    for (name, req) in shapes {
        let total_rows = agg.query(&req)?.total_rows;
        let (cold_p50_ms, cold_p99_ms) = timed(runs, |_| {
            agg.forget_results();
            agg.query(&req)?;
            Ok(())
        })?;
        let (page_p50_ms, page_p99_ms) = timed(runs, |i| {
            let mut r = req.clone();
            r.offset = (req.offset + (i + 1) * req.limit) % total_rows.max(1);
            agg.query(&r)?;
            Ok(())
        })?;
        queries.push(QueryLatency {
            name,
            total_rows,
            cold_p50_ms,
            cold_p99_ms,
            page_p50_ms,
            page_p99_ms,
        });
    }
    let controller_cold = queries
        .iter()
        .find(|q| q.name == "controller, offset 0")
        .map_or(0.0, |q| q.cold_p50_ms);
    Ok(IngestBench {
        controller_cold_over_floor: controller_cold / controller_floor.cold_p50_ms.max(1e-9),
        controller_floor,
        containers_per_day: containers,
        days,
        files: report.files,
        rows: report.rows,
        bucket_bytes,
        generate_seconds,
        ingest_seconds,
        rows_per_second: report.rows as f64 / ingest_seconds.max(1e-9),
        database_bytes,
        peak_rss_bytes: peak_rss_bytes(),
        queries,
    })
}
