//! The state of one cost view (Allocations, Assets or Cloud costs): its query parameters
//! (window, aggregate, filter, idle mode, sort, cost metric, offset, page size), the last page it
//! received, the selected row, the query in flight, the drill-down stack and the daily series of
//! the selected row. Pure data plus helpers; the reducer in [`super::state`] changes it.

use chrono::{DateTime, Duration, Utc};

use crate::model::CostMetricName;
use crate::query::{
    Aggregate, AggregateKey, CostRate, DailySeries, DataKind, Filter, IDLE, IdleMode, LabelConfig, Page, QueryRequest, Row, Sharing, Sort,
    SourceObject, Window, default_columns,
};

use super::page_span::PageSpan;

/// What is known about the time span of a kind's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extent {
    /// Not asked yet.
    Unknown,
    /// Being asked.
    Loading,
    /// The store holds no data of this kind yet (ingest has not delivered any).
    Missing,
    /// First start and last end of the daily data, unix seconds.
    Known {
        /// Start of the oldest daily window.
        start: i64,
        /// End (exclusive) of the newest daily window.
        end: i64,
    },
    /// The question failed (message for the user).
    Failed(String),
}

/// Which row to select when the page being requested arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectIntent {
    /// The first row of the page.
    First,
    /// The last row of the page.
    Last,
    /// The row at this 0-based index in the whole result (clamped to the page).
    Row(usize),
    /// The row with this name if the page has it, else the row at this index in the whole result.
    Name(String, usize),
}

/// How a view's window is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WindowChoice {
    /// The newest 7 days of data, `[newest end − 7 d, newest end)`, moving as data arrives.
    FollowData,
    /// The window the user typed (kept as typed: it prefills the `w` prompt).
    Typed(String),
}

/// The query in flight for a view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Generation of the request; only the answer with this generation is applied.
    pub generation: u64,
    /// Selection to apply when the page arrives.
    pub select: SelectIntent,
    /// [`TableTab::query_identity`] of the request.
    pub query: QueryIdentity,
    /// The request was made while an ingest pass was loading files its answer may lack.
    pub while_loading: bool,
}

/// What makes two requests the same query, paging and sorting aside: the rows of one are never
/// shown under the header of another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryIdentity {
    kind: DataKind,
    window: Window,
    aggregate: Aggregate,
    filter: Filter,
    idle: IdleMode,
    cost_metric: CostMetricName,
    rate: CostRate,
    share: Sharing,
    search: Option<String>,
    labels: LabelConfig,
}

/// Data loaded for a view after its page (the detail pane's series, the cost-over-time chart):
/// wanted on the next tick (debounced), loading under a generation, loaded or failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Loadable<T> {
    /// Nothing to load (no row, or the pane is off).
    None,
    /// To be loaded on the next tick (debounce for fast scrolling).
    Wanted,
    /// Being loaded under this generation.
    Loading(u64),
    /// Loaded.
    Ready(T),
    /// Loading failed.
    Failed(String),
}

/// What the detail pane loads for the selected row after its page: the daily series for the
/// sparkline ((day start unix seconds, USD), oldest first) and the ETL objects the row was
/// computed from (docs/audit.md; the Sources line and the `P` list).
#[derive(Clone, Debug, PartialEq)]
pub struct RowDetail {
    pub series: DailySeries,
    pub sources: Vec<SourceObject>,
}

/// The selected row's [`RowDetail`].
pub type SeriesState = Loadable<RowDetail>;

/// The cost-over-time chart: the daily series (USD per UTC day) of the first rows of the page,
/// by row name, in page order.
pub type ChartState = Loadable<Vec<(String, DailySeries)>>;

/// One saved drill-down level, restored by `Esc`.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Aggregate before drilling.
    pub aggregate: Aggregate,
    /// Filter before drilling.
    pub filter: Filter,
    /// Row-name search before drilling.
    pub search: Option<String>,
    /// Offset before drilling.
    pub offset: usize,
    /// Selected row index (on its page) before drilling.
    pub selected: Option<usize>,
    /// The key drilled from (`cluster`), for the breadcrumb.
    pub key: String,
    /// The value drilled into (`prod-us`), for the breadcrumb.
    pub value: String,
}

/// A drill-down step computed from the selected row.
#[derive(Clone, Debug, PartialEq)]
pub struct Drill {
    /// Filter of the finer level: the current filter AND the row's key values.
    pub filter: Filter,
    /// Aggregate of the finer level.
    pub aggregate: Aggregate,
    /// Breadcrumb key (`cluster`).
    pub key: String,
    /// Breadcrumb value (`prod-us`).
    pub value: String,
}

