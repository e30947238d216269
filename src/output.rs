//! Rendering a query [`Page`] for the command line: an aligned text table, Kubecost-shaped JSON
//! (`{"window":{"start","end"},"offset","limit","totalRows","totals":{...},"data":[...]}`), or CSV.

use crate::format::{machine_value, value};
use crate::query::{Aggregate, ColumnDef, DataKind, Page, Window, columns};

/// Aligned text table of the columns `shown` (indices into [`columns()`]`(kind)`, e.g.
/// [`crate::commands::query::table_columns`]) with a totals line and a paging line.
pub fn table(kind: DataKind, page: &Page, window: &Window, shown: &[usize]) -> String {
    table_with(kind, page, window, shown, &[])
}

/// A column a command adds after the page's own in [`table_with`]: its title, one cell per row
/// of the page and the totals line's cell.
pub struct ExtraColumn {
    /// Column title (printed as given).
    pub title: &'static str,
    /// One cell per page row, in order.
    pub cells: Vec<String>,
    /// The totals line's cell.
    pub total: String,
}

/// [`table`] with `extra` columns after the page's own (`--compare`'s `Prev.`, `Δ`, `Δ %`).
pub fn table_with(kind: DataKind, page: &Page, window: &Window, shown: &[usize], extra: &[ExtraColumn]) -> String {
    let cols: Vec<&ColumnDef> = shown.iter().map(|&i| &columns(kind)[i]).collect();
    let idx = shown.to_vec();
    let mut lines: Vec<Vec<String>> = Vec::new();
    lines.push(
        std::iter::once("NAME".to_string())
            .chain(cols.iter().map(|c| c.title.to_uppercase()))
            .chain(extra.iter().map(|e| e.title.to_string()))
            .collect(),
    );
    for (ri, r) in page.rows.iter().enumerate() {
        lines.push(
            std::iter::once(crate::format::printable(&r.name).into_owned())
                .chain(cols.iter().zip(&idx).map(|(c, &i)| value(c.unit, r.values[i])))
                .chain(extra.iter().map(|e| e.cells.get(ri).cloned().unwrap_or_default()))
                .collect(),
        );
    }
    lines.push(
        std::iter::once("TOTAL".to_string())
            .chain(cols.iter().zip(&idx).map(|(c, &i)| value(c.unit, page.totals.values[i])))
            .chain(extra.iter().map(|e| e.total.clone()))
            .collect(),
    );
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|j| lines.iter().map(|l| l[j].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let n = lines.len();
    for (li, l) in lines.iter().enumerate() {
        if li == n - 1 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
        for (j, v) in l.iter().enumerate() {
            if j == 0 {
                out.push_str(&format!("{v:<w$}", w = widths[0]));
            } else {
                out.push_str(&format!("  {v:>w$}", w = widths[j]));
            }
        }
        out.push('\n');
    }
    if let Some(per) = page.rate.hours() {
        out.push_str(&format!(
            "{} rate: USD columns × {per} h / {:.1} h of data\n",
            page.rate.name(),
            page.covered_hours
        ));
    }
    out.push_str(&page_footer(window, page.offset, page.rows.len(), page.total_rows));
    out
}

/// The lines under a CLI table: the window, the rows shown (`offset + 1`–`offset + rows` of
/// `total`), and how to get the next page when there are more.
pub fn page_footer(window: &Window, offset: usize, rows: usize, total: usize) -> String {
    let first = if rows == 0 { 0 } else { offset.saturating_add(1) };
    let shown = offset.saturating_add(rows);
    let mut out = format!(
        "window {} .. {} · rows {first}–{shown} of {total}\n",
        window.start.format("%Y-%m-%d %H:%M"),
        window.end.format("%Y-%m-%d %H:%M"),
    );
    if shown < total {
        out.push_str(&format!(
            "more rows: --offset {shown} for the next page, --limit 0 for all, --format csv|json for the whole result\n"
        ));
    }
    out
}

/// The key columns of a CSV: the aggregate key names (`namespace`, `label:app`), none when the
/// query is not aggregated (the `name` column then identifies the item).
pub fn csv_key_columns(aggregate: &Aggregate) -> Vec<String> {
    aggregate.keys().iter().map(|k| k.name()).collect()
}

/// The one CSV layout of a query result, shared by the CLI (`--format csv`) and the TUI export
/// (`e`): a header `name`, one column per aggregate key, then one column per value of the kind
/// headed by its Kubecost JSON name (`cpuCost`, `totalEfficiency`, …); one line per row, numbers
/// unformatted (USD, ratios 0..1, cores, bytes). `name` is the row's Kubecost name, so idle rows
/// stay distinct (`prod-us/__idle__`). When the page shows a rate ([`crate::query::CostRate`]),
/// a last `rate` column names it (`monthly`) on every line. Returns the number of data rows
/// written; errors are the writer's I/O errors.
pub fn write_csv<W: std::io::Write>(out: W, kind: DataKind, aggregate: &Aggregate, page: &Page) -> Result<usize, csv::Error> {
    write_csv_with(out, kind, aggregate, page, &[])
}

/// [`write_csv`] with more last columns: each its header and one value per row of the page (the
/// CLI's `--provenance` adds `sources`; `--compare` adds `previous`, `delta`, `deltaPercent`,
/// `change`).
pub fn write_csv_with<W: std::io::Write>(
    out: W,
    kind: DataKind,
    aggregate: &Aggregate,
    page: &Page,
    extra: &[(&str, &[String])],
) -> Result<usize, csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = csv_header(kind, aggregate, page, false);
    header.extend(extra.iter().map(|(h, _)| h.to_string()));
    w.write_record(header)?;
    let cells: Vec<&[String]> = extra.iter().map(|(_, v)| *v).collect();
    let n = write_csv_rows(&mut w, kind, aggregate, page, None, &cells)?;
    w.flush()?;
    Ok(n)
}

