//! Whether the visible view's figures are complete: an ingest pass in progress, or a page computed
//! during one (docs/user-guide.md, "Loading"). Part of [`super::State`]'s reducer.

use crate::progress::{Phase, TaskId, TaskProgress};

use super::super::tab::TableTab;
use super::State;

/// Why totals are incomplete ([`State::totals_incomplete`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incomplete {
    /// An ingest pass is listing (`total` 0) or loading files: `done` of `total`.
    Loading { done: u64, total: u64 },
    /// The pass is over; the page shown was computed during it and is being asked again.
    Refreshing,
}

impl State {
    /// `(done, total)` files while the visible view's figures may still change with the running
    /// ingest pass, so its totals are marked incomplete (docs/user-guide.md, "Loading"):
    /// * the first pass since the TUI started (no `last_run`) while it has not started, lists, or
    ///   loads any file: what the database holds is not yet known to be the bucket's;
    /// * a later pass while it loads files whose windows touch the view's window, or — when the
    ///   window follows the data — lie after its start (newer data moves the window).
    ///
    /// A later pass that is only listing (the rescan every few seconds) or has nothing to load
    /// marks nothing: the database already holds the previous pass's files.
    pub fn ingest_in_progress(&self) -> Option<(u64, u64)> {
        let table = self.active_table();
        let window = table.and_then(|t| t.window);
        let follows = table.is_some_and(TableTab::follows_data);
        let touches = |span: Option<(i64, i64)>| match (span, window) {
            (Some((_, e)), Some(w)) if follows => e > w.start.timestamp(),
            (Some((s, e)), Some(w)) => s < w.end.timestamp() && e > w.start.timestamp(),
            _ => true,
        };
        let t = self.task(TaskId::Ingest)?;
        let first_pass = t.last_run.is_none();
        let loading = match t.phase {
            Phase::Idle | Phase::Listing => first_pass,
            Phase::Running => t.done < t.total && (first_pass || touches(t.pending_span)),
            Phase::Waiting | Phase::Done | Phase::Failed => false,
        };
        loading.then_some((t.done, t.total))
    }

    /// Why the visible view's totals are incomplete, if they are: an ingest pass is loading files
    /// ([`State::ingest_in_progress`]), or the page shown was computed during one and its refresh
    /// has not arrived yet. The header and the totals row say so; idle rows show no figure.
    pub fn totals_incomplete(&self) -> Option<Incomplete> {
        if let Some((done, total)) = self.ingest_in_progress() {
            return Some(Incomplete::Loading { done, total });
        }
        self.active_table().filter(|t| t.page_partial).map(|_| Incomplete::Refreshing)
    }

    /// Take a task's new snapshot; a pass that advanced makes the views re-query on the next
    /// due tick.
    pub(super) fn on_progress(&mut self, p: TaskProgress) {
        match self.tasks.iter_mut().find(|t| t.task == p.task) {
            Some(old) => {
                let advanced = p.done > old.done
                    || (p.phase != old.phase && matches!(p.phase, Phase::Waiting | Phase::Done))
                    || p.last_run != old.last_run;
                if p.task == TaskId::Ingest && advanced {
                    self.ingest_advanced = true;
                }
                *old = p;
            }
            None => {
                if p.task == TaskId::Ingest && p.done > 0 {
                    self.ingest_advanced = true;
                }
                self.tasks.push(p);
            }
        }
    }
}
