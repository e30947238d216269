//! Column batches for the DuckDB appender: rows are written value by value in table column order
//! into Arrow builders and handed to DuckDB a batch at a time (`append_record_batch`), which costs
//! a fraction of appending row by row through the C API (one call per value).

use duckdb::Appender;
use duckdb::arrow::array::{ArrayRef, Float64Array, Int64Array, StringBuilder};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// Rows buffered before a batch is handed to DuckDB.
pub const BATCH_ROWS: usize = 16_384;

/// SQL type of one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// VARCHAR.
    Str,
    /// BIGINT.
    Int,
    /// DOUBLE.
    F64,
}

enum Column {
    Str(StringBuilder),
    Int(Vec<i64>),
    F64(Vec<f64>),
}

/// A batch of rows for one table whose columns have the given kinds, in order.
pub struct Batch {
    kinds: Vec<Kind>,
    columns: Vec<Column>,
    rows: usize,
    /// Next column of the row being written.
    at: usize,
}

impl Batch {
    /// An empty batch for columns of `kinds`.
    pub fn new(kinds: Vec<Kind>) -> Batch {
        let columns = kinds.iter().map(|k| Batch::empty(*k)).collect();
        Batch {
            kinds,
            columns,
            rows: 0,
            at: 0,
        }
    }

    fn empty(k: Kind) -> Column {
        match k {
            Kind::Str => Column::Str(StringBuilder::new()),
            Kind::Int => Column::Int(Vec::new()),
            Kind::F64 => Column::F64(Vec::new()),
        }
    }

    fn next(&mut self) -> &mut Column {
        let c = &mut self.columns[self.at];
        self.at += 1;
        c
    }

    /// Write the next column of the current row as a string.
    ///
    /// Panics (a bug in the caller's column order) if that column is not VARCHAR.
    pub fn s(&mut self, v: &str) -> &mut Self {
        match self.next() {
            Column::Str(b) => b.append_value(v),
            _ => panic!("column order: expected VARCHAR"),
        }
        self
    }

    /// Write the next column as a BIGINT.
    pub fn i(&mut self, v: i64) -> &mut Self {
        match self.next() {
            Column::Int(b) => b.push(v),
            _ => panic!("column order: expected BIGINT"),
        }
        self
    }

    /// Write the next column as a DOUBLE.
    pub fn f(&mut self, v: f64) -> &mut Self {
        match self.next() {
            Column::F64(b) => b.push(v),
            _ => panic!("column order: expected DOUBLE"),
        }
        self
    }

    /// Finish the current row (every column must have been written).
    pub fn end_row(&mut self) {
        assert_eq!(self.at, self.columns.len(), "row written with a wrong number of columns");
        self.at = 0;
        self.rows += 1;
    }

    /// Rows buffered.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row is buffered.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Hand the buffered rows to `app` and start an empty batch.
    pub fn flush(&mut self, app: &mut Appender<'_>) -> duckdb::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut fields = Vec::with_capacity(self.kinds.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.kinds.len());
        for (i, (k, c)) in self.kinds.iter().zip(self.columns.iter_mut()).enumerate() {
            let taken = std::mem::replace(c, Batch::empty(*k));
            let (ty, array): (DataType, ArrayRef) = match taken {
                Column::Str(mut b) => (DataType::Utf8, Arc::new(b.finish())),
                Column::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v))),
                Column::F64(v) => (DataType::Float64, Arc::new(Float64Array::from(v))),
            };
            fields.push(Field::new(format!("c{i}"), ty, false));
            arrays.push(array);
        }
        self.rows = 0;
        let batch =
            RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| duckdb::Error::ToSqlConversionFailure(Box::new(e)))?;
        app.append_record_batch(batch)
    }

    /// Flush when [`BATCH_ROWS`] rows are buffered.
    pub fn flush_if_full(&mut self, app: &mut Appender<'_>) -> duckdb::Result<()> {
        if self.rows >= BATCH_ROWS { self.flush(app) } else { Ok(()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duckdb::Connection;

    #[test]
    fn batches_reach_the_table_in_order_with_their_types() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (a VARCHAR, b BIGINT, x DOUBLE)").unwrap();
        let mut app = c.appender("t").unwrap();
        let mut b = Batch::new(vec![Kind::Str, Kind::Int, Kind::F64]);
        for i in 0..(BATCH_ROWS + 5) {
            b.s(&format!("r{i}")).i(i as i64).f(i as f64 / 4.0);
            b.end_row();
            b.flush_if_full(&mut app).unwrap();
        }
        assert_eq!(b.len(), 5);
        b.flush(&mut app).unwrap();
        assert!(b.is_empty());
        drop(app);
        let (n, sum, last): (i64, f64, String) = c
            .query_row("SELECT count(*), sum(x), max_by(a, b) FROM t", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        let rows = (BATCH_ROWS + 5) as f64;
        assert_eq!(n as f64, rows);
        assert_eq!(sum, (rows - 1.0) * rows / 2.0 / 4.0);
        assert_eq!(last, format!("r{}", BATCH_ROWS + 4));
    }

    #[test]
    #[should_panic(expected = "column order")]
    fn a_value_of_the_wrong_type_is_a_bug_caught_at_once() {
        let mut b = Batch::new(vec![Kind::Int]);
        b.s("not a number");
    }
}
