//! Query-string parameters of the cost API, with Kubecost's and OpenCost's names and defaults
//! (docs/api.md §1, §2, §6, §9), turned into one [`QueryRequest`] and its [`Accumulate`].
//!
//! Rules: the first value of a name counts and an empty value counts as missing (OpenCost
//! `httputil.QueryParams.Get`); unknown names are ignored, as both originals do; a bad value is an
//! [`ParamError`] naming the parameter (HTTP 400).

use std::collections::HashMap;

use crate::model::CostMetricName;
use crate::query::{
    Accumulate, Aggregate, CalendarUnit, CostRate, DataKind, IdleMode, LabelConfig, QueryRequest, ShareError, ShareSplit, Sharing, Sort,
    StepSize, Window, parse_aggregate, parse_filter, parse_window,
};

/// Rows one request may ask for with `limit` (0 or absent = every row, as OpenCost answers).
pub const MAX_LIMIT: usize = 100_000;

/// Which API generation a route answers as: OpenCost's bare paths (`includeIdle`, default no
/// idle) or Kubecost's `/model` paths (`idle`, default idle shown). Both read both names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `/allocation`, … (OpenCost, port 9003).
    OpenCost,
    /// `/model/allocation`, … (Kubecost's frontend).
    Kubecost,
}

/// A parameter with a value the API does not accept: HTTP 400, `{"code":400,"message":"Error: …"}`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid '{name}' parameter: {message}")]
pub struct ParamError {
    /// The parameter's name as sent (`window`, `aggregate`).
    pub name: &'static str,
    /// What is wrong and what is accepted.
    pub message: String,
}

fn bad(name: &'static str, message: impl ToString) -> ParamError {
    ParamError {
        name,
        message: message.to_string(),
    }
}

/// The query string as name → first non-empty value.
#[derive(Clone, Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// From decoded `(name, value)` pairs in request order.
    pub fn new(pairs: Vec<(String, String)>) -> Params {
        let mut map = HashMap::new();
        for (k, v) in pairs {
            if !v.trim().is_empty() {
                map.entry(k).or_insert(v);
            }
        }
        Params(map)
    }

    /// The same parameters without `name` (a parameter the route ignores, as OpenCost does).
    pub fn without(&self, name: &str) -> Params {
        let mut p = self.clone();
        p.0.remove(name);
        p
    }

    /// The value of `name`, when given and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.trim())
    }

    /// A Go `strconv.ParseBool` value (`1,t,true,0,f,false`, any case); absent → `None`.
    ///
    /// Errors: any other text.
    pub fn bool(&self, name: &'static str) -> Result<Option<bool>, ParamError> {
        self.get(name)
            .map(|v| match v.to_ascii_lowercase().as_str() {
                "1" | "t" | "true" => Ok(true),
                "0" | "f" | "false" => Ok(false),
                _ => Err(bad(name, format!("{v:?} is not a boolean (true or false)"))),
            })
            .transpose()
    }

    /// A non-negative integer; absent → 0.
    ///
    /// Errors: not a number, negative, or larger than `max`.
    pub fn count(&self, name: &'static str, max: usize) -> Result<usize, ParamError> {
        let Some(v) = self.get(name) else { return Ok(0) };
        let n: usize = v.parse().map_err(|_| bad(name, format!("{v:?} is not a whole number ≥ 0")))?;
        if n > max {
            return Err(bad(name, format!("{n} is more than {max}")));
        }
        Ok(n)
    }

    /// A comma list (trimmed, empties dropped).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
            .unwrap_or_default()
    }
}

/// OpenCost's default allocation aggregation when `aggregate` is absent or empty.
pub const OPENCOST_DEFAULT_AGGREGATE: &str = "cluster,node,namespace,pod,container";

/// The aggregation of `kind`: `aggregate=` (OpenCost's `all` = one row; allocations default to
/// [`OPENCOST_DEFAULT_AGGREGATE`], assets and cloud costs to one row per item as OpenCost).
fn aggregate(p: &Params, kind: DataKind) -> Result<Option<Aggregate>, ParamError> {
    match p.get("aggregate") {
        Some(a) if a.eq_ignore_ascii_case("all") => Ok(None),
        Some(a) => parse_aggregate(a, kind).map(Some).map_err(|e| bad("aggregate", e)),
        None => match kind {
            DataKind::Allocation => parse_aggregate(OPENCOST_DEFAULT_AGGREGATE, kind)
                .map(Some)
                .map_err(|e| bad("aggregate", e)),
            DataKind::Asset => Ok(Some(Aggregate(Vec::new()))),
            DataKind::CloudCost => Ok(Some(Aggregate::cloud_cost_default())),
        },
    }
}

