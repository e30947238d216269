//! The checks of `costscope verify` over the objects read (docs/audit.md, "What verify checks"):
//! each finding names the check, the object key and the reason.

use super::scan::{Contents, ObjectRecord};
use crate::bucket::inventory::{EMPTY_FILE_MAX_BYTES, Source};
use crate::bucket::keys::{Pipeline, Resolution};
use serde::Serialize;
use std::collections::BTreeMap;

/// Relative tolerance of the sums compared (hourly against daily, combined against clusters):
/// |a − b| ≤ 1e-9 × max(1, |a|).
pub const SUM_TOLERANCE: f64 = 1e-9;

/// Which check a finding comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The object could not be downloaded or decoded (the reason has the decoder's offset).
    Decode,
    /// The key's window is not the set's window, or not one window of its resolution.
    Name,
    /// A file of at most 86 B that holds items, or an empty set larger than 86 B (migration
    /// progress counts files by that size).
    Empty,
    /// Windows missing between two files of one cluster × pipeline × resolution.
    Gap,
    /// Two files of one cluster × pipeline × resolution whose windows overlap.
    Overlap,
    /// 24 hourly sets whose total differs from their daily set's.
    HourlyDaily,
    /// A `federated/combined` set whose total differs from the sum of the clusters' sets.
    Combined,
    /// The local database's ingest log disagrees with the bucket (changed or deleted objects).
    IngestLog,
    /// The bucket differs from the manifest given with `--against`.
    Manifest,
}

impl Check {
    /// The name shown and written in JSON (`hourly-daily`).
    pub fn name(self) -> &'static str {
        match self {
            Check::Decode => "decode",
            Check::Name => "name",
            Check::Empty => "empty",
            Check::Gap => "gap",
            Check::Overlap => "overlap",
            Check::HourlyDaily => "hourly-daily",
            Check::Combined => "combined",
            Check::IngestLog => "ingest-log",
            Check::Manifest => "manifest",
        }
    }
}

/// One failed check: which, the object key (or the missing window's key), and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub check: Check,
    pub key: String,
    pub reason: String,
}

impl Finding {
    pub(crate) fn new(check: Check, key: impl Into<String>, reason: impl Into<String>) -> Finding {
        Finding {
            check,
            key: key.into(),
            reason: reason.into(),
        }
    }
}

/// How many comparisons the sum checks made (a check that compared nothing is not a pass).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Compared {
    /// Daily sets whose 24 hourly sets were all present and summed.
    pub hourly_days: u64,
    /// Combined sets compared with their clusters.
    pub combined_sets: u64,
}

fn day(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map_or(t.to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
}

/// Per object: decoded, key window = set window, one window of the resolution, the 86 B rule.
pub fn per_object(records: &[ObjectRecord]) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in records {
        let c = match &r.decoded {
            Ok(c) => c,
            Err(e) => {
                out.push(Finding::new(Check::Decode, &r.key, e.to_string()));
                continue;
            }
        };
        if (c.set_start, c.set_end) != (Some(r.start), Some(r.end)) {
            let show = |t: Option<i64>| t.map_or("open".to_string(), day);
            out.push(Finding::new(
                Check::Name,
                &r.key,
                format!(
                    "the set covers {} .. {} but its key names {} .. {}",
                    show(c.set_start),
                    show(c.set_end),
                    day(r.start),
                    day(r.end)
                ),
            ));
        }
        if r.end - r.start != r.resolution.seconds() {
            out.push(Finding::new(
                Check::Name,
                &r.key,
                format!("the key's window is {} s long, not one {} window", r.end - r.start, r.resolution),
            ));
        }
        let small = r.size <= EMPTY_FILE_MAX_BYTES;
        if small && c.items > 0 {
            out.push(Finding::new(
                Check::Empty,
                &r.key,
                format!("{} B, counted as empty, but the set holds {} items", r.size, c.items),
            ));
        } else if !small && c.items == 0 {
            out.push(Finding::new(
                Check::Empty,
                &r.key,
                format!("an empty set of {} B (over {EMPTY_FILE_MAX_BYTES} B: counted as data)", r.size),
            ));
        }
    }
    out
}

type SeriesKey = (Source, Pipeline, Resolution);

