//! Reducer tests for the TUI (no terminal): page math at the edges, pages that fit the screen, resizing,
//! drill-down and back, stale answers, prompt validation, default window, waiting for data,
//! automatic refresh after ingest progress, export.

use crate::support::tui as tui_support;

use costscope::progress::{Phase, TaskProgress};
use costscope::query::{ColumnId, CostRate, DataKind, Filter, IdleMode, ShareSplit};
use costscope::tui::action::Edit;
use costscope::tui::input::PromptKind;
use costscope::tui::state::AUTO_REFRESH_TICKS;
use costscope::tui::tab::{Extent, TableTab};
use costscope::tui::view::{Panes, table_rows};
use costscope::tui::{Action, Command, Effect, State, Tab};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_support::{FakeSource, day, send, settle, started};

pub(crate) fn key(state: &mut State, src: &FakeSource, code: KeyCode) {
    send(state, src, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

pub(crate) fn typ(state: &mut State, src: &FakeSource, text: &str) {
    for c in text.chars() {
        key(state, src, KeyCode::Char(c));
    }
}

pub(crate) fn alloc(s: &State) -> &TableTab {
    s.table(DataKind::Allocation)
}

fn names(s: &State) -> Vec<String> {
    alloc(s).page.as_ref().unwrap().rows.iter().map(|r| r.name.clone()).collect()
}

fn page_line(s: &State) -> String {
    let t = alloc(s);
    t.shown_span().unwrap().describe(t.page.as_ref().unwrap().rows.len())
}

fn selected_name(s: &State) -> Option<String> {
    alloc(s).selected_row().map(|r| r.name.clone())
}

#[test]
fn default_window_is_the_newest_seven_days_of_data() {
    let src = FakeSource::standard();
    let s = started(&src, 80, 24, vec![]);
    let w = alloc(&s).window.unwrap();
    assert_eq!((w.start.timestamp(), w.end.timestamp()), (day(15), day(22)));
    assert!(alloc(&s).follows_data());
    assert_eq!(
        alloc(&s).extent,
        Extent::Known {
            start: day(8),
            end: day(22)
        }
    );
    // Namespaces plus one idle row, the biggest first.
    assert_eq!(names(&s)[0], "checkout");
    assert_eq!(selected_name(&s).as_deref(), Some("checkout"));
}

#[test]
fn empty_result_has_no_selection_and_page_zero() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('w'));
    typ(&mut s, &src, "2026-10-01,2026-10-08");
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.is_none());
    let t = alloc(&s);
    assert_eq!(t.page.as_ref().unwrap().rows.len(), 0);
    assert_eq!(t.selected, None);
    assert_eq!(page_line(&s), "rows 0 of 0 · page 0/0");
    for c in [
        Command::Down,
        Command::Up,
        Command::NextPage,
        Command::PrevPage,
        Command::LastPage,
        Command::FirstPage,
    ] {
        assert!(s.update(Action::Command(c)).is_empty(), "{c:?} did something on an empty result");
    }
    let effects = s.update(Action::Command(Command::DrillDown));
    assert!(effects.is_empty());
}

#[test]
fn a_page_is_what_fits_on_screen() {
    // 80×24: header 3 + tabs 1 + status 2, table borders, header and totals 4 → 14 rows.
    let shown = Panes::default();
    let hidden = Panes {
        detail_hidden: true,
        chart: false,
    };
    let chart = Panes {
        detail_hidden: false,
        chart: true,
    };
    assert_eq!(table_rows(80, 24, shown), 14);
    assert_eq!(table_rows(160, 48, shown), 38);
    assert_eq!(table_rows(90, 48, shown), 22); // detail pane below the table
    assert_eq!(table_rows(90, 48, hidden), 38); // `d` hid it: the page grows
    assert_eq!(table_rows(80, 24, chart), 6); // the chart takes 8 of the 18 body rows
    assert_eq!(table_rows(160, 48, chart), 22); // and 16 of 42
    let src = FakeSource::many(130);
    let s = started(&src, 80, 24, vec![]);
    assert_eq!(alloc(&s).limit, 14);
    assert_eq!(page_line(&s), "rows 1–14 of 130 · page 1/10");
}

