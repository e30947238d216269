//! The whole TUI state and its reducer: [`State::update`] takes an [`Action`] (key, tick,
//! query answer, progress snapshot) and returns the [`Effect`]s to run. No I/O happens here, so
//! paging, drill-down, prompts, stale-answer handling and refresh debouncing are all tested
//! without a terminal (`tests/it/tui_state.rs`). Query-changing commands live in
//! [`super::cost_view`]; this file holds the state, the dispatch and the answers.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::progress::{TaskId, TaskProgress};
use crate::query::{DataKind, LabelConfig};

use super::action::{Action, Command, Effect};
use super::input::{Prompt, PromptKind};
use super::keys::{Mode, command_for};
use super::migration_state::MigrationView;
use super::tab::{Extent, Pending, SelectIntent, SeriesState, TableTab, default_window};
use super::view::Panes;

/// Ticks per second (the runtime ticks every 250 ms).
pub const TICKS_PER_SECOND: u64 = 4;

/// Minimum ticks between two automatic refreshes caused by ingest progress (2 s).
pub const AUTO_REFRESH_TICKS: u64 = 2 * TICKS_PER_SECOND;

mod loading;
mod message;
pub use loading::Incomplete;
pub use message::{MESSAGE_TICKS, Message};

/// The views, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    /// Kubernetes workload costs.
    Allocations,
    /// Infrastructure assets.
    Assets,
    /// Cloud bill line items.
    CloudCosts,
    /// Background tasks (federator, ingest).
    Pipeline,
    /// Thanos → Aggregator migration progress.
    Migration,
    /// Savings: request right-sizing, unclaimed volumes, disks, abandoned workloads, nodes.
    Savings,
}

/// The kinds of screen a tab can be: a cost table of one data kind, the pipeline, the migration
/// view. Views `match` on it, so a new tab must say which it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// A cost view (table, detail pane).
    Cost(DataKind),
    /// Background tasks.
    Pipeline,
    /// Migration progress.
    Migration,
    /// The savings kinds.
    Savings,
}

impl Tab {
    /// Every tab in order (`1`–`6`).
    pub const ALL: [Tab; 6] = [
        Tab::Allocations,
        Tab::Assets,
        Tab::CloudCosts,
        Tab::Pipeline,
        Tab::Migration,
        Tab::Savings,
    ];

    /// Tab title.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Allocations => "Allocations",
            Tab::Assets => "Assets",
            Tab::CloudCosts => "Cloud costs",
            Tab::Pipeline => "Pipeline",
            Tab::Migration => "Migration",
            Tab::Savings => "Savings",
        }
    }

    /// The data set shown, for the three cost views.
    pub fn kind(self) -> Option<DataKind> {
        match self {
            Tab::Allocations => Some(DataKind::Allocation),
            Tab::Assets => Some(DataKind::Asset),
            Tab::CloudCosts => Some(DataKind::CloudCost),
            Tab::Pipeline | Tab::Migration | Tab::Savings => None,
        }
    }

    /// What this tab shows, for the views' exhaustive dispatch.
    pub fn screen(self) -> Screen {
        match self {
            Tab::Allocations => Screen::Cost(DataKind::Allocation),
            Tab::Assets => Screen::Cost(DataKind::Asset),
            Tab::CloudCosts => Screen::Cost(DataKind::CloudCost),
            Tab::Pipeline => Screen::Pipeline,
            Tab::Migration => Screen::Migration,
            Tab::Savings => Screen::Savings,
        }
    }

    /// 0-based position.
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).expect("listed")
    }
}

/// The whole TUI state. Render functions take `&State`; only [`State::update`] changes it.
#[derive(Clone, Debug)]
pub struct State {
    /// Which store is open (header).
    pub store_label: String,
    /// Where `e` writes CSV files.
    pub export_dir: PathBuf,
    /// Clock (injectable so tests and snapshots are stable).
    pub now: fn() -> DateTime<Utc>,
    /// The visible view.
    pub tab: Tab,
    /// The three cost views: allocations, assets, cloud costs.
    pub tables: [TableTab; 3],
    /// Latest snapshot of each background task, in the order given at start.
    pub tasks: Vec<TaskProgress>,
    /// The open prompt, if any.
    pub prompt: Option<Prompt>,
    /// True while the `?` overlay is open.
    pub help: bool,
    /// True when the user hid the detail pane (`d`).
    pub detail_hidden: bool,
    /// True while the cost-over-time chart is shown (`t`).
    pub chart_shown: bool,
    /// True while the Δ / Δ % columns are shown (`D`).
    pub delta_shown: bool,
    /// True while the selected row's sources are listed (`P`).
    pub sources_shown: bool,
    /// Last message for the status line.
    pub message: Option<Message>,
    /// Ticks since start (spinner frame, debouncing).
    pub tick: u64,
    /// Terminal size (columns, rows), to know whether the detail pane is visible.
    pub size: (u16, u16),
    /// Selected line of the Pipeline view's failure list.
    pub failure_selected: usize,
    /// True while an export runs.
    pub exporting: bool,
    /// The Migration view.
    pub migration: MigrationView,
    /// The Savings view.
    pub savings: super::savings_state::SavingsView,
    pub(super) next_generation: u64,
    pub(super) ingest_advanced: bool,
    pub(super) last_auto_refresh: Option<u64>,
}

