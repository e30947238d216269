//! Snapshot tests of every TUI view at 80×24 and 160×48 (plus the in-between layouts), drawn
//! with ratatui's `TestBackend` from states driven through the real reducer against the
//! in-memory `FakeSource`. Snapshots live in the top-level `snapshots/` directory.

use crate::support::tui as tui_support;

use chrono::Duration;
use costscope::progress::{FileFailure, Phase, TaskProgress};
use costscope::tui::action::Edit;
use costscope::tui::{Action, Command, State, view};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{FakeSource, fixed_now, send, started};

pub(crate) fn render(state: &State, width: u16, height: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, state)).unwrap();
    terminal.backend().clone()
}

/// Snapshot `state` drawn at `width` × `height` as `snapshots/<name>_<w>x<h>.snap`.
fn snap(name: &str, state: &State, width: u16, height: u16) -> String {
    let backend = render(state, width, height);
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

/// A state at `width` × `height` after the given keys.
fn after_keys(src: &FakeSource, width: u16, height: u16, tasks: Vec<TaskProgress>, keys: &str) -> State {
    let mut s = started(src, width, height, tasks);
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        send(&mut s, src, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
    send(&mut s, src, Action::Tick);
    s
}

fn tasks() -> Vec<TaskProgress> {
    let now = fixed_now();
    vec![
        TaskProgress {
            task: costscope::progress::TaskId::Federator,
            phase: Phase::Waiting,
            done: 42,
            total: 42,
            unchanged: 1_204,
            rows: 381_220,
            bytes: 734_003_200,
            rate: 95_305.0,
            last_run: Some(now - Duration::seconds(150)),
            next_run: Some(now + Duration::minutes(8)),
            failures: vec![],
            error: None,
            pending_span: None,
        },
        TaskProgress {
            task: costscope::progress::TaskId::Ingest,
            phase: Phase::Running,
            done: 12,
            total: 316,
            unchanged: 0,
            rows: 1_204_551,
            bytes: 96_468_992,
            rate: 45_210.0,
            last_run: None,
            next_run: None,
            failures: vec![
                FileFailure {
                    key: "federated/prod-eu/etl/bingen/allocations/1d/1763164800-1763251200".into(),
                    reason: "decode AllocationSet: unexpected end of data at byte 48,213 (truncated upload?)".into(),
                },
                FileFailure {
                    key: "federated/staging/etl/bingen/assets/1d/1763251200-1763337600".into(),
                    reason: "unsupported Asset codec version 22 (this build reads 15–21)".into(),
                },
            ],
            error: None,
            pending_span: None,
        },
    ]
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

#[test]
fn allocations_by_namespace() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "");
        let text = snap("tui_allocations", &s, w, h);
        assert!(text.contains("rows 1–6 of 6 · page 1/1"), "{text}");
        // Ingest is at 12/316 files: the header says so and the totals are marked.
        assert!(text.contains("loading: 12/316 files — totals incomplete"), "{text}");
        assert!(text.contains("Total (loading)"), "{text}");
        assert!(text.contains("2026-11-15 – 2026-11-21 (7 days)"), "{text}");
    }
}

/// A page is exactly what fits: its first and last rows are on screen, the next page's first
/// row is not, and the row counter agrees (issue 10: "a page is what fits on screen").
#[test]
fn a_full_page_fills_the_table() {
    let src = FakeSource::many(130);
    for (w, h, rows) in [(80, 24, 14), (160, 48, 38)] {
        let s = after_keys(&src, w, h, tasks(), "");
        let text = snap("tui_allocations_full_page", &s, w, h);
        let last = format!("ns-{:04}", rows - 1);
        let next = format!("ns-{rows:04}");
        assert!(text.contains("ns-0000") && text.contains(&last), "{text}");
        assert!(!text.contains(&next), "{text}");
        assert!(text.contains(&format!("rows 1–{rows} of 130")), "{text}");
    }
}

