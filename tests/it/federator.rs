//! The federator on a copy of the dev bucket (3 clusters, 158 windows), checked against
//! `dev-truth.json`, OpenCost's reference decoder, and the rules of DESIGN.md §6.

use crate::support::dev_bucket;

use costscope::bingen;
use costscope::bucket::keys::{KeyKind, parse_key};
use costscope::config::Store;
use costscope::federator::{self, Action, FederateOptions, FederateReport, Output};
use costscope::model::{AllocationSet, CloudCostSet, Window};
use costscope::progress::{Phase, TaskProgress};
use dev_bucket::{close, copy_dev, fs_store, reference_decoder_reads, snapshot, truth};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tokio::sync::watch;

/// Windows in dev: allocations 1d 21 + assets 1d 21 + allocations 1h 48 + assets 1h 48 + cloudcosts 1d 20.
const DEV_WINDOWS: usize = 158;

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    store: Store,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bucket");
    copy_dev(&dir);
    let store = fs_store(&dir);
    Fixture { _tmp: tmp, dir, store }
}

async fn run(f: &Fixture, opts: &FederateOptions) -> (FederateReport, TaskProgress) {
    let (tx, rx) = watch::channel(TaskProgress::new(federator::TASK));
    let report = federator::run_once(f.store.inner.clone(), opts, tx).await.expect("federator pass");
    let last = rx.borrow().clone();
    (report, last)
}

fn combined_path(root: &Path, cluster_key: &str) -> PathBuf {
    let KeyKind::Federated { file, .. } = parse_key(cluster_key) else {
        panic!("{cluster_key} is not a federated key")
    };
    root.join(costscope::bucket::keys::format_combined(&file))
}

/// Per combined key: (Σ count, Σ totalCost) over the clusters' truth entries of `field`.
fn expected(t: &Value, field: &str) -> BTreeMap<String, (u64, f64)> {
    let mut out: BTreeMap<String, (u64, f64)> = BTreeMap::new();
    for (_, c) in t["clusters"].as_object().unwrap() {
        for (_, d) in c["federated"][field].as_object().unwrap() {
            let KeyKind::Federated { file, .. } = parse_key(d["key"].as_str().unwrap()) else {
                panic!()
            };
            let e = out.entry(costscope::bucket::keys::format_combined(&file)).or_default();
            e.0 += d["count"].as_u64().unwrap();
            e.1 += d["totalCost"].as_f64().unwrap();
        }
    }
    out
}

fn window_of(key: &str) -> (i64, i64) {
    let f = *parse_key(key).etl_file().unwrap();
    (f.start, f.end)
}

