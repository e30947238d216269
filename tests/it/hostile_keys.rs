//! One object with a key object_store cannot read never takes a store down (issue: reliability).
//! On a directory store, names with control characters or bytes that are not UTF-8 are skipped
//! and reported, and everything else is ingested; on a store whose listing stops at such a key
//! (S3, GCS, Azure lose the rest of the page), the prefix is listed folder by folder so the
//! other clusters' files are still read, and nothing already ingested is dropped as "deleted".

use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::progress::{TaskId, TaskProgress};
use costscope::query::{ColumnId, CostSource, DataKind, IdleMode};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;

use crate::support::dev_bucket::{copy_dev, truth};
use crate::support::faulty_store::FaultyStore;
use crate::support::{request, window};

const FOLDER: &str = "federated/prod-us-east-1/etl/bingen/allocations/1d";

fn ingest(store: Arc<dyn ObjectStore>, agg: &Arc<Aggregator>) -> costscope::aggregator::IngestReport {
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap()
}

/// The 7-day window the totals are compared over: 2026-11-14 .. 2026-11-21.
const WEEK: (i64, i64) = (1_794_614_400, 1_795_219_200);

/// The 7-day allocation total the dev bucket's truth gives, and the one `agg` answers.
fn totals(agg: &Aggregator) -> (f64, f64) {
    let req = request(DataKind::Allocation, window(WEEK.0, WEEK.1), "cluster", "", IdleMode::Hide);
    let got = agg
        .query(&req)
        .unwrap()
        .totals
        .get(DataKind::Allocation, ColumnId::TotalCost)
        .unwrap();
    (got, truth_total())
}

/// The dev bucket's allocation total over [`WEEK`] by its truth file.
fn truth_total() -> f64 {
    let t = truth();
    let (start, end) = WEEK;
    let mut want = 0.0;
    for (_, c) in t["clusters"].as_object().unwrap() {
        for (day, v) in c["federated"]["allocations1d"].as_object().unwrap() {
            let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            let s = d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            if (start..end).contains(&s) {
                want += v["totalCost"].as_f64().unwrap();
            }
        }
    }
    want
}

#[test]
fn bad_names_on_a_directory_store_are_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    let folder = dir.path().join(FOLDER);
    std::fs::write(folder.join("ctl\u{1}name"), b"x").unwrap();
    std::fs::write(folder.join(std::ffi::OsStr::from_bytes(b"bad\xffname")), b"x").unwrap();
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    // The FILESYSTEM store, as `federated-store.yaml` opens it.
    let store = crate::support::dev_bucket::fs_store(dir.path()).inner;
    let r = ingest(store.clone(), &agg);
    let (got, want) = totals(&agg);
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}: {r:?}");
    let problems: Vec<&String> = r.failures.iter().map(|f| &f.reason).collect();
    assert!(problems.iter().any(|p| p.contains(r"ctl\u{1}name")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("not UTF-8")), "{problems:?}");
    assert!(!problems.iter().any(|p| p.contains("may be missing")), "{problems:?}");
    // `bucket` says so too.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let inv = rt.block_on(costscope::bucket::scan(&*store)).unwrap();
    let notes = costscope::bucket::report::notes(&inv);
    assert!(
        notes.iter().any(|n| n.starts_with("not listed:") && n.contains(r"ctl\u{1}name")),
        "{notes:?}"
    );
    assert!(inv.clusters.len() >= 3, "{:?}", inv.clusters);
}

