//! Allocation version set: AllocationSet, AllocationSetRange, Allocation and its nested structs.
//! Field order and version gates follow OpenCost `opencost_codecs.go` as documented in
//! `specs/bingen-format.md` §5.

use super::reader::{R, Reader};
use super::versions::Family;
use super::window::{read_nested_window, write_nested_window};
use super::writer::Writer;
use crate::model::*;

pub(crate) fn read_allocation_set(r: &mut Reader) -> R<AllocationSet> {
    let mut items = Vec::new();
    let mut set = read_allocation_set_with(r, &mut |k, a| items.push((k, a)))?;
    if let Some(m) = set.allocations.as_mut() {
        m.0 = items;
    }
    Ok(set)
}

/// Decode an AllocationSet, handing each `(key, allocation)` to `each` instead of storing it; the
/// returned set's `allocations` is an empty map (or `None` when the file has a nil map).
pub(crate) fn read_allocation_set_with(r: &mut Reader, each: &mut dyn FnMut(Str, Option<Allocation>)) -> R<AllocationSet> {
    r.within("AllocationSet", |r| {
        r.version(Family::Allocation)?;
        let allocations = r.opt(|r| {
            let n = r.count(3)?;
            for _ in 0..n {
                let k = r.string()?;
                let a = r.opt(|r| r.nested("Allocation", read_allocation))?;
                each(k, a);
            }
            Ok(StrMap::new())
        })?;
        let external_keys = r.opt_bool_map()?;
        let idle_keys = r.opt_bool_map()?;
        let from_source = r.string()?;
        let window = read_nested_window(r)?;
        let warnings = r.opt_str_list()?;
        let errors = r.opt_str_list()?;
        Ok(AllocationSet {
            allocations,
            external_keys,
            idle_keys,
            from_source,
            window,
            warnings,
            errors,
        })
    })
}

pub(crate) fn write_allocation_set(w: &mut Writer, s: &AllocationSet) {
    w.u8(w.v.allocation);
    w.opt_struct_map(&s.allocations, write_allocation);
    w.opt_bool_map(&s.external_keys);
    w.opt_bool_map(&s.idle_keys);
    w.string(&s.from_source);
    write_nested_window(w, &s.window);
    w.opt_str_list(&s.warnings);
    w.opt_str_list(&s.errors);
}

pub(crate) fn read_allocation_set_range(r: &mut Reader) -> R<AllocationSetRange> {
    r.within("AllocationSetRange", |r| {
        r.version(Family::Allocation)?;
        let allocations = r.opt_struct_list("AllocationSet", read_allocation_set)?;
        Ok(AllocationSetRange {
            allocations,
            from_store: r.string()?,
        })
    })
}

pub(crate) fn write_allocation_set_range(w: &mut Writer, s: &AllocationSetRange) {
    w.u8(w.v.allocation);
    w.opt_struct_list(&s.allocations, write_allocation_set);
    w.string(&s.from_store);
}

fn read_props(r: &mut Reader) -> R<AllocationProperties> {
    let v = r.version(Family::Allocation)?;
    let mut p = AllocationProperties {
        cluster: r.string()?,
        node: r.string()?,
        container: r.string()?,
        controller: r.string()?,
        controller_kind: r.string()?,
        namespace: r.string()?,
        pod: r.string()?,
        services: r.opt_str_list()?,
        provider_id: r.string()?,
        labels: r.opt_str_map()?,
        annotations: r.opt_str_map()?,
        ..Default::default()
    };
    if v >= 17 {
        p.namespace_labels = r.opt_str_map()?;
        p.namespace_annotations = r.opt_str_map()?;
    }
    Ok(p)
}

fn write_props(w: &mut Writer, p: &AllocationProperties) {
    w.u8(w.v.allocation);
    for s in [
        &p.cluster,
        &p.node,
        &p.container,
        &p.controller,
        &p.controller_kind,
        &p.namespace,
        &p.pod,
    ] {
        w.string(s);
    }
    w.opt_str_list(&p.services);
    w.string(&p.provider_id);
    w.opt_str_map(&p.labels);
    w.opt_str_map(&p.annotations);
    if w.v.allocation >= 17 {
        w.opt_str_map(&p.namespace_labels);
        w.opt_str_map(&p.namespace_annotations);
    }
}

