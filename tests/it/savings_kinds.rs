//! `costscope savings volumes|disks|abandoned|nodes` (docs/semantics.md §§ 13–16) through the
//! binary on `shared/buckets/dev`: every row of each JSON answer — its set of rows, each numeric
//! field, the total and the order — must equal a computation made here independently from the
//! decoded daily sets (to 1e-9), for the default parameters and for others, a filter and
//! another window.

use costscope::model::{Allocation, Asset};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::cli::{costscope_read_only, store_file};
use crate::support::dev_bucket::dev_dir;

const DAY: i64 = 86_400;

/// The decoded 1d sets of `kind` (`allocations`, `assets`) overlapping `[start, end)`, each with
/// its window from the object key, passed to `each`.
fn sets(kind: &str, start: i64, end: i64, each: &mut dyn FnMut(i64, i64, &[u8])) {
    for c in std::fs::read_dir(dev_dir().join("federated")).unwrap() {
        let dir = c.unwrap().path().join("etl/bingen").join(kind).join("1d");
        for f in std::fs::read_dir(&dir).into_iter().flatten() {
            let f = f.unwrap();
            let name = f.file_name().into_string().unwrap();
            let (s, e) = name.split_once('-').unwrap();
            let (s, e): (i64, i64) = (s.parse().unwrap(), e.parse().unwrap());
            if s < end && e > start {
                each(s, e, &std::fs::read(f.path()).unwrap());
            }
        }
    }
}

/// Every asset of the sets overlapping `[start, end)`, with its set's window.
fn assets(start: i64, end: i64) -> Vec<(i64, i64, Asset)> {
    let mut out = Vec::new();
    sets("assets", start, end, &mut |s, e, b| {
        let set = costscope::bingen::decode_asset_set(b).unwrap();
        out.extend(set.iter().map(|a| (s, e, a.clone())));
    });
    out
}

/// Every allocation of the sets overlapping `[start, end)`, with its set's window.
fn allocations(start: i64, end: i64) -> Vec<(i64, i64, Allocation)> {
    let mut out = Vec::new();
    sets("allocations", start, end, &mut |s, e, b| {
        let set = costscope::bingen::decode_allocation_set(b).unwrap();
        out.extend(set.iter().map(|a| (s, e, a.clone())));
    });
    out
}