#[test]
fn a_listing_that_stops_at_a_bad_key_is_listed_folder_by_folder() {
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    // A bad key in one cluster's daily allocations folder: listings stop there.
    std::fs::write(dir.path().join(FOLDER).join("zz-BAD"), b"x").unwrap();
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let faulty = FaultyStore::new(local.clone());
    faulty.faults.lock().unwrap().bad_key = Some("zz-BAD".into());
    let faulty: Arc<dyn ObjectStore> = Arc::new(faulty);

    // A clean first pass, then a pass over the faulty listing: nothing is dropped as deleted.
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let clean = ingest(local, &agg);
    let again = ingest(faulty.clone(), &agg);
    assert_eq!(again.removed, 0, "{again:?}");
    let reasons: Vec<&str> = again.failures.iter().map(|f| f.reason.as_str()).collect();
    assert!(reasons.iter().any(|r| r.contains("zz-BAD")), "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("may be missing")), "{reasons:?}");

    // From scratch over the faulty listing: every other folder is read.
    let fresh = Arc::new(Aggregator::open_in_memory().unwrap());
    let r = ingest(faulty, &fresh);
    let per_folder_loss = clean.files - r.files;
    assert!(r.files > 0 && per_folder_loss <= 31, "{} of {} files listed", r.files, clean.files);
    let req = request(DataKind::Asset, window(1_794_614_400, 1_795_219_200), "cluster", "", IdleMode::Hide);
    let both = |a: &Aggregator| a.query(&req).unwrap().totals.get(DataKind::Asset, ColumnId::TotalCost).unwrap();
    assert!((both(&fresh) - both(&agg)).abs() < 1e-6, "assets of every cluster are read");
}

/// Reads that fail (a flaky network, past object_store's own retries) are reported by key and
/// not recorded as bad files: the next pass reads them and the totals equal a clean run's.
#[test]
fn failed_reads_are_retried_next_pass_and_totals_recover() {
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let faulty = FaultyStore::new(local);
    faulty.faults.lock().unwrap().failing_gets.insert("allocations/1d/".into(), 5);
    let faulty: Arc<dyn ObjectStore> = Arc::new(faulty);
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let first = ingest(faulty.clone(), &agg);
    let failed: Vec<&str> = first.failures.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(failed.len(), 5, "{:?}", first.failures);
    assert!(
        first.failures.iter().all(|f| f.reason.contains("connection reset")),
        "{:?}",
        first.failures
    );
    let (got, want) = totals(&agg);
    assert!(got < want, "the failed days are missing after the first pass");
    let second = ingest(faulty, &agg);
    assert_eq!((second.ingested, second.failures.len()), (5, 0), "{second:?}");
    let (got, want) = totals(&agg);
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
}

/// A hostile copy of the dev bucket on a directory store (issues 35.2, 34.2): folder symlink
/// loops (`ln -s . federated/a`, to the parent, to itself), symlinks to `/dev/zero` and
/// `/etc/passwd` under key names, a FIFO and a socket under key names. `bucket` and `ingest`
/// finish, name each skipped entry, and the totals equal a clean copy's.
#[test]
fn symlink_loops_fifos_and_devices_never_hang_or_hide_a_directory_store() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    copy_dev(&bucket);
    let fed = bucket.join("federated");
    let folder = bucket.join(FOLDER);
    symlink(".", fed.join("a")).unwrap();
    symlink(".", fed.join("b")).unwrap();
    symlink("..", folder.join("up")).unwrap();
    symlink(".", folder.join("loopdir")).unwrap();
    symlink("self", folder.join("self")).unwrap();
    symlink("/dev/zero", folder.join("1700000000-1700086400")).unwrap();
    symlink("/etc/passwd", folder.join("1700086400-1700172800")).unwrap();
    let fifo = folder.join("1700172800-1700259200");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let _socket = std::os::unix::net::UnixListener::bind(folder.join("1700259200-1700345600")).unwrap();
    let yaml = crate::support::cli::store_file(tmp.path(), &bucket);
    let run = |args: &[&str]| {
        let out = crate::support::cli::costscope(tmp.path(), &yaml)
            .args(args)
            .timeout(std::time::Duration::from_secs(300))
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };

    let (code, out, err) = run(&["bucket"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, out, err) = run(&["ingest", "--once"]);
    assert_eq!(code, Some(1), "ends, with the skipped entries as failures: {out}{err}");
    for (name, why) in [
        ("federated/a", "listed already"),
        ("federated/b", "listed already"),
        ("1d/up", "listed already"),
        ("1d/loopdir", "listed already"),
        ("1d/self", "cannot be resolved"),
        ("1d/1700000000-1700086400", "outside the store"),
        ("1d/1700086400-1700172800", "outside the store"),
        ("1d/1700172800-1700259200", "a FIFO"),
        ("1d/1700259200-1700345600", "a socket"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains(why)),
            "{name} is named ({why}):\n{err}"
        );
    }
    let json = week_by_cluster(&run);
    let got = json["totals"]["totalCost"].as_f64().unwrap();
    let want = truth_total();
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want}");
}