#[test]
fn paging_to_the_last_partial_page_and_back() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('G'));
    assert_eq!(page_line(&s), "rows 127–130 of 130 · page 10/10");
    assert_eq!(alloc(&s).selected, Some(3));
    // Past the end nothing happens.
    assert!(s.update(Action::Command(Command::NextPage)).is_empty());
    assert!(s.update(Action::Command(Command::Down)).is_empty());
    assert_eq!(alloc(&s).selected, Some(3));
    key(&mut s, &src, KeyCode::Char('p'));
    assert_eq!(page_line(&s), "rows 113–126 of 130 · page 9/10");
    assert_eq!(alloc(&s).selected, Some(0));
    // k on the first row continues on the previous page's last row.
    key(&mut s, &src, KeyCode::Char('k'));
    assert_eq!(page_line(&s), "rows 99–112 of 130 · page 8/10");
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0111"));
    // j on the last row continues on the next page's first row.
    key(&mut s, &src, KeyCode::Char('j'));
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0112"));
    key(&mut s, &src, KeyCode::Char('g'));
    assert_eq!(page_line(&s), "rows 1–14 of 130 · page 1/10");
    assert!(s.update(Action::Command(Command::PrevPage)).is_empty());
    assert!(s.update(Action::Command(Command::Up)).is_empty());
}

#[test]
fn n_visits_every_row_once() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    let mut seen = names(&s);
    for _ in 0..12 {
        key(&mut s, &src, KeyCode::Char('n'));
        let page = names(&s);
        if !seen.ends_with(&page) {
            seen.extend(page);
        }
    }
    let want: Vec<String> = (0..130).map(|i| format!("ns-{i:04}")).collect();
    assert_eq!(seen, want);
}

#[test]
fn half_pages_cross_page_boundaries() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    let ctrl = |c| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    send(&mut s, &src, ctrl('d'));
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0007"));
    send(&mut s, &src, ctrl('d'));
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0014"));
    assert_eq!(page_line(&s), "rows 15–28 of 130 · page 2/10");
    send(&mut s, &src, ctrl('u'));
    send(&mut s, &src, ctrl('u'));
    send(&mut s, &src, ctrl('u'));
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0000"));
    key(&mut s, &src, KeyCode::Char('G'));
    send(&mut s, &src, ctrl('d'));
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0129"));
}

#[test]
fn resizing_re_pages_and_keeps_the_selected_row() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('G'));
    key(&mut s, &src, KeyCode::Char('k')); // ns-0128
    send(&mut s, &src, Action::Resize(160, 48));
    assert_eq!(alloc(&s).limit, 38);
    assert_eq!(page_line(&s), "rows 115–130 of 130 · page 4/4");
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0128"));
    send(&mut s, &src, Action::Resize(80, 24));
    assert_eq!(page_line(&s), "rows 127–130 of 130 · page 10/10");
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0128"));
    // A view that is not shown re-pages when it is shown.
    key(&mut s, &src, KeyCode::Char('2'));
    send(&mut s, &src, Action::Resize(160, 48));
    key(&mut s, &src, KeyCode::Char('1'));
    assert_eq!(page_line(&s), "rows 115–130 of 130 · page 4/4");
    assert_eq!(selected_name(&s).as_deref(), Some("ns-0128"));
}

