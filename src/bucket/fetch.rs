//! Bounded reads of whole objects for the commands that decode what they list besides the
//! ingest — `verify`, `export` and the migration scan (docs/reliability.md, "Memory"):
//!
//! * an object listed larger than `--max-object-size` is refused unread, and a body that grows
//!   past it while it streams (a store that under-reports) is cut off there;
//! * the downloads in flight together hold at most [`FETCH_BUDGET_BYTES`] of listed size (an
//!   object larger than the budget takes all of it and runs alone), and the bytes stay counted
//!   until the caller drops the [`Fetched`] (after decoding them);
//! * decodes run [`DECODES_AT_ONCE`] at a time ([`Fetcher::decode`]): a gzip-wrapped set may
//!   inflate to `bingen::MAX_INFLATED_BYTES`, so this bounds what inflating can hold.
//!
//! The ingest has its own budget, shaped by its write groups (`aggregator::ingest`).

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use futures::StreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Listed bytes all reads of one [`Fetcher`] may hold at once (256 MiB).
pub const FETCH_BUDGET_BYTES: u64 = 256 << 20;

/// Decodes (inflate included) of one [`Fetcher`] running at once.
pub const DECODES_AT_ONCE: usize = 2;

/// Bytes per budget permit (1 MiB).
const PERMIT_BYTES: u64 = 1 << 20;

/// How long one object may take to arrive, answer and body together: the store deadline
/// (`COSTSCOPE_STORE_TIMEOUT`, 60 s by default) plus one second per MiB listed. A body that
/// trickles or stalls is given up on there (issue 35: a stalled body kept a pass waiting for
/// 900 s). Used by every whole-object read: ingest, verify, export, the migration scan.
pub fn object_deadline(listed_size: u64) -> std::time::Duration {
    crate::config::retry_timeout() + std::time::Duration::from_secs(listed_size.div_ceil(PERMIT_BYTES))
}

/// Run `read` (a GET of `key` and its body) within [`object_deadline`] of `listed_size`; past it,
/// a store error that says how long it waited. A CLI pass says what it waits for after 3 s plus
/// 1 s per 10 MiB listed ([`crate::waits`]).
///
/// Errors: `read`'s, or the deadline's (`object_store::Error::Generic`).
pub async fn within_deadline<T>(
    key: &str,
    listed_size: u64,
    read: impl std::future::Future<Output = Result<T, object_store::Error>>,
) -> Result<T, object_store::Error> {
    // Said after 3 s plus 1 s per 10 MiB listed (a large object may take that long at 10 MiB/s).
    let after = crate::waits::NOTE_AFTER + std::time::Duration::from_secs(listed_size / (10 << 20));
    let what = || format!("reading {}", crate::format::printable(key));
    crate::waits::noting_after(after, what, within(object_deadline(listed_size), read)).await
}

/// [`within_deadline`] with the deadline given.
async fn within<T>(
    deadline: std::time::Duration,
    read: impl std::future::Future<Output = Result<T, object_store::Error>>,
) -> Result<T, object_store::Error> {
    match tokio::time::timeout(deadline, read).await {
        Ok(r) => r,
        Err(_) => Err(object_store::Error::Generic {
            store: "costscope",
            source: format!(
                "no complete answer within {:.0} s (COSTSCOPE_STORE_TIMEOUT plus 1 s per MiB); given up",
                deadline.as_secs_f64()
            )
            .into(),
        }),
    }
}

