//! Bound parameters of one SQL statement, written as DuckDB's numbered markers (`$1`, `$2`, …).
//!
//! A value is bound once and its marker can appear anywhere in the statement, any number of
//! times: the window predicate of a query is bound once and written in each CTE that reads a
//! table (`base`, `nodes`, `used`), and user input (filter values, label keys) never enters the
//! SQL text. Values keep their SQL type (`VARCHAR` text, `BIGINT` unix seconds), so nothing is a
//! string cast in SQL.

use crate::query::Bind;
use duckdb::types::Value;

/// The values of one statement, in marker order (`$1` is the first).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params(Vec<Value>);

impl Params {
    /// No values yet.
    pub fn new() -> Params {
        Params::default()
    }

    fn push(&mut self, v: Value) -> String {
        self.0.push(v);
        format!("${}", self.0.len())
    }

    /// Bind a VARCHAR value and return its marker.
    pub fn text(&mut self, s: &str) -> String {
        self.push(Value::Text(s.to_string()))
    }

    /// Bind a BIGINT value (e.g. unix seconds) and return its marker.
    pub fn int(&mut self, i: i64) -> String {
        self.push(Value::BigInt(i))
    }

    /// Bind a DOUBLE value (e.g. USD) and return its marker.
    pub fn float(&mut self, f: f64) -> String {
        self.push(Value::Double(f))
    }

    /// The values, for `params_from_iter`.
    pub fn values(&self) -> &[Value] {
        &self.0
    }
}

impl Bind for Params {
    fn bind(&mut self, value: &str) -> String {
        self.text(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_number_values_and_can_repeat() {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        let mut p = Params::new();
        let a = p.int(40);
        let b = p.text("x");
        assert_eq!((a.as_str(), b.as_str()), ("$1", "$2"));
        let sql = format!("SELECT {a} + {a} + 2, {b} || {b}");
        let (n, s): (i64, String) = conn
            .query_row(&sql, duckdb::params_from_iter(p.values()), |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((n, s.as_str()), (82, "xx"));
    }
}