/// On a later pass, files still loading for other days do not mark the view: only a pending span
/// that touches the view's window does, or — the window following the data — lies after its start
/// (newer days move the window). On the first pass everything is marked: what the database holds
/// is not yet the bucket (issue 28: `ingest 61/97` showed unmarked totals).
#[test]
fn loading_marks_only_views_whose_window_is_loading() {
    let src = FakeSource::standard();
    let with_span = |span: (i64, i64), later_pass: bool| {
        let mut t = tasks();
        t[1].pending_span = Some(span);
        t[1].last_run = later_pass.then(|| fixed_now() - Duration::seconds(5));
        t
    };
    let marked = |tasks: Vec<TaskProgress>, keys: &str| {
        let s = after_keys(&src, 160, 48, tasks, keys);
        let text = render(&s, 160, 48).to_string();
        let header = text.contains("loading: 12/316 files — totals incomplete");
        assert_eq!(header, text.contains("Total (loading)"), "{text}");
        header
    };
    let (window_start, window_end) = (tui_support::day(15), tui_support::day(22));
    let before = (window_start - 2 * 86_400, window_start - 86_400);
    let inside = (window_end - 86_400, window_end);
    let after = (window_end + 86_400, window_end + 2 * 86_400);
    assert!(!marked(with_span(before, true), ""), "older days do not touch the window");
    assert!(marked(with_span(inside, true), ""));
    assert!(marked(with_span(after, true), ""), "newer days move a window that follows the data");
    assert!(!marked(with_span(after, true), "w2026-11-15,2026-11-22\n"), "a typed window stays");
    assert!(marked(with_span(before, false), ""), "first pass: every figure may still change");
}

/// A later pass that is only listing (the rescan every few seconds) marks nothing: no flash of
/// `loading: 0/0` on an idle session (issue 28); the first pass's listing is marked.
#[test]
fn a_rescan_does_not_flash_loading() {
    let src = FakeSource::standard();
    let mut t = tasks();
    t[1].phase = Phase::Listing;
    t[1].done = 0;
    t[1].total = 0;
    t[1].last_run = Some(fixed_now() - Duration::seconds(5));
    let text = render(&after_keys(&src, 160, 48, t.clone(), ""), 160, 48).to_string();
    assert!(!text.contains("loading") && !text.contains("(loading)"), "{text}");
    t[1].last_run = None;
    let text = render(&after_keys(&src, 160, 48, t, ""), 160, 48).to_string();
    assert!(text.contains("loading: listing the bucket — totals incomplete"), "{text}");
}

/// Once the ingest pass has finished (waiting for the next one), nothing is marked loading.
#[test]
fn finished_ingest_is_not_marked_loading() {
    let src = FakeSource::standard();
    let mut done = tasks();
    for t in &mut done {
        t.phase = Phase::Waiting;
        t.done = t.total;
    }
    let s = after_keys(&src, 160, 48, done, "");
    let text = render(&s, 160, 48).to_string();
    assert!(!text.contains("loading:") && !text.contains("(loading)"), "{text}");
    assert!(text.contains("Total"), "{text}");
}

#[test]
fn allocations_detail_pane_side_and_below() {
    let src = FakeSource::standard();
    let s = after_keys(&src, 100, 30, tasks(), "j");
    let text = snap("tui_allocations_detail", &s, 100, 30);
    assert!(text.contains("Efficiency") && text.contains("Daily cost"), "{text}");
    let s = after_keys(&src, 80, 40, tasks(), "");
    let text = snap("tui_allocations_detail", &s, 80, 40);
    assert!(text.contains("Efficiency"), "{text}");
}

/// Negative idle (workloads allocated more than their nodes cost) is flagged: its amounts in
/// red in the table and the detail pane, and the detail pane says what it means.
#[test]
fn negative_idle_is_flagged() {
    let src = FakeSource {
        idle: Some((6.0, -8.0)),
        ..FakeSource::standard()
    };
    let s = after_keys(&src, 100, 30, tasks(), "jjjjjjjj");
    let backend = render(&s, 100, 30);
    let text = snap("tui_allocations_negative_idle", &s, 100, 30);
    assert!(text.contains("__idle__") && text.contains("Negative idle"), "{text}");
    let buf = backend.buffer();
    let red_minus = (0..30u16).any(|y| (0..100u16).any(|x| buf[(x, y)].symbol() == "-" && buf[(x, y)].fg == ratatui::style::Color::Red));
    assert!(red_minus, "a negative amount is drawn in red: {text}");
    // Idle rows have no requests or usage: no efficiency block for them.
    assert!(!text.contains("usage"), "{text}");
    assert!(!text.contains("300.0%"), "no shares of a negative total: {text}");
}

