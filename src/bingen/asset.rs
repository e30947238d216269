//! Assets version set: AssetSet, AssetSetRange and the eight asset types behind OpenCost's
//! `Asset` interface (type name inline, then compat word, then the struct). Field order and gates
//! follow OpenCost `opencost_codecs.go` as documented in `specs/bingen-format.md` §3 and §5.

use super::reader::{R, Reader};
use super::versions::Family;
use super::window::{read_nested_window, write_nested_window};
use super::writer::Writer;
use crate::model::*;

pub(crate) fn read_asset_set(r: &mut Reader) -> R<AssetSet> {
    let mut items = Vec::new();
    let mut set = read_asset_set_with(r, &mut |k, a| items.push((k, a)))?;
    if let Some(m) = set.assets.as_mut() {
        m.0 = items;
    }
    Ok(set)
}

/// Decode an AssetSet, handing each `(key, asset)` to `each` instead of storing it.
pub(crate) fn read_asset_set_with(r: &mut Reader, each: &mut dyn FnMut(Str, Option<Asset>)) -> R<AssetSet> {
    r.within("AssetSet", |r| {
        r.version(Family::Assets)?;
        let aggregation_keys = r.opt_str_list()?;
        let assets = r.opt(|r| {
            let n = r.count(3)?;
            for _ in 0..n {
                let k = r.string()?;
                let a = r.opt(read_asset_iface)?;
                each(k, a);
            }
            Ok(StrMap::new())
        })?;
        let from_source = r.string()?;
        let window = read_nested_window(r)?;
        let warnings = r.opt_str_list()?;
        let errors = r.opt_str_list()?;
        Ok(AssetSet {
            aggregation_keys,
            assets,
            from_source,
            window,
            warnings,
            errors,
        })
    })
}

pub(crate) fn write_asset_set(w: &mut Writer, s: &AssetSet) {
    w.u8(w.v.assets);
    w.opt_str_list(&s.aggregation_keys);
    w.opt(&s.assets, |w, m| {
        w.len(m.len());
        for (k, a) in m.iter() {
            w.string(k);
            w.opt(a, |w, a| {
                w.inline_str(&a.type_name);
                w.compat();
                write_asset(w, a);
            });
        }
    });
    w.string(&s.from_source);
    write_nested_window(w, &s.window);
    w.opt_str_list(&s.warnings);
    w.opt_str_list(&s.errors);
}

pub(crate) fn read_asset_set_range(r: &mut Reader) -> R<AssetSetRange> {
    r.within("AssetSetRange", |r| {
        r.version(Family::Assets)?;
        let assets = r.opt_struct_list("AssetSet", read_asset_set)?;
        Ok(AssetSetRange {
            assets,
            from_store: r.string()?,
        })
    })
}

pub(crate) fn write_asset_set_range(w: &mut Writer, s: &AssetSetRange) {
    w.u8(w.v.assets);
    w.opt_struct_list(&s.assets, write_asset_set);
    w.string(&s.from_store);
}

/// Resolve a Go type string (`*github.com/.../opencost.Node`, `*.../pkg/kubecost.Disk`) to a kind:
/// drop a leading `*`, take the part after the last `/`, then after the first `.`.
fn kind_of(type_name: &str) -> Option<AssetKind> {
    let t = type_name.trim_start_matches('*');
    let last = t.rsplit('/').next().unwrap_or(t);
    let short = last.split_once('.').map_or(last, |(_, s)| s);
    AssetKind::from_name(short)
}

fn read_asset_iface(r: &mut Reader) -> R<Asset> {
    let at = r.pos();
    let type_name = r.inline_str()?;
    let Some(kind) = kind_of(&type_name) else {
        let known: Vec<&str> = AssetKind::ALL.iter().map(|k| k.name()).collect();
        return Err(r.err(at, format!("unknown asset type {:?} (known: {})", &*type_name, known.join(", "))));
    };
    r.i32()?;
    let mut a = r.within(kind.name(), |r| read_asset(r, kind))?;
    a.type_name = type_name;
    Ok(a)
}

fn read_props(r: &mut Reader) -> R<Option<AssetProperties>> {
    r.opt(|r| {
        r.nested("AssetProperties", |r| {
            r.version(Family::Assets)?;
            Ok(AssetProperties {
                category: r.string()?,
                provider: r.string()?,
                account: r.string()?,
                project: r.string()?,
                service: r.string()?,
                cluster: r.string()?,
                name: r.string()?,
                provider_id: r.string()?,
            })
        })
    })
}

fn write_props(w: &mut Writer, p: &Option<AssetProperties>) {
    w.opt(p, |w, p| {
        w.compat();
        w.u8(w.v.assets);
        for s in [
            &p.category,
            &p.provider,
            &p.account,
            &p.project,
            &p.service,
            &p.cluster,
            &p.name,
            &p.provider_id,
        ] {
            w.string(s);
        }
    });
}

fn read_breakdown(r: &mut Reader) -> R<Option<Breakdown>> {
    r.opt(|r| {
        r.nested("Breakdown", |r| {
            r.version(Family::Assets)?;
            Ok(Breakdown {
                idle: r.f64()?,
                other: r.f64()?,
                system: r.f64()?,
                user: r.f64()?,
            })
        })
    })
}

fn write_breakdown(w: &mut Writer, b: &Option<Breakdown>) {
    w.opt(b, |w, b| {
        w.compat();
        w.u8(w.v.assets);
        for f in [b.idle, b.other, b.system, b.user] {
            w.f64(f);
        }
    });
}

