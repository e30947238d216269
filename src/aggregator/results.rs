//! Sorting and paging of query results through a small cache of materialised results.
//!
//! A query is a `WITH ... result AS (...)` text whose `result` has `name`, `k0..kN` (the aggregate
//! key values) and one column per [`columns`] id. The first page of a query runs it once into a
//! temporary table (`CREATE TEMP TABLE ... AS`), and takes the row count and the totals of the
//! whole result from that table; every later page, sort order or export of the same query reads
//! only that table, which is what paging through a 226k-row result needs to stay instant.
//!
//! Past the middle of a result the order is reversed and the offset mirrored
//! (`total − offset − limit`), so the last page is a top-N like the first rather than a full
//! sort; ties break by name and then the keys, which makes the order total and its reverse exact.
//!
//! The cache keeps [`CACHE_ENTRIES`] results per reader connection ([`super::readers`]) and is
//! invalidated by a generation number the aggregator bumps on every database write.

use super::params::Params;
use crate::query::columns::position;
use crate::query::{Page, QueryError, QueryRequest, Row, Sort, SortKey, columns};
use duckdb::{Connection, params_from_iter};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Results kept materialised at once (each is one temporary table; a 226k-row allocation result
/// takes about 40 MB).
pub const CACHE_ENTRIES: usize = 4;

/// Pages that read at most this many rows from one end of a result are a top-N over the
/// materialised rows; a page deeper in the middle first numbers the rows in the page's order
/// ([`Entry::sorted_by`]), after which every page of that order is a range of row numbers.
pub const TOP_N_ROWS: usize = 1000;

/// One materialised result: its temporary table, row count and totals.
struct Entry {
    key: String,
    /// The temporary table (dropped when the entry goes or is renumbered).
    table: String,
    /// The forward `ORDER BY` (see [`order_by`]) whose row numbers the table holds in its `_rn`
    /// column, rows stored in that order; `None` before a page in the middle asked for one.
    sorted_by: Option<String>,
    /// The name of the entry's first table; numbered copies are `<base>_n<copies>`.
    base: String,
    /// Numbered copies made for this entry so far.
    copies: u32,
    rows: usize,
    totals: Vec<f64>,
    /// Hours of data the result covers.
    hours: f64,
}

/// Materialised results of one reader connection, most recently used last.
pub struct ResultCache {
    /// Bumped by every database write (shared by every reader's cache); entries of an older
    /// generation are dropped.
    generation: Arc<AtomicU64>,
    inner: std::sync::Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    generation: u64,
    next_id: u64,
    entries: Vec<Entry>,
}

impl ResultCache {
    /// An empty cache whose entries live while `generation` keeps its value.
    pub fn new(generation: Arc<AtomicU64>) -> ResultCache {
        ResultCache {
            generation,
            inner: Default::default(),
        }
    }
}

/// `ORDER BY` clause for `req.sort` over the result columns; ties by name, then by the `nkeys`
/// key columns, so the order is total. `reversed` gives the exact reverse order.
pub fn order_by(req: &QueryRequest, nkeys: usize, reversed: bool) -> String {
    let desc = req.sort.descending != reversed;
    let dir = |d: bool| if d { "DESC" } else { "ASC" };
    let ties: String = (0..nkeys).map(|i| format!(", k{i} {}", dir(reversed))).collect();
    let col = match req.sort.key {
        SortKey::Name => return format!("name {}{ties}", dir(desc)),
        SortKey::Column(id) if position(req.kind, id).is_some() => id.json(),
        SortKey::Column(_) => Sort::default_for(req.kind).key.name(),
    };
    let nulls = if reversed { "NULLS FIRST" } else { "NULLS LAST" };
    format!("\"{col}\" {} {nulls}, name {}{ties}", dir(desc), dir(reversed))
}

/// One page of a query. `ctes`/`params`: the query's `WITH` text defining `result`;
/// `totals_query`: `SELECT count(*), <one value per column>, <covered hours> FROM result` (it reads the
/// materialised rows under the name `result`); `names`: the property names of `k0..`.
///
/// Errors: DuckDB errors, as "query failed: ...".
pub fn run_page(
    conn: &Connection,
    req: &QueryRequest,
    (ctes, params): (&str, &Params),
    totals_query: &str,
    names: &[String],
    cache: &ResultCache,
) -> Result<Page, QueryError> {
    let key = format!("{ctes}\u{0}{:?}\u{0}{:?}", params.values(), req.search);
    let mut st = cache.inner.lock().unwrap_or_else(|e| e.into_inner());
    let generation = cache.generation.load(Ordering::SeqCst);
    if st.generation != generation {
        for e in std::mem::take(&mut st.entries) {
            drop_table(conn, &e.table);
        }
        st.generation = generation;
    }
    let idx = match st.entries.iter().position(|e| e.key == key) {
        Some(i) => i,
        None => {
            let table = format!("costscope_result_{}", st.next_id);
            st.next_id += 1;
            let entry = materialise(conn, req, &table, (ctes, params), totals_query, key)?;
            if st.entries.len() >= CACHE_ENTRIES {
                let old = st.entries.remove(0);
                drop_table(conn, &old.table);
            }
            st.entries.push(entry);
            st.entries.len() - 1
        }
    };
    // Most recently used last.
    let mut entry = st.entries.remove(idx);
    let page = read_page(conn, req, &mut entry, names).map(|rows| Page {
        rows,
        total_rows: entry.rows,
        totals: Row {
            name: "totals".into(),
            properties: BTreeMap::new(),
            values: entry.totals.clone(),
        },
        offset: req.offset,
        limit: req.limit,
        covered_hours: if entry.rows == 0 { 0.0 } else { entry.hours },
        rate: req.rate,
    });
    st.entries.push(entry);
    page
}

fn drop_table(conn: &Connection, table: &str) {
    if let Err(e) = conn.execute_batch(&format!("DROP TABLE IF EXISTS temp.{table}")) {
        tracing::warn!(%table, error = %e, "dropping a cached query result failed");
    }
}

/// Run the query into `temp.<table>` (rows whose name holds `req.search`, when given).
fn create(conn: &Connection, req: &QueryRequest, table: &str, (ctes, params): (&str, &Params)) -> Result<(), QueryError> {
    let mut params = params.clone();
    let search = match &req.search {
        Some(text) => format!(" WHERE strpos(lower(name), lower({})) > 0", params.text(text)),
        None => String::new(),
    };
    conn.execute(
        &format!("CREATE OR REPLACE TEMP TABLE {table} AS {ctes} SELECT * FROM result{search}"),
        params_from_iter(params.values()),
    )?;
    Ok(())
}

/// Row count, totals and covered hours of the rows of `source` (a table or subquery).
fn read_totals(conn: &Connection, req: &QueryRequest, source: &str, totals_query: &str) -> Result<(usize, Vec<f64>, f64), QueryError> {
    let ncols = columns(req.kind).len();
    let sql = format!("WITH result AS (SELECT * FROM {source}) {totals_query}");
    Ok(conn.query_row(&sql, [], |r| {
        let n: i64 = r.get(0)?;
        let values = (0..ncols)
            .map(|i| r.get::<_, Option<f64>>(1 + i).map(|v| v.unwrap_or(0.0)))
            .collect::<Result<Vec<_>, _>>()?;
        let hours = r.get::<_, Option<f64>>(1 + ncols)?.unwrap_or(0.0);
        Ok((n as usize, values, hours))
    })?)
}

/// Run the query into `temp.<table>` and read its row count and totals.
fn materialise(
    conn: &Connection,
    req: &QueryRequest,
    table: &str,
    query: (&str, &Params),
    totals_query: &str,
    key: String,
) -> Result<Entry, QueryError> {
    create(conn, req, table, query)?;
    match read_totals(conn, req, &format!("temp.{table}"), totals_query) {
        Ok((rows, totals, hours)) => Ok(Entry {
            hours,
            key,
            table: table.to_string(),
            base: table.to_string(),
            sorted_by: None,
            copies: 0,
            rows,
            totals,
        }),
        Err(e) => {
            drop_table(conn, table);
            Err(e)
        }
    }
}

/// One page per step of a stepped query (its `result` has `_st`, the step index `0..steps`):
/// the query runs once into a temporary table, then one statement reads every step's row count,
/// totals and hours (`totals_by_step`: [`super::columns_sql::totals_query_by_step`]) and one
/// reads every step's page (`req`'s sort, offset and limit apply to each step). Not cached.
///
/// Errors: DuckDB errors.
pub fn run_steps(
    conn: &Connection,
    req: &QueryRequest,
    query: (&str, &Params),
    steps: usize,
    totals_by_step: &str,
    names: &[String],
) -> Result<Vec<Page>, QueryError> {
    let table = "costscope_steps";
    create(conn, req, table, query)?;
    let pages = read_steps(conn, req, table, steps, totals_by_step, names);
    drop_table(conn, table);
    pages
}

fn read_steps(
    conn: &Connection,
    req: &QueryRequest,
    table: &str,
    steps: usize,
    totals_by_step: &str,
    names: &[String],
) -> Result<Vec<Page>, QueryError> {
    let ncols = columns(req.kind).len();
    let mut pages: Vec<Page> = (0..steps).map(|_| Page::empty(req)).collect();
    let mut st = conn.prepare(&format!("WITH result AS (SELECT * FROM temp.{table}) {totals_by_step}"))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let Some(p) = pages.get_mut(r.get::<_, i64>(0)? as usize) else {
            continue;
        };
        p.total_rows = r.get::<_, i64>(1)? as usize;
        for (i, v) in p.totals.values.iter_mut().enumerate() {
            *v = r.get::<_, Option<f64>>(2 + i)?.unwrap_or(0.0);
        }
        p.covered_hours = r.get::<_, Option<f64>>(2 + ncols)?.unwrap_or(0.0);
    }
    let nk = names.len();
    let upto = if req.limit == 0 {
        String::new()
    } else {
        // A user's offset and limit can be anything up to usize::MAX (issue 34.1): saturate, and
        // keep the SQL literal a BIGINT.
        format!(" AND _rn <= {}", req.offset.saturating_add(req.limit).min(i64::MAX as usize))
    };
    let sql = format!(
        "SELECT _st, {} FROM (SELECT *, row_number() OVER (PARTITION BY _st ORDER BY {}) AS _rn FROM temp.{table})
         WHERE _rn > {}{upto} ORDER BY _st, _rn",
        select_list(req, nk),
        order_by(req, nk, false),
        req.offset.min(i64::MAX as usize)
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(p) = pages.get_mut(r.get::<_, i64>(0)? as usize) {
            p.rows.push(row_at(r, 1, names, ncols)?);
        }
    }
    Ok(pages)
}

