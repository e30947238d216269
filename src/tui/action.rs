//! What flows into the TUI reducer ([`Action`]: keys, ticks, query results, progress snapshots),
//! what the user asks for ([`Command`], decoded from keys by [`super::keys`]) and what the
//! reducer asks the runtime to do ([`Effect`]: queries, series, exports, quit). Follows the
//! action/effect split of ratatui's component template: the
//! reducer never does I/O, so every behaviour is testable without a terminal.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::migration::MigrationStatus;
use crate::progress::TaskProgress;
use crate::query::{DailySeries, DataKind, Page, QueryError, QueryRequest, Row};

use super::input::PromptKind;
use super::state::Tab;

/// An input to [`super::state::State::update`].
#[derive(Clone, Debug)]
pub enum Action {
    /// A key press (decoded by [`super::keys::command_for`] according to the current mode).
    Key(KeyEvent),
    /// A user command, as if its key had been pressed.
    Command(Command),
    /// Quarter-second tick: advances the spinner, fires debounced work (series loads, automatic
    /// refresh after ingest progress).
    Tick,
    /// The terminal size changed (columns, rows).
    Resize(u16, u16),
    /// Answer to [`Effect::LoadExtent`].
    ExtentLoaded {
        /// Data set asked about.
        kind: DataKind,
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// First start and last end (unix seconds) of the daily data, `None` when there is none.
        result: Result<Option<(i64, i64)>, QueryError>,
    },
    /// Answer to [`Effect::RunQuery`].
    PageLoaded {
        /// Data set of the query.
        kind: DataKind,
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// The page, or why the query failed.
        result: Result<Page, QueryError>,
    },
    /// Answer to [`Effect::LoadSeries`].
    SeriesLoaded {
        /// Data set of the query.
        kind: DataKind,
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// Daily cost of the selected row, oldest first, and its source objects.
        result: Result<super::tab::RowDetail, QueryError>,
    },
    /// Answer to [`Effect::LoadChart`].
    ChartLoaded {
        /// Data set of the query.
        kind: DataKind,
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// Daily cost of each charted row (name, series), in page order.
        result: Result<Vec<(String, DailySeries)>, QueryError>,
    },
    /// Answer to [`Effect::LoadInsight`].
    InsightLoaded {
        /// Data set of the query.
        kind: DataKind,
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// The month projection and, when asked, the comparison.
        result: Result<Box<super::insight::Insight>, QueryError>,
    },
    /// Answer to [`Effect::LoadSavings`].
    SavingsLoaded {
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// The page of the kind, or why it failed.
        result: Result<super::savings_kinds::SavingsTable, QueryError>,
    },
    /// Answer to [`Effect::LoadSavingsTotals`].
    SavingsTotalsLoaded {
        /// Generation of the request; stale answers are dropped.
        generation: u64,
        /// Per kind of [`super::savings_kinds::KINDS`], its monthly total.
        totals: Vec<super::savings_state::KindTotal>,
    },
    /// Answer to [`Effect::Export`] and [`Effect::ExportSavings`]: the file written and its row
    /// count, or why it failed.
    Exported(Result<(PathBuf, usize), String>),
    /// A new snapshot of one background task (matched to the known tasks by `task` name).
    Progress(TaskProgress),
    /// A new status of the background migration scanner (Migration view).
    Migration(MigrationStatus),
}

/// A user intent, independent of the key that asked for it (docs/user-guide.md, Keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `q` / Ctrl-C.
    Quit,
    /// `?`: open or close the key help.
    ToggleHelp,
    /// `Tab`.
    NextTab,
    /// `Shift-Tab`.
    PrevTab,
    /// `1`–`6`.
    SelectTab(Tab),
    /// `j` / ↓: next row (continues on the next page).
    Down,
    /// Ctrl-d: half a page down (continues on the next page).
    HalfPageDown,
    /// Ctrl-u: half a page up (continues on the previous page).
    HalfPageUp,
    /// `k` / ↑: previous row (continues on the previous page).
    Up,
    /// `n` / PgDn.
    NextPage,
    /// `p` / PgUp.
    PrevPage,
    /// `g` / Home.
    FirstPage,
    /// `G` / End.
    LastPage,
    /// `Enter`: drill into the selected row (Migration view: list the cluster's missing days).
    DrillDown,
    /// `Esc` / Backspace: back up one drill-down level.
    Back,
    /// `a`, `w`, `/`: open a prompt.
    Open(PromptKind),
    /// `→` / `←`: scroll the table's columns right or left (one column).
    ScrollColumns(ColumnStep),
    /// `s`: next sort column.
    CycleSort,
    /// `S`: reverse the sort order.
    ReverseSort,
    /// `i`: next idle mode (allocations).
    CycleIdle,
    /// `c`: next cloud cost metric (cloud costs).
    CycleMetric,
    /// Cumulative cost → monthly → daily → hourly rate.
    CycleRate,
    /// `e`: export the whole current query to CSV.
    Export,
    /// `r`: run the current query again (and re-read the data extent).
    Refresh,
    /// `d`: show or hide the detail pane.
    ToggleDetail,
    /// `t`: show or hide the cost-over-time chart.
    ToggleChart,
    /// `D`: show or hide the Δ / Δ % columns (against the previous window of the same length).
    ToggleDelta,
    /// `P`: open or close the list of the selected row's source objects.
    ToggleSources,
    /// A key of the open prompt.
    Edit(Edit),
}