/// Kubecost's v1 filters (`filterNamespaces=a,b`, `filterLabels=app:web`) as v2 filter text,
/// joined with `+` (docs/api.md §9).
fn v1_filters(p: &Params) -> Vec<String> {
    const FIELDS: [(&str, &str); 8] = [
        ("filterClusters", "cluster"),
        ("filterNodes", "node"),
        ("filterNamespaces", "namespace"),
        ("filterControllerKinds", "controllerKind"),
        ("filterControllers", "controllerName"),
        ("filterPods", "pod"),
        ("filterContainers", "container"),
        ("filterServices", "services"),
    ];
    let quote = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
    let mut out = Vec::new();
    for (name, field) in FIELDS {
        let values = p.list(name);
        if !values.is_empty() {
            out.push(format!("{field}:{}", values.iter().map(|v| quote(v)).collect::<Vec<_>>().join(",")));
        }
    }
    for (name, field) in [("filterLabels", "label"), ("filterAnnotations", "annotation")] {
        for pair in p.list(name) {
            if let Some((k, v)) = pair.split_once(':').or_else(|| pair.split_once('=')) {
                out.push(format!("{field}[{}]:{}", k.trim(), quote(v.trim())));
            }
        }
    }
    out
}

/// The idle mode: `shareIdle=true` shares; idle shown (`idle`, Kubecost, default true on
/// `/model`; `includeIdle`, OpenCost, default false) as one `__idle__` row, per cluster with
/// `splitIdle=true`, per node with `idleByNode=true`.
fn idle(p: &Params, flavor: Flavor) -> Result<IdleMode, ParamError> {
    let shown = match (p.bool("idle")?, p.bool("includeIdle")?) {
        (Some(v), _) | (None, Some(v)) => v,
        (None, None) => flavor == Flavor::Kubecost,
    };
    if !shown {
        return Ok(IdleMode::Hide);
    }
    if p.bool("shareIdle").unwrap_or(None) == Some(true) || p.get("shareIdle").is_some_and(|v| v == "weighted") {
        return Ok(IdleMode::Share);
    }
    Ok(match (p.bool("idleByNode")?, p.bool("splitIdle")?) {
        (Some(true), _) => IdleMode::SeparateByNode,
        (_, Some(true)) => IdleMode::SeparateByCluster,
        _ => IdleMode::Merged,
    })
}

/// How the window is split: `accumulate` (`true`/`false` or `all|hour|day|week|month|quarter`,
/// OpenCost ≥ 2025), `accumulateBy` (overrides it), `step` (`1h|1d|1w` or `hour|day|week`).
/// Unknown accumulate words (the UI's `weeknow`) mean no accumulation, as OpenCost.
fn accumulate(p: &Params) -> Result<Accumulate, ParamError> {
    let word = p.get("accumulateBy").or(p.get("accumulate")).map(str::to_ascii_lowercase);
    let unit = |w: &str| match w {
        "hour" => Some(CalendarUnit::Hour),
        "day" => Some(CalendarUnit::Day),
        "week" => Some(CalendarUnit::Week),
        "month" => Some(CalendarUnit::Month),
        "quarter" => Some(CalendarUnit::Quarter),
        _ => None,
    };
    if let Some(u) = word.as_deref().and_then(unit) {
        return Ok(Accumulate::Calendar(u));
    }
    if matches!(word.as_deref(), Some("true" | "all" | "1" | "t")) {
        return Ok(Accumulate::All);
    }
    match p.get("step") {
        Some(s) => StepSize::parse(s)
            .map(Accumulate::Step)
            .ok_or_else(|| bad("step", format!("{s:?}: expected 1h, 1d or 1w"))),
        None => Ok(Accumulate::All),
    }
}

/// Cost rate (Kubecost `costMetric=cumulative|hourly|daily|monthly`) or the cloud cost metric
/// (`listCost|netCost|amortizedNetCost|invoicedCost|amortizedCost`, any case).
fn cost_metric(p: &Params, kind: DataKind) -> Result<(CostRate, CostMetricName), ParamError> {
    let Some(v) = p.get("costMetric") else {
        return Ok((CostRate::Cumulative, CostMetricName::AmortizedNetCost));
    };
    match kind {
        DataKind::CloudCost => CostMetricName::parse(v).map(|m| (CostRate::Cumulative, m)).ok_or_else(|| {
            bad(
                "costMetric",
                format!("{v:?}: expected listCost, netCost, amortizedNetCost, invoicedCost or amortizedCost"),
            )
        }),
        DataKind::Allocation | DataKind::Asset => CostRate::parse(v)
            .map(|r| (r, CostMetricName::AmortizedNetCost))
            .ok_or_else(|| bad("costMetric", format!("{v:?}: expected cumulative, hourly, daily or monthly"))),
    }
}

