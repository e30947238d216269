//! `costscope bucket --doctor` (issue 31 item 5) on copies of the dev bucket: its own quirks
//! (the empty sets and the partial Thanos upload the bucket's README names) are reported; each
//! finding kind planted into a copy is reported with its exact keys, counts and bytes; a copy
//! with every finding repaired reports none; and the doctor never writes (the tree's sha256s are
//! equal before and after).

use std::collections::BTreeSet;
use std::path::Path;

use costscope::bingen::{decode_allocation_set, encode_allocation_set};
use costscope::model::Window;
use serde_json::Value;

use crate::support::cli::{costscope, store_file};
use crate::support::dev_bucket::{checksums, copy_dev, truth};

/// "Now" for the hourly retention: one hour after the dev bucket's last window (2026-11-21),
/// so its 48 hourly files are all within Kubecost's 49 h.
const NOW: &str = "2026-11-21T01:00:00Z";
const DAY: i64 = 86_400;

/// The dev bucket's empty sets (README: staging 11-11 and 11-12; the backup on 10-21, and on
/// 11-04 for allocations only) with their sizes (`dev-truth.json` `quirks.emptySetBytes`: 77 B
/// AllocationSet, 68 B AssetSet).
const DEV_EMPTY: [(&str, u64); 7] = [
    ("federated/staging-eu-west-1/etl/bingen/allocations/1d/1794355200-1794441600", 77),
    ("federated/staging-eu-west-1/etl/bingen/allocations/1d/1794441600-1794528000", 77),
    ("federated/staging-eu-west-1/etl/bingen/assets/1d/1794355200-1794441600", 68),
    ("federated/staging-eu-west-1/etl/bingen/assets/1d/1794441600-1794528000", 68),
    ("etl/bingen/allocations/1d/1792540800-1792627200", 77),
    ("etl/bingen/allocations/1d/1793750400-1793836800", 77),
    ("etl/bingen/assets/1d/1792540800-1792627200", 68),
];

/// The dev bucket's partial Thanos upload (README: `chunks/000001` only, empty).
const DEV_PARTIAL_BLOCK: &str = "01M7XPCBD023DMD992AVVHSBFM";

/// Every finding kind of the JSON report, in its order.
const KINDS: [&str; 7] = [
    "emptySet",
    "staleCombined",
    "hourlyPastRetention",
    "partialThanosUpload",
    "missingFederatedWindow",
    "windowMismatch",
    "unreadable",
];

/// `federated/<cluster>/etl/bingen/<pipeline>/<res>/<s>-<e>`.
fn key(cluster: &str, pipeline: &str, res: &str, start: i64, step: i64) -> String {
    format!("federated/{cluster}/etl/bingen/{pipeline}/{res}/{start}-{}", start + step)
}

/// Start of a UTC day `YYYY-MM-DD`.
fn day(d: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

/// The allocation set at `from` re-encoded with `window` (items unchanged), written to `to`;
/// its size.
fn rewindow(bucket: &Path, from: &str, to: &str, window: (i64, i64)) -> u64 {
    let mut set = decode_allocation_set(&std::fs::read(bucket.join(from)).unwrap()).unwrap();
    assert!(set.allocations.as_ref().is_some_and(|m| !m.is_empty()), "{from} holds items");
    set.window = Window::utc(window.0, window.1);
    write(bucket, to, &encode_allocation_set(&set))
}

fn write(bucket: &Path, key: &str, bytes: &[u8]) -> u64 {
    let p = bucket.join(key);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, bytes).unwrap();
    bytes.len() as u64
}

