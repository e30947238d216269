//! The routes of `costscope serve` and their handlers (docs/api.md gives each route's source in
//! OpenCost or Kubecost). Every route is mounted bare and under `/model`.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::allocation::{
    AllocationJson, AllocationSetJson, SummaryJson, SummaryMap, SummaryRangeJson, SummarySetJson, ToplineCombined, ToplineJson, WindowJson,
};
use super::assets::{
    ASSET_ITEM_AGGREGATE, AssetJson, AssetSetJson, CloudCostJson, CloudCostRangeJson, CloudCostSetJson, CostMetricJson, GraphSetJson,
    NamedMap, ViewRowJson, ViewTotalsJson,
};
use super::auth::{self, Token};
use super::cloud_status::CloudStatusJson;
use super::params::{self, Flavor, Params};
use super::{ApiError, QUERY_DEADLINE, ServeState, ok};
use crate::model::CostMetricName;
use crate::query::{Accumulate, CalendarUnit, CostSource, DataKind, Page, QueryError, QueryRequest, Window, parse_aggregate};

/// A handler's view: the shared state and which API generation the path belongs to.
#[derive(Clone)]
struct Ctx {
    state: Arc<ServeState>,
    flavor: Flavor,
}

type Pairs = Query<Vec<(String, String)>>;
type Answer = Result<Response, ApiError>;

/// The routes of one API generation.
fn api(ctx: Ctx) -> Router {
    Router::new()
        .route("/allocation", get(allocation))
        .route("/allocation/compute", get(allocation))
        .route("/allocation/summary", get(summary))
        .route("/allocation/compute/summary", get(summary))
        .route("/allocation/summary/topline", get(topline))
        .route("/allocation/autocomplete", get(autocomplete_allocation))
        .route("/assets", get(assets))
        .route("/assets/topline", get(assets_topline))
        .route("/assets/autocomplete", get(autocomplete_assets))
        .route("/cloudCost", get(cloud_cost))
        .route("/cloudCost/view/table", get(view_table))
        .route("/cloudCost/view/totals", get(view_totals))
        .route("/cloudCost/view/graph", get(view_graph))
        .route("/cloudCost/status", get(cloud_status))
        .route("/cloudCost/autocomplete", get(autocomplete_cloud))
        .route("/customCost/total", get(custom_total))
        .route("/customCost/timeseries", get(custom_timeseries))
        .route("/getConfigs", get(|| async { ok(serde_json::json!({"currencyCode": "USD"})) }))
        .route("/costscope/pipeline", get(pipeline))
        .route("/costscope/migration", get(migration))
        .route("/healthz", get(|| async { StatusCode::OK }))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state((ctx.state.clone(), ctx.flavor), super::cache::reuse))
        .route_layer(middleware::from_fn_with_state(ctx.state.clone(), record))
        .with_state(ctx)
}

/// The whole application: both generations, OpenCost's CORS (any origin), and the token check
/// when `token` is given.
pub fn router(state: Arc<ServeState>, token: Option<Token>) -> Router {
    let app = Router::new()
        .merge(api(Ctx {
            state: state.clone(),
            flavor: Flavor::OpenCost,
        }))
        .nest(
            "/model",
            api(Ctx {
                state,
                flavor: Flavor::Kubecost,
            }),
        );
    let app = match token {
        Some(t) => app.layer(middleware::from_fn_with_state(t, auth::require)),
        None => app,
    };
    app.layer(tower_http::cors::CorsLayer::permissive())
}

/// Middleware: count the request and its latency under its route pattern.
async fn record(State(state): State<Arc<ServeState>>, path: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let t0 = Instant::now();
    let route = path.map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let res = next.run(req).await;
    state.metrics.record(&route, res.status().as_u16(), t0.elapsed());
    res
}

/// Run `f` on a blocking thread within [`QUERY_DEADLINE`].
async fn run<T: Send + 'static>(
    state: &ServeState,
    f: impl FnOnce(&dyn CostSource) -> Result<T, QueryError> + Send + 'static,
) -> Result<T, ApiError> {
    let src = state.source.clone();
    let task = tokio::task::spawn_blocking(move || f(&*src));
    match tokio::time::timeout(QUERY_DEADLINE, task).await {
        Err(_) => Err(ApiError::Deadline(QUERY_DEADLINE.as_secs())),
        Ok(Err(e)) => Err(ApiError::Task(e.to_string())),
        Ok(Ok(r)) => r.map_err(Into::into),
    }
}

/// One page per step (one for the whole window when `acc` is all).
fn steps(s: &dyn CostSource, req: &QueryRequest, acc: Accumulate) -> Result<Vec<(Window, Page)>, QueryError> {
    if acc.is_all() {
        Ok(vec![(req.window, s.query(req)?)])
    } else {
        s.query_steps(req, acc)
    }
}

