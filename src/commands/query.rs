//! `costscope allocation|assets|cloudcost`: an incremental ingest, then one Kubecost-style query.

use crate::aggregator::Aggregator;
use crate::cli::{GlobalArgs, OutputFormat, QueryArgs, UsageError};
use crate::format;
use crate::output;
use crate::query::compare::{self, CompareTo};
use crate::query::projection::{self, Projection};
use crate::query::{self, Accumulate, Aggregate, CostSource, DataKind, QueryRequest, Sharing, Sort, parse_aggregate, parse_filter};
use crate::response::{DeltaOut, PageOut, StepsOut};
use chrono::{TimeZone, Utc};
use color_eyre::eyre::{Result, bail, eyre};

/// Rows per page of `--format table` when `--limit` is not given (csv and json: all rows).
pub const TABLE_PAGE: usize = 50;

/// The last 7 days that hold data of `kind`: `[end − 7 d, end)` where `end` is the newest daily
/// window end. Errors when there is no data.
pub fn default_window(src: &dyn CostSource, kind: DataKind) -> Result<query::Window> {
    match src.data_extent(kind)? {
        Some((_, end)) => {
            let end = Utc.timestamp_opt(end, 0).single().ok_or_else(|| eyre!("bad data end {end}"))?;
            Ok(query::Window::new(end - chrono::Duration::days(7), end)?)
        }
        None => bail!("no {kind:?} data in the database yet (run `costscope ingest` and check `costscope bucket`)"),
    }
}

/// Build a request from command-line arguments. Errors say what is accepted.
pub fn request(src: &dyn CostSource, kind: DataKind, a: &QueryArgs) -> Result<QueryRequest> {
    let aggregate = match &a.aggregate {
        Some(text) => parse_aggregate(text, kind).map_err(|e| UsageError(format!("--aggregate: {e}")))?,
        None => Aggregate::query_default(kind),
    };
    let filter = parse_filter(&a.filter, kind).map_err(|e| UsageError(format!("--filter: {e}")))?;
    let sort = match &a.sort {
        Some(s) => Sort::parse(s, kind).map_err(|e| UsageError(format!("--sort: {e}")))?,
        None => Sort::default_for(kind),
    };
    let window = match &a.window {
        Some(w) => super::window_option(w)?,
        None => default_window(src, kind)?,
    };
    let share = Sharing::from_parts(
        &a.share_namespaces,
        &a.share_labels,
        a.share_cost.as_deref(),
        a.share_split,
        a.share_tenancy_costs,
    )
    .map_err(|e| UsageError(format!("--share-*: {e}")))?;
    if share.is_active() && kind != DataKind::Allocation {
        return Err(UsageError(format!("--share-* options apply to allocations only, not {}", kind.plural())).into());
    }
    Ok(QueryRequest {
        kind,
        window,
        aggregate,
        filter,
        idle: a.idle,
        sort,
        offset: a.offset,
        limit: a.limit.unwrap_or(match a.format {
            OutputFormat::Table => TABLE_PAGE,
            OutputFormat::Json | OutputFormat::Csv => 0,
        }),
        cost_metric: a.cost_metric,
        search: a.search.clone().filter(|s| !s.is_empty()),
        rate: a.rate,
        share,
        labels: crate::config::AppConfig::load().map_err(|e| UsageError(e.to_string()))?.labels,
    })
}

