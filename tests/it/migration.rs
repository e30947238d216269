//! The migration scanner on `shared/buckets/dev`, compared with `dev-truth.json` `migration.<c>`:
//! Thanos coverage (union of blocks, partial uploads and deletion-marked blocks excluded), backup
//! membership, federated non-empty / empty days, the derived states, % done, rate / ETA / phase,
//! parity (passing on dev, failing on a day corrupted in a temporary copy), the cluster label and
//! name map options, and the JSON / table outputs.

use crate::support::dev_bucket;
use crate::support::migration_dev;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use chrono::{DateTime, Duration, TimeZone, Utc};
use costscope::bucket::keys::Pipeline;
use costscope::migration::{
    ClusterPhase, ClusterReport, DayRecord, DayState, MigrationOptions, MigrationReport, Parity, build, render, scan,
};
use dev_bucket::{copy_dev, truth};
use migration_dev::{dev_bucket, dev_report, dev_store, observe_at};
use serde_json::Value;

const CLUSTERS: [&str; 3] = ["dev-ap-south-1", "prod-us-east-1", "staging-eu-west-1"];

/// When every federated file was "written" (after the data's end, 2026-11-21).
fn written() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
}

fn report_at(now: DateTime<Utc>) -> MigrationReport {
    dev_report(&HashSet::new(), written(), now)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("array expected: {v}"))
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect()
}

fn days_where(c: &ClusterReport, f: impl Fn(&DayRecord) -> bool) -> Vec<String> {
    c.days.iter().filter(|d| f(d)).map(|d| d.day.clone()).collect()
}

