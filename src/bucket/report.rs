//! What `costscope bucket` prints: a summary of an [`Inventory`] as rows (one per source ×
//! pipeline × resolution), Thanos totals and plain-language notes, as a text table or JSON.

use super::coverage::Coverage;
use super::inventory::{EMPTY_FILE_MAX_BYTES, Inventory, Series, Source};
use super::keys::{COMBINED_CLUSTER, Pipeline, Resolution};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt::Write;

/// Keys of unknown objects quoted in the notes, at most.
const UNKNOWN_EXAMPLES: usize = 5;

/// One line of the table: a series' counts. Dates are window starts in UTC (`YYYY-MM-DD`, or
/// `YYYY-MM-DD HH:MM` below daily resolution).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesRow {
    /// Cluster name, `(combined)` or `(etl backup)`.
    pub source: String,
    /// The tree, as in [`Source`].
    pub tree: &'static str,
    /// Pipeline directory name.
    pub pipeline: Pipeline,
    /// Resolution directory name.
    pub resolution: Resolution,
    /// Number of files.
    pub files: usize,
    /// Start of the first window.
    pub first: Option<String>,
    /// Start of the last window.
    pub last: Option<String>,
    /// Total bytes.
    pub bytes: u64,
    /// Files of at most 86 bytes.
    pub empty: usize,
    /// Windows missing between the first and the last.
    pub missing: u64,
    /// Federated clusters: windows of the bucket's federated window (first to last window of any
    /// cluster, same pipeline and resolution) with no file here ([`Coverage`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_in_federated_window: Option<u64>,
    /// Federated clusters: windows the ETL backup holds with no file here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_only: Option<u64>,
}

/// Thanos totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThanosSummary {
    /// Block directories with `meta.json`.
    pub blocks: usize,
    /// Of those, with `deletion-mark.json`.
    pub deletion_marked: usize,
    /// Block directories without `meta.json` (ULIDs).
    pub partial_uploads: Vec<String>,
    /// Objects in block directories.
    pub objects: u64,
    /// Bytes in block directories.
    pub bytes: u64,
}

/// The whole printable summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InventorySummary {
    /// Federated cluster directories (not `combined`).
    pub clusters: Vec<String>,
    /// One row per series.
    pub rows: Vec<SeriesRow>,
    /// Thanos block totals.
    pub thanos: ThanosSummary,
    /// Objects in no known layout.
    pub unknown_objects: usize,
    /// Objects and bytes listed.
    pub total_objects: u64,
    /// Bytes listed.
    pub total_bytes: u64,
    /// Plain-language findings (unread layouts, empty files, gaps, partial uploads, ...).
    pub notes: Vec<String>,
}

/// Start of a window as a UTC date (daily and longer) or date and time (shorter).
pub fn window_label(unix: i64, resolution: Resolution) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp(unix, 0) else {
        return format!("@{unix}");
    };
    if resolution.seconds() >= 86_400 {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// Bytes as `12.3 MB` (decimal units), or `512 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1000.0;
    let mut i = 0;
    while v >= 1000.0 && i + 1 < UNITS.len() {
        v /= 1000.0;
        i += 1;
    }
    format!("{v:.1} {}", UNITS[i])
}

fn row(s: &Series, coverage: &[Coverage]) -> SeriesRow {
    let cov = match &s.source {
        Source::Federated(c) => coverage
            .iter()
            .find(|v| &v.cluster == c && v.pipeline == s.pipeline && v.resolution == s.resolution),
        _ => None,
    };
    let tree = match s.source {
        Source::Federated(_) => "federated",
        Source::Combined => COMBINED_CLUSTER,
        Source::Backup => "backup",
    };
    SeriesRow {
        source: s.source.to_string(),
        tree,
        pipeline: s.pipeline,
        resolution: s.resolution,
        files: s.files.len(),
        first: s.regular_files().next().map(|f| window_label(f.start, s.resolution)),
        last: s.regular_files().last().map(|f| window_label(f.start, s.resolution)),
        bytes: s.bytes(),
        empty: s.empty_files().count(),
        missing: s.missing_windows(),
        missing_in_federated_window: cov.map(|c| c.missing_in_federated_window.len() as u64),
        backup_only: cov.map(|c| c.backup_only.len() as u64),
    }
}

/// Build the summary (rows, Thanos totals and notes) of `inv`.
pub fn summarize(inv: &Inventory) -> InventorySummary {
    let coverage = inv.coverage();
    let thanos = ThanosSummary {
        blocks: inv.complete_blocks().count(),
        deletion_marked: inv.complete_blocks().filter(|b| b.deletion_marked).count(),
        partial_uploads: inv.partial_blocks().map(|b| b.ulid.clone()).collect(),
        objects: inv.thanos_blocks.iter().map(|b| b.objects).sum(),
        bytes: inv.thanos_blocks.iter().map(|b| b.bytes).sum(),
    };
    InventorySummary {
        clusters: inv.clusters.clone(),
        rows: inv.series.iter().map(|s| row(s, &coverage)).collect(),
        thanos,
        unknown_objects: inv.unknown.len(),
        total_objects: inv.total_objects,
        total_bytes: inv.total_bytes,
        notes: notes_with(inv, &coverage),
    }
}

/// Findings worth telling the user, one sentence each.
pub fn notes(inv: &Inventory) -> Vec<String> {
    notes_with(inv, &inv.coverage())
}

