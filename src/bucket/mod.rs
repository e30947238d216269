//! The bucket as costscope sees it: the key layouts of Kubecost/OpenCost object storage
//! ([`keys`]), a one-pass inventory of everything in it ([`inventory`]), and the summary that
//! `costscope bucket` prints ([`report`]), and what `costscope bucket --doctor` finds wrong ([`doctor`]).
//!
//! Layouts follow OpenCost `core/pkg/exporter/pathing` and the Kubecost docs (federated-etl.md,
//! thanos-migration-guide.md, troubleshooting/etl-repair.md); docs/architecture.md lists the key kinds.

pub mod coverage;
pub mod doctor;
pub mod fetch;
pub mod inventory;
pub mod keys;
pub mod listing;
pub mod report;

pub use coverage::Coverage;
pub use inventory::{EMPTY_FILE_MAX_BYTES, Inventory, InventoryError, ObjectInfo, Series, Source, ThanosBlock, WindowObject, scan};
pub use keys::{BlockFile, EtlFile, ForeignLayout, KeyKind, Pipeline, Resolution, parse_key};
pub use report::{InventorySummary, SeriesRow, render_table, summarize};