/// State of one cost view.
#[derive(Clone, Debug)]
pub struct TableTab {
    /// Data set of the view.
    pub kind: DataKind,
    /// The query window; `None` until the data extent is known (default window) or the user
    /// sets one.
    pub window: Option<Window>,
    /// Whether the window follows the data or is the one the user typed.
    pub window_choice: WindowChoice,
    /// What is known about the data's time span.
    pub extent: Extent,
    /// Generation of the extent request in flight.
    pub extent_generation: Option<u64>,
    /// Aggregate keys.
    pub aggregate: Aggregate,
    /// Filter (user filter AND drill-down conditions).
    pub filter: Filter,
    /// Row-name search (`/` with plain text, k9s style): rows whose name contains it.
    pub search: Option<String>,
    /// Chosen columns scrolled past on the left (`←`/`→`); 0 shows the most important first.
    pub column_offset: usize,
    /// Filter and search before the open `/` prompt applied its text as you type (restored by
    /// Esc); `None` when no `/` prompt is open.
    pub before_search: Option<(Filter, Option<String>)>,
    /// Idle mode (allocations).
    pub idle: IdleMode,
    /// Sort column and order.
    pub sort: Sort,
    /// Cost metric (cloud costs).
    pub cost_metric: CostMetricName,
    /// Cumulative cost or a rate (`m` cycles).
    pub rate: CostRate,
    /// Shared costs (`h` opens the sharing prompt; allocations only).
    pub share: Sharing,
    /// Offset of the page asked for (may differ from the shown page while a query runs).
    pub offset: usize,
    /// Rows per page: the table rows that fit on screen ([`super::view::table_rows`]).
    pub limit: usize,
    /// The last page received.
    pub page: Option<Page>,
    /// `page` was asked for while an ingest pass was loading files: its totals stay marked
    /// incomplete until a page asked for after the pass replaces it (issue 28: the marks went when
    /// the pass ended, over a page computed from 61 of 97 files).
    pub page_partial: bool,
    /// [`TableTab::query_identity`] of the query `page` answers.
    pub shown_query: Option<QueryIdentity>,
    /// Index of the selected row on `page`; `None` when the page is empty.
    pub selected: Option<usize>,
    /// The query in flight, if any.
    pub pending: Option<Pending>,
    /// Error of the last query or extent request.
    pub error: Option<String>,
    /// Saved drill-down levels, outermost first.
    pub stack: Vec<Level>,
    /// True when the data may have changed since the shown page was loaded (refresh on show).
    pub stale: bool,
    /// Daily series of the selected row.
    pub series: SeriesState,
    /// Daily series of the page's first rows, while the chart is on (`t`).
    pub chart: ChartState,
    /// The month projection and, while `D` is on, the Δ of each row ([`super::insight`]).
    pub insight: super::insight::InsightState,
    /// The columns the user chose (`:cols`), as indices into [`columns()`](crate::query::columns())`(kind)` in display
    /// order; `None` for [`default_columns`].
    pub columns: Option<Vec<usize>>,
    /// Label config of the alias fields and keys, passed to every query.
    pub labels: LabelConfig,
}

/// The default window for data ending at `end` (unix seconds): the last 7 days that hold
/// data, `[end − 7 d, end)`.
pub fn default_window(end: i64) -> Option<Window> {
    let end = DateTime::<Utc>::from_timestamp(end, 0)?;
    Window::new(end - Duration::days(7), end).ok()
}

impl TableTab {
    /// A fresh view of `kind`: default aggregate and sort, idle separate by cluster,
    /// amortized net cost, `limit` rows per page (what fits on screen), window not known yet.
    pub fn new(kind: DataKind, limit: usize) -> TableTab {
        TableTab {
            kind,
            window: None,
            window_choice: WindowChoice::FollowData,
            extent: Extent::Unknown,
            extent_generation: None,
            aggregate: Aggregate::view_default(kind),
            filter: Filter::All,
            search: None,
            before_search: None,
            column_offset: 0,
            idle: IdleMode::SeparateByCluster,
            sort: Sort::default_for(kind),
            cost_metric: CostMetricName::AmortizedNetCost,
            rate: CostRate::Cumulative,
            share: Sharing::default(),
            offset: 0,
            limit,
            page: None,
            page_partial: false,
            shown_query: None,
            selected: None,
            pending: None,
            error: None,
            stack: Vec::new(),
            stale: true,
            series: SeriesState::None,
            chart: ChartState::None,
            insight: super::insight::InsightState::None,
            columns: None,
            labels: LabelConfig::default(),
        }
    }

    /// The columns the table may show, as indices into [`columns()`](crate::query::columns())`(kind)` in display order: the
    /// user's choice (`:cols`), or the kind's [`default_columns`] plus every other part of the
    /// total (`External`, `Adj.`) that is non-zero in the page's totals, so the shown columns add
    /// up to Total (issue 28).
    pub fn column_choice(&self) -> Vec<usize> {
        if let Some(chosen) = &self.columns {
            return chosen.clone();
        }
        let mut out = default_columns(self.kind);
        if let Some(page) = &self.page {
            let cols = crate::query::columns(self.kind);
            let parts: Vec<usize> = (0..cols.len())
                .filter(|i| {
                    !out.contains(i)
                        && matches!(cols[*i].detail, crate::query::Detail::Part(_))
                        && page.totals.values.get(*i).is_some_and(|v| v.abs() >= 0.005)
                })
                .collect();
            out.extend(parts);
        }
        out
    }

    /// True while the window follows the data ([`WindowChoice::FollowData`]).
    pub fn follows_data(&self) -> bool {
        self.window_choice == WindowChoice::FollowData
    }

