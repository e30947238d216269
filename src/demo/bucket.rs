//! `costscope demo`: writes a realistic multi-cluster Kubecost bucket with our encoder into a local
//! directory — per cluster and UTC day an AllocationSet and an AssetSet, and cloud costs for the
//! first cluster — plus a FILESYSTEM `federated-store.yaml` pointing at it. Same seed, same bytes.
//!
//! The shape is a realistic federated bucket: nodes from a small instance catalogue priced with
//! public on-demand rates, workloads packed onto nodes below capacity (so there is idle), daily
//! deployment rollouts and cron jobs (pod churn), PVs, load balancers, one Network asset per node,
//! cluster management at $0.10/h, and a GPU pool in the first cluster.

use super::rng::Rng;
use super::savings;
use super::workload::{self, ContainerSpec, Rates};
use crate::bingen;
use crate::model::*;
use std::path::{Path, PathBuf};

/// Demo settings.
#[derive(Clone, Debug)]
pub struct DemoSpec {
    pub clusters: usize,
    pub days: usize,
    pub seed: u64,
    /// Containers per cluster per day (about).
    pub containers: usize,
    /// Exclusive end of the data as unix seconds (a UTC midnight; normally the end of today).
    pub end: i64,
    /// Hourly (`1h`) allocation and asset sets per cluster for the last this many hours before
    /// `end` (Kubecost keeps 49 h of them by default); 0 writes daily sets only.
    pub hourly_hours: usize,
}

const CLUSTERS: [(&str, &str); 6] = [
    ("prod-us-east-1", "us-east-1"),
    ("staging-eu-west-1", "eu-west-1"),
    ("dev-ap-south-1", "ap-south-1"),
    ("prod-eu-central-1", "eu-central-1"),
    ("batch-us-west-2", "us-west-2"),
    ("edge-sa-east-1", "sa-east-1"),
];

/// (instance type, cores, GiB, GPUs, USD per hour).
/// Bytes in a GiB.
const GIB: f64 = 1073741824.0;

/// Most CPU a demo container uses, as a multiple of its request (`workload::allocation`: at most
/// 0.65 × 1.6).
const CPU_USAGE_MAX: f64 = 1.04;

const INSTANCES: [(&str, f64, f64, f64, f64); 4] = [
    ("m5.xlarge", 4.0, 16.0, 0.0, 0.192),
    ("m5.2xlarge", 8.0, 32.0, 0.0, 0.384),
    ("c5.2xlarge", 8.0, 16.0, 0.0, 0.34),
    ("g5.xlarge", 4.0, 16.0, 1.0, 1.006),
];

/// Name of demo cluster `i`.
pub fn cluster_name(i: usize) -> String {
    match CLUSTERS.get(i) {
        Some((n, _)) => n.to_string(),
        None => format!("cluster-{i}"),
    }
}

struct NodeSpec {
    name: String,
    itype: &'static str,
    cores: f64,
    gib: f64,
    gpus: f64,
    price: f64,
    spot: bool,
}

/// The `index`-th CPU node of `cluster`: a random instance type from the catalogue, 20 % spot.
fn cpu_node(rng: &mut Rng, cluster: usize, index: usize) -> NodeSpec {
    let (itype, cores, gib, gpus, price) = INSTANCES[rng.below(3)];
    NodeSpec {
        name: format!("ip-10-{cluster}-{}-{}.ec2.internal", index / 200, index % 200 + 10),
        itype,
        cores,
        gib,
        gpus,
        price,
        spot: rng.chance(0.2),
    }
}

/// Nodes for a cluster until they hold `want_cores` cores and `want_gib` GiB of RAM.
fn nodes_for(rng: &mut Rng, cluster: usize, want_cores: f64, want_gib: f64) -> Vec<NodeSpec> {
    let mut nodes: Vec<NodeSpec> = Vec::new();
    while nodes.iter().map(|n| n.cores).sum::<f64>() < want_cores || nodes.iter().map(|n| n.gib).sum::<f64>() < want_gib {
        nodes.push(cpu_node(rng, cluster, nodes.len()));
    }
    if cluster == 0 {
        let (itype, c, g, gpu, price) = INSTANCES[3];
        for _ in 0..2 {
            nodes.push(NodeSpec {
                name: format!("ip-10-0-9-{}.ec2.internal", nodes.len()),
                itype,
                cores: c,
                gib: g,
                gpus: gpu,
                price,
                spot: false,
            });
        }
    }
    nodes
}