fn day_unix(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn day_lists_equal_the_truth() {
    let t = truth();
    let r = report_at(written() + Duration::minutes(10));
    assert_eq!(r.clusters.iter().map(|c| c.cluster.as_str()).collect::<Vec<_>>(), CLUSTERS);
    assert_eq!(
        (r.first_day.as_deref(), r.last_day.as_deref()),
        (Some("2026-10-07"), Some("2026-11-20"))
    );
    for c in &r.clusters {
        let m = &t["migration"][c.cluster.as_str()];
        let name = &c.cluster;
        for (field, coverage) in [("thanosDayCoverageRaw", 0), ("thanosDayCoverage5m", 1)] {
            let want = m[field].as_object().unwrap();
            let get = |d: &DayRecord| if coverage == 0 { d.thanos_coverage } else { d.thanos_coverage_5m };
            assert_eq!(
                days_where(c, |d| get(d) > 0.0),
                want.keys().cloned().collect::<Vec<_>>(),
                "{name} {field} days"
            );
            for d in &c.days {
                let w = want.get(&d.day).map_or(0.0, |v| v.as_f64().unwrap());
                assert!((get(d) - w).abs() <= 1e-9, "{name} {} {field}: {} vs {w}", d.day, get(d));
            }
        }
        let full = |d: &DayRecord| d.thanos_coverage >= 0.999;
        assert_eq!(days_where(c, full), strings(&m["thanosFullDays"]), "{name} full days");
        assert_eq!(
            days_where(c, |d| d.thanos_coverage > 0.0 && !full(d)),
            strings(&m["thanosPartialDays"]),
            "{name} partial days"
        );
        assert_eq!(
            (c.thanos_full_days, c.thanos_partial_days),
            (strings(&m["thanosFullDays"]).len(), strings(&m["thanosPartialDays"]).len())
        );
        assert_eq!(
            days_where(c, |d| d.backup_allocations),
            strings(&m["etlBackupAllocationDays"]),
            "{name} backup allocations"
        );
        assert_eq!(
            days_where(c, |d| d.backup_assets),
            strings(&m["etlBackupAssetDays"]),
            "{name} backup assets"
        );
        assert_eq!(
            days_where(c, |d| d.federated_allocations),
            strings(&m["federatedAllocationDaysNonEmpty"]),
            "{name} federated allocations"
        );
        assert_eq!(
            days_where(c, |d| d.federated_assets),
            strings(&m["federatedAssetDaysNonEmpty"]),
            "{name} federated assets"
        );
        assert_eq!(
            days_where(c, |d| d.federated_empty),
            strings(&m["federatedEmptyFileDays"]),
            "{name} empty files"
        );
    }
}

#[test]
fn states_and_progress_are_consistent_with_the_truth() {
    let t = truth();
    let ingested: HashSet<(String, i64)> = [
        ("prod-us-east-1".to_string(), day_unix("2026-11-20")),
        ("dev-ap-south-1".to_string(), day_unix("2026-11-01")),
    ]
    .into();
    let r = dev_report(&ingested, written(), written() + Duration::minutes(10));
    assert_eq!(r.progress_window, Some(("2026-10-31".into(), "2026-11-20".into())));
    for c in &r.clusters {
        let m = &t["migration"][c.cluster.as_str()];
        let set = |f: &str| strings(&m[f]).into_iter().collect::<BTreeSet<_>>();
        let (fa, fs, empty) = (
            set("federatedAllocationDaysNonEmpty"),
            set("federatedAssetDaysNonEmpty"),
            set("federatedEmptyFileDays"),
        );
        let (backup_alloc, backup_assets) = (set("etlBackupAllocationDays"), set("etlBackupAssetDays"));
        let backup: BTreeSet<String> = backup_alloc.union(&backup_assets).cloned().collect();
        let thanos = |d: &str| m["thanosDayCoverageRaw"].get(d).is_some() || m["thanosDayCoverage5m"].get(d).is_some();
        for d in &c.days {
            let day = d.day.as_str();
            let want = if empty.contains(day) {
                DayState::Empty
            } else if fa.contains(day) && fs.contains(day) {
                if ingested.contains(&(c.cluster.clone(), d.day_start)) {
                    DayState::Ingested
                } else {
                    DayState::Migrated
                }
            } else if thanos(day)
                && ((!fa.contains(day) && !backup_alloc.contains(day) && !fs.contains(day))
                    || (!fs.contains(day) && !backup_assets.contains(day) && !fa.contains(day)))
            {
                // A missing file nothing will write (no backup of its pipeline, no sibling file).
                DayState::ThanosOnly
            } else if backup.contains(day) || fa.contains(day) || fs.contains(day) {
                DayState::Pending
            } else if thanos(day) {
                DayState::ThanosOnly
            } else {
                DayState::NoSource
            };
            assert_eq!(d.state, want, "{} {day}", c.cluster);
        }
        let p = &m["progress"];
        let pr = &c.progress;
        assert_eq!(pr.expected_days as u64, p["federatedWindowDays"].as_u64().unwrap(), "{}", c.cluster);
        assert_eq!(
            pr.done_days as u64,
            p["federatedDaysNonEmptyBoth"].as_u64().unwrap(),
            "{}",
            c.cluster
        );
        assert!(
            close(
                pr.percent_done.unwrap(),
                100.0 * p["fractionOfFederatedWindow"].as_f64().unwrap(),
                1e-12
            ),
            "{}",
            c.cluster
        );
        assert!(
            close(
                pr.percent_of_source_days.unwrap(),
                100.0 * p["fractionOfSourceDays"].as_f64().unwrap(),
                1e-12
            ),
            "{}",
            c.cluster
        );
    }
    let ap = r.cluster("dev-ap-south-1").unwrap();
    assert!((ap.progress.percent_done.unwrap() - 61.9).abs() < 0.01);
    let state_of = |c: &str, d: &str| r.cluster(c).unwrap().days.iter().find(|x| x.day == d).unwrap().state;
    assert_eq!(state_of("prod-us-east-1", "2026-11-20"), DayState::Ingested);
    assert_eq!(
        state_of("prod-us-east-1", "2026-10-21"),
        DayState::ThanosOnly,
        "the backup is empty that day"
    );
    assert_eq!(state_of("prod-us-east-1", "2026-11-04"), DayState::Migrated);
    assert_eq!(state_of("staging-eu-west-1", "2026-11-11"), DayState::Empty);
    assert_eq!(state_of("dev-ap-south-1", "2026-10-07"), DayState::NoSource);
    assert_eq!(
        state_of("dev-ap-south-1", "2026-11-01"),
        DayState::Pending,
        "ingested alone is not migrated"
    );
    // The ingested column counts the strip's I cells: 11-01 is ingested but not migrated (P).
    assert_eq!((ap.ingested_days, r.cluster("prod-us-east-1").unwrap().ingested_days), (0, 1));
    assert_eq!(
        state_of("dev-ap-south-1", "2026-11-04"),
        DayState::ThanosOnly,
        "the backup holds its assets but not its allocations"
    );
    // Missing days are the progress window's days that are not done: dev-ap-south-1's 10-31
    // (Thanos only) and 11-01 … 11-07; the truth's missing federated days are among them.
    let missing: Vec<String> = ap.missing_days().iter().map(|d| d.day.clone()).collect();
    assert_eq!(missing.first().map(String::as_str), Some("2026-10-31"));
    assert_eq!(missing.len(), 8);
    for c in &r.clusters {
        let p = &c.progress;
        assert_eq!(
            c.missing_days().len(),
            p.expected_days - p.done_days,
            "{}: missing = expected − done",
            c.cluster
        );
    }
    let staging = r.cluster("staging-eu-west-1").unwrap();
    let empty: Vec<&str> = staging.missing_days().iter().map(|d| d.day.as_str()).collect();
    assert_eq!(empty, ["2026-11-11", "2026-11-12"], "empty-file days are listed as missing");
    let truth_missing = strings(&t["migration"]["dev-ap-south-1"]["federatedMissingDaysInFederatedWindow"]);
    assert!(truth_missing.iter().all(|d| missing.contains(d)), "{missing:?}");
    assert_eq!(r.overall.expected_days, 63);
    assert!(close(r.overall.percent_done.unwrap(), 100.0 * 53.0 / 63.0, 1e-12));
}

#[test]
fn partial_uploads_and_deletion_marked_blocks_are_excluded() {
    let t = truth();
    let r = report_at(written());
    let ulids = |v: &Value, key: Option<&str>| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| key.map_or(x, |k| &x[k]).as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        r.thanos.partial_uploads.iter().cloned().collect::<BTreeSet<_>>(),
        ulids(&t["thanos"]["partialUploads"], Some("ulid"))
    );
    assert_eq!(
        r.thanos.deletion_marked.iter().cloned().collect::<BTreeSet<_>>(),
        ulids(&t["thanos"]["deletionMarked"], None)
    );
    let live = t["thanos"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| !b["deletionMarked"].as_bool().unwrap())
        .count();
    assert_eq!(r.thanos.blocks_used, live);
    assert!(
        r.thanos.unlabelled.is_empty() && r.problems.is_empty(),
        "{:?} {:?}",
        r.thanos,
        r.problems
    );

    // A block filling staging's 6 h gap on 11-19 counts only once its deletion mark is gone; a
    // directory without meta.json never counts.
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    let day = day_unix("2026-11-19");
    let gap_block = dir.path().join("01M7TESTB00000000000000001");
    std::fs::create_dir_all(&gap_block).unwrap();
    let meta = serde_json::json!({"ulid": "01M7TESTB00000000000000001", "minTime": (day + 8 * 3600) * 1000, "maxTime": (day + 14 * 3600) * 1000,
        "version": 1, "thanos": {"labels": {"cluster_id": "staging-eu-west-1"}, "downsample": {"resolution": 0}, "source": "sidecar"}});
    std::fs::write(gap_block.join("meta.json"), meta.to_string()).unwrap();
    std::fs::write(
        gap_block.join("deletion-mark.json"),
        r#"{"id":"01M7TESTB00000000000000001","deletion_time":1795100000,"version":1}"#,
    )
    .unwrap();
    let partial = dir.path().join("01M7TESTB00000000000000002/chunks");
    std::fs::create_dir_all(&partial).unwrap();
    std::fs::write(partial.join("000001"), b"").unwrap();
    let coverage = |dir: &Path| {
        let opts = MigrationOptions::default();
        let r = build(&observe_at(dir, &opts, written()), &HashSet::new(), &opts, written());
        let c = r
            .cluster("staging-eu-west-1")
            .unwrap()
            .days
            .iter()
            .find(|d| d.day == "2026-11-19")
            .unwrap()
            .thanos_coverage;
        (c, r.thanos)
    };
    let want = t["migration"]["staging-eu-west-1"]["thanosDayCoverageRaw"]["2026-11-19"]
        .as_f64()
        .unwrap();
    assert!(want < 0.999);
    let (cov, facts) = coverage(dir.path());
    assert!((cov - want).abs() < 1e-9, "a deletion-marked block must not count: {cov}");
    assert!(facts.deletion_marked.contains(&"01M7TESTB00000000000000001".to_string()));
    assert!(facts.partial_uploads.contains(&"01M7TESTB00000000000000002".to_string()));
    std::fs::remove_file(gap_block.join("deletion-mark.json")).unwrap();
    let (cov, facts) = coverage(dir.path());
    assert!((cov - 1.0).abs() < 1e-9, "without the mark the block fills the gap: {cov}");
    assert_eq!(facts.blocks_used, live + 1);
}

