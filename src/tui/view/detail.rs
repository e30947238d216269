//! The detail pane of the selected row: its cost breakdown (each part with its share of the
//! total); for allocations the CPU (cores) and RAM requests against usage with their efficiency
//! (Kubecost: efficiency = usage / request, the total weighted by CPU and RAM cost); and a
//! sparkline of the daily cost over the window (days without data are left blank).

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline, SparklineBar};

use crate::query::columns::{ColumnDef, ColumnId, Detail, columns};
use crate::query::{DataKind, IDLE, Row, Window};

use super::super::format;
use super::super::state::State;
use super::super::tab::{SeriesState, TableTab};
use super::{accent_style, error_style, label_style, spinner, value_style};

/// Width of the label column of the breakdown.
const LABEL: usize = 11;
/// Most rows the daily chart takes (title and dates included).
const CHART_MAX_HEIGHT: u16 = 8;

/// Draw the detail pane for `tab`'s selected row into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, tab: &TableTab) {
    let Some(row) = tab.selected_row() else {
        let block = Block::bordered().border_style(accent_style()).title(" Detail ");
        frame.render_widget(Paragraph::new(Span::styled("no row selected", label_style())).block(block), area);
        return;
    };
    let name = format::truncate(&row.name, area.width.saturating_sub(4) as usize);
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(format!(" {name} "), accent_style()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let cost = breakdown(tab.kind, row);
    let mut eff = efficiency(tab.kind, row);
    if !eff.is_empty() {
        eff.push(Line::raw(""));
    }
    eff.push(sources_line(tab));
    if inner.width >= 76 {
        // Wide and short (below the table): breakdown left, efficiency and chart right.
        let [left, right] = Layout::horizontal([Constraint::Length(40), Constraint::Min(30)]).areas(inner);
        frame.render_widget(Paragraph::new(cost), left);
        draw_stack(frame, right, state, tab, eff);
    } else {
        let mut lines = cost;
        lines.push(Line::raw(""));
        lines.extend(eff);
        draw_stack(frame, inner, state, tab, lines);
    }
}

/// Text lines on top, the daily chart below in the remaining rows (when at least 4 remain).
fn draw_stack(frame: &mut Frame, area: Rect, state: &State, tab: &TableTab, lines: Vec<Line<'static>>) {
    let text_height = (lines.len() as u16).min(area.height);
    let chart_height = area.height - text_height;
    if chart_height < 4 {
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let [text, _gap, chart] = Layout::vertical([Constraint::Length(text_height), Constraint::Length(1), Constraint::Min(3)]).areas(area);
    frame.render_widget(Paragraph::new(lines), text);
    draw_chart(
        frame,
        Rect {
            height: chart.height.min(CHART_MAX_HEIGHT),
            ..chart
        },
        state,
        tab,
    );
}

fn money_line(label: &str, v: f64, total: f64) -> Line<'static> {
    // Shares of a total at or below zero (negative idle) mean nothing: none are shown.
    let share = if total > f64::EPSILON && label != "Total" {
        format!(" {:>6}", format::percent(v / total))
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), label_style()),
        Span::styled(
            format!("{:>14}", format::money(v)),
            if format::is_negative(v) {
                error_style()
            } else if label == "Total" {
                value_style()
            } else {
                Style::new()
            },
        ),
        Span::styled(share, label_style()),
    ])
}

/// Total first, then each cost part with its share of the total, then counts: the columns'
/// [`Detail`] places in the registry.
fn breakdown(kind: DataKind, row: &Row) -> Vec<Line<'static>> {
    let cols = columns(kind);
    let value = |c: &ColumnDef| row.get(kind, c.id).unwrap_or(0.0);
    let total = cols.iter().find(|c| c.detail == Detail::Total).map_or(0.0, value);
    let mut lines = vec![money_line("Total", total, total)];
    lines.extend(cols.iter().filter_map(|c| match c.detail {
        Detail::Part(label) => Some(money_line(label, value(c), total)),
        Detail::Total | Detail::Count(_) | Detail::Omit => None,
    }));
    lines.extend(cols.iter().filter_map(|c| match c.detail {
        Detail::Count(label) => Some(count_line(label, value(c))),
        Detail::Total | Detail::Part(_) | Detail::Omit => None,
    }));
    lines
}

fn count_line(label: &str, v: f64) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), label_style()),
        Span::raw(format!("{:>14}", format::value(crate::query::Unit::Count, v))),
    ])
}

/// What an idle row is, and a warning when it is negative (docs/semantics.md, idle): then the
/// workloads were allocated more than their nodes cost.
fn idle_note(kind: DataKind, row: &Row) -> Vec<Line<'static>> {
    let negative = [ColumnId::CpuCost, ColumnId::RamCost, ColumnId::GpuCost, ColumnId::TotalCost]
        .into_iter()
        .any(|id| row.get(kind, id).is_some_and(format::is_negative));
    let mut lines = vec![
        Line::styled("Idle: node cost that no", label_style()),
        Line::styled("workload was allocated.", label_style()),
    ];
    if negative {
        lines.extend(
            [
                "Negative idle: workloads were",
                "allocated more than their nodes",
                "cost (over-committed requests or",
                "node assets missing).",
            ]
            .map(|t| Line::styled(t, error_style())),
        );
    }
    lines
}

