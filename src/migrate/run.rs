//! One `migrate` pass: list the backup and the federated tree once, then read one combined set
//! per job (`--jobs` at once, reads through [`Fetcher`]: bounded memory and a per-object deadline),
//! split it, compare each cluster's share with its federated file, and with `apply` write and
//! verify the missing ones.

use super::split::{self, ClusterSet, Contents, Share};
use super::{MigrateError, MigrateOptions, MigrateReport, Outcome, PlanRow, PlanState, Summary};
use crate::bingen::{self, Versions};
use crate::bucket::fetch::{Fetcher, within_deadline};
use crate::bucket::keys::{COMBINED_CLUSTER, EtlFile, KeyKind, Pipeline, Resolution, format_federated, parse_key};
use futures::StreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// What the pass shares between its jobs.
struct Ctx {
    store: Arc<dyn ObjectStore>,
    fetcher: Fetcher,
    /// Federated keys listed → their size.
    federated: HashMap<String, u64>,
    opts: MigrateOptions,
}

/// What one combined set gave.
#[derive(Default)]
struct SetResult {
    rows: Vec<PlanRow>,
    /// Clusters with at least one item in the set (`None`: the set was unreadable).
    present: Option<BTreeSet<String>>,
    notes: Vec<String>,
    bytes_read: u64,
    bytes_written: u64,
}