/// Parse the request of `kind`.
fn request(c: &Ctx, p: &Params, kind: DataKind) -> Result<(QueryRequest, Accumulate), ApiError> {
    Ok(params::request(p, kind, c.flavor, &c.state.labels, (c.state.now)())?)
}

/// `format=csv`: the steps as the CLI's CSV (`output::csv_steps`), else `None`.
fn csv(p: &Params, req: &QueryRequest, steps: &[(Window, Page)]) -> Option<Response> {
    if !p.get("format").is_some_and(|f| f.eq_ignore_ascii_case("csv")) {
        return None;
    }
    Some(match crate::output::csv_steps(req.kind, &req.aggregate, steps) {
        Ok(text) => ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], text).into_response(),
        Err(e) => ApiError::Task(e.to_string()).into_response(),
    })
}

/// `/allocation`, `/allocation/compute`: `data` is a list with one map per step set.
async fn allocation(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (mut req, acc) = request(&c, &p, DataKind::Allocation)?;
    let merged = params::merges_everything(&p);
    if merged {
        (req.offset, req.limit) = (0, 1);
    }
    let r = req.clone();
    let pages = run(&c.state, move |s| steps(s, &r, acc)).await?;
    if let Some(res) = csv(&p, &req, &pages) {
        return Ok(res);
    }
    let sets: Vec<AllocationSetJson> = pages.iter().map(|(w, page)| AllocationSetJson::of(page, w, merged)).collect();
    Ok(ok(sets))
}

/// The step of `acc` in Go duration nanoseconds (the window's length for one set).
fn step_nanos(acc: Accumulate, w: &Window, pages: &[(Window, Page)]) -> i64 {
    let first = pages.first().map_or(*w, |(s, _)| *s);
    let span = if acc.is_all() { *w } else { first };
    (span.end - span.start).num_nanoseconds().unwrap_or(i64::MAX)
}

/// `/allocation/summary`: `{step, sets: [{allocations, window}], window}`.
async fn summary(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (req, acc) = request(&c, &p, DataKind::Allocation)?;
    let merged = params::merges_everything(&p);
    let r = req.clone();
    let pages = run(&c.state, move |s| steps(s, &r, acc)).await?;
    let sets = pages
        .iter()
        .map(|(w, page)| SummarySetJson {
            allocations: SummaryMap(AllocationSetJson::of(page, w, merged).0.iter().map(SummaryJson::from).collect()),
            window: w.into(),
        })
        .collect();
    Ok(ok(SummaryRangeJson {
        step: step_nanos(acc, &req.window, &pages),
        sets,
        window: (&req.window).into(),
    }))
}

/// `/allocation/summary/topline` (Kubecost): the number of rows and the totals of the window.
async fn topline(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (mut req, _) = request(&c, &p, DataKind::Allocation)?;
    (req.offset, req.limit) = (0, 1);
    let r = req.clone();
    let page = run(&c.state, move |s| s.query(&r)).await?;
    let total = SummaryJson::from(&AllocationJson::of("total", &page.totals, &req.window));
    Ok(ok(ToplineJson {
        num_results: page.total_rows,
        combined: ToplineCombined {
            allocations: [("total", total)].into_iter().collect(),
            window: (&req.window).into(),
        },
    }))
}

/// The asset request: OpenCost answers one entry per asset whatever `aggregate` says (the UI
/// aggregates itself); Kubecost's `/model/assets` honours `aggregate`.
fn asset_request(c: &Ctx, p: &Params) -> Result<QueryRequest, ApiError> {
    let ignored = p.without("aggregate");
    let p = if c.flavor == Flavor::OpenCost { &ignored } else { p };
    let (mut req, _) = request(c, p, DataKind::Asset)?;
    if c.flavor == Flavor::OpenCost || p.get("aggregate").is_none() {
        req.aggregate = parse_aggregate(ASSET_ITEM_AGGREGATE, DataKind::Asset).map_err(|e| ApiError::Task(e.to_string()))?;
    }
    Ok(req)
}

/// `/assets`: `data` is one map, asset key → asset, over the window.
async fn assets(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let req = asset_request(&c, &p)?;
    let r = req.clone();
    let page = run(&c.state, move |s| s.query(&r)).await?;
    let pages = [(req.window, page)];
    if let Some(res) = csv(&p, &req, &pages) {
        return Ok(res);
    }
    Ok(ok(AssetSetJson::of(&pages[0].1, &req.window)))
}

