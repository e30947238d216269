//! SQL building blocks shared by the allocation, asset and cloud-cost queries: which resolution
//! answers a window, the filter → SQL column map, aggregate-key expressions and daily series
//! (sorting and paging: [`super::paging`]).

use super::schema::{label_has_key_sql, label_keys_sql, label_value_sql, list_sql};
use crate::query::{AggregateKey, DataKind, Field, QueryError, QueryRequest, Row, SqlColumns, UNALLOCATED, to_sql};
use duckdb::{Connection, params_from_iter};

/// `1d` for day-aligned windows (daily sets answer them, like Kubecost), else `1h`.
pub fn resolution(req: &QueryRequest) -> &'static str {
    if req.window.start.timestamp() % 86_400 == 0 && req.window.end.timestamp() % 86_400 == 0 {
        "1d"
    } else {
        "1h"
    }
}

/// The window predicate every query starts with; its parameters are the resolution (`1d`/`1h`),
/// the window start and end (unix seconds), as [`base_where`] returns them first.
pub const WINDOW_SQL: &str = "resolution = ? AND window_start >= CAST(? AS BIGINT) AND window_end <= CAST(? AS BIGINT)";

/// WHERE clause (without `WHERE`) selecting `req`'s resolution, window and filter, and its params.
/// Data windows must lie inside the query window.
pub fn base_where(req: &QueryRequest, cols: &dyn SqlColumns) -> (String, Vec<String>) {
    let (f, mut params) = to_sql(&req.filter, cols);
    let mut p = vec![
        resolution(req).to_string(),
        req.window.start.timestamp().to_string(),
        req.window.end.timestamp().to_string(),
    ];
    p.append(&mut params);
    (format!("{WINDOW_SQL} AND ({f})"), p)
}

/// Column map for one table: filter fields → SQL.
pub struct Columns(pub DataKind);

impl SqlColumns for Columns {
    fn scalar(&self, f: &Field) -> Option<String> {
        let c = match (self.0, f) {
            (_, Field::Cluster) => "cluster",
            (DataKind::Allocation, Field::Node) => "node",
            (DataKind::Allocation, Field::Namespace) => "namespace",
            (DataKind::Allocation, Field::ControllerName) => "controller",
            (DataKind::Allocation, Field::ControllerKind) => "controller_kind",
            (DataKind::Allocation, Field::Container) => "container",
            (DataKind::Allocation, Field::Pod) => "pod",
            (DataKind::Asset, Field::Name) => "name",
            (DataKind::Asset, Field::AssetType) => "type",
            (DataKind::Asset, Field::Project) => "project",
            (DataKind::Asset, Field::Account) => "account",
            (_, Field::Category) => "category",
            (_, Field::Provider) => "provider",
            (_, Field::ProviderID) => "provider_id",
            (_, Field::Service) => "service",
            (DataKind::CloudCost, Field::AccountID) => "account_id",
            (DataKind::CloudCost, Field::InvoiceEntityID) => "invoice_entity_id",
            (DataKind::CloudCost, Field::InvoiceEntityName) => "invoice_entity_name",
            (DataKind::CloudCost, Field::AccountName) => "account_name",
            (DataKind::CloudCost, Field::RegionID) => "region_id",
            (DataKind::CloudCost, Field::AvailabilityZone) => "availability_zone",
            _ => return None,
        };
        Some(c.to_string())
    }
    fn list(&self, f: &Field) -> Option<String> {
        matches!((self.0, f), (DataKind::Allocation, Field::Services)).then(|| list_sql("services"))
    }
    fn map_value(&self, f: &Field, _ph: &str) -> Option<String> {
        map_col(self.0, f).map(label_value_sql)
    }
    fn map_has_key(&self, f: &Field, _ph: &str) -> Option<String> {
        map_col(self.0, f).map(label_has_key_sql)
    }
    fn map_keys(&self, f: &Field) -> Option<String> {
        map_col(self.0, f).map(label_keys_sql)
    }
}

fn map_col(kind: DataKind, f: &Field) -> Option<&'static str> {
    match (kind, f) {
        (_, Field::Label(_)) => Some("labels"),
        (DataKind::Allocation, Field::Annotation(_)) => Some("annotations"),
        _ => None,
    }
}

