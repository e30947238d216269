//! Object keys of a Kubecost/OpenCost bucket: parse a key into what it is, and format keys back.
//!
//! Layouts understood (keys are relative to the store's `prefix`, which [`crate::config::Store`]
//! already strips):
//!
//! | key | what | source |
//! |---|---|---|
//! | `federated/<cluster>/etl/bingen/<pipeline>/<res>/<start>-<end>` | one cluster's ETL file | OpenCost `core/pkg/exporter/pathing/bingenpath.go`; Kubecost docs federated-etl.md |
//! | `federated/combined/etl/bingen/<pipeline>/<res>/<start>-<end>` | the Federator's merged output | Kubecost docs troubleshooting/etl-repair.md |
//! | `etl/bingen/<pipeline>/<res>/<start>-<end>`, `cloudcosts/<res>/<start>-<end>` | Thanos-era ETL backup (all clusters) | Kubecost docs sharing-etl-backups.md, thanos-migration-guide.md |
//! | `<ULID>/meta.json`, `<ULID>/index`, `<ULID>/chunks/NNNNNN`, `<ULID>/deletion-mark.json`, `<ULID>/no-compact-mark.json` | Thanos block files | thanos-io/thanos docs/storage.md, `pkg/block/block.go` |
//!
//! `<start>-<end>` are decimal Unix seconds, end exclusive, no padding and no extension (OpenCost
//! `pathutils.FormatEpochRange`). Resolution directories follow OpenCost
//! `timeutil.FormatStoreResolution` (`10m`, `1h`, `1d`, `1w`). Anything else is
//! [`KeyKind::Unknown`]; [`foreign_layout`] recognises the layouts costscope knows of but does not
//! read (Kubecost 3.x JSON, kubemodel, event exporters).

use crate::bingen::RootKind;
use crate::query::DataKind;
use serde::Serialize;
use std::fmt;

/// First path component of the federated ETL tree.
pub const FEDERATED_ROOT: &str = "federated";
/// The cluster directory name the Federator writes to (`federated/combined/...`).
pub const COMBINED_CLUSTER: &str = "combined";
/// Key of costscope's federator manifest (JSON), stored next to the combined output.
pub const FEDERATOR_MANIFEST_KEY: &str = "federated/combined/.costscope-manifest.json";

/// An ETL pipeline directory name (OpenCost `core/pkg/pipelines/name.go`). Only the bingen set
/// pipelines are listed; other names (`customcosts`, `heartbeat`, `diagnostics`) are not ETL sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pipeline {
    /// `allocations`: `AllocationSet` files.
    Allocations,
    /// `assets`: `AssetSet` files.
    Assets,
    /// `cloudcosts`: `CloudCostSet` files.
    CloudCosts,
    /// `networkinsights`: OpenCost network-insight sets (no decoder in costscope yet).
    NetworkInsights,
}

impl Pipeline {
    /// Every pipeline, in display order.
    pub const ALL: [Pipeline; 4] = [
        Pipeline::Allocations,
        Pipeline::Assets,
        Pipeline::CloudCosts,
        Pipeline::NetworkInsights,
    ];

