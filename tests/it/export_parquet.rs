//! `costscope export` on the dev bucket, through the binary. What is checked:
//! - the layout and the contents: read back with the parquet crate, each partition holds its
//!   set's items and totalCost from `dev-truth.json`;
//! - a rerun writes nothing, and a changed source rewrites exactly its partition;
//! - a source that does not decode is reported with its key while the other partitions are
//!   still written (exit 1), no temporary file is left, and `store:` output is refused with
//!   `--read-only`.
//!
//! And, when `scripts/engines.sh` installed them (`COSTSCOPE_TEST_ENGINES_PYTHON`), Apache Spark
//! and ClickHouse (chdb) read the dataset with its partitions and answer costscope's own
//! aggregations to 1e-9.

use crate::support::dev_bucket;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::cli::{costscope, costscope_read_only, store_file};

/// `export --format json` with `args`: exit code and the report.
fn export(tmp: &Path, yaml: &Path, out: &Path, args: &[&str]) -> (i32, Value) {
    let o = costscope_read_only(tmp, yaml)
        .args(["export", "--format", "json", "--out"])
        .arg(out)
        .args(args)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (o.status.code().unwrap(), v)
}

/// Rows and sum of `totalcost` of one Parquet file.
fn read_back(file: &Path) -> (usize, f64) {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let (mut rows, mut total) = (0, 0.0);
    for batch in reader {
        let batch = batch.unwrap();
        rows += batch.num_rows();
        let col = batch.column_by_name("totalcost").unwrap();
        let values = col.as_any().downcast_ref::<duckdb::arrow::array::Float64Array>().unwrap();
        total += values.iter().flatten().sum::<f64>();
    }
    (rows, total)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

const DAY_DIR: &str = "allocations/cluster=prod-us-east-1/year=2026/month=11/day=19";

#[test]
fn partitions_hold_their_sets_and_reruns_rewrite_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    dev_bucket::copy_dev(&bucket);
    let yaml = store_file(tmp.path(), &bucket);
    let out = tmp.path().join("dataset");
    let (code, v) = export(tmp.path(), &yaml, &out, &[]);
    assert_eq!(code, 0, "{v}");
    // One partition per cluster × day × kind of dev-truth's daily sets (13 + 21 + 21 days of
    // allocations and of assets, 20 days of cloud costs).
    assert_eq!(v["partitions"], 130);
    assert_eq!(v["written"], 130);
    let truth = dev_bucket::truth();
    for (cluster, day) in [("prod-us-east-1", 19), ("dev-ap-south-1", 14), ("staging-eu-west-1", 1)] {
        let dir = out.join(format!("allocations/cluster={cluster}/year=2026/month=11/day={day}"));
        let (rows, total) = read_back(&dir.join("part-0.parquet"));
        let t = &truth["clusters"][cluster]["federated"]["allocations1d"][format!("2026-11-{day:02}")];
        assert_eq!(rows as u64, t["count"].as_u64().unwrap(), "{cluster} {day}");
        assert!(
            dev_bucket::close(total, t["totalCost"].as_f64().unwrap()),
            "{cluster} {day}: {total}"
        );
        let m: Value = serde_json::from_slice(&std::fs::read(dir.join("_costscope_sources.json")).unwrap()).unwrap();
        assert_eq!(m["sources"][0]["key"], t["key"]);
    }
    let mut files = Vec::new();
    files_under(&out, &mut files);
    assert!(files.iter().all(|f| !f.file_name().unwrap().to_string_lossy().starts_with(".tmp-")));

    // Nothing changed: nothing is written.
    let (_, v) = export(tmp.path(), &yaml, &out, &[]);
    assert_eq!((v["written"].as_u64(), v["unchanged"].as_u64()), (Some(0), Some(130)));

    // One source rewritten (same content, new etag): exactly its partition is redone.
    let key = truth["clusters"]["prod-us-east-1"]["federated"]["allocations1d"]["2026-11-19"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let bytes = std::fs::read(bucket.join(&key)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(bucket.join(&key), &bytes).unwrap();
    let (_, v) = export(tmp.path(), &yaml, &out, &[]);
    assert_eq!((v["written"].as_u64(), v["unchanged"].as_u64()), (Some(1), Some(129)), "{v}");
    assert!(out.join(DAY_DIR).join("part-0.parquet").exists());
}

#[test]
fn a_bad_source_fails_its_partition_alone_and_store_output_needs_write_access() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    dev_bucket::copy_dev(&bucket);
    let yaml = store_file(tmp.path(), &bucket);
    let key = "federated/dev-ap-south-1/etl/bingen/assets/1d/1794614400-1794700800";
    let full = std::fs::read(bucket.join(key)).unwrap();
    std::fs::write(bucket.join(key), &full[..full.len() / 2]).unwrap();
    let out = tmp.path().join("dataset");
    let (code, v) = export(tmp.path(), &yaml, &out, &["--kinds", "assets", "--clusters", "dev-ap-south-1"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!((v["partitions"].as_u64(), v["written"].as_u64()), (Some(13), Some(12)));
    let f = &v["failures"][0];
    assert!(
        f["partition"]
            .as_str()
            .unwrap()
            .ends_with("assets/cluster=dev-ap-south-1/year=2026/month=11/day=14"),
        "{f}"
    );
    assert!(f["reason"].as_str().unwrap().starts_with(key), "{f}");
    assert!(!out.join("assets/cluster=dev-ap-south-1/year=2026/month=11/day=14").exists());

    let o = costscope_read_only(tmp.path(), &yaml)
        .args(["export", "--out", "store:exports"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--read-only"));
    assert!(!bucket.join("exports").exists());
    let inside = bucket.join("dataset");
    let o = costscope(tmp.path(), &yaml)
        .args(["export", "--out"])
        .arg(&inside)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "a local --out inside the bucket is refused");
    assert!(!inside.exists());
}

/// costscope's JSON answer as name → totalCost.
fn answer(tmp: &Path, yaml: &Path, args: &[&str]) -> BTreeMap<String, f64> {
    let o = costscope_read_only(tmp, yaml)
        .args(args)
        .args(["--format", "json", "--limit", "0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["totalCost"].as_f64().unwrap()))
        .collect()
}

fn assert_same(engine: &str, what: &str, got: &Value, want: &BTreeMap<String, f64>) {
    let got: BTreeMap<String, f64> = got
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{engine} {what}: groups"
    );
    for (k, w) in want {
        let g = got[k];
        assert!(
            (g - w).abs() <= 1e-9 * w.abs().max(1.0),
            "{engine} {what} {k}: {g} vs costscope {w}"
        );
    }
}

#[test]
fn spark_and_clickhouse_answer_costscopes_aggregations() {
    let Some(python) = std::env::var_os("COSTSCOPE_TEST_ENGINES_PYTHON") else {
        eprintln!("skipped: COSTSCOPE_TEST_ENGINES_PYTHON is not set (scripts/engines.sh install; scripts/test.sh does it)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_bucket::dev_dir());
    let out = tmp.path().join("dataset");
    let (code, v) = export(tmp.path(), &yaml, &out, &["--kinds", "allocations,assets"]);
    assert_eq!(code, 0, "{v}");
    let window = ["--window", "2026-11-13,2026-11-20"];
    // The engines see the allocations; idle is costscope's (node cost − allocated cost), hidden.
    let alloc = answer(
        tmp.path(),
        &yaml,
        &[&["allocation", "--aggregate", "cluster,namespace", "--idle", "hide"][..], &window].concat(),
    );
    let assets = answer(tmp.path(), &yaml, &[&["assets", "--aggregate", "type"][..], &window].concat());
    let script = crate::support::common::crate_dir().join("tests/engines/aggregate.py");
    let o = std::process::Command::new(python)
        .arg(script)
        .arg(&out)
        .args(["2026-11-13", "2026-11-20"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // The week's clusters per dev-truth: 3 clusters × 7 days of allocation partitions.
    let truth = dev_bucket::truth();
    for engine in ["spark", "clickhouse"] {
        assert_eq!(v[engine]["partitions"], 21, "{engine}: partitions discovered");
        assert_same(engine, "allocations by cluster,namespace", &v[engine]["allocations"], &alloc);
        assert_same(engine, "assets by type", &v[engine]["assets"], &assets);
        for cluster in ["prod-us-east-1", "staging-eu-west-1", "dev-ap-south-1"] {
            let want: f64 = (13..20)
                .map(|d| {
                    truth["clusters"][cluster]["federated"]["allocations1d"][format!("2026-11-{d}")]["totalCost"]
                        .as_f64()
                        .unwrap()
                })
                .sum();
            let got: f64 = v[engine]["allocations"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.starts_with(&format!("{cluster}/")))
                .map(|(_, t)| t.as_f64().unwrap())
                .sum();
            assert!((got - want).abs() <= 1e-9 * want, "{engine} {cluster}: {got} vs dev-truth {want}");
        }
    }
}

/// `costscope bench export` on a small bucket: every daily set becomes a partition with all its
/// allocations.
#[test]
fn the_export_benchmark_writes_every_partition() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let r = rt.block_on(costscope::bench::export::export_bench(dir.path(), 300, 3, 2)).unwrap();
    assert_eq!((r.report.partitions, r.report.written), (3, 3));
    let mut files = Vec::new();
    files_under(&dir.path().join("parquet"), &mut files);
    let parquet: Vec<&PathBuf> = files.iter().filter(|f| f.extension().is_some_and(|e| e == "parquet")).collect();
    assert_eq!(parquet.len(), 3);
    let rows: usize = parquet.iter().map(|f| read_back(f).0).sum();
    assert_eq!(rows as u64, r.report.rows);
    assert!(rows >= 3 * 290, "about 300 allocations a day: {rows}");
}

/// `--resolution 1h` writes the hourly sets of each day into one partition under
/// `allocations_1h/` with an `hour` column; `--out store:PREFIX` writes into the bucket itself.
#[test]
fn hourly_partitions_carry_the_hour_and_store_output_lands_in_the_bucket() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    dev_bucket::copy_dev(&bucket);
    let yaml = store_file(tmp.path(), &bucket);
    let o = costscope(tmp.path(), &yaml)
        .args([
            "export",
            "--out",
            "store:exports/parquet",
            "--resolution",
            "1h",
            "--kinds",
            "allocations",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // prod-us-east-1 alone has hourly files: 48 hours, two days.
    assert_eq!((v["partitions"].as_u64(), v["written"].as_u64()), (Some(2), Some(2)), "{v}");
    let file = bucket.join("exports/parquet/allocations_1h/cluster=prod-us-east-1/year=2026/month=11/day=19/part-0.parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&file).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut per_hour: BTreeMap<i32, usize> = BTreeMap::new();
    for batch in reader {
        let batch = batch.unwrap();
        let hours = batch.column_by_name("hour").unwrap();
        let hours = hours.as_any().downcast_ref::<duckdb::arrow::array::Int32Array>().unwrap();
        for h in hours.iter().flatten() {
            *per_hour.entry(h).or_default() += 1;
        }
    }
    assert_eq!(per_hour.keys().copied().collect::<Vec<_>>(), (0..24).collect::<Vec<_>>());
    let truth = dev_bucket::truth();
    let h0 = truth["clusters"]["prod-us-east-1"]["federated"]["allocations1h"]["2026-11-19T00:00:00Z"]["count"]
        .as_u64()
        .unwrap();
    assert_eq!(per_hour[&0] as u64, h0);
}
