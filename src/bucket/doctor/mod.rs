//! `costscope bucket --doctor`: what Kubecost support asks about a bucket by hand, found from one
//! listing ([`super::Inventory`]) and one decode of each ETL set ([`read`]). Read-only: nothing
//! is written, moved or deleted. docs/user-guide.md ("bucket --doctor") defines every finding
//! kind with its Kubecost, OpenCost or Thanos source; the JSON shape is documented there too.
//!
//! Each [`FindingKind`] is always present in the report (count 0 when clean), in
//! [`FindingKind::ALL`] order, with its objects (key, bytes, detail) in listing order.

pub mod read;
pub mod render;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::inventory::{Inventory, Series, Source, WindowObject};
use super::keys::{EtlFile, Resolution, format_federated};
use super::report::window_label;

/// Kubecost's hourly ETL retention (`kubecostModel.etlHourlyStoreDurationHours`, 49 h): the
/// default of `--retention-hours`, as for `costscope ingest`.
pub const DEFAULT_HOURLY_RETENTION_HOURS: i64 = 49;

/// One kind of finding. JSON names are camelCase (`emptySet`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    /// An ETL set that decodes to no items (OpenCost writes an empty AllocationSet as 77 bytes,
    /// an empty AssetSet as 68; Kubecost docs say 86).
    EmptySet,
    /// A file under `federated/combined/`: Federator output that the Kubecost 2.x Aggregator and
    /// costscope's ingest never read.
    StaleCombined,
    /// An hourly set whose window ended more than the hourly retention before now.
    HourlyPastRetention,
    /// A Thanos block directory without `meta.json` (uploaded last), without `index`, or without
    /// any `chunks/` object.
    PartialThanosUpload,
    /// A window between a federated cluster's first and last file (same pipeline and resolution)
    /// with no file. The key is the one the file would have; bytes are 0.
    MissingFederatedWindow,
    /// A set whose decoded window differs from the window in its key.
    WindowMismatch,
    /// An ETL set that could not be read or decoded (the reason is the detail).
    Unreadable,
}

impl FindingKind {
    /// Every kind, in report order.
    pub const ALL: [FindingKind; 7] = [
        FindingKind::EmptySet,
        FindingKind::StaleCombined,
        FindingKind::HourlyPastRetention,
        FindingKind::PartialThanosUpload,
        FindingKind::MissingFederatedWindow,
        FindingKind::WindowMismatch,
        FindingKind::Unreadable,
    ];

    /// A few words for the table (`empty sets`).
    pub fn label(self) -> &'static str {
        match self {
            FindingKind::EmptySet => "empty sets",
            FindingKind::StaleCombined => "stale federated/combined files",
            FindingKind::HourlyPastRetention => "hourly files past retention",
            FindingKind::PartialThanosUpload => "partial Thanos uploads",
            FindingKind::MissingFederatedWindow => "federated windows missing in a cluster's range",
            FindingKind::WindowMismatch => "sets whose window disagrees with their key",
            FindingKind::Unreadable => "unreadable sets",
        }
    }
}

/// One object (or missing object) behind a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingItem {
    /// Object key relative to the store prefix; a Thanos block is `<ULID>/`.
    pub key: String,
    /// Bytes of the object (of the whole block directory for a Thanos block; 0 for a missing
    /// window).
    pub bytes: u64,
    /// What is wrong, in a few words.
    pub detail: String,
}

/// All findings of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The kind.
    pub kind: FindingKind,
    /// Number of items.
    pub count: usize,
    /// Sum of the items' bytes.
    pub bytes: u64,
    /// The items, in listing order (series by source, pipeline, resolution; files by window).
    pub items: Vec<FindingItem>,
}

/// What the doctor found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoctorReport {
    /// The "now" hourly retention was measured against ([`crate::clock::now`]).
    pub generated_at: DateTime<Utc>,
    /// Hourly retention in hours (`--retention-hours`).
    pub hourly_retention_hours: i64,
    /// Objects listed.
    pub objects_listed: u64,
    /// ETL sets decoded.
    pub sets_decoded: usize,
    /// Items of every kind together.
    pub total_findings: usize,
    /// One entry per [`FindingKind::ALL`], in that order.
    pub findings: Vec<Finding>,
}

impl DoctorReport {
    /// The finding of `kind`.
    pub fn finding(&self, kind: FindingKind) -> Option<&Finding> {
        self.findings.iter().find(|f| f.kind == kind)
    }
}

