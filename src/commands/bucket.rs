//! `costscope bucket [--format table|json] [--doctor]`: list the bucket once and print its
//! inventory, or (`--doctor`) what is wrong in it.

use crate::bucket::{self, Inventory, doctor, render_table, summarize};
use crate::cli::{BucketArgs, GlobalArgs, ReportFormat};
use color_eyre::eyre::{Result, WrapErr};

/// `--fail-on-findings` and the doctor found something (exit 1, after the report).
#[derive(Debug, thiserror::Error)]
#[error("the doctor found {0} thing(s) to look at (--fail-on-findings)")]
pub struct FindingsFound(pub usize);

/// `costscope bucket`: one listing, then the table (one line per cluster × pipeline ×
/// resolution, Thanos totals, notes) or the same summary as JSON on stdout; with `--doctor` the
/// [`doctor::DoctorReport`] of that listing instead.
///
/// Errors: no store file, a bad store config, or a listing that fails after retries;
/// [`FindingsFound`] with `--doctor --fail-on-findings` when anything was found.
pub async fn run(global: &GlobalArgs, args: BucketArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let inv = super::noting_waits(&store.description, bucket::scan(&*store.inner))
        .await
        .wrap_err_with(|| format!("scanning {}", store.description))?;
    if args.doctor {
        return run_doctor(global, &args, &*store.inner, &store.description, &inv).await;
    }
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

/// `--doctor`: decode each ETL set of the listing once, diagnose, print.
async fn run_doctor(
    global: &GlobalArgs,
    args: &BucketArgs,
    store: &dyn object_store::ObjectStore,
    description: &str,
    inv: &Inventory,
) -> Result<()> {
    let sets = super::noting_waits(description, doctor::read::read_sets(store, inv, global.max_object_bytes())).await;
    let report = doctor::diagnose(inv, &sets, args.retention_hours, crate::clock::now());
    let text = match args.format {
        ReportFormat::Table => format!("{description}\n\n{}", doctor::render::render_table(&report)),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    super::write_stdout(&text)?;
    if args.fail_on_findings && report.total_findings > 0 {
        return Err(FindingsFound(report.total_findings).into());
    }
    Ok(())
}
