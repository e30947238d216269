//! Shared by `tests/tui_state.rs` and `tests/tui_views.rs`: an in-memory [`CostSource`] with
//! fixed numbers (3 clusters, a few namespaces, controllers, pods and containers; nodes, disks
//! and a load balancer; five cloud services), a fixed clock, and a synchronous driver that runs
//! the reducer's effects through the same `tui::effect::perform` the runtime uses.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeZone, Utc};
use costscope::progress::TaskProgress;
use costscope::query::columns::{Detail, registry};
use costscope::query::{
    CostSource, DailySeries, DataKind, Field, FieldValue, FilterTarget, IDLE, IdleMode, Page, QueryError, QueryRequest, Row, SortKey,
    UNALLOCATED, columns,
};
use costscope::tui::effect::perform;

use super::fake_measures::{combine, factor, measures, values};
use costscope::tui::{Action, Effect, State};

/// 2026-11-22 10:30 UTC.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 10, 30, 0).unwrap()
}

/// Unix seconds of 2026-11-`day` 00:00 UTC.
pub fn day(day: u32) -> i64 {
    Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap().timestamp()
}

/// One item with its properties and its per-day measures (in the order of the kind's registry
/// measures; [`PER_ITEM`] ones are per item, not per day).
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: DataKind,
    pub props: BTreeMap<String, String>,
    pub measures: Vec<f64>,
}

impl FilterTarget for Item {
    fn field(&self, f: &Field) -> FieldValue<'_> {
        let key = match f {
            Field::ControllerName => "controller",
            Field::AssetType => "type",
            Field::Label(_) | Field::Annotation(_) => return FieldValue::Missing,
            other => other.name(),
        };
        self.props.get(key).map_or(FieldValue::Missing, |v| FieldValue::Str(v))
    }
}

/// The test double.
pub struct FakeSource {
    pub items: Vec<Item>,
    /// (first day start, last day end) per kind; `None` = no data yet.
    pub extents: [Option<(i64, i64)>; 3],
    /// Idle (cpuCost, ramCost) in USD per cluster-day, if allocations have idle; the standard
    /// source has ($6, $3), so $9/day per cluster in the result.
    pub idle: Option<(f64, f64)>,
}

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[allow(clippy::too_many_arguments)]
fn alloc(
    cluster: &str,
    ns: &str,
    controller: &str,
    pod: &str,
    container: &str,
    cpu: f64,
    ram: f64,
    gpu: f64,
    pv: f64,
    net: f64,
    lb: f64,
    req: (f64, f64),
    used: (f64, f64),
) -> Item {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    let v = measures(
        DataKind::Allocation,
        &[
            ("cpu", cpu),
            ("gpu", gpu),
            ("ram", ram),
            ("pv", pv),
            ("net", net),
            ("lb", lb),
            ("total", cpu + gpu + ram + pv + net + lb),
            ("req_ch", req.0),
            ("use_ch", used.0),
            ("rreq_bh", req.1 * GIB),
            ("ruse_bh", used.1 * GIB),
            ("cpu_t", cpu),
            ("ram_t", ram),
            ("gpu_t", gpu),
        ],
    );
    Item {
        kind: DataKind::Allocation,
        props: props(&[
            ("cluster", cluster),
            ("namespace", ns),
            ("controller", controller),
            ("pod", pod),
            ("container", container),
            ("node", &format!("{cluster}-node-1")),
        ]),
        measures: v,
    }
}

fn asset(cluster: &str, ty: &str, name: &str, cpu: f64, ram: f64, gpu: f64, total: f64) -> Item {
    Item {
        kind: DataKind::Asset,
        props: props(&[
            ("cluster", cluster),
            ("type", ty),
            ("name", name),
            ("provider", "AWS"),
            ("category", if ty == "Node" { "Compute" } else { "Storage" }),
        ]),
        measures: measures(
            DataKind::Asset,
            &[("cpu", cpu), ("gpu", gpu), ("ram", ram), ("n", 1.0), ("total", total)],
        ),
    }
}

