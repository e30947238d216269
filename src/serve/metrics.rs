//! `/metrics`: Prometheus text exposition (format 0.0.4) of the server's request counts and
//! latency histogram per route, and the background ingest's state (last pass, files, rows).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use crate::progress::{Phase, TaskProgress};

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 30.0];

/// One route's figures: requests by status class, and the latency histogram.
#[derive(Clone, Debug, Default)]
struct RouteFigures {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

/// Request metrics of every route (route pattern → figures).
#[derive(Debug, Default)]
pub struct Metrics(Mutex<BTreeMap<String, RouteFigures>>);

impl Metrics {
    /// Count one request of `route` that answered `status` after `elapsed`.
    pub fn record(&self, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut m) = self.0.lock() else { return };
        let f = m.entry(route.to_string()).or_default();
        *f.by_status.entry(status).or_default() += 1;
        let s = elapsed.as_secs_f64();
        for (i, b) in BUCKETS.iter().enumerate() {
            if s <= *b {
                f.buckets[i] += 1;
            }
        }
        f.count += 1;
        f.sum_seconds += s;
    }

    /// The exposition text: requests and latencies, then the ingest's state when `ingest` is given.
    pub fn render(&self, ingest: Option<&TaskProgress>) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP costscope_http_requests_total HTTP requests answered, by route and status."
        );
        let _ = writeln!(out, "# TYPE costscope_http_requests_total counter");
        let routes = self.0.lock().map(|m| m.clone()).unwrap_or_default();
        for (route, f) in &routes {
            for (status, n) in &f.by_status {
                let _ = writeln!(out, "costscope_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        let _ = writeln!(out, "# HELP costscope_http_request_seconds Time to answer a request, by route.");
        let _ = writeln!(out, "# TYPE costscope_http_request_seconds histogram");
        for (route, f) in &routes {
            for (b, n) in BUCKETS.iter().zip(f.buckets) {
                let _ = writeln!(out, "costscope_http_request_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {n}");
            }
            let _ = writeln!(
                out,
                "costscope_http_request_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                f.count
            );
            let _ = writeln!(out, "costscope_http_request_seconds_sum{{route=\"{route}\"}} {}", f.sum_seconds);
            let _ = writeln!(out, "costscope_http_request_seconds_count{{route=\"{route}\"}} {}", f.count);
        }
        if let Some(p) = ingest {
            let gauge = |out: &mut String, name: &str, help: &str, v: f64| {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
            };
            let last = p.last_run.map_or(0.0, |t| t.timestamp() as f64);
            gauge(
                &mut out,
                "costscope_ingest_last_pass_timestamp_seconds",
                "End of the last ingest pass (unix seconds; 0 before the first).",
                last,
            );
            let lag = p.last_run.map_or(-1.0, |t| (chrono::Utc::now() - t).num_seconds() as f64);
            gauge(
                &mut out,
                "costscope_ingest_lag_seconds",
                "Seconds since the last ingest pass ended (-1 before the first).",
                lag,
            );
            gauge(
                &mut out,
                "costscope_ingest_files_done",
                "Files of the current or last pass handled.",
                p.done as f64,
            );
            gauge(
                &mut out,
                "costscope_ingest_files_unchanged",
                "Files of the last pass unchanged since ingested.",
                p.unchanged as f64,
            );
            gauge(
                &mut out,
                "costscope_ingest_files_failed",
                "Files of the last pass that failed.",
                p.failures.len() as f64,
            );
            gauge(
                &mut out,
                "costscope_ingest_rows",
                "Rows written by the current or last pass.",
                p.rows as f64,
            );
            let running = matches!(p.phase, Phase::Listing | Phase::Running);
            gauge(
                &mut out,
                "costscope_ingest_running",
                "1 while an ingest pass runs.",
                if running { 1.0 } else { 0.0 },
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_counts_add_up() {
        let m = Metrics::default();
        m.record("/allocation", 200, Duration::from_millis(3));
        m.record("/allocation", 200, Duration::from_millis(70));
        m.record("/allocation", 400, Duration::from_millis(2));
        let text = m.render(None);
        assert!(
            text.contains("costscope_http_requests_total{route=\"/allocation\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("costscope_http_request_seconds_bucket{route=\"/allocation\",le=\"0.005\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("costscope_http_request_seconds_bucket{route=\"/allocation\",le=\"0.1\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("costscope_http_request_seconds_count{route=\"/allocation\"} 3"),
            "{text}"
        );
    }
}
