//! Facts F6 and F8 (`docs/semantics-facts.md`): row names and totals of OpenCost's mock
//! allocation set (`core/pkg/opencost/mock.go`, tests in `allocation_test.go`) aggregated by the
//! aggregator, with each idle mode and with filters; plus the derived key rules (§6).
//! The set is written with our bingen encoder and ingested like a bucket.

use crate::support::mock_bucket;

use costscope::aggregator::Aggregator;
use costscope::query::{ColumnId, CostSource, DataKind, IdleMode, parse_aggregate};
use mock_bucket::{Costs, DAY, Props, allocation, ingest, node, write_bucket};
use std::collections::BTreeMap;
use std::sync::OnceLock;

fn mock_props() -> Vec<(&'static str, Props)> {
    let p = |cluster, node, namespace, pod, container, kind, controller| Props {
        cluster,
        node,
        namespace,
        pod,
        container,
        kind,
        controller,
        ..Default::default()
    };
    let kv = |v: &[(&'static str, &'static str)]| Some(v.to_vec());
    vec![
        (
            "cluster1/namespace1/pod1/container1",
            Props {
                labels: kv(&[("app", "app1"), ("env", "env1")]),
                ..p("cluster1", "c1nodes", "namespace1", "pod1", "container1", "", "")
            },
        ),
        (
            "cluster1/namespace1/pod-abc/container2",
            p(
                "cluster1",
                "c1nodes",
                "namespace1",
                "pod-abc",
                "container2",
                "deployment",
                "deployment1",
            ),
        ),
        (
            "cluster1/namespace1/pod-def/container3",
            p(
                "cluster1",
                "c1nodes",
                "namespace1",
                "pod-def",
                "container3",
                "deployment",
                "deployment1",
            ),
        ),
        (
            "cluster1/namespace2/pod-ghi/container4",
            Props {
                labels: kv(&[("app", "app2"), ("env", "env2")]),
                ..p(
                    "cluster1",
                    "c1nodes",
                    "namespace2",
                    "pod-ghi",
                    "container4",
                    "deployment",
                    "deployment2",
                )
            },
        ),
        (
            "cluster1/namespace2/pod-ghi/container5",
            Props {
                labels: kv(&[("app", "app2"), ("env", "env2")]),
                ..p(
                    "cluster1",
                    "c1nodes",
                    "namespace2",
                    "pod-ghi",
                    "container5",
                    "deployment",
                    "deployment2",
                )
            },
        ),
        (
            "cluster1/namespace2/pod-jkl/container6",
            Props {
                services: vec!["service1"],
                ..p(
                    "cluster1",
                    "c1nodes",
                    "namespace2",
                    "pod-jkl",
                    "container6",
                    "daemonset",
                    "daemonset1",
                )
            },
        ),
        (
            "cluster2/namespace2/pod-mno/container4",
            Props {
                labels: kv(&[("app", "app2")]),
                ..p(
                    "cluster2",
                    "node1",
                    "namespace2",
                    "pod-mno",
                    "container4",
                    "deployment",
                    "deployment2",
                )
            },
        ),
        (
            "cluster2/namespace2/pod-mno/container5",
            Props {
                labels: kv(&[("app", "app2")]),
                ..p(
                    "cluster2",
                    "node1",
                    "namespace2",
                    "pod-mno",
                    "container5",
                    "deployment",
                    "deployment2",
                )
            },
        ),
        (
            "cluster2/namespace2/pod-pqr/container6",
            Props {
                services: vec!["service1"],
                ..p(
                    "cluster2",
                    "node2",
                    "namespace2",
                    "pod-pqr",
                    "container6",
                    "daemonset",
                    "daemonset1",
                )
            },
        ),
        (
            "cluster2/namespace3/pod-stu/container7",
            Props {
                annotations: kv(&[("team", "team1")]),
                ..p(
                    "cluster2",
                    "node2",
                    "namespace3",
                    "pod-stu",
                    "container7",
                    "deployment",
                    "deployment3",
                )
            },
        ),
        (
            "cluster2/namespace3/pod-vwx/container8",
            Props {
                annotations: kv(&[("team", "team2")]),
                ..p(
                    "cluster2",
                    "node3",
                    "namespace3",
                    "pod-vwx",
                    "container8",
                    "statefulset",
                    "statefulset1",
                )
            },
        ),
        (
            "cluster2/namespace3/pod-vwx/container9",
            Props {
                annotations: kv(&[("team", "team1")]),
                ..p(
                    "cluster2",
                    "node3",
                    "namespace3",
                    "pod-vwx",
                    "container9",
                    "statefulset",
                    "statefulset1",
                )
            },
        ),
    ]
}

