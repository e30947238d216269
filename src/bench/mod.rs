//! `costscope bench`: benchmarks of the codec (`decode`) and of the aggregator (`ingest`: cold
//! ingest and paginated query latency; `fleet`: many small files, locally and with per-request
//! latency; `export`: the Parquet export; `savings`: the savings queries). Speed targets are checked here, never in timed tests.

pub mod cpu;
pub mod decode;
pub mod export;
pub mod fleet;
pub mod ingest;
pub mod latency_store;
pub mod savings;
pub mod serve;

pub use decode::{DecodeBench, decode_bench, peak_rss_bytes};

/// An allocation query of the benchmarks: `aggregate` and `filter` over `window`, idle hidden,
/// the default sort, 50 rows a page.
///
/// Errors: an aggregate or filter that does not parse.
pub(crate) fn allocation_request(
    window: crate::query::Window,
    aggregate: &str,
    filter: &str,
) -> color_eyre::eyre::Result<crate::query::QueryRequest> {
    use crate::query::{DataKind, IdleMode, QueryRequest, Sort, parse_aggregate, parse_filter};
    Ok(QueryRequest {
        kind: DataKind::Allocation,
        window,
        aggregate: parse_aggregate(aggregate, DataKind::Allocation)?,
        filter: parse_filter(filter, DataKind::Allocation).map_err(|e| color_eyre::eyre::eyre!("{e}"))?,
        idle: IdleMode::Hide,
        sort: Sort::default_for(DataKind::Allocation),
        offset: 0,
        limit: 50,
        cost_metric: crate::model::CostMetricName::AmortizedNetCost,
        rate: Default::default(),
        share: Default::default(),
        search: None,
        labels: Default::default(),
    })
}
