//! Translation of a [`Filter`] into a DuckDB `WHERE` fragment with bound
//! parameters.
//!
//! The caller (the aggregator's DuckDB layer) says which SQL expression holds
//! each field through [`SqlColumns`]; this module never quotes or escapes a
//! value: every filter value and map key is handed to the caller's [`Bind`],
//! which returns the parameter marker to write (`$3` for DuckDB's numbered
//! parameters; `?` from the plain `Vec<String>` binder of [`to_sql`]). The SQL gives the same answer as [`Filter::matches`]
//! (see `eval.rs`) for every row, NULLs included: scalar and map-value
//! expressions are wrapped in `coalesce(…, '')` and list/map predicates in
//! `coalesce(…, false)`, so a NULL compares like a missing value.
//!
//! Uses DuckDB functions `contains`, `starts_with`, `ends_with`,
//! `list_contains`, `list_filter`, `len` and Python-style lambdas
//! (`lambda x: …`; DuckDB 2.0 rejects the old `x -> …` arrow by default).

use super::ast::Filter;
use super::compile::{Node, StrOp, Test, compile};
use super::field::Field;
use crate::query::labels::LabelConfig;

/// Binds one parameter value and returns the marker the SQL text uses for it.
pub trait Bind {
    /// Bind `value` (a filter value or map key, as typed) and return its marker.
    fn bind(&mut self, value: &str) -> String;
}

/// Collects values in marker order and writes `?` for each; every marker is written once.
impl Bind for Vec<String> {
    fn bind(&mut self, value: &str) -> String {
        self.push(value.to_string());
        "?".into()
    }
}

/// Where each filter field lives in the caller's SQL. Every method returns a
/// SQL expression, or `None` when the caller has no such column (the field
/// then behaves as missing: `''`, an empty list, an empty map — the same
/// rule as [`super::FieldValue::Missing`]).
///
/// Expressions are pasted verbatim, so they must come from code, never from
/// user input.
pub trait SqlColumns {
    /// A VARCHAR expression for a scalar field (`namespace` → `"namespace"`).
    /// Alias fields are never asked: they compile to label/annotation lookups.
    fn scalar(&self, f: &Field) -> Option<String>;

    /// A `VARCHAR[]` expression for a list field (`services`).
    fn list(&self, f: &Field) -> Option<String>;

    /// A VARCHAR expression for the value of one key of a map field
    /// (`label[app]`), using `key_param` (the bound key's marker) where the
    /// key goes, e.g. `format!("labels[{key_param}]")`, once. Whether it is
    /// `Some` must not depend on `key_param` (it is asked first with an empty
    /// marker, so a key is bound only for a map the caller has). A NULL
    /// result (absent key) is fine.
    fn map_value(&self, map_field: &Field, key_param: &str) -> Option<String>;

    /// A BOOLEAN expression "the map has this key", with the key marker
    /// as in [`SqlColumns::map_value`], e.g. `map_contains(labels, $2)`.
    /// `None` falls back to `list_contains(map_keys, ?)` via
    /// [`SqlColumns::map_keys`].
    fn map_has_key(&self, map_field: &Field, key_param: &str) -> Option<String>;

    /// A `VARCHAR[]` expression listing the map's keys, e.g.
    /// `map_keys(labels)`; needed for `label~:"x"`, `label<~:"x"`,
    /// `label~>:"x"` (key substring/prefix/suffix). The default `None` makes
    /// those comparisons match no row.
    fn map_keys(&self, map_field: &Field) -> Option<String> {
        let _ = map_field;
        None
    }
}

