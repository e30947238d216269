//! The Migration view (tab 5): one table row per cluster (Thanos days, backup days, federated
//! days, ingested days, % done of the counted window, % of source days, last write, ETA, phase —
//! columns that do not fit are dropped by priority), then the per-day strip (one cell per UTC day
//! coloured and lettered by state, days outside the counted window dimmed and a `━` line under the
//! counted ones, the newest days kept when the terminal is narrow) with its legend, parity and
//! Thanos facts. The selected cluster's days that are not done — every one the strip marks, those
//! outside the counted window flagged — and its mismatched days are listed below the strip when
//! the terminal is tall enough (Enter lets `j`/`k` scroll them), or in the strip's place after
//! Enter otherwise. `H` sets the horizon (`--horizon-days`). Texts come from
//! [`crate::migration::render`], so the CLI and the TUI agree.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState, Wrap};

use crate::migration::render::{COLUMNS, duration_text, eta_text, percent_text, ruler};
use crate::migration::{ClusterPhase, ClusterReport, DayState, MigrationReport, Progress};

use super::super::format;
use super::super::migration_state::DetailLine;
use super::super::state::State;
use super::{accent_style, error_style, label_style, spinner, value_style, with_footer};

/// Rows of the strip panel besides one per cluster: borders, ruler, counted-window line, legend,
/// parity, Thanos.
const STRIP_EXTRA_ROWS: u16 = 7;
/// Fewest rows the detail list gets when shown below the strip.
const DETAIL_MIN_ROWS: u16 = 6;

/// Cell style of a day state in the strip and legend.
pub fn state_style(s: DayState) -> Style {
    let cell = |bg: Color| Style::new().fg(Color::Black).bg(bg);
    match s {
        DayState::Ingested => cell(Color::Green),
        DayState::Migrated => cell(Color::Cyan),
        DayState::Empty => cell(Color::Magenta),
        DayState::Pending => cell(Color::Yellow),
        DayState::ThanosOnly => cell(Color::LightRed),
        DayState::NoSource => Style::new().fg(Color::DarkGray),
    }
}

/// Text style of a cluster phase.
pub fn phase_style(p: ClusterPhase) -> Style {
    match p {
        ClusterPhase::CaughtUp => Style::new().fg(Color::Green),
        ClusterPhase::Settling => Style::new().fg(Color::Cyan),
        ClusterPhase::Migrating => Style::new().fg(Color::Yellow),
        ClusterPhase::HistoryPending => Style::new().fg(Color::Yellow),
        ClusterPhase::Stalled | ClusterPhase::NeedsRebuild => error_style(),
    }
}

fn pair(label: &str, value: String) -> [Span<'static>; 2] {
    [Span::styled(format!("{label} "), label_style()), Span::styled(value, value_style())]
}

