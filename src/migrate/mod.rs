//! `costscope migrate` (issue 31): the Thanos-era ETL backup (`etl/bingen/{allocations,assets}/
//! {1d,1h}/<s>-<e>`, one combined set of every cluster per window) into per-cluster federated
//! folders (`federated/<cluster>/etl/bingen/…`), what Kubecost's ETL Utils does during a Thanos →
//! Aggregator migration (Kubecost docs thanos-migration-guide.md), but planned, verified and
//! resumable (docs/user-guide.md, "Migrate").
//!
//! * [`split`] splits a combined set by `properties.cluster`;
//! * [`run`] lists the backup and the federated tree once, reads one combined set per job, and
//!   gives each cluster × window × pipeline × resolution a [`PlanState`]; with `apply` it writes
//!   only the `create` files (encoded at the source's codec versions, `PutMode::Create`: an
//!   existing object is never replaced) and reads each back to verify it ([`Outcome`]);
//! * [`render`] prints the plan table and the summary line.
//!
//! A rerun after a kill plans `create` exactly for the files not written yet: a write is one PUT
//! (a staging file renamed into place on a FILESYSTEM store), so no partial object ever has a
//! final name.

pub mod render;
mod run;
pub mod split;

use crate::bucket::keys::{Pipeline, Resolution};
pub use run::run;
use serde::Serialize;
pub use split::Share;

/// What to migrate.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrateOptions {
    /// Only these clusters (federated folder names = `properties.cluster`); empty = every cluster.
    pub clusters: Vec<String>,
    /// Only windows starting at or after this Unix second.
    pub from: Option<i64>,
    /// Only windows starting before this Unix second.
    pub to: Option<i64>,
    /// Resolutions to migrate (`1d`, `1h`).
    pub resolutions: Vec<Resolution>,
    /// Pipelines to migrate (allocations, assets).
    pub pipelines: Vec<Pipeline>,
    /// Write the `create` files (otherwise a dry run that writes nothing).
    pub apply: bool,
    /// Combined sets read (and their clusters written) at once, ≥ 1.
    pub jobs: usize,
    /// Objects larger than this many bytes (`--max-object-size`) are unreadable, not read.
    pub max_object_bytes: u64,
}

impl Default for MigrateOptions {
    /// Every cluster, window, `1d` and `1h`, allocations and assets, dry run, 2 jobs, 512 MiB.
    fn default() -> Self {
        MigrateOptions {
            clusters: Vec::new(),
            from: None,
            to: None,
            resolutions: vec![Resolution::DAY, Resolution::HOUR],
            pipelines: vec![Pipeline::Allocations, Pipeline::Assets],
            apply: false,
            jobs: 2,
            max_object_bytes: crate::aggregator::ingest::DEFAULT_MAX_OBJECT_BYTES,
        }
    }
}

/// What the plan says of one cluster × window × pipeline × resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PlanState {
    /// No federated file: `--apply` writes the cluster's share of the backup set.
    Create,
    /// A federated file exists with the same item keys, count and totalCost (within
    /// [`split::TOLERANCE`]).
    Same,
    /// A federated file exists and holds something else: never overwritten; both totals shown.
    Differs,
    /// The backup set holds nothing for the cluster in this window (inside the span of windows
    /// the backup holds it for): nothing to write, the window stays a gap.
    EmptySource,
    /// The backup set (cluster `*`) or the existing federated file could not be read or decoded:
    /// the problem names the key and, for a decode error, the struct and byte offset.
    Unreadable,
}

impl PlanState {
    /// Every state, in summary order.
    pub const ALL: [PlanState; 5] = [
        PlanState::Create,
        PlanState::Same,
        PlanState::Differs,
        PlanState::EmptySource,
        PlanState::Unreadable,
    ];

    /// The label of the table (`empty source`).
    pub fn label(self) -> &'static str {
        match self {
            PlanState::Create => "create",
            PlanState::Same => "same",
            PlanState::Differs => "differs",
            PlanState::EmptySource => "empty source",
            PlanState::Unreadable => "unreadable",
        }
    }
}

