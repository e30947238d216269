//! The stored tables, one registry each: every column a costscope table or export holds, with its
//! DuckDB name, its Parquet name and how to read it from a decoded item. The database DDL
//! ([`Table::ddl`]), the order in which rows are written ([`Table::columns`]) and the Parquet
//! schema of `costscope export` are all generated from these lists, and one Arrow builder
//! ([`batch::Batch`]) fills both the database and the Parquet files.
//!
//! * [`allocation::TABLE`] — `allocations`, one row per allocation (OpenCost `Allocation`), and the
//!   `allocations` Parquet dataset (the `opencost-parquet-exporter` schema).
//! * [`asset::TABLE`] — `assets` (OpenCost `Asset` of every type).
//! * [`cloud_cost::TABLE`] — `cloud_costs` (OpenCost `CloudCost`).
//! * [`ingest_log::TABLE`] — `ingest_log`, one row per object read (docs/audit.md).
//!
//! Adding a stored field: one entry in its table's list (plus decoding it in `model`/`bingen`).
//! A database whose DDL differs is rebuilt from the bucket on open
//! ([`crate::aggregator::schema::version`] fingerprints the DDL).
//!
//! Labels, annotations and service lists are stored in DuckDB as delimited strings — entries
//! `\x1f<key>\x1e<value>` with a trailing `\x1f` (services: `\x1f<svc>` … `\x1f`) — so lookups
//! are plain string functions (`aggregator::schema::label_value_sql`); Parquet holds them as map
//! and list columns.

pub mod allocation;
pub mod asset;
pub mod batch;
pub mod cloud_cost;
pub mod ingest_log;

use crate::bucket::keys::Resolution;
use crate::model::{GoTime, Str, StrMap, Window};
use std::borrow::Cow;

/// Entry separator of encoded maps and lists.
pub const SEP: char = '\u{1f}';
/// Key/value separator of encoded maps.
pub const KV: char = '\u{1e}';

/// Physical type of one column: DuckDB type for the database, Arrow type for Parquet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `VARCHAR` / Arrow `Utf8`.
    Str,
    /// `BIGINT` / Arrow `Int64`.
    Int,
    /// `DOUBLE` / Arrow `Float64`.
    F64,
    /// Arrow `List<Utf8>` (Parquet only; the database stores an encoded `VARCHAR`).
    List,
    /// Arrow `Map<Utf8, Utf8>` (Parquet only; the database stores an encoded `VARCHAR`).
    Map,
}

impl Kind {
    /// The DuckDB type of the column (lists and maps are stored as encoded strings).
    pub fn sql(self) -> &'static str {
        match self {
            Kind::Str | Kind::List | Kind::Map => "VARCHAR",
            Kind::Int => "BIGINT",
            Kind::F64 => "DOUBLE",
        }
    }
}

/// Which output a column list is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The DuckDB table (lists and maps encoded as strings).
    Db,
    /// The Parquet dataset of `costscope export`.
    Parquet,
}

/// How a field reads its value from an item of type `T` (its key in its set aside).
pub enum Get<T> {
    /// The item's key in its set (asset and cloud-cost keys), a string.
    Key,
    /// A string.
    Str(for<'a> fn(&'a T) -> Cow<'a, str>),
    /// A 64-bit integer (unix seconds, counts).
    Int(fn(&T) -> i64),
    /// A float (USD, hours, bytes, fractions).
    F64(fn(&T) -> f64),
    /// A float that may be absent: `None` and NaN are stored as SQL `NULL` (database-only
    /// fields: the Parquet schema keeps its non-null columns).
    OptF64(fn(&T) -> Option<f64>),
    /// A list of strings (`properties.services`).
    List(for<'a> fn(&'a T) -> &'a [Str]),
    /// A string → string map made of up to two maps, entries of the first first (pod labels,
    /// then namespace labels).
    Map(for<'a> fn(&'a T) -> [Option<&'a StrMap>; 2]),
}

impl<T> Get<T> {
    /// The value's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Get::Key | Get::Str(_) => Kind::Str,
            Get::Int(_) => Kind::Int,
            Get::F64(_) | Get::OptF64(_) => Kind::F64,
            Get::List(_) => Kind::List,
            Get::Map(_) => Kind::Map,
        }
    }
}

/// One stored field: its DuckDB column, its Parquet column (either may be absent) and its getter.
pub struct Field<T> {
    /// Column name in the DuckDB table; `None` for a Parquet-only (derived) column.
    pub column: Option<&'static str>,
    /// Column name in the Parquet dataset; `None` for a database-only column.
    pub parquet: Option<&'static str>,
    /// How to read the value.
    pub get: Get<T>,
}

impl<T> Field<T> {
    /// A field stored in both the database (as `column`) and Parquet (as `parquet`).
    pub const fn both(column: &'static str, parquet: &'static str, get: Get<T>) -> Field<T> {
        Field {
            column: Some(column),
            parquet: Some(parquet),
            get,
        }
    }

    /// A float (USD, hours, bytes, fractions) stored in both outputs.
    pub const fn f64(column: &'static str, parquet: &'static str, get: fn(&T) -> f64) -> Field<T> {
        Field::both(column, parquet, Get::F64(get))
    }

