//! Key bindings (docs/user-guide.md, Keys; k9s habits): decodes a crossterm key event into a [`Command`]
//! according to the current input mode. Browsing keys live in one table, [`BINDINGS`], which the
//! decoder and the help overlay ([`super::view::help`], via [`key_help`]) both read.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{ColumnStep, Command, Edit};
use super::input::PromptKind;
use super::state::Tab;

/// Which keys are live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Browsing a view.
    Normal,
    /// The `?` overlay is open.
    Help,
    /// The `P` list of the selected row's sources is open.
    Sources,
    /// A prompt (`a`, `w`, `/`) is open.
    Prompt,
}

/// One key of a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// A character, Shift allowed (`G`, `S`).
    Char(char),
    /// Ctrl + a character.
    Ctrl(char),
    /// A named key (Enter, Esc, arrows, Tab, …).
    Code(KeyCode),
}

impl Key {
    /// True when `ev` is this key (Ctrl and Alt must match exactly; Shift is part of the char).
    pub fn matches(self, ev: &KeyEvent) -> bool {
        let ctrl_alt = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self {
            Key::Char(c) => ev.code == KeyCode::Char(c) && ctrl_alt.is_empty(),
            Key::Ctrl(c) => ev.code == KeyCode::Char(c) && ctrl_alt == KeyModifiers::CONTROL,
            Key::Code(k) => ev.code == k && ctrl_alt.is_empty(),
        }
    }

    /// How the help names the key: `j`, `C-d`, `Enter`, `↓`, `S-Tab`.
    pub fn label(self) -> String {
        match self {
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("C-{c}"),
            Key::Code(k) => match k {
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Backspace => "Backspace".into(),
                KeyCode::Tab => "Tab".into(),
                KeyCode::BackTab => "S-Tab".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                other => format!("{other:?}"),
            },
        }
    }
}

/// One line of the help: the keys and the commands they give, and what that does.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// Help section title.
    pub section: &'static str,
    /// What the keys do.
    pub what: &'static str,
    /// Each key and its command.
    pub keys: &'static [(Key, Command)],
}

const fn b(section: &'static str, what: &'static str, keys: &'static [(Key, Command)]) -> Binding {
    Binding { section, what, keys }
}

