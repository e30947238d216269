//! The migration report: per cluster × UTC day, which sources hold the day and the state that
//! follows; per cluster the progress figures; parity mismatches; Thanos facts. Plain data with
//! serde (camelCase JSON, states in SCREAMING_SNAKE_CASE) so `costscope migration --format json`
//! prints it as is and the TUI renders it.
//!
//! States are defined in docs/user-guide.md (Migration).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::bucket::keys::Pipeline;

/// Seconds in one UTC day.
pub const DAY_SECONDS: i64 = 86_400;

/// Where one cluster's day stands in the Thanos → Aggregator migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DayState {
    /// Both federated daily files (allocations, assets) hold items, and the allocation file was
    /// ingested into the local database.
    Ingested,
    /// Both federated daily files hold items.
    Migrated,
    /// A federated daily file exists but its set holds no items (a warning: ETL Utils or the agent
    /// wrote an empty set).
    Empty,
    /// The ETL backup holds the cluster's data for the day (or one federated file holds items), but
    /// a federated daily file is missing: ETL Utils has work left.
    Pending,
    /// Thanos blocks cover (part of) the day, but neither the backup nor the federated tree has
    /// it: the ETL has to be rebuilt on the primary before it can be migrated.
    ThanosOnly,
    /// No source has the day.
    NoSource,
}

impl DayState {
    /// Every state, best first (legend order).
    pub const ALL: [DayState; 6] = [
        DayState::Ingested,
        DayState::Migrated,
        DayState::Empty,
        DayState::Pending,
        DayState::ThanosOnly,
        DayState::NoSource,
    ];

    /// The JSON name (`THANOS_ONLY`).
    pub fn name(self) -> &'static str {
        match self {
            DayState::Ingested => "INGESTED",
            DayState::Migrated => "MIGRATED",
            DayState::Empty => "EMPTY",
            DayState::Pending => "PENDING",
            DayState::ThanosOnly => "THANOS_ONLY",
            DayState::NoSource => "NO_SOURCE",
        }
    }

    /// One character for the per-day strip.
    pub fn letter(self) -> char {
        match self {
            DayState::Ingested => 'I',
            DayState::Migrated => 'M',
            DayState::Empty => 'E',
            DayState::Pending => 'P',
            DayState::ThanosOnly => 'T',
            DayState::NoSource => '.',
        }
    }

    /// A few words for legends (`Thanos only`).
    pub fn label(self) -> &'static str {
        match self {
            DayState::Ingested => "ingested",
            DayState::Migrated => "migrated",
            DayState::Empty => "empty file",
            DayState::Pending => "pending",
            DayState::ThanosOnly => "Thanos only",
            DayState::NoSource => "no source",
        }
    }

    /// True for the two states that count as done.
    pub fn is_done(self) -> bool {
        matches!(self, DayState::Ingested | DayState::Migrated)
    }

    /// True for a day that has a source but is not done: `PENDING`, `EMPTY`, `THANOS_ONLY`.
    pub fn is_missing(self) -> bool {
        self != DayState::NoSource && !self.is_done()
    }
}

/// Result of the parity check of one migrated day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    /// Every pipeline compared agreed to 0.01 USD.
    Ok,
    /// At least one pipeline differs (listed in [`MigrationReport::mismatches`]).
    Mismatch,
}

/// One cluster × UTC day.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayRecord {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Day start, Unix seconds.
    pub day_start: i64,
    /// The derived state.
    pub state: DayState,
    /// The day lies in the window progress is measured in ([`MigrationReport::progress_window`]).
    pub in_progress_window: bool,
    /// Fraction of the day covered by the union of raw (resolution 0) Thanos blocks, 0–1.
    pub thanos_coverage: f64,
    /// The same for 5-minute downsampled blocks.
    pub thanos_coverage_5m: f64,
    /// The backup's allocation or asset set of the day holds ≥ 1 item of this cluster.
    pub backup: bool,
    /// The backup's allocation set holds ≥ 1 item of this cluster.
    pub backup_allocations: bool,
    /// The backup's asset set holds ≥ 1 item of this cluster.
    pub backup_assets: bool,
    /// `federated/<c>/etl/bingen/allocations/1d/<day>` exists and holds items.
    pub federated_allocations: bool,
    /// `federated/<c>/etl/bingen/assets/1d/<day>` exists and holds items.
    pub federated_assets: bool,
    /// A federated daily file of the day exists but holds no items.
    pub federated_empty: bool,
    /// The day is in the caller's ingested set (allocation file ingested without error).
    pub ingested: bool,
    /// Parity of a migrated day, when at least one pipeline could be compared.
    pub parity: Option<Parity>,
}

