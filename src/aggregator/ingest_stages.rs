//! The stages of an ingest pass after the listing ([`super::ingest::ingest_once`]): downloaded
//! files gather into groups that one blocking writer task writes while the next downloads run,
//! and finished files are counted in the report and the progress snapshot.

use super::Aggregator;
use super::AggregatorError;
use super::ingest::{GROUP_BYTES, GROUP_FILES, IngestReport, MAX_BYTES_IN_FLIGHT, PendingSpan};
use super::write::{ToWrite, WriteError, record_failure, write_file, write_group};
use crate::progress::{FileFailure, TaskProgress};
use crate::stored::ingest_log::IngestFile;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, watch};

/// Bytes per permit of the download budget. Every downloaded file holds at least one permit
/// until its group is written, so the budget must hold two full groups of the smallest files
/// (one being written, the next gathering) plus the downloads in flight: with one permit per MiB,
/// 256 files of a few KB used the whole budget before a group of 512 was full, and the ingest
/// waited forever.
const PERMIT_BYTES: u64 = 4 << 10;

const _: () = assert!(2 * GROUP_FILES as u64 + 64 <= MAX_BYTES_IN_FLIGHT / PERMIT_BYTES);

/// Semaphore permits for `bytes` (one per 4 KiB or part of it, at least one).
pub(super) fn permits(bytes: u64) -> u32 {
    bytes.div_ceil(PERMIT_BYTES).clamp(1, u64::from(u32::MAX >> 4)) as u32
}

/// The permits one downloaded file of `bytes` holds: [`permits`], at most an eighth of the
/// budget. A group also counts as full once it holds an eighth ([`Group::full`]). The group being
/// gathered and the one being written then hold at most half the budget together, so the next
/// file in order always gets its permits once the files before it are written. A file larger
/// than that eighth is held beyond the count (memory then exceeds [`MAX_BYTES_IN_FLIGHT`] by at
/// most that file).
pub(super) fn file_permits(bytes: u64) -> u32 {
    permits(bytes).min(GROUP_PERMITS)
}

/// Permits at which a group counts as full, and the most one file holds: an eighth of the budget.
const GROUP_PERMITS: u32 = (MAX_BYTES_IN_FLIGHT / PERMIT_BYTES / 8) as u32;

const _: () =
    assert!(2 * (GROUP_BYTES / PERMIT_BYTES + 2 * GROUP_PERMITS as u64) + GROUP_PERMITS as u64 <= MAX_BYTES_IN_FLIGHT / PERMIT_BYTES);

/// Files waiting to be written together, with the download budget they hold.
#[derive(Default)]
pub(super) struct Group {
    pub(super) files: Vec<ToWrite>,
    bytes: u64,
    permits: Vec<OwnedSemaphorePermit>,
    held: u64,
}

impl Group {
    pub(super) fn push(&mut self, w: ToWrite, permit: Option<OwnedSemaphorePermit>) {
        self.bytes += w.bytes.len() as u64;
        self.files.push(w);
        self.held += permit.as_ref().map_or(0, |p| p.num_permits() as u64);
        self.permits.extend(permit);
    }

    /// Time to write: enough files, bytes or download budget (a large file fills a group alone;
    /// the budget counts listed sizes, which a store may report larger than what it sends).
    pub(super) fn full(&self) -> bool {
        self.files.len() >= GROUP_FILES || self.bytes >= GROUP_BYTES || self.held >= u64::from(GROUP_PERMITS)
    }
}

/// A group being written on a blocking thread: each file with its rows or error.
pub(super) type Writing = tokio::task::JoinHandle<Vec<(IngestFile, Result<u64, WriteError>)>>;

/// Write `group` on a blocking thread: one file alone streams into its own transaction, several
/// share one ([`super::write::write_group`]). The download budget is released when it is written.
pub(super) fn start_write(agg: &Arc<Aggregator>, group: Group) -> Writing {
    let agg = agg.clone();
    tokio::task::spawn_blocking(move || {
        let Group { files, permits, .. } = group;
        let results = agg.writing(|c| {
            if let [one] = files.as_slice() {
                let r = write_file(c, one);
                if let Err(e) = &r {
                    record_failure(c, &one.file, e);
                }
                vec![r]
            } else {
                write_group(c, &files)
            }
        });
        drop(permits);
        files.into_iter().map(|w| w.file).zip(results).collect()
    })
}

/// Why one file of a pass was not ingested; its `Display` is the reason the report and the
/// Pipeline view show.
#[derive(Debug, thiserror::Error)]
pub(super) enum FileFailed {
    /// The download failed (retried next pass).
    #[error("download failed: {0}")]
    Download(#[source] object_store::Error),
    /// The object is over `--max-object-size` and was not fetched.
    #[error("the object is {size} bytes, over the limit of {max} (--max-object-size); not fetched")]
    TooLarge {
        /// Its size, bytes.
        size: u64,
        /// The limit, bytes.
        max: u64,
    },
    /// Writing it failed.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Wait for the group being written, if any: each file with its rows, or why it was not written.
pub(super) async fn finish(writing: Option<Writing>) -> Result<Vec<(IngestFile, Result<u64, FileFailed>)>, AggregatorError> {
    match writing {
        None => Ok(Vec::new()),
        Some(w) => w
            .await
            .map(|done| done.into_iter().map(|(f, r)| (f, r.map_err(FileFailed::Write))).collect())
            .map_err(|source| AggregatorError::Task {
                what: "write task",
                source,
            }),
    }
}

/// Count finished files in the report and the progress snapshot.
pub(super) fn account(
    report: &mut IngestReport,
    pending: &mut PendingSpan,
    progress: &watch::Sender<TaskProgress>,
    t0: Instant,
    done: Vec<(IngestFile, Result<u64, FileFailed>)>,
) {
    if done.is_empty() {
        return;
    }
    for (f, r) in done {
        match r {
            Ok(rows) => {
                report.ingested += 1;
                report.rows += rows;
            }
            Err(failed) => {
                let reason = failed.to_string();
                tracing::warn!(key = %f.key, %reason, "ingest skipped a file");
                report.failures.push(FileFailure {
                    key: f.key.clone(),
                    reason,
                });
            }
        }
        pending.remove(&f);
        progress.send_modify(|p| p.done += 1);
    }
    let el = t0.elapsed().as_secs_f64();
    progress.send_modify(|p| {
        p.pending_span = pending.span();
        p.rows = report.rows;
        p.bytes = report.bytes;
        p.rate = report.rows as f64 / el.max(1e-9);
        p.failures = report.failures.clone();
    });
}
