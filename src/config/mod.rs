//! Configuration: which bucket to read and where costscope keeps its own files.
//!
//! * [`StoreConfig`] parses a Thanos objstore YAML file — the `federated-store.yaml` /
//!   `object-store.yaml` that Kubecost and Thanos already use — with `type` S3, GCS, AZURE,
//!   FILESYSTEM (and MEMORY for tests), `config` and `prefix`. Every key Thanos accepts is
//!   accepted; keys that only matter for writers or that object_store cannot express are reported
//!   in [`StoreConfig::warnings`] (and logged); unknown keys are errors. YAML errors read
//!   `federated-store.yaml:7:3: message`.
//! * [`build_store`] turns it into a [`Store`]: an `Arc<dyn object_store::ObjectStore>` (already
//!   prefixed), a secret-free `identity` to key local caches, and a one-line `description`.
//!   Credentials missing from the YAML come from the provider's environment chain (AWS web
//!   identity/IRSA and instance roles, GCP application default credentials, Azure workload or
//!   managed identity).
//! * [`find_store_file`], [`cache_dir`] and [`state_dir`] locate files (see [`paths`]).
//!
//! Credentials are held in [`Secret`]: they never appear in `Debug`, `Display`, logs or errors.
//! Reading objects needs `object_store::ObjectStoreExt` in scope (`get`, `head`, `put`, …).
//!
//! ```no_run
//! use costscope::config::{build_store, find_store_file, StoreConfig};
//! let path = find_store_file(None, false)?;
//! let cfg = StoreConfig::load(&path)?;
//! let store = build_store(&cfg)?;
//! println!("{} ({})", store.description, store.identity);
//! # Ok::<(), costscope::config::ConfigError>(())
//! ```

pub mod app;
pub mod azure;
mod common;
pub mod dir_store;
pub mod error;
pub mod gcs;
pub mod objstore;
pub mod paged_list;
pub mod paths;
pub mod s3;
mod s3_client;
pub mod secret;

pub use app::AppConfig;
pub use azure::{AzureConfig, AzureCredentials};
pub use common::{DEFAULT_RETRY_TIMEOUT, HttpOptions, RETRY_TIMEOUT_ENV, retry_timeout};
pub use error::ConfigError;
pub use gcs::GcsConfig;
pub use objstore::{Backend, SUPPORTED_TYPES, Store, StoreConfig, THANOS_ONLY_TYPES, build_store};
pub use paths::{cache_dir, find_store_file, project_dirs, state_dir};
pub use s3::{S3Config, S3Credentials, S3Sse};
pub use secret::Secret;

/// Convenience: [`StoreConfig::load`] then [`build_store`]. Returns both so callers can show
/// [`StoreConfig::warnings`].
pub fn open_store(path: &std::path::Path) -> Result<(StoreConfig, Store), ConfigError> {
    let cfg = StoreConfig::load(path)?;
    let store = build_store(&cfg)?;
    Ok((cfg, store))
}

#[cfg(test)]
mod tests;