impl State {
    /// A fresh state on the Allocations view with the given task snapshots.
    pub fn new(store_label: impl Into<String>, export_dir: PathBuf, now: fn() -> DateTime<Utc>, tasks: Vec<TaskProgress>) -> State {
        let rows = super::view::table_rows(80, 24, Panes::default());
        State {
            store_label: store_label.into(),
            export_dir,
            now,
            tab: Tab::Allocations,
            tables: [
                TableTab::new(DataKind::Allocation, rows),
                TableTab::new(DataKind::Asset, rows),
                TableTab::new(DataKind::CloudCost, rows),
            ],
            tasks,
            prompt: None,
            help: false,
            detail_hidden: false,
            chart_shown: false,
            delta_shown: false,
            sources_shown: false,
            message: None,
            tick: 0,
            size: (80, 24),
            failure_selected: 0,
            exporting: false,
            migration: MigrationView::default(),
            savings: super::savings_state::SavingsView::default(),
            next_generation: 1,
            ingest_advanced: false,
            last_auto_refresh: None,
        }
    }

    /// Use `labels` for the alias fields and keys of every view's queries.
    pub fn set_labels(&mut self, labels: &LabelConfig) {
        for t in &mut self.tables {
            t.labels = labels.clone();
        }
        self.savings.labels = labels.clone();
    }

