//! A process that answers from another process's read copy follows the newer copies that process
//! publishes (issue 35 item 5: TUIs opened beside `ingest --watch` kept their first copy's
//! figures for good).

use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::progress::{TaskId, TaskProgress};
use costscope::query::{ColumnId, CostSource, DataKind, IdleMode};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use std::path::Path;
use std::sync::Arc;

use crate::support::dev_bucket;

fn ingest(agg: &Arc<Aggregator>, bucket: &Path) {
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(bucket).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
}

/// Every allocation of the database over its whole extent, one total.
fn total(src: &dyn CostSource) -> f64 {
    let (s, e) = src.data_extent(DataKind::Allocation).unwrap().unwrap();
    let window = costscope::query::Window::new(
        chrono::DateTime::from_timestamp(s, 0).unwrap(),
        chrono::DateTime::from_timestamp(e, 0).unwrap(),
    )
    .unwrap();
    let mut req = crate::support::request(DataKind::Allocation, window, "cluster", "", IdleMode::Hide);
    req.limit = 1;
    src.query(&req)
        .unwrap()
        .totals
        .get(DataKind::Allocation, ColumnId::TotalCost)
        .unwrap()
}

#[test]
fn a_reader_follows_the_writers_newer_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    dev_bucket::copy_dev(&bucket);
    // The writer starts without one cluster, publishes, then ingests it and publishes again.
    let held = tmp.path().join("held");
    std::fs::rename(bucket.join("federated/staging-eu-west-1"), &held).unwrap();
    let db = tmp.path().join("costscope.duckdb");
    let writer = Arc::new(Aggregator::open(&db).unwrap());
    ingest(&writer, &bucket);
    writer.publish_read_copy().unwrap();
    let reader = Aggregator::open_read_copy(&db).unwrap().expect("a copy was published");
    let before = total(&reader);
    assert!(!reader.follow_newest_copy().unwrap(), "nothing newer yet");

    std::fs::rename(&held, bucket.join("federated/staging-eu-west-1")).unwrap();
    ingest(&writer, &bucket);
    std::thread::sleep(std::time::Duration::from_millis(5)); // copies are named by milliseconds
    writer.publish_read_copy().unwrap();
    assert_eq!(total(&reader), before, "the open copy is a snapshot");
    assert!(reader.follow_newest_copy().unwrap(), "a newer copy is followed");
    let after = total(&reader);
    assert!(after > before, "{after} > {before}");
    assert!(
        (after - total(writer.as_ref())).abs() < 1e-6,
        "the reader now answers as the writer does"
    );
}
