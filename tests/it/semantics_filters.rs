//! Facts F2–F4 (`docs/semantics-facts.md`): filters that must parse or fail (OpenCost
//! `core/pkg/filter/allocation/parser_test.go`), and filter matching on allocations with given
//! properties (`core/pkg/filter/matcher/matcher_test.go`, `core/pkg/opencost/allocationfilter_test.go`,
//! `allocationmatcher_test.go`). Every matching fact is checked twice: in memory
//! ([`Filter::matches_with`] on the model allocation) and by the aggregator's DuckDB SQL on the same
//! allocations written with our encoder and ingested; both must give OpenCost's answer.

use crate::support::mock_bucket;

use costscope::aggregator::Aggregator;
use costscope::model::Allocation;
use costscope::query::{CostSource, DataKind, IdleMode, LabelConfig, QueryRequest, parse_filter};
use mock_bucket::{Costs, DAY, Props, allocation, ingest, write_bucket};
use std::collections::BTreeSet;

fn kv(v: &[(&'static str, &'static str)]) -> Option<Vec<(&'static str, &'static str)>> {
    Some(v.to_vec())
}

fn ns(n: &'static str) -> Props {
    Props {
        namespace: n,
        ..Default::default()
    }
}

fn labels(v: &[(&'static str, &'static str)]) -> Props {
    Props {
        labels: kv(v),
        ..Default::default()
    }
}

