//! The aggregator on `shared/buckets/dev`: ingest, then Kubecost-style queries must reproduce
//! `dev-truth.json` (per cluster per day, per namespace, nodes, idle, cloud costs), pages must
//! concatenate to the unpaginated result, and bad files must be skipped without corrupting state.

use chrono::NaiveDate;
use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::model::CostMetricName;
use costscope::progress::TaskProgress;
use costscope::query::{ColumnId, CostSource, DataKind, IdleMode, Page, Sort, columns};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crate::support::dev_bucket;
use dev_bucket::dev_dir;

fn truth() -> &'static Value {
    static T: OnceLock<Value> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str(&std::fs::read_to_string(dev_dir().join("../dev-truth.json")).unwrap()).unwrap())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

fn ingest(dir: &Path) -> (Arc<Aggregator>, costscope::aggregator::IngestReport) {
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(costscope::progress::TaskId::Ingest));
    let r = rt()
        .block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
    (agg, r)
}

/// One shared ingest of the dev bucket for the read-only tests.
pub(crate) fn dev() -> &'static Aggregator {
    dev_shared()
}

/// [`dev`] as the shared handle, for a server's `Arc<dyn CostSource>`.
pub(crate) fn dev_shared() -> &'static Arc<Aggregator> {
    static A: OnceLock<Arc<Aggregator>> = OnceLock::new();
    A.get_or_init(|| {
        let (agg, r) = ingest(&dev_dir());
        assert!(
            r.failures.is_empty(),
            "{} failures, first: {:?}",
            r.failures.len(),
            r.failures.first()
        );
        agg
    })
}

pub(crate) fn day(d: &str) -> i64 {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

use crate::support::{request as req, window};

fn val(kind: DataKind, page: &Page, row: usize, col: ColumnId) -> f64 {
    page.rows[row].get(kind, col).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-9)
}