/// Write the demo bucket under `dir` and return the path of its `federated-store.yaml`.
///
/// Errors: I/O errors creating directories or writing files.
pub fn write_demo(dir: &Path, spec: &DemoSpec) -> std::io::Result<PathBuf> {
    let rates = Rates::default();
    for ci in 0..spec.clusters {
        let cluster = cluster_name(ci);
        let mut rng = Rng::new(spec.seed.wrapping_mul(1000).wrapping_add(ci as u64));
        let scale = [1.0, 0.5, 0.3, 0.8, 0.6, 0.2].get(ci).copied().unwrap_or(0.4);
        let n = ((spec.containers as f64) * scale).max(20.0) as usize;
        let probe_nodes = vec!["probe".to_string()];
        let mut specs = workload::containers(&mut rng, n, &probe_nodes);
        specs.push(savings::quiet_workload());
        let cores: f64 = specs.iter().map(|c| c.cpu_request).sum();
        let gib: f64 = specs.iter().map(|c| c.ram_request / GIB).sum();
        let mut nodes = nodes_for(&mut rng, ci, cores / 0.8, gib / 0.8);
        pack(&mut rng, &mut specs, &mut nodes, ci);
        // A quiet node: nothing is scheduled on it (`costscope savings nodes` lists it).
        let (itype, cores, gib, gpus, price) = INSTANCES[0];
        nodes.push(NodeSpec {
            name: format!("ip-10-{ci}-8-8.ec2.internal"),
            itype,
            cores,
            gib,
            gpus,
            price,
            spot: false,
        });
        for d in 0..spec.days {
            let start = spec.end - ((spec.days - d) as i64) * 86_400;
            let end = start + 86_400;
            churn(&mut rng, &mut specs, d);
            let util = 0.45 + 0.2 * ((d as f64) * 0.9).sin().abs();
            let w = Span {
                dir,
                cluster: &cluster,
                start,
                end,
                res: "1d",
            };
            write_window(&w, &mut rng, &specs, &nodes, &rates, util)?;
            if ci == 0 && d + 1 < spec.days {
                write_res(
                    dir,
                    &cluster,
                    "cloudcosts",
                    "1d",
                    start,
                    end,
                    &bingen::encode_cloud_cost_set(&cloud_set(&mut rng, &nodes, start, end)),
                )?;
            }
        }
        // Hourly sets: the last day's workload, its own random stream (so the daily sets stay
        // byte-identical whatever `hourly_hours` is).
        let mut hrng = Rng::new(spec.seed.wrapping_mul(7919).wrapping_add(ci as u64));
        for h in 0..spec.hourly_hours {
            let start = spec.end - ((spec.hourly_hours - h) as i64) * 3_600;
            let w = Span {
                dir,
                cluster: &cluster,
                start,
                end: start + 3_600,
                res: "1h",
            };
            write_window(&w, &mut hrng, &specs, &nodes, &rates, 0.55)?;
        }
    }
    let yaml = dir.join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!(
            "# costscope demo bucket (seed {})\ntype: FILESYSTEM\nconfig:\n  directory: \"{}\"\nprefix: \"\"\n",
            spec.seed,
            dir.display()
        ),
    )?;
    Ok(yaml)
}

fn write_res(dir: &Path, cluster: &str, pipeline: &str, res: &str, s: i64, e: i64, bytes: &[u8]) -> std::io::Result<()> {
    let p = dir.join(format!("federated/{cluster}/etl/bingen/{pipeline}/{res}/{s}-{e}"));
    std::fs::create_dir_all(p.parent().expect("has a parent"))?;
    std::fs::write(p, bytes)
}

/// One window of one cluster's files: where they go and which resolution folder (`1d`, `1h`).
struct Span<'a> {
    dir: &'a Path,
    cluster: &'a str,
    start: i64,
    end: i64,
    res: &'a str,
}

