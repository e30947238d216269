//! The header (three lines) and the tab bar. For a cost view: store; window with both dates and
//! aggregate; idle mode (allocations) or cost metric (cloud costs), drill-down path and filter.
//! For the Pipeline view: store; the newest day of data per kind; task phases. For the Migration
//! view: store; overall progress and scan times; the progress window and parity.

use chrono::DateTime;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};

use crate::query::{DataKind, Window};

use super::super::format;
use super::super::state::{Incomplete, Screen, State, Tab};
use super::super::tab::{Extent, Loadable, TableTab};
use super::{accent_style, label_style, value_style};

/// Header height in rows.
pub const HEIGHT: u16 = 3;

/// Draw the header into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let mut first = vec![
        Span::styled("costscope", accent_style().add_modifier(Modifier::BOLD)),
        Span::raw("  "),
    ];
    if let (Some(why), Some(_)) = (state.totals_incomplete(), state.active_table()) {
        let what = match why {
            Incomplete::Loading { total: 0, .. } => "listing the bucket".to_string(),
            Incomplete::Loading { done, total } => format!("{done}/{total} files"),
            Incomplete::Refreshing => "refreshing".to_string(),
        };
        first.push(Span::styled(
            format!("loading: {what} — totals incomplete  "),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    first.extend([
        Span::styled("store ", label_style()),
        Span::styled(state.store_label.clone(), value_style()),
    ]);
    let first = Line::from(first);
    let width = usize::from(area.width);
    let lines = match state.tab.screen() {
        Screen::Cost(kind) => vec![
            first,
            fit_line(query_line(state.table(kind), width), width),
            fit_line(path_line(state.table(kind)), width),
        ],
        Screen::Migration => std::iter::once(first).chain(super::migration::header_lines(state)).collect(),
        Screen::Pipeline => vec![first, data_line(state), tasks_line(state)],
        Screen::Savings => std::iter::once(first).chain(super::savings::header_lines(state, width)).collect(),
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// Draw the tab bar (`1 Allocations │ 2 Assets │ 3 Cloud costs │ 4 Pipeline`).
pub fn draw_tabs(frame: &mut Frame, area: Rect, state: &State) {
    let titles = Tab::ALL.iter().enumerate().map(|(i, t)| format!("{} {}", i + 1, t.title()));
    let tabs = Tabs::new(titles)
        .select(state.tab.index())
        .style(label_style())
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD))
        .divider("│");
    frame.render_widget(tabs, area);
}

pub(crate) fn pair(label: &str, value: String) -> [Span<'static>; 2] {
    [Span::styled(format!("{label} "), label_style()), Span::styled(value, value_style())]
}

/// `line` cut to `width` cells by shortening its widest values in the middle (`…`), so a long
/// filter or path keeps both ends instead of being clipped without a mark (issue 28).
pub(crate) fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    let mut spans = line.spans;
    loop {
        let total: usize = spans.iter().map(|s| s.width()).sum();
        if total <= width {
            return Line::from(spans);
        }
        // Values are the spans after their labels (`pair`): shorten the widest of them.
        let Some((i, w)) = spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.style == value_style())
            .map(|(i, s)| (i, s.width()))
            .max_by_key(|(_, w)| *w)
            .filter(|(_, w)| *w > 8)
        else {
            return Line::from(spans);
        };
        let to = w.saturating_sub(total - width).max(8);
        let text = format::truncate_middle(&spans[i].content, to);
        spans[i] = Span::styled(text, value_style());
    }
}

/// The window, and how much of it the data covers when that is less (issue 28: a typed `30d` on
/// data that ended weeks ago).
fn window_text(w: &Window, extent: &Extent) -> String {
    let text = format::window(w);
    let Extent::Known { start, end } = *extent else { return text };
    let (ws, we) = (w.start.timestamp(), w.end.timestamp());
    let (a, b) = (start.max(ws), end.min(we));
    if a >= b {
        return format!("{text} · no data in it");
    }
    if b - a >= we - ws {
        return text;
    }
    match extent_window(a, b) {
        Some(cover) => format!("{text} · data covers {}", format::window(&cover)),
        None => text,
    }
}

/// Window and aggregate, then the month line's figures when they fit in `width` (they never
/// squeeze the window or the aggregate).
fn query_line(t: &TableTab, width: usize) -> Line<'static> {
    let window = match (&t.window, &t.extent) {
        (Some(w), extent) => window_text(w, extent),
        (None, Extent::Missing) => "waiting for data".into(),
        (None, Extent::Failed(_)) => "unknown (see the error below)".into(),
        (None, _) => "finding the newest data…".into(),
    };
    let aggregate = if t.aggregate.is_empty() {
        "none (one row per item)".into()
    } else {
        t.aggregate.to_string()
    };
    let mut spans: Vec<Span> = pair("window", window).into();
    spans.push(Span::raw("  "));
    spans.extend(pair("aggregate", aggregate));
    let extra = insight_spans(t);
    let used: usize = spans.iter().chain(&extra).map(|s| s.width()).sum();
    if used <= width {
        spans.extend(extra);
    }
    Line::from(spans)
}

