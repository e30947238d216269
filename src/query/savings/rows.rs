//! What the savings kinds after `requests` share: a query over a window with a filter and the
//! kind's parameters ([`SavingsQuery`]), rows that name their fields ([`SavingsRow`]), their
//! order ([`SavingsSort`]) and one page of them with the total of the whole result
//! ([`SavingsPage`]).

use super::page_range;
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

/// One field of a savings row kind: its JSON name (also the CSV header, the `--sort` key and,
/// spaced and upper-cased, the table column) and how to read it from a row, with its unit.
pub struct Field<R: 'static> {
    /// The JSON field name (`monthlySavings`).
    pub name: &'static str,
    /// The field's value in a row.
    pub get: for<'a> fn(&'a R) -> Cell<'a>,
}

/// A row of a savings kind: its fields declared once ([`Self::FIELDS`], through
/// [`savings_row!`](crate::savings_row)), so one serialiser, sorter, pager and table printer
/// serve every kind.
pub trait SavingsRow: Serialize + Clone + Send + Sync + Sized + 'static {
    /// The fields in the row's order.
    const FIELDS: &'static [Field<Self>];
    /// The field the default order sorts by, descending (the monthly saving or cost).
    const MONTHLY: &'static str;
    /// The fields summed over the whole result into [`SavingsPage::totals`].
    const TOTALS: &'static [&'static str];

    /// The JSON field names in order (what `--sort` accepts and the CSV header).
    fn names() -> Vec<&'static str> {
        Self::FIELDS.iter().map(|f| f.name).collect()
    }

    /// The value of field `name`, `None` when the row has no such field.
    fn value(&self, name: &str) -> Option<Cell<'_>> {
        Self::FIELDS.iter().find(|f| f.name == name).map(|f| (f.get)(self))
    }
}

/// Serialise `row` as a struct of its [`SavingsRow::FIELDS`] in order (text as strings, every
/// number as `f64`): what a row's `Serialize` (JSON and CSV) does. Errors: the serialiser's.
pub fn serialize_row<R: SavingsRow, S: serde::Serializer>(row: &R, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("SavingsRow", R::FIELDS.len())?;
    for f in R::FIELDS {
        match (f.get)(row) {
            Cell::Text(t) => st.serialize_field(f.name, t)?,
            c => st.serialize_field(f.name, &c.number().unwrap_or(0.0))?,
        }
    }
    st.end()
}

/// Declare a savings row kind's fields once: `savings_row!(Row, monthly: "f", totals: ["f"],
/// fields: ["jsonName" => Unit(rust_field), "other" => Unit(nested.field), …])` implements [`SavingsRow`] (each field read as
/// [`Cell`]`::Unit`) and `Serialize` (the fields in order under their JSON names).
#[macro_export]
macro_rules! savings_row {
    ($row:ty, monthly: $monthly:literal, totals: [$($total:literal),*], fields: [$($name:literal => $unit:ident($($field:ident).+)),* $(,)?]) => {
        impl $crate::query::savings::SavingsRow for $row {
            const FIELDS: &'static [$crate::query::savings::Field<Self>] = &[$($crate::query::savings::Field {
                name: $name,
                get: |r| $crate::savings_row!(@cell $unit r.$($field).+),
            }),*];
            const MONTHLY: &'static str = $monthly;
            const TOTALS: &'static [&'static str] = &[$($total),*];
        }

        impl serde::Serialize for $row {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::query::savings::serialize_row(self, s)
            }
        }
    };
    (@cell Text $r:ident.$($field:ident).+) => { $crate::query::savings::Cell::Text(&$r.$($field).+) };
    (@cell $unit:ident $r:ident.$($field:ident).+) => { $crate::query::savings::Cell::$unit($r.$($field).+) };
}

/// Sums of some fields over a whole result, in the order declared (serialised as a JSON object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals(pub Vec<(&'static str, f64)>);

impl Totals {
    /// The sum of field `name`; 0 when it is not totalled.
    pub fn get(&self, name: &str) -> f64 {
        self.0.iter().find(|(k, _)| *k == name).map_or(0.0, |(_, v)| *v)
    }
}

