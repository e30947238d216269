//! Thanos blocks as migration sources: the fields of a block's `meta.json` the migration view
//! needs, and per-UTC-day coverage of the union of block time ranges.
//!
//! `meta.json` follows Thanos `pkg/block/metadata` (`Meta` = Prometheus `tsdb.BlockMeta` plus the
//! `thanos` section): `minTime`/`maxTime` are Unix milliseconds with `maxTime` exclusive,
//! `thanos.labels` are the external labels (Kubecost sets `cluster_id`), and
//! `thanos.downsample.resolution` is 0 (raw), 300000 (5m) or 3600000 (1h) milliseconds.
//! Blocks overlap legitimately — HA replicas upload the same range twice, and the compactor's
//! outputs coexist with their sources until those are deleted — so coverage is computed on the
//! union of ranges, never on a sum.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Milliseconds in one UTC day.
pub const DAY_MS: i64 = 86_400_000;

/// Downsampling resolution of raw blocks (ms).
pub const RESOLUTION_RAW: i64 = 0;
/// Downsampling resolution of 5-minute blocks (ms).
pub const RESOLUTION_5M: i64 = 300_000;
/// Downsampling resolution of 1-hour blocks (ms).
pub const RESOLUTION_1H: i64 = 3_600_000;

/// A day whose raw coverage reaches this fraction counts as fully covered (tolerates rounding of
/// block edges; the dev bucket's truth uses the same threshold).
pub const FULL_DAY_COVERAGE: f64 = 0.999;

/// The parts of a Thanos `meta.json` the migration view reads.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockMeta {
    /// Block id (`ulid`).
    pub ulid: String,
    /// First sample time, Unix ms (inclusive).
    pub min_time: i64,
    /// End of the block's range, Unix ms (exclusive).
    pub max_time: i64,
    /// `thanos.downsample.resolution` in ms (0 when absent).
    pub resolution: i64,
    /// `thanos.labels` (external labels).
    pub labels: HashMap<String, String>,
    /// `thanos.source` (`sidecar`, `compactor`, ...), empty when absent.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawMeta {
    ulid: String,
    min_time: i64,
    max_time: i64,
    #[serde(default)]
    thanos: RawThanos,
}

#[derive(Deserialize, Default)]
struct RawThanos {
    #[serde(default)]
    labels: HashMap<String, String>,
    #[serde(default)]
    downsample: RawDownsample,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize, Default)]
struct RawDownsample {
    #[serde(default)]
    resolution: i64,
}

/// Why a block's `meta.json` was refused.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// Not JSON, or a required field missing.
    #[error("meta.json: {0}")]
    Json(#[from] serde_json::Error),
    /// The block ends before it starts.
    #[error("meta.json: maxTime {max_time} is before minTime {min_time}")]
    Backwards {
        /// `minTime`, Unix ms.
        min_time: i64,
        /// `maxTime`, Unix ms.
        max_time: i64,
    },
}

/// Parse a `meta.json`. Unknown fields are ignored; `thanos` may be absent (plain Prometheus
/// block), then labels are empty and the resolution is raw.
///
/// Errors: not JSON, missing `ulid`/`minTime`/`maxTime`, or `maxTime < minTime`.
pub fn parse_meta(data: &[u8]) -> Result<BlockMeta, MetaError> {
    let raw: RawMeta = serde_json::from_slice(data)?;
    if raw.max_time < raw.min_time {
        return Err(MetaError::Backwards {
            min_time: raw.min_time,
            max_time: raw.max_time,
        });
    }
    Ok(BlockMeta {
        ulid: raw.ulid,
        min_time: raw.min_time,
        max_time: raw.max_time,
        resolution: raw.thanos.downsample.resolution,
        labels: raw.thanos.labels,
        source: raw.thanos.source,
    })
}

