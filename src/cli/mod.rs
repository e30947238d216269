//! Command-line definitions (clap derive). Global options are accepted before or after the
//! subcommand (`costscope --store s.yaml inspect F` = `costscope inspect F --store s.yaml`).
// Doc comments here are clap's help text: `<cluster>` there names an argument, not an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use clap::{Args, Parser, Subcommand, ValueEnum};

mod audit;
mod export;
mod migrate;
mod query;
mod savings;
mod serve;
mod values;
pub use audit::{ReportArgs, VerifyArgs};
pub use export::ExportArgs;
pub use migrate::MigrateArgs;
pub use query::{QueryArgs, command};
pub use savings::{AbandonedArgs, DisksArgs, NodesArgs, RequestsArgs, SavingsArgs, SavingsCommand, VolumesArgs};
pub use serve::ServeArgs;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  costscope demo                                   a demo bucket ending today, then the TUI
  costscope --store federated-store.yaml           the TUI over a bucket (ingest + federator in the background)
  costscope --store federated-store.yaml --read-only
  costscope --store federated-store.yaml --write-combined   (the TUI's federator writes federated/combined)
  costscope allocation --window 7d --aggregate namespace --idle separate
  costscope assets --aggregate type --format json
  costscope migration --format json
  costscope migrate --apply
  costscope inspect federated/prod/etl/bingen/allocations/1d/1793404800-1793491200
  costscope bench decode --allocations 60000
  costscope bench fleet --clusters 50 --days 30 --latency-ms 20";

/// `costscope allocation --help` examples, with the Kubecost `/model/allocation` parameter each
/// option stands for.
const ALLOCATION_EXAMPLES: &str = "\
Examples (Kubecost /model/allocation parameter → option):
  costscope allocation --window 7d --aggregate namespace                 window, aggregate
  costscope allocation --aggregate namespace,label:team --filter 'namespace!:\"kube-system\"' --idle separate
                                                                         filter, idle/splitIdle
  costscope allocation --window 2026-11-01,2026-11-08 --aggregate pod --sort cpuEfficiency:asc --limit 20 --format csv
  costscope allocation --aggregate namespace --rate monthly              the UI's cost metric (kubectl-cost's default)
  costscope allocation --aggregate namespace --share-namespaces kube-system,monitoring
                                                                         shareNamespaces
  costscope allocation --aggregate namespace --share-labels team:platform --share-split even
                                                                         shareLabels, shareSplit
  costscope allocation --aggregate namespace --share-cost 300            shareCost (USD a month)
  costscope allocation --aggregate cluster --share-tenancy-costs         shareTenancyCosts
  costscope allocation --aggregate namespace --idle share                shareIdle=true
  costscope allocation --window 30d --aggregate namespace --accumulate false --step 1d --format csv
                                                                         accumulate=false, step
  costscope allocation --window 90d --aggregate namespace --accumulate month
                                                                         accumulate=month";

/// costscope: a terminal cost explorer for Kubecost / OpenCost bingen ETL data in object storage.
#[derive(Debug, Parser)]
#[command(name = "costscope", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// The cluster names of a `--clusters A,B` option: each trimmed, empty ones (`prod,` or
/// `prod, ,dev`) dropped. An empty list means every cluster.
pub fn cluster_list(given: &[String]) -> Vec<String> {
    given
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// The parser of a count option: an integer in `lo..=hi`, else clap's own range error (exit 2).
/// Counts a user gives are bounded so that nothing sized by them overflows or takes the machine's
/// memory (docs/reliability.md, "Input").
fn count(lo: u64, hi: u64) -> impl clap::builder::TypedValueParser<Value = usize> {
    use clap::builder::TypedValueParser;
    clap::value_parser!(u64).range(lo..=hi).map(|v| v as usize)
}

/// Options every command accepts.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Thanos objstore file (federated-store.yaml). Default: $COSTSCOPE_STORE, ./federated-store.yaml,
    /// then the user config dir; none found is an error (exit 2), never the demo (see --demo).
    #[arg(long, global = true, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Use the demo bucket written by `costscope demo` (its store file in the cache dir). Without
    /// it, a command that finds no store file fails instead of answering from the demo.
    #[arg(long, global = true, conflicts_with = "store")]
    pub demo: bool,
    /// DuckDB database file. Default: one per store in the user cache dir.
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Never write to the bucket (audits). Also refuses `--write-combined`.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// TUI: let its background federator write the combined sets into the bucket
    /// (`federated/combined/...`). Default: they go to the local cache, so opening the TUI never
    /// writes to the bucket; `costscope federate` writes them on purpose.
    #[arg(long, global = true, conflicts_with = "read_only")]
    pub write_combined: bool,
    /// Objects larger than this (MiB, as stored) are not downloaded: ingest and federate report
    /// them and go on (a gzip file inflating past 512 MiB is refused too).
    #[arg(long, global = true, value_name = "MIB", default_value_t = 512)]
    pub max_object_size: u64,
    /// Object downloads in flight at once while ingesting (memory stays bounded: at most 256 MiB
    /// of downloaded objects are held at a time).
    #[arg(long, global = true, value_name = "N", default_value_t = 16, value_parser = count(0, 4096))]
    pub fetch_concurrency: usize,
}

