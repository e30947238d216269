//! Listing S3 and GCS page by page so that a key object_store cannot parse costs only its own
//! folder (issue 35 item 3; docs/reliability.md, "Bad objects and listings").
//!
//! object_store parses every key of a listing page as a `Path` and fails the whole page at the
//! first it cannot (`..`, `.`, `//`, control characters), and its `list` ends there. At the
//! cluster level (`federated/../x`) that hid every cluster: the per-folder re-listing of
//! `bucket/listing.rs` fails too, since the `federated/` level itself holds the bad entry.
//! [`PagedList`] lists through the stores' own paginated API (`start-after`, `max-keys`) instead:
//! when a page fails, the same range is asked again in halves down to a single key, every good key
//! before the bad one is yielded, the bad one is yielded as an `InvalidPath` error (the listing
//! reports and skips it), and the listing resumes after the bad key's folder, whose every key
//! holds the same bad segment.

use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::path::{Path, PathPart};
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, Result,
};
use std::sync::Arc;

/// Keys asked for per page (S3's and GCS's largest page).
pub const PAGE_KEYS: usize = 1000;

/// A store whose listings skip keys object_store cannot parse instead of ending at them (see the
/// module docs). Everything else is the inner store's.
#[derive(Debug)]
pub struct PagedList<T> {
    inner: Arc<T>,
}

impl<T> PagedList<T> {
    /// Wrap `inner`.
    pub fn new(inner: T) -> PagedList<T> {
        PagedList { inner: Arc::new(inner) }
    }
}

impl<T: std::fmt::Display> std::fmt::Display for PagedList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

/// The key a listing page failed on, when object_store says which (its `Path::parse` error).
pub fn bad_key(e: &object_store::Error) -> Option<&str> {
    use object_store::path::Error as P;
    match e {
        object_store::Error::InvalidPath {
            source: P::BadSegment { path, .. } | P::EmptySegment { path },
        } => Some(path),
        _ => None,
    }
}

/// Where a listing resumes after the bad key `key` (listed under `prefix`, which ends with `/` or
/// is empty): past the whole folder of the first segment object_store cannot parse, since every
/// key in it has that segment too; when no segment is bad (a key refused for another reason), past
/// the key itself. A folder (`…/`) is passed with `U+10FFFF`, the greatest character.
pub fn resume_after(prefix: &str, key: &str) -> String {
    let (mut end, rest) = match key.strip_prefix(prefix) {
        Some(rest) => (prefix.len(), rest),
        None => (0, key),
    };
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        end += seg.len();
        let last = i + 1 == segments.len();
        if !last && (seg.is_empty() || PathPart::parse(seg).is_err()) {
            return format!("{}/\u{10FFFF}", &key[..end]);
        }
        end += 1;
    }
    if key.ends_with('/') {
        format!("{key}\u{10FFFF}")
    } else {
        key.to_string()
    }
}

/// One listing walking pages: where it is and how large a page it asks for.
struct Cursor<T> {
    inner: Arc<T>,
    /// `prefix/` as the paginated API takes it (`None`: the whole store).
    prefix: Option<String>,
    delimiter: bool,
    /// The last key or folder yielded (resume point after a failed page).
    offset: Option<String>,
    token: Option<String>,
    keys: usize,
    done: bool,
}

/// What the next request gave: a page, or a bad key to report (with object_store's error).
enum Step {
    Page(ListResult),
    Bad(object_store::Error),
}

impl<T: PaginatedListStore> Cursor<T> {
    fn new(inner: Arc<T>, prefix: Option<&Path>, offset: Option<&Path>, delimiter: bool) -> Self {
        let prefix = prefix.map(|p| p.as_ref()).filter(|p| !p.is_empty()).map(|p| format!("{p}/"));
        Cursor {
            inner,
            prefix,
            delimiter,
            offset: offset.map(|o| o.to_string()),
            token: None,
            keys: PAGE_KEYS,
            done: false,
        }
    }

