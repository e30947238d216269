//! The `P` overlay: the ETL objects the selected row was computed from (docs/audit.md, "Sources
//! of a figure") — key, the first 12 hex digits of its sha256 and the items of it the row uses —
//! in a bordered box centred over the screen; the objects that do not fit are counted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::format;
use super::super::state::State;
use super::super::tab::SeriesState;
use super::{accent_style, centered, error_style, label_style, spinner};

/// Draw the sources overlay of the visible cost view's selected row, centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let Some(tab) = state.active_table() else { return };
    let Some(row) = tab.selected_row() else { return };
    let width = area.width.saturating_sub(4).min(120);
    let room = area.height.saturating_sub(6) as usize;
    let lines: Vec<Line> = match &tab.series {
        SeriesState::Ready(d) => {
            let items: u64 = d.sources.iter().map(|s| s.rows).sum();
            let mut lines = vec![Line::styled(
                format!(
                    " {} objects · {items} items · key, sha256, items of the object in this row",
                    d.sources.len()
                ),
                label_style(),
            )];
            let keys = (width as usize).saturating_sub(30);
            let shown = if d.sources.len() > room {
                room.saturating_sub(1)
            } else {
                d.sources.len()
            };
            lines.extend(d.sources.iter().take(shown).map(|s| {
                Line::from(vec![
                    Span::raw(format!(" {:<keys$} ", format::truncate(&s.key, keys))),
                    Span::styled(format!("{:<12} ", &s.sha256[..s.sha256.len().min(12)]), label_style()),
                    Span::raw(format!("{:>8}", s.rows)),
                ])
            }));
            if shown < d.sources.len() {
                lines.push(Line::styled(
                    format!(
                        " … {} more (`costscope allocation … --provenance` lists them all)",
                        d.sources.len() - shown
                    ),
                    label_style(),
                ));
            }
            lines
        }
        SeriesState::Failed(e) => vec![Line::styled(format!(" sources unavailable: {e}"), error_style())],
        SeriesState::None | SeriesState::Wanted | SeriesState::Loading(_) => {
            vec![Line::styled(format!(" {} loading sources…", spinner(state.tick)), label_style())]
        }
    };
    let popup = centered(area, width, lines.len() as u16 + 2);
    let title = format!(" Sources of {} ", format::truncate(&row.name, (width as usize).saturating_sub(16)));
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Span::styled(title, accent_style().add_modifier(Modifier::BOLD)))
        .title_bottom(Line::from(" Esc or P closes ").right_aligned());
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