#[test]
fn parity_passes_on_dev_and_flags_corrupted_days() {
    let r = report_at(written());
    assert!(r.mismatches.is_empty(), "{:?}", r.mismatches);
    for c in &r.clusters {
        assert_eq!(
            c.parity_checked_days, c.federated_days,
            "{}: every migrated day has backup data to compare",
            c.cluster
        );
        assert!(
            c.days.iter().filter(|d| d.state.is_done()).all(|d| d.parity == Some(Parity::Ok)),
            "{}",
            c.cluster
        );
    }

    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    let fed = |pipeline: &str, day: &str| {
        let s = day_unix(day);
        dir.path()
            .join(format!("federated/staging-eu-west-1/etl/bingen/{pipeline}/1d/{s}-{}", s + 86_400))
    };
    let path = fed("allocations", "2026-11-05");
    let mut set = costscope::bingen::decode_allocation_set(&std::fs::read(&path).unwrap()).unwrap();
    let a = set
        .allocations
        .as_mut()
        .unwrap()
        .0
        .iter_mut()
        .find_map(|(_, a)| a.as_mut())
        .unwrap();
    a.cpu_cost += 2.5;
    std::fs::write(&path, costscope::bingen::encode_allocation_set(&set)).unwrap();
    let path = fed("assets", "2026-11-14");
    let mut set = costscope::bingen::decode_asset_set(&std::fs::read(&path).unwrap()).unwrap();
    let a = set.assets.as_mut().unwrap().0.iter_mut().find_map(|(_, a)| a.as_mut()).unwrap();
    a.adjustment -= 0.75;
    std::fs::write(&path, costscope::bingen::encode_asset_set(&set)).unwrap();

    let opts = MigrationOptions::default();
    let r = build(&observe_at(dir.path(), &opts, written()), &HashSet::new(), &opts, written());
    let t = truth();
    let got: Vec<(&str, &str, Pipeline)> = r
        .mismatches
        .iter()
        .map(|m| (m.cluster.as_str(), m.day.as_str(), m.pipeline))
        .collect();
    assert_eq!(
        got,
        [
            ("staging-eu-west-1", "2026-11-05", Pipeline::Allocations),
            ("staging-eu-west-1", "2026-11-14", Pipeline::Assets)
        ]
    );
    let backup = |p: &str, d: &str| {
        t["etlBackup"][p][d]["byCluster"]["staging-eu-west-1"]["totalCost"]
            .as_f64()
            .unwrap()
    };
    let (m0, m1) = (&r.mismatches[0], &r.mismatches[1]);
    assert!(close(m0.backup_total, backup("allocations1d", "2026-11-05"), 1e-9));
    assert!((m0.federated_total - m0.backup_total - 2.5).abs() < 1e-6);
    assert!(close(m1.backup_total, backup("assets1d", "2026-11-14"), 1e-9));
    assert!((m1.federated_total - m1.backup_total + 0.75).abs() < 1e-6);
    let staging = r.cluster("staging-eu-west-1").unwrap();
    assert_eq!(
        days_where(staging, |d| d.parity == Some(Parity::Mismatch)),
        ["2026-11-05", "2026-11-14"]
    );
    assert!(render::render_table(&r, written()).contains("staging-eu-west-1 2026-11-05 allocations: backup $"));
}

