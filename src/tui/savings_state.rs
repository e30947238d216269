//! The Savings tab's state ([`SavingsView`]) and its part of the reducer: the kind selector
//! (`←`/`→` over [`KINDS`]), the monthly total of every kind, one page of the selected kind
//! sorted by its monthly figure, paging, the `/` filter, `s`/`S` sort, `e` export (the CLI's CSV)
//! and Enter, which shows the containers behind a row on the Allocations tab. Loads run as
//! [`Effect::LoadSavings`] / [`Effect::LoadSavingsTotals`] off the UI thread.

use crate::query::{Aggregate, DataKind, Filter, LabelConfig, QueryError, parse_aggregate, parse_filter};

use super::action::{ColumnStep, Command, Effect};
use super::input::{Prompt, PromptError, PromptKind};
use super::page_span::page_start_for;
use super::savings_kinds::{KINDS, SavingsAsk, SavingsTable};
use super::state::{State, Tab, table_index};
use super::tab::{Level, SelectIntent};

/// The monthly total of one kind, for the selector.
#[derive(Clone, Debug, PartialEq)]
pub enum KindTotal {
    /// Not asked or being asked.
    Loading,
    /// Σ of the monthly figure over all rows (no filter), and the row count.
    Ready {
        /// USD per month.
        monthly: f64,
        /// Rows.
        rows: usize,
    },
    /// The load failed (message).
    Failed(String),
}

/// State of the Savings tab.
#[derive(Clone, Debug)]
pub struct SavingsView {
    /// Index into [`KINDS`] of the selected kind.
    pub kind: usize,
    /// Filter per kind (each kind's is over its own items), with the text typed.
    pub filters: Vec<(Filter, String)>,
    /// Sort field and whether largest first; `None` = monthly figure, largest first.
    pub sort: Option<(String, bool)>,
    /// Offset of the page asked for.
    pub offset: usize,
    /// Rows per page (what fits).
    pub limit: usize,
    /// The last page received, and the kind it belongs to.
    pub table: Option<(usize, SavingsTable)>,
    /// Selected row on the page.
    pub selected: Option<usize>,
    /// Why the last load failed.
    pub error: Option<String>,
    /// Generation and selection of the page load in flight.
    pub pending: Option<(u64, SelectIntent)>,
    /// Per kind, its monthly total.
    pub totals: Vec<KindTotal>,
    /// Generation of the totals load in flight.
    pub totals_generation: Option<u64>,
    /// Labels of the alias fields.
    pub labels: LabelConfig,
}

impl Default for SavingsView {
    fn default() -> SavingsView {
        SavingsView {
            kind: 0,
            filters: vec![(Filter::All, String::new()); KINDS.len()],
            sort: None,
            offset: 0,
            limit: 20,
            table: None,
            selected: None,
            error: None,
            pending: None,
            totals: vec![KindTotal::Loading; KINDS.len()],
            totals_generation: None,
            labels: LabelConfig::default(),
        }
    }
}

impl SavingsView {
    /// The page shown, if it is of the selected kind.
    pub fn page(&self) -> Option<&SavingsTable> {
        self.table.as_ref().filter(|(k, _)| *k == self.kind).map(|(_, t)| t)
    }

    /// The query of the selected kind, paged (`csv`: for the export, all rows).
    pub fn ask(&self, csv: bool) -> SavingsAsk {
        SavingsAsk {
            kind: self.kind,
            filter: self.filters[self.kind].0.clone(),
            labels: self.labels.clone(),
            sort: self.sort.clone(),
            offset: if csv { 0 } else { self.offset },
            limit: if csv { 0 } else { self.limit },
            csv,
        }
    }

    /// The sort shown in the title: `monthlySavings ↓`.
    pub fn sort_label(&self) -> String {
        let monthly = self.page().map_or("monthly", |t| t.monthly);
        match &self.sort {
            None => format!("{monthly} ↓"),
            Some((f, desc)) => format!("{f} {}", if *desc { "↓" } else { "↑" }),
        }
    }
}

impl State {
    /// Entering the Savings tab: load its page and the totals the first time.
    pub(super) fn savings_enter(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        if self.savings.table.is_none() && self.savings.pending.is_none() {
            fx.extend(self.savings_load(SelectIntent::First));
        }
        if self.savings.totals_generation.is_none() && self.savings.totals.iter().all(|t| *t == KindTotal::Loading) {
            fx.extend(self.savings_load_totals());
        }
        fx
    }

    fn savings_load(&mut self, select: SelectIntent) -> Vec<Effect> {
        let generation = self.generation();
        self.savings.pending = Some((generation, select));
        vec![Effect::LoadSavings {
            ask: self.savings.ask(false),
            generation,
        }]
    }

