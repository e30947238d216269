//! SQL building blocks shared by the allocation, asset and cloud-cost queries: which resolution
//! answers a window, the filter → SQL column map, aggregate-key expressions and daily series
//! (sorting and paging: [`super::results`]).

use super::params::Params;
use super::schema::{label_has_key_sql, label_keys_sql, label_value_sql, list_sql};
use crate::bucket::keys::Resolution;
use crate::query::{
    AggregateKey, DataKind, Field, IDLE, QueryError, QueryRequest, Row, SqlColumns, UNALLOCATED, UNDEFINED, UNMOUNTED, to_sql_bound,
};
use duckdb::{Connection, params_from_iter};

/// The ETL resolution that answers `req.window`: `1d` when the window is day-aligned or at least
/// 48 hours long, else `1h` (`docs/semantics.md` §7, "Which sets answer a window").
pub fn resolution(req: &QueryRequest) -> Resolution {
    if req.window.is_day_aligned() || req.window.duration() >= chrono::Duration::hours(48) {
        Resolution::DAY
    } else {
        Resolution::HOUR
    }
}

/// The window predicate every query starts with: sets of the resolution (`1d`/`1h`) that overlap
/// the window, its values (resolution, window end and start in unix seconds) bound in `p`. A set
/// that overlaps the window counts whole (Kubecost's ETL sets are not prorated). Bind it once per
/// statement and write the returned text wherever a table is read.
pub fn window_sql(req: &QueryRequest, p: &mut Params) -> String {
    format!(
        "resolution = {} AND window_start < {} AND window_end > {}",
        p.text(&resolution(req).to_string()),
        p.int(req.window.end.timestamp()),
        p.int(req.window.start.timestamp())
    )
}

/// WHERE clause (without `WHERE`): the `window` predicate ([`window_sql`]) and `req`'s filter,
/// whose values are bound in `p`.
pub fn base_where(req: &QueryRequest, window: &str, cols: &dyn SqlColumns, p: &mut Params) -> String {
    let f = to_sql_bound(&req.filter, &req.labels, cols, p);
    format!("{window} AND ({f})")
}

/// Column map for one table: filter fields → SQL.
pub struct Columns(pub DataKind);

impl SqlColumns for Columns {
    fn scalar(&self, f: &Field) -> Option<String> {
        let c = match (self.0, f) {
            (_, Field::Cluster) => "cluster",
            (DataKind::Allocation, Field::Node) => "node",
            (DataKind::Allocation, Field::Namespace) => "namespace",
            (DataKind::Allocation, Field::ControllerName) => "controller",
            (DataKind::Allocation, Field::ControllerKind) => "controller_kind",
            (DataKind::Allocation, Field::Container) => "container",
            (DataKind::Allocation, Field::Pod) => "pod",
            (DataKind::Asset, Field::Name) => "name",
            (DataKind::Asset, Field::AssetType) => "type",
            (DataKind::Asset, Field::Project) => "project",
            (DataKind::Asset, Field::Account | Field::AccountID) => "account",
            (DataKind::Allocation, Field::Provider) => "provider_id",
            (_, Field::Category) => "category",
            (_, Field::Provider) => "provider",
            (_, Field::ProviderID) => "provider_id",
            (_, Field::Service) => "service",
            (DataKind::CloudCost, Field::AccountID) => "account_id",
            (DataKind::CloudCost, Field::InvoiceEntityID) => "invoice_entity_id",
            (DataKind::CloudCost, Field::InvoiceEntityName) => "invoice_entity_name",
            (DataKind::CloudCost, Field::AccountName) => "account_name",
            (DataKind::CloudCost, Field::RegionID) => "region_id",
            (DataKind::CloudCost, Field::AvailabilityZone) => "availability_zone",
            _ => return None,
        };
        Some(c.to_string())
    }
    fn list(&self, f: &Field) -> Option<String> {
        matches!((self.0, f), (DataKind::Allocation, Field::Services)).then(|| list_sql("services"))
    }
    fn map_value(&self, f: &Field, key: &str) -> Option<String> {
        map_col(self.0, f).map(|c| label_value_sql(c, key))
    }
    fn map_has_key(&self, f: &Field, key: &str) -> Option<String> {
        map_col(self.0, f).map(|c| label_has_key_sql(c, key))
    }
    fn map_keys(&self, f: &Field) -> Option<String> {
        map_col(self.0, f).map(label_keys_sql)
    }
}

fn map_col(kind: DataKind, f: &Field) -> Option<&'static str> {
    match (kind, f) {
        (_, Field::Label(_)) => Some("labels"),
        (DataKind::Allocation, Field::Annotation(_)) => Some("annotations"),
        (DataKind::Allocation, Field::NamespaceLabel(_)) => Some("namespace_labels"),
        _ => None,
    }
}