#[test]
fn drill_down_and_back_restore_state() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('a'));
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    typ(&mut s, &src, "cluster");
    key(&mut s, &src, KeyCode::Enter);
    assert_eq!(names(&s), ["prod-us", "prod-eu", "__idle__", "staging"]);
    key(&mut s, &src, KeyCode::Down);
    assert_eq!(selected_name(&s).as_deref(), Some("prod-eu"));
    key(&mut s, &src, KeyCode::Enter);
    let t = alloc(&s);
    assert_eq!(t.aggregate.to_string(), "namespace");
    assert_eq!(t.filter.to_string(), r#"cluster:"prod-eu""#);
    assert_eq!(names(&s), ["search", "checkout", "__idle__", "kube-system"]);
    key(&mut s, &src, KeyCode::Down);
    assert_eq!(selected_name(&s).as_deref(), Some("checkout"));
    key(&mut s, &src, KeyCode::Enter);
    assert_eq!(alloc(&s).aggregate.to_string(), "controller");
    assert_eq!(alloc(&s).filter.to_string(), r#"cluster:"prod-eu"+namespace:"checkout""#);
    assert_eq!(names(&s), ["web", "__idle__"]);
    assert_eq!(alloc(&s).stack.len(), 2);
    // Idle has no breakdown: drilling is refused with a message.
    key(&mut s, &src, KeyCode::Down);
    assert!(s.update(Action::Command(Command::DrillDown)).is_empty());
    assert!(s.message.as_ref().unwrap().text.contains("idle"));
    key(&mut s, &src, KeyCode::Esc);
    assert_eq!(alloc(&s).aggregate.to_string(), "namespace");
    assert_eq!(selected_name(&s).as_deref(), Some("checkout"));
    key(&mut s, &src, KeyCode::Backspace);
    let t = alloc(&s);
    assert_eq!(t.aggregate.to_string(), "cluster");
    assert_eq!(t.filter, Filter::All);
    assert_eq!(t.stack.len(), 0);
    assert_eq!(selected_name(&s).as_deref(), Some("prod-eu"));
    assert!(s.update(Action::Command(Command::Back)).is_empty());
}

#[test]
fn drill_down_reaches_containers_then_stops() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    for _ in 0..4 {
        key(&mut s, &src, KeyCode::Char('i'));
    }
    assert_eq!(alloc(&s).idle, IdleMode::Hide);
    for expected in ["controller", "pod", "container"] {
        key(&mut s, &src, KeyCode::Enter);
        assert_eq!(alloc(&s).aggregate.to_string(), expected);
    }
    assert_eq!(
        alloc(&s).filter.to_string(),
        // A bare controller name is a controller with no kind (docs/semantics.md §6).
        r#"namespace:"checkout"+controllerKind:""+controllerName:"web"+pod:"web-7d9f-a""#
    );
    assert!(s.update(Action::Command(Command::DrillDown)).is_empty());
    assert!(s.message.as_ref().unwrap().text.contains("finest"));
}

#[test]
fn stale_query_answers_are_ignored() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    let first = s.update(Action::Command(Command::NextPage));
    let second = s.update(Action::Command(Command::NextPage));
    let (Effect::RunQuery { generation: g1, .. }, Effect::RunQuery { generation: g2, .. }) = (&first[0], &second[0]) else {
        panic!("expected two queries: {first:?} {second:?}");
    };
    assert!(g2 > g1);
    assert!(s.busy());
    // The newer answer arrives first, then the stale one: the stale one changes nothing.
    settle(&mut s, &src, second);
    assert_eq!(page_line(&s), "rows 29–42 of 130 · page 3/10");
    settle(&mut s, &src, first);
    assert_eq!(page_line(&s), "rows 29–42 of 130 · page 3/10");
    assert!(!s.busy());
    // A stale extent answer is dropped too.
    let fx = s.update(Action::Command(Command::Refresh));
    let _newer = s.update(Action::Command(Command::Refresh));
    assert!(matches!(fx[0], Effect::LoadExtent { .. }));
    let Effect::LoadExtent { generation, .. } = fx[0] else {
        unreachable!()
    };
    let after = s.update(Action::ExtentLoaded {
        kind: DataKind::Allocation,
        generation,
        result: Ok(None),
    });
    assert!(after.is_empty());
    assert!(matches!(alloc(&s).extent, Extent::Known { .. }));
}

