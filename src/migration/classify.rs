//! The pure half of a migration scan: from [`Observations`], the caller's ingested days, the
//! options and `now`, derive every cluster × day state, the parity of migrated days, and the
//! progress figures. No I/O, so every rule is unit-tested with made-up observations.
//!
//! **Days.** The report covers every UTC day from the first to the last day any source has (any
//! cluster), so every cluster's strip has the same columns.
//!
//! **State of a cluster-day**, first match wins:
//! 1. `EMPTY` — a federated daily file (allocations or assets) exists but holds no items;
//! 2. `INGESTED` — both federated daily files hold items and the day is in the ingested set;
//! 3. `MIGRATED` — both federated daily files hold items;
//! 4. `THANOS_ONLY` — a federated daily file is missing that nothing will write (the backup does
//!    not hold its pipeline that day and the other federated file holds no items), and Thanos
//!    blocks of any resolution cover part of the day: e.g. the backup's allocation set is empty
//!    but its asset set is not, so the allocations exist only in Thanos;
//! 5. `PENDING` — the backup holds the cluster's allocations or assets that day, or one federated
//!    daily file holds items while the other is missing;
//! 6. `THANOS_ONLY` — Thanos blocks cover part of the day;
//! 7. `NO_SOURCE`.
//!
//! **Missing days** are the days of the progress window (below) that have a source and are not
//! done: `PENDING`, `EMPTY` and `THANOS_ONLY`. So `done + missing = expected` for every cluster,
//! and the missing list is exactly what keeps `percentDone` below 100.
//!
//! **% done.** The progress window W is the federated window — first to last day with a
//! federated daily file of any cluster (the days ETL Utils and the agents are filling) — or, with
//! [`MigrationOptions::horizon_days`], the last N days of the report (ETL Utils'
//! `ETL_DAILY_STORE_DURATION_DAYS`). Without any federated file W is every day of the report.
//! A cluster's expected days are the days of W on which it has some source (state ≠ `NO_SOURCE`);
//! `percentDone = 100 × (expected days that are MIGRATED or INGESTED) / expected days`. Overall,
//! the sums over clusters (weighted by expected days). On the dev bucket this is dev-truth's
//! `fractionOfFederatedWindow` (dev-ap-south-1: 13 / 21 = 61.9 %). `percentOfSourceDays` is the
//! other definition (backup allocations and full raw Thanos coverage as the source set).
//!
//! **Rate, ETA, phase.** Migration writes are the federated daily files whose window ended more
//! than [`MigrationOptions::live_days`] before `now` (a running agent keeps rewriting its newest
//! days; those writes say nothing about the migration). Rate = such files modified within
//! [`MigrationOptions::rate_window`], per minute; ETA = pending files in W /
//! rate (days before W are outside what ETL Utils was asked to translate); pending files are the
//! missing federated daily files of days not done that can still come (the backup holds their
//! pipeline, or the other federated file of the day holds items). Overall, the ETA is
//! the latest cluster ETA (clusters migrate side by side), unknown when any cluster with pending
//! files has no rate.
//! In a copied bucket ([`Observations::copied_at`]) only files modified after the copy count as
//! writes: a fresh copy of a static bucket is not "migrating".
//! "Caught up" = 100 % of the progress window, every day outside it that has a source (backup
//! or Thanos) federated too, and no migration write for [`MigrationOptions::caught_up_after`]
//! (ETL Utils never exits, so completion can only be inferred; Kubecost docs
//! thanos-migration-guide.md; docs/user-guide.md, Migration). A cluster whose window is done but
//! whose earlier source days are not is `HistoryPending`, never caught up.

use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::bucket::keys::Pipeline;

use super::MigrationOptions;
use super::observe::{FederatedFile, Observations};
use super::report::{
    ClusterPhase, ClusterReport, DAY_SECONDS, DayRecord, DayState, MigrationReport, Parity, ParityMismatch, Progress, day_label, day_start,
};
use super::sets::Totals;
use super::thanos::{Coverage, FULL_DAY_COVERAGE};

/// Backup and federated totals of a migrated day may differ by at most this many USD.
pub const PARITY_TOLERANCE_USD: f64 = 0.01;

