//! The Pipeline view: one gauge per background task (federator, ingest) with its phase,
//! done/total, rows, rate, bytes read, unchanged files, last and next run and fatal error, then
//! the files that failed in the current pass with their reasons (`j`/`k` select one; its full
//! key and reason are shown under the list).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Gauge, Paragraph, Row, Table, TableState, Wrap};

use crate::progress::{Phase, TaskId, TaskProgress};

use super::super::format;
use super::super::state::State;
use super::{accent_style, error_style, label_style, value_style};

/// Rows per task in the tasks panel (gauge, counts, times, spacer).
const TASK_ROWS: u16 = 4;

/// A phase in words.
pub fn phase_name(p: Phase) -> &'static str {
    match p {
        Phase::Idle => "not started",
        Phase::Listing => "listing",
        Phase::Running => "running",
        Phase::Waiting => "waiting",
        Phase::Done => "done",
        Phase::Failed => "failed",
    }
}

/// Draw the Pipeline view into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let n = state.tasks.len().max(1) as u16;
    let tasks_height = (2 + n * TASK_ROWS - 1).min(area.height.saturating_sub(4).max(3));
    let [tasks_area, failures_area] = Layout::vertical([Constraint::Length(tasks_height), Constraint::Min(3)]).areas(area);
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(" Background tasks ", accent_style().add_modifier(Modifier::BOLD)));
    let inner = block.inner(tasks_area);
    frame.render_widget(block, tasks_area);
    if state.tasks.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no background task runs in this session", label_style())),
            inner,
        );
    }
    let now = (state.now)();
    for (i, task) in state.tasks.iter().enumerate() {
        let y = inner.y + i as u16 * TASK_ROWS;
        if y + 3 > inner.y + inner.height {
            break;
        }
        draw_task(
            frame,
            Rect {
                x: inner.x,
                y,
                width: inner.width,
                height: 3,
            },
            task,
            now,
        );
    }
    draw_failures(frame, failures_area, state);
}

fn draw_task(frame: &mut Frame, area: Rect, t: &TaskProgress, now: chrono::DateTime<chrono::Utc>) {
    let [top, counts, times] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    let [label, gauge] = Layout::horizontal([Constraint::Length(24), Constraint::Min(10)]).areas(top);
    let phase_style = match t.phase {
        Phase::Failed => error_style(),
        Phase::Running | Phase::Listing => Style::new().fg(Color::Yellow),
        Phase::Waiting | Phase::Done => Style::new().fg(Color::Green),
        Phase::Idle => label_style(),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{:<10}", t.task), value_style()),
            Span::styled(phase_name(t.phase), phase_style),
        ])),
        label,
    );
    let text = if t.total == 0 && t.phase != Phase::Running {
        format!("nothing to do · {} unchanged", format::thousands(t.unchanged))
    } else {
        format!(
            "{}/{} {} · {}",
            format::thousands(t.done),
            format::thousands(t.total),
            t.task.unit(),
            format::percent(t.fraction())
        )
    };
    frame.render_widget(
        Gauge::default()
            .ratio(t.fraction().clamp(0.0, 1.0))
            .label(Span::styled(text, value_style()))
            .gauge_style(Style::new().fg(Color::Blue).bg(Color::Black)),
        gauge,
    );
    let mut c = vec![Span::styled("  rows ", label_style()), Span::raw(format::thousands(t.rows))];
    c.extend([
        Span::styled(" · ", label_style()),
        Span::raw(format!("{} rows/s", format::compact(t.rate))),
    ]);
    c.extend([Span::styled(" · read ", label_style()), Span::raw(format::bytes(t.bytes as f64))]);
    c.extend([
        Span::styled(" · unchanged ", label_style()),
        Span::raw(format::thousands(t.unchanged)),
    ]);
    if !t.failures.is_empty() {
        c.extend([
            Span::styled(" · ", label_style()),
            Span::styled(format!("{} failed", t.failures.len()), error_style()),
        ]);
    }
    frame.render_widget(Paragraph::new(Line::from(c)), counts);
    let when = if let Some(e) = &t.error {
        Line::from(vec![
            Span::styled("  error ", label_style()),
            Span::styled(e.clone(), error_style()),
        ])
    } else {
        let last = t.last_run.map_or_else(|| "never".to_string(), |x| format::relative_time(x, now));
        let mut spans = vec![Span::styled("  last run ", label_style()), Span::raw(last)];
        if let Some(next) = t.next_run {
            spans.extend([
                Span::styled(" · next run ", label_style()),
                Span::raw(format::relative_time(next, now)),
            ]);
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(when), times);
}

fn draw_failures(frame: &mut Frame, area: Rect, state: &State) {
    let failures: Vec<(TaskId, &str, &str)> = state
        .tasks
        .iter()
        .flat_map(|t| t.failures.iter().map(move |f| (t.task, f.key.as_str(), f.reason.as_str())))
        .collect();
    let title = format!(" Failed files ({}) ", format::thousands(failures.len() as u64));
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(title, accent_style().add_modifier(Modifier::BOLD)));
    if failures.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("none: every file was read", label_style())).block(block),
            area,
        );
        return;
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let selected = state.failure_selected.min(failures.len() - 1);
    let show_full = inner.height >= 6;
    let full_height = if show_full { 3 } else { 0 };
    let list_height = (failures.len() as u16).min(inner.height - full_height);
    let [list, full, _] =
        Layout::vertical([Constraint::Length(list_height), Constraint::Length(full_height), Constraint::Min(0)]).areas(inner);
    let longest = failures.iter().map(|(_, k, _)| format::width(k)).max().unwrap_or(0);
    let key_width = longest.min(list.width as usize * 55 / 100).max(20);
    let rows = failures.iter().map(|(task, key, reason)| {
        Row::new([
            Cell::from(Span::styled(task.to_string(), label_style())),
            Cell::from(format::truncate(key, key_width)),
            Cell::from(Span::styled(reason.to_string(), error_style())),
        ])
    });
    let table = Table::new(
        rows,
        [Constraint::Length(9), Constraint::Length(key_width as u16), Constraint::Min(10)],
    )
    .column_spacing(1)
    .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    frame.render_stateful_widget(table, list, &mut TableState::default().with_selected(Some(selected)));
    if show_full {
        let (_, key, reason) = failures[selected];
        let text = vec![
            Line::raw(""),
            Line::from(Span::styled(key.to_string(), value_style())),
            Line::from(Span::styled(reason.to_string(), error_style())),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), full);
    }
}
