//! State of the Migration view (tab 5): the newest [`MigrationStatus`] published by the
//! background scanner ([`crate::migration::run_loop`]), the selected cluster, and whether its list
//! of missing and mismatched days is open. Part of [`super::state::State`]'s reducer.

use crate::migration::{ClusterReport, DayRecord, MigrationReport, MigrationStatus, ParityMismatch};

use super::action::Command;
use super::state::State;

/// The Migration view's state.
#[derive(Clone, Debug, Default)]
pub struct MigrationView {
    /// Latest status from the background scanner; `None` when no scanner runs in this session.
    pub status: Option<MigrationStatus>,
    /// Index of the selected cluster in the report.
    pub selected: usize,
    /// True while the selected cluster's missing/mismatched days are listed (Enter; Esc closes).
    pub detail: bool,
    /// First line shown of that list.
    pub scroll: usize,
}

/// One line of a cluster's detail list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DetailLine<'a> {
    /// A day that is `PENDING`, `THANOS_ONLY` or `NO_SOURCE` inside the cluster's source range.
    Missing(&'a DayRecord),
    /// A migrated day whose backup and federated totals differ.
    Mismatch(&'a ParityMismatch),
}

impl MigrationView {
    /// The newest report, if a scan has finished.
    pub fn report(&self) -> Option<&MigrationReport> {
        self.status.as_ref()?.report.as_deref()
    }

    /// The selected cluster of the newest report.
    pub fn selected_cluster(&self) -> Option<&ClusterReport> {
        self.report()?.clusters.get(self.selected)
    }

    /// The selected cluster's missing days, then its parity mismatches.
    pub fn detail_lines(&self) -> Vec<DetailLine<'_>> {
        let (Some(r), Some(c)) = (self.report(), self.selected_cluster()) else {
            return Vec::new();
        };
        let missing = c.missing_days().into_iter().map(DetailLine::Missing);
        missing.chain(r.mismatches_of(&c.cluster).map(DetailLine::Mismatch)).collect()
    }

    /// Take a new status, keeping the selection on the same cluster name when it still exists.
    pub fn apply(&mut self, status: MigrationStatus) {
        let name = self.selected_cluster().map(|c| c.cluster.clone());
        self.status = Some(status);
        let n = self.report().map_or(0, |r| r.clusters.len());
        let found = name.and_then(|n| self.report().and_then(|r| r.clusters.iter().position(|c| c.cluster == n)));
        self.selected = found.unwrap_or(self.selected).min(n.saturating_sub(1));
        self.scroll = self.scroll.min(self.detail_lines().len().saturating_sub(1));
    }
}

impl State {
    /// Apply a command on the Migration view: `j`/`k` move the cluster selection (or scroll the
    /// open list), Enter opens the selected cluster's missing and mismatched days, Esc closes it.
    pub(super) fn migration_command(&mut self, c: Command) {
        let m = &mut self.migration;
        let clusters = m.report().map_or(0, |r| r.clusters.len());
        let lines = m.detail_lines().len();
        let (pos, len) = if m.detail {
            (&mut m.scroll, lines)
        } else {
            (&mut m.selected, clusters)
        };
        let last = len.saturating_sub(1);
        match c {
            Command::Down => *pos = (*pos + 1).min(last),
            Command::Up => *pos = pos.saturating_sub(1),
            Command::NextPage => *pos = (*pos + 10).min(last),
            Command::PrevPage => *pos = pos.saturating_sub(10),
            Command::FirstPage => *pos = 0,
            Command::LastPage => *pos = last,
            Command::DrillDown if clusters > 0 => {
                m.detail = true;
                m.scroll = 0;
            }
            Command::DrillDown => self.info("no cluster to show yet"),
            Command::Back if m.detail => m.detail = false,
            Command::Back => self.info("already at the top level"),
            Command::Refresh => self.info("the migration view rescans the bucket in the background"),
            _ => self.info("this key applies to the cost views (1–3)"),
        }
    }
}
