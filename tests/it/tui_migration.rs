//! Snapshot tests of the Migration view (tab 5) at 80×24 and 160×48, drawn with ratatui's
//! `TestBackend` from a report of the dev bucket (federated files given a fixed modification
//! time), plus the reducer's selection and detail handling. Snapshots live in the top-level
//! `snapshots/` directory, like `tests/tui_views.rs`.

use crate::support::migration_dev;
use crate::support::tui as tui_support;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use costscope::migration::{MigrationStatus, day_label};
use costscope::tui::{Action, Command, State, Tab, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{FakeSource, fixed_now, send, started};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

/// The dev bucket's report as the background scanner would publish it at `fixed_now`: files
/// written 3 hours earlier, prod-us-east-1's last 5 days ingested.
fn status() -> MigrationStatus {
    let now = fixed_now();
    let ingested: HashSet<(String, i64)> = (0..5)
        .map(|i| ("prod-us-east-1".to_string(), tui_support::day(20) - i * 86_400))
        .collect();
    let report = migration_dev::dev_report(&ingested, now - Duration::hours(3), now);
    MigrationStatus {
        report: Some(Arc::new(report)),
        scanning: false,
        error: None,
        last_scan: Some(now - Duration::seconds(20)),
        next_scan: Some(now + Duration::seconds(40)),
    }
}

fn key(s: &mut State, src: &FakeSource, c: char) {
    let code = match c {
        '\n' => KeyCode::Enter,
        '\x1b' => KeyCode::Esc,
        c => KeyCode::Char(c),
    };
    send(s, src, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn migration_state(src: &FakeSource, w: u16, h: u16, keys: &str) -> State {
    let mut s = started(src, w, h, vec![]);
    send(&mut s, src, Action::Migration(status()));
    for c in std::iter::once('5').chain(keys.chars()) {
        key(&mut s, src, c);
    }
    s
}

fn snap(name: &str, state: &State, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, state)).unwrap();
    let backend = terminal.backend().clone();
    let text = backend.to_string();
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), backend);
    });
    text
}

#[test]
fn migration_table_and_strip() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = migration_state(&src, w, h, "");
        assert_eq!(s.tab, Tab::Migration);
        let text = snap("tui_migration", &s, w, h);
        assert!(text.contains("5 Migration") && text.contains("Migration by cluster"), "{text}");
        assert!(text.contains("61.9%") && text.contains("dev-ap-south-1"), "{text}");
        assert!(text.contains("Days 2026-10-07 … 2026-11-20 (45)"), "{text}");
        assert!(text.contains("P pending") && text.contains("T Thanos only"), "{text}");
        assert!(text.contains("parity 0 mismatches in 53 migrated days"), "{text}");
    }
}

#[test]
fn migration_missing_days_of_a_cluster() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        // The first cluster is dev-ap-south-1.
        let s = migration_state(&src, w, h, "\n");
        assert!(s.migration.detail);
        let text = snap("tui_migration_detail", &s, w, h);
        // Enter lists exactly the days the strip marks (T × 10, P P P T P P P), 8 of them in the
        // counted window 2026-10-31 … 2026-11-20 (issue 28).
        assert!(
            text.contains("dev-ap-south-1: 17 days not done, 8 counted · 0 mismatches"),
            "{text}"
        );
        assert!(text.contains("2026-10-22  THANOS_ONLY  outside  backup ✗✗"), "{text}");
        if h >= 48 {
            assert!(text.contains("2026-11-04  THANOS_ONLY  counted  backup ✗✓"), "{text}");
        }
        let c = s.migration.selected_cluster().unwrap();
        let strip_marked = costscope::migration::render::strip(c)
            .chars()
            .filter(|l| "PET".contains(*l))
            .count();
        assert_eq!(s.migration.detail_lines().len(), strip_marked);
    }
}

