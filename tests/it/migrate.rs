//! `costscope migrate` (issue 31) on a copy of the dev bucket with some federated days deleted
//! where the ETL backup holds them. Ground truth: `dev-truth.json`'s `etlBackup` per-cluster
//! figures (count, totalCost per day) and the files on disk; new files are decoded with the codec
//! directly (`migration::sets::totals_by_cluster`), not through `migrate`'s own split.

use crate::support::cli::{costscope, costscope_read_only, store_file};
use crate::support::dev_bucket::{close, copy_dev, reference_decoder_reads, snapshot, truth};
use costscope::bingen::{Family, RootKind};
use costscope::bucket::keys::Pipeline;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// (cluster, pipeline directory, UTC day `YYYY-MM-DD`).
type Day = (String, String, String);

/// Federated files deleted from the copy: each is a day the backup holds for that cluster.
const DELETED: [(&str, &str, &str); 4] = [
    ("prod-us-east-1", "allocations", "2026-11-10"),
    ("prod-us-east-1", "assets", "2026-11-10"),
    ("staging-eu-west-1", "allocations", "2026-11-15"),
    ("dev-ap-south-1", "assets", "2026-11-19"),
];

fn day_start(day: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn day_of(start: i64) -> String {
    chrono::DateTime::from_timestamp(start, 0).unwrap().format("%Y-%m-%d").to_string()
}

fn federated_key(cluster: &str, pipeline: &str, day: &str) -> String {
    let s = day_start(day);
    format!("federated/{cluster}/etl/bingen/{pipeline}/1d/{s}-{}", s + 86_400)
}

/// `etlBackup.<pipeline>1d` of the truth file.
fn backup_truth<'a>(t: &'a Value, pipeline: &str) -> &'a serde_json::Map<String, Value> {
    t["etlBackup"][format!("{pipeline}1d")].as_object().unwrap()
}

/// A dev copy under `tmp/bucket` with [`DELETED`] removed, and its store file.
fn setup(tmp: &Path) -> std::path::PathBuf {
    let bucket = tmp.join("bucket");
    copy_dev(&bucket);
    for (c, p, d) in DELETED {
        std::fs::remove_file(bucket.join(federated_key(c, p, d))).unwrap();
    }
    store_file(tmp, &bucket)
}

/// The days the truth says the backup holds for a cluster with no federated file in `bucket`:
/// what the plan must call `create`.
fn expected_creates(bucket: &Path) -> BTreeSet<Day> {
    let t = truth();
    let mut out = BTreeSet::new();
    for pipeline in ["allocations", "assets"] {
        for (day, v) in backup_truth(&t, pipeline) {
            for (cluster, figures) in v["byCluster"].as_object().unwrap() {
                if figures["count"].as_u64().unwrap() > 0 && !bucket.join(federated_key(cluster, pipeline, day)).exists() {
                    out.insert((cluster.clone(), pipeline.to_string(), day.clone()));
                }
            }
        }
    }
    out
}

fn run_json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rows_in(report: &Value, state: &str) -> BTreeSet<Day> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == state)
        .map(|r| {
            (
                r["cluster"].as_str().unwrap().to_string(),
                r["pipeline"].as_str().unwrap().to_string(),
                day_of(r["start"].as_i64().unwrap()),
            )
        })
        .collect()
}

/// Bytes of every file under `dir`.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot(dir)
        .keys()
        .map(|k| (k.clone(), std::fs::read(dir.join(k)).unwrap()))
        .collect()
}