#[test]
fn another_query_shows_loading_instead_of_old_rows_while_paging_keeps_them() {
    let src = FakeSource::many(130);
    let mut s = started(&src, 80, 24, vec![]);
    // Another page or order of the same query: the shown rows stay until the answer.
    let fx = s.update(Action::Command(Command::NextPage));
    assert!(alloc(&s).page.is_some());
    settle(&mut s, &src, fx);
    assert_eq!(page_line(&s), "rows 15–28 of 130 · page 2/10");
    let fx = s.update(Action::Command(Command::ReverseSort));
    assert!(alloc(&s).page.is_some());
    settle(&mut s, &src, fx);
    // Another query (here the idle mode): no rows under the new header, no row to act on.
    let fx = s.update(Action::Command(Command::CycleIdle));
    assert!(alloc(&s).page.is_none(), "old rows are not shown for another query");
    assert!(alloc(&s).selected_row().is_none());
    assert!(
        s.update(Action::Command(Command::DrillDown)).is_empty(),
        "nothing to drill into while loading"
    );
    settle(&mut s, &src, fx);
    assert!(alloc(&s).page.is_some(), "the new query's page arrives");
}

/// `/` with plain text searches row names (k9s habit): the rows, the header and the prompt's
/// prefill follow it; a drill-down starts unsearched and Esc brings the search back; a v2 filter
/// replaces it.
#[test]
fn plain_text_after_slash_searches_row_names() {
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    for _ in 0..3 {
        key(&mut s, &src, KeyCode::Char('i'));
    }
    key(&mut s, &src, KeyCode::Char('/'));
    typ(&mut s, &src, "CHECK");
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.is_none());
    assert_eq!(names(&s), ["checkout"]);
    assert_eq!(alloc(&s).search.as_deref(), Some("CHECK"));
    assert!(alloc(&s).filter.is_all(), "a search is not a filter");
    key(&mut s, &src, KeyCode::Char('/'));
    assert_eq!(s.prompt.as_ref().unwrap().input.text(), "CHECK");
    key(&mut s, &src, KeyCode::Esc);
    key(&mut s, &src, KeyCode::Enter);
    assert_eq!(alloc(&s).search, None, "the finer level starts unsearched");
    assert!(names(&s).len() > 1, "{:?}", names(&s));
    key(&mut s, &src, KeyCode::Esc);
    assert_eq!(names(&s), ["checkout"], "Esc restores the search");
    key(&mut s, &src, KeyCode::Char('/'));
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    typ(&mut s, &src, r#"namespace:"payments""#);
    key(&mut s, &src, KeyCode::Enter);
    assert_eq!((alloc(&s).search.as_deref(), names(&s)), (None, vec!["payments".to_string()]));
}