#[test]
fn allocations_drilled_into_a_cluster() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let mut s = started(&src, w, h, tasks());
        send(
            &mut s,
            &src,
            Action::Command(Command::Open(costscope::tui::input::PromptKind::Aggregate)),
        );
        send(&mut s, &src, Action::Command(Command::Edit(Edit::Clear)));
        for c in "cluster".chars() {
            send(&mut s, &src, Action::Command(Command::Edit(Edit::Insert(c))));
        }
        send(&mut s, &src, Action::Command(Command::Edit(Edit::Submit)));
        send(&mut s, &src, Action::Command(Command::DrillDown));
        send(&mut s, &src, Action::Tick);
        let text = snap("tui_allocations_drilled", &s, w, h);
        assert!(text.contains("path cluster prod-us › by namespace"), "{text}");
    }
}

#[test]
fn assets_and_cloud_costs() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "2");
        snap("tui_assets", &s, w, h);
        let s = after_keys(&src, w, h, tasks(), "3");
        let text = snap("tui_cloud_costs", &s, w, h);
        assert!(text.contains("metric amortizedNetCost"), "{text}");
        assert!(
            text.contains("2026-11-14 – 2026-11-20 (7 days)"),
            "cloud costs end a day earlier: {text}"
        );
    }
}

#[test]
fn pipeline() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "4j");
        let text = snap("tui_pipeline", &s, w, h);
        assert!(text.contains("12/316 files"), "{text}");
        assert!(text.contains("Failed files (2)"), "{text}");
    }
}

#[test]
fn help_overlay() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "?");
        let text = snap("tui_help", &s, w, h);
        assert!(text.contains("drill down") && text.contains("export query to CSV"), "{text}");
    }
}

#[test]
fn filter_prompt_with_an_error() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "/namespace=\"kube-system\"\n");
        let text = snap("tui_filter_error", &s, w, h);
        assert!(text.contains("filter › namespace=\"kube-system\""), "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let input = lines.iter().position(|l| l.contains("filter ›")).unwrap();
        let column = |line: &str, c: char| line.chars().position(|x| x == c);
        let caret = column(lines[input + 1], '^').expect("caret under the error");
        let equals = column(lines[input], '=').unwrap();
        assert_eq!(caret, equals, "caret points at the '='");
    }
}

#[test]
fn waiting_for_data_and_empty_window() {
    let empty = FakeSource::empty();
    let s = after_keys(&empty, 80, 24, tasks(), "");
    let text = snap("tui_waiting", &s, 80, 24);
    assert!(text.contains("waiting for data… (ingest: 12/316 files)"), "{text}");
    let src = FakeSource::standard();
    let s = after_keys(&src, 80, 24, tasks(), "w2026-12-01,2026-12-08\n");
    let text = snap("tui_empty_window", &s, 80, 24);
    assert!(text.contains("no data in this window; newest data ends 2026-11-21"), "{text}");
    assert!(text.contains("page 0/0"), "{text}");
}

#[test]
fn export_message_in_status_line() {
    let src = FakeSource::standard();
    let dir = tempfile::tempdir().unwrap();
    let mut s = started(&src, 80, 24, tasks());
    s.export_dir = dir.path().to_path_buf();
    send(&mut s, &src, Action::Command(Command::Export));
    let text = render(&s, 160, 48).to_string();
    assert!(text.contains("exported 6 rows to "), "{text}");
}

#[test]
fn spinner_while_a_query_runs() {
    let src = FakeSource::standard();
    let mut s = started(&src, 80, 24, tasks());
    let pending = s.update(Action::Command(Command::Refresh));
    assert_eq!(pending.len(), 1);
    let text = render(&s, 80, 24).to_string();
    assert!(text.contains("⠙ querying allocations…"), "{text}");
    // The previous page stays on screen while the new one loads.
    assert!(text.contains("rows 1–6 of 6"), "{text}");
}