/// Why an object was not read.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The key does not parse as an object path.
    #[error("bad key: {0}")]
    BadKey(#[source] object_store::path::Error),
    /// The object is (or grew while streaming) larger than `--max-object-size`.
    #[error("the object is {size} bytes, over the limit of {max} (--max-object-size); not read")]
    TooLarge {
        /// Bytes listed, or read before the cut.
        size: u64,
        /// The limit, bytes.
        max: u64,
    },
    /// The store failed (network, permissions, a vanished object).
    #[error("download failed: {0}")]
    Store(#[source] object_store::Error),
}

/// Why a decode task of [`Fetcher::decode`] gave no result.
#[derive(Debug, thiserror::Error)]
pub enum DecodeTaskError {
    /// The decode slots were closed (the fetcher is going away).
    #[error("{0}")]
    Closed(#[from] tokio::sync::AcquireError),
    /// The task panicked or was cancelled.
    #[error("decode task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// An object's bytes, holding their share of the budget until dropped.
pub struct Fetched {
    /// The bytes as stored.
    pub bytes: Bytes,
    _permit: Option<OwnedSemaphorePermit>,
}

/// Reads whole objects within the limits above. Cheap to clone; clones share the budget.
#[derive(Clone)]
pub struct Fetcher {
    max_object_bytes: u64,
    budget: Arc<Semaphore>,
    decodes: Arc<Semaphore>,
}

impl Fetcher {
    /// A fetcher refusing objects over `max_object_bytes` (`--max-object-size`).
    pub fn new(max_object_bytes: u64) -> Fetcher {
        Fetcher {
            max_object_bytes,
            budget: Arc::new(Semaphore::new((FETCH_BUDGET_BYTES / PERMIT_BYTES) as usize)),
            decodes: Arc::new(Semaphore::new(DECODES_AT_ONCE)),
        }
    }

    /// The whole object `key` of `store`, listed at `listed_size` bytes.
    ///
    /// Errors: [`FetchError`] — a bad key, an object over the limit (listed or streamed), a
    /// store failure.
    pub async fn get(&self, store: &dyn ObjectStore, key: &str, listed_size: u64) -> Result<Fetched, FetchError> {
        let max = self.max_object_bytes;
        if listed_size > max {
            return Err(FetchError::TooLarge { size: listed_size, max });
        }
        let path = ObjPath::parse(key).map_err(FetchError::BadKey)?;
        let wanted = listed_size.div_ceil(PERMIT_BYTES).clamp(1, FETCH_BUDGET_BYTES / PERMIT_BYTES) as u32;
        let permit = self.budget.clone().acquire_many_owned(wanted).await.ok();
        let read = async {
            let got = store.get(&path).await?;
            let mut body = got.into_stream();
            // The listed size is a hint: a store may under- or over-report.
            let mut buf = BytesMut::with_capacity(listed_size.min(max).min(64 << 20) as usize);
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                let size = buf.len() as u64 + chunk.len() as u64;
                if size > max {
                    return Ok(Err(FetchError::TooLarge { size, max }));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Ok(buf))
        };
        let buf = within_deadline(key, listed_size, read).await.map_err(FetchError::Store)??;
        Ok(Fetched {
            bytes: buf.freeze(),
            _permit: permit,
        })
    }

    /// Run `decode` on a blocking thread, at most [`DECODES_AT_ONCE`] at a time.
    ///
    /// Errors: the task panicked or was cancelled.
    pub async fn decode<T: Send + 'static>(&self, decode: impl FnOnce() -> T + Send + 'static) -> Result<T, DecodeTaskError> {
        let _slot = self.decodes.acquire().await?;
        Ok(tokio::task::spawn_blocking(decode).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::PutPayload;
    use object_store::memory::InMemory;

    #[tokio::test]
    async fn objects_over_the_limit_are_refused_listed_or_streamed() {
        let store = Arc::new(InMemory::new());
        let key = ObjPath::from("federated/c/etl/bingen/allocations/1d/0-86400");
        store.put(&key, PutPayload::from(vec![7u8; 4096])).await.unwrap();
        let f = Fetcher::new(1024);
        // Listed larger than the limit: refused before any byte is read.
        assert!(matches!(
            f.get(&*store, key.as_ref(), 4096).await,
            Err(FetchError::TooLarge { size: 4096, max: 1024 })
        ));
        // Listed small (a store that under-reports), larger while streaming: cut off.
        assert!(matches!(
            f.get(&*store, key.as_ref(), 10).await,
            Err(FetchError::TooLarge { max: 1024, .. })
        ));
        let ok = Fetcher::new(1 << 20).get(&*store, key.as_ref(), 4096).await.unwrap();
        assert_eq!(ok.bytes.len(), 4096);
    }

    /// A body that never arrives is given up on at the deadline, with a message that says so.
    #[tokio::test]
    async fn a_stalled_body_is_given_up_on_at_the_deadline() {
        let stalled = async {
            let body = futures::stream::pending::<Result<Bytes, object_store::Error>>();
            futures::pin_mut!(body);
            body.next().await.transpose().map(|_| ())
        };
        let t = std::time::Instant::now();
        let err = within(std::time::Duration::from_millis(200), stalled).await.unwrap_err();
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        assert!(err.to_string().contains("no complete answer within"), "{err}");
        // The default: the store deadline plus a second per MiB listed.
        assert_eq!(
            object_deadline(10 << 20),
            crate::config::retry_timeout() + std::time::Duration::from_secs(10)
        );
    }

    /// The budget is held until the bytes are dropped: a second read of a budget-sized object
    /// waits for the first to be released.
    #[tokio::test]
    async fn the_budget_is_held_while_the_bytes_live() {
        let store = Arc::new(InMemory::new());
        let key = ObjPath::from("k");
        store.put(&key, PutPayload::from(vec![1u8; 16])).await.unwrap();
        let f = Fetcher::new(1 << 30);
        let first = f.get(&*store, "k", FETCH_BUDGET_BYTES).await.unwrap();
        let second = tokio::time::timeout(std::time::Duration::from_millis(200), f.get(&*store, "k", FETCH_BUDGET_BYTES)).await;
        assert!(second.is_err(), "waits while the first holds the whole budget");
        drop(first);
        assert!(f.get(&*store, "k", FETCH_BUDGET_BYTES).await.is_ok());
    }
}