/// `/assets/topline`: `{numResults, combined}` with the window's asset totals.
async fn assets_topline(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let mut req = asset_request(&c, &p)?;
    (req.offset, req.limit) = (0, 1);
    let r = req.clone();
    let page = run(&c.state, move |s| s.query(&r)).await?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Topline {
        num_results: usize,
        combined: AssetJson,
    }
    Ok(ok(Topline {
        num_results: page.total_rows,
        combined: AssetJson::of(&page.totals, &req.window),
    }))
}

/// The cloud-cost request; without `accumulate` the answer is one set per UTC day, as OpenCost's
/// repository returns its daily sets.
fn cloud_request(c: &Ctx, p: &Params) -> Result<(QueryRequest, Accumulate), ApiError> {
    let (req, acc) = request(c, p, DataKind::CloudCost)?;
    let acc = match (p.get("accumulate"), p.get("accumulateBy"), p.get("step")) {
        (None, None, None) => Accumulate::Calendar(CalendarUnit::Day),
        _ => acc,
    };
    acc.check_steps(req.window).map_err(|e| params::ParamError {
        name: "accumulate",
        message: e.to_string(),
    })?;
    Ok((req, acc))
}

/// `/cloudCost`: `{sets: [{cloudCosts, window, aggregationProperties}], window}`, each item with
/// all five cost metrics (one query per metric).
async fn cloud_cost(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (req, acc) = cloud_request(&c, &p)?;
    let r = req.clone();
    let per_metric = run(&c.state, move |s| {
        CostMetricName::ALL
            .iter()
            .map(|m| {
                let mut r = r.clone();
                r.cost_metric = *m;
                steps(s, &r, acc)
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await?;
    let metric = |i: usize, step: usize, name: &str| {
        per_metric[i][step]
            .1
            .rows
            .iter()
            .find(|r| r.name == name)
            .map(CostMetricJson::of)
            .unwrap_or_default()
    };
    let Some(base) = per_metric.first() else {
        return Ok(ok(Vec::<()>::new()));
    };
    let sets = base
        .iter()
        .enumerate()
        .map(|(step, (w, page))| CloudCostSetJson {
            cloud_costs: NamedMap(
                page.rows
                    .iter()
                    .map(|row| {
                        let item = CloudCostJson {
                            properties: row.properties.clone(),
                            window: w.into(),
                            list_cost: metric(0, step, &row.name),
                            net_cost: metric(1, step, &row.name),
                            amortized_net_cost: metric(2, step, &row.name),
                            invoiced_cost: metric(3, step, &row.name),
                            amortized_cost: metric(4, step, &row.name),
                        };
                        (row.name.clone(), item)
                    })
                    .collect(),
            ),
            window: w.into(),
            aggregation_properties: req.aggregate.keys().iter().map(|k| k.name()).collect(),
        })
        .collect();
    let open = WindowJson {
        start: "null".into(),
        end: "null".into(),
    };
    Ok(ok(CloudCostRangeJson { sets, window: open }))
}

/// `/cloudCost/status`: one integration per provider and account with cloud costs in the
/// database (`[]` when there are none), so the OpenCost UI's Cloud Costs page shows them.
async fn cloud_status(State(c): State<Ctx>) -> Answer {
    let Some(extent) = run(&c.state, |s| s.data_extent(DataKind::CloudCost)).await? else {
        return Ok(ok(Vec::<()>::new()));
    };
    let (req, _) = request(&c, &super::cloud_status::params(extent), DataKind::CloudCost)?;
    let r = req.clone();
    let page = run(&c.state, move |s| s.query(&r)).await?;
    let prop = |row: &crate::query::Row, k: &str| row.properties.get(k).cloned().unwrap_or_default();
    let list: Vec<CloudStatusJson> = page
        .rows
        .iter()
        .map(|row| CloudStatusJson::of(&prop(row, "provider"), &prop(row, "accountID"), &req.window))
        .collect();
    Ok(ok(list))
}

/// The view request: the whole window in one set.
async fn view_page(c: &Ctx, p: &Params) -> Result<(QueryRequest, Page), ApiError> {
    let (req, _) = request(c, p, DataKind::CloudCost)?;
    let r = req.clone();
    let page = run(&c.state, move |s| s.query(&r)).await?;
    Ok((req, page))
}

/// `/cloudCost/view/table`: rows `{name, labels, kubernetesPercent, cost}`; `null` when none.
async fn view_table(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (req, page) = view_page(&c, &p).await?;
    let pages = [(req.window, page)];
    if let Some(res) = csv(&p, &req, &pages) {
        return Ok(res);
    }
    let rows: Vec<ViewRowJson> = pages[0].1.rows.iter().map(|r| ViewRowJson::of(&r.name, r)).collect();
    Ok(ok((!rows.is_empty()).then_some(rows)))
}

/// `/cloudCost/view/totals`: `{numResults, combined}`; `null` when there is no data.
async fn view_totals(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (_, page) = view_page(&c, &p).await?;
    Ok(ok((page.total_rows > 0).then(|| ViewTotalsJson {
        num_results: page.total_rows,
        combined: ViewRowJson::of("Totals", &page.totals),
    })))
}

/// `/cloudCost/view/graph`: one point per step (default a day), ten items each at most.
async fn view_graph(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let p = Params::new(q);
    let (mut req, acc) = cloud_request(&c, &p)?;
    (req.offset, req.limit) = (0, 0);
    let r = req.clone();
    let pages = run(&c.state, move |s| steps(s, &r, acc)).await?;
    let points: Vec<GraphSetJson> = pages.iter().map(|(w, page)| GraphSetJson::of(page, w)).collect();
    Ok(ok(points))
}

/// `/…/autocomplete`: `{"data": [values]}` of `field` (required), containing `search`, at most
/// `limit` (default 100, at most 1,000).
async fn autocomplete(c: Ctx, q: Vec<(String, String)>, kind: DataKind) -> Answer {
    let p = Params::new(q);
    let field = p.get("field").ok_or_else(|| params::ParamError {
        name: "field",
        message: "missing (e.g. field=namespace)".into(),
    })?;
    let field = match field.to_ascii_lowercase().as_str() {
        "controllername" => "controller".to_string(),
        "assettype" => "type".to_string(),
        _ => field.to_string(),
    };
    let (mut req, _) = request(&c, &p, kind)?;
    req.aggregate = parse_aggregate(&field, kind).map_err(|e| params::ParamError {
        name: "field",
        message: e.to_string(),
    })?;
    req.search = p.get("search").map(String::from);
    req.idle = crate::query::IdleMode::Hide;
    req.offset = 0;
    req.limit = match p.count("limit", 1000)? {
        0 => 100,
        n => n,
    };
    req.sort = crate::query::Sort {
        key: crate::query::SortKey::Name,
        descending: false,
    };
    let page = run(&c.state, move |s| s.query(&req)).await?;
    let values: Vec<String> = page.rows.into_iter().map(|r| r.name).collect();
    Ok(ok(serde_json::json!({ "data": values })))
}

async fn autocomplete_allocation(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    autocomplete(c, q, DataKind::Allocation).await
}

async fn autocomplete_assets(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    autocomplete(c, q, DataKind::Asset).await
}

async fn autocomplete_cloud(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    autocomplete(c, q, DataKind::CloudCost).await
}

/// The window of a custom-cost request (UTC), for the empty answers below.
fn custom_window(c: &Ctx, p: &Params) -> Result<WindowJson, ApiError> {
    let w = p.get("window").ok_or_else(|| params::ParamError {
        name: "window",
        message: "missing (e.g. window=7d)".into(),
    })?;
    let w = crate::query::parse_window(w, (c.state.now)()).map_err(|e| params::ParamError {
        name: "window",
        message: e.to_string(),
    })?;
    Ok((&w).into())
}

/// `/customCost/total`: the bucket holds no custom costs, so the answer is OpenCost's without
/// any (the UI's summary cards then show 0).
async fn custom_total(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let window = custom_window(&c, &Params::new(q))?;
    Ok(ok(serde_json::json!({
        "window": window, "totalCost": 0.0, "totalCostType": "blended", "customCosts": []
    })))
}

/// `/customCost/timeseries`: no custom costs, as [`custom_total`].
async fn custom_timeseries(State(c): State<Ctx>, Query(q): Pairs) -> Answer {
    let window = custom_window(&c, &Params::new(q))?;
    Ok(ok(serde_json::json!({ "window": window, "timeseries": [] })))
}

/// `/costscope/pipeline`: the Pipeline view's tasks (a list; empty with `--no-ingest`).
async fn pipeline(State(c): State<Ctx>) -> Response {
    ok(super::status::pipeline_tasks(c.state.ingest.as_ref()))
}

/// `/costscope/migration`: the Migration view's report, scanned now (within [`QUERY_DEADLINE`]).
async fn migration(State(c): State<Ctx>) -> Answer {
    let source = c.state.migration.as_ref().ok_or(super::status::StatusError::Unavailable)?;
    let report = tokio::time::timeout(QUERY_DEADLINE, source.report((c.state.now)()))
        .await
        .map_err(|_| ApiError::Deadline(QUERY_DEADLINE.as_secs()))??;
    Ok(ok(report))
}

/// `/metrics`: Prometheus text.
async fn metrics(State(c): State<Ctx>) -> Response {
    let progress = c.state.ingest.as_ref().map(|rx| rx.borrow().clone());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        c.state.metrics.render(progress.as_ref()),
    )
        .into_response()
}