#[tokio::test]
async fn federating_dev_matches_truth_and_reruns_are_incremental() {
    let f = fixture();
    let t = truth();
    let (report, last) = run(&f, &FederateOptions::default()).await;
    assert_eq!(report.windows.len(), DEV_WINDOWS);
    assert_eq!(report.written, DEV_WINDOWS, "{:?}", report.notes);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(
        (last.phase, last.done, last.total),
        (Phase::Done, DEV_WINDOWS as u64, DEV_WINDOWS as u64)
    );
    assert_eq!(last.rows, report.items);

    // (b) every combined allocations/assets window (1d and 1h) holds Σ of the clusters' counts and costs.
    for (field, is_alloc) in [
        ("allocations1d", true),
        ("assets1d", false),
        ("allocations1h", true),
        ("assets1h", false),
    ] {
        let want = expected(&t, field);
        assert!(!want.is_empty());
        for (key, (count, total)) in want {
            let data = std::fs::read(f.dir.join(&key)).unwrap_or_else(|e| panic!("{key}: {e}"));
            let (start, end) = window_of(&key);
            let (n, sum, win) = if is_alloc {
                let s = bingen::decode_allocation_set(&data).unwrap();
                (s.len() as u64, s.iter().map(|a| a.total_cost()).sum::<f64>(), s.window)
            } else {
                let s = bingen::decode_asset_set(&data).unwrap();
                (s.len() as u64, s.iter().map(|a| a.total_cost()).sum::<f64>(), s.window)
            };
            assert_eq!(n, count, "{key}: item count");
            assert!(close(sum, total), "{key}: Σ totalCost {sum} vs truth {total}");
            assert_eq!(win, Window::utc(start, end), "{key}: window");
        }
    }
    // Cloud costs: one cluster, so the combined set has the truth's count per day.
    for (_, d) in t["cloudCosts"]["days"].as_object().unwrap() {
        let s: CloudCostSet =
            bingen::decode_cloud_cost_set(&std::fs::read(combined_path(&f.dir, d["key"].as_str().unwrap())).unwrap()).unwrap();
        assert_eq!(s.len() as u64, d["count"].as_u64().unwrap());
        assert_eq!(&*s.integration, t["cloudCosts"]["integration"].as_str().unwrap());
    }

    // (c) OpenCost's reference decoder reads our output.
    let sample = t["clusters"]["staging-eu-west-1"]["federated"]["allocations1d"]["2026-11-11"]["key"]
        .as_str()
        .unwrap();
    let assets = t["clusters"]["prod-us-east-1"]["federated"]["assets1d"]["2026-11-20"]["key"]
        .as_str()
        .unwrap();
    reference_decoder_reads(&combined_path(&f.dir, sample));
    reference_decoder_reads(&combined_path(&f.dir, assets));

    // (d) a second pass reads and writes nothing.
    let before = snapshot(&f.dir);
    let (again, _) = run(&f, &FederateOptions::default()).await;
    assert_eq!(
        (again.written, again.unchanged, again.bytes_read, again.bytes_written),
        (0, DEV_WINDOWS, 0, 0)
    );
    assert_eq!(snapshot(&f.dir), before, "an unchanged pass must not touch the bucket");

    // (e) rewriting one cluster's file re-federates exactly that window.
    let src_key = t["clusters"]["staging-eu-west-1"]["federated"]["allocations1d"]["2026-11-05"]["key"]
        .as_str()
        .unwrap();
    let mut set: AllocationSet = bingen::decode_allocation_set(&std::fs::read(f.dir.join(src_key)).unwrap()).unwrap();
    set.warnings.get_or_insert_with(Vec::new).push("re-run by the test".into());
    std::fs::write(f.dir.join(src_key), bingen::encode_allocation_set(&set)).unwrap();
    let (third, _) = run(&f, &FederateOptions::default()).await;
    let written: Vec<&str> = third
        .windows
        .iter()
        .filter(|w| w.action == Action::Written)
        .map(|w| w.key.as_str())
        .collect();
    let out = combined_path(&f.dir, src_key);
    assert_eq!(written, [out.strip_prefix(&f.dir).unwrap().to_str().unwrap()]);
    assert_eq!(third.unchanged, DEV_WINDOWS - 1);
    let merged = bingen::decode_allocation_set(&std::fs::read(&out).unwrap()).unwrap();
    assert!(merged.warnings.unwrap().iter().any(|w| &**w == "re-run by the test"));
}

#[tokio::test]
async fn read_only_writes_only_to_the_local_directory() {
    let f = fixture();
    let out = f._tmp.path().join("out");
    let opts = FederateOptions {
        output: Output::LocalDir(out.clone()),
        ..Default::default()
    };
    let before = snapshot(&f.dir);
    let (report, _) = run(&f, &opts).await;
    assert_eq!(snapshot(&f.dir), before, "read-only mode must not write to the bucket");
    assert_eq!(report.written, DEV_WINDOWS);
    let written = snapshot(&out);
    assert_eq!(written.len(), DEV_WINDOWS + 1, "combined files + the manifest");
    assert!(written.contains_key("federated/combined/.costscope-manifest.json"));
    assert!(written.keys().all(|k| k.starts_with("federated/combined/")));
    // The manifest lives in the output directory, so the next read-only pass is incremental too.
    let (again, _) = run(&f, &opts).await;
    assert_eq!((again.written, again.unchanged), (0, DEV_WINDOWS));
    assert_eq!(snapshot(&f.dir), before);
}

