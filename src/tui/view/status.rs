//! The status line (two rows): a spinner while a query or export runs, the last message (e.g.
//! `exported 1,234 rows to /path/x.csv`, errors in red) and a compact summary of the
//! background tasks on the right (`ingest 12/316 · federator ✓`); below it the key hints.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::progress::{Phase, TaskProgress};

use super::super::state::{Screen, State};
use super::super::{format, keys};
use super::{error_style, label_style, spinner};

/// Status area height in rows.
pub const HEIGHT: u16 = 2;

/// Draw the status line into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let [top, hints] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let tasks = tasks_summary(&state.tasks);
    let tasks_width = (format::width(&tasks) as u16 + 1).min(top.width / 2);
    let [left, right] = Layout::horizontal([Constraint::Min(10), Constraint::Length(tasks_width)]).areas(top);
    let mut spans = Vec::new();
    if state.busy() {
        let what = if state.exporting {
            "exporting".to_string()
        } else {
            format!("querying {}", state.active_table().map_or("", |t| t.kind.plural()))
        };
        spans.push(Span::styled(
            format!("{} {what}…  ", spinner(state.tick)),
            Style::new().fg(Color::Yellow),
        ));
    }
    if let Some(m) = &state.message {
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let text = format::truncate_middle(&m.text, (left.width as usize).saturating_sub(used));
        spans.push(Span::styled(
            text,
            if m.is_error { error_style() } else { Style::new().fg(Color::Green) },
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), left);
    frame.render_widget(
        Paragraph::new(Line::from(format::truncate(&tasks, right.width as usize)).right_aligned()),
        right,
    );
    let hint = match state.tab.screen() {
        Screen::Cost(_) => keys::TABLE_HINTS,
        Screen::Migration => keys::MIGRATION_HINTS,
        Screen::Pipeline => keys::PIPELINE_HINTS,
        Screen::Savings => keys::SAVINGS_HINTS,
    };
    frame.render_widget(
        Paragraph::new(Span::styled(format::truncate(hint, hints.width as usize), label_style())),
        hints,
    );
}

/// `ingest 12/316 · federator ✓ · 2 failed`: one short word per task.
pub fn tasks_summary(tasks: &[TaskProgress]) -> String {
    let mut parts: Vec<String> = tasks
        .iter()
        .map(|t| match t.phase {
            Phase::Idle => format!("{} idle", t.task),
            Phase::Listing => format!("{} listing", t.task),
            Phase::Running => format!("{} {}/{}", t.task, format::thousands(t.done), format::thousands(t.total)),
            Phase::Waiting | Phase::Done => format!("{} ✓", t.task),
            Phase::Failed => format!("{} ✗", t.task),
        })
        .collect();
    let failed: usize = tasks.iter().map(|t| t.failures.len()).sum();
    if failed > 0 {
        parts.push(format!("{} failed", format::thousands(failed as u64)));
    }
    parts.join(" · ")
}