/// The CSV header of [`write_csv`], after a `window` column when `with_window` (steps).
fn csv_header(kind: DataKind, aggregate: &Aggregate, page: &Page, with_window: bool) -> Vec<String> {
    let lead = with_window.then(|| "window".to_string());
    lead.into_iter()
        .chain(std::iter::once("name".to_string()))
        .chain(csv_key_columns(aggregate))
        .chain(columns(kind).iter().map(|c| c.json().to_string()))
        .chain(page.rate.hours().map(|_| "rate".to_string()))
        .collect()
}

/// The rows of [`write_csv`], each after `window` when given.
fn write_csv_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    kind: DataKind,
    aggregate: &Aggregate,
    page: &Page,
    window: Option<&str>,
    extra: &[&[String]],
) -> Result<usize, csv::Error> {
    let keys = csv_key_columns(aggregate);
    let cols = columns(kind);
    let rate = page.rate.hours().map(|_| page.rate.name());
    for (i, r) in page.rows.iter().enumerate() {
        let mut rec: Vec<String> = window.map(str::to_string).into_iter().collect();
        rec.push(r.name.clone());
        rec.extend(keys.iter().map(|k| r.properties.get(k).cloned().unwrap_or_default()));
        rec.extend(cols.iter().enumerate().map(|(i, c)| {
            r.values
                .get(i)
                .and_then(|v| machine_value(c.unit, *v))
                .map_or(String::new(), |n| n.to_string())
        }));
        rec.extend(rate.map(str::to_string));
        rec.extend(extra.iter().map(|e| e.get(i).cloned().unwrap_or_default()));
        w.write_record(&rec)?;
    }
    Ok(page.rows.len())
}

/// A window as an ISO 8601 interval (`2026-11-14T00:00:00Z/2026-11-15T00:00:00Z`).
pub fn interval(w: &Window) -> String {
    format!("{}/{}", w.start.format("%Y-%m-%dT%H:%M:%SZ"), w.end.format("%Y-%m-%dT%H:%M:%SZ"))
}

/// Cost over time as CSV: [`write_csv`]'s layout after a `window` column ([`interval`]), one
/// block of rows per step, oldest first.
pub fn csv_steps(kind: DataKind, aggregate: &Aggregate, steps: &[(Window, Page)]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some((_, first)) = steps.first() {
        w.write_record(csv_header(kind, aggregate, first, true))?;
    }
    for (win, page) in steps {
        write_csv_rows(&mut w, kind, aggregate, page, Some(&interval(win)), &[])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