/// Translates `filter` (aliases resolved through `labels`) into a boolean SQL expression for a
/// `WHERE` clause with `?` markers and their values, in order. Meaning: the
/// compiled tests of [`super::compile`] (`docs/semantics.md` §3).
///
/// Shapes (`C` is the caller's column, `coalesce`d as described above):
/// * `f:"a"` → `C = ?`; `f:"a","b"` → `C IN (?, ?)`; `f!:…` → `NOT (…)`
/// * `f~:"a"` → `contains(C, ?)`, `<~:` → `starts_with`, `~>:` → `ends_with`
/// * `services:"a"` and `services~:"a"` → `coalesce(list_contains(L, ?), false)` (with `""`:
///   also an empty list); `services<~:"a"` →
///   `coalesce(len(list_filter(L, lambda x: starts_with(x, ?))), 0) > 0`
/// * `label:"k"` and `label~:"k"` → `coalesce(<map_has_key>, false)`; `label[k]:"v"` compares
///   `coalesce(<map_value>, '')` like a scalar, binding `k` first
/// * `+` → `(a AND b)`, `|` → `(a OR b)`, `All`/empty `And` → `TRUE`, empty `Or` → `FALSE`
pub fn to_sql(filter: &Filter, labels: &LabelConfig, cols: &dyn SqlColumns) -> (String, Vec<String>) {
    let mut params = Vec::new();
    let sql = to_sql_bound(filter, labels, cols, &mut params);
    (sql, params)
}

/// [`to_sql`] with the caller's binder: the `WHERE` fragment, its values bound through `b` (the
/// aggregator binds DuckDB values and writes numbered markers).
pub fn to_sql_bound(filter: &Filter, labels: &LabelConfig, cols: &dyn SqlColumns, b: &mut dyn Bind) -> String {
    emit(&compile(filter, labels), cols, b)
}

fn emit(node: &Node, cols: &dyn SqlColumns, params: &mut dyn Bind) -> String {
    match node {
        Node::True => "TRUE".into(),
        Node::And(items) => group(items, " AND ", "TRUE", cols, params),
        Node::Or(items) => match same_field_equals(items) {
            Some((field, values)) if values.len() > 1 => {
                let c = scalar_col(field, cols);
                let marks: Vec<String> = values.iter().map(|v| params.bind(v)).collect();
                format!("{c} IN ({})", marks.join(", "))
            }
            _ => group(items, " OR ", "FALSE", cols, params),
        },
        Node::Not(inner) => {
            let body = emit(inner, cols, params);
            if parenthesized(inner) {
                format!("NOT {body}")
            } else {
                format!("NOT ({body})")
            }
        }
        Node::Test(t) => test(t, cols, params),
    }
}

/// True when [`emit`] already wraps `node` in parentheses (an `AND`/`OR` of several parts that
/// is not an `IN` list).
fn parenthesized(node: &Node) -> bool {
    match node {
        Node::And(v) => v.len() > 1,
        Node::Or(v) => v.len() > 1 && same_field_equals(v).is_none(),
        Node::True | Node::Not(_) | Node::Test(_) => false,
    }
}

/// `Some((field, values))` when every item is `field = value` on one scalar field.
fn same_field_equals(items: &[Node]) -> Option<(&Field, Vec<&str>)> {
    let mut field = None;
    let mut values = Vec::new();
    for n in items {
        let Node::Test(Test::Str {
            field: f,
            op: StrOp::Equals,
            value,
        }) = n
        else {
            return None;
        };
        if field.is_some_and(|g| g != f) {
            return None;
        }
        field = Some(f);
        values.push(value.as_str());
    }
    field.map(|f| (f, values))
}

fn group(items: &[Node], joiner: &str, empty: &str, cols: &dyn SqlColumns, params: &mut dyn Bind) -> String {
    match items {
        [] => empty.into(),
        [one] => emit(one, cols, params),
        many => {
            let parts: Vec<String> = many.iter().map(|f| emit(f, cols, params)).collect();
            format!("({})", parts.join(joiner))
        }
    }
}

fn scalar_col(field: &Field, cols: &dyn SqlColumns) -> String {
    match cols.scalar(field) {
        Some(sql) => format!("coalesce({sql}, '')"),
        None => "''".into(),
    }
}

/// `fn(col, <mark>)` for a string comparison.
fn compare(col: &str, op: StrOp, mark: &str) -> String {
    match op {
        StrOp::Equals => format!("{col} = {mark}"),
        StrOp::Contains => format!("contains({col}, {mark})"),
        StrOp::StartsWith => format!("starts_with({col}, {mark})"),
        StrOp::EndsWith => format!("ends_with({col}, {mark})"),
    }
}

