//! Abandoned workloads in SQL (`docs/semantics.md` § 15): per controller of the window, its
//! pods' network bytes, running seconds and cost; the threshold is applied in Rust.

use super::{CONTROLLER_SQL, Params, WORKLOADS_SQL, collect, invalid, ratio, scope};
use crate::query::savings::{AbandonedParams, AbandonedRow, SavingsPage, SavingsQuery, monthly};
use crate::query::{DataKind, QueryError};
use duckdb::Connection;

/// Every controller of `q`'s window (allocations the filter keeps) whose pods' traffic in and
/// out stays under `threshold` bytes per second of running time, sorted and paged. Controllers
/// that never ran are counted in [`SavingsPage::left_out`].
///
/// Errors: [`QueryError::Invalid`] for parameters out of range; [`QueryError::Db`] from DuckDB.
pub fn abandoned_workloads(conn: &Connection, q: &SavingsQuery<AbandonedParams>) -> Result<SavingsPage<AbandonedRow>, QueryError> {
    q.params.validate().map_err(invalid)?;
    let mut p = Params::new();
    let wh = scope(DataKind::Allocation, q, &mut p);
    let table = DataKind::Allocation.table();
    let sql = format!(
        "WITH base AS (
            SELECT cluster, namespace, {CONTROLLER_SQL}, pod, window_start, window_end, minutes,
                network_transfer_bytes, network_receive_bytes, total_cost
            FROM {table}
            WHERE {wh} AND {WORKLOADS_SQL}),
        pods AS (
            SELECT cluster, namespace, ckind, ctrl, pod, window_start,
                sum(network_receive_bytes) AS rx, sum(network_transfer_bytes) AS tx,
                max(minutes) * 60.0 AS secs, sum(total_cost) AS cost
            FROM base GROUP BY cluster, namespace, ckind, ctrl, pod, window_start),
        span AS (SELECT (max(window_end) - min(window_start)) / 3600.0 AS hours FROM base)
        SELECT cluster, namespace, ckind, ctrl, count(DISTINCT pod), sum(rx), sum(tx), sum(secs), sum(cost),
            any_value(span.hours)
        FROM pods CROSS JOIN span
        GROUP BY cluster, namespace, ckind, ctrl"
    );
    let mut covered = 0.0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(9)?.unwrap_or(0.0);
        let (rx, tx, secs, cost): (f64, f64, f64, f64) = (r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?);
        Ok((
            secs,
            AbandonedRow {
                cluster: r.get(0)?,
                namespace: r.get(1)?,
                controller_kind: r.get(2)?,
                controller: r.get(3)?,
                pods: r.get::<_, i64>(4)? as f64,
                ingress_bytes_per_second: ratio(rx, secs),
                egress_bytes_per_second: ratio(tx, secs),
                cost,
                monthly_savings: 0.0,
            },
        ))
    })?;
    let never_ran = rows.iter().filter(|(secs, _)| *secs <= 0.0).count();
    let out = rows
        .into_iter()
        .filter(|(secs, r)| *secs > 0.0 && r.ingress_bytes_per_second + r.egress_bytes_per_second < q.params.threshold)
        .map(|(_, r)| AbandonedRow {
            monthly_savings: monthly(r.cost, covered),
            ..r
        })
        .collect();
    Ok(SavingsPage::from_rows(out, q, covered, never_ran))
}
