//! Savings queries in SQL (issue 30; the rules are in `docs/semantics.md` §§ 11, 13–16): one
//! statement per kind over the `allocations` or `assets` table, then the kind's rule, order and
//! page in Rust ([`crate::query::savings`]).

mod abandoned;
mod disks;
mod nodes;
pub mod requests;
mod volumes;

pub use requests::request_sizing;

use super::Aggregator;
use super::params::Params;
use super::query_common::{Columns, base_where, window_sql};
use crate::model::CostMetricName;
use crate::query::savings::{
    AbandonedParams, AbandonedRow, DiskIdentity, DiskParams, DiskRow, NodeParams, NodeRow, SavingsPage, SavingsQuery, SavingsSource,
    SizingPage, SizingRequest, VolumeParams, VolumeRow,
};
use crate::query::{Aggregate, DataKind, Filter, IdleMode, LabelConfig, QueryError, QueryRequest, Sharing, Sort, Window};
use duckdb::{Connection, Row, params_from_iter};

/// The workload key of an allocation: `ckind` and `ctrl`, its controller's kind and name, a bare
/// pod being its own controller of kind `pod` (`docs/semantics.md` §11).
const CONTROLLER_SQL: &str = "CASE WHEN controller = '' THEN 'pod' ELSE controller_kind END AS ckind,
                CASE WHEN controller = '' THEN pod ELSE controller END AS ctrl";

/// Allocations that are containers of workloads: not unmounted volumes, idle or unallocated, and
/// not without a container (`docs/semantics.md` §11).
const WORKLOADS_SQL: &str = "container NOT IN ('', '__unmounted__', '__idle__', '__unallocated__') AND namespace <> '__unmounted__'";

/// A disk's newest claim, claim namespace, storage class and provider id (over table alias `d`).
const DISK_ID_SQL: &str = "arg_max(d.claim_name, d.end_ts), arg_max(d.claim_namespace, d.end_ts),
            arg_max(d.storage_class, d.end_ts), arg_max(d.provider_id, d.end_ts)";

/// The `kind` query whose window predicate and filter a savings query shares (the sets that
/// answer `window` exactly as for `costscope allocation` or `costscope assets`).
fn as_query(kind: DataKind, window: &Window, filter: &Filter, labels: &LabelConfig) -> QueryRequest {
    QueryRequest {
        kind,
        window: *window,
        aggregate: Aggregate::default(),
        filter: filter.clone(),
        idle: IdleMode::Hide,
        sort: Sort::default_for(kind),
        offset: 0,
        limit: 0,
        cost_metric: CostMetricName::AmortizedNetCost,
        search: None,
        labels: labels.clone(),
        rate: Default::default(),
        share: Sharing::default(),
    }
}

/// The WHERE clause (window and filter) of `q` over `kind`'s table, its values bound in `p`.
fn scope<P>(kind: DataKind, q: &SavingsQuery<P>, p: &mut Params) -> String {
    let r = as_query(kind, &q.window, &q.filter, &q.labels);
    let window = window_sql(&r, p);
    base_where(&r, &window, &Columns(kind), p)
}

/// A disk's identity from the first six columns of a statement selecting `d.cluster, d.name,
/// {DISK_ID_SQL}`. Errors: DuckDB's.
fn disk_id(r: &Row) -> duckdb::Result<DiskIdentity> {
    Ok(DiskIdentity {
        cluster: r.get(0)?,
        volume_name: r.get(1)?,
        claim_name: r.get(2)?,
        claim_namespace: r.get(3)?,
        storage_class: r.get(4)?,
        provider_id: r.get(5)?,
    })
}

/// Run `sql` with `p` and map every row with `f`. Errors: [`QueryError::Db`].
fn collect<T>(conn: &Connection, sql: &str, p: &Params, mut f: impl FnMut(&Row) -> duckdb::Result<T>) -> Result<Vec<T>, QueryError> {
    let mut stmt = conn.prepare(sql)?;
    let mut q = stmt.query(params_from_iter(p.values()))?;
    let mut out = Vec::new();
    while let Some(r) = q.next()? {
        out.push(f(r)?);
    }
    Ok(out)
}

/// `a ÷ b`, 0 when `b` is not positive.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The error of parameters out of range.
fn invalid(e: impl std::fmt::Display) -> QueryError {
    QueryError::Invalid(e.to_string())
}

impl SavingsSource for Aggregator {
    fn request_sizing(&self, req: &SizingRequest) -> Result<SizingPage, QueryError> {
        self.with_reader(|c| request_sizing(c, req))
    }

    fn unclaimed_volumes(&self, q: &SavingsQuery<VolumeParams>) -> Result<SavingsPage<VolumeRow>, QueryError> {
        self.with_reader(|c| volumes::unclaimed_volumes(c, q))
    }

    fn disk_sizing(&self, q: &SavingsQuery<DiskParams>) -> Result<SavingsPage<DiskRow>, QueryError> {
        self.with_reader(|c| disks::disk_sizing(c, q))
    }

    fn abandoned_workloads(&self, q: &SavingsQuery<AbandonedParams>) -> Result<SavingsPage<AbandonedRow>, QueryError> {
        self.with_reader(|c| abandoned::abandoned_workloads(c, q))
    }

    fn underutilized_nodes(&self, q: &SavingsQuery<NodeParams>) -> Result<SavingsPage<NodeRow>, QueryError> {
        self.with_reader(|c| nodes::underutilized_nodes(c, q))
    }
}
