//! The cost table shared by the three cost views: the aggregate name column plus the kind's main
//! columns (allocations: CPU, GPU, RAM, PV, Network, LB, Shared, Eff., Total — Kubecost's table,
//! Kubecost's allocation table), money as `$1,234.56`, efficiency as a percentage, a
//! totals footer over the whole result, and the page line. Columns that do not fit are dropped
//! by priority (Total, CPU, RAM, Eff. stay longest) and named in the bottom border; long names
//! end in `…`. Also the texts shown instead of a table: waiting for data, loading, empty, error.

use chrono::Duration;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Cell, Paragraph, Row as TableRow, Table, TableState, Wrap};

use crate::progress::{Phase, TaskId};
use crate::query::{ColumnDef, DataKind, Detail, IDLE, Page, Shown, SortKey, UNALLOCATED, columns};

use super::super::cost_view::sort_label;
use super::super::format;
use super::super::state::State;
use super::super::tab::{Extent, TableTab};
use super::delta::DeltaColumns;
use super::header::extent_window;
use super::{accent_style, error_style, label_style, spinner, with_footer};

/// Narrowest the name column gets before numeric columns are dropped.
const NAME_MIN: usize = 14;

/// Draw the cost table of `tab` into `area`.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, tab: &TableTab) {
    let cols = columns(tab.kind);
    let inner_width = area.width.saturating_sub(2) as usize;
    let delta = DeltaColumns::of(state, tab);
    let fit = tab
        .page
        .as_ref()
        .map(|p| fit_columns(tab, p, inner_width.saturating_sub(delta.width())));
    let title = if tab.aggregate.is_empty() {
        format!(" {} ", state.tab.title())
    } else {
        format!(" {} by {} ", state.tab.title(), tab.aggregate)
    };
    let block = Block::bordered()
        .border_style(accent_style())
        .title(Line::from(Span::styled(title, accent_style().add_modifier(Modifier::BOLD))))
        .title(Line::from(format!(" sorted by {} ", sort_label(tab.kind, &tab.sort))).right_aligned());
    let counter = tab
        .shown_span()
        .map(|span| span.describe(tab.page.as_ref().map_or(0, |p| p.rows.len())));
    // Hidden parts of the total carry their amount, so the row of totals still adds up (issue 28).
    let hidden: Vec<String> = match (&fit, &tab.page) {
        (Some(fit), Some(page)) => tab
            .column_choice()
            .into_iter()
            .filter(|i| !fit.shown.contains(i))
            .map(|i| match (cols[i].detail, page.totals.values.get(i)) {
                (Detail::Part(_), Some(v)) if v.abs() >= 0.005 => format!("{} {}", cols[i].title, format::value(cols[i].unit, *v)),
                _ => cols[i].title.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let scrollable = !hidden.is_empty() || tab.column_offset > 0;
    let counter = counter.map(|c| if scrollable { format!("{c} · ←/→ columns") } else { c });
    let hidden: Vec<&str> = hidden.iter().map(String::as_str).collect();
    let block = with_footer(block, area.width, counter, &hidden);
    let (Some(page), Some(fit)) = (tab.page.as_ref(), fit) else {
        let text = match (&tab.error, &tab.extent) {
            (Some(e), _) => Text::styled(format!("query failed: {e}"), error_style()),
            (None, Extent::Missing) => Text::raw(waiting_text(state, tab.kind)),
            (None, _) => Text::raw(format!("{} loading {}…", spinner(state.tick), tab.kind.plural())),
        };
        frame.render_widget(message(text, block), area);
        return;
    };
    if page.rows.is_empty() {
        frame.render_widget(message(Text::raw(empty_text(tab)), block), area);
        return;
    }
    let header_cells = std::iter::once(Cell::from(name_header(tab))).chain(
        fit.shown
            .iter()
            .map(|&i| Cell::from(Line::from(column_header(tab, &cols[i])).right_aligned()))
            .chain(delta.headers()),
    );
    // Idle is the assets' cost minus the allocations': computed from a partial set of files it is
    // no figure (issue 28: a negative idle while loading), so its cells wait for the pass.
    let loading = state.totals_incomplete().is_some();
    let shown_names: Vec<String> = page.rows.iter().map(|r| crate::format::printable(&r.name).into_owned()).collect();
    let shown_names = format::truncate_distinct(&shown_names, fit.name_width);
    let rows = page.rows.iter().zip(shown_names).map(|(r, shown_name)| {
        let unsettled = loading && r.name.contains(IDLE);
        let name_style = if r.name.contains(IDLE) {
            Style::new().fg(Color::Yellow)
        } else if r.name.contains(UNALLOCATED) {
            Style::new().add_modifier(Modifier::ITALIC)
        } else {
            Style::new()
        };
        let cells = std::iter::once(Cell::from(Span::styled(shown_name, name_style)))
            .chain(fit.shown.iter().map(move |&i| {
                if unsettled {
                    Cell::from(Line::styled("…", label_style()).right_aligned())
                } else {
                    value_cell(&cols[i], r.values.get(i).copied())
                }
            }))
            .chain(delta.cells(Some(&r.name)));
        TableRow::new(cells)
    });
    // While ingest is still loading files the totals are marked (issue 10: partial data).
    let total_label = if loading {
        Cell::from(Span::styled("Total (loading)", Style::new().fg(Color::Yellow)))
    } else {
        Cell::from("Total")
    };
    let footer = std::iter::once(total_label)
        .chain(fit.shown.iter().map(|&i| value_cell(&cols[i], page.totals.values.get(i).copied())))
        .chain(delta.cells(None));
    let widths = std::iter::once(Constraint::Min(fit.name_width as u16))
        .chain(fit.shown.iter().map(|&i| Constraint::Length(fit.widths[i] as u16)))
        .chain(delta.constraints());
    let table = Table::new(rows, widths)
        .header(TableRow::new(header_cells).style(label_style().add_modifier(Modifier::BOLD)))
        .footer(TableRow::new(footer).style(Style::new().add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .row_highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .block(block);
    let mut ts = TableState::default().with_selected(tab.selected);
    frame.render_stateful_widget(table, area, &mut ts);
}

fn message<'a>(text: Text<'a>, block: Block<'a>) -> Paragraph<'a> {
    Paragraph::new(text)
        .block(block)
        .wrap(Wrap { trim: true })
        .alignment(Alignment::Center)
}

fn name_header(tab: &TableTab) -> String {
    let base = if tab.aggregate.is_empty() {
        "name".to_string()
    } else {
        tab.aggregate.to_string()
    };
    if tab.sort.key == SortKey::Name {
        format!("{base} {}", arrow(tab))
    } else {
        base
    }
}

fn column_header(tab: &TableTab, c: &ColumnDef) -> String {
    if tab.sort.key == SortKey::Column(c.id) {
        format!("{} {}", c.title, arrow(tab))
    } else {
        c.title.to_string()
    }
}

fn arrow(tab: &TableTab) -> &'static str {
    if tab.sort.descending { "↓" } else { "↑" }
}

/// One value, right-aligned; a negative amount (e.g. negative idle) in red.
fn value_cell(c: &ColumnDef, v: Option<f64>) -> Cell<'static> {
    let text = v.map_or_else(|| "—".to_string(), |v| format::value(c.unit, v));
    let line = Line::from(text).right_aligned();
    if v.is_some_and(format::is_negative) {
        Cell::from(line.style(error_style()))
    } else {
        Cell::from(line)
    }
}

/// Which of the tab's columns fit, their widths and the name width.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnFit {
    /// Indices into the kind's [`columns()`], in table order.
    pub shown: Vec<usize>,
    /// Width needed by each column of the kind (title and every value on the page and in the
    /// totals; 0 for columns the tab does not offer), indexed like [`columns()`].
    pub widths: Vec<usize>,
    /// Width of the name column.
    pub name_width: usize,
}

/// Choose the columns of `page` that fit in `width` cells among the tab's [`TableTab::column_choice`],
/// keeping the most important ones (total, CPU, RAM, efficiency first, then the user's order) and
/// at least `NAME_MIN` cells for names. Scrolled right (`→`, [`TableTab::column_offset`]) the
/// table shows the chosen columns from that one on, in the user's order, so every column of
/// `:cols all` can be reached on any terminal (issue 28).
pub fn fit_columns(tab: &TableTab, page: &Page, width: usize) -> ColumnFit {
    let cols = columns(tab.kind);
    let all_chosen = tab.column_choice();
    let offset = tab.column_offset.min(all_chosen.len().saturating_sub(1));
    let choice: Vec<usize> = all_chosen[offset..].to_vec();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if !choice.contains(&i) {
                return 0;
            }
            let values = page
                .rows
                .iter()
                .chain(std::iter::once(&page.totals))
                .map(|r| format::width(&format::value(c.unit, r.values.get(i).copied().unwrap_or(0.0))));
            values
                .chain(std::iter::once(format::width(&column_header(tab, c))))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let name_wanted = page
        .rows
        .iter()
        .map(|r| format::width(&r.name))
        .chain([format::width(&name_header(tab)), 5])
        .max()
        .unwrap_or(5);
    let name_min = name_wanted.min(NAME_MIN);
    let mut used = name_min;
    let mut shown = Vec::new();
    // Table columns by rank, then the other chosen columns in the user's order.
    let mut by_rank: Vec<(u8, usize)> = (0..cols.len())
        .filter_map(|i| match cols[i].shown {
            Shown::Table { rank } if offset == 0 => Some((rank, i)),
            Shown::Table { .. } | Shown::Detail => None,
        })
        .collect();
    by_rank.sort_unstable();
    let ranked = by_rank
        .into_iter()
        .map(|(_, i)| i)
        .filter(|i| choice.contains(i))
        .chain(choice.iter().copied());
    for i in ranked {
        if !shown.contains(&i) && used + 1 + widths[i] <= width {
            used += 1 + widths[i];
            shown.push(i);
        }
    }
    shown.sort_by_key(|i| choice.iter().position(|c| c == i));
    let name_width = name_min + width.saturating_sub(used);
    ColumnFit { shown, widths, name_width }
}

/// Why there is no data yet, with the ingest task's progress:
/// `waiting for data… (ingest: 12/316 files)`.
pub(crate) fn waiting_text(state: &State, kind: DataKind) -> String {
    let plural = kind.plural();
    match state.task(TaskId::Ingest) {
        None => format!("waiting for data… no {plural} in the store and no ingest running (run `costscope ingest`)"),
        Some(p) => match p.phase {
            Phase::Idle => "waiting for data… (ingest has not started yet)".into(),
            Phase::Listing => "waiting for data… (ingest: listing the bucket)".into(),
            Phase::Running => format!(
                "waiting for data… (ingest: {}/{} files)",
                format::thousands(p.done),
                format::thousands(p.total)
            ),
            Phase::Waiting | Phase::Done => format!(
                "no {plural} in the store yet: ingest read {} files{}",
                format::thousands(p.done + p.unchanged),
                if p.failures.is_empty() {
                    String::new()
                } else {
                    format!(", {} failed (see view 4)", p.failures.len())
                }
            ),
            Phase::Failed => format!("waiting for data… ingest failed: {}", p.error.as_deref().unwrap_or("unknown error")),
        },
    }
}

/// Why a query returned no rows: the window is outside the data, or the filter matches nothing.
pub(crate) fn empty_text(tab: &TableTab) -> String {
    let plural = tab.kind.plural();
    let (Some(w), Extent::Known { start, end }) = (&tab.window, &tab.extent) else {
        return format!("no {plural} in this window");
    };
    let Some(data) = extent_window(*start, *end) else {
        return format!("no {plural} in this window");
    };
    if w.start >= data.end {
        format!(
            "no data in this window; newest data ends {}",
            format::date(data.end - Duration::seconds(1))
        )
    } else if w.end <= data.start {
        format!("no data in this window; oldest data starts {}", format::date(data.start))
    } else if !tab.filter.is_all() {
        format!("no {plural} match the filter in this window (/ edits it, Esc goes back)")
    } else {
        format!("no {plural} in this window")
    }
}
