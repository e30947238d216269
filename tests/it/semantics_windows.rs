//! Facts F7 (`docs/semantics-facts.md`): window bounds at a fixed now, ported from OpenCost
//! `core/pkg/opencost/window_test.go` and the rules of `window.go` (`docs/semantics.md` §7).
//! costscope's documented departures (case-insensitive keywords, `w` offsets of 7 days, `0d`
//! rejected) are asserted as such.

use chrono::{DateTime, TimeZone, Utc};
use costscope::query::{WindowError, parse_window};

/// `2024-05-03T08:01:04.000000006Z`, a Friday.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 3, 8, 1, 4).unwrap() + chrono::Duration::nanoseconds(6)
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn bounds(w: &str, at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let w = parse_window(w, at).unwrap_or_else(|e| panic!("{w}: {e}"));
    (w.start, w.end)
}

#[test]
fn opencost_window_table_at_fixed_now() {
    let n = "2024-05-03T08:01:04.000000006Z";
    let table = [
        ("2h", "2024-05-03T07:00:00Z", "2024-05-03T09:00:00Z"),
        ("3d", "2024-05-01T00:00:00Z", "2024-05-04T00:00:00Z"),
        ("today", "2024-05-03T00:00:00Z", "2024-05-04T00:00:00Z"),
        ("yesterday", "2024-05-02T00:00:00Z", "2024-05-03T00:00:00Z"),
        ("week", "2024-04-28T00:00:00Z", n),
        ("lastweek", "2024-04-21T00:00:00Z", "2024-04-28T00:00:00Z"),
        ("month", "2024-05-01T00:00:00Z", n),
        ("lastmonth", "2024-04-01T00:00:00Z", "2024-05-01T00:00:00Z"),
        ("45m", "2024-05-03T07:17:00Z", "2024-05-03T08:02:00Z"),
        ("24h", "2024-05-02T09:00:00Z", "2024-05-03T09:00:00Z"),
        ("1w", "2024-04-27T00:00:00Z", "2024-05-04T00:00:00Z"),
        ("2w", "2024-04-20T00:00:00Z", "2024-05-04T00:00:00Z"),
        ("24h offset 14h", "2024-05-01T18:01:04.000000006Z", "2024-05-02T18:01:04.000000006Z"),
        ("1d offset 1d", "2024-05-01T08:01:04.000000006Z", "2024-05-02T08:01:04.000000006Z"),
        ("1586822400,1586908800", "2020-04-14T00:00:00Z", "2020-04-15T00:00:00Z"),
        ("1583712000,1583884800", "2020-03-09T00:00:00Z", "2020-03-11T00:00:00Z"),
        ("1583712000-1583884800", "2020-03-09T00:00:00Z", "2020-03-11T00:00:00Z"),
        ("1583712000|1583884800", "2020-03-09T00:00:00Z", "2020-03-11T00:00:00Z"),
        (
            "2020-04-08T00:00:00Z,2020-04-12T00:00:00Z",
            "2020-04-08T00:00:00Z",
            "2020-04-12T00:00:00Z",
        ),
    ];
    for (w, start, end) in table {
        assert_eq!(bounds(w, now()), (t(start), t(end)), "window {w}");
    }
}

#[test]
fn boundary_cases() {
    let midnight = t("2024-05-03T00:00:00Z");
    assert_eq!(bounds("1d", midnight), (t("2024-05-03T00:00:00Z"), t("2024-05-04T00:00:00Z")));
    assert_eq!(bounds("2h", midnight), (t("2024-05-02T23:00:00Z"), t("2024-05-03T01:00:00Z")));
    let sunday = t("2024-05-05T10:00:00Z");
    assert_eq!(bounds("week", sunday), (t("2024-05-05T00:00:00Z"), sunday));
    assert_eq!(bounds("lastweek", sunday), (t("2024-04-28T00:00:00Z"), t("2024-05-05T00:00:00Z")));
    let mid_march = t("2024-03-15T12:00:00Z");
    assert_eq!(
        bounds("lastmonth", mid_march),
        (t("2024-02-01T00:00:00Z"), t("2024-03-01T00:00:00Z"))
    );
}

#[test]
fn documented_departures() {
    // OpenCost reads a `w` offset as 24 weeks; costscope as 7 days.
    assert_eq!(
        bounds("1d offset 1w", now()),
        (t("2024-04-25T08:01:04.000000006Z"), t("2024-04-26T08:01:04.000000006Z"))
    );
    // Keywords are case-insensitive here (OpenCost rejects `Today`).
    assert_eq!(bounds("Today", now()), bounds("today", now()));
    // OpenCost yields the empty window [end, end] for `0d`; costscope says the window is invalid.
    assert!(matches!(parse_window("0d", now()), Err(WindowError::Invalid { .. })));
}

#[test]
fn rejected_forms() {
    for bad in ["24 h", "7x", "tomorrow", "1.5h", "-3d"] {
        let e = parse_window(bad, now()).unwrap_err();
        assert!(matches!(e, WindowError::Invalid { .. }), "{bad}: {e}");
    }
}
