//! The per-set part of an allocation query: shared idle (`--idle share`), tenancy costs and
//! shared allocations and overhead (`--share-*`), each computed per ETL set (`window_start`) and
//! then summed, as OpenCost aggregates each set of an `AllocationSetRange` before accumulating
//! (`docs/semantics.md` §9; OpenCost `AllocationSet.AggregateBy`, `computeShareCoeffs`).
//!
//! Input: the `grpc` CTE, grouped by the keys `k0..`, cluster `_c` and set `_ws`, with the
//! allocation measures, `_w` (the share weight: totalCost − sharedCost of the allocations that are
//! not `__unmounted__`) and `_recv` (the group holds an allocation that is not `__unmounted__`),
//! from the filtered allocations that are not shared. Output: the `rows_s` CTE, grouped by the
//! keys and `_ws`, with the measures after idle, tenancy and shared costs were added.

use super::params::Params;
use super::query_common::{Columns, lit};
use super::rollup::Source;
use super::schema::label_value_sql;
use crate::query::{IdleMode, QueryRequest, ShareSplit, Sharing, UNMOUNTED};

/// What the per-set CTEs read: the query's window predicate and filter text (bound already), the
/// allocation source and the shared-allocation predicate.
pub struct PerSet<'a> {
    pub req: &'a QueryRequest,
    pub src: Source,
    pub window: &'a str,
    pub filter: &'a str,
    pub shared: &'a str,
}

/// True when an allocation query needs the per-set path: idle is shared or something is.
pub fn needed(req: &QueryRequest) -> bool {
    req.idle == IdleMode::Share || req.share.is_active()
}

/// SQL boolean: the allocation row is shared (namespace in the list, or one of the labels has
/// its value); `FALSE` when no allocation is shared. Values are bound in `p`.
pub fn shared_predicate(share: &Sharing, p: &mut Params) -> String {
    let mut parts = Vec::new();
    if !share.namespaces.is_empty() {
        let ns: Vec<String> = share.namespaces.iter().map(|n| p.text(n)).collect();
        parts.push(format!("namespace IN ({})", ns.join(", ")));
    }
    for (k, v) in &share.labels {
        let key = p.text(k);
        parts.push(format!("{} = {}", label_value_sql("labels", &key), p.text(v)));
    }
    if parts.is_empty() {
        "FALSE".into()
    } else {
        format!("({})", parts.join(" OR "))
    }
}

/// The extra select items of `grpc` on the per-set path: cluster, set, share weight, receiver flag.
pub fn grpc_extra(src: Source) -> String {
    let unmounted = lit(UNMOUNTED);
    format!(
        ", cluster AS _c, window_start AS _ws, sum(CASE WHEN namespace = {unmounted} THEN 0 ELSE {t} - {s} END) AS _w, bool_or(namespace <> {unmounted}) AS _recv",
        t = m(src, "total"),
        s = m(src, "shared"),
    )
}

fn m(src: Source, name: &str) -> String {
    src.measure(name).unwrap_or_else(|| "0".into())
}

