//! Where an export writes (docs/scale-out.md, "Writing"): a local directory, or a prefix of the
//! store. No file is ever visible half written under its final name: a local file is written
//! under a hidden temporary name (`.tmp-…`, which Spark, Trino and ClickHouse globs skip) and
//! renamed; an object store `put` is atomic.

use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjPath};
use std::path::PathBuf;
use std::sync::Arc;

/// The output of an export.
#[derive(Clone)]
pub enum Target {
    /// A local directory (created when missing).
    Dir(PathBuf),
    /// A key prefix in an object store (no leading or trailing `/`; empty for the root).
    Store { store: Arc<dyn ObjectStore>, prefix: String },
}

impl Target {
    /// Where `rel` (a `/`-separated path under the output) is, for messages.
    pub fn show(&self, rel: &str) -> String {
        match self {
            Target::Dir(d) => d.join(rel).display().to_string(),
            Target::Store { prefix, .. } if prefix.is_empty() => rel.to_string(),
            Target::Store { prefix, .. } => format!("{prefix}/{rel}"),
        }
    }

    fn key(prefix: &str, rel: &str) -> Result<ObjPath, String> {
        let k = if prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{prefix}/{rel}")
        };
        ObjPath::parse(&k).map_err(|e| format!("bad output key {k}: {e}"))
    }

    /// The bytes at `rel`, or `None` when there is nothing (or it cannot be read).
    pub async fn read(&self, rel: &str) -> Option<Vec<u8>> {
        match self {
            Target::Dir(d) => tokio::fs::read(d.join(rel)).await.ok(),
            Target::Store { store, prefix } => {
                let key = Self::key(prefix, rel).ok()?;
                Some(store.get(&key).await.ok()?.bytes().await.ok()?.to_vec())
            }
        }
    }

    /// Write `bytes` at `rel` atomically (see the module docs).
    ///
    /// Errors: the I/O or store error, with the path.
    pub async fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<(), String> {
        match self {
            Target::Dir(d) => {
                let path = d.join(rel);
                let dir = path.parent().ok_or_else(|| format!("{} has no parent", path.display()))?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let tmp = dir.join(format!(".tmp-{name}-{}", std::process::id()));
                let res = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                }
                .await;
                if res.is_err() {
                    let _ = tokio::fs::remove_file(&tmp).await;
                }
                res.map_err(|e| format!("writing {}: {e}", path.display()))
            }
            Target::Store { store, prefix } => {
                let key = Self::key(prefix, rel)?;
                store
                    .put(&key, PutPayload::from(bytes))
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("writing {key}: {}", crate::config::secret::scrub(&e.to_string())))
            }
        }
    }
}
