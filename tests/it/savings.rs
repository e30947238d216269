//! Request right-sizing (`costscope savings requests`, docs/semantics.md "Request right-sizing")
//! on `shared/buckets/dev`: every row of the aggregator's answer must equal a computation made
//! independently from the decoded daily allocation sets (to 1e-9), for Kubecost's default
//! parameters over the whole extent and for other parameters, a filter and a shorter window.

use costscope::query::savings::{SavingsSort, SavingsSource, SizingPage, SizingParams, SizingRequest, SizingRow};
use costscope::query::{CostSource, DataKind, LabelConfig, parse_filter};
use std::collections::BTreeMap;

use crate::aggregator_dev::dev;
use crate::support::dev_bucket::dev_dir;
use crate::support::window;

/// The spec key: cluster, namespace, controller kind, controller, container.
type Spec = (String, String, String, String, String);

/// One allocation of a spec: set start, hours, CPU and RAM request, cost and core/byte-hours.
struct Item {
    start: i64,
    hours: f64,
    req: (f64, f64),
    cpu: (f64, f64),
    ram: (f64, f64),
}

#[derive(Default)]
struct Acc {
    cpu_max: Option<f64>,
    ram_max: Option<f64>,
    items: Vec<Item>,
}

/// Expected rows (spec → [cpuReq, cpuRec, ramReq, ramRec, cpuSavings, ramSavings, monthly]) and
/// the count of specs without maxima, from the decoded sets of `[start, end)` kept by `keep`.
fn expected(start: i64, end: i64, p: &SizingParams, keep: &dyn Fn(&Spec) -> bool) -> (BTreeMap<Spec, [f64; 7]>, usize) {
    let mut specs: BTreeMap<Spec, Acc> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for cluster in std::fs::read_dir(dev_dir().join("federated")).unwrap() {
        let dir = cluster.unwrap().path().join("etl/bingen/allocations/1d");
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap();
            let name = f.file_name().into_string().unwrap();
            let (s, e) = name.split_once('-').unwrap();
            let (s, e): (i64, i64) = (s.parse().unwrap(), e.parse().unwrap());
            if s >= end || e <= start {
                continue;
            }
            let set = costscope::bingen::decode_allocation_set(&std::fs::read(f.path()).unwrap()).unwrap();
            for (_, a) in set.allocations.iter().flat_map(|m| m.iter()) {
                let Some(a) = a else { continue };
                let Some(pr) = a.properties.as_ref() else { continue };
                if ["", "__unmounted__", "__idle__", "__unallocated__"].contains(&&*pr.container) || &*pr.namespace == "__unmounted__" {
                    continue;
                }
                let (kind, ctrl) = if pr.controller.is_empty() {
                    ("pod".to_string(), pr.pod.to_string())
                } else {
                    (pr.controller_kind.to_string(), pr.controller.to_string())
                };
                let spec = (
                    pr.cluster.to_string(),
                    pr.namespace.to_string(),
                    kind,
                    ctrl,
                    pr.container.to_string(),
                );
                if !keep(&spec) {
                    continue;
                }
                (first, last) = (first.min(s), last.max(e));
                let acc = specs.entry(spec).or_default();
                let fmax = |m: Option<f64>, v: Option<f64>| match (m, v.filter(|v| !v.is_nan())) {
                    (Some(m), Some(v)) => Some(m.max(v)),
                    (m, v) => m.or(v),
                };
                let raw = a.raw_allocation_only.as_ref();
                acc.cpu_max = fmax(acc.cpu_max, raw.map(|r| r.cpu_core_usage_max));
                acc.ram_max = fmax(acc.ram_max, raw.map(|r| r.ram_bytes_usage_max));
                acc.items.push(Item {
                    start: s,
                    hours: a.minutes() / 60.0,
                    req: (a.cpu_core_request_average, a.ram_bytes_request_average),
                    cpu: (a.cpu_cost, a.cpu_core_hours),
                    ram: (a.ram_cost, a.ram_byte_hours),
                });
            }
        }
    }
    let covered = (last - first) as f64 / 3600.0;
    let mut out = BTreeMap::new();
    let mut without = 0;
    for (spec, acc) in specs {
        let (Some(cm), Some(rm)) = (acc.cpu_max, acc.ram_max) else {
            without += 1;
            continue;
        };
        let cpu_rec = (cm / p.target_cpu_utilization).max(p.min_rec_cpu_millicores / 1000.0);
        let ram_rec = (rm / p.target_ram_utilization).max(p.min_rec_ram_bytes);
        let newest = acc.items.iter().map(|i| i.start).max().unwrap();
        let now: Vec<&Item> = acc.items.iter().filter(|i| i.start == newest).collect();
        let mins: f64 = now.iter().map(|i| i.hours).sum();
        let req = |f: fn(&Item) -> f64| match mins > 0.0 {
            true => now.iter().map(|i| f(i) * i.hours).sum::<f64>() / mins,
            false => now.iter().map(|i| f(i)).sum::<f64>() / now.len() as f64,
        };
        let saving =
            |rec: f64, (cost, amount): (f64, f64), hours: f64| cost - if amount > 0.0 { rec * hours * (cost / amount) } else { 0.0 };
        let cpu_s: f64 = acc.items.iter().map(|i| saving(cpu_rec, i.cpu, i.hours)).sum();
        let ram_s: f64 = acc.items.iter().map(|i| saving(ram_rec, i.ram, i.hours)).sum();
        let monthly = (cpu_s + ram_s) * 730.0 / covered;
        out.insert(spec, [req(|i| i.req.0), cpu_rec, req(|i| i.req.1), ram_rec, cpu_s, ram_s, monthly]);
    }
    (out, without)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn query(start: i64, end: i64, filter: &str, params: SizingParams) -> SizingPage {
    dev()
        .request_sizing(&SizingRequest {
            window: window(start, end),
            filter: parse_filter(filter, DataKind::Allocation).unwrap(),
            labels: LabelConfig::default(),
            params,
            sort: SavingsSort::monthly::<SizingRow>(),
            offset: 0,
            limit: 0,
        })
        .unwrap()
}

