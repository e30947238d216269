//! The federator: merges every cluster's ETL set of a window into
//! `federated/combined/etl/bingen/<pipeline>/<res>/<start>-<end>`, as Kubecost 1.x's Federator did
//! (Kubecost docs federated-etl.md, troubleshooting/etl-repair.md; docs/architecture.md).
//!
//! A pass ([`run_once`]):
//! 1. lists the bucket once ([`crate::bucket::scan`]);
//! 2. groups the files of `federated/<cluster>/` (never `combined`, only allowed clusters, only
//!    windows starting at or after the cutoff) by pipeline × resolution × window;
//! 3. skips windows whose sources (key, etag, size) equal those in the manifest
//!    ([`manifest::Manifest`], stored at `federated/combined/.costscope-manifest.json` in the
//!    target) and whose output exists;
//! 4. for the others, reads every cluster's file, merges the sets ([`merge`]) on a blocking thread,
//!    writes the combined file with costscope's encoder and records it in the manifest.
//!
//! Rules: a non-empty combined file is never replaced by an empty one; a file that fails to decode
//! is reported (key + reason, in the progress snapshot and the report) and the rest of its window is
//! still federated; a file that cannot be *read* makes the window fail for this pass only (it is
//! retried next pass). `dry_run` writes nothing anywhere and lists what would be written. With
//! [`Output::LocalDir`] (read-only mode) the output and the manifest go to a local directory and
//! the bucket receives no write request at all: the source store is only listed and read.
//!
//! Transient errors: object_store's `RetryConfig` already retries every HTTP request (GET, LIST,
//! and PUT, which is idempotent) with exponential backoff on 5xx, 429/SlowDown throttling,
//! timeouts and dropped connections, and resumes interrupted GET bodies; costscope adds no retry
//! loop of its own. What still fails after that is reported, never retried in a tight loop.

pub mod manifest;
pub mod merge;
mod plan;
mod run;
mod target;
pub use target::TargetError;

pub use target::Output;

use crate::bucket::InventoryError;
use crate::bucket::keys::{Pipeline, Resolution};
use crate::progress::{FileFailure, Phase, TaskProgress};
use chrono::{DateTime, NaiveDate, Utc};
use object_store::ObjectStore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Name of the task in [`TaskProgress::task`].
pub const TASK: crate::progress::TaskId = crate::progress::TaskId::Federator;

/// Default pause between passes of [`run_loop`] (`costscope federate` without `--once`).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(600);

/// What to federate and where to write.
#[derive(Clone, Debug, PartialEq)]
pub struct FederateOptions {
    /// Cluster allow-list (directory names under `federated/`); empty = every cluster
    /// (Kubecost federator.json `clusters`).
    pub clusters: Vec<String>,
    /// Skip windows that start before this instant, Unix seconds (Kubecost
    /// `federationCutoffDate`).
    pub cutoff: Option<i64>,
    /// Plan only: read the listing and the manifest, write nothing anywhere.
    pub dry_run: bool,
    /// The bucket, or a local directory (read-only mode).
    pub output: Output,
    /// The bucket's directory when it is a FILESYSTEM store (`Store::local_root`): staging files
    /// of writes a killed federator left there (`<key>#<n>`) are removed on the next pass.
    pub bucket_root: Option<PathBuf>,
    /// Source files larger than this many bytes are not fetched; they are reported like a
    /// corrupt file (`--max-object-size`, default 512 MiB).
    pub max_object_bytes: u64,
}

impl Default for FederateOptions {
    fn default() -> Self {
        FederateOptions {
            clusters: Vec::new(),
            cutoff: None,
            dry_run: false,
            output: Output::Bucket,
            bucket_root: None,
            max_object_bytes: crate::aggregator::ingest::DEFAULT_MAX_OBJECT_BYTES,
        }
    }
}

/// What happened to one output window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// The combined file was (re)written.
    Written,
    /// Sources unchanged since the manifest entry; nothing read or written.
    Unchanged,
    /// Dry run: would have been written.
    WouldWrite,
    /// The merge came out empty while the existing combined file is not; the file was kept.
    KeptNonEmpty,
    /// No source could be read or decoded; nothing written (retried next pass).
    Failed,
}

/// One output window of a pass.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowReport {
    /// The combined key.
    pub key: String,
    /// Pipeline.
    pub pipeline: Pipeline,
    /// Resolution.
    pub resolution: Resolution,
    /// Window start, Unix seconds.
    pub start: i64,
    /// Window end, Unix seconds (exclusive).
    pub end: i64,
    /// What was done.
    pub action: Action,
    /// Source files (clusters) of the window.
    pub sources: usize,
    /// Items in the combined set (when known).
    pub items: u64,
    /// Bytes written (0 unless `Written`).
    pub bytes_written: u64,
}

impl WindowReport {
    fn new(w: &plan::PlannedWindow, action: Action) -> WindowReport {
        WindowReport {
            key: w.output_key.clone(),
            pipeline: w.file.pipeline,
            resolution: w.file.resolution,
            start: w.file.start,
            end: w.file.end,
            action,
            sources: w.sources.len(),
            items: 0,
            bytes_written: 0,
        }
    }
}