/// The two header lines under the store: overall progress, then scan times and the window.
pub fn header_lines(state: &State) -> Vec<Line<'static>> {
    let now = (state.now)();
    let Some(status) = &state.migration.status else {
        return vec![
            Line::styled("migration scan not running in this session", label_style()),
            Line::raw(""),
        ];
    };
    let mut first: Vec<Span> = Vec::new();
    match status.report.as_deref() {
        Some(r) => {
            let p = &r.overall;
            first.extend(pair(
                "migration",
                format!("{} done ({}/{} days)", percent_text(p.percent_done), p.done_days, p.expected_days),
            ));
            first.push(Span::raw("  "));
            first.extend(pair("source days", percent_text(p.percent_of_source_days)));
            first.push(Span::raw("  "));
            first.push(Span::styled(p.phase.label(), phase_style(p.phase)));
            first.push(Span::raw("  "));
            first.extend(pair("ETA", eta_text(p)));
        }
        None => first.push(Span::styled("migration: no scan has finished yet", label_style())),
    }
    let mut second: Vec<Span> = Vec::new();
    if status.scanning {
        second.push(Span::styled(
            format!("{} scanning  ", spinner(state.tick)),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(t) = status.last_scan {
        second.extend(pair("scanned", format::relative_time(t, now)));
    }
    if let Some((a, b)) = status.report.as_deref().and_then(|r| r.progress_window.clone()) {
        second.push(Span::raw("  "));
        let horizon = match state.migration.horizon_days {
            Some(n) => format!(" (last {n} days)"),
            None => String::new(),
        };
        second.extend(pair("counted", format!("{a} … {b}{horizon}")));
    }
    if let Some(t) = status.report.as_deref().and_then(|r| r.copied_at) {
        second.push(Span::raw("  "));
        second.extend(pair(
            "copied",
            format!("{} (writes counted after it)", format::relative_time(t, now)),
        ));
    }
    vec![Line::from(first), Line::from(second)]
}

/// Draw the Migration view into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let block = |title: String| {
        Block::bordered()
            .border_style(accent_style())
            .title(Span::styled(title, accent_style().add_modifier(Modifier::BOLD)))
    };
    let m = &state.migration;
    let report = match (&m.status, m.report()) {
        (_, Some(r)) => r,
        (None, None) => {
            let text = "no migration scan runs in this session (`costscope migration` prints the same report)";
            frame.render_widget(message(Text::styled(text, label_style()), block(" Migration ".into())), area);
            return;
        }
        (Some(s), None) => {
            let text = match &s.error {
                Some(e) => Text::styled(format!("migration scan failed: {e}"), error_style()),
                None => Text::raw(format!(
                    "{} scanning the bucket (Thanos blocks, ETL backup, federated tree)…",
                    spinner(state.tick)
                )),
            };
            frame.render_widget(message(text, block(" Migration ".into())), area);
            return;
        }
    };
    let clusters = report.clusters.len() as u16;
    let table_height = (clusters + 3 + u16::from(clusters > 1)).min(area.height.saturating_sub(3)).max(3);
    let strip_height = clusters + STRIP_EXTRA_ROWS;
    let rest = area.height.saturating_sub(table_height);
    let [table_area, lower] = Layout::vertical([Constraint::Length(table_height), Constraint::Min(0)]).areas(area);
    draw_table(frame, table_area, state, report);
    if rest >= strip_height + DETAIL_MIN_ROWS {
        let [s, d] = Layout::vertical([Constraint::Length(strip_height), Constraint::Min(0)]).areas(lower);
        draw_strip(frame, s, report, m.selected, block);
        draw_detail(frame, d, state, block);
    } else if m.detail {
        draw_detail(frame, lower, state, block);
    } else {
        draw_strip(frame, lower, report, m.selected, block);
    }
}

fn message<'a>(text: Text<'a>, block: Block<'a>) -> Paragraph<'a> {
    Paragraph::new(text)
        .block(block)
        .wrap(Wrap { trim: true })
        .alignment(ratatui::layout::Alignment::Center)
}

fn cells(c: Option<&ClusterReport>, name: &str, p: &Progress, state: &State) -> Vec<String> {
    crate::migration::render::row(name, c, p, (state.now)())
}