/// Write the AllocationSet and AssetSet of window `w`: each container of `specs` (a job's runs
/// 60 % of the windows) at utilisation `util`, and the nodes' assets.
fn write_window(w: &Span, rng: &mut Rng, specs: &[ContainerSpec], nodes: &[NodeSpec], rates: &Rates, util: f64) -> std::io::Result<()> {
    let cl: Str = w.cluster.into();
    let mut set = AllocationSet::empty(Window::utc(w.start, w.end));
    let map = set.allocations.as_mut().expect("empty() makes a map");
    let mut seen = std::collections::HashSet::new();
    for c in specs {
        if c.controller_kind == "job" && !rng.chance(0.6) {
            continue;
        }
        let a = workload::allocation(rng, &cl, c, w.start, w.end, rates, util);
        if seen.insert(a.name.clone()) {
            map.0.push((a.name.clone(), Some(a)));
        }
    }
    let unmounted = savings::unmounted_allocation(&cl, w.start, w.end);
    map.0.push((unmounted.name.clone(), Some(unmounted)));
    let (d, c, r, s, e) = (w.dir, w.cluster, w.res, w.start, w.end);
    write_res(d, c, "allocations", r, s, e, &bingen::encode_allocation_set(&set))?;
    let assets = asset_set(&cl, nodes, specs, s, e, rates);
    write_res(d, c, "assets", r, s, e, &bingen::encode_asset_set(&assets))
}

/// Place pods on nodes, all containers of a pod on one node (GPU pods on free GPU nodes, one GPU
/// each, in cluster 0), filling each node to at most 90 % of its cores and of its RAM, so every
/// node keeps some idle capacity and no node is allocated more than it costs (demo usage stays at
/// or below `CPU_USAGE_MAX` × requests, see `workload::allocation`). A pod that fits nowhere gets
/// a new node, as a cluster autoscaler would add one.
fn pack(rng: &mut Rng, specs: &mut [ContainerSpec], nodes: &mut Vec<NodeSpec>, cluster: usize) {
    let mut used = vec![(0.0f64, 0.0f64); nodes.len()];
    let mut gpus_free: Vec<f64> = nodes.iter().map(|n| n.gpus).collect();
    for pod in specs.chunk_by_mut(|a, b| a.pod == b.pod && a.namespace == b.namespace) {
        let need = pod
            .iter()
            .fold((0.0, 0.0), |(c, r), s| (c + s.cpu_request * CPU_USAGE_MAX, r + s.ram_request / GIB));
        let gpus: f64 = pod.iter().map(|c| c.gpus).sum();
        let free = (0..nodes.len()).find(|&i| gpus > 0.0 && gpus_free[i] >= gpus);
        let i = match free {
            Some(i) if cluster == 0 => {
                gpus_free[i] -= gpus;
                i
            }
            _ => {
                pod.iter_mut().for_each(|c| c.gpus = 0.0);
                let fits: Vec<usize> = (0..nodes.len())
                    .filter(|&i| nodes[i].gpus == 0.0)
                    .filter(|&i| used[i].0 + need.0 <= nodes[i].cores * 0.9 && used[i].1 + need.1 <= nodes[i].gib * 0.9)
                    .collect();
                if fits.is_empty() {
                    nodes.push(cpu_node(rng, cluster, nodes.len()));
                    used.push((0.0, 0.0));
                    gpus_free.push(0.0);
                    nodes.len() - 1
                } else {
                    *rng.pick(&fits)
                }
            }
        };
        used[i].0 += need.0;
        used[i].1 += need.1;
        pod.iter_mut().for_each(|c| c.node = nodes[i].name.clone());
    }
}

/// Daily churn: every few days a deployment rolls out (new ReplicaSet hash, new pod names).
fn churn(rng: &mut Rng, specs: &mut [ContainerSpec], day: usize) {
    if day == 0 {
        return;
    }
    let mut rolled: Vec<String> = Vec::new();
    for c in specs.iter_mut().filter(|c| c.controller_kind == "deployment") {
        if rolled.contains(&c.controller) || rng.chance(0.12) {
            if !rolled.contains(&c.controller) {
                rolled.push(c.controller.clone());
            }
            let mut parts: Vec<&str> = c.pod.rsplitn(3, '-').collect();
            parts.reverse();
            if parts.len() == 3 {
                c.pod = format!("{}-{}-{}", parts[0], rng.suffix(10), rng.suffix(5));
            }
        }
    }
}