    /// The directory name (`allocations`).
    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Allocations => "allocations",
            Pipeline::Assets => "assets",
            Pipeline::CloudCosts => "cloudcosts",
            Pipeline::NetworkInsights => "networkinsights",
        }
    }

    /// Parse a directory name (exact, lower case as OpenCost writes it).
    pub fn parse(s: &str) -> Option<Pipeline> {
        Pipeline::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The bingen root its files hold, or `None` when costscope has no decoder for it
    /// (`networkinsights`).
    pub fn root_kind(self) -> Option<RootKind> {
        match self {
            Pipeline::Allocations => Some(RootKind::AllocationSet),
            Pipeline::Assets => Some(RootKind::AssetSet),
            Pipeline::CloudCosts => Some(RootKind::CloudCostSet),
            Pipeline::NetworkInsights => None,
        }
    }

    /// The data set its files hold, or `None` when costscope does not read it
    /// (`networkinsights`).
    pub fn data_kind(self) -> Option<DataKind> {
        match self {
            Pipeline::Allocations => Some(DataKind::Allocation),
            Pipeline::Assets => Some(DataKind::Asset),
            Pipeline::CloudCosts => Some(DataKind::CloudCost),
            Pipeline::NetworkInsights => None,
        }
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Unit of a [`Resolution`] directory name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResUnit {
    /// `m`
    Minute,
    /// `h`
    Hour,
    /// `d`
    Day,
    /// `w`
    Week,
}

impl ResUnit {
    fn suffix(self) -> char {
        match self {
            ResUnit::Minute => 'm',
            ResUnit::Hour => 'h',
            ResUnit::Day => 'd',
            ResUnit::Week => 'w',
        }
    }
    fn seconds(self) -> i64 {
        match self {
            ResUnit::Minute => 60,
            ResUnit::Hour => 3600,
            ResUnit::Day => 86_400,
            ResUnit::Week => 604_800,
        }
    }
}

/// A resolution directory such as `1d`, `1h` or `10m` (OpenCost `timeutil.FormatStoreResolution`).
/// Kept as written (amount and unit) so a key formats back to the same text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Resolution {
    /// The number before the unit (≥ 1).
    pub amount: u32,
    /// The unit letter.
    pub unit: ResUnit,
}

impl Resolution {
    /// `1d`.
    pub const DAY: Resolution = Resolution {
        amount: 1,
        unit: ResUnit::Day,
    };
    /// `1h`.
    pub const HOUR: Resolution = Resolution {
        amount: 1,
        unit: ResUnit::Hour,
    };

    /// Parse `<N><m|h|d|w>` with N ≥ 1 and no sign or padding; `None` otherwise.
    pub fn parse(s: &str) -> Option<Resolution> {
        let unit = match s.chars().last()? {
            'm' => ResUnit::Minute,
            'h' => ResUnit::Hour,
            'd' => ResUnit::Day,
            'w' => ResUnit::Week,
            _ => return None,
        };
        let digits = &s[..s.len() - 1];
        if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let amount = digits.parse().ok()?;
        Some(Resolution { amount, unit })
    }

    /// Length of one window in seconds.
    pub fn seconds(self) -> i64 {
        self.amount as i64 * self.unit.seconds()
    }
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

impl Ord for Resolution {
    /// Longest first (`1d` before `1h`), then by text.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.seconds().cmp(&self.seconds()).then_with(|| self.unit.cmp(&other.unit))
    }
}

impl PartialOrd for Resolution {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for Resolution {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One ETL file's place in its tree: pipeline, resolution and window `[start, end)` in Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EtlFile {
    /// The pipeline directory.
    pub pipeline: Pipeline,
    /// The resolution directory.
    pub resolution: Resolution,
    /// Window start, Unix seconds (inclusive).
    pub start: i64,
    /// Window end, Unix seconds (exclusive).
    pub end: i64,
}

impl EtlFile {
    /// `<pipeline>/<res>/<start>-<end>`, the part every ETL tree shares.
    pub fn tail(&self) -> String {
        format!("{}/{}/{}", self.pipeline, self.resolution, format_window_name(self.start, self.end))
    }
}

/// A file of a Thanos block directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BlockFile {
    /// `meta.json` (uploaded last: without it the block is a partial upload).
    Meta,
    /// `index`.
    Index,
    /// `chunks/NNNNNN` with its number.
    Chunk(u32),
    /// `deletion-mark.json`: the compactor will delete the block.
    DeletionMark,
    /// `no-compact-mark.json`.
    NoCompactMark,
}

impl BlockFile {
    /// Path inside the block directory.
    pub fn path(&self) -> String {
        match self {
            BlockFile::Meta => "meta.json".into(),
            BlockFile::Index => "index".into(),
            BlockFile::Chunk(n) => format!("chunks/{n:06}"),
            BlockFile::DeletionMark => "deletion-mark.json".into(),
            BlockFile::NoCompactMark => "no-compact-mark.json".into(),
        }
    }
}

/// What an object key is. See the module docs for the layouts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum KeyKind {
    /// `federated/<cluster>/etl/bingen/<pipeline>/<res>/<s>-<e>` for a cluster other than `combined`.
    Federated {
        /// The cluster directory name (Kubecost's cluster id / OpenCost's cluster name).
        cluster: String,
        /// Pipeline, resolution and window.
        file: EtlFile,
    },
    /// `federated/combined/etl/bingen/<pipeline>/<res>/<s>-<e>` (Federator output).
    Combined {
        /// Pipeline, resolution and window.
        file: EtlFile,
    },
    /// Thanos-era ETL backup: `etl/bingen/<pipeline>/<res>/<s>-<e>`, or `cloudcosts/<res>/<s>-<e>`
    /// at the root (`top_level_cloudcosts`).
    Backup {
        /// Pipeline, resolution and window.
        file: EtlFile,
        /// True for the root `cloudcosts/` tree instead of `etl/bingen/cloudcosts/`.
        top_level_cloudcosts: bool,
    },
    /// A file in a Thanos block directory `<ULID>/...`.
    ThanosBlockFile {
        /// The 26-character Crockford base32 block id.
        ulid: String,
        /// Which file.
        file: BlockFile,
    },
    /// costscope's federator manifest ([`FEDERATOR_MANIFEST_KEY`]).
    FederatorManifest,
    /// Anything else.
    Unknown,
}

