//! Page arithmetic for offset/limit pagination (Kubecost `offset`/`limit`,
//! Kubecost docs `apis/apis-overview.md`, offset/limit): page numbers, next/previous/last offsets, the
//! "rows 51–100 of 1,234 · page 2/25" line, and re-aligning the offset when the page size
//! changes (the TUI's page is what fits on screen, so it changes with the terminal). Pure functions, no terminal code.

use super::format::thousands;

/// One page's position in a result: the offset of its first row, the page size (`limit`, 0 =
/// everything on one page) and the row count of the whole result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSpan {
    /// Index (0-based) of the page's first row in the whole result.
    pub offset: usize,
    /// Rows per page; 0 means "all rows on one page".
    pub limit: usize,
    /// Rows in the whole result.
    pub total: usize,
}

impl PageSpan {
    /// Number of pages: 0 for an empty result, 1 when `limit` is 0.
    pub fn page_count(&self) -> usize {
        match (self.total, self.limit) {
            (0, _) => 0,
            (_, 0) => 1,
            (t, l) => t.div_ceil(l),
        }
    }

    /// 1-based number of the page that starts at `offset`; 0 for an empty result.
    pub fn page_number(&self) -> usize {
        match (self.total, self.limit) {
            (0, _) => 0,
            (_, 0) => 1,
            (_, l) => (self.offset / l + 1).min(self.page_count()),
        }
    }

    /// Offset of the last page (0 for an empty result or `limit` 0).
    pub fn last_offset(&self) -> usize {
        match self.page_count() {
            0 => 0,
            n => (n - 1) * self.limit,
        }
    }

    /// Offset of the next page, or `None` on the last page.
    pub fn next_offset(&self) -> Option<usize> {
        let next = self.offset.saturating_add(self.limit);
        (self.limit > 0 && next < self.total).then_some(next)
    }

    /// Offset of the previous page, or `None` on the first page.
    pub fn prev_offset(&self) -> Option<usize> {
        (self.offset > 0).then(|| self.offset.saturating_sub(self.limit.max(1)))
    }

    /// `rows 51–100 of 1,234 · page 2/25`; `rows_on_page` is how many rows the page holds.
    /// An empty result reads `rows 0 of 0 · page 0/0`.
    pub fn describe(&self, rows_on_page: usize) -> String {
        let pages = format!(
            "page {}/{}",
            thousands(self.page_number() as u64),
            thousands(self.page_count() as u64)
        );
        if self.total == 0 || rows_on_page == 0 {
            return format!("rows 0 of {} · {pages}", thousands(self.total as u64));
        }
        format!(
            "rows {}–{} of {} · {pages}",
            thousands(self.offset as u64 + 1),
            thousands((self.offset + rows_on_page) as u64),
            thousands(self.total as u64)
        )
    }
}

/// The offset of the page of size `limit` that holds row `row` (so that row stays visible when
/// the page size changes). `limit` 0 gives 0.
pub fn page_start_for(row: usize, limit: usize) -> usize {
    row.checked_div(limit).map_or(0, |pages| pages * limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(offset: usize, limit: usize, total: usize) -> PageSpan {
        PageSpan { offset, limit, total }
    }

    #[test]
    fn empty_result_is_page_zero_of_zero() {
        let s = span(0, 50, 0);
        assert_eq!((s.page_number(), s.page_count()), (0, 0));
        assert_eq!(s.next_offset(), None);
        assert_eq!(s.prev_offset(), None);
        assert_eq!(s.last_offset(), 0);
        assert_eq!(s.describe(0), "rows 0 of 0 · page 0/0");
    }

    #[test]
    fn last_partial_page() {
        let s = span(1200, 50, 1234);
        assert_eq!((s.page_number(), s.page_count()), (25, 25));
        assert_eq!(s.next_offset(), None);
        assert_eq!(s.prev_offset(), Some(1150));
        assert_eq!(s.describe(34), "rows 1,201–1,234 of 1,234 · page 25/25");
        assert_eq!(span(50, 50, 1234).describe(50), "rows 51–100 of 1,234 · page 2/25");
        assert_eq!(span(0, 50, 1234).last_offset(), 1200);
        assert_eq!(span(0, 50, 100).last_offset(), 50);
        assert_eq!(span(0, 50, 100).next_offset(), Some(50));
        assert_eq!(span(50, 50, 100).next_offset(), None);
    }

    #[test]
    fn page_size_changes_keep_row_on_page() {
        assert_eq!(page_start_for(100, 25), 100);
        assert_eq!(page_start_for(100, 200), 0);
        assert_eq!(page_start_for(150, 100), 100);
        assert_eq!(page_start_for(27, 14), 14);
        assert_eq!(page_start_for(27, 0), 0);
    }
}
