//! Allocation queries: aggregate, filter and idle (hide / separate by cluster or node / share) in
//! one DuckDB statement over the smallest allocation table holding the query's keys and filter
//! fields (`alloc_controllers`, `alloc_pods` or `allocations`, see [`super::rollup`]) and the
//! node assets; sorting and paging are [`super::results`]'s.
//!
//! Idle follows Kubecost: idle = node asset cost − cost allocated to workloads on those nodes,
//! per resource (CPU and RAM after the node discount, GPU as is; the node's adjustment stays in
//! the idle total), over every allocation of the window. With a filter (`docs/semantics.md` §8),
//! a separate idle row keeps, per resource, the share that would go to the allocations shown
//! (visible cost / all allocated cost of its cluster or node); shared idle is spread over rows
//! in proportion to their CPU, RAM and GPU cost within each cluster and ETL set, so a filtered
//! row keeps its unfiltered value. Idle is computed for the clusters that have an allocation in
//! the answer. Shared idle and shared costs (`docs/semantics.md` §9) go through
//! [`super::share_sql`].

use super::columns_sql;
use super::params::Params;
use super::query_common::{IdleScope, aliased, collect_series, group_select, idle_scope, key_cols, key_names, lit, run_series, window_sql};
use super::results::{ResultCache, run_page, run_steps};
use super::rollup::{Source, source_for};
use super::share_sql;
use super::steps_sql::Stepper;
use crate::query::{AggregateKey, ColumnId, DataKind, Filter, IDLE, IdleMode, Page, QueryError, QueryRequest, Row, Window};
use duckdb::Connection;

/// What the pipeline groups by: key expressions (selected as `k0..`), the row-name expression
/// over `k0..`, and the key select list of separate idle rows.
struct Grouping {
    keys: Vec<String>,
    name: String,
    idle_keys: String,
}

impl Grouping {
    /// The request's aggregate. Idle rows carry `__idle__` in every key except cluster (and node
    /// when idle is by node); merged idle carries it in every key.
    fn of(req: &QueryRequest, p: &mut Params) -> Result<Grouping, QueryError> {
        let (keys, name) = group_select(req.kind, req, "name", p)?;
        let by_node = req.idle == IdleMode::SeparateByNode;
        let merged = req.idle == IdleMode::Merged;
        let idle_keys: Vec<String> = req
            .aggregate
            .keys()
            .iter()
            .enumerate()
            .map(|(i, k)| match k {
                AggregateKey::Cluster if !merged => format!("_c AS k{i}"),
                AggregateKey::Node if by_node => format!("_n AS k{i}"),
                _ => format!("{} AS k{i}", lit(IDLE)),
            })
            .collect();
        let idle_keys = if idle_keys.is_empty() {
            format!("{} AS k0", lit(IDLE))
        } else {
            idle_keys.join(", ")
        };
        Ok(Grouping { keys, name, idle_keys })
    }
}

