//! Asset queries: aggregate (type, cluster, category, provider, ...), filter, sort and page over
//! the `assets` table. Node costs are shown before the node discount with the discount (USD) as
//! its own column; `totalCost` follows OpenCost `TotalCost()` per asset type.

use super::query_common::{Columns, aliased, base_where, group_select, key_cols, key_names, run_series};
use super::results::{ResultCache, run_page};
use crate::query::{Page, QueryError, QueryRequest, Row};
use duckdb::Connection;

fn ctes(req: &QueryRequest) -> Result<(String, Vec<String>), QueryError> {
    let (keys, name) = group_select(req.kind, req, "key")?;
    let (bw, params) = base_where(req, &Columns(req.kind));
    let sql = format!(
        "WITH g AS (SELECT {keys}, sum(cpu_cost) cpu, sum(gpu_cost) gpu, sum(ram_cost) ram,
            sum((cpu_cost + ram_cost) * discount) disc, sum(adjustment) adj, count(*) n, sum(total_cost) total
            FROM assets WHERE {bw} GROUP BY ALL),
        result AS (SELECT {name} AS name, {kc}, cpu AS \"cpuCost\", gpu AS \"gpuCost\", ram AS \"ramCost\",
            disc AS \"discount\", adj AS \"adjustment\", CAST(n AS DOUBLE) AS \"count\", total AS \"totalCost\" FROM g)",
        keys = aliased(&keys),
        kc = key_cols(keys.len()),
    );
    Ok((sql, params))
}

/// One page of assets.
pub fn page(conn: &Connection, req: &QueryRequest, cache: &ResultCache) -> Result<Page, QueryError> {
    let totals = "SELECT count(*), sum(\"cpuCost\"), sum(\"gpuCost\"), sum(\"ramCost\"), sum(\"discount\"), sum(\"adjustment\"), sum(\"count\"), sum(\"totalCost\") FROM result";
    let (sql, params) = ctes(req)?;
    run_page(conn, req, (&sql, &params), totals, &key_names(req), cache)
}

/// Daily totalCost of one asset row.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    run_series(conn, "assets", "total_cost", req, row)
}
