//! The `assets` table and Parquet dataset: one row per asset of any type (OpenCost
//! `core/pkg/opencost/asset.go`: nodes, disks, load balancers, cloud, cluster management, …).
//! Parquet names are Kubecost's asset JSON fields lower-cased; fields of other asset types are 0
//! or empty. Units: USD, core-hours, byte-hours, minutes, unix seconds; `discount` and
//! `preemptible` are fractions 0..1.

use super::{Field, Get, Table, time, win_end, win_start};
use crate::model::{Asset, AssetDetail, AssetProperties, DiskDetail, NodeDetail, Str};
use crate::query::DataKind;
use std::borrow::Cow;

/// The properties' string `get`, empty without properties.
fn prop(a: &Asset, get: fn(&AssetProperties) -> &Str) -> Cow<'_, str> {
    super::prop(a.properties.as_ref(), get)
}

/// A node's figure, 0 for other assets.
fn node(a: &Asset, get: fn(&NodeDetail) -> f64) -> f64 {
    a.node().map_or(0.0, get)
}

/// A disk's figure, 0 for other assets.
fn disk(a: &Asset, get: fn(&DiskDetail) -> f64) -> f64 {
    a.disk().map_or(0.0, get)
}

/// The `assets` table: database columns and Parquet columns, in order.
pub static TABLE: Table<Asset> = Table {
    name: DataKind::Asset.table(),
    per_file: true,
    primary_key: None,
    fields: &[
        Field::db("key", Get::Key),
        Field::text("type", "type", |a| Cow::Borrowed(a.kind.name())),
        Field::text("category", "properties.category", |a| prop(a, |p| &p.category)),
        Field::text("provider", "properties.provider", |a| prop(a, |p| &p.provider)),
        Field::text("account", "properties.account", |a| prop(a, |p| &p.account)),
        Field::text("project", "properties.project", |a| prop(a, |p| &p.project)),
        Field::text("service", "properties.service", |a| prop(a, |p| &p.service)),
        Field::text("cluster", "properties.cluster", |a| prop(a, |p| &p.cluster)),
        Field::text("name", "properties.name", |a| prop(a, |p| &p.name)),
        Field::text("provider_id", "properties.providerid", |a| prop(a, |p| &p.provider_id)),
        Field::both("labels", "labels", Get::Map(|a| [a.labels.as_ref(), None])),
        Field::parquet("window.start", Get::Str(|a| win_start(&a.window))),
        Field::parquet("window.end", Get::Str(|a| win_end(&a.window))),
        Field::db("start_ts", Get::Int(|a| a.start.map_or(0, |t| t.unix))),
        Field::db("end_ts", Get::Int(|a| a.end.map_or(0, |t| t.unix))),
        Field::parquet("start", Get::Str(|a| Cow::Owned(a.start.as_ref().map(time).unwrap_or_default()))),
        Field::parquet("end", Get::Str(|a| Cow::Owned(a.end.as_ref().map(time).unwrap_or_default()))),
        Field::parquet(
            "minutes",
            Get::F64(|a| match (&a.start, &a.end) {
                (Some(s), Some(e)) => (e.unix_f64() - s.unix_f64()) / 60.0,
                _ => 0.0,
            }),
        ),
        Field::f64("adjustment", "adjustment", |a| a.adjustment),
        Field::f64("cost", "cost", |a| a.cost),
        Field::text("node_type", "nodetype", |a| Cow::Borrowed(a.node().map_or("", |n| &*n.node_type))),
        Field::f64("cpu_core_hours", "cpucorehours", |a| node(a, |n| n.cpu_core_hours)),
        Field::f64("ram_byte_hours", "rambytehours", |a| node(a, |n| n.ram_byte_hours)),
        Field::f64("gpu_hours", "gpuhours", |a| node(a, |n| n.gpu_hours)),
        Field::f64("cpu_cost", "cpucost", |a| node(a, |n| n.cpu_cost)),
        Field::f64("gpu_cost", "gpucost", |a| node(a, |n| n.gpu_cost)),
        Field::f64("gpu_count", "gpucount", |a| node(a, |n| n.gpu_count)),
        Field::f64("ram_cost", "ramcost", |a| node(a, |n| n.ram_cost)),
        Field::f64("discount", "discount", |a| node(a, |n| n.discount)),
        Field::f64("preemptible", "preemptible", |a| node(a, |n| n.preemptible)),
        Field::f64("byte_hours", "bytehours", |a| disk(a, |d| d.byte_hours)),
        Field::f64("local", "local", |a| disk(a, |d| d.local)),
        Field::text("storage_class", "storageclass", |a| {
            Cow::Borrowed(a.disk().map_or("", |d| &*d.storage_class))
        }),
        Field::f64("credit", "credit", |a| match &a.detail {
            AssetDetail::Cloud { credit } => *credit,
            _ => 0.0,
        }),
        Field::f64("total_cost", "totalcost", |a| a.total_cost()),
        // Savings inputs (issue 30; docs/semantics.md §§ 13–16), database-only: a disk's use
        // (Assets ≥ 18: byte-hours used, maximum bytes used; NULL when absent), its claim, and
        // the idle share of a node's CPU and RAM (OpenCost `Breakdown.Idle`; NULL without one).
        Field::db("byte_hours_used", Get::OptF64(|a| a.disk().and_then(|d| d.byte_hours_used))),
        Field::db("byte_usage_max", Get::OptF64(|a| a.disk().and_then(|d| d.byte_usage_max))),
        Field::db("volume_name", Get::Str(|a| Cow::Borrowed(a.disk().map_or("", |d| &*d.volume_name)))),
        Field::db("claim_name", Get::Str(|a| Cow::Borrowed(a.disk().map_or("", |d| &*d.claim_name)))),
        Field::db(
            "claim_namespace",
            Get::Str(|a| Cow::Borrowed(a.disk().map_or("", |d| &*d.claim_namespace))),
        ),
        Field::db(
            "cpu_idle",
            Get::OptF64(|a| a.node().and_then(|n| n.cpu_breakdown.as_ref()).map(|b| b.idle)),
        ),
        Field::db(
            "ram_idle",
            Get::OptF64(|a| a.node().and_then(|n| n.ram_breakdown.as_ref()).map(|b| b.idle)),
        ),
    ],
};
