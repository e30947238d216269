//! The query commands' options (`allocation`, `assets`, `cloudcost`: [`QueryArgs`]) and the clap
//! command whose per-kind `--help` lists only the options each kind takes ([`command`]).
// Doc comments here are clap's help text: `<name>` there names an argument, not an HTML tag.
#![allow(rustdoc::invalid_html_tags)]

use clap::Args;

use super::{Cli, OutputFormat, ReportArgs};
use crate::model::CostMetricName;
use crate::query::{CostRate, IdleMode, ShareSplit};

/// Options of [`QueryArgs`] that only one or two kinds take, by clap id, with the subcommands
/// they apply to: `--help` of the others does not list them (a hidden option still parses, and
/// the command refuses it with a usage error).
const KIND_OPTIONS: &[(&str, &[&str])] = &[
    ("idle", &["allocation"]),
    ("share_namespaces", &["allocation"]),
    ("share_labels", &["allocation"]),
    ("share_cost", &["allocation"]),
    ("share_split", &["allocation"]),
    ("share_tenancy_costs", &["allocation"]),
    ("show_gpu", &["allocation", "assets"]),
    ("show_pv", &["allocation"]),
    ("show_network", &["allocation"]),
    ("show_lb", &["allocation"]),
    ("show_shared", &["allocation"]),
    ("show_efficiency", &["allocation"]),
    ("show_cpu", &["allocation", "assets"]),
    ("show_memory", &["allocation", "assets"]),
    ("cost_metric", &["cloudcost"]),
];

/// The clap command of [`Cli`] with each query subcommand's `--help` listing only the options
/// its kind takes (`KIND_OPTIONS`; issue 28: `cloudcost --help` listed allocation options).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    for sub in ["allocation", "assets", "cloudcost"] {
        cmd = cmd.mut_subcommand(sub, |mut c| {
            for (id, kinds) in KIND_OPTIONS {
                if !kinds.contains(&sub) {
                    c = c.mut_arg(*id, |a| a.hide(true));
                }
            }
            c
        });
    }
    cmd
}

