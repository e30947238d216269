//! Integration tests for `costscope::query`: filter language v2 through the
//! public API (parse → display → evaluate → SQL), plus windows and
//! aggregates as a caller uses them.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use costscope::query::{
    AggregateKey, DataKind, Field, FieldValue, Filter, FilterTarget, LabelConfig, Op, SqlColumns, UNALLOCATED, parse_aggregate,
    parse_filter, parse_window, to_sql,
};

/// A minimal in-memory allocation, the way the TUI would filter rows it has.
struct Row {
    cluster: &'static str,
    namespace: &'static str,
    controller: &'static str,
    pod: &'static str,
    container: &'static str,
    services: Vec<String>,
    labels: HashMap<String, String>,
}

impl FilterTarget for Row {
    fn field(&self, f: &Field) -> FieldValue<'_> {
        match f {
            Field::Cluster => FieldValue::Str(self.cluster),
            Field::Namespace => FieldValue::Str(self.namespace),
            Field::ControllerName => FieldValue::Str(self.controller),
            Field::Pod => FieldValue::Str(self.pod),
            Field::Container => FieldValue::Str(self.container),
            Field::Services => FieldValue::List(&self.services),
            Field::Label(_) => FieldValue::Map(&self.labels),
            _ => FieldValue::Missing,
        }
    }
}

fn rows() -> Vec<Row> {
    let labels = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    vec![
        Row {
            cluster: "cluster-one",
            namespace: "kubecost",
            controller: "kubecost-cost-analyzer",
            pod: "kubecost-cost-analyzer-7d9f",
            container: "cost-model",
            services: vec!["kubecost-cost-analyzer".into()],
            labels: labels(&[("app", "cost-analyzer"), ("team", "finops")]),
        },
        Row {
            cluster: "cluster-one",
            namespace: "kube-system",
            controller: "coredns",
            pod: "coredns-55f",
            container: "coredns",
            services: vec!["kube-dns".into()],
            labels: labels(&[("k8s-app", "kube-dns")]),
        },
        Row {
            cluster: "cluster-two",
            namespace: "web",
            controller: "frontend",
            pod: "frontend-1",
            container: "nginx",
            services: vec![],
            labels: labels(&[("app", "frontend"), ("team", "web")]),
        },
    ]
}

/// Which rows (by pod) a filter keeps.
fn kept(filter: &str) -> Vec<&'static str> {
    let f = parse_filter(filter, DataKind::Allocation).unwrap_or_else(|e| panic!("{e}"));
    rows().into_iter().filter(|r| f.matches(r)).map(|r| r.pod).collect()
}

