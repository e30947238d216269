//! Command-line arguments of `costscope export` (docs/scale-out.md).

use super::ReportFormat;
use clap::Args;

/// `costscope export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output: a local directory, or `store:PREFIX` for a prefix in the store itself (refused
    /// with `--read-only`).
    #[arg(long, value_name = "DIR|store:PREFIX")]
    pub out: String,
    /// Only days overlapping this window (same forms as the query commands' `--window`).
    /// Default: every day in the bucket.
    #[arg(long)]
    pub window: Option<String>,
    /// Only these clusters (comma list of directory names under federated/).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub clusters: Vec<String>,
    /// Which data: allocations, assets, cloudcosts (comma list; default all three).
    #[arg(long, value_delimiter = ',', default_value = "allocations,assets,cloudcosts")]
    pub kinds: Vec<String>,
    /// `1d`: the daily sets (default); `1h`: the hourly sets, with an `hour` column, under
    /// `<kind>_1h/`.
    #[arg(long, default_value = "1d", value_parser = ["1d", "1h"])]
    pub resolution: String,
    /// Partitions written at once, 1 to 1024 (default: the number of CPUs).
    #[arg(long, value_name = "N", value_parser = super::count(1, 1024))]
    pub concurrency: Option<usize>,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}