fn read_pvs(r: &mut Reader) -> R<Option<StrMap<PvKey, Option<PvAllocation>>>> {
    r.opt(|r| {
        let n = r.count(6)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let key = r.nested("PVKey", |r| {
                r.version(Family::Allocation)?;
                Ok(PvKey {
                    cluster: r.string()?,
                    name: r.string()?,
                })
            })?;
            let val = r.opt(|r| {
                r.nested("PVAllocation", |r| {
                    let ver = r.version(Family::Allocation)?;
                    let byte_hours = r.f64()?;
                    let cost = r.f64()?;
                    let provider_id = if ver >= 20 { r.string()? } else { "".into() };
                    Ok(PvAllocation {
                        byte_hours,
                        cost,
                        provider_id,
                    })
                })
            })?;
            v.push((key, val));
        }
        Ok(StrMap(v))
    })
}

fn write_pvs(w: &mut Writer, pvs: &Option<StrMap<PvKey, Option<PvAllocation>>>) {
    w.opt(pvs, |w, m| {
        w.len(m.len());
        for (k, val) in m.iter() {
            w.compat();
            w.u8(w.v.allocation);
            w.string(&k.cluster);
            w.string(&k.name);
            w.opt(val, |w, pv| {
                w.compat();
                w.u8(w.v.allocation);
                w.f64(pv.byte_hours);
                w.f64(pv.cost);
                if w.v.allocation >= 20 {
                    w.string(&pv.provider_id);
                }
            });
        }
    });
}

fn read_lb(r: &mut Reader) -> R<LbAllocation> {
    let v = r.version(Family::Allocation)?;
    let mut lb = LbAllocation {
        service: r.string()?,
        cost: r.f64()?,
        private: r.bool()?,
        ..Default::default()
    };
    if v >= 19 {
        lb.ip = r.string()?;
    }
    if v >= 21 {
        lb.hours = r.f64()?;
    }
    Ok(lb)
}

fn write_lb(w: &mut Writer, lb: &LbAllocation) {
    w.u8(w.v.allocation);
    w.string(&lb.service);
    w.f64(lb.cost);
    w.bool(lb.private);
    if w.v.allocation >= 19 {
        w.string(&lb.ip);
    }
    if w.v.allocation >= 21 {
        w.f64(lb.hours);
    }
}

fn read_raw(r: &mut Reader) -> R<RawAllocationOnlyData> {
    let v = r.version(Family::Allocation)?;
    let cpu_core_usage_max = r.f64()?;
    let ram_bytes_usage_max = r.f64()?;
    let gpu_usage_max = if v >= 23 { r.opt(|r| r.f64())? } else { None };
    Ok(RawAllocationOnlyData {
        cpu_core_usage_max,
        ram_bytes_usage_max,
        gpu_usage_max,
    })
}

fn write_raw(w: &mut Writer, raw: &RawAllocationOnlyData) {
    w.u8(w.v.allocation);
    w.f64(raw.cpu_core_usage_max);
    w.f64(raw.ram_bytes_usage_max);
    if w.v.allocation >= 23 {
        w.opt(&raw.gpu_usage_max, |w, x| w.f64(*x));
    }
}

fn read_gpu(r: &mut Reader) -> R<GpuAllocation> {
    r.version(Family::Allocation)?;
    Ok(GpuAllocation {
        gpu_device: r.string()?,
        gpu_model: r.string()?,
        gpu_uuid: r.string()?,
        is_gpu_shared: r.opt(|r| r.bool())?,
        gpu_usage_average: r.opt(|r| r.f64())?,
        gpu_request_average: r.opt(|r| r.f64())?,
    })
}

fn write_gpu(w: &mut Writer, g: &GpuAllocation) {
    w.u8(w.v.allocation);
    w.string(&g.gpu_device);
    w.string(&g.gpu_model);
    w.string(&g.gpu_uuid);
    w.opt(&g.is_gpu_shared, |w, x| w.bool(*x));
    w.opt(&g.gpu_usage_average, |w, x| w.f64(*x));
    w.opt(&g.gpu_request_average, |w, x| w.f64(*x));
}

