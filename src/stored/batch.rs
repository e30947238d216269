//! The one Arrow builder of stored rows, for the database and for Parquet: rows are written value
//! by value in column order into Arrow builders, then handed to DuckDB a batch at a time
//! (`append_record_batch`, a fraction of the cost of appending row by row through the C API) or
//! written as one Parquet file by `costscope export`.

use super::{FileCtx, Get, Kind, Table, Target, encode_list, encode_maps};
use duckdb::Appender;
use duckdb::arrow::array::{Array, ArrayRef, Float64Builder, Int64Builder, ListBuilder, MapBuilder, StringBuilder};
use duckdb::arrow::datatypes::{DataType, Field as ArrowField, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// Rows buffered before a database batch is handed to DuckDB.
pub const BATCH_ROWS: usize = 16_384;

enum Column {
    Str(StringBuilder),
    Int(Int64Builder),
    F64(Float64Builder),
    List(ListBuilder<StringBuilder>),
    Map(MapBuilder<StringBuilder, StringBuilder>),
}

impl Column {
    fn empty(k: Kind) -> Column {
        match k {
            Kind::Str => Column::Str(StringBuilder::new()),
            Kind::Int => Column::Int(Int64Builder::new()),
            Kind::F64 => Column::F64(Float64Builder::new()),
            Kind::List => Column::List(ListBuilder::new(StringBuilder::new())),
            Kind::Map => Column::Map(MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Str(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::F64(b) => Arc::new(b.finish()),
            Column::List(b) => Arc::new(b.finish()),
            Column::Map(b) => Arc::new(b.finish()),
        }
    }
}

/// A batch of rows for one table whose columns have the given names and kinds, in order.
pub struct Batch {
    names: Vec<&'static str>,
    columns: Vec<Column>,
    rows: usize,
    /// Next column of the row being written.
    at: usize,
    /// Scratch for encoded maps and lists.
    scratch: String,
}

impl Batch {
    /// An empty batch for `columns` (name, kind), in order.
    pub fn new(columns: Vec<(&'static str, Kind)>) -> Batch {
        Batch {
            names: columns.iter().map(|c| c.0).collect(),
            columns: columns.iter().map(|c| Column::empty(c.1)).collect(),
            rows: 0,
            at: 0,
            scratch: String::new(),
        }
    }

    /// An empty batch for `table`'s columns in `target`.
    pub fn of<T>(table: &Table<T>, target: Target) -> Batch {
        Batch::new(table.columns(target))
    }

    fn next(&mut self) -> &mut Column {
        let c = &mut self.columns[self.at];
        self.at += 1;
        c
    }

    /// Write the next column of the current row as a string.
    ///
    /// Panics (a bug in the caller's column order) if that column is not a string.
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
            Column::Int(b) => b.append_value(v),
            _ => panic!("column order: expected BIGINT"),
        }
        self
    }

    /// Write the next column as a DOUBLE.
    pub fn f(&mut self, v: f64) -> &mut Self {
        match self.next() {
            Column::F64(b) => b.append_value(v),
            _ => panic!("column order: expected DOUBLE"),
        }
        self
    }

    /// Write the [`super::FILE_COLUMNS`] of a row of file `f`.
    pub fn file(&mut self, f: &FileCtx<'_>) -> &mut Self {
        self.s(f.key).s(&f.resolution.to_string()).i(f.start).i(f.end)
    }

    /// Write the fields of `item` (`key`: its key in its set) as `table`'s columns in `target`
    /// and end the row; a per-file table's database row starts with [`Batch::file`] first.
    pub fn row<T>(&mut self, table: &Table<T>, target: Target, key: &str, item: &T) {
        for field in table.fields.iter().filter(|f| f.name(target).is_some()) {
            let mut scratch = std::mem::take(&mut self.scratch);
            scratch.clear();
            match (&field.get, self.next()) {
                (Get::Key, Column::Str(b)) => b.append_value(key),
                (Get::Str(g), Column::Str(b)) => b.append_value(g(item)),
                (Get::Int(g), Column::Int(b)) => b.append_value(g(item)),
                (Get::F64(g), Column::F64(b)) => b.append_value(g(item)),
                (Get::OptF64(g), Column::F64(b)) => b.append_option(g(item).filter(|v| !v.is_nan())),
                (Get::List(g), Column::Str(b)) => {
                    encode_list(&mut scratch, g(item));
                    b.append_value(&scratch);
                }
                (Get::Map(g), Column::Str(b)) => {
                    encode_maps(&mut scratch, &g(item));
                    b.append_value(&scratch);
                }
                (Get::List(g), Column::List(b)) => {
                    for v in g(item) {
                        b.values().append_value(v);
                    }
                    b.append(true);
                }
                (Get::Map(g), Column::Map(b)) => {
                    for (k, v) in g(item).into_iter().flatten().flat_map(|m| m.iter()) {
                        b.keys().append_value(k);
                        b.values().append_value(v);
                    }
                    // Appending an entry list with as many keys as values cannot fail.
                    let _ = b.append(true);
                }
                _ => panic!("column order: {} does not match its column", field.name(target).unwrap_or("?")),
            }
            self.scratch = scratch;
        }
        self.end_row();
    }

    /// Finish the current row (every column must have been written).
    pub fn end_row(&mut self) {
        assert_eq!(self.at, self.columns.len(), "row written with a wrong number of columns");
        self.at = 0;
        self.rows += 1;
    }

    /// Rows buffered.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when no row is buffered.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The buffered rows as Arrow fields and arrays (lists and maps nullable, the rest not unless
    /// the batch holds a `NULL` of a [`Get::OptF64`] field), and an empty batch to go on with.
    pub fn take(&mut self) -> (Vec<ArrowField>, Vec<ArrayRef>) {
        let mut fields = Vec::with_capacity(self.columns.len());
        let mut arrays = Vec::with_capacity(self.columns.len());
        for (name, c) in self.names.iter().zip(&mut self.columns) {
            let a = c.finish();
            let nullable = a.null_count() > 0 || !matches!(a.data_type(), DataType::Utf8 | DataType::Float64 | DataType::Int64);
            fields.push(ArrowField::new(*name, a.data_type().clone(), nullable));
            arrays.push(a);
        }
        self.rows = 0;
        (fields, arrays)
    }

    /// The buffered rows as one record batch.
    ///
    /// Errors: Arrow's, when the columns disagree in length (a bug).
    pub fn finish(&mut self) -> Result<RecordBatch, duckdb::arrow::error::ArrowError> {
        let (fields, arrays) = self.take();
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }

    /// Hand the buffered rows to `app` and start an empty batch.
    ///
    /// Errors: DuckDB's (a row it refuses, a failed write).
    pub fn flush(&mut self, app: &mut Appender<'_>) -> duckdb::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let batch = self.finish().map_err(|e| duckdb::Error::ToSqlConversionFailure(Box::new(e)))?;
        app.append_record_batch(batch)
    }

    /// Flush when [`BATCH_ROWS`] rows are buffered.
    ///
    /// Errors: as [`Batch::flush`].
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
        let mut b = Batch::new(vec![("a", Kind::Str), ("b", Kind::Int), ("x", Kind::F64)]);
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
        let mut b = Batch::new(vec![("n", Kind::Int)]);
        b.s("not a number");
    }
}