fn services(v: &[&'static str]) -> Props {
    Props {
        services: v.to_vec(),
        ..Default::default()
    }
}

/// (filter, [(props, matches)]) — F3, with the label config of OpenCost's defaults.
fn f3() -> Vec<(&'static str, Vec<(Props, bool)>)> {
    let kind = |k: &'static str| Props {
        kind: k,
        ..Default::default()
    };
    let cluster = |c: &'static str| Props {
        cluster: c,
        ..Default::default()
    };
    vec![
        ("namespace:\"kubecost\"", vec![(ns("kubecost"), true), (ns("kube-system"), false)]),
        (
            "namespace!:\"kubecost\",\"kube-system\"",
            vec![(ns("abc"), true), (ns("kubecost"), false), (ns("kube-system"), false)],
        ),
        (
            "namespace:\"kubecost\",\"kube-system\"",
            vec![(ns("kube-system"), true), (ns("abc"), false)],
        ),
        (
            "node:\"node a b c\",\"node 12 3\"+namespace:\"kubecost\"",
            vec![
                (
                    Props {
                        node: "node 12 3",
                        ..ns("kubecost")
                    },
                    true,
                ),
                (ns("kubecost"), false),
                (
                    Props {
                        node: "nodeabc",
                        ..Default::default()
                    },
                    false,
                ),
            ],
        ),
        (
            "label[app_abc]:\"cost_analyzer\"",
            vec![
                (labels(&[("test", "test123"), ("app_abc", "cost_analyzer")]), true),
                (labels(&[("foo", "bar")]), false),
            ],
        ),
        (
            "label[app-abc]:\"cost_analyzer\"",
            vec![
                (labels(&[("app_abc", "cost_analyzer")]), true),
                (labels(&[("app-abc", "cost_analyzer")]), false),
            ],
        ),
        (
            "label[cloud.google.com/gke-nodepool]:\"gke-nodepool-1\"",
            vec![
                (labels(&[("cloud_google_com_gke_nodepool", "gke-nodepool-1")]), true),
                (labels(&[("cloud.google.com/gke-nodepool", "gke-nodepool-1")]), false),
            ],
        ),
        (
            "label:\"cloud.google.com/gke-nodepool\"",
            vec![
                (labels(&[("cloud_google_com_gke_nodepool", "x")]), true),
                (labels(&[("cloud.google.com/gke-nodepool", "x")]), false),
            ],
        ),
        (
            "services~:\"123\",\"abc\"",
            vec![
                (services(&["foo", "bar", "123"]), true),
                (services(&["foo", "abc", "test"]), true),
                (services(&["foo", "bar"]), false),
            ],
        ),
        ("namespace:\"__unallocated__\"", vec![(ns(""), true), (ns("kube-system"), false)]),
        ("namespace!:\"__unallocated__\"", vec![(ns("kubecost"), true), (ns(""), false)]),
        (
            "controllerKind:\"__unallocated__\"",
            vec![(kind(""), true), (kind("deployment"), false)],
        ),
        (
            "controllerKind!:\"__unallocated__\"",
            vec![(kind("deployment"), true), (kind(""), false)],
        ),
        (
            "label[app]:\"__unallocated__\"",
            vec![(labels(&[("foo", "bar")]), true), (labels(&[("app", "test")]), false)],
        ),
        (
            "label[app]!:\"__unallocated__\"",
            vec![(labels(&[("app", "test")]), true), (labels(&[("foo", "bar")]), false)],
        ),
        ("label[app]!:\"foo\"", vec![(labels(&[("someotherlabel", "x")]), true)]),
        (
            "label[app]:\"foo\"",
            vec![(labels(&[("app", "bar")]), false), (labels(&[("someotherlabel", "x")]), false)],
        ),
        (
            "annotation[app]!:\"foo\"",
            vec![(
                Props {
                    annotations: kv(&[("other", "x")]),
                    ..Default::default()
                },
                true,
            )],
        ),
        (
            "services:\"__unallocated__\"",
            vec![(services(&[]), true), (services(&["svc1", "svc2"]), false)],
        ),
        (
            "services!:\"__unallocated__\"",
            vec![(services(&["svc1", "svc2"]), true), (services(&[]), false)],
        ),
        ("services:\"serv2\"", vec![(services(&["serv1", "serv2"]), true)]),
        ("services:\"serv3\"", vec![(services(&["serv1", "serv2"]), false)]),
        ("services!:\"serv3\"", vec![(services(&["serv1", "serv2"]), true)]),
        ("services!:\"serv2\"", vec![(services(&["serv1", "serv2"]), false)]),
        (
            "services<~:\"serv\"",
            vec![(services(&["serv1", "serv2"]), true), (services(&["foo", "bar"]), false)],
        ),
        (
            "cluster<~:\"cluster\"",
            vec![(cluster("cluster-one"), true), (cluster("k8s-one"), false)],
        ),
        ("cluster<~:\"\"", vec![(cluster(""), true), (cluster("abc"), true)]),
        (
            "pod:\"pod-123 UID-ABC\"",
            vec![(
                Props {
                    pod: "pod-123 UID-ABC",
                    ..Default::default()
                },
                true,
            )],
        ),
        (
            "label[app]:\"foo\"+namespace:\"kubecost\"",
            vec![
                (
                    Props {
                        labels: kv(&[("app", "foo")]),
                        ..ns("kubecost")
                    },
                    true,
                ),
                (
                    Props {
                        labels: kv(&[("app", "foo")]),
                        ..ns("kube-system")
                    },
                    false,
                ),
                (
                    Props {
                        labels: kv(&[("app", "bar")]),
                        ..ns("kubecost")
                    },
                    false,
                ),
            ],
        ),
        (
            "label[app]:\"foo\"|namespace:\"kubecost\"",
            vec![
                (
                    Props {
                        labels: kv(&[("app", "foo")]),
                        ..ns("kube-system")
                    },
                    true,
                ),
                (
                    Props {
                        labels: kv(&[("app", "bar")]),
                        ..ns("kube-system")
                    },
                    false,
                ),
            ],
        ),
        ("namespace~:\"__unallocated__\"", vec![(ns("anything"), true), (ns(""), true)]),
        ("namespace!~:\"__unallocated__\"", vec![(ns("anything"), false), (ns(""), false)]),
        ("services~:\"serv\"", vec![(services(&["serv1", "serv2"]), false)]),
        (
            "services<~:\"__unallocated__\"",
            vec![(services(&[]), false), (services(&["a"]), true)],
        ),
        ("label~:\"ap\"", vec![(labels(&[("app", "x")]), false)]),
        ("label<~:\"ap\"", vec![(labels(&[("app", "x")]), true)]),
        ("label~>:\"pp\"", vec![(labels(&[("app", "x")]), true)]),
        ("label[app]~:\"ost\"", vec![(labels(&[("app", "cost-analyzer")]), true)]),
        (
            "provider:\"i-123\"",
            vec![(
                Props {
                    provider_id: "i-123",
                    ..Default::default()
                },
                true,
            )],
        ),
        (
            "namespaceLabel[team]:\"infra\"",
            vec![
                (
                    Props {
                        namespace_labels: kv(&[("team", "infra")]),
                        ..Default::default()
                    },
                    true,
                ),
                (ns("x"), false),
            ],
        ),
    ]
}

