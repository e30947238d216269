//! The reducer's part for the `P` list of the selected row's source objects (docs/audit.md,
//! "Sources of a figure"): they load with the row's daily series, also while the detail pane is
//! hidden when the list is open.

use super::action::Effect;
use super::state::State;

impl State {
    /// `P`: open or close the list of the selected row's sources.
    pub(super) fn toggle_sources(&mut self) -> Vec<Effect> {
        if self.sources_shown {
            self.sources_shown = false;
            return Vec::new();
        }
        if self.active_table().and_then(|t| t.selected_row()).is_none() {
            self.info("no row selected: P lists the sources of the selected row");
            return Vec::new();
        }
        self.sources_shown = true;
        Vec::new()
    }
}