/// The result of one pass.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FederateReport {
    /// Where output went (`the bucket` or `local directory ...`).
    pub target: String,
    /// True for a dry run.
    pub dry_run: bool,
    /// Every planned window, in pipeline, resolution, start order.
    pub windows: Vec<WindowReport>,
    /// Windows written.
    pub written: usize,
    /// Windows unchanged.
    pub unchanged: usize,
    /// Windows a dry run would write.
    pub would_write: usize,
    /// Windows whose empty merge did not replace a non-empty file.
    pub kept_non_empty: usize,
    /// Windows that failed (nothing written).
    pub failed: usize,
    /// Distinct windows skipped because they start before the cutoff.
    pub skipped_before_cutoff: usize,
    /// Bytes read from the bucket.
    pub bytes_read: u64,
    /// Bytes written (combined files; the manifest excluded).
    pub bytes_written: u64,
    /// Items written in combined files.
    pub items: u64,
    /// Keys dropped because another cluster already had them.
    pub duplicates: u64,
    /// Files that could not be read or decoded (key + reason).
    pub failures: Vec<FileFailure>,
    /// Other findings, one sentence each.
    pub notes: Vec<String>,
    /// Wall time of the pass.
    pub seconds: f64,
}

impl FederateReport {
    fn count(&mut self, w: &WindowReport) {
        match w.action {
            Action::Written => self.written += 1,
            Action::Unchanged => self.unchanged += 1,
            Action::WouldWrite => self.would_write += 1,
            Action::KeptNonEmpty => self.kept_non_empty += 1,
            Action::Failed => self.failed += 1,
        }
    }
}

/// A pass that could not run at all (one file's problems never end a pass).
#[derive(Debug, thiserror::Error)]
pub enum FederateError {
    /// The bucket could not be listed.
    #[error(transparent)]
    List(#[from] InventoryError),
    /// The output location could not be opened, listed or its manifest read.
    #[error("output: {0}")]
    Target(#[source] TargetError),
    /// A combined file or the manifest could not be written (after object_store's retries).
    #[error("write failed: {0}")]
    Write(#[source] TargetError),
    /// A merge task panicked or was cancelled.
    #[error("merge task failed: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// Run one federator pass over `source` (the bucket, prefix applied), reporting progress as
/// [`TaskProgress`] snapshots (task `federator`; `done`/`total` count windows, `rows` items
/// written, `bytes` bytes read). Ends with phase `Done`, or `Failed` and the error.
///
/// Errors: [`FederateError`] when listing, opening the output or writing fails.
pub async fn run_once(
    source: Arc<dyn ObjectStore>,
    opts: &FederateOptions,
    progress: watch::Sender<TaskProgress>,
) -> Result<FederateReport, FederateError> {
    let result = run::pass(source, opts, &progress).await;
    progress.send_modify(|p| {
        p.last_run = Some(Utc::now());
        match &result {
            Ok(_) => p.phase = Phase::Done,
            Err(e) => {
                p.phase = Phase::Failed;
                p.error = Some(e.to_string());
            }
        }
    });
    result
}

/// Run passes every `interval` until `cancel` fires. After each pass `on_pass` gets its result
/// and the snapshot shows phase `Waiting` with `next_run`. A failed pass does not stop the loop.
/// Cancelling during a pass drops it at its next await: windows written since the last manifest
/// save are rebuilt on the next run (rewriting a combined file is idempotent).
pub async fn run_loop(
    source: Arc<dyn ObjectStore>,
    opts: &FederateOptions,
    interval: Duration,
    progress: watch::Sender<TaskProgress>,
    cancel: CancellationToken,
    on_pass: &mut (dyn FnMut(&Result<FederateReport, FederateError>) + Send),
) {
    loop {
        let result = tokio::select! {
            r = run_once(source.clone(), opts, progress.clone()) => r,
            _ = cancel.cancelled() => return,
        };
        on_pass(&result);
        let next = Utc::now() + chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::MAX);
        progress.send_modify(|p| {
            if p.phase != Phase::Failed {
                p.phase = Phase::Waiting;
            }
            p.next_run = Some(next);
        });
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = cancel.cancelled() => return,
        }
    }
}

/// Default output directory of read-only mode: `<cache_dir>/combined/<first 16 hex digits of
/// sha256(store identity)>`, so every bucket gets its own directory.
pub fn default_local_dir(store_identity: &str) -> PathBuf {
    let digest = Sha256::digest(store_identity.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    crate::config::cache_dir().join("combined").join(hex)
}

/// Parse a cutoff given as `YYYY-MM-DD` (UTC midnight) or RFC 3339, into Unix seconds.
///
/// Errors: [`CutoffError`], quoting the input and the accepted forms.
pub fn parse_cutoff(s: &str) -> Result<i64, CutoffError> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp())
        .map_err(|_| CutoffError(s.to_string()))
}

/// A `--cutoff` that is neither `YYYY-MM-DD` nor RFC 3339 (the text as given).
#[derive(Debug, thiserror::Error)]
#[error("cutoff {0:?} is not a date: use YYYY-MM-DD (UTC) or RFC 3339 such as 2026-11-01T00:00:00Z")]
pub struct CutoffError(pub String);

/// One line describing a federator snapshot, for a terminal status line or a log.
pub fn progress_line(p: &TaskProgress) -> String {
    let phase = match p.phase {
        Phase::Idle => "idle",
        Phase::Listing => "listing the bucket",
        Phase::Running => "federating",
        Phase::Waiting => "waiting",
        Phase::Done => "done",
        Phase::Failed => "failed",
    };
    let mut line = format!(
        "federate: {phase} {}/{} windows ({} unchanged), {} items, {} read",
        p.done,
        p.total,
        p.unchanged,
        p.rows,
        crate::bucket::report::human_bytes(p.bytes)
    );
    if !p.failures.is_empty() {
        line.push_str(&format!(", {} file failure(s)", p.failures.len()));
    }
    if let Some(e) = &p.error {
        line.push_str(&format!(": {e}"));
    }
    if let (Phase::Waiting, Some(t)) = (p.phase, p.next_run) {
        line.push_str(&format!("; next pass at {}", t.format("%H:%M:%S UTC")));
    }
    line
}
