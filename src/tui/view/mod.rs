//! Rendering: pure functions from [`State`] to a ratatui [`Frame`] (no I/O, no state changes),
//! so `TestBackend` snapshots are cheap. Layout (DESIGN.md §7): header (store, window,
//! aggregate, filter, idle / cost metric, drill-down path), tabs, the view (cost table with a
//! detail pane, the pipeline, or the migration progress), and a status line — or the prompt when one is open — at the
//! bottom; the `?` help overlays everything.
//!
//! Width rules: the detail pane sits right of the table from 100 columns, below it from 40 rows
//! when narrower, and is hidden otherwise (80×24 shows the table, header and status only).

pub mod detail;
pub mod header;
pub mod help;
pub mod migration;
pub mod pipeline;
pub mod prompt;
pub mod status;
pub mod table;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};

use super::state::{State, Tab};

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

/// The detail pane's placement for a terminal size.
pub fn detail_placement(width: u16, height: u16) -> DetailPlacement {
    if width >= DETAIL_SIDE_MIN_WIDTH && height >= 16 {
        DetailPlacement::Side
    } else if height >= DETAIL_BELOW_MIN_HEIGHT {
        DetailPlacement::Below
    } else {
        DetailPlacement::Hidden
    }
}

/// True when the detail pane (and so the daily series) is shown at this terminal size.
pub fn detail_visible(width: u16, height: u16) -> bool {
    detail_placement(width, height) != DetailPlacement::Hidden
}

/// Draw the whole screen for `state`.
pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let bottom_height = prompt::height(state, area.width).max(status::HEIGHT);
    let [header_area, tabs_area, body, bottom] = Layout::vertical([
        Constraint::Length(header::HEIGHT),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(bottom_height),
    ])
    .areas(area);
    header::draw(frame, header_area, state);
    header::draw_tabs(frame, tabs_area, state);
    match state.active_table() {
        None if state.tab == Tab::Migration => migration::draw(frame, body, state),
        None => pipeline::draw(frame, body, state),
        Some(tab) => match detail_placement(area.width, area.height) {
            DetailPlacement::Side => {
                let side = (area.width / 3).clamp(38, 60);
                let [t, d] = Layout::horizontal([Constraint::Min(40), Constraint::Length(side)]).areas(body);
                table::draw(frame, t, state, tab);
                detail::draw(frame, d, state, tab);
            }
            DetailPlacement::Below => {
                let [t, d] = Layout::vertical([Constraint::Min(8), Constraint::Length(16)]).areas(body);
                table::draw(frame, t, state, tab);
                detail::draw(frame, d, state, tab);
            }
            DetailPlacement::Hidden => table::draw(frame, body, state, tab),
        },
    }
    if state.prompt.is_some() {
        prompt::draw(frame, bottom, state);
    } else {
        status::draw(frame, bottom, state);
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
