//! Runs the reducer's effects on blocking threads, latest wins (gitui's `AsyncSingleJob`): per
//! data kind at most one page query runs and one waits. A newer page query replaces the waiting
//! one (its answer would be stale anyway: the reducer only takes the newest generation) and, when
//! nothing else is in flight, interrupts the running one ([`CostSource::interrupt`]), so twenty
//! quick aggregate changes cost about one query, not twenty queued behind the reader. Other
//! effects (extent, series, export) just run.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::query::{CostSource, DataKind};

use super::action::{Action, Effect};
use super::effect::perform;

/// What a finished effect reports to the event loop.
#[derive(Debug)]
pub enum RunnerMessage {
    /// The effect's answer.
    Action(Action),
    /// A blocking task panicked (the panic hook has already restored the terminal).
    Panicked(String),
}

#[derive(Default)]
struct Slots {
    /// Per kind (index of [`DataKind::ALL`]): a page query is running.
    running: [bool; 3],
    /// Per kind: the newest page query waiting for the running one.
    waiting: [Option<Effect>; 3],
    /// Effects of any type started and not finished.
    in_flight: usize,
}

/// Starts effects and sends their answers to `tx`. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Runner {
    source: Arc<dyn CostSource>,
    tx: mpsc::UnboundedSender<RunnerMessage>,
    slots: Arc<Mutex<Slots>>,
}

fn slot(kind: DataKind) -> usize {
    match kind {
        DataKind::Allocation => 0,
        DataKind::Asset => 1,
        DataKind::CloudCost => 2,
    }
}

impl Runner {
    /// A runner answering from `source` into `tx`.
    pub fn new(source: Arc<dyn CostSource>, tx: mpsc::UnboundedSender<RunnerMessage>) -> Runner {
        Runner {
            source,
            tx,
            slots: Arc::default(),
        }
    }

    /// Start every effect of `effects`.
    pub fn start_all(&self, effects: Vec<Effect>) {
        for e in effects {
            self.start(e);
        }
    }

    /// Start `effect`, or for a page query while one of its kind runs, make it the waiting one
    /// (see the module docs). Must be called inside a tokio runtime.
    pub fn start(&self, effect: Effect) {
        if let Effect::RunQuery { request, .. } = &effect {
            let kind = request.kind;
            let k = slot(kind);
            let mut s = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if s.running[k] {
                let replaced = s.waiting[k].replace(effect).is_some();
                tracing::debug!(?kind, replaced, "page query waits for the running one");
                if s.in_flight == 1 {
                    self.source.interrupt();
                }
                return;
            }
            s.running[k] = true;
        }
        self.spawn(effect);
    }

    fn spawn(&self, effect: Effect) {
        let kind = match &effect {
            Effect::RunQuery { request, .. } => Some(request.kind),
            _ => None,
        };
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).in_flight += 1;
        let me = self.clone();
        tokio::spawn(async move {
            let source = Arc::clone(&me.source);
            let outcome = tokio::task::spawn_blocking(move || perform(source.as_ref(), effect)).await;
            let next = {
                let mut s = me.slots.lock().unwrap_or_else(|e| e.into_inner());
                s.in_flight -= 1;
                match kind.map(slot) {
                    Some(k) => {
                        let next = s.waiting[k].take();
                        s.running[k] = next.is_some();
                        next
                    }
                    None => None,
                }
            };
            if let Some(next) = next {
                me.spawn(next);
            }
            let message = match outcome {
                Ok(Some(action)) => RunnerMessage::Action(action),
                Ok(None) => return,
                Err(e) if e.is_panic() => RunnerMessage::Panicked(e.to_string()),
                Err(e) => {
                    tracing::warn!("query task cancelled: {e}");
                    return;
                }
            };
            // The loop may have ended (quit); then nobody needs the answer.
            let _ = me.tx.send(message);
        });
    }
}