#[test]
fn the_dry_run_plans_exactly_the_missing_days_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let bucket = tmp.path().join("bucket");
    let expected = expected_creates(&bucket);
    for (c, p, d) in DELETED {
        assert!(expected.contains(&(c.into(), p.into(), d.into())), "the backup holds {c} {p} {d}");
    }
    let (before, bytes_before) = (snapshot(&bucket), contents(&bucket));
    let report = run_json(costscope(tmp.path(), &yaml).args(["migrate", "--format", "json"]));
    assert_eq!(rows_in(&report, "create"), expected);
    assert_eq!(report["applied"], false);
    assert_eq!(report["summary"]["created"], 0);
    assert!(rows_in(&report, "unreadable").is_empty());
    // The backup's empty days (2026-10-21 both pipelines, 2026-11-04 allocations) are named.
    let empty = rows_in(&report, "emptySource");
    assert!(
        empty.contains(&("prod-us-east-1".into(), "allocations".into(), "2026-10-21".into())),
        "{empty:?}"
    );
    assert!(
        empty.contains(&("prod-us-east-1".into(), "assets".into(), "2026-10-21".into())),
        "{empty:?}"
    );
    assert_eq!(snapshot(&bucket), before, "a dry run writes nothing");
    assert_eq!(contents(&bucket), bytes_before);

    // The filters: one cluster, one day, one pipeline.
    let one = run_json(costscope(tmp.path(), &yaml).args([
        "migrate",
        "--format",
        "json",
        "--clusters",
        "prod-us-east-1",
        "--from",
        "2026-11-10",
        "--to",
        "2026-11-10",
        "--pipelines",
        "assets",
        "--resolution",
        "1d",
    ]));
    assert_eq!(
        rows_in(&one, "create"),
        BTreeSet::from([("prod-us-east-1".into(), "assets".into(), "2026-11-10".into())])
    );
    assert_eq!(one["rows"].as_array().unwrap().len(), 1);

    // The table says the same in its summary line.
    let out = costscope(tmp.path(), &yaml).arg("migrate").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("migrate (dry run): {} create,", expected.len())), "{text}");
}

#[test]
fn apply_recreates_the_days_with_the_backup_figures_and_a_rerun_plans_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let bucket = tmp.path().join("bucket");
    let expected = expected_creates(&bucket);
    // A federated file that differs from the backup's share: another day's bytes.
    let differing = federated_key("prod-us-east-1", "allocations", "2026-11-12");
    std::fs::copy(
        bucket.join(federated_key("prod-us-east-1", "allocations", "2026-11-13")),
        bucket.join(&differing),
    )
    .unwrap();
    let differing_before = (std::fs::read(bucket.join(&differing)).unwrap(), snapshot(&bucket)[&differing]);
    let manifest = tmp.path().join("migrated.json");
    let report = run_json(
        costscope(tmp.path(), &yaml)
            .args(["migrate", "--apply", "--jobs", "3", "--format", "json", "--manifest"])
            .arg(&manifest),
    );
    assert_eq!(rows_in(&report, "create"), expected);
    assert_eq!(report["summary"]["created"], expected.len());
    assert_eq!(report["summary"]["verified"], expected.len());
    assert_eq!(report["summary"]["failed"], 0);
    assert!(rows_in(&report, "differs").contains(&("prod-us-east-1".into(), "allocations".into(), "2026-11-12".into())));
    // The differing file is untouched: same bytes, same modification time.
    assert_eq!(
        (std::fs::read(bucket.join(&differing)).unwrap(), snapshot(&bucket)[&differing]),
        differing_before
    );

    // Every new file decodes with the backup's codec versions and holds exactly the truth's
    // per-cluster figures for its day.
    let t = truth();
    for (cluster, pipeline, day) in &expected {
        let file = bucket.join(federated_key(cluster, pipeline, day));
        reference_decoder_reads(&file);
        let data = std::fs::read(&file).unwrap();
        let p = Pipeline::parse(pipeline).unwrap();
        let totals = costscope::migration::sets::totals_by_cluster(&data, p).unwrap();
        assert_eq!(totals.len(), 1, "{cluster} {pipeline} {day}: one cluster per file");
        let got = totals[cluster.as_str()];
        let want = &backup_truth(&t, pipeline)[day]["byCluster"][cluster];
        assert_eq!(got.count, want["count"].as_u64().unwrap(), "{cluster} {pipeline} {day}");
        assert!(
            close(got.total_cost, want["totalCost"].as_f64().unwrap()),
            "{cluster} {pipeline} {day}: {} vs {}",
            got.total_cost,
            want["totalCost"]
        );
        let kind = if p == Pipeline::Allocations {
            RootKind::AllocationSet
        } else {
            RootKind::AssetSet
        };
        let d = costscope::bingen::decode(&data, kind).unwrap();
        let codec = &t["etlBackup"]["codecVersions"];
        let (family, name) = if p == Pipeline::Allocations {
            (Family::Allocation, "allocation")
        } else {
            (Family::Assets, "assets")
        };
        assert_eq!(
            d.versions.max(family),
            codec[name].as_u64().map(|v| v as u8),
            "{cluster} {pipeline} {day}"
        );
        assert_eq!(d.trailing_bytes, 0);
    }

    // The manifest lists every created key with the sha256 of its bytes.
    let m = costscope::audit::manifest::Manifest::read(&manifest).unwrap();
    assert_eq!(m.objects.len(), expected.len());
    for o in &m.objects {
        let data = std::fs::read(bucket.join(&o.key)).unwrap();
        assert_eq!(o.sha256, costscope::audit::sha256_hex(&data), "{}", o.key);
        assert_eq!(o.size, data.len() as u64);
    }

    // A rerun plans nothing to create, and the recreated days are `same`.
    let rerun = run_json(costscope(tmp.path(), &yaml).args(["migrate", "--apply", "--format", "json"]));
    assert!(rows_in(&rerun, "create").is_empty());
    assert_eq!(rerun["summary"]["created"], 0);
    let same = rows_in(&rerun, "same");
    assert!(expected.is_subset(&same));
}