/// The mock set: 12 allocations of 1 USD per resource (pod1: RAM 11), node assets leaving idle
/// cluster1 CPU 5 / RAM 15 and cluster2 CPU 5 / RAM 5 (all on node1), GPU fully allocated.
fn mock() -> &'static Aggregator {
    static A: OnceLock<(tempfile::TempDir, Aggregator)> = OnceLock::new();
    &A.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let allocs: Vec<_> = mock_props()
            .iter()
            .map(|(name, p)| {
                let ram = if name.ends_with("pod1/container1") { 11.0 } else { 1.0 };
                allocation(name, p, Costs { ram, ..Costs::ONES })
            })
            .collect();
        let nodes = [
            node("cluster1", "c1nodes", 11.0, 31.0, 6.0),
            node("cluster2", "node1", 7.0, 7.0, 2.0),
            node("cluster2", "node2", 2.0, 2.0, 2.0),
            node("cluster2", "node3", 2.0, 2.0, 2.0),
        ];
        write_bucket(dir.path(), &allocs, &nodes);
        let agg = ingest(dir.path());
        (dir, agg)
    })
    .1
}

fn query(aggregate: &str, filter: &str, idle: IdleMode) -> BTreeMap<String, f64> {
    let kind = DataKind::Allocation;
    let req = crate::support::request(kind, crate::support::window(DAY, DAY + 86_400), aggregate, filter, idle);
    let page = mock().query(&req).unwrap_or_else(|e| panic!("{aggregate} / {filter}: {e:?}"));
    page.rows
        .iter()
        .map(|r| (r.name.clone(), (r.get(kind, ColumnId::TotalCost).unwrap() * 1e4).round() / 1e4))
        .collect()
}

fn expect(aggregate: &str, filter: &str, idle: IdleMode, want: &[(&str, f64)]) {
    let want: BTreeMap<String, f64> = want.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    assert_eq!(
        query(aggregate, filter, idle),
        want,
        "aggregate={aggregate} filter={filter} idle={idle:?}"
    );
}

const IDLE: (&str, f64) = ("__idle__", 30.0);
const UN: &str = "__unallocated__";

#[test]
fn f6c_aggregations_with_merged_idle() {
    let m = IdleMode::Merged;
    expect("cluster", "", m, &[("cluster1", 46.0), ("cluster2", 36.0), IDLE]);
    expect(
        "namespace",
        "",
        m,
        &[("namespace1", 28.0), ("namespace2", 36.0), ("namespace3", 18.0), IDLE],
    );
    expect(
        "controllerKind",
        "",
        m,
        &[("daemonset", 12.0), ("deployment", 42.0), ("statefulset", 12.0), (UN, 16.0), IDLE],
    );
    expect(
        "controller",
        "",
        m,
        &[
            ("deployment:deployment1", 12.0),
            ("deployment:deployment2", 24.0),
            ("deployment:deployment3", 6.0),
            ("daemonset:daemonset1", 12.0),
            ("statefulset:statefulset1", 12.0),
            (UN, 16.0),
            IDLE,
        ],
    );
    expect("service", "", m, &[("service1", 12.0), (UN, 70.0), IDLE]);
    expect("label:app", "", m, &[("app1", 16.0), ("app2", 24.0), (UN, 42.0), IDLE]);
    expect(
        "deployment",
        "",
        m,
        &[("deployment1", 12.0), ("deployment2", 24.0), ("deployment3", 6.0), (UN, 40.0), IDLE],
    );
    expect("daemonset", "", m, &[("daemonset1", 12.0), (UN, 70.0), IDLE]);
    expect("statefulset", "", m, &[("statefulset1", 12.0), (UN, 70.0), IDLE]);
    expect("annotation:team", "", m, &[("team1", 12.0), ("team2", 6.0), (UN, 64.0), IDLE]);
    expect(
        "label:app,label:env",
        "",
        m,
        &[
            ("app1/env1", 16.0),
            ("app2/env2", 12.0),
            ("app2/__unallocated__", 12.0),
            ("__unallocated__/__unallocated__", 42.0),
            IDLE,
        ],
    );
    expect(
        "cluster,label:app,label:env",
        "",
        m,
        &[
            ("cluster1/app1/env1", 16.0),
            ("cluster1/app2/env2", 12.0),
            ("cluster1/__unallocated__/__unallocated__", 18.0),
            ("cluster2/app2/__unallocated__", 12.0),
            ("cluster2/__unallocated__/__unallocated__", 24.0),
            IDLE,
        ],
    );
    let pods = query("pod,annotation:team", "", m);
    assert_eq!(pods["pod-stu/team1"], 6.0);
    assert_eq!(pods["pod-vwx/team1"], 6.0);
    assert_eq!(pods["pod-vwx/team2"], 6.0);
    assert_eq!(pods["pod1/__unallocated__"], 16.0);
    assert_eq!(pods["pod-ghi/__unallocated__"], 12.0);
    assert_eq!(pods["__idle__"], 30.0);
}

