//! Rescanning in the background for the TUI: [`run_loop`] scans, publishes a [`MigrationStatus`]
//! on a `watch` channel, sleeps, and repeats until cancelled, keeping the scanner's read cache so
//! a rescan of an unchanged bucket costs one listing.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use object_store::ObjectStore;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{MigrationOptions, MigrationReport, Scanner};

/// Returns the ingested days as `(federated folder, UTC day start in Unix seconds)`. It may block
/// (the binary queries DuckDB), so [`run_loop`] calls it on a blocking thread.
pub type IngestedDaysFn = Arc<dyn Fn() -> Result<HashSet<(String, i64)>, IngestedDaysError> + Send + Sync>;

/// Why the ingested days could not be read.
#[derive(Debug, thiserror::Error)]
pub enum IngestedDaysError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] crate::query::DatabaseError),
    /// The task reading them died.
    #[error("ingested-days task failed: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// What the background scanner last published.
#[derive(Clone, Debug, Default)]
pub struct MigrationStatus {
    /// The newest report (kept while a later scan fails).
    pub report: Option<Arc<MigrationReport>>,
    /// True while a scan runs.
    pub scanning: bool,
    /// Why the last scan failed, or why the ingested days were unavailable for it.
    pub error: Option<String>,
    /// When the last scan finished.
    pub last_scan: Option<DateTime<Utc>>,
    /// When the next scan starts.
    pub next_scan: Option<DateTime<Utc>>,
}

/// Call `f` on a blocking thread (it may query DuckDB) and wait for its answer.
///
/// Errors: `f`'s, or [`IngestedDaysError::Task`] when the thread died.
pub async fn ingested_days_blocking(f: &IngestedDaysFn) -> Result<HashSet<(String, i64)>, IngestedDaysError> {
    let f = Arc::clone(f);
    tokio::task::spawn_blocking(move || f())
        .await
        .unwrap_or_else(|e| Err(IngestedDaysError::Task(e)))
}

/// Scan `store` every `interval` until `cancel`, publishing each result on `tx`. A failed scan
/// keeps the previous report and sets [`MigrationStatus::error`]; when `ingested_days` fails the
/// scan runs with no ingested days and says so in `error`. A new value on `horizon` (the TUI's
/// `H`: [`MigrationOptions::horizon_days`]) replaces the option and rescans at once. Returns when
/// cancelled or when every receiver is gone.
pub async fn run_loop(
    store: Arc<dyn ObjectStore>,
    options: MigrationOptions,
    ingested_days: IngestedDaysFn,
    interval: Duration,
    tx: watch::Sender<MigrationStatus>,
    mut horizon: watch::Receiver<Option<i64>>,
    cancel: CancellationToken,
) {
    let mut scanner = Scanner::new(options);
    let mut horizon_live = true;
    loop {
        if tx.is_closed() {
            return;
        }
        if horizon_live {
            scanner.options.horizon_days = *horizon.borrow_and_update();
        }
        tx.send_modify(|s| s.scanning = true);
        let days = ingested_days_blocking(&ingested_days).await;
        let (ingested, days_error) = match days {
            Ok(d) => (d, None),
            Err(e) => (HashSet::new(), Some(format!("ingested days unavailable: {e}"))),
        };
        let result = tokio::select! {
            r = scanner.scan(&*store, &ingested, crate::clock::now()) => r,
            _ = cancel.cancelled() => return,
        };
        let finished = crate::clock::now();
        tx.send_modify(|s| {
            s.scanning = false;
            s.last_scan = Some(finished);
            s.next_scan = chrono::Duration::from_std(interval).ok().map(|d| finished + d);
            match result {
                Ok(report) => {
                    s.report = Some(Arc::new(report));
                    s.error = days_error;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "migration scan failed");
                    s.error = Some(e.to_string());
                }
            }
        });
        let sleep = tokio::time::sleep(interval);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                _ = cancel.cancelled() => return,
                changed = horizon.changed(), if horizon_live => match changed {
                    Ok(()) => break,
                    // The sender is gone: keep the last horizon, rescan on the interval.
                    Err(_) => horizon_live = false,
                },
            }
        }
    }
}
