//! Reading every ETL object of a bucket for `costscope verify` (docs/audit.md): download, sha256
//! of the bytes as stored, decode, and the facts the checks need (the set's window, its items and
//! their total cost).

use crate::bingen::{self, Item, RootKind};
use crate::bucket::fetch::{DecodeTaskError, FetchError, Fetcher};
use crate::bucket::inventory::{Inventory, Source, WindowObject};
use crate::bucket::keys::{Pipeline, Resolution};
use futures::StreamExt;
use object_store::ObjectStore;
use std::sync::Arc;

/// Objects downloaded at once.
const IN_FLIGHT: usize = 16;

/// One ETL object as read: where it sits (tree, pipeline, resolution, window from its key), its
/// bytes' size, etag and sha256, and what decoding it gave.
#[derive(Clone, Debug)]
pub struct ObjectRecord {
    pub key: String,
    pub source: Source,
    pub pipeline: Pipeline,
    pub resolution: Resolution,
    /// Window named by the key, unix seconds (end exclusive).
    pub start: i64,
    pub end: i64,
    /// Bytes as stored (0 when the download failed).
    pub size: u64,
    pub etag: Option<String>,
    /// Lowercase hex sha256 of the bytes as stored (empty when the download failed).
    pub sha256: String,
    pub decoded: Result<Contents, ReadError>,
}

/// Why an object of a scan was not read; one line (the decoder's has the struct and offset).
#[derive(Clone, Debug, thiserror::Error)]
pub enum ReadError {
    /// The download failed or was refused.
    #[error(transparent)]
    Fetch(Arc<FetchError>),
    /// The bytes do not decode.
    #[error(transparent)]
    Decode(#[from] bingen::DecodeError),
    /// The decode task died.
    #[error(transparent)]
    Task(Arc<DecodeTaskError>),
}

/// What a decoded set holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Contents {
    /// The set's own window, unix seconds; `None` for an open end.
    pub set_start: Option<i64>,
    pub set_end: Option<i64>,
    /// Allocations, assets or cloud costs in the set (nil entries not counted).
    pub items: u64,
    /// Sum of the items' cost, USD: OpenCost `TotalCost()` for allocations and assets, the
    /// amortized net cost (Kubecost's default cloud-cost metric) for cloud costs.
    pub total_cost: f64,
}

/// Download and decode every ETL object of `inv` whose pipeline costscope decodes and whose key
/// window overlaps `window` (unix seconds; `None`: all), in key order, through `fetcher`
/// (`--max-object-size`, a memory budget: `bucket::fetch`).
///
/// Never fails as a whole: a download or decode error, or an object over the limit, is that
/// object's `decoded` error.
pub async fn read_all(store: &dyn ObjectStore, fetcher: &Fetcher, inv: &Inventory, window: Option<(i64, i64)>) -> Vec<ObjectRecord> {
    let mut todo: Vec<(Source, Pipeline, Resolution, WindowObject, RootKind)> = Vec::new();
    for s in &inv.series {
        let Some(kind) = s.pipeline.root_kind() else { continue };
        for f in &s.files {
            if window.is_none_or(|(ws, we)| f.start < we && f.end > ws) {
                todo.push((s.source.clone(), s.pipeline, s.resolution, f.clone(), kind));
            }
        }
    }
    let mut out: Vec<ObjectRecord> = futures::stream::iter(todo)
        .map(|(source, pipeline, resolution, f, kind)| {
            let fetcher = fetcher.clone();
            async move {
                let (size, sha256, decoded) = match fetcher.get(store, &f.object.key, f.object.size).await {
                    Ok(fetched) => {
                        let sha = super::sha256_hex(&fetched.bytes);
                        let n = fetched.bytes.len() as u64;
                        let d = fetcher.decode(move || contents(&fetched.bytes, kind)).await;
                        (n, sha, d.unwrap_or_else(|e| Err(ReadError::Task(Arc::new(e)))))
                    }
                    Err(e) => (0, String::new(), Err(ReadError::Fetch(Arc::new(e)))),
                };
                ObjectRecord {
                    key: f.object.key,
                    source,
                    pipeline,
                    resolution,
                    start: f.start,
                    end: f.end,
                    size,
                    etag: f.object.e_tag,
                    sha256,
                    decoded,
                }
            }
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Decode `bytes` as a `kind` set: its window, items and total cost. Errors: the decoder's
/// (struct, byte offset, expectation).
pub fn contents(bytes: &[u8], kind: RootKind) -> Result<Contents, ReadError> {
    let (mut items, mut total) = (0u64, 0.0f64);
    let decoded = bingen::decode_streaming(bytes, kind, &mut |item| {
        items += 1;
        total += match &item {
            Item::Allocation(_, a) => a.total_cost(),
            Item::Asset(_, a) => a.total_cost(),
            Item::CloudCost(_, c) => c.amortized_net_cost.cost,
        };
    })?;
    let w = decoded.root.set_window();
    Ok(Contents {
        set_start: w.and_then(|w| w.start_unix()),
        set_end: w.and_then(|w| w.end_unix()),
        items,
        total_cost: total,
    })
}