fn cloud(service: &str, category: &str, id: &str, cost: f64, k8s: f64) -> Item {
    Item {
        kind: DataKind::CloudCost,
        props: props(&[
            ("service", service),
            ("category", category),
            ("providerID", id),
            ("provider", "AWS"),
            ("accountID", "123456789012"),
        ]),
        measures: measures(DataKind::CloudCost, &[("c", cost), ("k", k8s), ("n", 1.0)]),
    }
}

impl FakeSource {
    /// The standard data set: allocations and assets 2026-11-08..22, cloud costs ..21.
    pub fn standard() -> FakeSource {
        let a = alloc;
        let items = vec![
            a(
                "prod-us",
                "checkout",
                "web",
                "web-7d9f-a",
                "web",
                14.20,
                7.10,
                0.0,
                1.20,
                0.85,
                0.60,
                (4.0, 6.0),
                (2.6, 4.1),
            ),
            a(
                "prod-us",
                "checkout",
                "web",
                "web-7d9f-b",
                "web",
                14.20,
                7.10,
                0.0,
                0.0,
                0.80,
                0.0,
                (4.0, 6.0),
                (2.2, 3.8),
            ),
            a(
                "prod-us",
                "checkout",
                "worker",
                "worker-0",
                "worker",
                6.40,
                4.30,
                0.0,
                2.40,
                0.20,
                0.0,
                (2.0, 4.0),
                (1.7, 3.5),
            ),
            a(
                "prod-us",
                "payments",
                "api",
                "api-5c8b-x",
                "api",
                9.75,
                5.05,
                0.0,
                0.0,
                1.10,
                0.60,
                (3.0, 4.0),
                (0.9, 1.6),
            ),
            a(
                "prod-us",
                "payments",
                "ledger",
                "ledger-0",
                "postgres",
                5.10,
                9.80,
                0.0,
                6.30,
                0.15,
                0.0,
                (1.5, 8.0),
                (1.1, 7.2),
            ),
            a(
                "prod-us",
                "kube-system",
                "coredns",
                "coredns-1",
                "coredns",
                0.42,
                0.21,
                0.0,
                0.0,
                0.02,
                0.0,
                (0.2, 0.25),
                (0.05, 0.1),
            ),
            a(
                "prod-us",
                "ml-training-batch-jobs-for-the-recommendations-team",
                "trainer",
                "trainer-0",
                "trainer",
                8.00,
                6.00,
                42.00,
                3.00,
                0.40,
                0.0,
                (8.0, 32.0),
                (7.4, 30.0),
            ),
            a(
                "prod-eu",
                "checkout",
                "web",
                "web-66f1-a",
                "web",
                11.30,
                5.65,
                0.0,
                0.90,
                0.70,
                0.55,
                (3.0, 5.0),
                (1.4, 2.5),
            ),
            a(
                "prod-eu",
                "search",
                "indexer",
                "indexer-0",
                "indexer",
                7.80,
                12.40,
                0.0,
                4.70,
                0.35,
                0.0,
                (2.5, 12.0),
                (2.3, 11.0),
            ),
            a(
                "prod-eu",
                "search",
                "query",
                "query-77c2-a",
                "query",
                4.60,
                3.20,
                0.0,
                0.0,
                0.90,
                0.55,
                (1.5, 3.0),
                (0.4, 1.1),
            ),
            a(
                "prod-eu",
                "kube-system",
                "coredns",
                "coredns-2",
                "coredns",
                0.40,
                0.20,
                0.0,
                0.0,
                0.02,
                0.0,
                (0.2, 0.25),
                (0.04, 0.1),
            ),
            a(
                "staging",
                "checkout",
                "web",
                "web-1234-a",
                "web",
                2.10,
                1.05,
                0.0,
                0.30,
                0.05,
                0.0,
                (1.0, 2.0),
                (0.1, 0.4),
            ),
            a(
                "staging",
                "kube-system",
                "coredns",
                "coredns-3",
                "coredns",
                0.38,
                0.19,
                0.0,
                0.0,
                0.01,
                0.0,
                (0.2, 0.25),
                (0.03, 0.08),
            ),
            asset("prod-us", "Node", "ip-10-0-1-12", 48.0, 24.0, 0.0, 72.0),
            asset("prod-us", "Node", "ip-10-0-1-13", 48.0, 24.0, 0.0, 72.0),
            asset("prod-us", "Node", "gpu-node-1", 20.0, 10.0, 96.0, 126.0),
            asset("prod-us", "Disk", "pvc-checkout-data", 0.0, 0.0, 0.0, 3.6),
            asset("prod-us", "LoadBalancer", "a1b2c3-elb", 0.0, 0.0, 0.0, 1.2),
            asset("prod-eu", "Node", "ip-10-1-1-20", 40.0, 20.0, 0.0, 60.0),
            asset("prod-eu", "Disk", "pvc-search-index", 0.0, 0.0, 0.0, 4.7),
            asset("staging", "Node", "ip-10-2-1-5", 6.0, 3.0, 0.0, 9.0),
            asset("staging", "ClusterManagement", "eks-staging", 0.0, 0.0, 0.0, 2.4),
            cloud("AmazonEC2", "Compute", "i-0abc", 412.50, 380.10),
            cloud("AmazonS3", "Storage", "arn:aws:s3:::logs", 38.20, 0.0),
            cloud("AmazonRDS", "Database", "db-orders", 96.00, 0.0),
            cloud("AWSELB", "Network", "a1b2c3-elb", 9.60, 9.60),
            cloud("AmazonEKS", "Management", "eks-prod-us", 7.20, 7.20),
        ];
        FakeSource {
            items,
            extents: [Some((day(8), day(22))), Some((day(8), day(22))), Some((day(8), day(21)))],
            idle: Some((6.0, 3.0)),
        }
    }

