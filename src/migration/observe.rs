//! The I/O half of a migration scan: one listing of the bucket
//! ([`crate::bucket::inventory::scan`]), then small reads — each complete block's `meta.json`,
//! each daily ETL set of the backup and of the federated tree — turned into plain
//! [`Observations`]. Reads are cached across scans: `meta.json` by block id (Thanos blocks are
//! immutable), sets by key with their size, etag and modification time, so a rescan of an
//! unchanged bucket costs one listing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use object_store::ObjectStore;

use crate::bucket::fetch::Fetcher;
use crate::bucket::inventory::{EMPTY_FILE_MAX_BYTES, Inventory, ObjectInfo, Source, WindowObject};
use crate::bucket::keys::{BlockFile, Pipeline, Resolution, format_block_file};

use super::MigrationOptions;
use super::report::{FileProblem, ThanosFacts, day_start};
use super::sets::{ClusterTotals, Totals, sum, totals_by_cluster};
use super::thanos::{BlockMeta, Coverage, parse_meta};

/// One federated daily file as the scan saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct FederatedFile {
    /// The set holds no items (decoded), or the file is at most 86 B when not decoded.
    pub empty: bool,
    /// Totals of its items, when it was decoded.
    pub totals: Option<Totals>,
    /// Object modification time.
    pub last_modified: DateTime<Utc>,
    /// Window end, Unix seconds (exclusive).
    pub window_end: i64,
}

/// What one scan saw, before any state is derived. Days are UTC day starts in Unix seconds;
/// clusters are federated folder names (Thanos label values already mapped).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observations {
    /// Thanos coverage per cluster.
    pub thanos: BTreeMap<String, Coverage>,
    /// Thanos label values that were mapped to a differently named folder, per folder.
    pub thanos_names: BTreeMap<String, BTreeSet<String>>,
    /// Block facts (label, skipped blocks).
    pub thanos_facts: ThanosFacts,
    /// Backup daily sets: pipeline → day → per-cluster totals (sets that failed to decode are absent).
    pub backup: BTreeMap<Pipeline, BTreeMap<i64, ClusterTotals>>,
    /// Federated daily files: cluster → (pipeline, day) → file.
    pub federated: BTreeMap<String, BTreeMap<(Pipeline, i64), FederatedFile>>,
    /// Files that could not be read or decoded.
    pub problems: Vec<FileProblem>,
    /// When the bucket was copied, if it was: the newest `meta.json` modification time among
    /// Thanos blocks modified more than a day after the time their ULID carries ([`copied_at`]).
    pub copied_at: Option<DateTime<Utc>>,
}

/// Thanos blocks are immutable: a compactor or sidecar uploads a block minutes after the time in
/// its ULID and never rewrites it. A `meta.json` modified more than this long after that time was
/// re-dated by a copy (`cp`, `rclone`, a restore), so object times in the bucket are copy times.
pub const REDATED_AFTER: chrono::Duration = chrono::Duration::days(1);

/// A copy writes objects back to back: an object modified within this long of the previous one
/// (in time order) belongs to the same copy.
pub const COPY_GAP: chrono::Duration = chrono::Duration::seconds(60);

/// When `inv`'s bucket was copied, if it was (some Thanos `meta.json` is re-dated,
/// [`REDATED_AFTER`]): the end of the burst of modification times that holds the newest re-dated
/// `meta.json`, following every ETL file and block `meta.json` while consecutive times are at most
/// [`COPY_GAP`] apart. Writes after it are real writes (ETL Utils or an agent working on the
/// copy). `None` when no block is re-dated (object times are write times).
pub fn copied_at(inv: &Inventory) -> Option<DateTime<Utc>> {
    let redated = inv
        .thanos_blocks
        .iter()
        .filter_map(|b| {
            let (m, born) = (b.meta_modified?, crate::bucket::keys::ulid_time(&b.ulid)?);
            (m - born > REDATED_AFTER).then_some(m)
        })
        .max()?;
    let mut times: Vec<DateTime<Utc>> = inv
        .series
        .iter()
        .flat_map(|s| s.files.iter().map(|f| f.object.last_modified))
        .chain(inv.thanos_blocks.iter().filter_map(|b| b.meta_modified))
        .filter(|t| *t >= redated)
        .collect();
    times.sort();
    let mut end = redated;
    for t in times {
        if t - end > COPY_GAP {
            break;
        }
        end = end.max(t);
    }
    Some(end)
}

