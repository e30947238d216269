//! File logging for TUI sessions: while the terminal is in raw mode nothing may be printed to the
//! screen, so `tracing` output goes to `<dir>/costscope.log` (appended) instead. Level from
//! `COSTSCOPE_LOG` (an `EnvFilter` directive, default `info`).

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Send `tracing` events to `dir/costscope.log` (creating `dir`). Keep the returned guard
/// alive until the program ends: dropping it flushes the log. When a global subscriber is
/// already installed, that one stays and this does nothing but return a guard.
///
/// Errors: `dir` cannot be created.
pub fn log_to_file(dir: &Path) -> Result<WorkerGuard> {
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating the log directory {}", dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(tracing_appender::rolling::never(dir, "costscope.log"));
    let filter = EnvFilter::try_from_env("COSTSCOPE_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let installed = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed; keeping it");
    }
    Ok(guard)
}
