//! Handlers of the data subcommands (`ingest`, `allocation`, `assets`, `cloudcost`, `bucket`, `federate`): open the
//! store and its database, run the work, print the result. Kept out of `main.rs` so it stays thin.

pub mod bench;
pub mod browse;
pub mod bucket;
pub mod demo;
pub mod export;
pub mod federate;
pub mod ingest;
pub mod inspect;
pub mod migrate;
pub mod migration;
pub mod progress_bar;
pub mod query;
pub mod savings;
pub mod serve;
pub mod verify;

use crate::aggregator::{Aggregator, default_db_path, readcopy};
use crate::cli::GlobalArgs;
use crate::config::secret::scrub;
use crate::config::{self, Store};
use color_eyre::eyre::{Result, WrapErr, bail};
use std::io::Write;
use std::sync::Arc;

/// Write `text` to stdout and flush. Errors: the write's; a closed pipe (`| head`) is
/// [`std::io::ErrorKind::BrokenPipe`], which `main` turns into a quiet exit 0.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(scrub(text).as_bytes())?;
    out.flush()
}

/// Await `fut`; when it takes longer than 3 s, say on stderr what is being waited for and when
/// costscope gives up (a store that accepts connections but never answers otherwise looks like a
/// hung costscope). The same note as a pass's own listings and reads give ([`crate::waits`]).
pub async fn noting_waits<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    crate::waits::noting_as_command(what, fut).await
}

/// True when `e` comes from writing to a closed pipe (an `io::Error` or a `serde_json` error of
/// kind `BrokenPipe` anywhere in its chain): the reader (`head`, `less`) is done, not a failure.
pub fn is_broken_pipe(e: &color_eyre::Report) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind()) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

/// Open the store named by the global options (lookup order in docs/user-guide.md) and its database
/// (`--db`, else one per store identity in the cache dir). When another costscope process holds
/// the database, its newest read copy is opened instead (`aggregator::readcopy`) and the caller
/// must not ingest (`Aggregator::is_read_copy`).
///
/// Errors: no store file found (the message lists where it looked), a bad YAML (file:line), a
/// database that cannot be opened.
pub fn open(global: &GlobalArgs) -> Result<(Store, Arc<Aggregator>)> {
    let (store, db) = store_and_db(global)?;
    let agg = open_db(&db)?;
    Ok((store, Arc::new(agg)))
}