impl GlobalArgs {
    /// [`GlobalArgs::max_object_size`] in bytes.
    pub fn max_object_bytes(&self) -> u64 {
        self.max_object_size.saturating_mul(1 << 20)
    }

    /// Ingest settings from these options (`--max-object-size`, `--fetch-concurrency`), the rest
    /// at their defaults.
    pub fn ingest_options(&self) -> crate::aggregator::IngestOptions {
        crate::aggregator::IngestOptions {
            max_object_bytes: self.max_object_bytes(),
            fetch_concurrency: self.fetch_concurrency.max(1),
            ..Default::default()
        }
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Decode one bingen ETL file and print it as JSON or a summary (like Kubecost's bingentojson).
    #[command(
        after_help = "Examples:\n  costscope inspect 1793404800-1793491200 --type AllocationSet\n  costscope inspect federated/c1/etl/bingen/assets/1d/1793404800-1793491200 --format json"
    )]
    Inspect(InspectArgs),
    /// Benchmarks (release build recommended).
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Write a realistic multi-cluster demo bucket (ending today) with a FILESYSTEM store file, then
    /// open the TUI on it.
    #[command(after_help = "Examples:\n  costscope demo\n  costscope demo --clusters 5 --days 30 --seed 7 --dir /tmp/demo --no-tui")]
    Demo(DemoArgs),
    /// Load the store's federated/<cluster> ETL files into the local DuckDB database (incremental).
    #[command(after_help = "Examples:\n  costscope ingest --once\n  costscope ingest --watch --store federated-store.yaml")]
    Ingest(IngestArgs),
    /// Allocation costs, aggregated and paginated like Kubecost's /model/allocation.
    #[command(
after_help = ALLOCATION_EXAMPLES
    )]
    Allocation(QueryArgs),
    /// Asset costs (nodes, disks, load balancers, ...), like Kubecost's /model/assets.
    #[command(
        after_help = "Examples:\n  costscope assets --aggregate type\n  costscope assets --aggregate cluster,type --filter 'assetType:\"Node\"' --format json"
    )]
    Assets(QueryArgs),
    /// Cloud costs from the billing integration, like Kubecost's /model/cloudCost.
    #[command(
        after_help = "Examples:\n  costscope cloudcost --aggregate service\n  costscope cloudcost --aggregate accountID,service --cost-metric netCost"
    )]
    Cloudcost(QueryArgs),
    /// Inventory of the bucket: clusters, pipelines, resolutions, windows, empty files, Thanos
    /// blocks, and layouts costscope does not read. --doctor: what is wrong in it (read-only).
    #[command(
        after_help = "Examples:\n  costscope bucket\n  costscope bucket --format json --store federated-store.yaml\n  costscope bucket --doctor\n  costscope bucket --doctor --format json --retention-hours 72 --fail-on-findings"
    )]
    Bucket(BucketArgs),
    /// Merge every cluster's ETL files per window into federated/combined/ (what Kubecost 1.x's
    /// Federator did). With --read-only the output goes to a local directory instead.
    #[command(
        after_help = "Examples:\n  costscope federate --once --dry-run\n  costscope federate --once --clusters prod,staging --cutoff 2026-11-01\n  costscope federate --once --read-only --out ./combined\n  costscope federate            # a pass every 10 minutes until Ctrl-C"
    )]
    Federate(FederateArgs),
    /// Serve the OpenCost/Kubecost cost API (`/allocation`, `/assets`, `/cloudCost`, … bare and
    /// under `/model`) from the local database, ingesting in the background.
    #[command(
        after_help = "Examples:\n  costscope serve                                  http://127.0.0.1:9003/allocation?window=7d&aggregate=namespace\n  costscope serve --listen 0.0.0.0:9003 --token-file ./token\n  VITE_BASE_API_URL=http://127.0.0.1:9003 (OpenCost UI build), OPENCOST_PARQUET_SVC_PORT=9003 (parquet exporter)"
    )]
    Serve(ServeArgs),
    /// Thanos → Aggregator migration progress: per cluster and UTC day, which of the Thanos blocks,
    /// the ETL backup and the federated tree hold the day; % done, ETA, parity of migrated days.
    #[command(
        after_help = "Examples:\n  costscope migration\n  costscope migration --format json > migration.json\n  costscope migration --watch --interval 120\n  costscope migration --cluster-label cluster --map prod=prod-us-east-1,stage=staging-eu-west-1"
    )]
    Migration(MigrationArgs),
    /// Thanos-era ETL backup → per-cluster federated folders (what ETL Utils does): a plan per
    /// cluster × window (create, same, differs, empty source, unreadable); --apply writes only the
    /// `create` files, atomically, and reads each back to verify it. Exits 1 when a write or a
    /// verification failed.
    #[command(
        after_help = "Examples:\n  costscope migrate                                   the plan (a dry run: writes nothing)\n  costscope migrate --clusters prod --from 2026-10-01 --to 2026-10-31 --resolution 1d\n  costscope migrate --apply --jobs 4 --manifest migrated.json\n  costscope migrate --format json"
    )]
    Migrate(MigrateArgs),
    /// Audit the bucket: decode every object, check keys against contents, windows for gaps and
    /// overlaps, hourly against daily sets, combined against the clusters, and the local ingest
    /// log against the bucket; optionally write or compare a manifest. Exits 1 when a check fails.
    #[command(after_help = "Examples:
  costscope verify --read-only
  costscope verify --window 2026-11-01,2026-12-01 --format json
  costscope verify --manifest audit-2026-12.json
  costscope verify --against audit-2026-12.json")]
    Verify(VerifyArgs),
    /// Write the bucket's ETL sets as hive-partitioned Parquet datasets for Spark, Athena/Trino
    /// and ClickHouse (one partition per kind × cluster × day; reruns rewrite only partitions
    /// whose sources changed).
    #[command(
        after_help = "Examples:\n  costscope export --out ./dataset --read-only\n  costscope export --out ./dataset --window 2026-11-01,2026-12-01 --clusters prod,staging --kinds allocations\n  costscope export --out store:exports/parquet --resolution 1h"
    )]
    Export(ExportArgs),
    /// Savings: container request right-sizing (Kubecost requestSizingV2).
    #[command(subcommand)]
    Savings(SavingsCommand),
}

