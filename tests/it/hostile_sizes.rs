//! Objects too large to hold (issue 34 item 5, issue 35 item 8): `verify`, `export` and
//! `migration` honour `--max-object-size` as the ingest does — a 600 MiB sparse object under an
//! ETL key is reported by its key, never read into memory, and the rest of the bucket is checked.

use crate::support::{cli, dev_bucket};

use serde_json::Value;

/// A day prod-us-east-1 has no federated file for (its federated window starts 2026-10-31).
const BIG: &str = "federated/prod-us-east-1/etl/bingen/allocations/1d/1793145600-1793232000";

fn hostile() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    dev_bucket::copy_dev(&bucket);
    let f = std::fs::File::create(bucket.join(BIG)).unwrap();
    f.set_len(600 << 20).unwrap(); // sparse: no disk, 600 MiB listed
    let yaml = cli::store_file(tmp.path(), &bucket);
    (tmp, yaml)
}

#[test]
fn verify_export_and_migration_refuse_an_object_over_the_limit() {
    let (tmp, yaml) = hostile();
    let run = |args: &[&str]| cli::costscope(tmp.path(), &yaml).args(args).output().unwrap();

    let out = run(&["verify", "--format", "json", "--no-ingest-log"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let big = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == BIG)
        .unwrap_or_else(|| panic!("{v}"));
    assert!(big["reason"].as_str().unwrap().contains("over the limit"), "{big}");
    assert_eq!(v["objects"], 317, "every other object still read: {v}");

    let out = run(&["migration", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let problems = v["problems"].as_array().unwrap();
    assert!(
        problems
            .iter()
            .any(|p| p["key"] == BIG && p["error"].as_str().unwrap().contains("over the limit")),
        "{problems:?}"
    );

    let dest = tmp.path().join("dataset");
    let out = run(&["export", "--out", dest.to_str().unwrap()]);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{text}");
    let failed = text.lines().find(|l| l.starts_with("failed ")).unwrap_or_else(|| panic!("{text}"));
    assert!(failed.contains(BIG) && failed.contains("over the limit"), "{failed}");
    assert!(text.contains("partitions 131 · written 130"), "{text}");
    assert!(dest.join("allocations").exists(), "the other partitions are written");
}