/// The newest 1d window end of `kind` over the clusters.
fn newest_end(kind: &str) -> i64 {
    let mut end = 0;
    sets(kind, 0, i64::MAX, &mut |_, e, _| end = end.max(e));
    end
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// `max(set end) − min(set start)` of the windows given, hours (0 for none).
fn covered(windows: impl Iterator<Item = (i64, i64)>) -> f64 {
    let (lo, hi) = windows.fold((i64::MAX, i64::MIN), |(lo, hi), (s, e)| (lo.min(s), hi.max(e)));
    if lo > hi { 0.0 } else { (hi - lo) as f64 / 3600.0 }
}

/// × 730 ÷ covered hours.
fn monthly(v: f64, covered: f64) -> f64 {
    v * 730.0 / covered
}

/// Expected rows: text key → (JSON field, value) pairs.
type Want = BTreeMap<Vec<String>, Vec<(&'static str, f64)>>;

/// The JSON answer of `costscope savings ARGS --format json --no-ingest` (the database of `tmp`
/// already holds the dev bucket).
fn cli(tmp: &Path, args: &[&str]) -> Value {
    let yaml = store_file(tmp, &dev_dir());
    let out = costscope_read_only(tmp, &yaml)
        .arg("savings")
        .args(args)
        .args(["--format", "json", "--no-ingest"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A temp directory whose database holds the dev bucket (one ingest through the binary).
fn ingested() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let out = costscope_read_only(tmp.path(), &yaml).arg("ingest").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    tmp
}

/// The answer has exactly `want`'s rows (keyed by the text fields `keys`), each numeric field
/// equal to 1e-9, the total of `monthly_field` over them, the order by it descending, and
/// `coveredHours`.
fn check(page: &Value, keys: &[&str], want: &Want, monthly_field: &str, covered_hours: f64) {
    let data = page["data"].as_array().unwrap();
    let got: BTreeSet<Vec<String>> = data
        .iter()
        .map(|r| keys.iter().map(|k| r[*k].as_str().unwrap().to_string()).collect())
        .collect();
    assert_eq!(got, want.keys().cloned().collect::<BTreeSet<_>>(), "the rows");
    assert_eq!(page["totalRows"].as_u64().unwrap() as usize, want.len());
    for r in data {
        let key: Vec<String> = keys.iter().map(|k| r[*k].as_str().unwrap().to_string()).collect();
        for (field, v) in &want[&key] {
            let g = r[*field].as_f64().unwrap_or_else(|| panic!("{key:?} has no {field}"));
            assert!(close(g, *v), "{key:?} {field}: {g} vs {v}");
        }
    }
    let sum: f64 = want.values().map(|w| w.iter().find(|(f, _)| *f == monthly_field).unwrap().1).sum();
    assert!(close(page["totals"][monthly_field].as_f64().unwrap(), sum), "totals");
    let m: Vec<f64> = data.iter().map(|r| r[monthly_field].as_f64().unwrap()).collect();
    assert!(m.windows(2).all(|w| w[0] >= w[1]), "sorted by {monthly_field} desc");
    assert!(close(page["coveredHours"].as_f64().unwrap(), covered_hours), "coveredHours");
}

/// Per disk (cluster, name) of the window: newest (claim, namespace, class, provider id),
/// Σ byteHours, Σ byteHoursUsed, max byteUsageMax, Σ hours, Σ totalCost; and the covered hours.
struct Disk {
    newest: (i64, [String; 4]),
    claimed: bool,
    byte_hours: f64,
    used: f64,
    max: Option<f64>,
    hours: f64,
    cost: f64,
}

fn disks(start: i64, end: i64, local: bool, keep: &dyn Fn(&str) -> bool) -> (BTreeMap<(String, String), Disk>, f64) {
    let mut out: BTreeMap<(String, String), Disk> = BTreeMap::new();
    let mut windows = Vec::new();
    for (s, e, a) in assets(start, end) {
        let (Some(d), Some(p)) = (a.disk(), a.properties.as_ref()) else {
            continue;
        };
        if (d.local != 0.0) != local || !keep(&p.cluster) {
            continue;
        }
        windows.push((s, e));
        let (t0, t1) = (a.start.map_or(0, |t| t.unix), a.end.map_or(0, |t| t.unix));
        let info = [&d.claim_name, &d.claim_namespace, &d.storage_class, &p.provider_id].map(|x| x.to_string());
        let disk = out.entry((p.cluster.to_string(), p.name.to_string())).or_insert(Disk {
            newest: (i64::MIN, Default::default()),
            claimed: false,
            byte_hours: 0.0,
            used: 0.0,
            max: None,
            hours: 0.0,
            cost: 0.0,
        });
        if t1 > disk.newest.0 {
            disk.newest = (t1, info);
        }
        disk.claimed |= !d.claim_name.is_empty();
        disk.byte_hours += d.byte_hours;
        disk.used += d.byte_hours_used.unwrap_or(0.0);
        disk.max = match (disk.max, d.byte_usage_max) {
            (Some(m), Some(v)) => Some(m.max(v)),
            (m, v) => m.or(v),
        };
        disk.hours += (t1 - t0) as f64 / 3600.0;
        disk.cost += a.total_cost();
    }
    (out, covered(windows.into_iter()))
}

#[test]
fn unclaimed_volumes_match_the_decoded_sets() {
    let tmp = ingested();
    let end = newest_end("assets");
    let start = end - 21 * DAY;
    let (all, hours) = disks(start, end, false, &|_| true);
    // PVs held by `__unmounted__` allocations and by no other allocation of the window.
    let (mut unmounted, mut mounted) = (BTreeSet::new(), BTreeSet::new());
    for (_, _, a) in allocations(start, end) {
        let Some(p) = a.properties.as_ref() else { continue };
        for (k, _) in a.pvs.iter().flat_map(|m| m.iter()) {
            let set = if &*p.namespace == "__unmounted__" {
                &mut unmounted
            } else {
                &mut mounted
            };
            set.insert((p.cluster.to_string(), k.name.to_string()));
        }
    }
    let mut want = Want::new();
    for ((cluster, name), d) in &all {
        let key = (cluster.clone(), name.clone());
        let only_unmounted = unmounted.contains(&key) && !mounted.contains(&key);
        if d.claimed && !only_unmounted {
            continue;
        }
        let [claim, ns, class, pid] = d.newest.1.clone();
        want.insert(
            vec![cluster.clone(), name.clone(), claim, ns, class, pid],
            vec![
                ("capacityBytes", d.byte_hours / d.hours),
                ("cost", d.cost),
                ("monthlyCost", monthly(d.cost, hours)),
            ],
        );
    }
    assert!(!want.is_empty(), "the dev bucket has unmounted PVs");
    let w = format!("{start},{end}");
    let page = cli(tmp.path(), &["volumes", "--window", &w]);
    let keys = ["cluster", "volumeName", "claimName", "claimNamespace", "storageClass", "providerID"];
    check(&page, &keys, &want, "monthlyCost", hours);
}

/// Expected disk rows for `disks` (PVs, or local disks under `low`) with `headroom` percent.
fn disk_rows(all: &BTreeMap<(String, String), Disk>, hours: f64, headroom: f64, low: Option<f64>) -> (Want, usize) {
    let mut want = Want::new();
    let mut left_out = 0;
    for ((cluster, name), d) in all {
        let Some(max) = d.max else {
            left_out += 1;
            continue;
        };
        let capacity = d.byte_hours / d.hours;
        if low.is_some_and(|low| max / capacity >= low) {
            continue;
        }
        let rec = max * (1.0 + headroom / 100.0);
        let (now, after) = (monthly(d.cost, hours), monthly(rec * d.hours * d.cost / d.byte_hours, hours));
        let [claim, ns, class, pid] = d.newest.1.clone();
        want.insert(
            vec![cluster.clone(), name.clone(), claim, ns, class, pid],
            vec![
                ("currentCapacityBytes", capacity),
                ("maxUsageBytes", max),
                ("averageUsageBytes", d.used / d.hours),
                ("utilization", max / capacity),
                ("recommendedCapacityBytes", rec),
                ("currentCostMonthly", now),
                ("recommendedCostMonthly", after),
                ("savingsMonthly", now - after),
            ],
        );
    }
    (want, left_out)
}

#[test]
fn disk_sizing_matches_the_decoded_sets() {
    let tmp = ingested();
    let keys = [
        "clusterId",
        "volumeName",
        "claimName",
        "claimNamespace",
        "storageClass",
        "providerID",
    ];
    let end = newest_end("assets");
    // Persistent volumes, Kubecost's default headroom, the last 7 days.
    let (all, hours) = disks(end - 7 * DAY, end, false, &|_| true);
    let (want, left_out) = disk_rows(&all, hours, 10.0, None);
    assert!(want.len() > 10, "the dev bucket has PVs with byteUsageMax");
    let page = cli(tmp.path(), &["disks", "--window", &format!("{},{end}", end - 7 * DAY)]);
    check(&page, &keys, &want, "savingsMonthly", hours);
    assert_eq!(page["leftOut"].as_u64().unwrap() as usize, left_out);
    assert_eq!(page["parameters"]["headroomPct"].as_f64().unwrap(), 10.0);
    // 25 % headroom, one cluster, 3 days.
    let prod = |c: &str| c == "prod-us-east-1";
    let (all, hours) = disks(end - 3 * DAY, end, false, &prod);
    let (want, _) = disk_rows(&all, hours, 25.0, None);
    let w = format!("{},{end}", end - 3 * DAY);
    let args = [
        "disks",
        "--window",
        &w,
        "--headroom-pct",
        "25",
        "--filter",
        "cluster:\"prod-us-east-1\"",
    ];
    check(&cli(tmp.path(), &args), &keys, &want, "savingsMonthly", hours);
    // Local disks under 60 % used (the dev bucket's local disks are about half used).
    let (all, hours) = disks(end - 7 * DAY, end, true, &|_| true);
    let (want, _) = disk_rows(&all, hours, 10.0, Some(0.6));
    assert!(!want.is_empty(), "local disks under 60 %");
    let w = format!("{},{end}", end - 7 * DAY);
    let page = cli(tmp.path(), &["disks", "--local", "--low-utilization", "0.6", "--window", &w]);
    check(&page, &keys, &want, "savingsMonthly", hours);
    let (none, _) = disk_rows(&all, hours, 10.0, Some(0.2));
    assert_eq!(
        cli(tmp.path(), &["disks", "--local", "--window", &w])["totalRows"]
            .as_u64()
            .unwrap() as usize,
        none.len()
    );
}

/// Expected abandoned controllers of `[start, end)` under `threshold` bytes/s.
fn abandoned(start: i64, end: i64, threshold: f64) -> (Want, f64) {
    type Ctrl = (String, String, String, String);
    /// Received bytes, sent bytes, the largest minutes, cost.
    type Pod = (f64, f64, f64, f64);
    // (controller, pod, set start) → its figures
    let mut pods: BTreeMap<(Ctrl, String, i64), Pod> = BTreeMap::new();
    let mut windows = Vec::new();
    for (s, e, a) in allocations(start, end) {
        let Some(p) = a.properties.as_ref() else { continue };
        if ["", "__unmounted__", "__idle__", "__unallocated__"].contains(&&*p.container) || &*p.namespace == "__unmounted__" {
            continue;
        }
        windows.push((s, e));
        let (kind, ctrl) = match p.controller.is_empty() {
            true => ("pod".to_string(), p.pod.to_string()),
            false => (p.controller_kind.to_string(), p.controller.to_string()),
        };
        let c = (p.cluster.to_string(), p.namespace.to_string(), kind, ctrl);
        let v = pods.entry((c, p.pod.to_string(), s)).or_default();
        *v = (
            v.0 + a.network_receive_bytes,
            v.1 + a.network_transfer_bytes,
            v.2.max(a.minutes()),
            v.3 + a.total_cost(),
        );
    }
    let hours = covered(windows.into_iter());
    let mut ctrls: BTreeMap<Ctrl, (BTreeSet<String>, f64, f64, f64, f64)> = BTreeMap::new();
    for ((c, pod, _), (rx, tx, mins, cost)) in pods {
        let v = ctrls.entry(c).or_default();
        v.0.insert(pod);
        (v.1, v.2, v.3, v.4) = (v.1 + rx, v.2 + tx, v.3 + mins * 60.0, v.4 + cost);
    }
    let mut want = Want::new();
    for ((cluster, ns, kind, ctrl), (pods, rx, tx, secs, cost)) in ctrls {
        if secs <= 0.0 || (rx + tx) / secs >= threshold {
            continue;
        }
        want.insert(
            vec![cluster, ns, kind, ctrl],
            vec![
                ("pods", pods.len() as f64),
                ("ingressBytesPerSecond", rx / secs),
                ("egressBytesPerSecond", tx / secs),
                ("cost", cost),
                ("monthlySavings", monthly(cost, hours)),
            ],
        );
    }
    (want, hours)
}

#[test]
fn abandoned_workloads_match_the_decoded_sets() {
    let tmp = ingested();
    let keys = ["cluster", "namespace", "controllerKind", "controller"];
    let end = newest_end("allocations");
    // Kubecost's defaults: the last 2 days, 500 bytes/s.
    let (want, hours) = abandoned(end - 2 * DAY, end, 500.0);
    assert!(!want.is_empty(), "the dev bucket has a quiet workload");
    let page = cli(tmp.path(), &["abandoned"]);
    check(&page, &keys, &want, "monthlySavings", hours);
    assert_eq!(page["parameters"]["days"].as_f64().unwrap(), 2.0);
    assert_eq!(page["parameters"]["threshold"].as_f64().unwrap(), 500.0);
    // A week and a higher threshold: more controllers.
    let (want, hours) = abandoned(end - 7 * DAY, end, 20_000.0);
    assert!(want.len() > 10);
    check(
        &cli(tmp.path(), &["abandoned", "--days", "7", "--threshold", "20000"]),
        &keys,
        &want,
        "monthlySavings",
        hours,
    );
}

/// Expected underutilized nodes of `[start, end)` under `max`.
fn nodes(start: i64, end: i64, max: f64) -> (Want, f64) {
    // (cluster, name) → newest (end, type, provider id), Σ core-h, Σ byte-h, Σ h, Σ used core-h,
    // Σ core-h with breakdown, Σ used byte-h, Σ byte-h with breakdown, Σ cost
    type Acc = ((i64, String, String), [f64; 8]);
    let mut acc: BTreeMap<(String, String), Acc> = BTreeMap::new();
    let mut windows = Vec::new();
    for (s, e, a) in assets(start, end) {
        let (Some(n), Some(p)) = (a.node(), a.properties.as_ref()) else {
            continue;
        };
        windows.push((s, e));
        let (t0, t1) = (a.start.map_or(0, |t| t.unix), a.end.map_or(0, |t| t.unix));
        let v = acc
            .entry((p.cluster.to_string(), p.name.to_string()))
            .or_insert(((i64::MIN, String::new(), String::new()), [0.0; 8]));
        if t1 > v.0.0 {
            v.0 = (t1, n.node_type.to_string(), p.provider_id.to_string());
        }
        let f = &mut v.1;
        f[0] += n.cpu_core_hours;
        f[1] += n.ram_byte_hours;
        f[2] += (t1 - t0) as f64 / 3600.0;
        if let Some(b) = &n.cpu_breakdown {
            (f[3], f[4]) = (f[3] + (1.0 - b.idle) * n.cpu_core_hours, f[4] + n.cpu_core_hours);
        }
        if let Some(b) = &n.ram_breakdown {
            (f[5], f[6]) = (f[5] + (1.0 - b.idle) * n.ram_byte_hours, f[6] + n.ram_byte_hours);
        }
        f[7] += a.total_cost();
    }
    let hours = covered(windows.into_iter());
    let mut want = Want::new();
    for ((cluster, name), ((_, kind, pid), f)) in acc {
        let (cpu, ram) = (f[3] / f[4], f[5] / f[6]);
        if !(cpu < max && ram < max) {
            continue;
        }
        want.insert(
            vec![cluster, name, kind, pid],
            vec![
                ("cpuCores", f[0] / f[2]),
                ("ramBytes", f[1] / f[2]),
                ("cpuUtilization", cpu),
                ("ramUtilization", ram),
                ("cost", f[7]),
                ("monthlySavings", monthly(f[7], hours)),
            ],
        );
    }
    (want, hours)
}

#[test]
fn underutilized_nodes_match_the_decoded_sets() {
    let tmp = ingested();
    let keys = ["cluster", "node", "nodeType", "providerID"];
    let end = newest_end("assets");
    let (want, hours) = nodes(end - 7 * DAY, end, 0.65);
    assert!(!want.is_empty(), "the dev bucket has quiet nodes");
    let page = cli(tmp.path(), &["nodes"]);
    check(&page, &keys, &want, "monthlySavings", hours);
    assert_eq!(page["parameters"]["maxUtilization"].as_f64().unwrap(), 0.65);
    let w = format!("{},{end}", end - 14 * DAY);
    let (want, hours) = nodes(end - 14 * DAY, end, 0.8);
    check(
        &cli(tmp.path(), &["nodes", "--profile", "development", "--window", &w]),
        &keys,
        &want,
        "monthlySavings",
        hours,
    );
    let (strict, _) = nodes(end - 14 * DAY, end, 0.5);
    assert!(strict.len() < want.len(), "a stricter profile lists fewer nodes");
}

/// A demo bucket (`costscope demo --no-tui`) has rows in every savings table: its unclaimed PV
/// (`volumes`, `disks`), barely used local disks (`disks --local`), its idle `legacy-report`
/// workload (`abandoned`) and its quiet node (`nodes`), each per cluster.
#[test]
fn every_savings_table_has_rows_on_the_demo() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("demo");
    let yaml = bucket.join("federated-store.yaml");
    let demo = [
        "demo",
        "--no-tui",
        "--clusters",
        "2",
        "--days",
        "3",
        "--dir",
        bucket.to_str().unwrap(),
    ];
    let out = crate::support::cli::costscope(tmp.path(), &yaml).args(demo).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kind = |args: &[&str]| -> Vec<Value> {
        let out = costscope_read_only(tmp.path(), &yaml)
            .arg("savings")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["data"].as_array().unwrap().clone()
    };
    let names = |rows: &[Value], field: &str| -> Vec<String> { rows.iter().map(|r| r[field].as_str().unwrap().to_string()).collect() };
    let volumes = names(&kind(&["volumes"]), "volumeName");
    assert_eq!(volumes.len(), 2, "{volumes:?}");
    assert!(volumes.iter().all(|v| v.starts_with("pvc-legacy-")), "{volumes:?}");
    assert!(kind(&["disks"]).len() > 2);
    let local = kind(&["disks", "--local"]);
    assert!(!local.is_empty() && local.iter().all(|r| r["utilization"].as_f64().unwrap() < 0.2));
    let abandoned = names(&kind(&["abandoned"]), "controller");
    assert_eq!(abandoned, ["legacy-report", "legacy-report"]);
    let nodes = names(&kind(&["nodes"]), "node");
    assert_eq!(nodes.iter().filter(|n| n.ends_with("-8-8.ec2.internal")).count(), 2, "{nodes:?}");
    let requests = kind(&["requests"]);
    let savings: Vec<f64> = requests.iter().map(|r| r["monthlySavings"].as_f64().unwrap()).collect();
    assert!(savings.iter().any(|&s| s > 0.0), "some workload is over-requested: {savings:?}");
    assert!(savings.iter().any(|&s| s < 0.0), "some workload is under-requested: {savings:?}");
}
