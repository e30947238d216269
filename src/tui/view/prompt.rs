//! The prompt at the bottom (`a`, `w`, `/`): `filter › text` with the cursor shown (and set as
//! the terminal cursor), scrolled horizontally to keep the cursor in view; below it either a hint
//! of accepted input or the last error — for filters a red caret under the column the parser
//! stopped at, then the message, wrapped.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::format;
use super::super::input::Prompt;
use super::super::input::PromptKind;
use super::super::state::State;
use super::{accent_style, error_style, label_style};

/// Most rows the error message may take.
const MAX_MESSAGE_ROWS: usize = 6;

/// Rows the open prompt needs at `width` columns (0 when no prompt is open).
pub fn height(state: &State, width: u16) -> u16 {
    let Some(p) = &state.prompt else { return 0 };
    match &p.error {
        None => 2,
        Some(e) => {
            let caret = u16::from(e.column.is_some());
            1 + caret + message_rows(&e.message, width as usize) as u16
        }
    }
}

fn message_rows(message: &str, width: usize) -> usize {
    if width == 0 {
        return 1;
    }
    // Conservative estimate of word wrapping: a little slack per row.
    let chars = format::width(message);
    chars.div_ceil(width.saturating_sub(8).max(1)).clamp(1, MAX_MESSAGE_ROWS)
}

fn label(p: &Prompt) -> String {
    match p.kind {
        PromptKind::Command => ":".to_string(),
        _ => format!("{} › ", p.kind.label()),
    }
}

/// Draw the open prompt into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let Some(p) = &state.prompt else { return };
    let label = label(p);
    let label_w = format::width(&label);
    let field = (area.width as usize).saturating_sub(label_w + 1).max(1);
    let chars = p.input.chars();
    let cursor = p.input.cursor();
    // Scroll so the cursor (and the error column, when there is one) stay visible.
    let scroll = cursor.saturating_sub(field - 1);
    let visible: String = chars.iter().skip(scroll).take(field).collect();
    let mut spans = vec![Span::styled(label.clone(), accent_style().add_modifier(Modifier::BOLD))];
    let before: String = visible.chars().take(cursor - scroll).collect();
    let at: Option<char> = visible.chars().nth(cursor - scroll);
    let after: String = visible.chars().skip(cursor - scroll + 1).collect();
    spans.push(Span::raw(before.clone()));
    spans.push(Span::styled(
        at.map_or(" ".to_string(), String::from),
        Style::new().add_modifier(Modifier::REVERSED),
    ));
    spans.push(Span::raw(after));
    let mut lines = vec![Line::from(spans)];
    match &p.error {
        None => lines.push(Line::styled(format::truncate(p.kind.hint(), area.width as usize), label_style())),
        Some(e) => {
            if let Some(col) = e.column {
                let pos = (label_w + col.saturating_sub(1)).saturating_sub(scroll);
                lines.push(Line::styled(
                    format!("{}^", " ".repeat(pos.min(area.width.saturating_sub(1) as usize))),
                    error_style().add_modifier(Modifier::BOLD),
                ));
            }
            lines.push(Line::styled(e.message.clone(), Style::new().fg(Color::Red)));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
    let x = area.x + (label_w + format::width(&before)) as u16;
    frame.set_cursor_position(Position {
        x: x.min(area.right().saturating_sub(1)),
        y: area.y,
    });
}
