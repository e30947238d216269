//! Where an export writes (docs/scale-out.md, "Writing"): a local directory, or a prefix of the
//! store. No file is ever visible half written under its final name: a local file is written
//! under a hidden temporary name (`.tmp-<name>-<host>-<pid>`, which Spark, Trino and ClickHouse
//! globs skip) and renamed; an object store `put` is atomic.
//!
//! A killed export leaves its temporaries behind. The next export removes those of the partitions
//! it visits when they are stale ([`is_stale`]: the writer was a process of this host that is gone,
//! or the file is older than [`STALE_AFTER`]); a temporary of a live export, here or on another
//! machine sharing the directory, is left alone (docs/reliability.md, "Writes").

use object_store::{ObjectStore, ObjectStoreExt, PutPayload, path::Path as ObjPath};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A temporary older than this is stale whoever wrote it: a writer writes one file in well under
/// a second and renames it at once.
pub const STALE_AFTER: Duration = Duration::from_secs(600);

/// This host's name as temporaries carry it (`/proc/sys/kernel/hostname`, `-` and `.` kept, other
/// characters dropped; `host` when unknown).
fn host() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let raw = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let h: String = raw
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
            .collect();
        if h.is_empty() { "host".into() } else { h }
    })
}

/// The temporary name of `name` for this process: `.tmp-<name>-<host>-<pid>`.
fn temporary_name(name: &str) -> String {
    format!(".tmp-{name}-{}-{}", host(), std::process::id())
}

/// Whether process `pid` of this host is known to be gone (Linux: no `/proc/<pid>`; elsewhere
/// never known, so only age makes a temporary stale).
fn pid_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether the file `file_name`, `age` old, is a stale temporary of one of `names` (the file names
/// an export writes): named `.tmp-<name>-<host>-<pid>` by an export of this host whose process is
/// gone, or (any writer, including the `.tmp-<name>-<pid>` of older versions) older than
/// [`STALE_AFTER`]. Never a temporary of this process.
pub fn is_stale(file_name: &str, age: Duration, names: &[&str]) -> bool {
    let Some(rest) = names.iter().find_map(|n| file_name.strip_prefix(&format!(".tmp-{n}-"))) else {
        return false;
    };
    let (writer_host, pid) = match rest.rsplit_once('-') {
        Some((h, p)) => (Some(h), p.parse::<u32>().ok()),
        None => (None, rest.parse::<u32>().ok()),
    };
    let Some(pid) = pid else { return false };
    if writer_host == Some(host()) && pid == std::process::id() {
        return false;
    }
    age > STALE_AFTER || (writer_host == Some(host()) && pid_is_gone(pid))
}

/// The output of an export.
#[derive(Clone)]
pub enum Target {
    /// A local directory (created when missing).
    Dir(PathBuf),
    /// A key prefix in an object store (no leading or trailing `/`; empty for the root).
    Store { store: Arc<dyn ObjectStore>, prefix: String },
}

/// Why a write to the output failed, naming the path or key.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The output key is not a valid object path.
    #[error("bad output key {key}: {source}")]
    Key {
        /// The key.
        key: String,
        /// object_store's error.
        #[source]
        source: object_store::path::Error,
    },
    /// A local file could not be written or renamed into place.
    #[error("writing {}: {source}", path.display())]
    Io {
        /// The final path.
        path: std::path::PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The object store refused the write (after its retries).
    #[error("writing {key}: {detail}")]
    Store {
        /// The key.
        key: String,
        /// The store's error, scrubbed of secrets (`config::secret::scrub`).
        detail: String,
    },
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

    fn key(prefix: &str, rel: &str) -> Result<ObjPath, WriteError> {
        let k = if prefix.is_empty() {
            rel.to_string()
        } else {
            format!("{prefix}/{rel}")
        };
        ObjPath::parse(&k).map_err(|source| WriteError::Key { key: k.clone(), source })
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
    /// Errors: [`WriteError`], with the path or key.
    pub async fn write(&self, rel: &str, bytes: Vec<u8>) -> Result<(), WriteError> {
        match self {
            Target::Dir(d) => {
                let path = d.join(rel);
                let io = |source| WriteError::Io {
                    path: path.clone(),
                    source,
                };
                let Some(dir) = path.parent() else {
                    return Err(io(std::io::Error::other("the path has no parent folder")));
                };
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let tmp = dir.join(temporary_name(&name));
                let res = async {
                    tokio::fs::create_dir_all(dir).await?;
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                }
                .await;
                if res.is_err() {
                    let _ = tokio::fs::remove_file(&tmp).await;
                }
                res.map_err(io)
            }
            Target::Store { store, prefix } => {
                let key = Self::key(prefix, rel)?;
                store
                    .put(&key, PutPayload::from(bytes))
                    .await
                    .map(|_| ())
                    .map_err(|e| WriteError::Store {
                        key: key.to_string(),
                        detail: crate::config::secret::scrub(&e.to_string()).into_owned(),
                    })
            }
        }
    }

    /// Remove the stale temporaries ([`is_stale`]) of `names` in the folder `rel` of a local
    /// output; returns how many were removed. An object store output has none (a `put` is atomic);
    /// a folder that cannot be read has none either.
    pub async fn remove_stale_temporaries(&self, rel: &str, names: &[&str]) -> u64 {
        let Target::Dir(d) = self else { return 0 };
        let Ok(mut rd) = tokio::fs::read_dir(d.join(rel)).await else {
            return 0;
        };
        let mut removed = 0;
        while let Ok(Some(e)) = rd.next_entry().await {
            let name = e.file_name().to_string_lossy().into_owned();
            let age = e
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.elapsed().ok())
                .unwrap_or_default();
            if is_stale(&name, age, names) && tokio::fs::remove_file(e.path()).await.is_ok() {
                removed += 1;
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary is stale when its writer (a process of this host) is gone or when it is old;
    /// one of a live process, of this process or of another host, when young, is kept.
    #[test]
    fn only_temporaries_of_gone_writers_or_old_ones_are_stale() {
        let names = ["part-0.parquet", "_costscope_sources.json"];
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = child.id();
        child.wait().unwrap();
        let young = Duration::from_secs(5);
        let old = STALE_AFTER + Duration::from_secs(1);
        let h = host();
        assert!(is_stale(&format!(".tmp-part-0.parquet-{h}-{gone}"), young, &names));
        assert!(is_stale(&format!(".tmp-_costscope_sources.json-{h}-{gone}"), young, &names));
        // A live export of this host (pid 1 stands for one), this process, another host: kept.
        assert!(!is_stale(&format!(".tmp-part-0.parquet-{h}-1"), young, &names));
        assert!(!is_stale(&temporary_name("part-0.parquet"), old, &names));
        assert!(!is_stale(&format!(".tmp-part-0.parquet-other-host-{gone}"), young, &names));
        // Old ones go, whoever wrote them; older versions' names (no host) too.
        assert!(is_stale(&format!(".tmp-part-0.parquet-other-host-{gone}"), old, &names));
        assert!(is_stale(&format!(".tmp-part-0.parquet-{h}-1"), old, &names));
        assert!(is_stale(".tmp-_costscope_sources.json-4242", old, &names));
        assert!(!is_stale(".tmp-_costscope_sources.json-4242", young, &names));
        // Files that are not an export's temporaries are never touched.
        assert!(!is_stale("part-0.parquet", old, &names));
        assert!(!is_stale(".tmp-other.json-host-1", old, &names));
        assert!(!is_stale(".tmp-part-0.parquet-host-notapid", old, &names));
    }
}
