//! `costscope inspect` end to end on the golden fixtures (assert_cmd).

use crate::support::common;

use assert_cmd::Command;
use predicates::prelude::*;

fn costscope() -> Command {
    Command::cargo_bin("costscope").unwrap()
}

#[test]
fn summary_of_every_set_fixture_prints_root_items_and_totals() {
    for (generation, rel, path) in common::codec_fixture_files() {
        if !rel.starts_with("federated/") {
            continue;
        }
        let root = common::root_kind_of(&rel).name();
        costscope()
            .arg("inspect")
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("root:     {root}")))
            .stdout(predicate::str::contains("totalCost").or(predicate::str::contains("amortizedNetCost")))
            .stdout(predicate::str::contains("2024-11-04T"));
        let _ = generation;
    }
}

#[test]
fn allocation_summary_totals_match_the_fixture_json() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/allocations/1d/1730678400-1730764800");
    let out = costscope().args(["inspect", "--format", "summary"]).arg(&p).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("items:    5"), "{text}");
    assert!(text.contains("codec:    allocation 24, window 18"), "{text}");
    // cpuCost: sum of the five allocations' cpuCost in the fixture JSON.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            common::codec_fixtures().join("v24/json/federated/cluster-one/etl/bingen/allocations/1d/1730678400-1730764800.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let cpu: f64 = json["allocations"]
        .as_object()
        .unwrap()
        .values()
        .map(|a| a["allocation"]["cpuCost"].as_f64().unwrap())
        .sum();
    let line = text.lines().find(|l| l.starts_with("cpuCost")).unwrap();
    let shown: f64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!((shown - cpu).abs() < 1e-6, "{shown} vs {cpu}");
}

#[test]
fn json_output_has_kubecost_field_names_and_total_cost() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/allocations/1h/1730725200-1730728800");
    let out = costscope().args(["inspect", "--format", "json"]).arg(&p).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let a = &v["allocations"]["cluster-one/gke-pool-1-abc/db/postgres-0/postgres"];
    assert_eq!(a["properties"]["namespace"], "db");
    assert_eq!(a["ramByteRequestAverage"], 2147483648.0);
    assert_eq!(a["pvs"]["cluster=cluster-one:name=pvc-1b2c3d4e"]["cost"], 0.131);
    let total = a["totalCost"].as_f64().unwrap();
    // cpu 0.0158-0.001 + ram 0.0084 + pv 0.131+0.002 + net 0.12 + lb 0.6+0.01 + shared 0.33
    assert!((total - 1.2162).abs() < 1e-9, "{total}");
}

#[test]
fn misc_roots_need_a_type_and_decode_with_one() {
    let p = common::codec_fixtures().join("v24/misc/assetsetrange.bin");
    costscope()
        .arg("inspect")
        .arg(&p)
        .assert()
        .failure()
        .stderr(predicate::str::contains("pass --type"));
    costscope()
        .args(["inspect", "--type", "assetsetrange"])
        .arg(&p)
        .assert()
        .success()
        .stdout(predicate::str::contains("root:     AssetSetRange"));
}

#[test]
fn corrupt_file_reports_path_struct_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let src = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/cloudcosts/1d/1730678400-1730764800");
    let bytes = std::fs::read(src).unwrap();
    let p = dir.path().join("cloudcosts").join("1730678400-1730764800");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    costscope()
        .arg("inspect")
        .arg(&p)
        .assert()
        .failure()
        .stderr(predicate::str::contains("1730678400-1730764800"))
        .stderr(predicate::str::contains("at byte offset"));
}

#[test]
fn global_options_are_accepted_before_or_after_the_subcommand() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/assets/1h/1730725200-1730728800");
    costscope().args(["--read-only", "inspect"]).arg(&p).assert().success();
    costscope()
        .arg("inspect")
        .arg(&p)
        .args(["--read-only", "--db", "/tmp/x.duckdb"])
        .assert()
        .success();
}
