//! Bucket inventory: one listing of the whole store, sorted into ETL series (cluster × pipeline ×
//! resolution), Thanos blocks, layouts costscope does not read, and keys in no known layout.
//!
//! **Listing strategy.** [`scan`] issues a single recursive `list` of the store (prefix already
//! applied by [`crate::config::Store`]). On S3/GCS/Azure that is one paged request per 1,000
//! (S3, Azure 5,000) keys, each retried with backoff by object_store's `RetryConfig` (5xx,
//! throttling, timeouts, dropped connections). A delimiter walk per level would skip the
//! `chunks/` objects of Thanos blocks but costs one request per block directory and per ETL
//! directory, which is more round trips for every bucket we have seen (a Thanos block has 3–4
//! objects, while a 2.x bucket has thousands of blocks). So: plain `list`, once. The pure part,
//! [`Inventory::from_objects`], is what tests and other scanners build on.
//!
//! Layout facts follow [`super::keys`]; "empty" follows the Kubecost docs (thanos-migration-guide.md:
//! "Empty file sizes are 86B") although the empty sets OpenCost really writes are 77 B
//! (AllocationSet) and 68 B (AssetSet).

use super::keys::{BlockFile, ForeignLayout, KeyKind, Pipeline, Resolution, foreign_layout, parse_key};
use chrono::{DateTime, Utc};
use object_store::ObjectStore;
use serde::Serialize;
use std::collections::BTreeMap;

/// Files of at most this many bytes are counted as empty sets (Kubecost docs' figure).
pub const EMPTY_FILE_MAX_BYTES: u64 = 86;

/// One listed object: key (relative to the store prefix), size in bytes, etag and modification time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInfo {
    /// Key relative to the store prefix.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The store's entity tag, when it gives one (S3/GCS/Azure always; local files: inode-mtime-size).
    pub e_tag: Option<String>,
    /// Last modification time (UTC).
    pub last_modified: DateTime<Utc>,
}

impl From<object_store::ObjectMeta> for ObjectInfo {
    fn from(m: object_store::ObjectMeta) -> Self {
        ObjectInfo {
            key: m.location.to_string(),
            size: m.size,
            e_tag: m.e_tag,
            last_modified: m.last_modified,
        }
    }
}

impl ObjectInfo {
    /// True when the object is at most [`EMPTY_FILE_MAX_BYTES`] long.
    pub fn is_empty_set(&self) -> bool {
        self.size <= EMPTY_FILE_MAX_BYTES
    }
}

/// Which ETL tree a series lives in. Orders federated clusters first (by name), then the
/// Federator output, then the ETL backup.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase", tag = "tree", content = "cluster")]
pub enum Source {
    /// `federated/<cluster>/etl/bingen/...`.
    Federated(String),
    /// `federated/combined/etl/bingen/...`.
    Combined,
    /// `etl/bingen/...` and `cloudcosts/...` (Thanos-era backup, all clusters in one set).
    Backup,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Federated(c) => f.write_str(c),
            Source::Combined => f.write_str("(combined)"),
            Source::Backup => f.write_str("(etl backup)"),
        }
    }
}

/// One ETL file of a series: its window `[start, end)` in Unix seconds and its object facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowObject {
    /// Window start, Unix seconds.
    pub start: i64,
    /// Window end, Unix seconds (exclusive).
    pub end: i64,
    /// The object.
    #[serde(flatten)]
    pub object: ObjectInfo,
}

/// All files of one source × pipeline × resolution, sorted by window start.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Series {
    /// The tree.
    pub source: Source,
    /// The pipeline.
    pub pipeline: Pipeline,
    /// The resolution.
    pub resolution: Resolution,
    /// The files, by window start.
    pub files: Vec<WindowObject>,
    /// When the series was listed (unix seconds, [`crate::clock::now`]): windows ending more than
    /// one step later are not [regular](Series::is_regular).
    #[serde(skip)]
    pub listed_at: i64,
}

