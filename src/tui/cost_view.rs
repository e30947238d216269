//! The reducer's handlers for the commands of a cost view: moving the selection across pages,
//! paging, drill-down and back, sort / idle / cost metric / page size cycling, export, and the
//! prompts (aggregate, window, filter) with their inline validation. Part of
//! [`super::state::State`]'s reducer.

use std::iter;

use crate::model::CostMetricName;
use crate::query::{DataKind, Filter, Sharing, Sort, SortKey, parse_aggregate, parse_filter, parse_window};

use super::action::{ColumnStep, Command, Edit, Effect};
use super::command_line::{self, LineCommand};
use super::export::export_file_name;
use super::input::{Prompt, PromptError, PromptKind};
use super::page_span::page_start_for;
use super::state::State;
use super::tab::{Level, SelectIntent, SeriesState, WindowChoice};

impl State {
    /// Apply a command on the visible cost view (no-op when none is visible).
    pub(super) fn table_command(&mut self, c: Command) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let kind = t.kind;
        let half = half_page(t.limit);
        match c {
            Command::Down => self.move_selection(1),
            Command::Up => self.move_selection(-1),
            Command::HalfPageDown => self.move_selection(half),
            Command::HalfPageUp => self.move_selection(-half),
            Command::NextPage => match t.wanted_span().next_offset() {
                Some(o) => {
                    t.offset = o;
                    self.run_query(SelectIntent::First)
                }
                None => self.select_edge(true),
            },
            Command::PrevPage => match t.wanted_span().prev_offset() {
                Some(o) => {
                    t.offset = o;
                    self.run_query(SelectIntent::First)
                }
                None => self.select_edge(false),
            },
            Command::FirstPage if t.offset != 0 => {
                t.offset = 0;
                self.run_query(SelectIntent::First)
            }
            Command::FirstPage => self.select_edge(false),
            Command::LastPage => {
                let last = t.wanted_span().last_offset();
                if t.offset != last {
                    t.offset = last;
                    self.run_query(SelectIntent::Last)
                } else {
                    self.select_edge(true)
                }
            }
            Command::DrillDown => match t.drill() {
                Err(why) => {
                    self.info(why);
                    Vec::new()
                }
                Ok(d) => {
                    t.stack.push(Level {
                        aggregate: std::mem::replace(&mut t.aggregate, d.aggregate),
                        filter: std::mem::replace(&mut t.filter, d.filter),
                        // The finer level starts unsearched: its row names are other names.
                        search: t.search.take(),
                        offset: t.offset,
                        selected: t.selected,
                        key: d.key,
                        value: d.value,
                    });
                    t.offset = 0;
                    self.run_query(SelectIntent::First)
                }
            },
            Command::Back => match t.stack.pop() {
                None => {
                    self.info("already at the top level");
                    Vec::new()
                }
                Some(level) => {
                    t.aggregate = level.aggregate;
                    t.filter = level.filter;
                    t.search = level.search;
                    // The page size may have changed with the terminal since drilling.
                    let row = level.offset + level.selected.unwrap_or(0);
                    t.offset = page_start_for(row, t.limit);
                    self.run_query(SelectIntent::Row(row))
                }
            },
            Command::Open(PromptKind::Horizon) => {
                self.info("H sets the migration horizon (view 5)");
                Vec::new()
            }
            Command::Open(kind) => {
                let text = match kind {
                    // Opened by `State::command` on every view, and `H` on the Migration view
                    // only (above): never here.
                    PromptKind::Command | PromptKind::Horizon => String::new(),
                    PromptKind::Aggregate => t.aggregate.to_string(),
                    PromptKind::Window => match &t.window_choice {
                        WindowChoice::FollowData => String::new(),
                        WindowChoice::Typed(text) => text.clone(),
                    },
                    PromptKind::Filter => match &t.search {
                        Some(text) => text.clone(),
                        None if t.filter.is_all() => String::new(),
                        None => t.filter.to_string(),
                    },
                    PromptKind::Share => t.share.spec(),
                };
                if kind == PromptKind::Filter {
                    t.before_search = Some((t.filter.clone(), t.search.clone()));
                }
                self.prompt = Some(Prompt::new(kind, &text));
                Vec::new()
            }
            Command::CycleSort => {
                let cols = crate::query::columns(kind);
                let keys: Vec<SortKey> = t
                    .column_choice()
                    .into_iter()
                    .map(|i| SortKey::Column(cols[i].id))
                    .chain(iter::once(SortKey::Name))
                    .collect();
                let i = keys.iter().position(|k| *k == t.sort.key).map_or(0, |i| (i + 1) % keys.len());
                t.sort = Sort {
                    key: keys[i],
                    descending: keys[i] != SortKey::Name,
                };
                t.offset = 0;
                let text = format!("sorted by {}", sort_label(kind, &t.sort));
                self.info(text);
                self.run_query(SelectIntent::First)
            }
            Command::ReverseSort => {
                t.sort.descending = !t.sort.descending;
                t.offset = 0;
                let text = format!("sorted by {}", sort_label(kind, &t.sort));
                self.info(text);
                self.run_query(SelectIntent::First)
            }
            Command::CycleIdle if kind == DataKind::Allocation => {
                t.idle = t.idle.next();
                t.offset = 0;
                let text = format!("idle: {}", t.idle.name());
                self.info(text);
                self.run_query(SelectIntent::First)
            }
            Command::CycleIdle => {
                self.info("the idle mode applies to allocations (view 1)");
                Vec::new()
            }
            Command::CycleMetric if kind == DataKind::CloudCost => {
                let all = CostMetricName::ALL;
                let i = all.iter().position(|m| *m == t.cost_metric).map_or(0, |i| (i + 1) % all.len());
                t.cost_metric = all[i];
                t.offset = 0;
                let text = format!("cost metric: {}", t.cost_metric.json_name());
                self.info(text);
                self.run_query(SelectIntent::First)
            }
            Command::CycleMetric => {
                self.info("the cost metric applies to cloud costs (view 3)");
                Vec::new()
            }
            Command::CycleRate => {
                t.rate = t.rate.next();
                t.offset = 0;
                let text = match t.rate.hours() {
                    Some(h) => format!("showing the {} rate: costs × {h} h / hours of data", t.rate.name()),
                    None => "showing cumulative cost".to_string(),
                };
                self.info(text);
                self.run_query(SelectIntent::First)
            }
            Command::ScrollColumns(step) => {
                let last = t.column_choice().len().saturating_sub(1);
                t.column_offset = match step {
                    ColumnStep::Left => t.column_offset.saturating_sub(1),
                    ColumnStep::Right => (t.column_offset + 1).min(last),
                };
                Vec::new()
            }
            Command::Export => self.export(),
            _ => Vec::new(),
        }
    }

    /// Move the selection by `delta` rows in the whole result (clamped to its first and last
    /// row); a row on another page loads that page.
    fn move_selection(&mut self, delta: isize) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let Some(page) = &t.page else { return Vec::new() };
        let (Some(sel), n, total) = (t.selected, page.rows.len(), page.total_rows) else {
            return Vec::new();
        };
        let current = page.offset + sel;
        let target = current.saturating_add_signed(delta).min(total.saturating_sub(1));
        if target >= page.offset && target < page.offset + n {
            if target != current {
                t.selected = Some(target - page.offset);
                t.series = SeriesState::Wanted;
            }
            return Vec::new();
        }
        if t.pending.is_some() {
            return Vec::new();
        }
        t.offset = page_start_for(target, t.limit);
        self.run_query(SelectIntent::Row(target))
    }

    /// The terminal is now `width` × `height`: every cost view's page becomes what fits (see
    /// [`super::view::table_rows`]), starting at the page that holds its selected row; the
    /// visible view re-queries now, the others when shown.
    pub(super) fn resize(&mut self, width: u16, height: u16) -> Vec<Effect> {
        self.size = (width, height);
        let rows = super::view::table_rows(width, height, self.panes());
        let mut keep = None;
        let active = self.tab.kind();
        for t in &mut self.tables {
            if t.limit == rows {
                continue;
            }
            let selected = t.selected_index();
            t.limit = rows;
            t.offset = page_start_for(selected, rows);
            if Some(t.kind) == active && t.window.is_some() {
                keep = Some(selected);
            } else if t.page.is_some() {
                t.stale = true;
            }
        }
        let mut fx = keep.map_or_else(Vec::new, |row| self.run_query(SelectIntent::Row(row)));
        fx.extend(self.savings_resize(super::view::savings::table_rows(width, height)));
        fx
    }

    /// Select the last (`bottom`) or first row of the shown page.
    fn select_edge(&mut self, bottom: bool) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let n = t.page.as_ref().map_or(0, |p| p.rows.len());
        if n > 0 {
            let s = if bottom { n - 1 } else { 0 };
            if t.selected != Some(s) {
                t.selected = Some(s);
                t.series = SeriesState::Wanted;
            }
        }
        Vec::new()
    }

    fn export(&mut self) -> Vec<Effect> {
        if self.exporting {
            self.info("an export is already running");
            return Vec::new();
        }
        let now = (self.now)();
        let Some(t) = self.active_table() else { return Vec::new() };
        let Some(mut request) = t.request() else {
            self.info("nothing to export yet: no data");
            return Vec::new();
        };
        request.offset = 0;
        request.limit = 0;
        let path = self.export_dir.join(export_file_name(t.kind, &t.aggregate, now));
        let text = format!("exporting all {} rows to {}…", t.kind.plural(), path.display());
        self.exporting = true;
        self.info(text);
        vec![Effect::Export { request, path }]
    }

    /// Apply a key of the open prompt.
    pub(super) fn edit(&mut self, e: Edit) -> Vec<Effect> {
        let Some(p) = self.prompt.as_mut() else { return Vec::new() };
        let input = &mut p.input;
        match e {
            Edit::Insert(c) => input.insert(c),
            Edit::Backspace => input.backspace(),
            Edit::Delete => input.delete(),
            Edit::Left => input.left(),
            Edit::Right => input.right(),
            Edit::Home => input.home(),
            Edit::End => input.end(),
            Edit::Clear => input.clear(),
            Edit::Cancel => {
                let filter_prompt = p.kind == PromptKind::Filter;
                self.prompt = None;
                return if filter_prompt { self.restore_search() } else { Vec::new() };
            }
            Edit::Submit => {
                let fx = self.submit_prompt();
                if self.prompt.is_none()
                    && let Some(t) = self.active_table_mut()
                {
                    t.before_search = None;
                }
                return fx;
            }
        }
        if matches!(e, Edit::Insert(_) | Edit::Backspace | Edit::Delete | Edit::Clear) {
            p.error = None;
            if p.kind == PromptKind::Filter {
                let text = p.input.text();
                return self.search_as_you_type(&text);
            }
        }
        Vec::new()
    }

    /// k9s's filter as you type: while the `/` prompt holds a plain-text search (or nothing), each
    /// edit applies it at once — the search replaces the filter, an empty prompt clears both. A
    /// v2 filter (with `:` or `"`) applies on Enter only; while one is typed the table shows what
    /// it showed before `/` (not the search its first word made).
    fn search_as_you_type(&mut self, text: &str) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let empty = text.trim().is_empty();
        let (filter, search) = if !empty && !is_search(text) {
            match &t.before_search {
                Some((f, s)) => (f.clone(), s.clone()),
                None => return Vec::new(),
            }
        } else {
            (Filter::All, (!empty).then(|| text.trim().to_string()))
        };
        self.show_filtered(filter, search)
    }

    /// Esc on the `/` prompt: put back the filter and search it found, re-querying when typing
    /// had changed them.
    fn restore_search(&mut self) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        let Some((filter, search)) = t.before_search.take() else {
            return Vec::new();
        };
        self.show_filtered(filter, search)
    }

    /// Show the visible view with `filter` and `search` from its first page, querying only when
    /// they differ from what it shows.
    fn show_filtered(&mut self, filter: Filter, search: Option<String>) -> Vec<Effect> {
        let Some(t) = self.active_table_mut() else { return Vec::new() };
        if t.filter == filter && t.search == search {
            return Vec::new();
        }
        t.filter = filter;
        t.search = search;
        t.offset = 0;
        self.run_query(SelectIntent::First)
    }

    /// Parse the prompt's text; on success apply it, close the prompt and query; on error keep
    /// the prompt open with the message (and the column, for filters).
    fn submit_prompt(&mut self) -> Vec<Effect> {
        if let Some(p) = self.prompt.as_ref().filter(|p| p.kind == PromptKind::Command) {
            let text = p.input.text();
            return self.submit_command_line(&text);
        }
        if let Some(p) = self
            .prompt
            .as_ref()
            .filter(|p| p.kind == PromptKind::Filter && self.tab == super::state::Tab::Savings)
        {
            let text = p.input.text();
            return self.savings_submit_filter(&text);
        }
        if let Some(p) = self.prompt.as_ref().filter(|p| p.kind == PromptKind::Horizon) {
            let text = p.input.text();
            return self.submit_horizon(&text);
        }
        let now = (self.now)();
        let (Some(p), Some(kind)) = (self.prompt.as_ref(), self.tab.kind()) else {
            self.prompt = None;
            return Vec::new();
        };
        let text = p.input.text();
        let prompt_kind = p.kind;
        let t = self.active_table_mut().expect("a cost view is visible");
        let outcome: Result<(), PromptError> = match prompt_kind {
            // Handled by `submit_command_line` and `submit_horizon` above.
            PromptKind::Command | PromptKind::Horizon => Ok(()),
            PromptKind::Aggregate => parse_aggregate(&text, kind).map(|a| t.aggregate = a).map_err(|e| PromptError {
                message: e.to_string(),
                column: None,
            }),
            PromptKind::Window if text.trim().is_empty() => {
                t.window_choice = WindowChoice::FollowData;
                Ok(())
            }
            PromptKind::Window => parse_window(&text, now)
                .map(|w| {
                    t.window = Some(w);
                    t.window_choice = WindowChoice::Typed(text.trim().to_string());
                })
                .map_err(|e| PromptError {
                    message: e.to_string(),
                    column: None,
                }),
            // A search replaces the filter: what the prompt shows is all that applies (issue 28).
            PromptKind::Filter if is_search(&text) => {
                t.search = Some(text.trim().to_string());
                t.filter = Filter::All;
                Ok(())
            }
            PromptKind::Filter => parse_filter(&text, kind)
                .map(|f| {
                    t.filter = f;
                    t.search = None;
                })
                .map_err(|e| PromptError {
                    message: e.message,
                    column: Some(e.column),
                }),
            PromptKind::Share if kind != DataKind::Allocation => Err(PromptError {
                message: format!("sharing applies to allocations, not {}", kind.plural()),
                column: None,
            }),
            PromptKind::Share => Sharing::parse_spec(&text).map(|s| t.share = s).map_err(|e| PromptError {
                message: e.to_string(),
                column: None,
            }),
        };
        match outcome {
            Err(e) => self.refuse(e),
            Ok(()) => {
                t.offset = 0;
                let follow_data = prompt_kind == PromptKind::Window && t.follows_data();
                self.prompt = None;
                if follow_data {
                    self.refresh_active()
                } else {
                    self.run_query(SelectIntent::First)
                }
            }
        }
    }
}