#[test]
fn cluster_label_and_name_map_options() {
    let now = written();
    let opts = MigrationOptions {
        cluster_label: "no_such_label".into(),
        ..Default::default()
    };
    let r = build(&observe_at(&dev_bucket(), &opts, now), &HashSet::new(), &opts, now);
    assert_eq!(r.thanos.blocks_used, 0);
    assert_eq!(r.thanos.unlabelled.len(), report_at(now).thanos.blocks_used);
    let prod = r.cluster("prod-us-east-1").unwrap();
    assert!(prod.days.iter().all(|d| d.thanos_coverage == 0.0));
    assert_eq!(prod.days.iter().find(|d| d.day == "2026-10-21").unwrap().state, DayState::NoSource);

    let opts = MigrationOptions {
        cluster_map: [("dev-ap-south-1".to_string(), "dev-ap".to_string())].into(),
        ..Default::default()
    };
    let r = build(&observe_at(&dev_bucket(), &opts, now), &HashSet::new(), &opts, now);
    let mapped = r.cluster("dev-ap").expect("Thanos data appears under the mapped folder name");
    assert_eq!(mapped.thanos_names, ["dev-ap-south-1"]);
    assert_eq!(mapped.thanos_full_days, 29);
    let original = r.cluster("dev-ap-south-1").unwrap();
    assert_eq!((original.thanos_full_days, original.thanos_partial_days), (0, 0));
    let state = |c: &ClusterReport, d: &str| c.days.iter().find(|x| x.day == d).unwrap().state;
    assert_eq!(
        (state(original, "2026-10-31"), state(mapped, "2026-10-31")),
        (DayState::NoSource, DayState::ThanosOnly)
    );
}