#[test]
fn selection_scroll_and_status_updates() {
    let src = FakeSource::standard();
    let mut s = migration_state(&src, 80, 24, "jj");
    assert_eq!(s.migration.selected_cluster().unwrap().cluster, "staging-eu-west-1");
    key(&mut s, &src, 'j');
    assert_eq!(s.migration.selected, 2, "the selection stops at the last cluster");
    key(&mut s, &src, '\n');
    assert_eq!(
        s.migration.detail_lines().len(),
        26,
        "staging: 15 Thanos-only and 9 pending days before the counted window, two empty-file days in it"
    );
    key(&mut s, &src, '\x1b');
    assert!(!s.migration.detail);
    key(&mut s, &src, 'k');
    key(&mut s, &src, 'k');
    key(&mut s, &src, '\n');
    for _ in 0..30 {
        key(&mut s, &src, 'j');
    }
    assert_eq!(s.migration.scroll, 16, "scrolling stops at the last of 17 lines");
    // A new scan keeps the selected cluster by name and clamps the scroll.
    let mut next = status();
    let mut report = (*next.report.take().unwrap()).clone();
    report.clusters.remove(1);
    next.report = Some(Arc::new(report));
    s.update(Action::Migration(next));
    assert_eq!(s.migration.selected_cluster().unwrap().cluster, "dev-ap-south-1");
    // Cost-view commands are answered with a hint, not run.
    s.update(Action::Command(Command::CycleSort));
    assert!(s.message.as_ref().unwrap().text.contains("cost views"));
    assert_eq!(day_label(tui_support::day(20)), "2026-11-20");
}

#[test]
fn waiting_and_unavailable_texts() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, vec![]);
    key(&mut s, &src, '5');
    let draw = |s: &State| {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| view::draw(f, s)).unwrap();
        t.backend().to_string()
    };
    assert!(draw(&s).contains("no migration scan runs in this session"));
    s.update(Action::Migration(MigrationStatus {
        scanning: true,
        ..Default::default()
    }));
    assert!(draw(&s).contains("scanning the bucket"));
    s.update(Action::Migration(MigrationStatus {
        error: Some("listing the bucket failed: boom".into()),
        ..Default::default()
    }));
    assert!(draw(&s).contains("migration scan failed: listing the bucket failed: boom"));
}

/// A cluster whose counted window is done but whose earlier source days are not is never shown as
/// caught up; the table shows source-day progress beside it and the strip marks the counted days.
#[test]
fn history_pending_is_not_caught_up() {
    let src = FakeSource::standard();
    let s = migration_state(&src, 160, 48, "");
    let mut t = Terminal::new(TestBackend::new(160, 48)).unwrap();
    t.draw(|f| view::draw(f, &s)).unwrap();
    let text = t.backend().to_string();
    let prod = text.lines().find(|l| l.contains("prod-us-east-1") && l.contains('%')).unwrap();
    assert!(prod.contains("100.0%") && prod.contains("history pending"), "{prod}");
    assert!(!text.contains("caught up"), "{text}");
    assert!(text.contains("src days") && text.contains("source days"), "{text}");
    let counted = text.lines().find(|l| l.contains("counted") && l.contains('━')).unwrap();
    assert_eq!(counted.matches('━').count(), 21, "10-31 … 11-20: {counted}");
}

/// `H` sets the horizon: a number of days asks the scanner to rescan with it, empty goes back to
/// the federated window, anything else is refused in the prompt.
#[test]
fn horizon_prompt_sets_the_scanner_horizon() {
    use costscope::tui::Effect;
    let src = FakeSource::standard();
    let mut s = migration_state(&src, 80, 24, "H");
    let typed = |s: &mut State, text: &str| -> Vec<Effect> {
        s.update(Action::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        for c in text.chars() {
            s.update(Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
        s.update(Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)))
    };
    assert!(typed(&mut s, "0").is_empty());
    let err = s.prompt.as_ref().and_then(|p| p.error.clone()).expect("0 is refused");
    assert!(err.message.contains("from 1 to"), "{}", err.message);
    let fx = typed(&mut s, "30");
    assert!(matches!(fx.as_slice(), [Effect::SetMigrationHorizon(Some(30))]), "{fx:?}");
    assert_eq!(s.migration.horizon_days, Some(30));
    assert!(s.prompt.is_none());
    key(&mut s, &src, 'H');
    assert_eq!(s.prompt.as_ref().unwrap().input.text(), "30");
    let fx = typed(&mut s, "");
    assert!(matches!(fx.as_slice(), [Effect::SetMigrationHorizon(None)]), "{fx:?}");
}
