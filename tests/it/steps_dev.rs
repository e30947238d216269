//! Cost over time on the dev bucket (issue: reporting): the 7 daily steps of a 7-day window sum
//! to the 7-day answer for every aggregate and idle mode, and each day's step by cluster equals
//! that day's `dev-truth.json`.

use std::collections::BTreeMap;

use costscope::query::{Accumulate, ColumnId, CostSource, DataKind, IdleMode, ShareSplit};

use crate::aggregator_dev::{day, dev};
use crate::support::dev_bucket::truth;
use crate::support::{request, window};

fn by_name(page: &costscope::query::Page) -> BTreeMap<String, f64> {
    page.rows
        .iter()
        .map(|r| (r.name.clone(), r.get(DataKind::Allocation, ColumnId::TotalCost).unwrap()))
        .collect()
}

#[test]
fn daily_steps_sum_to_the_week_and_match_truth() {
    let week = window(day("2026-11-14"), day("2026-11-21"));
    let steps = Accumulate::parse("false", Some("1d")).unwrap().windows(week);
    assert_eq!(steps.len(), 7);
    for idle in [IdleMode::Hide, IdleMode::SeparateByCluster, IdleMode::Merged] {
        for agg in ["cluster", "namespace", "controller", "pod", "node", "cluster,namespace"] {
            let whole = by_name(&dev().query(&request(DataKind::Allocation, week, agg, "", idle)).unwrap());
            let mut summed: BTreeMap<String, f64> = BTreeMap::new();
            for w in &steps {
                let page = dev().query(&request(DataKind::Allocation, *w, agg, "", idle)).unwrap();
                for (name, v) in by_name(&page) {
                    *summed.entry(name).or_default() += v;
                }
            }
            assert_eq!(
                whole.keys().collect::<Vec<_>>(),
                summed.keys().collect::<Vec<_>>(),
                "{agg} {idle:?}"
            );
            for (name, v) in &whole {
                let s = summed[name];
                assert!(
                    (v - s).abs() <= 1e-9 * v.abs().max(1.0),
                    "{agg} {idle:?} {name}: week {v} vs steps {s}"
                );
            }
        }
    }
    let t = truth();
    for w in &steps {
        let page = dev()
            .query(&request(DataKind::Allocation, *w, "cluster", "", IdleMode::Hide))
            .unwrap();
        let d = w.start.format("%Y-%m-%d").to_string();
        for (cluster, v) in by_name(&page) {
            let want = t["clusters"][&cluster]["federated"]["allocations1d"][&d]["totalCost"]
                .as_f64()
                .unwrap();
            assert!((v - want).abs() <= 1e-6 * want.max(1.0), "{cluster} {d}: {v} vs truth {want}");
        }
    }
}

/// The aggregator answers all steps in one statement; every page of it (rows, order, totals, row
/// counts, hours covered) equals the steps answered one by one, for every idle mode, with a
/// filter, sharing, a row search, paging and calendar weeks.
#[test]
fn one_statement_steps_equal_the_steps_one_by_one() {
    use costscope::query::steps::each_step;
    use costscope::query::{QueryRequest, Sharing};
    let weeks = window(day("2026-11-08"), day("2026-11-21"));
    let kube_system = Sharing::from_parts(&["kube-system".to_string()], &[], None, ShareSplit::Weighted, false).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0);
    for idle in IdleMode::ALL {
        for agg in ["namespace", "node", "cluster,namespace"] {
            for (filter, share, search, offset) in [
                ("", Sharing::default(), None, 0),
                (r#"namespace!:"kube-system""#, Sharing::default(), None, 0),
                ("", kube_system.clone(), None, 1),
                ("", Sharing::default(), Some("a".to_string()), 0),
            ] {
                // Calendar weeks (Sunday to Sunday, the first and last clipped) for one case.
                let week = (agg == "namespace" && offset == 0).then(|| Accumulate::parse("week", None).unwrap());
                for acc in [Accumulate::parse("false", Some("1d")).unwrap()].into_iter().chain(week) {
                    let req = QueryRequest {
                        share: share.clone(),
                        search: search.clone(),
                        offset,
                        limit: 7,
                        ..request(DataKind::Allocation, weeks, agg, filter, idle)
                    };
                    let fast = dev()
                        .steps_at_once(&req, acc)
                        .expect("one statement answers aligned steps")
                        .unwrap();
                    let slow = each_step(dev(), &req, acc).unwrap();
                    let what = format!("{idle:?} {agg} {filter:?} {search:?} {acc:?}");
                    assert_eq!(dev().query_steps(&req, acc).unwrap().len(), fast.len());
                    assert_eq!(fast.len(), slow.len(), "{what}");
                    for ((fw, f), (sw, s)) in fast.iter().zip(&slow) {
                        assert_eq!(fw, sw, "{what}");
                        assert_eq!(
                            (f.total_rows, f.offset, f.limit),
                            (s.total_rows, s.offset, s.limit),
                            "{what} {fw:?}"
                        );
                        assert!(close(f.covered_hours, s.covered_hours), "{what} {fw:?}");
                        let names = |p: &costscope::query::Page| p.rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
                        assert_eq!(names(f), names(s), "{what} {fw:?}");
                        for (a, b) in f.rows.iter().chain([&f.totals]).zip(s.rows.iter().chain([&s.totals])) {
                            for (x, y) in a.values.iter().zip(&b.values) {
                                assert!(close(*x, *y), "{what} {fw:?} {}: {x} vs {y}", a.name);
                            }
                        }
                    }
                }
            }
        }
    }
    // Hourly steps over a week are answered by daily sets as a whole but hourly sets one by one:
    // they run step by step.
    let hourly = Accumulate::parse("false", Some("1h")).unwrap();
    assert!(
        dev()
            .steps_at_once(&request(DataKind::Allocation, weeks, "namespace", "", IdleMode::Hide), hourly)
            .is_none()
    );
}