/// Plan (and with `opts.apply`, write and verify) every backup set of `store` that `opts`
/// selects. Files that cannot be read are rows in state `unreadable`, not errors; a write or
/// verification that fails is an [`Outcome`] of its row (and [`Summary::failed`]).
///
/// Errors: [`MigrateError::Listing`] when `etl/bingen/` or `federated/` cannot be listed.
pub async fn run(store: Arc<dyn ObjectStore>, opts: &MigrateOptions) -> Result<MigrateReport, MigrateError> {
    let started = std::time::Instant::now();
    let mut notes = Vec::new();
    let backup_objects = list(&*store, "etl/bingen", &mut notes).await?;
    let federated_objects = list(&*store, crate::bucket::keys::FEDERATED_ROOT, &mut notes).await?;
    let mut backup: Vec<(EtlFile, String, u64)> = backup_objects
        .into_iter()
        .filter_map(|(key, size)| match parse_key(&key) {
            KeyKind::Backup {
                file,
                top_level_cloudcosts: false,
            } if selected(opts, &file) => Some((file, key, size)),
            _ => None,
        })
        .collect();
    backup.sort_by_key(|(f, _, _)| (f.pipeline, f.resolution, f.start));
    let ctx = Ctx {
        store,
        fetcher: Fetcher::new(opts.max_object_bytes),
        federated: federated_objects.into_iter().collect(),
        opts: opts.clone(),
    };
    let results: Vec<(EtlFile, String, SetResult)> = futures::stream::iter(backup)
        .map(|(file, key, size)| {
            let ctx = &ctx;
            async move {
                let r = ctx.migrate_set(&file, &key, size).await;
                (file, key, r)
            }
        })
        .buffered(opts.jobs.max(1))
        .collect()
        .await;
    let mut rows = Vec::new();
    let (mut bytes_read, mut bytes_written) = (0, 0);
    for (_, _, r) in &results {
        rows.extend(r.rows.iter().cloned());
        notes.extend(r.notes.iter().cloned());
        bytes_read += r.bytes_read;
        bytes_written += r.bytes_written;
    }
    rows.extend(empty_source_rows(&ctx, &results));
    rows.sort_by(|a, b| (a.pipeline, a.resolution, a.start, &a.cluster).cmp(&(b.pipeline, b.resolution, b.start, &b.cluster)));
    Ok(MigrateReport {
        applied: opts.apply,
        summary: Summary::of(&rows),
        rows,
        notes,
        bytes_read,
        bytes_written,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every object under `prefix` as (key, size); skipped entries become notes.
async fn list(store: &dyn ObjectStore, prefix: &str, notes: &mut Vec<String>) -> Result<Vec<(String, u64)>, MigrateError> {
    let listing = crate::bucket::listing::list(store, Some(&ObjPath::from(prefix)))
        .await
        .map_err(|source| MigrateError::Listing {
            prefix: format!("{prefix}/"),
            source,
        })?;
    notes.extend(listing.problems);
    Ok(listing.objects.into_iter().map(|m| (m.location.to_string(), m.size)).collect())
}

/// Whether `opts` selects the backup file `file` (pipeline, resolution, window start).
fn selected(opts: &MigrateOptions, file: &EtlFile) -> bool {
    opts.pipelines.contains(&file.pipeline)
        && opts.resolutions.contains(&file.resolution)
        && opts.from.is_none_or(|f| file.start >= f)
        && opts.to.is_none_or(|t| file.start < t)
}

/// Whether a cluster name can be a federated folder: one path component, not `combined` (the
/// Federator's output) and not `.`/`..`.
fn valid_folder(cluster: &str) -> bool {
    !cluster.contains('/') && cluster != COMBINED_CLUSTER && cluster != "." && cluster != ".." && ObjPath::parse(cluster).is_ok()
}

impl Ctx {
    fn wanted(&self, cluster: &str) -> bool {
        self.opts.clusters.is_empty() || self.opts.clusters.iter().any(|c| c == cluster)
    }

    fn row(&self, cluster: &str, file: &EtlFile, source_key: &str, state: PlanState) -> PlanRow {
        PlanRow {
            cluster: cluster.to_string(),
            pipeline: file.pipeline,
            resolution: file.resolution,
            start: file.start,
            end: file.end,
            state,
            source_key: source_key.to_string(),
            target_key: (cluster != "*").then(|| format_federated(cluster, file)),
            source: None,
            federated: None,
            problem: None,
            outcome: None,
        }
    }

    /// Read, split and plan one combined set; with `apply`, write and verify its `create` rows.
    async fn migrate_set(&self, file: &EtlFile, key: &str, size: u64) -> SetResult {
        let mut res = SetResult::default();
        let unreadable = |reason: String| {
            let mut row = self.row("*", file, key, PlanState::Unreadable);
            row.problem = Some(format!("{key}: {reason}"));
            row
        };
        let fetched = match self.fetcher.get(&*self.store, key, size).await {
            Ok(f) => f,
            Err(e) => {
                res.rows.push(unreadable(e.to_string()));
                return res;
            }
        };
        res.bytes_read += fetched.bytes.len() as u64;
        let (bytes, pipeline) = (fetched.bytes.clone(), file.pipeline);
        let split = match self.fetcher.decode(move || split::split(&bytes, pipeline)).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                res.rows.push(unreadable(e.to_string()));
                return res;
            }
            Err(e) => {
                res.rows.push(unreadable(e.to_string()));
                return res;
            }
        };
        drop(fetched);
        if split.unplaced > 0 {
            res.notes.push(format!(
                "{key}: {} item(s) name no cluster (empty properties.cluster); not migrated",
                split.unplaced
            ));
        }
        res.present = Some(split.clusters.keys().cloned().collect());
        for (cluster, part) in split.clusters {
            if !self.wanted(&cluster) {
                continue;
            }
            if !valid_folder(&cluster) {
                res.notes.push(format!(
                    "{key}: cluster {:?} cannot be a federated folder name; its {} item(s) were not migrated",
                    crate::format::printable(&cluster),
                    part.contents.share.items
                ));
                continue;
            }
            let mut row = self.row(&cluster, file, key, PlanState::Create);
            row.source = Some(part.contents.share);
            let target = row.target_key.clone().unwrap_or_default();
            if let Some(&existing) = self.federated.get(&target) {
                match self.read_contents(&target, existing, pipeline).await {
                    Ok((c, n)) => {
                        res.bytes_read += n;
                        row.federated = Some(c.share);
                        row.state = if same(&c, &part.contents) {
                            PlanState::Same
                        } else {
                            PlanState::Differs
                        };
                    }
                    Err(reason) => {
                        row.state = PlanState::Unreadable;
                        row.problem = Some(reason);
                    }
                }
            } else if self.opts.apply {
                let (outcome, written, read) = self.write_and_verify(&target, part, split.versions, pipeline).await;
                res.bytes_written += written;
                res.bytes_read += read;
                row.outcome = Some(outcome);
            }
            res.rows.push(row);
        }
        res
    }

    /// What a single-cluster file holds, and the bytes read. Errors: one line naming the key.
    async fn read_contents(&self, key: &str, size: u64, pipeline: Pipeline) -> Result<(Contents, u64), String> {
        let fetched = self.fetcher.get(&*self.store, key, size).await.map_err(|e| format!("{key}: {e}"))?;
        let n = fetched.bytes.len() as u64;
        let bytes = fetched.bytes.clone();
        let decoded = self
            .fetcher
            .decode(move || split::contents(&bytes, pipeline))
            .await
            .map_err(|e| format!("{key}: {e}"))?;
        decoded.map(|c| (c, n)).map_err(|e| format!("{key}: {e}"))
    }

    /// Encode `part` at `versions`, create `target` (never replacing an object), read it back and
    /// compare with the share. Returns the outcome, bytes written and bytes read.
    async fn write_and_verify(&self, target: &str, part: ClusterSet, versions: Versions, pipeline: Pipeline) -> (Outcome, u64, u64) {
        let failed = |reason: String| (Outcome::WriteFailed { reason }, 0, 0);
        let expected = part.contents;
        let root = part.root;
        let bytes = match self.fetcher.decode(move || bingen::encode(&root, versions)).await {
            Ok(b) => b,
            Err(e) => return failed(format!("encoding: {e}")),
        };
        let (size, sha256) = (bytes.len() as u64, crate::audit::sha256_hex(&bytes));
        let path = match ObjPath::parse(target) {
            Ok(p) => p,
            Err(e) => return failed(format!("{target}: {e}")),
        };
        if let Err(reason) = self.create(&path, bytes).await {
            return failed(format!("{target}: {reason}"));
        }
        match self.read_contents(target, size, pipeline).await {
            Ok((c, n)) if same(&c, &expected) => (Outcome::Verified { size, sha256 }, size, n),
            Ok((c, n)) => (
                Outcome::VerifyFailed {
                    reason: format!(
                        "{target}: read back {} item(s), totalCost {:.9}; the source's share is {} item(s), totalCost {:.9}",
                        c.share.items, c.share.total_cost, expected.share.items, expected.share.total_cost
                    ),
                },
                size,
                n,
            ),
            Err(reason) => (Outcome::VerifyFailed { reason }, size, 0),
        }
    }

    /// One atomic PUT that fails when the object exists (`PutMode::Create`; a FILESYSTEM store
    /// writes a staging file and links it into place). A store without conditional writes gets a
    /// HEAD, then a plain PUT. Errors: one line.
    async fn create(&self, path: &ObjPath, bytes: Vec<u8>) -> Result<(), String> {
        let size = bytes.len() as u64;
        let payload = PutPayload::from(bytes);
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        let exists = "another writer created it since the listing; not replaced".to_string();
        match within_deadline(path.as_ref(), size, self.store.put_opts(path, payload.clone(), opts)).await {
            Ok(_) => Ok(()),
            Err(object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. }) => Err(exists),
            Err(object_store::Error::NotImplemented { .. }) => {
                match within_deadline(path.as_ref(), 0, self.store.head(path)).await {
                    Ok(_) => return Err(exists),
                    Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(e.to_string()),
                }
                within_deadline(path.as_ref(), size, self.store.put(path, payload))
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// Same item keys, count and totalCost.
fn same(a: &Contents, b: &Contents) -> bool {
    a.share.matches(&b.share) && a.keys == b.keys
}

/// A readable backup set: its file, key and the clusters it holds items of.
type ReadSet<'a> = (&'a EtlFile, &'a str, &'a BTreeSet<String>);

/// `empty source` rows: per pipeline × resolution and wanted cluster, the readable backup windows
/// between the first and the last one holding the cluster that hold nothing for it.
fn empty_source_rows(ctx: &Ctx, results: &[(EtlFile, String, SetResult)]) -> Vec<PlanRow> {
    let mut groups: BTreeMap<(Pipeline, Resolution), Vec<ReadSet<'_>>> = BTreeMap::new();
    for (file, key, r) in results {
        if let Some(present) = &r.present {
            groups
                .entry((file.pipeline, file.resolution))
                .or_default()
                .push((file, key.as_str(), present));
        }
    }
    let mut rows = Vec::new();
    for sets in groups.values() {
        let clusters: BTreeSet<&String> = sets.iter().flat_map(|(_, _, p)| p.iter()).collect();
        for cluster in clusters.into_iter().filter(|c| ctx.wanted(c) && valid_folder(c)) {
            let holds: Vec<usize> = (0..sets.len()).filter(|&i| sets[i].2.contains(cluster)).collect();
            let (Some(&first), Some(&last)) = (holds.first(), holds.last()) else {
                continue;
            };
            for (file, key, present) in &sets[first..=last] {
                if !present.contains(cluster) {
                    let mut row = ctx.row(cluster, file, key, PlanState::EmptySource);
                    row.source = Some(Share::default());
                    rows.push(row);
                }
            }
        }
    }
    rows
}