/// Sharing of allocations: `shareNamespaces`, `shareLabels` (`k:v` list), `shareCost` (USD per
/// month), `shareSplit` (`weighted|even`), `shareTenancyCosts` (Kubecost's default true on
/// `/model`; OpenCost has no tenancy sharing, so false on the bare paths).
fn sharing(p: &Params, flavor: Flavor) -> Result<Sharing, ParamError> {
    let split = match p.get("shareSplit") {
        Some(s) => ShareSplit::parse(s).ok_or_else(|| bad("shareSplit", format!("{s:?}: expected weighted or even")))?,
        None => ShareSplit::default(),
    };
    let tenancy = p.bool("shareTenancyCosts")?.unwrap_or(flavor == Flavor::Kubecost);
    Sharing::from_parts(
        &p.list("shareNamespaces"),
        &p.list("shareLabels"),
        p.get("shareCost"),
        split,
        tenancy,
    )
    .map_err(|e| {
        let param = match e {
            ShareError::Label(_) => "shareLabels",
            ShareError::Cost(_) => "shareCost",
            ShareError::Split(_) => "shareSplit",
            ShareError::Tenancy(_) => "shareTenancyCosts",
            ShareError::Setting(_) => "share",
        };
        bad(param, e.to_string())
    })
}

/// The sort: `sortBy` (a column's JSON name or `name`) and `sortByOrder` (`asc|desc`, default
/// `desc`).
fn sort(p: &Params, kind: DataKind) -> Result<Sort, ParamError> {
    let Some(by) = p.get("sortBy") else {
        return Ok(Sort::default_for(kind));
    };
    let by = if by.eq_ignore_ascii_case("cost") && kind != DataKind::CloudCost {
        "totalCost"
    } else {
        by
    };
    let order = p.get("sortByOrder").unwrap_or("desc").to_ascii_lowercase();
    if order != "asc" && order != "desc" {
        return Err(bad("sortByOrder", format!("{order:?}: expected asc or desc")));
    }
    Sort::parse(&format!("{by}:{order}"), kind).map_err(|e| bad("sortBy", e))
}

