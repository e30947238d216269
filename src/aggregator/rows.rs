//! Model items → appender rows for the tables of [`super::schema`].

use super::batch::{Batch, Kind};
use super::schema::{SEP, close, push_map};
use crate::model::{Allocation, Asset, AssetDetail, CloudCost, StrMap};
use duckdb::{Appender, params};

/// Where a file's rows come from: object key, resolution (`1d`, `1h`) and window (unix seconds).
pub struct FileCtx<'a> {
    pub key: &'a str,
    pub resolution: &'a str,
    pub start: i64,
    pub end: i64,
}

fn encode_maps(maps: &[Option<&StrMap>]) -> String {
    let mut s = String::new();
    for m in maps.iter().flatten() {
        push_map(&mut s, m.iter().map(|(k, v)| (&**k, &**v)));
    }
    close(&mut s);
    s
}

fn encode_list(l: Option<&Vec<crate::model::Str>>) -> String {
    let mut s = String::new();
    for x in l.into_iter().flatten() {
        s.push(SEP);
        s.push_str(x);
    }
    close(&mut s);
    s
}

/// Column kinds of the `allocations` table, in order (see [`push_allocation`]).
pub fn allocation_kinds() -> Vec<Kind> {
    let mut k = vec![Kind::Str, Kind::Str, Kind::Int, Kind::Int];
    k.extend([Kind::Str; 13]);
    k.extend([Kind::Int, Kind::Int]);
    k.extend([Kind::F64; 33]);
    k
}

/// Write one allocation row into `b` (a batch of [`allocation_kinds`]).
pub fn push_allocation(b: &mut Batch, f: &FileCtx<'_>, a: &Allocation) {
    let p = a.properties.as_ref();
    let s = |g: fn(&crate::model::AllocationProperties) -> &crate::model::Str| p.map_or("", |p| &**g(p));
    let labels = encode_maps(&[p.and_then(|p| p.labels.as_ref()), p.and_then(|p| p.namespace_labels.as_ref())]);
    let annotations = encode_maps(&[
        p.and_then(|p| p.annotations.as_ref()),
        p.and_then(|p| p.namespace_annotations.as_ref()),
    ]);
    let namespace_labels = encode_maps(&[p.and_then(|p| p.namespace_labels.as_ref())]);
    let services = encode_list(p.and_then(|p| p.services.as_ref()));
    let (gpu_req, gpu_use) = a
        .gpu_allocation
        .as_ref()
        .map_or((a.deprecated_gpu_request_average, a.deprecated_gpu_usage_average), |g| {
            (g.gpu_request_average.unwrap_or(0.0), g.gpu_usage_average.unwrap_or(0.0))
        });
    b.s(f.key).s(f.resolution).i(f.start).i(f.end);
    b.s(&a.name)
        .s(s(|p| &p.cluster))
        .s(s(|p| &p.node))
        .s(s(|p| &p.namespace))
        .s(s(|p| &p.controller_kind))
        .s(s(|p| &p.controller))
        .s(s(|p| &p.pod))
        .s(s(|p| &p.container))
        .s(s(|p| &p.provider_id))
        .s(&services)
        .s(&labels)
        .s(&annotations)
        .s(&namespace_labels);
    b.i(a.start.unix).i(a.end.unix);
    for v in [
        a.minutes(),
        a.cpu_core_hours,
        a.cpu_core_request_average,
        a.cpu_core_usage_average,
        a.cpu_cost,
        a.cpu_cost_adjustment,
        a.gpu_hours,
        a.gpu_cost,
        a.gpu_cost_adjustment,
        a.network_transfer_bytes,
        a.network_receive_bytes,
        a.network_cost,
        a.network_cross_zone_cost,
        a.network_cross_region_cost,
        a.network_internet_cost,
        a.network_cost_adjustment,
        a.load_balancer_cost,
        a.load_balancer_cost_adjustment,
        a.pv_cost(),
        a.pv_byte_hours(),
        a.pv_cost_adjustment,
        a.ram_byte_hours,
        a.ram_bytes_request_average,
        a.ram_bytes_usage_average,
        a.ram_cost,
        a.ram_cost_adjustment,
        a.shared_cost,
        a.external_cost,
        a.cpu_core_limit_average,
        a.ram_bytes_limit_average,
        gpu_req,
        gpu_use,
        a.total_cost(),
    ] {
        b.f(v);
    }
    b.end_row();
}

/// Append one asset row.
pub fn append_asset(app: &mut Appender<'_>, f: &FileCtx<'_>, key: &str, a: &Asset) -> duckdb::Result<()> {
    let p = a.properties.as_ref();
    let s = |g: fn(&crate::model::AssetProperties) -> &crate::model::Str| p.map_or("", |p| &**g(p));
    let labels = encode_maps(&[a.labels.as_ref()]);
    let node = a.node();
    let n = |g: fn(&crate::model::NodeDetail) -> f64| node.map_or(0.0, g);
    let disk = a.disk();
    let credit = match &a.detail {
        AssetDetail::Cloud { credit } => *credit,
        _ => 0.0,
    };
    app.append_row(params![
        f.key,
        f.resolution,
        f.start,
        f.end,
        key,
        a.kind.name(),
        s(|p| &p.category),
        s(|p| &p.provider),
        s(|p| &p.account),
        s(|p| &p.project),
        s(|p| &p.service),
        s(|p| &p.cluster),
        s(|p| &p.name),
        s(|p| &p.provider_id),
        labels,
        a.start.map_or(0, |t| t.unix),
        a.end.map_or(0, |t| t.unix),
        a.adjustment,
        a.cost,
        node.map_or("", |n| &*n.node_type),
        n(|n| n.cpu_core_hours),
        n(|n| n.ram_byte_hours),
        n(|n| n.gpu_hours),
        n(|n| n.cpu_cost),
        n(|n| n.gpu_cost),
        n(|n| n.gpu_count),
        n(|n| n.ram_cost),
        n(|n| n.discount),
        n(|n| n.preemptible),
        disk.map_or(0.0, |d| d.byte_hours),
        disk.map_or(0.0, |d| d.local),
        disk.map_or("", |d| &*d.storage_class),
        credit,
        a.total_cost(),
    ])
}

/// Append one cloud-cost row.
pub fn append_cloud_cost(app: &mut Appender<'_>, f: &FileCtx<'_>, key: &str, c: &CloudCost) -> duckdb::Result<()> {
    let p = c.properties.as_ref();
    let s = |g: fn(&crate::model::CloudCostProperties) -> &crate::model::Str| p.map_or("", |p| &**g(p));
    let labels = encode_maps(&[p.and_then(|p| p.labels.as_ref())]);
    app.append_row(params![
        f.key,
        f.resolution,
        f.start,
        f.end,
        key,
        s(|p| &p.provider_id),
        s(|p| &p.provider),
        s(|p| &p.account_id),
        s(|p| &p.account_name),
        s(|p| &p.invoice_entity_id),
        s(|p| &p.invoice_entity_name),
        s(|p| &p.region_id),
        s(|p| &p.availability_zone),
        s(|p| &p.service),
        s(|p| &p.category),
        labels,
        c.list_cost.cost,
        c.list_cost.kubernetes_percent,
        c.net_cost.cost,
        c.net_cost.kubernetes_percent,
        c.amortized_net_cost.cost,
        c.amortized_net_cost.kubernetes_percent,
        c.invoiced_cost.cost,
        c.invoiced_cost.kubernetes_percent,
        c.amortized_cost.cost,
        c.amortized_cost.kubernetes_percent,
    ])
}
