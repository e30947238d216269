//! Disk right-sizing in SQL (`docs/semantics.md` § 14): per Disk asset (cluster, name) of the
//! window, its capacity, use and cost; the recommendation is made in Rust.

use super::{DISK_ID_SQL, Params, collect, disk_id, invalid, ratio, scope};
use crate::query::savings::{DiskParams, DiskRow, SavingsPage, SavingsQuery, monthly};
use crate::query::{DataKind, QueryError};
use duckdb::Connection;

/// Every persistent volume (or, with `local`, every local disk under `lowUtilization`) of `q`'s
/// window that the asset filter keeps, with its recommendation, sorted and paged. Disks without
/// `byteUsageMax` (Assets < 18) are counted in [`SavingsPage::left_out`].
///
/// Errors: [`QueryError::Invalid`] for parameters out of range; [`QueryError::Db`] from DuckDB.
pub fn disk_sizing(conn: &Connection, q: &SavingsQuery<DiskParams>) -> Result<SavingsPage<DiskRow>, QueryError> {
    let dp = q.params;
    dp.validate().map_err(invalid)?;
    let mut p = Params::new();
    let wh = scope(DataKind::Asset, q, &mut p);
    let local = p.float(if dp.local { 1.0 } else { 0.0 });
    let table = DataKind::Asset.table();
    let sql = format!(
        "WITH disk AS (SELECT * FROM {table} WHERE {wh} AND type = 'Disk' AND local = {local}),
        span AS (SELECT (max(window_end) - min(window_start)) / 3600.0 AS hours FROM disk)
        SELECT d.cluster, d.name, {DISK_ID_SQL},
            sum(d.byte_hours), coalesce(sum(d.byte_hours_used), 0), max(d.byte_usage_max),
            sum((d.end_ts - d.start_ts) / 3600.0), sum(d.total_cost), any_value(span.hours)
        FROM disk d CROSS JOIN span
        GROUP BY d.cluster, d.name"
    );
    let mut covered = 0.0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(11)?.unwrap_or(0.0);
        let (byte_hours, used, max): (f64, f64, Option<f64>) = (r.get(6)?, r.get(7)?, r.get(8)?);
        let (hours, cost): (f64, f64) = (r.get(9)?, r.get(10)?);
        let Some(max) = max else { return Ok(None) };
        let capacity = ratio(byte_hours, hours);
        let recommended = max * (1.0 + dp.headroom_pct / 100.0);
        let (now, rec) = (
            monthly(cost, covered),
            monthly(recommended * hours * ratio(cost, byte_hours), covered),
        );
        Ok(Some(DiskRow {
            id: disk_id(r)?,
            current_capacity_bytes: capacity,
            max_usage_bytes: max,
            average_usage_bytes: ratio(used, hours),
            utilization: ratio(max, capacity),
            recommended_capacity_bytes: recommended,
            current_cost_monthly: now,
            recommended_cost_monthly: rec,
            savings_monthly: now - rec,
        }))
    })?;
    let left_out = rows.iter().filter(|r| r.is_none()).count();
    let out = rows
        .into_iter()
        .flatten()
        .filter(|r| !dp.local || r.utilization < dp.low_utilization)
        .collect();
    Ok(SavingsPage::from_rows(out, q, covered, left_out))
}
