//! Realistic synthetic allocations: namespaces, controllers (deployments with ReplicaSet hashes,
//! statefulsets, daemonsets, cron jobs), pods, containers, labels, services, PVs and load
//! balancers, priced from node rates the way Kubecost prices them (cost = max(request, usage)
//! core-hours × $/core-hour). Used by the demo bucket and the decode/ingest benchmarks.

use super::rng::Rng;
use crate::model::*;

/// Namespaces and the team that owns each (label `team`).
pub const NAMESPACES: [(&str, &str); 12] = [
    ("checkout", "payments"),
    ("payments", "payments"),
    ("search", "discovery"),
    ("catalog", "discovery"),
    ("recommendations", "ml"),
    ("training", "ml"),
    ("web", "frontend"),
    ("auth", "identity"),
    ("monitoring", "platform"),
    ("kube-system", "platform"),
    ("kubecost", "platform"),
    ("data", "data"),
];

const APPS: [&str; 16] = [
    "api",
    "worker",
    "frontend",
    "cache",
    "gateway",
    "indexer",
    "scheduler",
    "consumer",
    "exporter",
    "proxy",
    "db",
    "queue",
    "batch",
    "auth",
    "renderer",
    "sync",
];

/// Per-hour prices in USD used to cost synthetic allocations (AWS m5-class list prices split
/// CPU:RAM like Kubecost's defaults).
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    /// USD per core-hour.
    pub cpu: f64,
    /// USD per GiB-hour.
    pub ram_gib: f64,
    /// USD per GPU-hour.
    pub gpu: f64,
}

impl Default for Rates {
    fn default() -> Self {
        Rates {
            cpu: 0.031611,
            ram_gib: 0.004237,
            gpu: 0.95,
        }
    }
}

/// One container's static shape.
#[derive(Clone, Debug)]
pub struct ContainerSpec {
    pub namespace: &'static str,
    pub team: &'static str,
    pub controller_kind: &'static str,
    pub controller: String,
    pub pod: String,
    pub container: String,
    pub node: String,
    /// CPU request in cores.
    pub cpu_request: f64,
    /// RAM request in bytes.
    pub ram_request: f64,
    pub gpus: f64,
    pub pv: Option<(String, f64)>,
    pub lb: Option<String>,
    /// An idle workload: its network traffic is a millionth of the others' (the demo's abandoned
    /// workload, `super::savings::quiet_workload`).
    pub quiet: bool,
}

/// Generate `n` container specs spread over `nodes` nodes.
pub fn containers(rng: &mut Rng, n: usize, nodes: &[String]) -> Vec<ContainerSpec> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let (namespace, team) = *rng.pick(&NAMESPACES);
        let app = *rng.pick(&APPS);
        let kind = *rng.pick(&["deployment", "deployment", "deployment", "statefulset", "daemonset", "job"]);
        let controller = format!("{app}-{}", rng.suffix(3));
        let replicas = 1 + rng.below(6);
        let hash = rng.suffix(10);
        let ncontainers = 1 + rng.below(3);
        let cpu = *rng.pick(&[0.1, 0.25, 0.5, 1.0, 2.0]);
        let ram = *rng.pick(&[256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0]) * 1048576.0;
        let gpus = if namespace == "training" && rng.chance(0.3) { 1.0 } else { 0.0 };
        let lb = rng.chance(0.05).then(|| format!("{namespace}/{controller}-lb"));
        for r in 0..replicas {
            let pod = match kind {
                "deployment" => format!("{controller}-{hash}-{}", rng.suffix(5)),
                "statefulset" => format!("{controller}-{r}"),
                _ => format!("{controller}-{}", rng.suffix(5)),
            };
            let node = rng.pick(nodes).clone();
            let pv = (kind == "statefulset").then(|| (format!("pvc-{}", rng.suffix(12)), *rng.pick(&[10.0, 50.0, 100.0]) * 1073741824.0));
            for c in 0..ncontainers {
                if out.len() == n {
                    break;
                }
                let container = if c == 0 {
                    app.to_string()
                } else {
                    ["istio-proxy", "log-shipper"][c - 1].to_string()
                };
                out.push(ContainerSpec {
                    namespace,
                    team,
                    controller_kind: kind,
                    controller: controller.clone(),
                    pod: pod.clone(),
                    container,
                    node: node.clone(),
                    cpu_request: if c == 0 { cpu } else { 0.1 },
                    ram_request: if c == 0 { ram } else { 128.0 * 1048576.0 },
                    gpus: if c == 0 { gpus } else { 0.0 },
                    pv: pv.clone(),
                    lb: lb.clone(),
                    quiet: false,
                });
            }
        }
    }
    out
}

