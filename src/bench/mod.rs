//! `costscope bench`: benchmarks of the codec (`decode`) and of the aggregator (`ingest`: cold
//! ingest and paginated query latency). Speed targets are checked here, never in timed tests.

pub mod decode;
pub mod ingest;

pub use decode::{DecodeBench, decode_bench, peak_rss_bytes};
