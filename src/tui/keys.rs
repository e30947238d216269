//! Key bindings (docs/user-guide.md, Keys; k9s habits): decodes a crossterm key event into a [`Command`]
//! according to the current input mode. The help overlay ([`super::view::help`]) lists the same
//! bindings from [`KEY_HELP`], so the two cannot drift apart silently.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Command, Edit};
use super::input::PromptKind;
use super::state::Tab;

/// Which keys are live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Browsing a view.
    Normal,
    /// The `?` overlay is open.
    Help,
    /// A prompt (`a`, `w`, `/`) is open.
    Prompt,
}

/// Every binding as (keys, what they do), grouped by section titles (entries with empty keys).
pub const KEY_HELP: &[(&str, &str)] = &[
    ("", "Views"),
    ("Tab / S-Tab", "next / previous view"),
    ("1 2 3 4 5", "pick a view"),
    ("", "Move"),
    ("j k ↓ ↑", "row (crosses pages)"),
    ("n p C-f C-b", "next / previous page"),
    ("C-d C-u", "half a page down / up"),
    ("g G Home End", "first / last page"),
    ("Enter", "drill down"),
    ("Esc Backspace", "back up one level"),
    ("", "Other"),
    (":", "command line (:alloc :ns :q …)"),
    ("e", "export query to CSV"),
    ("d", "detail pane on / off"),
    (":cols cpu,ram", "choose columns (:cols all, :cols)"),
    ("r", "refresh now"),
    ("?", "this help"),
    ("q Ctrl-C", "quit"),
    ("", "Query"),
    ("a", "aggregate by"),
    ("w", "window"),
    ("/", "filter (Kubecost v2)"),
    ("s / S", "sort column / reverse"),
    ("i", "idle mode"),
    ("c", "cloud cost metric"),
    ("", "In a prompt"),
    ("Enter / Esc", "apply / cancel"),
    ("← → Home End", "move the cursor"),
    ("Ctrl-U", "clear the line"),
];

/// Key hints on the bottom line of a cost view (allocations, assets, cloud costs), most used
/// first so a narrow terminal keeps the important ones. Every key here is bound in
/// [`command_for`] (a unit test checks it).
pub const TABLE_HINTS: &str = "?:help  ⏎:drill  esc:back  /:filter  :cmd  a:aggregate  w:window  s/S:sort  i:idle  c:metric  n/p:page  C-d/C-u:½page  e:export  d:detail  r:refresh  q:quit";

/// Key hints on the bottom line of the migration view.
pub const MIGRATION_HINTS: &str = "?:help  :cmd  j/k:select cluster  ⏎:missing days  esc:close  1-4:other views  Tab:next view  q:quit";

/// Key hints on the bottom line of the pipeline view.
pub const PIPELINE_HINTS: &str = "?:help  :cmd  j/k:select failure  1-3:cost views  Tab:next view  q:quit";

/// Notes under the key list: what drill-down, windows and filters accept.
pub const HELP_NOTES: &[&str] = &[
    "drill: cluster → namespace → controller → pod → container",
    "window: 7d 30d lastweek month 2026-11-01,2026-11-08 (empty = newest 7 days)",
    r#"filter: namespace:"a","b"  cluster!:"dev"  label[team]~:"pay"  a+b  (a|b)"#,
    "filter: plain text (no : or \") keeps rows whose name contains it",
    ":alloc :assets :cloud :pipeline :migration  :ns :pod :<aggregate>  :q",
    "migration (5): Enter lists a cluster's missing and mismatched days",
];

/// The command for `key` in `mode`, or `None` when the key does nothing there. Key releases
/// are ignored (terminals with the kitty protocol report them).
pub fn command_for(mode: Mode, key: KeyEvent) -> Option<Command> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Command::Quit);
    }
    match mode {
        Mode::Help => match key.code {
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => Some(Command::ToggleHelp),
            _ => None,
        },
        Mode::Prompt => prompt_key(key, ctrl).map(Command::Edit),
        Mode::Normal => normal_key(key),
    }
}

fn prompt_key(key: KeyEvent, ctrl: bool) -> Option<Edit> {
    Some(match key.code {
        KeyCode::Enter => Edit::Submit,
        KeyCode::Esc => Edit::Cancel,
        KeyCode::Backspace => Edit::Backspace,
        KeyCode::Delete => Edit::Delete,
        KeyCode::Left => Edit::Left,
        KeyCode::Right => Edit::Right,
        KeyCode::Home => Edit::Home,
        KeyCode::End => Edit::End,
        KeyCode::Char('a') if ctrl => Edit::Home,
        KeyCode::Char('e') if ctrl => Edit::End,
        KeyCode::Char('u') if ctrl => Edit::Clear,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => Edit::Insert(c),
        _ => return None,
    })
}

