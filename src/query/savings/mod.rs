//! Savings queries (issue 30), shared by the aggregator (which answers them with DuckDB), the CLI,
//! the TUI and the server (which never see SQL). One module per kind, each with its parameters
//! (Kubecost's names and defaults), its row type (Kubecost-like camelCase JSON) and its entry on
//! [`SavingsSource`]; the rules are in `docs/semantics.md` §§ 11, 13–16:
//!
//! * [`requests`]: container request right-sizing (Kubecost `requestSizingV2`, algorithm `max`);
//! * [`volumes`]: unclaimed volumes (Kubecost "Unclaimed volumes");
//! * [`disks`]: persistent-volume right-sizing and local disks with low use (Kubecost
//!   `persistentVolumeSizing`, `localLowDisks`);
//! * [`abandoned`]: abandoned workloads (Kubecost `abandonedWorkloads`);
//! * [`nodes`]: underutilized nodes (Kubecost "Underutilized nodes").
//!
//! Every kind shares [`SavingsQuery`], [`SavingsSort`] and [`SavingsPage`] (module `rows`): a
//! row kind declares its fields once ([`savings_row!`](crate::savings_row): JSON name, unit,
//! getter), and one place serialises, sorts, totals and pages savings rows.

pub mod abandoned;
pub mod disks;
pub mod nodes;
pub mod requests;
mod rows;
pub mod volumes;

pub use abandoned::{AbandonedParams, AbandonedRow};
pub use disks::{DiskParams, DiskRow};
pub use nodes::{NodeParams, NodeRow};
pub use requests::*;
pub use rows::{Cell, Field, SavingsPage, SavingsQuery, SavingsRow, SavingsSort, SizingSortError, Totals, monthly, serialize_row};
pub use volumes::{DiskIdentity, VolumeParams, VolumeRow};

use super::QueryError;

/// Kubecost's month in hours (the monthly rate: × 730 ÷ hours of data covered).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// The rows `[offset, offset + limit)` of `total` rows, clamped; `limit` 0 = to the end.
pub fn page_range(offset: usize, limit: usize, total: usize) -> std::ops::Range<usize> {
    let end = match limit {
        0 => total,
        n => offset.saturating_add(n).min(total),
    };
    offset.min(total)..end
}

/// What answers savings queries (the DuckDB aggregator); the CLI, TUI and server see only this
/// trait. Every method errs with [`QueryError::Invalid`] for parameters out of range or a filter
/// field the kind's items lack, and [`QueryError::Db`] when the database fails.
pub trait SavingsSource: Send + Sync {
    /// Request right-sizing recommendations ([`SizingRequest`]).
    fn request_sizing(&self, req: &SizingRequest) -> Result<SizingPage, QueryError>;
    /// Unclaimed volumes: persistent volumes no pod mounted in the window
    /// (`docs/semantics.md` § 13). The filter is over assets.
    fn unclaimed_volumes(&self, q: &SavingsQuery<VolumeParams>) -> Result<SavingsPage<VolumeRow>, QueryError>;
    /// Persistent-volume right-sizing, or with [`DiskParams::local`] local disks with low use
    /// (`docs/semantics.md` § 14). The filter is over assets.
    fn disk_sizing(&self, q: &SavingsQuery<DiskParams>) -> Result<SavingsPage<DiskRow>, QueryError>;
    /// Abandoned workloads: controllers with less network traffic than the threshold
    /// (`docs/semantics.md` § 15). The filter is over allocations.
    fn abandoned_workloads(&self, q: &SavingsQuery<AbandonedParams>) -> Result<SavingsPage<AbandonedRow>, QueryError>;
    /// Underutilized nodes (`docs/semantics.md` § 16). The filter is over assets.
    fn underutilized_nodes(&self, q: &SavingsQuery<NodeParams>) -> Result<SavingsPage<NodeRow>, QueryError>;
}