    fn savings_load_totals(&mut self) -> Vec<Effect> {
        let generation = self.generation();
        self.savings.totals_generation = Some(generation);
        self.savings.totals = vec![KindTotal::Loading; KINDS.len()];
        let labels = self.savings.labels.clone();
        vec![Effect::LoadSavingsTotals { labels, generation }]
    }

    /// Answer to [`Effect::LoadSavings`].
    pub(super) fn on_savings(&mut self, generation: u64, result: Result<SavingsTable, QueryError>) {
        let s = &mut self.savings;
        let Some((_, select)) = s.pending.take_if(|(g, _)| *g == generation) else {
            return;
        };
        match result {
            Err(e) => s.error = Some(e.to_string()),
            Ok(t) => {
                s.error = None;
                let n = t.rows.len();
                s.selected = (n > 0).then(|| match select {
                    SelectIntent::Last => n - 1,
                    SelectIntent::Row(i) | SelectIntent::Name(_, i) => i.saturating_sub(s.offset).min(n - 1),
                    SelectIntent::First => 0,
                });
                s.table = Some((s.kind, t));
            }
        }
    }

    /// Answer to [`Effect::LoadSavingsTotals`].
    pub(super) fn on_savings_totals(&mut self, generation: u64, totals: Vec<KindTotal>) {
        if self.savings.totals_generation.take_if(|g| *g == generation).is_some() {
            self.savings.totals = totals;
        }
    }

    /// The terminal changed: the page becomes what fits; reload when shown.
    pub(super) fn savings_resize(&mut self, rows: usize) -> Vec<Effect> {
        let s = &mut self.savings;
        if s.limit == rows {
            return Vec::new();
        }
        let row = s.offset + s.selected.unwrap_or(0);
        s.limit = rows;
        s.offset = page_start_for(row, rows);
        if self.tab == Tab::Savings && s.table.is_some() {
            self.savings_load(SelectIntent::Row(row))
        } else {
            s.table = None;
            Vec::new()
        }
    }

    /// A browsing command on the Savings tab.
    pub(super) fn savings_command(&mut self, c: Command) -> Vec<Effect> {
        let (total, shown) = self.savings.page().map_or((0, 0), |t| (t.total_rows, t.rows.len()));
        let s = &mut self.savings;
        let here = s.offset + s.selected.unwrap_or(0);
        let half = (s.limit / 2).max(1);
        let (offset, limit) = (s.offset, s.limit);
        match c {
            Command::Down => self.savings_goto(here.saturating_add(1), total, shown),
            Command::Up => self.savings_goto(here.saturating_sub(1), total, shown),
            Command::HalfPageDown => self.savings_goto(here.saturating_add(half), total, shown),
            Command::HalfPageUp => self.savings_goto(here.saturating_sub(half), total, shown),
            Command::NextPage => self.savings_goto(offset.saturating_add(limit), total, shown),
            Command::PrevPage => self.savings_goto(offset.saturating_sub(limit), total, shown),
            Command::FirstPage => self.savings_goto(0, total, shown),
            Command::LastPage => self.savings_goto(total.saturating_sub(1), total, shown),
            Command::ScrollColumns(step) => {
                let n = KINDS.len();
                s.kind = match step {
                    ColumnStep::Right => (s.kind + 1) % n,
                    ColumnStep::Left => (s.kind + n - 1) % n,
                };
                s.sort = None;
                s.offset = 0;
                s.selected = None;
                s.error = None;
                self.savings_load(SelectIntent::First)
            }
            Command::CycleSort => {
                let Some(t) = self.savings.page() else { return Vec::new() };
                let fields = t.fields.clone();
                let current = self.savings.sort.as_ref().map_or(t.monthly, |(f, _)| f.as_str());
                let i = fields.iter().position(|f| *f == current).map_or(0, |i| (i + 1) % fields.len());
                let numeric = t.numeric.get(i).copied().unwrap_or(true);
                self.savings.sort = Some((fields[i].to_string(), numeric));
                self.savings.offset = 0;
                self.savings_load(SelectIntent::First)
            }
            Command::ReverseSort => {
                let monthly = self.savings.page().map_or("", |t| t.monthly).to_string();
                let (f, desc) = self.savings.sort.clone().unwrap_or((monthly, true));
                self.savings.sort = Some((f, !desc));
                self.savings.offset = 0;
                self.savings_load(SelectIntent::First)
            }
            Command::Open(PromptKind::Filter) => {
                let text = self.savings.filters[self.savings.kind].1.clone();
                self.prompt = Some(Prompt::new(PromptKind::Filter, &text));
                Vec::new()
            }
            Command::Open(_)
            | Command::CycleIdle
            | Command::CycleMetric
            | Command::CycleRate
            | Command::ToggleChart
            | Command::ToggleDelta => {
                self.info("the Savings view takes ←/→ kind, / filter, s/S sort, e export, ⏎ containers");
                Vec::new()
            }
            Command::Refresh => {
                let mut fx = self.savings_load(SelectIntent::Row(here));
                fx.extend(self.savings_load_totals());
                fx
            }
            Command::Export => self.savings_export(),
            Command::DrillDown => self.savings_drill(),
            _ => Vec::new(),
        }
    }