/// Output of `bucket` and `federate`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ReportFormat {
    /// Aligned text.
    Table,
    /// JSON on stdout.
    Json,
}

/// `costscope bucket`.
#[derive(Debug, Args)]
pub struct BucketArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Instead of the inventory, list what is wrong (read-only): empty sets, stale
    /// federated/combined files, hourly files past retention, partial Thanos uploads, federated
    /// windows missing inside a cluster's range, sets whose window disagrees with their key,
    /// unreadable sets; each with its count, bytes and keys. Decodes every ETL set once.
    #[arg(long)]
    pub doctor: bool,
    /// With --doctor: hourly files whose window ended more than this many hours before now are
    /// past retention (Kubecost's etlHourlyStoreDurationHours, default 49).
    #[arg(long, default_value_t = crate::bucket::doctor::DEFAULT_HOURLY_RETENTION_HOURS, requires = "doctor",
          value_parser = clap::value_parser!(i64).range(1..=crate::aggregator::retention::MAX_RETENTION_HOURS))]
    pub retention_hours: i64,
    /// With --doctor: exit 1 (after the report) when anything was found. Without it the doctor
    /// exits 0 whatever it finds.
    #[arg(long, requires = "doctor")]
    pub fail_on_findings: bool,
}

/// `costscope federate`.
#[derive(Debug, Args)]
pub struct FederateArgs {
    /// One pass, then exit. Without it a pass runs every --interval seconds until Ctrl-C.
    #[arg(long)]
    pub once: bool,
    /// List the combined files a pass would write; write nothing anywhere.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these clusters (comma list of directory names under federated/).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub clusters: Vec<String>,
    /// Skip windows that start before this date: YYYY-MM-DD (UTC) or RFC 3339.
    #[arg(long, value_name = "DATE")]
    pub cutoff: Option<String>,
    /// Write the combined files and the manifest under this local directory instead of the
    /// bucket. Default with --read-only: <cache dir>/combined/<hash of the store>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Seconds between passes without --once.
    #[arg(long, default_value_t = 600)]
    pub interval: u64,
    /// Output format of each pass's report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

/// `costscope migration`.
#[derive(Debug, Args)]
pub struct MigrationArgs {
    /// Output format (JSON: `{"clusters":[{"cluster":..,"percentDone":..,"eta":..,"days":[..]}],..}`).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Rescan every --interval seconds until Ctrl-C (JSON: one report per line).
    #[arg(long)]
    pub watch: bool,
    /// Seconds between scans with --watch (a new file is queryable within this plus one pass;
    /// each scan lists the bucket once).
    #[arg(long, default_value_t = 5)]
    pub interval: u64,
    /// Thanos external label that names the cluster in each block's meta.json.
    #[arg(long, default_value = crate::migration::DEFAULT_CLUSTER_LABEL, value_name = "LABEL")]
    pub cluster_label: String,
    /// Thanos label value → federated folder name, for clusters whose names differ (comma list).
    #[arg(long = "map", value_delimiter = ',', value_name = "THANOS=FOLDER")]
    pub cluster_map: Vec<String>,
    /// Minutes without a migration write, at 100 %, before a cluster counts as caught up.
    #[arg(long, default_value_t = 30, value_name = "MINUTES")]
    pub caught_up_after: u32,
    /// Measure % done over the last N days (ETL Utils' ETL_DAILY_STORE_DURATION_DAYS) instead of
    /// the days the federated tree spans.
    #[arg(long, value_name = "N")]
    pub horizon_days: Option<u32>,
    /// Do not decode the federated files: faster, no parity check, empty = at most 86 bytes.
    #[arg(long)]
    pub no_parity: bool,
}

/// `costscope demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Clusters, 1 to 100 (1–6 get realistic names).
    #[arg(long, default_value_t = 3, value_parser = count(1, 100))]
    pub clusters: usize,
    /// Days of data, ending today (UTC), 1 to 3660.
    #[arg(long, default_value_t = 14, value_parser = count(1, 3660))]
    pub days: usize,
    /// Random seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Containers per day in the largest cluster, 1 to 200000.
    #[arg(long, default_value_t = 1500, value_parser = count(1, 200_000))]
    pub containers: usize,
    /// Directory for the bucket (default: <cache dir>/demo). Its federated/ folder is replaced.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Write the bucket and exit.
    #[arg(long)]
    pub no_tui: bool,
}