/// A cluster's overall standing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClusterPhase {
    /// 100 % done and no migration write for the caught-up period.
    CaughtUp,
    /// 100 % done, but files were written within the caught-up period.
    Settling,
    /// Not done, and files are being written.
    Migrating,
    /// Not done, days are pending, and nothing was written in the rate period.
    Stalled,
    /// Not done, but no day is pending: the missing days have no ETL source (Thanos only) or are
    /// empty files, so waiting will not help; rebuild the ETL for them.
    NeedsRebuild,
    /// The progress window is done, but days before or after it that have a source (backup or
    /// Thanos) are not federated: not caught up (widen the horizon to count them).
    HistoryPending,
}

impl ClusterPhase {
    /// Lower-case words for tables (`caught up`).
    pub fn label(self) -> &'static str {
        match self {
            ClusterPhase::CaughtUp => "caught up",
            ClusterPhase::Settling => "settling",
            ClusterPhase::Migrating => "migrating",
            ClusterPhase::Stalled => "stalled",
            ClusterPhase::NeedsRebuild => "needs rebuild",
            ClusterPhase::HistoryPending => "history pending",
        }
    }
}

/// Progress figures of a cluster or of all clusters together.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// 100 × done days / expected days in the progress window; `None` when nothing is expected.
    pub percent_done: Option<f64>,
    /// Days of the progress window with some source (state other than `NO_SOURCE`).
    pub expected_days: usize,
    /// Of those, days in `MIGRATED` or `INGESTED`.
    pub done_days: usize,
    /// 100 × migrated / source days, where source days have backup allocations and full raw
    /// Thanos coverage (dev-truth's `fractionOfSourceDays`); `None` without source days.
    pub percent_of_source_days: Option<f64>,
    /// Days outside the progress window that have a source (backup or Thanos) and are not done
    /// (`PENDING`, `EMPTY`, `THANOS_ONLY`): a cluster with any is not caught up.
    pub missing_outside_window: usize,
    /// Federated daily files still missing on the `PENDING` days of the progress window
    /// (allocations + assets).
    pub pending_files: usize,
    /// Newest `last_modified` of the federated daily files counted as migration writes.
    pub last_write: Option<DateTime<Utc>>,
    /// Migration writes per minute over the rate period.
    pub files_per_minute: f64,
    /// Seconds until the pending files are written at the current rate: 0 when none are pending,
    /// `None` when files are pending but nothing is being written.
    pub eta_seconds: Option<f64>,
    /// `now + eta_seconds`.
    pub eta: Option<DateTime<Utc>>,
    /// Overall standing.
    pub phase: ClusterPhase,
}

/// One cluster: its progress and one record per day of the report's day range.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterReport {
    /// Federated folder name (`federated/<cluster>/`).
    pub cluster: String,
    /// Thanos label values mapped to this folder, when they differ from its name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thanos_names: Vec<String>,
    /// Progress figures (flattened into the cluster object: `percentDone`, `eta`, ...).
    #[serde(flatten)]
    pub progress: Progress,
    /// Days with raw Thanos coverage ≥ [`super::thanos::FULL_DAY_COVERAGE`].
    pub thanos_full_days: usize,
    /// Days with some, but less than full, raw Thanos coverage.
    pub thanos_partial_days: usize,
    /// Days whose backup holds the cluster's allocations or assets.
    pub backup_days: usize,
    /// Days with both federated daily files non-empty.
    pub federated_days: usize,
    /// Days whose state is `INGESTED` (the `I` cells of the strip; an empty file is `EMPTY`).
    pub ingested_days: usize,
    /// Migrated days whose parity was checked.
    pub parity_checked_days: usize,
    /// One record per day of [`MigrationReport::first_day`]..=[`MigrationReport::last_day`].
    pub days: Vec<DayRecord>,
}