    /// No data of any kind yet.
    pub fn empty() -> FakeSource {
        FakeSource {
            items: Vec::new(),
            extents: [None, None, None],
            idle: Some((6.0, 3.0)),
        }
    }

    /// `n` allocation namespaces in one cluster, costs decreasing with the index (for paging).
    pub fn many(n: usize) -> FakeSource {
        let items = (0..n)
            .map(|i| {
                let ns = format!("ns-{i:04}");
                alloc(
                    "prod-us",
                    &ns,
                    "app",
                    &format!("{ns}-pod"),
                    "app",
                    1000.0 - i as f64,
                    10.0,
                    0.0,
                    0.0,
                    0.0,
                    0.0,
                    (1.0, 1.0),
                    (0.5, 0.5),
                )
            })
            .collect();
        FakeSource {
            items,
            extents: [Some((day(8), day(22))), None, None],
            idle: None,
        }
    }

    fn extent(&self, kind: DataKind) -> Option<(i64, i64)> {
        self.extents[kind_index(kind)]
    }

    /// Data days of `kind` inside `req`'s window.
    fn days(&self, req: &QueryRequest) -> Vec<i64> {
        let Some((s, e)) = self.extent(req.kind) else { return Vec::new() };
        req.window
            .days()
            .map(|d| d.timestamp())
            .filter(|d| *d >= s && *d < e && *d >= req.window.start.timestamp())
            .collect()
    }

    fn matching<'a>(&'a self, req: &'a QueryRequest) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.kind == req.kind && req.filter.matches(*i))
    }

    fn key_of(req: &QueryRequest, item: &Item) -> (String, BTreeMap<String, String>) {
        if req.aggregate.is_empty() {
            let name = item.props.values().cloned().collect::<Vec<_>>().join("/");
            return (name.clone(), props(&[("name", &name)]));
        }
        let mut p = BTreeMap::new();
        let values: Vec<String> = req
            .aggregate
            .keys()
            .iter()
            .map(|k| {
                let v = item.props.get(&k.name()).cloned().unwrap_or_else(|| UNALLOCATED.to_string());
                p.insert(k.name(), v.clone());
                v
            })
            .collect();
        (values.join("/"), p)
    }
}

