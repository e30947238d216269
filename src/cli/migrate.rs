//! Command-line arguments of `costscope migrate` (docs/user-guide.md, "Migrate").

use super::ReportFormat;
use clap::Args;
use std::path::PathBuf;

/// `costscope migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Write the `create` files (the cluster shares with no federated file), then read each back
    /// and verify it. Without it: a dry run that writes nothing. Refused with --read-only.
    #[arg(long)]
    pub apply: bool,
    /// Only these clusters (comma list of federated folder names = the items' properties.cluster).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub clusters: Vec<String>,
    /// Only windows starting on or after this UTC day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Only windows starting on or before this UTC day (YYYY-MM-DD, inclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// Only this resolution (`1d` or `1h`); default both.
    #[arg(long, value_parser = ["1d", "1h"])]
    pub resolution: Option<String>,
    /// Which pipelines (comma list of allocations, assets; default both).
    #[arg(long, value_delimiter = ',', default_value = "allocations,assets", value_parser = ["allocations", "assets"])]
    pub pipelines: Vec<String>,
    /// Combined backup sets read, split and written at once, 1 to 64 (each holds one set in memory).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = super::count(1, 64))]
    pub jobs: usize,
    /// With --apply: write every created key with its size and sha256 to FILE, in `verify`'s
    /// manifest format (docs/audit.md).
    #[arg(long, value_name = "FILE", requires = "apply")]
    pub manifest: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}