/// Where the month lands for the current query (`month 2026-11 to date $4,045.03 projected
/// $6,241.05`, docs/semantics.md §17) and, while `D` is on, the totals' Δ and the rows gone since
/// the previous window (they have no row in the table).
fn insight_spans(t: &TableTab) -> Vec<Span<'static>> {
    let Loadable::Ready(insight) = &t.insight else { return Vec::new() };
    let mut spans = Vec::new();
    if let Some((m, p)) = &insight.month {
        spans.push(Span::raw("  "));
        spans.extend(pair("month", m.month.start.format("%Y-%m").to_string()));
        spans.push(Span::raw(" "));
        spans.extend(pair("to date", crate::format::money(p.month_to_date)));
        spans.push(Span::raw(" "));
        spans.extend(pair("projected", crate::format::money(p.projected_month)));
    }
    if let Some(c) = &insight.compared {
        let [_, delta, pct] = crate::format::delta_texts(&c.totals);
        spans.push(Span::raw("  "));
        spans.extend(pair("Δ", format!("{delta} ({pct})")));
        if !c.gone.is_empty() {
            let names: Vec<&str> = c.gone.iter().map(|(n, _)| n.as_str()).collect();
            spans.push(Span::raw(" "));
            spans.extend(pair(&format!("{} gone", c.gone.len()), names.join(", ")));
        }
    }
    spans
}

fn path_line(t: &TableTab) -> Line<'static> {
    let mut spans: Vec<Span> = Vec::new();
    match t.kind {
        DataKind::Allocation => spans.extend(pair("idle", t.idle.name().to_string())),
        DataKind::CloudCost => spans.extend(pair("metric", t.cost_metric.json_name().to_string())),
        DataKind::Asset => {}
    }
    if t.rate.hours().is_some() {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.extend(pair("cost", format!("{} rate", t.rate.name())));
    }
    if let Some(shared) = t.share.describe() {
        if !spans.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.extend(pair("shared", shared));
    }
    if !spans.is_empty() {
        spans.push(Span::raw("  "));
    }
    if !t.stack.is_empty() {
        let mut path: Vec<String> = t.stack.iter().map(|l| format!("{} {}", l.key, l.value)).collect();
        path.push(format!("by {}", t.aggregate));
        spans.extend(pair("path", path.join(" › ")));
        spans.push(Span::raw("  "));
    }
    let filter = if t.filter.is_all() {
        "none".to_string()
    } else {
        t.filter.to_string()
    };
    spans.extend(pair("filter", filter));
    if let Some(text) = &t.search {
        spans.push(Span::raw("  "));
        spans.extend(pair("search", format!("name contains \"{text}\"")));
    }
    Line::from(spans)
}

fn tasks_line(state: &State) -> Line<'static> {
    let mut spans: Vec<Span> = vec![Span::styled("tasks ", label_style())];
    if state.tasks.is_empty() {
        spans.push(Span::styled("none running", value_style()));
    }
    for (i, t) in state.tasks.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", label_style()));
        }
        spans.push(Span::styled(
            format!("{} {}", t.task, super::pipeline::phase_name(t.phase)),
            value_style(),
        ));
    }
    Line::from(spans)
}

fn data_line(state: &State) -> Line<'static> {
    let mut spans: Vec<Span> = vec![Span::styled("newest data ", label_style())];
    for (i, t) in state.tables.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", label_style()));
        }
        let newest = match &t.extent {
            Extent::Known { end, .. } => DateTime::from_timestamp(*end - 1, 0).map_or_else(|| "?".into(), format::date),
            Extent::Missing => "none yet".into(),
            Extent::Failed(_) => "error".into(),
            Extent::Unknown | Extent::Loading => "…".into(),
        };
        spans.push(Span::styled(format!("{} ", t.kind.plural()), label_style()));
        spans.push(Span::styled(newest, value_style()));
    }
    Line::from(spans)
}

/// The data extent `[start, end)` (unix seconds) as a window, if valid.
pub(crate) fn extent_window(start: i64, end: i64) -> Option<Window> {
    Window::new(DateTime::from_timestamp(start, 0)?, DateTime::from_timestamp(end, 0)?).ok()
}
