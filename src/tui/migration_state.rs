//! State of the Migration view (tab 5): the newest [`MigrationStatus`] published by the
//! background scanner ([`crate::migration::run_loop`]), the selected cluster, and whether its list
//! of missing and mismatched days is open. Part of [`super::state::State`]'s reducer.

use crate::migration::{ClusterReport, DayRecord, MigrationReport, MigrationStatus, ParityMismatch};

use super::action::{Command, Effect};
use super::input::{Prompt, PromptError, PromptKind};
use super::state::State;

/// Longest horizon `H` accepts, in days (ten years of daily sets).
pub const MAX_HORIZON_DAYS: i64 = 3650;

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
    /// The horizon the scanner counts progress over (`H`; `--horizon-days`): the last N days of
    /// the report, or `None` for the federated window.
    pub horizon_days: Option<i64>,
}

/// One line of a cluster's detail list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DetailLine<'a> {
    /// A day the strip marks as not done (`PENDING`, `EMPTY`, `THANOS_ONLY`), in the counted window
    /// or not ([`ClusterReport::unfinished_days`]).
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

    /// The selected cluster's days that are not done (every one its strip marks), then its parity
    /// mismatches.
    pub fn detail_lines(&self) -> Vec<DetailLine<'_>> {
        let (Some(r), Some(c)) = (self.report(), self.selected_cluster()) else {
            return Vec::new();
        };
        let missing = c.unfinished_days().into_iter().map(DetailLine::Missing);
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
    /// Apply the `H` prompt's text: a whole number of days (1 to [`MAX_HORIZON_DAYS`]) counts
    /// progress over the report's last N days, empty over the federated window; the scanner
    /// rescans with it. A bad value keeps the prompt open with the message.
    pub(super) fn submit_horizon(&mut self, text: &str) -> Vec<Effect> {
        let text = text.trim();
        let parsed = match text {
            "" => Ok(None),
            t => t
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=MAX_HORIZON_DAYS).contains(d))
                .map(Some)
                .ok_or_else(|| {
                    format!("{t:?}: give a whole number of days from 1 to {MAX_HORIZON_DAYS}, or nothing for the federated window")
                }),
        };
        match parsed {
            Err(message) => self.refuse(PromptError { message, column: None }),
            Ok(days) => {
                self.prompt = None;
                self.migration.horizon_days = days;
                self.info(match days {
                    Some(n) => format!("migration progress counted over the last {n} days; rescanning"),
                    None => "migration progress counted over the federated window; rescanning".to_string(),
                });
                vec![Effect::SetMigrationHorizon(days)]
            }
        }
    }

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
            Command::Open(PromptKind::Horizon) => {
                let text = m.horizon_days.map(|d| d.to_string()).unwrap_or_default();
                self.prompt = Some(Prompt::new(PromptKind::Horizon, &text));
            }
            _ => self.info("this key applies to the cost views (1–3)"),
        }
    }
}