impl PerSet<'_> {
    /// The CTEs after `grpc` (each with its trailing comma), ending with `rows_s`. `kc`: the key
    /// columns; `measures`: `sum(<m>) AS <m>` for every measure; `p`: the statement's values.
    pub fn ctes(&self, kc: &str, measures: &str, p: &mut Params) -> String {
        let share = &self.req.share;
        let mut sql = format!(
            "allw AS NOT MATERIALIZED (SELECT * FROM {table} WHERE {window}),",
            table = self.src.table(),
            window = self.window
        );
        if self.req.idle == IdleMode::Share {
            sql.push_str(&self.idle_ctes());
        }
        if share.tenancy {
            sql.push_str(&self.tenancy_ctes());
        }
        let (adds, joins) = (self.adds(), self.joins());
        sql.push_str(&format!(
            "rows_c AS (SELECT x.*, {adds} FROM grpc x {joins}),
            rows_x AS (SELECT * REPLACE (cpu + sc AS cpu, ram + sr AS ram, gpu + sg AS gpu, cpu_t + sc AS cpu_t, ram_t + sr AS ram_t,
                shared + st AS shared, total + sc + sr + sg + sa + st AS total) FROM rows_c),
            rows_k AS (SELECT {kc}, _ws, {measures}, sum(_w) AS _w, bool_or(_recv) AS _recv FROM rows_x GROUP BY ALL),"
        ));
        if !share.shares_allocations() && share.monthly_cost == 0.0 {
            sql.push_str("rows_s AS (SELECT * FROM rows_k),");
            return sql;
        }
        sql.push_str(&self.pool_cte(&adds, &joins, p));
        sql.push_str(&self.den_cte());
        let sh = match share.split {
            ShareSplit::Weighted => "CASE WHEN _recv AND _w > 0 AND den.w > 0 THEN coalesce(pool.v, 0) * _w / den.w ELSE 0 END",
            ShareSplit::Even => "CASE WHEN _recv AND den.n > 0 THEN coalesce(pool.v, 0) / den.n ELSE 0 END",
        };
        sql.push_str(&format!(
            "rows_s AS (SELECT * REPLACE (shared + sh AS shared, total + sh AS total) FROM
                (SELECT rows_k.*, {sh} AS sh FROM rows_k LEFT JOIN pool USING (_ws) LEFT JOIN den USING (_ws))),"
        ));
        sql
    }

    /// Idle per cluster and set (`idle_w`): node cost (CPU and RAM after discount) less the cost
    /// allocated on nodes, with the allocated totals `tc`, `tr`, `tg` it is spread by.
    fn idle_ctes(&self) -> String {
        format!(
            "nodes_w AS (SELECT cluster AS _c, window_start AS _ws, sum(cpu_cost * (1 - discount)) c, sum(ram_cost * (1 - discount)) r,
                sum(gpu_cost) g, sum(total_cost) t FROM assets WHERE type = 'Node' AND {w} AND cluster IN (SELECT DISTINCT cluster FROM base) GROUP BY ALL),
            used_w AS (SELECT cluster AS _c, window_start AS _ws, sum(cpu_t) c, sum(ram_t) r, sum(gpu_t) g
                FROM alloc_pods WHERE {w} AND node <> '' AND cluster IN (SELECT DISTINCT cluster FROM base) GROUP BY ALL),
            idle_w AS (SELECT n._c, n._ws, n.c - coalesce(u.c, 0) AS ic, n.r - coalesce(u.r, 0) AS ir, n.g - coalesce(u.g, 0) AS ig,
                n.t - coalesce(u.c + u.r + u.g, 0) AS it, u.c AS tc, u.r AS tr, u.g AS tg FROM nodes_w n LEFT JOIN used_w u USING (_c, _ws)),",
            w = self.window
        )
    }

    /// Tenancy costs per cluster and set (`ten_w`: cluster management and node-local disks) and
    /// the running hours of all the cluster's allocations (`hrs_w`) they are shared by.
    fn tenancy_ctes(&self) -> String {
        format!(
            "ten_w AS (SELECT cluster AS _c, window_start AS _ws, sum(total_cost) AS t FROM assets
                WHERE (type = 'ClusterManagement' OR (type = 'Disk' AND local > 0)) AND {w} GROUP BY ALL),
            hrs_w AS (SELECT cluster AS _c, window_start AS _ws, sum({h}) AS h FROM allw GROUP BY ALL),",
            w = self.window,
            h = m(self.src, "run_h"),
        )
    }

    /// `sc, sr, sg, sa` (shared idle: CPU, RAM, GPU, the rest) and `st` (tenancy) of a relation
    /// `x` with `_c`, `_ws` and the measures.
    fn adds(&self) -> String {
        let idle = if self.req.idle == IdleMode::Share {
            "CASE WHEN i.tc > 0 THEN coalesce(i.ic, 0) * x.cpu_t / i.tc ELSE 0 END AS sc,
             CASE WHEN i.tr > 0 THEN coalesce(i.ir, 0) * x.ram_t / i.tr ELSE 0 END AS sr,
             CASE WHEN i.tg > 0 THEN coalesce(i.ig, 0) * x.gpu_t / i.tg ELSE 0 END AS sg,
             CASE WHEN i.tc + i.tr + i.tg > 0 THEN coalesce(i.it - i.ic - i.ir - i.ig, 0) * (x.cpu_t + x.ram_t + x.gpu_t) / (i.tc + i.tr + i.tg) ELSE 0 END AS sa"
        } else {
            "0.0 AS sc, 0.0 AS sr, 0.0 AS sg, 0.0 AS sa"
        };
        let tenancy = if self.req.share.tenancy {
            "CASE WHEN hw.h > 0 THEN coalesce(tw.t, 0) * x.run_h / hw.h ELSE 0 END AS st"
        } else {
            "0.0 AS st"
        };
        format!("{idle}, {tenancy}")
    }

    fn joins(&self) -> String {
        let mut j = String::new();
        if self.req.idle == IdleMode::Share {
            j.push_str(" LEFT JOIN idle_w i ON i._c = x._c AND i._ws = x._ws");
        }
        if self.req.share.tenancy {
            j.push_str(" LEFT JOIN ten_w tw ON tw._c = x._c AND tw._ws = x._ws LEFT JOIN hrs_w hw ON hw._c = x._c AND hw._ws = x._ws");
        }
        j
    }

    /// `pool`: per set, the cost to share — every shared allocation's totalCost with its own
    /// shared idle and tenancy cost (the filter does not apply), plus the monthly overhead ×
    /// the set's hours up to now / 730.
    fn pool_cte(&self, adds: &str, joins: &str, p: &mut Params) -> String {
        let s = self.src;
        let mut arms = vec![format!(
            "SELECT _ws, total + sc + sr + sg + sa + st AS v FROM (SELECT x.*, {adds} FROM
                (SELECT cluster AS _c, window_start AS _ws, sum({t}) AS total, sum({c}) AS cpu_t, sum({r}) AS ram_t, sum({g}) AS gpu_t,
                    sum({h}) AS run_h FROM allw WHERE {shared} GROUP BY ALL) x {joins})",
            t = m(s, "total"),
            c = m(s, "cpu_t"),
            r = m(s, "ram_t"),
            g = m(s, "gpu_t"),
            h = m(s, "run_h"),
            shared = self.shared,
        )];
        if self.req.share.monthly_cost > 0.0 {
            arms.push(format!(
                "SELECT window_start, greatest(0, least(max(window_end), {now}) - window_start) / 3600.0 * {cost} / {hpm} FROM allw GROUP BY window_start",
                now = p.int(crate::clock::now().timestamp()),
                cost = p.float(self.req.share.monthly_cost),
                hpm = p.float(crate::query::share::HOURS_PER_MONTH),
            ));
        }
        format!("pool AS (SELECT _ws, sum(v) AS v FROM ({}) GROUP BY 1),", arms.join(" UNION ALL "))
    }

    /// `den`: per set, the weighted split's total weight (`w`: every allocation not shared and not
    /// unmounted, filtered out or not) or the even split's count (`n`: the rows shown, plus one
    /// for all the rows the filter removed, as OpenCost's `__filtered__` bucket).
    fn den_cte(&self) -> String {
        let unmounted = lit(UNMOUNTED);
        match self.req.share.split {
            ShareSplit::Weighted => format!(
                "den AS (SELECT window_start AS _ws, sum(CASE WHEN namespace = {unmounted} THEN 0 ELSE {t} - {s} END) AS w
                    FROM allw WHERE NOT {shared} GROUP BY 1),",
                t = m(self.src, "total"),
                s = m(self.src, "shared"),
                shared = self.shared,
            ),
            ShareSplit::Even => format!(
                "filt AS (SELECT DISTINCT window_start AS _ws FROM allw
                    WHERE NOT {shared} AND namespace <> {unmounted} AND NOT coalesce(({f}), FALSE)),
                den AS (SELECT _ws, count(*) FILTER (WHERE _recv) + CASE WHEN _ws IN (SELECT _ws FROM filt) THEN 1 ELSE 0 END AS n
                    FROM rows_k GROUP BY _ws),",
                shared = self.shared,
                f = self.filter,
            ),
        }
    }
}

/// The filter text of `req` over allocation columns, bound in `p` (`TRUE` without a filter).
pub fn filter_sql(req: &QueryRequest, p: &mut Params) -> String {
    crate::query::to_sql_bound(&req.filter, &req.labels, &Columns(req.kind), p)
}