    /// Select row `row` of the whole result, loading its page when it is not the one shown.
    fn savings_goto(&mut self, row: usize, total: usize, shown: usize) -> Vec<Effect> {
        if total == 0 {
            return Vec::new();
        }
        let row = row.min(total - 1);
        let s = &mut self.savings;
        if row >= s.offset && row < s.offset + shown {
            s.selected = Some(row - s.offset);
            return Vec::new();
        }
        s.offset = page_start_for(row, s.limit);
        self.savings_load(SelectIntent::Row(row))
    }

    /// Apply the `/` prompt's text as the selected kind's filter (v2 over its items; empty
    /// clears it).
    pub(super) fn savings_submit_filter(&mut self, text: &str) -> Vec<Effect> {
        let items = KINDS[self.savings.kind].items;
        let parsed = if text.trim().is_empty() {
            Ok(Filter::All)
        } else {
            parse_filter(text, items)
        };
        match parsed {
            Err(e) => self.refuse(PromptError {
                message: e.message,
                column: Some(e.column),
            }),
            Ok(f) => {
                self.prompt = None;
                self.savings.filters[self.savings.kind] = (f, text.trim().to_string());
                self.savings.offset = 0;
                self.savings_load(SelectIntent::First)
            }
        }
    }

    fn savings_export(&mut self) -> Vec<Effect> {
        if self.exporting {
            self.info("an export is already running");
            return Vec::new();
        }
        let kind = KINDS[self.savings.kind];
        let stamp = (self.now)().format("%Y%m%dT%H%M%SZ");
        let path = self
            .export_dir
            .join(format!("costscope-savings-{}-{stamp}.csv", kind.name.replace(' ', "-")));
        self.info(format!("exporting {} to {}…", kind.command, path.display()));
        self.exporting = true;
        vec![Effect::ExportSavings {
            ask: self.savings.ask(true),
            path,
        }]
    }

    /// Enter on a row that names a controller: the Allocations tab filtered to its containers
    /// (cluster, namespace, controller and, for requests, container), one row per pod and
    /// container; Esc there goes back to what it showed before.
    fn savings_drill(&mut self) -> Vec<Effect> {
        let kind = KINDS[self.savings.kind];
        let row = self.savings.selected.and_then(|i| self.savings.page().and_then(|t| t.rows.get(i)));
        let Some(row) = row.filter(|_| kind.drills) else {
            self.info(format!("{} rows have no containers to show", kind.name));
            return Vec::new();
        };
        let text = |f: &str| row.text(f).unwrap_or("").replace('"', "\\\"");
        let mut parts = vec![
            format!("cluster:\"{}\"", text("cluster")),
            format!("namespace:\"{}\"", text("namespace")),
        ];
        match text("controllerKind").as_str() {
            "pod" | "" => parts.push(format!("pod:\"{}\"", text("controller"))),
            k => parts.push(format!("controllerKind:\"{k}\"+controllerName:\"{}\"", text("controller"))),
        }
        if row.json.get("container").is_some() {
            parts.push(format!("container:\"{}\"", text("container")));
        }
        let value = [text("namespace"), text("controller"), text("container")]
            .into_iter()
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        let filter = match parse_filter(&parts.join("+"), DataKind::Allocation) {
            Ok(f) => f,
            Err(e) => {
                self.error(format!("cannot filter allocations to this row: {}", e.message));
                return Vec::new();
            }
        };
        let aggregate: Aggregate = match parse_aggregate("pod,container", DataKind::Allocation) {
            Ok(a) => a,
            Err(e) => {
                self.error(e.to_string());
                return Vec::new();
            }
        };
        let t = &mut self.tables[table_index(DataKind::Allocation)];
        t.stack.push(Level {
            aggregate: std::mem::replace(&mut t.aggregate, aggregate),
            filter: std::mem::replace(&mut t.filter, filter),
            search: t.search.take(),
            offset: t.offset,
            selected: t.selected,
            key: format!("savings {}", kind.name),
            value,
        });
        t.offset = 0;
        self.tab = Tab::Allocations;
        self.refresh_active()
    }
}