    /// The next page, or `None` at the end. A failed page is asked again in halves until the
    /// bad key is alone ([`Step::Bad`]); then the cursor resumes past its folder.
    ///
    /// Errors: the store's own (network, permissions), and a failed page that names no key.
    async fn next(&mut self) -> Option<Result<Step>> {
        loop {
            if self.done {
                return None;
            }
            let opts = PaginatedListOptions {
                offset: if self.token.is_some() { None } else { self.offset.clone() },
                delimiter: self.delimiter.then_some("/".into()),
                max_keys: Some(self.keys),
                page_token: self.token.clone(),
                ..Default::default()
            };
            match self.inner.list_paginated(self.prefix.as_deref(), opts).await {
                Ok(page) => {
                    let last_object = page.result.objects.iter().map(|o| o.location.to_string()).max();
                    let last_folder = page.result.common_prefixes.iter().map(|p| format!("{p}/\u{10FFFF}")).max();
                    if let Some(last) = last_object.into_iter().chain(last_folder).max() {
                        self.offset = Some(last);
                    }
                    self.token = page.page_token;
                    self.done = self.token.is_none();
                    return Some(Ok(Step::Page(page.result)));
                }
                Err(e) => {
                    let Some(key) = bad_key(&e).map(str::to_string) else {
                        self.done = true;
                        return Some(Err(e));
                    };
                    self.token = None;
                    if self.keys > 1 {
                        self.keys /= 2;
                        continue;
                    }
                    // The page of one key failed: that key is the bad one. A store that names a key
                    // the listing is already past would make no progress: end with its error.
                    let next = resume_after(self.prefix.as_deref().unwrap_or(""), &key);
                    if self.offset.as_deref().is_some_and(|o| next.as_str() <= o) {
                        self.done = true;
                        return Some(Err(e));
                    }
                    self.offset = Some(next);
                    self.keys = PAGE_KEYS;
                    return Some(Ok(Step::Bad(e)));
                }
            }
        }
    }
}

impl<T: ObjectStore + PaginatedListStore> PagedList<T> {
    /// The objects under `prefix` after `offset`, each bad key as an `InvalidPath` error.
    fn list_from(&self, prefix: Option<&Path>, offset: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let cursor = Cursor::new(self.inner.clone(), prefix, offset, false);
        futures::stream::unfold(cursor, |mut c| async move {
            let items: Vec<Result<ObjectMeta>> = match c.next().await? {
                Ok(Step::Page(p)) => p.objects.into_iter().map(Ok).collect(),
                Ok(Step::Bad(e)) | Err(e) => vec![Err(e)],
            };
            Some((futures::stream::iter(items), c))
        })
        .flatten()
        .boxed()
    }
}

#[async_trait::async_trait]
impl<T: ObjectStore + PaginatedListStore> ObjectStore for PagedList<T> {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    async fn get_ranges(&self, location: &Path, ranges: &[std::ops::Range<u64>]) -> Result<Vec<bytes::Bytes>> {
        self.inner.get_ranges(location, ranges).await
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.list_from(prefix, None)
    }

    fn list_with_offset(&self, prefix: Option<&Path>, offset: &Path) -> BoxStream<'static, Result<ObjectMeta>> {
        self.list_from(prefix, Some(offset))
    }

    /// One level; a bad entry is left out (its `list` reports it).
    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let mut c = Cursor::new(self.inner.clone(), prefix, None, true);
        let mut out = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
            extensions: Default::default(),
        };
        while let Some(step) = c.next().await {
            match step? {
                Step::Page(p) => {
                    out.common_prefixes.extend(p.common_prefixes);
                    out.objects.extend(p.objects);
                }
                Step::Bad(e) => tracing::warn!(error = %e, "listing: left out a bad entry"),
            }
        }
        Ok(out)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: object_store::RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::resume_after;

    /// A listing resumes past the bad segment's folder, or past the key when the bad segment is
    /// its name.
    #[test]
    fn resumes_past_the_bad_folder() {
        let p = "federated/";
        assert_eq!(resume_after(p, "federated/../escape/x"), "federated/../\u{10FFFF}");
        assert_eq!(
            resume_after(p, "federated/bad\u{1}cluster/etl/x"),
            "federated/bad\u{1}cluster/\u{10FFFF}"
        );
        assert_eq!(resume_after(p, "federated//x"), "federated//\u{10FFFF}");
        assert_eq!(resume_after(p, "federated/c1/a\u{1}b"), "federated/c1/a\u{1}b");
        assert_eq!(resume_after(p, "federated/../"), "federated/../\u{10FFFF}");
        assert_eq!(resume_after("", "a/./b"), "a/./\u{10FFFF}");
        assert_eq!(resume_after(p, "federated/c1/x"), "federated/c1/x");
    }
}
