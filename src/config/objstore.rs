//! Thanos objstore YAML (`federated-store.yaml`, `object-store.yaml`) → [`StoreConfig`] → [`Store`].
//!
//! Follows thanos-io/objstore `client/factory.go` (`BucketConfig`: `type` matched
//! case-insensitively, `config`, `prefix`; strict keys) and the per-provider files referenced in
//! [`super::s3`], [`super::gcs`] and [`super::azure`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use object_store::ObjectStore;
use object_store::memory::InMemory;
use object_store::prefix::PrefixStore;
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::azure::{AzureConfig, RawAzure};
use super::common::Ctx;
use super::error::ConfigError;
use super::gcs::{GcsConfig, RawGcs};
use super::s3::{RawS3, S3Config};
use super::secret::{redact, secret_values_in_text};

/// `type` values costscope can open (matched case-insensitively). `MEMORY` is an empty in-process
/// store, meant for tests.
pub const SUPPORTED_TYPES: &[&str] = &["S3", "GCS", "AZURE", "FILESYSTEM", "MEMORY"];

/// `type` values Thanos knows but object_store has no backend for.
pub const THANOS_ONLY_TYPES: &[&str] = &["COS", "ALIYUNOSS", "BOS", "OBS", "OCI", "SWIFT"];

/// The provider-specific part of a [`StoreConfig`].
#[derive(Clone, Debug)]
pub enum Backend {
    /// `type: S3` (AWS, MinIO, Ceph RGW, moto, …).
    S3(S3Config),
    /// `type: GCS`.
    Gcs(GcsConfig),
    /// `type: AZURE` (Azure Blob Storage, Azurite).
    Azure(AzureConfig),
    /// `type: FILESYSTEM`: a local directory, absolute (a relative `directory` is resolved against
    /// the YAML file's directory; Thanos resolves it against the working directory).
    Filesystem {
        /// Absolute root directory of the bucket.
        directory: PathBuf,
    },
    /// `type: MEMORY`: a fresh, empty in-memory store (tests).
    Memory,
}

impl Backend {
    /// The canonical upper-case `type` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Backend::S3(_) => "S3",
            Backend::Gcs(_) => "GCS",
            Backend::Azure(_) => "AZURE",
            Backend::Filesystem { .. } => "FILESYSTEM",
            Backend::Memory => "MEMORY",
        }
    }
}

/// A parsed and validated objstore config file.
///
/// `Debug` never shows a credential: every secret is a [`super::Secret`], printed `<redacted>`.
#[derive(Clone)]
pub struct StoreConfig {
    /// The file it was read from, as given (used in messages and to resolve relative paths).
    pub file: PathBuf,
    /// Top-level `prefix`, without leading/trailing `/` (empty = none).
    pub prefix: String,
    /// Provider settings.
    pub backend: Backend,
    /// One line per ignored or approximated field (each was also logged with `tracing::warn!`).
    pub warnings: Vec<String>,
}

impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Spelled out (not derived) so that a future non-Secret field cannot leak by accident:
        // every field shown here is either secret-free or wraps its secrets in `Secret`.
        f.debug_struct("StoreConfig")
            .field("file", &self.file)
            .field("prefix", &self.prefix)
            .field("backend", &self.backend)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// An opened store.
#[derive(Clone)]
pub struct Store {
    /// The client, already wrapped in a `PrefixStore` when the config has a `prefix`, so keys are
    /// relative to the prefix.
    pub inner: Arc<dyn ObjectStore>,
    /// Stable, secret-free name of the bucket location, e.g. `s3://kubecost/prod`,
    /// `s3+http://127.0.0.1:5000/kubecost`, `gs://b`, `azure://acct/container`,
    /// `file:///data/bucket`, `memory://`. Meant as the key of a local cache database.
    pub identity: String,
    /// One human-readable line for headers and logs (no secrets).
    pub description: String,
    /// For a FILESYSTEM store, its directory (canonical, without the prefix): output must never
    /// go inside it unless the user asked for bucket writes.
    pub local_root: Option<std::path::PathBuf>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("identity", &self.identity)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `type`, `config` and optional `prefix`")]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    #[allow(dead_code)]
    config: IgnoredAny,
    #[serde(default)]
    prefix: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `type`, `config` and optional `prefix`")]
struct Doc<C> {
    #[serde(rename = "type")]
    #[allow(dead_code)]
    kind: IgnoredAny,
    #[serde(default = "Option::default")]
    config: Option<C>,
    #[serde(default)]
    #[allow(dead_code)]
    prefix: IgnoredAny,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a FILESYSTEM config mapping")]
struct RawFs {
    directory: Option<String>,
}

impl StoreConfig {
    /// Reads and parses `path`. Errors: [`ConfigError::Read`], then as [`StoreConfig::parse`].
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses YAML `text` that was read from `path` (used for messages and to resolve relative
    /// paths; it need not exist). Errors: [`ConfigError::Yaml`] with line and column for syntax,
    /// type and unknown-key problems; [`ConfigError::Invalid`] for an unknown or unsupported `type`,
    /// missing required keys, half credential pairs or `signature_version2: true`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        let base_dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base_dir = std::path::absolute(&base_dir).unwrap_or(base_dir);
        let mut ctx = Ctx {
            file,
            text,
            base_dir,
            warnings: Vec::new(),
        };

        let meaningful = text.lines().any(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && t != "---"
        });
        if !meaningful {
            return Err(ctx.invalid(
                &[],
                "the file is empty; expected `type:` (S3, GCS, AZURE or FILESYSTEM) and `config:`",
            ));
        }
        let head: Head = yaml(text, &ctx.file)?;
        let kind = head.kind.trim().to_ascii_uppercase();
        let prefix = head.prefix.unwrap_or_default().trim().trim_matches('/').to_string();

