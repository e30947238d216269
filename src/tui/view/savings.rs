//! The Savings view: the monthly total of every kind (the selected one marked), then one page of
//! the selected kind with the row's JSON field names as column titles, sorted by its monthly
//! figure unless `s` chose another field; the bottom border holds the total and the row range.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, TableState};

use super::super::format;
use super::super::savings_kinds::{KINDS, SavingsTable};
use super::super::savings_state::KindTotal;
use super::super::state::State;
use super::header::{fit_line, pair};
use super::{Panes, accent_style, error_style, label_style, spinner, value_style};
use crate::format::money;

/// Rows of the kinds box: one per kind and its borders.
const KINDS_HEIGHT: u16 = KINDS.len() as u16 + 2;
/// Rows of the table that are not data rows: borders and the header.
const TABLE_CHROME: u16 = 3;
/// Widest a text column gets.
const TEXT_MAX: usize = 32;

/// Data rows of the savings table on a `width` × `height` terminal: the page size.
pub fn table_rows(width: u16, height: u16) -> usize {
    let panes = Panes {
        detail_hidden: true,
        chart: false,
    };
    let body = super::layout(Rect::new(0, 0, width, height), super::status::HEIGHT, panes).body;
    usize::from(body.height.saturating_sub(KINDS_HEIGHT + TABLE_CHROME).max(1))
}

/// The header's lines under the store: the kind, window, filter and sort; how monthly figures
/// are made and which command prints the same table.
pub fn header_lines(state: &State, width: usize) -> Vec<Line<'static>> {
    let s = &state.savings;
    let kind = KINDS[s.kind];
    let mut first = vec![];
    first.extend(pair("kind", kind.name.to_string()));
    if let Some(t) = s.page() {
        first.push(Span::raw("  "));
        first.extend(pair("window", format::window(&t.window)));
    }
    let filter = &s.filters[s.kind].1;
    first.push(Span::raw("  "));
    first.extend(pair("filter", if filter.is_empty() { "none".into() } else { filter.clone() }));
    first.push(Span::raw("  "));
    first.extend(pair("sort", s.sort_label()));
    let mut second = vec![Span::styled(format!("same as `{}`", kind.command), label_style())];
    if let Some(t) = s.page() {
        second.push(Span::styled(
            format!("  ·  monthly = window figure × 730 h / {:.1} h of data", t.covered_hours),
            label_style(),
        ));
        if t.left_out > 0 {
            second.push(Span::styled(
                format!("  ·  {} left out (no input for the rule)", t.left_out),
                label_style(),
            ));
        }
    }
    vec![fit_line(Line::from(first), width), fit_line(Line::from(second), width)]
}

/// Draw the kinds box and the table in `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let [kinds, table] = Layout::vertical([Constraint::Length(KINDS_HEIGHT), Constraint::Min(3)]).areas(area);
    draw_kinds(frame, kinds, state);
    draw_table(frame, table, state);
}