#[test]
fn ingest_reads_every_federated_file() {
    let t = truth();
    let expected = t["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["key"].as_str().unwrap().starts_with("federated/"))
        .count();
    let counts = dev().counts().unwrap();
    assert_eq!(counts[3] as usize, expected, "ingest_log rows = federated files");
    assert!(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
}

#[test]
fn per_cluster_per_day_allocation_totals_match_truth() {
    let mut checked = 0;
    for (cluster, c) in truth()["clusters"].as_object().unwrap() {
        for (d, v) in c["federated"]["allocations1d"].as_object().unwrap() {
            let r = req(
                DataKind::Allocation,
                window(day(d), day(d) + 86_400),
                "cluster",
                &format!("cluster:\"{cluster}\""),
                IdleMode::Hide,
            );
            let page = dev().query(&r).unwrap();
            if v["empty"].as_bool().unwrap() {
                assert_eq!(page.total_rows, 0, "{cluster} {d} is an empty set");
                continue;
            }
            assert_eq!(page.total_rows, 1);
            for col in [
                ColumnId::TotalCost,
                ColumnId::CpuCost,
                ColumnId::RamCost,
                ColumnId::GpuCost,
                ColumnId::PvCost,
                ColumnId::NetworkCost,
                ColumnId::LoadBalancerCost,
                ColumnId::Adjustments,
            ] {
                let got = val(DataKind::Allocation, &page, 0, col);
                let want = v[col.json()].as_f64().unwrap();
                assert!(close(got, want), "{cluster} {d} {}: {got} vs {want}", col.json());
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "checked {checked} cluster-days");
}

#[test]
fn per_namespace_totals_over_all_days_match_truth() {
    for (cluster, c) in truth()["clusters"].as_object().unwrap() {
        let r = req(
            DataKind::Allocation,
            window(day("2026-10-01"), day("2026-11-21")),
            "namespace",
            &format!("cluster:\"{cluster}\""),
            IdleMode::Hide,
        );
        let page = dev().query(&r).unwrap();
        let want = c["federated"]["namespaceTotalCost1d"].as_object().unwrap();
        assert_eq!(page.total_rows, want.len(), "{cluster} namespaces");
        for (i, row) in page.rows.iter().enumerate() {
            let w = want[&row.name].as_f64().unwrap();
            assert!(
                close(val(DataKind::Allocation, &page, i, ColumnId::TotalCost), w),
                "{cluster}/{}",
                row.name
            );
        }
    }
}

#[test]
fn node_totals_and_separate_idle_match_truth() {
    for (cluster, c) in truth()["clusters"].as_object().unwrap() {
        for (d, v) in c["federated"]["assets1d"].as_object().unwrap() {
            if v["empty"].as_bool().unwrap() {
                continue;
            }
            let w = window(day(d), day(d) + 86_400);
            let nodes = dev()
                .query(&req(
                    DataKind::Asset,
                    w,
                    "type",
                    &format!("cluster:\"{cluster}\"+assetType:\"Node\""),
                    IdleMode::Hide,
                ))
                .unwrap();
            assert!(
                close(
                    val(DataKind::Asset, &nodes, 0, ColumnId::TotalCost),
                    v["nodeTotalCost"].as_f64().unwrap()
                ),
                "{cluster} {d} nodes"
            );
            let all = dev()
                .query(&req(
                    DataKind::Asset,
                    w,
                    "cluster",
                    &format!("cluster:\"{cluster}\""),
                    IdleMode::Hide,
                ))
                .unwrap();
            assert!(
                close(val(DataKind::Asset, &all, 0, ColumnId::TotalCost), v["totalCost"].as_f64().unwrap()),
                "{cluster} {d} assets"
            );
            let alloc = dev()
                .query(&req(
                    DataKind::Allocation,
                    w,
                    "cluster",
                    &format!("cluster:\"{cluster}\""),
                    IdleMode::SeparateByCluster,
                ))
                .unwrap();
            let idle = alloc
                .rows
                .iter()
                .position(|r| r.name == format!("{cluster}/__idle__"))
                .expect("an idle row");
            let idle_cost = val(DataKind::Allocation, &alloc, idle, ColumnId::TotalCost);
            assert!(close(idle_cost, v["idleCost"].as_f64().unwrap()), "{cluster} {d} idle {idle_cost}");
        }
    }
}

#[test]
fn shared_idle_keeps_the_cluster_total() {
    let w = window(day("2026-11-19"), day("2026-11-20"));
    let f = "cluster:\"prod-us-east-1\"";
    let sep = dev()
        .query(&req(DataKind::Allocation, w, "namespace", f, IdleMode::SeparateByCluster))
        .unwrap();
    let share = dev().query(&req(DataKind::Allocation, w, "namespace", f, IdleMode::Share)).unwrap();
    let t = |p: &Page| p.totals.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
    assert!(close(t(&sep), t(&share)), "{} vs {}", t(&sep), t(&share));
    assert!(share.rows.iter().all(|r| !r.name.contains("__idle__")));
    assert_eq!(share.total_rows + 1, sep.total_rows);
}

#[test]
fn cloud_costs_per_service_match_truth_for_every_metric() {
    let cc = &truth()["cloudCosts"];
    for (d, v) in cc["days"].as_object().unwrap() {
        for m in CostMetricName::ALL {
            let mut r = req(DataKind::CloudCost, window(day(d), day(d) + 86_400), "service", "", IdleMode::Hide);
            r.cost_metric = m;
            let page = dev().query(&r).unwrap();
            let services = v["services"].as_object().unwrap();
            assert_eq!(page.total_rows, services.len(), "{d}");
            for (i, row) in page.rows.iter().enumerate() {
                let s = &services[&row.name];
                let name = m.json_name();
                assert!(
                    close(val(DataKind::CloudCost, &page, i, ColumnId::Cost), s[name].as_f64().unwrap()),
                    "{d} {} {name}",
                    row.name
                );
                let k = s[format!("{name}Kubernetes")].as_f64().unwrap();
                assert!(
                    close(val(DataKind::CloudCost, &page, i, ColumnId::KubernetesCost), k),
                    "{d} {} {name} k8s",
                    row.name
                );
            }
        }
    }
}

#[test]
fn pages_concatenate_to_the_whole_result_for_every_sort() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    let kind = DataKind::Allocation;
    let mut sorts: Vec<String> = columns(kind).iter().map(|c| c.json().to_string()).collect();
    sorts.push("name".into());
    for col in sorts {
        for dir in ["asc", "desc"] {
            let mut r = req(kind, w, "pod", "", IdleMode::SeparateByCluster);
            r.sort = Sort::parse(&format!("{col}:{dir}"), kind).unwrap();
            let all = dev().query(&r).unwrap();
            assert!(all.total_rows > 100, "{col}");
            let mut names = Vec::new();
            r.limit = 211;
            while r.offset < all.total_rows {
                let p = dev().query(&r).unwrap();
                assert_eq!(p.total_rows, all.total_rows, "stable totalRows");
                // DuckDB sums in parallel, so totals may differ in the last bits between runs.
                for (a, b) in p.totals.values.iter().zip(&all.totals.values) {
                    assert!(
                        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
                        "totals are of the whole result: {a} vs {b}"
                    );
                }
                names.extend(p.rows.iter().map(|x| x.name.clone()));
                r.offset += 211;
            }
            let whole: Vec<String> = all.rows.iter().map(|x| x.name.clone()).collect();
            assert_eq!(names, whole, "{col}:{dir}");
            let mut dedup = names.clone();
            dedup.sort();
            dedup.dedup();
            assert_eq!(dedup.len(), names.len(), "no duplicates for {col}:{dir}");
        }
    }
}

/// Every value of two whole results agrees to 1e-9, row by row. The rows come in the same order,
/// except that rows whose sort value (totalCost) ties to 1e-9 may trade places: DuckDB sums in
/// parallel, so such ties can break either way between two tables.
fn assert_same_result(a: &Page, b: &Page, what: &str) {
    let same = |x: &f64, y: &f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    let total = |r: &costscope::query::Row| r.get(DataKind::Allocation, costscope::query::ColumnId::TotalCost).unwrap();
    assert_eq!(a.rows.len(), b.rows.len(), "{what}: rows");
    for (ra, rb) in a.rows.iter().zip(&b.rows) {
        assert!(
            ra.name == rb.name || same(&total(ra), &total(rb)),
            "{what}: {} where {} was",
            rb.name,
            ra.name
        );
    }
    let by_name = |p: &Page| {
        p.rows
            .iter()
            .map(|r| (r.name.clone(), r.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (ma, mb) = (by_name(a), by_name(b));
    assert_eq!(
        ma.keys().collect::<Vec<_>>(),
        mb.keys().collect::<Vec<_>>(),
        "{what}: the same rows"
    );
    for (ra, rb) in ma.values().zip(mb.values()).chain(std::iter::once((&a.totals, &b.totals))) {
        assert_eq!(ra.properties, rb.properties, "{what}: {}", ra.name);
        for (i, (x, y)) in ra.values.iter().zip(&rb.values).enumerate() {
            assert!(same(x, y), "{what}: {} column {i}: {x} vs {y}", ra.name);
        }
    }
}

#[test]
fn rollup_tables_answer_exactly_like_the_allocation_table() {
    // A `container` filter matching every row sends the same query to the one-row-per-allocation
    // table; without it, these keys and filters are answered from alloc_controllers / alloc_pods.
    let w = window(day("2026-11-14"), day("2026-11-21"));
    let everything = "container!:\"no-such-container\"";
    for (agg, filter) in [
        ("cluster", ""),
        ("namespace", "cluster:\"prod-us-east-1\""),
        ("controller", "namespace!:\"kube-system\""),
        ("cluster,controllerKind", ""),
        ("node", ""),
        ("pod", "node:\"\" | namespace:\"kube-system\""),
    ] {
        for idle in [IdleMode::Hide, IdleMode::Share] {
            let rolled = dev().query(&req(DataKind::Allocation, w, agg, filter, idle)).unwrap();
            let full_filter = if filter.is_empty() {
                everything.to_string()
            } else {
                format!("({filter}) + {everything}")
            };
            let full = dev().query(&req(DataKind::Allocation, w, agg, &full_filter, idle)).unwrap();
            assert!(rolled.total_rows > 0, "{agg} {filter}");
            assert_same_result(&rolled, &full, &format!("{agg} / {filter} / {idle:?}"));
        }
    }
}

#[test]
fn a_page_read_from_the_cached_result_equals_a_fresh_query() {
    let tmp_agg = {
        let (agg, _) = ingest(&dev_dir());
        agg
    };
    let w = window(day("2026-11-14"), day("2026-11-21"));
    let mut r = req(DataKind::Allocation, w, "pod", "", IdleMode::SeparateByCluster);
    r.limit = 25;
    let total = tmp_agg.query(&r).unwrap().total_rows;
    for offset in [0, 25, total / 2, total - 30, total - 1] {
        r.offset = offset;
        let cached = tmp_agg.query(&r).unwrap();
        tmp_agg.forget_results();
        let fresh = tmp_agg.query(&r).unwrap();
        assert_eq!(cached.rows.len(), 25.min(total - offset), "offset {offset}");
        assert_same_result(&cached, &fresh, &format!("offset {offset}"));
    }
}

#[test]
fn a_rows_daily_series_adds_up_to_its_total() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    for (agg, filter) in [("namespace", ""), ("pod", "namespace:\"kube-system\""), ("label:app", "")] {
        let r = req(DataKind::Allocation, w, agg, filter, IdleMode::Hide);
        let page = dev().query(&r).unwrap();
        let row = &page.rows[0];
        let series = dev().daily_series(&r, row).unwrap();
        assert_eq!(series.len(), 7, "{agg}: one point per day");
        assert!(series.windows(2).all(|p| p[1].0 - p[0].0 == 86_400), "{agg}: consecutive days");
        let sum: f64 = series.iter().map(|(_, v)| v).sum();
        let total = row.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
        assert!(close(sum, total), "{agg} {}: series {sum} vs total {total}", row.name);
    }
}

/// Idle rows too: a separate idle row's days add up to its totalCost, by cluster and by node.
#[test]
fn an_idle_rows_daily_series_adds_up_to_its_total() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    for idle in [IdleMode::SeparateByCluster, IdleMode::SeparateByNode] {
        let r = req(DataKind::Allocation, w, "namespace", "", idle);
        let page = dev().query(&r).unwrap();
        let rows: Vec<_> = page.rows.iter().filter(|row| row.name.ends_with("/__idle__")).collect();
        assert!(!rows.is_empty(), "{idle:?}: idle rows on the first page");
        for row in rows {
            let series = dev().daily_series(&r, row).unwrap();
            // A cluster runs every day; a node may live only some of them (autoscaling).
            let days = series.len();
            let expected = if idle == IdleMode::SeparateByCluster { 7..=7 } else { 1..=7 };
            assert!(expected.contains(&days), "{idle:?} {}: {days} days", row.name);
            let sum: f64 = series.iter().map(|(_, v)| v).sum();
            let total = row.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
            assert!(close(sum, total), "{idle:?} {}: series {sum} vs total {total}", row.name);
        }
    }
}

/// A row-name search keeps the rows whose name contains the text (any case), and the totals and
/// totalRows count only those rows.
#[test]
fn a_name_search_keeps_matching_rows_and_their_totals() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    let all = dev()
        .query(&req(DataKind::Allocation, w, "namespace", "", IdleMode::SeparateByCluster))
        .unwrap();
    let mut r = req(DataKind::Allocation, w, "namespace", "", IdleMode::SeparateByCluster);
    r.search = Some("KUBE".into());
    let page = dev().query(&r).unwrap();
    let want: Vec<&str> = all
        .rows
        .iter()
        .map(|r| r.name.as_str())
        .filter(|n| n.to_lowercase().contains("kube"))
        .collect();
    let got: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
    assert!(!want.is_empty() && want.len() < all.rows.len(), "{want:?}");
    assert_eq!(got, want);
    assert_eq!(page.total_rows, want.len());
    let sum: f64 = page
        .rows
        .iter()
        .map(|r| r.get(DataKind::Allocation, ColumnId::TotalCost).unwrap())
        .sum();
    assert!(close(sum, page.totals.get(DataKind::Allocation, ColumnId::TotalCost).unwrap()));
}

#[test]
fn filters_and_multi_aggregation_work_on_real_data() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    let all = dev().query(&req(DataKind::Allocation, w, "namespace", "", IdleMode::Hide)).unwrap();
    let without = dev()
        .query(&req(
            DataKind::Allocation,
            w,
            "namespace",
            "namespace!:\"kube-system\"",
            IdleMode::Hide,
        ))
        .unwrap();
    assert_eq!(without.total_rows + 1, all.total_rows);
    let multi = dev()
        .query(&req(DataKind::Allocation, w, "cluster,namespace", "", IdleMode::Hide))
        .unwrap();
    assert!(multi.rows.iter().all(|r| r.name.contains('/') && r.properties.len() == 2));
    let t = |p: &Page| p.totals.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
    assert!(close(t(&multi), t(&all)));
}

#[test]
fn corrupt_file_is_logged_and_skipped_and_a_fixed_file_reingests_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dst = tmp.path();
    copy_dir(&dev_dir().join("federated"), &dst.join("federated"));
    let key = "federated/prod-us-east-1/etl/bingen/allocations/1d/1795046400-1795132800";
    let good = std::fs::read(dst.join(key)).unwrap();
    std::fs::write(dst.join(key), &good[..good.len() / 2]).unwrap();
    let (agg, r) = ingest(dst);
    assert_eq!(r.failures.len(), 1);
    assert_eq!(r.failures[0].key, key);
    assert!(r.failures[0].reason.contains("byte offset"), "{}", r.failures[0].reason);
    let w = window(day("2026-11-19"), day("2026-11-20"));
    let q = req(DataKind::Allocation, w, "cluster", "cluster:\"prod-us-east-1\"", IdleMode::Hide);
    assert_eq!(agg.query(&q).unwrap().total_rows, 0, "no half-ingested rows");
    std::fs::write(dst.join(key), &good).unwrap();
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dst).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(costscope::progress::TaskId::Ingest));
    let r2 = rt()
        .block_on(ingest_once(agg.clone(), store.clone(), &IngestOptions::default(), &tx))
        .unwrap();
    assert_eq!(r2.ingested, 1, "only the repaired file");
    let want = truth()["clusters"]["prod-us-east-1"]["federated"]["allocations1d"]["2026-11-19"]["totalCost"]
        .as_f64()
        .unwrap();
    let got = agg
        .query(&q)
        .unwrap()
        .totals
        .get(DataKind::Allocation, ColumnId::TotalCost)
        .unwrap();
    assert!(close(got, want));
    let r3 = rt()
        .block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
    assert_eq!(
        (r3.ingested, r3.unchanged as usize),
        (0, r3.files as usize),
        "a second pass changes nothing"
    );
    assert_eq!(
        agg.counts().unwrap(),
        dev().counts().unwrap(),
        "same rows as a clean ingest: no duplicates"
    );
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &dst.join(e.file_name()));
        } else {
            std::fs::copy(&p, dst.join(e.file_name())).unwrap();
        }
    }
}