/// `costscope ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// One pass, then exit (the default).
    #[arg(long, conflicts_with = "watch")]
    pub once: bool,
    /// Keep ingesting new files every `--interval` until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between passes with --watch.
    #[arg(long, default_value_t = 60)]
    pub interval: u64,
    /// Only these clusters (comma list).
    #[arg(long, value_delimiter = ',')]
    pub clusters: Option<Vec<String>>,
    /// Daily retention in days (1 to 36500), counted back from the newest daily window that
    /// decoded (Kubecost default 91).
    #[arg(long, default_value_t = 91, value_parser = clap::value_parser!(i64).range(1..=crate::aggregator::retention::MAX_RETENTION_DAYS))]
    pub retention_days: i64,
    /// Hourly retention in hours (1 to 876000), counted back from the newest hourly window that
    /// decoded (Kubecost default 49).
    #[arg(long, default_value_t = 49, value_parser = clap::value_parser!(i64).range(1..=crate::aggregator::retention::MAX_RETENTION_HOURS))]
    pub retention_hours: i64,
    /// Read again files that failed before although they have not changed (by default a failed
    /// file is retried only when its etag or size changes).
    #[arg(long)]
    pub retry_failed: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
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
        #[arg(long, default_value_t = 60_000, value_parser = count(1, 10_000_000))]
        allocations: usize,
        /// Repetitions (the best is reported).
        #[arg(long, default_value_t = 5, value_parser = count(1, 1000))]
        runs: usize,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a fleet bucket (N clusters × D days of small daily files and H hours of hourly ones),
    /// then time a cold ingest, a warm rerun, cold ingests from an uploaded copy (`--upload-to`)
    /// and a cold ingest with a latency added to every GET.
    Fleet {
        #[arg(long, default_value_t = 50, value_parser = count(1, 10_000))]
        clusters: usize,
        #[arg(long, default_value_t = 30, value_parser = count(1, 3660))]
        days: usize,
        /// Containers per day in the largest cluster (others have 20–100 % of it).
        #[arg(long, default_value_t = 300, value_parser = count(1, 1_000_000))]
        containers: usize,
        /// Hourly allocation and asset sets per cluster: the last this many hours (Kubecost
        /// keeps 49 h).
        #[arg(long, default_value_t = 49, value_parser = count(0, 8784))]
        hourly_hours: usize,
        /// Latency added to every GET of the latency runs, milliseconds (at most a minute).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=60_000))]
        latency_ms: u64,
        /// Store file of a scratch bucket (for example the moto S3 test server's, see
        /// scripts/test-servers.sh) to upload the fleet into and ingest it from, as it is and with
        /// the added latency. Never point this at a Kubecost bucket: it writes `federated/...`.
        #[arg(long, value_name = "FILE")]
        upload_to: Option<PathBuf>,
        /// New files written one by one, each timed until a query shows it (at most 100).
        #[arg(long, default_value_t = 20, value_parser = count(0, 100))]
        fresh_files: usize,
        /// Only the cold local ingest and the warm rerun, with their CPU time per file: the
        /// small-file shape of issue 32 is `--clusters 4 --days 30 --hourly-hours 48`.
        #[arg(long)]
        cold_only: bool,
        /// Work directory (the bucket is kept and reused; default: <cache dir>/bench).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Export the ingest benchmark's bucket (N containers/day × D days) to Parquet and time it.
    Export {
        #[arg(long, default_value_t = 60_000, value_parser = count(1, 1_000_000))]
        containers: usize,
        #[arg(long, default_value_t = 30, value_parser = count(1, 3660))]
        days: usize,
        /// Partitions written at once, 1 to 1024 (default: the number of CPUs).
        #[arg(long, value_parser = count(1, 1024))]
        concurrency: Option<usize>,
        /// Work directory (the bucket is kept and reused; default: <cache dir>/bench).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a bucket of N containers/day × D days, cold-ingest it, and time paginated queries.
    Ingest {
        #[arg(long, default_value_t = 60_000, value_parser = count(1, 1_000_000))]
        containers: usize,
        #[arg(long, default_value_t = 30, value_parser = count(1, 3660))]
        days: usize,
        /// Query repetitions for p50/p99.
        #[arg(long, default_value_t = 50, value_parser = count(1, 100_000))]
        runs: usize,
        /// Work directory (bucket is kept and reused; default: <cache dir>/bench).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Cold-ingest the ingest benchmark's bucket (N containers/day × D days), reopen the database
    /// and time request right-sizing over the whole window (first and second call) and every
    /// other savings kind once (docs/performance.md, "Savings").
    Savings {
        #[arg(long, default_value_t = 60_000, value_parser = count(1, 1_000_000))]
        containers: usize,
        #[arg(long, default_value_t = 30, value_parser = count(1, 3660))]
        days: usize,
        /// Work directory (bucket is kept and reused; default: <cache dir>/bench).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Serve the ingest benchmark's bucket on a loopback port and drive it with concurrent HTTP
    /// clients: req/s and p50/p99 per request shape (docs/performance.md, "serve").
    Serve {
        #[arg(long, default_value_t = 60_000, value_parser = count(1, 1_000_000))]
        containers: usize,
        #[arg(long, default_value_t = 30, value_parser = count(1, 3660))]
        days: usize,
        /// Concurrent clients.
        #[arg(long, default_value_t = 32, value_parser = count(1, 1024))]
        clients: usize,
        /// Requests per shape.
        #[arg(long, default_value_t = 4000, value_parser = count(1, 10_000_000))]
        requests: usize,
        /// Work directory (bucket is kept and reused; default: <cache dir>/bench).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// A mistake in what the user typed (a window, aggregate, filter or sort that does not parse):
/// reported as one line and exit code 2, like clap's own usage errors. Internal failures keep
/// exit code 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
