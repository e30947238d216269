//! Command-line arguments of `costscope savings` (issue 30; docs/user-guide.md, "Savings").

use super::OutputFormat;
use clap::{Args, Subcommand};

/// `costscope savings <kind>`.
#[derive(Debug, Subcommand)]
pub enum SavingsCommand {
    /// Container request right-sizing (Kubecost requestSizingV2, algorithm max): per container
    /// spec, the recommended CPU and RAM requests from the window's maximum use, and what they
    /// would save (negative: under-requested).
    #[command(
        after_help = "Examples:\n  costscope savings requests --window 7d\n  costscope savings requests --filter 'namespace:\"checkout\"' --target-cpu-utilization 0.8 --format json"
    )]
    Requests(RequestsArgs),
}

/// Arguments of `costscope savings requests`.
#[derive(Debug, Args, Clone)]
pub struct RequestsArgs {
    /// Window: today, yesterday, week, month, lastweek, lastmonth, Nh, Nd, an RFC3339 or unix pair.
    /// Default: the last 7 days that hold data.
    #[arg(long)]
    pub window: Option<String>,
    /// Kubecost filter v2 over allocations, e.g. 'namespace:"checkout"+cluster!:"dev"'.
    #[arg(long, default_value = "")]
    pub filter: String,
    /// Sort field and direction: FIELD[:asc|desc], a JSON field of a row (default monthlySavings:desc).
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Rows per page; 0 = all. Default: 50 for `table`, all rows for `json` and `csv`.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Kubecost `targetCPUUtilization`: the share of the recommended CPU request the maximum use fills.
    #[arg(long, default_value_t = 0.7, value_name = "FRACTION")]
    pub target_cpu_utilization: f64,
    /// Kubecost `targetRAMUtilization`.
    #[arg(long, default_value_t = 0.7, value_name = "FRACTION")]
    pub target_ram_utilization: f64,
    /// Kubecost `minRecCPUMillicores`: the smallest CPU recommendation.
    #[arg(long, default_value_t = 10.0, value_name = "MILLICORES")]
    pub min_cpu_millicores: f64,
    /// Kubecost `minRecRAMBytes`, in MiB (1 MiB = 1048576 bytes).
    #[arg(long, default_value_t = 20.0, value_name = "MIB")]
    pub min_ram_mib: f64,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Query the database as it is, without an ingest pass first.
    #[arg(long)]
    pub no_ingest: bool,
}
