//! CSV export of a whole query (`e`): the timestamped file name and the CSV layout — one column
//! per aggregate key (or `name` when not aggregated), then one column per value of the kind,
//! headed by its Kubecost JSON name (`cpuCost`, `totalEfficiency`, …), numbers unformatted (USD,
//! ratios 0..1, cores, bytes).

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::query::{Aggregate, DataKind, Page, columns};

/// `costscope-allocations-namespace-20261122T103000Z.csv`: kind, aggregate (characters other
/// than letters, digits, `-` and `_` become `_`; `items` when not aggregated) and the UTC time.
pub fn export_file_name(kind: DataKind, aggregate: &Aggregate, now: DateTime<Utc>) -> String {
    let kind = match kind {
        DataKind::Allocation => "allocations",
        DataKind::Asset => "assets",
        DataKind::CloudCost => "cloudcosts",
    };
    let agg = if aggregate.is_empty() {
        "items".to_string()
    } else {
        aggregate
            .to_string()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("costscope-{kind}-{agg}-{}.csv", now.format("%Y%m%dT%H%M%SZ"))
}

/// The key columns of an export: the aggregate key names, or `name` when not aggregated (the
/// names a [`crate::query::Row`]'s `properties` use).
pub fn key_columns(aggregate: &Aggregate) -> Vec<String> {
    if aggregate.is_empty() {
        vec!["name".into()]
    } else {
        aggregate.keys().iter().map(|k| k.name()).collect()
    }
}

/// Write `page` (all rows of a query) as CSV with a header line. Returns the number of data
/// rows written. Errors are the writer's I/O errors.
pub fn write_csv<W: Write>(out: W, kind: DataKind, aggregate: &Aggregate, page: &Page) -> Result<usize, csv::Error> {
    let keys = key_columns(aggregate);
    let cols = columns(kind);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(keys.iter().map(String::as_str).chain(cols.iter().map(|c| c.id)))?;
    for row in &page.rows {
        let mut record: Vec<String> = keys
            .iter()
            .map(|k| {
                row.properties
                    .get(k)
                    .cloned()
                    .unwrap_or_else(|| if keys.len() == 1 { row.name.clone() } else { String::new() })
            })
            .collect();
        record.extend((0..cols.len()).map(|i| row.values.get(i).map_or(String::new(), |v| v.to_string())));
        w.write_record(&record)?;
    }
    w.flush()?;
    Ok(page.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Row, parse_aggregate};
    use chrono::TimeZone;
    use std::collections::BTreeMap;

    #[test]
    fn file_name_and_layout() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 30, 0).unwrap();
        let agg = parse_aggregate("namespace,label:app", DataKind::Allocation).unwrap();
        assert_eq!(
            export_file_name(DataKind::Allocation, &agg, now),
            "costscope-allocations-namespace_label_app-20261122T103000Z.csv"
        );
        let agg = parse_aggregate("service", DataKind::CloudCost).unwrap();
        let row = Row {
            name: "AmazonEC2".into(),
            properties: BTreeMap::from([("service".to_string(), "AmazonEC2".to_string())]),
            values: vec![12.5, 10.0, 0.8, 3.0],
        };
        let page = Page {
            rows: vec![row.clone()],
            total_rows: 1,
            totals: row,
            offset: 0,
            limit: 0,
        };
        let mut buf = Vec::new();
        assert_eq!(write_csv(&mut buf, DataKind::CloudCost, &agg, &page).unwrap(), 1);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "service,cost,kubernetesCost,kubernetesPercent,count\nAmazonEC2,12.5,10,0.8,3\n"
        );
    }
}
