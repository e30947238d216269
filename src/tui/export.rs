//! CSV export of a whole query (`e`): the timestamped file name; the layout is the CLI's
//! (`crate::output::write_csv`), so one query exports the same header and rows from both.

use chrono::{DateTime, Utc};

use crate::query::{Aggregate, DataKind};

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

pub use crate::output::write_csv;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{Page, Row, parse_aggregate};
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
            covered_hours: 24.0,
            rate: Default::default(),
        };
        let mut buf = Vec::new();
        assert_eq!(write_csv(&mut buf, DataKind::CloudCost, &agg, &page).unwrap(), 1);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "name,service,cost,kubernetesCost,kubernetesPercent,count\nAmazonEC2,AmazonEC2,12.5,10,0.8,3\n"
        );
    }
}
