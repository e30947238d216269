//! Request right-sizing in SQL (issue 30; Kubecost `requestSizingV2`, algorithm `max`; the rules
//! are in `docs/semantics.md`, "Request right-sizing"): one statement over the `allocations`
//! table, one row per container spec (cluster, namespace, controller kind, controller,
//! container; a bare pod is its own controller, kind `pod`).

use super::{CONTROLLER_SQL, Params, WORKLOADS_SQL, collect, invalid, scope};
use crate::query::savings::{SavingsPage, SizingPage, SizingRequest, SizingRow, monthly};
use crate::query::{DataKind, QueryError};
use duckdb::Connection;

/// The statement and its parameters. Columns: the five spec keys, current CPU request (cores),
/// CPU recommendation (cores, NULL without maxima), RAM request and recommendation (bytes), CPU
/// and RAM savings over the window (USD), hours of data covered.
fn statement(req: &SizingRequest) -> (String, Params) {
    let mut p = Params::new();
    let wh = scope(DataKind::Allocation, req, &mut p);
    let sp = &req.params;
    let t_cpu = p.float(sp.target_cpu_utilization);
    let t_ram = p.float(sp.target_ram_utilization);
    let min_cpu = p.float(sp.min_rec_cpu_millicores / 1000.0);
    let min_ram = p.float(sp.min_rec_ram_bytes);
    let table = DataKind::Allocation.table();
    let sql = format!(
        "WITH base AS (
            SELECT cluster, namespace, {CONTROLLER_SQL}, container, window_start, window_end, minutes,
                cpu_core_request_average AS cpu_req, ram_bytes_request_average AS ram_req,
                cpu_core_usage_max AS cpu_max, ram_byte_usage_max AS ram_max,
                cpu_cost, cpu_core_hours, ram_cost, ram_byte_hours
            FROM {table}
            WHERE {wh} AND {WORKLOADS_SQL}),
        spec AS (
            SELECT cluster, namespace, ckind, ctrl, container,
                max(cpu_max) AS cpu_base, max(ram_max) AS ram_base, max(window_start) AS newest,
                sum(cpu_cost) AS cpu_cost, sum(ram_cost) AS ram_cost,
                sum(CASE WHEN cpu_core_hours > 0 THEN (minutes / 60.0) * (cpu_cost / cpu_core_hours) ELSE 0 END) AS cpu_price_hours,
                sum(CASE WHEN ram_byte_hours > 0 THEN (minutes / 60.0) * (ram_cost / ram_byte_hours) ELSE 0 END) AS ram_price_hours
            FROM base GROUP BY ALL),
        cur AS (
            SELECT b.cluster, b.namespace, b.ckind, b.ctrl, b.container,
                coalesce(sum(b.cpu_req * b.minutes) / nullif(sum(b.minutes), 0), avg(b.cpu_req)) AS cpu_req,
                coalesce(sum(b.ram_req * b.minutes) / nullif(sum(b.minutes), 0), avg(b.ram_req)) AS ram_req
            FROM base b JOIN spec s USING (cluster, namespace, ckind, ctrl, container)
            WHERE b.window_start = s.newest
            GROUP BY ALL),
        rec AS (
            SELECT cluster, namespace, ckind, ctrl, container,
                CASE WHEN cpu_base IS NULL OR ram_base IS NULL THEN NULL
                     ELSE greatest(cpu_base / {t_cpu}, {min_cpu}) END AS cpu_rec,
                CASE WHEN cpu_base IS NULL OR ram_base IS NULL THEN NULL
                     ELSE greatest(ram_base / {t_ram}, {min_ram}) END AS ram_rec,
                cpu_cost, ram_cost, cpu_price_hours, ram_price_hours
            FROM spec),
        span AS (SELECT (max(window_end) - min(window_start)) / 3600.0 AS hours FROM base)
        SELECT r.cluster, r.namespace, r.ckind, r.ctrl, r.container,
            c.cpu_req, r.cpu_rec, c.ram_req, r.ram_rec,
            r.cpu_cost - r.cpu_rec * r.cpu_price_hours, r.ram_cost - r.ram_rec * r.ram_price_hours,
            span.hours
        FROM rec r
            CROSS JOIN span
            JOIN cur c ON c.cluster = r.cluster AND c.namespace = r.namespace AND c.ckind = r.ckind
                AND c.ctrl = r.ctrl AND c.container = r.container"
    );
    (sql, p)
}

/// Run a right-sizing query on `conn`: every spec of the window, then sorted, totalled and paged
/// in Rust ([`SavingsPage::from_rows`]). Specs without `rawAllocationOnly` maxima are counted in
/// [`SavingsPage::left_out`] and left out.
///
/// Errors: [`QueryError::Invalid`] for parameters out of range; [`QueryError::Db`] from DuckDB.
pub fn request_sizing(conn: &Connection, req: &SizingRequest) -> Result<SizingPage, QueryError> {
    req.params.validate().map_err(invalid)?;
    let (sql, p) = statement(req);
    let mut covered = 0.0;
    let rows = collect(conn, &sql, &p, |r| {
        covered = r.get::<_, Option<f64>>(11)?.unwrap_or(0.0);
        let (Some(cpu_rec), Some(ram_rec)) = (r.get::<_, Option<f64>>(6)?, r.get::<_, Option<f64>>(8)?) else {
            return Ok(None);
        };
        Ok(Some(SizingRow {
            cluster: r.get(0)?,
            namespace: r.get(1)?,
            controller_kind: r.get(2)?,
            controller: r.get(3)?,
            container: r.get(4)?,
            cpu_request_cores: r.get::<_, Option<f64>>(5)?.unwrap_or(0.0),
            cpu_recommendation_cores: cpu_rec,
            ram_request_bytes: r.get::<_, Option<f64>>(7)?.unwrap_or(0.0),
            ram_recommendation_bytes: ram_rec,
            cpu_savings: r.get(9)?,
            ram_savings: r.get(10)?,
            monthly_savings: 0.0,
        }))
    })?;
    let without_maxima = rows.iter().filter(|r| r.is_none()).count();
    let rows = rows
        .into_iter()
        .flatten()
        .map(|r| SizingRow {
            monthly_savings: monthly(r.cpu_savings + r.ram_savings, covered),
            ..r
        })
        .collect();
    Ok(SavingsPage::from_rows(rows, req, covered, without_maxima))
}
