//! What the savings kinds after `requests` share: a query over a window with a filter and the
//! kind's parameters ([`SavingsQuery`]), rows that name their fields ([`SavingsRow`]), their
//! order ([`SavingsSort`]) and one page of them with the total of the whole result
//! ([`SavingsPage`]).

use super::{SizingSortError, page_range};
use crate::query::{Filter, LabelConfig, Window};
use serde::Serialize;

/// One field value of a savings row, with its unit (how a table prints it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'a> {
    /// A name.
    Text(&'a str),
    /// USD.
    Usd(f64),
    /// Bytes.
    Bytes(f64),
    /// Cores.
    Cores(f64),
    /// Bytes per second.
    BytesPerSecond(f64),
    /// A fraction 0..1 (printed as a percentage).
    Fraction(f64),
    /// A count.
    Count(f64),
}

impl Cell<'_> {
    /// The number, `None` for text.
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Text(_) => None,
            Cell::Usd(v) | Cell::Bytes(v) | Cell::Cores(v) | Cell::BytesPerSecond(v) | Cell::Fraction(v) | Cell::Count(v) => Some(v),
        }
    }
}

/// A row of a savings kind: its JSON fields in order and their values, so one sorter, pager
/// and table printer serve every kind.
pub trait SavingsRow: Serialize + Clone + Send + Sync {
    /// The JSON field names, in the row's order (what `--sort` and the CSV header take).
    const FIELDS: &'static [&'static str];
    /// The field the default order sorts by, descending (the monthly saving or cost).
    const MONTHLY: &'static str;
    /// The value of field `i` of [`Self::FIELDS`].
    fn cell(&self, i: usize) -> Cell<'_>;
    /// The row's monthly figure (USD per 730-hour month), what the totals sum.
    fn monthly(&self) -> f64;
}

/// Sort order of a savings result: one of the row's JSON fields, ties broken by the row's text
/// fields in order so pages are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SavingsSort {
    /// The field's JSON name.
    pub field: &'static str,
    /// Largest first.
    pub descending: bool,
}

impl SavingsSort {
    /// The default order of `R`: its monthly field, largest first.
    pub fn monthly<R: SavingsRow>() -> SavingsSort {
        SavingsSort {
            field: R::MONTHLY,
            descending: true,
        }
    }

    /// Parse `FIELD[:asc|desc]` against `R`'s fields (case-insensitive; default direction desc).
    ///
    /// Errors: [`SizingSortError`], listing the accepted fields.
    pub fn parse<R: SavingsRow>(s: &str) -> Result<SavingsSort, SizingSortError> {
        let (f, dir) = s.split_once(':').unwrap_or((s, "desc"));
        let descending = match dir.to_ascii_lowercase().as_str() {
            "desc" | "" => true,
            "asc" => false,
            other => return Err(SizingSortError::Direction(other.to_string())),
        };
        match R::FIELDS.iter().find(|k| k.eq_ignore_ascii_case(f.trim())) {
            Some(&field) => Ok(SavingsSort { field, descending }),
            None => Err(SizingSortError::Field {
                field: f.to_string(),
                accepted: R::FIELDS.join(", "),
            }),
        }
    }

