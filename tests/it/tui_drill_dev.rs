//! The drill-down path a user walks in the TUI, on the real dev bucket (`shared/buckets/dev`
//! ingested into DuckDB): `Enter` on cluster → namespace → controller → pod → container. At every
//! level the rows of the next level must be there and their costs must add up to the row drilled
//! into (idle rows aside: idle belongs to no workload). Controllers of several kinds and rows named
//! `__unallocated__` are walked too (issue: drill-down to pods showed an empty table).

use crate::support::dev_bucket;
use crate::support::tui as tui_support;

use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::progress::TaskProgress;
use costscope::query::{ColumnId, CostSource, DataKind, IDLE, UNALLOCATED, columns};
use costscope::tui::action::Edit;
use costscope::tui::{Action, Command, State};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use std::sync::Arc;
use tui_support::{send, started};

pub(crate) fn key(s: &mut State, src: &dyn CostSource, code: KeyCode) {
    send(s, src, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn total_col() -> usize {
    columns(DataKind::Allocation)
        .iter()
        .position(|c| c.id == ColumnId::TotalCost)
        .unwrap()
}

/// Rows of the shown page: (name, totalCost).
fn shown(s: &State) -> Vec<(String, f64)> {
    let t = s.table(DataKind::Allocation);
    t.page
        .as_ref()
        .map(|p| p.rows.iter().map(|r| (r.name.clone(), r.values[total_col()])).collect())
        .unwrap_or_default()
}

/// Σ totalCost of every non-idle row of the current query (all pages).
fn workload_total(s: &State, src: &Aggregator) -> (usize, f64) {
    let mut req = s.table(DataKind::Allocation).request().expect("a window");
    req.offset = 0;
    req.limit = 0;
    let page = src.query(&req).unwrap();
    let rows: Vec<_> = page.rows.iter().filter(|r| !r.name.contains(IDLE)).collect();
    (rows.len(), rows.iter().map(|r| r.values[total_col()]).sum())
}

/// Which rows of a level to walk into: the first two, the first of each controller kind, and any
/// `__unallocated__` row on the page.
fn picks(rows: &[(String, f64)]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut kinds = Vec::new();
    for (i, (name, _)) in rows.iter().enumerate() {
        if name.contains(IDLE) {
            continue;
        }
        let kind = name.split_once(':').map(|(k, _)| k.to_string());
        let new_kind = kind.as_ref().is_some_and(|k| !kinds.contains(k));
        if out.len() < 2 || new_kind || name == UNALLOCATED {
            out.push(i);
        }
        if let Some(k) = kind {
            kinds.push(k);
        }
    }
    out
}

struct Walk {
    levels_checked: [usize; 5],
    controller_kinds: Vec<String>,
    unallocated: usize,
}

fn walk(s: &mut State, src: &Aggregator, depth: usize, w: &mut Walk) {
    let rows = shown(s);
    assert!(
        !rows.is_empty(),
        "level {depth} ({}) shows no rows",
        s.table(DataKind::Allocation).filter
    );
    for i in picks(&rows) {
        let (name, cost) = rows[i].clone();
        // Move the selection to row i of this page (j/k, as a user does), then drill.
        let cur = s.table(DataKind::Allocation).selected.expect("a selected row");
        let (code, steps) = if i >= cur {
            (KeyCode::Down, i - cur)
        } else {
            (KeyCode::Up, cur - i)
        };
        for _ in 0..steps {
            key(s, src, code);
        }
        assert_eq!(s.table(DataKind::Allocation).selected, Some(i));
        let before = s.table(DataKind::Allocation).stack.len();
        key(s, src, KeyCode::Enter);
        let t = s.table(DataKind::Allocation);
        if t.stack.len() == before {
            // The finest level (container): nothing finer to drill into.
            assert_eq!(depth, 4, "drill into {name} at level {depth} did nothing");
            continue;
        }
        if let (2, Some((k, _))) = (depth, name.split_once(':'))
            && !w.controller_kinds.iter().any(|x| x == k)
        {
            w.controller_kinds.push(k.to_string());
        }
        if name == UNALLOCATED {
            w.unallocated += 1;
        }
        let filter = t.filter.to_string();
        let (n, sum) = workload_total(s, src);
        assert!(n > 0, "drill into {name} ({filter}): no rows");
        assert!(
            (sum - cost).abs() <= 1e-6 * cost.abs().max(1.0),
            "drill into {name} ({filter}): children sum to {sum}, the row is {cost}"
        );
        assert!(!shown(s).is_empty(), "drill into {name} ({filter}): the table is empty");
        w.levels_checked[depth] += 1;
        walk(s, src, depth + 1, w);
        key(s, src, KeyCode::Esc);
        assert_eq!(s.table(DataKind::Allocation).stack.len(), before, "Esc goes back one level");
    }
}

/// The dev bucket ingested into an in-memory database.
pub(crate) fn dev_aggregator() -> Arc<Aggregator> {
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dev_bucket::dev_dir()).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(costscope::progress::TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
    agg
}

pub(crate) fn set_aggregate(s: &mut State, src: &dyn CostSource, text: &str) {
    key(s, src, KeyCode::Char('a'));
    send(s, src, Action::Command(Command::Edit(Edit::Clear)));
    for c in text.chars() {
        key(s, src, KeyCode::Char(c));
    }
    key(s, src, KeyCode::Enter);
    assert_eq!(s.table(DataKind::Allocation).aggregate.to_string(), text);
}

#[test]
fn drill_down_every_level_adds_up_to_the_parent_row() {
    let agg = dev_aggregator();

    let mut s = started(agg.as_ref(), 160, 48, vec![]);
    set_aggregate(&mut s, agg.as_ref(), "cluster");

    let mut w = Walk {
        levels_checked: [0; 5],
        controller_kinds: Vec::new(),
        unallocated: 0,
    };
    walk(&mut s, agg.as_ref(), 0, &mut w);
    // Pods without a controller: page through the controllers of every cluster to the
    // `__unallocated__` row and walk it down to containers.
    set_aggregate(&mut s, agg.as_ref(), "controller");
    for _ in 0..50 {
        if shown(&s).iter().any(|(n, _)| n == UNALLOCATED) {
            break;
        }
        key(&mut s, agg.as_ref(), KeyCode::Char('n'));
    }
    walk(&mut s, agg.as_ref(), 2, &mut w);
    // cluster→namespace, namespace→controller, controller→pod, pod→container were all walked.
    assert!(w.levels_checked[..4].iter().all(|&n| n > 0), "{:?}", w.levels_checked);
    assert!(w.controller_kinds.len() >= 2, "controller kinds walked: {:?}", w.controller_kinds);
    assert!(w.unallocated > 0, "no __unallocated__ row was walked");
}

/// The TUI export (`e`) and `costscope allocation --format csv` of one query (the default window
/// and aggregate on the dev bucket) give the same header and the same rows.
#[test]
fn tui_export_equals_cli_csv() {
    let agg = dev_aggregator();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = started(agg.as_ref(), 160, 48, vec![]);
    s.export_dir = tmp.path().join("exports");
    set_aggregate(&mut s, agg.as_ref(), "cluster,namespace");
    key(&mut s, agg.as_ref(), KeyCode::Char('e'));
    let file = std::fs::read_dir(&s.export_dir).unwrap().next().expect("an export").unwrap().path();
    let tui = std::fs::read_to_string(file).unwrap();

    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dev_bucket::dev_dir().display()),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("costscope")
        .unwrap()
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
        .arg("--store")
        .arg(&yaml)
        .args(["allocation", "--aggregate", "cluster,namespace", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli = String::from_utf8(out.stdout).unwrap();
    let lines = |t: &str| {
        let mut v: Vec<String> = t.lines().skip(1).map(str::to_string).collect();
        v.sort();
        (t.lines().next().unwrap_or("").to_string(), v)
    };
    let (th, tr) = lines(&tui);
    let (ch, cr) = lines(&cli);
    assert!(th.starts_with("name,cluster,namespace,cpuCost"), "{th}");
    assert_eq!(th, ch, "same header");
    assert!(tr.len() > 10 && tr.iter().any(|l| l.contains("__idle__")), "{} rows", tr.len());
    // Same rows; numbers agree to 1e-12 relative (DuckDB's parallel sums may add in another order,
    // which moves the last binary digit).
    assert_eq!(tr.len(), cr.len(), "same row count");
    for (a, b) in tr.iter().zip(&cr) {
        for (x, y) in a.split(',').zip(b.split(',')) {
            match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{a}\n{b}"),
                _ => assert_eq!(x, y, "{a}\n{b}"),
            }
        }
    }
    let names: std::collections::HashSet<&str> = tr.iter().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(names.len(), tr.len(), "every row has its own name (idle rows included)");
}
