//! Provenance of figures on the dev bucket through the binary: a cluster/day row names exactly
//! that day's file of `dev-truth.json`, with `sha256sum`'s digest and the row's item count; a
//! week names the week's seven files; an idle row adds its cluster's asset file; the report header
//! names the store, window, command line, version and the manifest's sha256, in JSON and CSV.

use super::audit_verify::sha256sum;
use crate::support::{cli, dev_bucket};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = cli::store_file(tmp.path(), &dev_bucket::dev_dir());
    (tmp, yaml)
}

fn run(tmp: &Path, yaml: &Path, args: &[&str]) -> String {
    let out = cli::costscope_read_only(tmp, yaml).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn json(tmp: &Path, yaml: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&run(tmp, yaml, args)).unwrap()
}

/// The truth's entry of `cluster`'s `series` (`allocations1d`, `assets1d`) for `day`.
fn truth(cluster: &str, series: &str, day: &str) -> Value {
    dev_bucket::truth()["clusters"][cluster]["federated"][series][day].clone()
}

fn keys(sources: &Value) -> Vec<String> {
    sources
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_cluster_day_row_names_that_days_file_with_its_sha256_and_items() {
    let (tmp, yaml) = setup();
    let v = json(
        tmp.path(),
        &yaml,
        &[
            "allocation",
            "--window",
            "2026-11-19,2026-11-20",
            "--aggregate",
            "cluster",
            "--idle",
            "hide",
            "--format",
            "json",
            "--provenance",
        ],
    );
    let rows = v["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        let cluster = row["name"].as_str().unwrap();
        let t = truth(cluster, "allocations1d", "2026-11-19");
        let key = t["key"].as_str().unwrap();
        assert_eq!(keys(&row["sources"]), vec![key.to_string()], "{cluster}");
        let s = &row["sources"][0];
        assert_eq!(
            s["sha256"].as_str().unwrap(),
            sha256sum(&dev_bucket::dev_dir().join(key)),
            "{cluster}"
        );
        assert_eq!(s["rows"], t["count"], "{cluster}: every allocation of the file is in the row");
        assert_eq!(s["window"]["start"], "2026-11-19T00:00:00+00:00");
        assert_eq!(s["window"]["end"], "2026-11-20T00:00:00+00:00");
    }
}

#[test]
fn a_week_names_its_seven_daily_files_and_an_idle_row_adds_the_asset_files() {
    let (tmp, yaml) = setup();
    let v = json(
        tmp.path(),
        &yaml,
        &[
            "allocation",
            "--window",
            "2026-11-13,2026-11-20",
            "--aggregate",
            "cluster",
            "--format",
            "json",
            "--provenance",
        ],
    );
    let days: Vec<String> = (13..20).map(|d| format!("2026-11-{d}")).collect();
    let rows = v["data"].as_array().unwrap();
    let row = rows.iter().find(|r| r["name"] == "dev-ap-south-1").unwrap();
    let want: Vec<String> = days
        .iter()
        .map(|d| truth("dev-ap-south-1", "allocations1d", d)["key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys(&row["sources"]), want);
    let idle = rows.iter().find(|r| r["name"] == "dev-ap-south-1/__idle__").unwrap();
    let mut want_idle: Vec<String> = days
        .iter()
        .flat_map(|d| ["allocations1d", "assets1d"].map(|s| truth("dev-ap-south-1", s, d)["key"].as_str().unwrap().to_string()))
        .collect();
    want_idle.sort();
    assert_eq!(keys(&idle["sources"]), want_idle);
    // By namespace, the idle row of a cluster is named `<cluster>/__idle__` without a cluster
    // key: its sources are still that cluster's files only.
    let v = json(
        tmp.path(),
        &yaml,
        &[
            "allocation",
            "--window",
            "2026-11-13,2026-11-20",
            "--aggregate",
            "namespace",
            "--format",
            "json",
            "--provenance",
            "--no-ingest",
        ],
    );
    let idle = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "dev-ap-south-1/__idle__")
        .unwrap();
    assert_eq!(keys(&idle["sources"]), want_idle);
}

#[test]
fn the_report_header_names_store_window_query_version_and_manifest() {
    let (tmp, yaml) = setup();
    let manifest = tmp.path().join("manifest.json");
    run(tmp.path(), &yaml, &["verify", "--manifest", manifest.to_str().unwrap()]);
    let sha = sha256sum(&manifest);
    let base = [
        "allocation",
        "--window",
        "2026-11-19,2026-11-20",
        "--aggregate",
        "cluster",
        "--idle",
        "hide",
    ];
    let with = |format: &str, extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend(["--format", format, "--manifest", manifest.to_str().unwrap()]);
        a.extend(extra);
        run(tmp.path(), &yaml, &a)
    };
    let v: Value = serde_json::from_str(&with("json", &[])).unwrap();
    let r = &v["report"];
    assert_eq!(
        r["store"],
        format!("file://{}", dev_bucket::dev_dir().canonicalize().unwrap().display())
    );
    assert_eq!(r["window"]["start"], "2026-11-19T00:00:00+00:00");
    assert_eq!(r["costscopeVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["manifestSha256"].as_str().unwrap(), sha);
    assert!(
        r["query"]
            .as_str()
            .unwrap()
            .contains("allocation --window 2026-11-19,2026-11-20 --aggregate cluster")
    );
    let csv = with("csv", &["--provenance"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("# costscope "), "{csv}");
    assert!(lines.contains(&format!("# manifest sha256: {sha}").as_str()), "{csv}");
    let header = lines.iter().find(|l| !l.starts_with('#')).unwrap();
    assert!(header.ends_with(",sources"), "{header}");
    let prod = lines.iter().find(|l| l.starts_with("prod-us-east-1,")).unwrap();
    let key = truth("prod-us-east-1", "allocations1d", "2026-11-19")["key"]
        .as_str()
        .unwrap()
        .to_string();
    let cell = format!("{key}@{}", sha256sum(&dev_bucket::dev_dir().join(&key)));
    assert!(prod.ends_with(&cell), "{prod}");
}
