//! Rendering: pure functions from [`State`] to a ratatui [`Frame`] (no I/O, no state changes),
//! so `TestBackend` snapshots are cheap. Layout (docs/user-guide.md, Keys): header (store, window,
//! aggregate, filter, idle / cost metric, drill-down path), tabs, the view (cost table with a
//! detail pane, the pipeline, or the migration progress), and a status line — or the prompt when one is open — at the
//! bottom; the `?` help overlays everything.
//!
//! Width rules: the detail pane sits right of the table from 100 columns, below it from 40 rows
//! when narrower, and is hidden otherwise (80×24 shows the table, header and status only). The
//! cost-over-time chart (`t`) takes the lower part of the body, full width, instead of the
//! detail pane.

pub mod chart;
pub mod delta;
pub mod detail;
pub mod header;
pub mod help;
pub mod migration;
pub mod pipeline;
pub mod prompt;
pub mod savings;
pub mod sources;
pub mod status;
pub mod table;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Block;

use super::format;
use super::state::{Screen, State};

/// Columns from which the detail pane is shown right of the table.
pub const DETAIL_SIDE_MIN_WIDTH: u16 = 100;
/// Rows from which the detail pane is shown below the table on narrow terminals.
pub const DETAIL_BELOW_MIN_HEIGHT: u16 = 40;

/// Where the detail pane goes for a terminal of `width` × `height`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailPlacement {
    /// Right of the table.
    Side,
    /// Below the table.
    Below,
    /// Not shown.
    Hidden,
}

/// Which optional panes the user asked for: the detail pane hidden (`d`), the chart on (`t`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Panes {
    /// The user hid the detail pane.
    pub detail_hidden: bool,
    /// The cost-over-time chart is shown (it replaces the detail pane).
    pub chart: bool,
}

/// The detail pane's placement for a terminal size (`Hidden` when the user hid it with `d` or
/// the chart is shown).
pub fn detail_placement(width: u16, height: u16, panes: Panes) -> DetailPlacement {
    if panes.detail_hidden || panes.chart {
        DetailPlacement::Hidden
    } else if width >= DETAIL_SIDE_MIN_WIDTH && height >= 16 {
        DetailPlacement::Side
    } else if height >= DETAIL_BELOW_MIN_HEIGHT {
        DetailPlacement::Below
    } else {
        DetailPlacement::Hidden
    }
}

/// True when the detail pane (and so the daily series) is shown at this terminal size.
pub fn detail_visible(width: u16, height: u16, panes: Panes) -> bool {
    detail_placement(width, height, panes) != DetailPlacement::Hidden
}

/// Rows of the chart pane for a body of `body_height` rows: two fifths, 8 to 20, leaving the
/// table at least 7.
fn chart_height(body_height: u16) -> u16 {
    (body_height * 2 / 5).clamp(8, 20).min(body_height.saturating_sub(7))
}

/// Rows of the cost table that are not data rows: top and bottom border, header, totals footer.
pub const TABLE_CHROME: u16 = 4;

/// The screen's regions for a terminal `area` with a bottom bar (status line or prompt) of
/// `bottom_height` rows. The cost views split `body` into `table` and `detail`; the other views
/// use `body` whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// Header (store, window, query).
    pub header: Rect,
    /// Tab bar.
    pub tabs: Rect,
    /// Everything between the tab bar and the bottom bar.
    pub body: Rect,
    /// The cost table (part of `body`).
    pub table: Rect,
    /// The detail pane (part of `body`), when the terminal is large enough.
    pub detail: Option<Rect>,
    /// The cost-over-time chart (part of `body`, below the table), when it is on.
    pub chart: Option<Rect>,
    /// Status line or prompt.
    pub bottom: Rect,
}

