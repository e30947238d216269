//! Which windows a federator pass has to (re)build, from the inventory, the options and the
//! manifest. Pure: no I/O.

use super::manifest::{Manifest, SourceRef};
use crate::bucket::keys::{EtlFile, Pipeline, Resolution, format_combined};
use crate::bucket::{Inventory, ObjectInfo, Source};
use std::collections::{BTreeMap, HashMap};

/// One cluster's file for a window.
#[derive(Clone, Debug)]
pub(crate) struct PlannedSource {
    pub(crate) cluster: String,
    pub(crate) object: ObjectInfo,
}

impl PlannedSource {
    pub(crate) fn reference(&self) -> SourceRef {
        SourceRef {
            key: self.object.key.clone(),
            etag: self.object.e_tag.clone(),
            size: self.object.size,
            last_modified: Some(self.object.last_modified),
        }
    }
}

/// One output window and its sources (sorted by key).
#[derive(Clone, Debug)]
pub(crate) struct PlannedWindow {
    pub(crate) file: EtlFile,
    pub(crate) output_key: String,
    pub(crate) sources: Vec<PlannedSource>,
    /// True when the manifest and the target show this exact output already built.
    pub(crate) unchanged: bool,
}

/// The pass's plan.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub(crate) windows: Vec<PlannedWindow>,
    pub(crate) skipped_before_cutoff: usize,
    pub(crate) notes: Vec<String>,
}

/// Group the federated files of allowed clusters by pipeline × resolution × window.
///
/// `clusters` empty = every cluster. `cutoff` (Unix seconds) skips windows that start before it.
/// A window is unchanged when the manifest has an entry for its output key with the same sources
/// and the output exists in the target (`outputs`).
pub(crate) fn plan(
    inv: &Inventory,
    clusters: &[String],
    cutoff: Option<i64>,
    manifest: &Manifest,
    outputs: &HashMap<String, ObjectInfo>,
) -> Plan {
    let mut out = Plan::default();
    for c in clusters {
        if !inv.clusters.contains(c) {
            out.notes.push(format!(
                "cluster {c:?} from the allow-list has no files under federated/{c}/etl/bingen"
            ));
        }
    }
    let mut groups: BTreeMap<(Pipeline, Resolution, i64, i64), Vec<PlannedSource>> = BTreeMap::new();
    let mut undecodable: BTreeMap<Pipeline, usize> = BTreeMap::new();
    for s in &inv.series {
        let Source::Federated(cluster) = &s.source else { continue };
        if !clusters.is_empty() && !clusters.contains(cluster) {
            continue;
        }
        if s.pipeline.root_kind().is_none() {
            *undecodable.entry(s.pipeline).or_default() += s.files.len();
            continue;
        }
        for f in &s.files {
            if cutoff.is_some_and(|c| f.start < c) {
                continue;
            }
            let src = PlannedSource {
                cluster: cluster.clone(),
                object: f.object.clone(),
            };
            groups.entry((s.pipeline, s.resolution, f.start, f.end)).or_default().push(src);
        }
    }
    for (p, n) in undecodable {
        out.notes.push(format!(
            "{n} {p} file(s) not federated: costscope has no decoder for the {p} pipeline"
        ));
    }
    out.skipped_before_cutoff = cutoff.map_or(0, |c| count_windows_before(inv, clusters, c));
    for ((pipeline, resolution, start, end), mut sources) in groups {
        sources.sort_by(|a, b| a.object.key.cmp(&b.object.key));
        let file = EtlFile {
            pipeline,
            resolution,
            start,
            end,
        };
        let output_key = format_combined(&file);
        let refs: Vec<SourceRef> = sources.iter().map(PlannedSource::reference).collect();
        let unchanged = outputs.contains_key(&output_key) && manifest.windows.get(&output_key).is_some_and(|e| e.same_sources(&refs));
        out.windows.push(PlannedWindow {
            file,
            output_key,
            sources,
            unchanged,
        });
    }
    out
}

/// Distinct windows of decodable pipelines (allowed clusters) that start before `cutoff`.
fn count_windows_before(inv: &Inventory, clusters: &[String], cutoff: i64) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    for s in &inv.series {
        let Source::Federated(cluster) = &s.source else { continue };
        if (!clusters.is_empty() && !clusters.contains(cluster)) || s.pipeline.root_kind().is_none() {
            continue;
        }
        for f in s.files.iter().filter(|f| f.start < cutoff) {
            seen.insert((s.pipeline, s.resolution, f.start, f.end));
        }
    }
    seen.len()
}
