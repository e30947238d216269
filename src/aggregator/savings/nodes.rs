//! Underutilized nodes in SQL (`docs/semantics.md` § 16): per Node asset (cluster, name) of the
//! window, its capacity, the used share of its CPU and RAM from the breakdowns, and its cost.

use super::{Params, collect, invalid, ratio, scope};
use crate::query::savings::{NodeParams, NodeRow, SavingsPage, SavingsQuery, monthly};
use crate::query::{DataKind, QueryError};
use duckdb::Connection;

/// Every node of `q`'s window that the asset filter keeps whose CPU and RAM utilization both
/// stay under `maxUtilization`, sorted and paged. Nodes without breakdowns (or without core- or
/// byte-hours) are counted in [`SavingsPage::left_out`].
///
/// Errors: [`QueryError::Invalid`] for parameters out of range; [`QueryError::Db`] from DuckDB.
pub fn underutilized_nodes(conn: &Connection, q: &SavingsQuery<NodeParams>) -> Result<SavingsPage<NodeRow>, QueryError> {
    q.params.validate().map_err(invalid)?;
    let mut p = Params::new();
    let wh = scope(DataKind::Asset, q, &mut p);
    let table = DataKind::Asset.table();
    let sql = format!(
        "WITH node AS (SELECT * FROM {table} WHERE {wh} AND type = 'Node'),
        span AS (SELECT (max(window_end) - min(window_start)) / 3600.0 AS hours FROM node)
        SELECT n.cluster, n.name, arg_max(n.node_type, n.end_ts), arg_max(n.provider_id, n.end_ts),
            sum(n.cpu_core_hours), sum(n.ram_byte_hours), sum((n.end_ts - n.start_ts) / 3600.0),
            sum((1 - n.cpu_idle) * n.cpu_core_hours) / nullif(sum(CASE WHEN n.cpu_idle IS NULL THEN 0 ELSE n.cpu_core_hours END), 0),
            sum((1 - n.ram_idle) * n.ram_byte_hours) / nullif(sum(CASE WHEN n.ram_idle IS NULL THEN 0 ELSE n.ram_byte_hours END), 0),
            sum(n.total_cost), any_value(span.hours)
        FROM node n CROSS JOIN span
        GROUP BY n.cluster, n.name"
    );
    let mut covered = 0.0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(10)?.unwrap_or(0.0);
        let (core_hours, byte_hours, hours): (f64, f64, f64) = (r.get(4)?, r.get(5)?, r.get(6)?);
        let (cpu, ram): (Option<f64>, Option<f64>) = (r.get(7)?, r.get(8)?);
        let cost: f64 = r.get(9)?;
        let row = |cpu_utilization, ram_utilization| -> duckdb::Result<NodeRow> {
            Ok(NodeRow {
                cluster: r.get(0)?,
                node: r.get(1)?,
                node_type: r.get(2)?,
                provider_id: r.get(3)?,
                cpu_cores: ratio(core_hours, hours),
                ram_bytes: ratio(byte_hours, hours),
                cpu_utilization,
                ram_utilization,
                cost,
                monthly_savings: 0.0,
            })
        };
        match (cpu, ram) {
            (Some(c), Some(m)) => row(c, m).map(Some),
            _ => Ok(None),
        }
    })?;
    let left_out = rows.iter().filter(|r| r.is_none()).count();
    let max = q.params.max_utilization;
    let out = rows
        .into_iter()
        .flatten()
        .filter(|r| r.cpu_utilization < max && r.ram_utilization < max)
        .map(|r| NodeRow {
            monthly_savings: monthly(r.cost, covered),
            ..r
        })
        .collect();
    Ok(SavingsPage::from_rows(out, q, covered, left_out))
}