fn kind_index(kind: DataKind) -> usize {
    match kind {
        DataKind::Allocation => 0,
        DataKind::Asset => 1,
        DataKind::CloudCost => 2,
    }
}

impl CostSource for FakeSource {
    fn query(&self, req: &QueryRequest) -> Result<Page, QueryError> {
        let days = self.days(req);
        let mut groups: BTreeMap<String, (BTreeMap<String, String>, Vec<&Item>)> = BTreeMap::new();
        let mut clusters = std::collections::BTreeSet::new();
        if !days.is_empty() {
            for it in self.matching(req) {
                clusters.insert(it.props.get("cluster").cloned().unwrap_or_default());
                let (name, p) = Self::key_of(req, it);
                groups.entry(name).or_insert_with(|| (p, Vec::new())).1.push(it);
            }
        }
        let mut rows: Vec<(Row, Vec<f64>)> = groups
            .into_iter()
            .map(|(name, (properties, items))| {
                let m = combine(req, &items, &days);
                let row = Row {
                    values: values(req.kind, &m),
                    name,
                    properties,
                };
                (row, m)
            })
            .collect();
        let idle = matches!(req.idle, IdleMode::SeparateByCluster | IdleMode::SeparateByNode | IdleMode::Merged);
        if let (DataKind::Allocation, true, Some((cpu, ram)), false) = (req.kind, idle, self.idle, rows.is_empty()) {
            let w: f64 = days.iter().map(|d| factor(*d)).sum::<f64>() * clusters.len() as f64;
            let (c, r) = (cpu * w, ram * w);
            let m = measures(req.kind, &[("cpu", c), ("ram", r), ("total", c + r), ("cpu_t", c), ("ram_t", r)]);
            let p = req.aggregate.keys().iter().map(|k| (k.name(), IDLE.to_string())).collect();
            let row = Row {
                name: IDLE.into(),
                properties: p,
                values: values(req.kind, &m),
            };
            rows.push((row, m));
        }
        if let Some(text) = &req.search {
            rows.retain(|(r, _)| r.name.to_lowercase().contains(&text.to_lowercase()));
        }
        let col = match req.sort.key {
            SortKey::Column(id) => columns(req.kind).iter().position(|c| c.id == id),
            SortKey::Name => None,
        };
        rows.sort_by(|(a, _), (b, _)| {
            let o = match col {
                Some(i) => a.values[i].total_cmp(&b.values[i]),
                None => a.name.cmp(&b.name),
            };
            let o = if req.sort.descending { o.reverse() } else { o };
            o.then_with(|| a.name.cmp(&b.name))
        });
        let mut summed = vec![0.0; registry(req.kind).measures.len()];
        for (_, m) in &rows {
            for (t, v) in summed.iter_mut().zip(m) {
                *t += v;
            }
        }
        let mut totals = values(req.kind, &summed);
        let mut rows: Vec<Row> = rows.into_iter().map(|(r, _)| r).collect();
        // A rate scales USD columns by hours per unit / hours of data, as the aggregator does.
        let covered_hours = days.len() as f64 * 24.0;
        if let Some(per) = req.rate.hours().filter(|_| covered_hours > 0.0) {
            let usd: Vec<bool> = columns(req.kind).iter().map(|c| c.unit == costscope::query::Unit::Usd).collect();
            for v in rows.iter_mut().map(|r| &mut r.values).chain(std::iter::once(&mut totals)) {
                for (x, is_usd) in v.iter_mut().zip(&usd) {
                    if *is_usd {
                        *x *= per / covered_hours;
                    }
                }
            }
        }
        let total_rows = rows.len();
        let page: Vec<Row> = if req.limit == 0 {
            rows
        } else {
            rows.into_iter().skip(req.offset).take(req.limit).collect()
        };
        Ok(Page {
            covered_hours,
            rate: req.rate,
            rows: page,
            total_rows,
            totals: Row {
                name: "totals".into(),
                properties: BTreeMap::new(),
                values: totals,
            },
            offset: req.offset,
            limit: req.limit,
        })
    }

