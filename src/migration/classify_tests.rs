//! Unit tests of the state, parity and progress rules on made-up observations.

use super::*;
use crate::migration::sets::ClusterTotals;
use crate::model::Str;
use chrono::TimeZone;

const D0: i64 = 1_795_046_400; // 2026-11-19
const D1: i64 = D0 + DAY_SECONDS;
const D2: i64 = D1 + DAY_SECONDS;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()
}

fn file(empty: bool, total: f64, written: DateTime<Utc>, day: i64) -> FederatedFile {
    let totals = Some(Totals {
        count: if empty { 0 } else { 3 },
        total_cost: total,
    });
    FederatedFile {
        empty,
        totals,
        last_modified: written,
        window_end: day + DAY_SECONDS,
    }
}

fn backup_of(cluster: &str, total: f64) -> ClusterTotals {
    let mut m = ClusterTotals::new();
    m.insert(
        Str::from(cluster),
        Totals {
            count: 2,
            total_cost: total,
        },
    );
    m
}

fn put(obs: &mut Observations, c: &str, p: Pipeline, day: i64, f: FederatedFile) {
    obs.federated.entry(c.to_string()).or_default().insert((p, day), f);
}

/// Cluster `a`: D0 migrated (backup agrees), D1 pending (backup only), D2 Thanos only.
/// Cluster `b`: D0 empty federated allocation file, D1 nothing at all.
fn sample() -> Observations {
    let mut obs = Observations::default();
    let old = now() - Duration::hours(5);
    put(&mut obs, "a", Pipeline::Allocations, D0, file(false, 10.0, old, D0));
    put(&mut obs, "a", Pipeline::Assets, D0, file(false, 20.0, old, D0));
    put(&mut obs, "b", Pipeline::Allocations, D0, file(true, 0.0, old, D0));
    for (p, t) in [(Pipeline::Allocations, 10.004), (Pipeline::Assets, 20.0)] {
        obs.backup.entry(p).or_default().insert(D0, backup_of("a", t));
        obs.backup.entry(p).or_default().insert(D1, backup_of("a", t));
    }
    let cov = Coverage {
        raw: [(D0, 1.0), (D1, 1.0), (D2, 0.5)].into(),
        ..Default::default()
    };
    obs.thanos.insert("a".into(), cov);
    obs
}

fn states(r: &MigrationReport, c: &str) -> Vec<DayState> {
    r.cluster(c).unwrap().days.iter().map(|d| d.state).collect()
}

#[test]
fn states_follow_the_rules_in_order() {
    let obs = sample();
    let ingested: HashSet<(String, i64)> = [("a".to_string(), D0)].into();
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now());
    assert_eq!(r.first_day.as_deref(), Some("2026-11-19"));
    assert_eq!(r.last_day.as_deref(), Some("2026-11-21"));
    assert_eq!(states(&r, "a"), [DayState::Migrated, DayState::Pending, DayState::ThanosOnly]);
    assert_eq!(states(&r, "b"), [DayState::Empty, DayState::NoSource, DayState::NoSource]);
    let r = build(&obs, &ingested, &MigrationOptions::default(), now());
    assert_eq!(states(&r, "a")[0], DayState::Ingested);
    // The progress window is D0 (the only federated day): a is done there, b's file is empty.
    let a = r.cluster("a").unwrap();
    assert!(a.missing_days().is_empty());
    let b = r.cluster("b").unwrap();
    assert_eq!(b.missing_days().iter().map(|d| d.day.as_str()).collect::<Vec<_>>(), ["2026-11-19"]);
    for c in &r.clusters {
        assert_eq!(
            c.missing_days().len(),
            c.progress.expected_days - c.progress.done_days,
            "{}",
            c.cluster
        );
    }
    assert_eq!(
        (
            a.backup_days,
            a.federated_days,
            a.ingested_days,
            a.thanos_full_days,
            a.thanos_partial_days
        ),
        (2, 1, 1, 2, 1)
    );
}

#[test]
fn one_federated_file_without_the_other_is_pending() {
    let mut obs = Observations::default();
    put(&mut obs, "a", Pipeline::Allocations, D0, file(false, 1.0, now(), D0));
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now());
    assert_eq!(states(&r, "a"), [DayState::Pending]);
    assert_eq!(r.cluster("a").unwrap().progress.pending_files, 1);
}

/// The backup holds the day's assets but not its allocations: only the asset file can come, so
/// the day is Thanos only (rebuild the allocations) and one file is pending.
#[test]
fn a_day_whose_allocations_exist_only_in_thanos_is_thanos_only() {
    let mut obs = Observations::default();
    put(&mut obs, "a", Pipeline::Allocations, D0, file(false, 1.0, now(), D0));
    put(&mut obs, "a", Pipeline::Assets, D0, file(false, 1.0, now(), D0));
    obs.backup.entry(Pipeline::Assets).or_default().insert(D1, backup_of("a", 5.0));
    obs.thanos.insert(
        "a".into(),
        Coverage {
            raw: [(D1, 1.0)].into(),
            ..Default::default()
        },
    );
    let opts = MigrationOptions {
        horizon_days: Some(2),
        ..Default::default()
    };
    let r = build(&obs, &HashSet::new(), &opts, now());
    assert_eq!(states(&r, "a"), [DayState::Migrated, DayState::ThanosOnly]);
    let a = r.cluster("a").unwrap();
    assert_eq!(a.progress.pending_files, 1, "the asset file can still come");
    assert_eq!(a.missing_days().len(), 1);
}