    /// The effects to run at start: find the data extent of every kind (the visible view then
    /// runs its query; the others wait until shown).
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.refresh_active();
        for kind in [DataKind::Allocation, DataKind::Asset, DataKind::CloudCost] {
            if self.tab.kind() != Some(kind) {
                let generation = self.generation();
                let t = &mut self.tables[table_index(kind)];
                t.extent_generation = Some(generation);
                t.extent = Extent::Loading;
                effects.push(Effect::LoadExtent { kind, generation });
            }
        }
        effects
    }

    /// The current input mode.
    pub fn mode(&self) -> Mode {
        if self.help {
            Mode::Help
        } else if self.sources_shown {
            Mode::Sources
        } else if self.prompt.is_some() {
            Mode::Prompt
        } else {
            Mode::Normal
        }
    }

    /// The cost view for `kind`.
    pub fn table(&self, kind: DataKind) -> &TableTab {
        &self.tables[table_index(kind)]
    }

    /// The visible cost view, if the visible tab is one.
    pub fn active_table(&self) -> Option<&TableTab> {
        self.tab.kind().map(|k| self.table(k))
    }

    pub(super) fn active_table_mut(&mut self) -> Option<&mut TableTab> {
        let k = self.tab.kind()?;
        Some(&mut self.tables[table_index(k)])
    }

    /// The snapshot of task `id`, if it reports to this TUI.
    pub fn task(&self, id: TaskId) -> Option<&TaskProgress> {
        self.tasks.iter().find(|t| t.task == id)
    }

    /// True when something the user waits for is running (spinner).
    pub fn busy(&self) -> bool {
        self.exporting
            || self.active_table().is_some_and(TableTab::is_loading)
            || (self.tab == Tab::Savings && self.savings.pending.is_some())
    }

    /// The reducer: apply `action`, return the work to start.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => match command_for(self.mode(), key) {
                Some(c) => {
                    self.message = None;
                    self.command(c)
                }
                None => Vec::new(),
            },
            Action::Command(c) => {
                self.message = None;
                self.command(c)
            }
            Action::Tick => self.on_tick(),
            Action::Resize(w, h) => self.resize(w, h),
            Action::ExtentLoaded { kind, generation, result } => self.on_extent(kind, generation, result),
            Action::PageLoaded { kind, generation, result } => self.on_page(kind, generation, result),
            Action::SeriesLoaded { kind, generation, result } => {
                let t = &mut self.tables[table_index(kind)];
                if t.series == SeriesState::Loading(generation) {
                    t.series = match result {
                        Ok(s) => SeriesState::Ready(s),
                        Err(e) => SeriesState::Failed(e.to_string()),
                    };
                }
                Vec::new()
            }
            Action::ChartLoaded { kind, generation, result } => {
                self.on_chart(kind, generation, result);
                Vec::new()
            }
            Action::InsightLoaded { kind, generation, result } => {
                self.on_insight(kind, generation, result);
                Vec::new()
            }
            Action::Exported(result) => {
                self.exporting = false;
                match result {
                    Ok((path, rows)) => {
                        let rows = super::format::thousands(rows as u64);
                        self.info(format!("exported {rows} rows to {}", path.display()));
                    }
                    Err(e) => self.error(format!("export failed: {e}")),
                }
                Vec::new()
            }
            Action::SavingsLoaded { generation, result } => {
                self.on_savings(generation, result);
                Vec::new()
            }
            Action::SavingsTotalsLoaded { generation, totals } => {
                self.on_savings_totals(generation, totals);
                Vec::new()
            }
            Action::Progress(p) => {
                self.on_progress(p);
                Vec::new()
            }
            Action::Migration(status) => {
                self.migration.apply(status);
                Vec::new()
            }
        }
    }

    fn command(&mut self, c: Command) -> Vec<Effect> {
        match c {
            Command::Quit => vec![Effect::Quit],
            Command::ToggleHelp => {
                self.help = !self.help;
                Vec::new()
            }
            Command::ToggleDetail => {
                self.detail_hidden = !self.detail_hidden;
                self.info(if self.detail_hidden {
                    "detail pane hidden (d shows it)"
                } else {
                    "detail pane shown"
                });
                let mut fx = self.resize(self.size.0, self.size.1);
                fx.extend(self.load_series_if_wanted());
                fx
            }
            Command::ToggleChart => self.toggle_chart(),
            Command::ToggleDelta => self.toggle_delta(),
            Command::ToggleSources => self.toggle_sources(),
            Command::NextTab => self.switch_tab(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            Command::PrevTab => self.switch_tab(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]),
            Command::SelectTab(t) => self.switch_tab(t),
            Command::Refresh if self.tab == Tab::Migration => {
                self.migration_command(Command::Refresh);
                Vec::new()
            }
            Command::Refresh if self.tab == Tab::Savings => self.savings_command(Command::Refresh),
            Command::Refresh => {
                if self.tab == Tab::Pipeline {
                    return Vec::new();
                }
                self.refresh_active()
            }
            Command::Edit(e) => self.edit(e),
            Command::Open(PromptKind::Command) => {
                self.prompt = Some(Prompt::new(PromptKind::Command, ""));
                Vec::new()
            }
            other if self.tab == Tab::Migration => {
                self.migration_command(other);
                Vec::new()
            }
            other if self.tab == Tab::Savings => self.savings_command(other),
            other if self.tab == Tab::Pipeline => {
                self.pipeline_command(other);
                Vec::new()
            }
            other => self.table_command(other),
        }
    }

    fn pipeline_command(&mut self, c: Command) {
        let failures: usize = self.tasks.iter().map(|t| t.failures.len()).sum();
        let last = failures.saturating_sub(1);
        self.failure_selected = match c {
            Command::Down => (self.failure_selected + 1).min(last),
            Command::Up => self.failure_selected.saturating_sub(1),
            Command::NextPage => (self.failure_selected + 10).min(last),
            Command::PrevPage => self.failure_selected.saturating_sub(10),
            Command::FirstPage => 0,
            Command::LastPage => last,
            _ => return,
        };
    }

    pub(super) fn switch_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        if tab == Tab::Savings {
            return self.savings_enter();
        }
        match self.active_table() {
            Some(t) if t.stale && !t.is_loading() => self.refresh_active(),
            _ => Vec::new(),
        }
    }

    pub(super) fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation += 1;
        g
    }

    /// Re-run the active view: re-read the extent when the window follows the data (or is not
    /// known yet), else run the query again keeping the selected row.
    pub(super) fn refresh_active(&mut self) -> Vec<Effect> {
        let Some(kind) = self.tab.kind() else { return Vec::new() };
        let t = &self.tables[table_index(kind)];
        if t.follows_data() || t.window.is_none() {
            let generation = self.generation();
            let t = &mut self.tables[table_index(kind)];
            t.extent_generation = Some(generation);
            if !matches!(t.extent, Extent::Known { .. }) {
                t.extent = Extent::Loading;
            }
            t.stale = false;
            return vec![Effect::LoadExtent { kind, generation }];
        }
        let keep = t.keep_selection();
        self.run_query(keep)
    }

    /// Start the active view's query; the answer will select `select`. Supersedes any query in
    /// flight for that view (its answer will be dropped).
    pub(super) fn run_query(&mut self, select: SelectIntent) -> Vec<Effect> {
        let generation = self.generation();
        let while_loading = self.ingest_in_progress().is_some();
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let Some(request) = t.request() else { return Vec::new() };
        let query = TableTab::query_identity(&request);
        if t.shown_query.as_ref() != Some(&query) {
            // Another query (not another page or order of this one): show "loading" rather than
            // the old rows under the new header, and let no key act on those rows.
            t.page = None;
            t.selected = None;
            t.series = SeriesState::None;
            t.chart = super::tab::ChartState::None;
            t.insight = super::insight::InsightState::None;
        }
        t.pending = Some(Pending {
            generation,
            select,
            query,
            while_loading,
        });
        t.stale = false;
        vec![Effect::RunQuery { request, generation }]
    }

    fn on_extent(&mut self, kind: DataKind, generation: u64, result: Result<Option<(i64, i64)>, crate::query::QueryError>) -> Vec<Effect> {
        let t = &mut self.tables[table_index(kind)];
        if t.extent_generation != Some(generation) {
            tracing::debug!(?kind, generation, "dropping a stale extent answer");
            return Vec::new();
        }
        t.extent_generation = None;
        match result {
            Err(e) => {
                t.extent = Extent::Failed(e.to_string());
                t.error = Some(e.to_string());
                Vec::new()
            }
            Ok(None) => {
                t.extent = Extent::Missing;
                Vec::new()
            }
            Ok(Some((start, end))) => {
                t.extent = Extent::Known { start, end };
                if t.follows_data() {
                    t.window = default_window(end);
                }
                let keep = t.keep_selection();
                if self.tab.kind() == Some(kind) {
                    self.run_query(keep)
                } else {
                    self.tables[table_index(kind)].stale = true;
                    Vec::new()
                }
            }
        }
    }

    fn on_page(&mut self, kind: DataKind, generation: u64, result: Result<crate::query::Page, crate::query::QueryError>) -> Vec<Effect> {
        let t = &mut self.tables[table_index(kind)];
        let Some(pending) = t.pending.take_if(|p| p.generation == generation) else {
            tracing::debug!(?kind, generation, "dropping a stale query answer");
            return Vec::new();
        };
        match result {
            Err(e) => {
                t.error = Some(e.to_string());
                // The table says it when it has nothing else to show; over rows, the status line.
                if t.page.is_some() {
                    self.error(format!("query failed: {e}"));
                }
                Vec::new()
            }
            Ok(page) if page.rows.is_empty() && page.total_rows > 0 && page.offset > 0 => {
                // The result shrank under the page asked for: go to the new last page.
                let span = super::page_span::PageSpan {
                    offset: page.offset,
                    limit: page.limit,
                    total: page.total_rows,
                };
                t.offset = span.last_offset();
                if self.tab.kind() == Some(kind) {
                    self.run_query(SelectIntent::Last)
                } else {
                    t.stale = true;
                    Vec::new()
                }
            }
            Ok(page) => {
                t.apply_page(page, &pending.select);
                t.page_partial = pending.while_loading;
                t.shown_query = Some(pending.query);
                Vec::new()
            }
        }
    }

    fn on_tick(&mut self) -> Vec<Effect> {
        self.tick += 1;
        self.expire_message();
        let mut effects = Vec::new();
        let due = self.last_auto_refresh.is_none_or(|t| self.tick >= t + AUTO_REFRESH_TICKS);
        if self.ingest_advanced && due {
            self.ingest_advanced = false;
            self.last_auto_refresh = Some(self.tick);
            for t in &mut self.tables {
                t.stale = true;
            }
            if self.active_table().is_some() {
                effects.extend(self.refresh_active());
            }
        }
        effects.extend(self.load_series_if_wanted());
        effects.extend(self.load_chart_if_wanted());
        effects.extend(self.load_insight_if_wanted());
        effects
    }

    fn load_series_if_wanted(&mut self) -> Vec<Effect> {
        if !self.sources_shown && !super::view::detail_visible(self.size.0, self.size.1, self.panes()) {
            return Vec::new();
        }
        let Some(t) = self.active_table() else { return Vec::new() };
        if t.series != SeriesState::Wanted || t.pending.is_some() {
            return Vec::new();
        }
        let (Some(request), Some(row)) = (t.request(), t.selected_row().cloned()) else {
            return Vec::new();
        };
        let generation = self.generation();
        let t = self.active_table_mut().expect("checked above");
        t.series = SeriesState::Loading(generation);
        vec![Effect::LoadSeries { request, row, generation }]
    }
}

/// Index of `kind` in [`State::tables`].
pub fn table_index(kind: DataKind) -> usize {
    match kind {
        DataKind::Allocation => 0,
        DataKind::Asset => 1,
        DataKind::CloudCost => 2,
    }
}