#[test]
fn spec_examples_parse_and_filter() {
    assert_eq!(
        kept(r#"namespace:"kubecost"+container:"cost-model""#),
        ["kubecost-cost-analyzer-7d9f"]
    );
    assert_eq!(kept(r#"cluster!:"cluster-one""#), ["frontend-1"]);
    assert_eq!(kept(r#"namespace!:"kubecost","kube-system""#), ["frontend-1"]);
    assert_eq!(kept(r#"label[app]:"cost-analyzer""#), ["kubecost-cost-analyzer-7d9f"]);
    assert_eq!(
        kept(r#"(namespace:"kubecost"|namespace:"web")+cluster:"cluster-two""#),
        ["frontend-1"]
    );
    assert_eq!(kept(""), ["kubecost-cost-analyzer-7d9f", "coredns-55f", "frontend-1"]);
}

#[test]
fn operators_on_each_shape() {
    assert_eq!(kept(r#"pod<~:"core""#), ["coredns-55f"]);
    assert_eq!(kept(r#"pod!~>:"-1""#), ["kubecost-cost-analyzer-7d9f", "coredns-55f"]);
    assert_eq!(kept(r#"services:"kube-dns""#), ["coredns-55f"]);
    assert_eq!(kept(r#"services:"""#), ["frontend-1"]);
    assert_eq!(kept(r#"label:"team""#), ["kubecost-cost-analyzer-7d9f", "frontend-1"]);
    assert_eq!(kept(r#"label!:"team""#), ["coredns-55f"]);
    assert_eq!(kept(r#"label[team]:"""#), ["coredns-55f"]);
    assert_eq!(kept(r#"team!:"finops""#), ["coredns-55f", "frontend-1"]);
}

#[test]
fn malformed_filters_report_the_column() {
    let cases: &[(&str, usize, &str)] = &[
        ("namespace:kubecost", 11, "double-quoted"),
        (r#"namespace="x""#, 10, "expected one of : !: ~: !~: <~: !<~: ~>: !~>:"),
        (r#"(namespace:"a"+pod:"b""#, 23, "expected ')'"),
        (r#"namespace:"a")"#, 14, "unmatched ')'"),
        (r#"namespace:"x"+cluster:"y"|pod:"z""#, 26, "cannot mix"),
        (r#"namespace:"x"+"#, 15, "end of filter"),
        (r#"namespace:"kube"#, 11, "unterminated string"),
        (r#"nmespace:"x""#, 1, "valid fields: cluster, node, namespace"),
    ];
    for (input, column, needle) in cases {
        let e = parse_filter(input, DataKind::Allocation).unwrap_err();
        assert_eq!(e.column, *column, "{input}: {e}");
        assert!(e.message.contains(needle), "{input}: {e}");
        // The rendered error shows the input and a caret under the column.
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], format!("  {input}"));
        assert_eq!(lines[2].find('^'), Some(2 + column - 1), "{text}");
    }
}

#[test]
fn display_round_trips() {
    for input in [
        r#"namespace:"kubecost"+container:"cost-model""#,
        r#"cluster!:"cluster-one""#,
        r#"namespace!:"kubecost","kube-system""#,
        r#"label[app]:"cost-analyzer""#,
        r#"(namespace:"a"|namespace:"b")+cluster:"c""#,
        r#"((pod~:"a"+pod!~:"b")|services<~:"c")+annotation[x]!<~:"q\"uote\\"+label~>:"e""#,
        r#"controllerKind:"deployment"|controllerName~>:"-api"|team:"x""#,
    ] {
        let f = parse_filter(input, DataKind::Allocation).unwrap();
        assert_eq!(f.to_string(), input, "canonical text");
        assert_eq!(parse_filter(&f.to_string(), DataKind::Allocation).unwrap(), f);
    }
    // Non-canonical spacing and parentheses normalise (field names are case-sensitive).
    let f = parse_filter(r#" controllerKind : "a" + ( pod:"b" ) "#, DataKind::Allocation).unwrap();
    assert_eq!(f.to_string(), r#"controllerKind:"a"+pod:"b""#);
}

struct DuckCols;

impl SqlColumns for DuckCols {
    fn scalar(&self, f: &Field) -> Option<String> {
        match f {
            Field::Namespace | Field::Cluster | Field::Pod => Some(f.name().to_string()),
            _ => None,
        }
    }
    fn list(&self, f: &Field) -> Option<String> {
        (*f == Field::Services).then(|| "services".to_string())
    }
    fn map_value(&self, f: &Field, ph: &str) -> Option<String> {
        matches!(f, Field::Label(_)).then(|| format!("labels[{ph}]"))
    }
    fn map_has_key(&self, f: &Field, ph: &str) -> Option<String> {
        matches!(f, Field::Label(_)).then(|| format!("map_contains(labels, {ph})"))
    }
}

#[test]
fn sql_for_a_few_filters() {
    let sql = |s: &str| to_sql(&parse_filter(s, DataKind::Allocation).unwrap(), &LabelConfig::default(), &DuckCols);
    assert_eq!(
        sql(r#"namespace!:"kubecost","kube-system"+label[app]~:"cost""#),
        (
            "(NOT (coalesce(namespace, '') IN (?, ?)) AND contains(coalesce(labels[?], ''), ?))".to_string(),
            vec!["kubecost".to_string(), "kube-system".into(), "app".into(), "cost".into()]
        )
    );
    assert_eq!(
        sql(r#"services~:"dns"|pod~>:"-1""#),
        (
            // `~:` on a list is membership, as in OpenCost (docs/semantics.md §3).
            "(coalesce(list_contains(services, ?), false) OR ends_with(coalesce(pod, ''), ?))".to_string(),
            vec!["dns".to_string(), "-1".into()]
        )
    );
    // `label~:"ap"` is "has key ap" (OpenCost); without map_keys, key-prefix tests match nothing.
    assert_eq!(
        sql(r#"label~:"ap""#),
        ("coalesce(map_contains(labels, ?), false)".to_string(), vec!["ap".to_string()])
    );
    assert_eq!(sql(r#"label<~:"ap""#), ("FALSE".to_string(), vec![]));
}

#[test]
fn drill_down_builds_filters() {
    let agg = parse_aggregate("namespace", DataKind::Allocation).unwrap();
    let key = &agg.keys()[0];
    let base = parse_filter(r#"cluster:"cluster-one""#, DataKind::Allocation).unwrap();
    let drilled = base.and(key.filter_for(DataKind::Allocation, "kube-system").unwrap());
    assert_eq!(drilled.to_string(), r#"cluster:"cluster-one"+namespace:"kube-system""#);
    let f = rows().into_iter().filter(|r| drilled.matches(r)).count();
    assert_eq!(f, 1);
    let unalloc = AggregateKey::Label("team".into())
        .filter_for(DataKind::Allocation, UNALLOCATED)
        .unwrap();
    assert_eq!(unalloc, Filter::cmp(Field::Label(Some("team".into())), Op::Equals, ""));
    assert_eq!(rows().into_iter().filter(|r| unalloc.matches(r)).count(), 1);
}

#[test]
fn window_and_aggregate_errors_are_helpful() {
    let now = Utc.with_ymd_and_hms(2026, 11, 18, 13, 47, 25).unwrap();
    let w = parse_window("7d", now).unwrap();
    assert_eq!(w.to_string(), "2026-11-12T00:00:00Z,2026-11-19T00:00:00Z");
    let e = parse_window("7days", now).unwrap_err().to_string();
    assert!(e.contains("\"7days\"") && e.contains("lastweek") && e.contains("RFC3339"), "{e}");
    let e = parse_aggregate("namespace,deployments", DataKind::Allocation)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"deployments\"") && e.contains("controllerKind") && e.contains("label:<name>"),
        "{e}"
    );
}
