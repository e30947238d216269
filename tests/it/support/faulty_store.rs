//! A test-only `ObjectStore` wrapper that injects the faults real stores show: a key object_store
//! cannot parse, which fails the whole listing page holding it as S3, GCS and Azure do (`list`
//! ends there; `list_with_delimiter` fails when its level holds it; the paginated API fails the
//! page, naming the key), reads that fail a given number of times before they succeed (a flaky
//! network), and listings that hang.
#![allow(dead_code)]

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use object_store::list::{PaginatedListOptions, PaginatedListResult, PaginatedListStore};
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, Result,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Faults of a [`FaultyStore`].
#[derive(Default)]
pub struct Faults {
    /// A key containing this text stands for one object_store cannot parse: the listing page
    /// holding it fails with an `InvalidPath` error naming it and `list` stops there (keys of that
    /// page before it are lost too, as on the cloud stores); `list_with_delimiter` fails on a
    /// level that holds it.
    pub bad_key: Option<String>,
    /// Keys per listing page (0: 1000, S3's).
    pub page_keys: usize,
    /// Listing requests never answer.
    pub hang_lists: bool,
    /// Key substring → how many more `get`s of matching keys fail with a transient error.
    pub failing_gets: HashMap<String, usize>,
}

/// The wrapper.
#[derive(Debug)]
pub struct FaultyStore {
    pub inner: Arc<dyn ObjectStore>,
    pub faults: Arc<Mutex<Faults>>,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Faults")
    }
}

impl std::fmt::Display for FaultyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FaultyStore({})", self.inner)
    }
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> FaultyStore {
        FaultyStore {
            inner,
            faults: Arc::new(Mutex::new(Faults::default())),
        }
    }
}

/// The error object_store gives for a page holding `key` (as for a key with a `..` segment).
fn invalid(key: &str) -> object_store::Error {
    let source = object_store::path::PathPart::parse("..").unwrap_err();
    object_store::Error::InvalidPath {
        source: object_store::path::Error::BadSegment {
            path: key.to_string(),
            source,
        },
    }
}

impl FaultyStore {
    fn page_keys(&self) -> usize {
        match self.faults.lock().unwrap().page_keys {
            0 => 1000,
            n => n,
        }
    }

    /// Every object of the inner store, sorted by key.
    async fn all(&self) -> Result<Vec<ObjectMeta>> {
        let mut v: Vec<ObjectMeta> = self.inner.list(None).try_collect().await?;
        v.sort_by(|a, b| a.location.cmp(&b.location));
        Ok(v)
    }

    async fn hang_if_asked(&self) {
        if self.faults.lock().unwrap().hang_lists {
            futures::future::pending::<()>().await;
        }
    }
}

#[async_trait::async_trait]
impl PaginatedListStore for FaultyStore {
    /// S3's `ListObjectsV2`: keys under `prefix` after `offset` (or the page token, the last key
    /// of the previous page), grouped at `/` with a delimiter, at most `max_keys` entries.
    async fn list_paginated(&self, prefix: Option<&str>, opts: PaginatedListOptions) -> Result<PaginatedListResult> {
        self.hang_if_asked().await;
        let prefix = prefix.unwrap_or("");
        let after = opts.page_token.or(opts.offset).unwrap_or_default();
        let delim = opts.delimiter.is_some();
        // Entries in key order: (name, object or folder).
        let mut entries: Vec<(String, Option<ObjectMeta>)> = Vec::new();
        for m in self.all().await? {
            let key = m.location.to_string();
            if key.as_str() <= after.as_str() {
                continue;
            }
            let Some(rest) = key.strip_prefix(prefix) else { continue };
            let name = match rest.find('/') {
                Some(i) if delim => format!("{prefix}{}", &rest[..=i]),
                _ => key.clone(),
            };
            if entries.last().is_some_and(|(last, _)| *last == name) {
                continue;
            }
            let object = (!name.ends_with('/')).then_some(m);
            entries.push((name, object));
        }
        let max = opts.max_keys.unwrap_or(1000).min(self.page_keys());
        let more = entries.len() > max;
        entries.truncate(max);
        let bad = self.faults.lock().unwrap().bad_key.clone();
        if let Some(bad) = bad
            && let Some((k, _)) = entries.iter().find(|(k, _)| k.contains(&bad))
        {
            return Err(invalid(k));
        }
        // A folder's token is past its keys (they would group into it again).
        let token = more
            .then(|| {
                entries
                    .last()
                    .map(|(k, m)| if m.is_some() { k.clone() } else { format!("{k}\u{10FFFF}") })
            })
            .flatten();
        let mut result = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
            extensions: Default::default(),
        };
        for (name, m) in entries {
            match m {
                Some(m) => result.objects.push(m),
                None => result.common_prefixes.push(Path::parse(&name).unwrap()),
            }
        }
        Ok(PaginatedListResult { result, page_token: token })
    }
}

#[async_trait::async_trait]
impl ObjectStore for FaultyStore {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let fail = {
            let mut f = self.faults.lock().unwrap();
            let hit = f
                .failing_gets
                .iter_mut()
                .find(|(k, n)| location.as_ref().contains(k.as_str()) && **n > 0);
            hit.map(|(_, n)| *n -= 1).is_some()
        };
        if fail {
            return Err(object_store::Error::Generic {
                store: "FaultyStore",
                source: format!("connection reset while reading {location}").into(),
            });
        }
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    /// Pages of [`Faults::page_keys`] keys; the page holding the bad key fails and ends the
    /// listing (its earlier keys are lost with it).
    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let (bad, hang) = {
            let f = self.faults.lock().unwrap();
            (f.bad_key.clone(), f.hang_lists)
        };
        let page = self.page_keys();
        let inner = self.inner.list(prefix);
        futures::stream::once(async move {
            if hang {
                futures::future::pending::<()>().await;
            }
            let mut all: Vec<Result<ObjectMeta>> = inner.collect().await;
            all.sort_by(|a, b| match (a, b) {
                (Ok(a), Ok(b)) => a.location.cmp(&b.location),
                _ => std::cmp::Ordering::Equal,
            });
            let mut out = Vec::new();
            for chunk in all.chunks(page) {
                let bad_here = chunk.iter().find_map(|r| match (r, &bad) {
                    (Ok(m), Some(bad)) if m.location.as_ref().contains(bad.as_str()) => Some(m.location.to_string()),
                    _ => None,
                });
                if let Some(k) = bad_here {
                    out.push(Err(invalid(&k)));
                    break;
                }
                out.extend(chunk.iter().map(|r| match r {
                    Ok(m) => Ok(m.clone()),
                    Err(e) => Err(object_store::Error::Generic {
                        store: "FaultyStore",
                        source: e.to_string().into(),
                    }),
                }));
            }
            futures::stream::iter(out)
        })
        .flatten()
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.hang_if_asked().await;
        let r = self.inner.list_with_delimiter(prefix).await?;
        let bad = self.faults.lock().unwrap().bad_key.clone();
        if let Some(bad) = bad {
            let at_this_level = r
                .objects
                .iter()
                .map(|o| o.location.as_ref())
                .chain(r.common_prefixes.iter().map(|p| p.as_ref()));
            if let Some(k) = at_this_level.into_iter().find(|k| k.contains(&bad)) {
                return Err(invalid(k));
            }
        }
        Ok(r)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