impl Serialize for Totals {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Why a savings sort (`FIELD[:asc|desc]`) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizingSortError {
    /// Not `asc` or `desc`.
    #[error("sort direction {0:?}: expected asc or desc")]
    Direction(String),
    /// Not a field of the row.
    #[error("unknown sort field {field:?}; accepted: {accepted}")]
    Field {
        /// The field asked for.
        field: String,
        /// The accepted names, comma-separated.
        accepted: String,
    },
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
        match R::FIELDS.iter().find(|k| k.name.eq_ignore_ascii_case(f.trim())) {
            Some(k) => Ok(SavingsSort { field: k.name, descending }),
            None => Err(SizingSortError::Field {
                field: f.to_string(),
                accepted: R::names().join(", "),
            }),
        }
    }

    /// Sort `rows` in this order (ties by the text fields; a field `R` lacks sorts nothing).
    pub fn apply<R: SavingsRow>(&self, rows: &mut [R]) {
        let key = R::FIELDS.iter().find(|f| f.name == self.field).map(|f| f.get);
        let texts: Vec<_> = R::FIELDS
            .iter()
            .filter(|f| rows.first().is_some_and(|r| matches!((f.get)(r), Cell::Text(_))))
            .map(|f| f.get)
            .collect();
        let cmp = |a: Cell, b: Cell| match (a, b) {
            (Cell::Text(x), Cell::Text(y)) => x.cmp(y),
            (x, y) => x.number().unwrap_or(0.0).total_cmp(&y.number().unwrap_or(0.0)),
        };
        rows.sort_by(|a, b| {
            let o = key.map_or(std::cmp::Ordering::Equal, |k| cmp(k(a), k(b)));
            let o = if self.descending { o.reverse() } else { o };
            texts.iter().fold(o, |o, k| o.then_with(|| cmp(k(a), k(b))))
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
    /// Σ over the whole result of each of the row's [`SavingsRow::TOTALS`] fields (USD, USD per
    /// month).
    pub totals: Totals,
    /// Hours of data covered (first set start to last set end of the items read); 0 without data.
    pub covered_hours: f64,
    /// Items left out for lack of an input the rule needs (a container spec without
    /// `rawAllocationOnly` maxima, a disk without `byteUsageMax`, a node without breakdowns, a
    /// workload that never ran); 0 when none.
    pub left_out: usize,
}

impl<R: SavingsRow> SavingsPage<R> {
    /// Sort `rows` (the whole result) by `q.sort`, total them and keep `q`'s page.
    pub fn from_rows<P>(mut rows: Vec<R>, q: &SavingsQuery<P>, covered_hours: f64, left_out: usize) -> SavingsPage<R> {
        q.sort.apply(&mut rows);
        let sum = |name: &str| rows.iter().filter_map(|r| r.value(name).and_then(Cell::number)).sum();
        let totals = Totals(R::TOTALS.iter().map(|&name| (name, sum(name))).collect());
        let total_rows = rows.len();
        let rows = rows.drain(page_range(q.offset, q.limit, total_rows)).collect();
        SavingsPage {
            rows,
            total_rows,
            totals,
            covered_hours,
            left_out,
        }
    }
}

/// `amount × 730 ÷ covered hours` (0 without hours): a window's USD as a monthly rate.
pub fn monthly(amount: f64, covered_hours: f64) -> f64 {
    if covered_hours > 0.0 {
        amount * super::HOURS_PER_MONTH / covered_hours
    } else {
        0.0
    }
}

/// `[1970-01-01, 1970-01-02)`, the window of the savings unit tests.
#[cfg(test)]
pub(crate) fn first_day() -> Window {
    Window::new(
        chrono::DateTime::UNIX_EPOCH,
        chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(1),
    )
    .unwrap()
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
        assert!(matches!(
            SavingsSort::parse::<NodeRow>("node:up"),
            Err(SizingSortError::Direction(_))
        ));
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
        assert_eq!(page.totals.get("monthlySavings"), 5.0);
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(json["rows"][0]["providerID"], "", "rows serialise under their JSON names");
        assert_eq!(json["totals"]["monthlySavings"], 5.0);
        assert_eq!(page.left_out, 3);
        let names: Vec<&str> = page.rows.iter().map(|r| r.node.as_str()).collect();
        assert_eq!(names, ["a", "b"], "ties broken by the text fields");
        assert_eq!(monthly(24.0, 24.0), 730.0);
        assert_eq!(monthly(1.0, 0.0), 0.0);
    }
}