/// Build the `WITH ...` text defining `result` over `src`, its values bound in `p` (the
/// grouping's label keys are bound there already). With shared idle or sharing the rows go
/// through the per-set CTEs of [`share_sql`] (`rows_s`); else `rows` is `grpc` as it is.
fn ctes(req: &QueryRequest, g: &Grouping, src: Source, step: Option<&Stepper>, p: &mut Params) -> String {
    let window = window_sql(req, p);
    let filter = share_sql::filter_sql(req, p);
    let bw = format!("{window} AND ({filter})");
    // With steps every grouping also groups by the step `_st`: the key columns carry it.
    let st = Steps(step);
    let kc = format!("{}{}", key_cols(g.keys.len()), st.col(""));
    let by_node = req.idle == IdleMode::SeparateByNode;
    let per_set = share_sql::needed(req);
    let shared = share_sql::shared_predicate(&req.share, p);
    let mut sql = format!(
        "WITH base AS NOT MATERIALIZED (SELECT *{base_st} FROM {table} WHERE {bw}),
        {span}
        grpc AS (SELECT {keys}{grpc_st}{extra}, {sums} FROM base{not_shared} GROUP BY ALL),
        nodes AS (SELECT cluster AS _c, {node_sel}{nodes_st} sum(cpu_cost * (1 - discount)) c, sum(ram_cost * (1 - discount)) r, sum(gpu_cost) g, sum(total_cost) t
            FROM assets x WHERE type = 'Node' AND {window} AND {answered} GROUP BY ALL),
        used AS (SELECT cluster AS _c, {used_node_sel}{nodes_st} sum(cpu_t) c, sum(ram_t) r, sum(gpu_t) g
            FROM alloc_pods x WHERE {window} AND node <> '' AND {answered} GROUP BY ALL),
        idle AS (SELECT n._c{node_col}{idle_st}, n.c - coalesce(u.c, 0) AS c, n.r - coalesce(u.r, 0) AS r, n.g - coalesce(u.g, 0) AS g,
            n.t - coalesce(u.c + u.r + u.g, 0) AS t FROM nodes n LEFT JOIN used u USING (_c{node_join}{join_st})),",
        base_st = st.select("window_start"),
        table = src.table(),
        span = st.span(),
        keys = aliased(&g.keys),
        grpc_st = st.col(""),
        extra = if per_set { share_sql::grpc_extra(src) } else { String::new() },
        not_shared = if per_set { format!(" WHERE NOT {shared}") } else { String::new() },
        sums = src.measure_sums(),
        node_sel = if by_node { "name AS _n," } else { "" },
        used_node_sel = if by_node { "node AS _n," } else { "" },
        nodes_st = st.select_lead("x.window_start"),
        answered = st.answered(),
        node_col = if by_node { ", n._n" } else { "" },
        idle_st = st.col("n."),
        node_join = if by_node { ", _n" } else { "" },
        join_st = st.col(""),
    );
    let resums = columns_sql::resums(DataKind::Allocation);
    if per_set {
        let per = share_sql::PerSet {
            req,
            src,
            window: &window,
            filter: &filter,
            shared: &shared,
        };
        sql.push_str(&per.ctes(&kc, &resums, p));
    } else {
        sql.push_str("rows AS (SELECT * FROM grpc),");
    }
    let union = match req.idle {
        IdleMode::SeparateByCluster | IdleMode::SeparateByNode | IdleMode::Merged => {
            sql.push_str(&scaled_idle(req, src, by_node, &bw, &st));
            idle_union(req.idle, g, &kc, &st)
        }
        IdleMode::Share | IdleMode::Hide => String::new(),
    };
    sql.push_str(&format!(
        "summed AS (SELECT {name} AS name, {kc}, {measures} FROM {grouped}{union}),
        result AS (SELECT name, {kc}, {columns} FROM summed {span_join})",
        name = g.name,
        measures = columns_sql::names(DataKind::Allocation),
        grouped = if per_set {
            format!("(SELECT {kc}, {resums} FROM rows_s GROUP BY ALL)")
        } else {
            "rows".to_string()
        },
        columns = columns_sql::result_columns(DataKind::Allocation, "span.h", req.rate),
        span_join = if step.is_some() { "JOIN span USING (_st)" } else { ", span" },
    ));
    sql
}

/// The SQL pieces that add the step `_st` to a query's groupings; all empty without steps.
struct Steps<'a>(Option<&'a Stepper>);

impl Steps<'_> {
    /// `, <prefix>_st` (a group or select column).
    fn col(&self, prefix: &str) -> String {
        self.0.map_or_else(String::new, |_| format!(", {prefix}_st"))
    }
    /// `, <step of col> AS _st` (a select item computing the step).
    fn select(&self, col: &str) -> String {
        self.0.map_or_else(String::new, |s| format!(", {} AS _st", s.expr(col)))
    }
    /// `<step of col> AS _st,` (the same, before the next select item).
    fn select_lead(&self, col: &str) -> String {
        self.0.map_or_else(String::new, |s| format!(" {} AS _st,", s.expr(col)))
    }
    /// The `span` CTE: hours of data overall, or per step.
    fn span(&self) -> String {
        columns_sql::span_cte(self.0.is_some())
    }
    /// Node and pod rows `x` of a cluster (and step) with an allocation in the answer.
    fn answered(&self) -> String {
        match self.0 {
            None => "cluster IN (SELECT DISTINCT cluster FROM base)".into(),
            Some(s) => format!(
                "EXISTS (SELECT 1 FROM base b WHERE b.cluster = x.cluster AND b._st = {})",
                s.expr("x.window_start")
            ),
        }
    }
}