/// Efficiency (allocations): total, then CPU and RAM request vs usage; for idle rows the idle
/// note instead (idle has no requests or usage).
fn efficiency(kind: DataKind, row: &Row) -> Vec<Line<'static>> {
    if kind != DataKind::Allocation {
        return Vec::new();
    }
    if row.name.contains(IDLE) {
        return idle_note(kind, row);
    }
    let get = |id: ColumnId| row.get(kind, id).unwrap_or(0.0);
    // The unit goes with the label: CPU in cores, RAM with its own IEC unit (issue 28).
    let part = |label: &str, req: String, used: String, eff: f64| {
        Line::from(vec![
            Span::styled(format!("{label:<9}"), label_style()),
            Span::raw(format!("{req:>9} {used:>9} ")),
            Span::styled(format!("{:>7}", format::percent(eff)), value_style()),
        ])
    };
    vec![
        Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "Efficiency"), label_style()),
            Span::styled(format!("{:>14}", format::percent(get(ColumnId::TotalEfficiency))), value_style()),
        ]),
        Line::styled(format!("{:<9}{:>9} {:>9} {:>7}", "", "request", "usage", "eff."), label_style()),
        part(
            "CPU cores",
            format::cores(get(ColumnId::CpuCoreRequestAverage)),
            format::cores(get(ColumnId::CpuCoreUsageAverage)),
            get(ColumnId::CpuEfficiency),
        ),
        part(
            "RAM",
            format::bytes(get(ColumnId::RamByteRequestAverage)),
            format::bytes(get(ColumnId::RamByteUsageAverage)),
            get(ColumnId::RamEfficiency),
        ),
    ]
}

/// `Sources  N objects · M items (P)`: how many ETL objects the row was computed from.
fn sources_line(tab: &TableTab) -> Line<'static> {
    let what = match &tab.series {
        SeriesState::Ready(d) => {
            let items: u64 = d.sources.iter().map(|s| s.rows).sum();
            format!("{} objects · {items} items (P)", d.sources.len())
        }
        SeriesState::Failed(_) => "unavailable".into(),
        SeriesState::None | SeriesState::Wanted | SeriesState::Loading(_) => "…".into(),
    };
    Line::from(vec![Span::styled(format!("{:<LABEL$}", "Sources"), label_style()), Span::raw(what)])
}

/// Title line, sparkline, date line.
fn draw_chart(frame: &mut Frame, area: Rect, state: &State, tab: &TableTab) {
    let [title, bars, dates] = Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    let Some(window) = tab.window else { return };
    let series = match &tab.series {
        SeriesState::Ready(d) => &d.series,
        SeriesState::Failed(e) => {
            frame.render_widget(
                Paragraph::new(Span::styled(format!("daily cost unavailable: {e}"), error_style())),
                title,
            );
            return;
        }
        SeriesState::None => return,
        SeriesState::Wanted | SeriesState::Loading(_) => {
            frame.render_widget(
                Paragraph::new(Span::styled(format!("{} loading daily cost…", spinner(state.tick)), label_style())),
                title,
            );
            return;
        }
    };
    let days: Vec<i64> = window.days().map(|d| d.timestamp()).collect();
    let max = series.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("Daily cost · {} days · max ", days.len()), label_style()),
            Span::raw(format::money(max)),
        ])),
        title,
    );
    let data = spread(&days, series, bars.width as usize);
    frame.render_widget(Sparkline::default().data(data).style(Style::new().fg(Color::Green)), bars);
    frame.render_widget(Paragraph::new(date_line(&window, dates.width as usize)), dates);
}

/// One bar per column: the window's days spread over `width` columns (the largest day when
/// several share a column), in cents; `None` for days without data.
fn spread(days: &[i64], series: &[(i64, f64)], width: usize) -> Vec<SparklineBar> {
    let by_day: HashMap<i64, f64> = series.iter().copied().collect();
    let n = days.len();
    if n == 0 || width == 0 {
        return Vec::new();
    }
    (0..width)
        .map(|x| {
            let from = x * n / width;
            let to = ((x + 1) * n / width).max(from + 1).min(n);
            let v = days[from..to]
                .iter()
                .filter_map(|d| by_day.get(d))
                .fold(None, |m: Option<f64>, v| Some(m.map_or(*v, |m| m.max(*v))));
            SparklineBar::from(v.map(|v| (v.max(0.0) * 100.0).round() as u64))
        })
        .collect()
}

/// First day left, last day right.
fn date_line(window: &Window, width: usize) -> Line<'static> {
    let first = format::date(window.start);
    let last = format::date(window.end - chrono::Duration::seconds(1));
    let gap = width.saturating_sub(first.len() + last.len());
    if gap == 0 {
        return Line::styled(first, label_style());
    }
    Line::styled(format!("{first}{}{last}", " ".repeat(gap)), label_style())
}