/// What decoding one ETL set showed ([`read::read_sets`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetFact {
    /// It decoded: its item count and its window in unix seconds (`None` when open).
    Decoded {
        /// Items (allocations, assets or cloud costs) in the set.
        items: u64,
        /// `(start, end)` of the set's window.
        window: Option<(i64, i64)>,
    },
    /// It could not be read or decoded: why.
    Failed(String),
}

/// [`SetFact`]s by object key.
pub type SetFacts = HashMap<String, SetFact>;

/// `source pipeline res window` of a file, for details.
fn place(s: &Series, f: &WindowObject) -> String {
    format!(
        "{} {} {} {}",
        s.source,
        s.pipeline,
        s.resolution,
        window_label(f.start, s.resolution)
    )
}

fn item(f: &WindowObject, detail: String) -> FindingItem {
    FindingItem {
        key: f.object.key.clone(),
        bytes: f.object.size,
        detail,
    }
}

/// Every finding of `inv`, given the decoded `sets`, an hourly retention of `retention_hours`
/// and `now` (pure).
pub fn diagnose(inv: &Inventory, sets: &SetFacts, retention_hours: i64, now: DateTime<Utc>) -> DoctorReport {
    let mut found: HashMap<FindingKind, Vec<FindingItem>> = HashMap::new();
    let mut add = |k: FindingKind, i: FindingItem| found.entry(k).or_default().push(i);
    let cutoff = now.timestamp().saturating_sub(retention_hours.saturating_mul(3_600));
    for s in &inv.series {
        for f in &s.files {
            match sets.get(&f.object.key) {
                Some(SetFact::Decoded { items: 0, .. }) => add(FindingKind::EmptySet, item(f, format!("{}: no items", place(s, f)))),
                Some(SetFact::Failed(why)) => add(FindingKind::Unreadable, item(f, why.clone())),
                _ => {}
            }
            if let Some(SetFact::Decoded { window, .. }) = sets.get(&f.object.key)
                && *window != Some((f.start, f.end))
            {
                let said = window.map_or_else(|| "an open window".to_string(), |(a, b)| format!("window {a}-{b}"));
                add(
                    FindingKind::WindowMismatch,
                    item(f, format!("key says {}-{}, the set says {said}", f.start, f.end)),
                );
            }
            if s.source == Source::Combined {
                add(FindingKind::StaleCombined, item(f, place(s, f)));
            }
            if s.resolution.seconds() < Resolution::DAY.seconds() && f.end <= cutoff {
                let hours = (now.timestamp() - f.end) / 3_600;
                add(
                    FindingKind::HourlyPastRetention,
                    item(f, format!("{}: ended {hours} h ago", place(s, f))),
                );
            }
        }
        if let Source::Federated(cluster) = &s.source {
            for start in s.missing_starts() {
                let file = EtlFile {
                    pipeline: s.pipeline,
                    resolution: s.resolution,
                    start,
                    end: start + s.resolution.seconds(),
                };
                let detail = format!(
                    "{cluster} {} {} {}: no file",
                    s.pipeline,
                    s.resolution,
                    window_label(start, s.resolution)
                );
                add(
                    FindingKind::MissingFederatedWindow,
                    FindingItem {
                        key: format_federated(cluster, &file),
                        bytes: 0,
                        detail,
                    },
                );
            }
        }
    }
    for b in &inv.thanos_blocks {
        let mut lacks = Vec::new();
        if !b.has_meta {
            lacks.push("meta.json");
        }
        if !b.has_index {
            lacks.push("index");
        }
        if b.chunks == 0 {
            lacks.push("chunks");
        }
        if !lacks.is_empty() {
            let detail = format!("no {} ({} object(s))", lacks.join(", no "), b.objects);
            add(
                FindingKind::PartialThanosUpload,
                FindingItem {
                    key: format!("{}/", b.ulid),
                    bytes: b.bytes,
                    detail,
                },
            );
        }
    }
    let findings: Vec<Finding> = FindingKind::ALL
        .iter()
        .map(|&kind| {
            let items = found.remove(&kind).unwrap_or_default();
            Finding {
                kind,
                count: items.len(),
                bytes: items.iter().map(|i| i.bytes).sum(),
                items,
            }
        })
        .collect();
    DoctorReport {
        generated_at: now,
        hourly_retention_hours: retention_hours,
        objects_listed: inv.total_objects,
        sets_decoded: sets.values().filter(|f| matches!(f, SetFact::Decoded { .. })).count(),
        total_findings: findings.iter().map(|f| f.count).sum(),
        findings,
    }
}