/// Label keys reach the SQL as bound values, never as text: keys with quotes, SQL and the
/// encoding's separators group every row under `__unallocated__` (no such label) and keep the
/// total, for the kinds that keep keys as typed (cloud costs) and those that sanitize them.
#[test]
fn hostile_label_keys_are_bound_not_quoted() {
    let w = window(day("2026-11-14"), day("2026-11-21"));
    for kind in [DataKind::CloudCost, DataKind::Asset, DataKind::Allocation] {
        let total_col = costscope::query::columns(kind)
            .iter()
            .find(|c| c.detail == costscope::query::columns::Detail::Total)
            .unwrap()
            .id;
        let all = dev().query(&req(kind, w, "", "", IdleMode::Hide)).unwrap();
        for key in ["x' OR '1'='1", "a\u{1f}b\u{1e}c", "$1", "?"] {
            let r = req(kind, w, &format!("label:{key}"), "", IdleMode::Hide);
            let page = dev().query(&r).unwrap_or_else(|e| panic!("{kind:?} label:{key:?}: {e}"));
            assert_eq!(page.total_rows, 1, "{kind:?} label:{key:?}: {:?}", page.rows);
            let want = all.totals.get(kind, total_col).unwrap();
            assert!(close(page.totals.get(kind, total_col).unwrap(), want), "{kind:?} label:{key:?}");
        }
    }
}

