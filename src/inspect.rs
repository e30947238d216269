//! `costscope inspect`: decode one bingen file and describe it, like Kubecost's
//! `/go/bin/app bingentojson` but with a summary mode (root type, codec versions, window, item
//! count, cost totals in USD).

use crate::bingen::{self, DecodeError, Decoded, Family, Item, Root, RootKind};
use crate::model::{Allocation, CostMetricName, Window};
use crate::query::DataKind;
use crate::query::columns::{Formula, Unit, registry};
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Summary of a decoded file, printable as text or JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Root type name (`AllocationSet`).
    pub root: &'static str,
    /// Version bytes seen per version set (`allocation: [24]`).
    pub codec_versions: BTreeMap<&'static str, Vec<u8>>,
    /// The set's window (RFC 3339), if the root has one.
    pub window: Option<Window>,
    /// Allocations, assets or cloud costs in the root (summed over the sets of a range).
    pub items: usize,
    /// Cost totals in USD by name (`totalCost`, `cpuCost`, `Node`, `amortizedNetCost`, ...).
    pub totals: BTreeMap<String, f64>,
    /// Whether the file was gzip-wrapped.
    pub gzipped: bool,
    /// Bytes after the root (ignored by OpenCost too).
    pub trailing_bytes: usize,
}

/// A measure's value over one allocation (the registry's rollup form).
type MeasureFn = fn(&Allocation) -> f64;

/// Running totals over the items of a file (USD).
struct Totals {
    items: usize,
    sums: BTreeMap<String, f64>,
    /// [`allocation_totals`] and their running sums.
    alloc: Vec<(&'static str, MeasureFn, f64)>,
    saw_allocations: bool,
}

/// The allocation totals `inspect` reports: every USD column of the allocation registry that is
/// one measure's sum (`totalCost`, `cpuCost`, …, `adjustments`), with that measure's Rust form.
fn allocation_totals() -> Vec<(&'static str, MeasureFn)> {
    let reg = registry(DataKind::Allocation);
    reg.columns
        .iter()
        .filter(|c| c.unit == Unit::Usd)
        .filter_map(|c| match c.formula {
            Formula::Sum(m) => {
                let f = reg.measures.iter().find(|x| x.name == m)?.rollup?;
                Some((c.json(), f))
            }
            Formula::PerHour(_) | Formula::Efficiency(_) | Formula::TotalEfficiency { .. } | Formula::Ratio { .. } => None,
        })
        .collect()
}

impl Totals {
    fn new() -> Totals {
        Totals {
            items: 0,
            sums: BTreeMap::new(),
            alloc: allocation_totals().into_iter().map(|(n, f)| (n, f, 0.0)).collect(),
            saw_allocations: false,
        }
    }

