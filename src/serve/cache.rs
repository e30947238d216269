//! Answers kept for repeated requests: a dashboard refreshing the same page gets the bytes of the
//! last answer instead of a query. An answer is reused only while the data generation it was
//! computed at is current ([`crate::query::CostSource::data_generation`]: every write and every
//! switch of read copy changes it) and for at most [`TTL`] (relative windows such as `24h` move
//! with the clock). Only successful (200) answers of the cost routes are kept; at most
//! [`MAX_ENTRIES`] answers and [`MAX_BYTES`] bytes, the least recently used dropped first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ServeState;

/// Longest an answer is reused, whatever the data generation.
pub const TTL: Duration = Duration::from_secs(60);
/// Answers kept at once.
pub const MAX_ENTRIES: usize = 512;
/// Bytes of answers kept at once (an answer larger than a quarter of this is not kept).
pub const MAX_BYTES: usize = 64 << 20;

/// One kept answer.
struct Entry {
    generation: u64,
    at: Instant,
    used: u64,
    content_type: Option<HeaderValue>,
    body: Bytes,
}

/// The kept answers, by request path and query string.
#[derive(Default)]
pub struct ResponseCache {
    inner: Mutex<CacheState>,
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<String, Entry>,
    bytes: usize,
    clock: u64,
}

impl ResponseCache {
    /// The answer kept for `key` at `generation`, if still fresh.
    fn get(&self, key: &str, generation: u64) -> Option<(Option<HeaderValue>, Bytes)> {
        let mut st = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        st.clock += 1;
        let clock = st.clock;
        let e = st.entries.get_mut(key)?;
        if e.generation != generation || e.at.elapsed() > TTL {
            return None;
        }
        e.used = clock;
        Some((e.content_type.clone(), e.body.clone()))
    }

    /// Keep `body` for `key`, computed at `generation`.
    fn put(&self, key: String, generation: u64, content_type: Option<HeaderValue>, body: Bytes) {
        if body.len() > MAX_BYTES / 4 {
            return;
        }
        let mut st = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        st.clock += 1;
        let used = st.clock;
        if let Some(old) = st.entries.remove(&key) {
            st.bytes -= old.body.len();
        }
        while st.entries.len() >= MAX_ENTRIES || st.bytes + body.len() > MAX_BYTES {
            let Some(oldest) = st.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) else {
                break;
            };
            if let Some(e) = st.entries.remove(&oldest) {
                st.bytes -= e.body.len();
            }
        }
        st.bytes += body.len();
        st.entries.insert(
            key,
            Entry {
                generation,
                at: Instant::now(),
                used,
                content_type,
                body,
            },
        );
    }
}

/// Routes whose answers describe the server itself, never kept.
fn uncached(path: &str) -> bool {
    ["/healthz", "/metrics", "/costscope/pipeline", "/costscope/migration"]
        .iter()
        .any(|p| path.ends_with(p))
}

/// Middleware: answer from the cache when a fresh answer is kept, else run the route and keep
/// its answer when it is a 200. Answers are kept per API generation (`flavor`): inside `/model`
/// the path is seen without its prefix, and the two generations' defaults differ.
pub async fn reuse(
    State((state, flavor)): State<(std::sync::Arc<ServeState>, super::params::Flavor)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if uncached(&path) {
        return next.run(req).await;
    }
    let key = format!("{flavor:?} {path}?{}", req.uri().query().unwrap_or(""));
    let generation = state.source.data_generation();
    if let Some((ctype, body)) = state.cache.get(&key, generation) {
        let mut res = Body::from(body).into_response();
        if let Some(c) = ctype {
            res.headers_mut().insert(header::CONTENT_TYPE, c);
        }
        return res;
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, MAX_BYTES).await {
        Ok(bytes) => {
            state
                .cache
                .put(key, generation, parts.headers.get(header::CONTENT_TYPE).cloned(), bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => super::ApiError::Task(format!("the answer could not be read: {e}")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_reused_only_at_the_same_generation_and_the_oldest_go_first() {
        let c = ResponseCache::default();
        c.put("a".into(), 1, None, Bytes::from_static(b"x"));
        assert!(c.get("a", 1).is_some());
        assert!(c.get("a", 2).is_none(), "a write since");
        for i in 0..MAX_ENTRIES {
            c.put(format!("k{i}"), 1, None, Bytes::from_static(b"y"));
        }
        assert!(c.get("a", 1).is_none(), "the least recently used went");
        assert!(c.get(&format!("k{}", MAX_ENTRIES - 1), 1).is_some());
    }
}
