//! The columns of the exported Parquet datasets (docs/scale-out.md, "Schema"): one table per
//! kind, each column a name and how to read it from a decoded item. The allocation table follows
//! the Athena DDL of OpenCost's `opencost-parquet-exporter` README: the same lower-case names,
//! `properties.*`, `window.start`/`window.end` and the 36 measures. Labels and annotations are map
//! columns instead of one `label.<k>` column per label. Assets and cloud costs use Kubecost's
//! JSON field names, lower-cased the same way.

use crate::model::{Allocation, Asset, AssetDetail, CloudCost, GoTime, StrMap, Window};
use duckdb::arrow::array::{ArrayRef, Float64Builder, Int32Builder, ListBuilder, MapBuilder, StringBuilder};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use std::sync::Arc;

/// How a column reads its value from an item of type `T`.
pub enum Get<T> {
    Str(fn(&T) -> String),
    F64(fn(&T) -> f64),
    /// A list of strings (`properties.services`).
    List(fn(&T) -> Vec<String>),
    /// A string → string map (labels, annotations).
    Map(fn(&T) -> Option<&StrMap>),
}

/// One column: its name in the Parquet file and its reader.
pub struct Col<T> {
    pub name: &'static str,
    pub get: Get<T>,
}

const fn s<T>(name: &'static str, f: fn(&T) -> String) -> Col<T> {
    Col { name, get: Get::Str(f) }
}
const fn f<T>(name: &'static str, f: fn(&T) -> f64) -> Col<T> {
    Col { name, get: Get::F64(f) }
}

/// RFC 3339 UTC of a time, as the exporter writes `window.start` (`2026-11-19T00:00:00Z`).
fn time(t: &GoTime) -> String {
    t.to_utc().map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}
fn win_start(w: &Window) -> String {
    w.start.as_ref().map(time).unwrap_or_default()
}
fn win_end(w: &Window) -> String {
    w.end.as_ref().map(time).unwrap_or_default()
}
/// `v / hours` of running time, 0 when it did not run (OpenCost `CPUCores()`, `RAMBytes()`, ...).
fn per_hour(a: &Allocation, v: f64) -> f64 {
    let h = a.minutes() / 60.0;
    if h <= 0.0 { 0.0 } else { v / h }
}
fn prop(a: &Allocation, get: fn(&crate::model::AllocationProperties) -> &str) -> String {
    a.properties.as_ref().map(|p| get(p).to_string()).unwrap_or_default()
}