#[test]
fn progress_counts_expected_days_in_the_federated_window() {
    let r = build(&sample(), &HashSet::new(), &MigrationOptions::default(), now());
    // The federated window is D0 only: a has 1/1 done, b has 0/1 (empty file).
    assert_eq!(r.progress_window, Some(("2026-11-19".into(), "2026-11-19".into())));
    let a = &r.cluster("a").unwrap().progress;
    assert_eq!((a.expected_days, a.done_days, a.percent_done), (1, 1, Some(100.0)));
    let b = &r.cluster("b").unwrap().progress;
    assert_eq!((b.expected_days, b.done_days, b.percent_done), (1, 0, Some(0.0)));
    assert_eq!(b.phase, ClusterPhase::NeedsRebuild);
    assert_eq!(r.overall.percent_done, Some(50.0));
    // Source days: backup allocations + full raw coverage = D0, D1; D0 is migrated.
    assert_eq!(a.percent_of_source_days, Some(50.0));
    // D1 (pending) and D2 (Thanos only) lie after the window: a is not caught up.
    assert_eq!((a.phase, a.missing_outside_window), (ClusterPhase::HistoryPending, 2));
    let unfinished: Vec<&str> = r.cluster("a").unwrap().unfinished_days().iter().map(|d| d.day.as_str()).collect();
    assert_eq!(unfinished, ["2026-11-20", "2026-11-21"], "Enter lists every day the strip marks");
    // A 3-day horizon makes D1 (pending) and D2 (Thanos only) expected too.
    let opts = MigrationOptions {
        horizon_days: Some(3),
        ..Default::default()
    };
    let r = build(&sample(), &HashSet::new(), &opts, now());
    let a = &r.cluster("a").unwrap().progress;
    assert_eq!((a.expected_days, a.done_days, a.pending_files), (3, 1, 2));
    assert_eq!(a.phase, ClusterPhase::Stalled);
    assert_eq!(a.eta_seconds, None);
}

#[test]
fn parity_flags_differences_above_one_cent() {
    let mut obs = sample();
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now());
    assert!(r.mismatches.is_empty(), "0.004 USD is within tolerance: {:?}", r.mismatches);
    assert_eq!(r.cluster("a").unwrap().days[0].parity, Some(Parity::Ok));
    obs.backup.get_mut(&Pipeline::Assets).unwrap().insert(D0, backup_of("a", 20.02));
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now());
    assert_eq!(r.mismatches.len(), 1);
    let m = &r.mismatches[0];
    assert_eq!(
        (m.cluster.as_str(), m.day.as_str(), m.pipeline),
        ("a", "2026-11-19", Pipeline::Assets)
    );
    assert_eq!((m.backup_total, m.federated_total), (20.02, 20.0));
    assert_eq!(r.cluster("a").unwrap().days[0].parity, Some(Parity::Mismatch));
}

#[test]
fn rate_eta_and_caught_up() {
    let mut obs = sample();
    // One file written 10 minutes ago for D1: the rate is 1 per 30 min.
    let recent = now() - Duration::minutes(10);
    put(&mut obs, "a", Pipeline::Allocations, D1, file(false, 10.004, recent, D1));
    let opts = MigrationOptions {
        horizon_days: Some(3),
        ..Default::default()
    };
    let r = build(&obs, &HashSet::new(), &opts, now());
    let a = &r.cluster("a").unwrap().progress;
    assert_eq!(a.pending_files, 1);
    assert!((a.files_per_minute - 1.0 / 30.0).abs() < 1e-12);
    assert!((a.eta_seconds.unwrap() - 1800.0).abs() < 1e-6);
    assert_eq!(a.phase, ClusterPhase::Migrating);
    assert_eq!(a.last_write, Some(recent));
    // The federated window (D0, D1) is done, but D2 has a source (Thanos) and is not federated:
    // history pending, never caught up, whatever the time (issue 28).
    put(&mut obs, "a", Pipeline::Assets, D1, file(false, 20.0, recent, D1));
    for at in [now(), now() + Duration::days(30)] {
        let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), at);
        let a = r.cluster("a").unwrap();
        assert_eq!(a.progress.percent_done, Some(100.0));
        assert_eq!(
            (a.progress.phase, a.progress.missing_outside_window),
            (ClusterPhase::HistoryPending, 1)
        );
        assert_eq!(
            a.unfinished_days().iter().map(|d| d.day.as_str()).collect::<Vec<_>>(),
            ["2026-11-21"]
        );
        assert_ne!(r.overall.phase, ClusterPhase::CaughtUp);
    }
    // Without D2's Thanos data every source day is federated. Complete but written 10 minutes
    // ago: settling; an hour later: caught up.
    obs.thanos.get_mut("a").unwrap().raw.remove(&D2);
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now());
    assert_eq!(r.cluster("a").unwrap().progress.phase, ClusterPhase::Settling);
    let r = build(&obs, &HashSet::new(), &MigrationOptions::default(), now() + Duration::hours(1));
    let a = &r.cluster("a").unwrap().progress;
    assert_eq!(
        (a.phase, a.eta_seconds, a.files_per_minute),
        (ClusterPhase::CaughtUp, Some(0.0), 0.0)
    );
    // Files of days still live at `now` are not migration writes.
    let r = build(
        &obs,
        &HashSet::new(),
        &MigrationOptions::default(),
        Utc.with_ymd_and_hms(2026, 11, 21, 1, 0, 0).unwrap(),
    );
    assert_eq!(r.cluster("a").unwrap().progress.last_write, None);
}

#[test]
fn empty_observations_give_an_empty_report() {
    let r = build(&Observations::default(), &HashSet::new(), &MigrationOptions::default(), now());
    assert!(r.clusters.is_empty() && r.first_day.is_none() && r.progress_window.is_none());
    assert_eq!(r.overall.percent_done, None);
    assert_eq!(r.overall.phase, ClusterPhase::CaughtUp);
}