fn props(cluster: &Str, category: &str, service: &str, name: &str, provider_id: &str) -> AssetProperties {
    AssetProperties {
        category: category.into(),
        provider: "AWS".into(),
        account: "482019374562".into(),
        project: "".into(),
        service: service.into(),
        cluster: cluster.clone(),
        name: name.into(),
        provider_id: provider_id.into(),
    }
}

fn asset_set(cluster: &Str, nodes: &[NodeSpec], specs: &[ContainerSpec], start: i64, end: i64, rates: &Rates) -> AssetSet {
    let hours = (end - start) as f64 / 3600.0;
    let win = Window::utc(start, end);
    let mut set = AssetSet::empty(win);
    let map = set.assets.as_mut().expect("empty() makes a map");
    let mut add = |key: String, mut a: Asset| {
        a.window = win;
        if a.start.is_some() {
            a.start = Some(GoTime::utc(start));
            a.end = Some(GoTime::utc(end));
        }
        map.0.push((key.into(), Some(a)));
    };
    for (i, n) in nodes.iter().enumerate() {
        let mut a = Asset::new(AssetKind::Node);
        a.properties = Some(props(
            cluster,
            "Compute",
            "Kubernetes",
            &n.name,
            &format!("i-{:x}", n.name.len() * 7919 + n.name.bytes().map(|b| b as usize).sum::<usize>()),
        ));
        let mut labels = StrMap::new();
        labels.insert("label_node_kubernetes_io_instance_type".into(), n.itype.into());
        labels.insert(
            "label_eks_amazonaws_com_capacityType".into(),
            if n.spot { "SPOT" } else { "ON_DEMAND" }.into(),
        );
        a.labels = Some(labels);
        let gpu_cost = n.gpus * hours * rates.gpu;
        let cpu_cost = n.cores * hours * rates.cpu;
        let ram_cost = n.gib * hours * rates.ram_gib;
        let (cpu_breakdown, ram_breakdown) = savings::node_breakdowns(&n.name, n.cores, n.gib, specs);
        a.detail = AssetDetail::Node(NodeDetail {
            cpu_breakdown: Some(cpu_breakdown),
            ram_breakdown: Some(ram_breakdown),
            node_type: n.itype.into(),
            cpu_core_hours: n.cores * hours,
            ram_byte_hours: n.gib * 1073741824.0 * hours,
            gpu_hours: n.gpus * hours,
            cpu_cost,
            gpu_cost,
            gpu_count: n.gpus,
            ram_cost,
            discount: 0.0,
            preemptible: if n.spot { 1.0 } else { 0.0 },
            ..Default::default()
        });
        let _ = n.price;
        add(
            format!("AWS/482019374562/__undefined__/Compute/{cluster}/Node/Kubernetes/{}", n.name),
            a,
        );
        let mut net = Asset::new(AssetKind::Network);
        net.properties = Some(props(cluster, "Network", "Kubernetes", &n.name, ""));
        net.cost = 0.02 * hours;
        add(
            format!("AWS/482019374562/__undefined__/Network/{cluster}/Network/Kubernetes/{}", n.name),
            net,
        );
        let mut root = Asset::new(AssetKind::Disk);
        root.properties = Some(props(cluster, "Storage", "Kubernetes", &n.name, ""));
        root.cost = 100.0 * 0.08 / 730.0 * hours;
        let mut disk = DiskDetail {
            byte_hours: 100.0 * 1073741824.0 * hours,
            local: 1.0,
            ..Default::default()
        };
        savings::disk_use(&mut disk, savings::root_share(i), hours);
        root.detail = AssetDetail::Disk(disk);
        add(
            format!("AWS/482019374562/__undefined__/Storage/{cluster}/Disk/Kubernetes/{}", n.name),
            root,
        );
    }
    let mut pvs: Vec<(&str, f64, &str, &str)> = specs
        .iter()
        .filter_map(|c| c.pv.as_ref().map(|(p, b)| (p.as_str(), *b, c.namespace, c.pod.as_str())))
        .collect();
    pvs.sort_by(|a, b| a.0.cmp(b.0));
    pvs.dedup_by(|a, b| a.0 == b.0);
    for (pv, bytes, ns, pod) in pvs {
        let mut d = Asset::new(AssetKind::Disk);
        d.properties = Some(props(cluster, "Storage", "Kubernetes", pv, pv));
        let byte_hours = bytes * hours;
        d.cost = byte_hours / 1073741824.0 * savings::PV_GIB_HOUR;
        let mut disk = DiskDetail {
            byte_hours,
            storage_class: "gp3".into(),
            volume_name: pv.into(),
            claim_name: format!("data-{pod}").into(),
            claim_namespace: ns.into(),
            ..Default::default()
        };
        savings::disk_use(&mut disk, savings::pv_share(pv), hours);
        d.detail = AssetDetail::Disk(disk);
        add(format!("AWS/482019374562/__undefined__/Storage/{cluster}/Disk/Kubernetes/{pv}"), d);
    }
    let (key, orphan) = savings::orphan_disk(cluster, hours);
    add(key, orphan);
    let mut lbs: Vec<&str> = specs.iter().filter_map(|c| c.lb.as_deref()).collect();
    lbs.sort();
    lbs.dedup();
    for lb in lbs {
        let mut a = Asset::new(AssetKind::LoadBalancer);
        a.properties = Some(props(cluster, "Network", "Kubernetes", lb, lb));
        a.cost = 0.025 * hours;
        add(
            format!("AWS/482019374562/__undefined__/Network/{cluster}/LoadBalancer/Kubernetes/{lb}"),
            a,
        );
    }
    let mut cm = Asset::new(AssetKind::ClusterManagement);
    cm.properties = Some(props(cluster, "Management", "AmazonEKS", "", ""));
    cm.cost = 0.10 * hours;
    add(
        format!("AWS/482019374562/__undefined__/Management/{cluster}/ClusterManagement/AmazonEKS/__undefined__"),
        cm,
    );
    set
}

