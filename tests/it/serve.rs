//! `costscope serve` as a client meets it (issue 33): the binary serves the dev bucket on an
//! ephemeral port; the routes answer OpenCost's shapes (allocation `data` a list of maps with
//! every field the parquet exporter casts, assets a map with `type` and `totalCost`), the figures
//! equal `dev-truth.json` and the CLI's `--format json` for the same parameters, bad values are
//! 400 with a JSON message naming the parameter, a token guards a public address, and SIGTERM
//! stops the server cleanly.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::cli::{costscope_read_only, store_file};
use crate::support::dev_bucket::{dev_dir, truth};

mod fuzz;

/// 2026-11-14 .. 2026-11-21, a week of the dev bucket.
const WEEK: &str = "1794614400,1795219200";

/// The 36 numeric fields opencost-parquet-exporter casts to float (docs/api.md §11), minus
/// `running_minutes`, which it renames from `minutes`.
const EXPORTER_FIELDS: [&str; 36] = [
    "cpuCoreHours",
    "cpuCoreRequestAverage",
    "cpuCoreUsageAverage",
    "cpuCores",
    "cpuCost",
    "cpuCostAdjustment",
    "cpuEfficiency",
    "externalCost",
    "gpuCost",
    "gpuCostAdjustment",
    "gpuCount",
    "gpuHours",
    "loadBalancerCost",
    "loadBalancerCostAdjustment",
    "networkCost",
    "networkCostAdjustment",
    "networkCrossRegionCost",
    "networkCrossZoneCost",
    "networkInternetCost",
    "networkReceiveBytes",
    "networkTransferBytes",
    "pvByteHours",
    "pvBytes",
    "pvCost",
    "pvCostAdjustment",
    "ramByteHours",
    "ramByteRequestAverage",
    "ramByteUsageAverage",
    "ramBytes",
    "ramCost",
    "ramCostAdjustment",
    "ramEfficiency",
    "minutes",
    "sharedCost",
    "totalCost",
    "totalEfficiency",
];

/// A running `costscope serve`, killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `costscope serve` with `extra` arguments on an ephemeral loopback port and wait for
/// its "serving … on http://…" line.
fn serve(tmp: &Path, yaml: &Path, extra: &[&str]) -> Server {
    serve_with(tmp, yaml, extra, &[])
}

/// [`serve`] with extra environment variables.
fn serve_with(tmp: &Path, yaml: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("costscope"))
        .envs(env.iter().copied())
        .env("COSTSCOPE_CACHE_DIR", tmp.join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.join("state"))
        .env_remove("RUST_LOG")
        .args(["--store", yaml.to_str().unwrap(), "--read-only", "serve", "--no-ingest"])
        .args(extra)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the server says where it listens").unwrap();
        if let Some(rest) = line.split("on http://").nth(1) {
            break format!("http://{}", rest.split_whitespace().next().unwrap());
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Server { child, base }
}

fn get(url: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut req = reqwest::Client::new().get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let ctype = res
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, ctype, res.text().await.unwrap())
    })
}

