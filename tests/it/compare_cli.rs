//! `--compare` ("what changed", docs/semantics.md §12) through the binary on
//! `shared/buckets/dev`: the compared answer must equal two independent queries of the binary
//! (the window and the one compared with), joined by row name here — previous cost, Δ, Δ %,
//! new and gone rows, the |Δ| order and the totals — for allocations (JSON, `previous`),
//! cloud costs (CSV, an explicit window) and assets (the table's columns).

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use crate::support::cli::{costscope_read_only, store_file};
use crate::support::dev_bucket::dev_dir;

/// Newest 1d window end of `kind` in the dev bucket (unix seconds), from the object keys.
pub(crate) fn newest_end(kind: &str) -> i64 {
    let mut end = 0;
    for c in std::fs::read_dir(dev_dir().join("federated")).unwrap() {
        let dir = c.unwrap().path().join("etl/bingen").join(kind).join("1d");
        for f in std::fs::read_dir(&dir).into_iter().flatten() {
            let name = f.unwrap().file_name().into_string().unwrap();
            end = end.max(name.split_once('-').unwrap().1.parse::<i64>().unwrap());
        }
    }
    end
}

pub(crate) fn run(tmp: &Path, yaml: &Path, args: &[&str]) -> String {
    let out = costscope_read_only(tmp, yaml).args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// name → cost column of a JSON page.
fn costs(page: &Value, col: &str) -> BTreeMap<String, f64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r[col].as_f64().unwrap()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The expected rows (name, previous, Δ, change) in |Δ| order (ties by name).
fn expected(now: &BTreeMap<String, f64>, before: &BTreeMap<String, f64>) -> Vec<(String, f64, f64, &'static str)> {
    let mut rows: Vec<(String, f64, f64, &'static str)> = Vec::new();
    for (n, c) in now {
        match before.get(n) {
            Some(p) => rows.push((n.clone(), *p, c - p, "both")),
            None => rows.push((n.clone(), 0.0, *c, "new")),
        }
    }
    for (n, p) in before.iter().filter(|(n, _)| !now.contains_key(*n)) {
        rows.push((n.clone(), *p, -p, "gone"));
    }
    rows.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then_with(|| a.0.cmp(&b.0)));
    rows
}

fn argv(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn pair(s: i64, e: i64) -> String {
    format!("{s},{e}")
}

#[test]
fn compare_equals_two_independent_queries() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let day = 86_400;

    // Allocations by namespace, the last 7 days against the 7 before (JSON).
    let end = newest_end("allocations");
    let (cur, prev) = (pair(end - 7 * day, end), pair(end - 14 * day, end - 7 * day));
    let q = |w: &str| -> Vec<String> {
        ["allocation", "--aggregate", "namespace", "--format", "json", "--window", w]
            .map(String::from)
            .to_vec()
    };
    let mut args = q(&cur);
    args.extend(["--compare", "previous"].map(String::from));
    let compared: Value = serde_json::from_str(&run(tmp.path(), &yaml, &argv(&args))).unwrap();
    let no_ingest = |w: &str| {
        let mut a = q(w);
        a.push("--no-ingest".into());
        serde_json::from_str::<Value>(&run(tmp.path(), &yaml, &argv(&a))).unwrap()
    };
    let (now, before) = (no_ingest(&cur), no_ingest(&prev));
    let want = expected(&costs(&now, "totalCost"), &costs(&before, "totalCost"));
    let data = compared["data"].as_array().unwrap();
    assert!(want.len() >= 3 && want.iter().any(|w| w.2.abs() > 0.01), "a comparison with movers");
    assert_eq!(data.len(), want.len());
    for (r, (name, p, d, change)) in data.iter().zip(&want) {
        assert_eq!(r["name"].as_str().unwrap(), name);
        assert!(close(r["previous"].as_f64().unwrap(), *p), "{name} previous");
        assert!(close(r["delta"].as_f64().unwrap(), *d), "{name} delta");
        assert_eq!(r["change"].as_str().unwrap(), *change);
        match r["deltaPercent"].as_f64() {
            Some(pct) => assert!(close(pct, d / p * 100.0), "{name} deltaPercent"),
            None => assert_eq!(*p, 0.0, "{name}: deltaPercent null only without a previous cost"),
        }
    }
    let (tn, tb) = (
        now["totals"]["totalCost"].as_f64().unwrap(),
        before["totals"]["totalCost"].as_f64().unwrap(),
    );
    assert!(close(compared["totals"]["previous"].as_f64().unwrap(), tb));
    assert!(close(compared["totals"]["delta"].as_f64().unwrap(), tn - tb));
    assert_eq!(compared["previousWindow"]["end"].as_str(), now["window"]["start"].as_str());

    // Cloud costs by service against an explicit window three weeks back (CSV).
    let end = newest_end("cloudcosts");
    let (cur, other) = (pair(end - 7 * day, end), pair(end - 21 * day, end - 14 * day));
    let cq = |w: &str, extra: &[&str]| {
        let mut a = vec!["cloudcost", "--aggregate", "service", "--no-ingest", "--window", w];
        a.extend(extra);
        run(tmp.path(), &yaml, &a)
    };
    let csv = cq(&cur, &["--format", "csv", "--compare", &other]);
    let now: Value = serde_json::from_str(&cq(&cur, &["--format", "json"])).unwrap();
    let before: Value = serde_json::from_str(&cq(&other, &["--format", "json"])).unwrap();
    let want = expected(&costs(&now, "cost"), &costs(&before, "cost"));
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let h = rd.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|c| c == n).unwrap_or_else(|| panic!("CSV column {n}"));
    let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert!(!want.is_empty());
    assert_eq!(recs.len(), want.len());
    for (r, (name, p, d, change)) in recs.iter().zip(&want) {
        assert_eq!(&r[at("name")], name);
        assert!(close(r[at("previous")].parse().unwrap(), *p), "{name} previous");
        assert!(close(r[at("delta")].parse().unwrap(), *d), "{name} delta");
        assert_eq!(&r[at("change")], *change);
    }

    // Assets: the table carries the comparison columns and says what it compared with.
    let end = newest_end("assets");
    let table = run(
        tmp.path(),
        &yaml,
        &[
            "assets",
            "--no-ingest",
            "--window",
            &pair(end - 2 * day, end),
            "--compare",
            "previous",
        ],
    );
    let header = table.lines().next().unwrap();
    assert!(header.contains("PREV.") && header.contains("Δ %"), "{header}");
    assert!(table.contains("compared with "), "{table}");
}
