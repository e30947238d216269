//! File logging for TUI sessions: while the terminal is in raw mode nothing may be printed to the
//! screen, so `tracing` output goes to `<dir>/costscope.log` (appended) instead. Level from
//! `COSTSCOPE_LOG` (an `EnvFilter` directive, default `info`). Every line is scrubbed of the
//! store's credentials.

use std::path::Path;

use color_eyre::eyre::{Result, WrapErr};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// A writer that removes registered credentials ([`crate::config::secret::scrub`]) from what it
/// writes; the fmt layer writes one whole event per call.
struct Scrubbing<W>(W);

impl<W: std::io::Write> std::io::Write for Scrubbing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let raw = String::from_utf8_lossy(buf);
        self.0.write_all(crate::config::secret::scrub(&raw).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Send `tracing` events to `dir/costscope.log` (creating `dir`). Keep the returned guard
/// alive until the program ends: dropping it flushes the log. When a global subscriber is
/// already installed, that one stays and this does nothing but return a guard.
///
/// Errors: `dir` cannot be created.
pub fn log_to_file(dir: &Path) -> Result<WorkerGuard> {
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating the log directory {}", dir.display()))?;
    // Private to the user (0600): a log line could hold what a server echoed back.
    let path = dir.join("costscope.log");
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let f = std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path);
        let f = f.wrap_err_with(|| format!("creating {}", path.display()))?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .wrap_err_with(|| format!("making {} private", path.display()))?;
    }
    let file = tracing_appender::rolling::never(dir, "costscope.log");
    let (writer, guard) = tracing_appender::non_blocking(Scrubbing(file));
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
