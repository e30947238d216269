//! Listing a store so that one bad object cannot hide the others.
//!
//! object_store refuses keys it cannot represent as a `Path` (`..`, `.`, empty segments, control
//! characters; on a directory store also names that are not UTF-8) and an unreadable folder, and
//! reports each as an error in the listing stream. A directory store keeps listing after such an
//! entry; S3, GCS and Azure lose the rest of the page and stop. [`list`] skips and reports each
//! such entry, and when a listing stopped at one, lists the prefix again folder by folder
//! (`list_with_delimiter`), so only the objects directly beside the bad key can stay unread (and
//! that is reported too). Errors of the store itself (credentials, network, a missing bucket)
//! still fail the listing: treating them as "no objects" would look like every file was deleted.
//! On S3 and GCS the store itself lists past a bad key (`config/paged_list.rs`), so a bad key
//! there, at the cluster level too, costs only its own folder. Each listing request is bounded by
//! the store timeout (`COSTSCOPE_STORE_TIMEOUT`): a listing that hangs fails with a one-line reason
//! naming its prefix. The guarantees are in `docs/reliability.md`.

use crate::format::printable;
use futures::StreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectMeta, ObjectStore};
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

/// What a tolerant listing read, and what it had to skip.
#[derive(Debug, Default)]
pub struct Listing {
    /// Every object listed, each once, in no particular order.
    pub objects: Vec<ObjectMeta>,
    /// One line per skipped entry or unlisted folder, printable (control characters escaped),
    /// e.g. `federated/c1/a\x01b: … illegal character; skipped`.
    pub problems: Vec<String>,
}

/// Whether `e` concerns one entry of a listing (skip it) rather than the store (fail).
fn is_entry_error(e: &object_store::Error) -> bool {
    match e {
        object_store::Error::InvalidPath { .. } | object_store::Error::NotFound { .. } => true,
        // An unreadable folder or entry of a directory store (walkdir); the walk goes on.
        object_store::Error::Generic { store, .. } => *store == "LocalFileSystem",
        _ => false,
    }
}

/// `what` (a listing request under `prefix`) within `timeout`; past it, a store error naming the
/// prefix.
async fn bounded<T>(
    prefix: Option<&ObjPath>,
    timeout: Duration,
    what: impl std::future::Future<Output = T>,
) -> Result<T, object_store::Error> {
    let shown = || prefix.map_or_else(|| "the store's root".to_string(), |p| format!("{}/", printable(p.as_ref())));
    let what = crate::waits::noting(|| format!("listing {}", shown()), tokio::time::timeout(timeout, what));
    what.await.map_err(|_| object_store::Error::Generic {
        store: "costscope",
        source: format!(
            "listing {} gave no answer for {:.1} s (${}); given up",
            shown(),
            timeout.as_secs_f64(),
            crate::config::RETRY_TIMEOUT_ENV
        )
        .into(),
    })
}

/// One `list(prefix)` pass: its objects, its entry errors, and whether it stopped at an error.
async fn one_pass(
    store: &dyn ObjectStore,
    prefix: Option<&ObjPath>,
    timeout: Duration,
    out: &mut Vec<ObjectMeta>,
    problems: &mut BTreeSet<String>,
) -> object_store::Result<bool> {
    let mut stream = store.list(prefix);
    let mut stopped_at_error = false;
    while let Some(item) = bounded(prefix, timeout, stream.next()).await? {
        match item {
            Ok(m) => {
                stopped_at_error = false;
                out.push(m);
            }
            Err(e) if is_entry_error(&e) => {
                stopped_at_error = true;
                problems.insert(format!("{}; skipped", printable(&e.to_string())));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(stopped_at_error)
}

/// List every object under `prefix` (`None`: the whole store), skipping and reporting entries
/// object_store cannot read (see the module docs).
///
/// Errors: the store's own errors (authentication, permissions on the bucket, network after
/// object_store's retries, a missing bucket), as object_store reports them; a listing request
/// that gives nothing within the store timeout (`COSTSCOPE_STORE_TIMEOUT`, 60 s).
pub async fn list(store: &dyn ObjectStore, prefix: Option<&ObjPath>) -> object_store::Result<Listing> {
    list_within(store, prefix, crate::config::retry_timeout()).await
}

/// [`list`] with each listing request (a page, a level) bounded by `timeout` instead of the store
/// timeout.
///
/// Errors: as [`list`].
pub async fn list_within(store: &dyn ObjectStore, prefix: Option<&ObjPath>, timeout: Duration) -> object_store::Result<Listing> {
    let mut objects = Vec::new();
    let mut problems = BTreeSet::new();
    let mut todo = vec![prefix.cloned()];
    while let Some(p) = todo.pop() {
        if !one_pass(store, p.as_ref(), timeout, &mut objects, &mut problems).await? {
            continue;
        }
        // The listing stopped at a bad entry: list this prefix level by level.
        match bounded(p.as_ref(), timeout, store.list_with_delimiter(p.as_ref())).await? {
            Ok(level) => {
                objects.extend(level.objects);
                todo.extend(level.common_prefixes.into_iter().map(Some));
            }
            Err(e) if is_entry_error(&e) => {
                let at = p.as_ref().map_or_else(|| "the store's root".to_string(), |p| format!("{p}/"));
                problems.insert(format!(
                    "{}: listing stopped at a bad entry ({}); objects directly in it may be missing",
                    printable(&at),
                    printable(&e.to_string())
                ));
            }
            Err(e) => return Err(e),
        }
    }
    let mut seen = HashSet::new();
    objects.retain(|m| seen.insert(m.location.clone()));
    Ok(Listing {
        objects,
        problems: problems.into_iter().collect(),
    })
}