fn draw_kinds(frame: &mut Frame, area: Rect, state: &State) {
    let s = &state.savings;
    let lines: Vec<Line> = KINDS
        .iter()
        .zip(&s.totals)
        .enumerate()
        .map(|(i, (k, total))| {
            let marker = if i == s.kind { "▸ " } else { "  " };
            let style = if i == s.kind { value_style() } else { Style::new() };
            let mut spans = vec![Span::styled(format!("{marker}{:<12}", k.name), style)];
            spans.push(match total {
                KindTotal::Loading => Span::styled(format!("{:>14}", spinner(state.tick)), label_style()),
                KindTotal::Ready { monthly, rows } => Span::styled(
                    format!(
                        "{:>14}/mo  {:>6} rows",
                        money(*monthly),
                        format::truncate(&crate::format::thousands(*rows as u64), 6)
                    ),
                    style,
                ),
                KindTotal::Failed(e) => Span::styled(format!("  {}", format::truncate(e, 80)), error_style()),
            });
            Line::from(spans)
        })
        .collect();
    let block = Block::bordered()
        .border_style(accent_style())
        .title(" Savings per month by kind (no filter) — ←/→ picks ");
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_table(frame: &mut Frame, area: Rect, state: &State) {
    let s = &state.savings;
    let kind = KINDS[s.kind];
    let block = Block::bordered().border_style(accent_style()).title(format!(" {} ", kind.name));
    let Some(t) = s.page() else {
        let text = match &s.error {
            Some(e) => Line::styled(format!("{} failed: {e}", kind.name), error_style()),
            None => Line::styled(format!("{} loading…", spinner(state.tick)), label_style()),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let footer = footer(t, s.offset);
    let block = block.title_bottom(Line::from(format!(" {footer} ")));
    if t.rows.is_empty() {
        let text = match &s.error {
            Some(e) => Line::styled(e.clone(), error_style()),
            None => Line::styled(format!("no {} rows in this window", kind.name), label_style()),
        };
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let cells: Vec<usize> = (0..t.fields.len())
        .map(|j| t.rows.iter().map(|r| format::width(&r.cells[j])).max().unwrap_or(0))
        .collect();
    let heads: Vec<usize> = t.fields.iter().map(|f| f.len()).collect();
    let widths = fit_widths(&cells, &heads, &t.numeric, usize::from(area.width.saturating_sub(2)));
    let align = |j: usize, text: String| {
        let line = Line::from(format::truncate(&text, widths[j]));
        Cell::from(if t.numeric[j] { line.right_aligned() } else { line })
    };
    let header = Row::new((0..t.fields.len()).map(|j| align(j, t.fields[j].to_string()))).style(label_style().add_modifier(Modifier::BOLD));
    let rows = t
        .rows
        .iter()
        .map(|r| Row::new(r.cells.iter().enumerate().map(|(j, c)| align(j, c.clone()))));
    let table = Table::new(rows, widths.iter().map(|w| Constraint::Length(*w as u16)))
        .header(header)
        .block(block)
        .column_spacing(2)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut ts = TableState::default().with_selected(s.selected);
    frame.render_stateful_widget(table, area, &mut ts);
}

/// `total $1,234.56/mo · rows 1–20 of 57`.
fn footer(t: &SavingsTable, offset: usize) -> String {
    let range = if t.rows.is_empty() {
        "no rows".to_string()
    } else {
        format!("rows {}–{} of {}", offset + 1, offset + t.rows.len(), t.total_rows)
    };
    format!("total {} {}/mo · {range}", t.monthly, money(t.total_monthly))
}

/// Column widths that fit `room` cells (two between columns): numbers get their cells' width,
/// names share what is left (up to [`TEXT_MAX`], the narrowest first getting all they need), and
/// what is still left widens the numbers to their titles.
fn fit_widths(cells: &[usize], heads: &[usize], numeric: &[bool], room: usize) -> Vec<usize> {
    let n = cells.len();
    let mut widths: Vec<usize> = (0..n)
        .map(|j| {
            if numeric[j] {
                cells[j].max(6)
            } else {
                cells[j].max(heads[j]).min(TEXT_MAX)
            }
        })
        .collect();
    let numbers: usize = (0..n).filter(|&j| numeric[j]).map(|j| widths[j]).sum();
    let mut left = room.saturating_sub(2 * n.saturating_sub(1) + numbers);
    let mut texts: Vec<usize> = (0..n).filter(|&j| !numeric[j]).collect();
    texts.sort_by_key(|&j| widths[j]);
    let mut count = texts.len();
    for j in texts {
        widths[j] = widths[j].min(left / count.max(1)).max(4);
        left = left.saturating_sub(widths[j]);
        count -= 1;
    }
    for j in (0..n).filter(|&j| numeric[j]) {
        let more = heads[j].saturating_sub(widths[j]).min(left);
        widths[j] += more;
        left -= more;
    }
    widths
}