    /// Sort `rows` in this order (ties by the text fields; a field `R` lacks sorts nothing).
    pub fn apply<R: SavingsRow>(&self, rows: &mut [R]) {
        let key = R::FIELDS.iter().position(|f| *f == self.field);
        let texts: Vec<usize> = (0..R::FIELDS.len()).filter(|&i| rows.first().is_some_and(|r| matches!(r.cell(i), Cell::Text(_)))).collect();
        let cmp = |a: Cell, b: Cell| match (a, b) {
            (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
            (x, y) => x.number().unwrap_or(0.0).total_cmp(&y.number().unwrap_or(0.0)),
        };
        rows.sort_by(|a, b| {
            let o = key.map_or(std::cmp::Ordering::Equal, |k| cmp(a.cell(k), b.cell(k)));
            let o = if self.descending { o.reverse() } else { o };
            texts.iter().fold(o, |o, &i| o.then_with(|| cmp(a.cell(i), b.cell(i))))
        });
    }
}

/// One savings query: the items of `window` that `filter` keeps, judged with `params`, sorted
/// and paged.
#[derive(Clone, Debug)]
pub struct SavingsQuery<P> {
    /// Half-open UTC window (the sets answering it as for a query of the kind's items).
    pub window: Window,
    /// Kubecost filter v2 over the kind's items (allocations or assets).
    pub filter: Filter,
    /// Which label each alias field reads.
    pub labels: LabelConfig,
    /// The kind's parameters.
    pub params: P,
    /// Row order.
    pub sort: SavingsSort,
    /// First row of the page.
    pub offset: usize,
    /// Rows per page; 0 = all rows.
    pub limit: usize,
}

/// One page of a savings answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SavingsPage<R> {
    /// The page's rows.
    pub rows: Vec<R>,
    /// Rows in the whole result.
    pub total_rows: usize,
    /// Σ of the rows' monthly figure over the whole result, USD per month.
    pub total_monthly: f64,
    /// Hours of data covered (first set start to last set end of the items read); 0 without data.
    pub covered_hours: f64,
    /// Items left out for lack of an input the rule needs (a disk without `byteUsageMax`, a node
    /// without breakdowns, a workload that never ran); 0 when none.
    pub left_out: usize,
}

impl<R: SavingsRow> SavingsPage<R> {
    /// Sort `rows` (the whole result) by `q.sort`, total them and keep `q`'s page.
    pub fn from_rows<P>(mut rows: Vec<R>, q: &SavingsQuery<P>, covered_hours: f64, left_out: usize) -> SavingsPage<R> {
        q.sort.apply(&mut rows);
        let total_monthly = rows.iter().map(R::monthly).sum();
        let total_rows = rows.len();
        let rows = rows.drain(page_range(q.offset, q.limit, total_rows)).collect();
        SavingsPage {
            rows,
            total_rows,
            total_monthly,
            covered_hours,
            left_out,
        }
    }
}

/// `amount × 730 ÷ covered hours` (0 without hours): a window's USD as a monthly rate.
pub fn monthly(amount: f64, covered_hours: f64) -> f64 {
    if covered_hours > 0.0 { amount * super::HOURS_PER_MONTH / covered_hours } else { 0.0 }
}

/// `[1970-01-01, 1970-01-02)`, the window of the savings unit tests.
#[cfg(test)]
pub(crate) fn first_day() -> Window {
    Window::new(chrono::DateTime::UNIX_EPOCH, chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(1)).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::savings::NodeRow;

    fn node(name: &str, monthly: f64) -> NodeRow {
        NodeRow {
            cluster: "c".into(),
            node: name.into(),
            node_type: String::new(),
            provider_id: String::new(),
            cpu_cores: 1.0,
            ram_bytes: 1.0,
            cpu_utilization: 0.1,
            ram_utilization: 0.1,
            cost: monthly,
            monthly_savings: monthly,
        }
    }

    #[test]
    fn sorts_parse_fields_and_pages_total_the_whole_result() {
        assert_eq!(SavingsSort::parse::<NodeRow>("NODE:asc").unwrap().field, "node");
        assert!(matches!(SavingsSort::parse::<NodeRow>("x"), Err(SizingSortError::Field { .. })));
        assert!(matches!(SavingsSort::parse::<NodeRow>("node:up"), Err(SizingSortError::Direction(_))));
        let q = SavingsQuery {
            window: first_day(),
            filter: Filter::All,
            labels: LabelConfig::default(),
            params: (),
            sort: SavingsSort::monthly::<NodeRow>(),
            offset: 1,
            limit: 2,
        };
        let rows = vec![node("b", 1.0), node("a", 1.0), node("c", 5.0), node("d", -2.0)];
        let page = SavingsPage::from_rows(rows, &q, 24.0, 3);
        assert_eq!(page.total_rows, 4);
        assert_eq!(page.total_monthly, 5.0);
        assert_eq!(page.left_out, 3);
        let names: Vec<&str> = page.rows.iter().map(|r| r.node.as_str()).collect();
        assert_eq!(names, ["a", "b"], "ties broken by the text fields");
        assert_eq!(monthly(24.0, 24.0), 730.0);
        assert_eq!(monthly(1.0, 0.0), 0.0);
    }
}