#[test]
fn filter_errors_keep_the_prompt_open_with_the_column() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('/'));
    assert_eq!(s.prompt.as_ref().unwrap().kind, PromptKind::Filter);
    typ(&mut s, &src, "namespace:kube");
    let effects = s.update(Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(effects.is_empty());
    let p = s.prompt.as_ref().expect("prompt stays open");
    let e = p.error.as_ref().expect("error shown");
    assert_eq!(e.column, Some(11));
    assert!(e.message.contains("quote"), "{}", e.message);
    assert_eq!(p.input.text(), "namespace:kube");
    // Editing clears the error; a valid filter closes the prompt and queries.
    key(&mut s, &src, KeyCode::Backspace);
    assert!(s.prompt.as_ref().unwrap().error.is_none());
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    typ(&mut s, &src, r#"cluster:"staging""#);
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.is_none());
    assert_eq!(names(&s), ["__idle__", "checkout", "kube-system"]);
    // Esc cancels: clearing the prompt cleared the filter as typed, Esc puts it back.
    key(&mut s, &src, KeyCode::Char('/'));
    assert_eq!(s.prompt.as_ref().unwrap().input.text(), r#"cluster:"staging""#);
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    assert!(alloc(&s).filter.is_all());
    let effects = s.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(s.prompt.is_none());
    settle(&mut s, &src, effects);
    assert_eq!(alloc(&s).filter.to_string(), r#"cluster:"staging""#);
    assert_eq!(names(&s), ["__idle__", "checkout", "kube-system"]);
}

#[test]
fn window_and_aggregate_errors_keep_the_prompt_open() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('w'));
    typ(&mut s, &src, "fortnight");
    key(&mut s, &src, KeyCode::Enter);
    let e = s.prompt.as_ref().unwrap().error.clone().unwrap();
    assert!(e.message.contains("fortnight") && e.column.is_none());
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    typ(&mut s, &src, "3d");
    key(&mut s, &src, KeyCode::Enter);
    let w = alloc(&s).window.unwrap();
    assert_eq!((w.start.timestamp(), w.end.timestamp()), (day(20), day(23)));
    assert!(!alloc(&s).follows_data());
    // Empty text goes back to the newest 7 days of data.
    key(&mut s, &src, KeyCode::Char('w'));
    send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
    key(&mut s, &src, KeyCode::Enter);
    assert_eq!(alloc(&s).window.unwrap().start.timestamp(), day(15));
    key(&mut s, &src, KeyCode::Char('a'));
    typ(&mut s, &src, ",bogus");
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.as_ref().unwrap().error.as_ref().unwrap().message.contains("bogus"));
}

#[test]
fn sort_idle_metric_cycle_and_requery() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, KeyCode::Char('s'));
    assert_eq!((alloc(&s).sort.key.name(), alloc(&s).sort.descending), ("name", false));
    assert_eq!(names(&s)[0], "__idle__");
    key(&mut s, &src, KeyCode::Char('s'));
    assert_eq!((alloc(&s).sort.key.name(), alloc(&s).sort.descending), ("cpuCost", true));
    key(&mut s, &src, KeyCode::Char('S'));
    assert!(!alloc(&s).sort.descending);
    assert_eq!(names(&s)[0], "kube-system");
    key(&mut s, &src, KeyCode::Char('i'));
    assert_eq!(alloc(&s).idle, IdleMode::SeparateByNode);
    key(&mut s, &src, KeyCode::Char('i'));
    assert_eq!(alloc(&s).idle, IdleMode::Merged);
    key(&mut s, &src, KeyCode::Char('i'));
    key(&mut s, &src, KeyCode::Char('i'));
    assert_eq!(alloc(&s).idle, IdleMode::Hide);
    assert!(!names(&s).contains(&"__idle__".to_string()));
    key(&mut s, &src, KeyCode::Char('3'));
    assert_eq!(s.tab, Tab::CloudCosts);
    let before = s.table(DataKind::CloudCost).page.as_ref().unwrap().totals.values[0];
    key(&mut s, &src, KeyCode::Char('c'));
    let t = s.table(DataKind::CloudCost);
    assert_eq!(t.cost_metric.json_name(), "invoicedCost");
    assert!(t.page.as_ref().unwrap().totals.values[0] > before);
}