/// The allocation table (exporter names), in file order.
pub fn allocation_columns() -> Vec<Col<Allocation>> {
    vec![
        s("name", |a| a.name.to_string()),
        s("properties.cluster", |a| prop(a, |p| &p.cluster)),
        s("properties.node", |a| prop(a, |p| &p.node)),
        s("properties.container", |a| prop(a, |p| &p.container)),
        s("properties.controller", |a| prop(a, |p| &p.controller)),
        s("properties.controllerkind", |a| prop(a, |p| &p.controller_kind)),
        s("properties.namespace", |a| prop(a, |p| &p.namespace)),
        s("properties.pod", |a| prop(a, |p| &p.pod)),
        Col {
            name: "properties.services",
            get: Get::List(|a| {
                a.properties
                    .as_ref()
                    .and_then(|p| p.services.as_ref())
                    .map(|v| v.iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default()
            }),
        },
        s("properties.providerid", |a| prop(a, |p| &p.provider_id)),
        Col {
            name: "labels",
            get: Get::Map(|a| a.properties.as_ref().and_then(|p| p.labels.as_ref())),
        },
        Col {
            name: "annotations",
            get: Get::Map(|a| a.properties.as_ref().and_then(|p| p.annotations.as_ref())),
        },
        Col {
            name: "namespacelabels",
            get: Get::Map(|a| a.properties.as_ref().and_then(|p| p.namespace_labels.as_ref())),
        },
        s("window.start", |a| win_start(&a.window)),
        s("window.end", |a| win_end(&a.window)),
        s("running_start_time", |a| time(&a.start)),
        s("running_end_time", |a| time(&a.end)),
        f("running_minutes", |a| a.minutes()),
        f("cpucores", |a| per_hour(a, a.cpu_core_hours)),
        f("cpucorerequestaverage", |a| a.cpu_core_request_average),
        f("cpucoreusageaverage", |a| a.cpu_core_usage_average),
        f("cpucorehours", |a| a.cpu_core_hours),
        f("cpucost", |a| a.cpu_cost),
        f("cpucostadjustment", |a| a.cpu_cost_adjustment),
        f("cpuefficiency", |a| a.cpu_efficiency()),
        f("gpucount", |a| per_hour(a, a.gpu_hours)),
        f("gpuhours", |a| a.gpu_hours),
        f("gpucost", |a| a.gpu_cost),
        f("gpucostadjustment", |a| a.gpu_cost_adjustment),
        f("networktransferbytes", |a| a.network_transfer_bytes),
        f("networkreceivebytes", |a| a.network_receive_bytes),
        f("networkcost", |a| a.network_cost),
        f("networkcrosszonecost", |a| a.network_cross_zone_cost),
        f("networkcrossregioncost", |a| a.network_cross_region_cost),
        f("networkinternetcost", |a| a.network_internet_cost),
        f("networkcostadjustment", |a| a.network_cost_adjustment),
        f("loadbalancercost", |a| a.load_balancer_cost),
        f("loadbalancercostadjustment", |a| a.load_balancer_cost_adjustment),
        f("pvbytes", |a| per_hour(a, a.pv_byte_hours())),
        f("pvbytehours", |a| a.pv_byte_hours()),
        f("pvcost", |a| a.pv_cost()),
        f("pvcostadjustment", |a| a.pv_cost_adjustment),
        f("rambytes", |a| per_hour(a, a.ram_byte_hours)),
        f("rambyterequestaverage", |a| a.ram_bytes_request_average),
        f("rambyteusageaverage", |a| a.ram_bytes_usage_average),
        f("rambytehours", |a| a.ram_byte_hours),
        f("ramcost", |a| a.ram_cost),
        f("ramcostadjustment", |a| a.ram_cost_adjustment),
        f("ramefficiency", |a| a.ram_efficiency()),
        f("externalcost", |a| a.external_cost),
        f("sharedcost", |a| a.shared_cost),
        f("totalcost", |a| a.total_cost()),
        f("totalefficiency", |a| a.total_efficiency()),
    ]
}

fn aprop(a: &Asset, get: fn(&crate::model::AssetProperties) -> &str) -> String {
    a.properties.as_ref().map(|p| get(p).to_string()).unwrap_or_default()
}
fn node(a: &Asset, get: fn(&crate::model::NodeDetail) -> f64) -> f64 {
    match &a.detail {
        AssetDetail::Node(n) => get(n),
        _ => 0.0,
    }
}
fn disk(a: &Asset, get: fn(&crate::model::DiskDetail) -> f64) -> f64 {
    match &a.detail {
        AssetDetail::Disk(d) => get(d),
        _ => 0.0,
    }
}

/// The asset table (Kubecost asset fields, lower-cased), in file order. Fields of other asset
/// types are 0 or empty.
pub fn asset_columns() -> Vec<Col<Asset>> {
    vec![
        s("type", |a| a.kind.name().to_string()),
        s("properties.category", |a| aprop(a, |p| &p.category)),
        s("properties.provider", |a| aprop(a, |p| &p.provider)),
        s("properties.account", |a| aprop(a, |p| &p.account)),
        s("properties.project", |a| aprop(a, |p| &p.project)),
        s("properties.service", |a| aprop(a, |p| &p.service)),
        s("properties.cluster", |a| aprop(a, |p| &p.cluster)),
        s("properties.name", |a| aprop(a, |p| &p.name)),
        s("properties.providerid", |a| aprop(a, |p| &p.provider_id)),
        Col {
            name: "labels",
            get: Get::Map(|a| a.labels.as_ref()),
        },
        s("window.start", |a| win_start(&a.window)),
        s("window.end", |a| win_end(&a.window)),
        s("start", |a| a.start.as_ref().map(time).unwrap_or_default()),
        s("end", |a| a.end.as_ref().map(time).unwrap_or_default()),
        f("minutes", |a| match (&a.start, &a.end) {
            (Some(s), Some(e)) => (e.unix_f64() - s.unix_f64()) / 60.0,
            _ => 0.0,
        }),
        f("adjustment", |a| a.adjustment),
        f("cost", |a| a.cost),
        s("nodetype", |a| match &a.detail {
            AssetDetail::Node(n) => n.node_type.to_string(),
            _ => String::new(),
        }),
        f("cpucorehours", |a| node(a, |n| n.cpu_core_hours)),
        f("rambytehours", |a| node(a, |n| n.ram_byte_hours)),
        f("gpuhours", |a| node(a, |n| n.gpu_hours)),
        f("cpucost", |a| node(a, |n| n.cpu_cost)),
        f("gpucost", |a| node(a, |n| n.gpu_cost)),
        f("gpucount", |a| node(a, |n| n.gpu_count)),
        f("ramcost", |a| node(a, |n| n.ram_cost)),
        f("discount", |a| node(a, |n| n.discount)),
        f("preemptible", |a| node(a, |n| n.preemptible)),
        f("bytehours", |a| disk(a, |d| d.byte_hours)),
        f("local", |a| disk(a, |d| d.local)),
        s("storageclass", |a| match &a.detail {
            AssetDetail::Disk(d) => d.storage_class.to_string(),
            _ => String::new(),
        }),
        f("credit", |a| match &a.detail {
            AssetDetail::Cloud { credit } => *credit,
            _ => 0.0,
        }),
        f("totalcost", |a| a.total_cost()),
    ]
}

fn cprop(c: &CloudCost, get: fn(&crate::model::CloudCostProperties) -> &str) -> String {
    c.properties.as_ref().map(|p| get(p).to_string()).unwrap_or_default()
}

/// The cloud-cost table (Kubecost cloud-cost fields, lower-cased; each of the five cost metrics
/// with its Kubernetes share 0..1), in file order.
pub fn cloud_cost_columns() -> Vec<Col<CloudCost>> {
    vec![
        s("properties.providerid", |c| cprop(c, |p| &p.provider_id)),
        s("properties.provider", |c| cprop(c, |p| &p.provider)),
        s("properties.accountid", |c| cprop(c, |p| &p.account_id)),
        s("properties.accountname", |c| cprop(c, |p| &p.account_name)),
        s("properties.invoiceentityid", |c| cprop(c, |p| &p.invoice_entity_id)),
        s("properties.invoiceentityname", |c| cprop(c, |p| &p.invoice_entity_name)),
        s("properties.regionid", |c| cprop(c, |p| &p.region_id)),
        s("properties.availabilityzone", |c| cprop(c, |p| &p.availability_zone)),
        s("properties.service", |c| cprop(c, |p| &p.service)),
        s("properties.category", |c| cprop(c, |p| &p.category)),
        Col {
            name: "labels",
            get: Get::Map(|c| c.properties.as_ref().and_then(|p| p.labels.as_ref())),
        },
        s("window.start", |c| win_start(&c.window)),
        s("window.end", |c| win_end(&c.window)),
        f("listcost", |c| c.list_cost.cost),
        f("listcostkubernetespercent", |c| c.list_cost.kubernetes_percent),
        f("netcost", |c| c.net_cost.cost),
        f("netcostkubernetespercent", |c| c.net_cost.kubernetes_percent),
        f("amortizednetcost", |c| c.amortized_net_cost.cost),
        f("amortizednetcostkubernetespercent", |c| c.amortized_net_cost.kubernetes_percent),
        f("invoicedcost", |c| c.invoiced_cost.cost),
        f("invoicedcostkubernetespercent", |c| c.invoiced_cost.kubernetes_percent),
        f("amortizedcost", |c| c.amortized_cost.cost),
        f("amortizedcostkubernetespercent", |c| c.amortized_cost.kubernetes_percent),
    ]
}

/// Column builders for a table, filled item by item, then turned into one record batch.
pub struct TableBuilder<T: 'static> {
    cols: Vec<Col<T>>,
    builders: Vec<Builder>,
    /// The `hour` column of hourly exports (0–23, UTC), when asked for.
    hour: Option<Int32Builder>,
    rows: usize,
}

