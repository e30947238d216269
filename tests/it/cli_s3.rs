//! The binary on `shared/buckets/dev` served over S3 (moto): `costscope allocation` ingests it and
//! answers with the totals of `dev-truth.json`. Runs when `COSTSCOPE_TEST_S3` is set (the README's
//! test command starts moto and sets it).

use crate::support::dev_bucket;

use assert_cmd::Command;

#[test]
fn allocation_totals_over_s3_match_truth() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let Some((_store, yaml)) = rt.block_on(dev_bucket::dev_on_s3_with_yaml("cli-allocation")) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let store_file = tmp.path().join("federated-store.yaml");
    std::fs::write(&store_file, yaml).unwrap();
    let out = Command::cargo_bin("costscope")
        .unwrap()
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .args([
            "allocation",
            "--window",
            "2026-11-19,2026-11-20",
            "--aggregate",
            "cluster",
            "--idle",
            "hide",
            "--format",
            "json",
            "--limit",
            "0",
            "--store",
        ])
        .arg(&store_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let truth = dev_bucket::truth();
    let rows = v["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "three clusters");
    for row in rows {
        let cluster = row["name"].as_str().unwrap();
        let want = truth["clusters"][cluster]["federated"]["allocations1d"]["2026-11-19"]["totalCost"]
            .as_f64()
            .unwrap();
        let got = row["totalCost"].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-6 * want, "{cluster}: {got} vs {want}");
    }
    assert_eq!(v["totalRows"], 3);
    assert_eq!(v["window"]["start"], "2026-11-19T00:00:00+00:00");
}

/// PUT `key` (raw, with `..` segments as they are: object_store cannot write such a key) into
/// the moto bucket at `host`; returns the HTTP status line.
fn raw_put(host: &str, bucket: &str, key: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "PUT /{bucket}/{key} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
    )
    .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.lines().next().unwrap_or_default().to_string()
}

/// A key object_store cannot parse at the cluster level (`federated/../escape/x`, sorted before
/// every cluster) once made an S3 listing return no file at all (issue 35 item 3). Now it is
/// reported and skipped, and every cluster's totals are still those of `dev-truth.json`.
#[test]
fn a_bad_key_at_cluster_level_on_s3_hides_no_cluster() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let Some((_store, yaml)) = rt.block_on(dev_bucket::dev_on_s3_with_yaml("cli-bad-cluster-key")) else {
        return;
    };
    let field = |name: &str| {
        yaml.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
            .unwrap()
    };
    let (host, bucket, prefix) = (field("endpoint:"), field("bucket:"), field("prefix:"));
    let status = raw_put(&host, &bucket, &format!("{prefix}/federated/../escape/x"));
    assert!(status.contains(" 200"), "{status}");
    let tmp = tempfile::tempdir().unwrap();
    let store_file = tmp.path().join("federated-store.yaml");
    std::fs::write(&store_file, &yaml).unwrap();
    let out = Command::cargo_bin("costscope")
        .unwrap()
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .args(["allocation", "--window", "2026-11-19,2026-11-20", "--aggregate", "cluster"])
        .args(["--idle", "hide", "--format", "json", "--limit", "0", "--store"])
        .arg(&store_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("federated/../escape"), "the bad key is reported: {stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let rows = v["data"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3, "every cluster is read: {stderr}");
    let truth = dev_bucket::truth();
    for row in rows {
        let cluster = row["name"].as_str().unwrap();
        let want = truth["clusters"][cluster]["federated"]["allocations1d"]["2026-11-19"]["totalCost"]
            .as_f64()
            .unwrap();
        let got = row["totalCost"].as_f64().unwrap();
        assert!((got - want).abs() <= 1e-6 * want, "{cluster}: {got} vs {want}");
    }
}
