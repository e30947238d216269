//! The `allocations` table and Parquet dataset: one row per allocation (OpenCost
//! `core/pkg/opencost/allocation.go`). The Parquet columns follow the Athena DDL of OpenCost's
//! `opencost-parquet-exporter` README — the same lower-case names, `properties.*`,
//! `window.start`/`window.end` and the 36 measures — with labels and annotations as map columns
//! instead of one `label.<k>` column per label.
//!
//! In the database `labels` holds the pod's labels then the namespace's (a lookup finds the pod's
//! value first, as Kubecost does when it falls back to namespace labels), `annotations` likewise,
//! and `namespace_labels` the namespace's own labels (filter field `namespaceLabel[k]`). Units:
//! USD, core-hours, byte-hours, cores and bytes (averages), minutes, unix seconds.

use super::{Field, Get, Table, time, win_end, win_start};
use crate::model::{Allocation, AllocationProperties, Str, StrMap};
use crate::query::DataKind;
use std::borrow::Cow;

/// The properties' string `get`, empty without properties.
fn prop(a: &Allocation, get: fn(&AllocationProperties) -> &Str) -> Cow<'_, str> {
    super::prop(a.properties.as_ref(), get)
}

/// `[pod map, namespace map]` of an allocation's properties (either absent).
fn maps(
    a: &Allocation,
    pod: fn(&AllocationProperties) -> Option<&StrMap>,
    ns: fn(&AllocationProperties) -> Option<&StrMap>,
) -> [Option<&StrMap>; 2] {
    let p = a.properties.as_ref();
    [p.and_then(pod), p.and_then(ns)]
}

/// `v / hours` of running time, 0 when it did not run (OpenCost `CPUCores()`, `RAMBytes()`, ...).
fn per_hour(a: &Allocation, v: f64) -> f64 {
    let h = a.minutes() / 60.0;
    if h <= 0.0 { 0.0 } else { v / h }
}

/// GPU request and usage averages (cores): `GPUAllocation`'s, else the v22 fields.
fn gpu_averages(a: &Allocation) -> (f64, f64) {
    a.gpu_allocation
        .as_ref()
        .map_or((a.deprecated_gpu_request_average, a.deprecated_gpu_usage_average), |g| {
            (g.gpu_request_average.unwrap_or(0.0), g.gpu_usage_average.unwrap_or(0.0))
        })
}

/// The allocation's PV names as an encoded list (see [`super::encode_list`]); empty without PVs.
fn pv_names(a: &Allocation) -> String {
    let names: Vec<Str> = a.pvs.iter().flat_map(|m| m.iter()).map(|(k, _)| k.name.clone()).collect();
    let mut out = String::new();
    super::encode_list(&mut out, &names);
    out
}