/// The table columns `a` asks for (indices into [`query::columns()`]`(kind)`): `-A` every column;
/// `--columns` those (or `all`); kubectl-cost's `--show-*` flags those plus totalCost; else
/// [`query::default_columns`].
///
/// Errors: a `--columns` name no column of `kind` has, listing the column ids.
pub fn table_columns(kind: DataKind, a: &QueryArgs) -> Result<Vec<usize>> {
    let all = query::columns(kind);
    if a.show_all_resources || a.columns.iter().any(|c| c.trim().eq_ignore_ascii_case("all")) {
        return Ok((0..all.len()).collect());
    }
    let mut words: Vec<&str> = a.columns.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
    let flags = a.show_flags();
    if words.is_empty() && !flags.is_empty() {
        words = flags;
        words.push(if kind == DataKind::CloudCost { "cost" } else { "totalCost" });
    }
    if words.is_empty() {
        return Ok(query::default_columns(kind));
    }
    let mut out = Vec::new();
    for w in words {
        let i = query::column_index(kind, w).ok_or_else(|| {
            let ids: Vec<&str> = all.iter().map(|c| c.json()).collect();
            UsageError(format!(
                "--columns: unknown column {w:?} for {}; columns: {}, or all",
                kind.plural(),
                ids.join(", ")
            ))
        })?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

/// What the audit options add to an answer (docs/audit.md): each row's sources
/// (`--provenance`) and a report header (`--report-header`, `--manifest`).
#[derive(Clone, Debug, Default)]
pub struct AuditOut {
    pub provenance: bool,
    pub header: Option<crate::audit::report::ReportHeader>,
}

impl AuditOut {
    /// The header's `# ` lines, or nothing.
    fn lines(&self) -> String {
        self.header.as_ref().map(|h| h.comment_lines()).unwrap_or_default()
    }

    /// The JSON answer's `report`, when there is a header.
    fn report(&self) -> Option<crate::response::ReportOut<'_>> {
        self.header.as_ref().map(Into::into)
    }
}

/// Run the query once per step of `accumulate` ([`Accumulate::windows`]) and render the steps
/// in the requested format: a table per step, JSON's `data` list, CSV with a `window` column.
///
/// Errors: the query's, and `--provenance` with steps (sources are listed for one window).
pub fn render_steps(
    agg: &Aggregator,
    req: &QueryRequest,
    accumulate: Accumulate,
    format: OutputFormat,
    shown: &[usize],
    audit: &AuditOut,
) -> Result<String> {
    if accumulate.is_all() {
        return render(agg, req, format, shown, audit);
    }
    if audit.provenance {
        return Err(UsageError("--provenance lists the sources of one window; leave out --accumulate/--step".into()).into());
    }
    let steps = agg.query_steps(req, accumulate)?;
    Ok(match format {
        OutputFormat::Table => {
            audit.lines()
                + &steps
                    .iter()
                    .map(|(w, p)| format!("── {} ──\n{}", output::interval(w), table(req, p, w, shown)))
                    .collect::<Vec<_>>()
                    .join("\n")
        }
        OutputFormat::Json => {
            let mut out = StepsOut::new(req.kind, &req.window, accumulate.describe(), &steps);
            out.sharing = req.share.is_active().then_some(&req.share);
            out.report = audit.report();
            serde_json::to_string_pretty(&out)? + "\n"
        }
        OutputFormat::Csv => audit.lines() + &output::csv_steps(req.kind, &req.aggregate, &steps)?,
    })
}

/// Run the query and render it in the requested format (`shown`: the table's columns), with
/// what `audit` asks for.
pub fn render(agg: &Aggregator, req: &QueryRequest, format: OutputFormat, shown: &[usize], audit: &AuditOut) -> Result<String> {
    let page = agg.query(req)?;
    if page.total_rows == 0 {
        eprintln!("{}", empty_note(agg, req));
    }
    let sources: Option<Vec<Vec<query::SourceObject>>> = match audit.provenance {
        true => Some(page.rows.iter().map(|r| agg.sources(req, r)).collect::<Result<_, _>>()?),
        false => None,
    };
    use crate::audit::report as rep;
    Ok(match format {
        OutputFormat::Table => {
            let mut text = audit.lines() + &table(req, &page, &req.window, shown);
            for (r, s) in page.rows.iter().zip(sources.iter().flatten()) {
                text.push_str(&rep::sources_lines(&r.name, s));
            }
            text
        }
        OutputFormat::Json => {
            let mut out = PageOut::new(req.kind, &page, &req.window);
            if let Some(all) = &sources {
                out = out.with_sources(all);
            }
            out.sharing = req.share.is_active().then_some(&req.share);
            out.report = audit.report();
            serde_json::to_string_pretty(&out)? + "\n"
        }
        OutputFormat::Csv => {
            let cells: Option<Vec<String>> = sources.as_ref().map(|all| all.iter().map(|s| rep::sources_cell(s)).collect());
            let mut buf = audit.lines().into_bytes();
            let extra: Vec<(&str, &[String])> = cells.as_deref().map(|c| ("sources", c)).into_iter().collect();
            output::write_csv_with(&mut buf, req.kind, &req.aggregate, &page, &extra)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    })
}

/// Run the query and the same query over `to`'s window, and render the comparison
/// ([`compare::compare`]): the table adds `Prev.`, `Δ`, `Δ %` (`new`/`gone` for rows only in one
/// window), JSON adds `previous`, `delta`, `deltaPercent`, `change` per row and to the totals,
/// CSV adds those columns.
///
/// Errors: either query's, and CSV's.
pub fn render_compare(
    agg: &Aggregator,
    req: &QueryRequest,
    to: CompareTo,
    format: OutputFormat,
    shown: &[usize],
    audit: &AuditOut,
) -> Result<String> {
    let c = compare::compare(agg, req, to)?;
    let prev = output::interval(&c.previous_window);
    Ok(match format {
        OutputFormat::Table => {
            let cell = format::delta_texts;
            let cells: Vec<[String; 3]> = c.deltas.iter().map(cell).collect();
            let total = cell(&c.totals);
            let extra: Vec<output::ExtraColumn> = ["PREV.", "Δ", "Δ %"]
                .into_iter()
                .enumerate()
                .map(|(i, title)| output::ExtraColumn {
                    title,
                    cells: cells.iter().map(|r| r[i].clone()).collect(),
                    total: total[i].clone(),
                })
                .collect();
            let mut text = audit.lines() + &output::table_with(req.kind, &c.page, &req.window, shown, &extra);
            text.push_str(&format!(
                "compared with {prev} · sorted by |Δ| of {}\n",
                compare::cost_column(req.kind).json()
            ));
            text
        }
        OutputFormat::Json => {
            let mut out = PageOut::new(req.kind, &c.page, &req.window).with_compare(&c);
            out.sharing = req.share.is_active().then_some(&req.share);
            out.report = audit.report();
            serde_json::to_string_pretty(&out)? + "\n"
        }
        OutputFormat::Csv => {
            let outs: Vec<DeltaOut> = c.deltas.iter().map(DeltaOut::from).collect();
            let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
            let previous: Vec<String> = outs.iter().map(|d| d.previous.to_string()).collect();
            let delta: Vec<String> = outs.iter().map(|d| d.delta.to_string()).collect();
            let pct: Vec<String> = outs.iter().map(|d| num(d.delta_percent)).collect();
            let change: Vec<String> = outs.iter().map(|d| d.change.to_string()).collect();
            let extra: [(&str, &[String]); 4] = [
                ("previous", &previous),
                ("delta", &delta),
                ("deltaPercent", &pct),
                ("change", &change),
            ];
            let mut buf = audit.lines().into_bytes();
            output::write_csv_with(&mut buf, req.kind, &req.aggregate, &c.page, &extra)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    })
}

/// Run the query and project the month ([`projection::project`]): the table adds `MTD` and
/// `PROJECTED` columns and a line naming the month and the run-rate window, JSON adds
/// `monthToDate`, `projectedMonth` per row and to the totals and a `projection` object, CSV adds
/// those two columns.
///
/// Errors: the queries', no data of the kind, and CSV's.
pub fn render_projection(agg: &Aggregator, req: &QueryRequest, format: OutputFormat, shown: &[usize], audit: &AuditOut) -> Result<String> {
    let p = projection::project(agg, req)?;
    let col = |f: fn(&Projection) -> f64| -> Vec<f64> { p.rows.iter().map(f).collect() };
    let cols = [
        ("MTD", "monthToDate", col(|x| x.month_to_date), p.totals.month_to_date),
        ("PROJECTED", "projectedMonth", col(|x| x.projected_month), p.totals.projected_month),
    ];
    Ok(match format {
        OutputFormat::Table => {
            let extra: Vec<output::ExtraColumn> = cols
                .iter()
                .map(|(title, _, v, total)| output::ExtraColumn {
                    title,
                    cells: v.iter().map(|x| format::money(*x)).collect(),
                    total: format::money(*total),
                })
                .collect();
            let mut text = audit.lines() + &output::table_with(req.kind, &p.page, &req.window, shown, &extra);
            text.push_str(&format!(
                "month {} · to date until {} · projected at the run rate of {} ({:.0} h of data) of {}\n",
                p.month.month.start.format("%Y-%m"),
                p.month.now.format("%Y-%m-%d %H:%M"),
                output::interval(&p.month.run_rate),
                p.run_rate_hours,
                compare::cost_column(req.kind).json()
            ));
            text
        }
        OutputFormat::Json => {
            let mut out = PageOut::new(req.kind, &p.page, &req.window).with_projection(&p);
            out.sharing = req.share.is_active().then_some(&req.share);
            out.report = audit.report();
            serde_json::to_string_pretty(&out)? + "\n"
        }
        OutputFormat::Csv => {
            let cells: Vec<Vec<String>> = cols.iter().map(|c| c.2.iter().map(f64::to_string).collect()).collect();
            let extra: Vec<(&str, &[String])> = cols.iter().zip(&cells).map(|(c, v)| (c.1, v.as_slice())).collect();
            let mut buf = audit.lines().into_bytes();
            output::write_csv_with(&mut buf, req.kind, &req.aggregate, &p.page, &extra)?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    })
}

/// The text table of a page, with the sharing settings on a last line when anything is shared.
fn table(req: &QueryRequest, page: &query::Page, window: &query::Window, shown: &[usize]) -> String {
    let mut text = output::table(req.kind, page, window, shown);
    if let Some(line) = req.share.describe() {
        text.push_str(&format!("shared: {line}\n"));
    }
    text
}

/// What to tell the user when `req` matched nothing: where the data of its kind is
/// (`no data in this window; allocation data covers 2026-10-07 .. 2026-11-20`), or that a filter
/// removed every row.
fn empty_note(src: &dyn CostSource, req: &QueryRequest) -> String {
    let day = |t: i64| {
        Utc.timestamp_opt(t, 0)
            .single()
            .map_or(t.to_string(), |d| d.format("%Y-%m-%d").to_string())
    };
    let kind = req.kind.plural();
    match src.data_extent(req.kind) {
        Ok(Some((s, e))) if e <= req.window.start.timestamp() || s >= req.window.end.timestamp() => format!(
            "note: no {kind} in this window; the data covers {} .. {} (window ends are exclusive)",
            day(s),
            day(e)
        ),
        Ok(Some(_)) if req.filter != crate::query::Filter::All => format!("note: no {kind} match the filter in this window"),
        Ok(None) => format!("note: no {kind} in the database (check `costscope bucket`)"),
        _ => format!("note: no {kind} in this window"),
    }
}

/// `costscope allocation|assets|cloudcost`.
pub async fn run(global: &GlobalArgs, kind: DataKind, args: QueryArgs) -> Result<()> {
    let shown = table_columns(kind, &args)?;
    let (store, agg) = super::open(global)?;
    if !args.no_ingest && !agg.is_read_copy() {
        super::ingest::ingest_with_progress(agg.clone(), &store, &global.ingest_options(), args.format != OutputFormat::Table).await?;
    }
    let req = request(agg.as_ref(), kind, &args)?;
    let usage = |e: crate::query::StepsError| UsageError(e.to_string());
    let accumulate = Accumulate::parse(&args.accumulate, args.step.as_deref()).map_err(usage)?;
    accumulate.check_steps(req.window).map_err(usage)?;
    let manifest_sha = match &args.report.manifest {
        Some(m) => Some(crate::audit::manifest::file_sha256(m).map_err(|e| UsageError(format!("--manifest {}: {e}", m.display())))?),
        None => None,
    };
    let audit = AuditOut {
        provenance: args.report.provenance,
        header: (args.report.report_header || manifest_sha.is_some())
            .then(|| crate::audit::report::ReportHeader::new(&store.identity, &req.window, manifest_sha)),
    };
    let compare_to = match &args.compare {
        Some(c) => {
            if !accumulate.is_all() || audit.provenance {
                return Err(UsageError("--compare compares one window: leave out --accumulate/--step and --provenance".into()).into());
            }
            Some(CompareTo::parse(c, crate::clock::now()).map_err(|e| UsageError(format!("--compare: {e} (or previous)")))?)
        }
        None => None,
    };
    if args.project_month && (compare_to.is_some() || !accumulate.is_all()) {
        return Err(UsageError("--project-month projects one answer: leave out --compare and --accumulate/--step".into()).into());
    }
    let format = args.format;
    let project = args.project_month;
    let text = tokio::task::spawn_blocking(move || match compare_to {
        Some(to) => render_compare(&agg, &req, to, format, &shown, &audit),
        None if project => render_projection(&agg, &req, format, &shown, &audit),
        None => render_steps(&agg, &req, accumulate, format, &shown, &audit),
    })
    .await??;
    super::write_stdout(&text)?;
    Ok(())
}
