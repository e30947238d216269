//! The `D` columns of the cost tables: Δ and Δ % of each row's cost (totalCost; cost for cloud
//! costs) against the window just before, of the same length (docs/semantics.md §12), `new` for
//! a row absent from that window; `…` while the comparison loads. Rows gone since then have no
//! row here; the header names them.

use ratatui::layout::Constraint;
use ratatui::text::Line;
use ratatui::widgets::Cell;

use super::super::insight::Compared;
use super::super::state::State;
use super::super::tab::{Loadable, TableTab};
use super::{error_style, label_style};

/// Widths of the Δ and Δ % columns (`+$12,345.67`, `+1234.5%`).
const WIDTHS: [usize; 2] = [12, 8];

/// The Δ columns of one table draw: off, loading, or the comparison.
pub enum DeltaColumns<'a> {
    /// `D` is off.
    Off,
    /// On, not loaded yet (or failed: the status line says why).
    Waiting,
    /// On and loaded.
    Ready(&'a Compared),
}

impl<'a> DeltaColumns<'a> {
    /// The columns for `tab` as `state` asks.
    pub fn of(state: &State, tab: &'a TableTab) -> DeltaColumns<'a> {
        match (&tab.insight, state.delta_shown) {
            (_, false) => DeltaColumns::Off,
            (Loadable::Ready(i), true) => i.compared.as_ref().map_or(DeltaColumns::Waiting, DeltaColumns::Ready),
            _ => DeltaColumns::Waiting,
        }
    }

    /// Cells the columns take, spacing included (0 when off).
    pub fn width(&self) -> usize {
        match self {
            DeltaColumns::Off => 0,
            _ => WIDTHS.iter().map(|w| w + 1).sum(),
        }
    }

    /// Header cells.
    pub fn headers(&self) -> Vec<Cell<'static>> {
        match self {
            DeltaColumns::Off => Vec::new(),
            _ => ["Δ", "Δ %"].map(|t| Cell::from(Line::from(t).right_aligned())).to_vec(),
        }
    }

    /// The cells of the row named `name`, or of the totals (`None`).
    pub fn cells(&self, name: Option<&str>) -> Vec<Cell<'static>> {
        let c = match self {
            DeltaColumns::Off => return Vec::new(),
            DeltaColumns::Waiting => return vec![dim("…"), dim("…")],
            DeltaColumns::Ready(c) => c,
        };
        let d = match name {
            None => Some(&c.totals),
            Some(n) => c.rows.get(n),
        };
        let Some(d) = d else { return vec![dim("—"), dim("—")] };
        let [_, delta, pct] = crate::format::delta_texts(d);
        let style = if d.delta > 0.0 {
            error_style()
        } else {
            ratatui::style::Style::new()
        };
        vec![
            Cell::from(Line::from(delta).right_aligned().style(style)),
            Cell::from(Line::from(pct).right_aligned().style(style)),
        ]
    }

    /// Layout constraints of the columns.
    pub fn constraints(&self) -> Vec<Constraint> {
        match self {
            DeltaColumns::Off => Vec::new(),
            _ => WIDTHS.iter().map(|w| Constraint::Length(*w as u16)).collect(),
        }
    }
}

fn dim(t: &'static str) -> Cell<'static> {
    Cell::from(Line::styled(t, label_style()).right_aligned())
}