type Fingerprint = (u64, Option<String>, DateTime<Utc>);

fn fingerprint(o: &ObjectInfo) -> Fingerprint {
    (o.size, o.e_tag.clone(), o.last_modified)
}

/// A migration scanner: options plus the read cache kept between scans.
#[derive(Debug, Default)]
pub struct Scanner {
    /// How to scan and judge.
    pub options: MigrationOptions,
    metas: HashMap<String, BlockMeta>,
    sets: HashMap<String, (Fingerprint, ClusterTotals)>,
}

/// The pipelines whose daily sets the migration view reads.
const PIPELINES: [Pipeline; 2] = [Pipeline::Allocations, Pipeline::Assets];

impl Scanner {
    /// A scanner with an empty cache.
    pub fn new(options: MigrationOptions) -> Scanner {
        Scanner {
            options,
            ..Default::default()
        }
    }

    /// List `store` once and read what is not cached yet.
    ///
    /// Errors: only the listing ([`crate::bucket::InventoryError`]); a file that cannot be read or
    /// decoded becomes a [`FileProblem`] and the scan goes on.
    pub async fn observe(&mut self, store: &dyn ObjectStore) -> Result<Observations, crate::bucket::InventoryError> {
        let inv = crate::bucket::scan(store).await?;
        Ok(self.observe_inventory(store, &inv).await)
    }

    /// Like [`Scanner::observe`] on an inventory already listed.
    pub async fn observe_inventory(&mut self, store: &dyn ObjectStore, inv: &Inventory) -> Observations {
        let mut obs = Observations {
            copied_at: copied_at(inv),
            ..Default::default()
        };
        self.read_thanos(store, inv, &mut obs).await;
        self.read_sets(store, inv, &mut obs).await;
        obs
    }

    async fn read_thanos(&mut self, store: &dyn ObjectStore, inv: &Inventory, obs: &mut Observations) {
        let facts = &mut obs.thanos_facts;
        facts.cluster_label = self.options.cluster_label.clone();
        let mut wanted = Vec::new();
        for b in &inv.thanos_blocks {
            if !b.has_meta {
                facts.partial_uploads.push(b.ulid.clone());
            } else if b.deletion_marked {
                facts.deletion_marked.push(b.ulid.clone());
            } else {
                wanted.push(b.ulid.clone());
            }
        }
        let missing: Vec<String> = wanted.iter().filter(|u| !self.metas.contains_key(*u)).cloned().collect();
        let fetcher = Fetcher::new(self.options.max_object_bytes);
        let fetcher = &fetcher;
        let reads = futures::stream::iter(missing)
            .map(|ulid| async move {
                let key = format_block_file(&ulid, BlockFile::Meta);
                let meta = fetcher
                    .get(store, &key, 0)
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|b| parse_meta(&b.bytes).map_err(|e| e.to_string()));
                (ulid, key, meta)
            })
            .buffer_unordered(self.options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        for (ulid, key, meta) in reads {
            match meta {
                Ok(m) => {
                    self.metas.insert(ulid, m);
                }
                Err(error) => obs.problems.push(FileProblem { key, error }),
            }
        }
        let keep: HashSet<&String> = wanted.iter().collect();
        self.metas.retain(|u, _| keep.contains(u));
        let mut per_cluster: BTreeMap<String, Vec<&BlockMeta>> = BTreeMap::new();
        for ulid in &wanted {
            let Some(m) = self.metas.get(ulid) else { continue };
            match m.labels.get(&self.options.cluster_label).filter(|v| !v.is_empty()) {
                None => facts.unlabelled.push(ulid.clone()),
                Some(value) => {
                    let folder = self.options.folder_for(value);
                    if folder != *value {
                        obs.thanos_names.entry(folder.clone()).or_default().insert(value.clone());
                    }
                    per_cluster.entry(folder).or_default().push(m);
                    facts.blocks_used += 1;
                }
            }
        }
        obs.thanos = per_cluster.into_iter().map(|(c, metas)| (c, Coverage::of(metas))).collect();
    }