/// F4 with OpenCost's test label config `keydepartment`, `keyenvironment`, ….
fn f4() -> Vec<(&'static str, Vec<(Props, bool)>)> {
    let ann = |v: &[(&'static str, &'static str)]| Props {
        annotations: kv(v),
        ..Default::default()
    };
    vec![
        ("department:\"foo\"", vec![(labels(&[("keydepartment", "foo")]), true)]),
        ("department!:\"__unallocated__\"", vec![(ann(&[("keydepartment", "foo")]), true)]),
        ("product:\"__unallocated__\"", vec![(ann(&[("keydepartment", "foo")]), true)]),
        (
            "product:\"\"",
            vec![(
                Props {
                    labels: kv(&[("keydepartment", "foo")]),
                    annotations: kv(&[("keyowner", "bar")]),
                    ..Default::default()
                },
                true,
            )],
        ),
        (
            "department:\"x\"",
            vec![
                (
                    Props {
                        labels: kv(&[("keydepartment", "y")]),
                        annotations: kv(&[("keydepartment", "x")]),
                        ..Default::default()
                    },
                    false,
                ),
                (
                    Props {
                        labels: kv(&[]),
                        annotations: kv(&[("keydepartment", "x")]),
                        ..Default::default()
                    },
                    true,
                ),
            ],
        ),
        (
            "team:\"t\"",
            vec![(labels(&[("keyteam", "t")]), true), (labels(&[("team", "t")]), false)],
        ),
    ]
}

fn test_labels() -> LabelConfig {
    LabelConfig {
        department: "keydepartment".into(),
        environment: "keyenvironment".into(),
        owner: "keyowner".into(),
        product: "keyproduct".into(),
        team: "keyteam".into(),
    }
}