fn draw_table(frame: &mut Frame, area: Rect, state: &State, r: &MigrationReport) {
    let mut rows: Vec<(Vec<String>, ClusterPhase)> = r
        .clusters
        .iter()
        .map(|c| (cells(Some(c), &c.cluster, &c.progress, state), c.progress.phase))
        .collect();
    if r.clusters.len() > 1 {
        rows.push((cells(None, "(all)", &r.overall, state), r.overall.phase));
    }
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|i| {
            rows.iter()
                .map(|(c, _)| format::width(&c[i]))
                .chain([format::width(COLUMNS[i].tui_title)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let inner = area.width.saturating_sub(2) as usize;
    let mut used = 0;
    let mut shown: Vec<usize> = Vec::new();
    let mut keep_order: Vec<usize> = (0..COLUMNS.len()).collect();
    keep_order.sort_by_key(|&i| COLUMNS[i].keep);
    for i in keep_order {
        let w = widths[i] + usize::from(!shown.is_empty());
        if used + w <= inner || shown.is_empty() {
            used += w;
            shown.push(i);
        }
    }
    shown.sort_unstable();
    let line = |i: usize, text: String, style: Style| {
        let l = Line::styled(text, style);
        Cell::from(if COLUMNS[i].right_aligned { l.right_aligned() } else { l })
    };
    let header = Row::new(shown.iter().map(|&i| line(i, COLUMNS[i].tui_title.to_string(), Style::new())))
        .style(label_style().add_modifier(Modifier::BOLD));
    let body = rows.iter().enumerate().map(|(n, (c, phase))| {
        let row = Row::new(shown.iter().map(|&i| {
            line(
                i,
                c[i].clone(),
                if COLUMNS[i].is_phase { phase_style(*phase) } else { Style::new() },
            )
        }));
        if n == r.clusters.len() {
            row.style(Style::new().add_modifier(Modifier::BOLD))
        } else {
            row
        }
    });
    let hidden: Vec<&str> = (0..COLUMNS.len())
        .filter(|i| !shown.contains(i))
        .map(|i| COLUMNS[i].tui_title)
        .collect();
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(" Migration by cluster ", accent_style().add_modifier(Modifier::BOLD)));
    let block = with_footer(block, area.width, None, &hidden);
    let table = Table::new(body, shown.iter().map(|&i| Constraint::Length(widths[i] as u16)))
        .header(header)
        .column_spacing(1)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .block(block);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(Some(state.migration.selected)),
    );
}

fn draw_strip(frame: &mut Frame, area: Rect, r: &MigrationReport, selected: usize, block: impl Fn(String) -> Block<'static>) {
    let days = r.clusters.first().map_or(0, |c| c.days.len());
    let title = format!(
        " Days {} … {} ({days}) ",
        r.first_day.as_deref().unwrap_or("?"),
        r.last_day.as_deref().unwrap_or("?")
    );
    let b = block(title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let name_w = r.clusters.iter().map(|c| format::width(&c.cluster)).max().unwrap_or(0).min(24) + 1;
    let fit = (inner.width as usize).saturating_sub(name_w).min(days);
    let skip = days - fit;
    let mut lines: Vec<Line> = Vec::new();
    let first_shown = r.clusters.first().and_then(|c| c.days.get(skip)).map_or("", |d| d.day.as_str());
    lines.push(Line::styled(
        format!("{:name_w$}{}", "", ruler(fit, first_shown, r.last_day.as_deref().unwrap_or(""))),
        label_style(),
    ));
    for (i, c) in r.clusters.iter().enumerate() {
        let name_style = if i == selected {
            value_style().add_modifier(Modifier::REVERSED)
        } else {
            value_style()
        };
        let mut spans = vec![
            Span::styled(
                format!("{:<w$}", format::truncate(&c.cluster, name_w - 1), w = name_w - 1),
                name_style,
            ),
            Span::raw(" "),
        ];
        spans.extend(c.days[skip..].iter().map(|d| {
            let style = state_style(d.state);
            let style = if d.in_progress_window {
                style
            } else {
                style.add_modifier(Modifier::DIM)
            };
            Span::styled(d.state.letter().to_string(), style)
        }));
        lines.push(Line::from(spans));
    }
    if let Some(c) = r.clusters.first() {
        let marks: String = crate::migration::render::counted_marks(c).chars().skip(skip).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{:<w$}", "counted", w = name_w), label_style()),
            Span::styled(marks, accent_style()),
        ]));
    }
    let mut legend = vec![Span::styled("legend ", label_style())];
    for s in DayState::ALL {
        legend.push(Span::styled(s.letter().to_string(), state_style(s)));
        legend.push(Span::raw(format!(" {}  ", s.label())));
    }
    lines.push(Line::from(legend));
    let checked: usize = r.clusters.iter().map(|c| c.parity_checked_days).sum();
    let parity = if r.mismatches.is_empty() {
        Style::new().fg(Color::Green)
    } else {
        error_style()
    };
    let mut facts = vec![
        Span::styled("parity ", label_style()),
        Span::styled(format!("{} mismatches in {checked} migrated days", r.mismatches.len()), parity),
    ];
    if !r.problems.is_empty() {
        facts.push(Span::styled(format!(" · {} unreadable files", r.problems.len()), error_style()));
    }
    lines.push(Line::from(facts));
    let t = &r.thanos;
    lines.push(Line::styled(
        format!(
            "thanos {} blocks by {} · skipped {} partial, {} deletion-marked, {} unlabelled",
            t.blocks_used,
            t.cluster_label,
            t.partial_uploads.len(),
            t.deletion_marked.len(),
            t.unlabelled.len()
        ),
        label_style(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn detail_text(line: DetailLine<'_>) -> Line<'static> {
    match line {
        DetailLine::Missing(d) => {
            let mark = |b: bool| if b { "✓" } else { "✗" };
            let counted = if d.in_progress_window { "counted" } else { "outside" };
            Line::from(vec![
                Span::raw(format!("{}  ", d.day)),
                Span::styled(format!("{:<11}", d.state.name()), state_style(d.state)),
                Span::styled(
                    format!(
                        "  {counted}  backup {}{}  federated {}{}  thanos {}",
                        mark(d.backup_allocations),
                        mark(d.backup_assets),
                        mark(d.federated_allocations),
                        mark(d.federated_assets),
                        format::percent(d.thanos_coverage),
                    ),
                    label_style(),
                ),
            ])
        }
        DetailLine::Mismatch(x) => Line::from(vec![
            Span::raw(format!("{}  ", x.day)),
            Span::styled(format!("{:<11}", "MISMATCH"), error_style()),
            Span::raw(format!(
                "  {}: backup {} vs federated {} (Δ {})",
                x.pipeline,
                format::money(x.backup_total),
                format::money(x.federated_total),
                format::money(x.federated_total - x.backup_total)
            )),
        ]),
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, state: &State, block: impl Fn(String) -> Block<'static>) {
    let m = &state.migration;
    let Some(c) = m.selected_cluster() else { return };
    let lines = m.detail_lines();
    let missing = lines.iter().filter(|l| matches!(l, DetailLine::Missing(_))).count();
    let counted = c.missing_days().len();
    let title = format!(
        " {}: {missing} days not done, {counted} counted · {} mismatches ",
        c.cluster,
        lines.len() - missing
    );
    let keys = if m.detail {
        " ✓✗ = allocations, assets · j/k scroll · Esc closes "
    } else {
        " ✓✗ = allocations, assets · Enter to scroll "
    };
    let title_w = format::width(&title);
    let mut b = block(title).title_bottom(Line::from(keys).right_aligned());
    if let Some(p) = c.progress.last_write {
        let ago = format!(" last write {} ago ", duration_text(((state.now)() - p).num_seconds() as f64));
        // Only beside the title when both fit: the title is what Enter promises.
        if title_w + format::width(&ago) + 4 <= usize::from(area.width) {
            b = b.title(Line::from(ago).right_aligned());
        }
    }
    if lines.is_empty() {
        let text = Text::styled(
            "every day with a source is federated, and parity holds",
            Style::new().fg(Color::Green),
        );
        frame.render_widget(Paragraph::new(text).block(b), area);
        return;
    }
    let skip = if m.detail { m.scroll } else { 0 };
    let shown: Vec<Line> = lines.into_iter().skip(skip).map(detail_text).collect();
    frame.render_widget(Paragraph::new(shown).block(b), area);
}