/// [`notes`] with the inventory's [`Coverage`] already computed.
fn notes_with(inv: &Inventory, coverage: &[Coverage]) -> Vec<String> {
    let mut out = Vec::new();
    for g in &inv.foreign {
        out.push(format!(
            "{}: {} object(s) of {} (e.g. {})",
            g.dir,
            g.objects,
            g.layout.describe(),
            g.example
        ));
    }
    if inv.clusters.is_empty() {
        out.push(
            "no federated/<cluster>/etl/bingen files found: this is not a Kubecost 2.x federated bucket, or the store's `prefix` is wrong"
                .into(),
        );
    }
    for s in &inv.series {
        let what = format!("{} {} {}", s.source, s.pipeline, s.resolution);
        let empty: Vec<String> = s.empty_files().map(|f| window_label(f.start, s.resolution)).collect();
        if !empty.is_empty() {
            out.push(format!(
                "{what}: {} empty file(s) (≤ {EMPTY_FILE_MAX_BYTES} B): {}",
                empty.len(),
                list(&empty)
            ));
        }
        let missing = s.missing_windows();
        if missing > 0 {
            out.push(format!("{what}: {missing} window(s) missing between the first and the last file"));
        }
        let odd: Vec<String> = s.odd_windows().map(|f| f.object.key.clone()).collect();
        if !odd.is_empty() {
            out.push(format!(
                "{what}: {} file(s) whose window is not one {} window up to now (not counted in FIRST, LAST and the gaps), e.g. {}",
                odd.len(),
                s.resolution,
                odd[0]
            ));
        }
        if s.pipeline.root_kind().is_none() {
            out.push(format!(
                "{what}: costscope has no decoder for the {} pipeline; its files are listed but not read",
                s.pipeline
            ));
        }
    }
    for c in coverage {
        let what = format!("{} {} {}", c.cluster, c.pipeline, c.resolution);
        let labels = |v: &[i64]| list(&v.iter().map(|t| window_label(*t, c.resolution)).collect::<Vec<_>>());
        if !c.missing_in_federated_window.is_empty() {
            out.push(format!(
                "{what}: {} window(s) of the bucket's federated window have no file: {}",
                c.missing_in_federated_window.len(),
                labels(&c.missing_in_federated_window)
            ));
        }
        if !c.backup_only.is_empty() {
            out.push(format!(
                "{what}: {} window(s) of the ETL backup (all clusters' sets) have no federated file here: {}",
                c.backup_only.len(),
                labels(&c.backup_only)
            ));
        }
    }
    if inv.series.iter().any(|s| s.source == Source::Combined) {
        out.push("federated/combined holds Federator output (Kubecost 1.x primaries read it; the 2.x Aggregator and costscope's ingest ignore it)".into());
    }
    let partial: Vec<String> = inv.partial_blocks().map(|b| b.ulid.clone()).collect();
    if !partial.is_empty() {
        out.push(format!(
            "{} Thanos block dir(s) without meta.json (partial or in-progress upload): {}",
            partial.len(),
            list(&partial)
        ));
    }
    for p in &inv.unlisted {
        out.push(format!("not listed: {p}"));
    }
    if !inv.unknown.is_empty() {
        let keys: Vec<String> = inv.unknown.iter().take(UNKNOWN_EXAMPLES).map(|o| o.key.clone()).collect();
        out.push(format!(
            "{} object(s) in no known layout, e.g. {}",
            inv.unknown.len(),
            keys.join(", ")
        ));
    }
    out
}

/// At most 6 items, then `and N more`.
fn list(items: &[String]) -> String {
    if items.len() <= 6 {
        items.join(", ")
    } else {
        format!("{}, and {} more", items[..6].join(", "), items.len() - 6)
    }
}

/// The summary as an aligned text table followed by the Thanos line and the notes.
pub fn render_table(s: &InventorySummary) -> String {
    let header = [
        "SOURCE",
        "PIPELINE",
        "RES",
        "FILES",
        "FIRST",
        "LAST",
        "BYTES",
        "EMPTY",
        "GAPS",
        "MISSING",
        "BACKUP ONLY",
    ];
    let opt = |v: Option<u64>| v.map_or_else(|| "—".to_string(), |n| n.to_string());
    let cells: Vec<[String; 11]> = s
        .rows
        .iter()
        .map(|r| {
            [
                r.source.clone(),
                r.pipeline.to_string(),
                r.resolution.to_string(),
                r.files.to_string(),
                r.first.clone().unwrap_or_default(),
                r.last.clone().unwrap_or_default(),
                human_bytes(r.bytes),
                r.empty.to_string(),
                r.missing.to_string(),
                opt(r.missing_in_federated_window),
                opt(r.backup_only),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for c in &cells {
        for (w, v) in width.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    let numeric = [false, false, false, true, false, false, true, true, true, true, true];
    let mut out = String::new();
    let mut line = |vals: &[String]| {
        let mut l = String::new();
        for (i, v) in vals.iter().enumerate() {
            let pad = width[i] - v.chars().count();
            if i > 0 {
                l.push_str("  ");
            }
            if numeric[i] {
                l.push_str(&" ".repeat(pad));
                l.push_str(v);
            } else {
                l.push_str(v);
                l.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for c in &cells {
        line(c);
    }
    let t = &s.thanos;
    let _ = writeln!(
        out,
        "\nThanos: {} block(s) ({} deletion-marked), {} partial upload(s); {} objects, {}",
        t.blocks,
        t.deletion_marked,
        t.partial_uploads.len(),
        t.objects,
        human_bytes(t.bytes)
    );
    let _ = writeln!(
        out,
        "Total: {} objects, {}; clusters: {}",
        s.total_objects,
        human_bytes(s.total_bytes),
        s.clusters.join(", ")
    );
    if !s.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &s.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    out
}