/// `:cols` chooses the table's columns (`:cols` alone restores them) and `d` hides the detail
/// pane, giving its room to the table; the help lists both.
#[test]
fn column_choice_and_detail_toggle() {
    let src = FakeSource::standard();
    let s = after_keys(&src, 160, 48, vec![], ":cols cpu,total\n");
    let text = render(&s, 160, 48).to_string();
    let header = text.lines().find(|l| l.contains("│namespace")).expect("a header line");
    assert!(
        header.contains("CPU") && !header.contains("RAM") && !header.contains("Eff."),
        "{header}"
    );
    assert!(text.contains("columns: CPU, Total"), "{text}");
    let s = after_keys(&src, 160, 48, vec![], ":cols cpu,total\n:cols\n");
    let text = render(&s, 160, 48).to_string();
    assert!(text.lines().any(|l| l.contains("RAM") && l.contains("Eff.")), "{text}");
    let shown = render(&after_keys(&src, 160, 48, vec![], ""), 160, 48).to_string();
    let hidden = render(&after_keys(&src, 160, 48, vec![], "d"), 160, 48).to_string();
    assert!(shown.contains("Daily cost") && !hidden.contains("Daily cost"), "{hidden}");
    let bad = after_keys(&src, 160, 48, vec![], ":cols bogus\n");
    assert!(render(&bad, 160, 48).to_string().contains("unknown column \"bogus\""));
    let help = render(&after_keys(&src, 160, 48, vec![], "?"), 160, 48).to_string();
    assert!(help.contains(":cols") && help.contains("detail pane"), "{help}");
}

/// A database failure reads once as "query failed: database error: …" (it used to read
/// "query failed: query failed: …").
#[test]
fn a_database_error_is_shown_once() {
    use costscope::query::{CostSource, DailySeries, DataKind, Page, QueryError, QueryRequest, Row};
    struct Failing(FakeSource);
    impl CostSource for Failing {
        fn query(&self, _: &QueryRequest) -> Result<Page, QueryError> {
            Err(QueryError::Db("IO Error: disk full".into()))
        }
        fn daily_series(&self, _: &QueryRequest, _: &Row) -> Result<DailySeries, QueryError> {
            Err(QueryError::Db("IO Error: disk full".into()))
        }
        fn sources(&self, _: &QueryRequest, _: &Row) -> Result<Vec<costscope::query::SourceObject>, QueryError> {
            Err(QueryError::Db("IO Error: disk full".into()))
        }
        fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
            self.0.data_extent(kind)
        }
    }
    let src = Failing(FakeSource::standard());
    let mut s = started(&src, 160, 48, vec![]);
    send(&mut s, &src, Action::Tick);
    let text = render(&s, 160, 48).to_string();
    assert!(text.contains("query failed: database error: IO Error: disk full"), "{text}");
    assert_eq!(text.matches("query failed").count(), 1, "{text}");
}

/// `t`: the cost-over-time chart below the table, one line per row of the page's first five,
/// the window's first, middle and last day on the x axis and USD on the y axis; the table keeps
/// the rows that still fit (issue: reporting, "Chart: TestBackend snapshots at 80×24 and 160×48").
#[test]
fn cost_over_time_chart() {
    let src = FakeSource::standard();
    for (w, h) in SIZES {
        let s = after_keys(&src, w, h, tasks(), "t");
        assert!(s.chart_shown);
        let text = snap("tui_allocations_chart", &s, w, h);
        assert!(text.contains("Cost over time · daily totalCost"), "{text}");
        assert!(text.contains("11-15") && text.contains("11-21"), "{text}");
        assert!(text.contains('$'), "{text}");
        // The legend line names the first rows of the page, in page order.
        let legend = text
            .lines()
            .find(|l| l.contains('━'))
            .unwrap_or_else(|| panic!("no legend: {text}"));
        let (a, b) = (legend.find("━ checkout").unwrap(), legend.find("━ payments").unwrap());
        assert!(a < b, "{legend}");
        let hidden = after_keys(&src, w, h, tasks(), "tt");
        assert!(!render(&hidden, w, h).to_string().contains("Cost over time"));
    }
}

/// Non-zero adjustments are a part of Total: their column is shown by default, or named with its
/// amount in the border when it does not fit, so the visible columns add up (issue 28).
#[test]
fn nonzero_adjustments_are_shown() {
    use costscope::query::DataKind;
    let defs = costscope::query::columns::registry(DataKind::Allocation).measures;
    let at = |n: &str| defs.iter().position(|m| m.name == n).unwrap();
    let mut src = FakeSource::standard();
    let item = src.items.iter_mut().find(|i| i.kind == DataKind::Allocation).unwrap();
    item.measures[at("adj")] = -2.5;
    item.measures[at("total")] -= 2.5;
    let text = render(&after_keys(&src, 160, 48, vec![], ""), 160, 48).to_string();
    let header = text.lines().find(|l| l.contains("CPU") && l.contains("Total")).unwrap();
    assert!(header.contains("Adj."), "{text}");
    let plain = render(&after_keys(&FakeSource::standard(), 160, 48, vec![], ""), 160, 48).to_string();
    assert!(!plain.contains("Adj."), "no adjustments, no column: {plain}");
    let narrow = render(&after_keys(&src, 80, 24, vec![], ""), 80, 24).to_string();
    let named = narrow
        .lines()
        .any(|l| l.contains("Adj. -$") || (l.contains("CPU") && l.contains("Adj.")));
    assert!(named, "{narrow}");
}

