//! Go `time.Time` as bingen stores it, and OpenCost's `Window`.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Seconds from 0001-01-01T00:00:00Z (Go's internal epoch) to the Unix epoch.
pub const GO_EPOCH_TO_UNIX: i64 = 62_135_596_800;

/// A Go `time.Time` exactly as `Time.MarshalBinary` wrote it (Go `src/time/time.go`).
///
/// `unix` is seconds since 1970-01-01 UTC (the Go zero time is `-62135596800`), `nanos` the
/// nanoseconds within the second. `offset_min` is the zone offset in minutes east of UTC, where
/// `-1` is Go's "UTC location" marker; `offset_sec` is present only in time-binary version 2
/// (offsets with a seconds part). Offsets -1 and 0 denote the same instant; the raw fields are kept
/// so the encoder reproduces the original bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GoTime {
    /// Unix seconds (UTC).
    pub unix: i64,
    /// Nanoseconds within the second, 0..=999_999_999.
    pub nanos: u32,
    /// Zone offset in minutes east of UTC; -1 = Go's UTC location.
    pub offset_min: i16,
    /// Extra offset seconds (time binary version 2 only), as the signed byte Go wrote.
    pub offset_sec: Option<i8>,
}

impl GoTime {
    /// Go's zero `time.Time{}` (0001-01-01T00:00:00Z).
    pub const ZERO: GoTime = GoTime {
        unix: -GO_EPOCH_TO_UNIX,
        nanos: 0,
        offset_min: -1,
        offset_sec: None,
    };

    /// A UTC time (offset marker -1, as `time.Unix(s,0).UTC()` writes) at `unix` seconds.
    pub fn utc(unix: i64) -> GoTime {
        GoTime {
            unix,
            nanos: 0,
            offset_min: -1,
            offset_sec: None,
        }
    }

    /// True for Go's zero time.
    pub fn is_zero(&self) -> bool {
        self.unix == -GO_EPOCH_TO_UNIX && self.nanos == 0
    }

    /// Offset east of UTC in seconds, as the writer meant it (version-2 seconds signed).
    pub fn offset_seconds(&self) -> i32 {
        if self.offset_min == -1 {
            return 0;
        }
        self.offset_min as i32 * 60 + self.offset_sec.unwrap_or(0) as i32
    }

    /// The instant in UTC. `None` only for times outside chrono's range.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        Utc.timestamp_opt(self.unix, self.nanos).single()
    }

    /// Unix time as fractional seconds.
    pub fn unix_f64(&self) -> f64 {
        self.unix as f64 + self.nanos as f64 * 1e-9
    }

    /// RFC 3339 text in the writer's zone (`Z` for the UTC marker), nanoseconds when non-zero.
    pub fn to_rfc3339(&self) -> String {
        let Some(utc) = self.to_utc() else {
            return format!("@{}", self.unix);
        };
        // RFC 3339 offsets have no seconds: print such rare zones (time binary v2) in UTC.
        if self.offset_min == -1 || self.offset_sec.is_some_and(|s| s != 0) {
            return utc.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        }
        match FixedOffset::east_opt(self.offset_seconds()) {
            Some(tz) => utc.with_timezone(&tz).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            None => utc.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        }
    }
}

impl Default for GoTime {
    /// Go's zero time, as an unset `time.Time` field holds.
    fn default() -> Self {
        GoTime::ZERO
    }
}

impl Serialize for GoTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

/// OpenCost `Window`: a half-open interval `[start, end)`; `None` means open-ended.
/// Follows OpenCost `core/pkg/opencost/window.go` (bingen version set "Default").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Window {
    /// Inclusive start, or `None` for open.
    pub start: Option<GoTime>,
    /// Exclusive end, or `None` for open.
    pub end: Option<GoTime>,
}

impl Window {
    /// A closed UTC window from unix seconds `start` to `end`.
    pub fn utc(start: i64, end: i64) -> Window {
        Window {
            start: Some(GoTime::utc(start)),
            end: Some(GoTime::utc(end)),
        }
    }
    /// Start in unix seconds, if closed.
    pub fn start_unix(&self) -> Option<i64> {
        self.start.map(|t| t.unix)
    }
    /// End in unix seconds, if closed.
    pub fn end_unix(&self) -> Option<i64> {
        self.end.map(|t| t.unix)
    }
    /// Length in hours (0 when open).
    pub fn hours(&self) -> f64 {
        match (self.start, self.end) {
            (Some(s), Some(e)) => (e.unix_f64() - s.unix_f64()) / 3600.0,
            _ => 0.0,
        }
    }
}

impl Serialize for Window {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Window", 2)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.end()
    }
}