        let backend = match kind.as_str() {
            "S3" => Backend::S3(S3Config::from_raw(config::<RawS3>(text, &ctx.file)?, &mut ctx)?),
            "GCS" => Backend::Gcs(GcsConfig::from_raw(config::<RawGcs>(text, &ctx.file)?, &mut ctx)?),
            "AZURE" => Backend::Azure(AzureConfig::from_raw(config::<RawAzure>(text, &ctx.file)?, &mut ctx)?),
            "FILESYSTEM" => {
                let raw = config::<RawFs>(text, &ctx.file)?;
                let dir = raw.directory.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
                let dir = dir.ok_or_else(|| ctx.invalid(&["config"], "FILESYSTEM config needs `directory`"))?;
                Backend::Filesystem {
                    directory: ctx.resolve_path(&dir),
                }
            }
            "MEMORY" => Backend::Memory,
            k if THANOS_ONLY_TYPES.contains(&k) => {
                return Err(ctx.invalid(
                    &["type"],
                    format!(
                        "type {k} is a Thanos store that costscope cannot open (object_store has no \
                         backend for it); supported types: {}",
                        SUPPORTED_TYPES.join(", ")
                    ),
                ));
            }
            _ => {
                return Err(ctx.invalid(
                    &["type"],
                    format!(
                        "unknown store type `{}`; supported types: {}",
                        head.kind.trim(),
                        SUPPORTED_TYPES.join(", ")
                    ),
                ));
            }
        };
        Ok(StoreConfig {
            file: path.to_path_buf(),
            prefix,
            backend,
            warnings: ctx.warnings,
        })
    }