fn cloud_set(rng: &mut Rng, nodes: &[NodeSpec], start: i64, end: i64) -> CloudCostSet {
    let hours = (end - start) as f64 / 3600.0;
    let win = Window::utc(start, end);
    let mut set = CloudCostSet {
        cloud_costs: Some(StrMap::new()),
        window: win,
        integration: "aws-cur-482019374562".into(),
        aggregation_properties: Some(vec!["providerID".into(), "service".into(), "category".into()]),
    };
    let map = set.cloud_costs.as_mut().expect("set above");
    let mut add = |pid: String, service: &str, category: &str, list: f64, k8s: f64| {
        let m = |c: f64| CostMetric {
            cost: c,
            kubernetes_percent: k8s,
        };
        let p = CloudCostProperties {
            provider_id: pid.as_str().into(),
            provider: "AWS".into(),
            account_id: "482019374562".into(),
            account_name: "prod".into(),
            invoice_entity_id: "482019374562".into(),
            invoice_entity_name: "Acme".into(),
            region_id: "us-east-1".into(),
            service: service.into(),
            category: category.into(),
            ..Default::default()
        };
        let key: Str = format!("{pid}/{service}/{category}").into();
        map.0.push((
            key,
            Some(CloudCost {
                properties: Some(p),
                window: win,
                list_cost: m(list),
                net_cost: m(list * 0.95),
                amortized_net_cost: m(list * 0.8),
                invoiced_cost: m(list * 0.9),
                amortized_cost: m(list * 0.85),
            }),
        ));
    };
    for n in nodes {
        add(
            format!("i-{}", &n.name[3..n.name.len().min(14)]),
            "AmazonEC2",
            "Compute",
            n.price * hours,
            1.0,
        );
    }
    add("eks-prod".into(), "AmazonEKS", "Management", 0.10 * hours, 1.0);
    add("s3-data-lake".into(), "AmazonS3", "Storage", rng.range(8.0, 12.0), 0.0);
    add("rds-orders".into(), "AmazonRDS", "Database", rng.range(20.0, 26.0), 0.0);
    add("nat-gateway".into(), "AWSDataTransfer", "Network", rng.range(3.0, 6.0), 0.7);
    add("cloudwatch".into(), "AmazonCloudWatch", "Other", rng.range(1.0, 2.0), 0.3);
    set
}