    /// The [`QueryIdentity`] of `r`.
    pub fn query_identity(r: &QueryRequest) -> QueryIdentity {
        QueryIdentity {
            kind: r.kind,
            window: r.window,
            aggregate: r.aggregate.clone(),
            filter: r.filter.clone(),
            idle: r.idle,
            cost_metric: r.cost_metric,
            rate: r.rate,
            share: r.share.clone(),
            search: r.search.clone(),
            labels: r.labels.clone(),
        }
    }

    /// The query for the current parameters, or `None` while there is no window.
    pub fn request(&self) -> Option<QueryRequest> {
        Some(QueryRequest {
            kind: self.kind,
            window: self.window?,
            aggregate: self.aggregate.clone(),
            filter: self.filter.clone(),
            idle: self.idle,
            sort: self.sort.clone(),
            offset: self.offset,
            limit: self.limit,
            cost_metric: self.cost_metric,
            search: self.search.clone(),
            labels: self.labels.clone(),
            rate: self.rate,
            share: self.share.clone(),
        })
    }

    /// The selected row of the shown page.
    pub fn selected_row(&self) -> Option<&Row> {
        self.page.as_ref()?.rows.get(self.selected?)
    }

    /// Position of the shown page (its own offset and limit), if a page was received.
    pub fn shown_span(&self) -> Option<PageSpan> {
        self.page.as_ref().map(|p| PageSpan {
            offset: p.offset,
            limit: p.limit,
            total: p.total_rows,
        })
    }

    /// Position of the page asked for: the requested offset and limit with the last known total.
    pub fn wanted_span(&self) -> PageSpan {
        PageSpan {
            offset: self.offset,
            limit: self.limit,
            total: self.page.as_ref().map_or(0, |p| p.total_rows),
        }
    }

    /// True while a query or extent request is in flight.
    pub fn is_loading(&self) -> bool {
        self.pending.is_some() || self.extent_generation.is_some()
    }

    /// Index in the whole result of the selected row (the page offset when nothing is selected).
    pub fn selected_index(&self) -> usize {
        let base = self.page.as_ref().map_or(self.offset, |p| p.offset);
        base + self.selected.unwrap_or(0)
    }

    /// Where the selected row stands, to keep it selected across a refresh.
    pub fn keep_selection(&self) -> SelectIntent {
        match self.selected_row() {
            Some(r) => SelectIntent::Name(r.name.clone(), self.selected_index()),
            None => SelectIntent::First,
        }
    }

    /// Apply a received page: store it and resolve `select` to a row index on it.
    pub fn apply_page(&mut self, page: Page, select: &SelectIntent) {
        let n = page.rows.len();
        self.selected = if n == 0 {
            None
        } else {
            Some(match select {
                SelectIntent::First => 0,
                SelectIntent::Last => n - 1,
                SelectIntent::Row(abs) => abs.saturating_sub(page.offset).min(n - 1),
                SelectIntent::Name(name, abs) => page
                    .rows
                    .iter()
                    .position(|r| &r.name == name)
                    .unwrap_or_else(|| abs.saturating_sub(page.offset).min(n - 1)),
            })
        };
        self.offset = page.offset;
        self.page = Some(page);
        self.error = None;
        self.series = if self.selected.is_some() {
            SeriesState::Wanted
        } else {
            SeriesState::None
        };
        self.chart = ChartState::Wanted;
        self.insight = super::insight::InsightState::Wanted;
    }

    /// The drill-down step from the selected row: filter on the row's key values and aggregate
    /// by the next finer key (cluster → namespace → controller → pod → container for
    /// allocations; a label or annotation goes to controller; asset keys go to the individual
    /// asset `name`, cloud-cost keys to `providerID`). Errors say why there is no finer level.
    pub fn drill(&self) -> Result<Drill, String> {
        let row = self.selected_row().ok_or("no row selected")?;
        let keys = self.aggregate.keys();
        if keys.is_empty() {
            return Err("rows are not aggregated: nothing to drill into".into());
        }
        let value_of = |k: &AggregateKey| -> String {
            row.properties
                .get(&k.name())
                .cloned()
                .unwrap_or_else(|| if keys.len() == 1 { row.name.clone() } else { String::new() })
        };
        if keys.iter().any(|k| value_of(k) == IDLE) || row.name.contains(IDLE) {
            return Err("idle cost belongs to no workload: nothing to drill into".into());
        }
        let last = keys.last().expect("non-empty");
        let next = last.finer(self.kind).ok_or_else(|| format!("{last} is the finest level"))?;
        let mut filter = self.filter.clone();
        for k in keys {
            let f = k
                .filter_for(self.kind, &value_of(k))
                .ok_or_else(|| format!("cannot filter {} by {k}", self.kind.plural()))?;
            filter = filter.and(f);
        }
        let key = self.aggregate.to_string();
        let value = keys.iter().map(value_of).collect::<Vec<_>>().join("/");
        Ok(Drill {
            filter,
            aggregate: Aggregate(vec![next]),
            key,
            value,
        })
    }
}
