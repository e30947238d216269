//! Rendering a query [`Page`] for the command line: an aligned text table, Kubecost-shaped JSON
//! (`{"window":{"start","end"},"offset","limit","totalRows","totals":{...},"data":[...]}`), or CSV.

use crate::query::{Column, DataKind, Page, Unit, Window, columns};
use serde_json::{Map, Value, json};

/// Format a number for a table cell by unit: `$1,234.56`, `42.0%`, `1.25`, `3.2 GiB`, `12`.
pub fn cell(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Usd => usd(v),
        Unit::Ratio => format!("{:.1}%", v * 100.0),
        Unit::Cores => format!("{v:.3}"),
        Unit::Bytes => bytes(v),
        Unit::Count => format!("{v:.0}"),
    }
}

/// `$1,234.56` (negative as `-$1.00`).
pub fn usd(v: f64) -> String {
    let neg = v < 0.0;
    let cents = (v.abs() * 100.0).round() as u128;
    let (d, c) = (cents / 100, cents % 100);
    let digits = d.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}${grouped}.{c:02}", if neg { "-" } else { "" })
}

/// Binary byte size: `512 B`, `3.2 GiB`.
pub fn bytes(v: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = v;
    let mut i = 0;
    while x.abs() >= 1024.0 && i < units.len() - 1 {
        x /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{x:.0} B")
    } else {
        format!("{x:.1} {}", units[i])
    }
}

/// The table columns shown on the command line for `kind` (the main ones; JSON/CSV have all).
pub fn table_columns(kind: DataKind) -> Vec<&'static Column> {
    let main: &[&str] = match kind {
        DataKind::Allocation => &[
            "cpuCost",
            "gpuCost",
            "ramCost",
            "pvCost",
            "networkCost",
            "loadBalancerCost",
            "sharedCost",
            "totalEfficiency",
            "totalCost",
        ],
        DataKind::Asset => &["count", "cpuCost", "gpuCost", "ramCost", "adjustment", "totalCost"],
        DataKind::CloudCost => &["count", "cost", "kubernetesCost", "kubernetesPercent"],
    };
    columns(kind).iter().filter(|c| main.contains(&c.id)).collect()
}

/// Aligned text table with a totals line and a paging line.
pub fn table(kind: DataKind, page: &Page, window: &Window) -> String {
    let cols = table_columns(kind);
    let idx: Vec<usize> = cols
        .iter()
        .map(|c| columns(kind).iter().position(|x| x.id == c.id).unwrap_or(0))
        .collect();
    let mut lines: Vec<Vec<String>> = Vec::new();
    lines.push(
        std::iter::once("NAME".to_string())
            .chain(cols.iter().map(|c| c.title.to_uppercase()))
            .collect(),
    );
    for r in &page.rows {
        lines.push(
            std::iter::once(r.name.clone())
                .chain(cols.iter().zip(&idx).map(|(c, &i)| cell(r.values[i], c.unit)))
                .collect(),
        );
    }
    lines.push(
        std::iter::once("TOTAL".to_string())
            .chain(cols.iter().zip(&idx).map(|(c, &i)| cell(page.totals.values[i], c.unit)))
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
    let first = if page.rows.is_empty() { 0 } else { page.offset + 1 };
    out.push_str(&format!(
        "window {} .. {} · rows {}–{} of {}\n",
        window.start.format("%Y-%m-%d %H:%M"),
        window.end.format("%Y-%m-%d %H:%M"),
        first,
        page.offset + page.rows.len(),
        page.total_rows
    ));
    out
}

fn values_object(kind: DataKind, values: &[f64]) -> Map<String, Value> {
    columns(kind)
        .iter()
        .zip(values)
        .map(|(c, v)| (c.id.to_string(), json!(v)))
        .collect()
}

/// Kubecost-shaped JSON for a page.
pub fn json(kind: DataKind, page: &Page, window: &Window) -> Value {
    let data: Vec<Value> = page
        .rows
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert("name".into(), json!(r.name));
            o.insert("properties".into(), json!(r.properties));
            o.extend(values_object(kind, &r.values));
            Value::Object(o)
        })
        .collect();
    json!({
        "window": {"start": window.start.to_rfc3339(), "end": window.end.to_rfc3339()},
        "offset": page.offset,
        "limit": page.limit,
        "totalRows": page.total_rows,
        "totals": values_object(kind, &page.totals.values),
        "data": data,
    })
}

/// CSV: a header (`name`, aggregate keys, every column id), one line per row.
pub fn csv(kind: DataKind, page: &Page, keys: &[String]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<&str> = std::iter::once("name")
        .chain(keys.iter().map(|k| k.as_str()))
        .chain(columns(kind).iter().map(|c| c.id))
        .collect();
    w.write_record(&header)?;
    for r in &page.rows {
        let mut rec: Vec<String> = vec![r.name.clone()];
        rec.extend(keys.iter().map(|k| r.properties.get(k).cloned().unwrap_or_default()));
        rec.extend(r.values.iter().map(|v| v.to_string()));
        w.write_record(&rec)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_sizes_format_like_a_cost_tool() {
        assert_eq!(usd(1234.5678), "$1,234.57");
        assert_eq!(usd(-0.004), "-$0.00");
        assert_eq!(usd(1_000_000.0), "$1,000,000.00");
        assert_eq!(bytes(3.5 * 1024.0 * 1024.0 * 1024.0), "3.5 GiB");
        assert_eq!(cell(0.4234, Unit::Ratio), "42.3%");
    }
}
