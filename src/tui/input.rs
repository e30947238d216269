//! The one-line editor behind the `a` (aggregate), `w` (window) and `/` (filter) prompts: a
//! character buffer with a cursor (insert, backspace, delete, left/right, home/end, clear), and
//! the prompt around it with its validation error (message and, for filters, the 1-based column
//! the caret points at). Pure state, no terminal code.

/// A single-line text buffer with a cursor, counted in characters (not bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    chars: Vec<char>,
    cursor: usize,
}

impl LineInput {
    /// A buffer holding `text` with the cursor at its end.
    pub fn new(text: &str) -> LineInput {
        let chars: Vec<char> = text.chars().collect();
        let cursor = chars.len();
        LineInput { chars, cursor }
    }

    /// The text.
    pub fn text(&self) -> String {
        self.chars.iter().collect()
    }

    /// The characters.
    pub fn chars(&self) -> &[char] {
        &self.chars
    }

    /// Cursor position: the index (0..=len, in characters) before which typing inserts.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Insert `c` at the cursor and move past it.
    pub fn insert(&mut self, c: char) {
        self.chars.insert(self.cursor, c);
        self.cursor += 1;
    }

    /// Delete the character before the cursor (no-op at the start).
    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }

    /// Delete the character under the cursor (no-op at the end).
    pub fn delete(&mut self) {
        if self.cursor < self.chars.len() {
            self.chars.remove(self.cursor);
        }
    }

    /// Move one character left.
    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    /// Move one character right.
    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.chars.len());
    }

    /// Move to the start.
    pub fn home(&mut self) {
        self.cursor = 0;
    }

    /// Move to the end.
    pub fn end(&mut self) {
        self.cursor = self.chars.len();
    }

    /// Remove everything.
    pub fn clear(&mut self) {
        self.chars.clear();
        self.cursor = 0;
    }
}

/// What a prompt edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// `a`: aggregate keys (`namespace`, `cluster,label:team`).
    Aggregate,
    /// `w`: window (`7d`, `lastweek`, a date pair; empty = the newest 7 days of data).
    Window,
    /// `/`: Kubecost filter v2, or plain text to search row names.
    Filter,
    /// `h`: shared costs (`kube-system,monitoring split=even cost=300`; allocations only).
    Share,
    /// `:`: a command line ([`super::command_line`]).
    Command,
    /// `H` (Migration view): the horizon progress is counted over, in days (`--horizon-days`).
    Horizon,
}

impl PromptKind {
    /// The label shown before the input: `aggregate`, `window`, `filter`.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Aggregate => "aggregate",
            PromptKind::Window => "window",
            PromptKind::Filter => "filter",
            PromptKind::Share => "share",
            PromptKind::Command => "",
            PromptKind::Horizon => "horizon days",
        }
    }

    /// A one-line hint of accepted input, shown until the first error.
    pub fn hint(self) -> &'static str {
        match self {
            PromptKind::Aggregate => "e.g. namespace · cluster · controller · label:team · namespace,label:app",
            PromptKind::Window => "e.g. 7d · 30d · lastweek · month · 2026-11-01,2026-11-08 · empty = newest 7 days",
            PromptKind::Filter => r#"e.g. namespace:"kube-system" · cluster!:"dev" · plain text = name search · empty = none"#,
            PromptKind::Share => {
                "e.g. kube-system,monitoring · labels=team:infra · cost=300 (USD/month) · split=even · tenancy=true · empty = none"
            }
            PromptKind::Command => "alloc · assets · cloud · pipeline · migration · ns · pod · cluster,label:team · q",
            PromptKind::Horizon => "count % done over the last N days, e.g. 30 · 90 · empty = the federated window",
        }
    }
}

/// Why the last submitted text was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromptError {
    /// What was wrong and what is accepted.
    pub message: String,
    /// 1-based character column of the problem (filters), for the caret.
    pub column: Option<usize>,
}

/// An open prompt: what it edits, the editor and the last validation error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// What the prompt edits.
    pub kind: PromptKind,
    /// The text being edited.
    pub input: LineInput,
    /// The error of the last submit, cleared by the next edit.
    pub error: Option<PromptError>,
}

impl Prompt {
    /// A prompt for `kind` pre-filled with `text`.
    pub fn new(kind: PromptKind, text: &str) -> Prompt {
        Prompt {
            kind,
            input: LineInput::new(text),
            error: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_at_the_cursor() {
        let mut l = LineInput::new("nmespace");
        l.home();
        l.right();
        l.insert('a');
        assert_eq!(l.text(), "namespace");
        assert_eq!(l.cursor(), 2);
        l.end();
        l.backspace();
        assert_eq!(l.text(), "namespac");
        l.home();
        l.delete();
        assert_eq!(l.text(), "amespac");
        l.left();
        assert_eq!(l.cursor(), 0);
        l.backspace();
        assert_eq!(l.text(), "amespac");
        l.end();
        l.right();
        assert_eq!(l.cursor(), 7);
        l.delete();
        assert_eq!(l.text(), "amespac");
        l.clear();
        assert_eq!((l.text().as_str(), l.cursor()), ("", 0));
    }

    #[test]
    fn multibyte_characters_count_once() {
        let mut l = LineInput::new("é");
        l.insert('ü');
        assert_eq!(l.text(), "éü");
        l.left();
        l.backspace();
        assert_eq!(l.text(), "ü");
    }
}
