//! Where the combined files and the manifest go: the bucket itself, or — in read-only mode — a
//! local directory laid out like the bucket (`<dir>/federated/combined/etl/bingen/...`), so the
//! directory can later be opened as a FILESYSTEM store.
//!
//! Writes are single PUTs of the whole file. On S3/GCS/Azure a PUT replaces the object atomically
//! and object_store retries it (it is idempotent) on 5xx, throttling and timeouts; a local file is
//! written to a temporary name and renamed. So a reader never sees half a combined file.

use crate::bucket::ObjectInfo;
use crate::bucket::keys::{COMBINED_CLUSTER, FEDERATED_ROOT, FEDERATOR_MANIFEST_KEY};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the federator writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// `federated/combined/...` in the source bucket.
    Bucket,
    /// A local directory; the bucket receives no write at all.
    LocalDir(PathBuf),
}

/// An opened output location.
pub(crate) struct Target {
    /// `None` only for a local directory that does not exist yet in a dry run (nothing to read).
    store: Option<Arc<dyn ObjectStore>>,
    /// For messages, e.g. `the bucket` or `local directory /x`.
    pub(crate) description: String,
    /// The output's directory when it is one (a FILESYSTEM bucket or a local output).
    root: Option<PathBuf>,
}

/// Why the output location could not be opened, listed, read or written; each names the place.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The local output directory could not be created.
    #[error("cannot create {}: {source}", path.display())]
    Create {
        /// The directory.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The local output directory could not be opened as a store.
    #[error("cannot open {}: {source}", path.display())]
    Open {
        /// The directory.
        path: PathBuf,
        /// object_store's error.
        #[source]
        source: object_store::Error,
    },
    /// Listing, reading or writing an object failed (after object_store's retries).
    #[error("{what} {key}: {source}")]
    Object {
        /// `listing`, `reading`, `writing`.
        what: &'static str,
        /// The key or prefix and the place, e.g. `federated/combined/… in the bucket`.
        key: String,
        /// object_store's error.
        #[source]
        source: object_store::Error,
    },
    /// A write to a dry run's output, which was never opened.
    #[error("{0} is not open for writing")]
    NotOpen(String),
}

/// Staging files younger than this may belong to a write in progress (another federator).
const STAGING_MIN_AGE: std::time::Duration = std::time::Duration::from_secs(600);

impl Target {
    /// Open `output`. A local directory is created unless `dry_run` (a dry run creates nothing).
    ///
    /// Errors: the directory cannot be created or opened (message names it).
    pub(crate) fn open(
        source: &Arc<dyn ObjectStore>,
        output: &Output,
        bucket_root: Option<&std::path::Path>,
        dry_run: bool,
    ) -> Result<Target, TargetError> {
        match output {
            Output::Bucket => Ok(Target {
                store: Some(source.clone()),
                description: "the bucket".into(),
                root: bucket_root.map(std::path::Path::to_path_buf),
            }),
            Output::LocalDir(dir) => {
                let description = format!("local directory {}", dir.display());
                if !dir.exists() {
                    if dry_run {
                        return Ok(Target {
                            store: None,
                            description,
                            root: None,
                        });
                    }
                    std::fs::create_dir_all(dir).map_err(|source| TargetError::Create { path: dir.clone(), source })?;
                }
                let fs = LocalFileSystem::new_with_prefix(dir).map_err(|source| TargetError::Open { path: dir.clone(), source })?;
                Ok(Target {
                    store: Some(Arc::new(fs)),
                    description,
                    root: Some(dir.clone()),
                })
            }
        }
    }

    /// Remove the staging files (`<key>#<n>`, older than 10 minutes) that a killed write left
    /// under `federated/combined/` of a directory output; returns one line per file removed
    /// (its path and size) or not removable. Object stores have no such files: a PUT is atomic.
    pub(crate) fn clean_staging(&self) -> Vec<String> {
        let Some(root) = &self.root else { return Vec::new() };
        let combined = format!("{FEDERATED_ROOT}/{COMBINED_CLUSTER}/");
        crate::config::dir_store::staging_files(root, "", STAGING_MIN_AGE)
            .into_iter()
            .filter(|(rel, _)| rel.to_string_lossy().contains(&combined))
            .map(|(rel, size)| match std::fs::remove_file(root.join(&rel)) {
                Ok(()) => format!("removed {} ({size} bytes), left by an interrupted write", rel.display()),
                Err(e) => format!("could not remove {} left by an interrupted write: {e}", rel.display()),
            })
            .collect()
    }

    /// Existing combined ETL files, by key. Errors: the listing failed.
    pub(crate) async fn list_outputs(&self) -> Result<HashMap<String, ObjectInfo>, TargetError> {
        let Some(store) = &self.store else { return Ok(HashMap::new()) };
        let prefix = ObjPath::from(format!("{FEDERATED_ROOT}/{COMBINED_CLUSTER}/etl/bingen"));
        let listing = crate::bucket::listing::list(store.as_ref(), Some(&prefix))
            .await
            .map_err(|source| TargetError::Object {
                what: "listing",
                key: format!("{prefix} in {}", self.description),
                source,
            })?;
        for p in &listing.problems {
            tracing::warn!(problem = %p, "listing the combined outputs skipped an entry");
        }
        Ok(listing
            .objects
            .into_iter()
            .map(|m| {
                let o = ObjectInfo::from(m);
                (o.key.clone(), o)
            })
            .collect())
    }

    /// The stored manifest bytes, `None` when there is none. Errors: any other read failure.
    pub(crate) async fn read_manifest(&self) -> Result<Option<Vec<u8>>, TargetError> {
        let Some(store) = &self.store else { return Ok(None) };
        let key = ObjPath::from(FEDERATOR_MANIFEST_KEY);
        // The manifest's size is not listed: the store deadline alone bounds it (bucket/fetch.rs).
        match crate::bucket::fetch::within_deadline(key.as_ref(), 0, async { store.get(&key).await?.bytes().await }).await {
            Ok(b) => Ok(Some(b.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(TargetError::Object {
                what: "reading",
                key: format!("{key} from {}", self.description),
                source,
            }),
        }
    }

    /// Write `data` at `key` (replacing it). Errors: the write failed after retries.
    pub(crate) async fn put(&self, key: &str, data: Vec<u8>) -> Result<(), TargetError> {
        let store = self.store.as_ref().ok_or_else(|| TargetError::NotOpen(self.description.clone()))?;
        store
            .put(&ObjPath::from(key), PutPayload::from(data))
            .await
            .map(|_| ())
            .map_err(|source| TargetError::Object {
                what: "writing",
                key: format!("{key} to {}", self.description),
                source,
            })
    }
}