/// Every case's allocations, named `case<i>-<j>`, as one bucket; the names each filter must keep.
fn build(cases: &[(&'static str, Vec<(Props, bool)>)]) -> (Vec<Allocation>, Vec<BTreeSet<String>>) {
    let mut all = Vec::new();
    let mut want = Vec::new();
    for (i, (_, rows)) in cases.iter().enumerate() {
        let mut keep = BTreeSet::new();
        for (j, (p, m)) in rows.iter().enumerate() {
            let name = format!("case{i}-{j}");
            // Every allocation needs a cluster folder; cluster-less ones go to "no-cluster" but
            // keep an empty cluster property.
            all.push(allocation(&name, p, Costs::ONES));
            if *m {
                keep.insert(name);
            }
        }
        want.push(keep);
    }
    (all, want)
}

fn duck_names(agg: &Aggregator, filter: &str, labels: &LabelConfig) -> BTreeSet<String> {
    let kind = DataKind::Allocation;
    let req = QueryRequest {
        labels: labels.clone(),
        ..crate::support::request(kind, crate::support::window(DAY, DAY + 86_400), "", filter, IdleMode::Hide)
    };
    agg.query(&req)
        .unwrap_or_else(|e| panic!("{filter}: {e:?}"))
        .rows
        .into_iter()
        .map(|r| r.name)
        .collect()
}

fn check(cases: Vec<(&'static str, Vec<(Props, bool)>)>, labels: LabelConfig) {
    let (allocs, want) = build(&cases);
    let dir = tempfile::tempdir().unwrap();
    write_bucket(dir.path(), &allocs, &[]);
    let agg = ingest(dir.path());
    for (i, (filter, _)) in cases.iter().enumerate() {
        let f = parse_filter(filter, DataKind::Allocation).unwrap_or_else(|e| panic!("{filter}: {e}"));
        let prefix = format!("case{i}-");
        let mem: BTreeSet<String> = allocs
            .iter()
            .filter(|a| a.name.starts_with(&prefix) && f.matches_with(*a, &labels))
            .map(|a| a.name.to_string())
            .collect();
        assert_eq!(mem, want[i], "in memory: {filter}");
        let duck: BTreeSet<String> = duck_names(&agg, filter, &labels)
            .into_iter()
            .filter(|n| n.starts_with(&prefix))
            .collect();
        assert_eq!(duck, want[i], "DuckDB: {filter}");
    }
}

#[test]
fn f3_allocation_matching_in_memory_and_sql() {
    check(f3(), LabelConfig::default());
}

#[test]
fn f4_alias_matching_in_memory_and_sql() {
    check(f4(), test_labels());
}

#[test]
fn f2_filters_that_must_parse() {
    for ok in [
        "   ",
        r#"namespace: "kubecost""#,
        r#"(namespace: "kubecost")"#,
        r#"((namespace: "kubecost"))"#,
        r#"namespace: "kubecost" + services~:"foo" + (cluster:"cluster-one" | controllerKind:"deployment")"#,
        r#"namespace: "kubecost" | services~:"foo" | (cluster:"cluster-one" + controllerKind:"deployment") | namespace:"bar","test""#,
        "node:\"node a b c\" , \"node 12 3\"\n+\n\rnamespace : \"kubecost\"",
        r#"(label~:"foo" + label[foo]:"bar") | (label!~:"foo" + annotation~:"foo" + annotation[foo]:"bar")"#,
        "controllerKind!:\n\"daemonset\",\n\"statefulset\" + owner!:\"kubecost\"",
        r#"label[app.kubernetes.io/name]:"x""#,
    ] {
        parse_filter(ok, DataKind::Allocation).unwrap_or_else(|e| panic!("{ok:?} must parse: {e}"));
    }
    let f = parse_filter(r#"label[app.kubernetes.io/name]:"x""#, DataKind::Allocation).unwrap();
    assert_eq!(f.to_string(), r#"label[app_kubernetes_io_name]:"x""#);
}

#[test]
fn f2_filters_that_must_fail() {
    for bad in [
        "()",
        r#"namespace.:"kubecost""#,
        r#"(namespace:"kubecost"))"#,
        r#"((namespace:"kubecost")"#,
        r#"namespace:"kubecost" | services~:"foo" + cluster:"bar""#,
        r#"namespace:"kubecost" + services~:"foo" | cluster:"bar""#,
        r#"(namespace:"kubecost" + (services~:"foo" | cluster:"bar") | controllerKind<~:"dep"))"#,
        r#"(namespace:"kubecost" + (services~:"foo" | cluster:"bar")) | controllerKind<~:"dep")"#,
        r#"Namespace:"x""#,
        r#"controller:"x""#,
    ] {
        let e = parse_filter(bad, DataKind::Allocation).expect_err(bad);
        assert!(!e.to_string().is_empty());
    }
    let e = parse_filter(r#"Namespace:"x""#, DataKind::Allocation).unwrap_err().to_string();
    assert!(e.contains("namespace"), "case hint: {e}");
}
