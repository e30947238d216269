//! `costscope ingest [--once|--watch]`. One process writes a database: beside another writer,
//! `--watch` waits for it to stop and `--once` fails with one line (docs/reliability.md).

use crate::aggregator::{Aggregator, IngestOptions, IngestReport, Retention, ingest::ingest_once, readcopy};
use crate::cli::{GlobalArgs, IngestArgs};
use crate::config::Store;
use crate::config::secret::scrub;
use crate::progress::TaskProgress;
use color_eyre::eyre::{Result, WrapErr, bail};
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

/// Open `db` for writing. When another costscope process holds it (the TUI, another `ingest
/// --watch`, in its first pass or not): with `watch`, wait until it stops, saying so once on
/// stderr, then take over (`None` when Ctrl-C ends the wait); without, fail at once, since a
/// one-shot ingest (cron, a script) queued behind a writer that runs for days would never end
/// and that writer keeps the database current anyway (docs/reliability.md, "Writes").
///
/// Errors: the other writer (`ingest --once`), a database DuckDB cannot open.
async fn open_writer(db: &std::path::Path, watch: bool) -> Result<Option<Arc<Aggregator>>> {
    let mut said = false;
    loop {
        match Aggregator::open(db) {
            Ok(agg) => return Ok(Some(Arc::new(agg))),
            Err(e) if readcopy::is_lock_conflict(&e) && !watch => bail!(
                "another costscope process (the TUI or `ingest --watch`) is ingesting into {}; it keeps the database current and every command answers from its read copies (use `ingest --watch` to take over when it stops)",
                db.display()
            ),
            Err(e) if readcopy::is_lock_conflict(&e) => {
                if !said {
                    eprintln!(
                        "waiting: another costscope process (the TUI or `ingest --watch`) is ingesting into {}; this one takes over when it stops (Ctrl-C to stop)",
                        db.display()
                    );
                    said = true;
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    _ = tokio::signal::ctrl_c() => return Ok(None),
                }
            }
            Err(e) => return Err(e).wrap_err_with(|| format!("opening database {}", db.display())),
        }
    }
}

/// `costscope ingest`. Beside another writer, `--watch` waits for it to stop and `--once` fails
/// (`open_writer`).
pub async fn run(global: &GlobalArgs, args: IngestArgs) -> Result<()> {
    let (store, db) = super::store_and_db(global)?;
    let Some(agg) = open_writer(&db, args.watch).await? else {
        return Ok(());
    };
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
