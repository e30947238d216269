//! Small buckets written with our own bingen encoder for the semantics facts
//! (`docs/semantics-facts.md`): allocations with chosen properties, node assets and cloud costs
//! for one day, ingested into an in-memory aggregator.
#![allow(dead_code)]

use costscope::aggregator::{Aggregator, IngestOptions, ingest::ingest_once};
use costscope::bingen;
use costscope::model::*;
use costscope::progress::TaskProgress;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The day every mock set covers: 2026-11-02 (unix seconds).
pub const DAY: i64 = 1_793_577_600;

/// Properties of one mock allocation; unset fields are empty, `labels: None` is a nil map.
#[derive(Clone, Default)]
pub struct Props {
    pub cluster: &'static str,
    pub node: &'static str,
    pub namespace: &'static str,
    pub pod: &'static str,
    pub container: &'static str,
    pub kind: &'static str,
    pub controller: &'static str,
    pub provider_id: &'static str,
    pub services: Vec<&'static str>,
    pub labels: Option<Vec<(&'static str, &'static str)>>,
    pub annotations: Option<Vec<(&'static str, &'static str)>>,
    pub namespace_labels: Option<Vec<(&'static str, &'static str)>>,
}

fn map(v: &Option<Vec<(&'static str, &'static str)>>) -> Option<StrMap> {
    v.as_ref().map(|kv| {
        let mut m = StrMap::new();
        for (k, v) in kv {
            m.insert((*k).into(), (*v).into());
        }
        m
    })
}

/// Costs of one mock allocation, USD over the day.
#[derive(Clone, Copy)]
pub struct Costs {
    pub cpu: f64,
    pub gpu: f64,
    pub ram: f64,
    pub pv: f64,
    pub network: f64,
    pub lb: f64,
}

impl Costs {
    /// OpenCost's mock allocation: 1 USD of each of the six resources.
    pub const ONES: Costs = Costs {
        cpu: 1.0,
        gpu: 1.0,
        ram: 1.0,
        pv: 1.0,
        network: 1.0,
        lb: 1.0,
    };
}

/// One allocation named `name` over [`DAY`].
pub fn allocation(name: &str, p: &Props, c: Costs) -> Allocation {
    let pvs = (c.pv != 0.0).then(|| {
        let mut m = StrMap::new();
        m.insert(
            PvKey {
                cluster: p.cluster.into(),
                name: format!("pv-{name}").into(),
            },
            Some(PvAllocation {
                byte_hours: 1.0,
                cost: c.pv,
                provider_id: "".into(),
            }),
        );
        m
    });
    Allocation {
        name: name.into(),
        properties: Some(AllocationProperties {
            cluster: p.cluster.into(),
            node: p.node.into(),
            container: p.container.into(),
            controller: p.controller.into(),
            controller_kind: p.kind.into(),
            namespace: p.namespace.into(),
            pod: p.pod.into(),
            services: (!p.services.is_empty()).then(|| p.services.iter().map(|s| (*s).into()).collect()),
            provider_id: p.provider_id.into(),
            labels: map(&p.labels),
            annotations: map(&p.annotations),
            namespace_labels: map(&p.namespace_labels),
            namespace_annotations: None,
        }),
        window: Window::utc(DAY, DAY + 86_400),
        start: GoTime::utc(DAY),
        end: GoTime::utc(DAY + 86_400),
        cpu_core_hours: 24.0,
        cpu_core_request_average: 1.0,
        cpu_cost: c.cpu,
        gpu_hours: if c.gpu != 0.0 { 24.0 } else { 0.0 },
        gpu_cost: c.gpu,
        ram_byte_hours: 24.0 * 1073741824.0,
        ram_bytes_request_average: 1073741824.0,
        ram_cost: c.ram,
        network_cost: c.network,
        load_balancer_cost: c.lb,
        pvs,
        ..Default::default()
    }
}

/// A node asset of `cluster` with the given CPU, RAM and GPU cost (USD over [`DAY`]).
pub fn node(cluster: &str, name: &str, cpu: f64, ram: f64, gpu: f64) -> Asset {
    let mut a = Asset::new(AssetKind::Node);
    a.window = Window::utc(DAY, DAY + 86_400);
    a.start = Some(GoTime::utc(DAY));
    a.end = Some(GoTime::utc(DAY + 86_400));
    a.properties = Some(AssetProperties {
        category: "Compute".into(),
        provider: "GCP".into(),
        account: "".into(),
        project: "".into(),
        service: "Kubernetes".into(),
        cluster: cluster.into(),
        name: name.into(),
        provider_id: format!("gcp-{name}").into(),
    });
    a.detail = AssetDetail::Node(NodeDetail {
        node_type: "n1-standard".into(),
        cpu_core_hours: 24.0,
        ram_byte_hours: 24.0,
        gpu_hours: 0.0,
        cpu_cost: cpu,
        gpu_cost: gpu,
        gpu_count: 0.0,
        ram_cost: ram,
        discount: 0.0,
        preemptible: 0.0,
        ..Default::default()
    });
    a
}

fn write(dir: &Path, cluster: &str, pipeline: &str, bytes: &[u8]) {
    let p = dir.join(format!("federated/{cluster}/etl/bingen/{pipeline}/1d/{DAY}-{}", DAY + 86_400));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Writes one AllocationSet (and, when given, one AssetSet) per cluster for [`DAY`] under `dir`.
pub fn write_bucket(dir: &Path, allocations: &[Allocation], assets: &[Asset]) {
    let mut by_cluster: BTreeMap<String, (Vec<&Allocation>, Vec<&Asset>)> = BTreeMap::new();
    for a in allocations {
        let c = a.properties.as_ref().map_or(String::new(), |p| p.cluster.to_string());
        by_cluster.entry(c).or_default().0.push(a);
    }
    for a in assets {
        let c = a.properties.as_ref().map_or(String::new(), |p| p.cluster.to_string());
        by_cluster.entry(c).or_default().1.push(a);
    }
    for (cluster, (allocs, assets)) in by_cluster {
        let folder = if cluster.is_empty() { "no-cluster".to_string() } else { cluster };
        let mut set = AllocationSet::empty(Window::utc(DAY, DAY + 86_400));
        let m = set.allocations.as_mut().unwrap();
        for a in allocs {
            m.0.push((a.name.clone(), Some(a.clone())));
        }
        write(dir, &folder, "allocations", &bingen::encode_allocation_set(&set));
        if !assets.is_empty() {
            let mut set = AssetSet::empty(Window::utc(DAY, DAY + 86_400));
            let m = set.assets.as_mut().unwrap();
            for (i, a) in assets.into_iter().enumerate() {
                m.0.push((format!("node-{i}").into(), Some(a.clone())));
            }
            write(dir, &folder, "assets", &bingen::encode_asset_set(&set));
        }
    }
}

/// Ingest the bucket at `dir` into a fresh in-memory aggregator; panics on any failure.
pub fn ingest(dir: &Path) -> Aggregator {
    let agg = Arc::new(Aggregator::open_in_memory().unwrap());
    let store: Arc<dyn ObjectStore> = Arc::new(LocalFileSystem::new_with_prefix(dir).unwrap());
    let (tx, _rx) = tokio::sync::watch::channel(TaskProgress::new(costscope::progress::TaskId::Ingest));
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let r = rt
        .block_on(ingest_once(agg.clone(), store, &IngestOptions::default(), &tx))
        .unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures.first());
    Arc::try_unwrap(agg).ok().expect("no other owner")
}
