//! Asset queries: aggregate (type, cluster, category, provider, ...), filter, sort and page over
//! the `assets` table. Node costs are shown before the node discount with the discount (USD) as
//! its own column; `totalCost` follows OpenCost `TotalCost()` per asset type.

use super::query_common::{Columns, TotalsCache, base_where, group_select, run_page, run_series};
use crate::query::{Page, QueryError, QueryRequest, Row};
use duckdb::Connection;

fn ctes(req: &QueryRequest) -> Result<(String, Vec<String>), QueryError> {
    let (bw, params) = base_where(req, &Columns(req.kind));
    let (keys, name) = group_select(req.kind, req, "key")?;
    let nk = keys.len();
    let kc: Vec<String> = (0..nk).map(|i| format!("k{i}")).collect();
    let sql = format!(
        "WITH g AS (SELECT {keys}, sum(cpu_cost) cpu, sum(gpu_cost) gpu, sum(ram_cost) ram,
            sum((cpu_cost + ram_cost) * discount) disc, sum(adjustment) adj, count(*) n, sum(total_cost) total
            FROM assets WHERE {bw} GROUP BY ALL),
        result AS (SELECT {name} AS name, {kc}, cpu AS \"cpuCost\", gpu AS \"gpuCost\", ram AS \"ramCost\",
            disc AS \"discount\", adj AS \"adjustment\", CAST(n AS DOUBLE) AS \"count\", total AS \"totalCost\" FROM g)",
        keys = keys.join(", "),
        kc = kc.join(", "),
    );
    Ok((sql, params))
}

/// One page of assets.
pub fn page(conn: &Connection, req: &QueryRequest, cache: &TotalsCache) -> Result<Page, QueryError> {
    let (sql, params) = ctes(req)?;
    let totals = "SELECT count(*), sum(\"cpuCost\"), sum(\"gpuCost\"), sum(\"ramCost\"), sum(\"discount\"), sum(\"adjustment\"), sum(\"count\"), sum(\"totalCost\") FROM result";
    run_page(conn, req, &sql, &params, totals, cache)
}

/// Daily totalCost of one asset row.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    run_series(conn, "assets", "total_cost", req, row)
}