/// One API request of `kind` as a query and its steps. `window` is required (OpenCost answers
/// 400 without it).
///
/// Errors: the first bad parameter, by name.
pub fn request(
    p: &Params,
    kind: DataKind,
    flavor: Flavor,
    labels: &LabelConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(QueryRequest, Accumulate), ParamError> {
    let window = p.get("window").ok_or_else(|| bad("window", "missing (e.g. window=7d)"))?;
    let window = inclusive_end(parse_window(window, now).map_err(|e| bad("window", e))?);
    let aggregate = aggregate(p, kind)?;
    let mut filters: Vec<String> = p.get("filter").map(|f| vec![format!("({f})")]).unwrap_or_default();
    if kind == DataKind::Allocation {
        filters.extend(v1_filters(p));
    }
    let filter = parse_filter(&filters.join("+"), kind).map_err(|e| bad("filter", e))?;
    let (rate, cost_metric) = cost_metric(p, kind)?;
    let share = if kind == DataKind::Allocation {
        sharing(p, flavor)?
    } else {
        Sharing::default()
    };
    let accumulate = accumulate(p)?;
    accumulate.check_steps(window).map_err(|e| bad("step", e))?;
    let req = QueryRequest {
        kind,
        window,
        aggregate: aggregate.clone().unwrap_or_default(),
        filter,
        idle: if kind == DataKind::Allocation {
            idle(p, flavor)?
        } else {
            IdleMode::Hide
        },
        sort: sort(p, kind)?,
        offset: p.count("offset", usize::MAX)?,
        limit: p.count("limit", MAX_LIMIT)?,
        cost_metric,
        search: None,
        labels: labels.clone(),
        rate,
        share,
    };
    Ok((req, accumulate))
}

/// A window ending one second before a full hour (`…T23:59:59Z`) ends at that hour: the OpenCost
/// UI's report windows and the parquet exporter's default window are written with inclusive
/// ends (`2026-11-15T00:00:00Z,2026-11-15T23:59:59Z`), and costscope counts an ETL set only when
/// it lies wholly inside the window (docs/semantics.md), so the day's set would otherwise be left
/// out (docs/user-guide.md, "Serving the cost API").
fn inclusive_end(w: Window) -> Window {
    use chrono::Timelike;
    if w.end.minute() == 59 && w.end.second() == 59 && w.end.nanosecond() == 0 {
        let end = w.end + chrono::Duration::seconds(1);
        return Window::new(w.start, end).unwrap_or(w);
    }
    w
}

/// Whether `aggregate=all` asked for everything in one row (no key at all).
pub fn merges_everything(p: &Params) -> bool {
    p.get("aggregate").is_some_and(|a| a.eq_ignore_ascii_case("all"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn params(q: &str) -> Params {
        Params::new(
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn req(q: &str, flavor: Flavor) -> Result<(QueryRequest, Accumulate), ParamError> {
        let now = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap();
        request(&params(q), DataKind::Allocation, flavor, &LabelConfig::default(), now)
    }

    #[test]
    fn idle_defaults_follow_the_flavor_and_both_names_are_read() {
        let idle = |q: &str, f| req(q, f).unwrap().0.idle;
        assert_eq!(idle("window=7d", Flavor::OpenCost), IdleMode::Hide);
        assert_eq!(idle("window=7d", Flavor::Kubecost), IdleMode::Merged);
        assert_eq!(idle("window=7d&includeIdle=true", Flavor::OpenCost), IdleMode::Merged);
        assert_eq!(idle("window=7d&idle=false", Flavor::Kubecost), IdleMode::Hide);
        assert_eq!(
            idle("window=7d&idle=true&splitIdle=true", Flavor::OpenCost),
            IdleMode::SeparateByCluster
        );
        assert_eq!(
            idle("window=7d&includeIdle=true&idleByNode=true", Flavor::OpenCost),
            IdleMode::SeparateByNode
        );
        assert_eq!(idle("window=7d&includeIdle=true&shareIdle=true", Flavor::OpenCost), IdleMode::Share);
    }

    #[test]
    fn accumulate_takes_bools_words_and_steps() {
        let acc = |q: &str| req(q, Flavor::OpenCost).unwrap().1;
        assert_eq!(acc("window=7d"), Accumulate::All);
        assert_eq!(acc("window=7d&accumulate=true"), Accumulate::All);
        assert_eq!(acc("window=7d&accumulate=day"), Accumulate::Calendar(CalendarUnit::Day));
        assert_eq!(acc("window=7d&accumulate=weeknow"), Accumulate::All);
        assert_eq!(acc("window=7d&accumulate=false&step=1d"), Accumulate::Step(StepSize::Day));
        assert_eq!(
            acc("window=7d&accumulateBy=hour&accumulate=true"),
            Accumulate::Calendar(CalendarUnit::Hour)
        );
    }

    #[test]
    fn bad_values_name_their_parameter() {
        let name = |q: &str| req(q, Flavor::OpenCost).unwrap_err().name;
        assert_eq!(name("aggregate=namespace"), "window");
        assert_eq!(name("window=banana"), "window");
        assert_eq!(name("window=7d&aggregate=nonsense"), "aggregate");
        assert_eq!(name("window=7d&filter=namespace:"), "filter");
        assert_eq!(name("window=7d&limit=-1"), "limit");
        assert_eq!(name("window=7d&limit=18446744073709551616"), "limit");
        assert_eq!(name("window=7d&includeIdle=maybe"), "includeIdle");
        assert_eq!(name("window=7d&step=5m"), "step");
        assert_eq!(name("window=7d&sortBy=bogus"), "sortBy");
        assert_eq!(name("window=7d&shareSplit=odd"), "shareSplit");
    }

    #[test]
    fn an_inclusive_end_at_59_59_ends_at_the_next_hour() {
        let (r, _) = req("window=2026-11-15T00:00:00Z,2026-11-15T23:59:59Z", Flavor::OpenCost).unwrap();
        assert_eq!(r.window.end.to_rfc3339(), "2026-11-16T00:00:00+00:00");
        let (r, _) = req("window=2026-11-15T00:00:00Z,2026-11-15T12:30:00Z", Flavor::OpenCost).unwrap();
        assert_eq!(r.window.end.to_rfc3339(), "2026-11-15T12:30:00+00:00");
    }

    #[test]
    fn v1_filters_become_v2_filters_and_empty_values_count_as_missing() {
        let (r, _) = req("window=7d&filter=&filterNamespaces=a,b&filterLabels=app:web", Flavor::OpenCost).unwrap();
        let text = r.filter.to_string();
        assert!(
            text.contains("namespace") && text.contains("\"b\"") && text.contains("app"),
            "{text}"
        );
        let (r, _) = req("window=7d&aggregate=", Flavor::OpenCost).unwrap();
        assert_eq!(r.aggregate.to_string(), OPENCOST_DEFAULT_AGGREGATE);
    }
}
