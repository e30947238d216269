//! The reducer's part for the cost-over-time chart (`t`): toggling it, loading the daily series
//! of the page's first rows when a page arrives (debounced to the next tick, like the detail
//! pane's series), and taking the answer of the latest load only.

use crate::query::{DailySeries, DataKind, QueryError};

use super::action::Effect;
use super::state::{State, table_index};
use super::tab::ChartState;
use super::view::Panes;
use super::view::chart::CHART_ROWS;

impl State {
    /// The panes the user asked for (detail hidden, chart on), for the layout.
    pub fn panes(&self) -> Panes {
        Panes {
            detail_hidden: self.detail_hidden,
            chart: self.chart_shown,
        }
    }

    /// `t`: show or hide the chart. The table's page size follows (the chart takes rows).
    pub(super) fn toggle_chart(&mut self) -> Vec<Effect> {
        self.chart_shown = !self.chart_shown;
        self.info(if self.chart_shown {
            "chart on (t hides it)"
        } else {
            "chart hidden"
        });
        for t in &mut self.tables {
            t.chart = if self.chart_shown { ChartState::Wanted } else { ChartState::None };
        }
        let mut fx = self.resize(self.size.0, self.size.1);
        fx.extend(self.load_chart_if_wanted());
        fx
    }

    /// Start loading the chart of the visible cost view when it is wanted, shown, and no page
    /// query is pending.
    pub(super) fn load_chart_if_wanted(&mut self) -> Vec<Effect> {
        if !self.chart_shown {
            return Vec::new();
        }
        let Some(t) = self.active_table() else { return Vec::new() };
        if t.chart != ChartState::Wanted || t.pending.is_some() {
            return Vec::new();
        }
        let (Some(request), Some(page)) = (t.request(), t.page.as_ref()) else {
            return Vec::new();
        };
        let rows = page.rows.iter().take(CHART_ROWS).cloned().collect::<Vec<_>>();
        let generation = self.generation();
        let t = self.active_table_mut().expect("checked above");
        t.chart = ChartState::Loading(generation);
        vec![Effect::LoadChart { request, rows, generation }]
    }

    /// The answer of a chart load; a stale generation is dropped.
    pub(super) fn on_chart(&mut self, kind: DataKind, generation: u64, result: Result<Vec<(String, DailySeries)>, QueryError>) {
        let t = &mut self.tables[table_index(kind)];
        if t.chart == ChartState::Loading(generation) {
            t.chart = match result {
                Ok(s) => ChartState::Ready(s),
                Err(e) => ChartState::Failed(e.to_string()),
            };
        }
    }
}
