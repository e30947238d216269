//! Cost over time on the dev bucket (issue: reporting): the 7 daily steps of a 7-day window sum
//! to the 7-day answer for every aggregate and idle mode, and each day's step by cluster equals
//! that day's `dev-truth.json`.

use std::collections::BTreeMap;

use costscope::query::{Accumulate, ColumnId, CostSource, DataKind, IdleMode};

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