/// `len(list_filter(list, lambda x: fn(x, <mark>))) > 0`, NULL-safe.
fn any_element(list: &str, op: StrOp, mark: &str) -> String {
    let f = match op {
        StrOp::StartsWith => "starts_with",
        StrOp::EndsWith => "ends_with",
        StrOp::Contains => "contains",
        StrOp::Equals => return format!("coalesce(list_contains({list}, {mark}), false)"),
    };
    format!("coalesce(len(list_filter({list}, lambda x: {f}(x, {mark}))), 0) > 0")
}

fn test(t: &Test, cols: &dyn SqlColumns, params: &mut dyn Bind) -> String {
    match t {
        Test::Str { field, op, value } => {
            let c = scalar_col(field, cols);
            compare(&c, *op, &params.bind(value))
        }
        Test::MapValue { map, key, op, value } => {
            let field = map.field();
            if cols.map_value(&field, "").is_none() {
                return compare("''", *op, &params.bind(value));
            }
            let k = params.bind(key);
            let sql = cols.map_value(&field, &k).unwrap_or_default();
            compare(&format!("coalesce({sql}, '')"), *op, &params.bind(value))
        }
        Test::HasKey { map, key } => {
            let field = map.field();
            if cols.map_has_key(&field, "").is_some() {
                let k = params.bind(key);
                return format!("coalesce({}, false)", cols.map_has_key(&field, &k).unwrap_or_default());
            }
            match cols.map_keys(&field) {
                Some(keys) => any_element(&keys, StrOp::Equals, &params.bind(key)),
                None => "FALSE".into(),
            }
        }
        Test::AnyKey { map, op, value } => match cols.map_keys(&map.field()) {
            Some(keys) => any_element(&keys, *op, &params.bind(value)),
            None => "FALSE".into(),
        },
        Test::ListHas { field, value } => {
            let list = cols.list(field).unwrap_or_else(|| "CAST([] AS VARCHAR[])".into());
            let has = any_element(&list, StrOp::Equals, &params.bind(value));
            if value.is_empty() {
                format!("(coalesce(len({list}), 0) = 0 OR {has})")
            } else {
                has
            }
        }
        Test::ListAny { field, op, value } => {
            let list = cols.list(field).unwrap_or_else(|| "CAST([] AS VARCHAR[])".into());
            any_element(&list, *op, &params.bind(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::filter::parse_filter;
    use crate::query::kind::DataKind;

    struct Cols;

    impl SqlColumns for Cols {
        fn scalar(&self, f: &Field) -> Option<String> {
            let c = match f {
                Field::Namespace => "namespace",
                Field::Cluster => "cluster",
                Field::Container => "container",
                Field::ControllerName => "controller",
                Field::Pod => "pod",
                _ => return None,
            };
            Some(c.into())
        }
        fn list(&self, f: &Field) -> Option<String> {
            (*f == Field::Services).then(|| "services".into())
        }
        fn map_value(&self, f: &Field, ph: &str) -> Option<String> {
            match f {
                Field::Label(_) => Some(format!("labels[{ph}]")),
                _ => None,
            }
        }
        fn map_has_key(&self, f: &Field, ph: &str) -> Option<String> {
            matches!(f, Field::Label(_)).then(|| format!("map_contains(labels, {ph})"))
        }
        fn map_keys(&self, f: &Field) -> Option<String> {
            matches!(f, Field::Label(_)).then(|| "map_keys(labels)".into())
        }
    }

    fn sql(f: &str) -> (String, Vec<String>) {
        to_sql(&parse_filter(f, DataKind::Allocation).unwrap(), &LabelConfig::default(), &Cols)
    }

    fn p(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            sql(r#"namespace:"kubecost"+container:"cost-model""#),
            (
                "(coalesce(namespace, '') = ? AND coalesce(container, '') = ?)".into(),
                p(&["kubecost", "cost-model"])
            )
        );
        assert_eq!(
            sql(r#"cluster!:"cluster-one""#),
            ("NOT (coalesce(cluster, '') = ?)".into(), p(&["cluster-one"]))
        );
        assert_eq!(
            sql(r#"namespace!:"kubecost","kube-system""#),
            ("NOT (coalesce(namespace, '') IN (?, ?))".into(), p(&["kubecost", "kube-system"]))
        );
        assert_eq!(
            sql(r#"label[app]:"cost-analyzer""#),
            ("coalesce(labels[?], '') = ?".into(), p(&["app", "cost-analyzer"]))
        );
        assert_eq!(
            sql(r#"(namespace:"a"|namespace:"b")+cluster:"c""#),
            (
                "(coalesce(namespace, '') IN (?, ?) AND coalesce(cluster, '') = ?)".into(),
                p(&["a", "b", "c"])
            )
        );
    }

    #[test]
    fn string_functions_and_negation() {
        assert_eq!(sql(r#"pod~:"web""#), ("contains(coalesce(pod, ''), ?)".into(), p(&["web"])));
        assert_eq!(
            sql(r#"pod!<~:"a","b""#),
            (
                "NOT (starts_with(coalesce(pod, ''), ?) OR starts_with(coalesce(pod, ''), ?))".into(),
                p(&["a", "b"])
            )
        );
        assert_eq!(
            sql(r#"label[team]!~>:"-ops""#),
            ("NOT (ends_with(coalesce(labels[?], ''), ?))".into(), p(&["team", "-ops"]))
        );
        assert_eq!(
            sql(r#"label[a]~:"x","y""#),
            (
                "(contains(coalesce(labels[?], ''), ?) OR contains(coalesce(labels[?], ''), ?))".into(),
                p(&["a", "x", "a", "y"])
            )
        );
    }

    #[test]
    fn lists_and_maps() {
        assert_eq!(
            sql(r#"services:"dns""#),
            ("coalesce(list_contains(services, ?), false)".into(), p(&["dns"]))
        );
        assert_eq!(
            sql(r#"services!~:"dn""#),
            ("NOT (coalesce(list_contains(services, ?), false))".into(), p(&["dn"]))
        );
        assert_eq!(
            sql(r#"services:"""#),
            (
                "(coalesce(len(services), 0) = 0 OR coalesce(list_contains(services, ?), false))".into(),
                p(&[""])
            )
        );
        assert_eq!(
            sql(r#"label:"app""#),
            ("coalesce(map_contains(labels, ?), false)".into(), p(&["app"]))
        );
        assert_eq!(
            sql(r#"label<~:"app.kubernetes.io/""#),
            (
                "coalesce(len(list_filter(map_keys(labels), lambda x: starts_with(x, ?))), 0) > 0".into(),
                p(&["app_kubernetes_io_"])
            )
        );
    }

    #[test]
    fn aliases_and_missing_columns() {
        // Alias: the label when present, else the annotation (no annotation column here).
        assert_eq!(
            sql(r#"team:"infra""#),
            (
                "((coalesce(map_contains(labels, ?), false) AND coalesce(labels[?], '') = ?) OR (NOT (coalesce(map_contains(labels, ?), false)) AND FALSE AND '' = ?))".into(),
                p(&["team", "team", "infra", "team", "infra"])
            )
        );
        assert_eq!(sql(r#"node:"n1""#), ("'' = ?".into(), p(&["n1"])));
        assert_eq!(sql(r#"annotation:"k""#), ("FALSE".into(), p(&[])));
        assert_eq!(sql(""), ("TRUE".into(), vec![]));
        assert_eq!(to_sql(&Filter::Or(vec![]), &LabelConfig::default(), &Cols).0, "FALSE");
    }

    #[test]
    fn values_are_never_inlined() {
        let (s, params) = sql(r#"namespace:"x' OR 1=1 --"+label["; DROP]:"y""#);
        assert!(!s.contains("OR 1=1") && !s.contains("DROP"), "{s}");
        // The label key is sanitized (`docs/semantics.md` §1), the value bound as typed.
        assert_eq!(params, p(&["x' OR 1=1 --", "___DROP", "y"]));
        assert_eq!(s.matches('?').count(), params.len());
    }
}
