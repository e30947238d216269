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
