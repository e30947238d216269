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
        assert!(text.contains("dev-ap-south-1: 8 missing days · 0 mismatches"), "{text}");
        assert!(text.contains("2026-10-31  THANOS_ONLY  backup ✗✗"), "{text}");
        assert!(text.contains("2026-11-04  THANOS_ONLY  backup ✗✓"), "{text}");
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
        2,
        "staging: its two empty-file days in the progress window (10-31 … 11-20)"
    );
    key(&mut s, &src, '\x1b');
    assert!(!s.migration.detail);
    key(&mut s, &src, 'k');
    key(&mut s, &src, 'k');
    key(&mut s, &src, '\n');
    for _ in 0..30 {
        key(&mut s, &src, 'j');
    }
    assert_eq!(s.migration.scroll, 7, "scrolling stops at the last of 8 lines");
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
