//! The audit manifest (docs/audit.md, "Manifest"): an inventory of every ETL object verified —
//! key, size, sha256, window and totals — that an auditor archives and later re-checks a bucket
//! against (`costscope verify --against FILE`).
//!
//! `objectsSha256` is the sha256 of one line per object, in key order, `<key>\t<size>\t<sha256>\n`:
//! an edit to the object list is visible without trusting the rest of the file. A report cites a
//! manifest by the sha256 of the whole file ([`file_sha256`]).

use super::checks::{Check, Finding};
use super::scan::ObjectRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a manifest file was refused; one line naming the file.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// Not a costscope manifest (the JSON error with its line).
    #[error("{}: not a costscope manifest: {source}", path.display())]
    NotAManifest {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// Another layout version.
    #[error("{}: manifest version {found} (this costscope reads {MANIFEST_VERSION})", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its `manifestVersion`.
        found: u32,
    },
    /// The object list does not match its recorded sha256 (edited by hand).
    #[error(
        "{}: its object list does not match its objectsSha256 ({recorded} recorded, {computed} computed): the manifest was edited",
        path.display()
    )]
    Edited {
        /// The file.
        path: PathBuf,
        /// `objectsSha256` as recorded.
        recorded: String,
        /// As computed from the list.
        computed: String,
    },
}

/// Layout version of the manifest file.
pub const MANIFEST_VERSION: u32 = 1;

/// A manifest file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub manifest_version: u32,
    /// The store's identity (`file:///…`, `s3://bucket/prefix`; no secrets).
    pub store: String,
    /// When it was written, RFC 3339 UTC.
    pub created_at: String,
    pub costscope_version: String,
    /// The `--window` verify was given (RFC 3339 `start`, `end`), or none for every object.
    pub window: Option<ManifestWindow>,
    /// sha256 of the object lines (see the module docs).
    pub objects_sha256: String,
    pub objects: Vec<ManifestObject>,
}

/// A window as two RFC 3339 UTC times, end exclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestWindow {
    pub start: String,
    pub end: String,
}

impl ManifestWindow {
    /// The window `[start, end)` of unix seconds.
    pub fn of(start: i64, end: i64) -> ManifestWindow {
        let t = |s: i64| chrono::DateTime::from_timestamp(s, 0).map(|d| d.to_rfc3339()).unwrap_or_default();
        ManifestWindow {
            start: t(start),
            end: t(end),
        }
    }
}

/// One object of a manifest: key, size (bytes), sha256 (lowercase hex), the window its key
/// names, and, when it decoded, its items and totalCost (USD; amortized net cost for cloud costs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestObject {
    pub key: String,
    pub size: u64,
    pub sha256: String,
    pub window: ManifestWindow,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub items: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub total_cost: Option<f64>,
}

/// sha256 of the object lines of `objects` (sorted by key first).
pub fn objects_sha256(objects: &[ManifestObject]) -> String {
    let mut sorted: Vec<&ManifestObject> = objects.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let text: String = sorted.iter().map(|o| format!("{}\t{}\t{}\n", o.key, o.size, o.sha256)).collect();
    super::sha256_hex(text.as_bytes())
}

impl Manifest {
    /// The manifest of `records` read from store `store` (window: verify's `--window`).
    pub fn of(store: &str, window: Option<(i64, i64)>, records: &[ObjectRecord]) -> Manifest {
        let objects: Vec<ManifestObject> = records
            .iter()
            .map(|r| ManifestObject {
                key: r.key.clone(),
                size: r.size,
                sha256: r.sha256.clone(),
                window: ManifestWindow::of(r.start, r.end),
                items: r.decoded.as_ref().ok().map(|c| c.items),
                total_cost: r.decoded.as_ref().ok().map(|c| c.total_cost),
            })
            .collect();
        Manifest::with_objects(store, window, objects)
    }

    /// A manifest of `objects` of store `store`, stamped now with this costscope's version and
    /// the sha256 of the object lines (window: unix seconds, when one was asked).
    pub fn with_objects(store: &str, window: Option<(i64, i64)>, objects: Vec<ManifestObject>) -> Manifest {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            store: store.to_string(),
            created_at: chrono::Utc::now().to_rfc3339(),
            costscope_version: env!("CARGO_PKG_VERSION").to_string(),
            window: window.map(|(s, e)| ManifestWindow::of(s, e)),
            objects_sha256: objects_sha256(&objects),
            objects,
        }
    }

    /// Write as pretty JSON to `path` (a temporary file renamed into place, so a reader never
    /// sees half a manifest). Returns the sha256 of the file written.
    ///
    /// Errors: I/O.
    pub fn write(&self, path: &Path) -> std::io::Result<String> {
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("tmp-costscope");
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, path)?;
        Ok(super::sha256_hex(&bytes))
    }

    /// Read a manifest file and check its `objectsSha256`.
    ///
    /// Errors: I/O, not a manifest (the JSON error with its line), another layout version, or an
    /// object list that does not match its `objectsSha256` (edited by hand).
    pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
        let at = || path.to_path_buf();
        let text = std::fs::read(path).map_err(|source| ManifestError::Read { path: at(), source })?;
        let m: Manifest = serde_json::from_slice(&text).map_err(|source| ManifestError::NotAManifest { path: at(), source })?;
        if m.manifest_version != MANIFEST_VERSION {
            return Err(ManifestError::Version {
                path: at(),
                found: m.manifest_version,
            });
        }
        let computed = objects_sha256(&m.objects);
        if computed != m.objects_sha256 {
            return Err(ManifestError::Edited {
                path: at(),
                recorded: m.objects_sha256,
                computed,
            });
        }
        Ok(m)
    }
}

/// sha256 of a file's bytes (how a report cites a manifest). Errors: I/O.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    Ok(super::sha256_hex(&std::fs::read(path)?))
}

/// Every difference between `manifest` and the objects read now: added, removed, changed (size
/// or sha256). `window` (unix seconds) limits the manifest's objects to those overlapping it, as
/// the records were.
pub fn compare(manifest: &Manifest, records: &[ObjectRecord], window: Option<(i64, i64)>) -> Vec<Finding> {
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).map(|d| d.timestamp()).ok();
    let then: BTreeMap<&str, &ManifestObject> = manifest
        .objects
        .iter()
        .filter(|o| match (window, parse(&o.window.start), parse(&o.window.end)) {
            (Some((ws, we)), Some(s), Some(e)) => s < we && e > ws,
            _ => true,
        })
        .map(|o| (o.key.as_str(), o))
        .collect();
    let now: BTreeMap<&str, &ObjectRecord> = records.iter().map(|r| (r.key.as_str(), r)).collect();
    let mut out = Vec::new();
    for (key, r) in &now {
        match then.get(key) {
            None => out.push(Finding::new(
                Check::Manifest,
                *key,
                format!("added since the manifest ({} B)", r.size),
            )),
            Some(o) if o.size != r.size || o.sha256 != r.sha256 => out.push(Finding::new(
                Check::Manifest,
                *key,
                format!(
                    "changed since the manifest: {} B sha256 {} then, {} B sha256 {} now",
                    o.size, o.sha256, r.size, r.sha256
                ),
            )),
            Some(_) => {}
        }
    }
    for (key, o) in &then {
        if !now.contains_key(key) {
            out.push(Finding::new(
                Check::Manifest,
                *key,
                format!("removed since the manifest ({} B, sha256 {})", o.size, o.sha256),
            ));
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}