#[test]
fn waiting_for_data_then_auto_refresh_when_ingest_advances() {
    let mut src = FakeSource::empty();
    let ingest = TaskProgress {
        task: costscope::progress::TaskId::Ingest,
        phase: Phase::Running,
        done: 0,
        total: 316,
        ..Default::default()
    };
    let mut s = started(&src, 80, 24, vec![ingest.clone()]);
    assert_eq!(alloc(&s).extent, Extent::Missing);
    assert!(alloc(&s).page.is_none());
    // Ingest delivers files; the next tick re-reads the extent and queries.
    src = FakeSource::standard();
    send(
        &mut s,
        &src,
        Action::Progress(TaskProgress {
            done: 12,
            ..ingest.clone()
        }),
    );
    send(&mut s, &src, Action::Tick);
    assert!(matches!(alloc(&s).extent, Extent::Known { .. }));
    assert!(alloc(&s).page.is_some());
    // More progress right away is debounced: no refresh until 2 s have passed.
    s.update(Action::Progress(TaskProgress {
        done: 13,
        ..ingest.clone()
    }));
    let mut ticks = 0;
    loop {
        ticks += 1;
        let fx = s.update(Action::Tick);
        if fx.iter().any(|e| matches!(e, Effect::LoadExtent { .. } | Effect::RunQuery { .. })) {
            break;
        }
        assert!(ticks <= AUTO_REFRESH_TICKS, "no refresh after {ticks} ticks");
    }
    assert_eq!(ticks, AUTO_REFRESH_TICKS);
    // Progress that does not advance (same count) does not refresh.
    s.update(Action::Progress(TaskProgress {
        done: 13,
        rows: 99,
        ..ingest
    }));
    for _ in 0..AUTO_REFRESH_TICKS * 2 {
        let fx = s.update(Action::Tick);
        assert!(!fx.iter().any(|e| matches!(e, Effect::LoadExtent { .. } | Effect::RunQuery { .. })));
    }
}

#[test]
fn export_writes_every_row_of_the_query() {
    let src = FakeSource::many(130);
    let dir = tempfile::tempdir().unwrap();
    let mut s = started(&src, 80, 24, vec![]);
    s.export_dir = dir.path().join("exports");
    key(&mut s, &src, KeyCode::Char('e'));
    assert!(!s.exporting);
    let msg = s.message.clone().unwrap();
    assert!(!msg.is_error, "{}", msg.text);
    let path = dir.path().join("exports/costscope-allocations-namespace-20261122T103000Z.csv");
    assert_eq!(msg.text, format!("exported 130 rows to {}", path.display()));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 131, "header + 130 namespaces");
    assert!(text.starts_with("name,namespace,cpuCost,gpuCost,ramCost,"), "{}", &text[..60]);
}

/// The `:` command line (k9s): view words switch views, an aggregate word re-aggregates (on
/// allocations when no cost view is shown), an unknown word keeps the prompt open with the
/// accepted commands, `:q` quits.
#[test]
fn colon_commands_switch_views_aggregate_and_quit() {
    let src = FakeSource::standard();
    let mut s = started(&src, 120, 40, vec![]);
    let line = |s: &mut State, text: &str| -> Vec<Effect> {
        key(s, &src, KeyCode::Char(':'));
        assert_eq!(s.prompt.as_ref().map(|p| p.kind), Some(PromptKind::Command));
        typ(s, &src, text);
        let fx = s.update(Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        let quit = fx.iter().any(|e| matches!(e, Effect::Quit));
        settle(s, &src, fx);
        if quit { vec![Effect::Quit] } else { Vec::new() }
    };
    line(&mut s, "assets");
    assert_eq!(s.tab, Tab::Assets);
    line(&mut s, "migration");
    assert_eq!(s.tab, Tab::Migration);
    line(&mut s, "pod");
    assert_eq!(s.tab, Tab::Allocations, "an aggregate outside a cost view applies to allocations");
    assert_eq!(alloc(&s).aggregate.to_string(), "pod");
    assert!(alloc(&s).page.as_ref().is_some_and(|p| p.total_rows > 0));
    line(&mut s, "ns");
    assert_eq!(alloc(&s).aggregate.to_string(), "namespace");
    line(&mut s, "nonsense");
    let p = s.prompt.as_ref().expect("the prompt stays open");
    assert!(p.error.as_ref().unwrap().message.contains(":alloc"), "{:?}", p.error);
    key(&mut s, &src, KeyCode::Esc);
    assert!(s.prompt.is_none());
    assert!(matches!(line(&mut s, "q")[..], [Effect::Quit]));
}

#[test]
fn tabs_switch_and_load_lazily() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    assert!(s.table(DataKind::Asset).page.is_none());
    key(&mut s, &src, KeyCode::Tab);
    assert_eq!(s.tab, Tab::Assets);
    assert_eq!(s.table(DataKind::Asset).page.as_ref().unwrap().rows[0].name, "Node");
    send(&mut s, &src, Action::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    assert_eq!(s.tab, Tab::Allocations);
    key(&mut s, &src, KeyCode::Char('4'));
    assert_eq!(s.tab, Tab::Pipeline);
    key(&mut s, &src, KeyCode::Char('?'));
    assert!(s.help);
    key(&mut s, &src, KeyCode::Char('j'));
    assert!(s.help, "keys other than Esc/?/q do nothing under help");
    key(&mut s, &src, KeyCode::Esc);
    assert!(!s.help);
    assert!(matches!(
        s.update(Action::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)))[..],
        [Effect::Quit]
    ));
}