/// A SQL string literal, for constants of the code (special row names); user input is bound
/// through [`Params`] instead.
pub fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// SQL for one aggregate key's row segment, fallbacks included, as `docs/semantics.md` §6 names
/// it: allocation values, or `__unallocated__` when empty or missing (`controller` is
/// `<kind>:<name>`, a bare name when the kind is empty; the shortcuts `deployment`, … keep the
/// name only for their controller kind; `service` is the first service, `__unmounted__` for
/// unmounted volumes; aliases read the configured label, then the annotation); asset values, or
/// `__undefined__` (`label:k` → `k=value`); cloud-cost values, or `__unallocated__`. Label and
/// annotation keys are bound in `p`.
///
/// Errors: a key that does not apply to `kind`.
pub fn segment(kind: DataKind, req: &QueryRequest, k: &AggregateKey, p: &mut Params) -> Result<String, QueryError> {
    let missing = lit(if kind == DataKind::Asset { UNDEFINED } else { UNALLOCATED });
    let or_missing = |e: &str| format!("coalesce(nullif({e}, ''), {missing})");
    let e = match (kind, k) {
        (_, AggregateKey::Cluster) => or_missing("cluster"),
        (DataKind::Allocation, AggregateKey::Node) => or_missing("node"),
        (DataKind::Allocation, AggregateKey::Namespace) => or_missing("namespace"),
        (DataKind::Allocation, AggregateKey::Pod) => or_missing("pod"),
        (DataKind::Allocation, AggregateKey::Container) => or_missing("container"),
        (DataKind::Allocation, AggregateKey::ControllerKind) => or_missing("controller_kind"),
        (DataKind::Allocation, AggregateKey::Controller) => format!(
            "CASE WHEN controller = '' THEN {missing} WHEN controller_kind = '' THEN controller ELSE controller_kind || ':' || controller END"
        ),
        (
            DataKind::Allocation,
            AggregateKey::Deployment | AggregateKey::StatefulSet | AggregateKey::DaemonSet | AggregateKey::Job | AggregateKey::CronJob,
        ) => {
            let ck = k.controller_kind().map(lit).unwrap_or_default();
            format!("CASE WHEN controller_kind = {ck} AND controller <> '' THEN controller ELSE {missing} END")
        }
        (DataKind::Allocation, AggregateKey::Service) => {
            let first = "split_part(trim(services, chr(31)), chr(31), 1)";
            let unmounted = lit(UNMOUNTED);
            format!(
                "CASE WHEN {first} = '' THEN {missing} WHEN {unmounted} IN (pod, namespace, container) THEN {unmounted} ELSE {first} END"
            )
        }
        (DataKind::Allocation, AggregateKey::Annotation(a)) => or_missing(&label_value_sql("annotations", &p.text(a))),
        (DataKind::Allocation, AggregateKey::Alias(a)) => {
            let key = p.text(&req.labels.key(*a));
            or_missing(&format!(
                "CASE WHEN {} THEN {} WHEN {} THEN {} ELSE '' END",
                label_has_key_sql("labels", &key),
                label_value_sql("labels", &key),
                label_has_key_sql("annotations", &key),
                label_value_sql("annotations", &key)
            ))
        }
        (DataKind::Asset, AggregateKey::Label(l)) => {
            let key = p.text(l);
            format!(
                "CASE WHEN {v} = '' THEN {missing} ELSE {key} || '=' || {v} END",
                v = label_value_sql("labels", &key),
            )
        }
        (_, AggregateKey::Label(l)) => or_missing(&label_value_sql("labels", &p.text(l))),
        (DataKind::Asset, AggregateKey::Type) => or_missing("type"),
        (DataKind::Asset, AggregateKey::Account) => or_missing("account"),
        (DataKind::Asset, AggregateKey::Project) => or_missing("project"),
        (DataKind::Asset, AggregateKey::Name) => or_missing("name"),
        (DataKind::Asset | DataKind::CloudCost, AggregateKey::Category) => or_missing("category"),
        (DataKind::Asset | DataKind::CloudCost, AggregateKey::Provider) => or_missing("provider"),
        (DataKind::Asset | DataKind::CloudCost, AggregateKey::ProviderID) => or_missing("provider_id"),
        (DataKind::Asset | DataKind::CloudCost, AggregateKey::Service) => or_missing("service"),
        (DataKind::CloudCost, AggregateKey::AccountID) => or_missing("account_id"),
        (DataKind::CloudCost, AggregateKey::AccountName) => or_missing("account_name"),
        (DataKind::CloudCost, AggregateKey::InvoiceEntityID) => or_missing("invoice_entity_id"),
        (DataKind::CloudCost, AggregateKey::InvoiceEntityName) => or_missing("invoice_entity_name"),
        (DataKind::CloudCost, AggregateKey::RegionID) => or_missing("region_id"),
        (DataKind::CloudCost, AggregateKey::AvailabilityZone) => or_missing("availability_zone"),
        (_, other) => {
            return Err(QueryError::Invalid(format!(
                "aggregate key {} does not apply to {}",
                other.name(),
                kind.plural()
            )));
        }
    };
    Ok(e)
}

