//! `Window` (Default version set): `?T start`, `?T end`.

use super::reader::{R, Reader};
use super::versions::Family;
use super::writer::Writer;
use crate::model::Window;

pub(crate) fn read_window(r: &mut Reader) -> R<Window> {
    r.within("Window", |r| {
        r.version(Family::Default)?;
        let start = r.opt(|r| r.time())?;
        let end = r.opt(|r| r.time())?;
        Ok(Window { start, end })
    })
}

pub(crate) fn write_window(w: &mut Writer, win: &Window) {
    w.u8(w.v.window);
    w.opt(&win.start, |w, t| w.time(t));
    w.opt(&win.end, |w, t| w.time(t));
}

/// Nested window field: compat word + window.
pub(crate) fn read_nested_window(r: &mut Reader) -> R<Window> {
    r.i32()?;
    read_window(r)
}

pub(crate) fn write_nested_window(w: &mut Writer, win: &Window) {
    w.compat();
    write_window(w, win);
}
