//! Shared costs on the dev bucket (issue: reporting): sharing namespaces or labels moves exactly
//! their cost into the other rows' sharedCost and keeps the grand total (1e-9) in every idle mode
//! and split; a monthly overhead adds `monthly × hours / 730`; tenancy costs add the clusters'
//! cluster-management and local-disk assets; and per-set sharing makes the daily steps of a week
//! sum to the week.

use std::collections::BTreeMap;

use costscope::query::{Accumulate, ColumnId, CostSource, DataKind, IdleMode, Page, QueryRequest, ShareSplit, Sharing};

use crate::aggregator_dev::{day, dev};
use crate::support::{request, window};

const A: DataKind = DataKind::Allocation;

fn week() -> costscope::query::Window {
    window(day("2026-11-14"), day("2026-11-21"))
}

fn ask(w: costscope::query::Window, agg: &str, filter: &str, idle: IdleMode, share: &Sharing) -> Page {
    let req = QueryRequest {
        share: share.clone(),
        ..request(A, w, agg, filter, idle)
    };
    dev().query(&req).unwrap()
}

fn total(p: &Page) -> f64 {
    p.totals.get(A, ColumnId::TotalCost).unwrap()
}

fn col(p: &Page, id: ColumnId) -> f64 {
    p.rows.iter().map(|r| r.get(A, id).unwrap()).sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn sharing(ns: &[&str], labels: &[&str], split: &str) -> Sharing {
    let ns: Vec<String> = ns.iter().map(|s| s.to_string()).collect();
    let labels: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    Sharing::from_parts(&ns, &labels, None, ShareSplit::parse(split).unwrap(), false).unwrap()
}

#[test]
fn sharing_moves_the_shared_rows_cost_and_keeps_the_total() {
    let shares = [
        sharing(&["kube-system", "monitoring"], &[], "weighted"),
        sharing(&["kube-system", "monitoring"], &[], "even"),
        sharing(&["kubecost"], &["team:platform"], "weighted"),
    ];
    for idle in [IdleMode::SeparateByCluster, IdleMode::Merged, IdleMode::Share, IdleMode::Hide] {
        for agg in ["namespace", "cluster,namespace", "controller"] {
            let plain = ask(week(), agg, "", idle, &Sharing::default());
            for s in &shares {
                let shared = ask(week(), agg, "", idle, s);
                let what = format!("{agg} {idle:?} {s:?}");
                assert!(
                    close(total(&plain), total(&shared)),
                    "{what}: {} vs {}",
                    total(&plain),
                    total(&shared)
                );
                for ns in &s.namespaces {
                    assert!(
                        !shared.rows.iter().any(|r| r.properties.get("namespace") == Some(ns)),
                        "{what}: a {ns} row is left"
                    );
                }
                // What the rows received equals what disappeared (the data's own sharedCost aside).
                let moved = col(&shared, ColumnId::SharedCost) - col(&plain, ColumnId::SharedCost);
                assert!(moved > 1.0, "{what}: moved {moved}");
                let gone = total(&plain) - (col(&shared, ColumnId::TotalCost) - moved);
                assert!(close(moved, gone), "{what}: moved {moved} vs gone {gone}");
            }
        }
    }
}

#[test]
fn even_split_gives_every_row_the_same_amount_per_day() {
    let d = window(day("2026-11-15"), day("2026-11-16"));
    let s = sharing(&["kube-system"], &[], "even");
    let plain = ask(d, "namespace", "", IdleMode::Hide, &Sharing::default());
    let shared = ask(d, "namespace", "", IdleMode::Hide, &s);
    let pool = plain
        .rows
        .iter()
        .find(|r| r.name == "kube-system")
        .unwrap()
        .get(A, ColumnId::TotalCost)
        .unwrap();
    let base: BTreeMap<&str, f64> = plain
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.get(A, ColumnId::SharedCost).unwrap()))
        .collect();
    let receivers: Vec<_> = shared.rows.iter().filter(|r| r.name != "__unmounted__").collect();
    for r in &receivers {
        let got = r.get(A, ColumnId::SharedCost).unwrap() - base[r.name.as_str()];
        assert!(close(got, pool / receivers.len() as f64), "{}: {got}", r.name);
    }
    let unmounted = shared.rows.iter().find(|r| r.name == "__unmounted__").unwrap();
    assert!(
        close(unmounted.get(A, ColumnId::SharedCost).unwrap(), base["__unmounted__"]),
        "__unmounted__ receives nothing"
    );
}

#[test]
fn monthly_overhead_and_tenancy_costs_add_what_they_say() {
    let plain = ask(week(), "namespace", "", IdleMode::Hide, &Sharing::default());
    let overhead = Sharing::from_parts(&[], &[], Some("730"), ShareSplit::Weighted, false).unwrap();
    let with = ask(week(), "namespace", "", IdleMode::Hide, &overhead);
    // 730 USD a month is 1 USD an hour, over the week's 168 hours.
    assert!(close(total(&with) - total(&plain), 168.0), "{}", total(&with) - total(&plain));

    // Tenancy costs come from assets outside the allocations: the total grows by at least the
    // window's cluster management cost (exact distribution: `semantics_share::tenancy_*`).
    let tenancy = Sharing::from_parts(&[], &[], None, ShareSplit::Weighted, true).unwrap();
    let with = ask(week(), "namespace", "", IdleMode::Hide, &tenancy);
    let assets = dev().query(&request(DataKind::Asset, week(), "type", "", IdleMode::Hide)).unwrap();
    let cm = assets
        .rows
        .iter()
        .find(|r| r.name == "ClusterManagement")
        .unwrap()
        .get(DataKind::Asset, ColumnId::TotalCost)
        .unwrap();
    let added = total(&with) - total(&plain);
    assert!(
        cm > 0.0 && added >= cm - 1e-6,
        "tenancy added {added}, cluster management alone is {cm}"
    );
}

#[test]
fn per_set_sharing_makes_daily_steps_sum_to_the_week() {
    let steps = Accumulate::parse("false", Some("1d")).unwrap().windows(week());
    let cases = [
        (IdleMode::Share, Sharing::default()),
        (IdleMode::SeparateByCluster, sharing(&["kube-system"], &[], "weighted")),
        (IdleMode::Share, sharing(&["monitoring"], &[], "even")),
    ];
    for (idle, s) in cases {
        let whole = ask(week(), "cluster,namespace", "", idle, &s);
        let mut summed: BTreeMap<String, f64> = BTreeMap::new();
        for w in &steps {
            for r in ask(*w, "cluster,namespace", "", idle, &s).rows {
                *summed.entry(r.name.clone()).or_default() += r.get(A, ColumnId::TotalCost).unwrap();
            }
        }
        for r in &whole.rows {
            let v = r.get(A, ColumnId::TotalCost).unwrap();
            assert!(
                close(v, summed[&r.name]),
                "{idle:?} {s:?} {}: week {v} vs steps {}",
                r.name,
                summed[&r.name]
            );
        }
        // The detail pane's daily series of a row sums to the row too.
        let row = &whole.rows[0];
        let req = QueryRequest {
            share: s.clone(),
            ..request(A, week(), "cluster,namespace", "", idle)
        };
        let days: f64 = dev().daily_series(&req, row).unwrap().iter().map(|(_, v)| v).sum();
        assert!(close(days, row.get(A, ColumnId::TotalCost).unwrap()), "{idle:?} series {days}");
    }
}
