//! `costscope savings requests`: request right-sizing through
//! [`crate::query::savings::SavingsSource`] (docs/user-guide.md, "Savings"; docs/semantics.md,
//! "Request right-sizing").

use super::{WindowOut, aligned, window_out};
use crate::cli::{OutputFormat, RequestsArgs, UsageError};
use crate::format::{bytes, cores, money};
use crate::query::savings::{SizingPage, SizingParams, SizingRequest, SizingRow, SizingSort, SizingTotals};
use crate::query::{DataKind, parse_filter};
use color_eyre::eyre::Result;
use serde::Serialize;

/// The JSON answer: `{"window":{"start","end"}, "parameters":{…}, "totalRows", "totals", "data":[…]}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SizingOut<'a> {
    window: WindowOut,
    parameters: &'a SizingParams,
    total_rows: usize,
    /// Hours of data covered (what `monthlySavings` divides by).
    covered_hours: f64,
    /// Specs left out for lack of `rawAllocationOnly` maxima.
    without_maxima: usize,
    totals: &'a SizingTotals,
    data: &'a [SizingRow],
}

/// Build the request from the command line. Errors: a usage error naming the option.
pub fn request(src: &dyn crate::query::CostSource, a: &RequestsArgs) -> Result<SizingRequest> {
    let c = &a.common;
    let window = super::window(src, c, DataKind::Allocation, 7)?;
    let params = SizingParams {
        target_cpu_utilization: a.target_cpu_utilization,
        target_ram_utilization: a.target_ram_utilization,
        min_rec_cpu_millicores: a.min_cpu_millicores,
        min_rec_ram_bytes: a.min_ram_mib * 1024.0 * 1024.0,
    };
    params.validate().map_err(|e| UsageError(e.to_string()))?;
    Ok(SizingRequest {
        window,
        filter: parse_filter(&c.filter, DataKind::Allocation).map_err(|e| UsageError(format!("--filter: {e}")))?,
        labels: crate::config::AppConfig::load().map_err(|e| UsageError(e.to_string()))?.labels,
        params,
        sort: match &c.sort {
            Some(s) => SizingSort::parse(s).map_err(|e| UsageError(format!("--sort: {e}")))?,
            None => SizingSort::default(),
        },
        offset: c.offset,
        limit: super::limit(c),
    })
}

/// Render a page in `format`. Errors: serialisation's.
pub fn render(req: &SizingRequest, page: &SizingPage, format: OutputFormat) -> Result<String> {
    Ok(match format {
        OutputFormat::Json => {
            let out = SizingOut {
                window: window_out(&req.window),
                parameters: &req.params,
                total_rows: page.total_rows,
                covered_hours: page.covered_hours,
                without_maxima: page.without_maxima,
                totals: &page.totals,
                data: &page.rows,
            };
            serde_json::to_string_pretty(&out)? + "\n"
        }
        OutputFormat::Csv => super::csv_text(&page.rows, &HEADERS)?,
        OutputFormat::Table => table(req, page),
    })
}

/// The CSV header (the JSON field names), written by itself when there is no row.
const HEADERS: [&str; 12] = [
    "cluster",
    "namespace",
    "controllerKind",
    "controller",
    "container",
    "cpuRequestCores",
    "cpuRecommendationCores",
    "ramRequestBytes",
    "ramRecommendationBytes",
    "cpuSavings",
    "ramSavings",
    "monthlySavings",
];

/// The aligned text table with a totals line, the parameters and the paging line.
fn table(req: &SizingRequest, page: &SizingPage) -> String {
    let mut lines: Vec<Vec<String>> = vec![
        [
            "CLUSTER",
            "NAMESPACE",
            "CONTROLLER",
            "CONTAINER",
            "CPU REQ",
            "CPU REC",
            "RAM REQ",
            "RAM REC",
            "CPU SAVINGS",
            "RAM SAVINGS",
            "MONTHLY",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in &page.rows {
        lines.push(vec![
            r.cluster.clone(),
            r.namespace.clone(),
            format!("{}/{}", r.controller_kind, r.controller),
            r.container.clone(),
            cores(r.cpu_request_cores),
            cores(r.cpu_recommendation_cores),
            bytes(r.ram_request_bytes),
            bytes(r.ram_recommendation_bytes),
            money(r.cpu_savings),
            money(r.ram_savings),
            money(r.monthly_savings),
        ]);
    }
    let t = &page.totals;
    let mut total = vec![String::new(); 11];
    total[0] = "TOTAL".into();
    total[8] = money(t.cpu_savings);
    total[9] = money(t.ram_savings);
    total[10] = money(t.monthly_savings);
    lines.push(total);
    let mut out = aligned(&lines, 4);
    let p = &req.params;
    out.push_str(&format!(
        "targets CPU {} RAM {} · minimums {} millicores, {} · monthly = savings × 730 h / {:.1} h of data\n",
        p.target_cpu_utilization,
        p.target_ram_utilization,
        p.min_rec_cpu_millicores,
        bytes(p.min_rec_ram_bytes),
        page.covered_hours
    ));
    if page.without_maxima > 0 {
        out.push_str(&format!(
            "{} container specs left out: their sets carry no rawAllocationOnly maxima (aggregated sets)\n",
            page.without_maxima
        ));
    }
    out.push_str(&crate::output::page_footer(
        &req.window,
        req.offset,
        page.rows.len(),
        page.total_rows,
    ));
    out
}