/// Counters behind a [`Progress`], summable over clusters.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    expected: usize,
    done: usize,
    source_days: usize,
    source_done: usize,
    missing_outside: usize,
    pending_files: usize,
    recent_writes: usize,
    last_write: Option<DateTime<Utc>>,
}

impl Tally {
    fn merge(self, o: Tally) -> Tally {
        Tally {
            expected: self.expected + o.expected,
            done: self.done + o.done,
            source_days: self.source_days + o.source_days,
            source_done: self.source_done + o.source_done,
            missing_outside: self.missing_outside + o.missing_outside,
            pending_files: self.pending_files + o.pending_files,
            recent_writes: self.recent_writes + o.recent_writes,
            last_write: self.last_write.max(o.last_write),
        }
    }

    fn progress(&self, opts: &MigrationOptions, now: DateTime<Utc>) -> Progress {
        let pct = |num: usize, den: usize| (den > 0).then(|| 100.0 * num as f64 / den as f64);
        let minutes = (opts.rate_window.num_milliseconds() as f64 / 60_000.0).max(f64::MIN_POSITIVE);
        let files_per_minute = self.recent_writes as f64 / minutes;
        let eta_seconds = match (self.pending_files, files_per_minute > 0.0) {
            (0, _) => Some(0.0),
            (n, true) => Some(n as f64 / files_per_minute * 60.0),
            (_, false) => None,
        };
        let eta = eta_seconds.map(|s| now + Duration::milliseconds((s * 1000.0).round() as i64));
        let window_complete = self.done == self.expected;
        let complete = window_complete && self.missing_outside == 0;
        let quiet = self.last_write.is_none_or(|t| now - t >= opts.caught_up_after);
        let phase = match () {
            _ if complete && quiet => ClusterPhase::CaughtUp,
            _ if complete => ClusterPhase::Settling,
            _ if window_complete => ClusterPhase::HistoryPending,
            _ if self.pending_files == 0 => ClusterPhase::NeedsRebuild,
            _ if files_per_minute > 0.0 => ClusterPhase::Migrating,
            _ => ClusterPhase::Stalled,
        };
        Progress {
            percent_done: pct(self.done, self.expected),
            expected_days: self.expected,
            done_days: self.done,
            percent_of_source_days: pct(self.source_done, self.source_days),
            missing_outside_window: self.missing_outside,
            pending_files: self.pending_files,
            last_write: self.last_write,
            files_per_minute,
            eta_seconds,
            eta,
            phase,
        }
    }
}

/// What is known about one cluster-day before judging it.
struct DayFacts<'a> {
    coverage_raw: f64,
    coverage_5m: f64,
    coverage_any: f64,
    backup: [Option<Totals>; 2],
    federated: [Option<&'a FederatedFile>; 2],
    ingested: bool,
}

impl DayFacts<'_> {
    fn state(&self) -> DayState {
        let non_empty = |f: Option<&FederatedFile>| f.is_some_and(|f| !f.empty);
        let [fa, fs] = self.federated;
        if fa.is_some_and(|f| f.empty) || fs.is_some_and(|f| f.empty) {
            DayState::Empty
        } else if non_empty(fa) && non_empty(fs) {
            if self.ingested { DayState::Ingested } else { DayState::Migrated }
        } else if self.unbacked_missing() > 0 && self.coverage_any > 0.0 {
            DayState::ThanosOnly
        } else if self.backup.iter().any(Option::is_some) || non_empty(fa) || non_empty(fs) {
            DayState::Pending
        } else if self.coverage_any > 0.0 {
            DayState::ThanosOnly
        } else {
            DayState::NoSource
        }
    }
}

impl DayFacts<'_> {
    /// Whether pipeline `i`'s missing federated daily file can still come: the backup holds
    /// the pipeline that day (ETL Utils translates it), or the other pipeline's federated file
    /// holds items (its writer writes both).
    fn can_come(&self, i: usize) -> bool {
        self.backup[i].is_some() || self.federated[1 - i].is_some_and(|f| !f.empty)
    }

    /// Federated daily files missing that can still come ([`Self::can_come`]).
    fn backed_missing(&self) -> usize {
        (0..2).filter(|&i| self.federated[i].is_none() && self.can_come(i)).count()
    }

    /// Federated daily files missing that nothing will write.
    fn unbacked_missing(&self) -> usize {
        (0..2).filter(|&i| self.federated[i].is_none() && !self.can_come(i)).count()
    }
}

