//! A seeded fuzz of query strings against the cost API (issue 33: "no panic on any parameter"):
//! thousands of requests with every parameter name the routes read, each given random valid or
//! hostile values (huge, negative, NaN, unicode, empty, repeated keys, raw and broken `%`-escapes,
//! very long strings), against the real router over the ingested dev bucket, served in-process on
//! an ephemeral port. Every answer must be a 200 (JSON or, for `format=csv`, CSV) or a 400 with
//! `{"code":400,"message":"Error: …"}`; never a 500, never the 503 of the per-request deadline,
//! and the server must still answer afterwards (a panicking handler would drop the connection).
//! The generator is seeded, so a failure reproduces; its message holds the request.

use std::sync::Arc;

use costscope::query::CostSource;
use costscope::serve::{QUERY_DEADLINE, ServeState, metrics::Metrics, router};
use serde_json::Value;

use crate::aggregator_dev::dev_shared;
use crate::support::rng::Rng;

/// Requests sent; each is one route with up to eight parameters.
const REQUESTS: usize = 1_000;
/// The default seed (set `COSTSCOPE_FUZZ_SEED` to explore others; failures print theirs).
const SEED: u64 = 0x5EED_0033;

/// One of `items`, at random.
fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len())]
}

/// The cost routes (both prefixes are drawn); the status routes are left out (they need a bucket).
const ROUTES: [&str; 15] = [
    "/allocation",
    "/allocation/compute",
    "/allocation/summary",
    "/allocation/summary/topline",
    "/allocation/autocomplete",
    "/assets",
    "/assets/topline",
    "/assets/autocomplete",
    "/cloudCost",
    "/cloudCost/view/table",
    "/cloudCost/view/totals",
    "/cloudCost/view/graph",
    "/cloudCost/autocomplete",
    "/customCost/total",
    "/getConfigs",
];

/// Every parameter name the routes read (docs/api.md §2, §6, §8, §9), plus names they ignore.
const NAMES: [&str; 40] = [
    "window",
    "aggregate",
    "step",
    "accumulate",
    "accumulateBy",
    "includeIdle",
    "idle",
    "idleByNode",
    "shareIdle",
    "splitIdle",
    "shareNamespaces",
    "shareLabels",
    "shareCost",
    "shareSplit",
    "shareTenancyCosts",
    "filter",
    "filterNamespaces",
    "filterClusters",
    "filterNodes",
    "filterControllerKinds",
    "filterControllers",
    "filterPods",
    "filterContainers",
    "filterServices",
    "filterLabels",
    "filterAnnotations",
    "offset",
    "limit",
    "sortBy",
    "sortByOrder",
    "costMetric",
    "format",
    "field",
    "search",
    "includeProportionalAssetResourceCosts",
    "resolution",
    "costType",
    "sortDirection",
    "metrics",
    "",
];

/// Values that mean something to some parameter. The first ten are windows of at most three
/// weeks, so the run stays short (a long window cut into fine steps costs only its steps that
/// overlap stored data: `query::steps::each_step`).
const PLAUSIBLE: [&str; 40] = [
    "1794614400,1795219200",
    "2026-11-15T00:00:00Z,2026-11-15T23:59:59Z",
    "2026-11-20T00:00:00Z,2026-11-19T00:00:00Z",
    "7d",
    "1h",
    "48h",
    "today",
    "lastweek",
    "14d",
    "2026-11-07T00:00:00Z,2026-11-21T00:00:00Z",
    "namespace",
    "cluster,node",
    "label:app",
    "controller,pod,container",
    "all",
    "service",
    "provider",
    "item",
    "assetType",
    "1d",
    "1w",
    "day",
    "hour",
    "quarter",
    "weeknow",
    "true",
    "false",
    "weighted",
    "even",
    "kube-system,monitoring",
    "app:web",
    "namespace:\"kube-system\"",
    "cluster!:\"x\"+namespace:\"a\",\"b\"",
    "totalCost",
    "cost",
    "asc",
    "AmortizedNetCost",
    "daily",
    "csv",
    "json",
];

/// Values no parameter accepts as meant.
const HOSTILE: [&str; 32] = [
    "",
    " ",
    "-1",
    "-0",
    "0",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "1e308",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "ünïcödé",
    "🙂,🙃",
    "名前空間",
    "\u{202e}abc",
    "%",
    "%zz",
    "%FF%FE",
    "%00",
    "%25",
    "a,,b,",
    ",",
    "\"",
    "\\",
    "(",
    ")))",
    "+",
    ":::",
    "label:",
    "-9223372036854775808d",
    "1794614400,",
];

