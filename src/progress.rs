//! Progress of the background tasks (federator, ingest), reported as snapshots
//! over a `tokio::sync::watch` channel so the TUI and the CLI progress bars can show them without
//! ever waiting on the task.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a background task is doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    /// Not started yet.
    #[default]
    Idle,
    /// Listing the bucket.
    Listing,
    /// Reading / writing files.
    Running,
    /// Finished a pass; waiting for the next one (`next_run`).
    Waiting,
    /// Finished and will not run again (`--once`).
    Done,
    /// Stopped by an error that is not about one file (e.g. the bucket cannot be listed).
    Failed,
}

/// Which background task a [`TaskProgress`] reports on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskId {
    /// The federator (cluster files → combined files).
    #[default]
    Federator,
    /// The aggregator's ingest (bucket files → DuckDB).
    Ingest,
}

impl TaskId {
    /// The name shown to users and in JSON: `federator`, `ingest`.
    pub fn name(self) -> &'static str {
        match self {
            TaskId::Federator => "federator",
            TaskId::Ingest => "ingest",
        }
    }

    /// What the task counts: `windows` (federator), `files` (ingest).
    pub fn unit(self) -> &'static str {
        match self {
            TaskId::Federator => "windows",
            TaskId::Ingest => "files",
        }
    }
}

impl std::fmt::Display for TaskId {
    /// [`TaskId::name`], padded like a `str` (`{:<10}` works).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// One file that could not be read or written, with the reason. The run goes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileFailure {
    /// Object key relative to the bucket (prefix excluded).
    pub key: String,
    /// Why (a decode error names the struct and byte offset).
    pub reason: String,
}

/// A snapshot of one task's progress. Counts are for the current (or last) pass.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskProgress {
    /// The task.
    pub task: TaskId,
    pub phase: Phase,
    /// Units of work done / to do in this pass (windows for the federator, files for ingest).
    pub done: u64,
    pub total: u64,
    /// Files skipped because they were unchanged since the last pass.
    pub unchanged: u64,
    /// Rows written (ingest) or items merged (federator).
    pub rows: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Rows per second over the pass.
    pub rate: f64,
    pub last_run: Option<DateTime<Utc>>,
    pub next_run: Option<DateTime<Utc>>,
    /// Files that failed in this pass.
    pub failures: Vec<FileFailure>,
    /// Fatal error of the pass, if any (phase `Failed`).
    pub error: Option<String>,
    /// Ingest: the data window (unix seconds `[start, end)`) spanned by the files of this pass
    /// not loaded yet, so a view can tell whether its own window is still loading; `None` when
    /// not known (or nothing is pending).
    pub pending_span: Option<(i64, i64)>,
}

impl TaskProgress {
    /// A fresh idle snapshot for `task`.
    pub fn new(task: TaskId) -> TaskProgress {
        TaskProgress {
            task,
            ..Default::default()
        }
    }
    /// The snapshot with registered credentials removed from its error and failure texts
    /// ([`crate::config::secret::scrub`]); the TUI shows only scrubbed snapshots.
    pub fn scrubbed(mut self) -> TaskProgress {
        use crate::config::secret::scrub;
        self.error = self.error.map(|e| scrub(&e).into_owned());
        for f in &mut self.failures {
            f.reason = scrub(&f.reason).into_owned();
            f.key = scrub(&f.key).into_owned();
        }
        self
    }

    /// Fraction done in 0..=1 (1 when there is nothing to do).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done as f64 / self.total as f64).min(1.0)
        }
    }
}
