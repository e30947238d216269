//! Query language of costscope, shared by the CLI, the TUI and the DuckDB
//! aggregator: Kubecost windows, aggregation keys and filter language v2.
//!
//! Pure Rust: no I/O, no DuckDB, no terminal code. The aggregator turns a
//! parsed [`Filter`] into SQL with [`to_sql`] (it supplies the column
//! expressions through [`SqlColumns`]); in-memory rows can be tested with
//! [`Filter::matches`].
//!
//! * [`window`] — `today`, `7d`, `lastmonth`, RFC3339/unix/date pairs → a
//!   half-open UTC [`Window`] (Kubecost `apis-overview.md`, OpenCost `window.go`).
//! * [`aggregate`] — `aggregate=` keys per [`DataKind`] and the drill-down
//!   order (Kubecost `api-allocation.md`, `api-assets.md`,
//!   `cloud-cost-api.md`).
//! * [`kind`] — [`DataKind`] (allocation / asset / cloud cost) and the
//!   special row names [`UNALLOCATED`], [`IDLE`], [`UNMOUNTED`].
//! * [`steps`] — `accumulate`/`step`: a window cut into step windows
//!   (Kubecost `api-allocation.md`).
//! * [`share`] — shared costs: `shareNamespaces`, `shareLabels`, `shareCost`, `shareSplit`,
//!   `shareTenancyCosts` (Kubecost `api-allocation.md`).
//! * [`compare`] — a query against the window before it (Δ, Δ %, new/gone rows).
//! * [`projection`] — month-to-date cost and the month-end projection at the 7-day run rate.
//! * [`labels`] — label-key sanitizing and the alias label config
//!   (OpenCost `promutil.go`, `config.go`).
//! * [`columns`](mod@columns) — the column registry: each kind's summed measures and
//!   result columns (Kubecost JSON names), from which SQL and views derive.
//! * [`filter`] — filter v2 (Kubecost `filters-api.md`, OpenCost
//!   `core/pkg/filter/ast`).
//!
//! Rules: docs/semantics.md.

pub mod aggregate;
pub mod columns;
pub mod compare;
pub mod filter;
pub mod kind;
pub mod labels;
pub mod projection;
pub mod request;
pub mod savings;
pub mod share;
pub mod sources;
pub mod steps;
pub mod window;

pub use aggregate::{
    Aggregate, AggregateError, AggregateKey, DataKind, IDLE, MAX_AGGREGATE_KEYS, UNALLOCATED, UNDEFINED, UNMOUNTED, accepted_keys,
    parse_aggregate,
};
pub use columns::{ColumnDef, ColumnId, Detail, Formula, Shown, Unit, column_index, columns, default_columns};
pub use filter::{
    Bind, Field, FieldShape, FieldValue, Filter, FilterError, FilterTarget, KeyValues, Op, SqlColumns, StrList, parse_filter, to_sql,
    to_sql_bound,
};
pub use labels::{LabelAlias, LabelConfig, sanitize_key};
pub use request::{
    CostRate, CostSource, DailySeries, DatabaseError, IdleMode, Page, QueryError, QueryRequest, Row, Sort, SortError, SortKey,
};
pub use share::{ShareError, ShareSplit, Sharing};
pub use sources::SourceObject;
pub use steps::{Accumulate, CalendarUnit, StepSize, StepsError};
pub use window::{ACCEPTED_WINDOWS, DayStarts, Window, WindowError, parse_window};
