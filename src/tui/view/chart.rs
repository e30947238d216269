//! The cost-over-time chart (`t`): one line per row of the page's first [`CHART_ROWS`] rows, the
//! row's totalCost per UTC day (USD, the query's window, filter, idle and sharing applied) over the
//! window's days, with a legend line of the row names in their colours. Days without data are skipped (the line joins
//! its neighbours); a one-day window shows one point per row.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

use super::super::cost_view::sort_label;
use super::super::format;
use super::super::state::State;
use super::super::tab::{ChartState, TableTab};
use super::{accent_style, error_style, label_style, spinner};
use crate::query::{DailySeries, Window};

/// Rows charted: the first rows of the page, in its order.
pub const CHART_ROWS: usize = 5;

/// Line colours, one per charted row.
const COLOURS: [Color; CHART_ROWS] = [Color::Cyan, Color::Yellow, Color::Magenta, Color::Green, Color::LightRed];

/// Draw the chart pane of `tab` into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, tab: &TableTab) {
    let title = format!(
        " Cost over time · daily totalCost · first {CHART_ROWS} rows by {} ",
        sort_label(tab.kind, &tab.sort)
    );
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(title, accent_style()));
    let (Some(window), ChartState::Ready(series)) = (tab.window, &tab.chart) else {
        let text = match &tab.chart {
            ChartState::Failed(e) => Span::styled(format!("daily cost unavailable: {e}"), error_style()),
            _ if tab.page.as_ref().is_some_and(|p| p.rows.is_empty()) => Span::styled("no rows to chart", label_style()),
            _ => Span::styled(format!("{} loading daily cost…", spinner(state.tick)), label_style()),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    if series.is_empty() {
        frame.render_widget(Paragraph::new(Span::styled("no rows to chart", label_style())).block(block), area);
        return;
    }
    let days: Vec<i64> = window.days().map(|d| d.timestamp()).collect();
    let points: Vec<Vec<(f64, f64)>> = series.iter().map(|(_, s)| points(&days, s)).collect();
    let (lo, hi) = bounds(&points);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [plot, legend_area] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(legend(series, legend_area.width)), legend_area);
    let datasets: Vec<Dataset> = points
        .iter()
        .zip(COLOURS)
        .map(|(pts, colour)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(colour))
                .data(pts)
        })
        .collect();
    let last = days.len().saturating_sub(1) as f64;
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .style(label_style())
                .bounds([0.0, last.max(1.0)])
                .labels(date_labels(&window, days.len())),
        )
        .y_axis(
            Axis::default()
                .style(label_style())
                .bounds([lo, hi])
                .labels([lo, (lo + hi) / 2.0, hi].map(|v| Line::from(format::money(v)))),
        );
    frame.render_widget(chart, plot);
}

/// One line naming each charted row in its colour (`━ checkout  ━ payments …`), the names
/// shortened so all fit in `width` columns.
fn legend(series: &[(String, DailySeries)], width: u16) -> Line<'static> {
    let n = series.len().max(1);
    let room = (usize::from(width) / n).saturating_sub(4).max(4);
    let mut spans = Vec::new();
    for ((name, _), colour) in series.iter().zip(COLOURS) {
        spans.push(Span::styled("━ ", Style::new().fg(colour)));
        spans.push(Span::raw(format!("{}  ", format::truncate(name, room))));
    }
    Line::from(spans)
}

/// (day index, USD) of each day of `days` that `s` has a value for.
fn points(days: &[i64], s: &DailySeries) -> Vec<(f64, f64)> {
    days.iter()
        .enumerate()
        .filter_map(|(i, d)| s.iter().find(|(day, _)| day == d).map(|(_, v)| (i as f64, *v)))
        .collect()
}

/// The y range: from 0 (or the lowest value when negative, e.g. idle) to the highest value plus
/// a tenth, at least one cent wide.
fn bounds(points: &[Vec<(f64, f64)>]) -> (f64, f64) {
    let values = points.iter().flatten().map(|(_, v)| *v);
    let (lo, hi) = values.fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (lo * 1.1, (hi * 1.1).max(lo + 0.01))
}

/// First, middle and last day of the window (`11-15`), or the one day.
fn date_labels(window: &Window, n: usize) -> Vec<Line<'static>> {
    let day = |i: usize| {
        let d = window.start + chrono::Duration::days(i as i64);
        Line::from(d.format("%m-%d").to_string())
    };
    match n {
        0 | 1 => vec![day(0)],
        2 => vec![day(0), day(1)],
        _ => vec![day(0), day((n - 1) / 2), day(n - 1)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_skip_days_without_data_and_bounds_hold_negative_idle() {
        let days = [0, 86_400, 172_800];
        assert_eq!(points(&days, &vec![(0, 2.0), (172_800, 5.0)]), [(0.0, 2.0), (2.0, 5.0)]);
        let (lo, hi) = bounds(&[vec![(0.0, -1.0), (1.0, 10.0)]]);
        assert!((lo + 1.1).abs() < 1e-12 && (hi - 11.0).abs() < 1e-12);
        assert_eq!(bounds(&[vec![]]), (0.0, 0.01));
    }
}
