//! Retention of an ingest pass (Kubecost's `etlDailyStoreDurationDays`, 91, and
//! `etlHourlyStoreDurationHours`, 49), anchored so that one hostile object cannot wipe the cache
//! (docs/reliability.md, "Retention").
//!
//! Windows are counted back from an *anchor* per resolution: the end of the newest window that
//! decoded (not from now, so a months-old audit copy still loads). A key can only anchor when its
//! window is one step of its resolution long and ends no later than one step after now
//! ([`crate::clock::now`]): an empty object at `…/1d/4102444800-4102531200` (2100) or
//! `…/1d/0-9223372036854775807` never does. Before a pass has read anything, downloads are
//! chosen by the newest such key not known to have failed; what is *removed* is counted only from
//! a set that is in the database (`ingest_log` status `ok`), so a pass never removes more than
//! the data it holds justifies, and says what it removed and why.

use super::ingest::IngestFile;
use crate::bucket::keys::Resolution;

/// The largest `--retention-days` accepted: 100 years.
pub const MAX_RETENTION_DAYS: i64 = 36_500;
/// The largest `--retention-hours` accepted: 100 years.
pub const MAX_RETENTION_HOURS: i64 = MAX_RETENTION_DAYS * 24;

/// How far back from the anchor windows are kept: Kubecost's `etlDailyStoreDurationDays` (91)
/// and `etlHourlyStoreDurationHours` (49) by default. Values are clamped to
/// `1..=`[`MAX_RETENTION_DAYS`] days and `1..=`[`MAX_RETENTION_HOURS`] hours (the CLI rejects
/// anything outside with exit 2).
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// Days of daily (`1d`) windows kept.
    pub daily_days: i64,
    /// Hours of hourly (`1h`) windows kept.
    pub hourly_hours: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            daily_days: 91,
            hourly_hours: 49,
        }
    }
}

impl Retention {
    /// Seconds of windows of resolution `res` (`1d` or `1h`) kept before the anchor.
    fn keep_seconds(&self, res: Resolution) -> i64 {
        if res == Resolution::DAY {
            self.daily_days.clamp(1, MAX_RETENTION_DAYS) * 86_400
        } else {
            self.hourly_hours.clamp(1, MAX_RETENTION_HOURS) * 3_600
        }
    }
}

/// Whether `f`'s key may anchor the retention: a window one step long that ends no later than one
/// step after `now` (unix seconds). The current day's daily file ends tomorrow at midnight.
fn plausible(f: &IngestFile, now: i64) -> bool {
    let (step, start, end) = (f.etl.resolution.seconds(), f.etl.start, f.etl.end);
    end.checked_sub(start) == Some(step) && end <= now.saturating_add(step)
}

/// The anchor of each resolution: the end of the newest window counted, unix seconds; `None` when
/// no window of that resolution counts (then nothing of it is cut or removed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Anchors {
    daily: Option<i64>,
    hourly: Option<i64>,
}

impl Anchors {
    /// The newest end among the [`plausible`] files of `files` that `counts` accepts.
    pub(super) fn newest(files: &[IngestFile], now: i64, counts: impl Fn(&IngestFile) -> bool) -> Anchors {
        let mut a = Anchors::default();
        for f in files.iter().filter(|f| plausible(f, now) && counts(f)) {
            let slot = if f.etl.resolution == Resolution::DAY {
                &mut a.daily
            } else {
                &mut a.hourly
            };
            *slot = Some(slot.map_or(f.etl.end, |e| e.max(f.etl.end)));
        }
        a
    }

    fn of(&self, res: Resolution) -> Option<i64> {
        if res == Resolution::DAY { self.daily } else { self.hourly }
    }

    /// Whether `f` is within `r` of its resolution's anchor (always, without an anchor).
    pub(super) fn keeps(&self, r: &Retention, f: &IngestFile) -> bool {
        let res = f.etl.resolution;
        self.of(res).is_none_or(|a| f.etl.start >= a.saturating_sub(r.keep_seconds(res)))
    }

    /// One line per resolution with files in `removed`, saying what was removed and why, e.g.
    /// `removed 3 daily file(s) out of retention: windows starting before 2026-08-22, 91 days
    /// before 2026-11-21 (the end of the newest daily set in the database)`.
    pub(super) fn notes(&self, r: &Retention, removed: &[&IngestFile]) -> Vec<String> {
        let mut out = Vec::new();
        for (res, word, span) in [
            (
                Resolution::DAY,
                "daily",
                format!("{} days", r.daily_days.clamp(1, MAX_RETENTION_DAYS)),
            ),
            (
                Resolution::HOUR,
                "hourly",
                format!("{} hours", r.hourly_hours.clamp(1, MAX_RETENTION_HOURS)),
            ),
        ] {
            let n = removed.iter().filter(|f| f.etl.resolution == res).count();
            let Some(anchor) = self.of(res).filter(|_| n > 0) else { continue };
            let cut = anchor.saturating_sub(r.keep_seconds(res));
            out.push(format!(
                "removed {n} {word} file(s) out of retention: windows starting before {}, {span} before {} (the end of the newest {word} set in the database)",
                time(cut),
                time(anchor)
            ));
        }
        out
    }
}

/// `2026-11-21` at midnight UTC, else `2026-11-21T13:00:00Z`.
fn time(t: i64) -> String {
    match chrono::DateTime::from_timestamp(t, 0) {
        Some(d) if t % 86_400 == 0 => d.format("%Y-%m-%d").to_string(),
        Some(d) => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(res: &str, start: i64, end: i64) -> IngestFile {
        IngestFile {
            key: format!("federated/c/etl/bingen/allocations/{res}/{start}-{end}"),
            cluster: "c".into(),
            etl: crate::bucket::keys::EtlFile {
                pipeline: crate::bucket::keys::Pipeline::Allocations,
                resolution: Resolution::parse(res).unwrap(),
                start,
                end,
            },
            etag: String::new(),
            size: 1,
            last_modified: 0,
            sha256: String::new(),
        }
    }

    #[test]
    fn absurd_and_future_keys_never_anchor() {
        let now = 1_795_219_200; // 2026-11-21
        let files = [
            file("1d", 1_795_132_800, 1_795_219_200),
            file("1d", 4_102_444_800, 4_102_531_200),
            file("1d", 0, i64::MAX),
            file("1d", 1_795_219_200, 1_795_305_600), // today: ends tomorrow, counts
        ];
        let a = Anchors::newest(&files, now, |_| true);
        assert_eq!(a.daily, Some(1_795_305_600));
        assert_eq!(a.hourly, None);
        let r = Retention {
            daily_days: i64::MAX,
            hourly_hours: i64::MIN,
        };
        assert!(a.keeps(&r, &files[0]) && a.keeps(&r, &file("1h", 0, 3600)));
        assert!(!a.keeps(&Retention { daily_days: 1, ..r }, &files[0]));
    }
}
