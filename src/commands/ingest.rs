//! `costscope ingest [--once|--watch]`.

use crate::aggregator::{Aggregator, IngestOptions, IngestReport, Retention, ingest::ingest_once};
use crate::cli::{GlobalArgs, IngestArgs};
use crate::config::Store;
use crate::config::secret::scrub;
use crate::progress::TaskProgress;
use color_eyre::eyre::{Result, bail};
use std::sync::Arc;
use tokio::sync::watch;

/// Run one ingest pass with a progress bar on stderr (only on a terminal and when `quiet` is
/// false; see [`super::progress_bar`]); skipped files are reported as warnings, retention removals as notes. Returns the report.
pub async fn ingest_with_progress(agg: Arc<Aggregator>, store: &Store, opts: &IngestOptions, quiet: bool) -> Result<IngestReport> {
    let (tx, rx) = watch::channel(TaskProgress::new(crate::progress::TaskId::Ingest));
    let display = super::progress_bar::spawn(rx, ingest_line, quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let r = ingest_once(agg, store.inner.clone(), opts, &tx).await;
    drop(tx);
    display.finish().await;
    let r = r?;
    for f in &r.failures {
        eprintln!("warning: skipped {}: {}", scrub(&f.key), scrub(&f.reason));
    }
    for n in &r.notes {
        eprintln!("note: {}", scrub(n));
    }
    Ok(r)
}

/// `ingest: 6/97 files, 120345 rows, 12.3 MB`.
fn ingest_line(p: &TaskProgress) -> String {
    format!(
        "ingest: {}/{} files, {} rows, {:.1} MB",
        p.done,
        p.total,
        p.rows,
        p.bytes as f64 / 1e6
    )
}

/// `costscope ingest`.
pub async fn run(global: &GlobalArgs, args: IngestArgs) -> Result<()> {
    let (store, agg) = super::open(global)?;
    if agg.is_read_copy() {
        bail!("another costscope process is already ingesting into this database; its results are shared with every command");
    }
    let opts = IngestOptions {
        retention: Retention {
            daily_days: args.retention_days,
            hourly_hours: args.retention_hours,
        },
        clusters: args.clusters.clone(),
        retry_failed: args.retry_failed,
        ..global.ingest_options()
    };
    loop {
        let r = ingest_with_progress(agg.clone(), &store, &opts, false).await?;
        super::write_stdout(&format!(
            "{}: {} files ({} ingested, {} unchanged, {} removed, {} failed), {} rows, {:.1} MB in {:.2} s → {}\n",
            store.description,
            r.files,
            r.ingested,
            r.unchanged,
            r.removed,
            r.failures.len(),
            r.rows,
            r.bytes as f64 / 1e6,
            r.seconds,
            agg.path().display()
        ))?;
        if !args.watch {
            if !r.failures.is_empty() {
                bail!(
                    "{} file(s) could not be ingested (listed above); everything else was. Fix or remove them; `costscope ingest --retry-failed` reads them again",
                    r.failures.len()
                );
            }
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(args.interval)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