/// The `allocations` table: database columns and Parquet columns, in order.
pub static TABLE: Table<Allocation> = Table {
    name: DataKind::Allocation.table(),
    per_file: true,
    primary_key: None,
    fields: &[
        Field::text("name", "name", |a| Cow::Borrowed(&*a.name)),
        Field::text("cluster", "properties.cluster", |a| prop(a, |p| &p.cluster)),
        Field::text("node", "properties.node", |a| prop(a, |p| &p.node)),
        Field::text("container", "properties.container", |a| prop(a, |p| &p.container)),
        Field::text("controller", "properties.controller", |a| prop(a, |p| &p.controller)),
        Field::text("controller_kind", "properties.controllerkind", |a| prop(a, |p| &p.controller_kind)),
        Field::text("namespace", "properties.namespace", |a| prop(a, |p| &p.namespace)),
        Field::text("pod", "properties.pod", |a| prop(a, |p| &p.pod)),
        Field::both(
            "services",
            "properties.services",
            Get::List(|a| a.properties.as_ref().and_then(|p| p.services.as_deref()).unwrap_or(&[])),
        ),
        Field::text("provider_id", "properties.providerid", |a| prop(a, |p| &p.provider_id)),
        Field::db(
            "labels",
            Get::Map(|a| maps(a, |p| p.labels.as_ref(), |p| p.namespace_labels.as_ref())),
        ),
        Field::parquet("labels", Get::Map(|a| maps(a, |p| p.labels.as_ref(), |_| None))),
        Field::db(
            "annotations",
            Get::Map(|a| maps(a, |p| p.annotations.as_ref(), |p| p.namespace_annotations.as_ref())),
        ),
        Field::parquet("annotations", Get::Map(|a| maps(a, |p| p.annotations.as_ref(), |_| None))),
        Field::both(
            "namespace_labels",
            "namespacelabels",
            Get::Map(|a| maps(a, |p| p.namespace_labels.as_ref(), |_| None)),
        ),
        Field::parquet("window.start", Get::Str(|a| win_start(&a.window))),
        Field::parquet("window.end", Get::Str(|a| win_end(&a.window))),
        Field::db("start_ts", Get::Int(|a| a.start.unix)),
        Field::parquet("running_start_time", Get::Str(|a| Cow::Owned(time(&a.start)))),
        Field::db("end_ts", Get::Int(|a| a.end.unix)),
        Field::parquet("running_end_time", Get::Str(|a| Cow::Owned(time(&a.end)))),
        Field::f64("minutes", "running_minutes", |a| a.minutes()),
        Field::parquet("cpucores", Get::F64(|a| per_hour(a, a.cpu_core_hours))),
        Field::f64("cpu_core_request_average", "cpucorerequestaverage", |a| a.cpu_core_request_average),
        Field::f64("cpu_core_usage_average", "cpucoreusageaverage", |a| a.cpu_core_usage_average),
        Field::f64("cpu_core_hours", "cpucorehours", |a| a.cpu_core_hours),
        Field::f64("cpu_cost", "cpucost", |a| a.cpu_cost),
        Field::f64("cpu_cost_adjustment", "cpucostadjustment", |a| a.cpu_cost_adjustment),
        Field::parquet("cpuefficiency", Get::F64(|a| a.cpu_efficiency())),
        Field::parquet("gpucount", Get::F64(|a| per_hour(a, a.gpu_hours))),
        Field::f64("gpu_hours", "gpuhours", |a| a.gpu_hours),
        Field::f64("gpu_cost", "gpucost", |a| a.gpu_cost),
        Field::f64("gpu_cost_adjustment", "gpucostadjustment", |a| a.gpu_cost_adjustment),
        Field::f64("network_transfer_bytes", "networktransferbytes", |a| a.network_transfer_bytes),
        Field::f64("network_receive_bytes", "networkreceivebytes", |a| a.network_receive_bytes),
        Field::f64("network_cost", "networkcost", |a| a.network_cost),
        Field::f64("network_cross_zone_cost", "networkcrosszonecost", |a| a.network_cross_zone_cost),
        Field::f64("network_cross_region_cost", "networkcrossregioncost", |a| {
            a.network_cross_region_cost
        }),
        Field::f64("network_internet_cost", "networkinternetcost", |a| a.network_internet_cost),
        Field::f64("network_cost_adjustment", "networkcostadjustment", |a| a.network_cost_adjustment),
        Field::f64("load_balancer_cost", "loadbalancercost", |a| a.load_balancer_cost),
        Field::f64("load_balancer_cost_adjustment", "loadbalancercostadjustment", |a| {
            a.load_balancer_cost_adjustment
        }),
        Field::parquet("pvbytes", Get::F64(|a| per_hour(a, a.pv_byte_hours()))),
        Field::f64("pv_byte_hours", "pvbytehours", |a| a.pv_byte_hours()),
        Field::f64("pv_cost", "pvcost", |a| a.pv_cost()),
        Field::f64("pv_cost_adjustment", "pvcostadjustment", |a| a.pv_cost_adjustment),
        Field::parquet("rambytes", Get::F64(|a| per_hour(a, a.ram_byte_hours))),
        Field::f64("ram_bytes_request_average", "rambyterequestaverage", |a| {
            a.ram_bytes_request_average
        }),
        Field::f64("ram_bytes_usage_average", "rambyteusageaverage", |a| a.ram_bytes_usage_average),
        Field::f64("ram_byte_hours", "rambytehours", |a| a.ram_byte_hours),
        Field::f64("ram_cost", "ramcost", |a| a.ram_cost),
        Field::f64("ram_cost_adjustment", "ramcostadjustment", |a| a.ram_cost_adjustment),
        Field::parquet("ramefficiency", Get::F64(|a| a.ram_efficiency())),
        Field::f64("external_cost", "externalcost", |a| a.external_cost),
        Field::f64("shared_cost", "sharedcost", |a| a.shared_cost),
        Field::f64("total_cost", "totalcost", |a| a.total_cost()),
        Field::parquet("totalefficiency", Get::F64(|a| a.total_efficiency())),
        Field::db("cpu_core_limit_average", Get::F64(|a| a.cpu_core_limit_average)),
        Field::db("ram_bytes_limit_average", Get::F64(|a| a.ram_bytes_limit_average)),
        Field::db("gpu_request_average", Get::F64(|a| gpu_averages(a).0)),
        Field::db("gpu_usage_average", Get::F64(|a| gpu_averages(a).1)),
        // OpenCost `RawAllocationOnlyData`, present only on unaggregated sets: the container's
        // maximum CPU use (cores) and RAM use (bytes) over the set's window; NULL when absent
        // or NaN. Request right-sizing reads them (docs/semantics.md, "Request right-sizing").
        Field::db(
            "cpu_core_usage_max",
            Get::OptF64(|a| a.raw_allocation_only.as_ref().map(|r| r.cpu_core_usage_max)),
        ),
        Field::db(
            "ram_byte_usage_max",
            Get::OptF64(|a| a.raw_allocation_only.as_ref().map(|r| r.ram_bytes_usage_max)),
        ),
        // The names of the persistent volumes the allocation holds (its `pvs` keys), an encoded
        // list: unclaimed volumes are those only `__unmounted__` allocations hold
        // (docs/semantics.md, "Unclaimed volumes").
        Field::db("pv_names", Get::Str(|a| Cow::Owned(pv_names(a)))),
    ],
};
