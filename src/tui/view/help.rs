//! The `?` overlay: every key binding from [`key_help`] (two columns split at a section
//! boundary when the terminal is wide enough, else one), then [`HELP_NOTES`] on accepted input,
//! in a bordered box centred over the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::super::keys::{HELP_KEYS_WIDTH as KEYS, HELP_NOTES, key_help};
use super::{accent_style, centered, label_style};

/// Draw the help overlay centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect) {
    let help = key_help();
    let lines: Vec<Line> = help.iter().map(|(keys, what)| entry(keys, what)).collect();
    let two_columns = area.width >= 80;
    // Split at the section boundary that balances the two columns best.
    let split = if two_columns {
        (1..help.len())
            .filter(|i| help[*i].0.is_empty())
            .min_by_key(|i| (*i).max(help.len() - i))
            .unwrap_or(help.len())
    } else {
        help.len()
    };
    let rows = split.max(help.len() - split) as u16;
    let width = if two_columns { 80 } else { area.width.min(60) };
    let notes = HELP_NOTES.len() as u16 + 1;
    let popup = centered(area, width, rows + notes + 2);
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(" Keys ", accent_style().add_modifier(Modifier::BOLD)))
        .title_bottom(Line::from(" Esc or ? closes ").right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [keys_area, notes_area] = Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(inner);
    if two_columns {
        let mut left = lines;
        let right = left.split_off(split);
        let [l, r] = Layout::horizontal([Constraint::Length(39), Constraint::Min(30)]).areas(keys_area);
        frame.render_widget(Paragraph::new(left), l);
        frame.render_widget(Paragraph::new(right), r);
    } else {
        frame.render_widget(Paragraph::new(lines), keys_area);
    }
    let notes: Vec<Line> = std::iter::once(Line::raw(""))
        .chain(HELP_NOTES.iter().map(|n| Line::styled(format!(" {n}"), label_style())))
        .collect();
    frame.render_widget(Paragraph::new(notes).wrap(Wrap { trim: false }), notes_area);
}

fn entry(keys: &str, what: &'static str) -> Line<'static> {
    if keys.is_empty() {
        return Line::from(Span::styled(format!(" {what}"), accent_style().add_modifier(Modifier::BOLD)));
    }
    Line::from(vec![
        Span::styled(format!(" {keys:<KEYS$} "), Modifier::BOLD),
        Span::styled(what, label_style()),
    ])
}