/// Merge half-open ranges `[start, end)` into their sorted, disjoint union (touching ranges join).
pub fn union_ranges(mut ranges: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    ranges.retain(|(s, e)| e > s);
    ranges.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Fraction of each UTC day covered by the union of `ranges` (Unix ms, half-open), keyed by the
/// day's start in Unix seconds. Days no range touches are absent.
pub fn day_coverage(ranges: Vec<(i64, i64)>) -> BTreeMap<i64, f64> {
    let mut covered_ms: BTreeMap<i64, i64> = BTreeMap::new();
    for (s, e) in union_ranges(ranges) {
        let mut day = s.div_euclid(DAY_MS) * DAY_MS;
        while day < e {
            let overlap = e.min(day + DAY_MS) - s.max(day);
            if overlap > 0 {
                *covered_ms.entry(day / 1000).or_default() += overlap;
            }
            day += DAY_MS;
        }
    }
    covered_ms.into_iter().map(|(d, ms)| (d, ms as f64 / DAY_MS as f64)).collect()
}

/// Per-day coverage of one cluster's blocks, split by downsampling resolution. Maps are keyed by
/// UTC day start (Unix seconds); values are fractions in `(0, 1]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Coverage {
    /// Raw (resolution 0) blocks.
    pub raw: BTreeMap<i64, f64>,
    /// 5-minute downsampled blocks.
    pub five_minute: BTreeMap<i64, f64>,
    /// 1-hour downsampled blocks.
    pub one_hour: BTreeMap<i64, f64>,
}

impl Coverage {
    /// Coverage of blocks `metas` (already filtered to one cluster, without deletion-marked ones).
    /// Blocks of other resolutions are ignored.
    pub fn of<'a>(metas: impl IntoIterator<Item = &'a BlockMeta>) -> Coverage {
        let mut by_res: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
        for m in metas {
            by_res.entry(m.resolution).or_default().push((m.min_time, m.max_time));
        }
        let mut take = |r: i64| day_coverage(by_res.remove(&r).unwrap_or_default());
        Coverage {
            raw: take(RESOLUTION_RAW),
            five_minute: take(RESOLUTION_5M),
            one_hour: take(RESOLUTION_1H),
        }
    }

    /// The largest coverage of `day` at any resolution (0 when no block touches it).
    pub fn any(&self, day: i64) -> f64 {
        [&self.raw, &self.five_minute, &self.one_hour]
            .iter()
            .filter_map(|m| m.get(&day))
            .fold(0.0, |a, b| a.max(*b))
    }

    /// Every day some block touches, at any resolution.
    pub fn days(&self) -> impl Iterator<Item = i64> + '_ {
        self.raw.keys().chain(self.five_minute.keys()).chain(self.one_hour.keys()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_replicas_do_not_double_count() {
        let h = 3_600_000;
        // Two replicas of the same 2 h, plus a compacted block over both.
        let cov = day_coverage(vec![(0, 2 * h), (0, 2 * h), (h, 3 * h)]);
        assert_eq!(cov.len(), 1);
        assert!((cov[&0] - 3.0 / 24.0).abs() < 1e-12);
    }

    #[test]
    fn ranges_split_at_utc_midnight() {
        let h = 3_600_000;
        let cov = day_coverage(vec![(DAY_MS - 2 * h, DAY_MS + 6 * h)]);
        assert!((cov[&0] - 2.0 / 24.0).abs() < 1e-12);
        assert!((cov[&86_400] - 6.0 / 24.0).abs() < 1e-12);
        // An exclusive end at midnight does not touch the next day.
        assert_eq!(day_coverage(vec![(0, DAY_MS)]).len(), 1);
    }

    #[test]
    fn meta_without_thanos_section_is_raw() {
        let m = parse_meta(br#"{"ulid":"01ABC","minTime":5,"maxTime":9,"version":1}"#).unwrap();
        assert_eq!((m.min_time, m.max_time, m.resolution), (5, 9, 0));
        assert!(m.labels.is_empty());
        assert!(parse_meta(br#"{"ulid":"x","minTime":9,"maxTime":5}"#).is_err());
        assert!(parse_meta(b"not json").is_err());
    }
}
