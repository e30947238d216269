//! The savings benchmark (docs/performance.md, "Savings"; issue 30's targets): the ingest
//! benchmark's bucket (N containers/day × D days) cold-ingested, the database closed and opened
//! again, then request right-sizing over the whole window timed on its first call (cold: nothing
//! of the database read yet) and its second (cached: DuckDB's buffers warm), and every other kind
//! once.

use super::decode::peak_rss_bytes;
use crate::aggregator::Aggregator;
use crate::query::savings::{
    AbandonedParams, DiskParams, NodeParams, SavingsQuery, SavingsRow, SavingsSort, SavingsSource, SizingParams, SizingRow, VolumeParams,
};
use crate::query::{Filter, LabelConfig, Window};
use color_eyre::eyre::Result;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// One timed savings query: its name, the rows of its whole result and the time of the call,
/// milliseconds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavingsTiming {
    pub name: String,
    pub total_rows: usize,
    pub ms: f64,
}

/// Results of the savings benchmark. Seconds, milliseconds, bytes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavingsBench {
    pub containers_per_day: usize,
    pub days: usize,
    /// Rows ingested.
    pub rows: u64,
    pub ingest_seconds: f64,
    /// Right-sizing over the whole window, first call after opening the database.
    pub sizing_cold: SavingsTiming,
    /// The same query again.
    pub sizing_cached: SavingsTiming,
    /// Every other kind, once each (after the right-sizing calls).
    pub kinds: Vec<SavingsTiming>,
    pub peak_rss_bytes: u64,
}

/// The query of a kind over `window`: no filter, `params`, sorted by the monthly figure, 50 rows.
fn query<R: SavingsRow, P>(window: Window, params: P) -> SavingsQuery<P> {
    SavingsQuery {
        window,
        filter: Filter::All,
        labels: LabelConfig::default(),
        params,
        sort: SavingsSort::monthly::<R>(),
        offset: 0,
        limit: 50,
    }
}

/// Time one call of `f`, which answers the rows of its whole result.
fn time(name: &str, f: impl FnOnce() -> Result<usize>) -> Result<SavingsTiming> {
    let t = Instant::now();
    let total_rows = f()?;
    Ok(SavingsTiming {
        name: name.to_string(),
        total_rows,
        ms: t.elapsed().as_secs_f64() * 1e3,
    })
}

/// Run the benchmark in `dir` (the bucket is generated once and reused, the database rebuilt).
///
/// Errors: I/O, ingest or query failures.
pub async fn savings_bench(dir: &Path, containers: usize, days: usize) -> Result<SavingsBench> {
    let prepared = super::ingest::prepare(dir, containers, days).await?;
    let (rows, ingest_seconds, window) = (prepared.report.rows, prepared.ingest_seconds, prepared.window);
    drop(prepared.agg);
    let agg = Aggregator::open(&dir.join("bench.duckdb"))?;
    let sizing = query::<SizingRow, _>(window, SizingParams::default());
    let sizing_cold = time("requests (right-sizing), cold", || Ok(agg.request_sizing(&sizing)?.total_rows))?;
    let sizing_cached = time("requests (right-sizing), cached", || Ok(agg.request_sizing(&sizing)?.total_rows))?;
    let local = DiskParams {
        local: true,
        ..DiskParams::default()
    };
    let abandoned = AbandonedParams {
        days: days as f64,
        ..AbandonedParams::default()
    };
    let kinds = vec![
        time("volumes", || {
            Ok(agg
                .unclaimed_volumes(&query::<crate::query::savings::VolumeRow, _>(window, VolumeParams {}))?
                .total_rows)
        })?,
        time("disks", || {
            Ok(agg
                .disk_sizing(&query::<crate::query::savings::DiskRow, _>(window, DiskParams::default()))?
                .total_rows)
        })?,
        time("disks --local", || {
            Ok(agg
                .disk_sizing(&query::<crate::query::savings::DiskRow, _>(window, local))?
                .total_rows)
        })?,
        time("abandoned", || {
            Ok(agg
                .abandoned_workloads(&query::<crate::query::savings::AbandonedRow, _>(window, abandoned))?
                .total_rows)
        })?,
        time("nodes", || {
            Ok(agg
                .underutilized_nodes(&query::<crate::query::savings::NodeRow, _>(window, NodeParams::default()))?
                .total_rows)
        })?,
    ];
    Ok(SavingsBench {
        containers_per_day: containers,
        days,
        rows,
        ingest_seconds,
        sizing_cold,
        sizing_cached,
        kinds,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// The benchmark as text, one line per timed query.
pub fn text(r: &SavingsBench) -> String {
    let mut out = format!(
        "bucket             {} containers/day × {} days, {} rows (cold ingest {:.1} s)\n",
        r.containers_per_day, r.days, r.rows, r.ingest_seconds
    );
    for t in [&r.sizing_cold, &r.sizing_cached].into_iter().chain(&r.kinds) {
        out.push_str(&format!("{:<34} rows {:>7}  {:>8.1} ms\n", t.name, t.total_rows, t.ms));
    }
    out.push_str(&format!("peak RSS           {:.0} MiB\n", r.peak_rss_bytes as f64 / 1048576.0));
    out
}