enum Builder {
    Str(StringBuilder),
    F64(Float64Builder),
    List(ListBuilder<StringBuilder>),
    Map(MapBuilder<StringBuilder, StringBuilder>),
}

impl<T: 'static> TableBuilder<T> {
    /// Builders for `cols`; `with_hour` adds the `hour` column last.
    pub fn new(cols: Vec<Col<T>>, with_hour: bool) -> TableBuilder<T> {
        let builders = cols
            .iter()
            .map(|c| match c.get {
                Get::Str(_) => Builder::Str(StringBuilder::new()),
                Get::F64(_) => Builder::F64(Float64Builder::new()),
                Get::List(_) => Builder::List(ListBuilder::new(StringBuilder::new())),
                Get::Map(_) => Builder::Map(MapBuilder::new(None, StringBuilder::new(), StringBuilder::new())),
            })
            .collect();
        TableBuilder {
            cols,
            builders,
            hour: with_hour.then(Int32Builder::new),
            rows: 0,
        }
    }

    /// Add one item (`hour`: its set's UTC hour, for hourly exports).
    pub fn push(&mut self, item: &T, hour: i32) {
        for (c, b) in self.cols.iter().zip(&mut self.builders) {
            match (&c.get, b) {
                (Get::Str(g), Builder::Str(b)) => b.append_value(g(item)),
                (Get::F64(g), Builder::F64(b)) => b.append_value(g(item)),
                (Get::List(g), Builder::List(b)) => {
                    for v in g(item) {
                        b.values().append_value(v);
                    }
                    b.append(true);
                }
                (Get::Map(g), Builder::Map(b)) => {
                    for (k, v) in g(item).into_iter().flat_map(|m| m.iter()) {
                        b.keys().append_value(k);
                        b.values().append_value(v);
                    }
                    // Appending an entry list to a fresh builder cannot fail.
                    let _ = b.append(true);
                }
                _ => unreachable!("builders are made from the columns"),
            }
        }
        if let Some(h) = &mut self.hour {
            h.append_value(hour);
        }
        self.rows += 1;
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows as one record batch.
    ///
    /// Errors: Arrow's, when the columns disagree in length (a bug).
    pub fn finish(mut self) -> Result<RecordBatch, duckdb::arrow::error::ArrowError> {
        let mut fields = Vec::new();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (c, b) in self.cols.iter().zip(&mut self.builders) {
            let a: ArrayRef = match b {
                Builder::Str(b) => Arc::new(b.finish()),
                Builder::F64(b) => Arc::new(b.finish()),
                Builder::List(b) => Arc::new(b.finish()),
                Builder::Map(b) => Arc::new(b.finish()),
            };
            fields.push(Field::new(
                c.name,
                a.data_type().clone(),
                !matches!(a.data_type(), DataType::Utf8 | DataType::Float64),
            ));
            arrays.push(a);
        }
        if let Some(h) = &mut self.hour {
            fields.push(Field::new("hour", DataType::Int32, false));
            arrays.push(Arc::new(h.finish()));
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
    }
}
