//! Cloud-cost queries over the `cloud_costs` table for one cost metric (Kubecost `costMetric`,
//! default amortizedNetCost): cost, the Kubernetes share in USD (Σ cost × kubernetesPercent) and
//! as a ratio, and the item count.

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
        "WITH base AS NOT MATERIALIZED (SELECT * FROM cloud_costs WHERE {bw}),
        {span}
        g AS (SELECT {keys}, {sums} FROM base GROUP BY ALL),
        result AS (SELECT {name} AS name, {kc}, {columns} FROM g, span)",
        span = columns_sql::span_cte(false),
        keys = aliased(&keys),
        kc = key_cols(keys.len()),
        sums = columns_sql::sums(DataKind::CloudCost, req.cost_metric),
        columns = columns_sql::result_columns(DataKind::CloudCost, "span.h", req.rate),
    );
    Ok(sql)
}

/// One page of cloud costs.
pub fn page(conn: &Connection, req: &QueryRequest, cache: &ResultCache) -> Result<Page, QueryError> {
    let mut params = Params::new();
    let sql = ctes(req, &mut params)?;
    run_page(
        conn,
        req,
        (&sql, &params),
        &columns_sql::totals_query(DataKind::CloudCost),
        &key_names(req),
        cache,
    )
}

/// Daily cost (chosen metric) of one cloud-cost row.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    run_series(
        conn,
        DataKind::CloudCost.table(),
        columns_sql::metric_col(req.cost_metric),
        req,
        row,
    )
}
