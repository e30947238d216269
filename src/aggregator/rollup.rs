//! Pre-aggregated allocation tables ("rollups") written at ingest, so the common queries read
//! far fewer rows than the one-row-per-container `allocations` table.
//!
//! * `alloc_pods` — one row per file × (cluster, node, namespace, controller kind, controller,
//!   pod): the containers of a pod summed.
//! * `alloc_controllers` — one row per file × (cluster, namespace, controller kind, controller).
//!
//! Both hold the allocation measures of [`crate::query::columns`](mod@crate::query::columns) (USD, core-hours, byte-hours), keep the file's
//! `file_key`, `resolution` and window so ingest replaces them with the file's rows, and are
//! exact: every measure is a plain sum, so summing a rollup gives what summing `allocations`
//! gives (up to float rounding order). A query whose aggregate keys and filter fields are all
//! among a rollup's dimensions reads the smallest such rollup ([`source_for`]); anything else
//! (labels, annotations, services, containers, provider ids, per-allocation names) reads
//! `allocations`, as a rollup (pre-aggregated cube level) does in any OLAP store.
//!
//! The rollups are summed in memory while a file is decoded ([`Rollups`]) from `measures`, the
//! Rust twin of the measures' SQL; `tests/it/aggregator_dev.rs` checks both routes give the same
//! rows and totals.

use super::write::Appenders;
use crate::model::{Allocation, AllocationProperties, Str};
use crate::query::aggregate::Grain;
use crate::query::columns::{Measure, N_ALLOCATION_MEASURES, registry};
use crate::query::{Aggregate, AggregateKey, DataKind, Filter};
use crate::stored::{FILE_COLUMNS, FileCtx, Kind};
use std::collections::HashMap;

/// The allocation measures ([`crate::query::columns`]): USD, core-hours, byte-hours.
fn measure_defs() -> &'static [Measure] {
    registry(DataKind::Allocation).measures
}

/// Where an allocation query reads its rows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `alloc_controllers`.
    Controllers,
    /// `alloc_pods`.
    Pods,
    /// `allocations` (one row per allocation).
    Allocations,
}

/// Columns identifying a row of each rollup (after `file_key, resolution, window_start, window_end`).
const POD_DIMS: &[&str] = &["cluster", "node", "namespace", "controller_kind", "controller", "pod"];
const CONTROLLER_DIMS: &[&str] = &["cluster", "namespace", "controller_kind", "controller"];

