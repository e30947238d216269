//! Rendering a query [`Page`] for the command line: an aligned text table, Kubecost-shaped JSON
//! (`{"window":{"start","end"},"offset","limit","totalRows","totals":{...},"data":[...]}`), or CSV.

use crate::format::value;
use crate::query::{Column, DataKind, Page, Window, columns};
use serde_json::{Map, Value, json};

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
                .chain(cols.iter().zip(&idx).map(|(c, &i)| value(c.unit, r.values[i])))
                .collect(),
        );
    }
    lines.push(
        std::iter::once("TOTAL".to_string())
            .chain(cols.iter().zip(&idx).map(|(c, &i)| value(c.unit, page.totals.values[i])))
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