/// Group key expressions (the [`segment`]s, selected as `k0`, `k1`, ... by [`aliased`]) and the
/// `name` expression joining `k0..` with `/`. With no keys, `item_name` names each row.
pub fn group_select(kind: DataKind, req: &QueryRequest, item_name: &str, p: &mut Params) -> Result<(Vec<String>, String), QueryError> {
    let keys = req.aggregate.keys();
    if keys.is_empty() {
        return Ok((vec![item_name.to_string()], "k0".into()));
    }
    let sel = keys.iter().map(|k| segment(kind, req, k, p)).collect::<Result<Vec<_>, _>>()?;
    let name = (0..keys.len()).map(|i| format!("k{i}")).collect::<Vec<_>>().join(" || '/' || ");
    Ok((sel, name))
}

/// `e0 AS k0, e1 AS k1, ...`.
pub fn aliased(exprs: &[String]) -> String {
    exprs
        .iter()
        .enumerate()
        .map(|(i, e)| format!("{e} AS k{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `k0, k1, ...` for `n` keys.
pub fn key_cols(n: usize) -> String {
    (0..n).map(|i| format!("k{i}")).collect::<Vec<_>>().join(", ")
}

/// Key names for a row's `properties` (aggregate key names, or `name` when not aggregated).
pub fn key_names(req: &QueryRequest) -> Vec<String> {
    let keys = req.aggregate.keys();
    if keys.is_empty() {
        vec!["name".into()]
    } else {
        keys.iter().map(|k| k.name()).collect()
    }
}

/// The cluster and node an idle row's cost is of; `None` for either means every one the query
/// answers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdleScope {
    pub cluster: Option<String>,
    pub node: Option<String>,
}

/// The scope of `row` when it is an idle row (`__idle__`, `<cluster>/__idle__`,
/// `<cluster>/<node>/__idle__`, or `__idle__` in one of its keys), else `None`. The cluster and
/// node come from the row's keys, or from its name when the aggregate has no such key (idle
/// separate by cluster or node, aggregated by namespace).
pub fn idle_scope(row: &Row) -> Option<IdleScope> {
    let idle = row.name.split('/').any(|part| part == IDLE) || row.properties.values().any(|v| v == IDLE);
    if !idle {
        return None;
    }
    let named = row
        .name
        .strip_suffix(&format!("/{IDLE}"))
        .filter(|n| !n.split('/').any(|part| part == IDLE));
    let (named_cluster, named_node) = match named {
        Some(n) => n.split_once('/').map_or((Some(n), None), |(c, n)| (Some(c), Some(n))),
        None => (None, None),
    };
    let value = |key: &str, named: Option<&str>| {
        row.properties
            .get(key)
            .filter(|v| *v != IDLE)
            .cloned()
            .or(named.map(str::to_string))
    };
    Some(IdleScope {
        cluster: value("cluster", named_cluster),
        node: value("node", named_node),
    })
}

/// Extra WHERE text selecting the items of `row`: each key's [`segment`] equals the row's value
/// for it (values bound in `p`).
pub fn row_where(kind: DataKind, req: &QueryRequest, row: &Row, p: &mut Params) -> Result<String, QueryError> {
    let mut conds = Vec::new();
    for k in req.aggregate.keys() {
        let seg = segment(kind, req, k, p)?;
        let value = p.text(row.properties.get(&k.name()).map_or("", String::as_str));
        conds.push(format!("({seg}) = {value}"));
    }
    Ok(if conds.is_empty() { "TRUE".into() } else { conds.join(" AND ") })
}

/// Daily series: `SELECT day, sum(<value>) FROM <table> WHERE <base> AND <row> GROUP BY 1`.
pub fn run_series(conn: &Connection, table: &str, value: &str, req: &QueryRequest, row: &Row) -> Result<Vec<(i64, f64)>, QueryError> {
    let mut p = Params::new();
    let window = window_sql(req, &mut p);
    let bw = base_where(req, &window, &Columns(req.kind), &mut p);
    let rw = row_where(req.kind, req, row, &mut p)?;
    let sql =
        format!("SELECT window_start - window_start % 86400 AS day, sum({value}) FROM {table} WHERE {bw} AND {rw} GROUP BY 1 ORDER BY 1");
    collect_series(conn, &sql, &p)
}

/// Run `sql` (selecting `day` unix seconds, value) with `params`; a NULL value reads as 0.
pub fn collect_series(conn: &Connection, sql: &str, params: &Params) -> Result<Vec<(i64, f64)>, QueryError> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map(params_from_iter(params.values()), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?.unwrap_or(0.0)))
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