/// Which way [`Command::ScrollColumns`] goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnStep {
    /// Towards the first column.
    Left,
    /// Towards the last column.
    Right,
}

/// A key of the open prompt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// Type a character.
    Insert(char),
    /// Delete before the cursor.
    Backspace,
    /// Delete under the cursor.
    Delete,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Cursor to the start.
    Home,
    /// Cursor to the end.
    End,
    /// Remove all text (Ctrl-U).
    Clear,
    /// Parse and apply (Enter).
    Submit,
    /// Close without applying (Esc).
    Cancel,
}

/// Work the reducer asks the runtime to do. Every answer comes back as an [`Action`] carrying
/// the same generation, so a newer request makes older answers stale.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Call [`crate::query::CostSource::data_extent`]; answer [`Action::ExtentLoaded`].
    LoadExtent {
        /// Data set to ask about.
        kind: DataKind,
        /// Generation to echo back.
        generation: u64,
    },
    /// Call [`crate::query::CostSource::query`]; answer [`Action::PageLoaded`].
    RunQuery {
        /// The query.
        request: QueryRequest,
        /// Generation to echo back.
        generation: u64,
    },
    /// Call [`crate::query::CostSource::daily_series`] and [`crate::query::CostSource::sources`];
    /// answer [`Action::SeriesLoaded`].
    LoadSeries {
        /// The query whose window and filter apply.
        request: QueryRequest,
        /// The row to chart.
        row: Row,
        /// Generation to echo back.
        generation: u64,
    },
    /// Call [`crate::query::CostSource::daily_series`] for each row; answer [`Action::ChartLoaded`].
    LoadChart {
        /// The query whose window, filter and sharing apply.
        request: QueryRequest,
        /// The rows to chart (the page's first [`super::view::chart::CHART_ROWS`]).
        rows: Vec<Row>,
        /// Generation to echo back.
        generation: u64,
    },
    /// Run the month projection and, with `with_delta`, the comparison of `request`
    /// ([`super::insight::load`]); answer [`Action::InsightLoaded`].
    LoadInsight {
        /// The view's query.
        request: QueryRequest,
        /// Also compare with the previous window.
        with_delta: bool,
        /// Generation to echo back.
        generation: u64,
    },
    /// Run `request` (already with `limit` 0: all rows) and write it as CSV to `path`; answer
    /// [`Action::Exported`].
    Export {
        /// The whole query.
        request: QueryRequest,
        /// Destination file.
        path: PathBuf,
    },
    /// Load one page of a savings kind ([`super::savings_kinds::load`]); answer
    /// [`Action::SavingsLoaded`].
    LoadSavings {
        /// The kind, filter, sort and page.
        ask: super::savings_kinds::SavingsAsk,
        /// Generation to echo back.
        generation: u64,
    },
    /// Load the monthly total of every savings kind (default parameters, no filter); answer
    /// [`Action::SavingsTotalsLoaded`].
    LoadSavingsTotals {
        /// Labels of the alias fields.
        labels: crate::query::LabelConfig,
        /// Generation to echo back.
        generation: u64,
    },
    /// Load all rows of `ask` and write them as `costscope savings <kind> --format csv` does to
    /// `path`; answer [`Action::Exported`].
    ExportSavings {
        /// The kind, filter and sort (all rows).
        ask: super::savings_kinds::SavingsAsk,
        /// Destination file.
        path: PathBuf,
    },
    /// Have the background migration scanner count progress over the last N days (`None`: the
    /// federated window) and rescan; handled by the runtime, no answer (the new report arrives as
    /// [`Action::Migration`]).
    SetMigrationHorizon(Option<i64>),
    /// Leave the TUI.
    Quit,
}