/// Every key of the browsing mode: decoding ([`command_for`]) and the help overlay
/// ([`key_help`]) both read this table, so they cannot drift apart.
pub const BINDINGS: &[Binding] = &[
    b(
        "Views",
        "next / previous view",
        &[
            (Key::Code(KeyCode::Tab), Command::NextTab),
            (Key::Code(KeyCode::BackTab), Command::PrevTab),
        ],
    ),
    b(
        "Views",
        "pick a view",
        &[
            (Key::Char('1'), Command::SelectTab(Tab::Allocations)),
            (Key::Char('2'), Command::SelectTab(Tab::Assets)),
            (Key::Char('3'), Command::SelectTab(Tab::CloudCosts)),
            (Key::Char('4'), Command::SelectTab(Tab::Pipeline)),
            (Key::Char('5'), Command::SelectTab(Tab::Migration)),
            (Key::Char('6'), Command::SelectTab(Tab::Savings)),
        ],
    ),
    b(
        "Move",
        "row (crosses pages)",
        &[
            (Key::Char('j'), Command::Down),
            (Key::Char('k'), Command::Up),
            (Key::Code(KeyCode::Down), Command::Down),
            (Key::Code(KeyCode::Up), Command::Up),
        ],
    ),
    b(
        "Move",
        "next / previous page",
        &[
            (Key::Char('n'), Command::NextPage),
            (Key::Char('p'), Command::PrevPage),
            (Key::Ctrl('f'), Command::NextPage),
            (Key::Ctrl('b'), Command::PrevPage),
            (Key::Code(KeyCode::PageDown), Command::NextPage),
            (Key::Code(KeyCode::PageUp), Command::PrevPage),
        ],
    ),
    b(
        "Move",
        "half a page down / up",
        &[(Key::Ctrl('d'), Command::HalfPageDown), (Key::Ctrl('u'), Command::HalfPageUp)],
    ),
    b(
        "Move",
        "first / last page",
        &[
            (Key::Char('g'), Command::FirstPage),
            (Key::Char('G'), Command::LastPage),
            (Key::Code(KeyCode::Home), Command::FirstPage),
            (Key::Code(KeyCode::End), Command::LastPage),
        ],
    ),
    b(
        "Move",
        "columns left / right",
        &[
            (Key::Code(KeyCode::Left), Command::ScrollColumns(ColumnStep::Left)),
            (Key::Code(KeyCode::Right), Command::ScrollColumns(ColumnStep::Right)),
        ],
    ),
    b("Move", "drill down", &[(Key::Code(KeyCode::Enter), Command::DrillDown)]),
    b(
        "Move",
        "back up one level",
        &[
            (Key::Code(KeyCode::Esc), Command::Back),
            (Key::Code(KeyCode::Backspace), Command::Back),
        ],
    ),
    b(
        "Other",
        "command line (:ns …)",
        &[(Key::Char(':'), Command::Open(PromptKind::Command))],
    ),
    b("Other", "export query to CSV", &[(Key::Char('e'), Command::Export)]),
    b("Other", "detail pane on / off", &[(Key::Char('d'), Command::ToggleDetail)]),
    b("Other", "cost over time chart", &[(Key::Char('t'), Command::ToggleChart)]),
    b("Other", "Δ vs previous window", &[(Key::Char('D'), Command::ToggleDelta)]),
    b("Other", "sources of the row", &[(Key::Char('P'), Command::ToggleSources)]),
    b("Other", "refresh now", &[(Key::Char('r'), Command::Refresh)]),
    b(
        "Other",
        "migration horizon",
        &[(Key::Char('H'), Command::Open(PromptKind::Horizon))],
    ),
    b("Other", "this help", &[(Key::Char('?'), Command::ToggleHelp)]),
    b("Other", "quit", &[(Key::Char('q'), Command::Quit), (Key::Ctrl('c'), Command::Quit)]),
    b("Query", "aggregate by", &[(Key::Char('a'), Command::Open(PromptKind::Aggregate))]),
    b("Query", "window", &[(Key::Char('w'), Command::Open(PromptKind::Window))]),
    b(
        "Query",
        "filter (Kubecost v2)",
        &[(Key::Char('/'), Command::Open(PromptKind::Filter))],
    ),
    b(
        "Query",
        "sort column / reverse",
        &[(Key::Char('s'), Command::CycleSort), (Key::Char('S'), Command::ReverseSort)],
    ),
    b("Query", "idle mode", &[(Key::Char('i'), Command::CycleIdle)]),
    b("Query", "shared costs", &[(Key::Char('h'), Command::Open(PromptKind::Share))]),
    b("Query", "cloud cost metric", &[(Key::Char('c'), Command::CycleMetric)]),
    b("Query", "cumulative or rate", &[(Key::Char('m'), Command::CycleRate)]),
];

/// Keys of an open prompt (decoded by the prompt's own editor keys).
const PROMPT_HELP: &[(&str, &str)] = &[
    ("Enter / Esc", "apply / cancel"),
    ("← → Home End", "move the cursor"),
    ("Ctrl-U", "clear the line"),
];

/// Width of the help's keys column: a binding's keys are listed while they fit (`n p C-f C-b`;
/// PgDn and PgUp work but are not listed).
pub const HELP_KEYS_WIDTH: usize = 14;

/// The help overlay's lines as (keys, what they do), grouped by section titles (entries with
/// empty keys), in [`BINDINGS`] order, then the prompt's keys.
pub fn key_help() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    let mut section = "";
    for b in BINDINGS {
        if b.section != section {
            section = b.section;
            out.push((String::new(), section));
        }
        let mut keys = String::new();
        for label in b.keys.iter().map(|(k, _)| k.label()) {
            let sep = usize::from(!keys.is_empty());
            if keys.chars().count() + sep + label.chars().count() > HELP_KEYS_WIDTH {
                break;
            }
            if sep == 1 {
                keys.push(' ');
            }
            keys.push_str(&label);
        }
        out.push((keys, b.what));
    }
    out.push((String::new(), "In a prompt"));
    out.extend(PROMPT_HELP.iter().map(|(k, w)| (k.to_string(), *w)));
    out
}

/// Key hints on the bottom line of a cost view (allocations, assets, cloud costs), most used
/// first so a narrow terminal keeps the important ones. Every key here is bound in
/// [`command_for`] (a unit test checks it).
pub const TABLE_HINTS: &str = "?:help  ⏎:drill  esc:back  /:filter  :cmd  a:aggregate  w:window  s/S:sort  i:idle  h:share  c:metric  n/p:page  C-d/C-u:½page  e:export  t:chart  D:Δ  d:detail  r:refresh  q:quit";