impl KeyKind {
    /// The key this value denotes (the inverse of [`parse_key`]); `None` for [`KeyKind::Unknown`].
    pub fn to_key(&self) -> Option<String> {
        Some(match self {
            KeyKind::Federated { cluster, file } => format_federated(cluster, file),
            KeyKind::Combined { file } => format_combined(file),
            KeyKind::Backup {
                file,
                top_level_cloudcosts,
            } => format_backup(file, *top_level_cloudcosts),
            KeyKind::ThanosBlockFile { ulid, file } => format_block_file(ulid, *file),
            KeyKind::FederatorManifest => FEDERATOR_MANIFEST_KEY.to_string(),
            KeyKind::Unknown => return None,
        })
    }

    /// The ETL file part, for the three ETL kinds.
    pub fn etl_file(&self) -> Option<&EtlFile> {
        match self {
            KeyKind::Federated { file, .. } | KeyKind::Combined { file } | KeyKind::Backup { file, .. } => Some(file),
            _ => None,
        }
    }
}

/// `<start>-<end>` (OpenCost `pathutils.FormatEpochRange`).
pub fn format_window_name(start: i64, end: i64) -> String {
    format!("{start}-{end}")
}

/// Parse `<start>-<end>`: exactly two non-empty decimal tokens (no sign, no extension) with
/// `start < end`. `None` otherwise.
pub fn parse_window_name(name: &str) -> Option<(i64, i64)> {
    let (s, e) = name.split_once('-')?;
    let num = |t: &str| -> Option<i64> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (s, e) = (num(s)?, num(e)?);
    (s < e).then_some((s, e))
}

/// `federated/<cluster>/etl/bingen/<pipeline>/<res>/<s>-<e>` (OpenCost
/// `pathing.NewDefaultStoragePathFormatter`). `cluster` must be a single path component.
pub fn format_federated(cluster: &str, file: &EtlFile) -> String {
    format!("{FEDERATED_ROOT}/{cluster}/etl/bingen/{}", file.tail())
}

/// `federated/combined/etl/bingen/<pipeline>/<res>/<s>-<e>`, where the Federator writes.
pub fn format_combined(file: &EtlFile) -> String {
    format_federated(COMBINED_CLUSTER, file)
}

/// The Thanos-era backup key: `etl/bingen/<pipeline>/<res>/<s>-<e>`, or
/// `cloudcosts/<res>/<s>-<e>` when `top_level_cloudcosts`.
pub fn format_backup(file: &EtlFile, top_level_cloudcosts: bool) -> String {
    if top_level_cloudcosts {
        format!("cloudcosts/{}/{}", file.resolution, format_window_name(file.start, file.end))
    } else {
        format!("etl/bingen/{}", file.tail())
    }
}

/// `<ulid>/<file>` of a Thanos block.
pub fn format_block_file(ulid: &str, file: BlockFile) -> String {
    format!("{ulid}/{}", file.path())
}

/// The creation time a ULID carries (its first 10 characters: milliseconds since the Unix epoch,
/// Crockford base32), e.g. a Thanos block id. `None` when `ulid` is not a ULID ([`is_ulid`]).
pub fn ulid_time(ulid: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if !is_ulid(ulid) {
        return None;
    }
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut ms: i64 = 0;
    for b in ulid.bytes().take(10) {
        let v = ALPHABET.iter().position(|a| *a == b)? as i64;
        ms = ms.checked_mul(32)?.checked_add(v)?;
    }
    chrono::DateTime::from_timestamp_millis(ms)
}

/// True for a Thanos block id: 26 characters of Crockford base32 (upper case, no I L O U), the
/// first at most `7` (the 128-bit limit).
pub fn is_ulid(s: &str) -> bool {
    s.len() == 26
        && s.as_bytes()[0] <= b'7'
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b.is_ascii_uppercase() && !matches!(b, b'I' | b'L' | b'O' | b'U')))
}

fn parse_etl_tail(parts: &[&str]) -> Option<EtlFile> {
    let [pipeline, res, name] = parts else { return None };
    let (start, end) = parse_window_name(name)?;
    Some(EtlFile {
        pipeline: Pipeline::parse(pipeline)?,
        resolution: Resolution::parse(res)?,
        start,
        end,
    })
}

fn parse_block_file(rest: &[&str]) -> Option<BlockFile> {
    Some(match rest {
        ["meta.json"] => BlockFile::Meta,
        ["index"] => BlockFile::Index,
        ["deletion-mark.json"] => BlockFile::DeletionMark,
        ["no-compact-mark.json"] => BlockFile::NoCompactMark,
        ["chunks", n] if n.len() == 6 && n.bytes().all(|b| b.is_ascii_digit()) => BlockFile::Chunk(n.parse().ok()?),
        _ => return None,
    })
}