    fn add(&mut self, item: &Item) {
        self.items += 1;
        match item {
            Item::Allocation(_, a) => {
                self.saw_allocations = true;
                for (_, f, sum) in &mut self.alloc {
                    *sum += f(a);
                }
            }
            Item::Asset(_, a) => {
                let c = a.total_cost();
                *self.sums.entry("totalCost".into()).or_insert(0.0) += c;
                *self.sums.entry(a.kind.name().to_string()).or_insert(0.0) += c;
            }
            Item::CloudCost(_, c) => {
                for m in CostMetricName::ALL {
                    *self.sums.entry(m.json_name().to_string()).or_insert(0.0) += c.metric(m).cost;
                }
            }
        }
    }
}

/// Decode `data` as a `kind` root, streaming its items into totals (memory stays flat), and
/// summarise it.
///
/// Errors: the [`DecodeError`] of the file.
pub fn summarize(data: &[u8], kind: RootKind) -> Result<Summary, DecodeError> {
    let mut t = Totals::new();
    let d = bingen::decode_streaming(data, kind, &mut |item| t.add(&item))?;
    let mut codec_versions = BTreeMap::new();
    for (name, f) in [
        ("allocation", Family::Allocation),
        ("assets", Family::Assets),
        ("cloudcost", Family::CloudCost),
        ("window", Family::Default),
    ] {
        let v = d.versions.of(f);
        if !v.is_empty() {
            codec_versions.insert(name, v);
        }
    }
    let mut totals = t.sums;
    if t.saw_allocations || kind == RootKind::AllocationSet {
        for (n, _, s) in t.alloc {
            totals.insert(n.to_string(), s);
        }
    }
    let window = match &d.root {
        Root::AllocationSet(s) => Some(s.window),
        Root::Allocation(a) => Some(a.window),
        Root::AssetSet(s) => Some(s.window),
        Root::CloudCostSet(s) => Some(s.window),
        Root::CloudCostSetRange(r) => Some(r.window),
        Root::Window(w) => Some(*w),
        Root::AllocationSetRange(_) | Root::AssetSetRange(_) => None,
    };
    Ok(Summary {
        root: kind.name(),
        codec_versions,
        window,
        items: t.items,
        totals,
        gzipped: d.gzipped,
        trailing_bytes: d.trailing_bytes,
    })
}

impl std::fmt::Display for Summary {
    /// Human-readable summary, one fact per line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "root:     {}", self.root)?;
        let versions: Vec<String> = self
            .codec_versions
            .iter()
            .map(|(k, v)| format!("{k} {}", v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("/")))
            .collect();
        writeln!(f, "codec:    {}{}", versions.join(", "), if self.gzipped { " (gzip)" } else { "" })?;
        if let Some(w) = &self.window {
            let show = |t: Option<crate::model::GoTime>| t.map_or("open".to_string(), |t| t.to_rfc3339());
            writeln!(f, "window:   {} .. {} ({:.0} h)", show(w.start), show(w.end), w.hours())?;
        }
        writeln!(f, "items:    {}", self.items)?;
        for (k, v) in &self.totals {
            writeln!(f, "{:<18} {:>16.6} USD", k, v)?;
        }
        if self.trailing_bytes > 0 {
            writeln!(f, "warning:  {} trailing bytes after the root were ignored", self.trailing_bytes)?;
        }
        Ok(())
    }
}

/// The root as Kubecost-style JSON, with each allocation's computed fields added
/// (`totalCost`, `pvCost`, `cpuEfficiency`, `ramEfficiency`, `totalEfficiency`, `minutes`) and each
/// asset's `totalCost`.
pub fn to_json(d: &Decoded) -> Value {
    let mut v = serde_json::to_value(&d.root).unwrap_or(Value::Null);
    match &d.root {
        Root::AllocationSet(s) => {
            if let (Some(Value::Object(m)), Some(allocs)) = (v.get_mut("allocations"), &s.allocations) {
                for (k, a) in allocs.iter() {
                    if let (Some(Value::Object(o)), Some(a)) = (m.get_mut(k.as_ref()), a) {
                        add_allocation_fields(o, a);
                    }
                }
            }
        }
        Root::Allocation(a) => {
            if let Value::Object(o) = &mut v {
                add_allocation_fields(o, a);
            }
        }
        Root::AssetSet(s) => {
            if let (Some(Value::Object(m)), Some(assets)) = (v.get_mut("assets"), &s.assets) {
                for (k, a) in assets.iter() {
                    if let (Some(Value::Object(o)), Some(a)) = (m.get_mut(k.as_ref()), a) {
                        o.insert("totalCost".into(), json!(a.total_cost()));
                    }
                }
            }
        }
        _ => {}
    }
    v
}

fn add_allocation_fields(o: &mut Map<String, Value>, a: &Allocation) {
    o.insert("minutes".into(), json!(a.minutes()));
    o.insert("pvCost".into(), json!(a.pv_cost()));
    o.insert("cpuEfficiency".into(), json!(a.cpu_efficiency()));
    o.insert("ramEfficiency".into(), json!(a.ram_efficiency()));
    o.insert("totalEfficiency".into(), json!(a.total_efficiency()));
    o.insert("totalCost".into(), json!(a.total_cost()));
}