#[test]
fn rate_eta_and_caught_up() {
    let r = report_at(written() + Duration::minutes(10));
    let p = |r: &MigrationReport, c: &str| r.cluster(c).unwrap().progress.clone();
    let ap = p(&r, "dev-ap-south-1");
    assert_eq!(
        ap.pending_files, 13,
        "11-01 … 11-07 miss both files; 11-04's allocations cannot come (no backup of them)"
    );
    assert!(close(ap.files_per_minute, 26.0 / 30.0, 1e-12));
    assert!(close(ap.eta_seconds.unwrap(), 13.0 / (26.0 / 30.0) * 60.0, 1e-9));
    // The overall ETA is the latest cluster ETA, never shorter than one of them.
    let latest = r.clusters.iter().filter_map(|c| c.progress.eta_seconds).fold(0.0, f64::max);
    assert_eq!(r.overall.eta_seconds, Some(latest));
    assert_eq!(
        ap.eta,
        Some(r.generated_at + Duration::milliseconds((ap.eta_seconds.unwrap() * 1000.0).round() as i64))
    );
    assert_eq!((ap.phase, ap.last_write), (ClusterPhase::Migrating, Some(written())));
    // prod's federated window is done, but its backup and Thanos days before it (2026-10-07 …
    // 2026-10-30) were never federated: not caught up, now or later (issue 28).
    for r in [&r, &report_at(written() + Duration::hours(2))] {
        let prod = r.cluster("prod-us-east-1").unwrap();
        assert_eq!(prod.progress.percent_done, Some(100.0));
        assert_eq!(prod.progress.phase, ClusterPhase::HistoryPending);
        assert_eq!(prod.progress.missing_outside_window, 24);
        let first = prod.unfinished_days().first().map(|d| d.day.clone());
        assert_eq!(first.as_deref(), Some("2026-10-07"));
        assert_eq!(prod.unfinished_days().len(), prod.missing_days().len() + 24);
    }
    let r = report_at(written() + Duration::hours(2));
    assert_eq!(
        p(&r, "staging-eu-west-1").phase,
        ClusterPhase::NeedsRebuild,
        "its two empty days have no pending file"
    );
    let ap = p(&r, "dev-ap-south-1");
    assert_eq!((ap.phase, ap.eta_seconds, ap.files_per_minute), (ClusterPhase::Stalled, None, 0.0));
    assert_eq!(r.overall.phase, ClusterPhase::Stalled);
    assert_eq!(render::eta_text(&ap), "—");
    assert_eq!(render::eta_text(&p(&r, "prod-us-east-1")), "done");
}