/// `m` cycles cumulative cost → monthly → daily → hourly rate: the query asks for it, the header
/// names it, and the totals scale by hours per unit / hours of data.
#[test]
fn m_cycles_the_cost_rate() {
    let src = FakeSource::standard();
    let mut s = started(&src, 120, 30, vec![]);
    let total = |s: &State| {
        alloc(s)
            .page
            .as_ref()
            .unwrap()
            .totals
            .get(DataKind::Allocation, ColumnId::TotalCost)
            .unwrap()
    };
    let cumulative = total(&s);
    key(&mut s, &src, KeyCode::Char('m'));
    assert_eq!(alloc(&s).rate, CostRate::Monthly);
    let hours = alloc(&s).page.as_ref().unwrap().covered_hours;
    assert!(hours > 0.0);
    assert!((total(&s) - cumulative * 730.0 / hours).abs() < 1e-9 * total(&s));
    let screen = crate::tui_views::render(&s, 120, 30).to_string();
    assert!(screen.contains("monthly rate"), "{screen}");
    for want in [CostRate::Daily, CostRate::Hourly, CostRate::Cumulative] {
        key(&mut s, &src, KeyCode::Char('m'));
        assert_eq!(alloc(&s).rate, want);
    }
    assert!((total(&s) - cumulative).abs() < 1e-9);
}

/// `h` opens the sharing prompt: what is typed becomes the query's sharing, the header shows it,
/// `h` again starts from the current settings, an error keeps the prompt open, and the asset view
/// refuses it.
#[test]
fn h_sets_shared_costs() {
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    key(&mut s, &src, KeyCode::Char('h'));
    typ(&mut s, &src, "kube-system split=even");
    key(&mut s, &src, KeyCode::Enter);
    assert!(s.prompt.is_none());
    let share = &alloc(&s).share;
    assert_eq!(
        (share.namespaces.clone(), share.split),
        (vec!["kube-system".to_string()], ShareSplit::Even)
    );
    assert_eq!(alloc(&s).request().unwrap().share, *share);
    let screen = crate::tui_views::render(&s, 160, 48).to_string();
    assert!(screen.contains("shared namespaces kube-system · split even"), "{screen}");
    key(&mut s, &src, KeyCode::Char('h'));
    assert_eq!(s.prompt.as_ref().unwrap().input.text(), "namespaces=kube-system split=even");
    typ(&mut s, &src, " cost=oops");
    key(&mut s, &src, KeyCode::Enter);
    let err = s.prompt.as_ref().and_then(|p| p.error.as_ref()).map(|e| e.message.clone());
    assert!(err.unwrap().contains("monthly amount"));
    key(&mut s, &src, KeyCode::Esc);
    key(&mut s, &src, KeyCode::Char('2'));
    key(&mut s, &src, KeyCode::Char('h'));
    typ(&mut s, &src, "kube-system");
    key(&mut s, &src, KeyCode::Enter);
    let err = s.prompt.as_ref().and_then(|p| p.error.as_ref()).map(|e| e.message.clone());
    assert!(err.unwrap().contains("allocations, not assets"));
}