/// Kubecost's cost rate (issue: reporting): every USD column and total of the monthly rate is the
/// cumulative value × 730 / hours of data covered (168 for a full week of data), daily × 24,
/// hourly × 1;
/// ratios, averages and counts are unchanged; for every kind.
#[test]
fn rates_scale_usd_columns_by_hours_covered() {
    use costscope::query::{CostRate, Unit, columns};
    let w = window(day("2026-11-14"), day("2026-11-21"));
    for (kind, agg) in [
        (DataKind::Allocation, "namespace"),
        (DataKind::Asset, "type"),
        (DataKind::CloudCost, "service"),
    ] {
        let cum = dev().query(&req(kind, w, agg, "", IdleMode::SeparateByCluster)).unwrap();
        // Cloud costs in dev end a day before the week does.
        let hours = if kind == DataKind::CloudCost { 144.0 } else { 168.0 };
        assert!((cum.covered_hours - hours).abs() < 1e-9, "{kind:?}: {} h", cum.covered_hours);
        for (rate, per) in [(CostRate::Monthly, 730.0), (CostRate::Daily, 24.0), (CostRate::Hourly, 1.0)] {
            let mut r = req(kind, w, agg, "", IdleMode::SeparateByCluster);
            r.rate = rate;
            let page = dev().query(&r).unwrap();
            assert_eq!((page.rate, page.total_rows), (rate, cum.total_rows));
            let f = per / hours;
            for (i, c) in columns(kind).iter().enumerate() {
                let want = if c.unit == Unit::Usd {
                    cum.totals.values[i] * f
                } else {
                    cum.totals.values[i]
                };
                assert!(close(page.totals.values[i], want), "{kind:?} {rate:?} total {}", c.json());
                for (a, b) in page.rows.iter().zip(&cum.rows) {
                    let want = if c.unit == Unit::Usd { b.values[i] * f } else { b.values[i] };
                    assert!(close(a.values[i], want), "{kind:?} {rate:?} {} {}", a.name, c.json());
                }
            }
        }
    }
}
