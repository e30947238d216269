//! Translation of a [`Filter`] into a DuckDB `WHERE` fragment with bound
//! parameters.
//!
//! The caller (the aggregator's DuckDB layer) says which SQL expression holds
//! each field through [`SqlColumns`]; this module never quotes or escapes a
//! value: every filter value and map key becomes a `?` parameter, returned in
//! parameter order. The SQL gives the same answer as [`Filter::matches`]
//! (see `eval.rs`) for every row, NULLs included: scalar and map-value
//! expressions are wrapped in `coalesce(…, '')` and list/map predicates in
//! `coalesce(…, false)`, so a NULL compares like a missing value.
//!
//! Uses DuckDB functions `contains`, `starts_with`, `ends_with`,
//! `list_contains`, `list_filter`, `len` and Python-style lambdas
//! (`lambda x: …`; DuckDB 2.0 rejects the old `x -> …` arrow by default).

use super::ast::{Filter, Op};
use super::field::{Field, FieldShape};

/// Where each filter field lives in the caller's SQL. Every method returns a
/// SQL expression, or `None` when the caller has no such column (the field
/// then behaves as missing: `''`, an empty list, an empty map — the same
/// rule as [`super::FieldValue::Missing`]).
///
/// Expressions are pasted verbatim, so they must come from code, never from
/// user input.
pub trait SqlColumns {
    /// A VARCHAR expression for a scalar field (`namespace` → `"namespace"`).
    /// Alias fields (`team`, …) are asked here first; `None` makes them read
    /// `label[<alias>]` through [`SqlColumns::map_value`].
    fn scalar(&self, f: &Field) -> Option<String>;

    /// A `VARCHAR[]` expression for a list field (`services`).
    fn list(&self, f: &Field) -> Option<String>;

    /// A VARCHAR expression for the value of one key of a map field
    /// (`label[app]`), using `key_param` (always `?`) where the
    /// key goes, e.g. `format!("labels[{key_param}]")`. Each
    /// occurrence of the marker is bound to the key; the expression
    /// must contain no other `?`. A NULL result (absent key) is fine.
    fn map_value(&self, map_field: &Field, key_param: &str) -> Option<String>;

    /// A BOOLEAN expression "the map has this key", with the key marker
    /// as in [`SqlColumns::map_value`], e.g. `map_contains(labels, ?)`.
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

/// Translates `filter` into a boolean SQL expression for a `WHERE` clause
/// and the parameters for its `?` parameter markers, in order.
///
/// Shapes (`C` is the caller's column, `coalesce`d as described above):
/// * `f:"a"` → `C = ?`; `f:"a","b"` → `C IN (?, ?)`; `f!:…` → `<>` / `NOT IN`
/// * `f~:"a"` → `contains(C, ?)`, `<~:` → `starts_with`, `~>:` → `ends_with`;
///   several values are OR-ed; negations wrap the whole thing in `NOT (…)`
/// * `services:"a"` → `coalesce(list_contains(L, ?), false)`;
///   `services~:"a"` → `coalesce(len(list_filter(L, lambda x: contains(x, ?))), 0) > 0`
/// * `label:"k"` → `coalesce(<map_has_key>, false)`; `label[k]:"v"` compares
///   `coalesce(<map_value>, '')` like a scalar, binding `k` first
/// * `+` → `(a AND b)`, `|` → `(a OR b)`, `All`/empty `And` → `TRUE`, empty
///   `Or` → `FALSE`
pub fn to_sql(filter: &Filter, cols: &dyn SqlColumns) -> (String, Vec<String>) {
    let mut params = Vec::new();
    let sql = emit(filter, cols, &mut params);
    (sql, params)
}

fn emit(filter: &Filter, cols: &dyn SqlColumns, params: &mut Vec<String>) -> String {
    match filter {
        Filter::All => "TRUE".into(),
        Filter::And(items) => group(items, " AND ", "TRUE", cols, params),
        Filter::Or(items) => group(items, " OR ", "FALSE", cols, params),
        Filter::Cmp { field, op, values } => comparison(field, *op, values, cols, params),
    }
}

fn group(items: &[Filter], joiner: &str, empty: &str, cols: &dyn SqlColumns, params: &mut Vec<String>) -> String {
    match items {
        [] => empty.into(),
        [one] => emit(one, cols, params),
        many => {
            let parts: Vec<String> = many.iter().map(|f| emit(f, cols, params)).collect();
            format!("({})", parts.join(joiner))
        }
    }
}

/// A column expression plus the parameters its own parameter markers need.
struct Col {
    sql: String,
    params: Vec<String>,
}

impl Col {
    /// Pastes the expression, pushing its parameters first.
    fn emit(&self, params: &mut Vec<String>) -> &str {
        params.extend(self.params.iter().cloned());
        &self.sql
    }
}

fn scalar_col(field: &Field, cols: &dyn SqlColumns) -> Col {
    let plain = |sql: String| Col {
        sql: format!("coalesce({sql}, '')"),
        params: Vec::new(),
    };
    if let Some(alias) = field.alias_label() {
        return match cols.scalar(field) {
            Some(sql) => plain(sql),
            None => scalar_col(&Field::Label(Some(alias.to_string())), cols),
        };
    }
    if let Some(key) = field.map_key() {
        return match cols.map_value(field, "?") {
            Some(sql) => {
                let n = sql.matches('?').count();
                Col {
                    sql: format!("coalesce({sql}, '')"),
                    params: vec![key.to_string(); n],
                }
            }
            None => Col {
                sql: "''".into(),
                params: Vec::new(),
            },
        };
    }
    match cols.scalar(field) {
        Some(sql) => plain(sql),
        None => Col {
            sql: "''".into(),
            params: Vec::new(),
        },
    }
}

fn function(op: Op) -> &'static str {
    match op.positive() {
        Op::Contains => "contains",
        Op::StartsWith => "starts_with",
        Op::EndsWith => "ends_with",
        other => unreachable!("no SQL function for {other:?}"),
    }
}