#[test]
fn f6c_idle_modes_name_idle_rows_as_kubecost() {
    expect(
        "namespace",
        "",
        IdleMode::SeparateByCluster,
        &[
            ("namespace1", 28.0),
            ("namespace2", 36.0),
            ("namespace3", 18.0),
            ("cluster1/__idle__", 20.0),
            ("cluster2/__idle__", 10.0),
        ],
    );
    expect(
        "namespace",
        "",
        IdleMode::SeparateByNode,
        &[
            ("namespace1", 28.0),
            ("namespace2", 36.0),
            ("namespace3", 18.0),
            ("cluster1/c1nodes/__idle__", 20.0),
            ("cluster2/node1/__idle__", 10.0),
        ],
    );
    expect(
        "namespace",
        "",
        IdleMode::Hide,
        &[("namespace1", 28.0), ("namespace2", 36.0), ("namespace3", 18.0)],
    );
    // cluster keeps its own name on idle rows split by cluster.
    expect(
        "cluster",
        "",
        IdleMode::SeparateByCluster,
        &[
            ("cluster1", 46.0),
            ("cluster2", 36.0),
            ("cluster1/__idle__", 20.0),
            ("cluster2/__idle__", 10.0),
        ],
    );
}

#[test]
fn f8_idle_with_filters() {
    let m = IdleMode::Merged;
    expect("cluster", r#"cluster:"cluster1""#, m, &[("cluster1", 46.0), ("__idle__", 20.0)]);
    expect("cluster", r#"cluster:"cluster1""#, IdleMode::Share, &[("cluster1", 66.0)]);
    expect(
        "namespace",
        r#"cluster:"cluster1""#,
        m,
        &[("namespace1", 28.0), ("namespace2", 18.0), ("__idle__", 20.0)],
    );
    expect(
        "cluster",
        r#"namespace:"namespace2""#,
        m,
        &[("cluster1", 18.0), ("cluster2", 18.0), ("__idle__", 10.3125)],
    );
    expect(
        "cluster",
        r#"namespace:"namespace2""#,
        IdleMode::SeparateByCluster,
        &[
            ("cluster1", 18.0),
            ("cluster2", 18.0),
            ("cluster1/__idle__", 5.3125),
            ("cluster2/__idle__", 5.0),
        ],
    );
    expect(
        "namespace",
        "",
        IdleMode::Share,
        &[("namespace1", 42.6875), ("namespace2", 46.3125), ("namespace3", 23.0)],
    );
    expect(
        "namespace",
        r#"namespace:"namespace2""#,
        IdleMode::Share,
        &[("namespace2", 46.3125)],
    );
    // By node: cluster2's idle sits on node1, whose allocations are all in namespace2, so
    // namespace3 keeps none of it; node1 (no visible allocation) and the zero-idle nodes 2 and 3
    // show no idle row.
    expect(
        "namespace",
        r#"namespace:"namespace3""#,
        IdleMode::SeparateByNode,
        &[("namespace3", 18.0)],
    );
    expect(
        "namespace",
        r#"namespace:"namespace2""#,
        IdleMode::SeparateByNode,
        &[
            ("namespace2", 36.0),
            ("cluster1/c1nodes/__idle__", 5.3125),
            ("cluster2/node1/__idle__", 10.0),
        ],
    );
}

#[test]
fn f6b_derived_segments() {
    let m = IdleMode::Hide;
    // Drill-down filters select exactly the row they came from.
    for (agg, value) in [
        ("deployment", "deployment2"),
        ("controller", "daemonset:daemonset1"),
        ("label:app", UN),
        ("service", UN),
    ] {
        let key = parse_aggregate(agg, DataKind::Allocation).unwrap();
        let f = key.keys()[0].filter_for(DataKind::Allocation, value).unwrap();
        let all = query(agg, "", m);
        let got = query(agg, &f.to_string(), m);
        assert_eq!(got, BTreeMap::from([(value.to_string(), all[value])]), "{agg}={value} via {f}");
    }
}