    /// A string stored in both outputs.
    pub const fn text(column: &'static str, parquet: &'static str, get: for<'a> fn(&'a T) -> Cow<'a, str>) -> Field<T> {
        Field::both(column, parquet, Get::Str(get))
    }

    /// A database-only field.
    pub const fn db(column: &'static str, get: Get<T>) -> Field<T> {
        Field {
            column: Some(column),
            parquet: None,
            get,
        }
    }

    /// A Parquet-only field.
    pub const fn parquet(parquet: &'static str, get: Get<T>) -> Field<T> {
        Field {
            column: None,
            parquet: Some(parquet),
            get,
        }
    }

    /// The field's column name in `target`, if it has one there.
    pub fn name(&self, target: Target) -> Option<&'static str> {
        match target {
            Target::Db => self.column,
            Target::Parquet => self.parquet,
        }
    }

    /// The column kind in `target` (lists and maps are strings in the database).
    pub fn kind(&self, target: Target) -> Kind {
        match (target, self.get.kind()) {
            (Target::Db, Kind::List | Kind::Map) => Kind::Str,
            (_, k) => k,
        }
    }
}

/// The database columns every per-file table starts with: the object key the row came from,
/// its resolution (`1d`, `1h`) and window (unix seconds); see [`FileCtx`].
pub const FILE_COLUMNS: [(&str, Kind); 4] = [
    ("file_key", Kind::Str),
    ("resolution", Kind::Str),
    ("window_start", Kind::Int),
    ("window_end", Kind::Int),
];

/// Where a file's rows come from: object key, resolution and window `[start, end)` (unix seconds),
/// written into the [`FILE_COLUMNS`].
pub struct FileCtx<'a> {
    /// The object key.
    pub key: &'a str,
    /// The resolution directory of the key.
    pub resolution: Resolution,
    /// Window start, unix seconds.
    pub start: i64,
    /// Window end, unix seconds (exclusive).
    pub end: i64,
}

/// A stored table: its DuckDB name, whether its rows start with the [`FILE_COLUMNS`], its
/// primary key and its fields in column order.
pub struct Table<T: 'static> {
    /// DuckDB table name.
    pub name: &'static str,
    /// Rows start with [`FILE_COLUMNS`] (item tables; not `ingest_log`).
    pub per_file: bool,
    /// The primary-key column, if any.
    pub primary_key: Option<&'static str>,
    /// The fields, in column order (database and Parquet columns interleaved).
    pub fields: &'static [Field<T>],
}

impl<T> Table<T> {
    /// The columns of `target`, in order: name and kind (the file columns first for a per-file
    /// table in the database).
    pub fn columns(&self, target: Target) -> Vec<(&'static str, Kind)> {
        let file = (target == Target::Db && self.per_file)
            .then_some(FILE_COLUMNS)
            .into_iter()
            .flatten();
        file.chain(self.fields.iter().filter_map(|f| Some((f.name(target)?, f.kind(target)))))
            .collect()
    }

    /// `CREATE TABLE IF NOT EXISTS` of the DuckDB table (idempotent).
    pub fn ddl(&self) -> String {
        let cols: Vec<String> = self
            .columns(Target::Db)
            .iter()
            .map(|(name, kind)| {
                let pk = if self.primary_key == Some(name) { " PRIMARY KEY" } else { "" };
                format!("{name} {}{pk}", kind.sql())
            })
            .collect();
        format!("CREATE TABLE IF NOT EXISTS {} ({});\n", self.name, cols.join(", "))
    }
}

/// A string of an item's optional properties (`get` of `props`), empty when there are none.
pub fn prop<'a, P>(props: Option<&'a P>, get: fn(&P) -> &Str) -> Cow<'a, str> {
    Cow::Borrowed(props.map_or("", |p| &**get(p)))
}

/// RFC 3339 UTC of a time, as the exporter writes `window.start` (`2026-11-19T00:00:00Z`).
pub fn time(t: &GoTime) -> String {
    t.to_utc().map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// The window's start as [`time`] writes it (empty when open).
pub fn win_start(w: &Window) -> Cow<'static, str> {
    Cow::Owned(w.start.as_ref().map(time).unwrap_or_default())
}

/// The window's end as [`time`] writes it (empty when open).
pub fn win_end(w: &Window) -> Cow<'static, str> {
    Cow::Owned(w.end.as_ref().map(time).unwrap_or_default())
}

/// Append the entries of `maps` to an encoded map string and close it (a trailing [`SEP`] when
/// non-empty).
pub fn encode_maps(out: &mut String, maps: &[Option<&StrMap>]) {
    for (k, v) in maps.iter().flatten().flat_map(|m| m.iter()) {
        out.push(SEP);
        out.push_str(k);
        out.push(KV);
        out.push_str(v);
    }
    close(out);
}

/// Append the entries of `list` to an encoded list string and close it.
pub fn encode_list(out: &mut String, list: &[Str]) {
    for x in list {
        out.push(SEP);
        out.push_str(x);
    }
    close(out);
}

/// Close an encoded map or list string (adds the trailing separator when non-empty).
fn close(out: &mut String) {
    if !out.is_empty() {
        out.push(SEP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_its_columns_once() {
        fn check<T>(t: &Table<T>) {
            for target in [Target::Db, Target::Parquet] {
                let cols = t.columns(target);
                let mut names: Vec<&str> = cols.iter().map(|c| c.0).collect();
                names.sort_unstable();
                names.dedup();
                assert_eq!(names.len(), cols.len(), "{} {target:?}", t.name);
            }
        }
        check(&allocation::TABLE);
        check(&asset::TABLE);
        check(&cloud_cost::TABLE);
        check(&ingest_log::TABLE);
    }

    #[test]
    fn maps_and_lists_encode_with_separators() {
        let mut s = String::new();
        encode_list(&mut s, &[Str::from("a"), Str::from("b")]);
        assert_eq!(s, "\u{1f}a\u{1f}b\u{1f}");
        let mut e = String::new();
        encode_maps(&mut e, &[None, None]);
        assert_eq!(e, "");
    }
}
