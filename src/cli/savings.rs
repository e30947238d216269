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
    /// Unclaimed volumes: persistent volumes no pod mounted in the window (only `__unmounted__`
    /// allocations held them, or their disk had no claim), with their monthly cost.
    #[command(
        after_help = "Examples:\n  costscope savings volumes --window 30d\n  costscope savings volumes --filter 'cluster:\"prod\"' --format csv"
    )]
    Volumes(VolumesArgs),
    /// Disk right-sizing: persistent volumes sized to their maximum use plus headroom (Kubecost
    /// persistentVolumeSizing); with --local, node-local disks under 20 % used (Kubecost
    /// localLowDisks).
    #[command(after_help = "Examples:\n  costscope savings disks --headroom-pct 25\n  costscope savings disks --local --format json")]
    Disks(DisksArgs),
    /// Abandoned workloads: controllers whose pods sent and received fewer than --threshold
    /// bytes/s over the window (Kubecost abandonedWorkloads), with their monthly cost.
    #[command(after_help = "Examples:\n  costscope savings abandoned\n  costscope savings abandoned --days 7 --threshold 1000")]
    Abandoned(AbandonedArgs),
    /// Underutilized nodes: nodes whose CPU and RAM use (Node asset breakdowns) both stay under
    /// the profile's maximum utilization, with their monthly cost.
    #[command(after_help = "Examples:\n  costscope savings nodes\n  costscope savings nodes --profile high-availability --format json")]
    Nodes(NodesArgs),
}

/// The options every savings kind takes (those of `costscope allocation` that apply).
#[derive(Debug, Args, Clone)]
pub struct SavingsArgs {
    /// Window: today, yesterday, week, month, lastweek, lastmonth, Nh, Nd, an RFC3339 or unix pair.
    /// Default: the last 7 days that hold data.
    #[arg(long)]
    pub window: Option<String>,
    /// Kubecost filter v2 over the kind's items (allocations for requests and abandoned, assets
    /// for volumes, disks and nodes), e.g. 'cluster:"prod"'.
    #[arg(long, default_value = "")]
    pub filter: String,
    /// Sort field and direction: FIELD[:asc|desc], a JSON field of a row (default: the monthly
    /// figure, descending).
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Rows per page; 0 = all. Default: 50 for `table`, all rows for `json` and `csv`.
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Query the database as it is, without an ingest pass first.
    #[arg(long)]
    pub no_ingest: bool,
}

/// Arguments of `costscope savings requests`.
#[derive(Debug, Args, Clone)]
pub struct RequestsArgs {
    #[command(flatten)]
    pub common: SavingsArgs,
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
}

/// Arguments of `costscope savings volumes`.
#[derive(Debug, Args, Clone)]
pub struct VolumesArgs {
    #[command(flatten)]
    pub common: SavingsArgs,
}

/// Arguments of `costscope savings disks`.
#[derive(Debug, Args, Clone)]
pub struct DisksArgs {
    #[command(flatten)]
    pub common: SavingsArgs,
    /// Kubecost `headroomPct`: percent of the maximum use added for the recommended capacity.
    #[arg(long, default_value_t = 10.0, value_name = "PERCENT")]
    pub headroom_pct: f64,
    /// Node-local disks whose maximum use stays under --low-utilization of their size, instead
    /// of persistent volumes (Kubecost localLowDisks).
    #[arg(long)]
    pub local: bool,
    /// With --local: the largest maximum-use ÷ size listed.
    #[arg(long, default_value_t = 0.2, value_name = "FRACTION")]
    pub low_utilization: f64,
}

/// Arguments of `costscope savings abandoned`.
#[derive(Debug, Args, Clone)]
pub struct AbandonedArgs {
    #[command(flatten)]
    pub common: SavingsArgs,
    /// Kubecost `days`: the window is the last DAYS days that hold data (unless --window).
    #[arg(long, default_value_t = 2, conflicts_with = "window")]
    pub days: u32,
    /// Kubecost `threshold`: bytes in + out per second under which a workload is abandoned.
    #[arg(long, default_value_t = 500.0, value_name = "BYTES_PER_SECOND")]
    pub threshold: f64,
}

/// Arguments of `costscope savings nodes`.
#[derive(Debug, Args, Clone)]
pub struct NodesArgs {
    #[command(flatten)]
    pub common: SavingsArgs,
    /// Kubecost's profile: development (0.8), production (0.65) or high-availability (0.5).
    #[arg(long, default_value = "production", conflicts_with = "max_utilization")]
    pub profile: String,
    /// The largest CPU and RAM utilization of a node listed (overrides --profile).
    #[arg(long, value_name = "FRACTION")]
    pub max_utilization: Option<f64>,
}
