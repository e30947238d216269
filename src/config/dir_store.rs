//! The FILESYSTEM store: object_store's `LocalFileSystem` with a listing that survives bad
//! entries.
//!
//! `LocalFileSystem` ends a listing at the first entry it cannot turn into a key (a name that is
//! not UTF-8 or holds a control character, an unreadable folder), so one such file hid every
//! cluster. [`DirStore`] walks the directory itself: it yields each bad entry as an error and goes
//! on, and lists the rest exactly as `LocalFileSystem` does (same keys, sizes, modification times
//! and ETags, and `<name>#<digits>` staging files of interrupted writes left out; those are found
//! by [`staging_files`]). Reads and writes go to `LocalFileSystem` unchanged.
//!
//! Unlike `LocalFileSystem` (walkdir following every link), the walk follows a symlink only to a
//! file or folder inside the store's directory, lists each folder once (so `ln -s . federated/a`
//! cannot make it endless), and never opens a FIFO, socket or device (reading one would block or
//! never end): each such entry is skipped and named like a bad key.
//! `docs/reliability.md` lists what this guarantees.

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload,
    PutResult, Result,
};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// A directory as an object store (see the module docs).
#[derive(Debug)]
pub struct DirStore {
    inner: LocalFileSystem,
    root: PathBuf,
}

impl DirStore {
    /// The store over `root` (an existing directory; canonicalized).
    ///
    /// Errors: `root` cannot be opened by `LocalFileSystem`.
    pub fn new(root: &std::path::Path) -> Result<DirStore> {
        let inner = LocalFileSystem::new_with_prefix(root)?;
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Ok(DirStore { inner, root })
    }
}

impl std::fmt::Display for DirStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DirStore({})", self.root.display())
    }
}

