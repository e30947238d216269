//! The wall clock, which tests can pin.
//!
//! `COSTSCOPE_NOW` (RFC3339, e.g. `2024-05-03T08:01:04Z`) fixes "now" for relative windows
//! (`week`, `7d`, `24h offset 14h`) in the CLI and the TUI, so window tests and demos do not
//! depend on the day they run. Unset or empty: the system clock. A value that does not parse is
//! reported once on stderr and ignored.

use std::sync::OnceLock;

use chrono::{DateTime, Utc};

/// Environment variable pinning [`now`].
pub const NOW_ENV: &str = "COSTSCOPE_NOW";

/// The current time: `$COSTSCOPE_NOW` when set to an RFC3339 time, else [`Utc::now`].
pub fn now() -> DateTime<Utc> {
    static PINNED: OnceLock<Option<DateTime<Utc>>> = OnceLock::new();
    let pinned = PINNED.get_or_init(|| {
        let v = std::env::var(NOW_ENV).ok().filter(|v| !v.trim().is_empty())?;
        match DateTime::parse_from_rfc3339(v.trim()) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(e) => {
                eprintln!("warning: ignoring {NOW_ENV}={v:?}: {e} (expected RFC3339, e.g. 2024-05-03T08:01:04Z)");
                None
            }
        }
    });
    pinned.unwrap_or_else(Utc::now)
}