/// A typed window longer than the data says how much of it the data covers (issue 28: `30d` on a
/// bucket whose data ended weeks ago read `(30 days)`).
#[test]
fn header_states_the_data_coverage_of_a_longer_window() {
    let src = FakeSource::standard();
    let s = after_keys(&src, 160, 48, vec![], "w2026-11-01,2026-11-22\n");
    let text = render(&s, 160, 48).to_string();
    assert!(
        text.contains("2026-11-01 – 2026-11-21 (21 days) · data covers 2026-11-08 – 2026-11-21 (14 days)"),
        "{text}"
    );
    let s = after_keys(&src, 160, 48, vec![], "");
    assert!(
        !render(&s, 160, 48).to_string().contains("data covers"),
        "the default window is all data"
    );
}

/// A filter longer than the header keeps both ends around an ellipsis instead of being clipped.
#[test]
fn a_long_filter_is_shortened_in_the_middle() {
    let src = FakeSource::standard();
    let filter = r#"/namespace:"checkout","payments","search","kube-system","monitoring","logging","ingress-nginx"+cluster:"prod-us""#;
    let s = after_keys(&src, 80, 24, vec![], &format!("{filter}\n"));
    let text = render(&s, 80, 24).to_string();
    let line = text.lines().find(|l| l.contains("filter ")).unwrap();
    assert!(
        line.contains('…') && line.contains("namespace:") && line.contains("\"prod-us\""),
        "{line}"
    );
}

/// `:cols all` means all: columns that do not fit are reached with `→` (issue 28: `Adj.` stayed
/// hidden at 160 columns).
#[test]
fn every_column_of_cols_all_can_be_reached() {
    use costscope::tui::action::ColumnStep;
    let src = FakeSource::standard();
    let mut s = after_keys(&src, 120, 40, vec![], ":cols all\n");
    let mut seen = std::collections::BTreeSet::new();
    // The table's header row: the line under its top border.
    let header_of = |s: &State| {
        let text = render(s, 120, 40).to_string();
        let lines: Vec<&str> = text.lines().collect();
        let top = lines.iter().position(|l| l.contains("┌ Allocations by")).unwrap();
        lines[top + 1].to_string()
    };
    assert!(
        render(&s, 120, 40).to_string().contains("←/→ columns"),
        "the border says how to reach the rest"
    );
    for _ in 0..25 {
        seen.insert(header_of(&s));
        s.update(Action::Command(Command::ScrollColumns(ColumnStep::Right)));
    }
    let all = seen.into_iter().collect::<Vec<_>>().join("\n");
    for title in ["CPU", "Total", "External", "Adj.", "RAM eff."] {
        assert!(all.contains(title), "{title} never shown:\n{all}");
    }
}

/// A page computed while the first pass was loading stays marked after the pass ends, until its
/// refresh arrives (issue 28: at `ingest 61/97` then `97/97` the totals read $8,584.56 unmarked
/// for a second and a half; final $14,195.11).
#[test]
fn a_page_computed_while_loading_stays_marked_until_refreshed() {
    use costscope::tui::state::AUTO_REFRESH_TICKS;
    let src = FakeSource::standard();
    let mut s = after_keys(&src, 160, 48, tasks(), "");
    assert!(alloc_page_partial(&s));
    let mut finished = tasks()[1].clone();
    (finished.phase, finished.done, finished.last_run) = (Phase::Waiting, 316, Some(fixed_now()));
    s.update(Action::Progress(finished));
    let text = render(&s, 160, 48).to_string();
    assert!(
        text.contains("loading: refreshing — totals incomplete") && text.contains("Total (loading)"),
        "{text}"
    );
    for _ in 0..=AUTO_REFRESH_TICKS {
        send(&mut s, &src, Action::Tick);
    }
    assert!(!alloc_page_partial(&s));
    let text = render(&s, 160, 48).to_string();
    assert!(!text.contains("totals incomplete") && !text.contains("(loading)"), "{text}");
}

fn alloc_page_partial(s: &State) -> bool {
    s.table(costscope::query::DataKind::Allocation).page_partial
}