/// `name, k0.., "<column>"..`: what a page reads of a result row.
fn select_list(req: &QueryRequest, nk: usize) -> String {
    std::iter::once("name".to_string())
        .chain((0..nk).map(|i| format!("k{i}")))
        .chain(columns(req.kind).iter().map(|c| format!("\"{}\"", c.json())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The [`Row`] in a result line's [`select_list`], which starts at column `at`.
fn row_at(r: &duckdb::Row<'_>, at: usize, names: &[String], ncols: usize) -> duckdb::Result<Row> {
    let mut properties = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        properties.insert(n.clone(), r.get::<_, String>(at + 1 + i)?);
    }
    let values = (0..ncols)
        .map(|i| r.get::<_, Option<f64>>(at + 1 + names.len() + i).map(|v| v.unwrap_or(0.0)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Row {
        name: r.get(at)?,
        properties,
        values,
    })
}

/// The page's rows from a materialised result: a top-N from the nearer end for pages within
/// [`TOP_N_ROWS`] of either end (past the middle the order is reversed), otherwise a range of row
/// numbers of the result numbered in the page's order ([`number_rows`], once per order).
fn read_page(conn: &Connection, req: &QueryRequest, e: &mut Entry, names: &[String]) -> Result<Vec<Row>, QueryError> {
    let cols = columns(req.kind);
    let nk = names.len();
    let forward = order_by(req, nk, false);
    let read = |sql: String| -> Result<Vec<Row>, QueryError> {
        let mut st = conn.prepare(&sql)?;
        let rows = st
            .query_map([], |r| row_at(r, 0, names, cols.len()))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    };
    let (list, table) = (select_list(req, nk), &e.table);
    if req.limit == 0 {
        return read(format!("SELECT {list} FROM temp.{table} ORDER BY {forward}"));
    }
    if req.offset >= e.rows {
        return Ok(Vec::new());
    }
    let end = req.offset.saturating_add(req.limit).min(e.rows);
    let reversed = req.offset > e.rows - end;
    let reach = if reversed { e.rows - req.offset } else { end };
    if reach > TOP_N_ROWS || e.sorted_by.as_ref() == Some(&forward) {
        if e.sorted_by.as_ref() != Some(&forward) {
            number_rows(conn, e, forward)?;
        }
        return read(format!(
            "SELECT {list} FROM temp.{} WHERE _rn > {} AND _rn <= {end} ORDER BY _rn",
            e.table, req.offset
        ));
    }
    let (limit, offset) = (end - req.offset, if reversed { e.rows - end } else { req.offset });
    let mut rows = read(format!(
        "SELECT {list} FROM temp.{table} ORDER BY {} LIMIT {limit} OFFSET {offset}",
        order_by(req, nk, reversed)
    ))?;
    if reversed {
        rows.reverse();
    }
    Ok(rows)
}

/// Replace the entry's table by a copy stored in `order` with row numbers `_rn` (1-based) in
/// it: one sort of the materialised rows, after which any page of that order reads only its rows.
fn number_rows(conn: &Connection, e: &mut Entry, order: String) -> Result<(), QueryError> {
    e.copies += 1;
    let table = format!("{}_n{}", e.base, e.copies);
    let old = if e.sorted_by.is_some() { "* EXCLUDE (_rn)" } else { "*" };
    conn.execute_batch(&format!(
        "CREATE OR REPLACE TEMP TABLE {table} AS
         SELECT *, row_number() OVER (ORDER BY {order}) AS _rn FROM (SELECT {old} FROM temp.{}) ORDER BY _rn",
        e.table
    ))?;
    drop_table(conn, &e.table);
    e.table = table;
    e.sorted_by = Some(order);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{CostRate, DataKind, Filter, IdleMode, Window};

    fn request(sort: &str, offset: usize, limit: usize) -> QueryRequest {
        let day = chrono::DateTime::UNIX_EPOCH;
        QueryRequest {
            kind: DataKind::Allocation,
            window: Window::new(day, day + chrono::Duration::days(1)).unwrap(),
            aggregate: Default::default(),
            filter: Filter::All,
            idle: IdleMode::Hide,
            sort: Sort::parse(sort, DataKind::Allocation).unwrap(),
            offset,
            limit,
            cost_metric: crate::model::CostMetricName::AmortizedNetCost,
            search: None,
            labels: Default::default(),
            rate: CostRate::Cumulative,
            share: Default::default(),
        }
    }

    /// Pages deep in a result (numbered rows), near its ends (top-N) and across both, for
    /// several sorts with many ties, equal the same page of a plain `ORDER BY … LIMIT … OFFSET`.
    #[test]
    fn every_page_equals_a_plain_order_by_whichever_way_it_is_read() {
        let conn = Connection::open_in_memory().unwrap();
        let values: Vec<String> = columns(DataKind::Allocation)
            .iter()
            .enumerate()
            .map(|(i, c)| format!("((i * {}) % 17)::DOUBLE AS \"{}\"", i + 3, c.json()))
            .collect();
        let rows = 3 * TOP_N_ROWS + 7;
        conn.execute_batch(&format!(
            "CREATE TEMP TABLE costscope_result_0 AS SELECT 'row-' || (i % 2900) AS name, 'k' || (i % 7) AS k0, {} FROM range({rows}) r(i)",
            values.join(", ")
        ))
        .unwrap();
        let names = vec!["namespace".to_string()];
        let mut entry = Entry {
            key: String::new(),
            table: "costscope_result_0".into(),
            base: "costscope_result_0".into(),
            sorted_by: None,
            copies: 0,
            rows,
            totals: Vec::new(),
            hours: 0.0,
        };
        for sort in ["totalCost:desc", "cpuCost:asc", "name:asc", "ramCost:desc"] {
            for offset in [0, 40, 990, 1500, rows / 2, rows - 1200, rows - 60, rows - 1] {
                let req = request(sort, offset, 50);
                let got = read_page(&conn, &req, &mut entry, &names).unwrap();
                let sql = format!(
                    "SELECT {} FROM temp.{} ORDER BY {} LIMIT 50 OFFSET {offset}",
                    select_list(&req, 1),
                    entry.table,
                    order_by(&req, 1, false)
                );
                let mut st = conn.prepare(&sql).unwrap();
                let want: Vec<Row> = st
                    .query_map([], |r| row_at(r, 0, &names, columns(DataKind::Allocation).len()))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                assert_eq!(got, want, "{sort} offset {offset}");
            }
        }
        // Deep pages numbered the rows; the last sort's numbered copy is the only table left.
        assert!(entry.sorted_by.is_some() && entry.copies >= 4, "{} copies", entry.copies);
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name LIKE 'costscope_result_%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }
}