    /// Every credential value in this config (used to scrub messages).
    fn secrets(&self) -> Vec<String> {
        match &self.backend {
            Backend::S3(c) => c.secrets().into_iter().map(String::from).collect(),
            Backend::Gcs(c) => c.secrets(),
            Backend::Azure(c) => c.secrets().into_iter().map(String::from).collect(),
            Backend::Filesystem { .. } | Backend::Memory => Vec::new(),
        }
    }
}

/// serde_yaml quotes the offending scalar (`invalid type: string "…"`), which can be a whole
/// mis-indented block holding a credential under a misspelt key; the line and column locate it,
/// so its text is not repeated.
fn hide_quoted_strings(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find("string \"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 8..];
        match after.find('"') {
            Some(j) => {
                out.push_str("string (not shown)");
                rest = &after[j + 1..];
            }
            None => {
                out.push_str("string (not shown)");
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// serde quotes an unknown mapping key or enum value in backquotes (``unknown field `X`,
/// expected one of …``), and a credential pasted as a key ends up there. A name shaped like a
/// Thanos setting (lowercase letters and `_`, at most 40 characters: a misspelt `bukcet`) stays,
/// to help; any other is not shown: the line and column locate it.
fn hide_unknown_names(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    // Each `unknown field ` / `unknown variant `, then the backquoted name.
    while let Some(i) = ["unknown field `", "unknown variant `"]
        .iter()
        .filter_map(|p| rest.find(p).map(|i| i + p.len() - 1))
        .min()
    {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find('`').unwrap_or(after.len());
        let name = &after[..end];
        if name.len() <= 40 && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            out.push_str(&format!("`{name}`"));
        } else {
            out.push_str("(not shown)");
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Deserializes the whole document as `T`, turning serde_yaml errors into [`ConfigError::Yaml`]
/// (`file:line:column: message`), with secret-looking values scrubbed from the message.
pub(crate) fn yaml<T: DeserializeOwned>(text: &str, file: &str) -> Result<T, ConfigError> {
    serde_yaml::from_str(text).map_err(|e| {
        let full = e.to_string();
        let (line, column, message) = match e.location() {
            Some(loc) => {
                let suffix = format!(" at line {} column {}", loc.line(), loc.column());
                (loc.line(), loc.column(), full.replacen(&suffix, "", 1))
            }
            None => (text.lines().count().max(1), 1, full),
        };
        let mut secrets = secret_values_in_text(text);
        secrets.extend(super::secret::url_userinfo(text));
        let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let message = hide_unknown_names(&hide_quoted_strings(&message));
        ConfigError::Yaml {
            file: file.to_string(),
            line,
            column,
            message: redact(&super::secret::hide_url_userinfo(&message), &refs),
        }
    })
}

/// Second pass: the `config:` block typed for the provider, keeping serde_yaml's locations.
/// A missing or null `config:` gives the provider's all-defaults value.
fn config<C: DeserializeOwned + Default>(text: &str, file: &str) -> Result<C, ConfigError> {
    Ok(yaml::<Doc<C>>(text, file)?.config.unwrap_or_default())
}

/// Opens the store described by `cfg`: builds the object_store client (credentials from the YAML,
/// else from the provider's environment chain), wraps it in a `PrefixStore` when `prefix` is set,
/// and computes its identity and description.
///
/// Does no network I/O (a wrong key or bucket shows up on the first request). Errors:
/// [`ConfigError::Build`] when object_store rejects the settings, a FILESYSTEM directory does not
/// exist, or a CA / SSE-C key file cannot be read; messages never contain credentials.
pub fn build_store(cfg: &StoreConfig) -> Result<Store, ConfigError> {
    // From now on every message this process shows or logs is scrubbed of the credentials,
    // those in an endpoint URL's user-info included.
    let in_urls = match &cfg.backend {
        Backend::S3(c) => super::secret::url_userinfo(&c.identity()),
        Backend::Azure(c) => super::secret::url_userinfo(&c.identity()),
        _ => Vec::new(),
    };
    super::secret::register(cfg.secrets().into_iter().chain(in_urls));
    let file = cfg.file.display().to_string();
    let (inner, base_identity, description): (Arc<dyn ObjectStore>, String, String) = match &cfg.backend {
        Backend::S3(c) => {
            let (s, d) = c.build(&file)?;
            (s, c.identity(), d)
        }
        Backend::Gcs(c) => {
            let (s, d) = c.build(&file)?;
            (s, c.identity(), d)
        }
        Backend::Azure(c) => {
            let (s, d) = c.build(&file)?;
            (s, c.identity(), d)
        }
        Backend::Filesystem { directory } => {
            let fail = |message: String| ConfigError::Build {
                file: file.clone(),
                backend: "FILESYSTEM",
                message,
            };
            if !directory.is_dir() {
                return Err(fail(format!(
                    "directory {} does not exist (or is not a directory)",
                    directory.display()
                )));
            }
            let fs = super::dir_store::DirStore::new(directory).map_err(|e| fail(format!("{}: {e}", directory.display())))?;
            // Canonical, so every spelling of the same directory keys the same cache.
            let canonical = std::fs::canonicalize(directory).unwrap_or_else(|_| directory.clone());
            let ident = format!("file://{}", canonical.display().to_string().trim_end_matches('/'));
            (Arc::new(fs), ident, format!("local directory {}", directory.display()))
        }
        Backend::Memory => (Arc::new(InMemory::new()), "memory://".to_string(), "in-memory store".to_string()),
    };
    let (inner, identity, description) = if cfg.prefix.is_empty() {
        (inner, base_identity, description)
    } else {
        let prefixed: Arc<dyn ObjectStore> = Arc::new(PrefixStore::new(inner, cfg.prefix.as_str()));
        let sep = if base_identity.ends_with('/') { "" } else { "/" };
        (
            prefixed,
            format!("{base_identity}{sep}{}", cfg.prefix),
            format!("{description}, prefix {}", cfg.prefix),
        )
    };
    // Belt and braces: nothing above should ever carry a secret, but scrub anyway.
    let secrets = cfg.secrets();
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let local_root = match &cfg.backend {
        Backend::Filesystem { directory } => Some(std::fs::canonicalize(directory).unwrap_or_else(|_| directory.clone())),
        _ => None,
    };
    Ok(Store {
        inner,
        identity: redact(&identity, &refs),
        description: redact(&description, &refs),
        local_root,
    })
}