    fn daily_series(&self, req: &QueryRequest, row: &Row) -> Result<DailySeries, QueryError> {
        let total_col = columns(req.kind).iter().position(|c| c.detail == Detail::Total).unwrap();
        if let (true, Some((cpu, ram))) = (row.name == IDLE, self.idle) {
            // The idle row's days, as `query` sums them: (cpu + ram) × the day's factor per cluster.
            let clusters: std::collections::BTreeSet<_> = self.matching(req).map(|i| i.props.get("cluster").cloned()).collect();
            let n = clusters.len() as f64;
            return Ok(self.days(req).into_iter().map(|d| (d, (cpu + ram) * factor(d) * n)).collect());
        }
        let items: Vec<&Item> = self.matching(req).filter(|i| Self::key_of(req, i).1 == row.properties).collect();
        Ok(self
            .days(req)
            .into_iter()
            .filter(|_| !items.is_empty())
            .map(|d| (d, values(req.kind, &combine(req, &items, &[d]))[total_col]))
            .collect())
    }

    /// One daily file per cluster and day of the window, with the row's items of that cluster
    /// (every fake item is in every day's file); the sha256 is that of the key.
    fn sources(&self, req: &QueryRequest, row: &Row) -> Result<Vec<costscope::query::SourceObject>, QueryError> {
        let mut per_cluster: BTreeMap<String, u64> = BTreeMap::new();
        for i in self
            .matching(req)
            .filter(|i| row.name == IDLE || Self::key_of(req, i).1 == row.properties)
        {
            *per_cluster.entry(i.props.get("cluster").cloned().unwrap_or_default()).or_default() += 1;
        }
        let pipeline = ["allocations", "assets", "cloudcosts"][kind_index(req.kind)];
        let mut out: Vec<costscope::query::SourceObject> = Vec::new();
        for (cluster, rows) in per_cluster {
            for d in self.days(req) {
                let key = format!("federated/{cluster}/etl/bingen/{pipeline}/1d/{d}-{}", d + 86_400);
                out.push(costscope::query::SourceObject {
                    sha256: costscope::audit::sha256_hex(key.as_bytes()),
                    key,
                    window_start: d,
                    window_end: d + 86_400,
                    rows,
                });
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
        Ok(self.extent(kind))
    }
}

/// Run `effects` and every effect their answers cause, synchronously, until none is left.
pub fn settle(state: &mut State, source: &dyn CostSource, effects: Vec<Effect>) {
    let mut queue = VecDeque::from(effects);
    while let Some(e) = queue.pop_front() {
        if let Some(a) = perform(source, e) {
            queue.extend(state.update(a));
        }
    }
}

/// Apply `action` and settle its effects.
pub fn send(state: &mut State, source: &dyn CostSource, action: Action) {
    let effects = state.update(action);
    settle(state, source, effects);
}

/// A started state at `width` × `height` with the first view loaded (and its series, when the
/// detail pane is visible).
pub fn started(source: &dyn CostSource, width: u16, height: u16, tasks: Vec<TaskProgress>) -> State {
    let mut s = State::new("s3://acme-kubecost-etl/federated (demo)", std::env::temp_dir(), fixed_now, tasks);
    s.update(Action::Resize(width, height));
    let effects = s.start();
    settle(&mut s, source, effects);
    send(&mut s, source, Action::Tick);
    s
}