/// Rows moved by Ctrl-d / Ctrl-u: half a page, at least one.
fn half_page(limit: usize) -> isize {
    (limit / 2).max(1) as isize
}

/// `Total ↓`, `name ↑`: the sort column's title and direction.
pub fn sort_label(kind: DataKind, sort: &Sort) -> String {
    let title = match sort.key {
        SortKey::Column(id) => crate::query::columns(kind)
            .iter()
            .find(|c| c.id == id)
            .map_or(id.json(), |c| c.title),
        SortKey::Name => SortKey::Name.name(),
    };
    format!("{title} {}", if sort.descending { "↓" } else { "↑" })
}

/// Whether `/` input is a plain row-name search rather than a Kubecost v2 filter: non-empty text
/// without `:` (every v2 comparison has one) and without `"` (quoted values belong to filters).
pub fn is_search(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && !t.contains(':') && !t.contains('"')
}

impl State {
    /// Run a `:` command line ([`super::command_line`]); an unknown command keeps the prompt
    /// open with the message.
    fn submit_command_line(&mut self, text: &str) -> Vec<Effect> {
        match command_line::parse(text, self.tab) {
            Err(message) => self.refuse(PromptError { message, column: None }),
            Ok(cmd) => {
                self.prompt = None;
                match cmd {
                    LineCommand::Quit => vec![Effect::Quit],
                    LineCommand::Go(tab) => self.switch_tab(tab),
                    LineCommand::Aggregate(tab, aggregate, filter) => {
                        let mut fx = if self.tab == tab { Vec::new() } else { self.switch_tab(tab) };
                        let Some(t) = self.active_table_mut() else { return fx };
                        t.aggregate = aggregate;
                        if let Some(f) = filter {
                            t.filter = f;
                        }
                        t.offset = 0;
                        t.search = None;
                        fx.extend(self.run_query(SelectIntent::First));
                        fx
                    }
                    LineCommand::Sort(tab, sort) => {
                        let mut fx = if self.tab == tab { Vec::new() } else { self.switch_tab(tab) };
                        let Some(t) = self.active_table_mut() else { return fx };
                        t.sort = sort;
                        t.offset = 0;
                        let text = format!("sorted by {}", sort_label(t.kind, &t.sort));
                        self.info(text);
                        fx.extend(self.run_query(SelectIntent::First));
                        fx
                    }
                    LineCommand::Columns(tab, chosen) => {
                        let fx = if self.tab == tab { Vec::new() } else { self.switch_tab(tab) };
                        let Some(t) = self.active_table_mut() else { return fx };
                        t.columns = chosen;
                        t.column_offset = 0;
                        let cols = crate::query::columns(t.kind);
                        let titles: Vec<&str> = t.column_choice().into_iter().map(|i| cols[i].title).collect();
                        self.info(format!("columns: {}", titles.join(", ")));
                        fx
                    }
                }
            }
        }
    }
}
