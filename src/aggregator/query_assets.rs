//! Asset queries: aggregate (type, cluster, category, provider, ...), filter, sort and page over
//! the `assets` table; the measures and columns are the registry's
//! ([`crate::query::columns`]).

use super::columns_sql;
use super::params::Params;
use super::query_common::{Columns, aliased, base_where, group_select, key_cols, key_names, run_series, window_sql};
use super::results::{ResultCache, run_page};
use crate::query::{DataKind, Page, QueryError, QueryRequest, Row};
use duckdb::Connection;

fn ctes(req: &QueryRequest, p: &mut Params) -> Result<String, QueryError> {
    let (keys, name) = group_select(req.kind, req, "key", p)?;
    let window = window_sql(req, p);
    let bw = base_where(req, &window, &Columns(req.kind), p);
    let sql = format!(
        "WITH base AS NOT MATERIALIZED (SELECT * FROM assets WHERE {bw}),
        {span}
        g AS (SELECT {keys}, {sums} FROM base GROUP BY ALL),
        result AS (SELECT {name} AS name, {kc}, {columns} FROM g, span)",
        span = columns_sql::span_cte(false),
        keys = aliased(&keys),
        kc = key_cols(keys.len()),
        sums = columns_sql::sums(DataKind::Asset, req.cost_metric),
        columns = columns_sql::result_columns(DataKind::Asset, "span.h", req.rate),
    );
    Ok(sql)
}

/// One page of assets.
pub fn page(conn: &Connection, req: &QueryRequest, cache: &ResultCache) -> Result<Page, QueryError> {
    let mut params = Params::new();
    let sql = ctes(req, &mut params)?;
    run_page(
        conn,
        req,
        (&sql, &params),
        &columns_sql::totals_query(DataKind::Asset),
        &key_names(req),
        cache,
    )
}

/// Daily totalCost of one asset row.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    run_series(conn, DataKind::Asset.table(), "total_cost", req, row)
}