const PIPES: [Pipeline; 2] = [Pipeline::Allocations, Pipeline::Assets];

/// Derive the report. See the module docs for every rule.
pub fn build(obs: &Observations, ingested: &HashSet<(String, i64)>, opts: &MigrationOptions, now: DateTime<Utc>) -> MigrationReport {
    let days = report_days(obs);
    let window = progress_window(obs, &days, opts);
    let clusters = cluster_names(obs);
    let live_cutoff = now.timestamp() - opts.live_days * DAY_SECONDS;
    let no_coverage = Coverage::default();
    let mut reports = Vec::new();
    let mut mismatches = Vec::new();
    let mut total = Tally::default();
    for c in &clusters {
        let cov = obs.thanos.get(c).unwrap_or(&no_coverage);
        let fed = obs.federated.get(c.as_str());
        let mut tally = Tally::default();
        let mut records = Vec::with_capacity(days.len());
        let mut parity_checked = 0;
        for &d in &days {
            let facts = DayFacts {
                coverage_raw: cov.raw.get(&d).copied().unwrap_or(0.0),
                coverage_5m: cov.five_minute.get(&d).copied().unwrap_or(0.0),
                coverage_any: cov.any(d),
                backup: PIPES.map(|p| {
                    obs.backup
                        .get(&p)
                        .and_then(|m| m.get(&d))
                        .and_then(|t| t.get(c.as_str()))
                        .copied()
                        .filter(|t| t.count > 0)
                }),
                federated: PIPES.map(|p| fed.and_then(|m| m.get(&(p, d)))),
                ingested: ingested.contains(&(c.clone(), d)),
            };
            let state = facts.state();
            let in_window = window.is_some_and(|(a, b)| d >= a && d <= b);
            if in_window && state != DayState::NoSource {
                tally.expected += 1;
                tally.done += state.is_done() as usize;
            }
            tally.missing_outside += (!in_window && state.is_missing()) as usize;
            if facts.backup[0].is_some() && facts.coverage_raw >= FULL_DAY_COVERAGE {
                tally.source_days += 1;
                tally.source_done += state.is_done() as usize;
            }
            if in_window && !state.is_done() {
                tally.pending_files += facts.backed_missing();
            }
            let parity = if state.is_done() {
                check_parity(c, d, &facts, &mut mismatches)
            } else {
                None
            };
            parity_checked += parity.is_some() as usize;
            records.push(DayRecord {
                day: day_label(d),
                day_start: d,
                state,
                in_progress_window: in_window,
                thanos_coverage: facts.coverage_raw,
                thanos_coverage_5m: facts.coverage_5m,
                backup: facts.backup.iter().any(Option::is_some),
                backup_allocations: facts.backup[0].is_some(),
                backup_assets: facts.backup[1].is_some(),
                federated_allocations: facts.federated[0].is_some_and(|f| !f.empty),
                federated_assets: facts.federated[1].is_some_and(|f| !f.empty),
                federated_empty: facts.federated.iter().flatten().any(|f| f.empty),
                ingested: facts.ingested,
                parity,
            });
        }
        // In a copied bucket, files written before the copy ended carry the copy's time.
        let written_after_copy = |f: &&FederatedFile| obs.copied_at.is_none_or(|c| f.last_modified > c);
        for f in fed
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|f| f.window_end <= live_cutoff)
            .filter(written_after_copy)
        {
            tally.last_write = tally.last_write.max(Some(f.last_modified));
            tally.recent_writes += (now - f.last_modified < opts.rate_window) as usize;
        }
        total = total.merge(tally);
        reports.push(ClusterReport {
            cluster: c.clone(),
            thanos_names: obs.thanos_names.get(c).map(|s| s.iter().cloned().collect()).unwrap_or_default(),
            progress: tally.progress(opts, now),
            thanos_full_days: cov.raw.values().filter(|v| **v >= FULL_DAY_COVERAGE).count(),
            thanos_partial_days: cov.raw.values().filter(|v| **v < FULL_DAY_COVERAGE).count(),
            backup_days: records.iter().filter(|r| r.backup).count(),
            federated_days: records.iter().filter(|r| r.federated_allocations && r.federated_assets).count(),
            ingested_days: records.iter().filter(|r| r.state == DayState::Ingested).count(),
            parity_checked_days: parity_checked,
            days: records,
        });
    }
    let mut overall = total.progress(opts, now);
    (overall.eta_seconds, overall.eta) = latest_eta(&reports, now);
    MigrationReport {
        generated_at: now,
        first_day: days.first().map(|d| day_label(*d)),
        last_day: days.last().map(|d| day_label(*d)),
        progress_window: window.map(|(a, b)| (day_label(a), day_label(b))),
        overall,
        clusters: reports,
        mismatches,
        thanos: obs.thanos_facts.clone(),
        problems: obs.problems.clone(),
        copied_at: obs.copied_at,
    }
}

