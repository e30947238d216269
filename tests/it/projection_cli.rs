//! Where the month lands (`--project-month`, docs/semantics.md §17) on `shared/buckets/dev`: the
//! CLI's `monthToDate` / `projectedMonth` must equal two independent queries of the binary (the
//! month so far, and the last 7 days of data whose cost ÷ coveredHours is the run rate) joined by
//! name here; and the TUI, driven through its reducer on the same data, must show the CLI's month
//! totals on its header line and, after `D`, the CLI's `--compare previous` Δ per row.

use costscope::query::DataKind;
use costscope::tui::insight::Insight;
use costscope::tui::tab::Loadable;
use crossterm::event::KeyCode;
use serde_json::Value;
use std::collections::BTreeMap;

use crate::compare_cli::{newest_end, run};
use crate::support::cli::store_file;
use crate::support::dev_bucket::{close, dev_dir};
use crate::tui_drill_dev::{dev_aggregator, key, set_aggregate};
use crate::tui_views::render;

/// name → (column) of a JSON page, plus the totals.
fn by_name(page: &Value, col: &str) -> (BTreeMap<String, f64>, f64) {
    let rows = page["data"].as_array().unwrap();
    let map = rows
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r[col].as_f64().unwrap()))
        .collect();
    (map, page["totals"][col].as_f64().unwrap())
}

/// Start of the UTC month holding the hour before `now` (unix seconds).
fn month_start(now: i64) -> i64 {
    use chrono::{Datelike, TimeZone, Utc};
    let t = Utc.timestamp_opt(now - 3600, 0).unwrap();
    Utc.with_ymd_and_hms(t.year(), t.month(), 1, 0, 0, 0).unwrap().timestamp()
}

fn next_month(start: i64) -> i64 {
    use chrono::{Months, TimeZone, Utc};
    (Utc.timestamp_opt(start, 0).unwrap() + Months::new(1)).timestamp()
}

#[test]
fn project_month_equals_independent_queries_and_the_tui_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let json = |extra: &[&str]| -> Value {
        let mut a = vec!["allocation", "--aggregate", "namespace", "--format", "json"];
        a.extend(extra);
        serde_json::from_str(&run(tmp.path(), &yaml, &a)).unwrap()
    };
    let projected = json(&["--project-month"]);
    let now = newest_end("allocations");
    let start = month_start(now);
    let left_hours = (next_month(start) - now) as f64 / 3600.0;
    let to_date = json(&["--no-ingest", "--window", &format!("{start},{now}")]);
    let week = json(&["--no-ingest", "--window", &format!("{},{now}", now - 7 * 86_400)]);
    let hours = week["coveredHours"].as_f64().unwrap();
    assert!(
        hours > 0.0 && left_hours > 0.0,
        "the dev data ends inside a month: {hours} h of data, {left_hours} h left"
    );
    let (mtd, mtd_total) = by_name(&to_date, "totalCost");
    let (rate, rate_total) = by_name(&week, "totalCost");
    let rows = projected["data"].as_array().unwrap();
    assert!(rows.len() >= 5);
    for r in rows {
        let name = r["name"].as_str().unwrap();
        let m = mtd.get(name).copied().unwrap_or(0.0);
        let want = m + rate.get(name).copied().unwrap_or(0.0) / hours * left_hours;
        assert!(close(r["monthToDate"].as_f64().unwrap(), m), "{name} monthToDate");
        assert!(close(r["projectedMonth"].as_f64().unwrap(), want), "{name} projectedMonth");
    }
    let want_total = mtd_total + rate_total / hours * left_hours;
    assert!(close(projected["totals"]["monthToDate"].as_f64().unwrap(), mtd_total));
    assert!(close(projected["totals"]["projectedMonth"].as_f64().unwrap(), want_total));
    assert!(want_total > mtd_total, "a projection beyond month-to-date");

    // The TUI on the same data: the month line and, after `D`, the Δ of every row.
    let agg = dev_aggregator();
    let mut s = crate::support::tui::started(agg.as_ref(), 160, 48, vec![]);
    set_aggregate(&mut s, agg.as_ref(), "namespace");
    key(&mut s, agg.as_ref(), KeyCode::Char('D'));
    let Loadable::Ready(Insight {
        month: Some((_, p)),
        compared: Some(c),
    }) = &s.table(DataKind::Allocation).insight
    else {
        panic!("insight not loaded: {:?}", s.table(DataKind::Allocation).insight);
    };
    assert!(close(p.month_to_date, mtd_total) && close(p.projected_month, want_total), "{p:?}");
    let screen = format!("{:?}", render(&s, 160, 48).buffer());
    for figure in [costscope::format::money(mtd_total), costscope::format::money(want_total)] {
        assert!(screen.contains(&figure), "the header shows {figure}");
    }
    let compared = json(&["--no-ingest", "--compare", "previous"]);
    let (delta, delta_total) = by_name(&compared, "delta");
    for r in compared["data"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        match r["change"].as_str().unwrap() {
            "gone" => assert!(c.gone.iter().any(|(n, _)| n == name), "{name} listed as gone"),
            change => {
                let d = c.rows.get(name).unwrap_or_else(|| panic!("{name} has a Δ in the TUI"));
                assert!(close(d.delta, delta[name]), "{name} Δ");
                assert_eq!(d.change.name(), change);
            }
        }
    }
    assert!(close(c.totals.delta, delta_total));
    let first = &s.table(DataKind::Allocation).page.as_ref().unwrap().rows[0].name;
    let [_, cell, _] = costscope::format::delta_texts(&c.rows[first]);
    assert!(screen.contains(&cell), "the table shows {first}'s Δ {cell}");
}