#[tokio::test]
async fn dry_run_writes_nothing_anywhere() {
    let f = fixture();
    let before = snapshot(&f.dir);
    let (report, _) = run(
        &f,
        &FederateOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .await;
    assert_eq!((report.would_write, report.written, report.bytes_read), (DEV_WINDOWS, 0, 0));
    assert!(
        report
            .windows
            .iter()
            .all(|w| w.action == Action::WouldWrite && w.key.starts_with("federated/combined/etl/bingen/"))
    );
    assert_eq!(snapshot(&f.dir), before);

    let out = f._tmp.path().join("never-created");
    let opts = FederateOptions {
        dry_run: true,
        output: Output::LocalDir(out.clone()),
        ..Default::default()
    };
    let (report, _) = run(&f, &opts).await;
    assert_eq!(report.would_write, DEV_WINDOWS);
    assert!(!out.exists(), "a dry run must not create the output directory");
    assert_eq!(snapshot(&f.dir), before);
}

#[tokio::test]
async fn a_corrupt_cluster_file_is_reported_and_the_window_still_federated() {
    let f = fixture();
    let t = truth();
    let day = &t["clusters"]["prod-us-east-1"]["federated"]["allocations1d"]["2026-11-15"];
    let bad_key = day["key"].as_str().unwrap();
    let data = std::fs::read(f.dir.join(bad_key)).unwrap();
    std::fs::write(f.dir.join(bad_key), &data[..data.len() / 3]).unwrap();

    let (report, last) = run(&f, &FederateOptions::default()).await;
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert_eq!(report.failures[0].key, bad_key);
    assert!(report.failures[0].reason.contains("cannot decode"), "{}", report.failures[0].reason);
    assert_eq!(last.failures, report.failures, "the progress snapshot carries the failure");
    assert_eq!(report.written, DEV_WINDOWS, "the window is still written from the other clusters");

    let out = combined_path(&f.dir, bad_key);
    let set = bingen::decode_allocation_set(&std::fs::read(out).unwrap()).unwrap();
    let others: u64 = ["staging-eu-west-1", "dev-ap-south-1"]
        .iter()
        .map(|c| {
            t["clusters"][*c]["federated"]["allocations1d"]["2026-11-15"]["count"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert_eq!(set.len() as u64, others);
    assert!(set.iter().all(|a| !a.name.starts_with("prod-us-east-1/")));

    // The file is unchanged on the next pass: nothing is redone, the failure is still reported.
    let (again, _) = run(&f, &FederateOptions::default()).await;
    assert_eq!(again.written, 0);
    assert_eq!(again.failures.len(), 1);
    assert_eq!(again.failures[0].key, bad_key);
}

#[tokio::test]
async fn an_empty_merge_never_replaces_a_non_empty_combined_file() {
    let f = fixture();
    let t = truth();
    run(&f, &FederateOptions::default()).await;
    // Cloud costs come from one cluster: replace its file with an empty set of the same window.
    let key = t["cloudCosts"]["days"]["2026-11-10"]["key"].as_str().unwrap();
    let (start, end) = window_of(key);
    let out = combined_path(&f.dir, key);
    let kept = std::fs::read(&out).unwrap();
    let empty = CloudCostSet {
        cloud_costs: Some(Default::default()),
        window: Window::utc(start, end),
        ..Default::default()
    };
    std::fs::write(f.dir.join(key), bingen::encode_cloud_cost_set(&empty)).unwrap();

    let (report, _) = run(&f, &FederateOptions::default()).await;
    let w = report.windows.iter().find(|w| f.dir.join(&w.key) == out).unwrap();
    assert_eq!(w.action, Action::KeptNonEmpty);
    assert_eq!((report.written, report.kept_non_empty), (0, 1));
    assert_eq!(std::fs::read(&out).unwrap(), kept, "the non-empty combined file is untouched");
}

#[tokio::test]
async fn allow_list_and_cutoff_limit_the_windows() {
    let f = fixture();
    let opts = FederateOptions {
        clusters: vec!["dev-ap-south-1".into(), "no-such-cluster".into()],
        cutoff: Some(federator::parse_cutoff("2026-11-15").unwrap()),
        ..Default::default()
    };
    let (report, _) = run(&f, &opts).await;
    // dev-ap-south-1 has 1d allocations and assets for 11-08 … 11-20: 6 days from the cutoff on.
    assert_eq!(report.written, 12);
    assert_eq!(report.skipped_before_cutoff, 14);
    assert!(report.notes.iter().any(|n| n.contains("no-such-cluster")), "{:?}", report.notes);
    let cutoff = federator::parse_cutoff("2026-11-15").unwrap();
    for w in &report.windows {
        assert!(w.start >= cutoff);
        assert_eq!(w.sources, 1);
        let set = bingen::decode(
            &std::fs::read(f.dir.join(&w.key)).unwrap(),
            parse_key(&w.key).etl_file().unwrap().pipeline.root_kind().unwrap(),
        )
        .unwrap();
        let json = serde_json::to_string(&set.root).unwrap();
        assert!(
            !json.contains("prod-us-east-1") && !json.contains("staging-eu-west-1"),
            "{}: other clusters leaked in",
            w.key
        );
    }
}

/// On S3 (moto): a read-only pass sends no write to the bucket, and the etags S3 returns make the
/// second pass incremental.
#[tokio::test]
async fn read_only_federation_on_s3_moto() {
    let Some(store) = dev_bucket::dev_on_s3("federate").await else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let opts = FederateOptions {
        output: Output::LocalDir(out.path().to_path_buf()),
        ..Default::default()
    };
    let before = dev_bucket::listing(&*store.inner).await;
    let (tx, _rx) = watch::channel(TaskProgress::new(federator::TASK));
    let report = federator::run_once(store.inner.clone(), &opts, tx.clone())
        .await
        .expect("pass on S3");
    assert_eq!((report.written, report.failures.len()), (DEV_WINDOWS, 0));
    let again = federator::run_once(store.inner.clone(), &opts, tx)
        .await
        .expect("second pass on S3");
    assert_eq!((again.written, again.unchanged), (0, DEV_WINDOWS));
    assert_eq!(dev_bucket::listing(&*store.inner).await, before, "the S3 bucket must not change");
    assert_eq!(snapshot(out.path()).len(), DEV_WINDOWS + 1);
}

/// `--read-only --out <a folder inside the bucket>` would write into the bucket: refused with a
/// usage error before anything runs, and nothing is created.
#[test]
fn an_output_folder_inside_a_directory_store_is_refused() {
    use crate::support::mock_bucket::{Costs, Props, allocation, write_bucket};
    let dir = tempfile::tempdir().unwrap();
    let bucket = dir.path().join("bucket");
    let p = Props {
        cluster: "c1",
        namespace: "ns",
        ..Default::default()
    };
    write_bucket(&bucket, &[allocation("a", &p, Costs::ONES)], &[]);
    let yaml = dir.path().join("store.yaml");
    std::fs::write(&yaml, format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", bucket.display())).unwrap();
    let before = snapshot(&bucket);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", dir.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", dir.path().join("state"))
        .arg("--store")
        .arg(&yaml)
        .args(["federate", "--once", "--read-only", "--out"])
        .arg(bucket.join("federated/combined-copy"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("inside the store's directory"), "{err}");
    assert_eq!(snapshot(&bucket), before, "nothing written into the bucket");
    assert!(!bucket.join("federated/combined-copy").exists());
}

/// A federator killed mid-write leaves `<key>#<n>` staging files in a directory bucket: `bucket`
/// shows them, and the next federate pass removes those older than 10 minutes (younger ones may
/// belong to a write in progress) and says so.
#[tokio::test(flavor = "multi_thread")]
async fn staging_files_of_interrupted_writes_are_listed_and_cleaned() {
    let f = fixture();
    let folder = f.dir.join("federated/combined/etl/bingen/allocations/1d");
    std::fs::create_dir_all(&folder).unwrap();
    let old = folder.join("1794614400-1794700800#7");
    let young = folder.join("1794700800-1794787200#8");
    std::fs::write(&old, vec![0u8; 4096]).unwrap();
    std::fs::write(&young, b"partial").unwrap();
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();

    let yaml = f.dir.parent().unwrap().join("store.yaml");
    std::fs::write(&yaml, format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", f.dir.display())).unwrap();
    let bucket = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", f.dir.parent().unwrap().join("cache"))
        .env("COSTSCOPE_STATE_DIR", f.dir.parent().unwrap().join("state"))
        .args(["bucket", "--store"])
        .arg(&yaml)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bucket.stdout);
    assert!(text.contains("2 staging file(s) of interrupted writes"), "{text}");

    let opts = FederateOptions {
        bucket_root: f.store.local_root.clone(),
        ..Default::default()
    };
    let (report, _) = run(&f, &opts).await;
    assert!(!old.exists() && young.exists());
    let removed: Vec<&String> = report.notes.iter().filter(|n| n.starts_with("removed ")).collect();
    assert_eq!(removed.len(), 1, "{:?}", report.notes);
    assert!(removed[0].contains("#7") && removed[0].contains("4096 bytes"), "{removed:?}");
}
