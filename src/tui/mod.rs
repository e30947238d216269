//! The interactive terminal UI (`costscope` with no subcommand), in the style of k9s: browse
//! allocations, assets and cloud costs page by page with aggregate / window / filter / idle /
//! sort, drill down from cluster to container, export to CSV, and watch the background tasks.
//!
//! Structure (the shape of ratatui's component template):
//! * [`state`] + [`cost_view`] — the whole state and a pure reducer
//!   `State::update(Action) -> Vec<Effect>`; [`tab`] holds one cost view's state,
//!   [`page_span`] the page arithmetic, [`input`] the prompt's line editor, [`keys`] the bindings.
//! * [`action`] — `Action` (keys, ticks, answers, progress), `Command`, `Effect`.
//! * [`effect`] — runs an `Effect` against the [`CostSource`] (blocking); [`export`] writes CSV.
//! * [`view`] — pure rendering `view::draw(frame, &State)`; [`migration_state`] holds the Migration
//!   view's state, fed by the background scanner of [`crate::migration`].
//! * [`runtime`] — the tokio event loop (terminal events, ticks, answers, progress, and the
//!   [`signals`] that end it).
//!
//! The TUI never sees SQL: it only calls [`CostSource`] and reads [`TaskProgress`] snapshots.

pub mod action;
pub mod chart_state;
pub mod command_line;
pub mod cost_view;
pub mod effect;
pub mod export;
pub mod format;
pub mod input;
pub mod insight;
pub mod keys;
pub mod logging;
pub mod migration_state;
pub mod page_span;
pub mod runner;
pub mod runtime;
pub mod savings_kinds;
pub mod savings_state;
pub mod signals;
pub mod sources_state;
pub mod state;
pub mod tab;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::progress::TaskProgress;
use crate::query::CostSource;

pub use action::{Action, Command, Effect};
pub use state::{State, Tab};

/// Everything the TUI needs from the caller.
pub struct TuiContext {
    /// Which store is open, shown in the header (e.g. `s3://bucket/prefix` or a directory).
    pub store_label: String,
    /// Answers every cost query (the DuckDB aggregator in the binary).
    pub source: Arc<dyn CostSource>,
    /// One progress channel per background task (`federator`, `ingest`), in display order.
    pub progress: Vec<watch::Receiver<TaskProgress>>,
    /// Directory where `e` writes CSV exports (created when missing).
    pub export_dir: PathBuf,
    /// Clock; `Utc::now` in the binary, a fixed time in tests.
    pub now: fn() -> DateTime<Utc>,
    /// Status of the background migration scanner ([`crate::migration::run_loop`]) for the
    /// Migration view; `None` when none runs.
    pub migration: Option<watch::Receiver<crate::migration::MigrationStatus>>,
    /// Where the Migration view's `H` sends a new horizon (days, `None` = the federated window)
    /// for that scanner; `None` when no scanner runs.
    pub migration_horizon: Option<watch::Sender<Option<i64>>>,
    /// Label config of the alias fields and keys (`team`, `product`, …), from the app config.
    pub labels: crate::query::LabelConfig,
}

/// Run the TUI until the user quits. Takes over the terminal with `ratatui::try_init()` (raw
/// mode, alternate screen, and a panic hook that restores the terminal — install the
/// color-eyre hooks before calling this) and always restores it on return, whether the loop
/// ended by quitting, by SIGTERM / SIGHUP / SIGINT ([`signals`]) or by an error.
///
/// Errors: the terminal cannot be set up or drawn, the event stream fails, or a query task
/// panicked.
pub async fn run(ctx: TuiContext) -> color_eyre::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = runtime::event_loop(&mut terminal, ctx).await;
    ratatui::restore();
    result
}
