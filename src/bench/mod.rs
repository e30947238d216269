//! `costscope bench`: benchmarks of the codec (`decode`) and of the aggregator (`ingest`: cold
//! ingest and paginated query latency; `fleet`: many small files, locally and with per-request
//! latency). Speed targets are checked here, never in timed tests.

pub mod decode;
pub mod fleet;
pub mod ingest;
pub mod latency_store;

pub use decode::{DecodeBench, decode_bench, peak_rss_bytes};
