//! What a cost view adds to its page after it arrives: where the month lands (the header's month
//! line: month-to-date and projected month totals of the current query, docs/semantics.md §17)
//! and, while `D` is on, each row's Δ and Δ % against the window just before, of the same length
//! (docs/semantics.md §12). Loaded like the chart: wanted when a page arrives, started on the next
//! tick, only the latest load's answer kept. The numbers come from [`crate::query::projection`]
//! and [`crate::query::compare`], the code the CLI's `--project-month` and `--compare` run.

use std::collections::HashMap;

use crate::query::compare::{self, Change, CompareTo, Delta};
use crate::query::projection::{self, MonthWindows, Projection, ProjectionError};
use crate::query::{CostSource, DataKind, QueryError, QueryRequest, Window};

use super::action::Effect;
use super::state::{State, table_index};
use super::tab::Loadable;

/// The current query compared with the window before it: Δ per row name, the totals' Δ and the
/// names of the rows only in the earlier window (`gone`; they have no row on the page).
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// Row name → its comparison (rows of the current answer: `both` or `new`).
    pub rows: HashMap<String, Delta>,
    /// The totals' comparison.
    pub totals: Delta,
    /// Rows only in the earlier window, largest earlier cost first.
    pub gone: Vec<(String, f64)>,
    /// The window compared with.
    pub previous_window: Window,
}

/// What was loaded for a view after its page.
#[derive(Clone, Debug, PartialEq)]
pub struct Insight {
    /// The month's windows and the totals' month-to-date and projection; `None` without data.
    pub month: Option<(MonthWindows, Projection)>,
    /// The comparison, when `D` is on.
    pub compared: Option<Compared>,
}

/// A view's [`Insight`] load.
pub type InsightState = Loadable<Insight>;

/// Run the projection and, when `with_delta`, the comparison of `request` (blocking; the effect
/// runner calls it).
///
/// Errors: any query's (a kind without data has no month, not an error).
pub fn load(source: &dyn CostSource, request: &QueryRequest, with_delta: bool) -> Result<Insight, QueryError> {
    let month = match projection::project_totals(source, request) {
        Ok(m) => Some(m),
        Err(ProjectionError::NoData(_)) => None,
        Err(ProjectionError::Query(e)) => return Err(e),
    };
    let compared = match with_delta {
        false => None,
        true => {
            let c = compare::compare(source, &request.whole(request.window), CompareTo::Previous)?;
            let mut rows = HashMap::new();
            let mut gone = Vec::new();
            for (r, d) in c.page.rows.iter().zip(&c.deltas) {
                match d.change {
                    Change::Gone => gone.push((r.name.clone(), d.previous)),
                    _ => {
                        rows.insert(r.name.clone(), *d);
                    }
                }
            }
            gone.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Some(Compared {
                rows,
                totals: c.totals,
                gone,
                previous_window: c.previous_window,
            })
        }
    };
    Ok(Insight { month, compared })
}

impl State {
    /// `D`: show or hide the Δ and Δ % columns of the cost views.
    pub(super) fn toggle_delta(&mut self) -> Vec<Effect> {
        self.delta_shown = !self.delta_shown;
        self.info(if self.delta_shown {
            "Δ vs the previous window of the same length (D hides it)"
        } else {
            "Δ hidden"
        });
        for t in &mut self.tables {
            t.insight = InsightState::Wanted;
        }
        self.load_insight_if_wanted()
    }

    /// Start the visible cost view's insight load when it is wanted and no page query is pending.
    pub(super) fn load_insight_if_wanted(&mut self) -> Vec<Effect> {
        let with_delta = self.delta_shown;
        let Some(t) = self.active_table() else { return Vec::new() };
        if t.insight != InsightState::Wanted || t.pending.is_some() || t.page.is_none() {
            return Vec::new();
        }
        let Some(request) = t.request() else { return Vec::new() };
        let generation = self.generation();
        if let Some(t) = self.active_table_mut() {
            t.insight = InsightState::Loading(generation);
        }
        vec![Effect::LoadInsight {
            request,
            with_delta,
            generation,
        }]
    }

    /// The answer of an insight load; a stale generation is dropped.
    pub(super) fn on_insight(&mut self, kind: DataKind, generation: u64, result: Result<Box<Insight>, QueryError>) {
        let t = &mut self.tables[table_index(kind)];
        if t.insight == InsightState::Loading(generation) {
            t.insight = match result {
                Ok(i) => InsightState::Ready(*i),
                Err(e) => InsightState::Failed(e.to_string()),
            };
        }
    }
}
