//! A test-only `ObjectStore` wrapper that injects the faults real stores show: a listing that
//! stops at a key object_store cannot parse (S3, GCS and Azure lose the rest of the page), and
//! reads that fail a given number of times before they succeed (a flaky network).
#![allow(dead_code)]

use futures::StreamExt;
use futures::stream::BoxStream;
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
    /// A key containing this text stands for one object_store cannot parse: `list` yields an
    /// `InvalidPath` error at it and stops (as the cloud stores do with the rest of the page);
    /// `list_with_delimiter` fails on a level that holds it.
    pub bad_key: Option<String>,
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

fn invalid(key: &str) -> object_store::Error {
    // The error object_store gives for a key with a `..` segment.
    let source = Path::parse(format!("{key}/../x")).unwrap_err();
    object_store::Error::InvalidPath { source }
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

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let bad = self.faults.lock().unwrap().bad_key.clone();
        let inner = self.inner.list(prefix);
        match bad {
            None => inner,
            Some(bad) => inner
                .scan(false, move |stopped, item| {
                    let out = match item {
                        _ if *stopped => None,
                        Ok(m) if m.location.as_ref().contains(&bad) => {
                            *stopped = true;
                            Some(Err(invalid(m.location.as_ref())))
                        }
                        other => Some(other),
                    };
                    futures::future::ready(out)
                })
                .boxed(),
        }
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
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