/// The latest ETA of the clusters with pending files (seconds and instant): 0 when none has
/// any, `None` when one of them has no rate.
fn latest_eta(reports: &[ClusterReport], now: DateTime<Utc>) -> (Option<f64>, Option<DateTime<Utc>>) {
    let mut out = (Some(0.0), Some(now));
    for p in reports.iter().map(|r| &r.progress).filter(|p| p.pending_files > 0) {
        match (p.eta_seconds, out.0) {
            (Some(s), Some(best)) if s >= best => out = (Some(s), p.eta),
            (Some(_), _) => {}
            (None, _) => return (None, None),
        }
    }
    out
}

/// Compare backup and federated totals of a migrated day, pipeline by pipeline, where both sides
/// have numbers (the backup may hold nothing of the cluster that day, or a file may not have been
/// decoded). Records mismatches; `None` when nothing could be compared.
fn check_parity(cluster: &str, d: i64, facts: &DayFacts<'_>, out: &mut Vec<ParityMismatch>) -> Option<Parity> {
    let mut result = None;
    for (i, pipeline) in PIPES.into_iter().enumerate() {
        let (Some(b), Some(f)) = (facts.backup[i], facts.federated[i].and_then(|f| f.totals)) else {
            continue;
        };
        if (b.total_cost - f.total_cost).abs() <= PARITY_TOLERANCE_USD {
            result.get_or_insert(Parity::Ok);
        } else {
            result = Some(Parity::Mismatch);
            out.push(ParityMismatch {
                cluster: cluster.to_string(),
                day: day_label(d),
                pipeline,
                backup_total: b.total_cost,
                federated_total: f.total_cost,
            });
        }
    }
    result
}

/// Every day from the first to the last day any source has, as UTC day starts.
fn report_days(obs: &Observations) -> Vec<i64> {
    let thanos = obs.thanos.values().flat_map(Coverage::days);
    let backup = obs.backup.values().flat_map(|m| m.keys().copied());
    let federated = obs.federated.values().flat_map(|m| m.keys().map(|(_, d)| *d));
    let all: BTreeSet<i64> = thanos.chain(backup).chain(federated).collect();
    match (all.first(), all.last()) {
        (Some(&a), Some(&b)) => (0..=(b - a) / DAY_SECONDS).map(|i| a + i * DAY_SECONDS).collect(),
        _ => Vec::new(),
    }
}

/// The window progress is measured in (first and last day, inclusive). See the module docs.
fn progress_window(obs: &Observations, days: &[i64], opts: &MigrationOptions) -> Option<(i64, i64)> {
    let last = *days.last()?;
    if let Some(n) = opts.horizon_days {
        return Some((day_start(last - (n.max(1) - 1) * DAY_SECONDS).max(days[0]), last));
    }
    let fed: BTreeSet<i64> = obs.federated.values().flat_map(|m| m.keys().map(|(_, d)| *d)).collect();
    match (fed.first(), fed.last()) {
        (Some(&a), Some(&b)) => Some((a, b)),
        _ => Some((days[0], last)),
    }
}

/// Every cluster some source names: federated folders, (mapped) Thanos label values, and the
/// clusters with items in the backup. Sorted.
fn cluster_names(obs: &Observations) -> Vec<String> {
    let mut out: BTreeSet<String> = obs.federated.keys().cloned().collect();
    out.extend(obs.thanos.keys().cloned());
    for per_day in obs.backup.values() {
        for totals in per_day.values() {
            out.extend(
                totals
                    .iter()
                    .filter(|(c, t)| !c.is_empty() && t.count > 0)
                    .map(|(c, _)| c.to_string()),
            );
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
