//! The `/` prompt as a k9s user types into it (issue 28): a plain-text search applies as you type
//! and replaces the filter, clearing the prompt clears both, Esc puts back what was there; and
//! `:sort` picks a sort column by name.

use crate::support::tui as tui_support;
use crate::tui_state::{alloc, key, typ};

use costscope::query::{ColumnId, SortKey};
use costscope::tui::action::Edit;
use costscope::tui::{Action, Command, State};
use crossterm::event::KeyCode;
use tui_support::{FakeSource, send, started};

fn names(s: &State) -> Vec<String> {
    alloc(s).page.as_ref().unwrap().rows.iter().map(|r| r.name.clone()).collect()
}

/// A session filtered to payments by a v2 filter (idle shared, so no idle row).
fn filtered(src: &FakeSource) -> State {
    let mut s = started(src, 160, 48, vec![]);
    for _ in 0..3 {
        key(&mut s, src, KeyCode::Char('i'));
    }
    key(&mut s, src, KeyCode::Char('/'));
    typ(&mut s, src, r#"namespace:"payments""#);
    key(&mut s, src, KeyCode::Enter);
    assert_eq!(names(&s), ["payments"]);
    s
}

#[test]
fn clearing_the_prompt_clears_the_filter_and_a_search_replaces_it() {
    let src = FakeSource::standard();
    let mut s = filtered(&src);
    key(&mut s, &src, KeyCode::Char('/'));
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    assert!(s.prompt.is_some(), "the prompt stays open");
    assert!(alloc(&s).filter.is_all() && alloc(&s).search.is_none());
    assert!(names(&s).len() > 2, "every namespace again, before Enter: {:?}", names(&s));
    typ(&mut s, &src, "chec");
    assert_eq!(names(&s), ["checkout"], "the search applies as it is typed");
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.is_none());
    assert_eq!((alloc(&s).search.as_deref(), alloc(&s).filter.is_all()), (Some("chec"), true));
    assert_eq!(names(&s), ["checkout"], "the old filter no longer applies");
}

#[test]
fn esc_puts_back_the_filter_found_when_the_prompt_opened() {
    let src = FakeSource::standard();
    let mut s = filtered(&src);
    key(&mut s, &src, KeyCode::Char('/'));
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    typ(&mut s, &src, "chec");
    assert_eq!(names(&s), ["checkout"]);
    key(&mut s, &src, KeyCode::Esc);
    assert!(s.prompt.is_none());
    assert_eq!(names(&s), ["payments"]);
    assert_eq!(alloc(&s).search, None);
    assert_eq!(alloc(&s).filter.to_string(), r#"namespace:"payments""#);
}

#[test]
fn a_v2_filter_applies_on_enter_only() {
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    let all = names(&s);
    key(&mut s, &src, KeyCode::Char('/'));
    typ(&mut s, &src, r#"namespace:"check"#);
    assert_eq!(names(&s), all, "half a v2 filter changes nothing while typed");
}

#[test]
fn sort_command_picks_a_column_by_name() {
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    key(&mut s, &src, KeyCode::Char(':'));
    typ(&mut s, &src, "sort ram asc");
    key(&mut s, &src, KeyCode::Enter);
    let sort = &alloc(&s).sort;
    assert_eq!((sort.key, sort.descending), (SortKey::Column(ColumnId::RamCost), false));
    assert!(s.message.as_ref().unwrap().text.starts_with("sorted by RAM ↑"), "{:?}", s.message);
    let page = alloc(&s).page.as_ref().unwrap();
    let cols = costscope::query::columns(costscope::query::DataKind::Allocation);
    let ram = cols.iter().position(|c| c.id == ColumnId::RamCost).unwrap();
    let values: Vec<f64> = page.rows.iter().map(|r| r.values[ram]).collect();
    assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
}

/// Status messages do not go stale (issue 28: `nothing to drill into` stayed through three
/// drills): the next key clears them, and they expire after a few seconds on their own.
#[test]
fn status_messages_clear_on_the_next_key_and_expire() {
    use costscope::tui::state::MESSAGE_TICKS;
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    key(&mut s, &src, KeyCode::Char('s'));
    assert!(s.message.as_ref().unwrap().text.starts_with("sorted by"));
    key(&mut s, &src, KeyCode::Char('j'));
    assert!(s.message.is_none(), "{:?}", s.message);
    key(&mut s, &src, KeyCode::Char('S'));
    assert!(s.message.is_some());
    for _ in 0..MESSAGE_TICKS - 1 {
        s.update(Action::Tick);
    }
    assert!(s.message.is_some(), "still there just before it expires");
    s.update(Action::Tick);
    assert!(s.message.is_none());
}