    async fn read_sets(&mut self, store: &dyn ObjectStore, inv: &Inventory, obs: &mut Observations) {
        // Every daily allocation/asset file of the backup and the federated clusters.
        let mut files: Vec<(&Source, Pipeline, &WindowObject)> = Vec::new();
        for s in &inv.series {
            let wanted_source = matches!(s.source, Source::Backup | Source::Federated(_));
            if wanted_source && PIPELINES.contains(&s.pipeline) && s.resolution == Resolution::DAY {
                files.extend(s.files.iter().map(|f| (&s.source, s.pipeline, f)));
            }
        }
        let parity = self.options.parity;
        let decode_needed =
            |src: &Source, f: &WindowObject| matches!(src, Source::Backup) || (parity && f.object.size > EMPTY_FILE_MAX_BYTES);
        let to_read: Vec<(String, u64, Pipeline)> = files
            .iter()
            .filter(|(src, _, f)| decode_needed(src, f))
            .filter(|(_, _, f)| self.sets.get(&f.object.key).is_none_or(|(fp, _)| *fp != fingerprint(&f.object)))
            .map(|(_, p, f)| (f.object.key.clone(), f.object.size, *p))
            .collect();
        let fetcher = Fetcher::new(self.options.max_object_bytes);
        let fetcher = &fetcher;
        let reads = futures::stream::iter(to_read)
            .map(|(key, size, pipeline)| async move {
                let totals = match fetcher.get(store, &key, size).await {
                    Ok(got) => fetcher
                        .decode(move || totals_by_cluster(&got.bytes, pipeline).map_err(|e| e.to_string()))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string())),
                    Err(e) => Err(e.to_string()),
                };
                (key, totals)
            })
            .buffer_unordered(self.options.concurrency.max(1))
            .collect::<Vec<_>>()
            .await;
        let mut failed: HashSet<String> = HashSet::new();
        let by_key: HashMap<&str, &ObjectInfo> = files.iter().map(|(_, _, f)| (f.object.key.as_str(), &f.object)).collect();
        for (key, result) in reads {
            match result {
                Ok(t) => {
                    let fp = fingerprint(by_key[key.as_str()]);
                    self.sets.insert(key, (fp, t));
                }
                Err(error) => {
                    failed.insert(key.clone());
                    obs.problems.push(FileProblem { key, error });
                }
            }
        }
        let listed: HashSet<&str> = by_key.keys().copied().collect();
        self.sets.retain(|k, _| listed.contains(k.as_str()));
        for (src, pipeline, f) in files {
            let day = day_start(f.start);
            let cached = if failed.contains(&f.object.key) {
                None
            } else {
                self.sets.get(&f.object.key).map(|(_, t)| t)
            };
            match src {
                Source::Backup => {
                    if let Some(t) = cached {
                        obs.backup.entry(pipeline).or_default().insert(day, t.clone());
                    }
                }
                Source::Federated(cluster) => {
                    let totals = cached.filter(|_| decode_needed(src, f)).map(sum);
                    let empty = match totals {
                        Some(t) => t.count == 0,
                        None => f.object.is_empty_set(),
                    };
                    let file = FederatedFile {
                        empty,
                        totals,
                        last_modified: f.object.last_modified,
                        window_end: f.end,
                    };
                    obs.federated.entry(cluster.clone()).or_default().insert((pipeline, day), file);
                }
                Source::Combined => {}
            }
        }
    }
}
