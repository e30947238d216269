//! `costscope [--store FILE] [--read-only]`: the TUI over a live bucket, with the federator and
//! the aggregator's ingest running as background tasks (docs/architecture.md). Data appears in the
//! TUI as it is ingested; the Pipeline view shows both tasks' progress. A third task rescans the
//! bucket for the Migration view (Thanos → Aggregator progress).

use crate::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use crate::cli::GlobalArgs;
use crate::config::Store;
use crate::federator::{self, FederateOptions, Output};
use crate::migration;
use crate::progress::{Phase, TaskProgress};
use crate::query::CostSource;
use crate::tui::{self, TuiContext};
use color_eyre::eyre::Result;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Seconds between ingest passes: new bucket files show up within this (docs/performance.md: under 10 s).
pub const INGEST_INTERVAL: Duration = crate::aggregator::ingest::WATCH_INTERVAL;

/// Seconds between migration scans for the Migration view (a rescan of an unchanged bucket is one
/// listing; changed sets are decoded again).
pub const MIGRATION_INTERVAL: Duration = Duration::from_secs(60);

/// The TUI draws on a terminal: without one (a pipe, cron, CI) say so and name the CLI
/// subcommands that answer the same questions, instead of the OS error the terminal setup gives
/// (`No such device or address`).
///
/// Errors: a [`crate::cli::UsageError`] (exit 2) when stdin or stdout is not a terminal.
fn require_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(crate::cli::UsageError(
        "the TUI needs a terminal (stdin and stdout); without one use the CLI: costscope allocation|assets|cloudcost|bucket|migration|ingest --once (see costscope --help)"
            .into(),
    )
    .into())
}

/// Ingest forever: a pass, then `Waiting` with `next_run`, until `cancel`. A failed pass is shown
/// as `Failed` with its error and retried at the next interval.
pub async fn ingest_loop(
    agg: Arc<Aggregator>,
    store: Store,
    opts: IngestOptions,
    tx: watch::Sender<TaskProgress>,
    cancel: CancellationToken,
) {
    loop {
        let r = tokio::select! {
            r = ingest_once(agg.clone(), store.inner.clone(), &opts, &tx) => r,
            _ = cancel.cancelled() => return,
        };
        let next = chrono::Utc::now() + chrono::Duration::from_std(INGEST_INTERVAL).unwrap_or_default();
        tx.send_modify(|p| {
            match &r {
                Ok(_) => p.phase = Phase::Waiting,
                Err(e) => {
                    tracing::warn!(error = %e, "ingest pass failed");
                    p.phase = Phase::Failed;
                    p.error = Some(e.to_string());
                }
            }
            p.last_run = Some(chrono::Utc::now());
            p.next_run = Some(next);
        });
        tokio::select! {
            _ = tokio::time::sleep(INGEST_INTERVAL) => {}
            _ = cancel.cancelled() => return,
        }
    }
}

/// The ingest task of a TUI that opened another process's read copy (it cannot write): every
/// [`INGEST_INTERVAL`] switch to the newest copy that process published
/// ([`Aggregator::follow_newest_copy`]); a switch counts as a finished pass, so the views
/// re-query (issue 35: such a TUI showed its first copy's figures for good, and its ingest failed
/// with "Cannot append to a readonly database").
pub async fn follow_loop(agg: Arc<Aggregator>, tx: watch::Sender<TaskProgress>, cancel: CancellationToken) {
    loop {
        let a = agg.clone();
        let switched = tokio::task::spawn_blocking(move || a.follow_newest_copy()).await;
        let next = chrono::Utc::now() + chrono::Duration::from_std(INGEST_INTERVAL).unwrap_or_default();
        tx.send_modify(|p| {
            p.phase = Phase::Waiting;
            match &switched {
                Ok(Ok(true)) => {
                    p.last_run = Some(chrono::Utc::now());
                    p.error = None;
                }
                Ok(Ok(false)) => p.error = None,
                Ok(Err(e)) => p.error = Some(format!("following the other process's read copy: {e}")),
                Err(e) => p.error = Some(format!("following the other process's read copy: {e}")),
            }
            p.next_run = Some(next);
        });
        tokio::select! {
            _ = tokio::time::sleep(INGEST_INTERVAL) => {}
            _ = cancel.cancelled() => return,
        }
    }
}

/// What the Migration view scans with, shared by the TUI and `costscope serve`'s
/// `/costscope/migration`: the default [`migration::MigrationOptions`] with `--max-object-size`,
/// and the ingested days read from `agg`'s ingest log.
pub fn migration_inputs(global: &GlobalArgs, agg: &Arc<Aggregator>) -> (migration::MigrationOptions, migration::IngestedDaysFn) {
    let agg = agg.clone();
    let ingested_days: migration::IngestedDaysFn = Arc::new(move || {
        agg.ingested_days()
            .map_err(|e| migration::IngestedDaysError::Db(crate::query::DatabaseError::new(e)))
    });
    let options = migration::MigrationOptions {
        max_object_bytes: global.max_object_bytes(),
        ..Default::default()
    };
    (options, ingested_days)
}