impl ClusterReport {
    /// The days that keep `percentDone` below 100: days of the progress window with a source that
    /// are not done (`PENDING`, `EMPTY`, `THANOS_ONLY`), oldest first. Their number is always
    /// `expected_days − done_days`.
    pub fn missing_days(&self) -> Vec<&DayRecord> {
        self.days.iter().filter(|d| d.in_progress_window && d.state.is_missing()).collect()
    }

    /// Every day the strip marks as not done (`PENDING`, `EMPTY`, `THANOS_ONLY`), inside the
    /// progress window or not, oldest first: what the TUI's Enter lists. Its number is
    /// `missing_days().len() + progress.missing_outside_window`.
    pub fn unfinished_days(&self) -> Vec<&DayRecord> {
        self.days.iter().filter(|d| d.state.is_missing()).collect()
    }
}

/// A migrated day whose backup and federated totals differ by more than 0.01 USD.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParityMismatch {
    /// Federated folder name.
    pub cluster: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Allocations or assets.
    pub pipeline: Pipeline,
    /// Σ total cost of the cluster's items in the backup set, USD.
    pub backup_total: f64,
    /// Σ total cost of the federated file's items, USD.
    pub federated_total: f64,
}

/// Facts about the Thanos blocks seen.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThanosFacts {
    /// The external label read as the cluster name.
    pub cluster_label: String,
    /// Blocks whose coverage was counted.
    pub blocks_used: usize,
    /// Block directories without `meta.json` (partial uploads), skipped.
    pub partial_uploads: Vec<String>,
    /// Blocks with `deletion-mark.json`, skipped.
    pub deletion_marked: Vec<String>,
    /// Blocks without the cluster label, skipped.
    pub unlabelled: Vec<String>,
}

/// A file that could not be read or decoded (the scan goes on without it).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileProblem {
    /// Object key.
    pub key: String,
    /// What went wrong.
    pub error: String,
}

/// Everything the migration view shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationReport {
    /// The `now` the rates and ETAs were computed against.
    pub generated_at: DateTime<Utc>,
    /// First day of every cluster's `days` (`YYYY-MM-DD`); `None` when no source has any day.
    pub first_day: Option<String>,
    /// Last day of every cluster's `days`.
    pub last_day: Option<String>,
    /// First and last day of the window progress is measured in (`YYYY-MM-DD`).
    pub progress_window: Option<(String, String)>,
    /// All clusters together (percent weighted by expected days).
    pub overall: Progress,
    /// One entry per cluster, by name.
    pub clusters: Vec<ClusterReport>,
    /// Parity mismatches, by cluster, day and pipeline.
    pub mismatches: Vec<ParityMismatch>,
    /// Thanos blocks.
    pub thanos: ThanosFacts,
    /// Files that could not be read or decoded.
    pub problems: Vec<FileProblem>,
    /// When the bucket was copied (its object times are copy times; writes are counted after
    /// it), if it was.
    pub copied_at: Option<DateTime<Utc>>,
}

impl MigrationReport {
    /// The cluster named `name`.
    pub fn cluster(&self, name: &str) -> Option<&ClusterReport> {
        self.clusters.iter().find(|c| c.cluster == name)
    }

    /// Mismatches of one cluster.
    pub fn mismatches_of<'a>(&'a self, cluster: &'a str) -> impl Iterator<Item = &'a ParityMismatch> + 'a {
        self.mismatches.iter().filter(move |m| m.cluster == cluster)
    }
}

/// `YYYY-MM-DD` of the UTC day starting at `day_start` (Unix seconds).
pub fn day_label(day_start: i64) -> String {
    DateTime::<Utc>::from_timestamp(day_start, 0).map_or_else(|| format!("@{day_start}"), |t| t.format("%Y-%m-%d").to_string())
}

/// Start (Unix seconds) of the UTC day containing `unix`.
pub fn day_start(unix: i64) -> i64 {
    unix.div_euclid(DAY_SECONDS) * DAY_SECONDS
}