/// Key hints on the bottom line of the migration view.
pub const MIGRATION_HINTS: &str =
    "?:help  :cmd  j/k:select cluster  ⏎:days not done  H:horizon  esc:close  1-4:other views  Tab:next view  q:quit";

/// Key hints on the bottom line of the savings view.
pub const SAVINGS_HINTS: &str = "?:help  ←/→:kind  ⏎:containers  /:filter  s/S:sort  n/p:page  e:export  r:refresh  1-3:cost views  q:quit";

/// Key hints on the bottom line of the pipeline view.
pub const PIPELINE_HINTS: &str = "?:help  :cmd  j/k:select failure  1-3:cost views  Tab:next view  q:quit";

/// Notes under the key list: what drill-down, windows and filters accept.
pub const HELP_NOTES: &[&str] = &[
    "drill: cluster → namespace → controller → pod → container",
    "window: 7d 30d lastweek month 2026-11-01,2026-11-08 (empty = newest 7 days)",
    r#"filter: namespace:"a","b"  cluster!:"dev"  label[team]~:"pay"  a+b  (a|b)"#,
    "filter: plain text (no : or \") keeps rows whose name contains it",
    ":alloc :assets :cloud :pipeline :migration :ns :pod :cols cpu,ram :sort ram desc :q",
    "savings (6): ←/→ picks the kind; Enter on a requests or abandoned row shows its containers",
    "migration (5): Enter lists a cluster's days not done and mismatched days; H sets the horizon",
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
        Mode::Sources => match key.code {
            KeyCode::Esc | KeyCode::Char('P') | KeyCode::Char('q') | KeyCode::Enter => Some(Command::ToggleSources),
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
    BINDINGS.iter().flat_map(|b| b.keys).find(|(k, _)| k.matches(&key)).map(|(_, c)| *c)
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
        for m in [Mode::Normal, Mode::Help, Mode::Sources, Mode::Prompt] {
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

    /// Every command (but prompt edits) has a key: `index` is an exhaustive match, so a new
    /// command does not compile until it is listed here, and the loop checks it is bound.
    #[test]
    fn every_command_has_a_binding() {
        fn index(c: Command) -> usize {
            match c {
                Command::Quit => 0,
                Command::ToggleHelp => 1,
                Command::NextTab => 2,
                Command::PrevTab => 3,
                Command::SelectTab(_) => 4,
                Command::Down => 5,
                Command::HalfPageDown => 6,
                Command::HalfPageUp => 7,
                Command::Up => 8,
                Command::NextPage => 9,
                Command::PrevPage => 10,
                Command::FirstPage => 11,
                Command::LastPage => 12,
                Command::DrillDown => 13,
                Command::Back => 14,
                Command::Open(_) => 15,
                Command::CycleSort => 16,
                Command::ReverseSort => 17,
                Command::CycleIdle => 18,
                Command::CycleMetric => 19,
                Command::Export => 20,
                Command::Refresh => 21,
                Command::ToggleDetail => 22,
                Command::Edit(_) => 23,
                Command::CycleRate => 24,
                Command::ToggleChart => 25,
                Command::ToggleSources => 26,
                Command::ScrollColumns(_) => 27,
                Command::ToggleDelta => 28,
            }
        }
        let mut bound = [false; 29];
        bound[23] = true; // prompt edits are decoded by the prompt
        for (_, c) in BINDINGS.iter().flat_map(|b| b.keys) {
            bound[index(*c)] = true;
        }
        assert!(
            bound.iter().all(|b| *b),
            "unbound command index: {:?}",
            bound.iter().position(|b| !b)
        );
        for tab in Tab::ALL {
            assert!(
                BINDINGS.iter().flat_map(|b| b.keys).any(|(_, c)| *c == Command::SelectTab(tab)),
                "{tab:?}"
            );
        }
    }

    /// The first key of every hint (`x:…`, `x/y:…`, `C-x:…`, named keys) is bound.
    #[test]
    fn every_hinted_key_is_bound() {
        for hints in [TABLE_HINTS, MIGRATION_HINTS, PIPELINE_HINTS, SAVINGS_HINTS] {
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
                    "←" => key(KeyCode::Left),
                    "1-3" | "1-4" => key(KeyCode::Char('1')),
                    k if k.starts_with("C-") => KeyEvent::new(KeyCode::Char(k.chars().nth(2).unwrap()), KeyModifiers::CONTROL),
                    k => key(KeyCode::Char(k.chars().next().unwrap())),
                };
                assert!(command_for(Mode::Normal, event).is_some(), "hint {hint:?} names an unbound key");
            }
        }
    }
}