impl Series {
    /// Total bytes.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|f| f.object.size).sum()
    }
    /// Files of at most [`EMPTY_FILE_MAX_BYTES`].
    pub fn empty_files(&self) -> impl Iterator<Item = &WindowObject> {
        self.files.iter().filter(|f| f.object.is_empty_set())
    }
    /// Whether `f`'s window is a real window of this series: one resolution step long, aligned to
    /// the step (UTC days, hours), and ending no later than one step after [`Series::listed_at`].
    /// Any other key (`0-9223372036854775807`, a window in 2100, `1788999999-1789086399`) is
    /// listed as odd and never stretches the series' first/last window or its gaps (issue 34).
    pub fn is_regular(&self, f: &WindowObject) -> bool {
        let step = self.resolution.seconds();
        step > 0 && f.end - f.start == step && f.start.rem_euclid(step) == 0 && f.end <= self.listed_at.saturating_add(step)
    }
    /// The files with a [regular](Series::is_regular) window, by window start.
    pub fn regular_files(&self) -> impl Iterator<Item = &WindowObject> {
        self.files.iter().filter(move |f| self.is_regular(f))
    }
    /// Window starts of the [regular](Series::is_regular) files, oldest first.
    pub fn regular_starts(&self) -> std::collections::BTreeSet<i64> {
        self.regular_files().map(|f| f.start).collect()
    }
    /// Windows of the resolution's length missing between the first and the last regular file
    /// (0 when they are contiguous).
    pub fn missing_windows(&self) -> u64 {
        let starts = self.regular_starts();
        let step = self.resolution.seconds().max(1);
        match (starts.first(), starts.last()) {
            (Some(a), Some(b)) => ((b - a) / step + 1).saturating_sub(starts.len() as i64) as u64,
            _ => 0,
        }
    }
    /// Starts (unix seconds) of the windows missing between the first and the last regular
    /// file, oldest first ([`Series::missing_windows`] of them).
    pub fn missing_starts(&self) -> Vec<i64> {
        let have = self.regular_starts();
        let step = self.resolution.seconds().max(1);
        match (have.first(), have.last()) {
            (Some(&a), Some(&b)) => (0..=(b - a) / step).map(|i| a + i * step).filter(|t| !have.contains(t)).collect(),
            _ => Vec::new(),
        }
    }
    /// Files whose window is not [regular](Series::is_regular): malformed, mislabelled or in the
    /// future.
    pub fn odd_windows(&self) -> impl Iterator<Item = &WindowObject> {
        self.files.iter().filter(move |f| !self.is_regular(f))
    }
}

/// One Thanos block directory `<ULID>/`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThanosBlock {
    /// The block id.
    pub ulid: String,
    /// `meta.json` is present (it is uploaded last; without it the block is a partial upload).
    pub has_meta: bool,
    /// Modification time of `meta.json`, when present.
    pub meta_modified: Option<DateTime<Utc>>,
    /// `deletion-mark.json` is present.
    pub deletion_marked: bool,
    /// `no-compact-mark.json` is present.
    pub no_compact: bool,
    /// `index` is present.
    pub has_index: bool,
    /// Objects under `chunks/`.
    pub chunks: u64,
    /// Objects in the directory.
    pub objects: u64,
    /// Bytes in the directory.
    pub bytes: u64,
}

/// Objects of a layout costscope recognises but does not read, grouped by the directory that
/// identifies them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignGroup {
    /// The layout.
    pub layout: ForeignLayout,
    /// Directory such as `federated/cluster1/1h/`.
    pub dir: String,
    /// Objects under it.
    pub objects: u64,
    /// One example key.
    pub example: String,
}

/// Everything one listing of the bucket shows. Build with [`scan`] or [`Inventory::from_objects`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    /// ETL series, sorted by source, pipeline, resolution.
    pub series: Vec<Series>,
    /// Cluster directories under `federated/` that hold ETL files (`combined` excluded), sorted.
    pub clusters: Vec<String>,
    /// Thanos block directories, sorted by ULID.
    pub thanos_blocks: Vec<ThanosBlock>,
    /// Known layouts that are not read.
    pub foreign: Vec<ForeignGroup>,
    /// Keys in no known layout.
    pub unknown: Vec<ObjectInfo>,
    /// The costscope federator manifest, when present.
    pub federator_manifest: Option<ObjectInfo>,
    /// Objects listed.
    pub total_objects: u64,
    /// Bytes listed.
    pub total_bytes: u64,
    /// Entries the listing skipped (unreadable keys or folders), one printable line each
    /// ([`super::listing`]).
    pub unlisted: Vec<String>,
}

/// Why a scan failed: the listing itself (one file's problems never fail a scan).
#[derive(Debug, thiserror::Error)]
#[error("listing the bucket failed: {0}")]
pub struct InventoryError(pub String);

