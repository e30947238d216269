//! Ingest refuses files whose content contradicts their key: a set holding another day than its
//! key names is reported by key and skipped (its costs would land on the wrong day), and the
//! rest of the bucket is ingested; an unchanged failed file is not downloaded again on later
//! passes (unless `--retry-failed`), and `costscope ingest` exits non-zero when files failed.

use std::sync::Arc;

use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::bingen;
use costscope::model::{AllocationSet, Window};
use costscope::progress::{TaskId, TaskProgress};
use futures::StreamExt;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;

use crate::support::mock_bucket::{Costs, DAY, Props, allocation};

#[test]
fn a_set_under_another_days_key_is_skipped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let props = Props {
        cluster: "c1",
        namespace: "ns",
        ..Default::default()
    };
    let write = |day: i64, key_day: i64, name: &str| {
        let mut set = AllocationSet::empty(Window::utc(day, day + 86_400));
        let a = allocation(name, &props, Costs::ONES);
        set.allocations.as_mut().unwrap().0.push((a.name.clone(), Some(a)));
        let p = dir
            .path()
            .join(format!("federated/c1/etl/bingen/allocations/1d/{key_day}-{}", key_day + 86_400));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bingen::encode_allocation_set(&set)).unwrap();
    };
    write(DAY, DAY, "good");
    // A copy of DAY's set saved under the next day's key.
    write(DAY, DAY + 86_400, "misplaced");
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let r = rt
        .block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
    assert_eq!(r.ingested, 1, "{r:?}");
    assert_eq!(r.failures.len(), 1, "{r:?}");
    let f = &r.failures[0];
    assert!(f.key.ends_with(&format!("{}-{}", DAY + 86_400, DAY + 2 * 86_400)), "{f:?}");
    assert!(f.reason.contains("its key names"), "{f:?}");

    // The next pass does not download the unchanged failed file again, but still reports it.
    let again = rt
        .block_on(ingest_once(agg.clone(), store_of(dir.path()), &IngestOptions::default(), &tx))
        .unwrap();
    assert_eq!((again.ingested, again.bytes), (0, 0), "{again:?}");
    assert_eq!(again.failures.len(), 1);
    assert!(again.failures[0].reason.contains("not read again"), "{:?}", again.failures[0]);
    // --retry-failed reads it again (and it fails again, for the same reason).
    let retry = IngestOptions {
        retry_failed: true,
        ..Default::default()
    };
    let r = rt.block_on(ingest_once(agg, store_of(dir.path()), &retry, &tx)).unwrap();
    assert!(
        r.bytes > 0 && r.failures.len() == 1 && r.failures[0].reason.contains("its key names"),
        "{r:?}"
    );

    // The CLI's ingest says so and exits non-zero.
    let yaml = dir.path().join("store.yaml");
    std::fs::write(
        &yaml,
        format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dir.path().display()),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", dir.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", dir.path().join("state"))
        .arg("--store")
        .arg(&yaml)
        .args(["ingest", "--once"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("1 file(s) could not be ingested"), "{err}");
}

fn store_of(dir: &std::path::Path) -> Arc<dyn ObjectStore> {
    Arc::new(LocalFileSystem::new_with_prefix(dir).unwrap())
}

/// Keys with `%` or non-ASCII characters are fetched under the key that was listed (they used to
/// be percent-encoded a second time, `100%cost` → `100%25cost`, and were "not found" every pass).
#[test]
fn keys_with_percent_and_non_ascii_characters_are_read() {
    use object_store::memory::InMemory;
    use object_store::path::Path as ObjPath;
    use object_store::{ObjectStoreExt, PutPayload};
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let store = Arc::new(InMemory::new());
    for cluster in ["team%a", "équipe-b"] {
        let props = Props {
            cluster,
            namespace: "ns",
            ..Default::default()
        };
        let mut set = AllocationSet::empty(Window::utc(DAY, DAY + 86_400));
        let a = allocation(&format!("{cluster}/a"), &props, Costs::ONES);
        set.allocations.as_mut().unwrap().0.push((a.name.clone(), Some(a)));
        let key = format!("federated/{cluster}/etl/bingen/allocations/1d/{DAY}-{}", DAY + 86_400);
        rt.block_on(store.put(
            &ObjPath::parse(&key).unwrap(),
            PutPayload::from(bingen::encode_allocation_set(&set)),
        ))
        .unwrap();
    }
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let r = rt.block_on(ingest_once(agg, store, &IngestOptions::default(), &tx)).unwrap();
    assert_eq!((r.ingested, r.failures.len()), (2, 0), "{r:?}");
}

