//! One federator pass: list, plan, then build each changed window and write it with the manifest.

use super::manifest::{Manifest, ManifestEntry, RecordedFailure, SourceRef};
use super::merge::{MergedSet, Merger};
use super::plan::{PlannedWindow, plan};
use super::target::Target;
use super::{Action, FederateError, FederateOptions, FederateReport, WindowReport};
use crate::bucket::keys::FEDERATOR_MANIFEST_KEY;
use crate::bucket::{self, EMPTY_FILE_MAX_BYTES, ObjectInfo};
use crate::progress::{FileFailure, Phase, TaskProgress};
use chrono::Utc;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

/// Save the manifest after this many written windows (and at the end of the pass), so a killed
/// pass loses little work without rewriting the manifest after every window.
const MANIFEST_SAVE_EVERY: usize = 20;

/// Run one pass. See [`super::run_once`].
pub(super) async fn pass(
    source: Arc<dyn ObjectStore>,
    opts: &FederateOptions,
    progress: &watch::Sender<TaskProgress>,
) -> Result<FederateReport, FederateError> {
    let started = Instant::now();
    let mut p = TaskProgress::new(super::TASK);
    p.phase = Phase::Listing;
    progress.send_replace(p.clone());

    let inv = bucket::scan(&*source).await?;
    let target = Target::open(&source, &opts.output, opts.bucket_root.as_deref(), opts.dry_run).map_err(FederateError::Target)?;
    let mut report = FederateReport {
        target: target.description.clone(),
        dry_run: opts.dry_run,
        ..Default::default()
    };
    if !opts.dry_run {
        report.notes.extend(target.clean_staging());
    }
    let mut manifest = match target.read_manifest().await.map_err(FederateError::Target)? {
        Some(bytes) => {
            let (m, note) = Manifest::from_json(&bytes);
            report.notes.extend(note);
            m
        }
        None => Manifest::default(),
    };
    let outputs = target.list_outputs().await.map_err(FederateError::Target)?;
    let plan = plan(&inv, &opts.clusters, opts.cutoff, &manifest, &outputs);
    report.notes.extend(plan.notes);
    report.skipped_before_cutoff = plan.skipped_before_cutoff;

    p.phase = Phase::Running;
    p.total = plan.windows.len() as u64;
    progress.send_replace(p.clone());
    let mut unsaved = 0usize;
    for w in &plan.windows {
        let outcome = if w.unchanged {
            unchanged(w, &manifest, &mut report)
        } else if opts.dry_run {
            WindowReport::new(w, Action::WouldWrite)
        } else {
            let r = build_and_write(&source, &target, w, &mut manifest, &outputs, opts.max_object_bytes, &mut report).await;
            if r.as_ref().is_ok_and(|o| o.action == Action::Written) {
                unsaved += 1;
            }
            if r.is_err() || unsaved >= MANIFEST_SAVE_EVERY {
                // Keep what was done before a write error, or periodically.
                save_manifest(&target, &mut manifest, unsaved > 0).await?;
                unsaved = 0;
            }
            r?
        };
        report.count(&outcome);
        p.done += 1;
        p.unchanged = report.unchanged as u64;
        p.rows = report.items;
        p.bytes = report.bytes_read;
        p.rate = report.items as f64 / started.elapsed().as_secs_f64().max(1e-9);
        p.failures = report.failures.clone();
        report.windows.push(outcome);
        progress.send_replace(p.clone());
    }
    if !opts.dry_run {
        save_manifest(&target, &mut manifest, unsaved > 0).await?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn save_manifest(target: &Target, manifest: &mut Manifest, dirty: bool) -> Result<(), FederateError> {
    if !dirty {
        return Ok(());
    }
    target
        .put(FEDERATOR_MANIFEST_KEY, manifest.to_json())
        .await
        .map_err(FederateError::Write)
}

/// An unchanged window: nothing is read; failures recorded when it was built are reported again.
fn unchanged(w: &PlannedWindow, manifest: &Manifest, report: &mut FederateReport) -> WindowReport {
    let mut out = WindowReport::new(w, Action::Unchanged);
    if let Some(e) = manifest.windows.get(&w.output_key) {
        out.items = e.items;
        for f in &e.failures {
            report.failures.push(FileFailure {
                key: f.key.clone(),
                reason: format!("{} (file unchanged since it failed)", f.reason),
            });
        }
    }
    out
}

/// The window's sources as read, merged.
struct Built {
    merged: MergedSet,
    refs: Vec<SourceRef>,
    failures: Vec<RecordedFailure>,
}

/// Fetch every source of `w` (concurrently), then decode and merge them on a blocking thread.
/// Returns `None` when a fetch failed (recorded in `report`; the window is retried next pass).
/// A source larger than `max_object_bytes` is not fetched: it is recorded as failed (like a
/// corrupt file) and the window is merged without it.
async fn build(
    source: &Arc<dyn ObjectStore>,
    w: &PlannedWindow,
    max_object_bytes: u64,
    report: &mut FederateReport,
) -> Result<Option<Built>, FederateError> {
    let fetches = w.sources.iter().map(|s| async move {
        if s.object.size > max_object_bytes {
            return Ok(None);
        }
        // As listed: parsed, not re-encoded (`Path::from` would turn `%` into `%25`).
        let key = ObjPath::parse(s.object.key.as_str())?;
        // The same per-object deadline as ingest's reads (bucket/fetch.rs): a stalled body is
        // given up on and the window retried next pass.
        crate::bucket::fetch::within_deadline(&s.object.key, s.object.size, async {
            let r = source.get(&key).await?;
            let meta = r.meta.clone();
            Ok(Some((r.bytes().await?, meta)))
        })
        .await
    });
    let results = futures::future::join_all(fetches).await;
    let mut inputs = Vec::with_capacity(results.len());
    let mut oversized = Vec::new();
    let mut fetch_failed = false;
    for (s, r) in w.sources.iter().zip(results) {
        match r {
            Ok(None) => {
                let reason = format!(
                    "the object is {} bytes, over the limit of {max_object_bytes} (--max-object-size); not fetched",
                    s.object.size
                );
                let r = SourceRef {
                    key: s.object.key.clone(),
                    etag: s.object.e_tag.clone(),
                    size: s.object.size,
                    last_modified: Some(s.object.last_modified),
                };
                oversized.push((r, reason));
            }
            Ok(Some((bytes, meta))) => {
                report.bytes_read += bytes.len() as u64;
                let o = ObjectInfo::from(meta);
                let r = SourceRef {
                    key: s.object.key.clone(),
                    etag: o.e_tag,
                    size: o.size,
                    last_modified: Some(o.last_modified),
                };
                inputs.push((s.cluster.clone(), r, bytes));
            }
            Err(e) => {
                fetch_failed = true;
                report.failures.push(FileFailure {
                    key: s.object.key.clone(),
                    reason: format!("cannot read: {e}"),
                });
            }
        }
    }
    if fetch_failed {
        return Ok(None);
    }
    let (pipeline, start, end) = (w.file.pipeline, w.file.start, w.file.end);
    tokio::task::spawn_blocking(move || {
        let mut merger = Merger::new(pipeline, start, end).expect("planned pipelines are decodable");
        let mut failures = Vec::new();
        let mut refs = Vec::with_capacity(inputs.len());
        for (r, reason) in oversized {
            failures.push(RecordedFailure {
                key: r.key.clone(),
                reason,
            });
            refs.push(r);
        }
        for (cluster, r, bytes) in inputs {
            if let Err(e) = merger.add(&cluster, &bytes) {
                failures.push(RecordedFailure {
                    key: r.key.clone(),
                    reason: e.to_string(),
                });
            }
            refs.push(r);
        }
        Some(Built {
            merged: merger.finish(),
            refs,
            failures,
        })
    })
    .await
    .map_err(FederateError::Task)
}

/// Build `w`, apply the never-empty-over-non-empty rule, write it and record it in the manifest.
async fn build_and_write(
    source: &Arc<dyn ObjectStore>,
    target: &Target,
    w: &PlannedWindow,
    manifest: &mut Manifest,
    outputs: &HashMap<String, ObjectInfo>,
    max_object_bytes: u64,
    report: &mut FederateReport,
) -> Result<WindowReport, FederateError> {
    let Some(built) = build(source, w, max_object_bytes, report).await? else {
        return Ok(WindowReport::new(w, Action::Failed));
    };
    for f in &built.failures {
        report.failures.push(FileFailure {
            key: f.key.clone(),
            reason: f.reason.clone(),
        });
    }
    if let Some((cluster, key)) = built.merged.duplicates.first() {
        report.duplicates += built.merged.duplicates.len() as u64;
        report.notes.push(format!(
            "{}: {} key(s) present in more than one cluster; kept the first cluster's item (e.g. {key:?} again in {cluster})",
            w.output_key,
            built.merged.duplicates.len()
        ));
    }
    let mut out = WindowReport::new(w, Action::Written);
    out.items = built.merged.items;
    if built.merged.sources == 0 {
        out.action = Action::Failed;
        return Ok(out);
    }
    let existing_non_empty = match manifest.windows.get(&w.output_key) {
        Some(e) => e.items > 0,
        None => outputs.get(&w.output_key).is_some_and(|o| o.size > EMPTY_FILE_MAX_BYTES),
    };
    if built.merged.items == 0 && existing_non_empty {
        out.action = Action::KeptNonEmpty;
        report.notes.push(format!(
            "{}: the sources now merge to an empty set; kept the existing non-empty file",
            w.output_key
        ));
        return Ok(out);
    }
    let bytes = built.merged.bytes.len() as u64;
    target.put(&w.output_key, built.merged.bytes).await.map_err(FederateError::Write)?;
    out.bytes_written = bytes;
    report.bytes_written += bytes;
    report.items += built.merged.items;
    manifest.windows.insert(
        w.output_key.clone(),
        ManifestEntry {
            sources: built.refs,
            items: built.merged.items,
            bytes,
            written: Utc::now(),
            failures: built.failures,
        },
    );
    Ok(out)
}
