//! Migration progress: how far a Kubecost bucket has come from Thanos to the Aggregator.
//!
//! During a Thanos → Aggregator migration three sources describe the same cluster-days
//! (docs/user-guide.md, Migration; Kubecost docs thanos-migration-guide.md):
//! * **Thanos blocks** `<ULID>/meta.json` — the metrics the old primary built its ETL from;
//! * the **Thanos-era ETL backup** `etl/bingen/{allocations,assets}/1d/<s>-<e>` — one set per day
//!   holding every cluster, which ETL Utils reads;
//! * the **federated tree** `federated/<cluster>/etl/bingen/{allocations,assets}/1d/<s>-<e>` —
//!   what ETL Utils writes (split per cluster) and the Aggregator ingests.
//!
//! A scan lists the bucket once, reads each block's `meta.json` and each daily set (cached
//! across scans, [`observe`]), then derives per cluster × UTC day a [`DayState`], parity of
//! migrated days, % done, write rate, ETA and a phase ([`classify`], which documents every rule).
//! [`render`] prints the report for the CLI; [`run_loop`] rescans in the background for the TUI.

pub mod classify;
pub mod observe;
pub mod render;
pub mod report;
pub mod sets;
pub mod thanos;
mod watch;

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use object_store::ObjectStore;

pub use classify::{PARITY_TOLERANCE_USD, build};
pub use observe::{FederatedFile, Observations, Scanner};
pub use report::{
    ClusterPhase, ClusterReport, DayRecord, DayState, FileProblem, MigrationReport, Parity, ParityMismatch, Progress, ThanosFacts,
    day_label,
};
pub use watch::{IngestedDaysError, IngestedDaysFn, MigrationStatus, ingested_days_blocking, run_loop};

/// The external label Kubecost puts on its Thanos blocks (`prometheus.server.global.external_labels`,
/// cost-model's `PROM_CLUSTER_ID_LABEL` default).
pub const DEFAULT_CLUSTER_LABEL: &str = "cluster_id";

/// How to scan and judge.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrationOptions {
    /// Thanos external label holding the cluster name (default `cluster_id`).
    pub cluster_label: String,
    /// Thanos label value → federated folder name, for clusters whose names differ.
    pub cluster_map: BTreeMap<String, String>,
    /// Decode the federated daily files for parity totals (otherwise a file is empty when it is at
    /// most 86 B, and parity is not checked). Backup files are always decoded.
    pub parity: bool,
    /// Period the write rate is measured over.
    pub rate_window: Duration,
    /// 100 % done and no migration write for this long = caught up.
    pub caught_up_after: Duration,
    /// Federated files whose window ended less than this many days before `now` are a live agent's
    /// output, not migration writes (rate, last write, caught up ignore them).
    pub live_days: i64,
    /// Measure % done over the last N days of the report (ETL Utils' `ETL_DAILY_STORE_DURATION_DAYS`)
    /// instead of the federated window.
    pub horizon_days: Option<i64>,
    /// Reads in flight at once.
    pub concurrency: usize,
    /// Objects larger than this (bytes, `--max-object-size`) are reported as unreadable, not read.
    pub max_object_bytes: u64,
}

impl Default for MigrationOptions {
    /// `cluster_id`, no map, parity on, 30 min rate window, caught up after 30 min, 2 live days,
    /// federated window, 8 reads in flight.
    fn default() -> Self {
        MigrationOptions {
            cluster_label: DEFAULT_CLUSTER_LABEL.to_string(),
            cluster_map: BTreeMap::new(),
            parity: true,
            rate_window: Duration::minutes(30),
            caught_up_after: Duration::minutes(30),
            live_days: 2,
            horizon_days: None,
            concurrency: 8,
            max_object_bytes: crate::aggregator::ingest::DEFAULT_MAX_OBJECT_BYTES,
        }
    }
}

impl MigrationOptions {
    /// The federated folder of a Thanos label value (the map's entry, else the value itself).
    pub fn folder_for(&self, label_value: &str) -> String {
        self.cluster_map
            .get(label_value)
            .cloned()
            .unwrap_or_else(|| label_value.to_string())
    }
}

/// A `--map` entry that is not `THANOS_LABEL_VALUE=FEDERATED_FOLDER` (the entry as given).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad cluster mapping {0:?}: expected THANOS_LABEL_VALUE=FEDERATED_FOLDER")]
pub struct ClusterMapError(pub String);

/// Parse `THANOS=FOLDER` pairs (as `--map` takes them) into a cluster map.
///
/// Errors: an entry without `=`, or with an empty side.
pub fn parse_cluster_map<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<BTreeMap<String, String>, ClusterMapError> {
    let mut out = BTreeMap::new();
    for e in entries {
        match e.split_once('=') {
            Some((a, b)) if !a.trim().is_empty() && !b.trim().is_empty() => {
                out.insert(a.trim().to_string(), b.trim().to_string());
            }
            _ => return Err(ClusterMapError(e.to_string())),
        }
    }
    Ok(out)
}

/// Why a scan failed: the bucket could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// The listing failed after object_store's retries.
    #[error(transparent)]
    Listing(#[from] crate::bucket::InventoryError),
}

/// Scan `store` once with a fresh cache and derive the report. `ingested` holds
/// `(federated folder, UTC day start in Unix seconds)` of the days whose federated daily allocation
/// file was ingested without error; `now` is the clock rates and ETAs are measured against.
///
/// Errors: [`MigrationError::Listing`]; unreadable files are listed in
/// [`MigrationReport::problems`] instead.
pub async fn scan(
    store: &dyn ObjectStore,
    options: &MigrationOptions,
    ingested: &HashSet<(String, i64)>,
    now: DateTime<Utc>,
) -> Result<MigrationReport, MigrationError> {
    Scanner::new(options.clone()).scan(store, ingested, now).await
}

impl Scanner {
    /// Scan `store` (reusing this scanner's cache) and derive the report. See [`scan`].
    ///
    /// Errors: [`MigrationError::Listing`].
    pub async fn scan(
        &mut self,
        store: &dyn ObjectStore,
        ingested: &HashSet<(String, i64)>,
        now: DateTime<Utc>,
    ) -> Result<MigrationReport, MigrationError> {
        let obs = self.observe(store).await?;
        Ok(build(&obs, ingested, &self.options, now))
    }
}
