//! The event loop: one `tokio::select!` over crossterm's `EventStream`, a 250 ms tick
//! (spinner, debounced series loads and refreshes), and an mpsc channel on which blocking
//! queries (`spawn_blocking`) and progress forwarders (one per `watch` receiver, waiting on
//! `changed()`) deliver [`Action`]s; SIGTERM, SIGHUP and SIGINT end it like `q` does. The reducer decides; this loop only draws and runs effects,
//! so input never waits on I/O.

use std::time::Duration;

use color_eyre::eyre::eyre;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::{mpsc, watch};
use tokio::time::MissedTickBehavior;

use crate::migration::MigrationStatus;
use crate::progress::TaskProgress;

use super::TuiContext;
use super::action::{Action, Effect};
use super::state::{State, TICKS_PER_SECOND};
use super::view;

/// Shortest gap between two progress snapshots forwarded for one task (the `watch` channel keeps
/// only the newest value, so nothing is lost, only coalesced).
const PROGRESS_MIN_GAP: Duration = Duration::from_millis(100);

/// What the loop receives besides terminal events and ticks.
use super::runner::{Runner, RunnerMessage as Message};

/// Run the TUI on `terminal` until quit. See [`super::run`].
pub async fn event_loop(terminal: &mut DefaultTerminal, ctx: TuiContext) -> color_eyre::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let tasks: Vec<TaskProgress> = ctx.progress.iter().map(|r| r.borrow().clone()).collect();
    for receiver in ctx.progress {
        tokio::spawn(forward_progress(receiver, tx.clone()));
    }
    let mut state = State::new(ctx.store_label, ctx.export_dir, ctx.now, tasks);
    state.set_labels(&ctx.labels);
    if let Some(receiver) = ctx.migration {
        state.update(Action::Migration(receiver.borrow().clone()));
        tokio::spawn(forward_migration(receiver, tx.clone()));
    }
    let size = terminal.size()?;
    state.update(Action::Resize(size.width, size.height));
    let runner = Runner::new(ctx.source, tx.clone());
    runner.start_all(state.start());

    let mut signals = super::signals::EndSignals::register()?;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(1000 / TICKS_PER_SECOND));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut redraw = true;
    loop {
        if redraw {
            terminal.draw(|frame| view::draw(frame, &state))?;
        }
        let action = tokio::select! {
            event = events.next() => match event {
                None => return Ok(()),
                Some(Err(e)) => return Err(eyre!("reading terminal events: {e}")),
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Action::Key(key),
                Some(Ok(Event::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(_)) => {
                    redraw = false;
                    continue;
                }
            },
            name = signals.recv() => {
                tracing::info!(signal = name, "ending the TUI on a signal");
                return Ok(());
            }
            _ = tick.tick() => Action::Tick,
            Some(message) = rx.recv() => match message {
                Message::Action(a) => a,
                Message::Panicked(why) => return Err(eyre!("a background query panicked: {why}")),
            },
        };
        // Progress snapshots only change what the next tick draws.
        redraw = !matches!(action, Action::Progress(_));
        for effect in state.update(action) {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::SetMigrationHorizon(days) => {
                    if let Some(tx) = &ctx.migration_horizon {
                        tx.send_replace(days);
                    }
                }
                other => runner.start(other),
            }
        }
    }
}

/// Forward every new migration status as [`Action::Migration`] until the scanner or the TUI goes
/// away.
async fn forward_migration(mut receiver: watch::Receiver<MigrationStatus>, tx: mpsc::UnboundedSender<Message>) {
    while receiver.changed().await.is_ok() {
        let mut status = receiver.borrow_and_update().clone();
        status.error = status.error.map(|e| crate::config::secret::scrub(&e).into_owned());
        if tx.send(Message::Action(Action::Migration(status))).is_err() {
            return;
        }
    }
}

/// Forward every change of one task's progress as [`Action::Progress`], at most one per
/// [`PROGRESS_MIN_GAP`], until the task or the TUI goes away.
async fn forward_progress(mut receiver: watch::Receiver<TaskProgress>, tx: mpsc::UnboundedSender<Message>) {
    while receiver.changed().await.is_ok() {
        let snapshot = receiver.borrow_and_update().clone().scrubbed();
        if tx.send(Message::Action(Action::Progress(snapshot))).is_err() {
            return;
        }
        tokio::time::sleep(PROGRESS_MIN_GAP).await;
    }
}
