//! The status-line message: set by the reducer, gone at the next key or after
//! [`MESSAGE_TICKS`] (issue 28: stale messages). Part of [`super::State`]'s reducer.

use super::super::action::Effect;
use super::super::input::PromptError;
use super::{State, TICKS_PER_SECOND};

/// The status-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Text for the user.
    pub text: String,
    /// Shown in red when true.
    pub is_error: bool,
    /// [`State::tick`] when it was set: it goes after [`MESSAGE_TICKS`] (errors after twice as
    /// long), or at the next key, whichever comes first (issue 28: stale messages).
    pub set_at: u64,
}

/// Ticks a status message stays without a key press (8 seconds).
pub const MESSAGE_TICKS: u64 = 8 * TICKS_PER_SECOND;

impl State {
    /// Keep the open prompt, showing why its text was refused (no work to start).
    pub(in crate::tui) fn refuse(&mut self, error: PromptError) -> Vec<Effect> {
        if let Some(p) = self.prompt.as_mut() {
            p.error = Some(error);
        }
        Vec::new()
    }

    /// Show `text` in the status line.
    pub(in crate::tui) fn info(&mut self, text: impl Into<String>) {
        self.say(text.into(), false);
    }

    /// Show `text` in the status line, in red.
    pub(in crate::tui) fn error(&mut self, text: impl Into<String>) {
        self.say(text.into(), true);
    }

    fn say(&mut self, text: String, is_error: bool) {
        self.message = Some(Message {
            text,
            is_error,
            set_at: self.tick,
        });
    }

    /// Drop the message once it has lived its time (errors twice as long).
    pub(super) fn expire_message(&mut self) {
        let tick = self.tick;
        self.message = self.message.take().filter(|m| {
            let life = if m.is_error { 2 * MESSAGE_TICKS } else { MESSAGE_TICKS };
            tick < m.set_at + life
        });
    }
}