fn json(server: &Server, path: &str) -> Value {
    let (status, ctype, body) = get(&format!("{}{path}", server.base), &[]);
    assert_eq!(status, 200, "{path}: {body}");
    assert!(ctype.contains("application/json"), "{path}: {ctype}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["code"], 200, "{path}: {body}");
    v
}

/// The dev bucket's allocation total over [`WEEK`] by its truth file.
fn truth_week_total() -> f64 {
    let (start, end) = (1_794_614_400, 1_795_219_200);
    let mut want = 0.0;
    for (_, c) in truth()["clusters"].as_object().unwrap() {
        for (day, v) in c["federated"]["allocations1d"].as_object().unwrap() {
            let d = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            let s = d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            if (start..end).contains(&s) {
                want += v["totalCost"].as_f64().unwrap();
            }
        }
    }
    want
}

/// Name → totalCost of one allocation set.
fn totals_of(set: &Value) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = set
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, a)| (k.clone(), a["totalCost"].as_f64().unwrap()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Name → totalCost of the CLI's JSON `data`.
fn cli_totals(tmp: &Path, yaml: &Path, args: &[&str]) -> Vec<Vec<(String, f64)>> {
    let out = costscope_read_only(tmp, yaml)
        .args(["allocation", "--no-ingest", "--window", WEEK, "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pages: Vec<&Value> = match v.get("accumulate") {
        Some(_) => v["data"].as_array().unwrap().iter().collect(),
        None => vec![&v],
    };
    pages
        .iter()
        .map(|p| {
            let mut rows: Vec<(String, f64)> = p["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r["name"].as_str().unwrap().to_string(), r["totalCost"].as_f64().unwrap()))
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows
        })
        .collect()
}

fn close(a: &[(String, f64)], b: &[(String, f64)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() <= 1e-4_f64.max(1e-9 * y.1.abs()))
}

#[test]
fn serve_answers_opencost_shapes_with_the_clis_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let ingest = costscope_read_only(tmp.path(), &yaml).args(["ingest", "--once"]).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let server = serve(tmp.path(), &yaml, &["--listen", "127.0.0.1:0"]);

    // The parquet exporter's request: a list of maps, every field it casts present.
    let v = json(
        &server,
        &format!("/allocation/compute?window={WEEK}&aggregate=namespace,pod,container&includeIdle=false&step=1d&format=json"),
    );
    let sets = v["data"].as_array().expect("data is a list");
    assert_eq!(sets.len(), 7, "one set per day");
    let mut sum = 0.0;
    for set in sets {
        for (name, a) in set.as_object().unwrap() {
            for f in EXPORTER_FIELDS {
                assert!(a.get(f).is_some_and(|x| x.is_number() || x.is_null()), "{name} lacks {f}: {a}");
            }
            assert!(a["window"]["start"].as_str().unwrap().ends_with('Z'), "{a}");
            sum += a["totalCost"].as_f64().unwrap();
        }
    }
    let want = truth_week_total();
    assert!((sum - want).abs() < 0.01 * 7.0 + 1e-6 * want, "{sum} vs truth {want}");

    // Kubecost's /model shows idle by default; OpenCost's bare path does not.
    let kc = json(&server, &format!("/model/allocation?window={WEEK}&aggregate=cluster"));
    assert!(kc["data"][0].get("__idle__").is_some(), "{kc}");
    let oc = json(&server, &format!("/allocation?window={WEEK}&aggregate=cluster"));
    assert!(oc["data"][0].get("__idle__").is_none(), "{oc}");

    // Same parameters, same numbers as the CLI: aggregate keys, idle modes, sharing and steps.
    let cases: [(&str, &[&str]); 7] = [
        (
            "aggregate=namespace&includeIdle=true&splitIdle=true",
            &["--aggregate", "namespace", "--idle", "separate"],
        ),
        ("aggregate=cluster&idle=false", &["--aggregate", "cluster", "--idle", "hide"]),
        (
            "aggregate=controller&includeIdle=true",
            &["--aggregate", "controller", "--idle", "merged"],
        ),
        (
            "aggregate=pod&includeIdle=true&idleByNode=true",
            &["--aggregate", "pod", "--idle", "node"],
        ),
        (
            "aggregate=namespace&includeIdle=true&shareIdle=true",
            &["--aggregate", "namespace", "--idle", "share"],
        ),
        (
            "aggregate=namespace&includeIdle=false&shareNamespaces=kube-system",
            &["--aggregate", "namespace", "--idle", "hide", "--share-namespaces", "kube-system"],
        ),
        (
            "aggregate=cluster&includeIdle=false&accumulate=day",
            &["--aggregate", "cluster", "--idle", "hide", "--accumulate", "day"],
        ),
    ];
    for (query, args) in cases {
        let http = json(&server, &format!("/allocation?window={WEEK}&{query}"));
        let http: Vec<Vec<(String, f64)>> = http["data"].as_array().unwrap().iter().map(totals_of).collect();
        let cli = cli_totals(tmp.path(), &yaml, args);
        assert_eq!(http.len(), cli.len(), "{query}: steps");
        for (h, c) in http.iter().zip(&cli) {
            assert!(close(h, c), "{query}:\nhttp {h:?}\ncli  {c:?}");
        }
    }

    // Assets: one map, each entry with its type and totalCost (what the OpenCost UI keeps).
    let assets = json(
        &server,
        &format!("/assets?window={WEEK}&aggregate=assetType&step=1d&accumulate=true"),
    );
    let assets = assets["data"].as_object().expect("assets data is a map");
    assert!(!assets.is_empty());
    assert!(
        assets.values().all(|a| a["type"].is_string() && a["totalCost"].is_number()),
        "{assets:?}"
    );

    // The UI's cloud-cost widget: all four calls succeed.
    for view in ["table", "totals", "graph"] {
        json(
            &server,
            &format!("/cloudCost/view/{view}?window=7d&aggregate=provider&costMetric=AmortizedNetCost&accumulate=day&limit=1000&filter="),
        );
    }
    // The UI's Cloud Costs page shows data only when `/cloudCost/status` lists an integration:
    // one per provider and account holding cloud costs, as `/cloudCost/view/table` by the same
    // keys lists them over the stored window.
    let status = json(&server, "/cloudCost/status");
    let mut keys: Vec<&str> = status["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    let table = json(
        &server,
        "/cloudCost/view/table?window=1793404800,1795219200&aggregate=provider,accountID",
    );
    let mut want: Vec<&str> = table["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    want.sort_unstable();
    assert!(!keys.is_empty() && keys == want, "{status}\n{table}");
    for s in status["data"].as_array().unwrap() {
        assert!(s["provider"] == "AWS" && s["active"] == true && s["valid"] == true, "{s}");
    }
    json(
        &server,
        "/customCost/total?window=7d&aggregate=domain&costType=blended&sortBy=cost&sortDirection=desc&filter=",
    );
    json(&server, "/allocation?window=1h");

    // Autocomplete lists values of a field.
    let ac = json(
        &server,
        &format!("/allocation/autocomplete?window={WEEK}&field=namespace&search=kube"),
    );
    let values = ac["data"]["data"].as_array().unwrap();
    assert!(
        !values.is_empty() && values.iter().all(|v| v.as_str().unwrap().contains("kube")),
        "{ac}"
    );

    // Bad values: 400, JSON, naming the parameter.
    for (query, name) in [
        ("/allocation?aggregate=namespace", "window"),
        ("/allocation?window=7d&aggregate=nonsense", "aggregate"),
        ("/allocation?window=7d&limit=18446744073709551616", "limit"),
        ("/allocation?window=7d&filter=namespace:", "filter"),
    ] {
        let (status, ctype, body) = get(&format!("{}{query}", server.base), &[]);
        assert_eq!(status, 400, "{query}: {body}");
        assert!(ctype.contains("application/json"), "{ctype}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["code"], 400);
        assert!(v["message"].as_str().unwrap().contains(&format!("'{name}'")), "{body}");
    }

    let (status, _, _) = get(&format!("{}/healthz", server.base), &[]);
    assert_eq!(status, 200);
    let (_, ctype, text) = get(&format!("{}/metrics", server.base), &[]);
    assert!(ctype.starts_with("text/plain"), "{ctype}");
    assert!(
        text.contains("costscope_http_requests_total{route=\"/allocation\",status=\"400\"}"),
        "{text}"
    );
}

#[test]
fn a_token_guards_the_api_and_sigterm_stops_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    // A public address without a token is refused.
    let out = costscope_read_only(tmp.path(), &yaml)
        .args(["serve", "--no-ingest", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));

    let token = tmp.path().join("token");
    std::fs::write(&token, "s3cret-token\n").unwrap();
    let mut server = serve(
        tmp.path(),
        &yaml,
        &["--listen", "127.0.0.1:0", "--token-file", token.to_str().unwrap()],
    );
    let url = format!("{}/getConfigs", server.base);
    assert_eq!(get(&url, &[]).0, 401);
    assert_eq!(get(&url, &[("authorization", "Bearer wrong")]).0, 401);
    assert_eq!(get(&url, &[("authorization", "Bearer s3cret-token")]).0, 200);
    assert_eq!(get(&url, &[("x-api-key", "s3cret-token")]).0, 200);
    assert_eq!(get(&format!("{}/healthz", server.base), &[]).0, 200, "probes need no token");

    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "SIGTERM ends the server cleanly: {status:?}");
}

/// `/costscope/migration`, bare and under `/model`, answers exactly the report `costscope
/// migration --format json` prints for the same bucket, database and "now"; `/costscope/pipeline`
/// lists the Pipeline view's tasks: none, as the server runs with `--no-ingest`.
#[test]
fn the_status_routes_answer_what_the_cli_and_the_tui_show() {
    const NOW: &str = "2026-11-21T06:00:00Z";
    let tmp = tempfile::tempdir().unwrap();
    let yaml = store_file(tmp.path(), &dev_dir());
    let ingest = costscope_read_only(tmp.path(), &yaml).args(["ingest", "--once"]).output().unwrap();
    assert!(ingest.status.success(), "{}", String::from_utf8_lossy(&ingest.stderr));
    let out = costscope_read_only(tmp.path(), &yaml)
        .env("COSTSCOPE_NOW", NOW)
        .args(["migration", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    // The ingested days were read: every cluster has INGESTED days (the dev bucket's 3 clusters).
    let clusters = cli["clusters"].as_array().unwrap();
    assert_eq!(clusters.len(), 3);
    for c in clusters {
        assert!(
            c["days"].as_array().unwrap().iter().any(|d| d["state"] == "INGESTED"),
            "{}",
            c["cluster"]
        );
    }
    assert_eq!(cli["generatedAt"], "2026-11-21T06:00:00Z");

    let server = serve_with(tmp.path(), &yaml, &["--listen", "127.0.0.1:0"], &[("COSTSCOPE_NOW", NOW)]);
    for prefix in ["", "/model"] {
        let v = json(&server, &format!("{prefix}/costscope/migration"));
        assert_eq!(v["status"], "success");
        assert_eq!(v["data"], cli, "{prefix}/costscope/migration");
        assert_eq!(
            json(&server, &format!("{prefix}/costscope/pipeline"))["data"],
            serde_json::json!([])
        );
    }
}
