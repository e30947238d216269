//! One statement for every step of a cost-over-time query (`--accumulate false`, `day`, …;
//! `docs/semantics.md` §10): each row of the tables gets the index of the step its ETL set falls
//! in (`_st`), and the allocation query groups by it everywhere it groups by cluster (rows,
//! idle, the hours covered), so 30 daily steps cost about one query instead of 30.

use super::params::Params;
use super::query_common::resolution;
use crate::query::{QueryRequest, Window};

/// The step boundaries of one statement, bound as parameters.
pub struct Stepper {
    /// Markers of each step's end (unix seconds, exclusive), in order, but the last (every
    /// later row is in the last step; DuckDB refuses a bound value the statement does not use).
    ends: Vec<String>,
}

/// Most steps one statement takes; more (e.g. hourly steps over months) run step by step.
const MAX_STEPS: usize = 400;

impl Stepper {
    /// The stepper for `windows` (the steps of `req.window`, in order), or `None` when one
    /// statement would not answer like the steps one by one: too many steps, a step answered by
    /// another resolution than the whole window, or a boundary inside an ETL set of that
    /// resolution (a set would then count in two steps).
    pub fn for_steps(req: &QueryRequest, windows: &[Window], p: &mut Params) -> Option<Stepper> {
        if windows.is_empty() || windows.len() > MAX_STEPS {
            return None;
        }
        let res = resolution(req);
        let unit = res.seconds();
        let fits = windows.iter().all(|w| {
            let step = QueryRequest { window: *w, ..req.clone() };
            resolution(&step) == res && w.start.timestamp() % unit == 0 && w.end.timestamp() % unit == 0
        });
        fits.then(|| Stepper {
            ends: windows[..windows.len() - 1].iter().map(|w| p.int(w.end.timestamp())).collect(),
        })
    }

    /// SQL of the step index (0-based) of a row whose set starts at column `col`.
    pub fn expr(&self, col: &str) -> String {
        let n = self.len();
        if n == 1 {
            return "0".into();
        }
        let arms: String = self
            .ends
            .iter()
            .enumerate()
            .map(|(i, e)| format!(" WHEN {col} < {e} THEN {i}"))
            .collect();
        format!("(CASE{arms} ELSE {} END)", n - 1)
    }

    /// Number of steps.
    pub fn len(&self) -> usize {
        self.ends.len() + 1
    }
}