/// OR-s the per-value predicates and applies the negation.
fn combine(parts: Vec<String>, negated: bool) -> String {
    let body = if parts.len() == 1 {
        parts.into_iter().next().expect("one part")
    } else {
        format!("({})", parts.join(" OR "))
    };
    if !negated {
        body
    } else if body.starts_with('(') {
        format!("NOT {body}")
    } else {
        format!("NOT ({body})")
    }
}

/// `len(list_filter(list, lambda x: fn(x, ?))) > 0`, NULL-safe.
fn any_element(list: &str, op: Op) -> String {
    format!("coalesce(len(list_filter({list}, lambda x: {}(x, ?))), 0) > 0", function(op))
}

fn comparison(field: &Field, op: Op, values: &[String], cols: &dyn SqlColumns, params: &mut Vec<String>) -> String {
    let pos = op.positive();
    let negated = op.is_negated();
    match field.shape() {
        FieldShape::Scalar => {
            let col = scalar_col(field, cols);
            if pos == Op::Equals {
                let c = col.emit(params).to_string();
                params.extend(values.iter().cloned());
                return match (values.len(), negated) {
                    (1, false) => format!("{c} = ?"),
                    (1, true) => format!("{c} <> ?"),
                    (n, neg) => {
                        let marks = vec!["?"; n].join(", ");
                        format!("{c} {}IN ({marks})", if neg { "NOT " } else { "" })
                    }
                };
            }
            let parts = values
                .iter()
                .map(|v| {
                    let c = col.emit(params).to_string();
                    params.push(v.clone());
                    format!("{}({c}, ?)", function(pos))
                })
                .collect();
            combine(parts, negated)
        }
        FieldShape::List => {
            let list = cols.list(field).unwrap_or_else(|| "CAST([] AS VARCHAR[])".into());
            let parts = values
                .iter()
                .map(|v| {
                    params.push(v.clone());
                    match pos {
                        Op::Equals if v.is_empty() => {
                            format!("(coalesce(len({list}), 0) = 0 OR coalesce(list_contains({list}, ?), false))")
                        }
                        Op::Equals => format!("coalesce(list_contains({list}, ?), false)"),
                        _ => any_element(&list, pos),
                    }
                })
                .collect();
            combine(parts, negated)
        }
        FieldShape::MapKeys => {
            let parts = values.iter().map(|v| map_key_predicate(field, pos, v, cols, params)).collect();
            combine(parts, negated)
        }
    }
}

fn map_key_predicate(field: &Field, pos: Op, key: &str, cols: &dyn SqlColumns, params: &mut Vec<String>) -> String {
    if pos == Op::Equals
        && let Some(sql) = cols.map_has_key(field, "?")
    {
        params.extend(std::iter::repeat_n(key.to_string(), sql.matches('?').count()));
        return format!("coalesce({sql}, false)");
    }
    match cols.map_keys(field) {
        Some(keys) => {
            params.push(key.to_string());
            if pos == Op::Equals {
                format!("coalesce(list_contains({keys}, ?), false)")
            } else {
                any_element(&keys, pos)
            }
        }
        None => "FALSE".into(),
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
        to_sql(&parse_filter(f, DataKind::Allocation).unwrap(), &Cols)
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
            ("coalesce(cluster, '') <> ?".into(), p(&["cluster-one"]))
        );
        assert_eq!(
            sql(r#"namespace!:"kubecost","kube-system""#),
            ("coalesce(namespace, '') NOT IN (?, ?)".into(), p(&["kubecost", "kube-system"]))
        );
        assert_eq!(
            sql(r#"label[app]:"cost-analyzer""#),
            ("coalesce(labels[?], '') = ?".into(), p(&["app", "cost-analyzer"]))
        );
        assert_eq!(
            sql(r#"(namespace:"a"|namespace:"b")+cluster:"c""#),
            (
                "((coalesce(namespace, '') = ? OR coalesce(namespace, '') = ?) AND coalesce(cluster, '') = ?)".into(),
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
            (
                "NOT (coalesce(len(list_filter(services, lambda x: contains(x, ?))), 0) > 0)".into(),
                p(&["dn"])
            )
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
                p(&["app.kubernetes.io/"])
            )
        );
    }

    #[test]
    fn aliases_and_missing_columns() {
        assert_eq!(
            sql(r#"team:"infra""#),
            ("coalesce(labels[?], '') = ?".into(), p(&["team", "infra"]))
        );
        assert_eq!(sql(r#"node:"n1""#), ("'' = ?".into(), p(&["n1"])));
        assert_eq!(sql(r#"annotation:"k""#), ("FALSE".into(), p(&[])));
        assert_eq!(sql(""), ("TRUE".into(), vec![]));
        assert_eq!(to_sql(&Filter::Or(vec![]), &Cols).0, "FALSE");
    }

    #[test]
    fn values_are_never_inlined() {
        let (s, params) = sql(r#"namespace:"x' OR 1=1 --"+label["; DROP]:"y""#);
        assert!(!s.contains("OR 1=1") && !s.contains("DROP"), "{s}");
        assert_eq!(params, p(&["x' OR 1=1 --", "\"; DROP", "y"]));
        assert_eq!(s.matches('?').count(), params.len());
    }
}