/// The allocation of one container over `[start, end)` (unix seconds), costed at `rates`, with
/// usage drawn around its request (`util` = mean fraction of the request used).
pub fn allocation(rng: &mut Rng, cluster: &Str, c: &ContainerSpec, start: i64, end: i64, rates: &Rates, util: f64) -> Allocation {
    let hours = (end - start) as f64 / 3600.0;
    let util = util * super::savings::usage_scale(c);
    let cpu_usage = c.cpu_request * (util * rng.range(0.3, 1.6)).min(3.0);
    let ram_usage = c.ram_request * (util * rng.range(0.5, 1.3)).min(2.0);
    let cpu_core_hours = c.cpu_request.max(cpu_usage) * hours;
    let ram_byte_hours = c.ram_request.max(ram_usage) * hours;
    let s: &str = cluster;
    let name = format!("{s}/{}/{}/{}/{}", c.node, c.namespace, c.pod, c.container);
    let mut labels = StrMap::new();
    labels.insert("app".into(), c.controller.as_str().into());
    labels.insert("team".into(), c.team.into());
    labels.insert("env".into(), "production".into());
    if c.controller_kind == "deployment" {
        labels.insert("pod_template_hash".into(), c.pod.rsplit('-').nth(1).unwrap_or("").into());
    }
    let mut annotations = StrMap::new();
    annotations.insert("kubernetes_io_psp".into(), "eks.privileged".into());
    let mut ns_labels = StrMap::new();
    ns_labels.insert("kubernetes_io_metadata_name".into(), c.namespace.into());
    ns_labels.insert("team".into(), c.team.into());
    let pvs = c.pv.as_ref().map(|(pv, bytes)| {
        let mut m = StrMap::new();
        let byte_hours = bytes * hours;
        m.insert(
            PvKey {
                cluster: cluster.clone(),
                name: pv.as_str().into(),
            },
            Some(PvAllocation {
                byte_hours,
                cost: byte_hours / 1073741824.0 * super::savings::PV_GIB_HOUR,
                provider_id: pv.as_str().into(),
            }),
        );
        m
    });
    let load_balancers = c.lb.as_ref().map(|svc| {
        let mut m = StrMap::new();
        let key: Str = format!("{s}/{svc}").into();
        m.insert(
            key,
            Some(LbAllocation {
                service: svc.as_str().into(),
                cost: 0.025 * hours,
                private: false,
                ip: "".into(),
                hours,
            }),
        );
        m
    });
    let lb_cost = if c.lb.is_some() { 0.025 * hours } else { 0.0 };
    let egress = rng.range(0.0, 2.0e8) * hours * if c.quiet { 1e-6 } else { 1.0 };
    Allocation {
        name: name.into(),
        properties: Some(AllocationProperties {
            cluster: cluster.clone(),
            node: c.node.as_str().into(),
            container: c.container.as_str().into(),
            controller: c.controller.as_str().into(),
            controller_kind: c.controller_kind.into(),
            namespace: c.namespace.into(),
            pod: c.pod.as_str().into(),
            services: (c.controller_kind != "job").then(|| vec![c.controller.as_str().into()]),
            provider_id: format!("i-{}", &c.node[c.node.len().saturating_sub(8)..]).into(),
            labels: Some(labels),
            annotations: Some(annotations),
            namespace_labels: Some(ns_labels),
            namespace_annotations: Some(StrMap::new()),
        }),
        window: Window::utc(start, end),
        start: GoTime::utc(start),
        end: GoTime::utc(end),
        cpu_core_hours,
        cpu_core_request_average: c.cpu_request,
        cpu_core_usage_average: cpu_usage,
        cpu_cost: cpu_core_hours * rates.cpu,
        gpu_hours: c.gpus * hours,
        gpu_cost: c.gpus * hours * rates.gpu,
        network_transfer_bytes: egress,
        network_receive_bytes: egress * 1.7,
        network_cost: egress / 1.0e9 * 0.01,
        network_cross_zone_cost: egress / 1.0e9 * 0.01,
        load_balancer_cost: lb_cost,
        pvs,
        ram_byte_hours,
        ram_bytes_request_average: c.ram_request,
        ram_bytes_usage_average: ram_usage,
        ram_cost: ram_byte_hours / 1073741824.0 * rates.ram_gib,
        raw_allocation_only: Some(RawAllocationOnlyData {
            cpu_core_usage_max: cpu_usage * 1.8,
            ram_bytes_usage_max: ram_usage * 1.3,
            gpu_usage_max: None,
        }),
        load_balancers,
        cpu_core_limit_average: c.cpu_request * 2.0,
        ram_bytes_limit_average: c.ram_request * 2.0,
        ..Default::default()
    }
}

/// An AllocationSet of `n` synthetic containers on `n/30` nodes for the day starting at `day_start`
/// (unix seconds). Same seed, same set.
pub fn allocation_set(cluster: &str, n: usize, day_start: i64, seed: u64) -> AllocationSet {
    let mut rng = Rng::new(seed);
    let nodes: Vec<String> = (0..(n / 30).max(1))
        .map(|i| format!("ip-10-0-{}-{}.ec2.internal", i / 250, i % 250))
        .collect();
    let specs = containers(&mut rng, n, &nodes);
    let cluster: Str = cluster.into();
    let rates = Rates::default();
    let mut set = AllocationSet::empty(Window::utc(day_start, day_start + 86_400));
    let allocs = set.allocations.as_mut().expect("empty() makes a map");
    let mut seen = std::collections::HashSet::new();
    for c in &specs {
        let a = allocation(&mut rng, &cluster, c, day_start, day_start + 86_400, &rates, 0.6);
        if seen.insert(a.name.clone()) {
            allocs.0.push((a.name.clone(), Some(a)));
        }
    }
    set
}