/// Decode the concrete struct of `kind` (starting at its version byte).
fn read_asset(r: &mut Reader, kind: AssetKind) -> R<Asset> {
    let v = r.version(Family::Assets)?;
    let mut a = Asset::new(kind);
    if kind.labels_first() {
        a.labels = r.opt_str_map()?;
        a.properties = read_props(r)?;
    } else {
        a.properties = read_props(r)?;
        a.labels = r.opt_str_map()?;
    }
    if kind.has_start_end() {
        a.start = Some(r.time()?);
        a.end = Some(r.time()?);
    }
    a.window = read_nested_window(r)?;
    match kind {
        AssetKind::ClusterManagement => {
            a.cost = r.f64()?;
            if v >= 16 {
                a.adjustment = r.f64()?;
            }
        }
        AssetKind::SharedAsset => a.cost = r.f64()?,
        AssetKind::Node => {
            a.adjustment = r.f64()?;
            let mut n = NodeDetail {
                node_type: r.string()?,
                ..Default::default()
            };
            n.cpu_core_hours = r.f64()?;
            n.ram_byte_hours = r.f64()?;
            n.gpu_hours = r.f64()?;
            n.cpu_breakdown = read_breakdown(r)?;
            n.ram_breakdown = read_breakdown(r)?;
            for f in [
                &mut n.cpu_cost,
                &mut n.gpu_cost,
                &mut n.gpu_count,
                &mut n.ram_cost,
                &mut n.discount,
                &mut n.preemptible,
            ] {
                *f = r.f64()?;
            }
            if v >= 19 {
                n.overhead = r.opt(|r| {
                    r.nested("NodeOverhead", |r| {
                        r.version(Family::Assets)?;
                        Ok(NodeOverhead {
                            cpu_overhead_fraction: r.f64()?,
                            ram_overhead_fraction: r.f64()?,
                            overhead_cost_fraction: r.f64()?,
                        })
                    })
                })?;
            }
            a.detail = AssetDetail::Node(n);
        }
        _ => {
            a.adjustment = r.f64()?;
            a.cost = r.f64()?;
            match kind {
                AssetKind::Cloud => a.detail = AssetDetail::Cloud { credit: r.f64()? },
                AssetKind::Disk => {
                    let mut d = DiskDetail {
                        byte_hours: r.f64()?,
                        local: r.f64()?,
                        ..Default::default()
                    };
                    d.breakdown = read_breakdown(r)?;
                    if v >= 17 {
                        d.storage_class = r.string()?;
                    }
                    if v >= 18 {
                        d.byte_hours_used = r.opt(|r| r.f64())?;
                        d.byte_usage_max = r.opt(|r| r.f64())?;
                        d.volume_name = r.string()?;
                        d.claim_name = r.string()?;
                        d.claim_namespace = r.string()?;
                    }
                    a.detail = AssetDetail::Disk(d);
                }
                AssetKind::LoadBalancer => {
                    let private = if v >= 20 { r.bool()? } else { false };
                    let ip = if v >= 21 { r.string()? } else { "".into() };
                    a.detail = AssetDetail::LoadBalancer { private, ip };
                }
                _ => {}
            }
        }
    }
    Ok(a)
}

/// Encode the concrete struct (version byte first) at `w.v.assets`.
fn write_asset(w: &mut Writer, a: &Asset) {
    let v = w.v.assets;
    w.u8(v);
    if a.kind.labels_first() {
        w.opt_str_map(&a.labels);
        write_props(w, &a.properties);
    } else {
        write_props(w, &a.properties);
        w.opt_str_map(&a.labels);
    }
    if a.kind.has_start_end() {
        w.time(&a.start.unwrap_or(GoTime::ZERO));
        w.time(&a.end.unwrap_or(GoTime::ZERO));
    }
    write_nested_window(w, &a.window);
    match (&a.detail, a.kind) {
        (_, AssetKind::ClusterManagement) => {
            w.f64(a.cost);
            if v >= 16 {
                w.f64(a.adjustment);
            }
        }
        (_, AssetKind::SharedAsset) => w.f64(a.cost),
        (AssetDetail::Node(n), _) => {
            w.f64(a.adjustment);
            w.string(&n.node_type);
            w.f64(n.cpu_core_hours);
            w.f64(n.ram_byte_hours);
            w.f64(n.gpu_hours);
            write_breakdown(w, &n.cpu_breakdown);
            write_breakdown(w, &n.ram_breakdown);
            for f in [n.cpu_cost, n.gpu_cost, n.gpu_count, n.ram_cost, n.discount, n.preemptible] {
                w.f64(f);
            }
            if v >= 19 {
                w.opt(&n.overhead, |w, o| {
                    w.compat();
                    w.u8(w.v.assets);
                    w.f64(o.cpu_overhead_fraction);
                    w.f64(o.ram_overhead_fraction);
                    w.f64(o.overhead_cost_fraction);
                });
            }
        }
        (detail, _) => {
            w.f64(a.adjustment);
            w.f64(a.cost);
            match detail {
                AssetDetail::Cloud { credit } => w.f64(*credit),
                AssetDetail::Disk(d) => {
                    w.f64(d.byte_hours);
                    w.f64(d.local);
                    write_breakdown(w, &d.breakdown);
                    if v >= 17 {
                        w.string(&d.storage_class);
                    }
                    if v >= 18 {
                        w.opt(&d.byte_hours_used, |w, x| w.f64(*x));
                        w.opt(&d.byte_usage_max, |w, x| w.f64(*x));
                        w.string(&d.volume_name);
                        w.string(&d.claim_name);
                        w.string(&d.claim_namespace);
                    }
                }
                AssetDetail::LoadBalancer { private, ip } => {
                    if v >= 20 {
                        w.bool(*private);
                    }
                    if v >= 21 {
                        w.string(ip);
                    }
                }
                _ => {}
            }
        }
    }
}