/// List the whole store once and build the [`Inventory`].
///
/// Errors: [`InventoryError`] when a list page fails after object_store's retries.
pub async fn scan(store: &dyn ObjectStore) -> Result<Inventory, InventoryError> {
    let listing = super::listing::list(store, None).await.map_err(|e| InventoryError(e.to_string()))?;
    for p in &listing.problems {
        tracing::warn!(problem = %p, "bucket listing skipped an entry");
    }
    let mut inv = Inventory::from_objects(listing.objects.into_iter().map(ObjectInfo::from));
    inv.unlisted = listing.problems;
    Ok(inv)
}

impl Inventory {
    /// Sort listed objects into an inventory (pure; order of input does not matter).
    pub fn from_objects(objects: impl IntoIterator<Item = ObjectInfo>) -> Inventory {
        let mut inv = Inventory::default();
        let mut series: BTreeMap<(Source, Pipeline, Resolution), Vec<WindowObject>> = BTreeMap::new();
        let mut blocks: BTreeMap<String, ThanosBlock> = BTreeMap::new();
        let mut foreign: BTreeMap<(ForeignLayout, String), ForeignGroup> = BTreeMap::new();
        for obj in objects {
            inv.total_objects += 1;
            inv.total_bytes += obj.size;
            let kind = parse_key(&obj.key);
            let source = match &kind {
                KeyKind::Federated { cluster, .. } => Some(Source::Federated(cluster.clone())),
                KeyKind::Combined { .. } => Some(Source::Combined),
                KeyKind::Backup { .. } => Some(Source::Backup),
                _ => None,
            };
            if let (Some(source), Some(f)) = (source, kind.etl_file()) {
                let w = WindowObject {
                    start: f.start,
                    end: f.end,
                    object: obj,
                };
                series.entry((source, f.pipeline, f.resolution)).or_default().push(w);
                continue;
            }
            match kind {
                KeyKind::ThanosBlockFile { ulid, file } => {
                    let b = blocks.entry(ulid.clone()).or_insert_with(|| ThanosBlock {
                        ulid,
                        ..Default::default()
                    });
                    b.objects += 1;
                    b.bytes += obj.size;
                    match file {
                        BlockFile::Meta => {
                            b.has_meta = true;
                            b.meta_modified = Some(obj.last_modified);
                        }
                        BlockFile::DeletionMark => b.deletion_marked = true,
                        BlockFile::NoCompactMark => b.no_compact = true,
                        BlockFile::Index => b.has_index = true,
                        BlockFile::Chunk(_) => b.chunks += 1,
                    }
                }
                KeyKind::FederatorManifest => inv.federator_manifest = Some(obj),
                _ => match foreign_layout(&obj.key) {
                    Some((layout, dir)) => {
                        let g = foreign.entry((layout, dir.clone())).or_insert_with(|| ForeignGroup {
                            layout,
                            dir,
                            objects: 0,
                            example: obj.key.clone(),
                        });
                        g.objects += 1;
                    }
                    None => inv.unknown.push(obj),
                },
            }
        }
        let listed_at = crate::clock::now().timestamp();
        for ((source, pipeline, resolution), mut files) in series {
            files.sort_by(|a, b| (a.start, a.end, &a.object.key).cmp(&(b.start, b.end, &b.object.key)));
            if let Source::Federated(c) = &source {
                inv.clusters.push(c.clone());
            }
            inv.series.push(Series {
                source,
                pipeline,
                resolution,
                files,
                listed_at,
            });
        }
        inv.clusters.sort();
        inv.clusters.dedup();
        inv.thanos_blocks = blocks.into_values().collect();
        inv.foreign = foreign.into_values().collect();
        inv.unknown.sort_by(|a, b| a.key.cmp(&b.key));
        inv
    }

    /// The series of `source` × `pipeline` × `resolution`, if any file exists.
    pub fn series(&self, source: &Source, pipeline: Pipeline, resolution: Resolution) -> Option<&Series> {
        self.series
            .iter()
            .find(|s| &s.source == source && s.pipeline == pipeline && s.resolution == resolution)
    }

    /// Thanos block directories that have a `meta.json` (complete uploads).
    pub fn complete_blocks(&self) -> impl Iterator<Item = &ThanosBlock> {
        self.thanos_blocks.iter().filter(|b| b.has_meta)
    }

    /// Thanos block directories without `meta.json` (partial uploads, or uploads in progress).
    pub fn partial_blocks(&self) -> impl Iterator<Item = &ThanosBlock> {
        self.thanos_blocks.iter().filter(|b| !b.has_meta)
    }
}