/// Decode one `Allocation` (version byte first). Applies OpenCost's v22 → v23 migration: a v22
/// allocation gets `GPUAllocation{usage, request}` built from its two GPU average floats.
pub(crate) fn read_allocation(r: &mut Reader) -> R<Allocation> {
    r.within("Allocation", |r| {
        let v = r.version(Family::Allocation)?;
        let mut a = Allocation {
            name: r.string()?,
            properties: r.opt(|r| r.nested("AllocationProperties", read_props))?,
            window: read_nested_window(r)?,
            start: r.time()?,
            end: r.time()?,
            ..Default::default()
        };
        for f in [
            &mut a.cpu_core_hours,
            &mut a.cpu_core_request_average,
            &mut a.cpu_core_usage_average,
            &mut a.cpu_cost,
            &mut a.cpu_cost_adjustment,
            &mut a.gpu_hours,
            &mut a.gpu_cost,
            &mut a.gpu_cost_adjustment,
            &mut a.network_transfer_bytes,
            &mut a.network_receive_bytes,
            &mut a.network_cost,
        ] {
            *f = r.f64()?;
        }
        if v >= 16 {
            a.network_cross_zone_cost = r.f64()?;
            a.network_cross_region_cost = r.f64()?;
            a.network_internet_cost = r.f64()?;
        }
        a.network_cost_adjustment = r.f64()?;
        a.load_balancer_cost = r.f64()?;
        a.load_balancer_cost_adjustment = r.f64()?;
        a.pvs = read_pvs(r)?;
        for f in [
            &mut a.pv_cost_adjustment,
            &mut a.ram_byte_hours,
            &mut a.ram_bytes_request_average,
            &mut a.ram_bytes_usage_average,
            &mut a.ram_cost,
            &mut a.ram_cost_adjustment,
            &mut a.shared_cost,
            &mut a.external_cost,
        ] {
            *f = r.f64()?;
        }
        a.raw_allocation_only = r.opt(|r| r.nested("RawAllocationOnlyData", read_raw))?;
        if v >= 18 {
            a.load_balancers = r.opt_struct_map("LbAllocation", read_lb)?;
        }
        if v >= 22 {
            a.deprecated_gpu_request_average = r.f64()?;
            a.deprecated_gpu_usage_average = r.f64()?;
        }
        if v >= 23 {
            a.gpu_allocation = r.opt(|r| r.nested("GPUAllocation", read_gpu))?;
        }
        if v >= 24 {
            a.cpu_core_limit_average = r.f64()?;
            a.ram_bytes_limit_average = r.f64()?;
        }
        if v == 22 {
            a.gpu_allocation = Some(GpuAllocation {
                gpu_usage_average: Some(a.deprecated_gpu_usage_average),
                gpu_request_average: Some(a.deprecated_gpu_request_average),
                ..Default::default()
            });
        }
        Ok(a)
    })
}

/// Encode one `Allocation` at `w.v.allocation`, omitting fields gated above it.
pub(crate) fn write_allocation(w: &mut Writer, a: &Allocation) {
    let v = w.v.allocation;
    w.u8(v);
    w.string(&a.name);
    w.opt(&a.properties, |w, p| {
        w.compat();
        write_props(w, p)
    });
    write_nested_window(w, &a.window);
    w.time(&a.start);
    w.time(&a.end);
    for f in [
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
    ] {
        w.f64(f);
    }
    if v >= 16 {
        w.f64(a.network_cross_zone_cost);
        w.f64(a.network_cross_region_cost);
        w.f64(a.network_internet_cost);
    }
    w.f64(a.network_cost_adjustment);
    w.f64(a.load_balancer_cost);
    w.f64(a.load_balancer_cost_adjustment);
    write_pvs(w, &a.pvs);
    for f in [
        a.pv_cost_adjustment,
        a.ram_byte_hours,
        a.ram_bytes_request_average,
        a.ram_bytes_usage_average,
        a.ram_cost,
        a.ram_cost_adjustment,
        a.shared_cost,
        a.external_cost,
    ] {
        w.f64(f);
    }
    w.opt(&a.raw_allocation_only, |w, raw| {
        w.compat();
        write_raw(w, raw)
    });
    if v >= 18 {
        w.opt_struct_map(&a.load_balancers, write_lb);
    }
    if v >= 22 {
        w.f64(a.deprecated_gpu_request_average);
        w.f64(a.deprecated_gpu_usage_average);
    }
    if v >= 23 {
        w.opt(&a.gpu_allocation, |w, g| {
            w.compat();
            write_gpu(w, g)
        });
    }
    if v >= 24 {
        w.f64(a.cpu_core_limit_average);
        w.f64(a.ram_bytes_limit_average);
    }
}
