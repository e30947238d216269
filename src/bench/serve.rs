//! The server benchmark (docs/performance.md, "serve"): the ingest benchmark's bucket served by
//! `costscope serve`'s router on a loopback port, driven by `clients` concurrent HTTP clients
//! (reqwest, one connection pool each). Shapes:
//! * **cached page**: `/allocation?aggregate=namespace` over the whole window, the same page again
//!   and again (what a dashboard refresh costs);
//! * **paging by controller**: successive 50-row pages of the controller aggregation;
//! * **paging while a new query runs**: the paging clients again while one more client keeps
//!   asking for a query by controller not seen before (a filter no request had before), so the
//!   paging clients' p99 shows whether a slow query blocks cheap ones.

use std::sync::Arc;
use std::time::Instant;

use color_eyre::eyre::{Result, eyre};
use serde::Serialize;

use super::decode::peak_rss_bytes;
use super::ingest::{percentile, prepare};
use crate::query::CostSource;
use crate::serve::{ServeState, metrics::Metrics};

/// Figures of one request shape: throughput and latency (milliseconds) over every request.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeFigures {
    pub name: String,
    pub requests: usize,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Requests answered with another status than 200 (should be 0).
    pub errors: usize,
}

/// Results of the serve benchmark.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServeBench {
    pub containers_per_day: usize,
    pub days: usize,
    pub rows: u64,
    pub ingest_seconds: f64,
    pub clients: usize,
    pub shapes: Vec<ShapeFigures>,
    /// Cold queries by controller answered while the paging clients ran.
    pub background_queries: usize,
    pub peak_rss_bytes: u64,
}

/// Run `requests` GETs of `url(i)` spread over `clients` concurrent clients; latencies in ms and
/// the number of non-200 answers.
async fn drive(clients: usize, requests: usize, url: Arc<dyn Fn(usize) -> String + Send + Sync>) -> Result<(Vec<f64>, usize, f64)> {
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let url = url.clone();
        let n = requests / clients + usize::from(c < requests % clients);
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut ms = Vec::with_capacity(n);
            let mut errors = 0;
            for i in 0..n {
                let t = Instant::now();
                let ok = match http.get(url(c + i * clients)).send().await {
                    Ok(r) => r.status() == 200 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                errors += usize::from(!ok);
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            (ms, errors)
        }));
    }
    let mut all = Vec::with_capacity(requests);
    let mut errors = 0;
    for t in tasks {
        let (ms, e) = t.await.map_err(|e| eyre!("a client task failed: {e}"))?;
        all.extend(ms);
        errors += e;
    }
    all.sort_by(|a, b| a.total_cmp(b));
    Ok((all, errors, t0.elapsed().as_secs_f64()))
}

fn figures(name: &str, (ms, errors, seconds): (Vec<f64>, usize, f64)) -> ShapeFigures {
    ShapeFigures {
        name: name.to_string(),
        requests: ms.len(),
        requests_per_second: ms.len() as f64 / seconds.max(1e-9),
        p50_ms: percentile(&ms, 0.5),
        p99_ms: percentile(&ms, 0.99),
        errors,
    }
}

/// Run the benchmark in `dir` (the ingest benchmark's bucket): `requests` requests per shape over
/// `clients` clients.
///
/// Errors: the bucket or ingest fails, the server cannot bind a loopback port, a client task dies.
pub async fn serve_bench(dir: &std::path::Path, containers: usize, days: usize, clients: usize, requests: usize) -> Result<ServeBench> {
    let p = prepare(dir, containers, days).await?;
    let state = Arc::new(ServeState {
        source: p.agg.clone() as Arc<dyn CostSource>,
        labels: Default::default(),
        ingest: None,
        metrics: Metrics::default(),
        now: crate::clock::now,
        cache: Default::default(),
        migration: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(crate::serve::serve(listener, crate::serve::router(state, None), async {
        let _ = stop_rx.await;
    }));
    let window = format!("{},{}", p.window.start.timestamp(), p.window.end.timestamp());
    let cached: Arc<dyn Fn(usize) -> String + Send + Sync> = {
        let (b, w) = (base.clone(), window.clone());
        Arc::new(move |_| format!("{b}/allocation?window={w}&aggregate=namespace&accumulate=true&limit=50"))
    };
    let controller_rows = p
        .agg
        .query(&super::allocation_request(p.window, "controller", "")?)?
        .total_rows
        .max(1);
    let paging: Arc<dyn Fn(usize) -> String + Send + Sync> = {
        let (b, w) = (base.clone(), window.clone());
        Arc::new(move |i| {
            let offset = (i * 50) % controller_rows;
            format!("{b}/allocation?window={w}&aggregate=controller&accumulate=true&offset={offset}&limit=50")
        })
    };
    let _ = drive(clients, clients, cached.clone()).await?; // warm the cache and the pools
    let mut shapes = vec![figures(
        "cached page /allocation by namespace",
        drive(clients, requests, cached).await?,
    )];
    shapes.push(figures(
        "paging /allocation by controller",
        drive(clients, requests, paging.clone()).await?,
    ));
    // Paging again, while one more client keeps asking a query by controller not seen before.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let background = {
        let (done, b, w) = (done.clone(), base.clone(), window.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut n = 0usize;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                // A filter no earlier request had: a new query, aggregated from the tables.
                let url =
                    format!("{b}/allocation?window={w}&aggregate=controller&accumulate=true&limit=50&filter=namespace!:%22none-{n}%22");
                if http.get(url).send().await.is_ok() {
                    n += 1;
                }
            }
            n
        })
    };
    let mixed = drive(clients, requests, paging).await?;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    shapes.push(figures("paging by controller while new queries run", mixed));
    let background_queries = background.await.map_err(|e| eyre!("the background client failed: {e}"))?;
    let _ = stop_tx.send(());
    let _ = server.await;
    Ok(ServeBench {
        containers_per_day: containers,
        days,
        rows: p.report.rows,
        ingest_seconds: p.ingest_seconds,
        clients,
        shapes,
        background_queries,
        peak_rss_bytes: peak_rss_bytes(),
    })
}