/// One random value: plausible, hostile, a very long run, or a number.
fn value(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => pick(rng, &PLAUSIBLE).to_string(),
        5..=7 => pick(rng, &HOSTILE).to_string(),
        // Long, yet the whole URI stays within HTTP's 64 KiB (`http::Uri`'s limit, a client's).
        8 => pick(rng, &["a", "%", "9", ",", "é"]).repeat(1 + rng.below(2_000)),
        _ => format!("{}", rng.next() as i64),
    }
}

/// Percent-encode `s` fully, or leave it raw (then `%`, `&`, `+` and `=` keep their meaning or
/// break the escaping, as a careless client sends them).
fn encode(rng: &mut Rng, s: &str) -> String {
    if rng.below(3) == 0 {
        return s.replace('#', "%23").replace(' ', "+");
    }
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One request path and query: a route on either prefix, usually with a window, and random
/// parameters (names repeated at times).
fn request(rng: &mut Rng) -> String {
    let prefix = if rng.below(2) == 0 { "" } else { "/model" };
    let mut pairs = Vec::new();
    if rng.below(5) != 0 {
        let w = rng_window(rng);
        pairs.push(format!("window={}", encode(rng, w)));
    }
    for _ in 0..rng.below(9) {
        let name = pick(rng, &NAMES);
        let v = value(rng);
        let (k, v) = (encode(rng, name), encode(rng, &v));
        pairs.push(format!("{k}={v}"));
        if rng.below(8) == 0 {
            let again = value(rng);
            pairs.push(format!("{name}={}", encode(rng, &again)));
        }
    }
    if rng.below(20) == 0 {
        pairs.push(pick(rng, &["&&", "=", "==x", "window", "&=&"]).to_string());
    }
    format!("{prefix}{}?{}", pick(rng, &ROUTES), pairs.join("&"))
}

/// A window that mostly finds data, sometimes not.
fn rng_window(rng: &mut Rng) -> &'static str {
    pick(rng, &PLAUSIBLE[..10])
}

/// What one answer must be; `Err` says why not.
fn check(status: u16, ctype: &str, body: &str) -> Result<(), String> {
    match status {
        200 if ctype.starts_with("text/csv") => Ok(()),
        200 => {
            let v: Value = serde_json::from_str(body).map_err(|e| format!("200 not JSON ({e})"))?;
            (v["code"] == 200).then_some(()).ok_or_else(|| "200 without code 200".into())
        }
        400 => {
            let v: Value = serde_json::from_str(body).map_err(|e| format!("400 not JSON ({e}): {body:.200}"))?;
            let message = v["message"].as_str().unwrap_or_default();
            (v["code"] == 400 && message.starts_with("Error: ") && message.len() > 7)
                .then_some(())
                .ok_or_else(|| format!("400 body not OpenCost's error: {body:.200}"))
        }
        other => Err(format!("status {other}: {body:.300}")),
    }
}

#[test]
fn hostile_query_strings_get_200_or_a_json_400_and_never_break_the_server() {
    let seed = std::env::var("COSTSCOPE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let state = Arc::new(ServeState {
        source: dev_shared().clone() as Arc<dyn CostSource>,
        labels: Default::default(),
        ingest: None,
        metrics: Metrics::default(),
        now: || chrono::DateTime::from_timestamp(1_795_219_200, 0).unwrap_or_default(),
        cache: Default::default(),
        migration: None,
    });
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(costscope::serve::serve(listener, router(state, None), std::future::pending()));
        // A hung handler fails the request (and the test) instead of hanging it.
        let client = reqwest::Client::builder()
            .timeout(QUERY_DEADLINE + std::time::Duration::from_secs(10))
            .build()
            .unwrap();
        let mut rng = Rng(seed | 1);
        let (mut ok, mut bad) = (0, 0);
        for i in 0..REQUESTS {
            let path = request(&mut rng);
            let url = format!("{base}{path}");
            let res = client
                .get(&url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("seed {seed} request {i}: {path:.500}: no answer: {:.300}", e.to_string()));
            let status = res.status().as_u16();
            let ctype = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = res.text().await.unwrap_or_default();
            if let Err(why) = check(status, &ctype, &body) {
                panic!("seed {seed} request {i}: {path:.500}: {why}");
            }
            if status == 200 { ok += 1 } else { bad += 1 }
        }
        // Both outcomes occur, so the generator reaches the handlers and their error paths.
        assert!(
            ok > REQUESTS / 10 && bad > REQUESTS / 10,
            "seed {seed}: {ok} answered, {bad} refused"
        );
        let health = client.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status().as_u16(), 200);
    });
}