/// A SQL string literal.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// SQL expression for one aggregate key's value (`''` when missing; the caller maps it to
/// `__unallocated__`).
pub fn key_expr(kind: DataKind, k: &AggregateKey) -> Result<String, QueryError> {
    let label = |col: &str, key: &str| format!("split_part(split_part({col}, chr(31) || {} || chr(30), 2), chr(31), 1)", lit(key));
    let e = match (kind, k) {
        (_, AggregateKey::Cluster) => "cluster".into(),
        (DataKind::Allocation, AggregateKey::Node) => "node".into(),
        (DataKind::Allocation, AggregateKey::Namespace) => "namespace".into(),
        (DataKind::Allocation, AggregateKey::ControllerKind) => "controller_kind".into(),
        (DataKind::Allocation, AggregateKey::Controller) => {
            "CASE WHEN controller = '' THEN '' ELSE controller_kind || ':' || controller END".into()
        }
        (DataKind::Allocation, AggregateKey::Service) => "split_part(trim(services, chr(31)), chr(31), 1)".into(),
        (DataKind::Allocation, AggregateKey::Pod) => "pod".into(),
        (DataKind::Allocation, AggregateKey::Container) => "container".into(),
        (DataKind::Allocation, AggregateKey::Annotation(a)) => label("annotations", a),
        (_, AggregateKey::Label(l)) => label("labels", l),
        (DataKind::Asset, AggregateKey::Type) => "type".into(),
        (DataKind::Asset, AggregateKey::Account) => "account".into(),
        (DataKind::Asset, AggregateKey::Project) => "project".into(),
        (DataKind::Asset, AggregateKey::Name) => "name".into(),
        (_, AggregateKey::Category) => "category".into(),
        (_, AggregateKey::Provider) => "provider".into(),
        (_, AggregateKey::ProviderID) => "provider_id".into(),
        (DataKind::Asset | DataKind::CloudCost, AggregateKey::Service) => "service".into(),
        (DataKind::CloudCost, AggregateKey::AccountID) => "account_id".into(),
        (DataKind::CloudCost, AggregateKey::AccountName) => "account_name".into(),
        (DataKind::CloudCost, AggregateKey::InvoiceEntityID) => "invoice_entity_id".into(),
        (DataKind::CloudCost, AggregateKey::InvoiceEntityName) => "invoice_entity_name".into(),
        (DataKind::CloudCost, AggregateKey::RegionID) => "region_id".into(),
        (DataKind::CloudCost, AggregateKey::AvailabilityZone) => "availability_zone".into(),
        (_, other) => return Err(QueryError(format!("aggregate key {} does not apply to {kind:?}", other.name()))),
    };
    Ok(e)
}

/// Group key expressions (`coalesce(nullif(expr,''), '__unallocated__')`, ...; selected as `k0`,
/// `k1`, ... by [`aliased`]) and the `name` expression joining `k0..` with `/`. With no keys,
/// `item_name` names each row.
pub fn group_select(kind: DataKind, req: &QueryRequest, item_name: &str) -> Result<(Vec<String>, String), QueryError> {
    let keys = req.aggregate.keys();
    if keys.is_empty() {
        return Ok((vec![item_name.to_string()], "k0".into()));
    }
    let mut sel = Vec::new();
    for k in keys {
        sel.push(format!("coalesce(nullif({}, ''), {})", key_expr(kind, k)?, lit(UNALLOCATED)));
    }
    let name = (0..keys.len()).map(|i| format!("k{i}")).collect::<Vec<_>>().join(" || '/' || ");
    Ok((sel, name))
}

/// `e0 AS k0, e1 AS k1, ...`.
pub fn aliased(exprs: &[String]) -> String {
    exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{e} AS k{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `k0, k1, ...` for `n` keys.
pub fn key_cols(n: usize) -> String {
    (0..n).map(|i| format!("k{i}")).collect::<Vec<_>>().join(", ")
}

/// Key names for a row's `properties` (aggregate key names, or `name` when not aggregated).
pub fn key_names(req: &QueryRequest) -> Vec<String> {
    let keys = req.aggregate.keys();
    if keys.is_empty() {
        vec!["name".into()]
    } else {
        keys.iter().map(|k| k.name()).collect()
    }
}

/// Extra WHERE text and params selecting the rows of `row` (its aggregate key values).
pub fn row_where(kind: DataKind, req: &QueryRequest, row: &Row) -> Result<(String, Vec<String>), QueryError> {
    let keys = req.aggregate.keys();
    let mut conds = Vec::new();
    let mut params = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        let v = row.properties.get(&k.name()).cloned().unwrap_or_default();
        let v = if v == UNALLOCATED { String::new() } else { v };
        conds.push(format!("({}) = ?", key_expr(kind, k)?));
        let _ = i;
        params.push(v);
    }
    Ok((if conds.is_empty() { "TRUE".into() } else { conds.join(" AND ") }, params))
}

/// Daily series: `SELECT window_start, sum(<value>) FROM <table> WHERE <base> AND <row> GROUP BY 1`.
pub fn run_series(conn: &Connection, table: &str, value: &str, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    let (bw, mut p) = base_where(req, &Columns(req.kind));
    let (rw, mut rp) = row_where(req.kind, req, row)?;
    p.append(&mut rp);
    let sql =
        format!("SELECT window_start - window_start % 86400 AS day, sum({value}) FROM {table} WHERE {bw} AND {rw} GROUP BY 1 ORDER BY 1");
    collect_series(conn, &sql, &p)
}

/// Run `sql` (selecting `day` unix seconds, value) with `params`; a NULL value reads as 0.
pub fn collect_series(conn: &Connection, sql: &str, params: &[String]) -> Result<Vec<(i64, f64)>, QueryError> {
    let mut st = conn.prepare(sql).map_err(|e| QueryError(format!("query failed: {e}")))?;
    st.query_map(params_from_iter(params.iter()), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?.unwrap_or(0.0)))
    })
    .map_err(|e| QueryError(format!("query failed: {e}")))?
    .collect::<Result<Vec<_>, _>>()
    .map_err(|e| QueryError(format!("query failed: {e}")))
}
