//! The CLI's progress display for a background task ([`TaskProgress`] snapshots on a
//! `tokio::sync::watch` channel): an `indicatif` bar on stderr when stderr is a terminal; else, for
//! logs and pipes, a plain line when the phase changes, at the end of a pass, or at most once a
//! second — never `\r` or escape bytes.

use crate::config::secret::scrub;
use crate::progress::{Phase, TaskProgress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running display; [`Display::println`] prints a line above the bar without tearing it.
pub struct Display {
    bar: Option<ProgressBar>,
    task: JoinHandle<()>,
}

impl Display {
    /// Print `line` to stderr above the bar (or as is without a bar).
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{}", scrub(line))),
            None => eprintln!("{}", scrub(line)),
        }
    }

    /// Run `f` (which may print to stdout or stderr) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Wait until the channel closes, then clear the bar.
    pub async fn finish(self) {
        let _ = self.task.await;
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

/// Show `rx`'s snapshots, each described by `line` (e.g. `ingest: 6/97 files, …`). `quiet`
/// shows nothing on a terminal (logs still get their lines only when stderr is not a terminal and
/// `quiet` is false).
pub fn spawn(mut rx: watch::Receiver<TaskProgress>, line: fn(&TaskProgress) -> String, quiet: bool) -> Display {
    let tty = std::io::stderr().is_terminal();
    let bar = (tty && !quiet).then(|| {
        let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} [{bar:24}] {wide_msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        b.set_style(style);
        b.enable_steady_tick(Duration::from_millis(120));
        b
    });
    let shown = bar.clone();
    let task = tokio::spawn(async move {
        let mut last: Option<(Instant, Phase)> = None;
        while rx.changed().await.is_ok() {
            let p = rx.borrow_and_update().clone();
            if let Some(b) = &shown {
                b.set_length(p.total.max(1));
                b.set_position(p.done);
                b.set_message(line(&p));
                continue;
            }
            if quiet || tty {
                continue;
            }
            let due = match last {
                None => true,
                Some((at, phase)) => phase != p.phase || p.done == p.total || at.elapsed() >= Duration::from_secs(1),
            };
            if due {
                eprintln!("{}", scrub(&line(&p)));
                last = Some((Instant::now(), p.phase));
            }
        }
    });
    Display { bar, task }
}