fn check(page: &SizingPage, want: &BTreeMap<Spec, [f64; 7]>, without: usize) {
    assert!(!want.is_empty(), "the dev bucket has container specs with maxima");
    assert_eq!(page.total_rows, want.len(), "one row per spec");
    assert_eq!(page.left_out, without);
    for r in &page.rows {
        let spec = (
            r.cluster.clone(),
            r.namespace.clone(),
            r.controller_kind.clone(),
            r.controller.clone(),
            r.container.clone(),
        );
        let w = want.get(&spec).unwrap_or_else(|| panic!("unexpected spec {spec:?}"));
        let got = [
            r.cpu_request_cores,
            r.cpu_recommendation_cores,
            r.ram_request_bytes,
            r.ram_recommendation_bytes,
            r.cpu_savings,
            r.ram_savings,
            r.monthly_savings,
        ];
        for (i, (g, e)) in got.iter().zip(w).enumerate() {
            assert!(close(*g, *e), "{spec:?} field {i}: {g} vs {e}");
        }
    }
    let sum: f64 = want.values().map(|w| w[6]).sum();
    assert!(
        close(page.totals.get("monthlySavings"), sum),
        "totals {} vs {sum}",
        page.totals.get("monthlySavings")
    );
    let monthly: Vec<f64> = page.rows.iter().map(|r| r.monthly_savings).collect();
    assert!(monthly.windows(2).all(|w| w[0] >= w[1]), "sorted by monthlySavings desc");
}

#[test]
fn right_sizing_matches_the_decoded_sets_with_kubecost_defaults() {
    let (start, end) = dev().data_extent(DataKind::Allocation).unwrap().unwrap();
    let p = SizingParams::default();
    let (want, without) = expected(start, end, &p, &|_| true);
    let page = query(start, end, "", p);
    check(&page, &want, without);
    assert!(page.rows.iter().any(|r| r.monthly_savings > 0.0), "some spec is over-requested");
}

#[test]
fn right_sizing_follows_parameters_filter_and_window() {
    let (_, end) = dev().data_extent(DataKind::Allocation).unwrap().unwrap();
    let start = end - 5 * 86_400;
    let p = SizingParams {
        target_cpu_utilization: 0.5,
        target_ram_utilization: 0.9,
        min_rec_cpu_millicores: 200.0,
        min_rec_ram_bytes: 64.0 * 1048576.0,
    };
    let (want, without) = expected(start, end, &p, &|s| s.0 == "prod-us-east-1");
    check(&query(start, end, "cluster:\"prod-us-east-1\"", p), &want, without);
}

#[test]
fn right_sizing_pages_and_refuses_bad_parameters() {
    let (start, end) = dev().data_extent(DataKind::Allocation).unwrap().unwrap();
    let all = query(start, end, "", SizingParams::default());
    let page = dev()
        .request_sizing(&SizingRequest {
            window: window(start, end),
            filter: parse_filter("", DataKind::Allocation).unwrap(),
            labels: LabelConfig::default(),
            params: SizingParams::default(),
            sort: SavingsSort::parse::<SizingRow>("container:asc").unwrap(),
            offset: 2,
            limit: 3,
        })
        .unwrap();
    assert_eq!(page.total_rows, all.total_rows);
    assert_eq!(page.rows.len(), 3);
    let (a, b) = (&page.totals, &all.totals);
    assert!(
        ["cpuSavings", "ramSavings", "monthlySavings"]
            .iter()
            .all(|f| close(a.get(f), b.get(f))),
        "totals cover the whole result: {a:?} vs {b:?}"
    );
    let mut containers: Vec<&str> = all.rows.iter().map(|r| r.container.as_str()).collect();
    containers.sort();
    assert_eq!(
        page.rows.iter().map(|r| r.container.as_str()).collect::<Vec<_>>(),
        containers[2..5].to_vec()
    );
    let bad = SizingParams {
        target_ram_utilization: 0.0,
        ..SizingParams::default()
    };
    let err = dev()
        .request_sizing(&SizingRequest {
            window: window(start, end),
            filter: parse_filter("", DataKind::Allocation).unwrap(),
            labels: LabelConfig::default(),
            params: bad,
            sort: SavingsSort::monthly::<SizingRow>(),
            offset: 0,
            limit: 0,
        })
        .unwrap_err();
    assert!(err.to_string().contains("targetRAMUtilization"), "{err}");
}
