//! Provenance of a query row (docs/audit.md, "Sources of a figure"): the ETL objects whose items
//! make up the row, with how many items each contributed, from the rows' `file_key` and the
//! ingest log (sha256, window).
//!
//! * A workload row (allocation, asset or cloud cost): the files holding the items the row groups
//!   (the query's window and filter, the row's key values).
//! * An idle row (`__idle__`): the asset files of the Node assets of its clusters (or node), and
//!   the allocation files of the allocations on them — idle is node cost minus allocated cost.
//! * With shared idle (`--idle share`) or tenancy costs shared, a row also names the asset files
//!   those costs came from: the Node assets, or ClusterManagement and node-local disks, of the
//!   clusters the row's allocations run in. Shared namespaces and labels come from the same ETL
//!   sets as the row's own items, so they add no file.

use super::params::Params;
use super::query_common::{Columns, base_where, idle_scope, row_where, window_sql};
use crate::query::{DataKind, IdleMode, QueryError, QueryRequest, Row, SourceObject};
use duckdb::{Connection, params_from_iter};

/// The sources of `row` of `req`, ordered by key. Each names its object key, sha256, window (unix
/// seconds) and the number of items of that object the row uses.
///
/// Errors: a DuckDB failure, or a row key that does not apply to the kind (as the query itself).
pub fn sources(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<SourceObject>, QueryError> {
    let mut p = Params::new();
    let window = window_sql(req, &mut p);
    let parts = match req.kind {
        DataKind::Allocation => allocation_parts(req, row, &window, &mut p)?,
        DataKind::Asset | DataKind::CloudCost => {
            let base = base_where(req, &window, &Columns(req.kind), &mut p);
            let own = row_where(req.kind, req, row, &mut p)?;
            vec![items(req.kind.table(), &base, &own)]
        }
    };
    let sql = format!(
        "SELECT l.key, coalesce(l.sha256, ''), l.window_start, l.window_end, s.n FROM
            (SELECT file_key, sum(n) AS n FROM ({}) GROUP BY 1) s
            JOIN ingest_log l ON l.key = s.file_key ORDER BY l.key",
        parts.join(" UNION ALL ")
    );
    let mut st = conn.prepare(&sql)?;
    let rows = st.query_map(params_from_iter(p.values()), |r| {
        Ok(SourceObject {
            key: r.get(0)?,
            sha256: r.get(1)?,
            window_start: r.get(2)?,
            window_end: r.get(3)?,
            rows: r.get::<_, i64>(4)? as u64,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// `SELECT file_key, count(*) n FROM table WHERE …` for one contribution.
fn items(table: &str, base: &str, row: &str) -> String {
    format!("SELECT file_key, count(*) AS n FROM {table} WHERE {base} AND {row} GROUP BY 1")
}

/// Node assets: what idle is computed from.
const NODE_ASSETS: &str = "type = 'Node'";
/// Cluster management and node-local disks: the tenancy costs.
const TENANCY_ASSETS: &str = "(type = 'ClusterManagement' OR (type = 'Disk' AND local > 0))";

/// The asset types whose cost reaches a workload row beyond its own items, as `req` shares them:
/// Node assets with shared idle, tenancy assets with shared tenancy costs.
fn shared_asset_types(req: &QueryRequest) -> Option<String> {
    let types: Vec<&str> = [(req.idle == IdleMode::Share, NODE_ASSETS), (req.share.tenancy, TENANCY_ASSETS)]
        .into_iter()
        .filter_map(|(on, t)| on.then_some(t))
        .collect();
    (!types.is_empty()).then(|| format!("({})", types.join(" OR ")))
}

fn allocation_parts(req: &QueryRequest, row: &Row, window: &str, p: &mut Params) -> Result<Vec<String>, QueryError> {
    let base = base_where(req, window, &Columns(DataKind::Allocation), p);
    if let Some(scope) = idle_scope(row) {
        let bind = |v: &Option<String>, col: &str, p: &mut Params| match v {
            Some(v) => format!("{col} = {}", p.text(v)),
            None => "TRUE".into(),
        };
        let cluster = bind(&scope.cluster, "cluster", p);
        let node_asset = bind(&scope.node, "name", p);
        let node_alloc = bind(&scope.node, "node", p);
        let answered = format!("cluster IN (SELECT DISTINCT cluster FROM allocations WHERE {base})");
        return Ok(vec![
            items(
                "assets",
                &format!("{window} AND {NODE_ASSETS} AND {answered}"),
                &format!("{cluster} AND {node_asset}"),
            ),
            items(
                "allocations",
                &format!("{window} AND {answered}"),
                &format!("{cluster} AND {node_alloc} AND node <> ''"),
            ),
        ]);
    }
    let own = row_where(DataKind::Allocation, req, row, p)?;
    let mut parts = vec![items("allocations", &base, &own)];
    if let Some(types) = shared_asset_types(req) {
        parts.push(items(
            "assets",
            &format!("{window} AND {types}"),
            &format!("cluster IN (SELECT DISTINCT cluster FROM allocations WHERE {base} AND {own})"),
        ));
    }
    Ok(parts)
}

/// One `ingest_log` entry as an audit compares it with the bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedObject {
    pub key: String,
    pub etag: String,
    /// Bytes.
    pub size: u64,
    /// Lowercase hex sha256 of the bytes ingested (empty when not recorded: a failed download).
    pub sha256: String,
    /// Window of the key, unix seconds.
    pub window_start: i64,
    pub window_end: i64,
    /// `ok` or `error`.
    pub status: String,
}

/// Every `ingest_log` entry, by key.
pub fn logged_objects(conn: &Connection) -> Result<Vec<LoggedObject>, QueryError> {
    let mut st = conn.prepare(
        "SELECT key, coalesce(etag, ''), size, coalesce(sha256, ''), window_start, window_end, status FROM ingest_log ORDER BY key",
    )?;
    let rows = st.query_map([], |r| {
        Ok(LoggedObject {
            key: r.get(0)?,
            etag: r.get(1)?,
            size: r.get::<_, i64>(2)?.max(0) as u64,
            sha256: r.get(3)?,
            window_start: r.get(4)?,
            window_end: r.get(5)?,
            status: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
