//! One conformance suite for every `CostSource`: the DuckDB aggregator (on a bucket written with
//! our encoder) and the TUI tests' in-memory `FakeSource` must both keep the contract the TUI and
//! CLI rely on — pages concatenate to the whole result, totals are the sum of the rows, a row's
//! daily series adds up to its totalCost, the extent brackets the data.

use costscope::query::{ColumnId, CostSource, DataKind, IdleMode, QueryRequest, Window};

use crate::support::mock_bucket::{Costs, DAY, Props, allocation, ingest, node, write_bucket};
use crate::support::tui::FakeSource;

fn request(kind: DataKind, window: Window, aggregate: &str, offset: usize, limit: usize) -> QueryRequest {
    QueryRequest {
        offset,
        limit,
        ..crate::support::request(kind, window, aggregate, "", IdleMode::SeparateByCluster)
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// The contract, checked for allocations aggregated by `aggregate` over the source's extent.
fn conforms(name: &str, src: &dyn CostSource, aggregate: &str) {
    let kind = DataKind::Allocation;
    let (start, end) = src.data_extent(kind).unwrap().unwrap_or_else(|| panic!("{name}: no extent"));
    assert!(start < end, "{name}: extent {start}..{end}");
    let window = Window::new(
        chrono::DateTime::from_timestamp(start, 0).unwrap(),
        chrono::DateTime::from_timestamp(end, 0).unwrap(),
    )
    .unwrap();
    let all = src.query(&request(kind, window, aggregate, 0, 0)).unwrap();
    assert_eq!(all.total_rows, all.rows.len(), "{name}: limit 0 is the whole result");
    assert!(all.total_rows >= 2, "{name}: a result to page through");
    let total = |r: &costscope::query::Row| r.get(kind, ColumnId::TotalCost).unwrap();
    let sum: f64 = all.rows.iter().map(total).sum();
    assert!(
        close(sum, total(&all.totals)),
        "{name}: totals {} vs Σ rows {sum}",
        total(&all.totals)
    );
    let mut paged = Vec::new();
    let mut offset = 0;
    while offset < all.total_rows {
        let page = src.query(&request(kind, window, aggregate, offset, 2)).unwrap();
        assert_eq!(page.total_rows, all.total_rows, "{name}: every page knows the whole count");
        assert!(page.rows.len() <= 2);
        offset += page.rows.len().max(1);
        paged.extend(page.rows);
    }
    let names = |rows: &[costscope::query::Row]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&paged), names(&all.rows), "{name}: pages concatenate to the whole result");
    for row in all.rows.iter().filter(|r| !r.name.contains("__idle__")) {
        let series = src.daily_series(&request(kind, window, aggregate, 0, 0), row).unwrap();
        let s: f64 = series.iter().map(|(_, v)| v).sum();
        assert!(close(s, total(row)), "{name}: {} series {s} vs totalCost {}", row.name, total(row));
        assert!(
            series.iter().all(|(d, _)| *d >= start && *d < end),
            "{name}: series days inside the extent"
        );
    }
}

#[test]
fn the_in_memory_fake_conforms() {
    conforms("FakeSource", &FakeSource::standard(), "namespace");
}

#[test]
fn the_duckdb_aggregator_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let p = |cluster, node, namespace, pod| Props {
        cluster,
        node,
        namespace,
        pod,
        container: "c",
        kind: "deployment",
        controller: "web",
        ..Default::default()
    };
    let allocs = [
        allocation("a/n1/ns1/p1/c", &p("a", "n1", "ns1", "p1"), Costs::ONES),
        allocation("a/n1/ns2/p2/c", &p("a", "n1", "ns2", "p2"), Costs { cpu: 3.0, ..Costs::ONES }),
        allocation("b/n2/ns1/p3/c", &p("b", "n2", "ns1", "p3"), Costs { ram: 2.5, ..Costs::ONES }),
        allocation("b/n2/ns3/p4/c", &p("b", "n2", "ns3", "p4"), Costs::ONES),
    ];
    write_bucket(
        dir.path(),
        &allocs,
        &[node("a", "n1", 10.0, 10.0, 2.0), node("b", "n2", 8.0, 8.0, 2.0)],
    );
    let agg = ingest(dir.path());
    assert_eq!(agg.data_extent(DataKind::Allocation).unwrap(), Some((DAY, DAY + 86_400)));
    conforms("Aggregator", &agg, "namespace");
    conforms("Aggregator", &agg, "cluster,pod");
}