/// Classify an object key (relative to the store prefix). Never fails: keys outside the known
/// layouts are [`KeyKind::Unknown`].
pub fn parse_key(key: &str) -> KeyKind {
    if key == FEDERATOR_MANIFEST_KEY {
        return KeyKind::FederatorManifest;
    }
    let parts: Vec<&str> = key.split('/').collect();
    let parsed = match parts.as_slice() {
        [FEDERATED_ROOT, cluster, "etl", "bingen", tail @ ..] if !cluster.is_empty() => parse_etl_tail(tail).map(|file| {
            if *cluster == COMBINED_CLUSTER {
                KeyKind::Combined { file }
            } else {
                KeyKind::Federated {
                    cluster: cluster.to_string(),
                    file,
                }
            }
        }),
        ["etl", "bingen", tail @ ..] => parse_etl_tail(tail).map(|file| KeyKind::Backup {
            file,
            top_level_cloudcosts: false,
        }),
        ["cloudcosts", res, name] => parse_etl_tail(&["cloudcosts", *res, *name]).map(|file| KeyKind::Backup {
            file,
            top_level_cloudcosts: true,
        }),
        [ulid, rest @ ..] if is_ulid(ulid) => parse_block_file(rest).map(|file| KeyKind::ThanosBlockFile {
            ulid: ulid.to_string(),
            file,
        }),
        _ => None,
    };
    parsed.unwrap_or(KeyKind::Unknown)
}

/// A bucket layout costscope recognises but does not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ForeignLayout {
    /// `federated/<cluster>/<res>/<RFC3339>.json[.gz]`: the layout kubecost-utilities'
    /// object-storage-cleanup README shows for Kubecost 3.x.
    Kubecost3Json,
    /// `.../<clusterUID>/kubemodel/<res>/YYYY/MM/DD/<timestamp>`: OpenCost kubemodel exports.
    KubeModel,
    /// A pipeline that is not a bingen ETL set (`heartbeat`, `diagnostics`, `customcosts`), or
    /// JSON event exports under `federated/<cluster>/`.
    EventExport,
    /// Kubecost 2.x multi-cluster diagnostics JSON under `diagnostics/`.
    Diagnostics,
    /// Thanos's own `debug/metas/` copies of block metadata.
    ThanosDebug,
}

impl ForeignLayout {
    /// One line saying what it is and that costscope does not read it.
    pub fn describe(self) -> &'static str {
        match self {
            ForeignLayout::Kubecost3Json => {
                "JSON files in the newer Kubecost 3.x layout (federated/<cluster>/<res>/<RFC3339>.json); costscope reads bingen ETL files only and does not read these"
            }
            ForeignLayout::KubeModel => "OpenCost kubemodel exports (<cluster>/kubemodel/<res>/YYYY/MM/DD/...); not read by costscope",
            ForeignLayout::EventExport => {
                "event/diagnostic exports (heartbeat, diagnostics, customcosts pipelines or JSON); not ETL sets, not read"
            }
            ForeignLayout::Diagnostics => "Kubecost multi-cluster diagnostics JSON (diagnostics/); not read",
            ForeignLayout::ThanosDebug => "Thanos debug copies of block metadata (debug/metas/); ignored",
        }
    }
}

/// For a key [`parse_key`] calls [`KeyKind::Unknown`], which known-but-unread layout it belongs
/// to, with the directory that identifies it (for messages, e.g. `federated/cluster1/1h/`).
pub fn foreign_layout(key: &str) -> Option<(ForeignLayout, String)> {
    let parts: Vec<&str> = key.split('/').collect();
    let dir = |n: usize| format!("{}/", parts[..n].join("/"));
    let is_json = key.ends_with(".json") || key.ends_with(".json.gz");
    if let Some(i) = parts.iter().position(|p| *p == "kubemodel") {
        return Some((ForeignLayout::KubeModel, dir(i + 1)));
    }
    match parts.as_slice() {
        [FEDERATED_ROOT, _, res, _name] if Resolution::parse(res).is_some() && is_json => Some((ForeignLayout::Kubecost3Json, dir(3))),
        [FEDERATED_ROOT, _, "etl", "bingen", p, ..] if matches!(*p, "heartbeat" | "diagnostics" | "customcosts") => {
            Some((ForeignLayout::EventExport, dir(5)))
        }
        [FEDERATED_ROOT, _, p, ..] if matches!(*p, "heartbeat" | "diagnostics" | "customcosts") => {
            Some((ForeignLayout::EventExport, dir(3)))
        }
        [FEDERATED_ROOT, _, .., _] if is_json => Some((ForeignLayout::EventExport, dir(parts.len() - 1))),
        ["diagnostics", ..] => Some((ForeignLayout::Diagnostics, "diagnostics/".into())),
        ["debug", "metas", ..] => Some((ForeignLayout::ThanosDebug, "debug/metas/".into())),
        _ => None,
    }
}

#[cfg(test)]
#[path = "keys_tests.rs"]
mod tests;