impl Source {
    /// Table name.
    pub const fn table(self) -> &'static str {
        match self {
            Source::Controllers => "alloc_controllers",
            Source::Pods => "alloc_pods",
            Source::Allocations => DataKind::Allocation.table(),
        }
    }

    /// The per-row expression of allocation measure `name` in this source: the column for a
    /// rollup, the SQL over an `allocations` row otherwise. `None` for an unknown measure.
    pub fn measure(self, name: &str) -> Option<String> {
        let m = measure_defs().iter().find(|m| m.name == name)?;
        Some(if self == Source::Allocations {
            format!("({})", m.sql)
        } else {
            m.name.to_string()
        })
    }

    /// `sum(...) AS <name>` for every allocation measure, reading this source's columns.
    pub fn measure_sums(self) -> String {
        measure_defs()
            .iter()
            .map(|m| match self {
                Source::Allocations => format!("sum({}) AS {}", m.sql, m.name),
                Source::Controllers | Source::Pods => format!("sum({0}) AS {0}", m.name),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The table of a grain.
fn source_of(g: Grain) -> Source {
    match g {
        Grain::Controller => Source::Controllers,
        Grain::Pod => Source::Pods,
        Grain::Allocation => Source::Allocations,
    }
}

/// The finest grain a filter reads.
fn grain_of_filter(f: &Filter) -> Grain {
    match f {
        Filter::All => Grain::Controller,
        Filter::And(v) | Filter::Or(v) => v.iter().map(grain_of_filter).max().unwrap_or(Grain::Controller),
        Filter::Cmp { field, .. } => field.grain(),
    }
}

/// The smallest table that answers `req`: every aggregate key and filter field must be one of its
/// dimensions. No aggregate (one row per allocation name) needs `allocations`.
pub fn source_for(aggregate: &Aggregate, filter: &Filter) -> Source {
    let keys = aggregate.keys();
    if keys.is_empty() {
        return Source::Allocations;
    }
    let grain = keys.iter().map(AggregateKey::grain).chain([grain_of_filter(filter)]).max();
    source_of(grain.unwrap_or(Grain::Allocation))
}

/// The columns of a rollup with dimensions `dims`: the file columns, the dimensions, the measures.
fn columns(dims: &[&'static str]) -> Vec<(&'static str, Kind)> {
    let dims = dims.iter().map(|d| (*d, Kind::Str));
    let measures = measure_defs().iter().map(|m| (m.name, Kind::F64));
    FILE_COLUMNS.into_iter().chain(dims).chain(measures).collect()
}

/// DDL of the rollup tables (idempotent).
pub fn ddl() -> String {
    [(Source::Pods, POD_DIMS), (Source::Controllers, CONTROLLER_DIMS)]
        .iter()
        .map(|(s, dims)| {
            let cols: Vec<String> = columns(dims).iter().map(|(n, k)| format!("{n} {}", k.sql())).collect();
            format!("CREATE TABLE IF NOT EXISTS {} ({});\n", s.table(), cols.join(", "))
        })
        .collect()
}

/// The allocation measures of one allocation, in registry order, computed over the model the way
/// their SQL computes them over its `allocations` row.
fn measures(a: &Allocation) -> Sums {
    let mut out = [0.0; N_MEASURES];
    for (o, m) in out.iter_mut().zip(measure_defs()) {
        // Every allocation measure has its Rust twin (checked by a unit test in `query::columns`).
        *o = m.rollup.map_or(0.0, |f| f(a));
    }
    out
}

const N_MEASURES: usize = N_ALLOCATION_MEASURES;

type Sums = [f64; N_MEASURES];

/// Both rollups of one file, summed in memory while the file is decoded (a `GROUP BY` over the
/// freshly appended rows cost DuckDB ~0.3 s per 60k-allocation file; this costs a few ms).
#[derive(Default)]
pub struct Rollups {
    /// [`POD_DIMS`] values → sums.
    pods: HashMap<[Str; 6], Sums>,
}

impl Rollups {
    /// Add one allocation (the rows `allocations` gets).
    pub fn add(&mut self, a: &Allocation) {
        let empty: Str = Str::from("");
        let p = a.properties.as_ref();
        let get = |g: fn(&AllocationProperties) -> &Str| p.map_or_else(|| empty.clone(), |p| g(p).clone());
        let key = [
            get(|p| &p.cluster),
            get(|p| &p.node),
            get(|p| &p.namespace),
            get(|p| &p.controller_kind),
            get(|p| &p.controller),
            get(|p| &p.pod),
        ];
        let sums = self.pods.entry(key).or_insert([0.0; N_MEASURES]);
        for (s, v) in sums.iter_mut().zip(measures(a)) {
            *s += v;
        }
    }

    /// Append both rollups' rows for file `f` (inside the file's transaction).
    pub fn write(self, apps: &mut Appenders<'_>, f: &FileCtx<'_>) -> duckdb::Result<()> {
        let mut controllers: HashMap<[Str; 4], Sums> = HashMap::new();
        for (k, sums) in &self.pods {
            let c = controllers
                .entry([k[0].clone(), k[2].clone(), k[3].clone(), k[4].clone()])
                .or_insert([0.0; N_MEASURES]);
            for (t, v) in c.iter_mut().zip(sums) {
                *t += v;
            }
        }
        append_all(apps, Source::Pods, POD_DIMS, f, &self.pods)?;
        append_all(apps, Source::Controllers, CONTROLLER_DIMS, f, &controllers)
    }
}

/// Append rollup rows (file columns, `D` dimension values of `dims`, sums) to `src`'s table.
fn append_all<const D: usize>(
    apps: &mut Appenders<'_>,
    src: Source,
    dims: &[&'static str],
    f: &FileCtx<'_>,
    rows: &HashMap<[Str; D], Sums>,
) -> duckdb::Result<()> {
    let (app, b) = apps.batch(src.table(), || columns(dims))?;
    for (dims, sums) in rows {
        b.file(f);
        for d in dims {
            b.s(d);
        }
        for x in sums {
            b.f(*x);
        }
        b.end_row();
        b.flush_if_full(app)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{DataKind, parse_aggregate, parse_filter};

    fn src(aggregate: &str, filter: &str) -> Source {
        source_for(
            &parse_aggregate(aggregate, DataKind::Allocation).unwrap(),
            &parse_filter(filter, DataKind::Allocation).unwrap(),
        )
    }

    #[test]
    fn routes_to_the_smallest_table_holding_keys_and_filter_fields() {
        assert_eq!(src("namespace", ""), Source::Controllers);
        assert_eq!(
            src("cluster,controller", "namespace:\"a\" + controllerKind:\"job\""),
            Source::Controllers
        );
        assert_eq!(src("namespace", "node:\"n1\""), Source::Pods);
        assert_eq!(src("pod", "namespace:\"checkout\""), Source::Pods);
        assert_eq!(src("node", ""), Source::Pods);
        assert_eq!(src("namespace", "label[app]:\"web\""), Source::Allocations);
        assert_eq!(src("label:app", ""), Source::Allocations);
        assert_eq!(src("container", ""), Source::Allocations);
        assert_eq!(src("namespace", "namespace:\"a\" | services~:\"x\""), Source::Allocations);
        assert_eq!(src("", ""), Source::Allocations);
    }

    #[test]
    fn ddl_and_refresh_name_every_measure() {
        let ddl = ddl();
        for m in measure_defs() {
            let column = format!("{} DOUBLE", m.name);
            let n = ddl.split([',', '(', ')']).filter(|part| part.trim() == column).count();
            assert_eq!(n, 2, "{}", m.name);
        }
    }
}
