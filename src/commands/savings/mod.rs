//! `costscope savings <kind>`: an incremental ingest, then the kind's query through
//! [`SavingsSource`] and its page as a table, JSON or CSV (docs/user-guide.md, "Savings";
//! docs/semantics.md §§ 11, 13–16). Every kind shares [`SavingsPage`] and the renderer here,
//! its columns generated from the row's [`SavingsRow::FIELDS`].

pub mod requests;

use crate::cli::{GlobalArgs, OutputFormat, SavingsArgs, SavingsCommand, UsageError};
use crate::format::{bytes, cores, money};
use crate::query::savings::{
    AbandonedParams, Cell, DiskParams, NodeParams, SavingsPage, SavingsQuery, SavingsRow, SavingsSort, SavingsSource, Totals, VolumeParams,
};
use crate::query::{CostSource, DataKind, QueryError, Window, parse_filter};
use color_eyre::eyre::Result;
use serde::Serialize;

/// A window as RFC 3339 UTC bounds.
#[derive(Serialize)]
pub struct WindowOut {
    start: String,
    end: String,
}

/// `w` as RFC 3339 UTC bounds.
pub fn window_out(w: &Window) -> WindowOut {
    let f = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    WindowOut {
        start: f(w.start),
        end: f(w.end),
    }
}

/// `--window`, else the last `days` days of `kind`'s data. Errors: a usage error, or no data.
pub fn window(src: &dyn CostSource, a: &SavingsArgs, kind: DataKind, days: i64) -> Result<Window> {
    match &a.window {
        Some(w) => Ok(super::window_option(w)?),
        None => {
            let week = super::query::default_window(src, kind)?;
            Ok(Window::new(week.end - chrono::Duration::days(days), week.end)?)
        }
    }
}

/// `--limit`, else 50 rows for a table and all rows for JSON and CSV.
pub fn limit(a: &SavingsArgs) -> usize {
    a.limit.unwrap_or(match a.format {
        OutputFormat::Table => super::query::TABLE_PAGE,
        OutputFormat::Json | OutputFormat::Csv => 0,
    })
}

/// The query of a kind, from the common options. Errors: usage errors naming
/// the option.
pub fn query<R: SavingsRow, P>(src: &dyn CostSource, a: &SavingsArgs, kind: DataKind, days: i64, params: P) -> Result<SavingsQuery<P>> {
    Ok(SavingsQuery {
        window: window(src, a, kind, days)?,
        filter: parse_filter(&a.filter, kind).map_err(|e| UsageError(format!("--filter: {e}")))?,
        labels: crate::config::AppConfig::load().map_err(|e| UsageError(e.to_string()))?.labels,
        params,
        sort: match &a.sort {
            Some(s) => SavingsSort::parse::<R>(s).map_err(|e| UsageError(format!("--sort: {e}")))?,
            None => SavingsSort::monthly::<R>(),
        },
        offset: a.offset,
        limit: limit(a),
    })
}

/// CSV of `rows` with their JSON field names as header (`headers` alone when there is none).
/// Errors: serialisation's.
pub fn csv_text<T: Serialize>(rows: &[T], headers: &[&str]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    if rows.is_empty() {
        w.write_record(headers)?;
    }
    Ok(String::from_utf8_lossy(&w.into_inner().map_err(|e| e.into_error())?).into_owned())
}

/// `lines` as aligned columns two spaces apart, the first `left` columns left-aligned and the
/// others right-aligned; a rule of dashes before the last line (the totals).
pub fn aligned(lines: &[Vec<String>], left: usize) -> String {
    let n = lines.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..n)
        .map(|j| lines.iter().map(|l| l.get(j).map_or(0, |v| v.chars().count())).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (li, l) in lines.iter().enumerate() {
        if li + 1 == lines.len() && li > 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * n.saturating_sub(1)));
            out.push('\n');
        }
        for (j, v) in l.iter().enumerate() {
            let v = crate::format::printable(v);
            match j < left {
                true => out.push_str(&format!("{v:<w$}  ", w = widths[j])),
                false => out.push_str(&format!("{v:>w$}  ", w = widths[j])),
            }
        }
        let trimmed = out.trim_end_matches(' ').len();
        out.truncate(trimmed);
        out.push('\n');
    }
    out
}