/// Issue 34 item 3: a cluster folder with `%` and non-ASCII characters is read like any other, and
/// copies of a real set planted under keys that are not its window (another day's key, an absurd
/// `0-9223372036854775807`, a future day, `…%2F..`, a folder named like a key) are never counted:
/// each is skipped and named, and the totals equal the truth plus the odd cluster's own day.
/// `bucket` keeps FIRST/LAST and the gaps on the real windows (the absurd key once made every
/// cluster "miss" 20,781 days since 1970).
#[test]
fn an_odd_cluster_folder_is_read_and_planted_copies_are_never_counted() {
    use costscope::bingen;
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    copy_dev(&bucket);
    let folder = bucket.join(FOLDER);
    let day = format!("{}-{}", WEEK.0, WEEK.0 + 86_400);
    let real = std::fs::read(folder.join(&day)).unwrap();

    // The odd cluster: one real day re-labelled as cluster `pct%41-ü`.
    let odd = "pct%41-ü";
    let mut set = bingen::decode_allocation_set(&real).unwrap();
    let mut odd_total = 0.0;
    for (_, a) in set.allocations.as_mut().unwrap().0.iter_mut() {
        let a = a.as_mut().unwrap();
        a.properties.as_mut().unwrap().cluster = odd.into();
        odd_total += a.total_cost();
    }
    let odd_dir = bucket.join(format!("federated/{odd}/etl/bingen/allocations/1d"));
    std::fs::create_dir_all(&odd_dir).unwrap();
    std::fs::write(odd_dir.join(&day), bingen::encode_allocation_set(&set)).unwrap();

    // Copies of the real set under keys that are not its window.
    let planted = [
        "1788999999-1789086399".to_string(),
        "0-9223372036854775807".to_string(),
        "4102444800-4102531200".to_string(),
        format!("{day}%2F.."),
    ];
    for key in &planted {
        std::fs::write(folder.join(key), &real).unwrap();
    }
    let key_dir = folder.join("1700000000-1700086400");
    std::fs::create_dir_all(&key_dir).unwrap();
    std::fs::write(key_dir.join(&day), &real).unwrap();

    let yaml = crate::support::cli::store_file(tmp.path(), &bucket);
    let run = |args: &[&str]| {
        let out = crate::support::cli::costscope(tmp.path(), &yaml).args(args).output().unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    let (code, out, err) = run(&["ingest", "--once"]);
    assert_eq!(code, Some(1), "the planted copies are failures: {out}{err}");
    for key in &planted[..3] {
        assert!(err.lines().any(|l| l.contains(key.as_str())), "{key} is named:\n{err}");
    }
    let json = week_by_cluster(&run);
    let got = json["totals"]["totalCost"].as_f64().unwrap();
    let want = truth_total() + odd_total;
    assert!((got - want).abs() < 1e-6 * want, "{got} vs {want} (truth + {odd_total} of {odd})");
    let rows = json["data"].as_array().unwrap();
    let odd_row = rows
        .iter()
        .find(|r| r["name"] == odd)
        .unwrap_or_else(|| panic!("{odd} is a cluster: {out}"));
    let odd_got = odd_row["totalCost"].as_f64().unwrap();
    assert!((odd_got - odd_total).abs() < 1e-6 * odd_total, "{odd_got} vs {odd_total}");

    let (code, out, err) = run(&["bucket", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let series = json["rows"].as_array().unwrap();
    let prod = series
        .iter()
        .find(|s| s["source"] == "prod-us-east-1" && s["pipeline"] == "allocations" && s["resolution"] == "1d")
        .unwrap();
    assert!(prod["first"].as_str().unwrap().starts_with("2026-"), "{prod}");
    assert_eq!(prod["missing"], 0, "{prod}");
    assert!(
        json["clusters"].as_array().unwrap().iter().any(|c| c == odd),
        "{odd} is listed: {out}"
    );
}

/// Exit code, stdout and stderr of one run of the binary.
type RunOutput = (Option<i32>, String, String);

/// `allocation --aggregate cluster --idle hide --format json` over [`WEEK`] through `run` (the
/// binary with the test's store), parsed.
fn week_by_cluster(run: &dyn Fn(&[&str]) -> RunOutput) -> serde_json::Value {
    let window = format!("{},{}", WEEK.0, WEEK.1);
    let args = [
        "allocation",
        "--no-ingest",
        "--window",
        &window,
        "--aggregate",
        "cluster",
        "--idle",
        "hide",
        "--format",
        "json",
    ];
    let (code, out, err) = run(&args);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Every key of `listing`, sorted.
fn keys(listing: &costscope::bucket::listing::Listing) -> Vec<String> {
    let mut k: Vec<String> = listing.objects.iter().map(|m| m.location.to_string()).collect();
    k.sort();
    k
}

/// A bad key at the cluster level (`federated/<bad>/…`, issue 35 item 3) fails the listing page
/// that holds it and the `federated/` level itself, so folder-by-folder listing cannot recover
/// the clusters. Listed through the paginated API (`config/paged_list.rs`, which S3 and GCS stores
/// use), only the bad folder is lost, and it is reported.
#[test]
fn a_bad_key_at_cluster_level_costs_only_its_folder() {
    use costscope::bucket::listing::list;
    use costscope::config::paged_list::PagedList;
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    // Between the dev clusters in key order, two objects deep and one beside the clusters.
    let bad = dir.path().join("federated/m-BAD-cluster/etl/bingen/allocations/1d");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("1794528000-1794614400"), b"x").unwrap();
    std::fs::write(dir.path().join("federated/m-BAD-cluster/x"), b"x").unwrap();
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let prefix = object_store::path::Path::from("federated");
    let all = keys(&rt.block_on(list(local.as_ref(), Some(&prefix))).unwrap());
    let want: Vec<String> = all.iter().filter(|k| !k.contains("m-BAD-cluster")).cloned().collect();
    assert_eq!(all.len(), want.len() + 2);

    for page_keys in [1000, 7] {
        let faulty = FaultyStore::new(local.clone());
        {
            let mut f = faulty.faults.lock().unwrap();
            f.bad_key = Some("m-BAD-cluster".into());
            f.page_keys = page_keys;
        }
        let faulty = Arc::new(faulty);
        // As object_store lists: the clusters after the bad one (and the page before it) are lost.
        let plain = rt.block_on(list(faulty.as_ref() as &dyn ObjectStore, Some(&prefix))).unwrap();
        assert!(
            keys(&plain).len() < want.len(),
            "the fault reproduces: {} of {}",
            keys(&plain).len(),
            want.len()
        );
        // Through the paginated API: everything but the bad folder, which is reported.
        let paged = PagedList::new(FaultyStore {
            inner: faulty.inner.clone(),
            faults: faulty.faults.clone(),
        });
        let got = rt.block_on(list(&paged, Some(&prefix))).unwrap();
        assert_eq!(keys(&got), want, "pages of {page_keys}");
        assert!(got.problems.iter().any(|p| p.contains("m-BAD-cluster")), "{:?}", got.problems);
    }
}

/// A listing request that never answers is given up on at the store timeout, with one line that
/// names the prefix (issue 35 item 7).
#[test]
fn a_hung_listing_is_given_up_on_naming_its_prefix() {
    let dir = tempfile::tempdir().unwrap();
    copy_dev(dir.path());
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let faulty = FaultyStore::new(local);
    faulty.faults.lock().unwrap().hang_lists = true;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let prefix = object_store::path::Path::from("federated");
    let timeout = std::time::Duration::from_millis(200);
    let r = rt.block_on(async {
        let listing = costscope::bucket::listing::list_within(&faulty, Some(&prefix), timeout);
        tokio::time::timeout(std::time::Duration::from_secs(60), listing).await
    });
    let err = r.expect("the listing is given up on, not waited for").unwrap_err().to_string();
    assert!(err.contains("listing federated/") && err.contains("given up"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