/// The `idle_s` CTE (with its trailing comma): each idle row of `idle` with its CPU, RAM and GPU
/// cost scaled by the visible / all allocated cost of that resource on its cluster (or node), the
/// rest of its total by the visible / all allocated total. An idle key with no allocated cost keeps
/// its idle whole; one whose allocations are all filtered out is dropped
/// (`docs/semantics.md` §8). Without a filter `idle_s` is `idle`. `bw`: the query's base WHERE.
fn scaled_idle(req: &QueryRequest, src: Source, by_node: bool, bw: &str, st: &Steps) -> String {
    if req.filter == Filter::All {
        return "idle_s AS (SELECT * FROM idle),".into();
    }
    let vis_src = if src == Source::Allocations {
        Source::Allocations
    } else {
        Source::Pods
    };
    let m = |n: &str| vis_src.measure(n).unwrap_or_else(|| "0".into());
    let ratio = |part: &str| format!("CASE WHEN u.{part} > 0 THEN coalesce(v.{part}, 0) / u.{part} ELSE 1.0 END");
    let on = format!(
        "{}{}",
        if by_node { "u._c = i._c AND u._n = i._n" } else { "u._c = i._c" },
        if st.0.is_some() { " AND u._st = i._st" } else { "" }
    );
    format!(
        "vis AS (SELECT cluster AS _c{node_sel}{vis_st}, sum({c}) c, sum({r}) r, sum({g}) g FROM {table} WHERE {bw} AND node <> '' GROUP BY ALL),
        idle_s AS (SELECT _c{node_col}{idle_st}, c * fc AS c, r * fr AS r, g * fg AS g, (t - c - r - g) * fa + c * fc + r * fr + g * fg AS t FROM
            (SELECT i.*, {fc} AS fc, {fr} AS fr, {fg} AS fg,
                CASE WHEN u.c + u.r + u.g > 0 THEN coalesce(v.c + v.r + v.g, 0) / (u.c + u.r + u.g) ELSE 1.0 END AS fa,
                v.c IS NOT NULL OR u.c IS NULL AS keep
             FROM idle i LEFT JOIN used u ON {on} LEFT JOIN vis v ON {von})
            WHERE keep),",
        node_sel = if by_node { ", node AS _n" } else { "" },
        vis_st = st.select("window_start"),
        idle_st = st.col(""),
        node_col = if by_node { ", _n" } else { "" },
        c = m("cpu_t"),
        r = m("ram_t"),
        g = m("gpu_t"),
        table = vis_src.table(),
        fc = ratio("c"),
        fr = ratio("r"),
        fg = ratio("g"),
        von = on.replace("u.", "v."),
    )
}

/// The `UNION ALL` arm adding the idle rows of `idle_s`: `<cluster>/__idle__` per cluster,
/// `<cluster>/<node>/__idle__` per node (rows with no idle cost left out), or one `__idle__` row
/// summed over all (merged).
fn idle_union(mode: IdleMode, g: &Grouping, kc: &str, st: &Steps) -> String {
    let cols = columns_sql::idle_values();
    let idle = lit(IDLE);
    match mode {
        IdleMode::Merged => format!(
            " UNION ALL SELECT {idle} AS name, {kc}, {cols}
              FROM (SELECT {keys}{st}, sum(c) c, sum(g) g, sum(r) r, sum(t) t FROM idle_s {group} HAVING count(*) > 0)",
            keys = g.idle_keys,
            st = st.col(""),
            group = if st.0.is_some() { "GROUP BY _st" } else { "" },
        ),
        _ => {
            let by_node = mode == IdleMode::SeparateByNode;
            let prefix = if by_node { "_c || '/' || _n || '/'" } else { "_c || '/'" };
            format!(
                " UNION ALL SELECT {prefix} || {idle} AS name, {kc}, {cols}
                  FROM (SELECT {keys}{st}, _c{idle_node}, c, g, r, t FROM idle_s WHERE c <> 0 OR g <> 0 OR r <> 0 OR t <> 0)",
                keys = g.idle_keys,
                st = st.col(""),
                idle_node = if by_node { ", _n" } else { "" },
            )
        }
    }
}

/// The smallest table holding the request's keys, filter fields and share labels
/// ([`super::rollup`]).
fn source(req: &QueryRequest) -> Source {
    if req.share.labels.is_empty() {
        source_for(&req.aggregate, &req.filter)
    } else {
        Source::Allocations
    }
}

