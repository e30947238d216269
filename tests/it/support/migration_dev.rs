//! Helpers for the migration tests: the dev bucket as an object store, and a scan of it whose
//! federated files all carry one fixed modification time, so rates, ETAs and "last write" texts do
//! not depend on when the bucket was copied to disk.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use costscope::migration::{MigrationOptions, MigrationReport, Observations, Scanner, build};
use object_store::local::LocalFileSystem;

/// `shared/buckets/dev`, next to the crate (read at run time, see `dev_bucket::crate_dir`).
pub fn dev_bucket() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
        .join("../shared/buckets/dev")
}

/// A local object store rooted at `dir`.
pub fn store_at(dir: &Path) -> LocalFileSystem {
    LocalFileSystem::new_with_prefix(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// The dev bucket (read-only).
pub fn dev_store() -> LocalFileSystem {
    store_at(&dev_bucket())
}

/// Observe the bucket at `dir` with `opts`, then give every federated file `written` as its
/// modification time.
pub fn observe_at(dir: &Path, opts: &MigrationOptions, written: DateTime<Utc>) -> Observations {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut obs = rt
        .block_on(Scanner::new(opts.clone()).observe(&store_at(dir)))
        .expect("the bucket lists");
    // The fixed time stands for real write times, so the bucket is not treated as a copy.
    obs.copied_at = None;
    for files in obs.federated.values_mut() {
        for f in files.values_mut() {
            f.last_modified = written;
        }
    }
    obs
}

/// The dev bucket's report with default options, federated files written at `written`.
pub fn dev_report(ingested: &HashSet<(String, i64)>, written: DateTime<Utc>, now: DateTime<Utc>) -> MigrationReport {
    let opts = MigrationOptions::default();
    build(&observe_at(&dev_bucket(), &opts, written), ingested, &opts, now)
}
