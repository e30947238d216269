//! What the demo bucket holds so every `costscope savings` table has rows (issue 30 item 8): node
//! CPU/RAM breakdowns from the requests packed on each node plus one quiet node per cluster, disk
//! use on every disk (some local disks barely used), one unclaimed PV per cluster held only by the
//! `__unmounted__` allocation, one idle workload with almost no network traffic, and
//! over-requested workloads (a third of the controllers use a tenth of what the others do) beside
//! the under-requested rest.

use super::workload::ContainerSpec;
use crate::model::*;

/// Bytes in a GiB.
const GIB: f64 = 1073741824.0;

/// USD per GiB-hour of a demo gp3 volume (as the other demo PVs).
pub const PV_GIB_HOUR: f64 = 0.000137;

/// The idle workload appended to a cluster's specs: one pod of a `legacy-report` deployment in
/// `data` whose traffic is a millionth of the others' (`workload::allocation`).
pub fn quiet_workload() -> ContainerSpec {
    ContainerSpec {
        namespace: "data",
        team: "data",
        controller_kind: "deployment",
        controller: "legacy-report".into(),
        pod: "legacy-report-5d8f7c9b6-q2x7z".into(),
        container: "report".into(),
        node: String::new(),
        cpu_request: 0.25,
        ram_request: 512.0 * 1048576.0,
        gpus: 0.0,
        pv: None,
        lb: None,
        quiet: true,
    }
}

/// How much of its requests spec `c` uses relative to the demo's usual utilisation: every third
/// controller (by the bytes of its name) is over-requested and uses a tenth as much (its maximum
/// stays well under its request, so `costscope savings requests` shows a positive saving), the
/// others 1 (their maximum use runs above their request: a negative saving). The idle workload
/// keeps 1.
pub fn usage_scale(c: &ContainerSpec) -> f64 {
    match !c.quiet && c.controller.bytes().map(usize::from).sum::<usize>() % 3 == 0 {
        true => 0.1,
        false => 1.0,
    }
}

/// CPU and RAM breakdowns of a node of `cores` and `gib` holding `specs`' containers: the used
/// share is 0.75 of the requested share plus 8 % for the system (6) and other (2), the rest idle.
pub fn node_breakdowns(name: &str, cores: f64, gib: f64, specs: &[ContainerSpec]) -> (Breakdown, Breakdown) {
    let on: Vec<&ContainerSpec> = specs.iter().filter(|c| c.node == name).collect();
    let share = |requested: f64, capacity: f64| {
        let user = (0.75 * requested / capacity).min(0.9);
        Breakdown {
            idle: 1.0 - user - 0.08,
            other: 0.02,
            system: 0.06,
            user,
        }
    };
    (
        share(on.iter().map(|c| c.cpu_request).sum(), cores),
        share(on.iter().map(|c| c.ram_request).sum(), gib * GIB),
    )
}

/// Fill a disk's use from the share of it in use: `byteUsageMax` = share × size, `byteHoursUsed`
/// = 0.9 × share × byte-hours, and the breakdown's `user` the average share.
pub fn disk_use(d: &mut DiskDetail, share: f64, hours: f64) {
    let size = if hours > 0.0 { d.byte_hours / hours } else { 0.0 };
    d.byte_usage_max = Some(share * size);
    d.byte_hours_used = Some(0.9 * share * d.byte_hours);
    d.breakdown = Some(Breakdown {
        idle: 1.0 - 0.9 * share,
        user: 0.9 * share,
        ..Default::default()
    });
}

/// A stable share in use for disk `name`: 0.15 to 0.74 from its bytes.
pub fn pv_share(name: &str) -> f64 {
    0.15 + (name.bytes().map(usize::from).sum::<usize>() % 60) as f64 / 100.0
}

/// The share of node `index`'s root disk in use: every third one is barely used (12 %).
pub fn root_share(index: usize) -> f64 {
    [0.12, 0.35, 0.55][index % 3]
}

/// Name, claim, namespace and size (bytes) of `cluster`'s unclaimed PV.
pub fn orphan_pv(cluster: &str) -> (String, String, &'static str, f64) {
    let n = cluster.bytes().map(usize::from).sum::<usize>();
    (format!("pvc-legacy-{n:04x}"), "data-legacy-export-0".into(), "data", 200.0 * GIB)
}

/// The Disk asset of `cluster`'s unclaimed PV over `hours` (its claim still exists; no pod mounts it).
pub fn orphan_disk(cluster: &str, hours: f64) -> (String, Asset) {
    let (pv, claim, ns, bytes) = orphan_pv(cluster);
    let mut d = Asset::new(AssetKind::Disk);
    d.properties = Some(AssetProperties {
        category: "Storage".into(),
        provider: "AWS".into(),
        account: "482019374562".into(),
        service: "Kubernetes".into(),
        cluster: cluster.into(),
        name: pv.as_str().into(),
        provider_id: pv.as_str().into(),
        ..Default::default()
    });
    let byte_hours = bytes * hours;
    d.cost = byte_hours / GIB * PV_GIB_HOUR;
    let mut detail = DiskDetail {
        byte_hours,
        storage_class: "gp3".into(),
        volume_name: pv.as_str().into(),
        claim_name: claim.into(),
        claim_namespace: ns.into(),
        ..Default::default()
    };
    disk_use(&mut detail, 0.4, hours);
    d.detail = AssetDetail::Disk(detail);
    (format!("AWS/482019374562/__undefined__/Storage/{cluster}/Disk/Kubernetes/{pv}"), d)
}

/// `cluster`'s `__unmounted__` allocation over `[start, end)`: the cost of its unclaimed PV.
pub fn unmounted_allocation(cluster: &Str, start: i64, end: i64) -> Allocation {
    let (pv, _, _, bytes) = orphan_pv(cluster);
    let byte_hours = bytes * (end - start) as f64 / 3600.0;
    let cost = byte_hours / GIB * PV_GIB_HOUR;
    let mut pvs = StrMap::new();
    pvs.insert(
        PvKey {
            cluster: cluster.clone(),
            name: pv.as_str().into(),
        },
        Some(PvAllocation {
            byte_hours,
            cost,
            provider_id: pv.as_str().into(),
        }),
    );
    let u: Str = "__unmounted__".into();
    Allocation {
        name: format!("{cluster}//__unmounted__/__unmounted__/__unmounted__").into(),
        properties: Some(AllocationProperties {
            cluster: cluster.clone(),
            namespace: u.clone(),
            pod: u.clone(),
            container: u,
            ..Default::default()
        }),
        window: Window::utc(start, end),
        start: GoTime::utc(start),
        end: GoTime::utc(end),
        pvs: Some(pvs),
        ..Default::default()
    }
}