#[test]
fn json_has_the_documented_shape() {
    let r = report_at(written() + Duration::minutes(10));
    let v = serde_json::to_value(&r).unwrap();
    let clusters = v["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 3);
    let ap = clusters.iter().find(|c| c["cluster"] == "dev-ap-south-1").unwrap();
    assert!(close(ap["percentDone"].as_f64().unwrap(), 61.904761904761905, 1e-12));
    assert!(ap["eta"].is_string() && ap.get("phase").is_some());
    let days = ap["days"].as_array().unwrap();
    assert_eq!(days.len(), 45, "one entry per UTC day seen in any source");
    for d in days {
        for (k, is) in [
            ("day", Value::is_string as fn(&Value) -> bool),
            ("state", Value::is_string),
            ("thanosCoverage", Value::is_number),
        ] {
            assert!(is(&d[k]), "{k} in {d}");
        }
        for k in ["backup", "federatedAllocations", "federatedAssets", "ingested"] {
            assert!(d[k].is_boolean(), "{k} in {d}");
        }
    }
    let day = days.iter().find(|d| d["day"] == "2026-11-01").unwrap();
    let want = serde_json::json!({"day": "2026-11-01", "state": "PENDING", "thanosCoverage": 1.0, "backup": true,
        "federatedAllocations": false, "federatedAssets": false, "ingested": false});
    for (k, w) in want.as_object().unwrap() {
        assert_eq!(&day[k], w, "{k}");
    }
    let states: BTreeSet<&str> = clusters
        .iter()
        .flat_map(|c| c["days"].as_array().unwrap())
        .map(|d| d["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["EMPTY", "MIGRATED", "NO_SOURCE", "PENDING", "THANOS_ONLY"].into());
}

#[test]
fn table_lists_every_cluster_with_its_strip() {
    let r = report_at(written() + Duration::minutes(10));
    let text = render::render_table(&r, r.generated_at);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("CLUSTER") && lines[0].contains("ETA") && lines[0].ends_with("STATE"),
        "{text}"
    );
    let ap_row = lines.iter().find(|l| l.starts_with("dev-ap-south-1 ")).unwrap();
    assert!(
        ap_row.contains("61.9%") && ap_row.contains("migrating") && ap_row.contains("10m ago"),
        "{ap_row}"
    );
    assert!(
        text.contains("(all)") && text.contains("days 2026-10-07 … 2026-11-20 (45)"),
        "{text}"
    );
    let strip_of = |c: &str| {
        lines
            .iter()
            .rev()
            .find(|l| l.starts_with(c))
            .unwrap()
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    let ap = strip_of("dev-ap-south-1");
    assert_eq!(ap.chars().count(), 45);
    assert_eq!(ap, render::strip(r.cluster("dev-ap-south-1").unwrap()));
    assert_eq!(
        &ap[15..],
        "TTTTTTTTTTPPPTPPPMMMMMMMMMMMMM",
        "10-22 … 10-31 Thanos only, 11-01 … 11-07 pending but 11-04 (allocations only in Thanos)"
    );
    assert!(strip_of("staging-eu-west-1").contains("MMEEMM"), "{text}");
    assert!(text.contains("legend: I ingested  M migrated  E empty file  P pending  T Thanos only  . no source"));
    assert!(text.contains("parity: 53 migrated days checked, 0 mismatches"), "{text}");
}

#[test]
fn scan_and_rescan_with_the_cache_agree() {
    let now = Utc::now();
    let opts = MigrationOptions::default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (once, first, second) = rt.block_on(async {
        let once = scan(&dev_store(), &opts, &HashSet::new(), now).await.unwrap();
        let mut scanner = costscope::migration::Scanner::new(opts.clone());
        let first = scanner.scan(&dev_store(), &HashSet::new(), now).await.unwrap();
        let second = scanner.scan(&dev_store(), &HashSet::new(), now).await.unwrap();
        (once, first, second)
    });
    assert_eq!(once, first);
    assert_eq!(first, second);
    let states = |r: &MigrationReport| r.clusters.iter().map(render::strip).collect::<Vec<_>>();
    assert_eq!(states(&first), states(&report_at(now)));
}