/// A table header from a JSON field name: `monthlyCost` → `MONTHLY COST`.
fn header(field: &str) -> String {
    let mut out = String::new();
    let mut prev_upper = true;
    for c in field.chars() {
        if c.is_ascii_uppercase() && !prev_upper {
            out.push(' ');
        }
        prev_upper = c.is_ascii_uppercase();
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// A cell as a table prints it.
pub fn cell_text(c: Cell) -> String {
    match c {
        Cell::Text(s) => s.to_string(),
        Cell::Usd(v) => money(v),
        Cell::Bytes(v) => bytes(v),
        Cell::Cores(v) => cores(v),
        Cell::BytesPerSecond(v) => format!("{}/s", bytes(v)),
        Cell::Fraction(v) => format!("{:.1}%", v * 100.0),
        Cell::Count(v) => format!("{v}"),
    }
}

/// The JSON answer: `{"window", "parameters", "totalRows", "coveredHours", "leftOut", "totals":
/// {<each totalled field>: …}, "data": […]}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Out<'a, P, R> {
    window: WindowOut,
    parameters: &'a P,
    total_rows: usize,
    /// Hours of data covered (what the monthly figures divide by).
    covered_hours: f64,
    /// Items left out for lack of an input.
    left_out: usize,
    totals: &'a Totals,
    data: &'a [R],
}

fn json<P: Serialize, R: SavingsRow>(q: &SavingsQuery<P>, page: &SavingsPage<R>) -> Result<String> {
    let out = Out {
        window: window_out(&q.window),
        parameters: &q.params,
        total_rows: page.total_rows,
        covered_hours: page.covered_hours,
        left_out: page.left_out,
        totals: &page.totals,
        data: &page.rows,
    };
    Ok(serde_json::to_string_pretty(&out)? + "\n")
}

/// The aligned table with a totals line, the parameters, the monthly rule, what was left out and
/// the paging line. Errors: serialising the parameters.
fn table<P: Serialize, R: SavingsRow>(q: &SavingsQuery<P>, page: &SavingsPage<R>, left_out: &str) -> Result<String> {
    let fields = R::FIELDS;
    let mut lines: Vec<Vec<String>> = vec![fields.iter().map(|f| header(f.name)).collect()];
    lines.extend(page.rows.iter().map(|r| fields.iter().map(|f| cell_text((f.get)(r))).collect()));
    let texts = page
        .rows
        .first()
        .map_or(0, |r| fields.iter().take_while(|f| matches!((f.get)(r), Cell::Text(_))).count());
    let mut total: Vec<String> = fields
        .iter()
        .map(|f| match R::TOTALS.contains(&f.name) {
            true => money(page.totals.get(f.name)),
            false => String::new(),
        })
        .collect();
    total[0] = "TOTAL".into();
    lines.push(total);
    let mut out = aligned(&lines, texts.max(1));
    out.push_str(&format!("parameters {}\n", serde_json::to_string(&q.params)?));
    out.push_str(&format!("monthly = window figure × 730 h / {:.1} h of data\n", page.covered_hours));
    if page.left_out > 0 {
        out.push_str(&format!("{} {left_out}\n", page.left_out));
    }
    out.push_str(&crate::output::page_footer(&q.window, q.offset, page.rows.len(), page.total_rows));
    Ok(out)
}

/// Render a page in `format`. Errors: serialisation's.
pub fn render<P: Serialize, R: SavingsRow>(
    q: &SavingsQuery<P>,
    page: &SavingsPage<R>,
    format: OutputFormat,
    left_out: &str,
) -> Result<String> {
    match format {
        OutputFormat::Json => json(q, page),
        OutputFormat::Csv => csv_text(&page.rows, &R::names()),
        OutputFormat::Table => table(q, page, left_out),
    }
}

/// Ingest (unless `--no-ingest` or a read copy), then answer with `answer` off the async runtime.
async fn answer(
    global: &GlobalArgs,
    a: &SavingsArgs,
    answer: impl FnOnce(&crate::aggregator::Aggregator) -> Result<String> + Send + 'static,
) -> Result<()> {
    let (store, agg) = super::open(global)?;
    if !a.no_ingest && !agg.is_read_copy() {
        super::ingest::ingest_with_progress(agg.clone(), &store, &global.ingest_options(), a.format != OutputFormat::Table).await?;
    }
    let text = tokio::task::spawn_blocking(move || answer(agg.as_ref())).await??;
    super::write_stdout(&text)?;
    Ok(())
}

/// Build the query of a kind after `requests` and answer it with `run`.
fn kind<P: Serialize, R: SavingsRow>(
    agg: &crate::aggregator::Aggregator,
    a: &SavingsArgs,
    (kind, days, params): (DataKind, i64, P),
    run: fn(&crate::aggregator::Aggregator, &SavingsQuery<P>) -> Result<SavingsPage<R>, QueryError>,
    left_out: &str,
) -> Result<String> {
    let q = query::<R, P>(agg, a, kind, days, params)?;
    render(&q, &run(agg, &q)?, a.format, left_out)
}

/// `costscope savings …`.
pub async fn run(global: &GlobalArgs, cmd: SavingsCommand) -> Result<()> {
    match cmd {
        SavingsCommand::Requests(args) => {
            answer(global, &args.common.clone(), move |agg| {
                let req = requests::request(agg, &args)?;
                let why = "container specs left out: their sets carry no rawAllocationOnly maxima (aggregated sets)";
                render(&req, &agg.request_sizing(&req)?, args.common.format, why)
            })
            .await
        }
        SavingsCommand::Volumes(args) => {
            let a = args.common;
            answer(global, &a.clone(), move |agg| {
                let scope = (DataKind::Asset, 7, VolumeParams {});
                kind(agg, &a, scope, |s, q| s.unclaimed_volumes(q), "")
            })
            .await
        }
        SavingsCommand::Disks(args) => {
            let p = DiskParams {
                headroom_pct: args.headroom_pct,
                local: args.local,
                low_utilization: args.low_utilization,
            };
            p.validate().map_err(|e| UsageError(e.to_string()))?;
            let a = args.common;
            answer(global, &a.clone(), move |agg| {
                let why = "disks left out: their assets carry no byteUsageMax (Assets < 18)";
                kind(agg, &a, (DataKind::Asset, 7, p), |s, q| s.disk_sizing(q), why)
            })
            .await
        }
        SavingsCommand::Abandoned(args) => {
            let days = i64::from(args.days);
            let a = args.common;
            answer(global, &a.clone(), move |agg| {
                let w = window(agg, &a, DataKind::Allocation, days)?;
                let p = AbandonedParams {
                    days: (w.end - w.start).num_seconds() as f64 / 86_400.0,
                    threshold: args.threshold,
                };
                p.validate().map_err(|e| UsageError(e.to_string()))?;
                let why = "controllers left out: their pods never ran in the window";
                kind(agg, &a, (DataKind::Allocation, days, p), |s, q| s.abandoned_workloads(q), why)
            })
            .await
        }
        SavingsCommand::Nodes(args) => {
            let p = match args.max_utilization {
                Some(max_utilization) => NodeParams { max_utilization },
                None => NodeParams::profile(&args.profile).ok_or_else(|| {
                    UsageError(format!(
                        "--profile {}: expected development, production or high-availability",
                        args.profile
                    ))
                })?,
            };
            p.validate().map_err(|e| UsageError(e.to_string()))?;
            let a = args.common;
            answer(global, &a.clone(), move |agg| {
                let why = "nodes left out: their assets carry no CPU or RAM breakdown";
                kind(agg, &a, (DataKind::Asset, 7, p), |s, q| s.underutilized_nodes(q), why)
            })
            .await
        }
    }
}