/// Memory stays bounded: an object over `--max-object-size` is refused before it is fetched
/// (and, being unchanged, not fetched again on the next pass); a gzip bomb is refused once its
/// inflated size passes 512 MiB, and `inspect` on it stays well under 2× that in RSS.
#[test]
fn oversized_objects_and_gzip_bombs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let props = Props {
        cluster: "c1",
        namespace: "ns",
        ..Default::default()
    };
    let mut set = AllocationSet::empty(Window::utc(DAY, DAY + 86_400));
    for i in 0..40 {
        let a = allocation(&format!("c1/ns/p{i}/c"), &props, Costs::ONES);
        set.allocations.as_mut().unwrap().0.push((a.name.clone(), Some(a)));
    }
    let bytes = bingen::encode_allocation_set(&set);
    let p = dir
        .path()
        .join(format!("federated/c1/etl/bingen/allocations/1d/{DAY}-{}", DAY + 86_400));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, &bytes).unwrap();
    let opts = IngestOptions {
        max_object_bytes: (bytes.len() - 1) as u64,
        ..Default::default()
    };
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let r = rt.block_on(ingest_once(agg.clone(), store_of(dir.path()), &opts, &tx)).unwrap();
    assert_eq!((r.ingested, r.bytes, r.failures.len()), (0, 0, 1), "{r:?}");
    assert!(r.failures[0].reason.contains("over the limit"), "{:?}", r.failures[0]);
    let again = rt.block_on(ingest_once(agg.clone(), store_of(dir.path()), &opts, &tx)).unwrap();
    assert_eq!((again.bytes, again.failures.len()), (0, 1), "{again:?}");
    // With the default limit it is read.
    let ok = IngestOptions {
        retry_failed: true,
        ..Default::default()
    };
    let r = rt.block_on(ingest_once(agg, store_of(dir.path()), &ok, &tx)).unwrap();
    assert_eq!((r.ingested, r.failures.len()), (1, 0), "{r:?}");

    // A gzip bomb: 600 MiB of zeros behind a valid header, about 600 KB stored.
    use std::io::Write;
    let bomb = dir.path().join("bomb.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&bomb).unwrap(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    gz.write_all(&bytes).unwrap();
    for _ in 0..600 {
        gz.write_all(&zeros).unwrap();
    }
    gz.finish().unwrap();
    let timed = std::path::Path::new("/usr/bin/time").exists();
    let mut cmd = if timed {
        let mut c = std::process::Command::new("/usr/bin/time");
        c.args(["-f", "maxrss_kb=%M"]).arg(env!("CARGO_BIN_EXE_costscope"));
        c
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
    };
    let out = cmd.args(["inspect", "--type", "AllocationSet"]).arg(&bomb).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("inflates to more than"), "{err}");
    if !timed {
        return;
    }
    let rss_kb: u64 = err
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    assert!(rss_kb > 0 && rss_kb < 900 * 1024, "peak RSS {rss_kb} kB for a 512 MiB cap");
}

/// `costscope bench fleet` on a small fleet: the cold runs ingest every file of the bucket
/// (locally and through the latency wrapper) with the same rows, the warm rerun ingests none, and
/// a new file is found by the watching loop.
#[test]
fn fleet_bench_ingests_every_file_then_none() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let spec = costscope::bench::fleet::FleetSpec {
        clusters: 3,
        days: 2,
        containers: 40,
        hourly_hours: 3,
        latency_ms: 1,
        fresh_files: 1,
        cold_only: false,
    };
    let remote: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let r = rt
        .block_on(costscope::bench::fleet::fleet_bench(
            dir.path(),
            &spec,
            Some(("memory", remote.clone())),
        ))
        .unwrap();
    // The fleet's files, and the one new file of the freshness phase.
    let fleet = dir.path().join("fleet-3x2x40h3/federated");
    let on_disk = walk(&fleet);
    assert_eq!(r.files as usize + 1, on_disk, "every file of the bucket is ingested");
    // 3 clusters × (2 days + 3 hours) × allocations and assets, and one cloud-cost day.
    assert_eq!(r.files, 3 * 5 * 2 + 1);
    assert_eq!(walk(&fleet.join("dev-ap-south-1/etl/bingen/allocations/1h")), 3);
    let uploaded = rt.block_on(remote.list(None).count());
    assert_eq!(uploaded as u64, r.files, "the upload holds the fleet's files");
    let [cold, warm, up, up_slow, slow] = &r.runs[..] else {
        panic!("{:?}", r.runs)
    };
    assert_eq!(warm.files_ingested, 0);
    assert!(
        cold.cpu_seconds > 0.0 && cold.bytes > 0,
        "the cold run reports its CPU time and bytes"
    );
    // The ETL backup and Thanos blocks beside `federated/` are not ingested.
    assert!(dir.path().join("fleet-3x2x40h3/etl/bingen/allocations/1d").is_dir());
    for other in [up, up_slow, slow] {
        assert_eq!(
            (other.files_ingested, other.rows),
            (cold.files_ingested, cold.rows),
            "{}",
            other.name
        );
    }
    assert!(cold.rows > 0);
    assert_eq!(r.fresh_files, 1);
    assert!(r.fresh_max_seconds > 0.0 && r.fresh_max_seconds < 60.0, "{}", r.fresh_max_seconds);
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() { walk(&e.path()) } else { 1 }
        })
        .sum()
}

