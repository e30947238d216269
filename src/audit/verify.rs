//! `costscope verify` (docs/audit.md): read every ETL object of a bucket, run the checks, compare
//! the local ingest log and an earlier manifest, and report every finding.

use super::checks::{self, Check, Compared, Finding};
use super::manifest::{self, Manifest};
use super::scan::{self, ObjectRecord};
use crate::aggregator::provenance::LoggedObject;
use crate::bucket::inventory::{Inventory, Source};
use object_store::ObjectStore;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What verify was asked to compare besides the bucket itself, and how large an object it reads.
pub struct VerifyInputs {
    /// Objects larger than this (bytes, `--max-object-size`) are reported, not read.
    pub max_object_bytes: u64,
    /// Only objects whose key window overlaps `[start, end)` (unix seconds).
    pub window: Option<(i64, i64)>,
    /// The local database's ingest log, when there is a database for this store.
    pub ingest_log: Option<Vec<LoggedObject>>,
    /// The manifest of `--against`.
    pub against: Option<Manifest>,
}

/// The result of a verify run.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    pub store: String,
    /// ETL objects read (after `--window`).
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Objects whose set held no item.
    pub empty_sets: u64,
    pub compared: Compared,
    /// Ingest-log entries compared (`None`: no database for this store, or `--no-ingest-log`).
    pub ingest_log_entries: Option<u64>,
    /// Cluster objects in the bucket the ingest log does not have yet (not a failure: the next
    /// ingest reads them).
    pub not_ingested_yet: Option<u64>,
    /// Every failed check, in check order (listing entries skipped come first, as decode
    /// findings).
    pub findings: Vec<Finding>,
    /// Federated series that lack windows of the bucket's federated window or of the ETL backup
    /// (within `--window`): not a failure — a migration or a new cluster is not corruption — but
    /// what the gap check, which looks only between a series' own first and last file, cannot see
    /// (issue 28).
    pub coverage: Vec<crate::bucket::Coverage>,
}

impl VerifyReport {
    /// True when no check failed.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// Findings per check, in check order.
    pub fn counts(&self) -> BTreeMap<Check, usize> {
        let mut m = BTreeMap::new();
        for f in &self.findings {
            *m.entry(f.check).or_insert(0) += 1;
        }
        m
    }
}

/// Read and check every ETL object of `inv` in `store` (identity `store_id`). Returns the report
/// and the objects read (for a manifest).
pub async fn verify(
    store: Arc<dyn ObjectStore>,
    store_id: &str,
    inv: &Inventory,
    inputs: &VerifyInputs,
) -> (VerifyReport, Vec<ObjectRecord>) {
    let fetcher = crate::bucket::fetch::Fetcher::new(inputs.max_object_bytes);
    let records = scan::read_all(store.as_ref(), &fetcher, inv, inputs.window).await;
    let mut compared = Compared::default();
    let mut findings: Vec<Finding> = inv
        .unlisted
        .iter()
        .map(|p| Finding::new(Check::Decode, "(listing)", format!("the listing skipped an entry: {p}")))
        .collect();
    findings.extend(checks::per_object(&records));
    findings.extend(checks::windows(&records));
    findings.extend(checks::hourly_daily(&records, &mut compared));
    findings.extend(checks::combined(&records, &mut compared));
    let mut not_ingested = None;
    if let Some(log) = &inputs.ingest_log {
        let (f, n) = ingest_log(log, &records, inputs.window);
        findings.extend(f);
        not_ingested = Some(n);
    }
    if let Some(m) = &inputs.against {
        findings.extend(manifest::compare(m, &records, inputs.window));
    }
    let report = VerifyReport {
        store: store_id.to_string(),
        objects: records.len() as u64,
        bytes: records.iter().map(|r| r.size).sum(),
        empty_sets: records.iter().filter(|r| r.decoded.as_ref().is_ok_and(|c| c.items == 0)).count() as u64,
        compared,
        ingest_log_entries: inputs.ingest_log.as_ref().map(|l| l.len() as u64),
        not_ingested_yet: not_ingested,
        findings,
        coverage: coverage_within(inv, inputs.window),
    };
    (report, records)
}

/// [`Inventory::coverage`] limited to the windows starting in `window`, without the series that
/// lack nothing.
fn coverage_within(inv: &Inventory, window: Option<(i64, i64)>) -> Vec<crate::bucket::Coverage> {
    let inside = |t: &i64| window.is_none_or(|(a, b)| *t >= a && *t < b);
    inv.coverage()
        .into_iter()
        .map(|mut c| {
            c.missing_in_federated_window.retain(inside);
            c.backup_only.retain(inside);
            c
        })
        .filter(|c| !c.missing_in_federated_window.is_empty() || !c.backup_only.is_empty())
        .collect()
}

/// Compare the ingest log with the objects read: a logged object gone from the bucket, or whose
/// etag, size or sha256 differs now, means the database holds figures the bucket no longer has.
/// Returns the findings and the count of cluster objects not ingested yet.
fn ingest_log(log: &[LoggedObject], records: &[ObjectRecord], window: Option<(i64, i64)>) -> (Vec<Finding>, u64) {
    let now: BTreeMap<&str, &ObjectRecord> = records.iter().map(|r| (r.key.as_str(), r)).collect();
    let mut out = Vec::new();
    let in_window = |l: &LoggedObject| window.is_none_or(|(s, e)| l.window_start < e && l.window_end > s);
    for l in log.iter().filter(|l| in_window(l)) {
        let Some(r) = now.get(l.key.as_str()) else {
            out.push(Finding::new(
                Check::IngestLog,
                &l.key,
                "ingested, but no longer in the bucket: the database still holds its rows until the next ingest",
            ));
            continue;
        };
        let etag_changed = r.etag.as_deref().is_some_and(|e| e != l.etag);
        let sha_changed = !l.sha256.is_empty() && !r.sha256.is_empty() && l.sha256 != r.sha256;
        if sha_changed || l.size != r.size || (etag_changed && l.sha256.is_empty()) {
            out.push(Finding::new(
                Check::IngestLog,
                &l.key,
                format!(
                    "changed since it was ingested: {} B sha256 {} then, {} B sha256 {} now",
                    l.size,
                    if l.sha256.is_empty() { "(not recorded)" } else { &l.sha256 },
                    r.size,
                    r.sha256
                ),
            ));
        }
    }
    let logged: std::collections::HashSet<&str> = log.iter().map(|l| l.key.as_str()).collect();
    let not_yet = records
        .iter()
        .filter(|r| matches!(r.source, Source::Federated(_)) && !logged.contains(r.key.as_str()))
        .count() as u64;
    (out, not_yet)
}
