//! Command-line definitions (clap derive). Global options are accepted before or after the
//! subcommand (`costscope --store s.yaml inspect F` = `costscope inspect F --store s.yaml`).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  costscope inspect federated/prod/etl/bingen/allocations/1d/1793404800-1793491200
  costscope inspect FILE --format json > set.json
  costscope inspect backup.bin --type AssetSet
  costscope bench decode --allocations 60000";

/// costscope: a terminal cost explorer for Kubecost / OpenCost bingen ETL data in object storage.
#[derive(Debug, Parser)]
#[command(name = "costscope", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Thanos objstore file (federated-store.yaml). Default: $COSTSCOPE_STORE, ./federated-store.yaml,
    /// then the user config dir.
    #[arg(long, global = true, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// DuckDB database file. Default: one per store in the user cache dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Never write to the bucket.
    #[arg(long, global = true)]
    pub read_only: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode one bingen ETL file and print it as JSON or a summary (like Kubecost's bingentojson).
    #[command(after_help = "Examples:\n  costscope inspect 1793404800-1793491200 --type AllocationSet\n  costscope inspect federated/c1/etl/bingen/assets/1d/1793404800-1793491200 --format json")]
    Inspect(InspectArgs),
    /// Benchmarks (release build recommended).
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// `costscope inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Path to a bingen file (plain or gzip).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Summary)]
    pub format: InspectFormat,
    /// Root type, when the path does not say (AllocationSet, AssetSet, CloudCostSet,
    /// AllocationSetRange, AssetSetRange, CloudCostSetRange, Allocation, Window).
    #[arg(long = "type", value_name = "ROOT")]
    pub root_type: Option<String>,
}

/// Output of `inspect`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum InspectFormat {
    /// Root type, codec versions, window, item count, cost totals.
    Summary,
    /// The decoded values with Kubecost's field names.
    Json,
}

/// `costscope bench ...`.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Encode a realistic AllocationSet, then measure decode throughput and peak memory.
    Decode {
        /// Allocations in the set.
        #[arg(long, default_value_t = 60_000)]
        allocations: usize,
        /// Repetitions (the best is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}