/// Split `area` into the screen's regions (see [`Areas`] and the width rules above) for the
/// panes asked for.
pub fn layout(area: Rect, bottom_height: u16, panes: Panes) -> Areas {
    let [header, tabs, body, bottom] = Layout::vertical([
        Constraint::Length(header::HEIGHT),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(bottom_height),
    ])
    .areas(area);
    if panes.chart && chart_height(body.height) >= 6 {
        let [table, chart] = Layout::vertical([Constraint::Min(7), Constraint::Length(chart_height(body.height))]).areas(body);
        return Areas {
            header,
            tabs,
            body,
            table,
            detail: None,
            chart: Some(chart),
            bottom,
        };
    }
    let (table, detail) = match detail_placement(area.width, area.height, panes) {
        DetailPlacement::Side => {
            let side = (area.width / 3).clamp(38, 60);
            let [t, d] = Layout::horizontal([Constraint::Min(40), Constraint::Length(side)]).areas(body);
            (t, Some(d))
        }
        DetailPlacement::Below => {
            let [t, d] = Layout::vertical([Constraint::Min(8), Constraint::Length(16)]).areas(body);
            (t, Some(d))
        }
        DetailPlacement::Hidden => (body, None),
    };
    Areas {
        header,
        tabs,
        body,
        table,
        detail,
        chart: None,
        bottom,
    }
}

/// How many data rows the cost table shows on a `width` × `height` terminal with the status
/// line at the bottom and the `panes` asked for: the TUI's page size, so a page is exactly what
/// fits (at least 1).
pub fn table_rows(width: u16, height: u16, panes: Panes) -> usize {
    let areas = layout(Rect::new(0, 0, width, height), status::HEIGHT, panes);
    usize::from(areas.table.height.saturating_sub(TABLE_CHROME).max(1))
}

/// Draw the whole screen for `state`.
pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let areas = layout(area, prompt::height(state, area.width).max(status::HEIGHT), state.panes());
    header::draw(frame, areas.header, state);
    header::draw_tabs(frame, areas.tabs, state);
    match state.tab.screen() {
        Screen::Migration => migration::draw(frame, areas.body, state),
        Screen::Pipeline => pipeline::draw(frame, areas.body, state),
        Screen::Savings => savings::draw(frame, areas.body, state),
        Screen::Cost(kind) => {
            let tab = state.table(kind);
            table::draw(frame, areas.table, state, tab);
            if let Some(d) = areas.detail {
                detail::draw(frame, d, state, tab);
            }
            if let Some(c) = areas.chart {
                chart::draw(frame, c, state, tab);
            }
        }
    }
    if state.prompt.is_some() {
        prompt::draw(frame, areas.bottom, state);
    } else {
        status::draw(frame, areas.bottom, state);
    }
    if state.sources_shown {
        sources::draw(frame, area, state);
    }
    if state.help {
        help::draw(frame, area);
    }
}

/// Style of labels (dim).
pub(crate) fn label_style() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// Style of values (bold).
pub(crate) fn value_style() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// Style of errors (red).
pub(crate) fn error_style() -> Style {
    Style::new().fg(Color::Red)
}

/// Style of borders and titles.
pub(crate) fn accent_style() -> Style {
    Style::new().fg(Color::Cyan)
}

/// A `width` × `height` rectangle centred in `area` (clamped to it).
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Braille spinner frame for `tick`.
pub(crate) fn spinner(tick: u64) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(tick % FRAMES.len() as u64) as usize]
}

/// Put a table's bottom border titles on `block` (`width` columns wide, borders included): the
/// row counter `left` on the left, whole, and the columns that did not fit (`hidden`) on the
/// right, shortened to the room left over and dropped when under ten columns remain.
pub(crate) fn with_footer<'a>(mut block: Block<'a>, width: u16, left: Option<String>, hidden: &[&str]) -> Block<'a> {
    let mut room = usize::from(width).saturating_sub(2);
    if let Some(left) = left {
        let left = format!(" {left} ");
        room = room.saturating_sub(format::width(&left) + 1);
        block = block.title_bottom(Line::from(left));
    }
    if !hidden.is_empty() && room >= 10 {
        let text = format::truncate(&format!("hidden: {}", hidden.join(", ")), room - 2);
        block = block.title_bottom(Line::from(format!(" {text} ")).right_aligned());
    }
    block
}