/// Whether a file name is `LocalFileSystem`'s staging name of a write in progress (`<name>#<n>`).
fn is_staging(name: &str) -> bool {
    name.rsplit_once('#')
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn entry_error(message: String) -> object_store::Error {
    object_store::Error::Generic {
        store: "LocalFileSystem",
        source: message.into(),
    }
}

/// `LocalFileSystem`'s ETag for a file: inode, modification time (µs) and size, in hex.
fn etag(md: &std::fs::Metadata) -> String {
    let mtime = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .unwrap_or_default()
        .as_micros();
    format!("\"{:x}-{mtime:x}-{:x}\"", md.ino(), md.len())
}

/// One listed entry: a file's metadata or a bad entry's error; `Dir` for a sub-folder key.
enum Entry {
    File(ObjectMeta),
    Dir(Path),
}

/// What a special file is, for the message that skips it.
fn special_kind(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// The metadata of what the symlink at `path` points to, when that is inside `root` (canonical).
///
/// Errors: the reason the link is not followed (it points outside the store, to nothing, or
/// through a loop of links).
fn follow_link(root: &std::path::Path, path: &std::path::Path) -> std::result::Result<std::fs::Metadata, LinkError> {
    // A loop of links fails here with ELOOP ("Too many levels of symbolic links").
    let target = std::fs::canonicalize(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LinkError::Dangling,
        _ => LinkError::Unresolved(e),
    })?;
    if !target.starts_with(root) {
        return Err(LinkError::Outside);
    }
    std::fs::metadata(&target).map_err(LinkError::Unreadable)
}

/// Why a symlink in a directory store is not followed.
#[derive(Debug, thiserror::Error)]
enum LinkError {
    /// It points to nothing.
    #[error("a symlink to nothing")]
    Dangling,
    /// It cannot be resolved (a loop of links, permissions).
    #[error("a symlink that cannot be resolved ({0}); not followed")]
    Unresolved(#[source] std::io::Error),
    /// It points outside the store's directory.
    #[error("a symlink to outside the store's directory; not followed")]
    Outside,
    /// Its target cannot be read.
    #[error("a symlink whose target cannot be read ({0})")]
    Unreadable(#[source] std::io::Error),
}

/// A folder's identity (device, inode): a folder reached a second time (through a symlink loop or
/// a second link to it) is not listed again.
fn dir_id(md: &std::fs::Metadata) -> (u64, u64) {
    (md.dev(), md.ino())
}

/// Walk `root/<prefix>` (every level when `recursive`, else one), in name order. Symlinks are
/// followed only to files and folders inside `root`, and a folder only once (real folders first,
/// then those reached through a symlink), so loops end; FIFOs, sockets and devices are never
/// opened. Each entry skipped is an error naming it; the walk goes on past it
/// (docs/reliability.md, "Bad objects and listings").
fn walk(root: &std::path::Path, prefix: Option<&Path>, recursive: bool) -> Vec<Result<Entry>> {
    let start = prefix.map_or_else(String::new, |p| p.as_ref().to_string());
    let mut out = Vec::new();
    let start_dir = if start.is_empty() { root.to_path_buf() } else { root.join(&start) };
    let mut visited = std::collections::HashSet::new();
    match std::fs::canonicalize(&start_dir) {
        Ok(c) if !c.starts_with(root) => {
            out.push(Err(entry_error(format!(
                "{start}: outside the store's directory (a symlink); not listed"
            ))));
            return out;
        }
        Ok(c) => {
            if let Ok(md) = std::fs::metadata(c) {
                visited.insert(dir_id(&md));
            }
        }
        Err(_) => {}
    }
    let mut todo = vec![start];
    // Folders reached through a symlink: taken once every real folder has been seen.
    let mut linked: Vec<(Path, (u64, u64))> = Vec::new();
    loop {
        let rel = match todo.pop() {
            Some(rel) => rel,
            None => match linked.pop() {
                None => break,
                Some((key, id)) if !visited.insert(id) => {
                    out.push(Err(entry_error(format!(
                        "{key}: a symlink to a folder listed already (a loop, or a second path to it); not followed"
                    ))));
                    continue;
                }
                Some((key, _)) if !recursive => {
                    out.push(Ok(Entry::Dir(key)));
                    continue;
                }
                Some((key, _)) => key.as_ref().to_string(),
            },
        };
        let dir = if rel.is_empty() { root.to_path_buf() } else { root.join(&rel) };
        let mut names = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(|e| e.ok()).collect::<Vec<_>>(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                out.push(Err(entry_error(format!("folder {rel:?} cannot be read: {e}"))));
                continue;
            }
        };
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let Some(name) = e.file_name().to_str().map(str::to_string) else {
                let lossy = e.file_name().to_string_lossy().into_owned();
                out.push(Err(entry_error(format!("{rel}/{lossy:?}: the name is not UTF-8"))));
                continue;
            };
            let key = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            // Never follows a link by itself: symlinks are resolved and checked below.
            let Ok(lmd) = std::fs::symlink_metadata(e.path()) else {
                continue; // gone since the folder was read: not an object
            };
            let via_link = lmd.file_type().is_symlink();
            let md = if via_link {
                match follow_link(root, &e.path()) {
                    Ok(md) => md,
                    Err(why) => {
                        out.push(Err(entry_error(format!("{key}: {why}"))));
                        continue;
                    }
                }
            } else {
                lmd
            };
            if md.is_dir() {
                match Path::parse(&key) {
                    Ok(p) if via_link => linked.push((p, dir_id(&md))),
                    Ok(_) if !visited.insert(dir_id(&md)) => {
                        out.push(Err(entry_error(format!("{key}: a folder listed already; not followed"))));
                    }
                    Ok(p) if !recursive => out.push(Ok(Entry::Dir(p))),
                    Ok(_) => todo.push(key),
                    Err(source) => out.push(Err(object_store::Error::InvalidPath { source })),
                }
                continue;
            }
            if !md.is_file() {
                let kind = special_kind(md.file_type());
                out.push(Err(entry_error(format!("{key}: {kind}, not a file"))));
                continue;
            }
            if is_staging(&name) {
                continue;
            }
            match Path::parse(&key) {
                Ok(location) => out.push(Ok(Entry::File(ObjectMeta {
                    location,
                    last_modified: md.modified().map(Into::into).unwrap_or_default(),
                    size: md.len(),
                    e_tag: Some(etag(&md)),
                    version: None,
                }))),
                Err(source) => out.push(Err(object_store::Error::InvalidPath { source })),
            }
        }
    }
    // Bad entries first, so a listing never ends at one (callers read on past them).
    out.sort_by_key(|r| r.is_ok());
    out
}

/// Staging files (`<key>#<n>`) under `root/<prefix>` older than `min_age`: what a killed write
/// left behind. Paths relative to `root`, with sizes in bytes.
pub fn staging_files(root: &std::path::Path, prefix: &str, min_age: Duration) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut todo = vec![root.join(prefix)];
    let now = SystemTime::now();
    while let Some(dir) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.filter_map(|e| e.ok()) {
            let Ok(md) = e.metadata() else { continue };
            if md.is_dir() {
                todo.push(e.path());
            } else if e.file_name().to_str().is_some_and(is_staging) {
                let old = md
                    .modified()
                    .ok()
                    .and_then(|m| now.duration_since(m).ok())
                    .is_some_and(|a| a >= min_age);
                if old && let Ok(rel) = e.path().strip_prefix(root) {
                    out.push((rel.to_path_buf(), md.len()));
                }
            }
        }
    }
    out.sort();
    out
}