fn normal_key(key: KeyEvent) -> Option<Command> {
    if key.modifiers == KeyModifiers::CONTROL {
        // less/vim/k9s paging keys.
        return match key.code {
            KeyCode::Char('f') => Some(Command::NextPage),
            KeyCode::Char('b') => Some(Command::PrevPage),
            KeyCode::Char('d') => Some(Command::HalfPageDown),
            KeyCode::Char('u') => Some(Command::HalfPageUp),
            _ => None,
        };
    }
    if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
        return None;
    }
    Some(match key.code {
        KeyCode::Char('q') => Command::Quit,
        KeyCode::Char('?') => Command::ToggleHelp,
        KeyCode::Tab => Command::NextTab,
        KeyCode::BackTab => Command::PrevTab,
        KeyCode::Char('1') => Command::SelectTab(Tab::Allocations),
        KeyCode::Char('2') => Command::SelectTab(Tab::Assets),
        KeyCode::Char('3') => Command::SelectTab(Tab::CloudCosts),
        KeyCode::Char('4') => Command::SelectTab(Tab::Pipeline),
        KeyCode::Char('5') => Command::SelectTab(Tab::Migration),
        KeyCode::Char('j') | KeyCode::Down => Command::Down,
        KeyCode::Char('k') | KeyCode::Up => Command::Up,
        KeyCode::Char('n') | KeyCode::PageDown => Command::NextPage,
        KeyCode::Char('p') | KeyCode::PageUp => Command::PrevPage,
        KeyCode::Char('g') | KeyCode::Home => Command::FirstPage,
        KeyCode::Char('G') | KeyCode::End => Command::LastPage,
        KeyCode::Enter => Command::DrillDown,
        KeyCode::Esc | KeyCode::Backspace => Command::Back,
        KeyCode::Char('a') => Command::Open(PromptKind::Aggregate),
        KeyCode::Char('w') => Command::Open(PromptKind::Window),
        KeyCode::Char('/') => Command::Open(PromptKind::Filter),
        KeyCode::Char(':') => Command::Open(PromptKind::Command),
        KeyCode::Char('s') => Command::CycleSort,
        KeyCode::Char('S') => Command::ReverseSort,
        KeyCode::Char('i') => Command::CycleIdle,
        KeyCode::Char('c') => Command::CycleMetric,
        KeyCode::Char('e') => Command::Export,
        KeyCode::Char('r') => Command::Refresh,
        KeyCode::Char('d') => Command::ToggleDetail,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn modes_decode_differently() {
        assert_eq!(command_for(Mode::Normal, key(KeyCode::Char('q'))), Some(Command::Quit));
        assert_eq!(
            command_for(Mode::Prompt, key(KeyCode::Char('q'))),
            Some(Command::Edit(Edit::Insert('q')))
        );
        assert_eq!(command_for(Mode::Help, key(KeyCode::Char('q'))), Some(Command::ToggleHelp));
        assert_eq!(command_for(Mode::Normal, key(KeyCode::Esc)), Some(Command::Back));
        assert_eq!(command_for(Mode::Prompt, key(KeyCode::Esc)), Some(Command::Edit(Edit::Cancel)));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for m in [Mode::Normal, Mode::Help, Mode::Prompt] {
            assert_eq!(command_for(m, ctrl_c), Some(Command::Quit));
        }
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(command_for(Mode::Normal, shift_g), Some(Command::LastPage));
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(command_for(Mode::Normal, ctrl('f')), Some(Command::NextPage));
        assert_eq!(command_for(Mode::Normal, ctrl('b')), Some(Command::PrevPage));
        assert_eq!(command_for(Mode::Normal, ctrl('d')), Some(Command::HalfPageDown));
        assert_eq!(command_for(Mode::Normal, ctrl('u')), Some(Command::HalfPageUp));
        assert_eq!(command_for(Mode::Prompt, ctrl('f')), None);
    }

    /// The first key of every hint (`x:…`, `x/y:…`, `C-x:…`, named keys) is bound.
    #[test]
    fn every_hinted_key_is_bound() {
        for hints in [TABLE_HINTS, MIGRATION_HINTS, PIPELINE_HINTS] {
            for hint in hints.split("  ") {
                let keys = match hint.rsplit_once(':') {
                    Some(("", _)) => ":",
                    Some((k, _)) => k,
                    None => hint,
                };
                let first = if keys == "/" { keys } else { keys.split('/').next().unwrap() };
                let event = match first {
                    "⏎" => key(KeyCode::Enter),
                    "esc" => key(KeyCode::Esc),
                    "Tab" => key(KeyCode::Tab),
                    "1-3" | "1-4" => key(KeyCode::Char('1')),
                    k if k.starts_with("C-") => KeyEvent::new(KeyCode::Char(k.chars().nth(2).unwrap()), KeyModifiers::CONTROL),
                    k => key(KeyCode::Char(k.chars().next().unwrap())),
                };
                assert!(command_for(Mode::Normal, event).is_some(), "hint {hint:?} names an unbound key");
            }
        }
    }
}
