//! `costscope bucket [--format table|json]`: list the bucket once and print its inventory.

use crate::bucket::{self, render_table, summarize};
use crate::cli::{BucketArgs, GlobalArgs, ReportFormat};
use color_eyre::eyre::{Result, WrapErr};

/// `costscope bucket`: one listing, then the table (one line per cluster × pipeline ×
/// resolution, Thanos totals, notes) or the same summary as JSON on stdout.
///
/// Errors: no store file, a bad store config, or a listing that fails after retries.
pub async fn run(global: &GlobalArgs, args: BucketArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let inv = bucket::scan(&*store.inner)
        .await
        .wrap_err_with(|| format!("scanning {}", store.description))?;
    let summary = summarize(&inv);
    let text = match args.format {
        ReportFormat::Table => format!("{}\n\n{}", store.description, render_table(&summary)),
        ReportFormat::Json => serde_json::to_string_pretty(&summary)? + "\n",
    };
    super::write_stdout(&text)?;
    Ok(())
}
