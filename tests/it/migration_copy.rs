//! A freshly copied static bucket is not "migrating": object times of a copy are copy times
//! (Thanos blocks are re-dated, `copied_at`), so only files written after the copy count as
//! migration writes. Runs the scanner on a copy of `shared/buckets/dev`, then rewrites one
//! federated file as ETL Utils would.

use crate::support::dev_bucket;
use crate::support::migration_dev;

use std::collections::HashSet;

use chrono::Utc;
use costscope::migration::{ClusterPhase, MigrationOptions, scan};
use dev_bucket::copy_dev;
use migration_dev::store_at;

#[test]
fn a_fresh_copy_is_not_migrating_until_something_is_written_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dev(tmp.path());
    let store = store_at(tmp.path());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let opts = MigrationOptions::default();
    let r = rt.block_on(scan(&store, &opts, &HashSet::new(), Utc::now())).unwrap();
    let copied = r.copied_at.expect("the copy's re-dated Thanos blocks are detected");
    assert!(Utc::now() - copied < chrono::Duration::minutes(5), "copied at {copied}");
    for c in &r.clusters {
        assert_ne!(c.progress.phase, ClusterPhase::Migrating, "{}: {:?}", c.cluster, c.progress);
        assert_eq!(c.progress.last_write, None, "{}: no write after the copy", c.cluster);
    }
    let text = costscope::migration::render::render_table(&r, r.generated_at);
    assert!(text.contains("bucket copied"), "{text}");

    // ETL Utils writes one of dev-ap-south-1's daily files a little later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let key = "federated/dev-ap-south-1/etl/bingen/allocations/1d/1795046400-1795132800";
    let path = tmp.path().join(key);
    let bytes = std::fs::read(&path).unwrap();
    // Back-date the whole copy by 10 minutes so the new write falls outside the copy's burst.
    let back = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
    for p in dev_bucket::snapshot(tmp.path()).keys().map(|k| tmp.path().join(k)) {
        std::fs::File::options().write(true).open(&p).unwrap().set_modified(back).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    let r = rt.block_on(scan(&store, &opts, &HashSet::new(), Utc::now())).unwrap();
    let ap = &r.cluster("dev-ap-south-1").unwrap().progress;
    assert_eq!(ap.phase, ClusterPhase::Migrating, "{ap:?}");
    assert!(ap.last_write.is_some_and(|t| t > r.copied_at.unwrap()));
    assert_eq!(r.cluster("staging-eu-west-1").unwrap().progress.last_write, None);
}
