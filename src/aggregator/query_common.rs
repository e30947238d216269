//! SQL building blocks shared by the allocation, asset and cloud-cost queries: which resolution
//! answers a window, the filter → SQL column map, aggregate-key expressions, sorting and paging.

use super::schema::{label_has_key_sql, label_keys_sql, label_value_sql, list_sql};
use crate::query::{AggregateKey, DataKind, Field, Page, QueryError, QueryRequest, Row, SqlColumns, UNALLOCATED, columns, to_sql};
use duckdb::{Connection, params_from_iter};
use std::collections::BTreeMap;

/// `1d` for day-aligned windows (daily sets answer them, like Kubecost), else `1h`.
pub fn resolution(req: &QueryRequest) -> &'static str {
    if req.window.start.timestamp() % 86_400 == 0 && req.window.end.timestamp() % 86_400 == 0 {
        "1d"
    } else {
        "1h"
    }
}

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
    (
        format!("resolution = ? AND window_start >= CAST(? AS BIGINT) AND window_end <= CAST(? AS BIGINT) AND ({f})"),
        p,
    )
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

/// `SELECT` list of the group keys (`coalesce(nullif(expr,''), '__unallocated__') AS k0`, ...) and
/// the `name` expression joining them with `/`. With no keys, `item_name` names each row.
pub fn group_select(kind: DataKind, req: &QueryRequest, item_name: &str) -> Result<(Vec<String>, String), QueryError> {
    let keys = req.aggregate.keys();
    if keys.is_empty() {
        return Ok((vec![format!("{item_name} AS k0")], "k0".into()));
    }
    let mut sel = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        sel.push(format!(
            "coalesce(nullif({}, ''), {}) AS k{i}",
            key_expr(kind, k)?,
            lit(UNALLOCATED)
        ));
    }
    let name = (0..keys.len()).map(|i| format!("k{i}")).collect::<Vec<_>>().join(" || '/' || ");
    Ok((sel, name))
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

/// `ORDER BY` clause for `req.sort` over the result columns (ties by name).
pub fn order_by(req: &QueryRequest) -> String {
    let dir = if req.sort.descending { "DESC" } else { "ASC" };
    if req.sort.column == "name" {
        return format!("name {dir}");
    }
    let ok = columns(req.kind).iter().any(|c| c.id == req.sort.column);
    let col = if ok { req.sort.column.as_str() } else { "totalCost" };
    format!("\"{col}\" {dir} NULLS LAST, name ASC")
}

/// Row count and totals of whole results, keyed by their SQL and parameters, so paging through a
/// result runs only the page query. Cleared whenever the database is written.
pub type TotalsCache = std::sync::Mutex<std::collections::HashMap<String, (usize, Vec<f64>)>>;

/// Run a page query over a `result` CTE that has `name`, `k0..kN` and one column per
/// [`columns`] id (quoted with the id), plus a totals query `totals_query` (a `SELECT count(*),
/// <one value per column> FROM ...` over `result`). `ctes` is the full `WITH ...` text.
pub fn run_page(
    conn: &Connection,
    req: &QueryRequest,
    ctes: &str,
    params: &[String],
    totals_query: &str,
    cache: &TotalsCache,
) -> Result<Page, QueryError> {
    let cols = columns(req.kind);
    let nkeys = key_names(req).len();
    let select: Vec<String> = std::iter::once("name".to_string())
        .chain((0..nkeys).map(|i| format!("k{i}")))
        .chain(cols.iter().map(|c| format!("\"{}\"", c.id)))
        .collect();
    let limit = if req.limit == 0 {
        "".to_string()
    } else {
        format!(" LIMIT {} OFFSET {}", req.limit, req.offset)
    };
    let sql = format!("{ctes} SELECT {} FROM result ORDER BY {}{limit}", select.join(", "), order_by(req));
    let names = key_names(req);
    let mut st = conn.prepare(&sql).map_err(|e| QueryError(format!("query failed: {e}")))?;
    let rows = st
        .query_map(params_from_iter(params.iter()), |r| {
            let name: String = r.get(0)?;
            let mut properties = BTreeMap::new();
            for (i, n) in names.iter().enumerate() {
                properties.insert(n.clone(), r.get::<_, String>(1 + i)?);
            }
            let mut values = Vec::with_capacity(cols.len());
            for i in 0..cols.len() {
                values.push(r.get::<_, Option<f64>>(1 + nkeys + i)?.unwrap_or(0.0));
            }
            Ok(Row { name, properties, values })
        })
        .map_err(|e| QueryError(format!("query failed: {e}")))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| QueryError(format!("query failed: {e}")))?;
    let tsql = format!("{ctes} {totals_query}");
    let key = format!("{tsql}\u{0}{params:?}");
    let cached = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    let (total_rows, totals) = match cached {
        Some(hit) => hit,
        None => {
            let fresh = conn
                .query_row(&tsql, params_from_iter(params.iter()), |r| {
                    let n: i64 = r.get(0)?;
                    let mut values = Vec::with_capacity(cols.len());
                    for i in 0..cols.len() {
                        values.push(r.get::<_, Option<f64>>(1 + i)?.unwrap_or(0.0));
                    }
                    Ok((n as usize, values))
                })
                .map_err(|e| QueryError(format!("query failed: {e}")))?;
            cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, fresh.clone());
            fresh
        }
    };
    Ok(Page {
        rows,
        total_rows,
        totals: Row {
            name: "totals".into(),
            properties: BTreeMap::new(),
            values: totals,
        },
        offset: req.offset,
        limit: req.limit,
    })
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
    let mut st = conn.prepare(&sql).map_err(|e| QueryError(format!("query failed: {e}")))?;
    st.query_map(params_from_iter(p.iter()), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?.unwrap_or(0.0)))
    })
    .map_err(|e| QueryError(format!("query failed: {e}")))?
    .collect::<Result<Vec<_>, _>>()
    .map_err(|e| QueryError(format!("query failed: {e}")))
}