fn series(records: &[ObjectRecord]) -> BTreeMap<SeriesKey, Vec<&ObjectRecord>> {
    let mut m: BTreeMap<SeriesKey, Vec<&ObjectRecord>> = BTreeMap::new();
    for r in records {
        m.entry((r.source.clone(), r.pipeline, r.resolution)).or_default().push(r);
    }
    for v in m.values_mut() {
        v.sort_by_key(|r| (r.start, r.end));
    }
    m
}

/// Gaps and overlaps between consecutive windows of each tree × pipeline × resolution (from the
/// first file to the last). A gap's key is the missing window's key.
pub fn windows(records: &[ObjectRecord]) -> Vec<Finding> {
    let mut out = Vec::new();
    for files in series(records).values() {
        for w in files.windows(2) {
            let (a, b) = (w[0], w[1]);
            if b.start > a.end {
                let dir = a.key.rsplit_once('/').map_or("", |(d, _)| d);
                let n = (b.start - a.end) / a.resolution.seconds().max(1);
                out.push(Finding::new(
                    Check::Gap,
                    format!("{dir}/{}-{}", a.end, b.start),
                    format!(
                        "no file for {} .. {} ({n} {} window(s) missing)",
                        day(a.end),
                        day(b.start),
                        a.resolution
                    ),
                ));
            } else if b.start < a.end {
                out.push(Finding::new(
                    Check::Overlap,
                    &b.key,
                    format!("overlaps {} by {} s", a.key, a.end - b.start),
                ));
            }
        }
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= SUM_TOLERANCE * a.abs().max(1.0)
}

fn ok(r: &ObjectRecord) -> Option<&Contents> {
    r.decoded.as_ref().ok()
}

/// Each daily set whose 24 hourly sets (same tree and pipeline) are all present and decoded:
/// the hourly totals sum to the daily total. `federated/combined` is not compared: its hourly
/// sets merge only the clusters that write hourly files, its daily sets every cluster (each
/// combined set is reconciled with its own clusters by [`combined`] instead).
pub fn hourly_daily(records: &[ObjectRecord], compared: &mut Compared) -> Vec<Finding> {
    let hourly: BTreeMap<(&Source, Pipeline, i64), &ObjectRecord> = records
        .iter()
        .filter(|r| r.resolution == Resolution::HOUR && r.end - r.start == 3_600)
        .map(|r| ((&r.source, r.pipeline, r.start), r))
        .collect();
    let mut out = Vec::new();
    for d in records
        .iter()
        .filter(|r| r.resolution == Resolution::DAY && r.source != Source::Combined)
    {
        let Some(daily) = ok(d) else { continue };
        let hours: Option<Vec<&Contents>> = (0..24)
            .map(|h| hourly.get(&(&d.source, d.pipeline, d.start + h * 3_600)).and_then(|r| ok(r)))
            .collect();
        let Some(hours) = hours else { continue };
        compared.hourly_days += 1;
        let sum: f64 = hours.iter().map(|c| c.total_cost).sum();
        if !close(daily.total_cost, sum) {
            out.push(Finding::new(
                Check::HourlyDaily,
                &d.key,
                format!("totalCost {:.9} but its 24 hourly sets sum to {sum:.9}", daily.total_cost),
            ));
        }
    }
    out
}

/// Each `federated/combined` set: its total equals the sum of the clusters' sets of the same
/// pipeline, resolution and window.
pub fn combined(records: &[ObjectRecord], compared: &mut Compared) -> Vec<Finding> {
    let mut clusters: BTreeMap<(Pipeline, Resolution, i64, i64), (f64, usize)> = BTreeMap::new();
    for r in records.iter().filter(|r| matches!(r.source, Source::Federated(_))) {
        if let Some(c) = ok(r) {
            let e = clusters.entry((r.pipeline, r.resolution, r.start, r.end)).or_default();
            e.0 += c.total_cost;
            e.1 += 1;
        }
    }
    let mut out = Vec::new();
    for r in records.iter().filter(|r| r.source == Source::Combined) {
        let Some(c) = ok(r) else { continue };
        compared.combined_sets += 1;
        let (sum, n) = clusters
            .get(&(r.pipeline, r.resolution, r.start, r.end))
            .copied()
            .unwrap_or_default();
        if !close(c.total_cost, sum) {
            out.push(Finding::new(
                Check::Combined,
                &r.key,
                format!(
                    "totalCost {:.9} but the {n} cluster set(s) of its window sum to {sum:.9}",
                    c.total_cost
                ),
            ));
        }
    }
    out
}
