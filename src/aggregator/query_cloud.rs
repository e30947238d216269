//! Cloud-cost queries over the `cloud_costs` table for one cost metric (Kubecost `costMetric`,
//! default amortizedNetCost): cost, the Kubernetes share in USD (Σ cost × kubernetesPercent) and
//! as a ratio, and the item count.

use super::query_common::{Columns, aliased, base_where, group_select, key_cols, key_names, run_series};
use super::results::{ResultCache, run_page};
use crate::model::CostMetricName;
use crate::query::{Page, QueryError, QueryRequest, Row};
use duckdb::Connection;

/// Column prefix of a metric in the table (`amortized_net_cost`).
fn metric_col(m: CostMetricName) -> &'static str {
    match m {
        CostMetricName::ListCost => "list_cost",
        CostMetricName::NetCost => "net_cost",
        CostMetricName::AmortizedNetCost => "amortized_net_cost",
        CostMetricName::InvoicedCost => "invoiced_cost",
        CostMetricName::AmortizedCost => "amortized_cost",
    }
}

fn ctes(req: &QueryRequest) -> Result<(String, Vec<String>), QueryError> {
    let (keys, name) = group_select(req.kind, req, "key")?;
    let (bw, params) = base_where(req, &Columns(req.kind));
    let m = metric_col(req.cost_metric);
    let sql = format!(
        "WITH g AS (SELECT {keys}, sum({m}) c, sum({m} * {m}_k8s_pct) k, count(*) n FROM cloud_costs WHERE {bw} GROUP BY ALL),
        result AS (SELECT {name} AS name, {kc}, c AS \"cost\", k AS \"kubernetesCost\",
            CASE WHEN c <> 0 THEN k / c ELSE 0.0 END AS \"kubernetesPercent\", CAST(n AS DOUBLE) AS \"count\" FROM g)",
        keys = aliased(&keys),
        kc = key_cols(keys.len()),
    );
    Ok((sql, params))
}

/// One page of cloud costs.
pub fn page(conn: &Connection, req: &QueryRequest, cache: &ResultCache) -> Result<Page, QueryError> {
    let totals = "SELECT count(*), sum(\"cost\"), sum(\"kubernetesCost\"),
        CASE WHEN sum(\"cost\") <> 0 THEN sum(\"kubernetesCost\") / sum(\"cost\") ELSE 0.0 END, sum(\"count\") FROM result";
    let (sql, params) = ctes(req)?;
    run_page(conn, req, (&sql, &params), totals, &key_names(req), cache)
}

/// Daily cost (chosen metric) of one cloud-cost row.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    run_series(conn, "cloud_costs", metric_col(req.cost_metric), req, row)
}
