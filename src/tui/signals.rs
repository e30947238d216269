//! Signals that end a running TUI through its normal exit path (docs/reliability.md, "Terminal
//! and pipes"): SIGTERM (`kill`, a closing tmux or systemd session), SIGHUP (the terminal went
//! away) and SIGINT (`kill -INT`; Ctrl-C in raw mode is a key, which quits too). Without them the
//! default action killed the process with the terminal still in raw mode on the alternate screen.

/// The signals that end the TUI, registered once: from then on they no longer kill the process,
/// they are received here.
pub struct EndSignals {
    #[cfg(unix)]
    signals: Vec<(tokio::signal::unix::Signal, &'static str)>,
}

impl EndSignals {
    /// Register SIGTERM, SIGHUP and SIGINT (on other systems, Ctrl-C only).
    ///
    /// Errors: the signal handler cannot be installed.
    pub fn register() -> std::io::Result<EndSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(EndSignals {
                signals: vec![
                    (signal(SignalKind::terminate())?, "SIGTERM"),
                    (signal(SignalKind::hangup())?, "SIGHUP"),
                    (signal(SignalKind::interrupt())?, "SIGINT"),
                ],
            })
        }
        #[cfg(not(unix))]
        Ok(EndSignals {})
    }

    /// Wait for the next of the signals; returns its name (`SIGTERM`, …).
    pub async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            let waits = self.signals.iter_mut().map(|(s, name)| {
                Box::pin(async move {
                    s.recv().await;
                    *name
                })
            });
            futures::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}