/// One page of allocations, read from the smallest table that holds the request's keys and
/// filter fields ([`super::rollup`]).
pub fn page(conn: &Connection, req: &QueryRequest, cache: &ResultCache) -> Result<Page, QueryError> {
    let src = source(req);
    let mut params = Params::new();
    let grouping = Grouping::of(req, &mut params)?;
    let sql = ctes(req, &grouping, src, None, &mut params);
    let totals = columns_sql::totals_query(DataKind::Allocation);
    run_page(conn, req, (&sql, &params), &totals, &key_names(req), cache)
}

/// Every step of `req.window` (`windows`, in order) in one statement, one page each, when
/// [`Stepper::for_steps`] allows it; `None` when the steps must run one by one.
pub fn steps(conn: &Connection, req: &QueryRequest, windows: &[Window]) -> Option<Result<Vec<Page>, QueryError>> {
    let mut params = Params::new();
    let stepper = Stepper::for_steps(req, windows, &mut params)?;
    Some((|| {
        let grouping = Grouping::of(req, &mut params)?;
        let sql = ctes(req, &grouping, source(req), Some(&stepper), &mut params);
        let totals = columns_sql::totals_query_by_step(DataKind::Allocation);
        run_steps(conn, req, (&sql, &params), stepper.len(), &totals, &key_names(req))
    })())
}

/// Daily totalCost of one allocation row, from the table its query reads. For an idle row
/// (`__idle__`, `<cluster>/__idle__`, `<cluster>/<node>/__idle__`) the day's node cost minus the
/// cost allocated on those nodes, the same subtraction as the window's idle; when a filter scaled
/// the row (`docs/semantics.md` §8) the days are scaled alike, so they sum to the row's totalCost.
pub fn series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    if let Some(scope) = idle_scope(row) {
        let days = idle_series(conn, req, &scope)?;
        let (sum, want) = (days.iter().map(|(_, v)| v).sum::<f64>(), row.get(req.kind, ColumnId::TotalCost));
        return Ok(match want {
            Some(want) if req.filter != Filter::All && sum != 0.0 => days.into_iter().map(|(d, v)| (d, v * want / sum)).collect(),
            _ => days,
        });
    }
    if share_sql::needed(req) {
        return shared_series(conn, req, row);
    }
    let src = source(req);
    let value = if src == Source::Allocations { "total_cost" } else { "total" };
    run_series(conn, src.table(), value, req, row)
}

/// Daily totalCost of a row of a query with shared idle or sharing: the query's own per-set rows
/// (`rows_s`, after idle, tenancy and shared costs) of that row, summed per UTC day.
fn shared_series(conn: &Connection, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    let mut p = Params::new();
    let g = Grouping::of(req, &mut p)?;
    let sql = ctes(req, &g, source(req), None, &mut p);
    let conds: Vec<String> = key_names(req)
        .iter()
        .enumerate()
        .map(|(i, k)| format!("k{i} = {}", p.text(row.properties.get(k).map_or("", String::as_str))))
        .collect();
    let sql = format!(
        "{sql} SELECT _ws - _ws % 86400 AS day, sum(total) FROM rows_s WHERE {} GROUP BY 1 ORDER BY 1",
        conds.join(" AND ")
    );
    collect_series(conn, &sql, &p)
}

/// Daily idle totalCost of `scope` (`cluster` or `cluster/node`; `None`: every cluster with an
/// allocation in the window) over `req.window`.
fn idle_series(conn: &Connection, req: &QueryRequest, scope: &IdleScope) -> Result<Vec<(i64, f64)>, QueryError> {
    let (cluster, node) = (scope.cluster.as_deref(), scope.node.as_deref());
    let mut p = Params::new();
    let w = window_sql(req, &mut p);
    let window = match cluster {
        Some(c) => format!("{w} AND cluster = {}", p.text(c)),
        None => format!("{w} AND cluster IN (SELECT DISTINCT cluster FROM alloc_controllers WHERE {w})"),
    };
    let (node_asset, node_pod) = match node {
        Some(n) => {
            let n = p.text(n);
            (format!(" AND name = {n}"), format!(" AND node = {n}"))
        }
        None => (String::new(), String::new()),
    };
    let sql = format!(
        "SELECT day, sum(t) FROM (
            SELECT window_start - window_start % 86400 AS day, total_cost AS t FROM assets WHERE type = 'Node' AND {window}{node_asset}
            UNION ALL
            SELECT window_start - window_start % 86400, -(cpu_t + ram_t + gpu_t) FROM alloc_pods WHERE {window} AND node <> ''{node_pod})
         GROUP BY 1 ORDER BY 1"
    );
    collect_series(conn, &sql, &p)
}