/// Run the doctor as JSON (exit 0 asserted) with the tree's checksums equal before and after.
fn doctor_json(tmp: &Path, bucket: &Path) -> Value {
    let yaml = store_file(tmp, bucket);
    let before = checksums(bucket);
    let out = costscope(tmp, &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["bucket", "--doctor", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(checksums(bucket), before, "the doctor wrote into the bucket");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `(key, bytes)` of the items of `kind`, checking the kind's count and bytes against them.
fn items(report: &Value, kind: &str) -> BTreeSet<(String, u64)> {
    let f = report["findings"].as_array().unwrap().iter().find(|f| f["kind"] == kind).unwrap();
    let items: BTreeSet<(String, u64)> = f["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap().to_string(), i["bytes"].as_u64().unwrap()))
        .collect();
    assert_eq!(f["count"].as_u64().unwrap(), items.len() as u64, "{kind} count");
    assert_eq!(f["bytes"].as_u64().unwrap(), items.iter().map(|i| i.1).sum::<u64>(), "{kind} bytes");
    items
}

fn set(v: &[(&str, u64)]) -> BTreeSet<(String, u64)> {
    v.iter().map(|(k, b)| (k.to_string(), *b)).collect()
}

fn dev_copy(tmp: &Path) -> std::path::PathBuf {
    let bucket = tmp.join("bucket");
    copy_dev(&bucket);
    bucket
}

#[test]
fn the_dev_buckets_own_quirks_are_reported_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = dev_copy(tmp.path());
    let r = doctor_json(tmp.path(), &bucket);
    let kinds: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, KINDS, "every kind, in the documented order");
    assert_eq!(items(&r, "emptySet"), set(&DEV_EMPTY));
    assert_eq!(items(&r, "partialThanosUpload"), set(&[(&format!("{DEV_PARTIAL_BLOCK}/"), 0)]));
    for kind in [
        "staleCombined",
        "hourlyPastRetention",
        "missingFederatedWindow",
        "windowMismatch",
        "unreadable",
    ] {
        assert!(items(&r, kind).is_empty(), "{kind}: {r:#}");
    }
    assert_eq!(r["totalFindings"], 8);
    assert_eq!(r["hourlyRetentionHours"], 49);
    assert_eq!(r["objectsListed"].as_u64(), Some(truth()["files"].as_array().unwrap().len() as u64));
}

#[test]
fn each_planted_finding_is_reported_with_its_keys_counts_and_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = dev_copy(tmp.path());
    let prod = "prod-us-east-1";
    // An empty set: dev-ap-south-1's 11-15 allocations replaced by an empty set of that window.
    let (s15, s16) = (day("2026-11-15"), day("2026-11-16"));
    let empty_key = key("dev-ap-south-1", "allocations", "1d", s15, DAY);
    let mut empty = decode_allocation_set(&std::fs::read(bucket.join(&empty_key)).unwrap()).unwrap();
    empty.allocations = Some(Default::default());
    let empty_bytes = write(&bucket, &empty_key, &encode_allocation_set(&empty));
    // A stale combined file: prod's 11-15 allocations copied under federated/combined.
    let prod15 = key(prod, "allocations", "1d", s15, DAY);
    let combined_key = format!("federated/combined/etl/bingen/allocations/1d/{s15}-{s16}");
    let combined_bytes = write(&bucket, &combined_key, &std::fs::read(bucket.join(&prod15)).unwrap());
    // An hourly file past 49 h: the hour before prod's first hourly file, ending at now − 49 h.
    let first_hour = day("2026-11-19");
    let old_hour = key(prod, "allocations", "1h", first_hour - 3_600, 3_600);
    let old_bytes = rewindow(
        &bucket,
        &key(prod, "allocations", "1h", first_hour, 3_600),
        &old_hour,
        (first_hour - 3_600, first_hour),
    );
    // Partial Thanos uploads: a block without meta.json (index and a 100-byte chunk), and one
    // with meta.json and chunks but no index.
    let (no_meta, no_index) = ("01M7XPCBD0AAAAAAAAAAAAAAAA", "01M7XPCBD0BBBBBBBBBBBBBBBB");
    write(&bucket, &format!("{no_meta}/index"), &[1; 40]);
    write(&bucket, &format!("{no_meta}/chunks/000001"), &[2; 100]);
    let meta = std::fs::read(bucket.join("01M775EWR0QZWZXRTE1X7CVE6M/meta.json")).unwrap();
    write(&bucket, &format!("{no_index}/meta.json"), &meta);
    write(&bucket, &format!("{no_index}/chunks/000001"), &[3; 10]);
    // A missing federated day inside dev-ap-south-1's range (11-08 … 11-20).
    let missing_key = key("dev-ap-south-1", "assets", "1d", day("2026-11-14"), DAY);
    std::fs::remove_file(bucket.join(&missing_key)).unwrap();
    // A set whose window is the next day's while its key says 11-16.
    let mismatch_key = key(prod, "allocations", "1d", s16, DAY);
    let mismatch_bytes = rewindow(&bucket, &mismatch_key, &mismatch_key, (s16 + DAY, s16 + 2 * DAY));
    // An unreadable set: staging's 11-17 allocations cut to 200 bytes.
    let cut_key = key("staging-eu-west-1", "allocations", "1d", day("2026-11-17"), DAY);
    let cut = std::fs::read(bucket.join(&cut_key)).unwrap();
    write(&bucket, &cut_key, &cut[..200]);

    let r = doctor_json(tmp.path(), &bucket);
    let mut want_empty = set(&DEV_EMPTY);
    want_empty.insert((empty_key, empty_bytes));
    assert_eq!(items(&r, "emptySet"), want_empty);
    assert_eq!(items(&r, "staleCombined"), set(&[(&combined_key, combined_bytes)]));
    assert_eq!(items(&r, "hourlyPastRetention"), set(&[(&old_hour, old_bytes)]));
    assert_eq!(
        items(&r, "partialThanosUpload"),
        set(&[
            (&format!("{DEV_PARTIAL_BLOCK}/"), 0),
            (&format!("{no_meta}/"), 140),
            (&format!("{no_index}/"), meta.len() as u64 + 10),
        ])
    );
    assert_eq!(items(&r, "missingFederatedWindow"), set(&[(&missing_key, 0)]));
    assert_eq!(items(&r, "windowMismatch"), set(&[(&mismatch_key, mismatch_bytes)]));
    assert_eq!(items(&r, "unreadable"), set(&[(&cut_key, 200)]));
    assert_eq!(r["totalFindings"], 8 + 1 + 1 + 1 + 2 + 1 + 1 + 1);
    let detail = |kind: &str| r["findings"].as_array().unwrap().iter().find(|f| f["kind"] == kind).unwrap()["items"][0]["detail"].clone();
    assert_eq!(
        detail("windowMismatch"),
        format!("key says {s16}-{}, the set says window {}-{}", s16 + DAY, s16 + DAY, s16 + 2 * DAY)
    );
    assert_eq!(
        detail("hourlyPastRetention"),
        format!("{prod} allocations 1h 2026-11-18 23:00: ended 49 h ago")
    );

    // The table names every kind found with its keys; --fail-on-findings exits 1, still writing
    // nothing; a shorter retention counts more hourly files.
    let yaml = store_file(tmp.path(), &bucket);
    let before = checksums(&bucket);
    let table = costscope(tmp.path(), &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["bucket", "--doctor"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&table.get_output().stdout).into_owned();
    for k in [&combined_key, &old_hour, &missing_key, &mismatch_key, &cut_key] {
        assert!(text.contains(k.as_str()), "{k} in\n{text}");
    }
    costscope(tmp.path(), &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["bucket", "--doctor", "--fail-on-findings"])
        .assert()
        .code(1);
    let out = costscope(tmp.path(), &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["bucket", "--doctor", "--format", "json", "--retention-hours", "25"])
        .output()
        .unwrap();
    let r25: Value = serde_json::from_slice(&out.stdout).unwrap();
    // 25 h before 2026-11-21T01:00 is 2026-11-20T00:00: the planted hour, and the 24 hours of
    // 11-19 of both prod hourly pipelines.
    assert_eq!(items(&r25, "hourlyPastRetention").len(), 1 + 2 * 24);
    assert_eq!(checksums(&bucket), before, "the doctor wrote into the bucket");
}

#[test]
fn a_repaired_copy_reports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = dev_copy(tmp.path());
    // Staging's empty days get the 11-13 set re-windowed; the backup's empty days and the
    // partial block are removed (the backup is not checked for gaps).
    let src = key("staging-eu-west-1", "allocations", "1d", day("2026-11-13"), DAY);
    for d in ["2026-11-11", "2026-11-12"] {
        let s = day(d);
        rewindow(&bucket, &src, &key("staging-eu-west-1", "allocations", "1d", s, DAY), (s, s + DAY));
        let asset_src = std::fs::read(bucket.join(key("staging-eu-west-1", "assets", "1d", day("2026-11-13"), DAY))).unwrap();
        let mut a = costscope::bingen::decode_asset_set(&asset_src).unwrap();
        a.window = Window::utc(s, s + DAY);
        write(
            &bucket,
            &key("staging-eu-west-1", "assets", "1d", s, DAY),
            &costscope::bingen::encode_asset_set(&a),
        );
    }
    for (k, _) in &DEV_EMPTY[4..] {
        std::fs::remove_file(bucket.join(k)).unwrap();
    }
    std::fs::remove_dir_all(bucket.join(DEV_PARTIAL_BLOCK)).unwrap();
    let r = doctor_json(tmp.path(), &bucket);
    assert_eq!(r["totalFindings"], 0, "{r:#}");
    for kind in KINDS {
        assert!(items(&r, kind).is_empty(), "{kind}");
    }
    let yaml = store_file(tmp.path(), &bucket);
    costscope(tmp.path(), &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["bucket", "--doctor", "--fail-on-findings"])
        .assert()
        .success();
}