#[async_trait]
impl ObjectStore for DirStore {
    async fn put_opts(&self, location: &Path, payload: PutPayload, opts: PutOptions) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(&self, location: &Path, opts: PutMultipartOptions) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(&self, locations: BoxStream<'static, Result<Path>>) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        let (root, prefix) = (self.root.clone(), prefix.cloned());
        futures::stream::once(async move {
            let entries = tokio::task::spawn_blocking(move || walk(&root, prefix.as_ref(), true))
                .await
                .unwrap_or_else(|e| vec![Err(entry_error(format!("listing task failed: {e}")))]);
            futures::stream::iter(entries.into_iter().filter_map(|r| match r {
                Ok(Entry::File(m)) => Some(Ok(m)),
                Ok(Entry::Dir(_)) => None,
                Err(e) => Some(Err(e)),
            }))
        })
        .flatten()
        .boxed()
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        let (root, p) = (self.root.clone(), prefix.cloned());
        let entries = tokio::task::spawn_blocking(move || walk(&root, p.as_ref(), false))
            .await
            .map_err(|e| entry_error(format!("listing task failed: {e}")))?;
        let mut r = ListResult {
            common_prefixes: Vec::new(),
            objects: Vec::new(),
            extensions: Default::default(),
        };
        // Bad entries are reported by `list`; one level lists the readable rest.
        for e in entries.into_iter().flatten() {
            match e {
                Entry::File(m) => r.objects.push(m),
                Entry::Dir(d) => r.common_prefixes.push(d),
            }
        }
        Ok(r)
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_names() {
        assert!(is_staging("1700000000-1700086400#1"));
        assert!(is_staging("a#123"));
        assert!(!is_staging("a#"));
        assert!(!is_staging("a#b1"));
        assert!(!is_staging("plain"));
    }

    #[tokio::test]
    async fn lists_like_local_file_system() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/f1"), b"12345").unwrap();
        std::fs::write(dir.path().join("a/g 2%x"), b"1").unwrap();
        std::fs::write(dir.path().join("a/b/f1#3"), b"partial").unwrap();
        let ours = DirStore::new(dir.path()).unwrap();
        let theirs = LocalFileSystem::new_with_prefix(dir.path()).unwrap();
        let sorted = |mut v: Vec<ObjectMeta>| {
            v.sort_by(|a, b| a.location.cmp(&b.location));
            v
        };
        let a: Vec<ObjectMeta> = ours.list(None).map(|r| r.unwrap()).collect().await;
        let b: Vec<ObjectMeta> = theirs.list(None).map(|r| r.unwrap()).collect().await;
        assert_eq!(sorted(a), sorted(b));
        let l = ours.list_with_delimiter(Some(&Path::from("a"))).await.unwrap();
        assert_eq!(l.common_prefixes, vec![Path::from("a/b")]);
        assert_eq!(l.objects.len(), 1);
        assert_eq!(staging_files(dir.path(), "", Duration::ZERO), vec![(PathBuf::from("a/b/f1#3"), 7)]);
    }
}
