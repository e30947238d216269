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
    let inv = super::noting_waits(&store.description, bucket::scan(&*store.inner))
        .await
        .wrap_err_with(|| format!("scanning {}", store.description))?;
    let mut summary = summarize(&inv);
    if let Some(root) = &store.local_root {
        let staging = crate::config::dir_store::staging_files(root, "", std::time::Duration::ZERO);
        if !staging.is_empty() {
            let bytes: u64 = staging.iter().map(|(_, b)| b).sum();
            let names: Vec<String> = staging.iter().take(6).map(|(p, _)| p.display().to_string()).collect();
            summary.notes.push(format!(
                "{} staging file(s) of interrupted writes ({bytes} bytes, not objects), e.g. {}; `costscope federate` removes those under federated/combined older than 10 minutes",
                staging.len(),
                names.join(", ")
            ));
        }
    }
    let text = match args.format {
        ReportFormat::Table => format!("{}\n\n{}", store.description, render_table(&summary)),
        ReportFormat::Json => serde_json::to_string_pretty(&summary)? + "\n",
    };
    super::write_stdout(&text)?;
    Ok(())
}