/// [`open`] for the TUI: when another costscope process holds the database and has not published
/// its first read copy yet (it is in its first ingest pass), wait for that copy, saying so on
/// stderr, instead of failing (issue 35). Ctrl-C stops the wait.
///
/// Errors: as [`open`], but for the missing copy.
pub async fn open_waiting(global: &GlobalArgs) -> Result<(Store, Arc<Aggregator>)> {
    let (store, db) = store_and_db(global)?;
    let mut said = false;
    loop {
        match Aggregator::open(&db) {
            Err(e) if readcopy::is_lock_conflict(&e) && !readcopy::has_read_copy(&db) => {
                if !said {
                    eprintln!(
                        "waiting: another costscope process is ingesting into {} and has not published its first read copy yet (Ctrl-C to stop)",
                        db.display()
                    );
                    said = true;
                }
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            _ => return Ok((store, Arc::new(open_db(&db)?))),
        }
    }
}

/// The store of the global options and the path of its database; with `--read-only`, a database
/// path inside the store is refused (it would be written into the bucket).
pub(crate) fn store_and_db(global: &GlobalArgs) -> Result<(Store, std::path::PathBuf)> {
    let store = open_store(global)?;
    let db = global.db.clone().unwrap_or_else(|| default_db_path(&store.identity));
    if global.read_only {
        // The database, its WAL and its read copies would be written into the bucket.
        refuse_output_inside("--db", &db, store.local_root.as_deref())?;
    }
    Ok((store, db))
}

/// Open only the store named by the global options (lookup order in docs/user-guide.md), printing the
/// config's warnings on stderr (`bucket` and `federate` need no database).
///
/// Errors: no store file found (the message lists where it looked), a bad YAML (file:line), a
/// client that cannot be built.
pub fn open_store(global: &GlobalArgs) -> Result<Store> {
    let path = config::find_store_file(global.store.as_deref(), global.demo)?;
    let (cfg, store) = config::open_store(&path)?;
    for w in &cfg.warnings {
        eprintln!("warning: {}", scrub(w));
    }
    Ok(store)
}

/// Open the database file `db`; when another costscope process holds it, its newest read copy
/// (`aggregator::readcopy`, a note on stderr says so).
///
/// Errors: DuckDB cannot open the file; it is locked and no read copy was published yet.
pub fn open_db(db: &std::path::Path) -> Result<Aggregator> {
    match Aggregator::open(db) {
        Ok(agg) => Ok(agg),
        Err(e) if readcopy::is_lock_conflict(&e) => match Aggregator::open_read_copy(db)? {
            Some(copy) => {
                eprintln!(
                    "note: another costscope process (the TUI or `ingest --watch`) is ingesting into {}; \
                     answering from its latest read copy (at most one ingest pass old)",
                    db.display()
                );
                Ok(copy)
            }
            None => bail!(
                "database {} is in use by another costscope process, which has not published a read copy yet; \
                 try again in a few seconds",
                db.display()
            ),
        },
        Err(e) => Err(e).wrap_err_with(|| format!("opening database {}", db.display())),
    }
}

/// A `--window` option's value parsed against the clock ([`crate::query::parse_window`]).
///
/// Errors: a [`crate::cli::UsageError`] naming `--window` and what is accepted.
pub(crate) fn window_option(text: &str) -> Result<crate::query::Window, crate::cli::UsageError> {
    crate::query::parse_window(text, crate::clock::now()).map_err(|e| crate::cli::UsageError(format!("--window: {e}")))
}

/// A `--window` option as `(start, end)` unix seconds, or `None` when not given. Errors as
/// [`window_option`].
pub(crate) fn window_bounds(text: Option<&str>) -> Result<Option<(i64, i64)>, crate::cli::UsageError> {
    text.map(|t| window_option(t).map(|w| (w.start.timestamp(), w.end.timestamp())))
        .transpose()
}

/// Where writing to `path` lands once its missing folders are created: absolute, its longest
/// existing ancestor resolved physically (symlinks, `..` through them), a dangling symlink
/// followed to where it would create its target, and the missing rest normalized lexically (a
/// folder `create_dir_all` makes is real, so its `..` is its parent). Issue 35.4: `--out
/// /tmp/missing/../<bucket>/out` once passed a check that only canonicalized `/tmp`.
pub(crate) fn resolve_output_path(path: &std::path::Path) -> std::path::PathBuf {
    use std::path::{Component, Path};
    let mut abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    // Each round follows one dangling symlink; links hop at most 40 times (Linux's ELOOP bound).
    for _ in 0..40 {
        // The longest ancestor that exists: canonical, or a dangling symlink's target.
        let found = abs.ancestors().find_map(|a| {
            let rest = abs.strip_prefix(a).unwrap_or(Path::new("")).to_path_buf();
            if let Ok(c) = std::fs::canonicalize(a) {
                return Some((Ok(c), rest));
            }
            let link = std::fs::read_link(a).ok()?;
            Some((Err(a.parent().map_or_else(|| link.clone(), |p| p.join(&link))), rest))
        });
        let Some((base, rest)) = found else { return abs };
        let mut out = match base {
            Ok(real) => real,
            // Writing through a dangling symlink creates its target: resolve that instead.
            Err(target) => {
                abs = std::path::absolute(target.join(&rest)).unwrap_or_else(|_| target.join(&rest));
                continue;
            }
        };
        for c in rest.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(n) => out.push(n),
                _ => {}
            }
        }
        // A `..` of the missing rest may step back into existing folders (a symlink, maybe):
        // resolve the result again.
        if !rest.components().any(|c| c == Component::ParentDir) {
            return out;
        }
        abs = out;
    }
    abs
}

/// A local output path (`flag`'s value: `--out`, `--manifest`, `--db`) must not lie inside a
/// FILESYSTEM store's directory: writing there is writing into the bucket, which `--read-only` /
/// `--out` promise not to do. The path is resolved as writing to it would
/// ([`resolve_output_path`]).
///
/// Errors: a [`crate::cli::UsageError`] naming both directories.
pub(crate) fn refuse_output_inside(flag: &str, out: &std::path::Path, root: Option<&std::path::Path>) -> Result<()> {
    let Some(root) = root else { return Ok(()) };
    if is_inside(out, root) {
        return Err(crate::cli::UsageError(format!(
            "{flag} {} is inside the store's directory {}: that would write into the bucket; choose a path outside it",
            out.display(),
            root.display()
        ))
        .into());
    }
    Ok(())
}

/// Whether writing to `path` would write inside `root` (a canonical directory).
pub(crate) fn is_inside(path: &std::path::Path, root: &std::path::Path) -> bool {
    resolve_output_path(path).starts_with(root)
}