#[test]
fn read_only_apply_is_refused_with_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let bucket = tmp.path().join("bucket");
    let before = snapshot(&bucket);
    let out = costscope_read_only(tmp.path(), &yaml)
        .args(["migrate", "--apply"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--read-only"));
    assert_eq!(snapshot(&bucket), before);
    // A read-only dry run is allowed and writes nothing either.
    let out = costscope_read_only(tmp.path(), &yaml).arg("migrate").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(snapshot(&bucket), before);
}

#[test]
fn a_corrupt_backup_set_is_unreadable_with_its_key_and_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let key = "etl/bingen/assets/1d/1794355200-1794441600";
    let path = tmp.path().join("bucket").join(key);
    let data = std::fs::read(&path).unwrap();
    std::fs::write(&path, &data[..data.len() / 2]).unwrap();
    let report = run_json(costscope(tmp.path(), &yaml).args(["migrate", "--format", "json", "--pipelines", "assets"]));
    let bad: Vec<&Value> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "unreadable")
        .collect();
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0]["cluster"], "*");
    let problem = bad[0]["problem"].as_str().unwrap();
    assert!(problem.contains(key) && problem.contains("offset"), "{problem}");
}

/// The bucket's objects (staging files `<key>#<n>` of interrupted writes are not objects) with
/// their bytes.
fn objects(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let staging = |k: &str| {
        k.rsplit_once('#')
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    contents(dir).into_iter().filter(|(k, _)| !staging(k)).collect()
}

/// kill -9 at spread-out moments of `migrate --apply`, then one more run: the bucket equals an
/// uninterrupted run's, object for object and byte for byte, and every final name decodes.
#[test]
fn kill_9_during_apply_then_a_rerun_gives_the_uninterrupted_bucket() {
    let clean = tempfile::tempdir().unwrap();
    let yaml = setup(clean.path());
    let t0 = std::time::Instant::now();
    run_json(costscope(clean.path(), &yaml).args(["migrate", "--apply", "--jobs", "1", "--format", "json"]));
    let full = t0.elapsed();
    let want = objects(&clean.path().join("bucket"));

    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let mut kills = 0;
    for i in 0..8u32 {
        // Moments spread over an uninterrupted run's length (process start included).
        let at = full.mul_f64(f64::from(i + 1) / 9.0);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
            .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
            .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
            .args(["--store"])
            .arg(&yaml)
            .args(["migrate", "--apply", "--jobs", "1"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        // Whatever has a final name decodes.
        for (key, data) in objects(&tmp.path().join("bucket")) {
            if key.starts_with("federated/") {
                let kind = if key.contains("/allocations/") {
                    RootKind::AllocationSet
                } else {
                    RootKind::AssetSet
                };
                if key.contains("/cloudcosts/") {
                    continue;
                }
                costscope::bingen::decode(&data, kind).unwrap_or_else(|e| panic!("{key}: {e}"));
            }
        }
    }
    let last = run_json(costscope(tmp.path(), &yaml).args(["migrate", "--apply", "--format", "json"]));
    assert_eq!(last["summary"]["failed"], 0);
    assert!(kills > 0, "no run was interrupted");
    let got = objects(&tmp.path().join("bucket"));
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the interrupted bucket differs from the uninterrupted one");
}

/// The same on an object store (Azurite, when `scripts/test-servers.sh` runs it): every missing
/// day is created with `PutMode::Create` and verified, and a rerun plans nothing to create.
#[test]
fn apply_on_azurite_creates_and_verifies_and_a_rerun_plans_nothing() {
    use costscope::migrate::{MigrateOptions, PlanState, run};
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let Some(store) = rt.block_on(crate::support::dev_bucket::dev_on_azure("migrate-apply")) else {
        return;
    };
    let expected = expected_creates(&crate::support::dev_bucket::dev_dir());
    let opts = MigrateOptions {
        apply: true,
        jobs: 4,
        ..Default::default()
    };
    let r = rt.block_on(run(store.inner.clone(), &opts)).unwrap();
    let created: BTreeSet<Day> = r
        .rows
        .iter()
        .filter(|row| row.state == PlanState::Create)
        .map(|row| (row.cluster.clone(), row.pipeline.to_string(), day_of(row.start)))
        .collect();
    assert_eq!(created, expected);
    assert_eq!(
        (r.summary.created, r.summary.verified, r.summary.failed),
        (expected.len() as u64, expected.len() as u64, 0)
    );
    eprintln!(
        "migrate --apply on Azurite: {} files, {} B read, {} B written in {:.2} s",
        r.summary.created, r.bytes_read, r.bytes_written, r.seconds
    );
    let again = rt.block_on(run(store.inner.clone(), &opts)).unwrap();
    assert_eq!((again.summary.create, again.summary.created), (0, 0));
    assert_eq!(again.summary.same, r.summary.same + r.summary.created);
}

/// `(cluster, day) → state` of `costscope migration --format json`.
fn migration_states(tmp: &Path, yaml: &Path) -> std::collections::BTreeMap<(String, String), String> {
    let r = run_json(costscope_read_only(tmp, yaml).args(["migration", "--format", "json"]));
    let mut out = std::collections::BTreeMap::new();
    for c in r["clusters"].as_array().unwrap() {
        for d in c["days"].as_array().unwrap() {
            let key = (c["cluster"].as_str().unwrap().to_string(), d["day"].as_str().unwrap().to_string());
            out.insert(key, d["state"].as_str().unwrap().to_string());
        }
    }
    out
}

/// Issue 31 item 4: days `migrate --apply` creates count as migrated in `costscope migration`,
/// like any other writer's. A day is MIGRATED when both its federated daily files hold items
/// (docs/user-guide.md, Migration): after the apply, exactly the days MIGRATED before plus those
/// whose two files now both hold items (a created file, or one that was there with more than the
/// 77/68 bytes of an empty set) are.
#[test]
fn days_created_by_apply_count_as_migrated() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = setup(tmp.path());
    let bucket = tmp.path().join("bucket");
    let creates = expected_creates(&bucket);
    let held_before = |c: &str, p: &str, d: &str| {
        std::fs::metadata(bucket.join(federated_key(c, p, d))).is_ok_and(|m| m.len() > costscope::bucket::EMPTY_FILE_MAX_BYTES)
    };
    let newly: BTreeSet<(String, String)> = creates
        .iter()
        .map(|(c, _, d)| (c.clone(), d.clone()))
        .filter(|(c, d)| {
            ["allocations", "assets"]
                .iter()
                .all(|p| creates.contains(&(c.clone(), p.to_string(), d.clone())) || held_before(c, p, d))
        })
        .collect();
    let before = migration_states(tmp.path(), &yaml);
    for day in &newly {
        assert_ne!(before.get(day).map(String::as_str), Some("MIGRATED"), "{day:?} before the apply");
    }
    // The deleted days of prod-us-east-1 (both pipelines) are among them.
    assert!(newly.contains(&("prod-us-east-1".to_string(), "2026-11-10".to_string())));

    let apply = costscope(tmp.path(), &yaml).args(["migrate", "--apply"]).output().unwrap();
    assert!(apply.status.success(), "{}", String::from_utf8_lossy(&apply.stderr));
    let after = migration_states(tmp.path(), &yaml);
    let migrated = |m: &std::collections::BTreeMap<(String, String), String>| -> BTreeSet<(String, String)> {
        m.iter().filter(|(_, s)| *s == "MIGRATED").map(|(k, _)| k.clone()).collect()
    };
    let want: BTreeSet<(String, String)> = migrated(&before).union(&newly).cloned().collect();
    assert_eq!(migrated(&after), want);
}
