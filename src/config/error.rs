//! The one error type of the `config` module.

use std::path::PathBuf;

/// Everything that can go wrong while finding, reading, parsing or opening an objstore config.
///
/// Every variant's `Display` starts with the file it concerns (`federated-store.yaml:7:3: …` for
/// YAML errors, `federated-store.yaml:12: …` when the offending key's line is known) and never
/// contains a credential: messages from serde_yaml and object_store are scrubbed with
/// [`crate::config::secret::redact`] before they are stored here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read (missing, permissions, not UTF-8, …).
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        /// The path as it was given.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },

    /// The YAML did not parse, or a value had the wrong type or an unknown key.
    /// `line` and `column` are 1-based, as serde_yaml reports them.
    #[error("{file}:{line}:{column}: {message}")]
    Yaml {
        /// The file name as given by the caller (for messages only).
        file: String,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// serde_yaml's message without its own "at line … column …" suffix.
        message: String,
    },

    /// The YAML parsed, but its content is not usable: unknown or unsupported `type`, a required key
    /// missing, half a credential pair, `signature_version2: true`, an unreadable CA file, …
    /// `line` is the 1-based line of the key concerned when it could be located.
    #[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file name as given by the caller.
        file: String,
        /// 1-based line of the key concerned, when known.
        line: Option<usize>,
        /// What is wrong and, where possible, what to do.
        message: String,
    },

    /// No store file was found; `looked` lists every place tried, in lookup order. Shown as one
    /// short line, then one indented line per place (a usage error: exit 2).
    #[error(
        "no store file found: pass --store FILE, set $COSTSCOPE_STORE, or use --demo (after `costscope demo`)\n  looked in: {}",
        looked.join("\n             ")
    )]
    NotFound {
        /// Human-readable descriptions of the places tried (paths, and unset variables).
        looked: Vec<String>,
    },

    /// object_store refused to build a client from an otherwise valid config.
    #[error("{file}: cannot open the {backend} store: {message}")]
    Build {
        /// The file name as given by the caller.
        file: String,
        /// `S3`, `GCS`, `AZURE`, `FILESYSTEM` or `MEMORY`.
        backend: &'static str,
        /// object_store's message, scrubbed of secrets.
        message: String,
    },
}
