//! costscope's own status routes: `/costscope/migration` answers the Migration view's
//! [`MigrationReport`] (what `costscope migration --format json` prints) and
//! `/costscope/pipeline` the Pipeline view's background tasks ([`TaskProgress`], one per task).
//! Both are built by the same code as the TUI and the CLI; docs/api.md gives the shapes.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use object_store::ObjectStore;
use tokio::sync::Mutex;

use crate::migration::{
    IngestedDaysError, IngestedDaysFn, MigrationError, MigrationOptions, MigrationReport, Scanner, ingested_days_blocking,
};
use crate::progress::TaskProgress;

/// Why a status route could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// This server was started without a bucket to scan (a benchmark's server).
    #[error("this server has no bucket to scan for migration progress")]
    Unavailable,
    /// The bucket could not be listed.
    #[error(transparent)]
    Listing(#[from] MigrationError),
    /// The ingested days could not be read from the database.
    #[error(transparent)]
    IngestedDays(#[from] IngestedDaysError),
}

/// The bucket and database the Migration view scans, with the scanner's read cache kept across
/// requests (a rescan of an unchanged bucket costs one listing).
pub struct MigrationSource {
    store: Arc<dyn ObjectStore>,
    scanner: Mutex<Scanner>,
    ingested: IngestedDaysFn,
}

impl MigrationSource {
    /// A source scanning `store` with `options`; `ingested` reads the ingested days (as the TUI's
    /// background scan does, `commands::browse::migration_inputs`).
    pub fn new(store: Arc<dyn ObjectStore>, options: MigrationOptions, ingested: IngestedDaysFn) -> MigrationSource {
        MigrationSource {
            store,
            scanner: Mutex::new(Scanner::new(options)),
            ingested,
        }
    }

    /// Scan now and return the report, rates and ETAs measured against `now`. Requests arriving
    /// during a scan wait for it and then scan again (from the cache).
    ///
    /// Errors: [`StatusError::IngestedDays`] when the database fails, [`StatusError::Listing`]
    /// when the bucket cannot be listed.
    pub async fn report(&self, now: DateTime<Utc>) -> Result<MigrationReport, StatusError> {
        let ingested = ingested_days_blocking(&self.ingested).await?;
        let mut scanner = self.scanner.lock().await;
        Ok(scanner.scan(&*self.store, &ingested, now).await?)
    }
}

/// The Pipeline view's tasks: the background ingest's progress when one runs (an empty list
/// otherwise), with credentials scrubbed from errors and failure reasons as the TUI shows them.
pub fn pipeline_tasks(ingest: Option<&tokio::sync::watch::Receiver<TaskProgress>>) -> Vec<TaskProgress> {
    ingest.map(|rx| rx.borrow().clone().scrubbed()).into_iter().collect()
}
