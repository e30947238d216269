//! Disk right-sizing in SQL (`docs/semantics.md` § 14): per Disk asset (cluster, name) of the
//! window, its capacity, use and cost; the recommendation is made in Rust.

use super::{Params, collect, invalid, ratio, scope};
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
        SELECT d.cluster, d.name, arg_max(d.claim_name, d.end_ts), arg_max(d.claim_namespace, d.end_ts),
            arg_max(d.storage_class, d.end_ts), arg_max(d.provider_id, d.end_ts),
            sum(d.byte_hours), coalesce(sum(d.byte_hours_used), 0), max(d.byte_usage_max),
            sum((d.end_ts - d.start_ts) / 3600.0), sum(d.total_cost), any_value(span.hours)
        FROM disk d CROSS JOIN span
        GROUP BY d.cluster, d.name"
    );
    let mut covered = 0.0;
    let mut left_out = 0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(11)?.unwrap_or(0.0);
        let (byte_hours, used, max): (f64, f64, Option<f64>) = (r.get(6)?, r.get(7)?, r.get(8)?);
        let (hours, cost): (f64, f64) = (r.get(9)?, r.get(10)?);
        Ok(max.map(|max| {
            let capacity = ratio(byte_hours, hours);
            let recommended = max * (1.0 + dp.headroom_pct / 100.0);
            let rec_cost = recommended * hours * ratio(cost, byte_hours);
            Ok::<_, duckdb::Error>(DiskRow {
                cluster: r.get(0)?,
                volume_name: r.get(1)?,
                claim_name: r.get(2)?,
                claim_namespace: r.get(3)?,
                storage_class: r.get(4)?,
                provider_id: r.get(5)?,
                current_capacity_bytes: capacity,
                max_usage_bytes: max,
                average_usage_bytes: ratio(used, hours),
                utilization: ratio(max, capacity),
                recommended_capacity_bytes: recommended,
                current_cost_monthly: cost,
                recommended_cost_monthly: rec_cost,
                savings_monthly: 0.0,
            })
        }))
    })?;
    let mut out = Vec::new();
    for r in rows {
        let Some(r) = r.transpose()? else {
            left_out += 1;
            continue;
        };
        if dp.local && r.utilization >= dp.low_utilization {
            continue;
        }
        let (now, rec) = (monthly(r.current_cost_monthly, covered), monthly(r.recommended_cost_monthly, covered));
        out.push(DiskRow {
            current_cost_monthly: now,
            recommended_cost_monthly: rec,
            savings_monthly: now - rec,
            ..r
        });
    }
    Ok(SavingsPage::from_rows(out, q, covered, left_out))
}
