//! CloudCost version set: CloudCostSet, CloudCostSetRange, CloudCost, CloudCostProperties,
//! CostMetric. Includes the v1 exception (4 cost metrics, no AmortizedCost) from
//! `specs/bingen-format.md` §4.

use super::reader::{R, Reader};
use super::versions::Family;
use super::window::{read_nested_window, write_nested_window};
use super::writer::Writer;
use crate::model::*;

pub(crate) fn read_cloud_cost_set(r: &mut Reader) -> R<CloudCostSet> {
    let mut items = Vec::new();
    let mut set = read_cloud_cost_set_with(r, &mut |k, c| items.push((k, c)))?;
    if let Some(m) = set.cloud_costs.as_mut() {
        m.0 = items;
    }
    Ok(set)
}

/// Decode a CloudCostSet, handing each `(key, cloud cost)` to `each` instead of storing it.
pub(crate) fn read_cloud_cost_set_with(r: &mut Reader, each: &mut dyn FnMut(Str, Option<CloudCost>)) -> R<CloudCostSet> {
    r.within("CloudCostSet", |r| {
        r.version(Family::CloudCost)?;
        let cloud_costs = r.opt(|r| {
            let n = r.count(3)?;
            for _ in 0..n {
                let k = r.string()?;
                let c = r.opt(|r| r.nested("CloudCost", read_cloud_cost))?;
                each(k, c);
            }
            Ok(StrMap::new())
        })?;
        let window = read_nested_window(r)?;
        let integration = r.string()?;
        let aggregation_properties = r.opt_str_list()?;
        Ok(CloudCostSet {
            cloud_costs,
            window,
            integration,
            aggregation_properties,
        })
    })
}

pub(crate) fn write_cloud_cost_set(w: &mut Writer, s: &CloudCostSet) {
    w.u8(w.v.cloudcost);
    w.opt_struct_map(&s.cloud_costs, write_cloud_cost);
    write_nested_window(w, &s.window);
    w.string(&s.integration);
    w.opt_str_list(&s.aggregation_properties);
}

pub(crate) fn read_cloud_cost_set_range(r: &mut Reader) -> R<CloudCostSetRange> {
    r.within("CloudCostSetRange", |r| {
        r.version(Family::CloudCost)?;
        let cloud_cost_sets = r.opt_struct_list("CloudCostSet", read_cloud_cost_set)?;
        Ok(CloudCostSetRange {
            cloud_cost_sets,
            window: read_nested_window(r)?,
        })
    })
}

pub(crate) fn write_cloud_cost_set_range(w: &mut Writer, s: &CloudCostSetRange) {
    w.u8(w.v.cloudcost);
    w.opt_struct_list(&s.cloud_cost_sets, write_cloud_cost_set);
    write_nested_window(w, &s.window);
}

fn read_metric(r: &mut Reader) -> R<CostMetric> {
    r.nested("CostMetric", |r| {
        r.version(Family::CloudCost)?;
        Ok(CostMetric {
            cost: r.f64()?,
            kubernetes_percent: r.f64()?,
        })
    })
}

fn write_metric(w: &mut Writer, m: &CostMetric) {
    w.compat();
    w.u8(w.v.cloudcost);
    w.f64(m.cost);
    w.f64(m.kubernetes_percent);
}

fn read_props(r: &mut Reader) -> R<CloudCostProperties> {
    let v = r.version(Family::CloudCost)?;
    let mut p = CloudCostProperties {
        provider_id: r.string()?,
        provider: r.string()?,
        account_id: r.string()?,
        ..Default::default()
    };
    if v >= 3 {
        p.account_name = r.string()?;
    }
    p.invoice_entity_id = r.string()?;
    if v >= 3 {
        p.invoice_entity_name = r.string()?;
        p.region_id = r.string()?;
        p.availability_zone = r.string()?;
    }
    p.service = r.string()?;
    p.category = r.string()?;
    p.labels = r.opt_str_map()?;
    Ok(p)
}

fn write_props(w: &mut Writer, p: &CloudCostProperties) {
    let v = w.v.cloudcost;
    w.u8(v);
    w.string(&p.provider_id);
    w.string(&p.provider);
    w.string(&p.account_id);
    if v >= 3 {
        w.string(&p.account_name);
    }
    w.string(&p.invoice_entity_id);
    if v >= 3 {
        w.string(&p.invoice_entity_name);
        w.string(&p.region_id);
        w.string(&p.availability_zone);
    }
    w.string(&p.service);
    w.string(&p.category);
    w.opt_str_map(&p.labels);
}

/// Decode a `CloudCost`; a version-1 item carries only 4 metrics (no AmortizedCost).
pub(crate) fn read_cloud_cost(r: &mut Reader) -> R<CloudCost> {
    let v = r.version(Family::CloudCost)?;
    let properties = r.opt(|r| r.nested("CloudCostProperties", read_props))?;
    let window = read_nested_window(r)?;
    let mut c = CloudCost {
        properties,
        window,
        list_cost: read_metric(r)?,
        net_cost: read_metric(r)?,
        amortized_net_cost: read_metric(r)?,
        invoiced_cost: read_metric(r)?,
        ..Default::default()
    };
    if v >= 2 {
        c.amortized_cost = read_metric(r)?;
    }
    Ok(c)
}

fn write_cloud_cost(w: &mut Writer, c: &CloudCost) {
    w.u8(w.v.cloudcost);
    w.opt(&c.properties, |w, p| {
        w.compat();
        write_props(w, p)
    });
    write_nested_window(w, &c.window);
    for m in [&c.list_cost, &c.net_cost, &c.amortized_net_cost, &c.invoiced_cost] {
        write_metric(w, m);
    }
    if w.v.cloudcost >= 2 {
        write_metric(w, &c.amortized_cost);
    }
}
