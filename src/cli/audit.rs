//! Command-line arguments of the audit features (docs/audit.md): `costscope verify` and the
//! provenance and report options of the query commands.

use super::ReportFormat;
use clap::Args;
use std::path::PathBuf;

/// Audit options of `allocation`, `assets` and `cloudcost`.
#[derive(Debug, Args, Clone, Default)]
pub struct ReportArgs {
    /// List, for every row, the ETL objects it was computed from: key, sha256, window and the
    /// items of each the row uses (JSON `sources`, a CSV `sources` column, lines under the table).
    #[arg(long)]
    pub provenance: bool,
    /// Head the output with what it was computed from: store identity, window, the command line,
    /// costscope's version (JSON `report`, `# ` lines before a CSV or table).
    #[arg(long)]
    pub report_header: bool,
    /// A manifest written by `costscope verify --manifest`: its sha256 goes into the report
    /// header (implies `--report-header`).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
}

/// `costscope verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only objects whose window overlaps this one (same forms as the query commands' `--window`).
    /// Default: every object.
    #[arg(long)]
    pub window: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Also write an inventory of every object (key, size, sha256, window, totals) to FILE as
    /// JSON, for an auditor to archive and re-check later with `--against`.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Compare the bucket with a manifest written earlier: every added, removed or changed object
    /// is a failure.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,
    /// Skip the comparison of the local database's ingest log with the bucket.
    #[arg(long)]
    pub no_ingest_log: bool,
}
