//! Unclaimed volumes in SQL (`docs/semantics.md` § 13): the non-local Disk assets of the window
//! that had no claim, or whose volume only `__unmounted__` allocations held.

use super::{DISK_ID_SQL, Params, collect, disk_id, ratio, scope};
use crate::query::savings::{SavingsPage, SavingsQuery, VolumeParams, VolumeRow, monthly};
use crate::query::{DataKind, Filter, QueryError};
use duckdb::Connection;

/// Every unclaimed volume of `q`'s window that `q`'s asset filter keeps, sorted and paged.
///
/// Errors: [`QueryError::Db`] from DuckDB.
pub fn unclaimed_volumes(conn: &Connection, q: &SavingsQuery<VolumeParams>) -> Result<SavingsPage<VolumeRow>, QueryError> {
    let mut p = Params::new();
    let wh = scope(DataKind::Asset, q, &mut p);
    let alloc_window = {
        let r = super::as_query(DataKind::Allocation, &q.window, &Filter::All, &q.labels);
        super::window_sql(&r, &mut p)
    };
    let (assets, allocs) = (DataKind::Asset.table(), DataKind::Allocation.table());
    let sql = format!(
        "WITH disk AS (
            SELECT * FROM {assets} WHERE {wh} AND type = 'Disk' AND local = 0),
        held AS (
            SELECT DISTINCT cluster, namespace = '__unmounted__' AS unmounted,
                unnest(string_split(pv_names, chr(31))) AS pv
            FROM {allocs} WHERE {alloc_window} AND pv_names <> ''),
        unmounted AS (
            SELECT cluster, pv FROM held WHERE unmounted AND pv <> ''
            EXCEPT SELECT cluster, pv FROM held WHERE NOT unmounted),
        span AS (SELECT (max(window_end) - min(window_start)) / 3600.0 AS hours FROM disk)
        SELECT d.cluster, d.name, {DISK_ID_SQL},
            sum(d.byte_hours), sum((d.end_ts - d.start_ts) / 3600.0), sum(d.total_cost), any_value(span.hours)
        FROM disk d CROSS JOIN span
            LEFT JOIN unmounted u ON u.cluster = d.cluster AND u.pv = d.name
        GROUP BY d.cluster, d.name
        HAVING max(d.claim_name) = '' OR bool_or(u.pv IS NOT NULL)"
    );
    let mut covered = 0.0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(9)?.unwrap_or(0.0);
        let (byte_hours, hours, cost): (f64, f64, f64) = (r.get(6)?, r.get(7)?, r.get(8)?);
        Ok(VolumeRow {
            id: disk_id(r)?,
            capacity_bytes: ratio(byte_hours, hours),
            cost,
            monthly_cost: 0.0,
        })
    })?;
    let rows = rows
        .into_iter()
        .map(|r| VolumeRow {
            monthly_cost: monthly(r.cost, covered),
            ..r
        })
        .collect();
    Ok(SavingsPage::from_rows(rows, q, covered, 0))
}
