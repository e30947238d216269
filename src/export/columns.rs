//! The Parquet tables of `costscope export` (docs/scale-out.md, "Schema"): the columns of the
//! [`crate::stored`] registries for [`Target::Parquet`] (the allocation table follows OpenCost's
//! `opencost-parquet-exporter`), filled by the same Arrow builder as the database, plus the
//! `hour` column of hourly exports.

use crate::stored::batch::Batch;
use crate::stored::{Table, Target};
use duckdb::arrow::array::{ArrayRef, Int32Builder};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// Column builders for one table's Parquet columns, filled item by item, then turned into one
/// record batch.
pub struct TableBuilder<T: 'static> {
    table: &'static Table<T>,
    batch: Batch,
    /// The `hour` column of hourly exports (0–23, UTC), when asked for.
    hour: Option<Int32Builder>,
}

impl<T: 'static> TableBuilder<T> {
    /// Builders for `table`'s Parquet columns; `with_hour` adds the `hour` column last.
    pub fn new(table: &'static Table<T>, with_hour: bool) -> TableBuilder<T> {
        TableBuilder {
            table,
            batch: Batch::of(table, Target::Parquet),
            hour: with_hour.then(Int32Builder::new),
        }
    }

    /// Add one item (`key`: its key in its set; `hour`: its set's UTC hour, for hourly exports).
    pub fn push(&mut self, key: &str, item: &T, hour: i32) {
        self.batch.row(self.table, Target::Parquet, key, item);
        if let Some(h) = &mut self.hour {
            h.append_value(hour);
        }
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.batch.len()
    }

    /// The rows as one record batch.
    ///
    /// Errors: Arrow's, when the columns disagree in length (a bug).
    pub fn finish(mut self) -> Result<RecordBatch, duckdb::arrow::error::ArrowError> {
        let (mut fields, mut arrays): (Vec<Field>, Vec<ArrayRef>) = self.batch.take();
        if let Some(h) = &mut self.hour {
            fields.push(Field::new("hour", DataType::Int32, false));
            arrays.push(Arc::new(h.finish()));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }
}
