//! Helpers shared by the integration test modules.

pub mod cli;
pub mod common;
pub mod dev_bucket;
pub mod fake_measures;
pub mod faulty_store;
pub mod migration_dev;
pub mod mock_bucket;
pub mod rng;
pub mod tui;

use costscope::model::CostMetricName;
use costscope::query::{DataKind, IdleMode, QueryRequest, Sort, Window, parse_aggregate, parse_filter};

/// `[start, end)` from unix seconds.
pub fn window(start: i64, end: i64) -> Window {
    Window::new(
        chrono::DateTime::from_timestamp(start, 0).unwrap(),
        chrono::DateTime::from_timestamp(end, 0).unwrap(),
    )
    .unwrap()
}

/// A whole-result request (offset 0, no limit, default sort, amortized net cost, default label
/// config) of `kind` over `w`, aggregated by `agg`, filtered by `filter`.
pub fn request(kind: DataKind, w: Window, agg: &str, filter: &str, idle: IdleMode) -> QueryRequest {
    QueryRequest {
        kind,
        window: w,
        aggregate: parse_aggregate(agg, kind).unwrap(),
        filter: parse_filter(filter, kind).unwrap(),
        idle,
        sort: Sort::default_for(kind),
        offset: 0,
        limit: 0,
        cost_metric: CostMetricName::AmortizedNetCost,
        search: None,
        labels: Default::default(),
        rate: Default::default(),
        share: Default::default(),
    }
}
