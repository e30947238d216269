//! What the cost views load after a page: the cost-over-time chart of the first rows (`t`) and
//! the selected row's source objects (`P`), driven through the reducer with the fake source.

use super::tui_state::{alloc, key};
use crate::support::tui::{FakeSource, send, started};
use costscope::query::{ColumnId, DataKind};
use costscope::tui::Action;
use costscope::tui::tab::ChartState;
use crossterm::event::KeyCode;

/// `t` turns the chart on: the page shrinks to what fits above it, the first rows' daily series
/// are loaded (they sum to each row's total), and `t` again gives the rows back.
#[test]
fn t_loads_the_chart_of_the_first_rows() {
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    let full = alloc(&s).limit;
    key(&mut s, &src, KeyCode::Char('t'));
    send(&mut s, &src, Action::Tick);
    assert!(alloc(&s).limit < full);
    let ChartState::Ready(series) = &alloc(&s).chart else {
        panic!("chart not loaded: {:?}", alloc(&s).chart)
    };
    let page = alloc(&s).page.as_ref().unwrap();
    assert_eq!(series.len(), page.rows.len().min(5));
    for ((name, days), row) in series.iter().zip(&page.rows) {
        assert_eq!(name, &row.name);
        let sum: f64 = days.iter().map(|(_, v)| v).sum();
        let total = row.get(DataKind::Allocation, ColumnId::TotalCost).unwrap();
        assert!((sum - total).abs() < 1e-6 * total.abs().max(1.0), "{name}: {sum} vs {total}");
    }
    key(&mut s, &src, KeyCode::Char('t'));
    assert_eq!(alloc(&s).limit, full);
}

/// `P`: the selected row's source objects, loaded with its daily series (also while the detail
/// pane is hidden), listed in an overlay that `Esc` closes; the detail pane counts them.
#[test]
fn p_lists_the_sources_of_the_selected_row() {
    use costscope::tui::tab::SeriesState;
    let src = FakeSource::standard();
    let mut s = started(&src, 160, 48, vec![]);
    key(&mut s, &src, KeyCode::Char('d'));
    key(&mut s, &src, KeyCode::Char('j'));
    key(&mut s, &src, KeyCode::Char('P'));
    send(&mut s, &src, Action::Tick);
    assert!(s.sources_shown);
    let row = alloc(&s).selected_row().unwrap().clone();
    let SeriesState::Ready(detail) = alloc(&s).series.clone() else {
        panic!("sources not loaded with the detail pane hidden: {:?}", alloc(&s).series)
    };
    let req = alloc(&s).request().unwrap();
    assert_eq!(detail.sources, costscope::query::CostSource::sources(&src, &req, &row).unwrap());
    assert!(!detail.sources.is_empty());
    let text = crate::tui_views::render(&s, 160, 48).to_string();
    assert!(text.contains(&format!("Sources of {}", row.name)), "{text}");
    assert!(text.contains(&detail.sources[0].key), "{text}");
    assert!(text.contains(&detail.sources[0].sha256[..12]), "{text}");
    // Keys other than the closing ones do nothing while the list is open.
    key(&mut s, &src, KeyCode::Char('j'));
    assert_eq!(alloc(&s).selected_row().unwrap().name, row.name);
    key(&mut s, &src, KeyCode::Esc);
    assert!(!s.sources_shown);
    key(&mut s, &src, KeyCode::Char('d'));
    send(&mut s, &src, Action::Tick);
    let text = crate::tui_views::render(&s, 160, 48).to_string();
    let items: u64 = detail.sources.iter().map(|x| x.rows).sum();
    assert!(
        text.contains(&format!("{} objects · {items} items (P)", detail.sources.len())),
        "{text}"
    );
}
