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

/// `costscope` with the store file of `bucket` and the database `db`.
fn costscope(dir: &Path, db: &Path, args: &[&str]) -> std::process::Command {
    let yaml = dir.join("store.yaml");
    std::fs::write(
        &yaml,
        format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dir.join("bucket").display()),
    )
    .unwrap();
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"));
    c.env("COSTSCOPE_CACHE_DIR", dir.join("cache"))
        .env("COSTSCOPE_STATE_DIR", dir.join("state"))
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--store")
        .arg(yaml);
    c
}

/// Started while another process writes the database (in its first pass: no read copy yet),
/// `ingest --watch` waits, saying so once, and takes over when that writer stops; `ingest --once`
/// fails at once with one line (issue 35 item 5: both exited 1 with "has not published a read
/// copy yet").
#[test]
fn a_second_ingest_watch_waits_for_the_writer_and_takes_over() {
    use std::io::BufRead;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    dev_bucket::copy_dev(&tmp.path().join("bucket"));
    let db = tmp.path().join("costscope.duckdb");
    let writer = Aggregator::open(&db).unwrap();
    assert!(
        !costscope::aggregator::readcopy::has_read_copy(&db),
        "the writer is in its first pass"
    );

    let once = costscope(tmp.path(), &db, &["ingest", "--once"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&once.stderr);
    assert_eq!(once.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("another costscope process") && stderr.contains("--watch"),
        "{stderr}"
    );

    let mut child = costscope(tmp.path(), &db, &["ingest", "--watch", "--interval", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<(bool, String)>();
    let err_tx = tx.clone();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send((false, l));
        }
    });
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send((true, l));
        }
    });
    let guard = std::time::Duration::from_secs(120);
    let (_, first) = rx.recv_timeout(guard).expect("ingest --watch says something");
    assert!(first.starts_with("waiting: another costscope process"), "{first}");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(child.try_wait().unwrap().is_none(), "ingest --watch waits instead of exiting");

    drop(writer);
    let mut waits = 1;
    let pass = loop {
        let (out, line) = rx.recv_timeout(guard).expect("ingest --watch takes over and ingests");
        if out {
            break line;
        }
        waits += line.starts_with("waiting:") as usize;
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        pass.contains(" ingested,") && !pass.contains("(0 ingested"),
        "its own pass ingests the bucket: {pass}"
    );
    assert_eq!(waits, 1, "the wait is said once");
}