/// Arguments of `allocation`, `assets` and `cloudcost`.
#[derive(Debug, Args, Clone)]
pub struct QueryArgs {
    /// Window: today, yesterday, week, month, lastweek, lastmonth, Nh, Nd, an RFC3339 or unix pair.
    /// Default: the last 7 days that hold data.
    #[arg(long)]
    pub window: Option<String>,
    /// Aggregate keys, comma list (default: allocation namespace; assets type; cloudcost
    /// invoiceEntityID,accountID,provider,providerID,category,service as OpenCost's API).
    #[arg(long)]
    pub aggregate: Option<String>,
    /// Kubecost filter v2, e.g. 'namespace:"kubecost"+cluster!:"dev"'.
    #[arg(long, default_value = "")]
    pub filter: String,
    /// Keep only rows whose name contains TEXT, ignoring case (the TUI's `/` with plain text).
    /// Applied after aggregation: totals and totalRows count the kept rows.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Idle: separate (a <cluster>/__idle__ row per cluster), node (<cluster>/<node>/__idle__),
    /// merged (one __idle__ row, Kubecost's API default), share (spread over the rows by their
    /// CPU, RAM and GPU cost), hide. With a filter, a separate idle row keeps the share of idle
    /// that would go to the rows shown. Allocations only.
    #[arg(long, value_enum, ignore_case = true, default_value_t = IdleMode::SeparateByCluster)]
    pub idle: IdleMode,
    /// Sort column and direction: COL[:asc|desc] (default totalCost:desc).
    #[arg(long)]
    pub sort: Option<String>,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Rows per page; 0 = all. Default: 50 for `table`, all rows for `json` and `csv`.
    #[arg(long)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Cloud costs: listCost, netCost, amortizedNetCost (default), invoicedCost, amortizedCost.
    #[arg(long, value_enum, ignore_case = true, default_value_t = CostMetricName::AmortizedNetCost)]
    pub cost_metric: CostMetricName,
    /// Cost shown: the window's total (`cumulative`, Kubecost's "cumulative cost") or a rate,
    /// every USD column × hours per unit / hours of data (`monthly` = 730 h, kubectl-cost's
    /// default view; `daily` = 24 h; `hourly`).
    #[arg(long, value_enum, ignore_case = true, default_value_t = CostRate::Cumulative)]
    pub rate: CostRate,
    /// Cost over time (Kubecost `accumulate`): `true` one set for the window; `false` one set per
    /// `--step`; `hour`, `day`, `week` (from Sunday), `month`, `quarter` one set per calendar unit
    /// (UTC). Each set is paged and sorted like a window of its own; CSV adds a `window` column.
    #[arg(long, default_value = "true", value_name = "HOW")]
    pub accumulate: String,
    /// Step of `--accumulate false`: 1h, 1d (default) or 1w (Kubecost `step`).
    #[arg(long, value_name = "STEP")]
    pub step: Option<String>,
    /// Share the cost of these namespaces over the other rows (Kubecost `shareNamespaces`): their
    /// rows disappear and their cost lands in the others' sharedCost. Allocations only.
    #[arg(long, value_delimiter = ',', value_name = "NS,...")]
    pub share_namespaces: Vec<String>,
    /// Share allocations with these labels, `key:value` (Kubecost `shareLabels`).
    #[arg(long, value_delimiter = ',', value_name = "K:V,...")]
    pub share_labels: Vec<String>,
    /// A monthly overhead in USD shared over the rows, × hours of data / 730 (Kubecost `shareCost`).
    #[arg(long, value_name = "USD")]
    pub share_cost: Option<String>,
    /// How shared cost is split: `weighted` by each row's cost (default) or `even` (Kubecost `shareSplit`).
    #[arg(long, value_enum, ignore_case = true, default_value_t = ShareSplit::Weighted)]
    pub share_split: ShareSplit,
    /// Share cluster management and node-attached disk costs over each cluster's allocations by
    /// running hours (Kubecost `shareTenancyCosts`; off unless given).
    #[arg(long)]
    pub share_tenancy_costs: bool,
    /// What changed: the same query over `previous` (the window just before, of the same length)
    /// or over WINDOW; per row the previous cost, Δ and Δ % (totalCost; cost for cloud costs),
    /// new and gone rows, sorted by |Δ| descending (top movers). Not with --accumulate/--step.
    #[arg(long, value_name = "previous|WINDOW")]
    pub compare: Option<String>,
    /// Where the month lands: per row and in the totals, the month-to-date cost and the
    /// projection to month end at the run rate of the last 7 days of data (`monthToDate`,
    /// `projectedMonth`; totalCost, cost for cloud costs). "Now" is the end of the newest data,
    /// not the clock (docs/semantics.md §17). Not with --compare or --accumulate/--step.
    #[arg(long)]
    pub project_month: bool,
    /// Query the database as it is, without an ingest pass first.
    #[arg(long)]
    pub no_ingest: bool,
    /// Columns of `--format table`, by id or title (e.g. cpu,ram,pv,total); `all` for every
    /// column. csv and json always hold every column.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub columns: Vec<String>,
    /// kubectl-cost's column flags for `--format table`: with any of them, the table shows those
    /// columns and totalCost only.
    #[arg(long)]
    pub show_cpu: bool,
    /// See `--show-cpu` (RAM).
    #[arg(long)]
    pub show_memory: bool,
    /// See `--show-cpu`.
    #[arg(long)]
    pub show_gpu: bool,
    /// See `--show-cpu`.
    #[arg(long)]
    pub show_pv: bool,
    /// See `--show-cpu`.
    #[arg(long)]
    pub show_network: bool,
    /// See `--show-cpu` (load balancers).
    #[arg(long)]
    pub show_lb: bool,
    /// See `--show-cpu`.
    #[arg(long)]
    pub show_shared: bool,
    /// See `--show-cpu` (totalEfficiency).
    #[arg(long)]
    pub show_efficiency: bool,
    /// Every column in the table (kubectl-cost `-A`).
    #[arg(short = 'A', long)]
    pub show_all_resources: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

impl QueryArgs {
    /// The column words the kubectl-cost `--show-*` flags ask for (`cpu`, `memory`, …), in
    /// table order.
    pub fn show_flags(&self) -> Vec<&'static str> {
        [
            (self.show_cpu, "cpu"),
            (self.show_gpu, "gpu"),
            (self.show_memory, "memory"),
            (self.show_pv, "pv"),
            (self.show_network, "network"),
            (self.show_lb, "lb"),
            (self.show_shared, "shared"),
            (self.show_efficiency, "efficiency"),
        ]
        .into_iter()
        .filter_map(|(on, w)| on.then_some(w))
        .collect()
    }
}