/// What `--apply` did with a `create` row.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "result")]
pub enum Outcome {
    /// Written, read back and decoded: its item count and totalCost equal the source's share.
    Verified {
        /// Bytes written.
        size: u64,
        /// sha256 of the bytes written, lowercase hex.
        sha256: String,
    },
    /// Not written (the store refused, or another writer created the key meanwhile: never
    /// replaced).
    WriteFailed {
        /// One line.
        reason: String,
    },
    /// Written, but the read-back failed or differs from the source's share.
    VerifyFailed {
        /// One line: what was read back against what was expected.
        reason: String,
    },
}

impl Outcome {
    /// `verified`, `write failed`, `verify failed`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Verified { .. } => "verified",
            Outcome::WriteFailed { .. } => "write failed",
            Outcome::VerifyFailed { .. } => "verify failed",
        }
    }
}

/// One row of the plan.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanRow {
    /// The federated folder (`properties.cluster`); `*` for an unreadable backup set.
    pub cluster: String,
    /// `allocations` or `assets`.
    pub pipeline: Pipeline,
    /// `1d` or `1h`.
    pub resolution: Resolution,
    /// Window start, Unix seconds.
    pub start: i64,
    /// Window end, Unix seconds (exclusive).
    pub end: i64,
    /// The plan's verdict.
    pub state: PlanState,
    /// The backup set's key.
    pub source_key: String,
    /// The federated key (`None` for an unreadable backup set: its clusters are unknown).
    pub target_key: Option<String>,
    /// The cluster's share of the backup set, when it was read.
    pub source: Option<Share>,
    /// What the existing federated file holds, when there is one and it decoded.
    pub federated: Option<Share>,
    /// For `unreadable`: the key and the error (with the byte offset of a decode error).
    pub problem: Option<String>,
    /// With `--apply`, for a `create` row: what happened.
    pub outcome: Option<Outcome>,
}

/// Counts of a run: one per plan state, then what `--apply` did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Rows planned `create`.
    pub create: u64,
    /// Rows `same`.
    pub same: u64,
    /// Rows `differs`.
    pub differs: u64,
    /// Rows `empty source`.
    pub empty_source: u64,
    /// Rows `unreadable`.
    pub unreadable: u64,
    /// Files written (`--apply`).
    pub created: u64,
    /// Files written, read back and matching their source share.
    pub verified: u64,
    /// Files not written or failing verification (`--apply`): the run exits 1.
    pub failed: u64,
}

impl Summary {
    /// The counts of `rows`.
    pub fn of(rows: &[PlanRow]) -> Summary {
        let mut s = Summary::default();
        for r in rows {
            *match r.state {
                PlanState::Create => &mut s.create,
                PlanState::Same => &mut s.same,
                PlanState::Differs => &mut s.differs,
                PlanState::EmptySource => &mut s.empty_source,
                PlanState::Unreadable => &mut s.unreadable,
            } += 1;
            match &r.outcome {
                Some(Outcome::Verified { .. }) => {
                    s.created += 1;
                    s.verified += 1;
                }
                Some(Outcome::VerifyFailed { .. }) => {
                    s.created += 1;
                    s.failed += 1;
                }
                Some(Outcome::WriteFailed { .. }) => s.failed += 1,
                None => {}
            }
        }
        s
    }
}

/// The result of a `migrate` run.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrateReport {
    /// `--apply` was given (otherwise nothing was written).
    pub applied: bool,
    /// Every row, by pipeline, resolution, window, cluster.
    pub rows: Vec<PlanRow>,
    /// The counts.
    pub summary: Summary,
    /// Listing problems and items no cluster names, one line each.
    pub notes: Vec<String>,
    /// Backup and federated bytes read.
    pub bytes_read: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Wall time, seconds.
    pub seconds: f64,
}

/// Why a run could not plan at all (single files that fail are rows, not errors).
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// Listing the backup or the federated tree failed after object_store's retries.
    #[error("listing {prefix}: {source}")]
    Listing {
        /// The prefix listed.
        prefix: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// `--apply` could not write or verify some files (their rows name them).
    #[error("{failed} file(s) failed to write or verify (see PROBLEMS); rerun to retry them")]
    Failed {
        /// Rows whose outcome is a failure.
        failed: u64,
    },
}