/// A bucket of many tiny files (1,200 empty hourly sets of 77 bytes) is ingested in full: every
/// downloaded file holds part of the download budget until its group is written, and with one
/// permit per MiB the budget ran out after 256 files, before a group of 512 was full — the ingest
/// then waited forever. (The timeout only turns such a hang into a failure.)
#[test]
fn a_bucket_of_many_tiny_files_is_ingested_in_full() {
    let dir = tempfile::tempdir().unwrap();
    write_empty_hourly_sets(dir.path(), "tiny", 1_200);
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let r = ingest_all_within_a_minute(store);
    assert_eq!((r.ingested, r.failures.len()), (1_200, 0));
}

/// A store whose listing reports every object 60 MiB large (as a transcoding store can report
/// more than it sends): each file holds an eighth of the download budget, so only a few fit at
/// once. The pass still ingests everything: permits are taken in listing order before each
/// download, and a group counts as full once it holds an eighth of the budget. (Taken inside the
/// download tasks, the files after the first could hold the whole budget while the first waited,
/// and the pass stopped for good; the timeout only turns such a hang into a failure.)
#[test]
fn objects_listed_larger_than_they_are_are_ingested_in_full() {
    use futures::stream::BoxStream;
    use object_store::path::Path as P;
    use object_store::{
        CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, PutMultipartOptions, PutOptions, PutPayload, PutResult,
    };
    #[derive(Debug)]
    struct Inflated(Arc<dyn ObjectStore>);
    impl std::fmt::Display for Inflated {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "Inflated({})", self.0)
        }
    }
    fn big(mut m: ObjectMeta) -> ObjectMeta {
        m.size = 60 << 20;
        m
    }
    #[async_trait::async_trait]
    impl ObjectStore for Inflated {
        async fn put_opts(&self, l: &P, p: PutPayload, o: PutOptions) -> object_store::Result<PutResult> {
            self.0.put_opts(l, p, o).await
        }
        async fn put_multipart_opts(&self, l: &P, o: PutMultipartOptions) -> object_store::Result<Box<dyn MultipartUpload>> {
            self.0.put_multipart_opts(l, o).await
        }
        async fn get_opts(&self, l: &P, o: GetOptions) -> object_store::Result<GetResult> {
            self.0.get_opts(l, o).await
        }
        fn delete_stream(&self, l: BoxStream<'static, object_store::Result<P>>) -> BoxStream<'static, object_store::Result<P>> {
            self.0.delete_stream(l)
        }
        fn list(&self, prefix: Option<&P>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
            Box::pin(self.0.list(prefix).map(|r| r.map(big)))
        }
        async fn list_with_delimiter(&self, prefix: Option<&P>) -> object_store::Result<ListResult> {
            let mut r = self.0.list_with_delimiter(prefix).await?;
            r.objects = r.objects.into_iter().map(big).collect();
            Ok(r)
        }
        async fn copy_opts(&self, from: &P, to: &P, o: CopyOptions) -> object_store::Result<()> {
            self.0.copy_opts(from, to, o).await
        }
    }
    let dir = tempfile::tempdir().unwrap();
    write_empty_hourly_sets(dir.path(), "big", 200);
    let local: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let r = ingest_all_within_a_minute(Arc::new(Inflated(local)));
    assert_eq!((r.ingested, r.failures.len()), (200, 0));
}

/// `n` empty hourly AllocationSets of `cluster` under `dir` (77 bytes each), consecutive hours.
fn write_empty_hourly_sets(dir: &std::path::Path, cluster: &str, n: i64) {
    let start = 1_790_000_000 - 1_790_000_000 % 3_600;
    for i in 0..n {
        let (s, e) = (start + i * 3_600, start + (i + 1) * 3_600);
        let key = dir.join(format!("federated/{cluster}/etl/bingen/allocations/1h/{s}-{e}"));
        std::fs::create_dir_all(key.parent().unwrap()).unwrap();
        std::fs::write(&key, bingen::encode_allocation_set(&AllocationSet::empty(Window::utc(s, e)))).unwrap();
    }
}

/// One ingest pass of everything in `store` (no retention cut) into a fresh in-memory database;
/// panics when it has not finished within a minute (a hang, not a speed check).
fn ingest_all_within_a_minute(store: Arc<dyn ObjectStore>) -> costscope::aggregator::IngestReport {
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let opts = IngestOptions {
        retention: costscope::aggregator::Retention {
            daily_days: 10_000,
            hourly_hours: 10_000,
        },
        ..IngestOptions::default()
    };
    rt.block_on(async { tokio::time::timeout(std::time::Duration::from_secs(60), ingest_once(agg, store, &opts, &tx)).await })
        .expect("the ingest finished")
        .unwrap()
}
