//! The Savings tab (issue 30 item 7) on `shared/buckets/dev`, driven through the reducer: every
//! kind's total equals `costscope savings <kind> --format json`'s, the requests and nodes pages
//! list the CLI's rows in the CLI's order, `e` writes the CLI's CSV (numbers within 1e-9: two
//! databases), and Enter on a requests row
//! shows on the Allocations tab exactly the allocations (pod, container) the CLI lists for that
//! container.

use costscope::query::{ColumnId, DataKind, IDLE};
use costscope::tui::Tab;
use costscope::tui::savings_kinds::KINDS;
use costscope::tui::savings_state::KindTotal;
use crossterm::event::KeyCode;
use serde_json::Value;

use crate::compare_cli::run;
use crate::support::cli::store_file;
use crate::support::dev_bucket::{close, dev_dir};
use crate::support::tui::{send, started};
use crate::tui_drill_dev::{dev_aggregator, key};
use crate::tui_views::render;

/// Same fields, texts equal and numbers within 1e-9.
fn same_row(tui: &Value, cli: &Value) -> bool {
    let (Some(a), Some(b)) = (tui.as_object(), cli.as_object()) else {
        return false;
    };
    a.len() == b.len()
        && a.iter().all(|(k, v)| match (v, &b[k]) {
            (Value::Number(x), Value::Number(y)) => close(x.as_f64().unwrap(), y.as_f64().unwrap()),
            (x, y) => x == y,
        })
}

/// The shown page of the selected kind equals the CLI's first rows, and the screen shows its total.
fn assert_page(s: &costscope::tui::State, cli: &Value, monthly: &str) {
    let t = s.savings.page().expect("a page");
    let data = cli["data"].as_array().unwrap();
    assert!(!t.rows.is_empty(), "{} has rows on the dev bucket", KINDS[s.savings.kind].name);
    assert_eq!(t.total_rows, cli["totalRows"].as_u64().unwrap() as usize);
    assert!(close(t.total_monthly, cli["totals"][monthly].as_f64().unwrap()));
    for (i, r) in t.rows.iter().enumerate() {
        assert!(same_row(&r.json, &data[i]), "row {i}: TUI {} vs CLI {}", r.json, data[i]);
    }
    let screen = format!("{:?}", render(s, 160, 45).buffer());
    assert!(
        screen.contains(&costscope::format::money(t.total_monthly)),
        "the total is on screen"
    );
}

#[test]
fn savings_tab_equals_the_cli_and_drills_to_the_containers() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let cli = |args: &[&str]| -> Value {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--format", "json"]);
        serde_json::from_str(&run(tmp.path(), &yaml, &a)).unwrap()
    };
    let requests = cli(&["savings", "requests"]);

    let agg = dev_aggregator();
    let mut s = started(agg.as_ref(), 160, 45, vec![]);
    key(&mut s, agg.as_ref(), KeyCode::Char('6'));
    assert_eq!(s.tab, Tab::Savings);

    // Totals per kind at the top: each kind's CLI total and row count.
    for (i, kind) in KINDS.iter().enumerate() {
        let mut args: Vec<&str> = kind.command.split(' ').skip(1).collect();
        args.push("--no-ingest");
        let json = if i == 0 { requests.clone() } else { cli(&args) };
        let totals = json["totals"].as_object().unwrap();
        let want = totals
            .get("monthlySavings")
            .or_else(|| totals.values().next())
            .unwrap()
            .as_f64()
            .unwrap();
        match &s.savings.totals[i] {
            KindTotal::Ready { monthly, rows } => {
                assert!(close(*monthly, want), "{}: {monthly} vs {want}", kind.name);
                assert_eq!(*rows as u64, json["totalRows"].as_u64().unwrap(), "{}", kind.name);
            }
            other => panic!("{}: {other:?}", kind.name),
        }
    }

    // Requests: the CLI's rows in its order; `e` writes its CSV.
    assert_page(&s, &requests, "monthlySavings");
    key(&mut s, agg.as_ref(), KeyCode::Char('e'));
    let csv = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("costscope-savings-requests-"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap())
        .expect("the export file");
    let want_csv = run(tmp.path(), &yaml, &["savings", "requests", "--no-ingest", "--format", "csv"]);
    let got = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(got.lines().count(), want_csv.lines().count(), "CSV rows");
    for (i, (a, b)) in got.lines().zip(want_csv.lines()).enumerate() {
        let same = a
            .split(',')
            .zip(b.split(','))
            .all(|(x, y)| match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(x), Ok(y)) => close(x, y),
                _ => x == y,
            });
        assert!(same && a.split(',').count() == b.split(',').count(), "CSV line {i}: {a} vs {b}");
    }

    // Nodes (← wraps from the first kind to the last).
    key(&mut s, agg.as_ref(), KeyCode::Left);
    assert_eq!(KINDS[s.savings.kind].name, "nodes");
    assert_page(&s, &cli(&["savings", "nodes", "--no-ingest"]), "monthlySavings");

    // Enter on the first requests row: its containers on the Allocations tab, as the CLI lists them.
    key(&mut s, agg.as_ref(), KeyCode::Right);
    let row = s.savings.page().unwrap().rows[0].json.clone();
    key(&mut s, agg.as_ref(), KeyCode::Enter);
    assert_eq!(s.tab, Tab::Allocations);
    let text = |f: &str| row[f].as_str().unwrap().to_string();
    let controller = match text("controllerKind").as_str() {
        "pod" => format!("pod:\"{}\"", text("controller")),
        k => format!("controllerKind:\"{k}\"+controllerName:\"{}\"", text("controller")),
    };
    let filter = format!(
        "cluster:\"{}\"+namespace:\"{}\"+{controller}+container:\"{}\"",
        text("cluster"),
        text("namespace"),
        text("container")
    );
    let want = cli(&["allocation", "--no-ingest", "--aggregate", "pod,container", "--filter", &filter]);
    let page = s.table(DataKind::Allocation).page.as_ref().expect("allocations shown");
    assert_eq!(page.rows.len(), page.total_rows, "one page holds the container's allocations");
    let workloads = |names: Vec<String>| -> Vec<String> { names.into_iter().filter(|n| !n.contains(IDLE)).collect() };
    let want_rows = want["data"].as_array().unwrap();
    let want_names = workloads(want_rows.iter().map(|w| w["name"].as_str().unwrap().to_string()).collect());
    let names = workloads(page.rows.iter().map(|r| r.name.clone()).collect());
    assert!(!want_names.is_empty());
    assert_eq!(names.len(), want_names.len(), "{names:?} vs {want_names:?}");
    for r in page.rows.iter().filter(|r| !r.name.contains(IDLE)) {
        assert_eq!(
            r.properties.get("container").map(String::as_str),
            Some(text("container").as_str()),
            "{}",
            r.name
        );
        let cli_row = want_rows
            .iter()
            .find(|w| w["name"] == r.name.as_str())
            .unwrap_or_else(|| panic!("{} in the CLI", r.name));
        let cost = r.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
        // The CLI prints costs to 10 decimals.
        assert!(
            (cost - cli_row["totalCost"].as_f64().unwrap()).abs() < 1e-9,
            "{}: {cost} vs {}",
            r.name,
            cli_row["totalCost"]
        );
    }
    // Esc goes back to what the Allocations tab showed before.
    send(
        &mut s,
        agg.as_ref(),
        costscope::tui::Action::Key(crossterm::event::KeyEvent::from(KeyCode::Esc)),
    );
    assert!(s.table(DataKind::Allocation).stack.is_empty());
}