/// Where the TUI's `e` writes its CSV files: the working directory, unless that is inside a
/// FILESYSTEM store's directory (the TUI never writes into the bucket, docs/reliability.md,
/// "Writes"); then `<state dir>/exports`.
fn export_dir(cwd: std::path::PathBuf, store_root: Option<&std::path::Path>) -> std::path::PathBuf {
    match store_root {
        Some(root) if super::is_inside(&cwd, root) => crate::config::state_dir().join("exports"),
        _ => cwd,
    }
}

/// Open the store and its database, start the background tasks and run the TUI until the user
/// quits. The federator writes its combined output to a local directory, so the bucket receives no
/// write, unless `--write-combined` asks for `federated/combined` in the bucket (docs/user-guide.md).
pub async fn run(global: &GlobalArgs) -> Result<()> {
    require_terminal()?;
    let (store, agg) = super::open_waiting(global).await?;
    let _log = tui::logging::log_to_file(&crate::config::state_dir())?;
    tracing::info!(store = %store.description, db = %agg.path().display(), "starting the TUI");
    let cancel = CancellationToken::new();
    let (fed_tx, fed_rx) = watch::channel(TaskProgress::new(crate::progress::TaskId::Federator));
    let (ing_tx, ing_rx) = watch::channel(TaskProgress::new(crate::progress::TaskId::Ingest));
    let (output, mode) = if global.write_combined {
        (Output::Bucket, "combined → bucket".to_string())
    } else {
        let dir = federator::default_local_dir(&store.identity);
        let mode = format!(
            "{} · combined → {}",
            if global.read_only { "read-only" } else { "no bucket writes" },
            dir.display()
        );
        (Output::LocalDir(dir), mode)
    };
    let fed_opts = FederateOptions {
        output,
        bucket_root: store.local_root.clone(),
        max_object_bytes: global.max_object_bytes(),
        ..Default::default()
    };
    let fed_store = store.inner.clone();
    let fed_cancel = cancel.clone();
    let fed = tokio::spawn(async move {
        let mut log_pass = |r: &Result<federator::FederateReport, federator::FederateError>| match r {
            Ok(r) => tracing::info!(written = r.written, unchanged = r.unchanged, failed = r.failed, "federator pass"),
            Err(e) => tracing::warn!(error = %e, "federator pass failed"),
        };
        federator::run_loop(fed_store, &fed_opts, federator::DEFAULT_INTERVAL, fed_tx, fed_cancel, &mut log_pass).await
    });
    let ing = if agg.is_read_copy() {
        // Another process (`ingest --watch`, another TUI) writes the database: follow its copies.
        tokio::spawn(follow_loop(agg.clone(), ing_tx, cancel.clone()))
    } else {
        tokio::spawn(ingest_loop(
            agg.clone(),
            store.clone(),
            global.ingest_options(),
            ing_tx,
            cancel.clone(),
        ))
    };
    let (mig_tx, mig_rx) = watch::channel(migration::MigrationStatus::default());
    let (horizon_tx, horizon_rx) = watch::channel(None);
    let (mig_options, ingested_days) = migration_inputs(global, &agg);
    let mig = tokio::spawn(migration::run_loop(
        store.inner.clone(),
        mig_options,
        ingested_days,
        MIGRATION_INTERVAL,
        mig_tx,
        horizon_rx,
        cancel.clone(),
    ));
    let ctx = TuiContext {
        store_label: format!("{} · {mode}", store.description),
        source: agg.clone() as Arc<dyn CostSource>,
        progress: vec![fed_rx, ing_rx],
        export_dir: export_dir(std::env::current_dir()?, store.local_root.as_deref()),
        now: crate::clock::now,
        migration: Some(mig_rx),
        migration_horizon: Some(horizon_tx),
        labels: crate::config::AppConfig::load()?.labels,
    };
    let result = tui::run(ctx).await;
    cancel.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = fed.await;
        let _ = ing.await;
        let _ = mig.await;
    })
    .await;
    result
}

#[cfg(test)]
mod tests {
    /// Started inside a directory bucket (or a symlink to it), the TUI exports elsewhere.
    #[test]
    fn the_tui_never_exports_into_a_directory_store() {
        let tmp = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(tmp.path()).unwrap().join("bucket");
        std::fs::create_dir_all(root.join("federated")).unwrap();
        std::os::unix::fs::symlink(&root, tmp.path().join("link")).unwrap();
        for cwd in [root.clone(), root.join("federated"), tmp.path().join("link/federated")] {
            let d = super::export_dir(cwd.clone(), Some(&root));
            assert!(d.ends_with("exports") && !super::super::is_inside(&d, &root), "{}", cwd.display());
        }
        let outside = tmp.path().join("elsewhere");
        assert_eq!(super::export_dir(outside.clone(), Some(&root)), outside);
        assert_eq!(super::export_dir(root.clone(), None), root);
    }
}
